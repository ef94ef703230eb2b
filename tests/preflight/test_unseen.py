"""What the gate cannot see is said in every report: multi-language components are findings, reads are notes."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from preflight.findings import Finding, Level, Source
from preflight.gate import run_gate
from preflight.graph import ResourceGraph, ResourceNode, UnrunApply
from preflight.report import render
from preflight.unseen import REMOTE_POLICY, apply_findings, own_output_gaps, own_sources
from tests.preflight.programs import write_program

#: A stand-in for `awsx.ec2.Vpc` (pulumi/examples aws-py-hub-and-spoke-network): what makes it a multi-language
#: component is `remote=True`, which sends the registration to its provider plugin (pulumi/resource.py).
REMOTE = """
import pulumi
import pulumi_aws as aws


class Vpc(pulumi.ComponentResource):
    def __init__(self, name):
        super().__init__("awsx:ec2:Vpc", name, {"cidrBlock": "10.0.0.0/16"}, None, remote=True)


vpc = Vpc("spoke-vpc")
aws.s3.Bucket.get("logs", "central-logs-bucket")
aws.sqs.Queue("queue", opts=pulumi.ResourceOptions(depends_on=[vpc]))
"""


def _gate(tmp_path: Path, stack: str, suppressions: str = "") -> tuple[object, Path]:
    directory = write_program(tmp_path, REMOTE, stack=stack)
    if suppressions:
        (directory / "policies").mkdir()
        (directory / "policies" / "suppressions.yaml").write_text(suppressions, encoding="utf-8")
    return run_gate(directory, stack, checkov=False), directory


@pytest.mark.parametrize(("stack", "level"), [("dev", Level.ADVISORY), ("prod", Level.MANDATORY)])
def test_a_remote_component_is_a_finding_mandatory_in_production(tmp_path: Path, stack: str, level: Level) -> None:
    """Bad case 1 (before): the program failed with exit 2 and no report. Bad case 2 (a naive fix): the component
    registered as an empty grouping and the gate passed a program whose VPC it never saw."""
    report, _ = _gate(tmp_path, stack)
    found = [f for f in report.violations if f.policy == REMOTE_POLICY]  # type: ignore[attr-defined]
    assert [(f.resource, f.type, f.level) for f in found] == [("spoke-vpc", "awsx:ec2:Vpc", level)]
    assert "pulumi-awsx" in found[0].message and "none of them was judged" in found[0].message
    if level is Level.MANDATORY:
        assert report.exit_code == 1  # type: ignore[attr-defined]


def test_every_report_format_names_the_component_and_the_read(tmp_path: Path) -> None:
    report, _ = _gate(tmp_path, "prod")
    for fmt in ("text", "json", "sarif", "markdown"):
        rendered = render(report, fmt)  # type: ignore[arg-type]
        assert REMOTE_POLICY in rendered and "awsx:ec2:Vpc" in rendered, fmt
    data = json.loads(render(report, "json"))  # type: ignore[arg-type]
    assert data["resources"] == 1 and data["passed"] is False  # the queue; neither the component nor the read
    read = "aws:s3/bucket:Bucket 'logs' (id central-logs-bucket) is read, not deployed by this stack"
    assert any(note.startswith(read) for note in data["notes"])
    assert read in render(report, "text")  # type: ignore[arg-type]


def test_a_read_is_neither_judged_nor_priced(tmp_path: Path) -> None:
    """Bad case 1: a read bucket judged as if the program created it (no encryption, no versioning findings)."""
    report, _ = _gate(tmp_path, "dev")
    assert not [f for f in report.violations if f.resource == "logs"]  # type: ignore[attr-defined]


def test_a_reviewed_component_can_be_waived_with_a_reason(tmp_path: Path) -> None:
    waiver = (
        "suppressions:\n"
        f"  - id: {REMOTE_POLICY}\n    resource: spoke-vpc\n    reason: reviewed the awsx VPC preview in change 42\n"
        f"    expires: {(dt.date.today() + dt.timedelta(days=90)).isoformat()}\n"
    )
    report, _ = _gate(tmp_path, "prod", waiver)
    assert [s.finding.policy for s in report.suppressed] == [REMOTE_POLICY]  # type: ignore[attr-defined]


# ------------------------------------------------- issue 11: an unknown the engine's own gap explains is a note

_UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"


def _node(name: str, type_: str = "aws:sqs/queue:Queue", **kw: object) -> ResourceNode:
    return ResourceNode(
        urn=f"urn:pulumi:prod::p::{type_}::{name}",
        type=type_,
        name=name,
        custom=True,
        parent="",
        provider="",
        inputs=kw.pop("inputs", {}),
        outputs={},
        **kw,  # type: ignore[arg-type]
    )


_KEY = _node("key", "aws-native:kms:ReplicaKey")
_AWS_KEY = _node("awskey", "aws:kms/key:Key")
_VPC = "urn:pulumi:prod::p::awsx:ec2:Vpc::vpc"
_READ = _node("logs", "aws:s3/bucket:Bucket")


def _queue(inputs: dict[str, object], deps: dict[str, tuple[str, ...]]) -> ResourceNode:
    return _node("queue", inputs=inputs, property_dependencies=deps)


@pytest.mark.parametrize(
    ("case", "queue", "sources"),
    [
        ("own", _queue({"kmsMasterKeyId": _UNKNOWN}, {"kmsMasterKeyId": (_KEY.urn,)}), (_KEY.urn,)),
        ("nested unknown", _queue({"p": {"a": [_UNKNOWN]}}, {"p": (_KEY.urn,)}), (_KEY.urn,)),
        ("no dependency recorded", _queue({"kmsMasterKeyId": _UNKNOWN}, {}), None),
        ("own pulumi-aws", _queue({"kmsMasterKeyId": _UNKNOWN}, {"kmsMasterKeyId": (_AWS_KEY.urn,)}), None),
        ("a read", _queue({"kmsMasterKeyId": _UNKNOWN}, {"kmsMasterKeyId": (_READ.urn,)}), None),
        ("a remote component", _queue({"kmsMasterKeyId": _UNKNOWN}, {"kmsMasterKeyId": (_VPC,)}), None),
        (
            "own and a read",
            _queue({"a": _UNKNOWN, "b": _UNKNOWN}, {"a": (_KEY.urn,), "b": (_READ.urn,)}),
            None,
        ),
        (
            "a hidden secret",
            _queue({"kmsMasterKeyId": _UNKNOWN, "policy": "[secret]"}, {"kmsMasterKeyId": (_KEY.urn,)}),
            None,
        ),
        ("nothing unknown", _queue({"kmsMasterKeyId": "k"}, {"kmsMasterKeyId": (_KEY.urn,)}), None),
        (
            # review s10 #8: the queue's own (fabricated, known) ARN beside the unknown does not keep the finding
            "own beside own pulumi-aws",
            _queue({"policy": _UNKNOWN}, {"policy": (_AWS_KEY.urn, _KEY.urn)}),
            (_KEY.urn,),
        ),
    ],
)
def test_own_sources_are_only_the_programs_own_custom_resources(
    case: str, queue: ResourceNode, sources: tuple[str, ...] | None
) -> None:
    vpc = ResourceNode(
        urn=_VPC, type="awsx:ec2:Vpc", name="vpc", custom=True, parent="", provider="", inputs={}, outputs={}
    )
    graph = ResourceGraph("p", "prod", [_KEY, _AWS_KEY, vpc, queue], remote_components=[_VPC], reads=[_READ])
    assert own_sources(queue, graph) == sources, case
    finding = Finding(
        "security-value-unknown", Source.CROSSGUARD, Level.MANDATORY, "queue", queue.type, queue.urn, (), "m"
    )
    other = Finding(
        "sqs-queue-kms-encryption", Source.CROSSGUARD, Level.MANDATORY, "queue", queue.type, queue.urn, (), "m"
    )
    notes: list[str] = []
    kept = own_output_gaps(graph, [finding, other], notes)
    assert kept == ([other] if sources else [finding, other])
    assert len(notes) == (1 if sources else 0)


# --- apply-not-run from the program's own resources (review F4) -------------------------------------------------

_REF = "urn:pulumi:prod::p::pulumi:pulumi:StackReference::net"
_REF_NODE = _node("shared", "pulumi:pulumi:StackReference")


@pytest.mark.parametrize(
    ("case", "sources", "finding"),
    [
        ("1-own unfabricated", (_KEY.urn,), False),
        ("2-own pulumi-aws", (_AWS_KEY.urn,), True),
        ("3-a stack reference", (_REF,), True),
        ("4-a read", (_READ.urn,), True),
        ("5-a remote component", (_VPC,), True),
        ("6-own and a stack reference", (_KEY.urn, _REF), True),
        ("7-no source recorded", (), True),
        ("8-a stack reference the graph records as a resource", (_REF_NODE.urn,), True),
        ("9-own unfabricated beside own pulumi-aws", (_AWS_KEY.urn, _KEY.urn), False),  # review s10 #8
    ],
)
def test_an_apply_from_own_unfabricated_resources_is_a_note(case: str, sources: tuple[str, ...], finding: bool) -> None:
    vpc = ResourceNode(
        urn=_VPC, type="awsx:ec2:Vpc", name="vpc", custom=True, parent="", provider="", inputs={}, outputs={}
    )
    graph = ResourceGraph(
        "p",
        "prod",
        [_KEY, _AWS_KEY, vpc, _REF_NODE],
        remote_components=[_VPC],
        reads=[_READ],
        unrun_applies=[UnrunApply("__main__.py:4", 1, sources)],
    )
    notes: list[str] = []
    found = apply_findings(graph, True, notes)
    assert [f.level for f in found] == ([Level.MANDATORY] if finding else []), case
    assert len(notes) == (0 if finding else 1), case
    assert apply_findings(graph, True) != [] or not finding  # without a notes list nothing is dropped


#: Review F4's repros (/tmp/r2/envfp, cfalb, applyfp): ordinary pulumi-aws outputs (an RDS address and endpoint,
#: a load balancer's DNS name, a cache node's address, a website endpoint) were unknown offline, and a correct use of
#: them was a mandatory security-value-unknown or apply-not-run in prod.
_ENVFP = """
import json
import pulumi
import pulumi_aws as aws
role = aws.iam.Role("fn-role", assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))
db = aws.rds.Instance("db", engine="postgres", instance_class="db.t3.micro", allocated_storage=20, username="app",
                      manage_master_user_password=True, skip_final_snapshot=True)
