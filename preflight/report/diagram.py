"""The Mermaid picture of the pull-request comment: components by layer, what uses what, what changed.

One box per part of `preflight.architecture` (a component, or a service group for component-less
resources), grouped by layer; one arrow per pair of parts, labelled with the strongest kinds of use.
Cross-cutting links (every component encrypts with the stack key; observability watches them all)
would draw a web over the flow, so they are counted on the hub's box instead ("key of 14").

With a base graph the boxes are coloured (added, changed, removed, unchanged greyed out) and carry
`+added ~changed -removed` resource counts; arrows new in the pull request are green, gone ones red
and dashed. Findings outline their box (red for mandatory, amber for advisory) with the counts.
A legend explains the colours in play.

GitHub renders Mermaid with the library's defaults, so the text stays under `maxTextSize` and the
edges under `maxEdges`; when it would not, the picture folds in steps (unlabelled arrows, then at most
`FOLD_PARTS` boxes per layer, then one box per layer) instead of breaking.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from preflight.architecture import KINDS, Architecture, Link, Part
from preflight.findings import Level
from preflight.layers import LAYERS

if TYPE_CHECKING:
    from collections.abc import Sequence

    from preflight.findings import Finding
    from preflight.graph import ResourceNode

#: Mermaid's defaults, which GitHub does not raise: `maxTextSize: 50000` and `maxEdges: 500`
#: (mermaid-js/mermaid packages/mermaid/src/schemas/config.schema.yaml; enforced in mermaidAPI.ts,
#: MAX_TEXTLENGTH = 50_000, and diagrams/flowchart/flowDb.ts, `this.config.maxEdges ?? 500`).
MERMAID_MAX_TEXT = 50_000
MERMAID_MAX_EDGES = 500
#: What this renderer allows itself, with room to spare under those limits.
TEXT_BUDGET = 40_000
EDGE_BUDGET = 300
#: Boxes per layer at detail level FOLDED before the rest fold into one "… N more" box.
FOLD_PARTS = 8

#: Detail levels, most detailed first; `render` takes the first that fits.
FULL, UNLABELLED, FOLDED, LAYERS_ONLY = range(4)

#: Kinds that move a request along: always drawn as arrows. The other kinds support it (reading and
#: writing data, encrypting, screening, watching) and are drawn dotted, or, when HUB_MIN or more parts
#: share one hub (the stack key, the tables, the guardrail), counted on the hub's box instead.
FLOW_KINDS = frozenset({"invokes", "starts", "publishes", "sends", "consumes", "replies", "retrieves", "alerts"})
HUB_MIN = 3
#: Support kinds whose hub is the source (observability watches many); for the others it is the target.
_SOURCE_HUB_KINDS = frozenset({"watches"})
_HUB_PHRASES = {
    "encrypts": "encrypts for {n}",
    "screens": "screens for {n}",
    "logs to": "access logs of {n}",
    "watches": "watches {n}",
    "grants": "granted to {n}",
    "uses": "used by {n}",
    "depends on": "needed by {n}",
}
_DATA_PHRASES = {
    frozenset({"reads"}): "read by {n}",
    frozenset({"writes"}): "written by {n}",
    frozenset({"reads", "writes"}): "read/written by {n}",
}

ADDED, CHANGED, REMOVED, UNCHANGED = "added", "changed", "removed", "unchanged"

#: GitHub's Primer colours (light theme), readable in the dark theme too.
_CLASSES = {
    ADDED: "fill:#dafbe1,stroke:#1a7f37,color:#0d1117",
    CHANGED: "fill:#fff8c5,stroke:#9a6700,color:#0d1117",
    REMOVED: "fill:#ffebe9,stroke:#cf222e,color:#57606a,stroke-dasharray:5 5",
    UNCHANGED: "fill:#f6f8fa,stroke:#d0d7de,color:#57606a",
    "mandatory": "stroke:#cf222e,stroke-width:4px",
    "advisory": "stroke:#bf8700,stroke-width:3px",
}
_LINK_STYLES = {
    ADDED: "stroke:#1a7f37,stroke-width:2px",
    REMOVED: "stroke:#cf222e,stroke-width:2px,stroke-dasharray:5 5",
}
_LEGEND = {
    ADDED: "added",
    CHANGED: "changed",
    REMOVED: "removed",
    UNCHANGED: "unchanged",
    "mandatory": "✖ mandatory finding",
    "advisory": "⚠ advisory finding",
}

#: Mermaid link syntax by (dotted, written backwards).
_LINKS = {(False, False): "-->", (False, True): "---", (True, False): "-.->", (True, True): "-.-"}

_ID_UNSAFE = re.compile(r"[^A-Za-z0-9_]")
_LABEL_UNSAFE = re.compile(r"[^A-Za-z0-9 _.:/@+=,-]")


@dataclass
class ChangeCounts:
    """Resources added, changed and removed inside one part."""

    added: list[ResourceNode] = field(default_factory=list)
    changed: list[tuple[ResourceNode, list[str]]] = field(default_factory=list)
    removed: list[ResourceNode] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.added or self.changed or self.removed)

    def summary(self) -> str:
        """`+9`, `~1 -2`: the non-zero counts, like a diff stat."""
        counts = (("+", self.added), ("~", self.changed), ("-", self.removed))
        return " ".join(f"{sign}{len(items)}" for sign, items in counts if items)


@dataclass(frozen=True)
class Picture:
    """The head architecture, with the base's removed parts and links merged in, and the marks."""

    parts: dict[str, Part]
    links: dict[tuple[str, str], Link]
    status: dict[str, str]
    link_status: dict[tuple[str, str], str]
    changes: dict[str, ChangeCounts]
    findings: dict[str, Counter[Level]]
    compared: bool
    #: The groups carry this template's layer names (Architecture.layered); else the services they hold.
    layered: bool = True


