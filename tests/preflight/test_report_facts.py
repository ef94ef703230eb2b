"""Every report format carries the same facts: a fact one format drops fails here (review s10 findings 10, 11).

The README promises that every report names the profile and its file; the Markdown comment and the SARIF file
dropped the gate's notes (a stack without a file, a refused `check:` or skip, an unused suppression, the resources
only read), SARIF the types checkov did not scan, and every format counted a refused skip as skipped. Each format is
read back here by its own means (the text and Markdown lines, the JSON keys, SARIF's run properties and invocation
notifications) into one shape, and the four must agree with each other and with the report itself.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from policies.profile import describe
from preflight.findings import CheckovResult, Finding, Level, Source, SuppressedFinding
from preflight.gate import GateReport, run_gate
from preflight.graph import ResourceGraph, ResourceNode
from preflight.report import FORMATS, render
from tests.preflight.programs import write_program


@dataclass(frozen=True)
class Facts:
    """What every format must say, in one comparable shape."""

    counts: tuple[int, int, int]  # mandatory, advisory, suppressed
    profile: str
    notes: tuple[str, ...]
    skips: tuple[tuple[str, str, str], ...]  # (check id, origin, status), sorted
    skip_counts: tuple[int, int]  # honoured, refused
    coverage: tuple[int, int, int]  # not seen, no checkov checks, not mapped
    not_scanned: tuple[str, ...]


def expected(report: GateReport) -> Facts:
    """The facts as the report object holds them."""
    skipped = report.checkov.skipped if report.checkov is not None else []
    refused = sum(1 for s in skipped if s.get("status", "").startswith("refused"))
    return Facts(
        counts=(len(report.mandatory), len(report.advisory), len(report.suppressed)),
        profile=report.profile,
        notes=tuple(report.notes),
        skips=tuple(sorted((s["check_id"], s.get("origin", ""), s.get("status", "honoured")) for s in skipped)),
        skip_counts=(len(skipped) - refused, refused),
        coverage=(report.not_seen, report.no_checks, report.not_mapped),
        not_scanned=tuple(sorted(report.not_scanned)),
    )


# ------------------------------------------------------------------------------------------------
# Reading each format back
# ------------------------------------------------------------------------------------------------

_COVERAGE = re.compile(r"(\d+) resources not seen, (\d+) with no checkov checks, (\d+) not mapped")


def _skip_parts(check_id: str, where: str, reason: str) -> tuple[str, str, str]:
    """(check id, origin, status) of one skip line's parts: `where` is `origin[, until date]`."""
    refused = re.search(r" \[(refused: .*)\]$", reason)
    return check_id, where.split(", until ", maxsplit=1)[0], refused.group(1) if refused else "honoured"


def _coverage(text: str) -> tuple[int, int, int]:
    match = _COVERAGE.search(text)
    return (int(match[1]), int(match[2]), int(match[3])) if match else (0, 0, 0)


def _skip_counts(text: str, separator: str) -> tuple[int, int]:
    match = re.search(rf"(\d+) skipped(?:{re.escape(separator)}(\d+) refused)?", text)
    return (int(match[1]), int(match[2] or 0)) if match else (0, 0)


def from_text(text: str) -> Facts:
    lines = text.splitlines()
    head = re.match(r"(?:PASS|FAIL) \S+: \d+ resources, (\d+) mandatory, (\d+) advisory, (\d+) suppressed", lines[0])
    assert head, lines[0]
    checkov = next((line for line in lines if line.startswith("checkov ")), "")
    skips = [re.fullmatch(r"  skip (\S+) \((.*?)\): (.*)", line) for line in lines if line.startswith("  skip ")]
    scanned = next((line for line in lines if line.startswith("not scanned by checkov")), "")
    return Facts(
        counts=(int(head[1]), int(head[2]), int(head[3])),
        profile=next((line for line in lines if line.startswith("levels: ")), ""),
        notes=tuple(line.removeprefix("note: ") for line in lines if line.startswith("note: ")),
        skips=tuple(sorted(_skip_parts(m[1], m[2], m[3]) for m in skips if m)),
        skip_counts=_skip_counts(checkov, ", "),
        coverage=_coverage(checkov),
        not_scanned=tuple(sorted(scanned.split("): ", 1)[1].split(", "))) if scanned else (),
    )


def _unescape(text: str) -> str:
    """Markdown's escaped control characters back to the text they stand for (preflight/report/markdown.py `_md`)."""
    return re.sub(r"\\(.)", r"\1", text)


def _section(text: str, title: str) -> list[str]:
    """The lines of the `### <title>...` section, up to the next one."""
    parts = re.split(r"^### ", text, flags=re.MULTILINE)
    found = [p for p in parts if p.startswith(title)]
    return found[0].splitlines()[1:] if found else []


