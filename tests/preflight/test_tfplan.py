"""The Terraform-plan bridge: names, nesting, references and addresses of the exported plan."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pulumi_aws
import pytest

from preflight.graph import UNKNOWN, ResourceGraph, ResourceNode
from preflight.tfplan import TF_TYPES, TfPlan, graph_to_tfplan, singular, snake_case, tf_identifier
from preflight.tfplan.shapes import Kind, shape_of
from tests.policies.conftest import synth

PROGRAM = """
import json
import pulumi
import pulumi_aws as aws

key = aws.kms.Key("data-key", enable_key_rotation=True)
bucket = aws.s3.Bucket("outputs")
aws.s3.BucketPublicAccessBlock("outputs-pab", bucket=bucket.id, block_public_acls=True, block_public_policy=True,
                               ignore_public_acls=True, restrict_public_buckets=True)
aws.s3.BucketServerSideEncryptionConfiguration("outputs-sse", bucket=bucket.id, rules=[{
    "apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms", "kms_master_key_id": key.arn}}])
role = aws.iam.Role("fn-role",
    assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}),
    inline_policies=[{"name": "logs", "policy": json.dumps({"Version": "2012-10-17", "Statement": []})}])
fn = aws.lambda_.Function("handler", name="handler-fn", role=role.arn, runtime="python3.12", handler="app.handler",
    code=pulumi.AssetArchive({"app.py": pulumi.StringAsset("def handler(e, c): return 1")}),
    environment={"variables": {"LOG_LEVEL": "INFO"}}, tracing_config={"mode": "Active"}, tags={"team": "ai"})
aws.lambda_.Permission("handler-invoke", function=fn.name, action="lambda:InvokeFunction",
                       principal="events.amazonaws.com")
aws.dynamodb.Table("sessions", attributes=[{"name": "pk", "type": "S"}], hash_key="pk",
                   billing_mode="PAY_PER_REQUEST", ttl={"enabled": True, "attribute_name": "expires_at"})
aws.cloudwatch.EventRule("rule", event_pattern=json.dumps({"source": ["agentic"]}))
# Two resources of one type with the same logical name (different parents) must get distinct addresses.
class Storage(pulumi.ComponentResource):
    def __init__(self, name):
        super().__init__("agentic:storage:Storage", name)
        aws.sqs.Queue("queue", opts=pulumi.ResourceOptions(parent=self))
class Events(pulumi.ComponentResource):
    def __init__(self, name):
        super().__init__("agentic:events:Events", name)
        aws.sqs.Queue("queue", opts=pulumi.ResourceOptions(parent=self))
