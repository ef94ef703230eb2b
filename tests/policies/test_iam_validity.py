"""IAM documents against the Service Authorization Reference: actions exist, unscopable actions on '*',
resources of the actions' types, valid condition keys; over identity, trust, key, bucket, queue and topic
policies, with `Statement` as an object or a list and `Action` as a string or a list, in any case."""
# ruff: noqa: E501  (the embedded Pulumi programs keep one resource per line)

from __future__ import annotations

import pytest

from policies.documents import DOCUMENT_INPUTS
from policies.sdk import output_names
from preflight.graph import ResourceGraph
from tests.policies.conftest import flagged, run_one, synth

PROGRAM = """
ACCOUNT = "123456789012"
BUCKET = "arn:aws:s3:::docs-bucket"
TABLE = "arn:aws:dynamodb:us-east-1:123456789012:table/t"

def doc(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})

def allow(actions, resources, **extra):
    return {"Effect": "Allow", "Action": actions, "Resource": resources, **extra}

def deny(actions, resources, **extra):
    return {"Effect": "Deny", "Action": actions, "Resource": resources, **extra}

lambda_trust = doc({"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"})
github_trust = doc({"Effect": "Allow",
    "Principal": {"Federated": "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"},
    "Action": ["sts:AssumeRoleWithWebIdentity", "sts:TagSession"],
    "Condition": {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
                  "StringLike": {"token.actions.githubusercontent.com:sub": "repo:o/r:*"}}})

# ---- compliance
good = aws.iam.Role("good_role", assume_role_policy=lambda_trust, inline_policies=[{"name": "app", "policy": doc(
    allow(["dynamodb:GetItem", "DynamoDB:putitem"], TABLE),
    allow("dynamodb:Query", [TABLE, TABLE + "/index/*"], Condition={"ForAllValues:StringEquals": {"dynamodb:LeadingKeys": ["u"]}}),
    allow(["xray:PutTraceSegments", "xray:PutTelemetryRecords", "cloudwatch:PutMetricData"], "*"),
    allow("s3:ListBucket", BUCKET), allow(["s3:GetObject", "s3:PutObject"], BUCKET + "/*"),
    allow("s3:Get*", [BUCKET, BUCKET + "/*"]),
    allow("kms:Decrypt", "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
          Condition={"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com", "aws:SourceAccount": ACCOUNT}}),
    allow(["bedrock:CreateAgent", "cognito-idp:CreateUserPool"], "*", Condition={"StringEquals": {"aws:RequestTag/stack": "dev"}}),
    allow("logs:PutLogEvents", "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/fn:log-stream:*"),
    allow("cloudwatch:PutDashboard", "arn:aws:cloudwatch::123456789012:dashboard/d"),
    allow("s3vectors:QueryVectors", "arn:aws:s3vectors:us-east-1:123456789012:bucket/vb/index/i"),
    allow("events:PutEvents", "arn:aws:events:us-east-1:123456789012:event-bus/b"),
    allow("s3:GetObject", "arn:aws:s3:::docs-bucket/${aws:username}/*", Condition={"StringEqualsIfExists": {"s3:NotAKey": "x"}, "Null": {"s3:AlsoNotAKey": "true"}}),
)}])
aws.iam.Role("good_github_role", assume_role_policy=github_trust)
aws.iam.Policy("good_statement_object", policy=json.dumps({"Version": "2012-10-17",
    "Statement": {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "arn:aws:sqs:us-east-1:123456789012:q"}}))
aws.iam.Policy("good_deny_all", policy=doc(deny("*", "*"), {"Effect": "Deny", "NotAction": "s3:*", "NotResource": BUCKET}))
aws.kms.Key("good_key", policy=doc({"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "kms:*", "Resource": "*"},
    {"Effect": "Allow", "Principal": {"Service": "logs.us-east-1.amazonaws.com"}, "Action": ["kms:Encrypt*", "kms:Decrypt*", "kms:GenerateDataKey*"], "Resource": "*",
     "Condition": {"ArnLike": {"kms:EncryptionContext:aws:logs:arn": "arn:aws:logs:us-east-1:123456789012:log-group:*"}}}))
aws.s3.BucketPolicy("good_bucket_policy", bucket="docs-bucket", policy=doc(
    {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": [BUCKET, BUCKET + "/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}}))
aws.sqs.QueuePolicy("good_queue_policy", queue_url="https://sqs.us-east-1.amazonaws.com/123456789012/q", policy=doc(
    {"Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"}, "Action": "sqs:SendMessage", "Resource": "arn:aws:sqs:us-east-1:123456789012:q",
     "Condition": {"ArnEquals": {"aws:SourceArn": "arn:aws:events:us-east-1:123456789012:rule/b/r"}}}))
aws.sns.TopicPolicy("good_topic_policy", arn="arn:aws:sns:us-east-1:123456789012:t", policy=doc(
    {"Effect": "Allow", "Principal": {"Service": "budgets.amazonaws.com"}, "Action": "SNS:Publish", "Resource": "arn:aws:sns:us-east-1:123456789012:t",
     "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}}}))

# ---- iam-action-exists, noncompliance 1..8
aws.iam.RolePolicy("bad_action_1_typo", role=good.id, policy=doc(allow("s3:GetObjects", BUCKET + "/*")))
aws.iam.Policy("bad_action_2_service", policy=json.dumps({"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s4:GetObject", "Resource": "*"}}))
aws.s3.BucketPolicy("bad_action_3_wildcard", bucket="docs-bucket", policy=doc(
    {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "s3:Gett*", "Resource": BUCKET + "/*"}))
aws.iam.Role("bad_action_4_trust", assume_role_policy=doc({"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRoles"}))
aws.kms.Key("bad_action_5_key", policy=doc({"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": ["kms:Decrypts"], "Resource": "*"}))
aws.iam.Policy("bad_action_6_not_action", policy=doc({"Effect": "Deny", "NotAction": ["iam:Nope"], "Resource": "*"}))
aws.iam.Policy("bad_action_7_no_action", policy=doc({"Effect": "Allow", "Resource": "*"}))  # review s10 #2: IAM rejects it
aws.sqs.QueuePolicy("bad_action_8_empty_action", queue_url="https://sqs.us-east-1.amazonaws.com/123456789012/q", policy=doc(
    {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": [], "Resource": "arn:aws:sqs:us-east-1:123456789012:q"}))

# ---- iam-unscopable-action-on-star, noncompliance 1..6
aws.iam.RolePolicy("bad_star_1_agent", role=good.id, policy=doc(allow("bedrock:CreateAgent", "arn:aws:bedrock:us-east-1:123456789012:agent/*")))
aws.iam.RolePolicy("bad_star_2_user_pool", role=good.id, policy=doc(allow(["cognito-idp:CreateUserPool"], "arn:aws:cognito-idp:us-east-1:123456789012:userpool/*")))
aws.iam.RolePolicy("bad_star_3_optional_unnamed", role=good.id, policy=doc(allow("events:PutEvents", "arn:aws:logs:us-east-1:123456789012:event-bus/b")))
aws.iam.Policy("bad_star_4_deny", policy=doc(deny("xray:PutTraceSegments", "arn:aws:xray:us-east-1:123456789012:*")))
aws.iam.RolePolicy("bad_star_5_list_objects", role=good.id, policy=doc(allow("s3:ListBucket", BUCKET + "/*")))  # bucket: optional in the SAR
aws.iam.RolePolicy("bad_star_6_get_bucket", role=good.id, policy=doc(allow("s3:GetObject", BUCKET)))

# ---- iam-resource-matches-action, noncompliance 1..6
aws.iam.RolePolicy("bad_res_1_table_for_queue", role=good.id, policy=doc(allow("sqs:SendMessage", TABLE)))
aws.iam.RolePolicy("bad_res_2_function_as_layer", role=good.id, policy=doc(allow(["lambda:InvokeFunction"], "arn:aws:lambda:us-east-1:123456789012:layer:fn")))
aws.iam.RolePolicy("bad_res_3_regional_dashboard", role=good.id, policy=doc(allow("cloudwatch:PutDashboard", "arn:aws:cloudwatch:us-east-1:123456789012:dashboard/d")))
aws.iam.RolePolicy("bad_res_4_vectors_as_s3", role=good.id, policy=doc(allow("s3vectors:QueryVectors", "arn:aws:s3:::vb")))
aws.iam.RolePolicy("bad_res_5_dead_resource", role=good.id, policy=doc(allow("dynamodb:GetItem", [TABLE, "arn:aws:sqs:us-east-1:123456789012:q"])))
aws.iam.RolePolicy("bad_res_6_dead_wildcard", role=good.id, policy=doc(allow("s3:Get*", TABLE)))

# ---- iam-condition-key-valid, noncompliance 1..4
aws.iam.RolePolicy("bad_cond_1_unknown_key", role=good.id, policy=doc(allow("s3:GetObject", BUCKET + "/*", Condition={"StringEquals": {"s3:NoSuchKey": "x"}})))
aws.iam.RolePolicy("bad_cond_2_no_resource_tags", role=good.id, policy=doc(allow("xray:PutTraceSegments", "*", Condition={"StringEquals": {"aws:ResourceTag/stack": "dev"}})))
aws.iam.Role("bad_cond_3_trust_wrong_action", assume_role_policy=doc({"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
    "Action": "sts:AssumeRole", "Condition": {"StringLike": {"token.actions.githubusercontent.com:sub": "repo:o/r:*"}}}))
aws.sqs.QueuePolicy("bad_cond_4_queue", queue_url="https://sqs.us-east-1.amazonaws.com/123456789012/q", policy=doc(
    {"Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"}, "Action": "sqs:SendMessage", "Resource": "arn:aws:sqs:us-east-1:123456789012:q",
     "Condition": {"ArnEquals": {"sqs:SourceArn": "arn:aws:sns:us-east-1:123456789012:t"}}}))
"""

