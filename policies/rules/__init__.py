"""Policy modules, one per area; each exposes `POLICIES: list[PolicySpec]` (found by `policies.registry`)."""