Storage("storage")
Events("events")
"""


@pytest.fixture(scope="module")
def graph(tmp_path_factory: pytest.TempPathFactory) -> ResourceGraph:
    # through the policy tests' synth, so a mutation run reads the graph back (AGENTIC_TEST_GRAPH_CACHE,
    # bench/MUTATION.md) instead of synthesising in each mutant's forked process
    return synth(tmp_path_factory.mktemp("tfplan"), PROGRAM)


@pytest.fixture
def tfplan(graph: ResourceGraph) -> TfPlan:
    # converted per test (milliseconds): mutmut credits a module fixture's calls to the first test only
    return graph_to_tfplan(graph)


def _values(plan: TfPlan, address: str) -> dict[str, Any]:
    for resource in plan.plan["planned_values"]["root_module"]["resources"]:
        if resource["address"] == address:
            return dict(resource["values"])
    raise AssertionError(f"{address} not in the plan")


def _config(plan: TfPlan, address: str) -> dict[str, Any]:
    for resource in plan.plan["configuration"]["root_module"]["resources"]:
        if resource["address"] == address:
            return dict(resource["expressions"])
    raise AssertionError(f"{address} not in the configuration")


def _change(plan: TfPlan, address: str) -> dict[str, Any]:
    for resource in plan.plan["resource_changes"]:
        if resource["address"] == address:
            return dict(resource["change"])
    raise AssertionError(f"{address} not in resource_changes")


@pytest.mark.parametrize(
    ("camel", "snake"),
    [
        ("kmsMasterKeyId", "kms_master_key_id"),
        ("s3Bucket", "s3_bucket"),
        ("name", "name"),
        ("applyServerSideEncryptionByDefault", "apply_server_side_encryption_by_default"),
        ("blockPublicAcls", "block_public_acls"),
    ],
)
def test_snake_case(camel: str, snake: str) -> None:
    assert snake_case(camel) == snake


@pytest.mark.parametrize(
    ("plural", "tf_name"),
    [
        ("rules", "rule"),
        ("inline_policies", "inline_policy"),  # bridge-metadata: "inlinePolicies": "inline_policy"
        ("global_secondary_indexes", "global_secondary_index"),
        ("filters_configs", "filters_config"),
        ("ingress", "ingress"),
        ("production_variants", "production_variants"),  # a Terraform block that is plural itself
        ("status", "status"),
        ("aliases", "alias"),  # aws_route53_record's `alias` block, Pulumi `aliases` (not `aliase`)
        ("statuses", "status"),
    ],
)
def test_singular(plural: str, tf_name: str) -> None:
    assert singular(plural) == tf_name


@pytest.mark.parametrize(
    ("name", "ident"),
    [("outputs-bucket", "outputs_bucket"), ("9lives", "r_9lives"), ("a.b/c", "a_b_c"), ("---", "resource")],
)
def test_tf_identifier(name: str, ident: str) -> None:
    assert tf_identifier(name) == ident
    assert re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", tf_identifier(name))


def test_every_table_token_exists_in_the_installed_sdk() -> None:
    source = Path(pulumi_aws.__file__).read_text(encoding="utf-8")
    tokens = set(re.findall(r'"(aws:[A-Za-z0-9]+/[A-Za-z0-9]+:[A-Za-z0-9]+)"', source))
    missing = sorted(t for t in TF_TYPES if t not in tokens)
    assert missing == []
    assert all(re.fullmatch(r"aws_[a-z0-9_]+", tf) for tf in TF_TYPES.values())


def test_shapes_come_from_the_sdk() -> None:
    shape = shape_of("aws:lambda/function:Function")
    assert shape is not None
    assert shape["tracingConfig"].kind is Kind.BLOCK
    assert shape["tags"].kind is Kind.MAP
    assert shape["layers"].kind is Kind.LIST
    table = shape_of("aws:dynamodb/table:Table")
    assert table is not None
    assert table["attributes"].kind is Kind.BLOCK_LIST
    assert shape_of("random:index/randomPet:RandomPet") is None


def test_plan_has_the_terraform_plan_layout(tfplan: TfPlan) -> None:
    plan = tfplan.plan
    assert plan["format_version"] == "1.2"
    planned = plan["planned_values"]["root_module"]["resources"]
    assert len(planned) == len(plan["resource_changes"]) == len(plan["configuration"]["root_module"]["resources"])
    assert all(r["mode"] == "managed" and r["provider_name"].endswith("hashicorp/aws") for r in planned)
    assert plan["configuration"]["provider_config"]["aws"]["expressions"]["region"] == {"constant_value": "us-east-1"}
    json.loads(tfplan.to_json())


def test_nested_blocks_are_lists_and_maps_stay_maps(tfplan: TfPlan) -> None:
    values = _values(tfplan, "aws_lambda_function.handler")
    assert values["tracing_config"] == [{"mode": "Active"}]
    assert values["environment"] == [{"variables": {"LOG_LEVEL": "INFO"}}]
    assert values["tags"] == {"team": "ai"}
    table = _values(tfplan, "aws_dynamodb_table.sessions")
    assert table["attribute"] == [{"name": "pk", "type": "S"}]
    assert table["ttl"] == [{"enabled": True, "attribute_name": "expires_at"}]


def test_bridge_renames_are_undone(tfplan: TfPlan) -> None:
    function = _values(tfplan, "aws_lambda_function.handler")
    assert function["function_name"] == "handler-fn"  # Pulumi `name`
    assert "name" not in function
    assert "function_name" in _values(tfplan, "aws_lambda_permission.handler_invoke")  # Pulumi `function`
    role = _values(tfplan, "aws_iam_role.fn_role")
    assert role["inline_policy"][0]["name"] == "logs"
    sse = _values(tfplan, "aws_s3_bucket_server_side_encryption_configuration.outputs_sse")
    assert sse["rule"][0]["apply_server_side_encryption_by_default"][0]["sse_algorithm"] == "aws:kms"


def test_policy_documents_are_json_strings(tfplan: TfPlan) -> None:
    role = _values(tfplan, "aws_iam_role.fn_role")
    assert json.loads(role["assume_role_policy"])["Statement"][0]["Action"] == "sts:AssumeRole"
    assert isinstance(_values(tfplan, "aws_cloudwatch_event_rule.rule")["event_pattern"], str)


def test_property_dependencies_become_references(tfplan: TfPlan) -> None:
    address = "aws_s3_bucket_public_access_block.outputs_pab"
    assert _config(tfplan, address)["bucket"] == {"references": ["aws_s3_bucket.outputs.id", "aws_s3_bucket.outputs"]}
    assert _values(tfplan, address)["bucket"] is None
    assert _change(tfplan, address)["after_unknown"]["bucket"] is True
    assert _config(tfplan, address)["block_public_acls"] == {"constant_value": True}
    lambda_role = _config(tfplan, "aws_lambda_function.handler")["role"]
    assert lambda_role == {"references": ["aws_iam_role.fn_role.arn", "aws_iam_role.fn_role"]}


def test_addresses_are_unique_and_map_back(tfplan: TfPlan) -> None:
    addresses = [r["address"] for r in tfplan.plan["planned_values"]["root_module"]["resources"]]
    assert len(addresses) == len(set(addresses))
    assert {"aws_sqs_queue.queue", "aws_sqs_queue.queue_2"} <= set(addresses)
    urns = {tfplan.addresses[a].urn for a in ("aws_sqs_queue.queue", "aws_sqs_queue.queue_2")}
    assert urns == {
        "urn:pulumi:dev::policytest::agentic:storage:Storage$aws:sqs/queue:Queue::queue",
        "urn:pulumi:dev::policytest::agentic:events:Events$aws:sqs/queue:Queue::queue",
    }
    table = tfplan.address_table()
    assert table["aws_s3_bucket.outputs"]["type"] == "aws:s3/bucket:Bucket"


def _node(urn_name: str, type_: str, inputs: dict[str, Any], **extra: Any) -> ResourceNode:
    urn = f"urn:pulumi:dev::p::{type_}::{urn_name}"
    return ResourceNode(
        urn=urn, type=type_, name=urn_name, custom=True, parent="", provider="", inputs=inputs, outputs={}, **extra
    )


def test_unmappable_types_are_listed_not_dropped() -> None:
    graph = ResourceGraph(
        project="p",
        stack="dev",
        resources=[
            _node("pet", "random:index/randomPet:RandomPet", {"length": 2}),
            _node("thing", "aws:iot/thing:Thing", {}),  # no checkov check; mapped by the naming rule
            _node("future", "aws:iot/notInThisSdk:NotInThisSdk", {}),  # a token the installed SDK lacks
            _node("q", "aws:sqs/queue:Queue", {}),
            _node("default", "pulumi:providers:aws", {"region": "us-east-1"}),
        ],
    )
    plan = graph_to_tfplan(graph)
    assert plan.not_scanned == ["aws:iot/notInThisSdk:NotInThisSdk", "random:index/randomPet:RandomPet"]
    assert len(plan.not_scanned_resources) == 2
    assert list(plan.addresses) == ["aws_iot_thing.thing", "aws_sqs_queue.q"]


def test_unknown_values_are_null_and_after_unknown() -> None:
    graph = ResourceGraph(
        project="p",
        stack="dev",
        resources=[
            _node("q", "aws:sqs/queue:Queue", {"kmsMasterKeyId": UNKNOWN, "tags": {"a": UNKNOWN}}),
        ],
    )
    plan = graph_to_tfplan(graph)
    values = plan.plan["planned_values"]["root_module"]["resources"][0]["values"]
    unknown = plan.plan["resource_changes"][0]["change"]["after_unknown"]
    assert values["kms_master_key_id"] is None
    assert unknown["kms_master_key_id"] is True
    assert unknown["tags"] == {"a": True}
    assert unknown["arn"] is True


_PROVIDERS = """
import pulumi
import pulumi_aws as aws

