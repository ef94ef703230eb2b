"""Graphs from `pulumi preview --json` and `pulumi stack export` files, read by their real meaning.

Two sets of files: every real file in `../shared/pulumi-files/` (written by real CLIs, see its README)
and the synthetic ones in `tests/fixtures/pulumi/` (built by `build.py` there, field for field from
Pulumi's source; README.md there cites the lines). Each is checked for the resources Pulumi manages
after the update and for the verdict the gate gives them.
"""

from __future__ import annotations

import codecs
import json
import re
from pathlib import Path

import pytest

from preflight.cli import main
from preflight.errors import PreflightError
from preflight.gate import run_gate
from preflight.graph import UNKNOWN, ResourceGraph, urn_name
from preflight.policy_runner import provider_of
from preflight.secrets import SECRET_PLACEHOLDER
from preflight.sources import graph_from_export, graph_from_preview
from preflight.stackconfig import split_stack
from preflight.tfplan import graph_to_tfplan
from tests.preflight.programs import write_program
from tests.shared_files import shared_path

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures" / "pulumi"
REAL = shared_path("pulumi-files")
PREVIEW = FIXTURES / "preview-show-sames.json"
EXPORT = FIXTURES / "export-v3.json"
EXPORT_V4 = FIXTURES / "export-v4-show-secrets.json"
BUCKET_URN = "urn:pulumi:dev::agentic-platform::agentic:storage:Storage$aws:s3/bucket:Bucket::outputs-bucket"

#: Stack policies about account-wide singletons: every foreign stack misses them; the rest are per resource.
ACCOUNT_POLICIES = {
    "bedrock-invocation-logging",
    "cloudtrail-enabled",
    "config-recorder-enabled",
    "cost-budget-present",
}

#: (file, kind, stack, managed resources, resource-level mandatory policies the gate must report).
REAL_FILES = [
    ("linro-simulation-github-action-preview.json", "preview", "demo", 2, {"s3-public-access-blocked"}),
    ("pitfall-preview.json", "preview", "pit-stack-6f713df454ad4582", 1, {"s3-bucket-kms-encryption"}),
    ("pitfall-state.json", "export", "pitf-stack-388ef76614da4d71", 9, {"s3-public-access-blocked"}),
    ("pranavk1511-stack-export.json", "export", "dev", 0, set()),
    ("pulumi-aws-bucket-5.42.0-stack.json", "export", "test", 1, {"s3-public-access-blocked", "s3-tls-only"}),
    ("pulumi-aws-rds-instance-5.42.0-stack.json", "export", "test", 1, set()),
    ("pulumi-aws-secretversion-5.42.0-stack.json", "export", "test", 2, set()),
    ("pulumi-docs-rest-api-export-v2.22.json", "export", "dev-user1", 1, set()),
    ("pulumi-pulumi-testdata-checkpoint-v4.json", "export", "foo", 23, {"sns-topic-kms-encryption"}),
    ("stratify-sample-export.json", "export", "dev", 14, {"s3-public-access-blocked", "lambda-failure-destination"}),
    ("stratify-sample-preview-creates.json", "preview", "dev", 14, {"s3-public-access-blocked"}),
    ("stratify-sample-preview-deletes.json", "preview", "dev", 1, {"s3-public-access-blocked"}),
    ("stratify-sample-preview-update.json", "preview", "dev", 14, {"s3-public-access-blocked"}),
]


def _load(kind: str, path: Path, stack: str) -> ResourceGraph:
    return graph_from_preview(path, stack) if kind == "preview" else graph_from_export(path, stack)


def test_every_real_file_is_listed() -> None:
    assert sorted(p.name for p in REAL.glob("*.json")) == sorted(row[0] for row in REAL_FILES)


@pytest.mark.parametrize(("name", "kind", "stack", "count", "mandatory"), REAL_FILES, ids=[r[0] for r in REAL_FILES])
def test_real_files_give_their_resources_and_verdict(
    name: str, kind: str, stack: str, count: int, mandatory: set[str]
) -> None:
    path = REAL / name
    graph = _load(kind, path, stack)
    assert len(graph.managed_resources) == count
    assert not [n for n in graph.managed_resources if n.type.startswith("pulumi:providers:")]
    report = run_gate(REPO, stack, checkov=False, **{f"from_{kind}": str(path)})
    assert report.resources == count
    per_resource = {f.policy for f in report.mandatory} - ACCOUNT_POLICIES
    assert mandatory <= per_resource
    if mandatory:
        assert report.exit_code == 1