def picture(
    head: Architecture,
    base: Architecture | None = None,
    changes: dict[str, ChangeCounts] | None = None,
    findings: Sequence[Finding] = (),
) -> Picture:
    """Merge head and base into one picture: parts and links of either, each with its status."""
    parts = dict(head.parts)
    links = dict(head.links)
    status: dict[str, str] = {}
    link_status: dict[tuple[str, str], str] = {}
    changes = changes or {}
    if base is not None:
        for key, part in base.parts.items():
            parts.setdefault(key, part)
        for pair, link in base.links.items():
            links.setdefault(pair, link)
        for key in parts:
            if key not in base.parts:
                status[key] = ADDED
            elif key not in head.parts:
                status[key] = REMOVED
            else:
                status[key] = CHANGED if changes.get(key) else UNCHANGED
        for pair in links:
            if pair not in base.links:
                link_status[pair] = ADDED
            elif pair not in head.links:
                link_status[pair] = REMOVED
    return Picture(
        parts=_in_layer_order(parts, head, base),
        links=links,
        status=status,
        link_status=link_status,
        changes=changes,
        findings=_findings_by_part(head, findings),
        compared=base is not None,
        layered=head.layered,
    )


def _in_layer_order(parts: dict[str, Part], head: Architecture, base: Architecture | None) -> dict[str, Part]:
    """Head's order, with parts only the base has placed after the last head part of their layer."""
    ordered = list(head.parts)
    for key in base.parts if base is not None else ():
        if key in head.parts:
            continue
        layer = parts[key].layer
        same = [i for i, k in enumerate(ordered) if parts[k].layer == layer]
        ordered.insert(same[-1] + 1 if same else len(ordered), key)
    return {key: parts[key] for key in ordered}


def _findings_by_part(head: Architecture, findings: Sequence[Finding]) -> dict[str, Counter[Level]]:
    """Mandatory and advisory findings counted on their part (stack-wide findings mark nothing)."""
    marks: dict[str, Counter[Level]] = {}
    for finding in findings:
        if finding.level not in (Level.MANDATORY, Level.ADVISORY):
            continue
        part = head.locate(finding.urn, finding.resource, finding.type)
        if part is not None:
            marks.setdefault(part.key, Counter())[finding.level] += 1
    return marks


# --------------------------------------------------------------------------------------------------
# Mermaid text
# --------------------------------------------------------------------------------------------------


