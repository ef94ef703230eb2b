"""`preflight plan`: what the program would deploy, as a tree by component with layers."""

from __future__ import annotations

import argparse
import json
from typing import Any

from rich.console import Console
from rich.tree import Tree

from preflight.commands.common import add_format_option, add_program_options, program_timeout, write_output
from preflight.graph import STACK_TYPE, ResourceGraph, ResourceNode
from preflight.layers import has_layers, layer_of
from preflight.load import load_graph


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("plan", help="show what the program would deploy (offline, under mocks)")
    add_program_options(parser)
    add_format_option(parser, ("text", "json"))
    parser.add_argument("--output", metavar="FILE", help="write the result to FILE instead of stdout")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    graph = load_graph(args.program, args.stack, timeout=program_timeout(args))
    if args.format == "json":
        write_output(json.dumps(plan_json(graph), indent=2, sort_keys=True), args.output)
    else:
        write_output(render_tree(graph), args.output)
    return 0


def plan_json(graph: ResourceGraph) -> dict[str, Any]:
    data = graph.to_dict()
    if not has_layers(graph):
        return data  # another program: no layers of this template's architecture
    for entry, node in zip(data["resources"], graph.resources, strict=True):
        entry["layer"] = layer_of(node, graph)
    return data


def _label(node: ResourceNode, graph: ResourceGraph, layered: bool) -> str:
    kind = "component" if not node.custom else "resource"
    if node.urn in graph.remote_components:
        kind = "component built by its provider plugin: its resources are not seen offline"
    layer = f"{layer_of(node, graph)} " if layered else ""
    return f"[bold]{node.name}[/bold]  [cyan]{node.type}[/cyan]  [dim]{layer}{kind}[/dim]"


def render_tree(graph: ResourceGraph) -> str:
    """A terminal tree: stack -> components -> resources, each with type and layer."""
    custom = len(graph.managed_resources)
    root = Tree(f"[bold]{graph.project}[/bold] / {graph.stack}: {custom} resources")
    branches: dict[str, Tree] = {}
    layered = has_layers(graph)
    for node in graph.resources:
        if node.type == STACK_TYPE:
            branches[node.urn] = root
            continue
        parent = branches.get(node.parent, root)
        branches[node.urn] = parent.add(_label(node, graph, layered))
    for read in graph.reads:
        root.add(f"[bold]{read.name}[/bold]  [cyan]{read.type}[/cyan]  [dim]read (id {read.id}), not deployed[/dim]")
    console = Console(width=160, record=True, force_terminal=False, color_system=None)
    with console.capture() as capture:
        console.print(root)
    return capture.get().rstrip()