lb = aws.lb.LoadBalancer("lb", load_balancer_type="application", subnets=["subnet-1", "subnet-2"])
site = aws.s3.BucketWebsiteConfigurationV2("site", bucket="b", index_document={"suffix": "index.html"})
cache = aws.elasticache.Cluster("c", engine="redis", node_type="cache.t3.micro", num_cache_nodes=1)
aws.lambda_.Function("fn", role=role.arn, runtime="python3.12", handler="index.handler",
    code=pulumi.AssetArchive({"index.py": pulumi.StringAsset("def handler(e, c): return 1")}),
    environment={"variables": {"DB_HOST": db.address, "DB_ENDPOINT": db.endpoint, "LB": lb.dns_name,
                               "SITE": site.website_endpoint, "CACHE": cache.cache_nodes[0].address}})
"""
_CFALB = """
import pulumi
import pulumi_aws as aws
lb = aws.lb.LoadBalancer("lb", load_balancer_type="application", subnets=["subnet-1", "subnet-2"])
aws.cloudfront.Distribution("cdn", enabled=True,
    origins=[{"origin_id": "alb", "domain_name": lb.dns_name,
              "custom_origin_config": {"http_port": 80, "https_port": 443, "origin_protocol_policy": "https-only",
                                       "origin_ssl_protocols": ["TLSv1.2"]}}],
    default_cache_behavior={"target_origin_id": "alb", "viewer_protocol_policy": "redirect-to-https",
                            "allowed_methods": ["GET", "HEAD"], "cached_methods": ["GET", "HEAD"],
                            "cache_policy_id": "658327ea-f89d-4fab-a63d-7e88639e58f6"},
    restrictions={"geo_restriction": {"restriction_type": "none"}},
    viewer_certificate={"cloudfront_default_certificate": True})
