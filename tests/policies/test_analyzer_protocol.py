"""The pack over the Analyzer gRPC protocol, started as the Pulumi CLI starts a Python pack (issue 10 §6).

Each case runs one graph through `preflight.analyzer.analyze` (a real `python -m pulumi.policy` process
serving pulumi_policy's Analyzer, driven with the SDK's generated protos) and through the in-process
gate (`preflight.policy_runner.run_policies`), and requires the same findings.
"""

from __future__ import annotations

import json
import shutil
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pulumi.runtime.proto import analyzer_pb2
from pulumi_policy import Severity
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, UnknownValueError

from policies.registry import all_policies
from policies.spec import Category, Kind, PolicySpec
from preflight.analyzer import AnalyzerPack, PackInfo, _collect, analyze, reconcile_config
from preflight.cli import main
from preflight.engine import synthesize
from preflight.errors import ConfigError, PreflightError
from preflight.findings import Finding, Level
from preflight.gate import declared_baseline, declared_production
from preflight.graph import ResourceGraph
from preflight.policy_runner import PACK_ERROR, PolicyRun, PolicySetting, deferral_net, run_policies
from preflight.sources import graph_from_export
from tests.policies.conftest import custom_node, rest_method_nodes
from tests.preflight.programs import write_program

REPO = Path(__file__).resolve().parents[2]
EXPORT = REPO / "tests" / "fixtures" / "pulumi" / "export-v3.json"
DEV_CONFIG = REPO / "policies" / "config" / "dev.json"


@pytest.fixture(scope="module")
def dev_pack() -> Iterator[PackInfo]:
    """What GetAnalyzerInfo says of the pack for dev (one pack process for the config tests)."""
    with AnalyzerPack(project="agentic-platform", stack="dev", config={}) as pack:
        yield pack.start("agentic-platform", "dev", {})


def _key(findings: list[Finding]) -> list[tuple[Any, ...]]:
    return sorted((f.policy, f.resource, f.urn, f.level.value, f.message, f.principles) for f in findings)


def _same_both_ways(graph: ResourceGraph, program_dir: Path) -> list[Finding]:
    offline = run_policies(graph, program_dir=program_dir)
    protocol = analyze(graph, program_dir=program_dir)
    assert protocol.config_file == offline.config_file
    assert _key(protocol.findings) == _key(offline.findings)
    assert len(protocol.undetermined) == len(offline.undetermined)
    # Both judge as `pulumi up`: a note never says "during preview" (review2 F2).
    assert not [u for u in [*protocol.undetermined, *offline.undetermined] if "during preview" in u]
    return protocol.findings


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_the_template_gets_the_same_findings_over_the_protocol(stack: str) -> None:
    graph = synthesize(REPO, stack)
    _same_both_ways(graph, REPO)


def test_a_stack_with_violations_gets_the_same_findings_and_levels() -> None:
    findings = _same_both_ways(graph_from_export(EXPORT, "dev"), REPO)
    levels = {f.level for f in findings}
    assert levels == {Level.MANDATORY, Level.ADVISORY}  # both levels crossed the wire
    assert any(f.resource == "orders::eu" for f in findings)


def test_values_invented_for_a_data_source_are_the_same_findings_over_the_protocol(tmp_path: Path) -> None:
    """The gate's own net reports an input built from a data source's invented result (preflight.deferred
    .invented_inputs, issue 11) over the protocol as in-process: the pack never sees what was invented."""
    body = textwrap.dedent(
        """
        import json
        import pulumi_aws as aws

        acct = aws.ssm.get_parameter(name="/org/trusted-account").value
        aws.iam.Role("r", assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{acct}:root"}, "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"sts:ExternalId": "ext-7f3a"}}}]}))
        aws.sqs.Queue("q", kms_master_key_id=f"arn:aws:kms:us-east-1:{acct}:key/1234abcd-12ab")
        """
    )
    root = write_program(tmp_path / "dev", body, stack="dev")
    findings = _same_both_ways(synthesize(root, "dev"), root)
    invented = sorted((f.policy, f.resource) for f in findings if "invented offline" in f.message)
    assert invented == [("iam-document-unknown", "r"), ("security-value-unknown", "q")]


