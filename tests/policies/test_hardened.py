"""Policies that cannot be talked around (issue 11 §4): each rule with its compliant and numbered
non-compliant cases (cdk-nag style: `ok_*` is a Compliance case, `badN_*` is Noncompliance N).

Each program is synthesised once by the real offline engine; every case is one resource in it, and a
policy must flag exactly its `bad` resources and none of its `ok` ones.
"""
# ruff: noqa: E501  (the embedded Pulumi programs keep one resource per line)

from __future__ import annotations

import json

import pytest
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from iamlang.conditions import narrows_caller
from iamlang.wildcards import is_wildcard_action, is_wildcard_resource
from policies import profile
from policies.registry import by_name
from preflight.findings import Level
from preflight.graph import ResourceGraph, ResourceNode
from preflight.policy_runner import PolicySetting, run_policies
from tests.policies.conftest import flagged, synth

PRELUDE = """
ACCOUNT = "123456789012"
def doc(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})
def allow(actions, resources, **extra):
    return {"Effect": "Allow", "Action": actions, "Resource": resources, **extra}
def public(actions, resource, condition=None):
    statement = {"Effect": "Allow", "Principal": "*", "Action": actions, "Resource": resource}
    if condition is not None:
        statement["Condition"] = condition
    return statement
def trust(principal, condition=None):
    statement = {"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}
    if condition is not None:
        statement["Condition"] = condition
    return doc(statement)
"""

