"""GraphQL: the endpoint (`endpoint`: Ariadne's handler, speaking each client's dialect), how
errors are formatted (`error_format`), what is read off a request besides running it
(`request_data`), the schema views (`views`), documents parsed and validated once
(`documents`, within a byte budget: `sized_cache`), the request limits (`limits`), and
`execution/`, which runs the operations. Above the HTTP edge and the domain; the resolvers
(`resolvers/`) sit between it and the domain."""
