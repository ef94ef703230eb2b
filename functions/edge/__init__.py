"""Lambda@Edge personalisation (origin request): standard library and the runtime's boto3 only.

Lambda@Edge allows no layers and no environment variables (CloudFront Developer Guide, "Restrictions on
Lambda@Edge"), so nothing here imports Powertools or pydantic, and settings come from `config.json`,
written into the package by `components.edge` at deploy time.
"""