PROGRAMS = {
    # Conditions narrow only when operator and value do; trust policies with '*' principals.
    "conditions": """
b = aws.s3.Bucket("data")
OBJ = "arn:aws:s3:::data/*"
aws.s3.BucketPolicy("ok_s3_policy_org", bucket=b.id, policy=doc(public("s3:GetObject", OBJ, {"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}})))
aws.s3.BucketPolicy("ok_s3_policy_deny", bucket=b.id, policy=doc({"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": OBJ}))
aws.s3.BucketPolicy("bad1_s3_policy_securetransport", bucket=b.id, policy=doc(public("s3:GetObject", OBJ, {"Bool": {"aws:SecureTransport": "true"}})))
aws.s3.BucketPolicy("bad2_s3_policy_notequals", bucket=b.id, policy=doc(public("s3:GetObject", OBJ, {"StringNotEquals": {"aws:SourceAccount": ACCOUNT}})))
aws.s3.BucketPolicy("bad3_s3_policy_like_star", bucket=b.id, policy=doc(public("s3:GetObject", OBJ, {"StringLike": {"aws:SourceArn": "*"}})))
aws.s3.BucketPolicy("bad4_s3_policy_null", bucket=b.id, policy=doc(public("s3:GetObject", OBJ, {"Null": {"aws:SourceAccount": "false"}})))
aws.s3.BucketPolicy("bad5_s3_policy_ifexists", bucket=b.id, policy=doc(public("s3:GetObject", OBJ, {"StringEqualsIfExists": {"aws:PrincipalOrgID": "o-abc123"}})))
aws.s3.BucketPolicy("bad6_s3_policy_aws_star_list", bucket=b.id, policy=doc({"Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::123456789012:root", "*"]}, "Action": "s3:GetObject", "Resource": OBJ}))

STATES = {"Service": "states.amazonaws.com"}
aws.iam.Role("ok_trust_source_account", assume_role_policy=trust(STATES, {"StringEquals": {"aws:SourceAccount": ACCOUNT}}))
aws.iam.Role("ok_trust_source_arn_like", assume_role_policy=trust(STATES, {"ArnLike": {"aws:SourceArn": "arn:aws:states:us-east-1:123456789012:stateMachine:*"}}))
aws.iam.Role("bad1_trust_notequals", assume_role_policy=trust(STATES, {"StringNotEquals": {"aws:SourceAccount": ACCOUNT}}))
aws.iam.Role("bad2_trust_like_star", assume_role_policy=trust(STATES, {"StringLike": {"aws:SourceArn": "*"}}))
aws.iam.Role("bad3_trust_null", assume_role_policy=trust(STATES, {"Null": {"aws:SourceArn": "false"}}))
aws.iam.Role("bad4_trust_ifexists", assume_role_policy=trust(STATES, {"StringEqualsIfExists": {"aws:SourceAccount": ACCOUNT}}))
aws.iam.Role("bad5_trust_other_key", assume_role_policy=trust(STATES, {"Bool": {"aws:SecureTransport": "true"}}))

aws.iam.Role("ok_public_trust_account", assume_role_policy=trust({"AWS": "arn:aws:iam::123456789012:root"}))
aws.iam.Role("ok_public_trust_org", assume_role_policy=trust("*", {"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}}))
aws.iam.Role("bad1_public_trust_star", assume_role_policy=trust("*"))
aws.iam.Role("bad2_public_trust_aws_star", assume_role_policy=trust({"AWS": "*"}))
aws.iam.Role("bad3_public_trust_in_list", assume_role_policy=trust({"AWS": ["arn:aws:iam::123456789012:root", "*"]}))
aws.iam.Role("bad4_public_trust_tls_only", assume_role_policy=trust("*", {"Bool": {"aws:SecureTransport": "true"}}))
""",
    # One definition of "wildcard": NotResource, NotAction, ARN wildcards, partial and mixed-case actions.
    "wildcards": """
TABLE = "arn:aws:dynamodb:us-east-1:123456789012:table/t"
aws.iam.Policy("ok_exact", policy=doc(allow(["dynamodb:GetItem", "dynamodb:PutItem"], TABLE), allow("s3:PutObject", "arn:aws:s3:::bucket/*")))
aws.iam.Policy("bad1_partial_action", policy=doc(allow("iam:*Policy*", "arn:aws:iam::123456789012:role/r")))
aws.iam.Policy("bad2_statement_object", policy=json.dumps({"Version": "2012-10-17", "Statement": allow("s3:*", "arn:aws:s3:::bucket/*")}))
aws.iam.Policy("bad3_upper_case", policy=doc(allow("DynamoDB:Put?tem", TABLE)))
aws.iam.Policy("bad4_not_action", policy=doc({"Effect": "Allow", "NotAction": "iam:*", "Resource": TABLE}))
aws.iam.Policy("bad5_arn_wildcard", policy=doc(allow("s3:PutObject", "arn:aws:s3:::*")))
aws.iam.Policy("bad6_not_resource", policy=doc({"Effect": "Allow", "Action": "sqs:SendMessage", "NotResource": "arn:aws:sqs:us-east-1:123456789012:q"}))
aws.iam.Policy("bad7_role_wildcard", policy=doc(allow(["iam:PassRole", "iam:UpdateRole"], "arn:aws:iam::123456789012:role/*")))
aws.iam.Policy("bad8_object_star", policy=json.dumps({"Statement": allow("sqs:DeleteQueue", "*")}))
aws.iam.Policy("bad9_lower_passrole", policy=doc(allow("iam:passrole", "*")))
aws.iam.Policy("bad10_read_families", policy=doc(allow(["ec2:Describe*", "lambda:List*", "apigateway:GET", "s3:getobject"], "*")))
aws.iam.Policy("bad11_check_family", policy=doc(allow("license-manager:Check*", "*")))
aws.iam.Policy("ok_unscopable_write", policy=doc(allow(["license-manager:CheckoutLicense", "xray:PutTraceSegments"], "*")))
aws.iam.Policy("bad14_unscopable_family", policy=doc(allow("ssmmessages:*Channel", "*")))
aws.iam.Policy("bad13_short_family", policy=doc(allow("kms:G*", "*")))
""",
    # Every statement is judged: a violation after harmless statements (a Deny, an exact Allow) is found.
    "order": """
FIRST = [{"Effect": "Deny", "Action": "*", "Resource": "*"}, allow("s3:GetObject", "arn:aws:s3:::b/*")]
aws.iam.Policy("bad1_late_wildcard_action", policy=doc(*FIRST, allow("s3:*", "arn:aws:s3:::b/*")))
aws.iam.Policy("bad2_late_write_on_star", policy=doc(*FIRST, allow("sqs:SendMessage", "*")))
aws.iam.Policy("bad3_late_passrole", policy=doc(*FIRST, allow("iam:PassRole", "arn:aws:iam::123456789012:role/*")))
aws.iam.Policy("bad4_late_bedrock", policy=doc(*FIRST, allow("bedrock:InvokeModel", "*")))
aws.iam.Policy("bad8_bedrock_not_resource", policy=doc({"Effect": "Allow", "Action": "bedrock:InvokeModel", "NotResource": "arn:aws:s3:::x"}))
STATES = {"Service": "states.amazonaws.com"}
LAMBDA = {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
DENY_STATES = {"Effect": "Deny", "Principal": STATES, "Action": "sts:AssumeRole"}
aws.iam.Role("bad5_late_trust", assume_role_policy=doc(DENY_STATES, LAMBDA, {"Effect": "Allow", "Principal": STATES, "Action": "sts:AssumeRole"}))
aws.iam.Role("bad6_late_public_trust", assume_role_policy=doc(DENY_STATES, LAMBDA, {"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"}))
# aws:PrincipalOrgID names the calling principal's org; a service principal calling has none to compare
aws.iam.Role("bad7_trust_principal_org", assume_role_policy=trust(STATES, {"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}}))
""",
    # TLS-only: a Deny of s3:* for everyone on the bucket and its objects when aws:SecureTransport is false.
    "tls": """
def tls(name, statement):
    bucket = aws.s3.Bucket(name)
    aws.s3.BucketPolicy(f"{name}-policy", bucket=bucket.id,
        policy=bucket.arn.apply(lambda arn: doc(statement(arn))))

def deny(arn, actions="s3:*", resources=None, principal="*", value="false"):
    return {"Effect": "Deny", "Principal": principal, "Action": actions, "Resource": resources or [arn, f"{arn}/*"],
            "Condition": {"Bool": {"aws:SecureTransport": value}}}

tls("ok_tls", lambda arn: deny(arn))
tls("ok_tls_list_value", lambda arn: deny(arn, value=["false"]))
tls("ok_tls_star", lambda arn: deny(arn, actions="*", resources="*"))
tls("bad1_tls_get_only", lambda arn: deny(arn, actions="s3:GetObject"))
tls("bad2_tls_objects_only", lambda arn: deny(arn, resources=[f"{arn}/*"]))
tls("bad3_tls_named_principal", lambda arn: deny(arn, principal={"AWS": "arn:aws:iam::123456789012:root"}))
tls("bad4_tls_wrong_value", lambda arn: deny(arn, value="true"))
tls("bad5_tls_allow", lambda arn: {**deny(arn), "Effect": "Allow"})
""",
    "trail": """
KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
aws.cloudtrail.Trail("ok_trail", s3_bucket_name="trail-logs", is_multi_region_trail=True, enable_log_file_validation=True, kms_key_id=KEY)
aws.cloudtrail.Trail("bad1_trail_stopped", s3_bucket_name="trail-logs", is_multi_region_trail=True, enable_log_file_validation=True, kms_key_id=KEY, enable_logging=False)
""",
    # Per-route throttling, OpenAPI bodies and quick create.
    "api": """
def http_api(name, **extra):
    return aws.apigatewayv2.Api(name, protocol_type="HTTP", **extra)

def route(api, key):
    return aws.apigatewayv2.Route(f"{api._name}-{key}", api_id=api.id, route_key=key, authorization_type="AWS_IAM")

THROTTLE = {"throttling_burst_limit": 10, "throttling_rate_limit": 5}
ok_routes = http_api("ok_per_route_throttling")
route(ok_routes, "GET /a"); route(ok_routes, "GET /b")
aws.apigatewayv2.Stage("ok_per_route_stage", api_id=ok_routes.id, name="$default",
    route_settings=[{"route_key": "GET /a", **THROTTLE}, {"route_key": "GET /b", **THROTTLE}])
ok_default = http_api("ok_default_throttling")
route(ok_default, "GET /a")
aws.apigatewayv2.Stage("ok_default_stage", api_id=ok_default.id, name="$default", default_route_settings=THROTTLE)
partial = http_api("bad1_one_route_unthrottled")
route(partial, "GET /a"); route(partial, "GET /b")
aws.apigatewayv2.Stage("bad1_stage", api_id=partial.id, name="$default", route_settings=[{"route_key": "GET /a", **THROTTLE}])
zero = http_api("bad2_zero_route_limit")
route(zero, "GET /a")
aws.apigatewayv2.Stage("bad2_stage", api_id=zero.id, name="$default", route_settings=[{"route_key": "GET /a", "throttling_burst_limit": 0, "throttling_rate_limit": 0}])

def openapi(security=None, operation_extra=None, top=None):
    operation = {"responses": {"200": {"description": "ok"}}, **(operation_extra or {})}
    if security is not None:
        operation["security"] = security
    body = {"openapi": "3.0.1", "info": {"title": "t", "version": "1"}, "paths": {"/items": {"get": operation, "options": {}}}}
    if top is not None:
        body["security"] = top
    return json.dumps(body)

aws.apigateway.RestApi("ok_body_security", body=openapi([{"authorizer": []}]))
aws.apigateway.RestApi("ok_body_iam_extension", body=openapi(operation_extra={"x-amazon-apigateway-auth": {"type": "aws_iam"}}))
aws.apigateway.RestApi("ok_body_top_level", body=openapi(top=[{"sigv4": []}]))
aws.apigateway.RestApi("bad1_body_no_security", body=openapi())
aws.apigateway.RestApi("bad2_body_optional_security", body=openapi([{}, {"authorizer": []}]))
aws.apigateway.RestApi("bad3_body_auth_none", body=openapi(operation_extra={"x-amazon-apigateway-auth": {"type": "NONE"}}))
aws.apigateway.RestApi("bad4_body_yaml", body="openapi: 3.0.1\\npaths:\\n  /items:\\n    post:\\n      responses: {}\\n")
http_api("bad5_http_body_no_security", body=openapi())
http_api("bad6_quick_create", target="arn:aws:lambda:us-east-1:123456789012:function:f")
""",
    # Failure destinations only for asynchronously invoked functions.
    "invocation": """
def fn(name, **extra):
    return aws.lambda_.Function(name, role="arn:aws:iam::123456789012:role/r", runtime="python3.12", handler="h.h",
                                code=pulumi.AssetArchive({}), **extra)

def permit(function, principal, suffix=""):
    aws.lambda_.Permission(f"{function._name}-{principal.split('.')[0]}{suffix}", action="lambda:InvokeFunction",
                           function=function.name, principal=principal)

api_only = fn("ok_api_only"); permit(api_only, "apigateway.amazonaws.com")
queue = aws.sqs.Queue("work")
polled = fn("ok_event_source_mapping")
aws.lambda_.EventSourceMapping("esm", event_source_arn=queue.arn, function_name=polled.arn)
with_dlq = fn("ok_async_with_dlq", dead_letter_config={"target_arn": queue.arn}); permit(with_dlq, "s3.amazonaws.com")
s3_async = fn("bad1_s3_invoked"); permit(s3_async, "s3.amazonaws.com")
rule = aws.cloudwatch.EventRule("rule", schedule_expression="rate(1 hour)")
scheduled = fn("bad2_event_target")
aws.cloudwatch.EventTarget("target", rule=rule.name, arn=scheduled.arn)
mixed = fn("bad3_api_and_sns"); permit(mixed, "apigateway.amazonaws.com")
topic = aws.sns.Topic("topic")
aws.sns.TopicSubscription("sub", topic=topic.arn, protocol="lambda", endpoint=mixed.arn)
fn("bad4_no_invoker")
""",
    # Broad managed policies and resource policies that let everyone act.
    "resource_policies": """
role = aws.iam.Role("role", assume_role_policy=trust({"Service": "lambda.amazonaws.com"}))
aws.iam.RolePolicyAttachment("ok_read_only_managed", role=role.name, policy_arn="arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess")
aws.iam.RolePolicyAttachment("bad1_s3_full_access", role=role.name, policy_arn="arn:aws:iam::aws:policy/AmazonS3FullAccess")
aws.iam.RolePolicyAttachment("bad2_lambda_full_access", role=role.name, policy_arn="arn:aws:iam::aws:policy/AWSLambda_FullAccess")
aws.iam.Role("bad3_role_full_access", assume_role_policy=trust({"Service": "lambda.amazonaws.com"}), managed_policy_arns=["arn:aws:iam::aws:policy/AmazonDynamoDBFullAccess"])

queue = aws.sqs.Queue("q")
topic = aws.sns.Topic("t")
repo = aws.ecr.Repository("r")
secret = aws.secretsmanager.Secret("s")
QUEUE = "arn:aws:sqs:us-east-1:123456789012:q"
aws.sqs.QueuePolicy("ok_queue_from_topic", queue_url=queue.url, policy=doc(public("sqs:SendMessage", QUEUE, {"ArnEquals": {"aws:SourceArn": "arn:aws:sns:us-east-1:123456789012:t"}})))
aws.ecr.RepositoryPolicy("ok_public_pull", repository=repo.name, policy=doc(public(["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"], "*")))
aws.lambda_.LayerVersionPermission("ok_layer_org", layer_name="layer", version_number=1, statement_id="org", action="lambda:GetLayerVersion", principal="*", organization_id="o-abc123")
aws.sqs.QueuePolicy("bad1_queue_public_send", queue_url=queue.url, policy=doc(public("sqs:SendMessage", QUEUE)))
aws.sns.TopicPolicy("bad2_topic_public_tls", arn=topic.arn, policy=doc(public("sns:Publish", "*", {"Bool": {"aws:SecureTransport": "true"}})))
aws.ecr.RepositoryPolicy("bad3_repo_public_push", repository=repo.name, policy=doc(public(["ecr:PutImage", "ecr:BatchGetImage"], "*")))
aws.lambda_.LayerVersionPermission("bad4_layer_public", layer_name="layer", version_number=1, statement_id="all", action="lambda:GetLayerVersion", principal="*")
aws.secretsmanager.SecretPolicy("bad5_secret_public_read", secret_arn=secret.arn, policy=doc(public("secretsmanager:GetSecretValue", "*")))
aws.sqs.Queue("bad6_queue_inline_policy", policy=doc(public("sqs:*", "*")))
aws.sns.Topic("bad7_topic_not_action", policy=doc({"Effect": "Allow", "Principal": {"AWS": "*"}, "NotAction": "sns:Subscribe", "Resource": "*"}))
""",
}

