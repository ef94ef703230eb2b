"""Data sources return values of the types the provider returns, for every `get_*` function the SDK has."""

from __future__ import annotations

import base64
import collections.abc
import functools
import re
import typing
from pathlib import Path
from typing import Any

import pulumi_aws
import pytest

from preflight.engine import synthesize
from preflight.invokes import _fields_of, invoke_result, result_fields
from tests.preflight.programs import write_program

_TOKEN = re.compile(r"invoke\(\s*'(aws:[^']+)'")


@functools.cache
def data_source_tokens() -> tuple[str, ...]:
    """The token of every data-source function in the installed pulumi-aws (one `get_*.py` file each)."""
    root = Path(pulumi_aws.__file__).parent
    tokens: set[str] = set()
    for path in root.rglob("get_*.py"):
        tokens.update(_TOKEN.findall(path.read_text(encoding="utf-8")))
    return tuple(sorted(tokens))


def _has_type(value: Any, annotation: Any) -> bool:
    """A strict check, independent of the fabrication: the value is what the annotation promises."""
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is typing.Union:
        return any(_has_type(value, a) for a in args)
    if annotation is type(None):
        return value is None
    if annotation in (bool, str):
        return type(value) is annotation
    if annotation in (int, float):
        return isinstance(value, int | float) and not isinstance(value, bool)
    if annotation is Any:
        return value is not None
    if origin in (list, collections.abc.Sequence):
        return isinstance(value, list) and all(_has_type(v, args[0]) for v in value)
    if origin in (dict, collections.abc.Mapping):
        return isinstance(value, dict) and all(isinstance(k, str) for k in value)
    if isinstance(annotation, type):
        fields = _fields_of(annotation)
        return isinstance(value, dict) and all(k in fields and _has_type(v, fields[k]) for k, v in value.items())
    return False


def test_the_sdk_has_hundreds_of_data_sources() -> None:
    tokens = data_source_tokens()
    assert len(tokens) > 500
    assert "aws:ec2/getAmi:getAmi" in tokens
    assert all(result_fields(t) for t in tokens), [t for t in tokens if not result_fields(t)][:5]


def test_every_data_source_returns_its_declared_types() -> None:
    wrong: list[str] = []
    for token in data_source_tokens():
        fields = result_fields(token)
        result = invoke_result(token, {}, "eu-west-1")
        assert set(result) == set(fields), token
        wrong.extend(f"{token}.{k}" for k, v in result.items() if not _has_type(v, fields[k]))
    assert wrong == []


def test_required_fields_get_values_optional_arguments_stay_unset() -> None:
    ami = invoke_result("aws:ec2/getAmi:getAmi", {"owners": ["amazon"]}, "eu-west-1")
    assert ami["enaSupport"] is False and ami["public"] is False  # bool fields the provider computes
    assert ami["owners"] == ["amazon"]  # an argument, echoed
    assert ami["mostRecent"] is None and ami["nameRegex"] is None  # optional arguments not given
    assert ami["ownerId"] == "123456789012"
    assert ami["arn"].startswith("arn:aws:ec2:eu-west-1:123456789012:")
    assert isinstance(ami["blockDeviceMappings"][0]["deviceName"], str)


def test_echoed_arguments_keep_the_results_type() -> None:
    ami = invoke_result("aws:ec2/getAmi:getAmi", {"mostRecent": "04da6b54-80e4-46f7-96ec-b56ff0331ba9"}, "us-east-1")
    assert ami["mostRecent"] is False  # an argument that is not a bool is not echoed as one


def test_results_are_deterministic_and_follow_arguments() -> None:
    first = invoke_result("aws:ec2/getVpc:getVpc", {"default": True}, "us-east-1")
    assert first == invoke_result("aws:ec2/getVpc:getVpc", {"default": True}, "us-east-1")
    assert first["id"] != invoke_result("aws:ec2/getVpc:getVpc", {"id": "vpc-1"}, "us-east-1")["id"]


PROGRAM = """
import pulumi_aws as aws

ami = aws.ec2.get_ami(most_recent=True, owners=["amazon"], filters=[{"name": "name", "values": ["al2023-*"]}])
assert ami.most_recent is True and isinstance(ami.ena_support, bool)
assert isinstance(ami.block_device_mappings[0].device_name, str)
vpc = aws.ec2.get_vpc(default=True)
subnets = aws.ec2.get_subnets(filters=[{"name": "vpc-id", "values": [vpc.id]}])
zones = aws.get_availability_zones(state="available")
aws.ec2.Instance(
    "web",
    ami=ami.id,
    instance_type="t3.micro",
    subnet_id=subnets.ids[0],
    availability_zone=zones.names[0],
    tags={"cidr": vpc.cidr_block.split("/")[1]},
)
"""