def test_the_same_stack_counts_the_same_from_a_preview_and_an_export() -> None:
    counts = {
        name: len(_load(kind, REAL / name, "dev").managed_resources)
        for name, kind in [
            ("stratify-sample-preview-creates.json", "preview"),
            ("stratify-sample-preview-update.json", "preview"),
            ("stratify-sample-export.json", "export"),
        ]
    }
    assert set(counts.values()) == {14}, counts  # the export's default provider is not a resource
    assert len(graph_from_preview(PREVIEW, "dev").managed_resources) == len(
        graph_from_export(EXPORT, "dev").managed_resources
    )


def test_a_real_v4_checkpoint_is_read() -> None:
    graph = graph_from_export(REAL / "pulumi-pulumi-testdata-checkpoint-v4.json", "foo")
    assert graph.project == "countdown"
    assert graph.config["aws:region"] == "us-east-2"


# ------------------------------------------------------------------------------------- previews


def test_preview_gives_what_pulumi_manages_after_the_update() -> None:
    graph = graph_from_preview(PREVIEW, "dev")
    assert graph.source == "preview"
    assert graph.project == "agentic-platform"
    names = [n.name for n in graph.managed_resources]
    assert names == ["orders::eu", "outputs-bucket", "outputs-bucket-pab", "fn-role", "handler", "suffix", "alerts"]
    assert "old-queue" not in {n.name for n in graph}  # deleted by the plan
    assert "shared-logs" not in {n.name for n in graph}  # read: not managed
    pab = next(n for n in graph if n.name == "outputs-bucket-pab")
    assert pab.inputs["bucket"] == UNKNOWN
    assert pab.property_dependencies == {"bucket": (BUCKET_URN,)}
    handler = next(n for n in graph if n.name == "handler")
    assert handler.inputs["memorySize"] == 256  # the new state, not the old one
    assert handler.inputs["environment"]["variables"]["API_KEY"] == SECRET_PLACEHOLDER
    assert handler.provider.endswith("::default_7_51_1::42a75fb0-5a64-436a-8a82-e3a2e388b650")
    alerts = [n for n in graph if n.name == "alerts"]
    assert len(alerts) == 1 and alerts[0].inputs["kmsMasterKeyId"] == "alias/platform"


def test_region_is_the_stack_config_not_the_first_explicit_provider() -> None:
    # The explicit `eu` provider (eu-central-1) comes first in both files.
    assert graph_from_preview(PREVIEW, "dev").config["aws:region"] == "eu-west-1"
    export = json.loads(EXPORT.read_text(encoding="utf-8"))
    assert [r["urn"].rsplit("::", 1)[-1] for r in export["deployment"]["resources"]][1] == "eu"
    assert graph_from_export(EXPORT, "dev").config["aws:region"] == "eu-west-1"  # from the default provider


def test_region_falls_back_to_the_resources_arns(tmp_path: Path) -> None:
    data = json.loads(EXPORT.read_text(encoding="utf-8"))
    resources = data["deployment"]["resources"]
    data["deployment"]["resources"] = [r for r in resources if not r["type"].startswith("pulumi:providers:")]
    path = tmp_path / "export.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    assert graph_from_export(path, "dev").config["aws:region"] == "eu-west-1"  # 3 ARNs in eu-west-1, 1 elsewhere


def test_a_default_preview_hiding_unchanged_resources_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    path = FIXTURES / "preview-default.json"
    code = main(["check", "--program", str(REPO), "--from-preview", str(path), "--no-checkov"])
    err = capsys.readouterr().err
    assert code == 2
    assert err == (
        f"preflight: error: {path}: the preview omits 4 unchanged resource(s); "
        "re-run `pulumi preview --json --show-sames`\n"
    )


def test_a_failed_preview_is_refused_with_its_first_error(capsys: pytest.CaptureFixture[str]) -> None:
    path = FIXTURES / "preview-failed-prod.json"
    code = main(["check", "--program", str(REPO), "--stack", "prod", "--from-preview", str(path), "--no-checkov"])
    err = capsys.readouterr().err
    assert code == 2
    assert "the preview failed, refusing to gate it: error: Program failed with an unhandled exception" in err
    assert err.rstrip().endswith("ValueError: no budget set")
    assert err.count("\n") == 1