CASES = [
    (
        "s3-no-public-policy",
        {
            "bad1_s3_policy_securetransport",
            "bad2_s3_policy_notequals",
            "bad3_s3_policy_like_star",
            "bad4_s3_policy_null",
            "bad5_s3_policy_ifexists",
            "bad6_s3_policy_aws_star_list",
        },
        {"ok_s3_policy_org", "ok_s3_policy_deny"},
        "conditions",
    ),
    (
        "iam-service-trust-conditioned",
        {
            "bad1_trust_notequals",
            "bad2_trust_like_star",
            "bad3_trust_null",
            "bad4_trust_ifexists",
            "bad5_trust_other_key",
        },
        {"ok_trust_source_account", "ok_trust_source_arn_like"},
        "conditions",
    ),
    (
        "iam-trust-not-public",
        {
            "bad1_public_trust_star",
            "bad2_public_trust_aws_star",
            "bad3_public_trust_in_list",
            "bad4_public_trust_tls_only",
        },
        {"ok_public_trust_account", "ok_public_trust_org", "ok_trust_source_account"},
        "conditions",
    ),
    (
        "iam-no-wildcard-action",
        {
            "bad1_partial_action",
            "bad2_statement_object",
            "bad3_upper_case",
            "bad4_not_action",
            "bad10_read_families",
            "bad11_check_family",
            "bad13_short_family",
            "bad14_unscopable_family",
        },
        {"ok_exact", "bad5_arn_wildcard", "bad7_role_wildcard", "ok_unscopable_write"},
        "wildcards",
    ),
    (
        "iam-no-wildcard-resource-for-writes",
        {
            "bad5_arn_wildcard",
            "bad6_not_resource",
            "bad7_role_wildcard",
            "bad8_object_star",
            "bad9_lower_passrole",
            "bad11_check_family",
            "bad13_short_family",
        },
        # reads (exact, any case, or families) and unscopable actions (Service Authorization Reference) are fine
        {"ok_exact", "bad10_read_families", "ok_unscopable_write", "bad14_unscopable_family"},
        "wildcards",
    ),
    (
        "iam-passrole-scoped",
        {"bad7_role_wildcard", "bad9_lower_passrole"},
        {"ok_exact", "bad5_arn_wildcard"},
        "wildcards",
    ),
    (
        "s3-tls-only",
        {
            "bad1_tls_get_only",
            "bad2_tls_objects_only",
            "bad3_tls_named_principal",
            "bad4_tls_wrong_value",
            "bad5_tls_allow",
        },
        {"ok_tls", "ok_tls_list_value", "ok_tls_star"},
        "tls",
    ),
    ("iam-no-wildcard-action", {"bad1_late_wildcard_action"}, {"bad2_late_write_on_star"}, "order"),
    (
        "iam-no-wildcard-resource-for-writes",
        {"bad2_late_write_on_star", "bad3_late_passrole"},
        {"bad4_late_bedrock"},
        "order",
    ),
    ("iam-passrole-scoped", {"bad3_late_passrole"}, {"bad2_late_write_on_star"}, "order"),
    (
        "iam-bedrock-invoke-scoped",
        {"bad4_late_bedrock", "bad8_bedrock_not_resource"},
        {"bad1_late_wildcard_action"},
        "order",
    ),
    (
        "iam-service-trust-conditioned",
        {"bad5_late_trust", "bad7_trust_principal_org"},
        {"bad6_late_public_trust"},
        "order",
    ),
    ("iam-trust-not-public", {"bad6_late_public_trust"}, {"bad5_late_trust"}, "order"),
    ("cloudtrail-enabled", {"bad1_trail_stopped"}, {"ok_trail"}, "trail"),
    (
        "api-throttling",
        {
            "bad1_one_route_unthrottled",
            "bad2_zero_route_limit",
            # the REST APIs below set no throttling at all, and quick create makes an unthrottled stage
            "ok_body_security",
            "ok_body_iam_extension",
            "ok_body_top_level",
            "bad1_body_no_security",
            "bad2_body_optional_security",
            "bad3_body_auth_none",
            "bad4_body_yaml",
            "bad5_http_body_no_security",
            "bad6_quick_create",
        },
        {"ok_per_route_throttling", "ok_default_throttling"},
        "api",
    ),
    (
        "api-routes-authorized",
        {
            "bad1_body_no_security",
            "bad2_body_optional_security",
            "bad3_body_auth_none",
            "bad4_body_yaml",
            "bad5_http_body_no_security",
            "bad6_quick_create",
        },
        {"ok_body_security", "ok_body_iam_extension", "ok_body_top_level", "ok_per_route_throttling"},
        "api",
    ),
    (
        "lambda-failure-destination",
        {"bad1_s3_invoked", "bad2_event_target", "bad3_api_and_sns", "bad4_no_invoker"},
        {"ok_api_only", "ok_event_source_mapping", "ok_async_with_dlq"},
        "invocation",
    ),
    (
        "iam-no-admin-managed-policies",
        {"bad1_s3_full_access", "bad2_lambda_full_access", "bad3_role_full_access"},
        {"ok_read_only_managed", "role"},
        "resource_policies",
    ),
    (
        "resource-policy-not-public",
        {
            "bad1_queue_public_send",
            "bad2_topic_public_tls",
            "bad3_repo_public_push",
            "bad4_layer_public",
            "bad5_secret_public_read",
            "bad6_queue_inline_policy",
            "bad7_topic_not_action",
        },
        {"ok_queue_from_topic", "ok_public_pull", "ok_layer_org", "q", "t"},
        "resource_policies",
    ),
]


