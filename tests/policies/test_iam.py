"""IAM least privilege: wildcards, admin policies, PassRole, Bedrock invoke scope, conditioned trust."""
# ruff: noqa: E501  (the embedded Pulumi programs keep one resource per line)

from __future__ import annotations

import pytest

from preflight.graph import ResourceGraph
from tests.policies.conftest import flagged, synth

PROGRAM = """
def doc(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})

def allow(actions, resources, **extra):
    return {"Effect": "Allow", "Action": actions, "Resource": resources, **extra}

lambda_trust = doc({"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"})
bedrock_trust_ok = doc({"Effect": "Allow", "Principal": {"Service": "bedrock.amazonaws.com"},
    "Action": "sts:AssumeRole", "Condition": {"StringEquals": {"aws:SourceAccount": "123456789012"},
                                              "ArnLike": {"aws:SourceArn": "arn:aws:bedrock:us-east-1:123456789012:agent/*"}}})
bedrock_trust_bad = doc({"Effect": "Allow", "Principal": {"Service": "bedrock.amazonaws.com"}, "Action": "sts:AssumeRole"})
states_trust_bad = doc({"Effect": "Allow", "Principal": {"Service": ["states.amazonaws.com"]}, "Action": "sts:AssumeRole"})

good = aws.iam.Role("good_role", assume_role_policy=lambda_trust, inline_policies=[{"name": "read",
    "policy": doc(allow(["dynamodb:GetItem", "dynamodb:PutItem"], "arn:aws:dynamodb:us-east-1:123456789012:table/t"),
                  allow(["xray:PutTraceSegments", "xray:PutTelemetryRecords"], "*"),
                  allow("bedrock:InvokeModel", ["arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-micro-v1:0",
                        "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.amazon.nova-micro-v1:0"]),
                  allow("iam:PassRole", "arn:aws:iam::123456789012:role/step",
                        Condition={"StringEquals": {"iam:PassedToService": "states.amazonaws.com"}}),
                  allow("s3:ListAllMyBuckets", "*"))}])
aws.iam.Role("good_agent_role", assume_role_policy=bedrock_trust_ok)
aws.iam.Role("bad_agent_role", assume_role_policy=bedrock_trust_bad)
aws.iam.Role("bad_states_role", assume_role_policy=states_trust_bad)
aws.iam.Role("bad_admin_role", assume_role_policy=lambda_trust,
    managed_policy_arns=["arn:aws:iam::aws:policy/AdministratorAccess"])
aws.iam.Role("bad_inline_star", assume_role_policy=lambda_trust,
    inline_policies=[{"name": "all", "policy": doc(allow("*", "*"))}])
aws.iam.RolePolicyAttachment("bad_power_user", role=good.name, policy_arn="arn:aws:iam::aws:policy/PowerUserAccess")
aws.iam.RolePolicyAttachment("basic_execution_attachment", role=good.name,
    policy_arn="arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole")
aws.iam.RolePolicy("bad_service_star", role=good.id, policy=doc(allow("s3:*", "arn:aws:s3:::b/*")))
aws.iam.RolePolicy("bad_not_action", role=good.id, policy=doc({"Effect": "Allow", "NotAction": "iam:*",
                                                                 "Resource": "*"}))
aws.iam.Policy("bad_write_star", policy=doc(allow(["sqs:SendMessage", "sqs:GetQueueUrl"], "*")))
aws.iam.Policy("bad_passrole", policy=doc(allow("iam:PassRole", "*")))
aws.iam.RolePolicy("bad_bedrock_star", role=good.id, policy=doc(allow(["bedrock:InvokeModel",
    "bedrock:InvokeModelWithResponseStream"], "*")))
aws.iam.RolePolicy("bad_bedrock_any_model", role=good.id, policy=doc(allow("bedrock:InvokeModel",
    "arn:aws:bedrock:us-east-1::foundation-model/*")))
aws.iam.Policy("good_deny_star", policy=doc({"Effect": "Deny", "Action": "*", "Resource": "*"}))
aws.iam.RolePolicy("bad_data_read", role=good.id, policy=doc(allow(["secretsmanager:GetSecretValue", "ec2:DescribeInstances"], "*")))
aws.iam.RolePolicy("bad_metadata_read", role=good.id, policy=doc(allow("lambda:GetFunction", "*")))
# review s10 #6: a name part with no letter or digit (after the SAR's resource-type prefix) matches every name
aws.iam.RolePolicy("bad_every_secret", role=good.id, policy=doc(allow("secretsmanager:GetSecretValue",
    "arn:aws:secretsmanager:us-east-1:123456789012:secret:*-*")))
aws.iam.RolePolicy("bad_every_app_load_balancer", role=good.id, policy=doc(allow("elasticloadbalancing:DeleteLoadBalancer",
    "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/*")))
# review s10 #12: ABAC, a wildcard narrowed by aws:ResourceTag where the SAR lists the key for every action's type
INSTANCES = "arn:aws:ec2:us-east-1:123456789012:instance/*"
aws.iam.RolePolicy("good_abac_instances", role=good.id, policy=doc(allow(["ec2:StartInstances", "ec2:StopInstances"],
    INSTANCES, Condition={"StringEquals": {"aws:ResourceTag/Environment": "prod"}})))
aws.iam.RolePolicy("good_abac_star_principal_tag", role=good.id, policy=doc(allow(["ec2:startInstances", "ec2:stopInstances"],
    "*", Condition={"StringEquals": {"aws:ResourceTag/CostCenter": "${aws:PrincipalTag/CostCenter}"}})))
aws.iam.RolePolicy("bad_abac_1_like_star", role=good.id, policy=doc(allow("ec2:StopInstances", INSTANCES,
    Condition={"StringLike": {"aws:ResourceTag/Environment": "*"}})))
aws.iam.RolePolicy("bad_abac_2_if_exists", role=good.id, policy=doc(allow("ec2:StopInstances", INSTANCES,
    Condition={"StringEqualsIfExists": {"aws:ResourceTag/Environment": "prod"}})))
aws.iam.RolePolicy("bad_abac_3_for_all_values", role=good.id, policy=doc(allow("ec2:StopInstances", INSTANCES,
    Condition={"ForAllValues:StringEquals": {"aws:ResourceTag/Environment": ["prod"]}})))
aws.iam.RolePolicy("bad_abac_4_type_without_tags", role=good.id, policy=doc(allow("states:UpdateMapRun",
    "arn:aws:states:us-east-1:123456789012:mapRun:*", Condition={"StringEquals": {"aws:ResourceTag/Environment": "prod"}})))
aws.iam.RolePolicy("bad_abac_5_negated", role=good.id, policy=doc(allow("ec2:StopInstances", INSTANCES,
    Condition={"StringNotEquals": {"aws:ResourceTag/Environment": "dev"}})))
# review2 s10 #4: the resource's own tag (or the request's) as the value holds for every tagged resource
aws.iam.RolePolicy("bad_abac_6_own_tag", role=good.id, policy=doc(allow(["ec2:TerminateInstances"], "*",
    Condition={"StringEquals": {"aws:ResourceTag/team": "${aws:ResourceTag/team}"}})))
aws.iam.RolePolicy("bad_abac_7_request_tag", role=good.id, policy=doc(allow("ec2:StopInstances", INSTANCES,
    Condition={"StringEquals": {"aws:ResourceTag/team": "${aws:RequestTag/team}"}})))
# review2 s10 #6: ABAC does not scope Permissions management (nor Tagging) actions on *
aws.iam.RolePolicy("bad_abac_8_permissions_management", role=good.id, policy=doc(allow(["iam:AttachRolePolicy",
    "iam:PutRolePolicy", "iam:UpdateAssumeRolePolicy"], "*", Condition={"StringEquals": {"aws:ResourceTag/team": "a"}})))
aws.iam.RolePolicy("bad_abac_9_resource_policies", role=good.id, policy=doc(allow(["kms:PutKeyPolicy",
    "secretsmanager:PutResourcePolicy", "s3:PutBucketPolicy", "lambda:AddPermission"], "*",
    Condition={"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}})))
aws.iam.RolePolicy("bad_abac_10_tagging", role=good.id, policy=doc(allow("ec2:CreateTags", INSTANCES,
    Condition={"StringEquals": {"aws:ResourceTag/team": "a"}})))
aws.iam.RolePolicy("good_secret_prefix", role=good.id, policy=doc(allow("secretsmanager:GetSecretValue",
    "arn:aws:secretsmanager:us-east-1:123456789012:secret:app/db-*")))
"""

