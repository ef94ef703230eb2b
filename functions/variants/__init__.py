"""The core side of the edge tier: generate a requested page variant with Bedrock and write it back."""