class Programs(dict[str, ResourceGraph]):
    """Each program synthesised on first use (a test selecting one case pays for one program only)."""

    def __init__(self, factory: pytest.TempPathFactory) -> None:
        super().__init__()
        self.factory = factory

    def __missing__(self, key: str) -> ResourceGraph:
        graph = synth(self.factory.mktemp(key), PRELUDE + PROGRAMS[key])
        self[key] = graph
        return graph


@pytest.fixture(scope="module")
def graphs(tmp_path_factory: pytest.TempPathFactory) -> Programs:
    return Programs(tmp_path_factory)


@pytest.mark.parametrize(("policy", "bad", "good", "program"), CASES, ids=[f"{c[0]}[{c[3]}]" for c in CASES])
def test_policy(graphs: Programs, policy: str, bad: set[str], good: set[str], program: str) -> None:
    found = flagged(graphs[program], policy)
    assert found == bad, f"{policy}: flagged {sorted(found)}, expected {sorted(bad)}"
    assert not good & found


def test_every_case_names_a_resource_of_its_program(graphs: Programs) -> None:
    """Every case names a resource its program really has (a typo would make a check vacuous)."""
    for policy, bad, good, program in CASES:
        names = {node.name for node in graphs[program].resources}
        assert (bad | good) <= names, f"{policy}: {sorted((bad | good) - names)} not in program {program}"


