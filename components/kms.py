"""StackKey: the one customer-managed KMS key of a stack, used by every encrypted resource in it.

One key per stack, not one per resource: each customer-managed key costs 1 USD/month
(https://aws.amazon.com/kms/pricing/), and dev must idle under its budget (P175, P185). The key
rotates every year (P141), and its policy is explicit and least-privilege (P135, P140, P186):

* the account root administers it (the default key policy statement, which also lets IAM policies in
  the account grant use of the key; docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html);
* each AWS service principal that encrypts with the key *as itself* may use it only on behalf of this
  account (`aws:SourceAccount`), and more narrowly where the service documents a tighter condition:
  - CloudWatch Logs: `ArnLike kms:EncryptionContext:aws:logs:arn` to this account's log groups in this
    region (docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html);
  - S3 Vectors' indexing principal, vended log delivery (Step Functions logs) and EventBridge buses and
    archives: the source ARN, account and encryption context their pages show (key_policy_statements);
  - CloudTrail: `aws:SourceArn` = the stack's trail and `kms:EncryptionContext:aws:cloudtrail:arn` like
    this account's trails (docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html:
    "add the aws:SourceArn condition key ... aws:SourceAccount is also supported but not recommended").
* services that act for a caller (Lambda, DynamoDB, S3, SQS reads) need no key-policy statement: the
  caller's role is granted use of the key with `grant_encrypt_decrypt` / `use_statement`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import pulumi
import pulumi_aws as aws

from components import iam
from components.settings import PlatformSettings

#: Services that encrypt or decrypt with the key as themselves (their own service principal), so the
#: key policy must name them. `logging.s3` is S3 server access log delivery to SSE-KMS buckets.
DEFAULT_SERVICES: tuple[str, ...] = (
    "logs",  # encrypted log groups (regional principal logs.<region>.amazonaws.com)
    "sns",  # SNS delivering to KMS-encrypted SQS queues
    "events",  # EventBridge targets: encrypted SNS topics and SQS queues
    "cloudwatch",  # CloudWatch alarms publishing to encrypted SNS topics
    "budgets",  # AWS Budgets notifications to the encrypted alert topic
    "states",  # Step Functions with customer-managed encryption
    "bedrock",  # agents, knowledge bases, guardrails encrypted with the stack key
    "cloudtrail",  # the stack's trail (only when the stack owns it)
    "config",  # AWS Config delivery to the SSE-KMS config bucket (only when the stack owns the recorder)
    "logging.s3",  # S3 server access logs into the SSE-KMS access-log bucket
    "indexing.s3vectors",  # S3 Vectors' background index maintenance of the knowledge base's vector bucket
    "delivery.logs",  # vended log delivery (Step Functions logging at level ALL) into the SSE-KMS log group
)

#: What a service principal may do with the key: data keys and decryption, never administration.
SERVICE_ACTIONS = ("kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKey")

#: What EventBridge needs for a bus or an archive under the key, as its archive page lists them
#: (DescribeKey, GenerateDataKey, Decrypt, ReEncrypt*; spelled out), scoped by the encryption context
#: EventBridge always sends (the bus ARN); archive calls send no aws:SourceArn:
#: https://docs.aws.amazon.com/eventbridge/latest/userguide/encryption-archives.html
EVENTS_BUS_ACTIONS = ("kms:Decrypt", "kms:GenerateDataKey", "kms:ReEncryptFrom", "kms:ReEncryptTo")

#: What a workload role needs to read and write data encrypted with the key.
USE_ACTIONS = ("kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey")

#: Logs needs re-encryption too (encrypt-log-data-kms.html lists Encrypt*, Decrypt*, ReEncrypt*,
#: GenerateDataKey*, Describe*); spelled out here for a symmetric key.
LOGS_ACTIONS = (
    "kms:Decrypt",
    "kms:DescribeKey",
    "kms:Encrypt",
    "kms:GenerateDataKey",
    "kms:GenerateDataKeyWithoutPlaintext",
    "kms:ReEncryptFrom",
    "kms:ReEncryptTo",
)

DEV_DELETION_WINDOW_DAYS = 7
PROD_DELETION_WINDOW_DAYS = 30


def trail_name(settings: PlatformSettings) -> str:
    """The physical name of the stack's CloudTrail trail (known before the trail exists)."""
    return settings.name("trail")


def service_principal(service: str, region: str) -> str:
    """The principal of a service short name (`logs` is regional)."""
    if service == "logs":
        return f"logs.{region}.amazonaws.com"
    return f"{service}.amazonaws.com"


