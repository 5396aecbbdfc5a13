"""The demo data (fixtures/demo.py) holds every case the sources are compared on
(tests/db/test_sources_agree.py): each status, cancelled downloads, unlimited links."""

from __future__ import annotations

from fixtures import demo


def test_the_demo_store_has_something_to_compare() -> None:
    assert {link.status for link in demo.LINKS} == {"pending", "available", "expired"}
    assert any(link.canceled for link in demo.LINKS)
    assert any(not link.bought for link in demo.LINKS)