use1 = aws.Provider("use1", region="us-east-1")
bare = aws.Provider("bare")
aws.sqs.Queue("here")
aws.sqs.Queue("east", opts=pulumi.ResourceOptions(provider=use1))
aws.sqs.Queue("anywhere", opts=pulumi.ResourceOptions(provider=bare))
"""


def test_each_provider_is_a_provider_block_with_its_own_region(tmp_path: Path) -> None:
    """Terraform writes one configuration per provider, `aws.<alias>`, and each resource names its own
    (`provider_config_key`): a plan claiming the stack's region for every resource told checkov's provider blocks
    a region the program never gave (issue 11)."""
    graph = synth(tmp_path / "p", _PROVIDERS, region="eu-west-1")
    plan = graph_to_tfplan(graph).plan
    full = "registry.terraform.io/hashicorp/aws"
    assert plan["configuration"]["provider_config"] == {
        "aws": {"name": "aws", "full_name": full, "expressions": {"region": {"constant_value": "eu-west-1"}}},
        "aws.use1": {
            "name": "aws",
            "full_name": full,
            "alias": "use1",
            "expressions": {"region": {"constant_value": "us-east-1"}},
        },
        # No region stated: none written (the deploying environment decides; preflight/regions.py).
        "aws.bare": {"name": "aws", "full_name": full, "alias": "bare"},
    }
    keys = {c["address"]: c["provider_config_key"] for c in plan["configuration"]["root_module"]["resources"]}
    assert keys == {"aws_sqs_queue.here": "aws", "aws_sqs_queue.east": "aws.use1", "aws_sqs_queue.anywhere": "aws.bare"}


DOCUMENT_OBJECTS = """
import pulumi
import pulumi_aws as aws