CASES = [
    (
        "iam-no-wildcard-action",
        {"bad_inline_star", "bad_service_star", "bad_not_action", "bad_admin_role", "bad_power_user"},
        {"good_role", "good_deny_star"},
    ),
    # AWSLambdaBasicExecutionRole is no admin policy, but its logs writes on "*" are judged as the same statement inline
    # (review s10 #1: attached AWS managed policies are judged by their statements, policies/managed_broad.json)
    (
        "iam-no-admin-managed-policies",
        {"bad_admin_role", "bad_power_user"},
        {"good_role", "basic_execution_attachment"},
    ),
    (
        "iam-no-wildcard-resource-for-writes",
        {
            "bad_inline_star",
            "bad_not_action",
            "bad_write_star",
            "bad_passrole",
            "bad_every_app_load_balancer",
            "bad_abac_1_like_star",
            "bad_abac_2_if_exists",
            "bad_abac_3_for_all_values",
            "bad_abac_4_type_without_tags",
            "bad_abac_5_negated",
            "bad_abac_6_own_tag",
            "bad_abac_7_request_tag",
            "bad_abac_8_permissions_management",
            "bad_abac_9_resource_policies",
            "bad_abac_10_tagging",
            "bad_admin_role",
            "bad_power_user",
            "basic_execution_attachment",
        },
        # bedrock:InvokeModel is a Read in the Service Authorization Reference: iam-bedrock-invoke-scoped judges it
        {
            "good_role",
            "good_deny_star",
            "bad_bedrock_star",
            "bad_bedrock_any_model",
            "good_abac_instances",
            "good_abac_star_principal_tag",
        },
    ),
    ("iam-passrole-scoped", {"bad_passrole", "bad_inline_star", "bad_admin_role"}, {"good_role", "bad_not_action"}),
    (
        "iam-bedrock-invoke-scoped",
        # AdministratorAccess and PowerUserAccess allow bedrock:InvokeModel* on "*" too (review 5 #11: attached AWS
        # managed policies are judged by their statements, policies/managed_model_access.json)
        {
            "bad_bedrock_star",
            "bad_bedrock_any_model",
            "bad_inline_star",
            "bad_not_action",
            "bad_admin_role",
            "bad_power_user",
        },
        {"good_role"},
    ),
    ("iam-service-trust-conditioned", {"bad_agent_role", "bad_states_role"}, {"good_agent_role", "good_role"}),
    # F18: reads on "*" only for actions the SAR lists without a resource type (sqs:GetQueueUrl takes a queue).
    (
        "iam-no-data-read-on-wildcard",
        {"bad_data_read", "bad_every_secret"},
        {"good_role", "bad_metadata_read", "bad_bedrock_star", "good_secret_prefix"},
    ),
    (
        "iam-reads-scoped",
        {"bad_metadata_read", "bad_write_star", "bad_power_user"},
        {"good_role", "bad_data_read", "bad_bedrock_star"},
    ),
]