# ------------------------------------------------------------------------------ secrets by value

SECRETS_PROGRAM = """
import json
import pulumi
import pulumi_aws as aws

config = pulumi.Config()
def fn(name, variables):
    aws.lambda_.Function(name, role="arn:aws:iam::123456789012:role/r", runtime="python3.12", handler="h.h",
                         code=pulumi.AssetArchive({}), environment={"variables": variables})

fn("ok_router", {"MAX_OUTPUT_TOKENS": "1024", "TOKEN_BUDGET": "200000", "MODEL_ID": "amazon.nova-micro-v1:0",
                 "TABLE_NAME": "sessions-dev", "API_KEY_SECRET_ARN": "arn:aws:secretsmanager:us-east-1:123456789012:secret:k",
                 "LOG_LEVEL": "INFO", "SESSION_TTL_SECONDS": "3600", "TOKEN_BUDGET_MODE": "strict"})
fn("bad1_secure_config", {"UPSTREAM": config.require_secret("upstreamCredential")})
fn("bad2_access_key", {"KEY_HOLDER": "AKIAIOSFODNN7EXAMPLE"})
fn("bad3_private_key", {"CERT": "-----BEGIN RSA PRIVATE KEY-----\\nMIIBOgIBAAJBAK\\n-----END RSA PRIVATE KEY-----"})
fn("bad4_high_entropy", {"CONNECTION": "q8Zr3LmN0vT5yWb2XkP7sJd4FhG6aQe1"})
fn("bad5_secret_name", {"DB_PASSWORD": "hunter2"})
"""


@pytest.fixture(scope="module")
def secrets_graph(tmp_path_factory: pytest.TempPathFactory) -> ResourceGraph:
    from preflight.engine import synthesize  # noqa: PLC0415

    directory = tmp_path_factory.mktemp("secrets")
    (directory / "Pulumi.yaml").write_text("name: secretstest\nruntime: python\n")
    (directory / "Pulumi.dev.yaml").write_text(
        "config:\n  aws:region: us-east-1\n  secretstest:upstreamCredential:\n    secure: v1:abc:def\n"
    )
    (directory / "__main__.py").write_text(SECRETS_PROGRAM)
    return synthesize(directory, "dev")


def test_secrets_found_by_value_and_router_limits_are_not_secrets(secrets_graph: ResourceGraph) -> None:
    found = flagged(secrets_graph, "lambda-no-secrets-in-environment")
    assert found == {
        "bad1_secure_config",
        "bad2_access_key",
        "bad3_private_key",
        "bad4_high_entropy",
        "bad5_secret_name",
    }


def test_offline_secret_markers_match_the_engine() -> None:
    """The pack recognises exactly what the offline sources put where a secret was."""
    from policies.rules.lambda_functions import OFFLINE_SECRET_VALUES  # noqa: PLC0415
    from preflight import sources, stackconfig  # noqa: PLC0415

    assert {stackconfig.SECRET_PLACEHOLDER, sources.SECRET_PLACEHOLDER} == OFFLINE_SECRET_VALUES


# ---------------------------------------------------------------- one unknown value hides nothing


def _node(name: str, type_: str, inputs: dict[str, object]) -> ResourceNode:
    urn = f"urn:pulumi:dev::p::{type_}::{name}"
    return ResourceNode(
        urn=urn, type=type_, name=name, custom=True, parent="", provider="", inputs=inputs, outputs=inputs
    )


def test_one_unknown_value_no_longer_skips_the_resource() -> None:
    """Known parts are judged (and flagged); the unknown part is noted as "cannot tell"."""
    unknown = UNKNOWN_STRING_VALUE
    document = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": unknown},
            {"Effect": "Allow", "Action": "iam:*", "Resource": ["arn:aws:iam::123456789012:role/r", unknown]},
            {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": ["*", unknown]},
        ],
    }
    trail = {"s3BucketName": "logs", "isMultiRegionTrail": True, "enableLogFileValidation": False, "kmsKeyId": unknown}
    graph = ResourceGraph(
        "p",
        "dev",
        [
            _node("policy", "aws:iam/policy:Policy", {"policy": document}),
            _node("trail", "aws:cloudtrail/trail:Trail", trail),
            _node(
                "fn", "aws:lambda/function:Function", {"environment": {"variables": {"A": unknown, "DB_PASSWORD": "x"}}}
            ),
        ],
    )
    names = (
        "iam-no-wildcard-action",
        "iam-no-wildcard-resource-for-writes",
        "cloudtrail-enabled",
        "lambda-no-secrets-in-environment",
    )
    specs = [by_name()[n] for n in names]
    run = run_policies(graph, policies=specs, config={n: PolicySetting(Level.MANDATORY) for n in names})
    found = {(f.policy, f.resource): f.message for f in run.findings}
    assert set(found) == {
        ("iam-no-wildcard-action", "policy"),
        ("iam-no-wildcard-resource-for-writes", "policy"),
        ("cloudtrail-enabled", "trail"),
        ("lambda-no-secrets-in-environment", "fn"),
    }
    assert found[("cloudtrail-enabled", "trail")] == "log file validation is off."
    assert "DB_PASSWORD" in found[("lambda-no-secrets-in-environment", "fn")]
    noted = " ".join(run.undetermined)
    assert all(f"{n}:" in noted for n in names), run.undetermined


