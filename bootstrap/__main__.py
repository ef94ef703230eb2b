"""Account bootstrap for agentic-platform: run once per AWS account, by a person, before CI can deploy.

Creates the S3 state backend, the awskms:// secrets keys, the GitHub OIDC provider and the CI roles,
and exports what the repository's GitHub variables need (docs/operations/bootstrap.md).
"""

from __future__ import annotations

import pulumi
from bootstrap_settings import load_settings
from github_oidc import GitHubDeployRoles
from model_release_role import ModelReleaseRoles
from platform_stacks import protected_tag_keys
from state_backend import StateBackend

from components.tagging import register_required_tags

settings = load_settings()
# The same tag transform as the platform: every taggable resource carries the required tags.
register_required_tags(settings.default_tags())
backend = StateBackend("state", settings)
# Every tag key a platform stack requires (its Pulumi.<stack>.yaml), kept out of the roles' `*` untags.
roles = GitHubDeployRoles(
    "github", settings, backend, protected_tag_keys=protected_tag_keys(env.stack for env in settings.environments)
)
releases = ModelReleaseRoles(
    "model-release", settings, roles.provider_arn, scope=roles.scope, secrets_key_arns=roles.secrets_key_arns
)

# The values docs/operations/bootstrap.md copies into the repository's GitHub variables.
pulumi.export("backendUrl", backend.backend_url)
pulumi.export("stateBucket", backend.bucket.bucket)
pulumi.export("accessLogBucket", backend.log_bucket_name)
pulumi.export("secretsProviders", backend.secrets_providers)
pulumi.export("previewRoleArns", roles.preview_role_arns)
pulumi.export("deployRoleArns", roles.deploy_role_arns)
pulumi.export("modelReleaseRoleArns", releases.role_arns)