db = aws.rds.Instance("db", engine="postgres", instance_class="db.t3.micro", allocated_storage=20, username="app",
                      manage_master_user_password=True, skip_final_snapshot=True)
aws.ecs.TaskDefinition("task", family="app", requires_compatibilities=["FARGATE"], network_mode="awsvpc", cpu="256",
    memory="512", container_definitions=pulumi.Output.json_dumps([{"name": "app", "image": "nginx:1.27",
        "environment": [{"name": "DB_HOST", "value": db.address}]}]))
"""
_APPLYFP = """
import pulumi
import pulumi_aws as aws
lb = aws.lb.LoadBalancer("lb", load_balancer_type="application", subnets=["subnet-1", "subnet-2"])
pulumi.export("url", lb.dns_name.apply(lambda d: f"https://{d}/"))
"""
#: An apply on an output of the program's own aws-native VPC, a type the engine fabricates no outputs for.
_OWN_NATIVE = """
import pulumi
import pulumi_aws_native as aws_native
vpc = aws_native.ec2.Vpc("v", cidr_block="10.0.0.0/16")
pulumi.export("vpc", vpc.vpc_id.apply(lambda v: f"id={v}"))
"""
_UNKNOWN_POLICIES = {"security-value-unknown", "iam-document-unknown", "apply-not-run"}


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(_ENVFP, id="1-lambda-environment"),
        pytest.param(_CFALB, id="2-cloudfront-alb-and-ecs"),
        pytest.param(_APPLYFP, id="3-apply-on-dns-name"),
        pytest.param(_OWN_NATIVE, id="4-apply-on-own-unfabricated"),
    ],
)
def test_review_f4_repros_give_no_unknown_findings_in_prod(tmp_path: Path, body: str) -> None:
    root = write_program(tmp_path / "prod", body, stack="prod")
    report = run_gate(root, "prod", checkov=False, timeout=None)
    assert not [v.policy for v in report.violations if v.policy in _UNKNOWN_POLICIES]
    assert not [v for v in report.violations if v.level is Level.MANDATORY and v.source is not Source.CROSSGUARD]


def test_an_apply_on_own_unfabricated_output_is_a_note_naming_it(tmp_path: Path) -> None:
    root = write_program(tmp_path / "prod", _OWN_NATIVE, stack="prod")
    report = run_gate(root, "prod", checkov=False, timeout=None)
    assert any(
        n.startswith("apply-not-run: the apply callback at __main__.py:5") and "Vpc::v" in n for n in report.notes
    )


_LAUNDERED = """import pulumi
import pulumi_aws as aws
import pulumi_command as command

