"""The graph of a stack from its one source: the program, a `pulumi preview --json` or a `pulumi stack export`.

`--stack` may be qualified (`acme/shop/prod`): it is split once here (`split_stack`), the project
part is checked against the program or the file, and the graph carries the bare stack, which alone
selects levels and settings downstream.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Literal

from preflight import synthesis_child
from preflight.errors import ConfigError, PreflightError
from preflight.graph import ResourceGraph, ResourceNode
from preflight.stackconfig import split_stack, stack_organization


def load_graph(
    program_dir: str | Path,
    stack: str,
    *,
    from_preview: str | None = None,
    from_export: str | None = None,
    timeout: float | Literal["configured"] | None = "configured",
    on_register: Callable[[ResourceNode], None] | None = None,
) -> ResourceGraph:
    """The graph of `stack`; `timeout` bounds a program's run (`"configured"`: `PREFLIGHT_TIMEOUT` or the default).

    A program runs in a child process that hands back only its graph (preflight/synthesis_child.py).
    `on_register` sees each resource of a program as it registers (preflight.engine.synthesize); a file
    source has no registrations and never calls it.
    """
    if from_preview and from_export:
        raise PreflightError("use either --from-preview or --from-export, not both")
    name, project = split_stack(stack)
    if from_preview or from_export:
        from preflight import sources  # noqa: PLC0415 (only file sources need it)

        if from_preview:
            return sources.graph_from_preview(from_preview, name, project)
        return sources.graph_from_export(str(from_export), name, project)
    # Not in this process: the program is code, and the gate's verdict must not be its to change (review 6, gate F1).
    graph = synthesis_child.synthesize_in_child(
        program_dir, name, timeout=timeout, organization=stack_organization(stack), on_register=on_register
    )
    if project and project != graph.project:
        raise ConfigError(
            f"--stack {stack!r}: the program in {program_dir} is project {graph.project!r}, not {project!r}"
        )
    return graph
