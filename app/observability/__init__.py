"""Observability: the logs and the request log (`logs`), Prometheus metrics (`metrics`) and
OpenTelemetry tracing (`tracing`). Every layer may import it; it imports none of them, only
`app.errors`."""
