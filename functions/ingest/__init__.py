"""``ingest``: the HTTP API entry point (validate, screen, redact, emit ``RequestReceived``)."""