# ------------------------------------------------------------- one definition of "wildcard"

WILDCARD_ACTIONS = ["*", "s3:*", "iam:*Policy*", "S3:Get*", "s3:Get?bject"]
EXACT_ACTIONS = ["s3:GetObject", "dynamodb:putitem", "iam:PassRole"]
WILDCARD_RESOURCES = [
    "*",
    "arn:aws:s3:::*",
    "arn:aws:s3:::*/*",
    "arn:aws:iam::123456789012:role/*",
    "arn:aws:sqs:us-east-1:123456789012:*",
    "arn:aws:logs:us-east-1:123456789012:*",
    "arn:aws:lambda:us-east-1:123456789012:function:*",
    "arn:aws:bedrock:us-east-1::foundation-model/*",
    "arn:aws:*:us-east-1:123456789012:thing",
]
NAMED_RESOURCES = [
    "arn:aws:s3:::bucket",
    "arn:aws:s3:::bucket/*",
    "arn:aws:dynamodb:us-east-1:123456789012:table/t/index/*",
    "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/f:*",
    "arn:aws:iam::123456789012:role/service-role/*",
    "arn:aws:sqs:us-east-1:123456789012:queue",
    "arn:aws:iam::123456789012:role/X*",
]


@pytest.mark.parametrize("action", WILDCARD_ACTIONS)
def test_wildcard_actions_are_refused_by_components(action: str) -> None:
    from components import iam  # noqa: PLC0415

    assert is_wildcard_action(action)
    with pytest.raises(ValueError, match="IAM action"):
        iam.statement([action], ["arn:aws:s3:::bucket"])


@pytest.mark.parametrize("action", EXACT_ACTIONS)
def test_exact_actions_are_not_wildcards(action: str) -> None:
    assert not is_wildcard_action(action)


@pytest.mark.parametrize("resource", WILDCARD_RESOURCES)
def test_wildcard_resources_are_refused_by_components(resource: str) -> None:
    from components import iam  # noqa: PLC0415

    assert is_wildcard_resource(resource)
    with pytest.raises(ValueError, match="wildcard IAM resource"):
        iam.statement(["s3:GetObject"], [resource])


@pytest.mark.parametrize("resource", NAMED_RESOURCES)
def test_named_resources_are_not_wildcards(resource: str) -> None:
    from components import iam  # noqa: PLC0415

    assert not is_wildcard_resource(resource)
    assert iam.statement(["s3:GetObject"], [resource])["Resource"] == [resource]


