"""The three capabilities of ADR 030: SchemaValidator, RateLimiter and MetricsCollector."""