def test_an_unknown_rest_method_authorization_is_a_finding_and_a_note_without_preview_both_ways() -> None:
    """review2 F2 (/tmp/r2/rest2_unk's shape): the value came from a StackReference the gate cannot read."""
    nodes = rest_method_nodes(UNKNOWN_STRING_VALUE)
    graph = ResourceGraph("agentic-platform", "prod", nodes)
    found = [(f.policy, f.level) for f in _same_both_ways(graph, REPO) if f.resource == "get"]
    assert found == [("security-value-unknown", Level.MANDATORY)]
    notes = analyze(graph).undetermined
    assert any(
        u.startswith("api-routes-authorized: the stack: cannot tell: the value at .authorization ") for u in notes
    )


def test_over_the_protocol_a_deferral_on_an_input_no_table_owns_is_a_finding_outside_a_preview() -> None:
    """The net under the table (preflight.deferred) reads where the rule met the unknown from pulumi_policy's
    diagnostic (policy.py L1017-L1018), as the in-process runner reads it from the error."""
    error = UnknownValueError(UNKNOWN_STRING_VALUE, ["newSetting", "0"])
    text = f"can't run policy 'sqs-queue-kms-encryption' from policy pack 'p@v1' during preview: {error.message}"
    diagnostic = analyzer_pb2.AnalyzeDiagnostic(policyName="sqs-queue-kms-encryption", message=text)
    queue = custom_node("aws:sqs/queue:Queue", "q", {"kmsMasterKeyId": "alias/k"})
    graph = ResourceGraph("p", "prod", [queue])
    specs = {p.name: p for p in all_policies()}
    info = PackInfo("p", "1", "1", {})
    for preview, expected in ((False, ["security-value-unknown"]), (True, [])):
        run = PolicyRun()
        net = deferral_net(list(specs.values()), {}, graph, None)
        response = analyzer_pb2.AnalyzeResponse(diagnostics=[diagnostic])
        _collect(response, graph, queue, info, specs, run, "q", preview=preview, net=net)
        assert [f.policy for f in run.findings] == expected
        assert run.undetermined[0].startswith("sqs-queue-kms-encryption: q: cannot tell")
    assert run.findings == [] and "the value at .newSetting.0" in run.undetermined[0]


def test_a_policy_left_out_of_the_config_gets_the_same_level(tmp_path: Path) -> None:
    config = json.loads(DEV_CONFIG.read_text(encoding="utf-8"))
    for name in ("s3-tls-only", "sns-topic-kms-encryption", "cost-budget-present"):
        del config[name]  # NEVER-principle or cost policies: mandatory in dev's default profile
    program = tmp_path / "program"
    (program / "policies" / "config").mkdir(parents=True)
    (program / "policies" / "config" / "dev.json").write_text(json.dumps(config), encoding="utf-8")
    findings = _same_both_ways(graph_from_export(EXPORT, "dev"), program)
    left_out = {f.policy: f.level for f in findings if f.policy in {"s3-tls-only", "sns-topic-kms-encryption"}}
    assert left_out == {"s3-tls-only": Level.MANDATORY}


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ({"allowed-regions": {"allowedRegion": ["us-east-1"]}}, "allowed-regions: allowedRegion: not a setting"),
        ({"allowed-regions": {"allowedRegions": "us-east-1"}}, "allowed-regions: allowedRegions: 'us-east-1' is not"),
        ({"no-such-policy": "mandatory"}, "no-such-policy: no such policy in pack agentic-platform"),
    ],
)
def test_a_stale_or_wrong_setting_fails_against_the_policys_schema(
    tmp_path: Path, dev_pack: PackInfo, setting: dict[str, Any], message: str
) -> None:
    config = json.loads(DEV_CONFIG.read_text(encoding="utf-8"))
    for name, value in setting.items():
        config[name] = {"enforcementLevel": "advisory", **value} if isinstance(value, dict) else value
    program = tmp_path / "program"
    (program / "policies" / "config").mkdir(parents=True)
    path = program / "policies" / "config" / "dev.json"
    path.write_text(json.dumps(config), encoding="utf-8")
    with pytest.raises(ConfigError, match=message) as excinfo:
        reconcile_config(dev_pack, path)
    assert str(excinfo.value).startswith(f"{path}: ")


