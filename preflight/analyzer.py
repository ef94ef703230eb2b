"""The policy pack over the Analyzer gRPC protocol, started and driven exactly as the Pulumi CLI drives it.

How the CLI does it (pulumi/pulumi at 1b59498):

- `NewPolicyAnalyzer` (pkg/resource/plugin/analyzer_plugin.go L71-L200) runs a Python pack through the
  language host, whose `RunPlugin` (sdk/python/cmd/pulumi-language-python/main.go L1528-L1680) starts
  `python -u -m pulumi.policy <engine address> <pack directory>` with `PULUMI_PROJECT`, `PULUMI_STACK`,
  `PULUMI_DRY_RUN` and `PULUMI_CONFIG` in the environment.
- The pack's `PolicyPack(...)` serves the `Analyzer` service on `127.0.0.1:0` and announces the port as
  the first line of its stdout (pulumi/pulumi-policy sdk/python/lib/pulumi_policy/policy.py L130-L138).
- The CLI then calls `Handshake` (optional), `ConfigureStack`, `GetAnalyzerInfo`, reconciles the
  `--policy-pack-config` file with each policy's defaults and validates it against each policy's
  config schema (pkg/resource/analyzer/config.go `ReconcilePolicyPackConfig` L307-L330,
  `validatePolicyPackConfig` L183-L229), calls `Configure`, `Analyze` for each resource and
  `AnalyzeStack` once.
- Whether the operation is a preview reaches the pack as `PULUMI_DRY_RUN` (analyzer_plugin.go L993, from
  pkg/engine/update.go L1107-L1113) and `ConfigureStack`'s `dry_run`. The gate drives the pack as `pulumi up`
  (`dry_run=False`): the engine fabricates outputs, so what is unknown offline would be unknown at `up` too
  (policies/rules/document_unknown.py says what changes between the two).

Messages are the SDK's generated protos (`pulumi.runtime.proto.analyzer_pb2`). This module is the
test of the in-process runner (preflight.policy_runner): both must give the same findings.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
from google.protobuf import empty_pb2, json_format, struct_pb2
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc, plugin_pb2

from policies.profile import ACCOUNT_BASELINE_KEY, PACK_DIR, PRODUCTION_KEY
from policies.registry import all_policies
from policies.spec import PolicySpec
from preflight.errors import ConfigError, PreflightError
from preflight.findings import Finding, Level
from preflight.graph import STACK_TYPE, ResourceGraph, ResourceNode
from preflight.policy_runner import (
    DeferralNet,
    PolicyRun,
    _finding,
    cannot_tell,
    config_path,
    deferral_net,
    load_policy_config,
    pack_error,
    provider_of,
    stack_props,
)
from preflight.secrets import SECRET_PLACEHOLDER, SECRET_SIG, SIG_KEY

#: Where the pack's own logging would go; the Python pack does not dial it unless it logs.
_NO_ENGINE = "127.0.0.1:0"
_START_TIMEOUT_SECONDS = 120.0
_LEVELS = {
    analyzer_pb2.ADVISORY: Level.ADVISORY,
    analyzer_pb2.MANDATORY: Level.MANDATORY,
    analyzer_pb2.REMEDIATE: Level.MANDATORY,  # as the offline runner counts it (policy_runner._CONFIG_LEVELS)
    analyzer_pb2.DISABLED: Level.DISABLED,
}
_CONFIG_LEVELS = {
    "advisory": analyzer_pb2.ADVISORY,
    "mandatory": analyzer_pb2.MANDATORY,
    "remediate": analyzer_pb2.REMEDIATE,
    "disabled": analyzer_pb2.DISABLED,
}


@dataclass(frozen=True)
class PackInfo:
    """What `GetAnalyzerInfo` says about the pack."""

    name: str
    version: str
    sdk_version: str  # pulumi_policy's, from GetPluginInfo
    policies: Mapping[str, analyzer_pb2.PolicyInfo]


class AnalyzerPack:
    """A running policy pack, started as the CLI starts a Python pack; a context manager."""

    def __init__(
        self,
        pack_dir: Path = PACK_DIR,
        *,
        project: str,
        stack: str,
        config: Mapping[str, str],
        dry_run: bool = True,
    ) -> None:
        self.dry_run = dry_run
        env = {
            **os.environ,
            "PULUMI_PROJECT": project,
            "PULUMI_STACK": stack,
            "PULUMI_DRY_RUN": str(dry_run).lower(),
            "PULUMI_CONFIG": json.dumps(dict(config)),
        }
        # stderr to a file, not a pipe: nobody drains a pipe while the pack serves, and a full one would stall it.
        self.stderr = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 (closed in close())
        self.process = subprocess.Popen(
            [sys.executable, "-u", "-m", "pulumi.policy", _NO_ENGINE, str(pack_dir.resolve())],
            cwd=pack_dir,
            env=env,
            stdout=subprocess.PIPE,
            stderr=self.stderr,
            text=True,
        )
        port = self._await_port()
        self.channel = grpc.insecure_channel(f"127.0.0.1:{port}")
        self.client = analyzer_pb2_grpc.AnalyzerStub(self.channel)

    def _await_port(self) -> int:
        """The port the pack prints first on stdout (policy.py L136-L138), or one line saying why not."""
        stdout = self.process.stdout
        assert stdout is not None
        line: list[str] = []
        reader = threading.Thread(target=lambda: line.append(stdout.readline()), daemon=True)
        reader.start()
        reader.join(_START_TIMEOUT_SECONDS)
        text = line[0].strip() if line else ""
        if not text.isdigit():
            self.process.kill()
            self.process.wait()
            reason = self._last_error() or "no port announced"
            self.close()
            raise PreflightError(f"the policy pack did not start: {reason}")
        return int(text)

    def _last_error(self) -> str:
        self.stderr.seek(0)
        lines = [line.strip() for line in self.stderr.read().splitlines() if line.strip()]
        return lines[-1] if lines else ""

    def close(self) -> None:
        channel = getattr(self, "channel", None)
        if channel is not None:
            channel.close()
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()
        if not self.stderr.closed:
            self.stderr.close()

    def __enter__(self) -> AnalyzerPack:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # ------------------------------------------------------------------------------- the protocol

    def start(self, project: str, stack: str, config: Mapping[str, str]) -> PackInfo:
        """Handshake (optional for Python packs), plugin info, stack configuration and the pack's info."""
        with contextlib.suppress(grpc.RpcError):  # UNIMPLEMENTED by pulumi_policy; the CLI carries on too
            self.client.Handshake(analyzer_pb2.AnalyzerHandshakeRequest(engine_address=_NO_ENGINE))
        plugin: plugin_pb2.PluginInfo = self.client.GetPluginInfo(empty_pb2.Empty())
        with contextlib.suppress(grpc.RpcError):
            self.client.ConfigureStack(
                analyzer_pb2.AnalyzerStackConfigureRequest(
                    stack=stack, project=project, config=dict(config), dry_run=self.dry_run
                )
            )
        info = self.client.GetAnalyzerInfo(empty_pb2.Empty())
        return PackInfo(info.name, info.version, plugin.version, {p.name: p for p in info.policies})


