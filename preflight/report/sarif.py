"""SARIF 2.1.0 for GitHub code scanning: one rule per policy or checkov id, one result per finding.

Resources have no file positions, so every result points at the stack file (`Pulumi.<stack>.yaml`,
line 1) with the resource as a logical location (name and URN). Suppressed findings are included
with an external suppression carrying the reason, so auditors see them where the alerts live.

The rest of what the text and JSON reports say sits where SARIF 2.1.0 puts it (OASIS sarif-spec
sarif-2.1/schema/sarif-schema-2.1.0.json): the gate's notes as `toolExecutionNotifications` of the run's one
`invocation` ("runtime conditions detected by the tool during the analysis"; `executionSuccessful` is the
invocation's one required property), and the profile, its file, the skips with their status and counts and what
checkov did not scan in the run's `properties` bag. GitHub code scanning accepts any valid SARIF 2.1.0 file and
reads its own subset of it (docs.github.com, "SARIF support for code scanning").
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from policies.registry import by_name
from preflight.errors import ConfigError
from preflight.findings import Finding, Level, Source, skip_counts
from preflight.stackconfig import project_file_path, stack_file_or_default
from preflight.suppressions import EXPIRED_POLICY, INVALID_POLICY
from preflight.unseen import APPLY_POLICY, REMOTE_POLICY

if TYPE_CHECKING:
    from preflight.gate import GateReport

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/pulumi/pulumi-policy"
#: GitHub's `security-severity` property ranks alerts (critical >= 9.0, high >= 7.0, medium >= 4.0).
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0"}
#: Rules that are not policies of the pack: a fixed description, never one finding's message.
FIXED_DESCRIPTIONS = {
    INVALID_POLICY: "A policies/suppressions.yaml entry is malformed, unjustified or names no known policy",
    EXPIRED_POLICY: "A policies/suppressions.yaml entry is past its expiry date",
    REMOTE_POLICY: "A multi-language component's resources are built by its plugin at deploy time and were not judged",
    APPLY_POLICY: "An apply callback did not run offline (its value was unknown), so what it creates was not judged",
}


def _description(finding: Finding) -> str:
    """A rule's description for an id outside the registry: fixed text, or checkov's check name (fixed per id)."""
    if finding.policy in FIXED_DESCRIPTIONS:
        return FIXED_DESCRIPTIONS[finding.policy]
    if finding.source is Source.CHECKOV and finding.message:
        return finding.message
    return f"{finding.source.value} rule {finding.policy}"


def _stack_or_project_file(program_dir: Path, stack: str) -> Path:
    """The stack file the findings belong to, or the project file for a stack that has none (or a file source)."""
    path = stack_file_or_default(program_dir, stack)
    if path.is_file():
        return path
    try:
        return project_file_path(program_dir) or path
    except ConfigError:
        return path


def _artifact(report: GateReport) -> str:
    """The stack file, relative to the working directory when it is inside it (GitHub wants repo paths)."""
    path = _stack_or_project_file(Path(report.program_dir), report.stack)
    try:
        relative = os.path.relpath(path.resolve(), Path.cwd())
    except ValueError:
        return path.as_posix()
    return Path(relative).as_posix() if not relative.startswith("..") else path.as_posix()


def _rule(finding: Finding) -> dict[str, Any]:
    spec = by_name().get(finding.policy)
    description = spec.description if spec is not None else _description(finding)
    help_text = (spec.explanation if spec is not None else finding.fix) or description
    severity = finding.severity or (spec.severity.name.lower() if spec is not None else "")
    category = spec.category.value if spec is not None else "security"
    properties: dict[str, Any] = {"tags": sorted({"security", category, finding.source.value, *finding.principles})}
    if severity in SECURITY_SEVERITY:
        properties["security-severity"] = SECURITY_SEVERITY[severity]
    return {
        "id": finding.policy,
        "name": "".join(part.capitalize() for part in finding.policy.replace("_", "-").split("-")),
        "shortDescription": {"text": description},
        "fullDescription": {"text": description},
        "help": {"text": help_text, "markdown": help_text},
        "defaultConfiguration": {"level": "error" if finding.level is Level.MANDATORY else "warning"},
        "properties": properties,
    }


def _result(finding: Finding, rule_index: int, artifact: str, stack: str) -> dict[str, Any]:
    where = finding.resource or "(stack)"
    # A resource is identified by its URN; a stack-wide finding (no URN) by its message, so two stack
    # findings of one policy are two alerts, not one.
    identity = finding.urn or f"{where}\0{finding.message}"
    fingerprint = hashlib.sha256(f"{stack}\0{finding.policy}\0{identity}".encode()).hexdigest()[:32]
    result: dict[str, Any] = {
        "ruleId": finding.policy,
        "ruleIndex": rule_index,
        "level": "error" if finding.level is Level.MANDATORY else "warning",
        "message": {"text": f"[{stack}] {where}: {finding.message}"},
        "locations": [
            {
                "physicalLocation": {"artifactLocation": {"uri": artifact}, "region": {"startLine": 1}},
                "logicalLocations": [{"name": where, "fullyQualifiedName": finding.urn or where, "kind": "resource"}],
            }
        ],
        "partialFingerprints": {"preflightFinding/v1": fingerprint},
        "properties": {"resourceType": finding.type, "source": finding.source.value},
    }
    return result


def _invocation(report: GateReport) -> dict[str, Any]:
    """The gate's one run: it completed (a failing verdict is a result, not a failed execution), with its notes."""
    notes = [{"level": "note", "message": {"text": note}} for note in report.notes]
    return {"executionSuccessful": True, "toolExecutionNotifications": notes}


