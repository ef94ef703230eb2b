"""`preflight export-tfplan`: write the resource graph as a Terraform plan JSON for checkov and other plan scanners.

    python -m preflight export-tfplan [--program DIR] [--stack NAME] [--from-preview FILE | --from-export FILE] -o FILE
                                      [--addresses FILE] [--template FILE]

The graph comes from running the program offline (default), from `pulumi preview --json` output
(`--from-preview`) or from `pulumi stack export` output (`--from-export`). Types the bridge cannot
map are listed on stderr as not scanned, never dropped silently.

`--template FILE` also writes the CloudFormation template of the program's aws-native resources, the very
bytes the gate hands to checkov's `cloudformation` framework (`preflight.cfn.graph_to_cfn`), so a user can
run checkov on both files themselves (`checkov -f PLAN -f TEMPLATE --framework terraform_plan cloudformation`,
as `preflight.checkov_runner.checkov_command` does). A program without aws-native resources of a type checkov
checks has no template: the gate scans none, and none is written.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from preflight.cfn.convert import graph_to_cfn
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
    parser.add_argument(
        "--template",
        metavar="FILE",
        help="also write the aws-native resources' CloudFormation template, as the gate gives it to checkov",
    )
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
    graph = load_graph(args)
    tfplan = graph_to_tfplan(graph)
    write_output(tfplan.to_json(), args.output)
    if args.addresses:
        write_output(json.dumps(tfplan.address_table(), indent=2), args.addresses)
    print(f"wrote {args.output}: {len(tfplan.addresses)} resources", file=sys.stderr)
    not_scanned = tfplan.not_scanned
    if args.template:
        template = graph_to_cfn(graph)
        if template.empty:
            print(f"{args.template} not written: no aws-native resource of a type checkov checks", file=sys.stderr)
        else:
            write_output(template.to_json(), args.template)
            print(f"wrote {args.template}: {len(template.addresses)} aws-native resources", file=sys.stderr)
            not_scanned = [t for t in not_scanned if t not in template.exported_types]
    if not_scanned:
        where = "in neither the plan nor the template" if args.template else "no Terraform mapping"
        print(f"not scanned ({where}): {', '.join(not_scanned)}", file=sys.stderr)
    return 0
