"""preflight.invokes value by value: the well-known data sources' exact results, the shapes fabricated strings take
by field name, how deep results nest, what an echoed argument must be, and `get_policy_document` rendered as
terraform-provider-aws renders it (bench/MUTATION.md, run I3). tests/preflight/test_invokes.py checks the types
over every data source of the SDK."""

from __future__ import annotations

import json
import re
import typing
from collections.abc import Mapping, Sequence
from typing import Any

import pulumi
import pytest

from preflight import invokes
from preflight.fabricate import MOCK_ACCOUNT_ID
from preflight.invokes import _conforms, _Context, _is_optional, _string, _value, invoke_result, result_fields

REGION = "eu-west-1"
SUBNET = "aws:ec2/getSubnet:getSubnet"
SSM = "aws:ssm/getParameter:getParameter"
POLICY = "aws:iam/getPolicy:getPolicy"
DOCUMENT = "aws:iam/getPolicyDocument:getPolicyDocument"
HEX10 = "[0-9a-f]{10}"


def _result(token: str, args: Mapping[str, Any], region: str = REGION) -> dict[str, Any]:
    """`invoke_result`, checked to hold exactly the fields the SDK's result class declares (no stray key)."""
    result = invoke_result(token, args, region)
    assert set(result) == set(result_fields(token)), set(result) ^ set(result_fields(token))
    return result


# ----------------------------------------------------------------------------- the data sources programs build on


def test_caller_identity_region_and_partition_are_the_offline_accounts() -> None:
    assert _result("aws:index/getCallerIdentity:getCallerIdentity", {}) == {
        "accountId": MOCK_ACCOUNT_ID,
        "arn": f"arn:aws:iam::{MOCK_ACCOUNT_ID}:user/preflight",
        "userId": "AIDAPREFLIGHT",
        "id": MOCK_ACCOUNT_ID,
    }
    region = _result("aws:index/getRegion:getRegion", {})
    assert {k: region[k] for k in ("name", "region", "id", "endpoint")} == {
        "name": REGION,
        "region": REGION,
        "id": REGION,
        "endpoint": f"ec2.{REGION}.amazonaws.com",
    }
    partition = _result("aws:index/getPartition:getPartition", {})
    assert {k: partition[k] for k in ("partition", "dnsSuffix", "id")} == {
        "partition": "aws",
        "dnsSuffix": "amazonaws.com",
        "id": "aws",
    }


def test_availability_zones_are_the_regions_names_and_ids() -> None:
    zones = _result("aws:index/getAvailabilityZones:getAvailabilityZones", {}, "us-east-2")
    names = ["us-east-2a", "us-east-2b", "us-east-2c"]
    ids = ["use2-az1", "use2-az2", "use2-az3"]
    assert (zones["names"], zones["zoneIds"], zones["groupNames"], zones["id"]) == (
        names,
        ids,
        ["us-east-2-zg-1"],
        "us-east-2",
    )


def test_a_policy_documents_json_and_id_follow_its_arguments() -> None:
    args = {"statements": [{"actions": ["s3:GetObject"], "resources": ["*"]}]}
    document = _result(DOCUMENT, args)
    assert json.loads(document["json"]) == {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}],
    }
    assert document["id"] == _result(DOCUMENT, json.loads(json.dumps(args)))["id"]  # the same arguments, one id
    assert document["id"] != _result(DOCUMENT, {})["id"]


# ------------------------------------------------------------------------------------------- aws.iam.get_policy


def test_a_policy_given_by_arn_is_named_by_its_last_part() -> None:
    arn = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
    policy = _result(POLICY, {"arn": arn})
    assert (policy["arn"], policy["name"], policy["id"]) == (arn, "AWSLambdaBasicExecutionRole", arn)
    assert _result(POLICY, {"arn": "mine"})["name"] == "mine"  # no slash: the whole of it


