"""Run any Pulumi Python program offline, under the SDK's mocks, and record what it would deploy.

The engine is the reason the gate needs no CLI and no credentials: it plays the Pulumi engine's
part (resource registration, stack transforms, config) closely enough that policies and scanners
see the same resource inputs the real engine would send them.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import os
import runpy
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from types import ModuleType
from typing import Any, Literal

import pulumi
import pulumi.runtime
from pulumi.runtime import config as runtime_config
from pulumi.runtime import mocks, rpc, settings
from pulumi.runtime.proto import resource_pb2
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _ensure_event_loop, _sync_await

from preflight.applies import ApplyWatch
from preflight.errors import ConfigError, PreflightError, ProgramError
from preflight.fabricate import created_outputs, read_outputs, resource_outputs
from preflight.graph import STACK_TYPE, UNKNOWN, ResourceGraph, ResourceNode
from preflight.invokes import invented_strings, invoke_result, start_run
from preflight.limits import configured_timeout
from preflight.origin import OriginTracker, ProgramFiles
from preflight.regions import Regions, without_region_variables
from preflight.sdk_shortcuts import await_now, skip_source_positions
from preflight.secrets import SECRET_PLACEHOLDER
from preflight.stack_references import (
    STACK_REFERENCE_TYPE,
    ReferenceWatch,
    StackReferences,
    load_stack_references,
)
from preflight.stackconfig import environments_note, load_project, load_stack_config, missing_stack_file_note
from preflight.wire import flatten_references

#: What `pulumi.get_organization()` returns when `--stack` names none: the organization of a self-managed (DIY)
#: backend, which is always "organization" (pulumi docs, automation `fullyQualifiedStackName`: DIY backends
#: take `org/project/stack` where "org must be set to 'organization'"). Under bare mocks it would be None,
#: and a default like `f"{pulumi.get_organization()}-{pulumi.get_stack()}"` would name resources `none-dev-...`.
DEFAULT_ORGANIZATION = "organization"


class _FabricatingMocks(pulumi.runtime.Mocks):
    """Outputs derived deterministically from inputs, so two runs give identical graphs; each in the region of its
    resource or data source (its `region` input, else its provider's: preflight/regions.py)."""

    def __init__(self, regions: Regions) -> None:
        self.regions = regions

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        region = self.regions.of_resource(args.typ, args.inputs, args.provider or "")
        # An import (`ResourceOptions(import_=...)`) adopts what exists: its unset blocks are AWS's, not the plan's.
        outputs = resource_outputs if args.resource_id else created_outputs
        return outputs(args.typ, args.name, args.inputs, region)

    def call(self, args: pulumi.runtime.MockCallArgs) -> dict[str, Any]:  # type: ignore[override]
        return invoke_result(args.token, args.args, self.regions.of_invoke(args.token, args.args, args.provider or ""))


class _RecordingMonitor(mocks.MockMonitor):
    """The SDK's mock monitor, plus what the real engine does and the mock leaves out.

    It applies resource and stack transforms in the engine's order (the resource's own, then each
    parent's, then the stack's), runs the stack's invoke transforms on every invoke, and records every
    registration with its parent, provider and dependencies.
    """

    def __init__(
        self,
        mocks_impl: _FabricatingMocks,
        *,
        shortcuts: bool = True,
        on_register: Callable[[ResourceNode], None] | None = None,
        stack_references: StackReferences | None = None,
    ) -> None:
        super().__init__(mocks_impl)
        #: The outputs the program states for the stacks it references (preflight/stack_references.py).
        self._stack_references = stack_references or StackReferences({})
        # Told of each resource as it registers (its inputs and fabricated outputs are final then): the gate
        # streams them to checkov (preflight/checkov_stream.py). It must not raise.
        self._on_register = on_register
        # False: the SDK's own path (its mock's RegisterResource, `_sync_await`), which the shortcuts must match.
        # Transform callbacks always take `_sync_await` (see preflight/sdk_shortcuts.py).
        self._shortcuts = shortcuts
        self._fabricating = mocks_impl
        self._await = await_now if shortcuts else _sync_await
        self.nodes: list[ResourceNode] = []
        self.reads: list[ResourceNode] = []
        #: Components registered with `remote=True`: built by their provider plugin, which does not run offline.
        self.remote_components: list[str] = []
        self._transforms_by_urn: dict[str, list[Any]] = {}
        self._parents: dict[str, str] = {}
        self._stack_transform_callbacks: list[Any] = []
        self._invoke_transform_callbacks: list[Any] = []
        self.worker_loops: set[asyncio.AbstractEventLoop] = set()

    def _note_loop(self) -> None:
        # RPCs run on executor threads, each given its own event loop by the SDK; they are closed at the end.
        self.worker_loops.add(_ensure_event_loop())

    def Invoke(self, request: Any) -> Any:  # noqa: N802 (gRPC method name)
        self._note_loop()
        flatten_references(request.args)
        return super().Invoke(self._apply_invoke_transforms(request))

    def RegisterStackInvokeTransform(self, request: Any) -> Any:  # noqa: N802 (gRPC method name)
        """`pulumi.runtime.register_invoke_transform`: kept, so every later invoke runs it as the engine does.

        The SDK's mock only records it ("The mock monitor does not run transforms", pulumi/runtime/mocks.py), so a
        transform that widens every `get_policy_document` to `Action: "*"` deployed the wide document while the
        gate judged the narrow one the program wrote (review s10 finding 4).
        """
        self._invoke_transform_callbacks.append(request)
        return super().RegisterStackInvokeTransform(request)

    def _apply_invoke_transforms(self, request: Any) -> Any:
        """The invoke as the engine hands it to the provider: after every stack invoke transform, in order.

        The engine's `resmon.Invoke` (pulumi/pulumi@1b5949891b3c pkg/resource/deploy/source_eval.go, `Invoke`
        and `wrapInvokeTransformCallback`) builds `TransformInvokeOptions` from the request's provider, version,
        plugin download URL and checksums, runs each registered transform in registration order on the token, the
        args and those options, each seeing the previous one's result, and keeps the old args or options where a
        response leaves them out; the SDK's callback answers a transform that returns None with the request's own
        args and options (pulumi/runtime/_callbacks.py `do_register_invoke_transform`). Only `Invoke` runs them:
        the engine's `Call` (a component's method) does not, and the SDK's mock monitor has no `Call` at all.
        A transform that raises fails the invoke, and so the program, as in the engine.
        """
        if not self._invoke_transform_callbacks:
            return request
        callbacks = _callback_functions()
        args = request.args
        options = resource_pb2.TransformInvokeOptions(
            provider=request.provider,
            version=request.version,
            plugin_download_url=request.pluginDownloadURL,
            plugin_checksums=dict(request.pluginChecksums),
        )
        for callback in list(self._invoke_transform_callbacks):
            fn = callbacks.get(callback.token)
            if fn is None:
                continue
            transform_request = resource_pb2.TransformInvokeRequest(token=request.tok, args=args, options=options)
            response = resource_pb2.TransformInvokeResponse.FromString(
                self._run_callback(fn(transform_request.SerializeToString())).SerializeToString()
            )
            if response.HasField("args"):
                args = response.args
            if response.HasField("options"):
                options = response.options
        updated = resource_pb2.ResourceInvokeRequest()
        updated.CopyFrom(request)
        updated.args.CopyFrom(args)
        updated.provider = options.provider
        updated.version = options.version
        updated.pluginDownloadURL = options.plugin_download_url
        updated.pluginChecksums.clear()
        updated.pluginChecksums.update(options.plugin_checksums)
        # A transform may put a resource object into the args: flattened as the request's own were (preflight/wire.py).
        flatten_references(updated.args)
        return updated

    def ReadResource(self, request: Any) -> Any:  # noqa: N802 (gRPC method name)
        """`Resource.get(name, id)`, `read_resource`, a StackReference: recorded as a read, answered with its id.

        The real engine gives a read its URN like any resource (a name already taken is the same error) and
        returns the id it read (pulumi/pulumi pkg/resource/deploy/step_generator.go `GenerateReadSteps`); the
        SDK's mock returns none, so `bucket.id` of `aws.s3.Bucket.get("b", "my-bucket")` stayed unknown
        (pulumi/runtime/resource.py `read_resource`: "An empty response id during preview means unknown").
        """
        self._note_loop()
        flatten_references(request.properties)
        urn = self.make_urn(request.parent, request.type, request.name)
        if urn in self._parents:
            raise ValueError(f"Duplicate resource URN '{urn}'; try giving it a unique name")
        self._parents[urn] = request.parent
        inputs = rpc.deserialize_properties(request.properties)
        recorded = _plain(inputs)
        stated = self._stated_reference(request.type, inputs)
        state = (
            stated
            if stated is not None
            else read_outputs(
                request.type,
                request.name,
                request.id,
                inputs,
                self._fabricating.regions.of_resource(request.type, inputs, request.provider),
            )
        )
        serialized = self._await(rpc.serialize_properties(state, {}))
        self.resources[urn] = mocks.MockMonitor.ResourceRegistration(urn, request.id, state)
        self.reads.append(
            ResourceNode(
                urn=urn,
                type=request.type,
                name=request.name,
                custom=True,
                parent=request.parent,
                provider=request.provider,
                inputs=recorded,
                outputs=_plain(_redacted_reference(state) if stated is not None else state),
                id=request.id,
                dependencies=tuple(sorted(set(request.dependencies))),
            )
        )
        return resource_pb2.ReadResourceResponse(urn=urn, id=request.id, properties=serialized)

    def _stated_reference(self, type_: str, inputs: Mapping[str, Any]) -> dict[str, Any] | None:
        """A StackReference's outputs as the program states them, else None (they stay unknown, as in a preview)."""
        if type_ != STACK_REFERENCE_TYPE or not isinstance(inputs.get("name"), str):
            return None
        return self._stack_references.state(inputs["name"])

    def RegisterStackTransform(self, request: Any) -> Any:  # noqa: N802 (gRPC method name)
        self._stack_transform_callbacks.append(request)
        return super().RegisterStackTransform(request)

    def _apply_transforms(self, request: Any, urn: str) -> Any:
        own = list(request.transforms)
        self._transforms_by_urn[urn] = own
        self._parents[urn] = request.parent
        chain = list(own)
        parent = request.parent
        while parent:
            chain.extend(self._transforms_by_urn.get(parent, []))
            parent = self._parent_of(parent)
        chain.extend(self._stack_transform_callbacks)
        if not chain:
            return request
        callbacks = _callback_functions()
        for callback in chain:
            fn = callbacks.get(callback.token)
            if fn is None:
                continue
            transform_request = resource_pb2.TransformRequest(
                type=request.type,
                name=request.name,
                custom=request.custom,
                parent=request.parent,
                properties=request.object,
                options=_options_of(request),
            )
            response = resource_pb2.TransformResponse.FromString(
                self._run_callback(fn(transform_request.SerializeToString())).SerializeToString()
            )
            request = _apply_response(request, response)
        return request

    def attach_program_loop(self, loop: asyncio.AbstractEventLoop) -> None:
        """The loop the program (and so every Output it awaits) runs on: transform callbacks run there."""
        self._program_loop = loop
        self._program_thread = threading.get_ident()

    def _run_callback(self, coroutine: Any) -> Any:
        """Run a transform callback where Pulumi runs it: on the program's own event loop.

        The real SDK serves callbacks from a gRPC server on the program's loop (pulumi/runtime/_callbacks.py,
        `_CallbackServicer._loop`), so an async transform may await any Output of the program. RPCs reach this
        monitor on executor threads, each with its own loop; running the callback on that loop made such a
        transform fail with "attached to a different loop" (issue 11 §1). The program's loop is free meanwhile
        (it awaits this RPC in its executor), so the worker hands the callback over and waits for it.
        """
        loop = getattr(self, "_program_loop", None)
        if loop is None or not loop.is_running() or threading.get_ident() == self._program_thread:
            return _sync_await(coroutine)
        return asyncio.run_coroutine_threadsafe(coroutine, loop).result()

    def _parent_of(self, urn: str) -> str:
        return self._parents.get(urn, "")

    def make_urn(self, parent: str, type_: str, name: str) -> str:
        """The URN the real engine gives: the parent's full qualified type, and none for the stack's children.

        The SDK's mock keeps only the parent's last type and prefixes top-level resources with the stack
        type, so URN-based suppressions written from a real preview would never match (pulumi/pulumi
        `Deployment.generateURN`: `parentType$type`, where the root stack contributes no type).
        """
        qualified = type_
        if parent and not parent.split("::")[2].endswith(STACK_TYPE):
            qualified = parent.split("::")[2] + "$" + type_
        return "urn:pulumi:" + "::".join([settings.get_stack(), settings.get_project(), qualified, name])

    def RegisterResource(self, request: Any) -> Any:  # noqa: N802 (gRPC method name)
        self._note_loop()
        # Before anything deserialises the inputs (transforms, the SDK's mock, the record): see preflight/wire.py.
        flatten_references(request.object)
        urn = self.make_urn(request.parent, request.type, request.name)
        if urn in self._parents:
            # What the real engine says (pulumi/pulumi pkg/resource/deploy/step_generator.go).
            raise ValueError(f"Duplicate resource URN '{urn}'; try giving it a unique name")
        if request.remote:
            # The plugin would build its children; offline it is recorded, and the gate says none was judged.
            self.remote_components.append(urn)
        if request.type == STACK_TYPE:
            inputs: dict[str, Any] = {}
            response, registration = resource_pb2.RegisterResourceResponse(urn=urn), None
            secret_inputs = None
        else:
            request = self._apply_transforms(request, urn)
            # A remote component is never the SDK mock's: its state is the plugin's (see `_register`).
            register = self._register if self._shortcuts or request.remote else self._register_as_sdk
            response, (inputs, secret_inputs), registration = register(request, urn)
        outputs = _secret_outputs(dict(registration.state) if registration is not None else {}, request)
        self._fabricating.regions.provider_registered(urn, request.type, request.name, inputs)
        self.nodes.append(
            ResourceNode(
                urn=urn,
                type=request.type,
                name=request.name,
                custom=bool(request.custom),
                parent=request.parent,
                provider=request.provider,
                inputs=inputs,
                outputs=_plain(outputs),
                secret_inputs=secret_inputs,
                secret_outputs=_revealed(outputs, _plain(outputs)),
                id=registration.id if registration is not None and registration.id else "",
                # The SDK gathers dependencies in sets; sorted, they are the same on every run.
                dependencies=tuple(sorted(set(request.dependencies))),
                property_dependencies={
                    key: tuple(sorted(set(deps.urns))) for key, deps in sorted(request.propertyDependencies.items())
                },
                protect=bool(request.protect),
            )
        )
        if self._on_register is not None:
            self._on_register(self.nodes[-1])
        return response

    def _register(
        self, request: Any, urn: str
    ) -> tuple[Any, tuple[dict[str, Any], Any], mocks.MockMonitor.ResourceRegistration]:
        """What `MockMonitor.RegisterResource` does, with the inputs deserialised once for the mock and the record.

        The SDK's version deserialises them for the mock, the record needed them again, and its outputs went
        through a fresh event-loop run (pulumi `sdk/python/lib/pulumi/runtime/mocks.py`, RegisterResource).
        The record is taken before the mock runs, so nothing the mock does to its inputs reaches it.
        """
        inputs = rpc.deserialize_properties(request.object)
        recorded = _plain(inputs)
        revealed = _revealed(inputs, recorded)
        args = mocks.MockResourceArgs(
            typ=request.type,
            name=request.name,
            inputs=inputs,
            provider=request.provider,
            resource_id=request.importId,
            custom=request.custom or False,
        )
        resource_id, state = self._fabricating.new_resource(args)
        if request.remote:
            # Its outputs are what its plugin computes from the children it builds: unknown offline, as in a preview
            # before the plugin ran. Echoing the inputs gave `nat_gateways={"strategy": ...}` back where awsx's
            # Vpc declares a list of NatGateway resources (pulumi/examples aws-py-hub-and-spoke-network).
            state = {}
        serialized = self._await(rpc.serialize_properties(state, {}))
        registration = mocks.MockMonitor.ResourceRegistration(urn, resource_id, state)
        self.resources[urn] = registration
        response = resource_pb2.RegisterResourceResponse(urn=urn, id=resource_id, object=serialized)
        return response, (recorded, revealed), registration

    def _register_as_sdk(self, request: Any, urn: str) -> tuple[Any, tuple[dict[str, Any], Any], Any]:
        """The SDK's mock registration, inputs deserialised again for the record: what `_register` must match."""
        response = super().RegisterResource(request)
        inputs = rpc.deserialize_properties(request.object)
        recorded = _plain(inputs)
        return response, (recorded, _revealed(inputs, recorded)), self.resources.get(urn)


def _redacted_reference(state: Mapping[str, Any]) -> dict[str, Any]:
    """A stated StackReference's state for the record: its secret outputs as "[secret]", like any secret."""
    secret = set(state.get("secretOutputNames") or ())
    outputs = {k: SECRET_PLACEHOLDER if k in secret else v for k, v in (state.get("outputs") or {}).items()}
    return {**state, "outputs": outputs}


def _stable_order(nodes: list[ResourceNode], stack: str, project: str) -> list[ResourceNode]:
    """Parents before children, siblings by URN: registration order depends on thread timing."""
    children: dict[str, list[ResourceNode]] = {}
    for node in nodes:
        children.setdefault(node.parent, []).append(node)
    ordered: list[ResourceNode] = []
    pending = sorted(children.get("", []), key=lambda n: n.urn, reverse=True)
    while pending:
        node = pending.pop()
        ordered.append(_with_default_provider(node, stack, project))
        pending.extend(sorted(children.get(node.urn, []), key=lambda n: n.urn, reverse=True))
    seen = {n.urn for n in ordered}
    # Resources whose parent never registered (should not happen) are kept, not dropped.
    ordered.extend(n for n in sorted(nodes, key=lambda n: n.urn) if n.urn not in seen)
    return ordered


def _with_default_provider(node: ResourceNode, stack: str, project: str) -> ResourceNode:
    """Name the default provider the way the engine does when the program set none."""
    if node.provider or not node.custom:
        return node
    default = f"urn:pulumi:{stack}::{project}::pulumi:providers:{node.package}::default"
    return dataclasses.replace(node, provider=default)


def _callback_functions() -> dict[str, Any]:
    found: dict[str, Any] = {}
    for servicer in mocks._CallbackServicer._servicers:
        found.update(servicer._callbacks)
    return found


def _options_of(request: Any) -> Any:
    options = resource_pb2.TransformResourceOptions(
        depends_on=list(request.dependencies),
        protect=request.protect,
        ignore_changes=list(request.ignoreChanges),
        replace_on_changes=list(request.replaceOnChanges),
        version=request.version,
        provider=request.provider,
        retain_on_delete=request.retainOnDelete,
        additional_secret_outputs=list(request.additionalSecretOutputs),
    )
    return options


def _apply_response(request: Any, response: Any) -> Any:
    updated = resource_pb2.RegisterResourceRequest()
    updated.CopyFrom(request)
    updated.object.CopyFrom(response.properties)
    if response.HasField("options"):
        opts = response.options
        del updated.dependencies[:]
        updated.dependencies.extend(opts.depends_on)
        updated.protect = opts.protect
        if opts.provider:
            updated.provider = opts.provider
        del updated.ignoreChanges[:]
        updated.ignoreChanges.extend(opts.ignore_changes)
        updated.retainOnDelete = opts.retain_on_delete
    return updated


def _secret_outputs(outputs: dict[str, Any], request: Any) -> dict[str, Any]:
    """Outputs the program marked secret (`additional_secret_outputs`) stay secret whatever they hold, as
    the engine marks them (pulumi/pulumi pkg/resource/deploy/step_executor.go L525-L533)."""
    for key in request.additionalSecretOutputs:
        if key in outputs:
            outputs[key] = {rpc._special_sig_key: rpc._special_secret_sig, "value": outputs[key]}
    return outputs


def _revealed(value: Any, recorded: Any) -> Any:
    """The plaintext record of `value` where it differs from the redacted `recorded` (it held a secret), else None."""
    revealed = _plain(value, reveal=True)
    return None if revealed == recorded else revealed


def _plain(value: Any, reveal: bool = False) -> Any:
    """Deserialised values as plain JSON-able data (secrets as "[secret]", resources as URNs).

    `reveal` keeps each secret's plaintext instead: only for ResourceNode.secret_inputs/secret_outputs,
    what the judges read; every artefact is written from the redacted record.
    """
    if isinstance(value, Mapping):
        if value.get(rpc._special_sig_key) == rpc._special_secret_sig:
            return _plain(value.get("value"), reveal) if reveal else SECRET_PLACEHOLDER
        return {str(k): _plain(v, reveal) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v, reveal) for v in value]
    if isinstance(value, pulumi.output.Unknown):
        value = UNKNOWN  # a value only the cloud will know, exactly as a real preview shows it
    elif isinstance(value, pulumi.Resource):
        value = getattr(value, "_preflight_urn", repr(value))
    elif isinstance(value, pulumi.AssetArchive):
        value = {"__asset": "AssetArchive", "assets": {k: _plain(v, reveal) for k, v in sorted(value.assets.items())}}
    elif isinstance(value, pulumi.Asset | pulumi.Archive):
        value = {"__asset": type(value).__name__, "path": getattr(value, "path", None)}
    return value


