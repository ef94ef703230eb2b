"""Encryption at rest with customer-managed KMS keys, and the keys themselves (P141, P187).

Argument names are pulumi-aws 7.51.1's (camelCase as the engine receives them); the accepted values
come from the botocore service models (e.g. stepfunctions `EncryptionType`, kms `KeySpec`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pulumi_policy import ReportViolation, ResourceValidationArgs, Severity

from policies.lib import (
    get,
    is_customer_managed_key,
    parse_document,
    text,
    truthy,
)
from policies.spec import Category, Kind, PolicySpec

ENCRYPTION_PRINCIPLES = ("P141", "P187")


def _kms_policy(
    name: str,
    what: str,
    resource_type: str,
    key_of: Callable[[Any], Any],
    fix: str,
    *,
    applies: Callable[[Any], bool] | None = None,
) -> PolicySpec:
    """A resource policy: `key_of(props)` must name a customer-managed KMS key."""

    def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
        if applies is not None and not applies(args.props):
            return
        if not is_customer_managed_key(key_of(args.props)):
            report_violation(f"{args.name}: {what} is not encrypted with a customer-managed KMS key. {fix}", None)

    return PolicySpec(
        name=name,
        description=f"{what[0].upper()}{what[1:]} is encrypted at rest with a customer-managed KMS key.",
        explanation=(
            "Customer-managed keys keep key policy, rotation and audit (CloudTrail key usage) under the "
            f"platform's control and let access be revoked by disabling the key. Fix: {fix}"
        ),
        principles=ENCRYPTION_PRINCIPLES,
        severity=Severity.HIGH,
        category=Category.SECURITY,
        kind=Kind.RESOURCE,
        validate=validate,
        resource_types=(resource_type,),
    )


def _dynamodb_key(props: Any) -> Any:
    # `serverSideEncryption.enabled` without a key means the AWS-managed key; a CMK needs `kmsKeyArn`.
    if not truthy(get(props, "serverSideEncryption", "enabled")):
        return None
    return get(props, "serverSideEncryption", "kmsKeyArn")


def _state_machine_key(props: Any) -> Any:
    # stepfunctions EncryptionType: AWS_OWNED_KEY | CUSTOMER_MANAGED_KMS_KEY (botocore service model).
    if get(props, "encryptionConfiguration", "type") != "CUSTOMER_MANAGED_KMS_KEY":
        return None
    return get(props, "encryptionConfiguration", "kmsKeyId")


def _has_environment(props: Any) -> bool:
    variables = get(props, "environment", "variables")
    return bool(variables)


DYNAMODB = _kms_policy(
    "dynamodb-table-kms-encryption",
    "the DynamoDB table",
    "aws:dynamodb/table:Table",
    _dynamodb_key,
    "set serverSideEncryption={enabled: true, kmsKeyArn: <key ARN>}.",
)
SQS = _kms_policy(
    "sqs-queue-kms-encryption",
    "the SQS queue",
    "aws:sqs/queue:Queue",
    lambda p: get(p, "kmsMasterKeyId"),
    "set kmsMasterKeyId to a customer-managed key (not alias/aws/sqs; SQS-managed SSE is not a CMK).",
)
SNS = _kms_policy(
    "sns-topic-kms-encryption",
    "the SNS topic",
    "aws:sns/topic:Topic",
    lambda p: get(p, "kmsMasterKeyId"),
    "set kmsMasterKeyId to a customer-managed key (not alias/aws/sns).",
)
LOG_GROUP = _kms_policy(
    "log-group-kms-encryption",
    "the CloudWatch log group",
    "aws:cloudwatch/logGroup:LogGroup",
    lambda p: get(p, "kmsKeyId"),
    "set kmsKeyId to the key ARN (its key policy must allow logs.<region>.amazonaws.com).",
)
STATE_MACHINE = _kms_policy(
    "state-machine-kms-encryption",
    "the Step Functions state machine",
    "aws:sfn/stateMachine:StateMachine",
    _state_machine_key,
    "set encryptionConfiguration={type: CUSTOMER_MANAGED_KMS_KEY, kmsKeyId: <key ARN>}.",
)
LAMBDA_ENVIRONMENT = _kms_policy(
    "lambda-environment-kms-encryption",
    "the Lambda function's environment",
    "aws:lambda/function:Function",
    lambda p: get(p, "kmsKeyArn"),
    "set kmsKeyArn on functions that have environment variables.",
    applies=_has_environment,
)
EVENT_BUS = _kms_policy(
    "event-bus-kms-encryption",
    "the EventBridge event bus",
    "aws:cloudwatch/eventBus:EventBus",
    lambda p: get(p, "kmsKeyIdentifier"),
    "set kmsKeyIdentifier to the key ARN.",
)
AGENT = _kms_policy(
    "bedrock-agent-kms-encryption",
    "the Bedrock agent",
    "aws:bedrock/agentAgent:AgentAgent",
    lambda p: get(p, "customerEncryptionKeyArn"),
    "set customerEncryptionKeyArn.",
)
GUARDRAIL = _kms_policy(
    "bedrock-guardrail-kms-encryption",
    "the Bedrock guardrail",
    "aws:bedrock/guardrail:Guardrail",
    lambda p: get(p, "kmsKeyArn"),
    "set kmsKeyArn.",
)
# A knowledge base has no key argument of its own: the data ingested into it is encrypted through
# its data sources' serverSideEncryptionConfiguration (pulumi-aws AgentDataSource).
KNOWLEDGE_BASE = _kms_policy(
    "bedrock-knowledge-base-kms-encryption",
    "the Bedrock knowledge-base data source",
    "aws:bedrock/agentDataSource:AgentDataSource",
    lambda p: get(p, "serverSideEncryptionConfiguration", "kmsKeyArn"),
    "set serverSideEncryptionConfiguration={kmsKeyArn: <key ARN>} on every data source of the knowledge base.",
)


def _validate_rotation(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    # Only symmetric encryption keys can rotate automatically (kms KeySpec SYMMETRIC_DEFAULT).
    spec = text(get(args.props, "customerMasterKeySpec")) or "SYMMETRIC_DEFAULT"
    if spec != "SYMMETRIC_DEFAULT":
        return
    if not truthy(get(args.props, "enableKeyRotation")):
        report_violation(f"{args.name}: the KMS key does not rotate (enableKeyRotation is not true).", None)


KMS_ROTATION = PolicySpec(
    name="kms-key-rotation",
    description="Symmetric KMS keys rotate their key material automatically.",
    explanation=(
        "Automatic rotation limits how much data one key version protects. Fix: set enableKeyRotation=True "
        "(optionally rotationPeriodInDays)."
    ),
    principles=ENCRYPTION_PRINCIPLES,
    severity=Severity.MEDIUM,
    category=Category.SECURITY,
    kind=Kind.RESOURCE,
    validate=_validate_rotation,
    resource_types=("aws:kms/key:Key",),
)


def _validate_key_policy(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    for statement in parse_document(get(args.props, "policy")):
        if statement.allows and statement.for_everyone and not statement.condition:
            report_violation(
                f"{args.name}: the key policy allows Principal '*' without a condition "
                f"(actions: {', '.join(statement.actions) or 'NotAction'}).",
                None,
            )


KMS_NO_PUBLIC_PRINCIPAL = PolicySpec(
    name="kms-key-no-wildcard-principal",
    description="KMS key policies never allow the '*' principal without conditions.",
    explanation=(
        "A key policy statement with Principal '*' and no Condition lets any AWS account use the key. "
        "Fix: name the account root or roles, or add conditions such as kms:CallerAccount / kms:ViaService."
    ),
    principles=("P140", "P186", "P141"),
    severity=Severity.CRITICAL,
    category=Category.SECURITY,
    kind=Kind.RESOURCE,
    validate=_validate_key_policy,
    resource_types=("aws:kms/key:Key", "aws:kms/keyPolicy:KeyPolicy"),
)

POLICIES: list[PolicySpec] = [
    DYNAMODB,
    SQS,
    SNS,
    LOG_GROUP,
    STATE_MACHINE,
    LAMBDA_ENVIRONMENT,
    EVENT_BUS,
    AGENT,
    GUARDRAIL,
    KNOWLEDGE_BASE,
    KMS_ROTATION,
    KMS_NO_PUBLIC_PRINCIPAL,
]