def _struct(values: Mapping[str, Any]) -> struct_pb2.Struct:
    message = struct_pb2.Struct()
    message.update(dict(values))
    return message


# ------------------------------------------------------------------------------------- the config


def _given_config(path: Path | None) -> dict[str, tuple[str | None, dict[str, Any]]]:
    """The `--policy-pack-config` file as the CLI parses it (config.go `parsePolicyPackConfig` L95-L160)."""
    if path is None or not path.is_file():
        return {}
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{path}: not a valid policy-pack config: {exc}") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: a policy-pack config is a JSON object of policy name -> level or settings")
    given: dict[str, tuple[str | None, dict[str, Any]]] = {}
    for name, value in raw.items():
        level: str | None
        if isinstance(value, str):
            level, props = value, {}
        elif isinstance(value, dict):
            props = {k: v for k, v in value.items() if k != "enforcementLevel"}
            level = value.get("enforcementLevel")
        else:
            raise ConfigError(f"{path}: {name}: {value!r} is not a valid value; must be a string or object")
        if level is not None and level not in _CONFIG_LEVELS:
            raise ConfigError(f"{path}: {name}: {level!r} is not a valid enforcement level")
        given[str(name)] = (level, props)
    return given


def _validate(info: PackInfo, props: Mapping[str, Mapping[str, Any]], where: str) -> None:
    """Each policy's settings against its config schema (config.go `validatePolicyPackConfig`)."""
    import jsonschema  # noqa: PLC0415 (only the harness validates schemas)

    for name, policy in info.policies.items():
        declared = json_format.MessageToDict(policy.configSchema.properties) if policy.HasField("configSchema") else {}
        stale = sorted(set(props[name]) - set(declared))
        if stale:
            raise ConfigError(f"{where}: {name}: {', '.join(stale)}: not a setting of this policy")
        schema: dict[str, Any] = {"type": "object", "properties": declared}  # config.go convertSchema L273-L283
        if policy.HasField("configSchema") and policy.configSchema.required:
            schema["required"] = list(policy.configSchema.required)
        error = jsonschema.exceptions.best_match(jsonschema.Draft7Validator(schema).iter_errors(props[name]))
        if error is not None:
            key = ".".join(str(p) for p in error.absolute_path) or "(settings)"
            raise ConfigError(f"{where}: {name}: {key}: {error.message}")