#: The folder holding the gate's own packages (preflight/, policies/, iamlang/, ...), with a trailing separator.
_GATE_ROOT = str(Path(__file__).resolve().parents[1]) + os.sep


def _own_top_level_modules(run_dir: Path) -> set[str]:
    """The top-level modules `run_dir` provides: `name.py` files and regular packages (`name/__init__.py`). First on
    sys.path, they are what the program's `import name` finds under Pulumi; a folder without `__init__.py` is only a
    namespace portion, which a regular package later on the path wins over, so it shadows nothing."""
    names: set[str] = set()
    with contextlib.suppress(OSError):
        for entry in run_dir.iterdir():
            if entry.suffix == ".py" and entry.stem.isidentifier():
                names.add(entry.stem)
            elif entry.is_dir() and entry.name.isidentifier() and (entry / "__init__.py").is_file():
                names.add(entry.name)
    return names


def _shadowed_gate_modules(run_dir: Path) -> dict[str, ModuleType]:
    """Take out of sys.modules what the gate has loaded under a name the program's folder provides (a program's
    own `policies.py` beside the gate's `policies` package, nuage-studio/pulumi-aws-tracking-pipeline): else its
    `import policies` got the gate's package, which `pulumi preview` never puts before the program's folder. The
    gate's own code keeps the modules it bound at import; they are put back after the program (`_program_context`)."""
    root = str(run_dir.resolve())
    taken: dict[str, ModuleType] = {}
    for name in _own_top_level_modules(run_dir):
        where = getattr(sys.modules.get(name), "__file__", None) or ""
        # Only the gate's own packages: what Pulumi's Python host has itself imported before the program (the
        # `pulumi` SDK and its dependencies, the standard library) wins over a program's file there too.
        if not where.startswith(_GATE_ROOT) or "site-packages" in where or where.startswith(root):
            continue
        for key in [k for k in sys.modules if k == name or k.startswith(name + ".")]:
            taken[key] = sys.modules.pop(key)
    return taken