@pytest.mark.parametrize(
    ("condition", "narrows"),
    [
        ({"StringEquals": {"aws:SourceAccount": "123456789012"}}, True),
        ({"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": "o-a/r-b/*"}}, True),
        ({"ArnLike": {"AWS:SourceArn": "arn:aws:sns:us-east-1:123456789012:*"}}, True),
        ({"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}, True),
        ({"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}}, False),
        ({"StringEquals": {"aws:SourceAccount": []}}, False),
        ({"StringLike": {"aws:SourceArn": ["arn:aws:sns:*", "*"]}}, False),
        ({"ArnLike": {"aws:SourceArn": "*"}}, False),
        ({"ForAllValues:StringEquals": {"aws:PrincipalOrgID": "o-a"}}, False),
        ({"StringNotEquals": {"aws:SourceAccount": "123456789012"}}, False),
        ({"Bool": {"aws:SecureTransport": "true"}}, False),
        ({"StringEquals": {"s3:prefix": "home/"}}, False),
        ({"StringEquals": {"aws:SourceAccount": "*"}}, False),
        ({"StringEquals": {"aws:SourceAccount": ""}}, False),
        ({"StringEquals": {"aws:SourceAccount": "?"}}, True),  # no wildcards outside ...Like
        ({"StringLike": {"aws:SourceArn": "**"}}, False),
        ({"StringLike": {"aws:SourceArn": "*?"}}, False),
        ({"StringLike": {"aws:SourceArn": "X*"}}, True),
        ({"StringLike": {"aws:SourceArn": [123, "*"]}}, False),  # one '*' among the values matches all
        ({"IpAddress": {"aws:SourceIp": "::/0"}}, False),
        ({"StringEqualsIfExists": {"aws:SourceAccount": "123456789012"}}, False),
        # every block is read: a later narrowing one counts after a skipped one
        ({"Bool": {"aws:SecureTransport": "true"}, "StringEquals": {"aws:SourceAccount": "123456789012"}}, True),
        ({"StringEquals": "not a block", "ArnEquals": {"aws:SourceArn": "arn:aws:sns:us-east-1:1:t"}}, True),
        ({"StringEquals": {"s3:prefix": "a", "aws:SourceAccount": "123456789012"}}, True),
    ],
)
def test_conditions_narrow_only_when_operator_and_value_do(condition: dict[str, object], narrows: bool) -> None:
    assert narrows_caller(condition) is narrows


def test_public_trust_and_public_resource_policies_are_mandatory_in_every_stack() -> None:
    for name in ("iam-trust-not-public", "resource-policy-not-public"):
        for stack in ("dev", "staging", "prod"):
            assert profile.level_for(by_name()[name], stack) == "mandatory", (name, stack)


# ------------------------------------------------------------- the pure helpers, case by case


@pytest.mark.parametrize(
    ("action", "read_only", "harmless"),
    [
        ("s3:GetObject", True, True),
        ("S3:getobject", True, True),
        ("ec2:Describe*", True, True),
        ("apigateway:GET", True, True),
        ("sqs:SendMessage", False, False),
        ("xray:PutTraceSegments", False, True),  # a write, but it accepts only Resource '*'
        ("ssmmessages:*Channel", False, True),
        ("license-manager:Check*", False, False),  # CheckoutBorrowLicense can be scoped
        ("kms:G*", False, False),
        ("*", False, False),
        ("madeup:GetThing", True, True),  # unknown to the reference: judged by its verb
        ("madeup:Get*", True, True),
        ("madeup:G*", False, False),
        ("madeup:CheckoutThing", False, False),
        ("madeup:getthing", True, True),
        ("madeup:PutThing", False, False),
        ("nocolon", False, False),
        (":GetThing", False, False),
        ("madeup:Put:GetThing", False, False),
        ("bedrock:InvokeModel", True, True),  # a Read in the reference, whatever its verb
    ],
)
def test_read_only_and_unscopable_actions(action: str, read_only: bool, harmless: bool) -> None:
    from policies.rules.iam import harmless_on_star, is_read_only_action  # noqa: PLC0415

    assert is_read_only_action(action) is read_only
    assert harmless_on_star(action) is harmless


@pytest.mark.parametrize(
    ("name", "broad"),
    [
        ("AdministratorAccess", True),
        ("PowerUserAccess", True),
        ("AmazonS3FullAccess", True),
        ("AWSLambda_FullAccess", True),
        ("AmazonS3ReadOnlyAccess", False),
        ("service-role/AWSLambdaBasicExecutionRole", False),
    ],
)
def test_broad_managed_policies(name: str, broad: bool) -> None:
    from policies.rules.iam import is_broad_managed_policy  # noqa: PLC0415

    assert is_broad_managed_policy(name) is broad


@pytest.mark.parametrize(
    ("name", "value", "reason"),
    [
        ("UPSTREAM", "preflight-placeholder-secret", "a Pulumi secret (secure: config)"),
        ("UPSTREAM", "[secret]", "a Pulumi secret (secure: config)"),
        ("KEY_HOLDER", "AKIAIOSFODNN7EXAMPLE", "an access-key, private-key or token shape"),
        ("GITHUB", "ghp_abcdefghijklmnop", "an access-key, private-key or token shape"),
        ("CONNECTION", "q8Zr3LmN0vT5yWb2XkP7sJd4FhG6aQe1", "a high-entropy value"),
        ("DB_PASSWORD", "hunter2", "a secret-sounding name"),
        ("STRIPE_API_KEY", "hunter2", "a secret-sounding name"),
        ("DB_PASSWORD_ARN", "arn:aws:secretsmanager:us-east-1:123456789012:secret:x", ""),
        ("DB_PASSWORD", "/prod/db/password", ""),
        *[
            (f"DB_PASSWORD{suffix}", "prod-db-password", "")
            for suffix in ("_ARN", "_NAME", "_PARAMETER", "_PATH", "_ID", "_URL")
        ],
        ("KEY", "aB3dE5gH7jK9mN1pQ2sT", "a high-entropy value"),  # exactly the minimum length
        ("KEY", "aB3dE5gH7jK9mN1pQ2s", ""),  # one shorter
        ("TOKEN_BUDGET", "200000", ""),
        ("MAX_OUTPUT_TOKENS", "1024", ""),
        ("TOKEN_BUDGET_MODE", "strict", ""),
        ("MODEL_ID", "amazon.nova-micro-v1:0", ""),
        ("TABLE", "agentic-sessions-dev-table", ""),
        ("COUNT", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1", ""),  # long but low entropy
        ("DB_PASSWORD", "", ""),
        ("DB_PASSWORD", 12, ""),
        ("DATABASE_URL", "postgres://admin:pw@db:5432/app", "a URL with a password in it"),
        ("DATABASE_URL", "postgres://admin@db:5432/app", ""),
        ("DATABASE_URL", "postgres://admin:@db:5432/app", ""),  # empty password
        ("HEALTH_URL", "http://localhost:8080/health?next=a@b", ""),
        ("DB_PASS", "hunter2", "a secret-sounding name"),
        ("BYPASS_CACHE", "true", ""),  # PASS as a whole word only
        ("DB_PASSWORD", "83920174", "a secret-sounding name"),
        ("API_TOKEN", "3600", ""),
    ],
)
def test_secret_reasons(name: str, value: object, reason: str) -> None:
    from policies.rules.lambda_functions import secret_reason  # noqa: PLC0415

    assert secret_reason(name, value) == reason


@pytest.mark.parametrize(
    ("document", "open_operations"),
    [
        ({"paths": {"/a": {"get": {"security": [{"auth": []}]}}}}, []),
        ({"security": [{"auth": []}], "paths": {"/a": {"get": {}}}}, []),
        ({"security": [{"auth": []}], "paths": {"/a": {"get": {"security": []}}}}, ["GET /a"]),
        ({"paths": {"/a": {"get": {"x-amazon-apigateway-auth": {"type": "AWS_IAM"}}}}}, []),
        ({"paths": {"/a": {"get": {"x-amazon-apigateway-auth": {"type": "none"}}}}}, ["GET /a"]),
        ({"paths": {"/a": {"post": {"security": [{}]}, "options": {}}}}, ["POST /a"]),
        ({"paths": {"/a": {"x-amazon-apigateway-any-method": {}}}}, ["ANY /a"]),
        ({"paths": {"/a": "not an item", "/b": {"get": "not an operation"}}}, []),
        ({"paths": {"/a": "not an item", "/b": {"get": {}}}}, ["GET /b"]),
        ({"paths": {"/a": {"get": {"x-amazon-apigateway-auth": {"type": ""}}}}}, ["GET /a"]),
        ({"paths": {"/a": {"get": {"x-amazon-apigateway-auth": {"type": "AWS_IAM"}}, "post": {}}}}, ["POST /a"]),
        ({"paths": {"/a": {"get": {"security": [{"auth": []}]}, "post": {}}}}, ["POST /a"]),
        ("[1, 2]", []),
        ({"paths": []}, []),
        ("openapi: 3.0.1\npaths:\n  /a:\n    delete: {}\n", ["DELETE /a"]),
        ("{not json or yaml: [", []),
        ("", []),
        (None, []),
    ],
)
def test_unauthorised_openapi_operations(document: object, open_operations: list[str]) -> None:
    from policies.rules.apigateway import unauthorised_operations  # noqa: PLC0415

    body = json.dumps(document) if isinstance(document, dict) else document
    assert list(unauthorised_operations(body)) == open_operations


@pytest.mark.parametrize(
    ("principal", "public", "services"),
    [
        ("*", True, []),
        (" * ", True, []),
        ({"AWS": "*"}, True, []),
        ({"AWS": ["arn:aws:iam::123456789012:root", "*"]}, True, []),
        ({"AWS": "arn:aws:iam::123456789012:root"}, False, []),
        ({"Service": "states.amazonaws.com"}, False, ["states.amazonaws.com"]),
        ({"Service": ["a.amazonaws.com", "b.amazonaws.com"]}, False, ["a.amazonaws.com", "b.amazonaws.com"]),
        ({"Federated": "*"}, False, []),
        (None, False, []),
    ],
)
def test_principals(principal: object, public: bool, services: list[str]) -> None:
    from iamlang import principals  # noqa: PLC0415

    assert principals.is_public(principal) is public
    assert principals.services(principal) == services


@pytest.mark.parametrize(
    ("pattern", "text", "action_match", "resource_match"),
    [
        ("s3:Get*", "s3:GetObject", True, True),
        ("S3:GET*", "s3:getobject", True, False),
        ("s3:Get?bject", "s3:GetObject", True, True),
        ("s3:Get", "s3:GetObject", False, False),
        ("arn:aws:s3:::b/*", "arn:aws:s3:::b/k", True, True),
        ("arn:aws:s3:::B/*", "arn:aws:s3:::b/k", True, False),  # ARNs are case-sensitive
        ("arn:aws:s3:::b", "arn:aws:s3:::b/k", False, False),
        ("a.b", "axb", False, False),  # regex characters are literal
    ],
)
def test_matching(pattern: str, text: str, action_match: bool, resource_match: bool) -> None:
    from iamlang.wildcards import action_matches, resource_matches  # noqa: PLC0415

    assert action_matches(pattern, text) is action_match
    assert resource_matches(pattern, text) is resource_match


@pytest.mark.parametrize(
    ("arn", "name"),
    [
        ("arn:aws:s3:::bucket/key", "bucket/key"),
        ("arn:aws:iam::123456789012:role/r", "r"),
        ("arn:aws:lambda:us-east-1:123456789012:function:f", "f"),
        ("arn:aws:sqs:us-east-1:123456789012:queue", "queue"),
        ("arn:aws:execute-api:us-east-1:123456789012:abc/*/GET/", "abc/*/GET/"),
        ("arn:aws:dynamodb:us-east-1:123456789012:table", "table"),
        # the SAR's prefixes, longest first (review s10 #6)
        ("arn:aws:secretsmanager:us-east-1:123456789012:secret:*-*", "*-*"),
        ("arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/lb/1", "lb/1"),
        ("arn:aws:apigateway:us-east-1::/restapis/a1/stages/s", "a1/stages/s"),
        ("arn:aws:s3:us-east-1:123456789012:accesspoint/ap", "ap"),
        ("arn:aws:nosuchservice:us-east-1:123456789012:thing/t", "t"),  # not in the SAR: after the first / or :
        ("arn:aws:*:us-east-1:123456789012:x", ""),
        ("not-an-arn", None),
        ("arn:aws:s3", None),
    ],
)
def test_arn_resource_names(arn: str, name: str | None) -> None:
    from iamlang.wildcards import arn_resource_name  # noqa: PLC0415

    assert arn_resource_name(arn) == name


@pytest.mark.parametrize(
    ("resource", "wildcard"),
    [
        ("*", True),
        ("arn:aws:s3:::*", True),
        ("arn:aws:s3:::*/*", True),
        ("arn:aws:iam::123456789012:role/*", True),
        ("arn:aws:sqs:us-east-1:123456789012:*", True),
        ("arn:aws:dynamodb:us-east-1:123456789012:table/?*", True),
        # review s10 #6: no letter or digit left after the SAR's resource-type prefix
        ("arn:aws:secretsmanager:us-east-1:123456789012:secret:*-*", True),
        ("arn:aws:logs:us-east-1:123456789012:log-group:*:*", True),
        ("arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/*", True),
        ("arn:aws:apigateway:us-east-1::/restapis/*", True),
        ("arn:aws:s3:us-east-1:123456789012:accesspoint/*", True),
        # review2 s10 #1: a wildcard inside the type's prefix matches every resource of the type (`*` crosses / and :)
        ("arn:aws:secretsmanager:us-east-1:123456789012:secret*", True),
        ("arn:aws:iam::123456789012:role*", True),
        ("arn:aws:iam::123456789012:r*", True),
        ("arn:aws:kms:us-east-1:123456789012:key*", True),
        ("arn:aws:ssm:us-east-1:123456789012:parameter*", True),
        ("arn:aws:lambda:us-east-1:123456789012:func?ion:f", True),
        ("arn:aws:s3:us-east-1:123456789012:a*", True),
        ("arn:aws:s3:::a*", False),  # buckets named a...: no access point has an empty region and account
        ("arn:aws:lambda:us-east-1:123456789012:function:f*", False),
        ("arn:aws:ssm:us-east-1:123456789012:parameter/app/*", False),
        ("arn:aws:secretsmanager:us-east-1:123456789012:secret:app/db-AbCdEf", False),
        ("arn:aws:secretsmanager:us-east-1:123456789012:secret:app/*", False),
        ("arn:aws:s3:::bucket/*", False),
        ("arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/f:*", False),
        ("arn:aws:iam::123456789012:role/service-role/*", False),
        ("arn:aws:apigateway:us-east-1::/restapis/a1/*", False),
        ("arn:aws:lambda:us-east-1:123456789012:function:f:*", False),
        ("arn:aws:iam::123456789012:root", False),
    ],
)
def test_wildcard_resources(resource: str, wildcard: bool) -> None:
    from iamlang.wildcards import is_wildcard_resource  # noqa: PLC0415

    assert is_wildcard_resource(resource) is wildcard
