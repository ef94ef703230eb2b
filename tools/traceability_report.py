"""Print how the 190 principles are honoured, from `policies/traceability.yaml`.

Usage::

    python tools/traceability_report.py                  # summary tables
    python tools/traceability_report.py --format json    # the same numbers as one JSON object
    python tools/traceability_report.py --list guidance-only

Counts come only from the mapping file; `tests/test_traceability.py` checks that what it names exists.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import yaml

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_PRINCIPLES = REPO_ROOT.parent / "shared" / "principles.yaml"
DEFAULT_MAPPING = REPO_ROOT / "policies" / "traceability.yaml"
KINDS = ("policy", "checkov", "component", "workflow", "runtime", "test", "guidance")
ENFORCING = frozenset({"policy", "checkov"})
LEVELS = ("HIGH", "MEDIUM", "NEVER", "GUIDE")


def _kinds(item: dict[str, Any]) -> set[str]:
    return {kind for entry in item.get("by") or [] for kind in entry if kind in KINDS}


def coverage(principles: list[dict[str, str]], mapping: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Coverage numbers: per evidence kind, per level, and the NEVER principles' status."""
    ids = [p["id"] for p in principles]
    level = {p["id"]: p["level"] for p in principles}
    kinds = {pid: _kinds(mapping.get(pid, {})) for pid in ids}
    entries: Counter[str] = Counter()
    for pid in ids:
        for entry in mapping.get(pid, {}).get("by") or []:
            entries.update(k for k in entry if k in KINDS)
    by_level = {}
    for name in LEVELS:
        members = [pid for pid in ids if level[pid] == name]
        by_level[name] = {
            "principles": len(members),
            "enforced": sum(1 for pid in members if kinds[pid] & ENFORCING),
            "by_component": sum(1 for pid in members if "component" in kinds[pid]),
            "guidance_only": sum(1 for pid in members if kinds[pid] == {"guidance"}),
        }
    never = [pid for pid in ids if level[pid] == "NEVER"]
    return {
        "principles": len(ids),
        "mapped": sum(1 for pid in ids if kinds[pid]),
        "unmapped": [pid for pid in ids if not kinds[pid]],
        "by_kind": {
            kind: {"principles": sum(1 for pid in ids if kind in kinds[pid]), "references": entries[kind]}
            for kind in KINDS
        },
        "by_level": by_level,
        "never_enforced": [pid for pid in never if kinds[pid] & ENFORCING],
        "never_not_checkable": [pid for pid in never if mapping.get(pid, {}).get("deploy_time_checkable") is False],
        "enforced": [pid for pid in ids if kinds[pid] & ENFORCING],
        "guidance_only": [pid for pid in ids if kinds[pid] == {"guidance"}],
    }


def render_text(report: dict[str, Any]) -> str:
    lines = [f"principles: {report['principles']}, mapped: {report['mapped']}", "", "by evidence kind:"]
    lines += [
        f"  {kind:<10} {v['principles']:>4} principles  {v['references']:>4} references"
        for kind, v in report["by_kind"].items()
    ]
    lines += ["", "by level:        total  enforced  component  guidance-only"]
    lines += [
        f"  {name:<14} {v['principles']:>5} {v['enforced']:>9} {v['by_component']:>10} {v['guidance_only']:>14}"
        for name, v in report["by_level"].items()
    ]
    lines += [
        "",
        f"NEVER enforced by a policy or checkov check: {len(report['never_enforced'])}",
        f"NEVER not checkable at deploy time: {', '.join(report['never_not_checkable']) or 'none'}",
    ]
    if report["unmapped"]:
        lines.append(f"UNMAPPED: {', '.join(report['unmapped'])}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--principles", type=Path, default=DEFAULT_PRINCIPLES)
    parser.add_argument("--mapping", type=Path, default=DEFAULT_MAPPING)
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument("--list", choices=("guidance-only", "enforced", "unmapped"), help="print only these ids")
    args = parser.parse_args(argv)
    for path in (args.principles, args.mapping):
        if not path.is_file():
            print(f"error: {path} does not exist", file=sys.stderr)
            return 2
    principles = yaml.safe_load(args.principles.read_text(encoding="utf-8"))["principles"]
    mapping = yaml.safe_load(args.mapping.read_text(encoding="utf-8")).get("principles") or {}
    report = coverage(principles, mapping)
    if args.list:
        print("\n".join(report[args.list.replace("-", "_")]))
    elif args.format == "json":
        print(json.dumps(report, indent=2))
    else:
        print(render_text(report))
    return 1 if report["unmapped"] else 0


if __name__ == "__main__":
    sys.exit(main())