def from_markdown(text: str) -> Facts:
    head = re.search(r"· \d+ resources · (\d+) mandatory · (\d+) advisory · (\d+) suppressed", text)
    assert head, text[:500]
    checkov = _section(text, "Checkov")
    summary = next((line for line in checkov if " failed · " in line), "")
    skips = [re.fullmatch(r"- `(.+?)` on `.*?` \((.*?)\): (.*)", line) for line in checkov if line.startswith("- `")]
    skip_lines = [m for m in skips if m and m[1].startswith("CKV")]
    # The not-scanned types are the fold after the skips: `- \`aws:...\`` lines.
    types = [line[3:-1] for line in checkov if re.fullmatch(r"- `[^`]+`", line)]
    profile = next((line for line in text.splitlines() if line.startswith("_levels: ")), "")
    return Facts(
        counts=(int(head[1]), int(head[2]), int(head[3])),
        profile=_unescape(profile[1:-1]) if profile else "",
        notes=tuple(_unescape(line[2:]) for line in _section(text, "Notes") if line.startswith("- ")),
        skips=tuple(sorted(_skip_parts(_unescape(m[1]), _unescape(m[2]), _unescape(m[3])) for m in skip_lines)),
        skip_counts=_skip_counts(summary, " · "),
        coverage=_coverage(summary),
        not_scanned=tuple(sorted(types)),
    )


def from_json(text: str) -> Facts:
    data = json.loads(text)
    checkov = data["checkov"] or {}
    counts = checkov.get("skip_counts", {"skipped": 0, "refused": 0})
    summary = data["summary"]
    return Facts(
        counts=(summary["mandatory"], summary["advisory"], summary["suppressed"]),
        profile=data["policy_profile"],
        notes=tuple(data["notes"]),
        skips=tuple(sorted((s["check_id"], s["origin"], s["status"]) for s in checkov.get("skipped", []))),
        skip_counts=(counts["skipped"], counts["refused"]),
        coverage=(checkov.get("not_seen", 0), checkov.get("no_checks", 0), checkov.get("not_mapped", 0)),
        not_scanned=tuple(sorted(data["not_scanned"])),
    )


def from_sarif(text: str) -> Facts:
    run = json.loads(text)["runs"][0]
    results: list[dict[str, Any]] = run["results"]
    properties = run["properties"]
    open_results = [r for r in results if not r.get("suppressions")]
    notifications = [n for i in run.get("invocations", []) for n in i.get("toolExecutionNotifications", [])]
    counts = properties.get("checkovSkipCounts", {})
    return Facts(
        counts=(
            sum(1 for r in open_results if r["level"] == "error"),
            sum(1 for r in open_results if r["level"] == "warning"),
            len(results) - len(open_results),
        ),
        profile=properties.get("policyProfile", ""),
        notes=tuple(n["message"]["text"] for n in notifications),
        skips=tuple(sorted((s["check_id"], s["origin"], s["status"]) for s in properties["checkovSkipped"])),
        skip_counts=(counts.get("skipped", 0), counts.get("refused", 0)),
        coverage=(properties["checkovNotSeen"], properties["checkovNoChecks"], properties["checkovNotMapped"]),
        not_scanned=tuple(sorted(properties.get("notScanned", []))),
    )


READERS = {"text": from_text, "markdown": from_markdown, "json": from_json, "sarif": from_sarif}


def _assert_every_format_agrees(report: GateReport) -> None:
    want = expected(report)
    assert set(READERS) == set(FORMATS)
    for fmt, read in READERS.items():
        assert read(render(report, fmt)) == want, fmt


# ------------------------------------------------------------------------------------------------
# Reports
# ------------------------------------------------------------------------------------------------


def _node(name: str, type_: str) -> ResourceNode:
    return ResourceNode(f"urn:pulumi:prod::demo::{type_}::{name}", type_, name, True, "", "", {}, {})


QUEUE = _node("orders", "aws:sqs/queue:Queue")
TOPIC = _node("alerts", "aws:sns/topic:Topic")
GUARDRAIL = _node("guard", "aws:bedrock/guardrail:Guardrail")
OTHER = _node("box", "acme:index/box:Box")


def _finding(policy: str, level: Level, resource: ResourceNode | None) -> Finding:
    return Finding(
        policy,
        Source.CHECKOV if policy.startswith("CKV") else Source.CROSSGUARD,
        level,
        resource.name if resource else "",
        resource.type if resource else "",
        resource.urn if resource else "",
        ("P141",),
        f"{policy} failed.",
        "Fix: do it.",
        "high",
    )