def test_a_refresh_preview_gates_the_state_after_the_update() -> None:
    graph = graph_from_preview(FIXTURES / "preview-refresh.json", "dev")
    bucket = graph.get(BUCKET_URN)
    assert bucket is not None
    assert bucket.inputs["acl"] == "private"  # the program's goal wins over the drifted `refresh` state
    assert [n.name for n in graph.managed_resources] == ["outputs-bucket", "orders::eu"]  # old-queue is deleted


def test_names_keep_everything_after_the_third_separator() -> None:
    assert urn_name("urn:pulumi:dev::p::aws:sqs/queue:Queue::orders::eu") == "orders::eu"
    assert urn_name("urn:pulumi:dev::p::a:b:C$aws:sqs/queue:Queue::q") == "q"


# -------------------------------------------------------------------------------------- exports


def test_export_v3_gives_the_managed_state() -> None:
    graph = graph_from_export(EXPORT, "dev")
    assert graph.source == "export"
    assert [n.name for n in graph.managed_resources] == [
        "orders::eu",
        "outputs-bucket",
        "outputs-bucket-pab",
        "fn-role",
        "handler",
        "suffix",
        "alerts",
    ]
    alerts = [n for n in graph if n.name == "alerts"]
    assert len(alerts) == 1 and alerts[0].inputs["name"] == "alerts"  # the `delete: true` copy is not gated
    assert "shared-logs" not in {n.name for n in graph}  # external
    handler = next(n for n in graph if n.name == "handler")
    assert handler.id == "handler-9e8d7c6"
    assert handler.inputs["environment"]["variables"]["API_KEY"] == SECRET_PLACEHOLDER  # ciphertext stays hidden
    assert handler.dependencies == ("urn:pulumi:dev::agentic-platform::aws:iam/role:Role::fn-role",)


def test_export_v4_with_features_is_read() -> None:
    graph = graph_from_export(EXPORT_V4, "dev")
    names = [n.name for n in graph.managed_resources]
    assert "outputs-bucket" in names  # tainted: replaced at the next update, managed until then
    assert "old-queue" not in names  # pendingReplacement: already deleted
    assert graph.notes == [
        "pending operation: creating of sessions was interrupted; the cloud may differ from this state "
        "(run `pulumi refresh`)"
    ]
    handler = next(n for n in graph if n.name == "handler")
    assert handler.inputs["environment"]["variables"]["API_KEY"] == SECRET_PLACEHOLDER  # never the plaintext


def test_pending_operations_reach_the_report() -> None:
    report = run_gate(REPO, "dev", from_export=str(EXPORT_V4), checkov=False)
    assert any(note.startswith("pending operation: creating of sessions") for note in report.notes)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"version": 5}, "unsupported deployment version 5 (expected 3 or 4"),
        ({"version": "3"}, "`version` must be a number (3 or 4)"),
        ({"version": 4, "features": ["timeTravel"]}, "needs features this reader does not know: timeTravel"),
    ],
)
def test_export_versions_and_features_are_checked(tmp_path: Path, change: dict[str, object], message: str) -> None:
    data = {**json.loads(EXPORT.read_text(encoding="utf-8")), **change}
    path = tmp_path / "export.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(PreflightError, match=re.escape(message)):
        graph_from_export(path, "dev")


@pytest.mark.parametrize("loader", [graph_from_preview, graph_from_export])
def test_both_sources_bridge_to_the_same_addresses(loader: object) -> None:
    graph = loader(PREVIEW if loader is graph_from_preview else EXPORT, "dev")  # type: ignore[operator]
    tfplan = graph_to_tfplan(graph)
    assert sorted(tfplan.addresses) == [
        "aws_iam_role.fn_role",
        "aws_lambda_function.handler",
        "aws_s3_bucket.outputs_bucket",
        "aws_s3_bucket_public_access_block.outputs_bucket_pab",
        "aws_sns_topic.alerts",
        "aws_sqs_queue.orders__eu",
    ]
    assert tfplan.not_scanned == ["random:index/randomPet:RandomPet"]