def test_an_aws_managed_policy_by_name_has_awss_arn_path_and_document() -> None:
    name = "AWSLambdaBasicExecutionRole"
    policy = _result(POLICY, {"name": name})
    arn = f"arn:aws:iam::aws:policy/service-role/{name}"
    assert {k: policy[k] for k in ("arn", "name", "path", "id")} == {
        "arn": arn,
        "name": name,
        "path": "/service-role/",
        "id": arn,
    }
    document = invokes.aws_managed_policies()[name]["Document"]
    assert json.loads(policy["policy"]) == document
    assert document["Statement"][0]["Action"][0] == "logs:CreateLogGroup"


def test_a_managed_policy_without_path_or_document_is_at_the_root_and_empty(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(invokes, "aws_managed_policies", lambda: {"Bare": {}})
    policy = _result(POLICY, {"name": "Bare"})
    assert (policy["arn"], policy["path"], policy["policy"]) == ("arn:aws:iam::aws:policy/Bare", "/", "{}")


@pytest.mark.parametrize(
    ("prefix", "path"),
    [("/team/", "/team/"), ("team/", "/"), ("/team", "/"), (None, "/")],
    ids=["path-prefix", "no-leading-slash", "no-trailing-slash", "none"],
)
def test_a_customer_policy_by_name_is_the_accounts_under_its_path(prefix: str | None, path: str) -> None:
    args: dict[str, Any] = {"name": "mine"} if prefix is None else {"name": "mine", "pathPrefix": prefix}
    policy = _result(POLICY, args)
    arn = f"arn:aws:iam::{MOCK_ACCOUNT_ID}:policy{path}mine"
    assert {k: policy[k] for k in ("arn", "name", "path", "id")} == {
        "arn": arn,
        "name": "mine",
        "path": path,
        "id": arn,
    }


def test_a_policy_argument_that_is_not_a_string_names_nothing() -> None:
    """A non-string `arn` falls through to the name; a non-string name gives no policy ARN of its own."""
    by_name = _result(POLICY, {"arn": 5, "name": "mine"})
    assert by_name["arn"] == f"arn:aws:iam::{MOCK_ACCOUNT_ID}:policy/mine"
    odd = _result(POLICY, {"name": 5})
    assert "policy/5" not in odd["arn"]


# -------------------------------------------------------------------------------------------- aws.ssm.get_parameter


def test_the_powertools_layer_parameter_is_an_account_less_layer_arn() -> None:
    name = "/aws/service/powertools/python/arm64/python3.12/latest"
    parameter = _result(SSM, {"name": name})
    layer = f"arn:aws:lambda:{REGION}:017000801446:layer:AWSLambdaPowertoolsPythonV3-python312-arm64:1"
    assert {k: parameter[k] for k in ("id", "name", "arn", "type", "value", "insecureValue", "version")} == {
        "id": name,
        "name": name,
        "arn": f"arn:aws:ssm:{REGION}::parameter{name}",
        "type": "String",
        "value": layer,
        "insecureValue": layer,
        "version": 1,
    }


def test_another_parameter_is_an_invented_value_of_the_account() -> None:
    parameter = _result(SSM, {"name": "/queue/key"})
    value = parameter["value"]
    assert re.fullmatch(f"preflight-{HEX10}", value), value
    assert parameter["insecureValue"] == value
    assert invokes.invented_token(value) == SSM
    assert parameter["arn"] == f"arn:aws:ssm:{REGION}:{MOCK_ACCOUNT_ID}:parameter/queue/key"
    assert _result(SSM, {"name": "/queue/other"})["value"] != value  # each name its own value
    public = _result(SSM, {"name": "/aws/service/global-infrastructure/version"})
    assert public["arn"] == f"arn:aws:ssm:{REGION}::parameter/aws/service/global-infrastructure/version"


def test_a_parameter_without_a_name_has_an_empty_one() -> None:
    parameter = _result(SSM, {})
    assert (parameter["name"], parameter["arn"]) == ("", f"arn:aws:ssm:{REGION}:{MOCK_ACCOUNT_ID}:parameter")


# -------------------------------------------------------------------------------------------------- registry logins


def test_a_registry_password_is_invented_per_data_source_and_arguments() -> None:
    ecr = "aws:ecr/getAuthorizationToken:getAuthorizationToken"
    public = "aws:ecrpublic/getAuthorizationToken:getAuthorizationToken"
    password = _result(ecr, {})["password"]
    assert re.fullmatch("preflight-[0-9a-f]{16}", password), password
    assert invokes.invented_token(password) == ecr
    assert _result(public, {})["password"] != password


# ------------------------------------------------------------------------------------------------ invented strings


def test_a_run_reports_what_it_invented_and_forgets_earlier_runs() -> None:
    invokes.start_run()
    first = invokes.invented("aws:x/getA:getA", "one")
    assert re.fullmatch(f"preflight-{HEX10}", first)
    assert invokes.invented_strings() == {first: "aws:x/getA:getA"}
    invokes.start_run()
    second = invokes.invented("aws:x/getB:getB", "two")
    assert invokes.invented_strings() == {second: "aws:x/getB:getB"}
    assert invokes.invented_token(first) == "aws:x/getA:getA"  # still recognised in this process


def test_invented_strings_are_found_nested_in_mappings_and_lists() -> None:
    value = invokes.invented("aws:x/getA:getA", "nested")
    found = invokes.invented_found({"a": {"b": [value, "plain"]}, "c": (value,), "d": f"arn:{value}:x"})
    assert found == [("aws:x/getA:getA", True)] * 2 + [("aws:x/getA:getA", False)]
    assert invokes.invented_found({"a": ["preflight-zz", 3]}) == []


# ------------------------------------------------------------------------------------------- fabricated strings


def test_a_subnets_result_has_values_of_their_fields_shape() -> None:
    subnet = _result(SUBNET, {})
    ident = subnet["id"].removeprefix("subnet-")
    assert re.fullmatch(HEX10, ident), subnet["id"]
    assert subnet["arn"] == f"arn:aws:ec2:{REGION}:{MOCK_ACCOUNT_ID}:subnet/{ident}"
    assert (subnet["availabilityZone"], subnet["cidrBlock"], subnet["region"]) == (f"{REGION}a", "10.0.0.0/16", REGION)
    assert (subnet["ownerId"], subnet["tags"]) == (MOCK_ACCOUNT_ID, {})
    # its VPC's id is a VPC id (it was named after the data source, "subnet-<ident>")
    assert re.fullmatch(r"vpc-" + HEX10, subnet["vpcId"]), subnet["vpcId"]
    assert (subnet["mapPublicIpOnLaunch"], subnet["availableIpAddressCount"]) == (False, 1)


def test_ec2_data_sources_give_ec2_ids_in_the_apis_shape() -> None:
    """`get_subnets().ids` are subnet ids, `get_security_groups().ids` security group ids (botocore ec2 examples:
    "subnet-7b16de0c", "sg-903004f8"); they were "subnets-<hex>" and "securityGroups-<hex>"."""
    subnets = _result("aws:ec2/getSubnets:getSubnets", {"filters": [{"name": "vpc-id", "values": ["vpc-1"]}]})
    assert len(subnets["ids"]) == 2 and all(re.fullmatch(r"subnet-" + HEX10, i) for i in subnets["ids"])
    assert len(set(subnets["ids"])) == 2
    groups = _result("aws:ec2/getSecurityGroups:getSecurityGroups", {})
    assert all(re.fullmatch(r"sg-" + HEX10, i) for i in groups["ids"]), groups["ids"]
    assert all(re.fullmatch(r"vpc-" + HEX10, i) for i in groups["vpcIds"]), groups["vpcIds"]
    # only ec2's: an `instanceId` of another service keeps its own shape
    assert not _result("aws:connect/getInstance:getInstance", {"instanceAlias": "x"})["id"].startswith("i-")


def test_fabricated_names_follow_the_data_source_and_its_arguments() -> None:
    """The hex part differs by data source (same arguments) and by arguments (same data source)."""
    ids = [_result(SUBNET, {})["id"], _result(SUBNET, {"id": 7})["id"], _result("aws:ec2/getVpc:getVpc", {})["id"]]
    assert len({i.rsplit("-", 1)[-1] for i in ids}) == 3, ids


def test_a_fabricated_arn_has_the_shape_of_the_data_sources_resource_type() -> None:
    """`aws:iam/getOpenIdConnectProvider` reads an `aws:iam/openIdConnectProvider`, whose ARN names `oidc-provider`
    (preflight/arn_shapes.py, from the Service Authorization Reference)."""
    provider = _result("aws:iam/getOpenIdConnectProvider:getOpenIdConnectProvider", {})
    assert re.fullmatch(f"arn:aws:iam::{MOCK_ACCOUNT_ID}:oidc-provider/{HEX10}", provider["arn"]), provider["arn"]


def test_a_result_fields_nesting_counts_from_the_top() -> None:
    """A list of results holding lists of results: the inner elements are three levels down, so empty."""
    authority = _result("aws:acmpca/getCertificateAuthority:getCertificateAuthority", {})
    assert authority["revocationConfigurations"][0] == {"crlConfigurations": [{}, {}], "ocspConfigurations": [{}, {}]}


def test_a_token_without_three_parts_has_no_fields_and_no_error() -> None:
    assert invoke_result("aws:odd", {}, REGION) == {}
    assert invoke_result("odd", {}, REGION) == {}


CTX = _Context(SUBNET, {}, REGION)
IDENT = CTX.ident
ARN = CTX.arn


@pytest.mark.parametrize(
    ("name", "index", "expected"),
    [
        ("accountId", 1, MOCK_ACCOUNT_ID),
        ("Region", 0, REGION),
        ("arn", 0, ARN),
        ("roleArn", 1, f"{ARN}-1"),
        ("targetArns", 2, f"{ARN}-2"),
        ("policyJson", 0, "{}"),
        ("assumeRolePolicy", 0, "{}"),
        ("PolicyDocument", 0, "{}"),
        ("dnsEndpoint", 1, f"https://{IDENT}-1.{REGION}.amazonaws.com"),
        ("invokeURL", 0, f"https://{IDENT}.{REGION}.amazonaws.com"),
        ("vpcCidrBlock", 1, "10.1.0.0/16"),
        ("sourceCIDR", 0, "10.0.0.0/16"),
        ("AvailabilityZone", 1, f"{REGION}b"),
        ("zones", 7, f"{REGION}b"),
        ("availabilityZoneId", 1, "euw1-az1"),
        ("zoneIds", 0, "euw1-az3"),
        ("zoneId", 0, f"subnet-{IDENT}"),
        ("timeZone", 0, f"subnet-{IDENT}"),
        ("hostedZone", 0, f"subnet-{IDENT}"),
        ("Hosted_Zone", 0, f"subnet-{IDENT}"),
        ("description", 0, f"subnet-{IDENT}"),
        ("description", 3, f"subnet-{IDENT}-3"),
    ],
)
def test_a_string_is_shaped_by_its_fields_name(name: str, index: int, expected: str) -> None:
    assert _string(name, CTX, index) == expected


# --------------------------------------------------------------------------------------- nesting, lists, optionals


class Bottom:
    """Result classes as the SDK writes them (`@pulumi.getter(name=...)` on properties), nested four deep."""

    @property
    @pulumi.getter(name="leafName")
    def leaf_name(self) -> str:
        raise NotImplementedError  # read for its annotation only


class Low:
    @property
    @pulumi.getter(name="child")
    def child(self) -> Bottom:
        raise NotImplementedError  # read for its annotation only

    @property
    @pulumi.getter(name="lowName")
    def low_name(self) -> str:
        raise NotImplementedError  # read for its annotation only


class Mid:
    @property
    @pulumi.getter(name="child")
    def child(self) -> Low:
        raise NotImplementedError  # read for its annotation only

    @property
    @pulumi.getter(name="items")
    def items(self) -> Sequence[Bottom]:
        raise NotImplementedError  # read for its annotation only


class Top:
    @property
    @pulumi.getter(name="child")
    def child(self) -> Mid:
        raise NotImplementedError  # read for its annotation only

    @property
    @pulumi.getter(name="topName")
    def top_name(self) -> str:
        raise NotImplementedError  # read for its annotation only


def test_nested_results_stop_three_levels_down() -> None:
    name = f"subnet-{IDENT}"
    assert _value(Top, "top", CTX, 0) == {
        "child": {
            "child": {"child": {}, "lowName": name},
            "items": [{}, {}],  # a list two levels down: its elements are three down
        },
        "topName": name,
    }
    assert _value(Top, "top", CTX, 0, index=1)["topName"] == f"{name}-1"


def test_lists_are_two_elements_and_stop_three_levels_down() -> None:
    name = f"subnet-{IDENT}"
    assert _value(list[str], "x", CTX, 0) == [name, f"{name}-1"]
    assert _value(typing.Sequence, "x", CTX, 0) == [name, f"{name}-1"]  # no element type: strings
    assert _value(Sequence[Sequence[Sequence[Sequence[str]]]], "x", CTX, 0) == [[[[], []], [[], []]]] * 2
    assert _value(list[str], "x", CTX, 3) == []
    assert _value(typing.Optional[list[str]], "x", CTX, 0) == [name, f"{name}-1"]  # noqa: UP045 (the SDK's spelling)
    assert _value(typing.Optional[Bottom], "x", CTX, 0) == {"leafName": name}  # noqa: UP045
    assert _value(typing.Optional[Sequence[Bottom]], "x", CTX, 0) == [{"leafName": name}, {"leafName": f"{name}-1"}]  # noqa: UP045


def test_a_top_level_string_has_no_position_suffix() -> None:
    assert _value(str, "description", CTX, 0) == f"subnet-{IDENT}"


def test_mappings_are_empty_and_unknown_annotations_unset() -> None:
    assert _value(Mapping[str, str], "tags", CTX, 0) == {}
    assert _value(dict[str, int], "tags", CTX, 0) == {}
    assert _value(typing.Literal["a"], "x", CTX, 0) is None


@pytest.mark.parametrize(
    ("value", "annotation", "conforms"),
    [
        ({}, Bottom, True),
        ("x", Bottom, False),
        ({"a": "b"}, dict[str, str], True),
        ("x", Mapping[str, str], False),
        ({"a": "b"}, typing.Literal["a"], False),
        (["x"], Sequence[str], True),
        (True, int, False),
        ("x", typing.Optional[str], True),  # noqa: UP045
    ],
)
def test_an_echoed_argument_must_have_the_fields_type(value: Any, annotation: Any, conforms: bool) -> None:
    assert _conforms(value, annotation) is conforms


def test_only_a_union_with_none_is_optional() -> None:
    assert _is_optional(typing.Optional[str]) is True  # noqa: UP045
    assert _is_optional(typing.Union[int, str]) is False  # noqa: UP007
    assert _is_optional(str) is False


def test_a_result_field_of_a_nested_type_is_cut_at_the_same_depth_from_the_top() -> None:
    """typed_result starts fabricating at depth 0: a list of nested results three levels down is empty."""
    name = f"subnet-{IDENT}"
    assert _value(Sequence[Top], "x", CTX, 0)[1]["topName"] == f"{name}-1"
    assert _value(Sequence[Top], "x", CTX, 0)[0]["child"]["child"] == {}


# --------------------------------------------------------------------------------- get_policy_document as rendered


def _statements(args: Mapping[str, Any]) -> list[dict[str, Any]]:
    document = json.loads(invokes.policy_document_json(args))
    assert document["Version"] == (args.get("version") or "2012-10-17")
    statements: list[dict[str, Any]] = document["Statement"]
    return statements


def test_a_statements_blocks_are_rendered_with_iam_names() -> None:
    statement = {
        "sid": "All",
        "effect": "Deny",
        "notActions": ["s3:GetObject"],
        "resources": ["arn:b", "arn:a"],
        "notResources": ["arn:c"],
        "notPrincipals": [{"type": "AWS", "identifiers": ["arn:aws:iam::111122223333:root"]}],
        "conditions": [
            {"test": "StringEquals", "variable": "aws:PrincipalOrgID", "values": ["o-1"]},
            {"test": "StringEquals", "variable": "aws:PrincipalOrgID", "values": ["o-2", "o-1"]},
            {"test": "Bool", "variable": "aws:SecureTransport", "values": "false"},
            {"test": "Null", "variable": "aws:SourceVpc"},
        ],
    }
    assert _statements({"statements": [statement], "version": "2008-10-17"}) == [
        {
            "Sid": "All",
            "Effect": "Deny",
            "NotAction": "s3:GetObject",
            "Resource": ["arn:a", "arn:b"],
            "NotResource": "arn:c",
            "NotPrincipal": {"AWS": "arn:aws:iam::111122223333:root"},
            "Condition": {
                "StringEquals": {"aws:PrincipalOrgID": ["o-1", "o-2", "o-1"]},
                "Bool": {"aws:SecureTransport": "false"},
                "Null": {"aws:SourceVpc": []},
            },
        }
    ]


def test_a_dict_statement_with_python_keys_renders_like_the_typed_args() -> None:
    """Review s10 #2: a plain dict keeps its snake_case keys on the wire (invokes carry no type to translate
    them) and the provider maps them to the same Terraform names, so `not_actions` is NotAction, not dropped."""
    camel = {
        "effect": "Allow",
        "notActions": ["iam:DeleteRole"],
        "notResources": ["arn:aws:s3:::b"],
        "notPrincipals": [{"type": "AWS", "identifiers": ["arn:aws:iam::111122223333:role/blocked"]}],
        "conditions": [{"test": "StringEquals", "variable": "aws:PrincipalOrgID", "values": ["o-1"]}],
    }
    snake = {
        "effect": "Allow",
        "not_actions": ["iam:DeleteRole"],
        "not_resources": ["arn:aws:s3:::b"],
        "not_principals": [{"type": "AWS", "identifiers": ["arn:aws:iam::111122223333:role/blocked"]}],
        "conditions": [{"test": "StringEquals", "variable": "aws:PrincipalOrgID", "values": ["o-1"]}],
    }
    rendered = _statements({"statements": [camel]})
    assert rendered == _statements({"statements": [snake]})
    assert rendered == [
        {
            "Effect": "Allow",
            "NotAction": "iam:DeleteRole",
            "NotResource": "arn:aws:s3:::b",
            "NotPrincipal": {"AWS": "arn:aws:iam::111122223333:role/blocked"},
            "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-1"}},
        }
    ]


