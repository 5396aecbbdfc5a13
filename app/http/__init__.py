"""The HTTP edge, shared by the GraphQL endpoint and the REST routes: the middleware, the
answers' JSON (`responses`), each client dialect's statuses and refusals (`dialects`), who is
asking and the request context built from it (`request_context`), the guard that admits a
request (storefront keys, rate limits), and the routes of their own: the explorer (with its
vendored files in `static/`), readiness and the index. GraphQL and REST sit above it; it
imports neither."""