def reconcile_config(info: PackInfo, path: Path | None) -> dict[str, analyzer_pb2.PolicyConfig]:
    """Each policy's level and properties as `ReconcilePolicyPackConfig` computes them, validated against
    its config schema. Stricter than the CLI in one way: a key no schema declares, or a policy the pack
    does not have, is an error here, because the CLI would ignore it silently (a stale setting).

    Only the `--policy-pack-config` file goes in, as with the CLI: the stack's `preflight:accountBaseline`
    reaches the pack through the stack configuration (`PULUMI_CONFIG`), and the pack applies it itself."""

    levels = {name: policy.enforcementLevel for name, policy in info.policies.items()}
    props: dict[str, dict[str, Any]] = {}
    for name, policy in info.policies.items():
        defaults = json_format.MessageToDict(policy.configSchema.properties) if policy.HasField("configSchema") else {}
        props[name] = {k: v["default"] for k, v in defaults.items() if isinstance(v, dict) and "default" in v}
    given = _given_config(path)
    if "all" in given and given["all"][0] is not None:
        levels = dict.fromkeys(levels, _CONFIG_LEVELS[str(given["all"][0])])
    where = str(path)
    for name, (level, values) in given.items():
        if name == "all":
            continue
        if name not in info.policies:
            raise ConfigError(f"{where}: {name}: no such policy in pack {info.name}")
        if level is not None:
            levels[name] = _CONFIG_LEVELS[level]
        props[name].update(values)
    _validate(info, props, where)
    return {
        name: analyzer_pb2.PolicyConfig(enforcementLevel=levels[name], properties=_struct(props[name]))
        for name in info.policies
    }


# --------------------------------------------------------------------------------------- requests


def _options(node: ResourceNode) -> analyzer_pb2.AnalyzerResourceOptions:
    return analyzer_pb2.AnalyzerResourceOptions(protect=node.protect, parent=node.parent)


def _provider(node: ResourceNode, graph: ResourceGraph) -> analyzer_pb2.AnalyzerProviderResource | None:
    found = provider_of(node, graph)
    if found is None:
        return None
    token, props, urn, name = found
    return analyzer_pb2.AnalyzerProviderResource(type=token, properties=_struct(props), urn=urn, name=name)