def render(pic: Picture, *, min_detail: int = FULL) -> tuple[list[str], int]:
    """The Mermaid lines (without the fence) at the most detailed level from `min_detail` that fits."""
    lines: list[str] = []
    for detail in range(min_detail, LAYERS_ONLY + 1):
        lines, edges = _mermaid(pic, detail)
        if len("\n".join(lines)) <= TEXT_BUDGET and edges <= EDGE_BUDGET:
            return lines, detail
    return lines, LAYERS_ONLY


def _text(value: str) -> str:
    return " ".join(_LABEL_UNSAFE.sub(" ", value).split())


def _group_titles(pic: Picture) -> dict[str, str]:
    """Each layer's title in the picture: the layer (this template's programs), or, for another program, the
    kinds of its parts (`apigateway, lambda`): its resources are grouped by layer, but not named by one."""
    titles: dict[str, list[str]] = {}
    for part in pic.parts.values():
        titles.setdefault(part.layer, [])
        if part.kind not in titles[part.layer]:
            titles[part.layer].append(part.kind)
    if pic.layered:
        return {layer: layer for layer in titles}
    return {
        layer: ", ".join(kinds[:3]) + (f", +{len(kinds) - 3}" if len(kinds) > 3 else "")
        for layer, kinds in titles.items()
    }


def _group_ids(pic: Picture) -> dict[str, str]:
    """Each layer's Mermaid-safe id part: the layer's name, or (another program) its position."""
    layers = dict.fromkeys(part.layer for part in pic.parts.values())
    if pic.layered:
        return {layer: _ID_UNSAFE.sub("_", layer) for layer in layers}
    return {layer: f"g{i}" for i, layer in enumerate(layers, start=1)}


def _ids(pic: Picture, parts: Sequence[Part]) -> dict[str, str]:
    """Readable, unique, Mermaid-safe ids (`p_Function_ingest`); never a keyword like `end`."""
    ids: dict[str, str] = {}
    used: set[str] = set()
    groups = _group_ids(pic)
    for part in parts:
        base = "p_" + _ID_UNSAFE.sub("_", part.title if part.is_component else f"{groups[part.layer]}_{part.kind}")[:40]
        ident, n = base, 2
        while ident in used:
            ident, n = f"{base}_{n}", n + 1
        used.add(ident)
        ids[part.key] = ident
    return ids


@dataclass(frozen=True)
class _Arrow:
    source: str
    target: str
    kinds: tuple[str, ...]
    dotted: bool
    status: str


def _arrows(pic: Picture) -> tuple[list[_Arrow], dict[str, list[str]]]:
    """The arrows to draw and, per hub, the count lines standing in for the arrows not drawn.

    An arrow stays drawn when the pull request adds or removes it, whatever its kind.
    """
    arrows: list[_Arrow] = []
    support: dict[str, list[tuple[Link, list[str]]]] = {}
    for pair, link in pic.links.items():
        kinds = link.shown_kinds(None)
        status = pic.link_status.get(pair, "")
        flow = [k for k in kinds if k in FLOW_KINDS]
        if flow:
            arrows.append(_Arrow(link.source, link.target, tuple(flow), False, status))
            continue
        hub = link.source if set(kinds) & _SOURCE_HUB_KINDS else link.target
        support.setdefault(hub, []).append((link, kinds))
    hubs: dict[str, list[str]] = {}
    for hub, links in support.items():
        counted = len(links) >= HUB_MIN
        if counted:
            hubs.setdefault(hub, []).append(_hub_phrase({k for _, kinds in links for k in kinds}, len(links)))
        for link, kinds in links:
            status = pic.link_status.get((link.source, link.target), "")
            if not counted or status:
                arrows.append(_Arrow(link.source, link.target, tuple(kinds), True, status))
    order = {pair: i for i, pair in enumerate(pic.links)}
    arrows.sort(key=lambda arrow: order[(arrow.source, arrow.target)])
    return arrows, hubs


