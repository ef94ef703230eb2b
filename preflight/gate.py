"""The gate: one verdict for a stack from the CrossGuard pack and checkov, after suppressions.

Data flows one way: program (or preview/export file) -> graph -> policies and checkov -> findings
-> suppressions -> report. Exit code 0 means no mandatory violation, 1 at least one; bad input is a
PreflightError (exit 2) raised before any verdict.

Examples
--------
>>> report = run_gate(".", "dev", checkov=False)
>>> report.exit_code in (0, 1)
True
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal

import yaml

from policies.errors import PackFileError
from policies.profile import PACK_DIR, checkov_level, describe, is_production
from policies.profile import declared_baseline as baseline_setting
from policies.profile import declared_production as production_setting
from policies.registry import all_policies
from preflight.checkov_checks import REFUSED_POLICY
from preflight.checkov_unknown import CHECKOV_UNKNOWN_POLICY, checkov_unknown_findings
from preflight.errors import ConfigError
from preflight.findings import (
    CheckovResult,
    Finding,
    Level,
    Source,
    SuppressedFinding,
    coverage_phrase,
    skip_counts,
)
from preflight.graph import ResourceGraph, ResourceNode
from preflight.load import load_graph, preload
from preflight.policy_runner import LoweredLevel, lowered_levels, run_policies
from preflight.program_inputs import ProgramInputs
from preflight.suppressions import (
    Suppression,
    apply_suppressions,
    load_suppressions,
    refuse_catch_alls,
    unused_note,
    unused_suppressions,
)
from preflight.unseen import (
    UNSEEN_POLICIES,
    apply_findings,
    own_output_gaps,
    qualified_not_applicable,
    read_notes,
    remote_component_findings,
)

SUPPRESSIONS_FILE = Path("policies") / "suppressions.yaml"
CHECKOV_PRINCIPLES_FILE = PACK_DIR / "checkov_principles.yaml"


@dataclass
class GateReport:
    """Everything the gate found for one stack; reports render it, `exit_code` is the verdict."""

    stack: str
    project: str
    graph: ResourceGraph
    resources: int
    violations: list[Finding] = field(default_factory=list)
    suppressed: list[SuppressedFinding] = field(default_factory=list)
    not_scanned: list[str] = field(default_factory=list)
    checkov: CheckovResult | None = None
    duration: float = 0.0
    notes: list[str] = field(default_factory=list)
    program_dir: str = "."
    config_file: str = ""
    #: Which profile judged the stack and from which file (policies.profile.describe).
    profile: str = ""
    #: Seconds per phase (synthesis, export, policies, checkov_wait): where the gate's time goes (bench/gate.py).
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def mandatory(self) -> list[Finding]:
        return [f for f in self.violations if f.level is Level.MANDATORY]

    @property
    def advisory(self) -> list[Finding]:
        return [f for f in self.violations if f.level is Level.ADVISORY]

    def _count(self, urns: Sequence[str] | None) -> int:
        wanted = set(urns or ())
        return sum(1 for n in self.graph.custom_resources if n.urn in wanted)

    @property
    def not_seen(self) -> int:
        """Resources handed to checkov, of a type it checks, that its report does not account for (decided per
        resource by `checkov_runner.parse_report`; goal: none); none when checkov did not run."""
        return self._count(self.checkov.not_seen if self.checkov is not None else None)

    @property
    def no_checks(self) -> int:
        """Resources of a type checkov has no checks for: not a gap of the bridge (review gate #6)."""
        return self._count(self.checkov.no_checks if self.checkov is not None else None)

    @property
    def not_mapped(self) -> int:
        """Resources the bridge could hand checkov neither in the plan nor in the template (goal: none)."""
        return self._count(self.checkov.not_mapped if self.checkov is not None else None)

    @property
    def checkov_coverage(self) -> str:
        """The one phrase every report uses for the three counts."""
        return coverage_phrase(self.not_seen, self.no_checks, self.not_mapped)

    @property
    def exit_code(self) -> int:
        return 1 if self.mandatory else 0

    def to_dict(self) -> dict[str, Any]:
        checkov: dict[str, Any] | None = None
        if self.checkov is not None:
            checkov = {
                "ran": self.checkov.ran,
                "failed": len(self.checkov.failed),
                "passed": self.checkov.passed_count,
                "skipped": list(self.checkov.skipped),
                # A refused skip is listed with its status but is no skipped check: the check ran (finding 11).
                "skip_counts": dict(zip(("skipped", "refused"), skip_counts(self.checkov.skipped), strict=True)),
                "not_seen": self.not_seen,
                "no_checks": self.no_checks,
                "not_mapped": self.not_mapped,
                "duration_seconds": round(self.checkov.duration_seconds, 3),
            }
        return {
            "stack": self.stack,
            "project": self.project,
            "source": self.graph.source,
            "resources": self.resources,
            "passed": self.exit_code == 0,
            "exit_code": self.exit_code,
            "summary": {
                "mandatory": len(self.mandatory),
                "advisory": len(self.advisory),
                "suppressed": len(self.suppressed),
            },
            "violations": [f.to_dict() for f in self.violations],
            "suppressed": [s.to_dict() for s in self.suppressed],
            "not_scanned": list(self.not_scanned),
            "checkov": checkov,
            "notes": list(self.notes),
            "policy_config": self.config_file,
            # The stated-outputs file the StackReferences were given, and per reference what was stated and what
            # stayed unknown (preflight.stack_references.ReferenceWatch.summary); {} for a file source.
            "stack_references": self.graph.stack_references,
            "policy_profile": self.profile,
            "duration_seconds": round(self.duration, 3),
            "timings": {phase: round(seconds, 3) for phase, seconds in self.timings.items()},
        }


@cache
def checkov_principles() -> tuple[tuple[str, ...], Mapping[str, tuple[str, ...]]]:
    data = yaml.safe_load(CHECKOV_PRINCIPLES_FILE.read_text(encoding="utf-8")) or {}
    default = tuple(data.get("default") or ())
    checks = {str(k): tuple(v) for k, v in (data.get("checks") or {}).items()}
    return default, checks


def checkov_findings(result: CheckovResult, stack: str, production: bool | None = None) -> list[Finding]:
    """checkov failures as findings, at the level policies.profile gives them (production: mandatory), then the
    program's custom checks the gate refused (`refused_check_findings`)."""
    level = Level(checkov_level(stack, production))
    default, table = checkov_principles()
    failed = [
        Finding(
            policy=f.check_id,
            source=Source.CHECKOV,
            level=level,
            resource=f.name,
            type=f.type,
            urn=f.urn,
            principles=table.get(f.check_id, default),
            message=f.check_name,
            fix=f.guideline,
            severity="",
        )
        for f in result.failed
    ]
    return failed + refused_check_findings(result, stack, production)


def _checkov_part(graph: ResourceGraph, result: CheckovResult, production: bool | None) -> list[Finding]:
    """checkov's findings, and an unknown value one of its checks reads (preflight.checkov_unknown, review 6 F3):
    a finding whatever the unknown comes from, for checkov never runs at `pulumi up` (review s11 3 #1)."""
    level = Level(checkov_level(graph.stack, production))
    unknown = checkov_unknown_findings(graph, result, level, checkov_principles())
    return [*checkov_findings(result, graph.stack, production), *unknown]


#: Why a refused custom check is a finding (a check that does not run is governance not applied, as P188 forbids).
REFUSED_PRINCIPLES = ("P188",)


def refused_check_findings(result: CheckovResult, stack: str, production: bool | None = None) -> list[Finding]:
    """One stack-wide finding per file of the program's `policies/checkov/` the gate did not give checkov, or that
    checkov would drop (preflight.checkov_checks), at checkov's level: a check the program relies on did not run."""
    level = Level(checkov_level(stack, production))
    return [
        Finding(
            policy=REFUSED_POLICY,
            source=Source.CHECKOV,
            level=level,
            resource="",
            type="",
            urn="",
            principles=REFUSED_PRINCIPLES,
            message=f"{item['file']}: not run: {item['reason']}",
            fix=(
                "Rewrite it as a checkov YAML check checkov loads (metadata id, name and category; a definition "
                "it parses) under an id no checkov, pack (CKV_AGP_*) or other program check has, or remove it"
            ),
            severity="high",
        )
        for item in result.refused_checks
    ]


def _start_checkov(notes: list[str]) -> Any:
    """A checkov process warming up while the graph is built, or None when the bridge is absent."""
    try:
        runner = importlib.import_module("preflight.checkov_runner")
    except ModuleNotFoundError as exc:
        if exc.name != "preflight.checkov_runner":
            raise
        notes.append("checkov skipped: preflight.checkov_runner is not available")
        return None
    return runner.take_prestarted() or runner.WarmCheckov()


def _streaming(warm: Any) -> Callable[[ResourceNode], None] | None:
    """What to tell of each resource as it registers: the warm checkov runs its per-resource checks on each
    part of the plan on the other core while synthesis goes on (preflight/checkov_stream.py)."""
    stream = warm.stream() if warm is not None else None
    return stream.add if stream is not None else None


def _start_scan(graph: ResourceGraph, program_dir: str | Path, warm: Any) -> Any:
    """Export the plan and hand it to checkov (the caller runs the policies while it scans)."""
    runner = importlib.import_module("preflight.checkov_runner")
    return runner.start_checkov(graph, program_dir, warm=warm)


def _finish_scan(scan: Any, notes: list[str]) -> CheckovResult:
    result: CheckovResult = scan.result()
    notes.extend(result.notes)
    if not result.ran:
        notes.append("checkov did not run (see the checkov bridge's message); only CrossGuard policies were applied")
    return result


@dataclass
class _Deferred:
    """An outcome kept to be raised later: the checkov hand-over's error surfaces after the policies ran,
    as it did when the hand-over ran beside them, so a policy or config error still wins."""

    value: Any = None
    error: BaseException | None = None

    def get(self) -> Any:
        if self.error is not None:
            raise self.error
        return self.value


def _lowered_summary(lowered: Sequence[LoweredLevel], level_file: str) -> str:
    """`; 2 policies lowered by <file>: a (mandatory -> disabled), ...` for the report's profile line (R6)."""
    if not lowered:
        return ""
    return f"; {len(lowered)} policies lowered by {level_file}: " + ", ".join(x.describe() for x in lowered)


def _check_lowered(
    lowered: Sequence[LoweredLevel], level_file: str, suppressions: Sequence[Suppression], production: bool
) -> list[Suppression]:
    """The suppressions that justify a lowered level; ConfigError (exit 2) for a mandatory policy a production
    stack's level file lowers without one (review finding R6).

    In a production stack a program's level file may raise any level and lower an advisory one, but a policy
    the pack's profile makes mandatory stays mandatory unless policies/suppressions.yaml holds a current entry
    `{id: <policy>, resource: "*", reason, expires}` (reason of 20 characters or more, expiry within 366 days:
    the suppression rules), docs/operations/policy-violations.md.
    """
    waivers = [s for s in suppressions if s.resource == "*"]
    used: list[Suppression] = []
    for item in lowered:
        waiver = next((s for s in waivers if s.id == item.policy), None)
        if waiver is not None:
            used.append(waiver)
        elif production and item.default is Level.MANDATORY:
            raise ConfigError(
                f"{level_file}: {item.policy}: lowered from mandatory to {item.level.value} in a production stack; "
                f'add a policies/suppressions.yaml entry {{id: {item.policy}, resource: "*", reason, expires}} '
                "or remove the lowering"
            )
    return used


def declared_production(graph: ResourceGraph) -> bool | None:
    """The stack's `preflight:production` setting (policies.profile decides; bad input is a ConfigError)."""
    try:
        return production_setting(graph.config, graph.stack)
    except PackFileError as exc:
        raise ConfigError(str(exc)) from None


def declared_baseline(graph: ResourceGraph) -> str | None:
    """Who the stack says provides the account baseline (policies.profile decides)."""
    try:
        return baseline_setting(graph.config, graph.stack)
    except PackFileError as exc:
        raise ConfigError(str(exc)) from None


def _before_program(program_dir: str | Path, stack: str, file_source: bool, analyzer: bool) -> ProgramInputs:
    """What the gate does before a program runs (review s7, finding 2): import its own modules, and take the
    program folder's files that decide the verdict (compared again after the child and after the last read)."""
    preload(analyzer=analyzer)
    return ProgramInputs.none() if file_source else ProgramInputs.take(program_dir, stack)


def _program_files(
    graph: ResourceGraph, program_dir: str | Path, production: bool | None, inputs: ProgramInputs
) -> tuple[list[Suppression], list[Finding], list[LoweredLevel], str, list[Suppression]]:
    """The program's suppressions (and their problems), the policies its level file lowers, the file, and the
    suppressions that justify them; then the snapshot is compared once more: these were the last files read."""
    suppressions, problems = load_suppressions(Path(program_dir) / SUPPRESSIONS_FILE, _known_policies())
    lowered, level_file = lowered_levels(graph.stack, program_dir, production)
    waivers = _check_lowered(lowered, level_file, suppressions, is_production(graph.stack, production))
    inputs.verify()
    return suppressions, problems, lowered, level_file, waivers


def _known_policies() -> list[str]:
    return [*(p.name for p in all_policies()), *UNSEEN_POLICIES, REFUSED_POLICY, CHECKOV_UNKNOWN_POLICY]


def run_gate(
    program_dir: str | Path,
    stack: str,
    *,
    from_preview: str | None = None,
    from_export: str | None = None,
    checkov: bool = True,
    timeout: float | Literal["configured"] | None = "configured",
    analyzer_protocol: bool = False,
) -> GateReport:
    """Build the graph, run the pack (and checkov), apply suppressions, and return the verdict."""
    started = time.perf_counter()
    notes: list[str] = []
    inputs = _before_program(program_dir, stack, bool(from_preview or from_export), analyzer_protocol)
    # checkov is a separate process: it starts loading while the graph is built and scans while the
    # CrossGuard policies run here, so the gate costs little more than checkov alone (bench/gate.py).
    warm = _start_checkov(notes) if checkov else None
    try:
        graph = load_graph(
            program_dir,
            stack,
            from_preview=from_preview,
            from_export=from_export,
            timeout=timeout,
            on_register=_streaming(warm),
            inputs=inputs,
        )
    except BaseException:
        if warm is not None:
            warm.close()
        raise
    timings = {"synthesis": time.perf_counter() - started}
    # Hand checkov the plan first, then run the policies on this core while it scans on the other.
    handed = _Deferred()
    if warm is not None:
        mark = time.perf_counter()
        try:
            handed.value = _start_scan(graph, program_dir, warm)
        except Exception as exc:  # kept, raised once the policies have run (see _Deferred)
            handed.error = exc
        timings["export"] = time.perf_counter() - mark
    try:
        mark = time.perf_counter()
        production = declared_production(graph)
        baseline = declared_baseline(graph)
        if analyzer_protocol:  # the pack in its own process, driven as the Pulumi CLI drives it
            from preflight.analyzer import analyze  # noqa: PLC0415 (starts gRPC machinery only when asked)

            run = analyze(graph, program_dir=program_dir, production=production, baseline=baseline)
        else:
            run = run_policies(graph, program_dir=program_dir, production=production, baseline=baseline)
        timings["policies"] = time.perf_counter() - mark
    except BaseException:
        if handed.value is not None:
            handed.value.close()
        raise
    checkov_result = None
    if warm is not None:
        mark = time.perf_counter()
        checkov_result = _finish_scan(handed.get(), notes)
        timings["checkov_wait"] = time.perf_counter() - mark
    findings = [
        *own_output_gaps(graph, run.findings, notes),
        *remote_component_findings(graph, production),
        *apply_findings(graph, production, notes, checkov=warm is not None),
    ]
    notes[:0] = [
        *graph.notes,
        *read_notes(graph),
        *run.undetermined,
        *qualified_not_applicable(graph, run.not_applicable),
    ]
    if checkov_result is not None:
        findings.extend(_checkov_part(graph, checkov_result, production))
    suppressions, problems, lowered, level_file, level_waivers = _program_files(graph, program_dir, production, inputs)
    refuse_catch_alls(suppressions, [(r.name, r.urn) for r in graph.managed_resources])
    kept, waived = apply_suppressions(findings, suppressions)
    notes.extend(
        unused_note(s) for s in unused_suppressions(findings, suppressions, graph.stack) if s not in level_waivers
    )
    violations = sorted(kept + problems, key=lambda f: (f.level is not Level.MANDATORY, f.resource, f.policy))
    return GateReport(
        stack=graph.stack,
        project=graph.project,
        graph=graph,
        resources=len(graph.managed_resources),
        violations=violations,
        suppressed=waived,
        not_scanned=sorted(set(checkov_result.not_scanned)) if checkov_result is not None else [],
        checkov=checkov_result,
        duration=time.perf_counter() - started,
        notes=notes,
        program_dir=str(program_dir),
        config_file=run.config_file,
        profile=describe(graph.stack, production, run.config_file) + _lowered_summary(lowered, level_file),
        timings=timings,
    )
