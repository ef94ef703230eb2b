"""Resource policies that let anyone at all act on a queue, topic, bus, secret, key or layer (P140, P186, P187).

A resource policy with `Principal: "*"` (or `{"AWS": "*"}`) speaks to every AWS account and, for some
services, to anonymous callers. Unless a condition names the caller (iamlang.conditions: aws:SourceArn,
aws:PrincipalOrgID, ... with a positive operator and a real value) such a statement publishes the resource.
Publishing reads is sometimes the point (a public container image, a shared layer); letting everyone send,
publish, push, delete or change the policy never is, and a secret is never meant to be read by everyone.
The S3 counterpart is `s3-no-public-policy`.
"""

from __future__ import annotations

from pulumi_policy import ReportViolation, ResourceValidationArgs, Severity

from policies.lib import Pending, Statement, get, parse_document, publicly_allowed, text
from policies.rules.iam import is_read_only_action
from policies.spec import Category, Kind, PolicySpec

#: Resource type -> the input holding its resource policy (pulumi-aws 7.51 inputs, checked against the SDK's
#: `_internal_init` signatures: `policy`, `policy_document`, `access_policies`). An EventBridge bus that lets
#: anyone PutEvents starts whatever its rules start (P140); a KMS key, an access point or a log group
#: written by anyone is no less public than a queue.
POLICY_INPUTS: dict[str, str] = {
    "aws:ecr/repositoryPolicy:RepositoryPolicy": "policy",
    "aws:sqs/queuePolicy:QueuePolicy": "policy",
    "aws:sqs/queue:Queue": "policy",
    "aws:sns/topicPolicy:TopicPolicy": "policy",
    "aws:sns/topic:Topic": "policy",
    "aws:secretsmanager/secretPolicy:SecretPolicy": "policy",
    "aws:secretsmanager/secret:Secret": "policy",
    "aws:cloudwatch/eventBusPolicy:EventBusPolicy": "policy",
    "aws:kms/key:Key": "policy",
    "aws:kms/keyPolicy:KeyPolicy": "policy",
    "aws:s3/accessPoint:AccessPoint": "policy",
    "aws:s3control/accessPointPolicy:AccessPointPolicy": "policy",
    "aws:cloudwatch/logResourcePolicy:LogResourcePolicy": "policyDocument",
    "aws:opensearch/domainPolicy:DomainPolicy": "accessPolicies",
    # review5 #3: whole resource policies of a Lambda function (PutResourcePolicy), a DynamoDB table, a Kinesis
    # stream, a Bedrock AgentCore resource, an S3 vector bucket, an EFS file system and a Backup vault.
    "aws:lambda/resourcePolicy:ResourcePolicy": "policy",
    "aws:dynamodb/resourcePolicy:ResourcePolicy": "policy",
    "aws:kinesis/resourcePolicy:ResourcePolicy": "policy",
    "aws:bedrock/agentcoreResourcePolicy:AgentcoreResourcePolicy": "policy",
    "aws:s3/vectorsVectorBucketPolicy:VectorsVectorBucketPolicy": "policy",
    "aws:efs/fileSystemPolicy:FileSystemPolicy": "policy",
    "aws:backup/vaultPolicy:VaultPolicy": "policy",
}
POLICY_DOCUMENT_TYPES = tuple(POLICY_INPUTS)
LAYER_PERMISSION = "aws:lambda/layerVersionPermission:LayerVersionPermission"
#: The judged input of a layer version permission (who it is shared with), not a document.
LAYER_PERMISSION_INPUTS = {LAYER_PERMISSION: "principal"}
#: Services where even a public read gives away what the resource protects.
_NO_PUBLIC_READS = (
    "aws:secretsmanager/",
    "aws:dynamodb/",
    "aws:kinesis/",
    "aws:s3/vectorsVectorBucketPolicy:",
    "aws:efs/",
    "aws:backup/",
    "aws:bedrock/",
)


def _public_actions(statement: Statement, reads_allowed: bool) -> list[str]:
    """The actions a public, unconditioned Allow grants that make it a violation."""
    if not publicly_allowed(statement):
        return []
    if statement.not_actions:
        return ["NotAction"]
    if not reads_allowed:
        return list(statement.actions)
    return [a for a in statement.actions if not is_read_only_action(a)]


def _validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    pending = Pending()
    if args.resource_type == LAYER_PERMISSION:
        principal = pending.read(lambda: text(get(args.props, LAYER_PERMISSION_INPUTS[LAYER_PERMISSION])))
        organization = pending.read(lambda: text(get(args.props, "organizationId")), "unknown")
        if principal == "*" and not organization:
            report_violation(f"{args.name}: the layer version is shared with every AWS account (principal '*').", None)
        pending.settle()
        return
    reads_allowed = not args.resource_type.startswith(_NO_PUBLIC_READS)
    document = pending.read(lambda: get(args.props, POLICY_INPUTS[args.resource_type]))
    for statement in parse_document(document, pending):
        actions = _public_actions(statement, reads_allowed)
        if actions:
            report_violation(
                f"{args.name}: the resource policy lets anyone (Principal '*') {', '.join(sorted(actions))} "
                "without a condition naming the caller.",
                None,
            )
    pending.settle()


NOT_PUBLIC = PolicySpec(
    name="resource-policy-not-public",
    description=(
        "No SQS, SNS, EventBridge, ECR, Secrets Manager, KMS, S3 access point, Logs, OpenSearch, Lambda (layer or "
        "function), DynamoDB, Kinesis, AgentCore, S3 Vectors, EFS or Backup policy lets everyone act on the resource."
    ),
    explanation=(
        "Principal '*' without a condition naming the caller lets every AWS account send to the queue, publish "
        "to the topic, push images, read the secret or use the layer. Fix: name the principals (account or role "
        "ARNs, service principals), or narrow with StringEquals/ArnLike on aws:SourceArn, aws:SourceAccount or "
        "aws:PrincipalOrgID; share a layer with organization_id."
    ),
    principles=("P140", "P186", "P187"),
    severity=Severity.CRITICAL,
    category=Category.SECURITY,
    kind=Kind.RESOURCE,
    validate=_validate,
    resource_types=(*POLICY_DOCUMENT_TYPES, LAYER_PERMISSION),
)

POLICIES: list[PolicySpec] = [NOT_PUBLIC]