def _hub_phrase(kinds: set[str], n: int) -> str:
    """`read/written by 6`, `encrypts for 15`: what the hub does for how many parts."""
    data = frozenset(kinds & {"reads", "writes"})
    if data:  # a grant beside reads and writes says nothing more
        kinds = kinds - {"grants"}
    if data and not kinds - data:
        return _DATA_PHRASES[data].format(n=n)
    main = min(kinds - data, key=_kind_rank)
    return _HUB_PHRASES.get(main, "used by {n}").format(n=n)


def _label(pic: Picture, part: Part, hub_lines: Sequence[str]) -> str:
    lines = [_text(part.title)]
    if not part.is_component:
        lines.append(_text(part.type_summary()))
    changes = pic.changes.get(part.key)
    if pic.compared and changes:
        lines.append(changes.summary())
    lines += hub_lines
    marks = pic.findings.get(part.key)
    if marks:
        found = []
        if marks[Level.MANDATORY]:
            found.append(f"✖ {marks[Level.MANDATORY]} mandatory")
        if marks[Level.ADVISORY]:
            found.append(f"⚠ {marks[Level.ADVISORY]} advisory")
        lines.append(" · ".join(found))
    return "<br/>".join(lines)


def _classes(pic: Picture, key: str) -> list[str]:
    classes = [pic.status[key]] if key in pic.status else []
    marks = pic.findings.get(key)
    if marks and marks[Level.MANDATORY]:
        classes.append("mandatory")
    elif marks and marks[Level.ADVISORY]:
        classes.append("advisory")
    return classes


def _mermaid(pic: Picture, detail: int) -> tuple[list[str], int]:
    """The diagram at one detail level and its edge count."""
    if detail == LAYERS_ONLY:
        return _layers_only(pic)
    parts = list(pic.parts.values())
    ids = _ids(pic, parts)
    titles, groups = _group_titles(pic), _group_ids(pic)
    folded: dict[str, str] = {}  # part key -> the "… more" box it folded into
    by_layer: dict[str, list[Part]] = {}
    for part in parts:
        by_layer.setdefault(part.layer, []).append(part)
    if detail >= FOLDED:
        for layer, members in by_layer.items():
            if len(members) > FOLD_PARTS:
                keep = sorted(members, key=lambda p: not _classes(pic, p.key) or _classes(pic, p.key) == [UNCHANGED])
                for part in keep[FOLD_PARTS - 1 :]:
                    folded[part.key] = f"more_{groups[layer]}"
    arrows, hubs = _arrows(pic)
    lines = ["flowchart LR"]
    assigned: dict[str, list[str]] = {}
    for layer, members in by_layer.items():
        lines.append(f'  subgraph L_{groups[layer]}["{_text(titles[layer])}"]')
        hidden = [p for p in members if p.key in folded]
        for part in members:
            if part.key in folded:
                continue
            lines.append(f'    {ids[part.key]}["{_label(pic, part, hubs.get(part.key, []))}"]')
            for cls in _classes(pic, part.key):
                assigned.setdefault(cls, []).append(ids[part.key])
        if hidden:
            lines.append(f'    {folded[hidden[0].key]}["… {len(hidden)} more"]')
        lines.append("  end")
    rank = {ids[p.key]: LAYERS.index(p.layer) if p.layer in LAYERS else len(LAYERS) for p in parts}
    rank.update({box: rank[ids[key]] for key, box in folded.items()})
    edges = _edges(arrows, ids, folded, rank, labelled=detail == FULL)
    lines += [line for line, _ in edges]
    lines += _styles(pic, assigned, [status for _, status in edges])
    return lines, len(edges)


