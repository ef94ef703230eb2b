"""The model-release role (P081): GitHub Actions may sign a stack's fleet models with one key, and upload them once.

`scripts/ci/model_release.py`, run by `.github/workflows/model-release.yml` in the stack's release
environment, signs a model's SHA-256 with the fleet's asymmetric key, verifies it, and uploads it to the
fleet bucket's `models/` prefix. This role can do exactly that and nothing else: it cannot deploy, read
the state, decrypt secrets or replace a published model.

- `kms:Sign` only with `ECDSA_SHA_256` over a `DIGEST`, and `kms:GetPublicKey`/`kms:DescribeKey`, on the key
  that carries the fleet's signing alias. The key is created later by the platform stack, so its ARN is
  unknown here; `kms:ResourceAliases` names it (Service Authorization Reference: a condition key of the KMS
  `key` resource type, which `Sign`, `GetPublicKey` and `DescribeKey` act on; the AWS KMS Developer Guide,
  "kms:ResourceAliases", requires `ForAnyValue:` because a key may have several aliases).
- `s3:PutObject` under `models/` of the fleet's bucket only with an `If-None-Match` header (`Null` on
  `s3:if-none-match`, the S3 User Guide's "Enforce conditional writes on Amazon S3 buckets", example 1), so
  an existing release can never be overwritten.
- `kms:GenerateDataKey` on the stack key (by its alias) only through S3 in the stack's Region
  (`kms:ViaService`), which SSE-KMS needs to encrypt the upload with the bucket's default key.
"""

from __future__ import annotations

import functools
import json
from typing import Any

import permissions
import pulumi
import pulumi_aws as aws
from bootstrap_settings import BootstrapSettings

from components.buckets import bucket_prefix

#: The role session lasts as long as the release job (`timeout-minutes` of model-release.yml).
MAX_SESSION_SECONDS = 3600


def signing_alias(prefix: str, stack: str) -> str:
    """The fleet's signing-key alias in the platform stack (components/devices.py `signing_alias_name`)."""
    return f"alias/{prefix}-{stack}-fleet-signing"


def stack_key_alias(prefix: str, stack: str) -> str:
    """The stack key's alias (components/kms.py `StackKey`), the fleet bucket's default encryption key."""
    return f"alias/{prefix}-{stack}-key"


def models_bucket_prefix(prefix: str, stack: str) -> str:
    """The fleet bucket's name prefix (`DeviceFleet("devices", ...)` in components/platform.py)."""
    return bucket_prefix(f"{prefix}-{stack}-devices-models")


def release_policy(
    scope: permissions.Scope, stack: str, secrets_key_arns: list[str] | tuple[str, ...] = ()
) -> permissions.PolicyDocument:
    """What a model release of `stack` needs, and nothing more; plus the denies every CI role carries."""
    partition, account, region, prefix = scope.partition, scope.account, scope.region, scope.prefix
    keys = f"arn:{partition}:kms:{region}:{account}:key/*"
    return permissions.document(
        [
            {
                "Sid": "SignReleasesWithTheFleetKey",
                "Effect": "Allow",
                "Action": ["kms:Sign"],
                "Resource": [keys],
                "Condition": {
                    "ForAnyValue:StringEquals": {"kms:ResourceAliases": [signing_alias(prefix, stack)]},
                    "StringEquals": {"kms:SigningAlgorithm": "ECDSA_SHA_256", "kms:MessageType": "DIGEST"},
                },
            },
            {
                "Sid": "ReadTheFleetKey",
                "Effect": "Allow",
                "Action": ["kms:DescribeKey", "kms:GetPublicKey"],
                "Resource": [keys],
                "Condition": {"ForAnyValue:StringEquals": {"kms:ResourceAliases": [signing_alias(prefix, stack)]}},
            },
            {
                "Sid": "UploadNewReleasesOnly",
                "Effect": "Allow",
                "Action": ["s3:PutObject"],
                "Resource": [f"arn:{partition}:s3:::{models_bucket_prefix(prefix, stack)}*/models/*"],
                "Condition": {"Null": {"s3:if-none-match": "false"}},
            },
            {
                "Sid": "EncryptUploadsWithTheStackKey",
                "Effect": "Allow",
                "Action": ["kms:GenerateDataKey"],
                "Resource": [keys],
                "Condition": {
                    "ForAnyValue:StringEquals": {"kms:ResourceAliases": [stack_key_alias(prefix, stack)]},
                    "StringEquals": {"kms:ViaService": f"s3.{region}.amazonaws.com"},
                },
            },
            # An alias is only a name: a deploy role that points the fleet's alias at a bootstrap key still
            # gets no use of it here.
            *permissions.bootstrap_protection(scope, list(secrets_key_arns)),
        ]
    )


def _trust_json(provider_arn: str, subject: str) -> str:
    return json.dumps(permissions.github_trust_policy(provider_arn, [subject]))


def _policy_json(values: list[Any], stack: str) -> str:
    scope, key_arns = values
    return json.dumps(release_policy(scope, stack, list(key_arns)))


class ModelReleaseRoles(pulumi.ComponentResource):
    """One release role per stack that names a release environment (`modelReleaseGithubEnvironment`)."""

    def __init__(
        self,
        name: str,
        settings: BootstrapSettings,
        provider_arn: pulumi.Input[str],
        *,
        scope: pulumi.Output[permissions.Scope],
        secrets_key_arns: pulumi.Output[list[str]],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("agentic:bootstrap:ModelReleaseRoles", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        path = f"/bootstrap/{settings.prefix}/"
        where = pulumi.Output.all(scope, secrets_key_arns)
        self.role_arns: dict[str, pulumi.Output[str]] = {}
        for env in settings.environments:
            if env.model_release_github_environment is None:
                continue
            subject = f"repo:{settings.github.slug}:environment:{env.model_release_github_environment}"
            role = aws.iam.Role(
                f"{name}-{env.stack}",
                name=f"{settings.prefix}-github-model-release-{env.stack}",
                path=path,
                description=f"GitHub Actions: sign and upload model releases of stack {env.stack}'s device fleet",
                assume_role_policy=pulumi.Output.from_input(provider_arn).apply(
                    functools.partial(_trust_json, subject=subject)
                ),
                max_session_duration=MAX_SESSION_SECONDS,
                opts=child,
            )
            aws.iam.RolePolicy(
                f"{name}-{env.stack}-policy",
                role=role.id,
                policy=where.apply(functools.partial(_policy_json, stack=env.stack)),
                opts=child,
            )
            self.role_arns[env.stack] = role.arn
        self.register_outputs({"roleArns": self.role_arns})