@pytest.fixture(scope="module")
def graph(tmp_path_factory: pytest.TempPathFactory) -> ResourceGraph:
    return synth(tmp_path_factory.mktemp("iam"), PROGRAM)


@pytest.mark.parametrize(("policy", "bad", "good"), CASES, ids=[c[0] for c in CASES])
def test_policy(graph: ResourceGraph, policy: str, bad: set[str], good: set[str]) -> None:
    found = flagged(graph, policy)
    assert found == bad, f"{policy}: flagged {sorted(found)}, expected {sorted(bad)}"
    assert not good & found


def test_get_policy_document_output_is_parsed(tmp_path_factory: pytest.TempPathFactory) -> None:
    graph = synth(
        tmp_path_factory.mktemp("iamdoc"),
        """
        document = aws.iam.get_policy_document(statements=[{"actions": ["*"], "resources": ["*"]}])
        aws.iam.Policy("bad_from_data_source", policy=document.json)
        """,
    )
    assert flagged(graph, "iam-no-wildcard-action") == {"bad_from_data_source"}


def test_get_policy_document_dict_statements_keep_their_python_keys(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Review s10 #2 (gpdnot, gpdnotprincipal): dict statements spelt as the SDK's ...ArgsDict (`not_actions`,
    `not_principals`) are judged like the typed Args form, not rendered without them."""
    graph = synth(
        tmp_path_factory.mktemp("iamdocsnake"),
        """
        snake = aws.iam.get_policy_document(statements=[
            {"effect": "Allow", "not_actions": ["iam:DeleteAccountPasswordPolicy"], "resources": ["*"]}])
        aws.iam.Policy("bad1_not_actions_dict", policy=snake.json)
        typed = aws.iam.get_policy_document(statements=[aws.iam.GetPolicyDocumentStatementArgs(
            effect="Allow", not_actions=["iam:DeleteRole"], resources=["*"])])
        aws.iam.Policy("bad2_not_actions_typed", policy=typed.json)
        everyone_but = aws.iam.get_policy_document(statements=[{"effect": "Allow", "actions": ["sts:AssumeRole"],
            "not_principals": [{"type": "AWS", "identifiers": ["arn:aws:iam::123456789012:role/blocked"]}]}])
        aws.iam.Role("bad3_not_principals_dict", assume_role_policy=everyone_but.json)
        exact = aws.iam.get_policy_document(statements=[{"effect": "Allow", "actions": ["s3:GetObject"],
            "resources": ["arn:aws:s3:::b/*"]}])
        aws.iam.Policy("good_exact", policy=exact.json)
        """,
    )
    assert flagged(graph, "iam-no-wildcard-action") == {"bad1_not_actions_dict", "bad2_not_actions_typed"}
    assert flagged(graph, "iam-trust-not-public") == {"bad3_not_principals_dict"}


def test_wildcards_aws_requires_are_not_flagged(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Lambda@Edge's `lambda:EnableReplication*` is written so by AWS's own page; a look-alike still fails."""
    graph = synth(
        tmp_path_factory.mktemp("iamedge"),
        """
        def doc(*statements):
            return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})

        def allow(actions, resources):
            return {"Effect": "Allow", "Action": actions, "Resource": resources}

        version = "arn:aws:lambda:us-east-1:123456789012:function:edge:3"
        aws.iam.Policy("good_edge_replication", policy=doc(allow(
            ["lambda:EnableReplication*", "lambda:DisableReplication*", "lambda:GetFunction"], version)))
        aws.iam.Policy("bad1_edge_lookalike", policy=doc(allow("lambda:Enable*", version)))
        aws.iam.Policy("bad2_edge_beside_required", policy=doc(allow(
            ["lambda:EnableReplication*", "lambda:Update*"], version)))
        """,
    )
    assert flagged(graph, "iam-no-wildcard-action") == {"bad1_edge_lookalike", "bad2_edge_beside_required"}


