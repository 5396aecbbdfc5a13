"""The `unit` tier: no database, Redis, browser or Node; runs in seconds
(`./scripts/test -m unit`, or `pytest tests/unit`). The app runs on the in-memory source
(tests/fake.py) or the embedded demo, never on the test database."""
