"""Resource graphs from files the Pulumi CLI writes, for teams that run the gate after a real preview.

Two documented formats carry the engine's own view of each resource (`apitype.ResourceV3`, in
pulumi/pulumi `sdk/go/common/apitype/core.go`: `urn`, `custom`, `id`, `type`, `inputs`, `outputs`,
`parent`, `protect`, `dependencies`, `provider`, `propertyDependencies`):

- `pulumi preview --json`: a `PreviewDigest` (pulumi/pulumi `pkg/display/json.go` and
  `pkg/backend/display/json.go` `ShowPreviewDigest`) with `config` and `steps[]`, each step
  `{op, urn, provider, oldState, newState, ...}`; secrets are shown as "[secret]" and values not
  known until apply as the unknown sentinel.
- `pulumi stack export`: an `UntypedDeployment` `{version, deployment}` whose `deployment.resources[]`
  are the same states (`apitype.DeploymentV3`); secrets are `{"4dabf18193072939515e22adb298388d":
  "1b47061264138c4ac30d75fd1eb44270", "ciphertext": ...}` objects.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from preflight.errors import PreflightError
from preflight.graph import STACK_TYPE, ResourceGraph, ResourceNode

#: Preview operations after which the resource no longer exists, or that only read an existing one.
_GONE_OPS = frozenset({"delete", "delete-replaced", "discard", "discard-replaced", "remove-pending-replace"})
_READ_OPS = frozenset({"read", "read-replacement", "read-discard"})

_SIG_KEY = "4dabf18193072939515e22adb298388d"
_SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
SECRET_PLACEHOLDER = "[secret]"


def _load_json(path: str | Path) -> Any:
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PreflightError(f"{path}: file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise PreflightError(f"{path}: cannot read: {reason}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise PreflightError(f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None


def _unwrap(value: Any) -> Any:
    """Secrets as their plaintext when the file holds it, else "[secret]"; everything else unchanged."""
    if isinstance(value, Mapping):
        if value.get(_SIG_KEY) == _SECRET_SIG:
            plaintext = value.get("plaintext")
            if isinstance(plaintext, str):
                try:
                    return _unwrap(json.loads(plaintext))
                except json.JSONDecodeError:
                    return plaintext
            return SECRET_PLACEHOLDER
        return {str(k): _unwrap(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_unwrap(v) for v in value]
    return value


def _name_of(urn: str) -> str:
    """The logical name: the last `::` part of `urn:pulumi:<stack>::<project>::<type>::<name>`."""
    return urn.rsplit("::", 1)[-1]


def _project_of(urn: str) -> str:
    parts = urn.split("::")
    return parts[1] if len(parts) >= 4 else ""


def _node(state: Mapping[str, Any], where: str) -> ResourceNode:
    urn = state.get("urn")
    type_ = state.get("type")
    if not isinstance(urn, str) or not urn.startswith("urn:pulumi:") or not isinstance(type_, str):
        raise PreflightError(f"{where}: resource state without a valid `urn` and `type`")
    inputs = state.get("inputs") or {}
    outputs = state.get("outputs") or {}
    deps = state.get("propertyDependencies") or {}
    if not isinstance(inputs, Mapping) or not isinstance(outputs, Mapping) or not isinstance(deps, Mapping):
        raise PreflightError(f"{where}: {urn}: `inputs`, `outputs` and `propertyDependencies` must be objects")
    return ResourceNode(
        urn=urn,
        type=type_,
        name=_name_of(urn),
        custom=bool(state.get("custom", False)),
        parent=str(state.get("parent") or ""),
        provider=str(state.get("provider") or ""),
        inputs=_unwrap(dict(inputs)),
        outputs=_unwrap(dict(outputs)),
        id=str(state.get("id") or ""),
        dependencies=tuple(state.get("dependencies") or ()),
        property_dependencies={str(k): tuple(v or ()) for k, v in sorted(deps.items())},
        protect=bool(state.get("protect", False)),
    )


def _stack_of(urn: str) -> str:
    """The stack: the part after `urn:pulumi:` in `urn:pulumi:<stack>::<project>::<type>::<name>`."""
    return urn.removeprefix("urn:pulumi:").split("::", 1)[0]


def _check_stack(nodes: list[ResourceNode], stack: str, path: str | Path) -> None:
    """Refuse a file written for another stack: its levels and settings would be the wrong stack's.

    URNs carry the bare stack name; `--stack` may be fully qualified (`org/project/prod`).
    """
    if not nodes:
        return
    root = next((n for n in nodes if n.type == STACK_TYPE), nodes[0])
    found = _stack_of(root.urn)
    wanted = stack.rsplit("/", 1)[-1]
    if found and found != wanted:
        raise PreflightError(f"{path}: this file is for stack {found!r}, not {wanted!r} (pass --stack {found})")


def _region_from_providers(nodes: list[ResourceNode]) -> dict[str, Any]:
    for node in nodes:
        if node.type == "pulumi:providers:aws":
            region = node.inputs.get("region") or node.outputs.get("region")
            if isinstance(region, str) and region:
                return {"aws:region": region}
    return {}


def _project(nodes: list[ResourceNode], path: str | Path) -> str:
    for node in nodes:
        if node.type == STACK_TYPE:
            return _project_of(node.urn)
    return _project_of(nodes[0].urn) if nodes else Path(path).stem


def graph_from_preview(path: str | Path, stack: str) -> ResourceGraph:
    """The graph a `pulumi preview --json` document describes (resources as they will be after the update).

    Examples
    --------
    >>> graph = graph_from_preview("tests/fixtures/preview.json", "dev")
    >>> graph.source
    'preview'
    """
    data = _load_json(path)
    steps = data.get("steps") if isinstance(data, Mapping) else None
    if not isinstance(steps, list):
        raise PreflightError(f"{path}: not a `pulumi preview --json` document (no `steps` list)")
    nodes: list[ResourceNode] = []
    seen: set[str] = set()
    for index, step in enumerate(steps):
        if not isinstance(step, Mapping):
            raise PreflightError(f"{path}: steps[{index}] is not an object")
        op = str(step.get("op", ""))
        state = step.get("newState")
        if op in _GONE_OPS or op in _READ_OPS or not isinstance(state, Mapping):
            continue
        node = _node(state, f"{path}: steps[{index}]")
        if node.urn in seen:
            continue  # a replacement shows the same URN twice (create-replacement, replace)
        seen.add(node.urn)
        nodes.append(node)
    _check_stack(nodes, stack, path)
    config = data.get("config") if isinstance(data.get("config"), Mapping) else {}
    merged = {**_region_from_providers(nodes), **{str(k): v for k, v in (config or {}).items()}}
    return ResourceGraph(project=_project(nodes, path), stack=stack, resources=nodes, config=merged, source="preview")


def graph_from_export(path: str | Path, stack: str) -> ResourceGraph:
    """The graph a `pulumi stack export` document describes (the deployed state).

    Examples
    --------
    >>> graph = graph_from_export("tests/fixtures/stack-export.json", "dev")
    >>> graph.source
    'export'
    """
    data = _load_json(path)
    deployment = data.get("deployment") if isinstance(data, Mapping) else None
    if not isinstance(deployment, Mapping):
        raise PreflightError(f"{path}: not a `pulumi stack export` document (no `deployment` object)")
    version = data.get("version")
    if version is not None and version not in (1, 2, 3):
        raise PreflightError(f"{path}: unsupported deployment version {version} (expected 3)")
    resources = deployment.get("resources")
    resources = [] if resources is None else resources
    if not isinstance(resources, list):
        raise PreflightError(f"{path}: `deployment.resources` is not a list")
    nodes: list[ResourceNode] = []
    for index, state in enumerate(resources):
        if not isinstance(state, Mapping):
            raise PreflightError(f"{path}: deployment.resources[{index}] is not an object")
        if state.get("delete"):
            continue  # pending deletion: a replaced resource that is going away
        nodes.append(_node(state, f"{path}: deployment.resources[{index}]"))
    _check_stack(nodes, stack, path)
    return ResourceGraph(
        project=_project(nodes, path),
        stack=stack,
        resources=nodes,
        config=_region_from_providers(nodes),
        source="export",
    )
