"""Downloads API: a read-only GraphQL and REST façade over a commerce database."""

from pathlib import Path

_here = Path(__file__).resolve().parent
# schema.graphql lives at the top of the repository; a built wheel carries a copy in app/.
SCHEMA_PATH = next(
    (path for path in (_here / "schema.graphql", _here.parent / "schema.graphql") if path.exists()),
    _here.parent / "schema.graphql",
)
