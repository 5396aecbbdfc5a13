"""Where the tests' own files are, from whichever tier's directory a module reads them."""

from pathlib import Path

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
CLIENTS = TESTS / "clients"  # real storefronts' documents, and how each sends them
SPEC = TESTS / "spec"  # the reference documents' queries, verbatim
PLATFORMS = TESTS / "platforms"  # each platform's own schema for this slice
GOLDEN = TESTS / "golden"  # every error body
