"""The Pulumi state backend: a hardened S3 bucket, its KMS key, and one `awskms://` secrets key per stack.

Pulumi Cloud remains an option (docs/operations/bootstrap.md): a team that uses it skips the bucket
and keeps the secrets keys, or uses Pulumi Cloud's own secrets provider.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import pulumi
import pulumi_aws as aws
from bootstrap_settings import BootstrapSettings

#: S3 server access logs can only be delivered to buckets encrypted with SSE-S3 (not SSE-KMS),
#: so the log bucket uses AES256; it holds request metadata, never state.
_LOG_BUCKET_SSE = "AES256"


def _tls_only_statement(bucket: aws.s3.Bucket) -> pulumi.Output[dict[str, Any]]:
    return pulumi.Output.all(bucket.arn).apply(
        lambda args: {
            "Sid": "DenyInsecureTransport",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": [args[0], f"{args[0]}/*"],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        }
    )


def _harden_bucket(
    name: str,
    bucket: aws.s3.Bucket,
    *,
    kms_key: aws.kms.Key | None,
    noncurrent_days: int,
    expire_days: int | None,
    extra_statements: Sequence[pulumi.Output[dict[str, Any]]] = (),
    opts: pulumi.ResourceOptions,
) -> aws.s3.BucketPolicy:
    """Versioning, encryption, no public access, owner-enforced objects, lifecycle and a TLS-only policy."""
    aws.s3.BucketOwnershipControls(
        f"{name}-ownership",
        bucket=bucket.id,
        rule={"object_ownership": "BucketOwnerEnforced"},
        opts=opts,
    )
    public_access = aws.s3.BucketPublicAccessBlock(
        f"{name}-public-access",
        bucket=bucket.id,
        block_public_acls=True,
        block_public_policy=True,
        ignore_public_acls=True,
        restrict_public_buckets=True,
        opts=opts,
    )
    aws.s3.BucketVersioning(
        f"{name}-versioning",
        bucket=bucket.id,
        versioning_configuration={"status": "Enabled"},
        opts=opts,
    )
    aws.s3.BucketServerSideEncryptionConfiguration(
        f"{name}-encryption",
        bucket=bucket.id,
        rules=[
            aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
                apply_server_side_encryption_by_default=(
                    aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
                        sse_algorithm="aws:kms" if kms_key is not None else _LOG_BUCKET_SSE,
                        kms_master_key_id=kms_key.arn if kms_key is not None else None,
                    )
                ),
                bucket_key_enabled=kms_key is not None,
            )
        ],
        opts=opts,
    )
    rule = aws.s3.BucketLifecycleConfigurationRuleArgs(
        id="retention",
        status="Enabled",
        filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(),
        noncurrent_version_expiration=aws.s3.BucketLifecycleConfigurationRuleNoncurrentVersionExpirationArgs(
            noncurrent_days=noncurrent_days
        ),
        abort_incomplete_multipart_upload=aws.s3.BucketLifecycleConfigurationRuleAbortIncompleteMultipartUploadArgs(
            days_after_initiation=7
        ),
        expiration=(
            aws.s3.BucketLifecycleConfigurationRuleExpirationArgs(days=expire_days) if expire_days is not None else None
        ),
    )
    aws.s3.BucketLifecycleConfiguration(f"{name}-lifecycle", bucket=bucket.id, rules=[rule], opts=opts)
    statements = [_tls_only_statement(bucket), *extra_statements]
    return aws.s3.BucketPolicy(
        f"{name}-policy",
        bucket=bucket.id,
        policy=pulumi.Output.all(*statements).apply(
            lambda items: json.dumps({"Version": "2012-10-17", "Statement": list(items)})
        ),
        # S3 rejects a bucket policy while the public access block is still being applied.
        opts=pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(depends_on=[public_access])),
    )


def account_key_policy(account: pulumi.Input[str]) -> pulumi.Output[str]:
    """The key policy KMS gives a key by default, written out so it is reviewed and checked (CKV2_AWS_64).

    It lets the account's IAM policies govern the key; the deploy roles' own policies then grant each
    role only its stack's key. Source: AWS KMS Developer Guide, "Default key policy" (statement
    "Enable IAM User Permissions").
    """
    return pulumi.Output.json_dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "EnableIamUserPermissions",
                    "Effect": "Allow",
                    "Principal": {"AWS": pulumi.Output.concat("arn:aws:iam::", account, ":root")},
                    "Action": "kms:*",
                    "Resource": "*",
                }
            ],
        }
    )


class StateBackend(pulumi.ComponentResource):
    """State bucket + state key + access-log bucket + per-stack secrets keys.

    Examples
    --------
    >>> backend = StateBackend("state", settings)  # doctest: +SKIP
    >>> backend.backend_url  # s3://<bucket>?region=<region>  # doctest: +SKIP
    """

    def __init__(self, name: str, settings: BootstrapSettings, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("agentic:bootstrap:StateBackend", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        # State outlives any mistake in this program: Pulumi refuses to delete these.
        keep = pulumi.ResourceOptions(parent=self, protect=True)
        account = aws.get_caller_identity_output().account_id
        region = aws.get_region_output().region

        self.state_key = aws.kms.Key(
            f"{name}-key",
            description=f"{settings.prefix}: encrypts the Pulumi state bucket",
            enable_key_rotation=True,
            deletion_window_in_days=30,
            policy=account_key_policy(account),
            opts=keep,
        )
        aws.kms.Alias(
            f"{name}-key-alias",
            name=f"alias/{settings.prefix}-pulumi-state",
            target_key_id=self.state_key.id,
            opts=child,
        )

        self.bucket = aws.s3.Bucket(
            f"{name}-bucket",
            # Not `<prefix>-...`: the deploy roles manage `<prefix>-*` buckets, and never this one.
            bucket=pulumi.Output.concat("pulumi-state-", settings.prefix, "-", account, "-", region),
            opts=keep,
        )
        _harden_bucket(
            f"{name}-bucket",
            self.bucket,
            kms_key=self.state_key,
            noncurrent_days=settings.state_version_retention_days,
            expire_days=None,
            opts=child,
        )

        if settings.access_log_bucket is None:
            log_bucket = aws.s3.Bucket(
                f"{name}-access-logs",
                bucket=pulumi.Output.concat("s3-access-logs-", settings.prefix, "-", account, "-", region),
                opts=keep,
            )
            delivery = pulumi.Output.all(log_bucket.arn, account, self.bucket.arn).apply(
                lambda args: {
                    "Sid": "S3ServerAccessLogsDelivery",
                    "Effect": "Allow",
                    "Principal": {"Service": "logging.s3.amazonaws.com"},
                    "Action": "s3:PutObject",
                    "Resource": f"{args[0]}/*",
                    "Condition": {
                        "StringEquals": {"aws:SourceAccount": args[1]},
                        "ArnLike": {"aws:SourceArn": args[2]},
                    },
                }
            )
            _harden_bucket(
                f"{name}-access-logs",
                log_bucket,
                kms_key=None,
                noncurrent_days=30,
                expire_days=settings.access_log_retention_days,
                extra_statements=[delivery],
                opts=child,
            )
            self.log_bucket_name: pulumi.Output[str] = log_bucket.bucket
            self.log_bucket_arn: pulumi.Output[str] = log_bucket.arn
        else:
            partition = aws.get_partition_output().partition
            self.log_bucket_name = pulumi.Output.from_input(settings.access_log_bucket)
            self.log_bucket_arn = pulumi.Output.concat("arn:", partition, ":s3:::", settings.access_log_bucket)

        aws.s3.BucketLogging(
            f"{name}-bucket-logging",
            bucket=self.bucket.id,
            target_bucket=self.log_bucket_name,
            target_prefix=pulumi.Output.concat("s3/", self.bucket.bucket, "/"),
            opts=child,
        )

        self.secrets_keys: dict[str, aws.kms.Key] = {}
        self.secrets_providers: dict[str, pulumi.Output[str]] = {}
        for env in settings.environments:
            key = aws.kms.Key(
                f"{name}-secrets-{env.stack}",
                description=f"{settings.prefix}: awskms:// secrets provider of stack {env.stack}",
                enable_key_rotation=True,
                deletion_window_in_days=30,
                policy=account_key_policy(account),
                opts=keep,
            )
            alias = aws.kms.Alias(
                f"{name}-secrets-{env.stack}-alias",
                name=f"alias/{settings.prefix}-pulumi-secrets-{env.stack}",
                target_key_id=key.id,
                opts=child,
            )
            self.secrets_keys[env.stack] = key
            self.secrets_providers[env.stack] = pulumi.Output.concat("awskms://", alias.name, "?region=", region)

        self.backend_url = pulumi.Output.concat("s3://", self.bucket.bucket, "?region=", region)
        self.register_outputs(
            {
                "backendUrl": self.backend_url,
                "stateBucket": self.bucket.bucket,
                "stateKeyArn": self.state_key.arn,
                "secretsProviders": self.secrets_providers,
            }
        )
