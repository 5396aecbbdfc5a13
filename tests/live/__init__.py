"""The `live` tier: the service as a separate process, over a socket (tests/live.py), on
the test MariaDB, Redis or the embedded demo."""