def _edges(
    arrows: Sequence[_Arrow],
    ids: dict[str, str],
    folded: dict[str, str],
    rank: dict[str, int],
    *,
    labelled: bool,
) -> list[tuple[str, str]]:
    """(Mermaid line, status) per drawn arrow; arrows into or out of a folded box merge.

    An arrow back into an earlier layer (deliver replies to the API) is written the other way round,
    as a line without a head whose label points left (`api ---|"◀ replies"| deliver`): the layout
    ranks boxes along the written direction, and this keeps the layers in their order with the
    entrance on the left. (A head at the start, `<---`, is parsed but not drawn: flowDb.ts gives an
    `arrow_open` edge no arrowheads at all.)
    """
    merged: dict[tuple[str, str], tuple[set[str], set[bool], set[str]]] = {}
    for arrow in arrows:
        source = folded.get(arrow.source, ids[arrow.source])
        target = folded.get(arrow.target, ids[arrow.target])
        if source == target:
            continue
        kinds, dotted, statuses = merged.setdefault((source, target), (set(), set(), set()))
        kinds.update(arrow.kinds)
        dotted.add(arrow.dotted)
        statuses.add(arrow.status)
    out = []
    for (source, target), (kinds, dotted, statuses) in merged.items():
        status = next(iter(statuses)) if len(statuses) == 1 else CHANGED
        label = " / ".join(sorted(kinds, key=_kind_rank)[:2]) if labelled else ""
        back = rank[target] < rank[source]
        label = f"◀ {label}".strip() if back else label
        link = _LINKS[(dotted == {True}, back)]
        shape = f'{link}|"{label}"|' if label else link
        first, second = (target, source) if back else (source, target)
        out.append((f"  {first} {shape} {second}", status))
    return out


def _kind_rank(kind: str) -> int:
    return KINDS.index(kind) if kind in KINDS else len(KINDS)


def _styles(pic: Picture, assigned: dict[str, list[str]], edge_status: Sequence[str]) -> list[str]:
    """classDefs in use, the class of each box, the legend, and the colour of new and gone arrows."""
    lines = []
    legend = [cls for cls in _LEGEND if cls in assigned]
    if legend:
        # Top to bottom in a fixed order: invisible links chain the entries (a legend has no arrows).
        lines += ['  subgraph Legend["Legend"]', "    direction TB"]
        lines += [f'    legend_{cls}["{_LEGEND[cls]}"]' for cls in legend]
        lines.append("  end")
        lines += [f"  legend_{a} ~~~ legend_{b}" for a, b in itertools.pairwise(legend)]
        for cls in legend:
            assigned[cls].append(f"legend_{cls}")
    for cls, style in _CLASSES.items():
        if cls in assigned:
            lines.append(f"  classDef {cls} {style}")
            lines.append(f"  class {','.join(assigned[cls])} {cls}")
    for status, style in _LINK_STYLES.items():
        indexes = [str(i) for i, s in enumerate(edge_status) if s == status]
        if indexes:
            lines.append(f"  linkStyle {','.join(indexes)} {style}")
    return lines


def _layers_only(pic: Picture) -> tuple[list[str], int]:
    """The last fold: one box per layer with its part count, arrows between layers."""
    layer_of = {key: part.layer for key, part in pic.parts.items()}
    counts = Counter(layer_of.values())
    status_by_layer: dict[str, set[str]] = {}
    for key, status in pic.status.items():
        status_by_layer.setdefault(layer_of[key], set()).add(status)
    titles, groups = _group_titles(pic), _group_ids(pic)
    lines = ["flowchart LR"]
    assigned: dict[str, list[str]] = {}
    for layer in dict.fromkeys(layer_of.values()):
        ident = f"layer_{groups[layer]}"
        lines.append(f'  subgraph L_{groups[layer]}["{_text(titles[layer])}"]')
        noun = "component" if counts[layer] == 1 else "components"
        lines.append(f'    {ident}["{_text(titles[layer])}<br/>{counts[layer]} {noun}"]')
        lines.append("  end")
        statuses = status_by_layer.get(layer, set()) - {UNCHANGED}
        if statuses:
            assigned.setdefault(CHANGED if len(statuses) > 1 else statuses.pop(), []).append(ident)
    rank = {layer: i for i, layer in enumerate(LAYERS)}
    pairs = sorted({(layer_of[s], layer_of[t]) for s, t in pic.links if layer_of[s] != layer_of[t]})
    for source, target in pairs:
        a, b = f"layer_{groups[source]}", f"layer_{groups[target]}"
        back = rank.get(target, len(rank)) < rank.get(source, len(rank))
        lines.append(f'  {b} ---|"◀"| {a}' if back else f"  {a} --> {b}")
    lines += _styles(pic, assigned, [])
    return lines, len(pairs)