# The SDK takes a policy document as an object too (Union[str, PolicyDocumentArgs]), as
# nuage-studio/pulumi-aws-tracking-pipeline writes its trust policies.
role = aws.iam.Role("firehose", assume_role_policy={"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
    "Principal": {"Service": "firehose.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
aws.iam.RolePolicy("firehose-access", role=role.name, policy={"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["s3:PutObject"], "Resource": "arn:aws:s3:::logs/*"}]})

def is_text(value):
    assert isinstance(value, str), type(value)  # the provider returns the document as JSON text
    return value

pulumi.export("trust", role.assume_role_policy.apply(is_text))
"""


def test_a_policy_document_given_as_an_object_is_json_text(tmp_path: Path) -> None:
    """As output (the SDK refused a dict for the `str` output and the program ended: TransformJSONDocument in
    pulumi-terraform-bridge marshals it) and in the plan, where terraform-provider-aws's `assume_role_policy` and
    `policy` are strings (the export made them blocks: `[{"statement": [{"principal": [...]}]}]`)."""
    plan = graph_to_tfplan(synth(tmp_path, DOCUMENT_OBJECTS))
    trust = _values(plan, "aws_iam_role.firehose")["assume_role_policy"]
    assert isinstance(trust, str)
    assert json.loads(trust)["Statement"][0]["Principal"] == {"Service": "firehose.amazonaws.com"}
    assert json.loads(_values(plan, "aws_iam_role_policy.firehose_access")["policy"])["Statement"][0]["Action"] == [
        "s3:PutObject"
    ]
    assert shape_of("aws:iam/role:Role")["assumeRolePolicy"].kind is Kind.SCALAR  # type: ignore[index]
