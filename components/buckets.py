"""HardenedBucket: an S3 bucket that cannot be configured into an insecure state.

Always (no flag turns these off):

* all four public-access-block settings true, object ownership `BucketOwnerEnforced` (ACLs disabled);
* SSE-KMS with the stack key and an S3 Bucket Key (fewer KMS requests, so cheaper) (P141, P187);
* a bucket policy denying any request without TLS (`aws:SecureTransport` false) (P141);
* lifecycle rules moving objects to cheaper storage and expiring old versions (P146, P175);
* versioning, unless explicitly declined (`versioned=False`).

Resources use the current pulumi-aws 7 types (`aws.s3.Bucket`, `BucketPublicAccessBlock`,
`BucketVersioning`, `BucketServerSideEncryptionConfiguration`, `BucketLifecycleConfiguration`,
`BucketLogging`, `BucketPolicy`, `BucketOwnershipControls`); the `...V2` names are deprecated aliases
(checked in .venv/lib/python3.11/site-packages/pulumi_aws/s3/).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from components import iam
from components.kms import StackKey
from components.settings import PlatformSettings

#: `bucket_prefix` may be at most 37 characters (pulumi_aws/s3/bucket.py `bucket_prefix` doc).
MAX_BUCKET_PREFIX = 37

READ_ACTIONS = ("s3:GetObject",)
LIST_ACTIONS = ("s3:ListBucket",)
WRITE_ACTIONS = ("s3:PutObject",)
#: Reading SSE-KMS objects needs Decrypt; writing needs GenerateDataKey, and Decrypt for multipart
#: uploads (docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html).
KMS_READ_ACTIONS = ("kms:Decrypt",)
KMS_WRITE_ACTIONS = ("kms:Decrypt", "kms:GenerateDataKey")


@dataclass(frozen=True)
class LifecycleSpec:
    """Where objects go as they age. Days follow S3's minimums (30 days before STANDARD_IA).

    `None` switches a step off; noncurrent versions always expire (versioned buckets) and incomplete
    multipart uploads are always aborted, so no bucket grows without bound (P146).
    """

    infrequent_access_days: int | None = 30
    archive_days: int | None = 90
    expiration_days: int | None = None
    noncurrent_expiration_days: int = 30
    abort_multipart_days: int = 7
    #: Extra rules expiring objects under a prefix after some days (`(("variants/", 7),)`): generated,
    #: short-lived content next to objects that must stay (the edge tier's variants, P076).
    expiring_prefixes: tuple[tuple[str, int], ...] = ()

    def __post_init__(self) -> None:
        if self.infrequent_access_days is not None and self.infrequent_access_days < 30:
            raise ValueError("infrequent_access_days must be at least 30 (S3 minimum for STANDARD_IA)")
        if (
            self.archive_days is not None
            and self.infrequent_access_days is not None
            and self.archive_days <= self.infrequent_access_days
        ):
            raise ValueError("archive_days must come after infrequent_access_days")
        if self.expiration_days is not None and self.expiration_days < 1:
            raise ValueError("expiration_days must be positive")
        # S3 rejects an expiration on or before a transition of the same rule (PutBucketLifecycleConfiguration;
        # https://docs.aws.amazon.com/AmazonS3/latest/userguide/lifecycle-transition-general-considerations.html).
        for step, days in (
            ("infrequent_access_days", self.infrequent_access_days),
            ("archive_days", self.archive_days),
        ):
            if self.expiration_days is not None and days is not None and self.expiration_days <= days:
                raise ValueError(f"expiration_days ({self.expiration_days}) must come after {step} ({days})")
        if self.noncurrent_expiration_days < 1 or self.abort_multipart_days < 1:
            raise ValueError("noncurrent_expiration_days and abort_multipart_days must be positive")
        for prefix, days in self.expiring_prefixes:
            if not prefix.endswith("/") or "*" in prefix or days < 1:
                raise ValueError(f"expiring prefix {prefix!r}: a folder ending in '/' and a positive number of days")


DEFAULT_LIFECYCLE = LifecycleSpec()


def tls_only_statement(bucket_arn: pulumi.Input[str]) -> dict[str, Any]:
    """Deny every S3 action on the bucket and its objects over plain HTTP (P141)."""
    return {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [bucket_arn, pulumi.Output.concat(bucket_arn, "/*")],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


def _lifecycle_rules(spec: LifecycleSpec, versioned: bool) -> list[aws.s3.BucketLifecycleConfigurationRuleArgs]:
    transitions = []
    if spec.infrequent_access_days is not None:
        transitions.append(
            aws.s3.BucketLifecycleConfigurationRuleTransitionArgs(
                days=spec.infrequent_access_days, storage_class="STANDARD_IA"
            )
        )
    if spec.archive_days is not None:
        transitions.append(
            aws.s3.BucketLifecycleConfigurationRuleTransitionArgs(days=spec.archive_days, storage_class="GLACIER_IR")
        )
    rule = aws.s3.BucketLifecycleConfigurationRuleArgs(
        id="age-out",
        status="Enabled",
        filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(prefix=""),
        transitions=transitions or None,
        expiration=(
            aws.s3.BucketLifecycleConfigurationRuleExpirationArgs(days=spec.expiration_days)
            if spec.expiration_days is not None
            else None
        ),
        noncurrent_version_expiration=(
            aws.s3.BucketLifecycleConfigurationRuleNoncurrentVersionExpirationArgs(
                noncurrent_days=spec.noncurrent_expiration_days
            )
            if versioned
            else None
        ),
        abort_incomplete_multipart_upload=aws.s3.BucketLifecycleConfigurationRuleAbortIncompleteMultipartUploadArgs(
            days_after_initiation=spec.abort_multipart_days
        ),
    )
    rules = [rule]
    for prefix, days in spec.expiring_prefixes:
        rules.append(
            aws.s3.BucketLifecycleConfigurationRuleArgs(
                id=f"expire-{prefix.strip('/').replace('/', '-')}",
                status="Enabled",
                filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(prefix=prefix),
                expiration=aws.s3.BucketLifecycleConfigurationRuleExpirationArgs(days=days),
                noncurrent_version_expiration=(
                    aws.s3.BucketLifecycleConfigurationRuleNoncurrentVersionExpirationArgs(noncurrent_days=1)
                    if versioned
                    else None
                ),
            )
        )
    return rules


def bucket_prefix(physical_name: str) -> str:
    """The `bucket_prefix` of a HardenedBucket whose physical name is `physical_name` (S3 appends a suffix)."""
    return physical_name[: MAX_BUCKET_PREFIX - 1].rstrip("-") + "-"


class HardenedBucket(pulumi.ComponentResource):
    """A private, KMS-encrypted, TLS-only, versioned S3 bucket with lifecycle rules and grants.

    Examples
    --------
    >>> logs = HardenedBucket("access-logs", settings, key=key, accepts_access_logs=True)
    >>> docs = HardenedBucket("documents", settings, key=key, access_log_bucket=logs)
    >>> docs.grant_read(function_role)

    Service principals that write into the bucket (CloudTrail, Bedrock) are allowed with
    `extra_policy_statements_for=lambda arn: [...]`, which receives the bucket's ARN.
    """

    bucket: aws.s3.Bucket
    arn: pulumi.Output[str]
    name: pulumi.Output[str]
    id: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        settings: PlatformSettings,
        *,
        key: StackKey,
        access_log_bucket: HardenedBucket | None = None,
        versioned: bool = True,
        lifecycle: LifecycleSpec | None = None,
        force_destroy: bool | None = None,
        extra_policy_statements: Sequence[Mapping[str, Any]] = (),
        accepts_access_logs: bool = False,
        extra_policy_statements_for: Callable[[pulumi.Output[str]], Sequence[Mapping[str, Any]]] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("agentic:storage:HardenedBucket", name, None, opts)
        self._name = name
        self._key = key
        child = pulumi.ResourceOptions(parent=self)
        prefix = bucket_prefix(settings.name(name))
        self.bucket = aws.s3.Bucket(
            name,
            bucket_prefix=prefix,
            # dev stacks are torn down freely; prod keeps data unless emptied on purpose.
            force_destroy=(not settings.is_production) if force_destroy is None else force_destroy,
            opts=child,
        )
        self.arn = self.bucket.arn
        self.name = self.bucket.bucket
        self.id = self.bucket.id

        self.public_access_block = aws.s3.BucketPublicAccessBlock(
            f"{name}-public-access",
            bucket=self.bucket.id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
            opts=child,
        )
        self.ownership = aws.s3.BucketOwnershipControls(
            f"{name}-ownership",
            bucket=self.bucket.id,
            rule=aws.s3.BucketOwnershipControlsRuleArgs(object_ownership="BucketOwnerEnforced"),
            opts=child,
        )
        self.encryption = aws.s3.BucketServerSideEncryptionConfiguration(
            f"{name}-encryption",
            bucket=self.bucket.id,
            rules=[
                aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
                    apply_server_side_encryption_by_default=aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
                        sse_algorithm="aws:kms", kms_master_key_id=key.arn
                    ),
                    bucket_key_enabled=True,
                )
            ],
            opts=child,
        )
        self.versioning: aws.s3.BucketVersioning | None = None
        if versioned:
            self.versioning = aws.s3.BucketVersioning(
                f"{name}-versioning",
                bucket=self.bucket.id,
                versioning_configuration=aws.s3.BucketVersioningVersioningConfigurationArgs(status="Enabled"),
                opts=child,
            )
        self.lifecycle = aws.s3.BucketLifecycleConfiguration(
            f"{name}-lifecycle",
            bucket=self.bucket.id,
            rules=_lifecycle_rules(lifecycle or DEFAULT_LIFECYCLE, versioned),
            opts=pulumi.ResourceOptions(
                parent=self, depends_on=[self.versioning] if self.versioning is not None else None
            ),
        )
        self.logging: aws.s3.BucketLogging | None = None
        if access_log_bucket is not None:
            self.logging = aws.s3.BucketLogging(
                f"{name}-access-logging",
                bucket=self.bucket.id,
                target_bucket=access_log_bucket.id,
                target_prefix=f"{name}/",
                opts=child,
            )

        statements: list[Mapping[str, Any]] = [tls_only_statement(self.arn)]
        if accepts_access_logs:
            statements.append(self._access_log_delivery_statement())
        statements.extend(extra_policy_statements)
        if extra_policy_statements_for is not None:  # statements that name this bucket's own ARN
            statements.extend(extra_policy_statements_for(self.arn))
        self.policy = aws.s3.BucketPolicy(
            f"{name}-policy",
            bucket=self.bucket.id,
            policy=pulumi.Output.json_dumps({"Version": iam.POLICY_VERSION, "Statement": statements}),
            # A bucket policy racing the public access block can fail with AccessDenied.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.public_access_block, self.ownership]),
        )
        self.register_outputs({"arn": self.arn, "name": self.name})

    def _access_log_delivery_statement(self) -> dict[str, Any]:
        """S3 server access log delivery (logging.s3.amazonaws.com) from this account's buckets only.

        docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html (bucket policy
        with aws:SourceAccount); pulumi-aws BucketLogging docs show the same statement.
        """
        account_id = aws.get_caller_identity_output().account_id
        return {
            "Sid": "S3ServerAccessLogDelivery",
            "Effect": "Allow",
            "Principal": {"Service": "logging.s3.amazonaws.com"},
            "Action": "s3:PutObject",
            "Resource": pulumi.Output.concat(self.arn, "/*"),
            "Condition": {"StringEquals": {"aws:SourceAccount": account_id}},
        }

    def objects_arn(self, prefix: str = "") -> pulumi.Output[str]:
        """ARN of the bucket's objects (under `prefix`), for IAM statements."""
        if "*" in prefix:
            raise ValueError("prefix must not contain wildcards")
        return pulumi.Output.concat(self.arn, "/", prefix, "*")

    def read_statements(self, prefix: str = "") -> list[dict[str, Any]]:
        return [
            iam.statement(LIST_ACTIONS, [self.arn]),
            iam.statement(READ_ACTIONS, [self.objects_arn(prefix)]),
            iam.statement(KMS_READ_ACTIONS, [self._key.arn]),
        ]

    def write_statements(self, prefix: str = "") -> list[dict[str, Any]]:
        return [
            iam.statement(WRITE_ACTIONS, [self.objects_arn(prefix)]),
            iam.statement(KMS_WRITE_ACTIONS, [self._key.arn]),
        ]

    def grant_read(self, role: iam.RoleRef, *, prefix: str = "", name: str | None = None) -> aws.iam.RolePolicy:
        """Let `role` list the bucket and get its objects (and decrypt them)."""
        key = iam.role_key(role, name)
        return iam.role_policy(role, f"{self._name}-read-{key}", self.read_statements(prefix), parent=self)

    def grant_write(self, role: iam.RoleRef, *, prefix: str = "", name: str | None = None) -> aws.iam.RolePolicy:
        """Let `role` put objects (encrypted with the stack key)."""
        key = iam.role_key(role, name)
        return iam.role_policy(role, f"{self._name}-write-{key}", self.write_statements(prefix), parent=self)

    def grant_read_write(self, role: iam.RoleRef, *, prefix: str = "", name: str | None = None) -> aws.iam.RolePolicy:
        """Both `grant_read` and `grant_write`, as one inline policy."""
        key = iam.role_key(role, name)
        read = self.read_statements(prefix)
        statements = [
            read[0],
            iam.statement(READ_ACTIONS + WRITE_ACTIONS, [self.objects_arn(prefix)]),
            iam.statement(KMS_WRITE_ACTIONS, [self._key.arn]),
        ]
        return iam.role_policy(role, f"{self._name}-read-write-{key}", statements, parent=self)