CRASHING_PACK = """
    import sys
    from pathlib import Path

    from pulumi_policy import EnforcementLevel, PolicyPack, ResourceValidationPolicy


    def explode(args, report_violation):
        if args.resource_type == "aws:s3/bucket:Bucket":
            raise KeyError("versioning")


    PolicyPack(
        name="crashing",
        enforcement_level=EnforcementLevel.MANDATORY,
        policies=[ResourceValidationPolicy(name="explodes", description="raises on buckets", validate=explode)],
    )
"""


def test_a_policy_that_raises_is_an_error_finding_never_a_pass(tmp_path: Path) -> None:
    pack = tmp_path / "pack"
    pack.mkdir()
    (pack / "__main__.py").write_text(textwrap.dedent(CRASHING_PACK), encoding="utf-8")
    shutil.copy(REPO / "policies" / "PulumiPolicy.yaml", pack / "PulumiPolicy.yaml")
    export = tmp_path / "export.json"  # a stack without a policy config: the crashing pack has its own policies
    export.write_text(EXPORT.read_text(encoding="utf-8").replace("urn:pulumi:dev::", "urn:pulumi:scratch::"))
    run = analyze(graph_from_export(export, "scratch"), program_dir=tmp_path, pack_dir=pack)
    errors = [f for f in run.findings if f.policy == PACK_ERROR]
    assert [(f.resource, f.level) for f in errors] == [("outputs-bucket", Level.MANDATORY)]
    assert "versioning" in errors[0].message  # gRPC carries the exception text (grpc "Exception calling application")


def test_the_in_process_gate_reports_a_raising_policy_the_same_way() -> None:
    def explode(args: Any, report_violation: Any) -> None:
        raise KeyError("versioning")

    spec = PolicySpec(
        name="explodes",
        description="raises on buckets",
        explanation="",
        principles=(),
        severity=Severity.LOW,
        category=Category.SECURITY,
        kind=Kind.RESOURCE,
        validate=explode,
        resource_types=("aws:s3/bucket:Bucket",),
    )
    graph = graph_from_export(EXPORT, "dev")
    run = run_policies(graph, policies=[spec], config={"explodes": PolicySetting(Level.ADVISORY)})
    assert [(f.policy, f.resource, f.level) for f in run.findings] == [(PACK_ERROR, "outputs-bucket", Level.MANDATORY)]
    assert "explodes: KeyError: 'versioning'" in run.findings[0].message


def test_preflight_check_can_gate_over_the_protocol(tmp_path: Path) -> None:
    reports = {}
    for flag in ([], ["--analyzer-protocol"]):
        out = tmp_path / f"report{len(flag)}.json"
        args = ["check", "--program", str(REPO), "--from-export", str(EXPORT), "--no-checkov", "--format", "json"]
        assert main([*args, "--output", str(out), *flag]) == 1
        report = json.loads(out.read_text(encoding="utf-8"))
        report.pop("duration_seconds")
        report.pop("timings")  # seconds per phase: machine-dependent, like duration_seconds
        reports[len(flag)] = report
    assert reports[0] == reports[1]


def test_a_pack_that_cannot_start_is_one_line(tmp_path: Path) -> None:
    pack = tmp_path / "pack"
    pack.mkdir()
    (pack / "__main__.py").write_text("import policies_that_do_not_exist\n", encoding="utf-8")
    with pytest.raises(PreflightError) as excinfo:
        analyze(graph_from_export(EXPORT, "dev"), program_dir=tmp_path, pack_dir=pack)
    text = str(excinfo.value)
    assert text.startswith("the policy pack did not start: ")
    assert "policies_that_do_not_exist" in text and "\n" not in text


