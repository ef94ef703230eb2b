"""`preflight export-tfplan`: write the resource graph as a Terraform plan JSON for checkov and other plan scanners.

    python -m preflight export-tfplan [--program DIR] [--stack NAME] [--from-preview FILE | --from-export FILE] -o FILE

The graph comes from running the program offline (default), from `pulumi preview --json` output
(`--from-preview`) or from `pulumi stack export` output (`--from-export`). Types the bridge cannot
map are listed on stderr as not scanned, never dropped silently.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from preflight.commands.common import add_program_options, program_timeout, write_output
from preflight.graph import ResourceGraph
from preflight.load import load_graph as load_stack_graph
from preflight.tfplan import graph_to_tfplan


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "export-tfplan",
        help="write what the program would deploy as a Terraform plan JSON (for checkov)",
        description="Convert the resource graph into the Terraform plan JSON checkov's terraform_plan framework reads.",
    )
    add_program_options(parser)
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--from-preview", metavar="FILE", help="read the graph from `pulumi preview --json` output")
    source.add_argument("--from-export", metavar="FILE", help="read the graph from `pulumi stack export` output")
    parser.add_argument("-o", "--output", required=True, metavar="FILE", help="where to write the plan JSON")
    parser.add_argument("--addresses", metavar="FILE", help="also write the address -> URN table as JSON")
    parser.set_defaults(func=run)


def load_graph(args: argparse.Namespace) -> ResourceGraph:
    """The graph from whichever source the options name (the program by default)."""
    return load_stack_graph(
        args.program,
        args.stack,
        from_preview=getattr(args, "from_preview", None),
        from_export=getattr(args, "from_export", None),
        timeout=program_timeout(args),
    )


def run(args: argparse.Namespace) -> int:
    tfplan = graph_to_tfplan(load_graph(args))
    write_output(tfplan.to_json(), args.output)
    if args.addresses:
        write_output(json.dumps(tfplan.address_table(), indent=2), args.addresses)
    print(f"wrote {args.output}: {len(tfplan.addresses)} resources", file=sys.stderr)
    if tfplan.not_scanned:
        print(f"not scanned (no Terraform mapping): {', '.join(tfplan.not_scanned)}", file=sys.stderr)
    return 0
