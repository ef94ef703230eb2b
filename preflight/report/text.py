"""The terminal report: verdict first, then violations grouped by resource with their fix.

Rendered with rich; colour only when asked for (a TTY), so files and CI logs stay plain text.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape
from rich.text import Text

from preflight.findings import Finding, Level, Source, skip_count_phrase
from preflight.report.skips import skip_line
from preflight.stack_references import describe

if TYPE_CHECKING:
    from preflight.gate import GateReport

WIDTH = 120


def _group(findings: list[Finding]) -> dict[str, list[Finding]]:
    grouped: dict[str, list[Finding]] = defaultdict(list)
    for finding in findings:
        grouped[finding.resource or "(stack)"].append(finding)
    return dict(sorted(grouped.items(), key=lambda kv: (kv[0] != "(stack)", kv[0])))


def _first_sentence_fix(fix: str) -> str:
    marker = "Fix: "
    return fix[fix.index(marker) + len(marker) :] if marker in fix else fix


def _print_findings(console: Console, findings: list[Finding]) -> None:
    for resource, items in _group(findings).items():
        kind = items[0].type
        console.print(f"  [bold]{escape(resource)}[/bold]" + (f"  [dim]{escape(kind)}[/dim]" if kind else ""))
        for f in sorted(items, key=lambda f: (f.level is not Level.MANDATORY, f.policy)):
            style = "red" if f.level is Level.MANDATORY else "yellow"
            principles = f" [{', '.join(f.principles)}]" if f.principles else ""
            console.print(
                f"    [{style}]{f.level.value.upper():9}[/{style}] {escape(f.policy)}"
                f" ({f.source.value}){escape(principles)}"
            )
            console.print(Text(f"      {f.message}"))
            if f.fix:
                console.print(Text(f"      fix: {_first_sentence_fix(f.fix)}", style="dim"))


def render_text(report: GateReport, *, color: bool = False) -> str:
    console = Console(
        width=WIDTH,
        record=True,
        force_terminal=color,
        color_system="standard" if color else None,
        highlight=False,
        soft_wrap=True,
    )
    mandatory, advisory = report.mandatory, report.advisory
    verdict = "[bold red]FAIL[/bold red]" if report.exit_code else "[bold green]PASS[/bold green]"
    with console.capture() as capture:
        console.print(
            f"{verdict} {escape(report.project)}/{escape(report.stack)}: {report.resources} resources, "
            f"{len(mandatory)} mandatory, {len(advisory)} advisory, {len(report.suppressed)} suppressed "
            f"({report.duration:.1f}s)"
        )
        if mandatory:
            console.print("\n[bold]Mandatory violations[/bold] (block the deployment)")
            _print_findings(console, mandatory)
        if advisory:
            console.print("\n[bold]Advisory violations[/bold]")
            _print_findings(console, advisory)
        if report.suppressed:
            console.print("\n[bold]Suppressed[/bold] (policies/suppressions.yaml)")
            for s in report.suppressed:
                f = s.finding
                console.print(Text(f"  {f.resource or '(stack)'}: {f.policy} until {s.expires}: {s.reason}"))
        if report.checkov is not None:
            c = report.checkov
            state = "ran" if c.ran else "did not run"
            waived = sum(1 for s in report.suppressed if s.finding.source is Source.CHECKOV)
            failed = f"{len(c.failed)} failed" + (f" ({waived} suppressed)" if waived else "")
            console.print(
                f"\n[bold]checkov[/bold] {state}: {failed}, {c.passed_count} passed, "
                f"{skip_count_phrase(c.skipped)} (each listed below with its origin), {report.checkov_coverage} "
                f"({c.duration_seconds:.1f}s)"
            )
            for skip in c.skipped:
                console.print(Text(f"  skip {skip_line(skip)}"))
        if report.not_scanned:
            where = "in neither the Terraform plan nor the aws-native CloudFormation template"
            console.print(Text(f"\nnot scanned by checkov ({where}): {', '.join(report.not_scanned)}"))
        if report.profile:
            console.print(Text(report.profile, style="dim"))
        for line in describe(report.graph.stack_references):
            console.print(Text(line, style="dim"))
        for note in report.notes:
            console.print(Text(f"note: {note}", style="dim"))
    return capture.get().rstrip()
