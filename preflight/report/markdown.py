"""The pull-request comment: one per stack, verdict first, readable at a glance, within GitHub's limit.

Layout (every part deterministic, so re-running the gate on the same commit gives the same text and
a sticky-comment action can update in place):

1. a hidden marker ``<!-- preflight:<stack> -->`` that the workflow finds the comment by;
2. the verdict and the counts;
3. a Mermaid flowchart of the stack by layer (Interface ... Governance), capped to stay readable;
4. resources added, changed and removed against the base branch's graph (by URN);
5. violations grouped by resource with their fix, then suppressions with their reasons;
6. the checkov summary and the idle cost with its change against the base.

Long lists fold into ``<details>``. The text never exceeds `limit` characters (GitHub rejects comments
over 65,536): lists are shortened first, and as a last resort the text is cut with a note.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from preflight.cost.estimator import IdleCost, idle_cost
from preflight.findings import CheckovResult, Finding, Level, Source, SuppressedFinding
from preflight.graph import ResourceGraph, ResourceNode
from preflight.layers import LAYERS, layer_of

if TYPE_CHECKING:
    from collections.abc import Mapping

GITHUB_COMMENT_LIMIT = 65_536
DEFAULT_LIMIT = 65_000
#: Items shown per list before folding into <details>.
FOLD_AFTER = 8
#: Mermaid caps: nodes per layer and edges overall.
MAX_NODES_PER_LAYER = 12
MAX_EDGES = 40
#: List caps tried in turn until the comment fits (None = everything).
_CAPS: tuple[int | None, ...] = (None, 200, 50, 15, 5, 0)

_ID_UNSAFE = re.compile(r"[^A-Za-z0-9_]")
_LABEL_UNSAFE = re.compile(r"[^A-Za-z0-9 _.:/@+=,-]")
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
    def checkov(self) -> CheckovResult | None: ...
    @property
    def exit_code(self) -> int: ...


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
    parts = [
        marker(report.stack),
        _verdict(report, cost, base_cost),
        _diagram(report.graph),
        _changes(report.graph, base, cap),
        _violations(report.violations, cap),
        _suppressions(report.suppressed, cap),
        _checkov(report.checkov, report.not_scanned, cap, _suppressed_checkov(report.suppressed)),
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
    return f"{verdict}\n\n_{_md(profile)}_" if profile else verdict


# --------------------------------------------------------------------------------------------------
# Mermaid
# --------------------------------------------------------------------------------------------------


def node_id(index: int, node: ResourceNode) -> str:
    """A Mermaid-safe, stable node id: `n<index>_<name>` with only [A-Za-z0-9_]."""
    return f"n{index}_{_ID_UNSAFE.sub('_', node.name)[:40]}"


def _label(node: ResourceNode) -> str:
    kind = node.type.split(":")[-1] if node.type.count(":") == 2 else node.type
    service = node.module or node.package
    text = f"{node.name}<br/>{service} {kind}"
    parts = text.split("<br/>")
    return "<br/>".join(" ".join(_LABEL_UNSAFE.sub(" ", p).split()) for p in parts)


def _diagram(graph: ResourceGraph) -> str:
    nodes = graph.custom_resources
    if not nodes:
        return "### Architecture\n\n_The stack has no cloud resources._"
    index = {n.urn: i for i, n in enumerate(graph.resources)}
    by_layer: dict[str, list[ResourceNode]] = {layer: [] for layer in LAYERS}
    for node in nodes:
        by_layer.setdefault(layer_of(node, graph), []).append(node)
    lines = ["```mermaid", "flowchart LR"]
    drawn: dict[str, str] = {}
    for layer, members in by_layer.items():
        if not members:
            continue
        lines.append(f'  subgraph L_{layer}["{layer} ({len(members)})"]')
        for node in members[:MAX_NODES_PER_LAYER]:
            ident = node_id(index[node.urn], node)
            drawn[node.urn] = ident
            lines.append(f'    {ident}["{_label(node)}"]')
        if len(members) > MAX_NODES_PER_LAYER:
            lines.append(f'    more_{layer}["… {len(members) - MAX_NODES_PER_LAYER} more"]')
        lines.append("  end")
    edges = sorted(_edges(graph, drawn))
    for source, target in edges[:MAX_EDGES]:
        lines.append(f"  {source} --> {target}")
    lines.append("```")
    note = ""
    if len(edges) > MAX_EDGES:
        note = f"\n\n_{len(edges) - MAX_EDGES} of {len(edges)} dependencies not drawn._"
    return "### Architecture\n\n" + "\n".join(lines) + note


def _edges(graph: ResourceGraph, drawn: Mapping[str, str]) -> set[tuple[str, str]]:
    """`uses` edges between drawn resources, from dependencies and property dependencies."""
    edges: set[tuple[str, str]] = set()
    for node in graph.custom_resources:
        source = drawn.get(node.urn)
        if source is None:
            continue
        targets = set(node.dependencies)
        for urns in node.property_dependencies.values():
            targets.update(urns)
        for urn in targets:
            target = drawn.get(urn)
            if target is not None and target != source:
                edges.add((source, target))
    return edges


# --------------------------------------------------------------------------------------------------
# Changes against the base branch
# --------------------------------------------------------------------------------------------------


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


def _changes(head: ResourceGraph, base: ResourceGraph | None, cap: int | None) -> str:
    if base is None:
        return "### Changes\n\n_No base graph given: every resource is new to this report._"
    added, changed, removed = diff_graphs(head, base)
    if not (added or changed or removed):
        return "### Changes\n\nNo cloud resource added, changed or removed against the base branch."
    head_line = f"**{len(added)} added · {len(changed)} changed · {len(removed)} removed** against the base branch"
    lines = [f"- added {_code(n.name)} {_code(n.type)}" for n in added]
    for node, keys in changed:
        shown = ", ".join(_code(k) for k in keys[:6]) + (f" and {len(keys) - 6} more" if len(keys) > 6 else "")
        lines.append(f"- changed {_code(node.name)} {_code(node.type)}: {shown}")
    lines += [f"- removed {_code(n.name)} {_code(n.type)}" for n in removed]
    return f"### Changes\n\n{head_line}\n\n" + _fold("Resources", lines, cap)


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


def _violations(findings: Sequence[Finding], cap: int | None) -> str:
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
    result: CheckovResult | None, not_scanned: Sequence[str], cap: int | None, waived: set[tuple[str, str]]
) -> str:
    if result is None or not result.ran:
        return "### Checkov\n\n_Checkov did not run for this report._"
    missing = sorted(set(not_scanned) | set(result.not_scanned))
    summary = (
        f"{len(result.failed)} failed · {result.passed_count} passed · {len(result.skipped)} skipped"
        f" · {len(missing)} resource types not scanned · {result.duration_seconds:.1f} s"
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
            f"- {_code(s.get('check_id', ''))} on {_code(s.get('address', ''))}: {_md(s.get('reason', ''))}"
            for s in sorted(result.skipped, key=lambda s: (s.get("check_id", ""), s.get("address", "")))
        ]
        parts.append(_fold(f"{len(lines)} skipped checks", lines, cap, open_first=0))
    if missing:
        parts.append(_fold("Types checkov cannot see", [f"- {_code(t)}" for t in missing], cap, open_first=0))
    return "\n\n".join(parts)


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