@contextlib.contextmanager
def _program_context(program_dir: Path, run_dir: Path) -> Iterator[None]:
    """Run from `run_dir` (cwd and first on sys.path), its own modules before the gate's of the same name; forget
    the project's modules afterwards and give the gate its own back."""
    cwd = Path.cwd()
    taken = _shadowed_gate_modules(run_dir)
    before = set(sys.modules)
    sys.path.insert(0, str(run_dir))
    os.chdir(run_dir)
    try:
        yield
    finally:
        os.chdir(cwd)
        with contextlib.suppress(ValueError):
            sys.path.remove(str(run_dir))
        root = str(program_dir.resolve())
        for name in set(sys.modules) - before:
            # Installed packages (a .venv inside the program directory) stay loaded: the SDK's
            # package registry must not be re-imported in the same process.
            if any(p.startswith(root) and "site-packages" not in p for p in _module_paths(sys.modules[name])):
                del sys.modules[name]
        sys.modules.update(taken)


def _module_paths(module: Any) -> list[str]:
    """Where a module was loaded from: its file, or for a namespace package (a folder without `__init__.py`,
    which has no `__file__`) its folders, so a program's `iam/` folder is forgotten with the program and does not
    shadow the next program's `iam.py` in the same process (PEP 420: a namespace package's `__path__`)."""
    found = getattr(module, "__file__", None)
    if found:
        return [str(found)]
    return [str(p) for p in getattr(module, "__path__", None) or ()]


