"""docs/openapi.json is the document the service generates for the default settings
(tests/db/test_rest.py checks the one it serves)."""

from __future__ import annotations

import pytest

from app.rest.openapi import default_document, render
from tests.paths import ROOT

# As in tests/db/test_rest.py, where this test was: the Bagisto source, which this test reads
# nothing of (the `source` fixture opens nothing).
pytestmark = [
    pytest.mark.usefixtures("source"),
    pytest.mark.parametrize("source", ["bagisto"], indirect=True, scope="session"),
]


def test_committed_openapi_document_is_the_generated_one() -> None:
    # Regenerate with: python -m app.rest.openapi > docs/openapi.json
    assert (ROOT / "docs" / "openapi.json").read_text() == render(default_document())