def rich_report() -> GateReport:
    """Every fact at once, with the characters Markdown escapes (`_`, `<>`, backticks, `*`)."""
    skipped = [
        {
            "check_id": "CKV_AWS_116",
            "address": "*",
            "reason": "judged by the CrossGuard policy lambda-failure-destination",
            "origin": "policies/checkov_principles.yaml:53",
            "expires": "",
            "status": "honoured",
        },
        {
            "check_id": "CKV2_AWS_12",
            "address": "*",
            "reason": "the default security group is managed by the landing zone",
            "origin": "/work/prog/.checkov.yaml:2",
            "expires": "2026-12-31",
            "status": "honoured",
        },
        {
            "check_id": "CKV*",
            "address": "*",
            "reason": "the landing zone team reviews every network resource",
            "origin": "/work/prog/.checkov.yaml:3",
            "expires": "2026-12-31",
            "status": "refused: a glob over many checks: name each check it skips",
        },
    ]
    notes = [
        "stack file: Pulumi.prod.yaml not found, so stack 'prod' is judged with an empty config plus the project's "
        "defaults, as the Pulumi CLI runs a stack that has no file (check the stack name if it should have one)",
        "/work/prog/.checkov.yaml: `check:` (CKV_AWS_1) refused: it would switch off every other check",
        "/work/prog/.checkov.yaml:3: skip of CKV* refused (a glob over many checks: name each check it skips); "
        "the check runs",
        "suppressions.yaml entry 2 (CKV2_AWS_11 on vpc) matched no finding (expires 2026-12-31): remove it, or fix "
        "its id or resource",
        "read, not managed: aws:s3/bucket:Bucket logs (id my_logs<1>)",
    ]
    waived = SuppressedFinding(_finding("resource-not-judged", Level.MANDATORY, TOPIC), "reviewed by the team", "")
    return GateReport(
        stack="prod",
        project="demo",
        graph=ResourceGraph("demo", "prod", [QUEUE, TOPIC, GUARDRAIL, OTHER]),
        resources=4,
        violations=[
            _finding("sqs-queue-kms-encryption", Level.MANDATORY, QUEUE),
            _finding("CKV_AWS_27", Level.MANDATORY, QUEUE),
            _finding("cost-budget-present", Level.ADVISORY, None),
        ],
        suppressed=[waived],
        not_scanned=["acme:index/box:Box"],
        checkov=CheckovResult(
            passed_count=7,
            skipped=skipped,
            not_seen=[QUEUE.urn],
            no_checks=[GUARDRAIL.urn, TOPIC.urn],
            not_mapped=[OTHER.urn],
            not_scanned=["acme:index/box:Box"],
        ),
        notes=notes,
        program_dir="/work/prog",
        config_file="policies/config/prod.json",
        profile=describe("prod", None, "policies/config/prod.json"),
    )


def bare_report() -> GateReport:
    """No checkov, no notes, no profile: nothing to carry, and no format may invent any."""
    return GateReport(stack="dev", project="demo", graph=ResourceGraph("demo", "dev", [QUEUE]), resources=1)


def checkov_not_run_report() -> GateReport:
    """checkov did not run, but its configuration's skips (one refused) and the gate's note about it remain."""
    report = rich_report()
    assert report.checkov is not None
    report.checkov = CheckovResult(skipped=report.checkov.skipped, ran=False)
    report.not_scanned = []
    report.notes = ["checkov did not run (see the checkov bridge's message); only CrossGuard policies were applied"]
    return report


@pytest.mark.parametrize("build", [rich_report, bare_report, checkov_not_run_report], ids=lambda b: b.__name__)
def test_every_format_carries_the_same_facts(build: Any) -> None:
    _assert_every_format_agrees(build())


def test_a_refused_skip_is_counted_as_refused_not_skipped() -> None:
    """`ckvwild` of the review: one honoured skip and one refused glob read "2 skipped" (finding 11)."""
    report = rich_report()
    assert expected(report).skip_counts == (2, 1)
    assert "2 skipped, 1 refused (each listed below" in render(report, "text")
    assert "· 2 skipped · 1 refused ·" in render(report, "markdown")
    assert json.loads(render(report, "json"))["checkov"]["skip_counts"] == {"skipped": 2, "refused": 1}


PROGRAM = """
import pulumi_aws as aws

aws.ec2.Vpc("vpc", cidr_block="10.0.0.0/16")
aws.s3.Bucket.get("logs", "my-logs")
"""


@pytest.mark.usefixtures("checkov_present")
def test_a_real_gate_run_carries_its_notes_in_every_format(tmp_path: Path) -> None:
    """The review's `nostack`, `report`, `ckvcheck` and `ckvwild` in one program: a stack without a file, a read
    resource, an unused suppression, a refused `check:`, an honoured and a refused skip."""
    program = write_program(tmp_path, PROGRAM)
    (program / "Pulumi.dev.yaml").unlink()
    until = (dt.date.today() + dt.timedelta(days=60)).isoformat()
    (program / ".checkov.yaml").write_text(
        f"check:\n  - CKV_AWS_1\nskip-check:\n  - CKV2_AWS_12  # until {until}: the landing zone manages the default "
        f"security group\n  - CKV*  # until {until}: the landing zone team reviews every network resource\n",
        encoding="utf-8",
    )
    (program / "policies").mkdir()
    (program / "policies" / "suppressions.yaml").write_text(
        f"- id: CKV2_AWS_11\n  resource: old-vpc\n  reason: flow logs are delivered by the central account\n"
        f"  expires: {until}\n",
        encoding="utf-8",
    )
    report = run_gate(program, "dev")
    notes = " | ".join(report.notes)
    for fragment in ("stack file: Pulumi.dev.yaml not found", "`check:`", "skip of CKV* refused", "matched no finding"):
        assert fragment in notes, fragment
    assert report.profile.startswith("levels: ") and any("is read, not deployed" in note for note in report.notes)
    assert expected(report).skip_counts[1] == 1
    _assert_every_format_agrees(report)