def test_a_program_builds_on_data_sources(tmp_path: Path) -> None:
    graph = synthesize(write_program(tmp_path, PROGRAM, config={"aws:region": "eu-west-1"}), "dev")
    web = next(n for n in graph if n.name == "web")
    assert web.inputs["ami"].startswith("ami-")
    assert web.inputs["availabilityZone"] == "eu-west-1a"
    assert web.inputs["tags"] == {"cidr": "16"}
    assert web.inputs["subnetId"] != "" and isinstance(web.inputs["subnetId"], str)


@pytest.mark.parametrize("token", ["aws:index/getRegion:getRegion", "aws:index/getCallerIdentity:getCallerIdentity"])
def test_well_known_values_are_completed_by_type(token: str) -> None:
    result = invoke_result(token, {}, "eu-west-1")
    assert set(result) == set(result_fields(token))


@pytest.mark.parametrize(
    "token",
    [
        "aws:ecr/getAuthorizationToken:getAuthorizationToken",
        "aws:ecr/getCredentials:getCredentials",
        "aws:ecrpublic/getAuthorizationToken:getAuthorizationToken",
    ],
)
def test_registry_tokens_decode_to_a_docker_login(token: str) -> None:
    """pulumi/examples aws-py-voting-app: `base64.b64decode(creds.authorization_token).decode().split(":")` must
    give user and password (bad case 1 before the fix: a plain name, which does not decode)."""
    result = invoke_result(token, {"registryId": "123456789012"}, "us-east-1")
    user, password = base64.b64decode(result["authorizationToken"], validate=True).decode().split(":")
    assert (user, password) == ("AWS", result["password"]) and result["userName"] == "AWS"
    assert set(result) == set(result_fields(token))
    other = invoke_result(token, {"registryId": "210987654321"}, "us-east-1")
    assert other["password"] != password  # follows the arguments, still deterministic
    assert invoke_result(token, {"registryId": "123456789012"}, "us-east-1") == result


@pytest.mark.parametrize(
    ("token", "args", "arn"),
    [
        ("aws:iam/getUser:getUser", {"userName": "seba"}, "arn:aws:iam::123456789012:user/seba"),
        ("aws:iam/getRole:getRole", {"name": "deployer"}, "arn:aws:iam::123456789012:role/deployer"),
        ("aws:sns/getTopic:getTopic", {"name": "alerts"}, "arn:aws:sns:eu-west-1:123456789012:alerts"),
        ("aws:sqs/getQueue:getQueue", {"name": "jobs"}, "arn:aws:sqs:eu-west-1:123456789012:jobs"),
        ("aws:dynamodb/getTable:getTable", {"name": "items"}, "arn:aws:dynamodb:eu-west-1:123456789012:table/items"),
        ("aws:lambda/getFunction:getFunction", {"functionName": "worker"}, "arn:aws:lambda:eu-west-1:123456789012:function:worker"),  # noqa: E501
        ("aws:s3/getBucket:getBucket", {"bucket": "logs"}, "arn:aws:s3:::logs"),
        ("aws:sfn/getStateMachine:getStateMachine", {"name": "flow"}, "arn:aws:states:eu-west-1:123456789012:stateMachine:flow"),  # noqa: E501
    ],
    ids=["user", "role", "topic", "queue", "table", "function", "bucket", "state_machine"],
)  # fmt: skip
def test_a_looked_up_resources_arn_names_it(token: str, args: dict[str, Any], arn: str) -> None:
    """learn-pulumi-aws-python (tests/preflight/public_programs.py "sqs-sns-function-url") grants
    `iam.get_user(user_name="seba").arn` a function URL; the ARN named a made-up user, not the one asked for."""
    assert invoke_result(token, args, "eu-west-1")["arn"] == arn


def test_a_looked_up_name_that_is_an_arn_or_unknown_is_not_used() -> None:
    role = invoke_result("aws:iam/getRole:getRole", {"name": "arn:aws:iam::1:role/x"}, "eu-west-1")["arn"]
    assert role.startswith("arn:aws:iam::123456789012:role/") and "arn:aws:iam::1" not in role.split("role/")[1]
    assert invoke_result("aws:iam/getRole:getRole", {}, "eu-west-1")["arn"].startswith(
        "arn:aws:iam::123456789012:role/"
    )