def _close_loops(main_loop: asyncio.AbstractEventLoop, monitor: _RecordingMonitor, *, wait: bool = True) -> None:
    """Stop the run's RPC threads and close every loop it made, so nothing is left for exit-time GC.

    After a timeout an RPC thread may itself be stuck: the executor is then let go without waiting.
    """
    if wait:
        main_loop.run_until_complete(main_loop.shutdown_default_executor())
    else:
        executor = getattr(main_loop, "_default_executor", None)
        if executor is not None:
            executor.shutdown(wait=False, cancel_futures=True)
    for loop in monitor.worker_loops:
        if loop is not main_loop and not loop.is_running() and not loop.is_closed():
            loop.close()
    monitor.worker_loops.clear()
    main_loop.close()
    asyncio.set_event_loop(None)


def _run_error_line(exc: pulumi.RunError, stack_file: str, files: ProgramFiles) -> str:
    """One line for a program's own clean error; a missing or ill-typed config value names the stack file,
    the key and the program line that asked for it (the SDK's message spans two lines, pulumi/config.py)."""
    if isinstance(exc, pulumi.ConfigMissingError):
        secret = " --secret" if exc.secret else ""
        return (
            f"{stack_file}: missing required configuration {exc.key} (read at {files.where(exc)}; "
            f"set it with `pulumi config set{secret} {exc.key} <value>`)"
        )
    if isinstance(exc, pulumi.ConfigTypeError):
        # Not the value itself: it may be a secret.
        return f"{stack_file}: {exc.key} is not a valid {exc.expect_type} (read at {files.where(exc)})"
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else f"{files.where(exc)}: {type(exc).__name__}"


