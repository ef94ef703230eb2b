"""Review 6 F8 and F9 (issue 11 §3): a program's own checkov data checks.

F8: an id is refused only when it is taken (one of the installed checkov's own, the pack's CKV_AGP_*, or an earlier
file's of the program); checkov's documented CKV2_CUSTOM_1 and a company's CKV2_ORG_1 run. F9: every data check
checkov would drop with only a log line is refused with the reason, and the real checkov confirms both ways that
the gate's judgement is checkov's: what the gate gives it appears in its results, what it refuses would not.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from preflight import checkov_loader
from preflight.checkov_checks import REFUSED_POLICY, ProgramChecks, program_checks
from preflight.checkov_runner import (
    EXTERNAL_CHECKS_DIR,
    REPO_ROOT,
    _external_checks,
    checkov_command,
    find_checkov,
)
from preflight.checkov_worker import EXTERNAL_LINE
from preflight.engine import synthesize
from preflight.findings import Level, Source
from preflight.gate import GateReport, run_gate
from preflight.tfplan import graph_to_tfplan
from tests.preflight.programs import write_program

needs_checkov = pytest.mark.usefixtures("checkov_present")
PACK_CHECKS = (REPO_ROOT / EXTERNAL_CHECKS_DIR).resolve()
CHECKOV_PYTHON = REPO_ROOT / ".venv-checkov" / "bin" / "python"

PROGRAM = """
import pulumi_aws as aws
key = aws.kms.Key("key", enable_key_rotation=True)
aws.cloudwatch.LogGroup("forever-logs", name="forever", tags={"team": "data"})
aws.cloudwatch.LogGroup("kept-logs", name="kept", retention_in_days=14, kms_key_id=key.arn)
aws.s3.Bucket("data")  # checkov's own CKV2_AWS_6 (a public access block) reports on it
"""
LOGS = "[aws_cloudwatch_log_group]"


def check(check_id: str, definition: str, extra: str = "") -> str:
    """A YAML data check: metadata, then `extra` top-level lines, then the definition (flow style)."""
    return f"metadata: {{id: {check_id}, name: n {check_id}, category: LOGGING}}\n{extra}definition: {definition}\n"


RETENTION = f"{{cond_type: attribute, resource_types: {LOGS}, attribute: retention_in_days, operator: exists}}"
KMS = f"{{cond_type: attribute, resource_types: {LOGS}, attribute: kms_key_id, operator: exists}}"
CONNECTED = (
    f"{{cond_type: connection, resource_types: {LOGS}, connected_resource_types: [aws_kms_key], operator: exists}}"
)

#: Data checks checkov loads and reports on a log group (each must appear in its results).
LOADED = {
    "org.yaml": check("CKV2_ORG_1", RETENTION),  # F8: a company's id in CKV2_*
    "custom.yml": check("CKV2_CUSTOM_1", f"{{and: [{RETENTION}, {KMS}]}}"),  # checkov's documented example id
    "or.yaml": check("ORG_OR", f"{{or: [{RETENTION}, {KMS}]}}"),
    "not.yaml": check("ORG_NOT", f"{{not: {KMS}}}"),
    "connection.yaml": check("ORG_CONN", CONNECTED),
    "filtered.yaml": check(
        "ORG_FILTER",
        f"{{and: [{{cond_type: filter, attribute: resource_type, value: {LOGS}, operator: within}}, {CONNECTED}]}}",
    ),
    "jsonpath.yaml": check(
        "ORG_JSONPATH", f"{{cond_type: attribute, resource_types: {LOGS}, attribute: tags, operator: jsonpath_exists}}"
    ),
    "resource.yaml": check("ORG_RESOURCE", f"{{cond_type: resource, resource_types: {LOGS}, operator: exists}}"),
    "all.yaml": check("ORG_ALL", "{cond_type: attribute, resource_types: all, attribute: tags, operator: exists}"),
    "scoped.yaml": check(
        "ORG_SCOPED",
        "{cond_type: attribute, resource_types: taggable, attribute: tags, operator: exists}",
        "scope: {provider: aws}\n",
    ),
    "terraform_scope.yaml": check(
        "ORG_TF_SCOPE", "{cond_type: attribute, attribute: tags, operator: exists}", "scope: {provider: terraform}\n"
    ),
    "team.json": json.dumps({
        "metadata": {"id": "ORG_JSON", "name": "n", "category": "LOGGING"},
        "definition": {"cond_type": "attribute", "resource_types": ["aws_cloudwatch_log_group"],
                       "attribute": "retention_in_days", "operator": "exists"},
    }),
    # metadata.frameworks is read by the platform integration only: it does not exclude terraform_plan locally
    "frameworks.yaml": check("ORG_K8S", RETENTION).replace("LOGGING", "LOGGING, frameworks: [kubernetes]"),
    "ckv_case.yaml": check("ckv_aws_158", RETENTION),  # checkov compares ids exactly: not CKV_AWS_158
}  # fmt: skip

#: Data checks checkov drops with only a log line (registry.py `_load_checks_from_dir`, checks_parser.py), each
#: with what the gate's reason says.
DROPPED = {
    "no_category.yaml": (
        f"metadata: {{id: DROP_CATEGORY, name: n}}\ndefinition: {RETENTION}\n",
        "no metadata.category",
    ),
    "no_name.yaml": (f"metadata: {{id: DROP_NAME, category: LOGGING}}\ndefinition: {RETENTION}\n", "no metadata.name"),
    "no_definition.yaml": ("metadata: {id: DROP_DEFINITION, name: n, category: LOGGING}\n", "no definition"),
    "list_definition.yaml": (check("DROP_LIST", f"[{RETENTION}]"), "`definition` is not a mapping"),
    "text_definition.yaml": (check("DROP_TEXT", "retention"), "`definition` is not a mapping"),
    "cond_type.yaml": (
        check("DROP_COND", f"{{cond_type: attributes, resource_types: {LOGS}, attribute: a, operator: exists}}"),
        "`definition.cond_type` 'attributes' is not one of checkov's",
    ),
    "operator.yaml": (
        check("DROP_OPERATOR", f"{{cond_type: attribute, resource_types: {LOGS}, attribute: a, operator: present}}"),
        "`definition.operator` 'present' is not one of checkov's attribute operators",
    ),
    "jsonpath_operator.yaml": (
        check("DROP_JSONPATH", f"{{cond_type: attribute, resource_types: {LOGS}, attribute: a, operator: jsonpath_x}}"),
        "'jsonpath_x' is not one of checkov's attribute operators",
    ),
    "connection_operator.yaml": (
        check("DROP_CONN_OP", CONNECTED.replace("operator: exists", "operator: equals")),
        "'equals' is not one of checkov's connection operators",
    ),
    "not_connection.yaml": (check("DROP_NOT_CONN", f"{{not: {CONNECTED}}}"), "puts `not` over a connection"),
    "sub_text.yaml": (check("DROP_SUB", "{and: retention}"), "`definition.and` is not a list of conditions"),
    "sub_list.yaml": (check("DROP_SUB_LIST", "{or: [retention]}"), "`definition.or[0]` is not a mapping"),
    "types.yaml": (
        check("DROP_TYPES", "{cond_type: attribute, resource_types: [1], attribute: a, operator: exists}"),
        "`definition.resource_types` is not a list of type names",
    ),
    "provider_list.yaml": (check("DROP_PROVIDERS", RETENTION, "scope: {provider: [aws]}\n"), "a `scope` that is"),
    "scope_text.yaml": (check("DROP_SCOPE", RETENTION, "scope: aws\n"), "a `scope` that is"),
    "severity.yaml": (
        f"metadata: {{id: DROP_SEVERITY, name: n, category: LOGGING, severity: 3}}\ndefinition: {RETENTION}\n",
        "a `metadata.severity` that is not a text",
    ),
    "azure_scope.yaml": (
        check("DROP_AZURE", "{cond_type: attribute, attribute: tags, operator: exists}", "scope: {provider: azure}\n"),
        "applies to no AWS type",
    ),
    "azure_types.yaml": (
        check("DROP_AZURERM", "{cond_type: attribute, resource_types: [azurerm_lb], attribute: a, operator: any}"),
        "applies to no AWS type",
    ),
    "upper.YAML": (check("DROP_UPPER", RETENTION), "lower-case .yaml"),
    "not_mapping.yaml": ("- id: DROP_NOT_MAPPING\n", "is not a mapping"),
}  # fmt: skip
#: Dropped too, but checkov's loader raises on them outside its `try` (json.load, json.dumps of a YAML date): they
#: stay out of the real-checkov run, which they would end.
UNLOADABLE = {
    "date.yaml": (check("DROP_DATE", RETENTION).replace("name: n DROP_DATE", "name: 2024-01-01"), "a YAML date"),
    "malformed.yaml": ("metadata: [", "malformed"),
}
#: Refused by the gate where checkov would load a check: types that are not type names (a stricter reading).
STRICTER = {
    "connected_types.yaml": (  # checkov loads and runs it (the real-checkov run showed it)
        check("ODD_CONNECTED", CONNECTED.replace("[aws_kms_key]", "[1]")),
        "`definition.connected_resource_types` is not a list of type names",
    ),
    "types_mapping.yaml": (
        check("ODD_TYPES", "{cond_type: attribute, resource_types: {a: 1}, attribute: a, operator: exists}"),
        "`definition.resource_types` is not a list of type names",
    ),
}
#: Checks under ids that are taken.
TAKEN = {
    "checkov_resource_id.yaml": (check("CKV_AWS_20", RETENTION), "CKV_AWS_20 is the id of one of checkov's own"),
    "checkov_graph_id.yaml": (check("CKV2_AWS_6", RETENTION), "CKV2_AWS_6 is the id of one of checkov's own"),
    "checkov_cfn_id.yaml": (check("CKV_AWS_107", RETENTION), "CKV_AWS_107 is the id of one of checkov's own"),
    "pack_id.yaml": (check("CKV_AGP_6", RETENTION), "CKV_AGP_6 is in the pack's own namespace"),
    "pack_future_id.yaml": (check("CKV_AGP_99", RETENTION), "CKV_AGP_99 is in the pack's own namespace"),
}


#: Loads (the gate's judgement and checkov's agree) but raises as it runs: `zz` is no CIDR range, and checkov's
#: registry only logs it (checkov/common/graph/checks_infra/registry.py `run_checks`'s thread pool).
RAISES = check(
    "ORG_CIDR",
    f"{{cond_type: attribute, resource_types: {LOGS}, attribute: name, operator: cidr_range_subset, value: zz}}",
)


def _judge(tmp_path: Path, files: dict[str, str]) -> tuple[list[str], dict[str, str]]:
    folder = tmp_path / EXTERNAL_CHECKS_DIR
    folder.mkdir(parents=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    checks = program_checks(tmp_path, PACK_CHECKS)
    return sorted(str(p) for p in checks.accepted), {r.file.rsplit("/", 1)[-1]: r.reason for r in checks.refused}


@pytest.mark.parametrize("name", sorted(LOADED))
def test_a_data_check_checkov_loads_under_a_free_id_is_given_to_it(tmp_path: Path, name: str) -> None:
    assert _judge(tmp_path, {name: LOADED[name]}) == ([name], {})


@pytest.mark.parametrize("name", sorted(DROPPED | UNLOADABLE | STRICTER | TAKEN))
def test_a_data_check_checkov_would_drop_or_that_takes_an_id_is_refused_with_why(tmp_path: Path, name: str) -> None:
    text, why = (DROPPED | UNLOADABLE | STRICTER | TAKEN)[name]
    accepted, refused = _judge(tmp_path, {name: text})
    assert accepted == []
    assert list(refused) == [name]
    assert why in refused[name]


def test_of_two_checks_with_one_id_the_first_in_path_order_runs_and_the_second_is_refused(tmp_path: Path) -> None:
    files = {"a.yaml": check("ORG_DUP", RETENTION), "b.yaml": check("ORG_DUP", KMS), "c.yaml": check("ORG_C", KMS)}
    accepted, refused = _judge(tmp_path, files)
    assert accepted == ["a.yaml", "c.yaml"]
    assert list(refused) == ["b.yaml"]
    assert "ORG_DUP is also the id of policies/checkov/a.yaml" in refused["b.yaml"]


def test_every_id_of_the_pack_is_in_its_reserved_namespace() -> None:
    ids = {line.split('"')[1] for p in PACK_CHECKS.glob("*.py") for line in p.read_text().splitlines() if "id=" in line}
    assert ids and all(i.startswith("CKV_AGP_") for i in ids)
    assert not ids & set(checkov_loader.stored()["ids"])


@needs_checkov
def test_the_stored_loader_table_is_the_installed_checkovs() -> None:
    """python -m preflight.checkov_loader --write rebuilds it."""
    table = checkov_loader.stored()
    assert checkov_loader.derive(CHECKOV_PYTHON) == table
    assert {"CKV_AWS_20", "CKV2_AWS_6", "CKV_AWS_158", "CKV_AWS_107"} <= set(table["ids"])
    assert "CKV2_ORG_1" not in table["ids"] and "CKV2_CUSTOM_1" not in table["ids"]


@pytest.fixture(scope="module")
def checkov_ran(tmp_path_factory: pytest.TempPathFactory) -> dict[str, set[str]]:
    """The real checkov, not quiet, on the program's plan with every loaded and dropped check and one under
    CKV2_AWS_6: each check id its report names, with the names it reports under it."""
    root = tmp_path_factory.mktemp("own-checks")
    plan = root / "tfplan.json"
    plan.write_text(graph_to_tfplan(synthesize(write_program(root / "program", PROGRAM), "dev")).to_json())
    folder = root / "checks"
    folder.mkdir()
    shadow = check("CKV2_AWS_6", "{cond_type: attribute, resource_types: [aws_s3_bucket], attribute: a, operator: any}")
    files = {**LOADED, **{n: t for n, (t, _) in DROPPED.items()}, "shadow.yaml": shadow, "raises.yaml": RAISES}
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    command = checkov_command(find_checkov(), plan, None, [folder], quiet=False)
    completed = subprocess.run(command, capture_output=True, text=True, check=False, cwd=root, timeout=300)
    report = json.loads(completed.stdout)
    found: dict[str, set[str]] = {}
    for key in ("passed_checks", "failed_checks"):
        for result in report["results"][key]:
            found.setdefault(result["check_id"], set()).add(result["check_name"])
    return found


@needs_checkov
def test_checkov_reports_every_check_the_gate_gives_it_and_none_the_gate_says_it_drops(
    checkov_ran: dict[str, set[str]],
) -> None:
    ids = {json.loads(t)["metadata"]["id"] if n.endswith(".json") else t.split(",")[0].split()[-1]
           for n, t in LOADED.items()}  # fmt: skip
    dropped = {text.split("id: ")[1].split(",")[0].split("\n")[0] for text, _ in DROPPED.values()}
    assert ids <= set(checkov_ran)
    assert not dropped & set(checkov_ran)
    # loaded, but raises as it runs: no judgement of the loader sees it; the gate tells it after the scan
    assert "ORG_CIDR" not in checkov_ran


@needs_checkov
def test_a_program_check_under_checkovs_graph_id_would_replace_checkovs_check(
    checkov_ran: dict[str, set[str]],
) -> None:
    """Why F8 refuses a taken id: on the bucket checkov reports the program's check under CKV2_AWS_6, not its own
    (which, without it, fails the bucket: `test_taken_ids_duplicates_and_dropped_checks_are_refused_findings`)."""
    assert checkov_ran["CKV2_AWS_6"] == {"n CKV2_AWS_6"}


@pytest.fixture(scope="module")
def gated(tmp_path_factory: pytest.TempPathFactory) -> GateReport:
    root = tmp_path_factory.mktemp("own-checks-gate")
    files = {f"policies/checkov/{name}": text for name, text in LOADED.items() if name in {"org.yaml", "not.yaml"}}
    files |= {f"policies/checkov/{name}": text for name, (text, _) in TAKEN.items()}
    files["policies/checkov/no_category.yaml"] = DROPPED["no_category.yaml"][0]
    files["policies/checkov/zz_dup.yaml"] = check("CKV2_ORG_1", KMS)
    files["policies/checkov/cidr.yaml"] = RAISES
    return run_gate(write_program(root, PROGRAM, name="own", stack="prod", files=files), "prod")


@needs_checkov
def test_a_program_check_under_ckv2_org_runs_and_its_failure_is_a_finding(gated: GateReport) -> None:
    own = {(f.policy, f.resource) for f in gated.violations if f.policy in {"CKV2_ORG_1", "ORG_NOT"}}
    assert own == {("CKV2_ORG_1", "forever-logs"), ("ORG_NOT", "kept-logs")}
    assert gated.checkov is not None
    assert any("2 of the program's own data checks" in note for note in gated.checkov.notes)


@needs_checkov
def test_taken_ids_duplicates_and_dropped_checks_are_refused_findings(gated: GateReport) -> None:
    refused = {f.message.split(":", 1)[0].rsplit("/", 1)[-1] for f in gated.violations if f.policy == REFUSED_POLICY}
    assert refused == {*TAKEN, "no_category.yaml", "zz_dup.yaml", "cidr.yaml"}
    cidr = next(f.message for f in gated.violations if f.policy == REFUSED_POLICY and "cidr.yaml" in f.message)
    assert "ORG_CIDR but reported it on no resource" in cidr and "aws_cloudwatch_log_group" in cidr
    assert ("CKV2_AWS_6", "data") in {(f.policy, f.resource) for f in gated.violations}  # checkov's own still runs
    levels = {(f.level, f.source) for f in gated.violations if f.policy == REFUSED_POLICY}
    assert levels == {(Level.MANDATORY, Source.CHECKOV)}


def _accepted(tmp_path: Path, files: dict[str, str]) -> ProgramChecks:
    folder = tmp_path / EXTERNAL_CHECKS_DIR
    folder.mkdir(parents=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    checks = program_checks(tmp_path, PACK_CHECKS)
    assert checks.refused == []
    return checks


def test_a_given_check_checkov_did_not_load_or_that_reported_nothing_on_its_types_did_not_run(tmp_path: Path) -> None:
    files = {"a.yaml": check("A", RETENTION), "b.yaml": check("B", RETENTION), "c.yaml": check("C", CONNECTED)}
    files |= {"d.yaml": check("D", "{cond_type: attribute, attribute: tags, operator: exists}"), "e.yaml": RAISES}
    checks = _accepted(tmp_path, files)
    ran = {"loaded": ["B", "C", "D", "ORG_CIDR"], "reported": ["C"]}
    not_run = {r.file: r.reason for r in checks.not_run(ran, {"aws_cloudwatch_log_group"}, lambda i: i != "ORG_CIDR")}
    assert sorted(not_run) == ["policies/checkov/a.yaml", "policies/checkov/b.yaml", "policies/checkov/d.yaml"]
    assert "checkov did not load A" in not_run["policies/checkov/a.yaml"]
    assert "(aws_cloudwatch_log_group)" in not_run["policies/checkov/b.yaml"]
    assert "(any type)" in not_run["policies/checkov/d.yaml"]  # no resource_types: every type
    # no resource of its types scanned (a kms key's is connected to C's log groups, not B's): nothing decided
    assert [r.file for r in checks.not_run(ran, {"aws_kms_key"}, lambda i: True)] == [
        "policies/checkov/a.yaml",
        "policies/checkov/d.yaml",
    ]
    assert checks.not_run(None, {"aws_cloudwatch_log_group"}, lambda i: True) == []  # a plain checkov says nothing


def test_the_workers_line_of_external_checks_is_read_from_checkovs_stderr() -> None:
    line = EXTERNAL_LINE + json.dumps({"loaded": ["A"], "reported": []})
    assert _external_checks(f"checkov_worker: 3 cached\n{line}\n") == {"loaded": ["A"], "reported": []}
    assert _external_checks("checkov_worker: 3 cached\n") is None
    assert _external_checks(EXTERNAL_LINE + "[") is None
