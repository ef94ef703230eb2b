"""Resource graphs from files the Pulumi CLI writes, read by their real meaning.

Formats (pulumi/pulumi at 1b59498, the source cited beside each rule below):

- `pulumi preview --json`: a `PreviewDigest` (`pkg/display/json.go` L31-L47) written by
  `ShowPreviewDigest` (`pkg/backend/display/json.go` L161-L265): `config`, `steps[]` (`PreviewStep`,
  L58-L75: `op`, `urn`, `provider`, `oldState`, `newState`), `diagnostics[]` and `changeSummary`.
  A step is listed only when `shouldShow` (`pkg/backend/display/display.go` L308-L329) says so:
  `same` steps only with `--show-sames` (the root stack always), replacement sub-steps only with
  `--show-replacement-steps`. Default providers are never registered as steps at all.
  Values are serialised by `SerializePropertyValue` (`pkg/resource/stack/deployment.go` L773-L900):
  unknowns are `04da6b54-80e4-46f7-96ec-b56ff0331ba9` whatever the type, secrets `"[secret]"`
  (`MassageSecrets`, json.go L48-L83).
- `pulumi stack export`: an `UntypedDeployment` `{version, features, deployment}`; versions 3 and 4
  both decode into `DeploymentV3` (`deployment.go` L446-L490, `sdk/go/common/apitype/core.go`
  L156-L174); version 4 is written whenever a resource uses a feature older CLIs cannot read
  (`ApplyFeatures`, deployment.go L156-L185, L323-L331). A self-managed backend's checkpoint file
  (`VersionedCheckpoint`, core.go L91-L99) holds the same deployment under `checkpoint.latest`.

Each resource is an `apitype.ResourceV3` (core.go L489-L565). What is gated is what Pulumi manages
after the update: not `external` (read) resources, not `delete` or `pendingReplacement` leftovers,
not what the plan deletes.
"""

from __future__ import annotations

import codecs
import json
import re
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from policies.regions import is_default_provider
from preflight.errors import PreflightError
from preflight.graph import STACK_TYPE, ResourceGraph, ResourceNode, urn_name, urn_project, urn_stack
from preflight.secrets import SECRET_PLACEHOLDER, redact, revealed

__all__ = ["SECRET_PLACEHOLDER", "graph_from_export", "graph_from_preview"]

#: Ops after which the resource no longer exists (deploy/step.go L2235-L2254). `delete-replaced`,
#: `discard-replaced` and `remove-pending-replace` remove the *old* copy of a URN whose new copy stays.
_GONE_OPS = frozenset({"delete", "discard"})
#: Ops that only read a resource Pulumi does not manage.
_READ_OPS = frozenset({"read", "read-replacement"})
_OLD_COPY_OPS = frozenset({"delete-replaced", "discard-replaced", "remove-pending-replace"})

#: Features a version 4 deployment may declare (deployment.go L72-L80, `supportedFeatures` L131-L140).
SUPPORTED_FEATURES = frozenset(
    {
        "refreshBeforeUpdate",
        "views",
        "hooks",
        "taint",
        "replaceWith",
        "snippets-prototype",
        "extensionParameterization",
        "byteString",
    }
)
_EXPORT_VERSIONS = (3, 4)

_ARN_REGION = re.compile(r"^arn:aws[a-z-]*:[a-z0-9-]+:([a-z]{2}(?:-[a-z]+)+-\d):")


# ----------------------------------------------------------------------------------------- reading


#: Byte-order marks, longest first (UTF-32LE's starts with UTF-16LE's).
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _encoding_of(raw: bytes) -> str:
    """PowerShell 5's `>` writes UTF-16LE with a BOM; `Out-File -Encoding utf8` adds a UTF-8 BOM."""
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            return encoding
    # No BOM: JSON starts with an ASCII character, so a NUL beside it means UTF-16 (RFC 8259 §8.1).
    if raw[1:2] == b"\x00":
        return "utf-16-le"
    return "utf-16-be" if raw[:1] == b"\x00" else "utf-8"