def _wire(redacted: Any, judged: Any) -> Any:
    """The plaintext as the CLI marshals it for a pack (`KeepSecrets: true`, analyzer_plugin.go `Analyze`): each
    secret a `{sig: secret, value: plaintext}` object, which pulumi_policy's deserialize.py L65-L71 unwraps."""
    if redacted == SECRET_PLACEHOLDER and judged != SECRET_PLACEHOLDER:
        return {SIG_KEY: SECRET_SIG, "value": judged}
    if isinstance(redacted, Mapping) and isinstance(judged, Mapping):
        return {k: _wire(redacted.get(k), v) for k, v in judged.items()}
    if isinstance(redacted, list) and isinstance(judged, list) and len(redacted) == len(judged):
        return [_wire(r, j) for r, j in zip(redacted, judged, strict=True)]
    return judged


def _judged_props(node: ResourceNode, props: Mapping[str, Any] | None = None) -> Mapping[str, Any]:
    if not node.holds_secrets:
        return props if props is not None else node.inputs
    if props is None:
        return _wire(dict(node.inputs), dict(node.judged_inputs))
    redacted = {**dict(node.inputs), **dict(node.outputs)}
    if node.id and "id" not in redacted:
        redacted["id"] = node.id
    return _wire(redacted, dict(props))


def _analyze_request(node: ResourceNode, graph: ResourceGraph) -> analyzer_pb2.AnalyzeRequest:
    return analyzer_pb2.AnalyzeRequest(
        type=node.type,
        properties=_struct(_judged_props(node)),
        urn=node.urn,
        name=node.name,
        options=_options(node),
        provider=_provider(node, graph),
    )


def _stack_request(graph: ResourceGraph) -> analyzer_pb2.AnalyzeStackRequest:
    """Every resource with outputs, parent and dependencies; the default providers are resources too."""
    resources: dict[str, analyzer_pb2.AnalyzerResource] = {}
    for node in graph.resources:
        resources[node.urn] = analyzer_pb2.AnalyzerResource(
            type=node.type,
            properties=_struct(_judged_props(node, stack_props(node))),
            urn=node.urn,
            name=node.name,
            options=_options(node),
            provider=_provider(node, graph),
            parent=node.parent,
            dependencies=list(node.dependencies),
            propertyDependencies={
                k: analyzer_pb2.AnalyzerPropertyDependencies(urns=list(v))
                for k, v in node.property_dependencies.items()
            },
        )
    for node in graph.resources:
        found = provider_of(node, graph)
        if found is not None and found[2] not in resources:
            token, props, urn, name = found
            resources[urn] = analyzer_pb2.AnalyzerResource(type=token, properties=_struct(props), urn=urn, name=name)
    return analyzer_pb2.AnalyzeStackRequest(resources=list(resources.values()))


# -------------------------------------------------------------------------------------- responses


def _message(policy: PolicySpec, info: analyzer_pb2.PolicyInfo | None, text: str) -> str:
    """The violation message without the `<description>\\n` the SDK puts before it (policy.py L1341-L1343)."""
    prefix = f"{info.description}\n" if info is not None else ""
    return text[len(prefix) :] if prefix and text.startswith(prefix) else text


#: pulumi_policy's UnknownValueError text, which its "can't run policy" diagnostic ends with (proxy.py L63-L69;
#: policy.py L1017-L1018): where the rule met the unknown, rooted at the resource's properties.
_UNKNOWN_AT = re.compile(r"value at \.(?P<path>\S+) can't be known during preview$")


def _unknown_path(message: str) -> list[str] | None:
    """The property path of a "can't run policy" diagnostic, or None when the message does not say it."""
    found = _UNKNOWN_AT.search(message)
    return found["path"].split(".") if found else None


