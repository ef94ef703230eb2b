"""The Terraform-plan bridge on hand-built graphs (bench/MUTATION.md run J2): every part of one resource's
planned value, change and configuration, references from known and unknown (preview) values, nested lists of ids,
what the SDK's shapes decide (a map or an empty block list the value alone cannot tell), JSON-text fields given as
data, secrets, assets and the plan's own fields; no synthesis, so each mutant is judged in milliseconds."""
# ruff: noqa: E501  (expected plans read as tables)

from __future__ import annotations

import json
from typing import Any

import pytest

from preflight.graph import UNKNOWN, ResourceGraph, ResourceNode
from preflight.tfplan import graph_to_tfplan, singular, tf_identifier
from preflight.tfplan.convert import (
    AWS_PROVIDER,
    AddressEntry,
    TfPlan,
    _link_targets,
    _reference_attribute,
    _sensitive,
    _special,
    unknown_inputs,
)

ACCOUNT = "111122223333"


def node(
    type_: str,
    name: str,
    inputs: dict[str, Any],
    outputs: dict[str, Any] | None = None,
    id_: str = "",
    deps: dict[str, list[str]] | None = None,
) -> ResourceNode:
    urn = f"urn:pulumi:dev::p::{type_}::{name}"
    return ResourceNode(
        urn=urn, type=type_, name=name, custom=True, parent="", provider="", inputs=inputs,
        outputs={"urn": urn, **(outputs or {})}, id=id_, property_dependencies={k: tuple(v) for k, v in (deps or {}).items()},
    )  # fmt: skip