def _decode(raw: bytes, path: str | Path) -> str:
    """Text of a JSON file however the shell wrote it: UTF-8 (with or without BOM) or UTF-16/32."""
    try:
        return raw.decode(_encoding_of(raw))
    except UnicodeDecodeError:
        raise PreflightError(f"{path}: cannot read: not UTF-8 or UTF-16 text") from None


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def load_json(path: str | Path) -> Any:
    """The JSON document at `path`; every way it can be unreadable is one PreflightError line."""
    file = Path(path)
    try:
        raw = file.read_bytes()
    except FileNotFoundError:
        raise PreflightError(f"{path}: file not found") from None
    except OSError as exc:
        raise PreflightError(f"{path}: cannot read: {exc.strerror}") from None
    text = _decode(raw, path)
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise PreflightError(f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    except ValueError as exc:  # NaN / Infinity, which Pulumi never writes
        raise PreflightError(f"{path}: not valid JSON ({exc})") from None
    except RecursionError:
        raise PreflightError(f"{path}: not readable: values nested too deeply") from None


# ---------------------------------------------------------------------------------------- resources


def _strings(value: Any, where: str, key: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise PreflightError(f"{where}: `{key}` must be a list of URNs")
    return tuple(value)


def _text(state: Mapping[str, Any], key: str, where: str) -> str:
    value = state.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise PreflightError(f"{where}: `{key}` must be a string")
    return value


def _flag(state: Mapping[str, Any], key: str, where: str) -> bool:
    value = state.get(key, False)
    if not isinstance(value, bool):
        raise PreflightError(f"{where}: `{key}` must be true or false")
    return value


def _node(state: Mapping[str, Any], where: str) -> ResourceNode:
    """A graph node from an `apitype.ResourceV3`, every field checked for the type Pulumi writes."""
    urn = state.get("urn")
    type_ = state.get("type")
    if not isinstance(urn, str) or not urn.startswith("urn:pulumi:") or not isinstance(type_, str):
        raise PreflightError(f"{where}: resource state without a valid `urn` and `type`")
    where = f"{where} ({urn_name(urn)})"
    inputs = state.get("inputs") or {}
    outputs = state.get("outputs") or {}
    deps = state.get("propertyDependencies") or {}
    for key, value in (("inputs", inputs), ("outputs", outputs), ("propertyDependencies", deps)):
        if not isinstance(value, Mapping):
            raise PreflightError(f"{where}: `{key}` must be an object")
    return ResourceNode(
        urn=urn,
        type=type_,
        name=urn_name(urn),
        custom=_flag(state, "custom", where),
        parent=_text(state, "parent", where),
        provider=_text(state, "provider", where),
        inputs=redact(dict(inputs)),
        outputs=redact(dict(outputs)),
        secret_inputs=revealed(dict(inputs), redact(dict(inputs))),
        secret_outputs=revealed(dict(outputs), redact(dict(outputs))),
        id=_text(state, "id", where),
        dependencies=_strings(state.get("dependencies"), where, "dependencies"),
        property_dependencies={
            str(k): _strings(v, where, f"propertyDependencies.{k}") for k, v in sorted(deps.items())
        },
        protect=_flag(state, "protect", where),
    )


def _unmanaged(state: Mapping[str, Any]) -> bool:
    """Whether Pulumi does not manage this state after the update (core.go L495, L511, L523)."""
    return any(state.get(key) is True for key in ("external", "delete", "pendingReplacement"))


# ------------------------------------------------------------------------------------------ checks


def _check_stack(nodes: list[ResourceNode], stack: str, project: str | None, path: str | Path) -> str:
    """The file's project, after refusing a file written for another stack or project."""
    if not nodes:
        return project or Path(path).stem
    root = next((n for n in nodes if n.type == STACK_TYPE), nodes[0])
    found_stack, found_project = urn_stack(root.urn), urn_project(root.urn)
    if found_stack and found_stack != stack:
        raise PreflightError(
            f"{path}: this file is for stack {found_stack!r}, not {stack!r} (pass --stack {found_stack})"
        )
    if project and found_project and found_project != project:
        raise PreflightError(f"{path}: this file is for project {found_project!r}, not {project!r} (see --stack)")
    return found_project


def _is_default_provider(node: ResourceNode) -> bool:
    """A provider the engine made (policies.regions.is_default_provider reads its name)."""
    return node.type.startswith("pulumi:providers:") and is_default_provider(node.name)


def _region(config: Mapping[str, Any], nodes: list[ResourceNode]) -> str:
    """The stack's region: `aws:region` config, else the default aws provider's, else the ARNs' most common."""
    configured = config.get("aws:region")
    if isinstance(configured, str) and configured:
        return configured
    for node in nodes:
        if node.type == "pulumi:providers:aws" and _is_default_provider(node):
            region = node.inputs.get("region") or node.outputs.get("region")
            if isinstance(region, str) and region:
                return region
    regions: Counter[str] = Counter()
    for node in nodes:
        arn = node.outputs.get("arn")
        match = _ARN_REGION.match(arn) if isinstance(arn, str) else None
        if match:
            regions[match.group(1)] += 1
    return regions.most_common(1)[0][0] if regions else ""


def _config(config: Mapping[str, Any], nodes: list[ResourceNode]) -> dict[str, Any]:
    merged = {str(k): v for k, v in config.items()}
    region = _region(merged, nodes)
    if region:
        merged["aws:region"] = region
    return merged


# ----------------------------------------------------------------------------------------- preview


def _first_error(data: Mapping[str, Any], path: str | Path) -> str | None:
    diagnostics = data.get("diagnostics") or []
    if not isinstance(diagnostics, list):
        raise PreflightError(f"{path}: `diagnostics` must be a list")
    for diagnostic in diagnostics:
        if isinstance(diagnostic, Mapping) and diagnostic.get("severity") == "error":
            # A program's crash is a traceback: its first line and the exception line say it all.
            lines = [" ".join(line.split()) for line in str(diagnostic.get("message") or "").splitlines()]
            lines = [line for line in lines if line]
            if not lines:
                return "(no message)"
            return lines[0] if len(lines) == 1 else f"{lines[0]} ... {lines[-1]}"
    return None


def _hidden_sames(data: Mapping[str, Any], steps: list[Any], path: str | Path) -> int:
    """How many unchanged resources `changeSummary` counts that `steps` does not list."""
    summary = data.get("changeSummary")
    if summary is None:
        return 0  # an old CLI, or a file trimmed by hand: nothing says resources are missing
    if not isinstance(summary, Mapping) or not all(isinstance(v, int) for v in summary.values()):
        raise PreflightError(f"{path}: `changeSummary` must map operations to counts")
    shown = sum(1 for s in steps if isinstance(s, Mapping) and s.get("op") == "same")
    return max(0, int(summary.get("same", 0)) - shown)


def _after_update(steps: list[Any], path: str | Path) -> list[ResourceNode]:
    """The managed resources once the steps have run: the last state each URN is given wins."""
    after: dict[str, Mapping[str, Any] | None] = {}  # in first-seen order
    for index, step in enumerate(steps):
        if not isinstance(step, Mapping):
            raise PreflightError(f"{path}: steps[{index}] is not an object")
        op, urn, state = step.get("op"), step.get("urn"), step.get("newState")
        if not isinstance(op, str) or not isinstance(urn, str):
            raise PreflightError(f"{path}: steps[{index}]: `op` and `urn` must be strings")
        if state is not None and not isinstance(state, Mapping):
            raise PreflightError(f"{path}: steps[{index}]: `newState` must be an object")
        if op in _OLD_COPY_OPS:
            continue
        if op in _GONE_OPS or op in _READ_OPS:
            after[urn] = None
        elif state is not None:
            # `refresh` steps come first with the refreshed state; the step that follows wins (json.go L220-L233).
            after[urn] = state
    nodes = [
        _node(state, f"{path}: step {urn}")
        for urn, state in after.items()
        if state is not None and not _unmanaged(state)
    ]
    return nodes


def graph_from_preview(path: str | Path, stack: str, project: str | None = None) -> ResourceGraph:
    """The graph a `pulumi preview --json` document describes: what Pulumi manages after the update.

    Refuses (PreflightError, exit 2) a failed preview and one that hides unchanged resources.

    Examples
    --------
    >>> graph = graph_from_preview("tests/fixtures/pulumi/preview-show-sames.json", "dev")
    >>> graph.source
    'preview'
    """
    try:
        return _graph_from_preview(path, stack, project)
    except RecursionError:
        raise PreflightError(f"{path}: not readable: values nested too deeply") from None


def _graph_from_preview(path: str | Path, stack: str, project: str | None) -> ResourceGraph:
    data = load_json(path)
    steps = data.get("steps") if isinstance(data, Mapping) else None
    if isinstance(data, Mapping) and steps is None and ("changeSummary" in data or "diagnostics" in data):
        steps = []  # `steps` is omitempty (display/json.go L37)
    if not isinstance(steps, list):
        raise PreflightError(f"{path}: not a `pulumi preview --json` document (no `steps` list)")
    error = _first_error(data, path)
    if error is not None:
        raise PreflightError(f"{path}: the preview failed, refusing to gate it: {error}")
    hidden = _hidden_sames(data, steps, path)
    if hidden:
        raise PreflightError(
            f"{path}: the preview omits {hidden} unchanged resource(s); re-run `pulumi preview --json --show-sames`"
        )
    nodes = _after_update(steps, path)
    found_project = _check_stack(nodes, stack, project, path)
    config = data.get("config") or {}
    if not isinstance(config, Mapping):
        raise PreflightError(f"{path}: `config` must be an object")
    return ResourceGraph(
        project=found_project, stack=stack, resources=nodes, config=_config(config, nodes), source="preview"
    )


# ------------------------------------------------------------------------------------------ export


def _deployment(data: Any, path: str | Path) -> tuple[Mapping[str, Any], list[str]]:
    """`deployment` of an export (or `checkpoint.latest` of a backend file) and the notes it warrants."""
    if not isinstance(data, Mapping):
        raise PreflightError(f"{path}: not a `pulumi stack export` document (no `deployment` object)")
    notes: list[str] = []
    deployment = data.get("deployment")
    if deployment is None and isinstance(data.get("checkpoint"), Mapping):
        deployment = data["checkpoint"].get("latest") or {}
        notes.append(f"{Path(path).name} is a backend checkpoint file, read as `pulumi stack export` would show it")
    if not isinstance(deployment, Mapping):
        raise PreflightError(f"{path}: not a `pulumi stack export` document (no `deployment` object)")
    version = data.get("version")
    if isinstance(version, bool) or not isinstance(version, int):
        raise PreflightError(f"{path}: `version` must be a number (3 or 4)")
    if version not in _EXPORT_VERSIONS:
        raise PreflightError(
            f"{path}: unsupported deployment version {version} (expected 3 or 4; re-export with a current CLI)"
        )
    features = data.get("features") or []
    if not isinstance(features, list) or not all(isinstance(f, str) for f in features):
        raise PreflightError(f"{path}: `features` must be a list of names")
    unsupported = sorted(set(features) - SUPPORTED_FEATURES) if version >= 4 else []
    if unsupported:
        raise PreflightError(
            f"{path}: the deployment needs features this reader does not know: {', '.join(unsupported)}"
        )
    return deployment, notes


def graph_from_export(path: str | Path, stack: str, project: str | None = None) -> ResourceGraph:
    """The graph a `pulumi stack export` document describes (the deployed state Pulumi manages).

    Examples
    --------
    >>> graph = graph_from_export("tests/fixtures/pulumi/export-v3.json", "dev")
    >>> graph.source
    'export'
    """
    try:
        return _graph_from_export(path, stack, project)
    except RecursionError:
        raise PreflightError(f"{path}: not readable: values nested too deeply") from None


def _graph_from_export(path: str | Path, stack: str, project: str | None) -> ResourceGraph:
    deployment, notes = _deployment(load_json(path), path)
    resources = deployment.get("resources")
    resources = [] if resources is None else resources
    if not isinstance(resources, list):
        raise PreflightError(f"{path}: `deployment.resources` is not a list")
    nodes: list[ResourceNode] = []
    for index, state in enumerate(resources):
        if not isinstance(state, Mapping):
            raise PreflightError(f"{path}: deployment.resources[{index}] is not an object")
        node = _node(state, f"{path}: deployment.resources[{index}]")
        if not _unmanaged(state):
            nodes.append(node)
    pending = deployment.get("pending_operations") or []
    if not isinstance(pending, list):
        raise PreflightError(f"{path}: `deployment.pending_operations` is not a list")
    for operation in pending:
        resource = operation.get("resource") if isinstance(operation, Mapping) else None
        urn = resource.get("urn") if isinstance(resource, Mapping) else None
        kind = operation.get("type") if isinstance(operation, Mapping) else None
        notes.append(
            f"pending operation: {kind or 'unknown'} of {urn_name(urn) if isinstance(urn, str) else '?'} was "
            "interrupted; the cloud may differ from this state (run `pulumi refresh`)"
        )
    found_project = _check_stack(nodes, stack, project, path)
    return ResourceGraph(
        project=found_project,
        stack=stack,
        resources=nodes,
        config=_config({}, nodes),
        source="export",
        notes=notes,
    )