#: What the Pulumi Python SDK raises for a list input typed Union[Sequence[...], Any] (pulumi/runtime/rpc.py
#: `_get_list_element_type`, open upstream as https://github.com/pulumi/pulumi/issues/17181). Not an artefact
#: of the mocks: it is raised while the program's own process serialises the inputs (`serialize_property`,
#: called from `prepare_resource` in pulumi/runtime/resource.py, pulumi 3.272.0), before any RegisterResource
#: call reaches a monitor, so the real engine never sees the resource either; the issue's traceback is from
#: `pulumi up` under the real language host (`pulumi-language-python-exec`, `wait_for_rpcs`). Nothing here can
#: synthesise it; the gate stops with one line naming the issue.
_SDK_UNION_LIST = "Unexpected type. Expected 'list' got 'typing.Union["


def _exception_line(exc: Exception, files: ProgramFiles) -> str:
    """`file:line: Type: first line` of what the program raised; a missing Pulumi package says which one.

    Programs for other providers (`pulumi_docker`, `pulumi_awsx`, `pulumi_random`) import packages the gate's
    environment may not have; the PyPI name follows the module name (`pulumi_aws_native` is `pulumi-aws-native`).
    """
    lines = str(exc).strip().splitlines()
    line = f"{files.where(exc)}: {type(exc).__name__}: {lines[0] if lines else ''}"
    inner = files.root_cause(exc) if not files.program_line_in_traceback(exc) else None
    if inner is not None:
        # The program's own exception inside an input (an `apply`), not the SDK's "While processing resource".
        cause, at = inner
        cause_lines = str(cause).strip().splitlines()
        line = f"{at}: {type(cause).__name__}: {cause_lines[0] if cause_lines else ''}"
        registered = files.registered_at(exc)
        if registered is not None:
            line += f" (in an input of the resource registered at {registered})"
        return line
    top = (exc.name or "").split(".")[0] if isinstance(exc, ModuleNotFoundError) else ""
    if top.startswith("pulumi_"):
        package = top.replace("_", "-")
        line += f" (the Pulumi package {package} is not installed where preflight runs: pip install {package})"
    elif isinstance(exc, AssertionError) and _SDK_UNION_LIST in str(exc):
        line += (
            " (a bug of the Pulumi Python SDK, not of the program or of preflight: a list input typed "
            "Union[Sequence[...], Any], such as aws-native's dynamodb.Table key_schema, cannot be serialised, "
            "and `pulumi up` fails the same way: pulumi/pulumi#17181)"
        )
    return line