@pytest.mark.parametrize(
    ("key", "value", "narrows"),
    [
        # Compliance: ABAC's documented pattern and a literal value
        ("aws:ResourceTag/team", "${aws:PrincipalTag/team}", True),
        ("aws:ResourceTag/team", "a", True),
        # Noncompliance 1-4 (review2 s10 #4): the resource's own tag, another of its tags, the request's tag
        ("aws:ResourceTag/team", "${aws:ResourceTag/team}", False),
        ("aws:ResourceTag/team", "${aws:ResourceTag/owner}", False),
        ("aws:ResourceTag/team", "${aws:RequestTag/team}", False),
        ("aws:ResourceTag/team", "${s3:ResourceTag/team}", False),
    ],
)
def test_a_tag_compared_with_the_resource_or_request_does_not_narrow(key: str, value: str, narrows: bool) -> None:
    from iamlang.conditions import value_narrows  # noqa: PLC0415

    assert value_narrows("StringEquals", key, value) is narrows


@pytest.mark.parametrize(
    ("action", "scoped"),
    [
        ("ec2:StopInstances", True),  # Compliance: a Write
        # Noncompliance 1-3 (review2 s10 #6): Permissions management and Tagging
        ("iam:AttachRolePolicy", False),
        ("kms:PutKeyPolicy", False),
        ("ec2:CreateTags", False),
    ],
)
def test_abac_scopes_no_permissions_management_or_tagging(action: str, scoped: bool) -> None:
    from policies.rules.iam import tag_scoped  # noqa: PLC0415

    instances = "arn:aws:ec2:us-east-1:123456789012:instance/*"
    resources = ("*",) if not action.startswith("ec2:") else (instances,)
    assert tag_scoped(action, resources, ["aws:resourcetag/team"]) is scoped