ref = pulumi.StackReference("org/shared/prod")
# A StackReference value passed through an own resource the engine fabricates nothing for, and back out.
echo = command.local.Command("echo", create="true", environment={"KEY": ref.get_output("dataKeyArn")})
bucket = aws.s3.BucketV2("data")
aws.s3.BucketServerSideEncryptionConfigurationV2("data-sse", bucket=bucket.id,
    rules=[{"apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms",
        "kms_master_key_id": echo.environment["KEY"]}, "bucket_key_enabled": True}])
"""


def test_a_stackreference_value_laundered_through_an_own_resource_stays_a_finding(tmp_path: Path) -> None:
    """Review 6 (late) F1: the own resource's output is the StackReference's unknown, not the engine's gap."""
    root = write_program(tmp_path / "prod", _LAUNDERED, stack="prod")
    report = run_gate(root, "prod", checkov=False, timeout=None)
    unknown = [v for v in report.violations if v.policy == "security-value-unknown" and v.level is Level.MANDATORY]
    assert [v.resource for v in unknown] == ["data-sse"]
    assert not [n for n in report.notes if n.startswith("security-value-unknown: data-sse")]


# --- review s11 3 #1: what only checkov judges is never "judged by the pack at `pulumi up`" ----------------------


@pytest.mark.parametrize(
    "case",
    [("1-own unfabricated", (_KEY.urn,)), ("9-own unfabricated beside own pulumi-aws", (_AWS_KEY.urn, _KEY.urn))],
    ids=lambda c: c[0],
)
def test_bad_with_checkov_an_apply_from_own_unfabricated_resources_stays_a_finding(
    case: tuple[str, tuple[str, ...]],
) -> None:
    """checkov runs only in the gate: what the callback registers at `up` is never judged by its checks."""
    graph = ResourceGraph("p", "prod", [_KEY, _AWS_KEY], unrun_applies=[UnrunApply("__main__.py:4", 1, case[1])])
    notes: list[str] = []
    [found] = apply_findings(graph, True, notes, checkov=True)
    # Advisory in prod too: preview does not run it either, and the pack judges what it registers at `up`.
    assert (found.policy, found.level, notes) == ("apply-not-run", Level.ADVISORY, [])
    assert "aws-native:kms:ReplicaKey::key's output, which the engine does not fabricate" in found.message
    assert found.message.endswith(
        "was not judged by checkov, which never runs at `pulumi up` (the pack judges it there)"
    )