def _reset_runtime() -> None:
    settings.ROOT.set(None)
    settings.SETTINGS.rpc_manager.clear()
    settings.SETTINGS.outputs.clear()


class _TimeLimit(BaseException):
    """Raised in the main thread when the program overruns its time limit.

    A BaseException, so a program's own `except Exception:` cannot swallow it.
    """


@contextlib.contextmanager
def _time_limit(seconds: float | None) -> Iterator[None]:
    """End the run after `seconds`: a real-time alarm interrupts even a program stuck in a loop or a wait.

    Signals reach only the main thread (where the CLI runs the program); elsewhere no limit is set.
    """
    if not seconds or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum: int, frame: Any) -> None:
        raise _TimeLimit

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _new_run_loop() -> asyncio.AbstractEventLoop:
    """Each run gets its own event loop (and so its own RPC threads), closed when the run ends."""
    main_loop = asyncio.new_event_loop()
    asyncio.set_event_loop(main_loop)
    _reset_runtime()
    # Futures abandoned by a failing program are reported by asyncio at GC time; the error is ours to report.
    logging.getLogger("asyncio").setLevel(logging.CRITICAL)
    return main_loop


def _fresh_run(program: Path, stack: str) -> ReferenceWatch:
    """What one synthesis run starts from: the stated StackReference outputs, and nothing invented yet (the graph
    carries only what this run invents: ResourceGraph.invented)."""
    start_run()
    return ReferenceWatch(load_stack_references(program, stack))