GOOD = {
    "good_role",
    "good_github_role",
    "good_statement_object",
    "good_deny_all",
    "good_key",
    "good_bucket_policy",
    "good_queue_policy",
    "good_topic_policy",
}

CASES = [
    (
        "iam-action-exists",
        {
            "bad_action_1_typo",
            "bad_action_2_service",
            "bad_action_3_wildcard",
            "bad_action_4_trust",
            "bad_action_5_key",
            "bad_action_6_not_action",
            "bad_action_7_no_action",
            "bad_action_8_empty_action",
        },
    ),
    (
        "iam-unscopable-action-on-star",
        {
            "bad_star_1_agent",
            "bad_star_2_user_pool",
            "bad_star_3_optional_unnamed",
            "bad_star_4_deny",
            "bad_star_5_list_objects",
            "bad_star_6_get_bucket",
        },
    ),
    (
        "iam-resource-matches-action",
        {
            "bad_res_1_table_for_queue",
            "bad_res_2_function_as_layer",
            "bad_res_3_regional_dashboard",
            "bad_res_4_vectors_as_s3",
            "bad_res_5_dead_resource",
            "bad_res_6_dead_wildcard",
        },
    ),
    (
        "iam-condition-key-valid",
        {
            "bad_cond_1_unknown_key",
            "bad_cond_2_no_resource_tags",
            "bad_cond_3_trust_wrong_action",
            "bad_cond_4_queue",
        },
    ),
]


