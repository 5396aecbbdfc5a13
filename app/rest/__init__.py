"""REST: Bagisto's shop routes (`routes`), the items' wire format, one table of fields that
the routes write and the OpenAPI document describes (`items`), and that document
(`openapi`, `openapi_schemas`; `python -m app.rest.openapi > docs/openapi.json`). Beside
GraphQL, above the HTTP edge and the domain."""