def synthesize(
    program_dir: str | Path = ".",
    stack: str = "dev",
    *,
    preview: bool = True,
    timeout: float | Literal["configured"] | None = "configured",
    organization: str | None = None,
    shortcuts: bool = True,
    on_register: Callable[[ResourceNode], None] | None = None,
) -> ResourceGraph:
    """Run the Pulumi Python program in `program_dir` for `stack` under mocks and return its graph.

    `organization` is what `pulumi.get_organization()` returns (default `DEFAULT_ORGANIZATION`).

    Raises ConfigError for bad project or stack files and ProgramError when the program raises or
    runs longer than `timeout` seconds (None: no limit; by default PREFLIGHT_TIMEOUT or
    `limits.DEFAULT_TIMEOUT`); both carry one line meant for a person,
    naming the program's own file and line. `shortcuts=False` runs every registration the SDK's full
    way (preflight/sdk_shortcuts.py); the graph is the same, only slower. `on_register` is called with each
    resource as it registers, on the SDK's RPC thread (the graph's order is decided only at the end).

    Examples
    --------
    >>> graph = synthesize(".", "dev")
    >>> len(graph.custom_resources) > 0
    True
    """
    limit = configured_timeout() if timeout == "configured" else timeout
    program = Path(program_dir).resolve()
    if not program.is_dir():
        raise ConfigError(f"{program_dir}: program directory not found")
    project = load_project(program)
    config = load_stack_config(program, project.name, stack)
    regions = Regions(config.values)

    references = _fresh_run(program, stack)
    main_loop = _new_run_loop()
    runtime_config.set_all_config(dict(config.values), list(config.secret_keys))
    monitor = _RecordingMonitor(
        _FabricatingMocks(regions),
        shortcuts=shortcuts,
        on_register=on_register,
        stack_references=references.references,
    )
    monitor.attach_program_loop(main_loop)
    pulumi.runtime.set_mocks(
        monitor.mocks,
        project=project.name,
        stack=stack,
        preview=preview,
        monitor=monitor,
        organization=organization or DEFAULT_ORGANIZATION,
    )
    settings.SETTINGS.root_directory = str(program)
    files = ProgramFiles(program)
    OriginTracker(files).install(settings.SETTINGS.rpc_manager)

    run_dir = project.main.parent  # `main: src/` runs from src/ with src/ on sys.path, as Pulumi does

    def run_program() -> None:
        # What the program prints must not mix with reports written to stdout (`--format json > file`);
        # under Pulumi it goes to the engine's diagnostics, here to stderr.
        with contextlib.redirect_stdout(sys.stderr):
            try:
                runpy.run_path(str(project.main), run_name="__main__")
            except SystemExit as exc:
                if exc.code not in (0, None):  # `sys.exit(0)` ends a Pulumi program successfully
                    raise

    timed_out = False
    applies = ApplyWatch(files)
    try:
        lighter = skip_source_positions() if shortcuts else contextlib.nullcontext()
        with (
            _program_context(program, run_dir),
            without_region_variables(regions),
            _time_limit(limit),
            lighter,
            applies.watching(),
            references.watching(),
        ):
            _sync_await(run_pulumi_func(run_program))
            unrun = _sync_await(applies.unrun())
    except _TimeLimit as exc:
        timed_out = True
        # Stuck outside the program's own code (waiting on an output that never resolves): name its entry file.
        where = files.program_line(exc) or str(project.main.relative_to(program))
        raise ProgramError(
            f"{where}: program did not finish within {limit:g} s (set --timeout to allow longer)"
        ) from None
    except PreflightError:
        raise
    except pulumi.RunError as exc:
        # RunError is a program's own clean error (Pulumi prints it without a traceback too).
        raise ConfigError(_run_error_line(exc, config.path.name, files)) from None
    except SystemExit as exc:
        raise ProgramError(f"{files.where(exc)}: program exited with status {exc.code}") from None
    except Exception as exc:
        raise ProgramError(_exception_line(exc, files)) from None
    finally:
        OriginTracker.uninstall(settings.SETTINGS.rpc_manager)
        _reset_runtime()
        _close_loops(main_loop, monitor, wait=not timed_out)
    return ResourceGraph(
        project=project.name,
        stack=stack,
        resources=_stable_order(monitor.nodes, stack, project.name),
        remote_components=sorted(monitor.remote_components),
        reads=[_with_default_provider(n, stack, project.name) for n in sorted(monitor.reads, key=lambda n: n.urn)],
        unrun_applies=unrun,
        stack_references=references.summary(monitor.reads, stack),
        invented=invented_strings(),
        notes=[note for note in [missing_stack_file_note(config, program), environments_note(config)] if note]
        + regions.notes(),
        # What the CLI shows for secret config (`PreludeEvent`'s config is blinded): never the value.
        config={k: SECRET_PLACEHOLDER if k in config.secret_keys else v for k, v in config.values.items()},
    )