# ------------------------------------------------------------------------------------ bad files


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not valid JSON (line 1"),
        ("[]", "not a `pulumi preview --json` document"),
        ('{"steps": [1]}', "steps[0] is not an object"),
        ('{"steps": [{"op": "create", "urn": "u", "newState": {"type": "aws:s3/bucket:Bucket"}}]}', "valid `urn`"),
        (
            '{"steps": [{"op": "same", "urn": "u", "newState": {"urn": "urn:pulumi:dev::p::t:m:T::n", "type": "t:m:T", '
            '"dependencies": "urn:pulumi:dev::p::t:m:T::m"}}]}',
            "`dependencies` must be a list of URNs",
        ),
        (
            '{"steps": [{"op": "same", "urn": "u", "newState": {"urn": "urn:pulumi:dev::p::t:m:T::n", "type": "t:m:T", '
            '"custom": "yes"}}]}',
            "`custom` must be true or false",
        ),
        ('{"steps": [], "changeSummary": {"same": NaN}}', "NaN is not valid JSON"),
        ('{"steps": [], "diagnostics": "oops"}', "`diagnostics` must be a list"),
    ],
)
def test_malformed_preview_is_one_line_naming_the_file(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "preview.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(PreflightError) as excinfo:
        graph_from_preview(path, "dev")
    text = str(excinfo.value)
    assert text.startswith(f"{path}: ")
    assert message in text
    assert "\n" not in text


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"version": 3}', "not a `pulumi stack export` document"),
        ('{"version": 9, "deployment": {}}', "unsupported deployment version 9"),
        ('{"version": 3, "deployment": {"resources": {}}}', "is not a list"),
        ('{"version": 3, "deployment": {"pending_operations": 1}}', "`deployment.pending_operations` is not a list"),
    ],
)
def test_malformed_export_is_one_line_naming_the_file(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "export.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(PreflightError, match=message) as excinfo:
        graph_from_export(path, "dev")
    assert str(excinfo.value).startswith(f"{path}: ")


@pytest.mark.parametrize(
    "encode",
    [
        lambda text: codecs.BOM_UTF8 + text.encode("utf-8"),  # Out-File -Encoding utf8 (Windows PowerShell)
        lambda text: codecs.BOM_UTF16_LE + text.encode("utf-16-le"),  # Windows PowerShell's `>`
        lambda text: text.encode("utf-16-be"),
    ],
    ids=["utf-8-bom", "utf-16-le-bom", "utf-16-be"],
)
def test_files_written_by_powershell_are_read(tmp_path: Path, encode: object) -> None:
    path = tmp_path / "preview.json"
    path.write_bytes(encode(PREVIEW.read_text(encoding="utf-8")))  # type: ignore[operator]
    assert len(graph_from_preview(path, "dev").managed_resources) == 7


def test_inputs_nested_deeper_than_the_recursion_limit_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "deep.json"
    deep = "[" * 100_000 + "]" * 100_000
    path.write_text(
        '{"version": 3, "deployment": {"resources": [{"urn": "urn:pulumi:dev::p::t:m:T::n", '
        f'"type": "t:m:T", "inputs": {{"x": {deep}}}}}]}}}}',
        encoding="utf-8",
    )
    assert main(["check", "--program", str(REPO), "--from-export", str(path), "--no-checkov"]) == 2
    err = capsys.readouterr().err
    assert err == f"preflight: error: {path}: not readable: values nested too deeply\n"


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(PreflightError, match="file not found"):
        graph_from_export(tmp_path / "nope.json", "dev")


# --------------------------------------------------------------------------------------- stacks


@pytest.mark.parametrize(
    ("value", "expected"),
    [("prod", ("prod", None)), ("shop/prod", ("prod", "shop")), ("acme/shop/prod", ("prod", "shop"))],
)
def test_stack_names_split_into_stack_and_project(value: str, expected: tuple[str, str | None]) -> None:
    assert split_stack(value) == expected


@pytest.mark.parametrize("value", ["", "a//b", "a/b/c/d", "prod/"])
def test_malformed_stack_names_are_refused(value: str) -> None:
    with pytest.raises(PreflightError, match="expected STACK, PROJECT/STACK or ORG/PROJECT/STACK"):
        split_stack(value)


@pytest.mark.parametrize("loader", [graph_from_preview, graph_from_export])
def test_a_file_for_another_stack_is_refused(tmp_path: Path, loader: object) -> None:
    source = PREVIEW if loader is graph_from_preview else EXPORT
    path = tmp_path / source.name
    path.write_text(source.read_text(encoding="utf-8").replace("urn:pulumi:dev::", "urn:pulumi:prod::"))
    with pytest.raises(PreflightError) as excinfo:
        loader(path, "dev")  # type: ignore[operator]
    assert str(excinfo.value) == f"{path}: this file is for stack 'prod', not 'dev' (pass --stack prod)"
    assert loader(path, "prod").stack == "prod"  # type: ignore[operator]


def test_a_qualified_stack_selects_the_bare_stacks_levels(tmp_path: Path) -> None:
    path = tmp_path / "prod.json"
    path.write_text(EXPORT.read_text(encoding="utf-8").replace("urn:pulumi:dev::", "urn:pulumi:prod::"))
    bare = run_gate(REPO, "prod", from_export=str(path), checkov=False)
    qualified = run_gate(REPO, "acme/agentic-platform/prod", from_export=str(path), checkov=False)
    assert qualified.stack == "prod"
    assert qualified.config_file == bare.config_file and qualified.config_file.endswith("prod.json")
    assert [f.to_dict() for f in qualified.violations] == [f.to_dict() for f in bare.violations]
    with pytest.raises(PreflightError, match="this file is for project 'agentic-platform', not 'shop'"):
        run_gate(REPO, "acme/shop/prod", from_export=str(path), checkov=False)


def test_a_programs_explicit_provider_is_not_counted_either(tmp_path: Path) -> None:
    program = write_program(
        tmp_path / "prog",
        """
        import pulumi
        import pulumi_aws as aws

        eu = aws.Provider("eu", region="eu-central-1")
        aws.sqs.Queue("orders", opts=pulumi.ResourceOptions(provider=eu))
        aws.sqs.Queue("audit")
        """,
    )
    report = run_gate(program, "dev", checkov=False)
    assert report.resources == 2
    assert len(report.graph.custom_resources) == 3  # the provider is in the graph, for the policies


def test_a_preview_default_provider_reference_is_read_as_pulumi_parses_it() -> None:
    graph = graph_from_preview(PREVIEW, "dev")
    handler = next(n for n in graph if n.name == "handler")
    assert provider_of(handler, graph) == (
        "pulumi:providers:aws",
        {"region": "eu-west-1"},
        "urn:pulumi:dev::agentic-platform::pulumi:providers:aws::default_7_51_1",
        "default_7_51_1",
    )


def test_every_command_takes_a_qualified_stack(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    program = write_program(tmp_path / "prog", "import pulumi_aws as aws\naws.sqs.Queue('q')\n")
    out = tmp_path / "plan.json"
    assert (
        main(
            ["plan", "--program", str(program), "--stack", "acme/sample/dev", "--format", "json", "--output", str(out)]
        )
        == 0
    )
    assert json.loads(out.read_text(encoding="utf-8"))["stack"] == "dev"
    assert (
        main(["export-tfplan", "--program", str(program), "--stack", "sample/dev", "-o", str(tmp_path / "p.json")]) == 0
    )
    capsys.readouterr()
    assert main(["cost", "--program", str(program), "--stack", "acme/shop/dev"]) == 2
    assert "is project 'sample', not 'shop'" in capsys.readouterr().err


#: (file, kind, managed resources, exit code, a mandatory finding the file's meaning gives).
SYNTHETIC = [
    ("preview-show-sames.json", "preview", 7, 1, ("s3-bucket-kms-encryption", "outputs-bucket")),
    ("preview-refresh.json", "preview", 2, 1, ("s3-public-access-blocked", "outputs-bucket")),
    ("export-v3.json", "export", 7, 1, ("s3-bucket-kms-encryption", "outputs-bucket")),
    ("export-v4-show-secrets.json", "export", 7, 1, ("s3-bucket-kms-encryption", "outputs-bucket")),
    ("preview-default.json", "preview", None, 2, None),
    ("preview-failed-prod.json", "preview", None, 2, None),
]


@pytest.mark.parametrize(("name", "kind", "count", "code", "expected"), SYNTHETIC, ids=[s[0] for s in SYNTHETIC])
def test_synthetic_files_give_their_resources_and_verdict(
    tmp_path: Path, name: str, kind: str, count: int | None, code: int, expected: tuple[str, str] | None
) -> None:
    stack = "prod" if "prod" in name else "dev"
    out = tmp_path / "report.json"
    args = ["check", "--program", str(REPO), "--stack", stack, f"--from-{kind}", str(FIXTURES / name)]
    assert main([*args, "--no-checkov", "--format", "json", "--output", str(out)]) == code
    if count is None:
        assert not out.exists()  # refused before any verdict
        return
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["resources"] == count
    mandatory = {(v["policy"], v["resource"]) for v in report["violations"] if v["level"] == "mandatory"}
    assert expected in mandatory
    assert not [v for v in report["violations"] if v["resource"] in {"shared-logs", "old-queue"}]  # not managed