def _run_properties(report: GateReport) -> dict[str, Any]:
    """What the report says beside its findings: the profile and its file, what checkov was told not to check and
    where (with each skip's status, and the counts by status), and what it could not see (goal: none)."""
    skipped = list(report.checkov.skipped) if report.checkov is not None else []
    honoured, refused = skip_counts(skipped)
    return {
        "policyProfile": report.profile,
        "policyConfig": report.config_file,
        "checkovSkipped": skipped,
        "checkovSkipCounts": {"skipped": honoured, "refused": refused},
        "checkovNotSeen": report.not_seen,
        "checkovNoChecks": report.no_checks,
        "checkovNotMapped": report.not_mapped,
        "notScanned": list(report.not_scanned),
        # The stated-outputs file the StackReferences were given, what was stated and what stayed
        # unknown (preflight.stack_references.ReferenceWatch.summary), when there is either.
        **({"stackReferences": report.graph.stack_references} if report.graph.stack_references else {}),
    }


def sarif_document(report: GateReport) -> dict[str, Any]:
    artifact = _artifact(report)
    rules: list[dict[str, Any]] = []
    index: dict[str, int] = {}
    results: list[dict[str, Any]] = []
    everything = [(f, None) for f in report.violations] + [(s.finding, s) for s in report.suppressed]
    for finding, suppression in everything:
        if finding.policy not in index:
            index[finding.policy] = len(rules)
            rules.append(_rule(finding))
        result = _result(finding, index[finding.policy], artifact, report.stack)
        if suppression is not None:
            result["suppressions"] = [
                {"kind": "external", "justification": f"{suppression.reason} (expires {suppression.expires})"}
            ]
        results.append(result)
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "preflight",
                        "informationUri": INFORMATION_URI,
                        "semanticVersion": "0.1.0",
                        "rules": rules,
                    }
                },
                "automationDetails": {"id": f"preflight/{report.stack}/"},
                "artifacts": [{"location": {"uri": artifact}}],
                "results": results,
                "invocations": [_invocation(report)],
                "properties": _run_properties(report),
            }
        ],
    }


def render_sarif(report: GateReport) -> str:
    return json.dumps(sarif_document(report), indent=2, sort_keys=True)
