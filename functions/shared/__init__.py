"""Code shared by every handler: constants, event contracts, prompts, settings and AWS helpers."""
