"""``router``: tiered Amazon Nova model selection with escalation, token budget and answer cache."""
