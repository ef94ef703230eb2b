"""GitHub Actions OIDC: the identity provider, one deploy role per stack and one read-only preview role.

Trust is by exact `sub` claim (StringEquals, never StringLike), so only the named repository can assume
a role, and only from the places each role is meant for:

- deploy role of a stack: `repo:<owner>/<repo>:environment:<github environment>` (the deploy job is
  bound to that environment; for prod, `production` with required reviewers);
- preview role: `repo:<owner>/<repo>:pull_request` (preview of a pull request from this repository;
  GitHub gives forked pull requests no OIDC token) and `repo:<owner>/<repo>:ref:refs/heads/main`
  (the nightly drift check).
"""

from __future__ import annotations

import functools
import json
from typing import Any

import permissions
import pulumi
import pulumi_aws as aws
from bootstrap_settings import GITHUB_OIDC_AUDIENCE, GITHUB_OIDC_HOST, BootstrapSettings
from state_backend import StateBackend

#: The role session lasts as long as the longest job that uses it (`timeout-minutes` of deploy jobs).
MAX_SESSION_SECONDS = 3600


def deploy_subject(settings: BootstrapSettings, github_environment: str) -> str:
    return f"repo:{settings.github.slug}:environment:{github_environment}"


def preview_subjects(settings: BootstrapSettings) -> list[str]:
    return [f"repo:{settings.github.slug}:pull_request", f"repo:{settings.github.slug}:ref:refs/heads/main"]


def _trust_policy_json(provider_arn: str, subjects: list[str]) -> str:
    return json.dumps(permissions.github_trust_policy(provider_arn, subjects))


def _service_policy_json(scope: permissions.Scope, group: str) -> str:
    return json.dumps(permissions.deploy_service_policies(scope)[group])


def _preview_policy_json(values: list[Any], stacks: list[str]) -> str:
    scope, key_arns = values
    return json.dumps(permissions.preview_policy(scope, stacks, key_arns))


def _deploy_policy_json(values: list[Any], stack: str) -> str:
    scope, key_arn, key_arns = values
    return json.dumps(permissions.deploy_policy(scope, stack, key_arn, key_arns))


class GitHubDeployRoles(pulumi.ComponentResource):
    """The OIDC provider and the roles GitHub Actions assume.

    Examples
    --------
    >>> roles = GitHubDeployRoles("github", settings, backend)  # doctest: +SKIP
    >>> roles.deploy_role_arns["prod"]  # doctest: +SKIP
    """

    def __init__(
        self,
        name: str,
        settings: BootstrapSettings,
        backend: StateBackend,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("agentic:bootstrap:GitHubDeployRoles", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        # Not under `<prefix>-*`, which is what the deploy roles may manage.
        path = f"/bootstrap/{settings.prefix}/"

        if settings.existing_oidc_provider_arn:
            provider_arn: pulumi.Output[str] = pulumi.Output.from_input(settings.existing_oidc_provider_arn)
        else:
            # No thumbprint_lists: pulumi-aws 7 makes it optional, and for GitHub's issuer IAM verifies the
            # certificate against its own trusted CAs and ignores configured thumbprints.
            provider = aws.iam.OpenIdConnectProvider(
                f"{name}-oidc",
                url=f"https://{GITHUB_OIDC_HOST}",
                client_id_lists=[GITHUB_OIDC_AUDIENCE],
                opts=child,
            )
            provider_arn = provider.arn

        caller = aws.get_caller_identity_output()
        scope = pulumi.Output.all(
            aws.get_partition_output().partition,
            caller.account_id,
            aws.get_region_output().region,
            backend.bucket.arn,
            backend.state_key.arn,
            backend.log_bucket_arn,
        ).apply(
            lambda v: permissions.Scope(
                partition=v[0],
                account=v[1],
                region=v[2],
                prefix=settings.prefix,
                state_bucket_arn=v[3],
                state_key_arn=v[4],
                log_bucket_arn=v[5],
                bootstrap_path=path,
            )
        )
        stacks = [env.stack for env in settings.environments]
        key_arns = pulumi.Output.all(*[backend.secrets_keys[stack].arn for stack in stacks])

        preview = aws.iam.Role(
            f"{name}-preview",
            name=f"{settings.prefix}-github-preview",
            path=path,
            description=f"GitHub Actions: read-only pulumi preview of {settings.github.slug}",
            assume_role_policy=provider_arn.apply(
                functools.partial(_trust_policy_json, subjects=preview_subjects(settings))
            ),
            max_session_duration=MAX_SESSION_SECONDS,
            opts=child,
        )
        aws.iam.RolePolicy(
            f"{name}-preview-policy",
            role=preview.id,
            policy=pulumi.Output.all(scope, key_arns).apply(functools.partial(_preview_policy_json, stacks=stacks)),
            opts=child,
        )
        self.preview_role_arn = preview.arn

        # The services part is the same for every stack and too large for one inline policy: managed
        # policies under the bootstrap path, shared by the deploy roles.
        service_policies = [
            aws.iam.Policy(
                f"{name}-deploy-{group}",
                name=f"{settings.prefix}-github-deploy-{group}",
                path=path,
                description=f"GitHub Actions deploy roles: the platform's {group} services",
                policy=scope.apply(functools.partial(_service_policy_json, group=group)),
                opts=child,
            )
            for group in permissions.service_groups()
        ]

        self.deploy_role_arns: dict[str, pulumi.Output[str]] = {}
        for env in settings.environments:
            subject = deploy_subject(settings, env.github_environment)
            role = aws.iam.Role(
                f"{name}-deploy-{env.stack}",
                name=f"{settings.prefix}-github-deploy-{env.stack}",
                path=path,
                description=f"GitHub Actions: pulumi up of stack {env.stack} from environment {env.github_environment}",
                assume_role_policy=provider_arn.apply(functools.partial(_trust_policy_json, subjects=[subject])),
                max_session_duration=MAX_SESSION_SECONDS,
                opts=child,
            )
            aws.iam.RolePolicy(
                f"{name}-deploy-{env.stack}-policy",
                role=role.id,
                policy=pulumi.Output.all(scope, backend.secrets_keys[env.stack].arn, key_arns).apply(
                    functools.partial(_deploy_policy_json, stack=env.stack)
                ),
                opts=child,
            )
            for policy, group in zip(service_policies, permissions.service_groups(), strict=True):
                aws.iam.RolePolicyAttachment(
                    f"{name}-deploy-{env.stack}-{group}", role=role.name, policy_arn=policy.arn, opts=child
                )
            self.deploy_role_arns[env.stack] = role.arn

        self.register_outputs({"previewRoleArn": self.preview_role_arn, "deployRoleArns": self.deploy_role_arns})
