"""The domain, above the sources and below GraphQL and REST: a customer's purchase list and
its pages (`purchases`, `pagination`) and `once` (a result awaited once per request, however
many resolvers ask)."""
