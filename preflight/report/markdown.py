"""The pull-request comment: one per stack, verdict first, readable at a glance, within GitHub's limit.

Layout (every part deterministic, so re-running the gate on the same commit gives the same text and
a sticky-comment action can update in place):

1. a hidden marker ``<!-- preflight:<stack> -->`` that the workflow finds the comment by;
2. the verdict and the counts;
3. a Mermaid flowchart of the stack's components by layer, coloured by what the pull request changes
   and outlined where findings are (`preflight.report.diagram`);
4. resources added, changed and removed against the base branch's graph (by URN), by component;
5. violations grouped by resource with their fix, then suppressions with their reasons;
6. the checkov summary, the gate's notes (as the text and JSON reports give them) and the idle cost with its
   change against the base.

Long lists fold into ``<details>``. The text never exceeds `limit` characters (GitHub rejects comments
over 65,536): lists are shortened and the picture folded first, and as a last resort the text is cut
with a note.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from policies.cost.estimator import IdleCost
from preflight import architecture
from preflight.architecture import Architecture
from preflight.cost.idle import idle_cost
from preflight.findings import (
    CheckovResult,
    Finding,
    Level,
    Source,
    SuppressedFinding,
    coverage_phrase,
    skip_count_phrase,
)
from preflight.graph import ResourceGraph, ResourceNode
from preflight.report import diagram
from preflight.report.skips import skip_reason, skip_where
from preflight.stack_references import describe

GITHUB_COMMENT_LIMIT = 65_536
DEFAULT_LIMIT = 65_000
#: Items shown per list before folding into <details>.
FOLD_AFTER = 8
#: List caps tried in turn until the comment fits (None = everything).
_CAPS: tuple[int | None, ...] = (None, 200, 50, 15, 5, 0)

_MD_UNSAFE = re.compile(r"([\\`*_{}\[\]<>|])")


class GateReportLike(Protocol):
    """What the renderer reads of `preflight.gate.GateReport`."""

    @property
    def stack(self) -> str: ...
    @property
    def project(self) -> str: ...
    @property
    def graph(self) -> ResourceGraph: ...
    @property
    def resources(self) -> int: ...
    @property
    def violations(self) -> Sequence[Finding]: ...
    @property
    def suppressed(self) -> Sequence[SuppressedFinding]: ...
    @property
    def not_scanned(self) -> Sequence[str]: ...
    @property
    def not_seen(self) -> int: ...
    @property
    def no_checks(self) -> int: ...
    @property
    def not_mapped(self) -> int: ...
    @property
    def checkov(self) -> CheckovResult | None: ...
    @property
    def exit_code(self) -> int: ...
    @property
    def notes(self) -> Sequence[str]: ...


def marker(stack: str) -> str:
    """The hidden first line a sticky-comment step looks for."""
    return f"<!-- preflight:{stack} -->"


def render_markdown(
    report: GateReportLike,
    *,
    base: ResourceGraph | None = None,
    cost: IdleCost | None = None,
    base_cost: IdleCost | None = None,
    limit: int = DEFAULT_LIMIT,
) -> str:
    """The pull-request comment for one stack's gate report.

    Parameters
    ----------
    report:
        The gate's report (`preflight.gate.GateReport` or anything with the same attributes).
    base:
        The base branch's graph of the same stack, for added/changed/removed and the cost change.
    cost, base_cost:
        Idle costs; computed from `report.graph` and `base` when not given.
    limit:
        Maximum length in characters (GitHub's own limit is 65,536).

    Examples
    --------
    >>> text = render_markdown(report, base=base_graph)  # doctest: +SKIP
    >>> text.splitlines()[0]  # doctest: +SKIP
    '<!-- preflight:dev -->'
    """
    cost = cost if cost is not None else idle_cost(report.graph)
    if base_cost is None and base is not None:
        base_cost = idle_cost(base)
    limit = max(200, min(limit, GITHUB_COMMENT_LIMIT))
    text = ""
    for cap in _CAPS:
        text = _render(report, base, cost, base_cost, cap)
        if len(text) <= limit:
            return text
    return _cut(text, limit)


# --------------------------------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------------------------------


def _render(
    report: GateReportLike,
    base: ResourceGraph | None,
    cost: IdleCost,
    base_cost: IdleCost | None,
    cap: int | None,
) -> str:
    comparison = _compare(report.graph, base)
    parts = [
        marker(report.stack),
        _verdict(report, cost, base_cost),
        _diagram(report, comparison, cap),
        _changes(comparison, cap),
        _violations(report.violations, cap, comparison.head),
        _suppressions(report.suppressed, cap),
        _checkov(
            report.checkov,
            report.not_scanned,
            cap,
            _suppressed_checkov(report.suppressed),
            coverage_phrase(report.not_seen, report.no_checks, report.not_mapped),
        ),
        _notes(report.notes, cap),
        _cost(cost, base_cost, cap),
    ]
    if cap is not None:
        parts.append(f"_Lists shortened to {cap} entries to fit GitHub's comment size limit._")
    return "\n\n".join(p for p in parts if p).rstrip() + "\n"


def _md(text: str) -> str:
    """Escape Markdown control characters in free text (messages, reasons, names)."""
    return _MD_UNSAFE.sub(r"\\\1", " ".join(str(text).split()))


def _code(text: str) -> str:
    return "`" + str(text).replace("`", "'") + "`"


def _money(usd: float) -> str:
    return f"${usd:,.2f}"


def _delta(usd: float) -> str:
    if abs(usd) < 0.005:
        return "±$0.00"
    return f"+{_money(usd)}" if usd > 0 else f"-{_money(-usd)}"


def _fold(summary: str, lines: Sequence[str], cap: int | None, *, open_first: int = FOLD_AFTER) -> str:
    """Lines shown directly when few, else folded into <details>; at most `cap` lines with a note."""
    shown = list(lines) if cap is None else list(lines[:cap])
    hidden = len(lines) - len(shown)
    if hidden:
        shown.append(f"- _… and {hidden} more not shown_")
    if len(lines) <= open_first:
        return "\n".join(shown)
    return f"<details><summary>{summary}</summary>\n\n" + "\n".join(shown) + "\n\n</details>"


def _verdict(report: GateReportLike, cost: IdleCost, base_cost: IdleCost | None) -> str:
    mandatory = sum(1 for f in report.violations if f.level == Level.MANDATORY)
    advisory = sum(1 for f in report.violations if f.level == Level.ADVISORY)
    passed = report.exit_code == 0
    icon, word = ("✅", "passed") if passed else ("❌", "failed")
    headline = f"## {icon} preflight {_md(report.stack)}: {word}"
    counts = [
        f"{report.resources} resources",
        f"{mandatory} mandatory",
        f"{advisory} advisory",
        f"{len(report.suppressed)} suppressed",
    ]
    if report.checkov is not None and report.checkov.ran:
        waived = _suppressed_checkov(report.suppressed)
        failed = f"{len(report.checkov.failed)} failed" + (f" ({len(waived)} suppressed)" if waived else "")
        counts.append(f"checkov {failed} / {report.checkov.passed_count} passed")
    idle = f"idle {_money(cost.idle_monthly_usd)}/month"
    if base_cost is not None:
        idle += f" ({_delta(cost.idle_monthly_usd - base_cost.idle_monthly_usd)} vs base)"
    counts.append(idle)
    verdict = f"{headline}\n\n**{_md(report.project)} / {_md(report.stack)}** · " + " · ".join(counts)
    # Which profile judged the stack, and from which file (gate reports carry it; policies.profile.describe).
    profile = str(getattr(report, "profile", "") or "")
    verdict = f"{verdict}\n\n_{_md(profile)}_" if profile else verdict
    # The stated-outputs file the StackReferences were given and what stayed unknown (stack_references.describe).
    references = describe(report.graph.stack_references)
    if not references:
        return verdict
    return verdict + "\n\n" + "\n".join(f"- _{_md(line)}_" for line in references)


# --------------------------------------------------------------------------------------------------
# The picture and the changes against the base branch
# --------------------------------------------------------------------------------------------------

#: The diagram's least detail per list cap: the picture folds together with the lists.
_DIAGRAM_DETAIL = {None: diagram.FULL, 200: diagram.FULL, 50: diagram.FULL, 15: diagram.UNLABELLED, 5: diagram.FOLDED}


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


Changed = list[tuple[ResourceNode, list[str]]]


def diff_graphs(head: ResourceGraph, base: ResourceGraph) -> tuple[list[ResourceNode], Changed, list[ResourceNode]]:
    """(added, changed with the input keys that differ, removed) cloud resources, by URN."""
    before = {n.urn: n for n in base.custom_resources}
    after = {n.urn: n for n in head.custom_resources}
    added = [after[u] for u in sorted(after.keys() - before.keys())]
    removed = [before[u] for u in sorted(before.keys() - after.keys())]
    changed = []
    for urn in sorted(after.keys() & before.keys()):
        old, new = before[urn].inputs, after[urn].inputs
        keys = sorted(k for k in set(old) | set(new) if _canonical(old.get(k)) != _canonical(new.get(k)))
        if keys:
            changed.append((after[urn], keys))
    return added, changed, removed


@dataclass(frozen=True)
class _Comparison:
    """The head's architecture, the base's (when given) and the changes, by part."""

    head: Architecture
    base: Architecture | None
    by_part: dict[str, diagram.ChangeCounts]
    totals: tuple[int, int, int]


def _compare(head: ResourceGraph, base: ResourceGraph | None) -> _Comparison:
    head_arch = architecture.build(head)
    if base is None:
        return _Comparison(head_arch, None, {}, (0, 0, 0))
    base_arch = architecture.build(base)
    added, changed, removed = diff_graphs(head, base)
    by_part: dict[str, diagram.ChangeCounts] = {}
    for node in added:
        by_part.setdefault(head_arch.part_of.get(node.urn, ""), diagram.ChangeCounts()).added.append(node)
    for node, keys in changed:
        by_part.setdefault(head_arch.part_of.get(node.urn, ""), diagram.ChangeCounts()).changed.append((node, keys))
    for node in removed:
        by_part.setdefault(base_arch.part_of.get(node.urn, ""), diagram.ChangeCounts()).removed.append(node)
    return _Comparison(head_arch, base_arch, by_part, (len(added), len(changed), len(removed)))


def _diagram(report: GateReportLike, comparison: _Comparison, cap: int | None) -> str:
    if not comparison.head.parts and comparison.base is None:
        return "### Architecture\n\n_The stack has no cloud resources._"
    pic = diagram.picture(comparison.head, comparison.base, comparison.by_part, report.violations)
    lines, detail = diagram.render(pic, min_detail=_DIAGRAM_DETAIL.get(cap, diagram.LAYERS_ONLY))
    group = "layer" if pic.layered else "group"  # another program's boxes are not in this template's layers
    notes = {
        diagram.UNLABELLED: "_Arrow labels left out to fit GitHub's limits._",
        diagram.FOLDED: f"_{group.title()}s with more than {diagram.FOLD_PARTS} boxes folded to fit GitHub's limits._",
        diagram.LAYERS_ONLY: f"_Folded to one box per {group} to fit GitHub's limits; changes and findings are below._",
    }
    note = f"\n\n{notes[detail]}" if detail in notes else ""
    return "### Architecture\n\n```mermaid\n" + "\n".join(lines) + "\n```" + note


def _changes(comparison: _Comparison, cap: int | None) -> str:
    if comparison.base is None:
        return "### Changes\n\n_No base graph given: every resource is new to this report._"
    added, changed, removed = comparison.totals
    if not (added or changed or removed):
        return "### Changes\n\nNo cloud resource added, changed or removed against the base branch."
    head_line = f"**{added} added · {changed} changed · {removed} removed** against the base branch"
    parts = {**comparison.base.parts, **comparison.head.parts}
    order = list(comparison.head.parts) + [k for k in comparison.base.parts if k not in comparison.head.parts]
    lines: list[str] = []
    for key in sorted(comparison.by_part, key=lambda k: order.index(k) if k in order else len(order)):
        counts = comparison.by_part[key]
        title = parts[key].title if key in parts else "outside any component"
        lines.append(f"- **{_md(title)}** ({counts.summary()})")
        lines += [f"  - added {_code(n.name)} {_code(n.type)}" for n in counts.added]
        for node, keys in counts.changed:
            shown = ", ".join(_code(k) for k in keys[:6]) + (f" and {len(keys) - 6} more" if len(keys) > 6 else "")
            lines.append(f"  - changed {_code(node.name)} {_code(node.type)}: {shown}")
        lines += [f"  - removed {_code(n.name)} {_code(n.type)}" for n in counts.removed]
    return f"### Changes\n\n{head_line}\n\n" + _fold("Resources by component", lines, cap)


# --------------------------------------------------------------------------------------------------
# Findings
# --------------------------------------------------------------------------------------------------

_LEVEL_ORDER = {Level.MANDATORY: 0, Level.ADVISORY: 1, Level.DISABLED: 2}
_LEVEL_ICON = {Level.MANDATORY: "🔴", Level.ADVISORY: "🟡", Level.DISABLED: "⚪"}


def _finding_line(finding: Finding) -> str:
    severity = f" · {finding.severity.lower()}" if finding.severity else ""
    principles = f" · {', '.join(finding.principles)}" if finding.principles else ""
    line = (
        f"- {_LEVEL_ICON.get(finding.level, '')} **{_md(finding.policy)}** "
        f"({finding.level.value}{severity}, {finding.source.value}{principles}): {_md(finding.message)}"
    )
    if finding.fix:
        line += f"<br/>Fix: {_md(finding.fix)}"
    return line


def _group_key(finding: Finding) -> tuple[str, str]:
    return (finding.resource, finding.type)


def _violations(findings: Sequence[Finding], cap: int | None, arch: Architecture) -> str:
    if not findings:
        return "### Violations\n\nNone."
    groups: dict[tuple[str, str], list[Finding]] = {}
    for finding in findings:
        groups.setdefault(_group_key(finding), []).append(finding)

    def order(item: tuple[tuple[str, str], list[Finding]]) -> tuple[int, int, str, str]:
        (resource, type_), members = item
        worst = min(_LEVEL_ORDER.get(f.level, 3) for f in members)
        return (0 if not resource else 1, worst, resource, type_)

    blocks: list[str] = []
    for (resource, type_), members in sorted(groups.items(), key=order):
        title = f"**{_code(resource)}** {_code(type_)}" if resource else "**Stack-wide**"
        part = arch.locate(members[0].urn, resource, type_) if resource else None
        if part is not None and part.is_component:  # the box in the picture that carries the mark
            title += f" in {_md(part.title)}"
        ordered = sorted(members, key=lambda f: (_LEVEL_ORDER.get(f.level, 3), f.policy, f.message))
        blocks.append(title + "\n" + "\n".join(_finding_line(f) for f in ordered))
    shown = blocks if cap is None else blocks[:cap]
    hidden = len(blocks) - len(shown)
    body = "\n\n".join(shown) + (f"\n\n_… and {hidden} more resources with violations not shown._" if hidden else "")
    head = f"### Violations ({len(findings)} on {len(groups)} resources)"
    if len(blocks) > FOLD_AFTER:
        return f"{head}\n\n<details open><summary>By resource</summary>\n\n{body}\n\n</details>"
    return f"{head}\n\n{body}"


def _suppressions(suppressed: Sequence[SuppressedFinding], cap: int | None) -> str:
    if not suppressed:
        return ""
    rows = sorted(suppressed, key=lambda s: (s.finding.resource, s.finding.policy, s.expires))
    lines = [
        f"- {_code(s.finding.policy)} on {_code(s.finding.resource or 'stack')}: {_md(s.reason)}"
        + (f" _(expires {_md(s.expires)})_" if s.expires else "")
        for s in rows
    ]
    return f"### Suppressed ({len(suppressed)})\n\n" + _fold("Suppressions", lines, cap)


def _suppressed_checkov(suppressed: Sequence[SuppressedFinding]) -> set[tuple[str, str]]:
    """(check id, URN) of the checkov failures a suppression waived."""
    return {(s.finding.policy, s.finding.urn) for s in suppressed if s.finding.source is Source.CHECKOV}


def _checkov(
    result: CheckovResult | None,
    not_scanned: Sequence[str],
    cap: int | None,
    waived: set[tuple[str, str]],
    coverage: str,
) -> str:
    if result is None:
        return "### Checkov\n\n_Checkov did not run for this report._"
    missing = sorted(set(not_scanned) | set(result.not_scanned))
    # A run that did not happen still has its configuration's skips (honoured or refused): listed as text lists them.
    state = "" if result.ran else "_Checkov did not run for this report._ "
    skips = skip_count_phrase(result.skipped, " · ")
    summary = (
        f"{state}{len(result.failed)} failed · {result.passed_count} passed · {skips}"
        f" · {len(missing)} resource types not scanned · {coverage} · {result.duration_seconds:.1f} s"
    )
    parts = [f"### Checkov\n\n{summary}"]
    failed = sorted(result.failed, key=lambda f: (f.name, f.check_id))
    if failed:
        lines = [
            f"- {_code(f.check_id)} {_md(f.check_name)} on {_code(f.name)}"
            + (" _(suppressed)_" if (f.check_id, f.urn) in waived else "")
            + (f" ([guide]({f.guideline}))" if f.guideline.startswith("https://") else "")
            for f in failed
        ]
        parts.append(_fold(f"{len(failed)} failed checks", lines, cap))
    if result.skipped:
        lines = [
            f"- {_code(s.get('check_id', ''))} on {_code(s.get('address', '*'))} ({_md(skip_where(s))}):"
            f" {_md(skip_reason(s))}"
            for s in sorted(result.skipped, key=lambda s: (s.get("check_id", ""), s.get("address", "")))
        ]
        parts.append(_fold(f"Skips: {skip_count_phrase(result.skipped)}", lines, cap, open_first=0))
    if missing:
        parts.append(_fold("Types checkov cannot see", [f"- {_code(t)}" for t in missing], cap, open_first=0))
    return "\n\n".join(parts)


def _notes(notes: Sequence[str], cap: int | None) -> str:
    """The gate's notes, every one the text and JSON reports carry: a stack without a file, a refused `check:` or
    skip, an unused suppression, the resources only read (review s10 finding 10: the comment dropped them all)."""
    if not notes:
        return ""
    return f"### Notes ({len(notes)})\n\n" + _fold("Notes", [f"- {_md(note)}" for note in notes], cap)


def _cost(cost: IdleCost, base_cost: IdleCost | None, cap: int | None) -> str:
    headline = f"**{_money(cost.idle_monthly_usd)}/month** with no traffic"
    if base_cost is not None:
        change = cost.idle_monthly_usd - base_cost.idle_monthly_usd
        headline += f" (base {_money(base_cost.idle_monthly_usd)}, {_delta(change)})"
    parts = [f"### Idle cost\n\n{headline}"]
    charged = cost.charged()
    if charged:
        rows = ["| Resource | Type | USD/month | Basis |", "| --- | --- | ---: | --- |"]
        shown = charged if cap is None else charged[: max(cap, 1)]
        rows += [f"| {_code(i.resource)} | {_code(i.type)} | {i.monthly_usd:,.2f} | {_md(i.basis)} |" for i in shown]
        if len(shown) < len(charged):
            rows.append(f"| _… {len(charged) - len(shown)} more_ | | | |")
        table = "\n".join(rows)
        if len(charged) > FOLD_AFTER:
            table = f"<details><summary>{len(charged)} charged resources</summary>\n\n{table}\n\n</details>"
        parts.append(table)
    if base_cost is not None:
        parts.append(_cost_changes(cost, base_cost, cap))
    if cost.unpriced:
        lines = [f"- {_code(r.resource)} {_code(r.type)}: {_md(r.reason)}" for r in cost.unpriced]
        parts.append("**Unpriced** (idle charge, no figure in the price table):\n\n" + _fold("Unpriced", lines, cap))
    parts.append(
        f"{len(cost.pay_per_use)} resources are pay-per-use (no idle charge). "
        f"Prices: us-east-1 list prices of {cost.prices_date}; free tiers applied per stack."
    )
    return "\n\n".join(p for p in parts if p)


def _cost_changes(cost: IdleCost, base_cost: IdleCost, cap: int | None) -> str:
    now = {i.urn: i for i in cost.items}
    before = {i.urn: i for i in base_cost.items}
    lines = []
    for urn in sorted(now.keys() | before.keys()):
        new = now[urn].monthly_usd if urn in now else 0.0
        old = before[urn].monthly_usd if urn in before else 0.0
        if abs(new - old) >= 0.005:
            name = (now.get(urn) or before[urn]).resource
            lines.append(f"- {_code(name)}: {_money(old)} → {_money(new)} ({_delta(new - old)})")
    return _fold("Idle cost changes", lines, cap) if lines else ""


def _cut(text: str, limit: int) -> str:
    """Last resort: cut on a line boundary, close an open code block and <details>, add a note."""
    note = "\n\n_… truncated to fit GitHub's comment size limit; run `preflight check` for the full report._\n"
    budget = limit - len(note)
    while True:
        head = text[:budget]
        head = head[: head.rfind("\n")] if "\n" in head else ""
        closers = "\n```" if head.count("```") % 2 else ""
        closers += "\n</details>" * max(head.count("<details") - head.count("</details>"), 0)
        if len(head) + len(closers) + len(note) <= limit or not head:
            return (head + closers + note)[:limit]
        budget = len(head) - 1


def iter_sections(text: str) -> Iterable[str]:
    """The `###` section titles of a rendered comment (for tests and the workflow's summary)."""
    return (line[4:] for line in text.splitlines() if line.startswith("### "))