@pytest.fixture(scope="module")
def graph(tmp_path_factory: pytest.TempPathFactory) -> ResourceGraph:
    return synth(tmp_path_factory.mktemp("iam_validity"), PROGRAM)


@pytest.mark.parametrize(("policy", "bad"), CASES, ids=[c[0] for c in CASES])
def test_flags_exactly_the_noncompliant_resources(graph: ResourceGraph, policy: str, bad: set[str]) -> None:
    found = flagged(graph, policy)
    assert found == bad
    assert not found & GOOD


def test_messages_name_the_action_and_a_fix(graph: ResourceGraph) -> None:
    by_resource = {f.resource: f.message for f in run_one(graph, "iam-action-exists")}
    assert "'s3:GetObjects' is not an AWS action (did you mean s3:GetObject?)" in by_resource["bad_action_1_typo"]
    assert "no service prefix 's4'" in by_resource["bad_action_2_service"]
    unscopable = {f.resource: f.message for f in run_one(graph, "iam-unscopable-action-on-star")}
    assert "bedrock:CreateAgent takes no resource type" in unscopable["bad_star_1_agent"]
    dashboard = [
        f.message for f in run_one(graph, "iam-resource-matches-action") if f.resource == "bad_res_3_regional_dashboard"
    ]
    assert any("arn:${Partition}:cloudwatch::${Account}:dashboard/${DashboardName}" in m for m in dashboard)


def test_every_document_input_is_one_the_sdk_declares() -> None:
    for type_token, inputs in DOCUMENT_INPUTS.items():
        names = set(output_names(type_token))
        assert names, type_token
        assert {key for _kind, key in inputs} <= names, type_token
