"""`preflight check`: the gate. Exit 0 = no mandatory violation, 1 = at least one, 2 = bad input."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from preflight.commands.common import add_format_option, add_program_options, program_timeout, write_output
from preflight.errors import PreflightError
from preflight.gate import GateReport, run_gate
from preflight.graph import ResourceGraph
from preflight.report import FORMATS, render

#: Files `--output-dir` writes, by format.
OUTPUT_FILES = {"text": "report.txt", "json": "report.json", "markdown": "report.md", "sarif": "report.sarif"}


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "check", help="run the policy pack and checkov over the stack; exit 1 on mandatory violations"
    )
    add_program_options(parser)
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--from-preview", metavar="FILE", help="judge a `pulumi preview --json` document instead")
    source.add_argument("--from-export", metavar="FILE", help="judge a `pulumi stack export` document instead")
    add_format_option(parser, FORMATS)
    parser.add_argument("--output", metavar="FILE", help="write the report to FILE instead of stdout")
    parser.add_argument(
        "--output-dir",
        metavar="DIR",
        help="also write report.txt, report.json, report.md, report.sarif and graph.json to DIR",
    )
    parser.add_argument("--base-graph", metavar="FILE", help="graph.json of the base branch (markdown diff)")
    parser.add_argument("--no-checkov", action="store_true", help="skip the checkov scan")
    parser.add_argument(
        "--analyzer-protocol",
        action="store_true",
        help="run the pack in its own process over the Analyzer gRPC protocol, as `pulumi preview --policy-pack` does",
    )
    parser.set_defaults(func=run)


def _base_graph(path: str | None) -> ResourceGraph | None:
    if not path:
        return None
    import json  # noqa: PLC0415

    try:
        return ResourceGraph.from_dict(json.loads(Path(path).read_text(encoding="utf-8")))
    except FileNotFoundError:
        raise PreflightError(f"{path}: file not found") from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise PreflightError(f"{path}: not a graph.json written by preflight ({type(exc).__name__})") from None


def write_output_dir(report: GateReport, directory: str, base: ResourceGraph | None) -> None:
    out = Path(directory)
    for fmt, name in OUTPUT_FILES.items():
        write_output(render(report, fmt, base=base), str(out / name))
    write_output(report.graph.to_json(), str(out / "graph.json"))


def run(args: argparse.Namespace) -> int:
    base = _base_graph(args.base_graph)
    report = run_gate(
        args.program,
        args.stack,
        from_preview=args.from_preview,
        from_export=args.from_export,
        checkov=not args.no_checkov,
        timeout=program_timeout(args),
        analyzer_protocol=args.analyzer_protocol,
    )
    if args.output_dir:
        write_output_dir(report, args.output_dir, base)
    color = args.format == "text" and not args.output and sys.stdout.isatty()
    write_output(render(report, args.format, base=base, color=color), args.output)
    return report.exit_code
