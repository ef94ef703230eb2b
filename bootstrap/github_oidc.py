"""GitHub Actions OIDC: the identity provider, one deploy role per stack and one read-only preview role.

Trust is by exact `sub` claim (StringEquals, never StringLike), so only the named repository can assume
a role, and only from the places each role is meant for:

- deploy role of a stack: `repo:<owner>/<repo>:environment:<github environment>` (the deploy job is
  bound to that environment; for prod, `production` with required reviewers);
- preview role of a stack (one per stack, each reading only its stack and decrypting only its secrets
  key): `repo:<owner>/<repo>:environment:<preview environment>` (the pull-request preview job of that
  stack is bound to it; prod's has required reviewers, so a pull request's code gets prod's key only
  after a reviewer has read it; GitHub gives forked pull requests no OIDC token) and
  `repo:<owner>/<repo>:ref:refs/heads/main` (the nightly drift check runs merged code only).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import permissions
import pulumi
import pulumi_aws as aws
from bootstrap_settings import GITHUB_OIDC_AUDIENCE, GITHUB_OIDC_HOST, BootstrapSettings, Environment
from state_backend import StateBackend

from components.settings import DEFAULT_REQUIRED_TAG_KEYS

#: The role session lasts as long as the longest job that uses it (`timeout-minutes` of deploy jobs).
MAX_SESSION_SECONDS = 3600


def deploy_subject(settings: BootstrapSettings, github_environment: str) -> str:
    return f"repo:{settings.github.slug}:environment:{github_environment}"


def preview_subjects(settings: BootstrapSettings, preview_environment: str) -> list[str]:
    return [
        f"repo:{settings.github.slug}:environment:{preview_environment}",
        f"repo:{settings.github.slug}:ref:refs/heads/main",
    ]


def _trust_policy_json(provider_arn: str, subjects: list[str]) -> str:
    return json.dumps(permissions.github_trust_policy(provider_arn, subjects))


InlinePolicy = Callable[[permissions.Scope, str, str, Sequence[str]], permissions.PolicyDocument]
ServicePolicies = Callable[[permissions.Scope, str], dict[str, permissions.PolicyDocument]]


@dataclass(frozen=True)
class RoleSpec:
    """What differs between a stack's deploy role and its preview role; `_role` builds either from one."""

    #: `deploy` or `preview`: the role's name is `<prefix>-github-<kind>-<stack>`.
    kind: str
    subjects: list[str]
    description: str
    #: The inline part (state, secrets key, IAM, denies) and the per-group managed service policies.
    inline: InlinePolicy
    services: ServicePolicies
    #: How each managed policy describes itself, with `{group}` for its group.
    services_description: str


def _inline_json(values: list[Any], stack: str, build: InlinePolicy) -> str:
    scope, key_arn, key_arns = values
    return json.dumps(build(scope, stack, key_arn, key_arns))


def _services_json(scope: permissions.Scope, stack: str, group: str, build: ServicePolicies) -> str:
    return json.dumps(build(scope, stack)[group])


def _specs(settings: BootstrapSettings, env: Environment) -> list[RoleSpec]:
    return [
        RoleSpec(
            kind="preview",
            subjects=preview_subjects(settings, env.preview_environment),
            description=f"GitHub Actions: read-only pulumi preview of stack {env.stack} of {settings.github.slug}",
            inline=permissions.preview_policy,
            services=permissions.preview_service_policies,
            services_description=(
                f"GitHub Actions preview role of {env.stack}: reads of the platform's {{group}} services"
            ),
        ),
        RoleSpec(
            kind="deploy",
            subjects=[deploy_subject(settings, env.github_environment)],
            description=f"GitHub Actions: pulumi up of stack {env.stack} from environment {env.github_environment}",
            inline=permissions.deploy_policy,
            services=permissions.deploy_service_policies,
            services_description=f"GitHub Actions deploy role of {env.stack}: the platform's {{group}} services",
        ),
    ]


class GitHubDeployRoles(pulumi.ComponentResource):
    """The OIDC provider and the roles GitHub Actions assume.

    Examples
    --------
    >>> roles = GitHubDeployRoles("github", settings, backend)  # doctest: +SKIP
    >>> roles.deploy_role_arns["prod"], roles.preview_role_arns["prod"]  # doctest: +SKIP
    """

    def __init__(
        self,
        name: str,
        settings: BootstrapSettings,
        backend: StateBackend,
        opts: pulumi.ResourceOptions | None = None,
        *,
        protected_tag_keys: Sequence[str] = DEFAULT_REQUIRED_TAG_KEYS,
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
        self.provider_arn = provider_arn

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
                protected_tag_keys=tuple(protected_tag_keys),
            )
        )
        key_arns = pulumi.Output.all(*[backend.secrets_keys[env.stack].arn for env in settings.environments])
        # What other CI roles need to deny themselves the bootstrap's resources (model_release_role.py).
        self.scope = scope
        self.secrets_key_arns = key_arns

        self.preview_role_arns: dict[str, pulumi.Output[str]] = {}
        self.deploy_role_arns: dict[str, pulumi.Output[str]] = {}
        for env in settings.environments:
            policy_values = pulumi.Output.all(scope, backend.secrets_keys[env.stack].arn, key_arns)
            for spec in _specs(settings, env):
                arn = self._role(
                    name,
                    spec,
                    env.stack,
                    settings=settings,
                    provider_arn=provider_arn,
                    scope=scope,
                    policy_values=policy_values,
                    path=path,
                    child=child,
                )
                (self.deploy_role_arns if spec.kind == "deploy" else self.preview_role_arns)[env.stack] = arn

        self.register_outputs({"previewRoleArns": self.preview_role_arns, "deployRoleArns": self.deploy_role_arns})

    @staticmethod
    def _role(
        name: str,
        spec: RoleSpec,
        stack: str,
        *,
        settings: BootstrapSettings,
        provider_arn: pulumi.Output[str],
        scope: pulumi.Output[permissions.Scope],
        policy_values: pulumi.Output[list[Any]],
        path: str,
        child: pulumi.ResourceOptions,
    ) -> pulumi.Output[str]:
        """One CI role of one stack: its trust, its inline policy, and its managed service policies.

        The services part is too large for one inline policy (all inline policies of a role share one
        10,240-character quota): managed policies of this stack under the bootstrap path, one per group,
        each confined to the stack's names and tags.
        """
        logical = f"{name}-{spec.kind}-{stack}"
        role = aws.iam.Role(
            logical,
            name=f"{settings.prefix}-github-{spec.kind}-{stack}",
            path=path,
            description=spec.description,
            assume_role_policy=provider_arn.apply(functools.partial(_trust_policy_json, subjects=spec.subjects)),
            max_session_duration=MAX_SESSION_SECONDS,
            opts=child,
        )
        aws.iam.RolePolicy(
            f"{logical}-policy",
            role=role.id,
            policy=policy_values.apply(functools.partial(_inline_json, stack=stack, build=spec.inline)),
            opts=child,
        )
        for group in permissions.service_groups(spec.kind):
            policy = aws.iam.Policy(
                f"{logical}-{group}",
                name=f"{settings.prefix}-github-{spec.kind}-{stack}-{group}",
                path=path,
                description=spec.services_description.format(group=group),
                policy=scope.apply(functools.partial(_services_json, stack=stack, group=group, build=spec.services)),
                opts=child,
            )
            aws.iam.RolePolicyAttachment(f"{logical}-{group}", role=role.name, policy_arn=policy.arn, opts=child)
        return role.arn