def key_policy_statements(
    services: Sequence[str], *, account_id: str, region: str, partition: str, trail_arn: str | None
) -> list[dict[str, Any]]:
    """The key policy's statements for resolved account, region and partition (pure, for tests)."""
    statements: list[dict[str, Any]] = [
        {
            "Sid": "AccountRootAdministers",
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:{partition}:iam::{account_id}:root"},
            "Action": "kms:*",
            "Resource": "*",
        }
    ]
    log_groups = f"arn:{partition}:logs:{region}:{account_id}:log-group:*"
    trails = f"arn:{partition}:cloudtrail:*:{account_id}:trail/*"
    for service in dict.fromkeys(services):
        principal = {"Service": service_principal(service, region)}
        sid = "Service" + "".join(part.capitalize() for part in service.split("."))
        if service == "logs":
            statements.append(
                {
                    "Sid": sid,
                    "Effect": "Allow",
                    "Principal": principal,
                    "Action": list(LOGS_ACTIONS),
                    "Resource": "*",
                    "Condition": {"ArnLike": {"kms:EncryptionContext:aws:logs:arn": log_groups}},
                }
            )
        elif service == "cloudtrail":
            if trail_arn is None:
                continue
            statements.append(
                {
                    "Sid": sid + "Encrypt",
                    "Effect": "Allow",
                    "Principal": principal,
                    "Action": ["kms:GenerateDataKey", "kms:GenerateDataKeyWithoutPlaintext"],
                    "Resource": "*",
                    "Condition": {
                        "StringEquals": {"aws:SourceArn": trail_arn},
                        "StringLike": {"kms:EncryptionContext:aws:cloudtrail:arn": trails},
                    },
                }
            )
            statements.append(
                {
                    "Sid": sid + "Describe",
                    "Effect": "Allow",
                    "Principal": principal,
                    # Decrypt: needed to create or update a trail writing to an S3 Bucket Key bucket (same doc).
                    "Action": ["kms:Decrypt", "kms:DescribeKey"],
                    "Resource": "*",
                    "Condition": {"StringEquals": {"aws:SourceArn": trail_arn}},
                }
            )
        elif service == "indexing.s3vectors":
            # https://docs.aws.amazon.com/AmazonS3/latest/userguide/s3-vectors-data-encryption.html: the
            # indexing principal decrypts for background index maintenance, only for this account's vector
            # buckets and only with S3 Vectors' encryption context.
            statements.append(
                {
                    "Sid": sid,
                    "Effect": "Allow",
                    "Principal": principal,
                    "Action": ["kms:Decrypt"],
                    "Resource": "*",
                    "Condition": {
                        "StringEquals": {"aws:SourceAccount": account_id},
                        "ArnLike": {"aws:SourceArn": f"arn:{partition}:s3vectors:{region}:{account_id}:bucket/*"},
                        "ForAnyValue:StringEquals": {
                            "kms:EncryptionContextKeys": ["aws:s3vectors:arn", "aws:s3vectors:resource-id"]
                        },
                    },
                }
            )
        elif service == "delivery.logs":
            # Step Functions logging to a log group under a customer managed key goes through vended log
            # delivery, which encrypts with the context SourceArn = this account's logs:
            # https://docs.aws.amazon.com/step-functions/latest/dg/encryption-at-rest.html and
            # https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/AWS-logs-and-resource-policy.html
            statements.append(
                {
                    "Sid": sid,
                    "Effect": "Allow",
                    "Principal": principal,
                    "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
                    "Resource": "*",
                    "Condition": {
                        "StringLike": {
                            "kms:EncryptionContext:SourceArn": f"arn:{partition}:logs:{region}:{account_id}:*"
                        }
                    },
                }
            )
            # Vended logs into an SSE-KMS *bucket* (CloudFront standard logging v2 into the edge's log bucket):
            # S3 sets the encryption context to the bucket ARN, not a logs SourceArn, so the grant above would
            # deny the write. AWS's statement for it: delivery.logs.amazonaws.com with aws:SourceAccount and
            # aws:SourceArn like this account's delivery sources ("Logs sent to Amazon S3", "Amazon S3 bucket
            # server-side encryption": https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/AWS-logs-infrastructure-V2-S3.html).
            # Its ReEncrypt* and GenerateDataKey* are narrowed to what an SSE-KMS PutObject uses.
            statements.append(
                {
                    "Sid": f"{sid}ToS3",
                    "Effect": "Allow",
                    "Principal": principal,
                    "Action": ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey"],
                    "Resource": "*",
                    "Condition": {
                        "StringEquals": {"aws:SourceAccount": account_id},
                        "ArnLike": {"aws:SourceArn": f"arn:{partition}:logs:{region}:{account_id}:delivery-source:*"},
                    },
                }
            )
        else:
            statements.append(
                {
                    "Sid": sid,
                    "Effect": "Allow",
                    "Principal": principal,
                    "Action": list(SERVICE_ACTIONS),
                    "Resource": "*",
                    "Condition": {"StringEquals": {"aws:SourceAccount": account_id}},
                }
            )
            if service == "events":
                # The bus and its archive under the key (EVENTS_BUS_ACTIONS), by the bus ARN in the context.
                statements.append(
                    {
                        "Sid": sid + "BusAndArchive",
                        "Effect": "Allow",
                        "Principal": principal,
                        "Action": list(EVENTS_BUS_ACTIONS),
                        "Resource": "*",
                        "Condition": {
                            "ArnLike": {
                                "kms:EncryptionContext:aws:events:event-bus:arn": (
                                    f"arn:{partition}:events:{region}:{account_id}:event-bus/*"
                                )
                            }
                        },
                    }
                )
    return statements