SG = node(
    "aws:ec2/securityGroup:SecurityGroup",
    "web",
    {"name": "web-sg", "tags": {"team": "ai", "pending": UNKNOWN}},
    {"arn": f"arn:aws:ec2:us-east-1:{ACCOUNT}:security-group/sg-0123", "name": "web-sg", "ownerId": ACCOUNT},
    id_="sg-0123",
)
SERVER = node(
    "aws:ec2/instance:Instance",
    "server",
    {
        "__defaults": ["ami"],
        "ami": "ami-1",
        "vpcSecurityGroupIds": ["sg-0123", "sg-other"],
        "rootBlockDevice": {"volumeSize": 8.0, "kmsKeyId": UNKNOWN},
    },
    deps={"vpcSecurityGroupIds": [SG.urn]},
)
ROLE = node(
    "aws:iam/role:Role", "fn-role", {"name": "fn-role"}, {"arn": f"arn:aws:iam::{ACCOUNT}:role/fn-role"}, id_="fn-role"
)
FN = node(
    "aws:lambda/function:Function",
    "fn",
    {
        "name": "handler",
        "role": f"arn:aws:iam::{ACCOUNT}:role/fn-role",
        "environment": {"variables": {"TOKEN": "[secret]", "LEVEL": "INFO", "WAIT": UNKNOWN}},
        "code": {"__asset": True, "path": "app.zip"},
    },
    {"arn": f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:handler"},
    id_="handler",
    deps={"role": [ROLE.urn]},
)
PERMISSION = node(
    "aws:lambda/permission:Permission",
    "invoke",
    {"function": UNKNOWN, "action": "lambda:InvokeFunction", "principal": "events.amazonaws.com"},
    deps={"function": [FN.urn]},
)
PET = node("random:index/randomPet:RandomPet", "pet", {"length": 2.0})
GRAPH = ResourceGraph(
    project="p", stack="dev", resources=[SG, SERVER, ROLE, FN, PERMISSION, PET], config={"aws:region": "eu-west-1"}
)


def _by_address(items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {item["address"]: item for item in items}


def test_one_resource_planned_changed_and_configured_field_by_field() -> None:
    plan = graph_to_tfplan(GRAPH).plan
    common = {
        "address": "aws_lambda_permission.invoke",
        "mode": "managed",
        "type": "aws_lambda_permission",
        "name": "invoke",
    }
    values = {"function_name": None, "action": "lambda:InvokeFunction", "principal": "events.amazonaws.com"}
    assert _by_address(plan["planned_values"]["root_module"]["resources"])["aws_lambda_permission.invoke"] == {
        **common,
        "provider_name": AWS_PROVIDER,
        "schema_version": 0,
        "values": values,
        "sensitive_values": {},
    }
    assert _by_address(plan["resource_changes"])["aws_lambda_permission.invoke"] == {
        **common, "provider_name": AWS_PROVIDER,
        "change": {"actions": ["create"], "before": None, "after": values, "after_unknown": {"function_name": True, "id": True, "arn": True}, "before_sensitive": False, "after_sensitive": {}},
    }  # fmt: skip
    # the unknown function (a preview) is named after its attribute: function_name takes an id
    assert _by_address(plan["configuration"]["root_module"]["resources"])["aws_lambda_permission.invoke"] == {
        **common, "provider_config_key": "aws", "schema_version": 0,
        "expressions": {"action": {"constant_value": "lambda:InvokeFunction"}, "principal": {"constant_value": "events.amazonaws.com"}, "function_name": {"references": ["aws_lambda_function.fn.id", "aws_lambda_function.fn"]}},
    }  # fmt: skip


def test_the_plans_own_fields() -> None:
    tfplan = graph_to_tfplan(GRAPH)
    plan = tfplan.plan
    assert {k: v for k, v in plan.items() if k not in ("planned_values", "resource_changes", "configuration")} == {
        "format_version": "1.2",
        "terraform_version": "1.9.0",
        "applyable": True,
        "complete": True,
        "errored": False,
    }
    assert plan["configuration"]["provider_config"] == {
        "aws": {"name": "aws", "full_name": AWS_PROVIDER, "expressions": {"region": {"constant_value": "eu-west-1"}}}
    }
    assert tfplan.addresses["aws_iam_role.fn_role"] == AddressEntry(
        address="aws_iam_role.fn_role", urn=ROLE.urn, name="fn-role", type="aws:iam/role:Role"
    )
    assert tfplan.not_scanned == ["random:index/randomPet:RandomPet"]
    assert tfplan.not_scanned_resources == tfplan.no_checks_resources == [PET.urn]  # state only: no check could apply
    default = graph_to_tfplan(ResourceGraph(project="p", stack="dev", resources=[ROLE]))
    # No aws:region in the stack config: the plan states no region (the deploying environment decides it,
    # preflight/regions.py), never one the program did not give.
    assert default.plan["configuration"]["provider_config"] == {"aws": {"name": "aws", "full_name": AWS_PROVIDER}}


def test_values_unknowns_secrets_and_references() -> None:
    plan = graph_to_tfplan(GRAPH).plan
    values = {a: r["values"] for a, r in _by_address(plan["planned_values"]["root_module"]["resources"]).items()}
    sensitive = {
        a: r["sensitive_values"] for a, r in _by_address(plan["planned_values"]["root_module"]["resources"]).items()
    }
    changes = {a: r["change"] for a, r in _by_address(plan["resource_changes"]).items()}
    config = {a: r["expressions"] for a, r in _by_address(plan["configuration"]["root_module"]["resources"]).items()}
    assert values["aws_security_group.web"] == {"name": "web-sg", "tags": {"team": "ai", "pending": None}}
    assert changes["aws_security_group.web"]["after_unknown"] == {"tags": {"pending": True}, "id": True, "arn": True}
    # a list of ids: the linked one null (known after apply), one expression for the list; a nested block is a list
    assert values["aws_instance.server"] == {
        "ami": "ami-1",
        "vpc_security_group_ids": [None, "sg-other"],
        "root_block_device": [{"volume_size": 8, "kms_key_id": None}],
    }
    assert changes["aws_instance.server"]["after_unknown"] == {
        "root_block_device": [{"kms_key_id": True}],
        "vpc_security_group_ids": [True, False],
        "id": True,
        "arn": True,
    }
    assert sensitive["aws_instance.server"] == {"vpc_security_group_ids": [False, False], "root_block_device": [{}]}
    assert config["aws_instance.server"] == {
        "vpc_security_group_ids": {"references": ["aws_security_group.web.id", "aws_security_group.web"]},
        "ami": {"constant_value": "ami-1"},
    }
    # a known ARN is matched to the role's output; the asset is its path; the secret is never its value
    assert values["aws_lambda_function.fn"] == {
        "function_name": "handler",
        "role": None,
        "environment": [{"variables": {"TOKEN": "[secret]", "LEVEL": "INFO", "WAIT": None}}],
        "filename": "app.zip",
    }
    assert (
        sensitive["aws_lambda_function.fn"]
        == changes["aws_lambda_function.fn"]["after_sensitive"]
        == {"environment": [{"variables": {"TOKEN": True}}]}
    )
    assert changes["aws_lambda_function.fn"]["after_unknown"] == {
        "environment": [{"variables": {"WAIT": True}}],
        "role": True,
        "id": True,
        "arn": True,
    }
    assert config["aws_lambda_function.fn"] == {
        "function_name": {"constant_value": "handler"},
        "filename": {"constant_value": "app.zip"},
        "role": {"references": ["aws_iam_role.fn_role.arn", "aws_iam_role.fn_role"]},
    }
    assert config["aws_iam_role.fn_role"] == {"name": {"constant_value": "fn-role"}}


def test_only_keeps_the_named_resources_with_their_whole_graph_addresses() -> None:
    tfplan = graph_to_tfplan(GRAPH, only=[PERMISSION.urn])
    assert [r["address"] for r in tfplan.plan["resource_changes"]] == ["aws_lambda_permission.invoke"]
    assert list(tfplan.addresses) == ["aws_lambda_permission.invoke"]


def test_nested_ids_in_blocks_and_lists() -> None:
    sg2 = node(
        "aws:ec2/securityGroup:SecurityGroup",
        "svc",
        {},
        {"arn": "arn:aws:ec2:us-east-1:1:security-group/sg-0456", "name": "svc", "ownerId": "x1"},
        id_="sg-0456",
    )
    svc = node(
        "aws:ecs/service:Service",
        "app",
        {
            "networkConfiguration": {
                "subnets": ["subnet-1"],
                "securityGroups": ["sg-0456", "arn:aws:ec2:us-east-1:1:security-group/sg-0456"],
            },
            "name": "svc",
        },
        deps={"networkConfiguration": [sg2.urn, "urn:pulumi:dev::p::gone::x"], "name": [sg2.urn]},
    )
    plan = graph_to_tfplan(ResourceGraph(project="p", stack="dev", resources=[sg2, svc])).plan
    change = _by_address(plan["resource_changes"])["aws_ecs_service.app"]["change"]
    assert change["after"]["network_configuration"] == [{"subnets": ["subnet-1"], "security_groups": [None, None]}]
    assert change["after_unknown"]["network_configuration"] == [{"security_groups": [True, True]}]
    assert _by_address(plan["configuration"]["root_module"]["resources"])["aws_ecs_service.app"]["expressions"] == {
        "network_configuration": [{"security_groups": {"references": ["aws_security_group.svc.id", "aws_security_group.svc", "aws_security_group.svc.arn", "aws_security_group.svc"]}}],
        # a known value equal to the dependency's name output: named after that output
        "name": {"references": ["aws_security_group.svc.name", "aws_security_group.svc"]},
    }  # fmt: skip


def test_what_the_sdk_shapes_decide() -> None:
    queue = node(
        "aws:sqs/queue:Queue",
        "q",
        {
            "__defaults": [],
            "policy": {"Version": "2012-10-17", "Statement": []},
            "redrivePolicy": ["a", 1],
            "tags": {"plain": "x", "nested": {"k": "v"}, "asset": {"__asset": True, "path": "f.txt"}, "later": UNKNOWN},
        },
    )
    instance = node(
        "aws:ec2/instance:Instance",
        "i",
        {
            "volumeTags": {"team": "ai"},
            "ebsBlockDevices": [],
            "networkInterfaces": [{"deviceIndex": 0.0, "networkInterfaceId": UNKNOWN}, {"deviceIndex": 1.0}],
            "rootBlockDevice": {"volumeSize": 8.0},
        },
    )
    fn = node("aws:lambda/function:Function", "fn", {"name": UNKNOWN, "environment": {"variables": {"A": UNKNOWN}}})
    plan = graph_to_tfplan(ResourceGraph(project="p", stack="dev", resources=[queue, instance, fn])).plan
    values = [r["values"] for r in plan["planned_values"]["root_module"]["resources"]]
    unknowns = [r["change"]["after_unknown"] for r in plan["resource_changes"]]
    # JSON-text fields given as data are JSON text; a map keeps its keys, a nested value in it as is
    assert values[0] == {
        "policy": '{"Version": "2012-10-17", "Statement": []}',
        "redrive_policy": '["a", 1]',
        "tags": {"plain": "x", "nested": {"k": "v"}, "asset": "f.txt", "later": None},
    }
    # volumeTags is a map only by its shape, ebsBlockDevices a block list (singular) only by its shape
    assert values[1] == {
        "volume_tags": {"team": "ai"},
        "ebs_block_device": [],
        "network_interface": [{"device_index": 0, "network_interface_id": None}, {"device_index": 1}],
        "root_block_device": [{"volume_size": 8}],
    }
    assert values[2] == {"function_name": None, "environment": [{"variables": {"A": None}}]}
    assert unknowns == [
        {"tags": {"later": True}, "id": True, "arn": True},
        {"network_interface": [{"network_interface_id": True}, False], "id": True, "arn": True},
        {"function_name": True, "environment": [{"variables": {"A": True}}], "id": True, "arn": True},
    ]
    assert unknown_inputs(queue) == [("tags", ("tags", "later"))]
    assert unknown_inputs(instance) == [("networkInterfaces", ("network_interface", "0", "network_interface_id"))]
    assert unknown_inputs(fn) == [("name", ("function_name",)), ("environment", ("environment", "0", "variables", "A"))]
    assert unknown_inputs(fn, {"__defaults": [UNKNOWN], "role": UNKNOWN}) == [("role", ("role",))]


@pytest.mark.parametrize(
    ("value", "dependency", "tf_key", "attribute"),
    [
        ("sg-1", node("t:m:T", "d", {}, {"arn": "a-1"}, id_="sg-1"), "x", "id"),
        ("n-1", node("t:m:T", "d", {}, {"arn": "a-1", "bucketName": "n-1"}, id_="i-1"), "x_arn", "bucket_name"),
        (node("t:m:T", "d", {}).urn, node("t:m:T", "d", {}, id_="i-1"), "role", "arn"),  # the urn output is no attribute
        (UNKNOWN, node("t:m:T", "d", {}, {"arn": UNKNOWN}, id_=UNKNOWN), "role", "arn"),
        ("", node("t:m:T", "d", {}, {"arn": ""}), "target_arn", "arn"),
        (5, node("t:m:T", "d", {}, {"arn": 5}), "arn", "arn"),
        (UNKNOWN, node("t:m:T", "d", {}), "kms_key_arn", "arn"),
        (UNKNOWN, node("t:m:T", "d", {}, {"id": UNKNOWN}, id_="i-1"), "function_name", "id"),
        ("other", node("t:m:T", "d", {}, {"arn": "a-1"}, id_="i-1"), "bucket", "id"),
    ],
    ids=["id", "output", "urn", "unknown_role", "empty", "number", "unknown_arn", "unknown_id", "unmatched"],
)  # fmt: skip
def test_reference_attribute(value: Any, dependency: ResourceNode, tf_key: str, attribute: str) -> None:
    assert _reference_attribute(value, dependency, tf_key) == attribute


def test_names_and_identifiers() -> None:
    assert [singular(n) for n in ("addresses", "matches", "hashes", "boxes", "class", "status", "analysis", "rules", "policies")] == [
        "address", "match", "hash", "box", "class", "status", "analysis", "rule", "policy"]  # fmt: skip
    assert [tf_identifier(n) for n in ("X-ray", "_a_", "9lives", "--")] == ["X_ray", "a", "r_9lives", "resource"]


def test_special_values_and_sensitive_shape() -> None:
    assert _special({"__asset": True}) == (True, None)
    assert _special({"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", "value": "x"}) == (
        True,
        "[secret]",
    )
    asset = "c44067f5952c0a294b673a41bacd8c17"
    assert _special({"4dabf18193072939515e22adb298388d": asset, "path": "p", "uri": "u", "hash": "h"}) == (True, "p")
    assert _special({"4dabf18193072939515e22adb298388d": asset, "uri": "u", "hash": "h"}) == (True, "u")
    assert _special({"4dabf18193072939515e22adb298388d": asset, "hash": "h"}) == (True, "h")
    assert _special({"path": "p"}) == (False, None)
    value = {"a": "[secret]", "b": "x", "c": {"d": "[secret]", "e": 1}, "f": ["x", "[secret]", {"g": "[secret]"}]}
    assert _sensitive(value) == {"a": True, "c": {"d": True}, "f": [False, True, {"g": True}]}


def test_the_plan_as_json_and_its_address_table() -> None:
    tfplan = TfPlan(
        plan={"b": 1, "a": [2]},
        addresses={"z.b": AddressEntry("z.b", "u2", "b", "T2"), "z.a": AddressEntry("z.a", "u1", "a", "T1")},
    )
    assert tfplan.to_json() == '{\n  "b": 1,\n  "a": [\n    2\n  ]\n}'
    assert list(tfplan.address_table().items()) == [
        ("z.a", {"urn": "u1", "name": "a", "type": "T1"}),
        ("z.b", {"urn": "u2", "name": "b", "type": "T2"}),
    ]


def test_addresses_count_from_two() -> None:
    graph = ResourceGraph(
        project="p", stack="dev", resources=[node("aws:sqs/queue:Queue", n, {}) for n in ("a-b", "a_b", "a.b")]
    )
    assert list(graph_to_tfplan(graph).addresses) == ["aws_sqs_queue.a_b", "aws_sqs_queue.a_b_2", "aws_sqs_queue.a_b_3"]
    assert json.loads(graph_to_tfplan(graph).to_json())["format_version"] == "1.2"


def test_link_targets_are_the_dependencys_known_ids_arns_and_names() -> None:
    dependency = node(
        "aws:s3/bucket:Bucket",
        "b",
        {},
        {"arn": UNKNOWN, "name": "abc", "bucketName": "abcd", "ownerId": 12345, "description": "not-linkable"},
    )
    assert _link_targets(dependency, "aws_s3_bucket.b") == {"abcd": ["aws_s3_bucket.b.bucket_name", "aws_s3_bucket.b"]}
    for unknown_id in ("", UNKNOWN):
        assert _link_targets(node("aws:s3/bucket:Bucket", "b", {}, id_=unknown_id), "aws_s3_bucket.b") == {}
    assert _link_targets(node("aws:s3/bucket:Bucket", "b", {}, id_="b-1"), "aws_s3_bucket.b") == {
        "b-1": ["aws_s3_bucket.b.id", "aws_s3_bucket.b"]
    }


def test_references_skip_the_resource_itself_and_unmapped_dependencies() -> None:
    urn = "urn:pulumi:dev::p::aws:ec2/instance:Instance::self"
    # an unknown block list (a preview) keeps its shape's name; the dependency tried after a skipped one
    server = node(
        "aws:ec2/instance:Instance",
        "self",
        {"ebsBlockDevices": UNKNOWN},
        deps={"ebsBlockDevices": [PET.urn, urn, SG.urn]},
    )
    plan = graph_to_tfplan(ResourceGraph(project="p", stack="dev", resources=[PET, server, SG])).plan
    config = _by_address(plan["configuration"]["root_module"]["resources"])["aws_instance.self"]["expressions"]
    assert config == {"ebs_block_device": {"references": ["aws_security_group.web.id", "aws_security_group.web"]}}


def test_nested_references_after_a_scalar_one_and_an_unmapped_one() -> None:
    sg2 = node("aws:ec2/securityGroup:SecurityGroup", "svc", {}, {"name": "svc-sg"}, id_="sg-0456")
    svc = node(
        "aws:ecs/service:Service",
        "app",
        {
            "name": "svc-sg",
            "loadBalancers": [{"targetGroupArn": "tg-1"}],
            "networkConfiguration": {"securityGroups": ["sg-0456"]},
        },
        deps={"name": [sg2.urn], "loadBalancers": [PET.urn], "networkConfiguration": [sg2.urn]},
    )
    plan = graph_to_tfplan(ResourceGraph(project="p", stack="dev", resources=[PET, sg2, svc])).plan
    assert _by_address(plan["configuration"]["root_module"]["resources"])["aws_ecs_service.app"]["expressions"] == {
        "network_configuration": [{"security_groups": {"references": ["aws_security_group.svc.id", "aws_security_group.svc"]}}],
        "name": {"references": ["aws_security_group.svc.name", "aws_security_group.svc"]},
    }  # fmt: skip


def test_a_type_no_check_reads_is_listed() -> None:
    thing = node("aws:iot/thing:Thing", "t", {})
    assert graph_to_tfplan(ResourceGraph(project="p", stack="dev", resources=[thing, ROLE])).no_checks_resources == [
        thing.urn
    ]


def test_names_and_maps_without_a_shape_and_nested_shapes() -> None:
    queue = node(
        "aws:sqs/queue:Queue",
        "q",
        {
            "extraSettings": "x",
            "variables": {"a": "b"},
            "tags": {"bare": {"__asset": True}},
            "things": ["x", {"__asset": True}],
        },
    )
    role = node("aws:iam/role:Role", "r", {"policy": "text"})
    rules = node(
        "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
        "l",
        {"rules": [{"id": "r", "transitions": []}]},
    )
    cdn = node("aws:cloudfront/distribution:Distribution", "d", {"defaultCacheBehavior": {"functionAssociations": []}})
    plan = graph_to_tfplan(ResourceGraph(project="p", stack="dev", resources=[queue, role, rules, cdn])).plan
    assert [r["values"] for r in plan["planned_values"]["root_module"]["resources"]] == [
        {"extra_settings": "x", "variables": {"a": "b"}, "tags": {"bare": None}, "thing": ["x", None]},
        {"policy": "text"},
        {"rule": [{"id": "r", "transition": []}]},
        {"default_cache_behavior": [{"function_association": []}]},
    ]
    instance = node("aws:ec2/instance:Instance", "i", {"volumeTags": {"a": UNKNOWN}, "ebsBlockDevices": UNKNOWN})
    assert unknown_inputs(instance) == [
        ("volumeTags", ("volume_tags", "a")),
        ("ebsBlockDevices", ("ebs_block_device",)),
    ]


def test_inputs_the_sdk_does_not_name_and_types_without_a_shape() -> None:
    pet = node("random:index/randomPet:RandomPet", "pet", {"length": UNKNOWN})
    assert unknown_inputs(pet) == [("length", ("length",))]
    queue = node("aws:sqs/queue:Queue", "q", {"extraBlocks": [{"a": UNKNOWN}], "variables": {"a": UNKNOWN}})
    assert unknown_inputs(queue) == [("extraBlocks", ("extra_block", "0", "a")), ("variables", ("variables", "a"))]
    sg = node("aws:ec2/securityGroup:SecurityGroup", "web", {}, id_="sg-0123")
    linked = node("aws:sqs/queue:Queue", "l", {"extraBlocks": [{"group": "sg-0123"}]}, deps={"extraBlocks": [sg.urn]})
    plan = graph_to_tfplan(ResourceGraph(project="p", stack="dev", resources=[sg, linked])).plan
    expressions = _by_address(plan["configuration"]["root_module"]["resources"])["aws_sqs_queue.l"]["expressions"]
    assert expressions == {
        "extra_block": [{"group": {"references": ["aws_security_group.web.id", "aws_security_group.web"]}}]
    }