def _collect(  # noqa: PLR0917 (one call site; each argument is a different thing)
    response: analyzer_pb2.AnalyzeResponse,
    graph: ResourceGraph,
    node: ResourceNode | None,
    pack: PackInfo,
    specs: Mapping[str, PolicySpec],
    run: PolicyRun,
    where: str,
    *,
    preview: bool,
    net: DeferralNet,
) -> None:
    for diagnostic in response.diagnostics:
        spec = specs.get(diagnostic.policyName)
        if spec is None:
            continue
        if diagnostic.message.startswith("can't run policy"):  # UnknownValueError (policy.py L1010-L1021)
            path = _unknown_path(diagnostic.message)
            run.undetermined.append(cannot_tell(spec.name, where, path, preview=preview))
            if path is not None:
                net.deferred(spec, node, path, run, preview)
            continue
        target = graph.get(diagnostic.urn) if diagnostic.urn else None
        message = _message(spec, pack.policies.get(spec.name), diagnostic.message)
        run.findings.append(_finding(spec, _LEVELS[diagnostic.enforcementLevel], target or node, message))


def _pack_error(node: ResourceNode | None, error: grpc.RpcError) -> Finding:
    """gRPC carries only the exception's text ("Exception calling application: ..."), not the policy."""
    return pack_error(node, " ".join(str(error.details() or error).split()))


def analyze(
    graph: ResourceGraph,
    *,
    program_dir: str | Path | None = None,
    pack_dir: Path = PACK_DIR,
    production: bool | None = None,
    baseline: str | None = None,
    dry_run: bool = False,
) -> PolicyRun:
    """Every policy of the pack at `pack_dir` over `graph`, through the Analyzer protocol.

    Levels and settings follow the same decisions as the in-process gate (policies.profile): the pack
    declares its levels from the stack's production setting (`production`, else what the stack config
    says) and fills `providedBy` of the account-baseline policies from `baseline` (else the stack config's
    `preflight:accountBaseline`). Both reach the pack only as stack configuration, as under the CLI.
    `dry_run` says whether the pack runs as in `pulumi preview` (True) or `pulumi up` (False, the gate's way).
    """
    path = config_path(graph.stack, program_dir)
    config = {k: str(v) for k, v in graph.config.items()}
    if production is not None:
        config[PRODUCTION_KEY] = str(production).lower()
    if baseline is not None:
        config[ACCOUNT_BASELINE_KEY] = baseline
    specs = {p.name: p for p in all_policies()}
    present = path if path is not None and path.is_file() else None
    run = PolicyRun(config_file=str(present or ""))
    levels, _ = load_policy_config(graph.stack, program_dir, list(specs.values()), production, baseline)
    net = deferral_net(list(specs.values()), levels, graph, production)
    with AnalyzerPack(pack_dir, project=graph.project, stack=graph.stack, config=config, dry_run=dry_run) as pack:
        info = pack.start(graph.project, graph.stack, config)
        configured = reconcile_config(info, present)
        pack.client.Configure(analyzer_pb2.ConfigureAnalyzerRequest(policyConfig=configured))
        for node in graph.resources:
            if node.type == STACK_TYPE:
                continue
            try:
                response = pack.client.Analyze(_analyze_request(node, graph))
            except grpc.RpcError as error:
                run.findings.append(_pack_error(node, error))
                continue
            _collect(response, graph, node, info, specs, run, node.name, preview=dry_run, net=net)
        stack_node = next((n for n in graph.resources if n.type == STACK_TYPE), None)
        try:
            response = pack.client.AnalyzeStack(_stack_request(graph))
        except grpc.RpcError as error:
            run.findings.append(_pack_error(stack_node, error))
        else:
            _collect(response, graph, stack_node, info, specs, run, "the stack", preview=dry_run, net=net)
    net.invented([n for n in graph.resources if n.type != STACK_TYPE], run, dry_run)
    return run