class StackKey(pulumi.ComponentResource):
    """The stack's customer-managed KMS key (symmetric, rotated yearly) with an alias.

    Examples
    --------
    >>> key = StackKey("key", settings)
    >>> key.grant_encrypt_decrypt(function_role)
    """

    key: aws.kms.Key
    alias: aws.kms.Alias
    arn: pulumi.Output[str]
    key_id: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        settings: PlatformSettings,
        *,
        services: Sequence[str] = DEFAULT_SERVICES,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("agentic:security:StackKey", name, None, opts)
        self._name = name
        self._settings = settings
        wanted = [s for s in services if self._service_needed(s)]
        self.services: tuple[str, ...] = tuple(wanted)
        identity = aws.get_caller_identity_output()
        partition = aws.get_partition_output().partition
        owns_trail = settings.owns.cloudtrail and not settings.owns.organization_trail
        region = settings.region
        trail = trail_name(settings)

        def render(args: list[Any]) -> str:
            account_id, part = str(args[0]), str(args[1])
            trail_arn = f"arn:{part}:cloudtrail:{region}:{account_id}:trail/{trail}" if owns_trail else None
            return json.dumps(
                {
                    "Version": iam.POLICY_VERSION,
                    "Statement": key_policy_statements(
                        wanted, account_id=account_id, region=region, partition=part, trail_arn=trail_arn
                    ),
                }
            )

        policy = pulumi.Output.all(identity.account_id, partition).apply(render)
        self.key = aws.kms.Key(
            f"{name}-key",
            description=f"{settings.name('key')}: encrypts every resource of the {settings.environment} stack",
            key_usage="ENCRYPT_DECRYPT",
            customer_master_key_spec="SYMMETRIC_DEFAULT",
            enable_key_rotation=True,  # P141: yearly automatic rotation
            deletion_window_in_days=(PROD_DELETION_WINDOW_DAYS if settings.is_production else DEV_DELETION_WINDOW_DAYS),
            policy=policy,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.alias = aws.kms.Alias(
            f"{name}-alias",
            name=f"alias/{settings.name('key')}",
            target_key_id=self.key.key_id,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.arn = self.key.arn
        self.key_id = self.key.key_id
        self.register_outputs({"arn": self.arn, "key_id": self.key_id, "alias": self.alias.name})

    def _service_needed(self, service: str) -> bool:
        owns = self._settings.owns
        if service == "cloudtrail":
            return owns.cloudtrail and not owns.organization_trail
        if service == "config":
            return owns.config_recorder
        return True

    def use_statement(self, actions: Sequence[str] = USE_ACTIONS) -> dict[str, Any]:
        """An IAM statement allowing `actions` on this key only (to embed in a component's own policy)."""
        return iam.statement(actions, [self.arn])

    def grant_encrypt_decrypt(self, role: iam.RoleRef, *, name: str | None = None) -> aws.iam.RolePolicy:
        """Let `role` encrypt and decrypt with this key (and nothing else)."""
        key = iam.role_key(role, name)
        return iam.role_policy(role, f"{self._name}-use-{key}", [self.use_statement()], parent=self)