#: The review's applyhidden: an SSH port open to the internet, registered inside an apply on a RandomPassword's
#: result; the stack's only other resource is the password (not an AWS resource).
_APPLYHIDDEN = """
import pulumi_aws as aws
import pulumi_random as random

pw = random.RandomPassword("pw", length=24)


def open_sg(_):
    aws.ec2.SecurityGroup("sg", description="app", vpc_id="vpc-0123456789abcdef0", ingress=[{"protocol": "tcp",
        "from_port": 22, "to_port": 22, "cidr_blocks": ["0.0.0.0/0"], "description": "ssh"}])


pw.result.apply(open_sg)
"""


def test_bad_applyhidden_is_a_finding_with_checkov_and_the_baseline_is_not_called_inapplicable(tmp_path: Path) -> None:
    from tests.preflight.checkov_required import checkov_missing, require_checkov  # noqa: PLC0415

    require_checkov(checkov_missing())
    root = write_program(tmp_path / "prod", _APPLYHIDDEN, stack="prod")
    report = run_gate(root, "prod", timeout=None)
    found = [v for v in report.violations if v.policy == "apply-not-run"]
    assert [(v.resource, v.level) for v in found] == [("__main__.py:13", Level.ADVISORY)]
    assert not [n for n in report.notes if n.startswith("apply-not-run")]
    # What the callback registers is the pack's at `up`; preview does not run it either, so the gate does not block.
    assert report.exit_code == 0
    baseline = [n for n in report.notes if n.startswith("cloudtrail-enabled: not applicable")]
    assert len(baseline) == 1 and "the apply callback at __main__.py:13 did not run here" in baseline[0], baseline


def test_ok_applyhidden_without_checkov_is_a_note_the_pack_judges_it_at_up(tmp_path: Path) -> None:
    root = write_program(tmp_path / "prod", _APPLYHIDDEN, stack="prod")
    report = run_gate(root, "prod", checkov=False, timeout=None)
    assert not [v for v in report.violations if v.policy == "apply-not-run"]
    assert any(n.startswith("apply-not-run: the apply callback at __main__.py:13") for n in report.notes)


#: The review's unknowncidr, with the RDS instance its docstring names: both values pass through a RandomPassword's
#: output. The ingress is the pack's own now (security-group-no-internet-ingress reads it, so at `up` it is judged:
#: a true note); `publicly_accessible` only checkov reads, so it is a finding, never a note.
_UNKNOWNCIDR = """
import pulumi_aws as aws
import pulumi_random as random

pw = random.RandomPassword("pw", length=24, special=False)
sg = aws.ec2.SecurityGroup("sg", description="app", vpc_id="vpc-0123456789abcdef0", ingress=[{
    "protocol": "tcp", "from_port": 22, "to_port": 22, "description": "ssh",
    "cidr_blocks": [pw.result.apply(lambda _: "0.0.0.0/0")]}])
aws.ec2.NetworkInterface("eni", subnet_id="subnet-0123456789abcdef0", security_groups=[sg.id])
aws.rds.Instance("db", engine="postgres", instance_class="db.t3.micro", allocated_storage=20, username="app",
    manage_master_user_password=True, skip_final_snapshot=True, storage_encrypted=True,
    publicly_accessible=pw.result.apply(lambda _: True))
"""


def test_bad_unknowncidr_a_value_only_checkov_reads_stays_a_finding(tmp_path: Path) -> None:
    from tests.preflight.checkov_required import checkov_missing, require_checkov  # noqa: PLC0415

    require_checkov(checkov_missing())
    root = write_program(tmp_path / "prod", _UNKNOWNCIDR, stack="prod")
    report = run_gate(root, "prod", timeout=None)
    unknown = [(v.policy, v.resource) for v in report.violations if v.policy == "checkov-value-unknown"]
    assert unknown == [("checkov-value-unknown", "db")]
    assert not [n for n in report.notes if n.startswith("checkov-value-unknown")]
    # the pack reads the ingress: its unknown CIDR is the pack's finding, which the engine's gap turns into a note
    assert any(n.startswith("security-value-unknown: sg: not judged offline") for n in report.notes), report.notes
