"""Every IAM policy document a resource carries, with what kind of policy it is.

One table says where each pulumi-aws resource type keeps its documents (input names as the engine
receives them, camelCase): identity policies (roles' inline policies, RolePolicy, Policy, UserPolicy,
GroupPolicy), trust policies (a role's assumeRolePolicy) and resource policies (KMS key, S3 bucket, SQS
queue, SNS topic, EventBridge bus, Secrets Manager secret, ECR repository, CloudWatch Logs, OpenSearch).
Rules that judge documents against AWS's own reference (`policies/rules/iam_validity.py`) read them here,
so a new place for a policy is added once. aws-native resources (CloudFormation-shaped: `policyDocument`,
`assumeRolePolicyDocument`, `keyPolicy`, documents as objects) reach these rules as their pulumi-aws views
(`policies.native`, applied by `PolicySpec.check`), so this table stays in one vocabulary.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from policies.lib import Statement, as_list, get, parse_document, text

#: type token -> (kind, input name) of each document it carries. Input names checked against the
#: installed pulumi-aws (policies.sdk.output_names); `tests/policies/test_iam_validity.py` keeps them real.
DOCUMENT_INPUTS: Mapping[str, tuple[tuple[str, str], ...]] = {
    "aws:iam/role:Role": (("trust", "assumeRolePolicy"),),  # inline policies: see _role_inline
    "aws:iam/rolePolicy:RolePolicy": (("identity", "policy"),),
    "aws:iam/policy:Policy": (("identity", "policy"),),
    "aws:iam/userPolicy:UserPolicy": (("identity", "policy"),),
    "aws:iam/groupPolicy:GroupPolicy": (("identity", "policy"),),
    "aws:ssoadmin/permissionSetInlinePolicy:PermissionSetInlinePolicy": (("identity", "inlinePolicy"),),
    "aws:kms/key:Key": (("key", "policy"),),
    "aws:kms/keyPolicy:KeyPolicy": (("key", "policy"),),
    "aws:s3/bucket:Bucket": (("bucket", "policy"),),
    "aws:s3/bucketV2:BucketV2": (("bucket", "policy"),),
    "aws:s3/bucketPolicy:BucketPolicy": (("bucket", "policy"),),
    "aws:sqs/queue:Queue": (("queue", "policy"),),
    "aws:sqs/queuePolicy:QueuePolicy": (("queue", "policy"),),
    "aws:sns/topic:Topic": (("topic", "policy"),),
    "aws:sns/topicPolicy:TopicPolicy": (("topic", "policy"),),
    "aws:cloudwatch/eventBusPolicy:EventBusPolicy": (("event bus", "policy"),),
    "aws:secretsmanager/secret:Secret": (("secret", "policy"),),
    "aws:secretsmanager/secretPolicy:SecretPolicy": (("secret", "policy"),),
    "aws:ecr/repositoryPolicy:RepositoryPolicy": (("repository", "policy"),),
    "aws:cloudwatch/logResourcePolicy:LogResourcePolicy": (("log resource", "policyDocument"),),
    "aws:opensearch/domainPolicy:DomainPolicy": (("domain", "accessPolicies"),),
    "aws:lambda/resourcePolicy:ResourcePolicy": (("function", "policy"),),
    "aws:dynamodb/resourcePolicy:ResourcePolicy": (("table", "policy"),),
    "aws:kinesis/resourcePolicy:ResourcePolicy": (("stream", "policy"),),
    "aws:bedrock/agentcoreResourcePolicy:AgentcoreResourcePolicy": (("agent runtime", "policy"),),
    "aws:s3/vectorsVectorBucketPolicy:VectorsVectorBucketPolicy": (("vector bucket", "policy"),),
    "aws:efs/fileSystemPolicy:FileSystemPolicy": (("file system", "policy"),),
    "aws:backup/vaultPolicy:VaultPolicy": (("backup vault", "policy"),),
}
DOCUMENT_TYPES = tuple(DOCUMENT_INPUTS)


@dataclass(frozen=True)
class Document:
    """One parsed document: `kind` (identity, trust, key, bucket, ...) and a label for messages."""

    kind: str
    label: str
    statements: tuple[Statement, ...]

    @property
    def is_trust(self) -> bool:
        return self.kind == "trust"


def documents(resource_type: str, props: Any) -> Iterator[Document]:
    """The documents of one resource (unknown values raise pulumi_policy's UnknownValueError)."""
    for kind, key in DOCUMENT_INPUTS.get(resource_type, ()):
        raw = get(props, key)
        if raw is not None:
            yield Document(kind, f"{kind} policy", tuple(parse_document(raw)))
    if resource_type == "aws:iam/role:Role":
        yield from _role_inline(props)


def _role_inline(props: Any) -> Iterator[Document]:
    for index, inline in enumerate(as_list(get(props, "inlinePolicies"))):
        if isinstance(inline, Mapping):
            name = text(inline.get("name")) or str(index)
            yield Document("identity", f"inline policy {name}", tuple(parse_document(inline.get("policy"))))
