"""Resource policies and shares that let anyone at all act on a resource (P140, P186, P187).

A resource policy with `Principal: "*"` (or `{"AWS": "*"}`) speaks to every AWS account and, for some
services, to anonymous callers. Unless a condition names the caller (iamlang.conditions: aws:SourceArn,
aws:PrincipalOrgID, ... with a positive operator and a real value) such a statement publishes the resource.
Publishing reads is sometimes the point (a public container image, a shared layer); letting everyone send,
publish, push, delete or change the policy never is, and a secret is never meant to be read by everyone.
The S3 counterpart is `s3-no-public-policy`.

A grant need not be a document: an EventBridge permission's principal, a snapshot's shared accounts, an AMI's
launch group say who in one value, and the APIs name one value as everyone (`SHARE_INPUTS`, each with its API
reference). Every grantee input of the installed SDK is either judged here or named in `NAMED_GRANTEES` with
why it cannot mean everyone (policies.grant_inputs, tests/policies/test_grant_inputs.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pulumi_policy import ReportViolation, ResourceValidationArgs, Severity

from policies.grant_inputs import is_set, values_at
from policies.lib import Pending, Statement, get, parse_document, publicly_allowed
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
    # review s10 #3: whole resource policies found by the SDK scan (policies.grant_inputs), a dotted path where
    # the document sits in a block (MultiRegionAccessPointPolicyDetails.policy). Registries, artifact stores,
    # archives and table buckets: a public write (push, publish, delete, change the policy) is never the point.
    "aws:s3control/multiRegionAccessPointPolicy:MultiRegionAccessPointPolicy": "details.policy",
    "aws:ecr/repositoryCreationTemplate:RepositoryCreationTemplate": "repositoryPolicy",
    "aws:ecr/registryPolicy:RegistryPolicy": "policy",
    "aws:ecrpublic/repositoryPolicy:RepositoryPolicy": "policy",
    "aws:codeartifact/domainPermissions:DomainPermissions": "policyDocument",
    "aws:codeartifact/repositoryPermissionsPolicy:RepositoryPermissionsPolicy": "policyDocument",
    "aws:glacier/vault:Vault": "accessPolicy",
    "aws:s3control/bucketPolicy:BucketPolicy": "policy",
    "aws:s3control/objectLambdaAccessPointPolicy:ObjectLambdaAccessPointPolicy": "policy",
    "aws:s3tables/tableBucketPolicy:TableBucketPolicy": "resourcePolicy",
    "aws:s3tables/tablePolicy:TablePolicy": "resourcePolicy",
    "aws:schemas/registryPolicy:RegistryPolicy": "policy",
    "aws:kms/replicaKey:ReplicaKey": "policy",
    "aws:kms/externalKey:ExternalKey": "policy",
    "aws:kms/replicaExternalKey:ReplicaExternalKey": "policy",
}
POLICY_DOCUMENT_TYPES = tuple(POLICY_INPUTS)
LAYER_PERMISSION = "aws:lambda/layerVersionPermission:LayerVersionPermission"
EVENT_PERMISSION = "aws:cloudwatch/eventPermission:EventPermission"


@dataclass(frozen=True)
class Share:
    """A grantee input: the value AWS documents as "everyone" there, and the input that narrows it (when set,
    to an organization, the grant is not public)."""

    what: str
    path: str
    everyone: str
    narrowed_by: str | None = None
    source: str = ""


_RDS_ALL = "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ModifyDBSnapshotAttribute.html"
_LAUNCH = "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_LaunchPermission.html"
#: Type -> who it is shared with (review s10 #3): each value below is the one the API reference names as
#: everyone. `all` of a snapshot "make[s] the manual DB snapshot public ... copied or restored by all AWS
#: accounts"; EventBridge PutPermission: "Specify "*" to permit any account to put events" unless a Condition
#: names an organization; ModifyVpcEndpointServicePermissions: "To grant permissions to all principals, specify
#: an asterisk (*) ... the service is public"; LaunchPermission `Group`: `all`; SSM ModifyDocumentPermission
#: `AccountIdsToAdd` "all" makes a document public.
SHARE_INPUTS: dict[str, Share] = {
    LAYER_PERMISSION: Share("layer version", "principal", "*", "organizationId", "Lambda AddLayerVersionPermission"),
    EVENT_PERMISSION: Share(
        "event bus",
        "principal",
        "*",
        "condition",
        "https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutPermission.html",
    ),
    "aws:ec2/vpcEndpointServiceAllowedPrinciple:VpcEndpointServiceAllowedPrinciple": Share(
        "endpoint service",
        "principalArn",
        "*",
        None,
        "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ModifyVpcEndpointServicePermissions.html",
    ),
    "aws:ec2/vpcEndpointService:VpcEndpointService": Share(
        "endpoint service",
        "allowedPrincipals",
        "*",
        None,
        "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ModifyVpcEndpointServicePermissions.html",
    ),
    "aws:rds/snapshot:Snapshot": Share("snapshot", "sharedAccounts", "all", None, _RDS_ALL),
    "aws:rds/snapshotCopy:SnapshotCopy": Share("snapshot", "sharedAccounts", "all", None, _RDS_ALL),
    "aws:rds/clusterSnapshot:ClusterSnapshot": Share("snapshot", "sharedAccounts", "all", None, _RDS_ALL),
    "aws:rds/clusterSnapshotCopy:ClusterSnapshotCopy": Share("snapshot", "sharedAccounts", "all", None, _RDS_ALL),
    "aws:ec2/amiLaunchPermission:AmiLaunchPermission": Share("image", "group", "all", None, _LAUNCH),
    "aws:imagebuilder/distributionConfiguration:DistributionConfiguration": Share(
        "distributed image",
        "distributions.amiDistributionConfiguration.launchPermission.userGroups",
        "all",
        None,
        _LAUNCH,
    ),
    "aws:ssm/document:Document": Share(
        "document",
        "permissions.account_ids",  # a map the provider reads by its snake_case keys (pulumi-aws ssm Document)
        "all",
        None,
        "https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_ModifyDocumentPermission.html",
    ),
}
#: Grantee inputs (policies.grant_inputs) that name one member and cannot mean everyone, by why: no rule has to
#: look for a "*" there. tests/policies/test_grant_inputs.py requires every grantee input of the SDK to be here,
#: in SHARE_INPUTS or read by a rule that names its type.
_MEMBER = "names one principal, account or service by ARN or id (the API takes no wildcard for everyone)"
_TASK_GROUP = "an ECS task group name, not a grantee"
_IAM_GROUP = "an IAM group name (membership or attachment), not a grant to others"
NAMED_GRANTEES: dict[str, str] = {
    "aws:accountaccess/entitlement:Entitlement": _MEMBER,
    "aws:acmpca/permission:Permission": "the principal is acm.amazonaws.com, the only one the API accepts",
    "aws:bedrock/agentcoreGatewayRule:AgentcoreGatewayRule": "principals a gateway rule matches, not a grant",
    "aws:cloudwatch/eventTarget:EventTarget": _TASK_GROUP,
    "aws:datasync/locationHdfs:LocationHdfs": "the Kerberos principal DataSync authenticates as, not a grant",
    "aws:datazone/policyGrant:PolicyGrant": _MEMBER,
    "aws:ecr/pullTimeUpdateExclusion:PullTimeUpdateExclusion": "a principal excluded from pull-time updates",
    "aws:eks/accessEntry:AccessEntry": _MEMBER,
    "aws:eks/accessPolicyAssociation:AccessPolicyAssociation": _MEMBER,
    "aws:globalaccelerator/crossAccountAttachment:CrossAccountAttachment": _MEMBER,
    "aws:glue/catalog:Catalog": "Lake Formation default grants to a named principal or IAM_ALLOWED_PRINCIPALS",
    "aws:glue/catalogDatabase:CatalogDatabase": "Lake Formation default grants to a named principal",
    "aws:iam/groupMembership:GroupMembership": _IAM_GROUP,
    "aws:iam/groupPolicy:GroupPolicy": _IAM_GROUP,
    "aws:iam/groupPolicyAttachment:GroupPolicyAttachment": _IAM_GROUP,
    "aws:iot/thingPrincipalAttachment:ThingPrincipalAttachment": "a certificate attached to a thing, not a grant",
    "aws:kms/grant:Grant": _MEMBER,
    "aws:lakeformation/dataLakeSettings:DataLakeSettings": "Lake Formation default grants to a named principal",
    "aws:lakeformation/optIn:OptIn": _MEMBER,
    "aws:lakeformation/permissions:Permissions": _MEMBER,
    "aws:lambda/permission:Permission": "judged by lambda-permission rules (policies/rules/lambda_functions.py)",
    "aws:licensemanager/licenseGrant:LicenseGrant": _MEMBER,
    "aws:lightsail/containerService:ContainerService": "the role Lightsail pulls images as, not a grant",
    "aws:organizations/awsServiceAccess:AwsServiceAccess": "a service principal trusted by the organization",
    "aws:organizations/delegatedAdministrator:DelegatedAdministrator": "a service principal",
    "aws:organizations/organization:Organization": "service principals trusted by the organization",
    "aws:pipes/pipe:Pipe": _TASK_GROUP,
    "aws:quicksight/analysis:Analysis": _MEMBER,
    "aws:quicksight/dashboard:Dashboard": _MEMBER,
    "aws:quicksight/dataSet:DataSet": _MEMBER,
    "aws:quicksight/dataSource:DataSource": _MEMBER,
    "aws:quicksight/folder:Folder": _MEMBER,
    "aws:quicksight/template:Template": _MEMBER,
    "aws:quicksight/theme:Theme": _MEMBER,
    "aws:ram/principalAssociation:PrincipalAssociation": _MEMBER,
    "aws:ram/resourceShare:ResourceShare": "a switch for principals outside the organization, each named apart",
    "aws:ram/resourceShareAssociationsExclusive:ResourceShareAssociationsExclusive": _MEMBER,
    "aws:scheduler/schedule:Schedule": _TASK_GROUP,
    "aws:securitylake/customLogSource:CustomLogSource": _MEMBER,
    "aws:securitylake/subscriber:Subscriber": _MEMBER,
    "aws:servicecatalog/portfolioShare:PortfolioShare": _MEMBER,
    "aws:servicecatalog/principalPortfolioAssociation:PrincipalPortfolioAssociation": _MEMBER,
    "aws:signer/signingProfilePermission:SigningProfilePermission": _MEMBER,
    "aws:sns/platformApplication:PlatformApplication": "the push platform's credential, not a grantee",
    "aws:ssoadmin/accountAssignment:AccountAssignment": _MEMBER,
    "aws:ssoadmin/applicationAssignment:ApplicationAssignment": _MEMBER,
    "aws:verifiedpermissions/policy:Policy": "a Cedar policy's principal, judged by Verified Permissions",
}
#: The top-level grantee inputs the rule judges, for iam-document-unknown (an unknown one cannot be judged).
SHARE_KEYS: dict[str, str] = {t: share.path for t, share in SHARE_INPUTS.items() if "." not in share.path}
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


def _everyone(values: list[Any], everyone: str) -> bool:
    """Whether a grantee value (one or many) holds the API's "everyone" word (`all` compared without case, as
    the APIs take `all`/`All`)."""
    return any(isinstance(v, str) and v.strip().lower() == everyone for v in values)


def _validate_share(args: ResourceValidationArgs, share: Share, report_violation: ReportViolation) -> None:
    pending = Pending()
    values = pending.read(lambda: list(values_at(args.props, share.path)), [])
    # what narrows the grant is always read (it decides), but its being unknown matters only beside "everyone":
    # an unknown condition next to a named principal is no open question
    narrowing, by = Pending(), share.narrowed_by
    narrowed = by is not None and narrowing.read(lambda: is_set(get(args.props, by)), True)
    if _everyone(values, share.everyone):
        if narrowing.first is not None:
            pending.note(narrowing.first)
        elif not narrowed:
            report_violation(
                f"{args.name}: the {share.what} is shared with every AWS account ({share.path} '{share.everyone}').",
                None,
            )
    pending.settle()


def _validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    share = SHARE_INPUTS.get(args.resource_type)
    if share is not None:
        _validate_share(args, share, report_violation)
        return
    pending = Pending()
    reads_allowed = not args.resource_type.startswith(_NO_PUBLIC_READS)
    document = pending.read(lambda: get(args.props, *POLICY_INPUTS[args.resource_type].split(".")))
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
        "function), DynamoDB, Kinesis, AgentCore, S3 Vectors, EFS, Backup, CodeArtifact, Glacier, S3 Tables or "
        "Schemas policy lets everyone act on the resource, and no permission or share (EventBridge, endpoint "
        "service, RDS snapshot, AMI, SSM document) is granted to every AWS account."
    ),
    explanation=(
        "Principal '*' without a condition naming the caller lets every AWS account send to the queue, publish "
        "to the topic, push images, read the secret or use the layer. Fix: name the principals (account or role "
        "ARNs, service principals), or narrow with StringEquals/ArnLike on aws:SourceArn, aws:SourceAccount or "
        "aws:PrincipalOrgID; share a layer with organization_id, an EventBridge permission with a condition on "
        "aws:PrincipalOrgID, and snapshots, images, endpoint services and documents with named account ids."
    ),
    principles=("P140", "P186", "P187"),
    severity=Severity.CRITICAL,
    category=Category.SECURITY,
    kind=Kind.RESOURCE,
    validate=_validate,
    resource_types=(*POLICY_DOCUMENT_TYPES, *SHARE_INPUTS),
)

POLICIES: list[PolicySpec] = [NOT_PUBLIC]
