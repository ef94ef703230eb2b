"""`preflight policies`: every policy of the pack with its principles and level per stack config."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from policies.profile import CONFIG_DIR
from policies.registry import all_policies
from preflight.commands.common import add_format_option, write_output
from preflight.policy_runner import load_policy_config


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("policies", help="list the policy pack with levels per stack")
    add_format_option(parser, ("text", "json"))
    parser.add_argument("--output", metavar="FILE", help="write the list to FILE instead of stdout")
    parser.set_defaults(func=run)


def policy_table() -> list[dict[str, Any]]:
    stacks = sorted(p.stem for p in Path(CONFIG_DIR).glob("*.json"))
    levels = {stack: load_policy_config(stack)[0] for stack in stacks}
    return [
        {
            "name": p.name,
            "description": p.description,
            "principles": list(p.principles),
            "severity": p.severity.name.lower(),
            "category": p.category.value,
            "kind": p.kind.value,
            "resource_types": list(p.resource_types),
            "levels": {stack: levels[stack][p.name].level.value for stack in stacks},
        }
        for p in all_policies()
    ]


def render_text(rows: list[dict[str, Any]]) -> str:
    stacks = sorted({s for row in rows for s in row["levels"]})
    table = Table(show_lines=False, box=None, pad_edge=False)
    for column in ("policy", "principles", "severity", *stacks, "description"):
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(
            row["name"],
            " ".join(row["principles"]),
            row["severity"],
            *(row["levels"][s] for s in stacks),
            row["description"],
        )
    console = Console(width=200, record=True, force_terminal=False, color_system=None)
    with console.capture() as capture:
        console.print(table)
        console.print(f"{len(rows)} policies")
    return capture.get().rstrip()


def run(args: argparse.Namespace) -> int:
    rows = policy_table()
    if args.format == "json":
        write_output(json.dumps({"policies": rows}, indent=2, sort_keys=True), args.output)
    else:
        write_output(render_text(rows), args.output)
    return 0