def test_principals_of_one_type_merge_and_everyone_is_a_star() -> None:
    principals = [
        {"type": "AWS", "identifiers": ["arn:one", "arn:two"]},
        {"type": "AWS", "identifiers": "arn:one"},
        {"type": "Service", "identifiers": ["lambda.amazonaws.com"]},
    ]
    [merged] = _statements({"statements": [{"actions": ["sts:AssumeRole"], "principals": principals}]})
    assert merged["Principal"] == {"AWS": ["arn:one", "arn:two"], "Service": "lambda.amazonaws.com"}
    [everyone] = _statements({"statements": [{"principals": [{"type": "*", "identifiers": ["*"]}]}]})
    assert everyone == {"Effect": "Allow", "Principal": "*"}
    [aws_star] = _statements({"statements": [{"principals": [{"type": "AWS", "identifiers": ["*"]}]}]})
    assert aws_star["Principal"] == {"AWS": "*"}


def test_documents_merge_by_sid_and_keep_statements_without_one() -> None:
    source = json.dumps(
        {
            "Statement": [
                {"Sid": "A", "Effect": "Allow", "Action": "a:1"},
                {"Sid": "B", "Effect": "Allow", "Action": "b:1"},
                {"Effect": "Allow", "Action": "plain:1"},
            ]
        }
    )
    single = json.dumps({"Statement": {"Effect": "Allow", "Action": "single:1"}})
    override = json.dumps({"Statement": [{"Sid": "B", "Effect": "Deny", "Action": "b:2"}]})
    statements = _statements(
        {
            "sourcePolicyDocuments": ["not json", source, single, 7],
            "statements": [{"actions": ["plain:2"]}],
            "overridePolicyDocuments": [override],
        }
    )
    assert [s.get("Sid", s["Action"]) for s in statements] == ["A", "B", "plain:1", "single:1", "plain:2"]
    assert statements[1] == {"Sid": "B", "Effect": "Deny", "Action": "b:2"}