FOREIGN = """
import pulumi_aws as aws

aws.s3.Bucket("data")
aws.rds.Instance("db", engine="postgres", instance_class="db.r6g.4xlarge", allocated_storage=20, username="app",
                 manage_master_user_password=True, skip_final_snapshot=True)
"""


@pytest.mark.parametrize(
    ("stack", "settings", "production"),
    [
        ("production", {"preflight:accountBaseline": "organization"}, True),
        ("live", {"preflight:production": "true"}, True),
        ("production", {"preflight:production": "false"}, False),
    ],
    ids=["production-baseline-from-org", "live-declared-production", "production-declared-not"],
)
def test_a_foreign_stack_without_config_is_judged_alike_both_ways(
    tmp_path: Path, stack: str, settings: dict[str, object], production: bool
) -> None:
    """Levels and baseline come from the stack's own settings on both paths (policies.profile decides)."""
    program = write_program(tmp_path, FOREIGN, stack=stack, config=settings)
    graph = synthesize(program, stack)
    declared, baseline = declared_production(graph), declared_baseline(graph)
    offline = run_policies(graph, program_dir=program, production=declared, baseline=baseline)
    protocol = analyze(graph, program_dir=program, production=declared, baseline=baseline)
    assert protocol.config_file == offline.config_file == ""
    assert _key(protocol.findings) == _key(offline.findings)
    by_policy = {f.policy: f.level for f in protocol.findings}
    # cost policies are advisory in production and mandatory elsewhere: the setting, not the name, decides
    assert by_policy["cost-unpriced-idle-resource"] is (Level.ADVISORY if production else Level.MANDATORY)
    assert ("cloudtrail-enabled" in by_policy) is (baseline is None)


BASELINE_POLICIES = {"cloudtrail-enabled", "config-recorder-enabled", "cost-budget-present"}


@pytest.mark.parametrize(
    ("settings", "reported"),
    [
        ({"preflight:accountBaseline": "organization"}, set()),
        ({"preflight:accountBaseline": "another-stack"}, set()),
        ({}, BASELINE_POLICIES),  # Noncompliance 1: nobody said the organisation provides them
    ],
    ids=["organization", "another-stack", "not-said"],
)
def test_the_pack_reads_the_account_baseline_from_the_stack_config_as_under_the_cli(
    tmp_path: Path, settings: dict[str, object], reported: set[str]
) -> None:
    """The real CLI hands the pack only the `--policy-pack-config` file as policy settings, and the stack's
    configuration through ConfigureStack -> PULUMI_CONFIG: nothing here tells `analyze` the baseline, and
    the policy config Configure carries says nothing of it, yet both paths agree."""
    program = write_program(tmp_path, FOREIGN, stack="production", config=settings)
    graph = synthesize(program, "production")
    protocol = analyze(graph, program_dir=program)
    offline = run_policies(graph, program_dir=program, baseline=declared_baseline(graph))
    assert _key(protocol.findings) == _key(offline.findings)
    assert {f.policy for f in protocol.findings} & BASELINE_POLICIES == reported


def test_a_policy_config_file_can_say_it_per_policy_under_the_cli(tmp_path: Path, dev_pack: PackInfo) -> None:
    """The other real-CLI way: `providedBy` in the file given to `--policy-pack-config`."""
    path = tmp_path / "production.json"
    path.write_text(json.dumps({"cloudtrail-enabled": {"providedBy": "organization"}}), encoding="utf-8")
    configured = reconcile_config(dev_pack, path)
    assert dict(configured["cloudtrail-enabled"].properties) == {"providedBy": "organization"}
    assert dict(configured["config-recorder-enabled"].properties) == {}


def test_a_wrong_account_baseline_stops_the_pack_in_one_line(tmp_path: Path) -> None:
    program = write_program(tmp_path, FOREIGN, stack="production", config={"preflight:accountBaseline": "nobody"})
    graph = synthesize(program, "production")
    with pytest.raises(PreflightError) as excinfo:
        analyze(graph, program_dir=program)
    text = str(excinfo.value)
    assert "preflight:accountBaseline: expected organization or another-stack, got 'nobody'" in text
    assert "\n" not in text
