"""The operators' tools, beside the CLI: `downloads-api check` (`check`), what a failed
database connection most likely means (`diagnosis`), the demo database (`demo`) and what
the service says and checks as it starts (`startup`). They read the settings, the sources
and the database; nothing below them imports them."""
