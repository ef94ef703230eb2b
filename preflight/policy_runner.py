"""Run the CrossGuard pack offline over a ResourceGraph, exactly as the Pulumi CLI would call it.

The runner builds pulumi_policy's own `ResourceValidationArgs`, `StackValidationArgs`,
`PolicyResource` and `PolicyProviderResource` objects, with every property wrapped in
`unknown_checking_proxy`, so a policy sees the same shapes it gets under `pulumi preview
--policy-pack`: resource policies get the resource's inputs, stack policies each resource's outputs
(here the fabricated outputs, which carry the inputs too). Levels and per-policy settings come from
the same `policies/config/<stack>.json` the CLI takes with `--policy-pack-config`.

An `UnknownValueError` means "cannot tell": it is a note, never a violation or a crash (`cannot_tell` words it:
"during preview" only in a preview; the gate judges as `pulumi up`, where a value still unknown came from an output
the engine does not fabricate, review2 F2).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pulumi_policy import (
    PolicyCustomTimeouts,
    PolicyProviderResource,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    StackValidationArgs,
)
from pulumi_policy.policy import _NotApplicableError
from pulumi_policy.proxy import UnknownValueError, unknown_checking_proxy

from policies.profile import CONFIG_DIR, baseline_settings, level_for, stack_part
from policies.registry import all_policies
from policies.run_mode import previewing, set_preview
from policies.spec import Kind, PolicySpec
from preflight import deferred
from preflight.errors import ConfigError, PreflightError
from preflight.findings import Finding, Level, Source
from preflight.graph import STACK_TYPE, ResourceGraph, ResourceNode, urn_name
from preflight.regions import provider_urn
from preflight.secrets import SECRET_PLACEHOLDER

_LEVELS = {level.value: level for level in Level}
#: Every level pulumi_policy's EnforcementLevel accepts. "remediate" asks the CLI to fix the resource
#: with the policy's remediation during `pulumi up`; offline there is nothing to fix, and a resource the
#: policy would rewrite does not comply as written, so it counts as mandatory here.
_CONFIG_LEVELS = {**_LEVELS, "remediate": Level.MANDATORY}
_LEVEL_NAMES = "|".join(_CONFIG_LEVELS)


@dataclass(frozen=True)
class PolicySetting:
    """One entry of a `--policy-pack-config` file: the level and the policy's own settings."""

    level: Level
    settings: Mapping[str, Any] = field(default_factory=dict)


@dataclass
class PolicyRun:
    """What one run of the pack found: violations (levelled), and what could not be told yet."""

    findings: list[Finding] = field(default_factory=list)
    undetermined: list[str] = field(default_factory=list)
    #: Policies that said they do not apply (pulumi-policy's `args.not_applicable(reason)`), one line each.
    not_applicable: list[str] = field(default_factory=list)
    config_file: str = ""


def config_path(stack: str, program_dir: str | Path | None = None) -> Path | None:
    """The policy config of a program's stack: `<program>/policies/config/<stack>.json`, or None.

    A program is judged by its own file only: without one it gets the pack's default profile, never
    this template's per-stack files (whose regions, models, tags and `providedElsewhere` describe this
    template's own accounts). The template itself is a program with its own files. Without a program
    (`preflight policies`), the pack's own files are read.
    """
    name = f"{stack_part(stack)}.json"
    path = Path(program_dir) / "policies" / "config" / name if program_dir is not None else CONFIG_DIR / name
    return path if path.is_file() else None


def load_policy_config(
    stack: str,
    program_dir: str | Path | None = None,
    policies: Sequence[PolicySpec] | None = None,
    production: bool | None = None,
    baseline: str | None = None,
) -> tuple[dict[str, PolicySetting], str]:
    """Levels and settings per policy name, and the file they came from ("" for the built-in profile).

    Policies the file does not name get the `"all"` level when the file has one, else the default
    profile's level (policies.profile.level_for, with the stack's production setting); a policy's own
    entry overrides `"all"`. A stack without a file gets the default profile entirely (no per-stack
    settings). Unknown policy names and levels are errors. `baseline` (the stack's account-baseline
    setting) becomes `providedBy` of the baseline policies that do not say it themselves.
    """
    settings, source = _load_policy_config(stack, program_dir, policies, production)
    given = {name: setting.settings for name, setting in settings.items()}
    for name, extra in baseline_settings(baseline, given).items():
        current = settings.get(name)
        if current is not None:
            settings[name] = PolicySetting(current.level, {**current.settings, **extra})
    return settings, source


def _load_policy_config(
    stack: str, program_dir: str | Path | None, policies: Sequence[PolicySpec] | None, production: bool | None
) -> tuple[dict[str, PolicySetting], str]:
    pack = list(policies if policies is not None else all_policies())
    defaults = {p.name: PolicySetting(_LEVELS[level_for(p, stack, production)]) for p in pack}
    path = config_path(stack, program_dir)
    if path is None:
        return defaults, ""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{path}: not a valid policy-pack config: {exc}") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: a policy-pack config is a JSON object of policy name -> level or settings")
    base = _base_level(raw.get("all"), path) if "all" in raw else None
    if base is not None:
        defaults = {name: PolicySetting(base) for name in defaults}
    known = set(defaults)
    for name, value in raw.items():
        if name == "all":
            continue
        if name not in known:
            raise ConfigError(f"{path}: {name}: no such policy in the pack")
        if isinstance(value, str):
            level_text, settings = value, {}
        elif isinstance(value, dict):
            settings = {k: v for k, v in value.items() if k != "enforcementLevel"}
            level_text = str(value.get("enforcementLevel", defaults[name].level.value))
        else:
            raise ConfigError(f"{path}: {name}: expected a level or an object")
        if level_text not in _CONFIG_LEVELS:
            raise ConfigError(f"{path}: {name}: unknown enforcement level {level_text!r} ({_LEVEL_NAMES})")
        defaults[name] = PolicySetting(_CONFIG_LEVELS[level_text], settings)
    return defaults, str(path)


_RANK = {Level.DISABLED: 0, Level.ADVISORY: 1, Level.MANDATORY: 2}


@dataclass(frozen=True)
class LoweredLevel:
    """A policy the program's level file sets below the pack's own profile (review finding R6)."""

    policy: str
    default: Level
    level: Level

    def describe(self) -> str:
        return f"{self.policy} ({self.default.value} -> {self.level.value})"


def lowered_levels(
    stack: str,
    program_dir: str | Path | None = None,
    production: bool | None = None,
    policies: Sequence[PolicySpec] | None = None,
) -> tuple[list[LoweredLevel], str]:
    """Each policy whose level in the program's `policies/config/<stack>.json` is below the pack's default
    profile for the stack (policies.profile.level_for), and the file ("" without one: nothing is lowered)."""
    pack = list(policies if policies is not None else all_policies())
    settings, source = _load_policy_config(stack, program_dir, pack, production)
    lowered = []
    for policy in pack:
        default = _LEVELS[level_for(policy, stack, production)]
        level = settings[policy.name].level
        if _RANK[level] < _RANK[default]:
            lowered.append(LoweredLevel(policy.name, default, level))
    return lowered, source


def _base_level(value: Any, path: Path) -> Level:
    """The `"all"` entry: `"<level>"` or `{"enforcementLevel": "<level>"}`, the level of every policy the
    file does not set itself (Pulumi's policy-pack-config format)."""
    level_text = value.get("enforcementLevel") if isinstance(value, dict) else value
    if isinstance(value, dict) and set(value) - {"enforcementLevel"}:
        extra = ", ".join(sorted(str(k) for k in value if k != "enforcementLevel"))
        raise ConfigError(f"{path}: all: only enforcementLevel may be set for all policies (not {extra})")
    if not isinstance(level_text, str) or level_text not in _CONFIG_LEVELS:
        raise ConfigError(f"{path}: all: unknown enforcement level {level_text!r} ({_LEVEL_NAMES})")
    return _CONFIG_LEVELS[level_text]


# ------------------------------------------------------------------------- pulumi_policy objects


def _options(node: ResourceNode) -> PolicyResourceOptions:
    return PolicyResourceOptions(
        protect=node.protect,
        ignore_changes=[],
        delete_before_replace=None,
        aliases=[],
        custom_timeouts=PolicyCustomTimeouts(0, 0, 0),
        additional_secret_outputs=[],
        parent=node.parent or None,
    )


def provider_of(node: ResourceNode, graph: ResourceGraph) -> tuple[str, dict[str, Any], str, str] | None:
    """(type, properties, urn, name) of the provider a resource names: the explicit provider in the graph,
    else the default one the engine would create from the stack's `<package>:*` config. One answer for
    the in-process runner and the Analyzer-protocol harness (preflight.analyzer)."""
    if not node.provider:
        return None
    explicit = _provider_node(graph, node.provider)
    if explicit is not None:
        return explicit.type, dict(explicit.judged_inputs), explicit.urn, explicit.name
    return _default_provider_info(node.provider, graph)


def _default_provider_info(reference: str, graph: ResourceGraph) -> tuple[str, dict[str, Any], str, str]:
    """A provider reference is `<urn>::<id>` in previews and exports (split at the last `::`, as pulumi/pulumi
    sdk/go/common/providers/reference.go `ParseReference` L147-L160 does); the offline engine writes the bare URN."""
    urn = provider_urn(reference)
    parts = urn.split("::")
    token = parts[2].rsplit("$", 1)[-1] if len(parts) >= 4 else "pulumi:providers:aws"
    package = token.rsplit(":", 1)[-1]
    props = {k.split(":", 1)[1]: v for k, v in graph.config.items() if k.startswith(f"{package}:")}
    return token, props, urn, urn_name(urn)


def _default_provider(urn: str, graph: ResourceGraph) -> PolicyProviderResource:
    """The default provider the engine would create: configured from the stack's `<package>:*` config."""
    token, props, urn, name = _default_provider_info(urn, graph)
    return PolicyProviderResource(token, unknown_checking_proxy(props), urn, name)


def _provider_node(graph: ResourceGraph, reference: str) -> ResourceNode | None:
    """The explicit provider a reference (`<urn>::<id>`, or the bare URN) names, if it is in the graph."""
    return graph.get(reference) or graph.get(reference.rsplit("::", 1)[0])


def _provider(
    node: ResourceNode, graph: ResourceGraph, known: dict[str, tuple[str, dict[str, Any], str, str]] | None = None
) -> PolicyProviderResource | None:
    """The provider a policy's arguments carry. `known`: one run's `provider_of` answers by provider reference, so
    a reference is resolved once per run, not once per resource and policy (bench/SPEED.md); every call still gets
    its own object and its own copy of the properties, so nothing a policy sees is shared with another."""
    if not node.provider:
        return None
    found = known.get(node.provider) if known is not None else None
    if found is None:
        found = provider_of(node, graph)
        if found is None:
            return None
        if known is not None:
            known[node.provider] = found
    token, props, urn, name = found
    return PolicyProviderResource(token, unknown_checking_proxy(dict(props)), urn, name)


def stack_props(node: ResourceNode) -> dict[str, Any]:
    """What AnalyzeStack gets for a resource: its outputs over its inputs, and its id."""
    return _stack_props(node)


def _stack_props(node: ResourceNode) -> dict[str, Any]:
    props = {**dict(node.judged_inputs), **dict(node.judged_outputs)}
    if node.id and "id" not in props:
        props["id"] = node.id
    return props


def stack_resources(
    graph: ResourceGraph, providers: dict[str, tuple[str, dict[str, Any], str, str]] | None = None
) -> list[PolicyResource]:
    """Every resource as the CLI's AnalyzeStack builds it: outputs, parent, dependencies linked.

    `providers`: the run's provider answers by reference (see `_provider`); a fresh one when not given."""
    known = {} if providers is None else providers
    built: dict[str, PolicyResource] = {}
    for node in graph.resources:
        built[node.urn] = PolicyResource(
            node.type,
            unknown_checking_proxy(_stack_props(node)),
            node.urn,
            node.name,
            _options(node),
            _provider(node, graph, known),
            None,
            [],
            {},
        )
    # Default providers are resources of the stack too (the engine registers them).
    for node in graph.resources:
        if node.provider and node.provider not in built and _provider_node(graph, node.provider) is None:
            default = _default_provider(node.provider, graph)
            built[node.provider] = PolicyResource(
                default.resource_type,
                default.props,
                default.urn,
                default.name,
                PolicyResourceOptions(False, [], None, [], PolicyCustomTimeouts(0, 0, 0), [], None),
                None,
                None,
                [],
                {},
            )
    for node in graph.resources:
        resource = built[node.urn]
        resource.parent = built.get(node.parent)
        resource.dependencies = [built[d] for d in node.dependencies if d in built]
        resource.property_dependencies = {
            key: [built[u] for u in urns if u in built] for key, urns in node.property_dependencies.items()
        }
    return list(built.values())


# --------------------------------------------------------------------------------------- running


def _finding(policy: PolicySpec, level: Level, node: ResourceNode | None, message: str) -> Finding:
    name = node.name if node is not None and node.type != STACK_TYPE else ""
    prefix = f"{name}: "
    if name and message.startswith(prefix):
        message = message[len(prefix) :]
    if node is not None and node.holds_secrets:
        message = redact_secret_text(message, node)
    return Finding(
        policy=policy.name,
        source=Source.CROSSGUARD,
        level=level,
        resource=name,
        type=node.type if node is not None and name else "",
        urn=node.urn if node is not None and name else "",
        principles=policy.principles,
        message=message,
        fix=policy.explanation,
        severity=policy.severity.name.lower(),
    )


def _leaves(value: Any) -> list[str]:
    """Every scalar a secret holds, as text."""
    if isinstance(value, Mapping):
        return [t for v in value.values() for t in _leaves(v)]
    if isinstance(value, list | tuple):
        return [t for v in value for t in _leaves(v)]
    return [] if value is None or isinstance(value, bool) else [str(value)]


def _secret_texts(redacted: Any, judged: Any) -> list[str]:
    """The plaintext strings `judged` holds where `redacted` says "[secret]"."""
    if redacted == SECRET_PLACEHOLDER:
        return [] if judged == SECRET_PLACEHOLDER else _leaves(judged)
    if isinstance(redacted, Mapping) and isinstance(judged, Mapping):
        return [t for k, v in redacted.items() for t in _secret_texts(v, judged.get(k))]
    if isinstance(redacted, list | tuple) and isinstance(judged, list | tuple):
        return [t for r, j in zip(redacted, judged, strict=False) for t in _secret_texts(r, j)]
    return []


def redact_secret_text(message: str, node: ResourceNode) -> str:
    """`message` with every secret value of `node` it quotes whole as "[secret]": rules judge the plaintext
    (as under the CLI), the report written from their messages must not carry it."""
    texts = _secret_texts(dict(node.inputs), dict(node.judged_inputs))
    texts += _secret_texts(dict(node.outputs), dict(node.judged_outputs))
    for text in sorted({t for t in texts if len(t) >= 4}, key=len, reverse=True):  # not a digit or a "*"
        message = message.replace(text, SECRET_PLACEHOLDER)
    return message


#: Policies that judge whether a value is a Pulumi secret, not what it says: they see "[secret]" where the program
#: marked a value secret (`Output.secret`, `require_secret`, a `secure:` config value), which their classifier
#: (policies/secret_values.py OFFLINE_SECRET_VALUES) reads as a secret in an environment map. Every other policy
#: judges the plaintext, as the CLI hands it to a pack. The CLI's pack gets secrets unwrapped and unmarked
#: (pulumi_policy/deserialize.py proxies secrets only for remediations), so there it can find a secret only by
#: its name or shape: the offline gate is the stricter of the two here, on purpose (issue 11 §4).
JUDGED_BY_SECRETNESS = frozenset({"lambda-no-secrets-in-environment", "container-no-secrets-in-environment"})

#: Policy name of the finding that says a policy raised: mandatory, so a crash never passes silently.
PACK_ERROR = "policy-pack-error"


def pack_error(node: ResourceNode | None, what: str) -> Finding:
    """A mandatory finding for a policy that raised (under the CLI the same error fails the preview)."""
    name = node.name if node is not None and node.type != STACK_TYPE else ""
    return Finding(
        policy=PACK_ERROR,
        source=Source.CROSSGUARD,
        level=Level.MANDATORY,
        resource=name,
        type=node.type if node is not None and name else "",
        urn=node.urn if node is not None and name else "",
        principles=(),
        message=redact_secret_text(f"a policy raised while analysing {name or 'the stack'}: {what}", node)
        if node is not None and node.holds_secrets
        else f"a policy raised while analysing {name or 'the stack'}: {what}",
        fix="Fix the policy: under `pulumi preview --policy-pack` this error fails the preview.",
        severity="high",
    )


def cannot_tell(policy: str, where: str, path: Sequence[str] | None, *, preview: bool) -> str:
    """The note for a policy that met an unknown value at `path` (None: the protocol did not say where).

    pulumi_policy's own message says "can't be known during preview" whatever the mode (proxy.py
    UnknownValueError); outside a preview that would mislead, so the mode decides the words here, once."""
    at = f" at .{'.'.join(path)}" if path else ""
    if preview:
        return f"{policy}: {where}: cannot tell during preview: the value{at} is not known until `pulumi up`"
    return (
        f"{policy}: {where}: cannot tell: the value{at} is still unknown outside a preview "
        "(offline: built from an output the engine does not fabricate)"
    )


@dataclass
class DeferralNet:
    """preflight.deferred's net for one run (in-process, and over the protocol: preflight.analyzer): the graph,
    and `security-value-unknown` with its level in the run (None: not in the run, or disabled, so no net);
    `documents`, `iam-document-unknown` with its level, for a policy document holding an invented value."""

    graph: ResourceGraph
    spec: PolicySpec | None
    level: Level
    reported: set[tuple[str, str]] = field(default_factory=set)
    documents: tuple[PolicySpec, Level] | None = None

    def deferred(
        self, policy: PolicySpec, node: ResourceNode | None, path: Sequence[str], run: PolicyRun, preview: bool
    ) -> None:
        """Outside a preview, `policy` deferred on the unknown at `path`: a finding where no table owns it."""
        spec = self.spec
        if spec is None or preview or not deferred.answers_for(policy):
            return
        for target in deferred.unowned(self.graph, node, path, _stack_props):
            key = (target.urn if target is not None else "", ".".join(path))
            if key not in self.reported:
                self.reported.add(key)
                run.findings.append(_finding(spec, self.level, target, deferred.message(policy.name, path)))

    def invented(self, nodes: Sequence[ResourceNode], run: PolicyRun, preview: bool) -> None:
        """Outside a preview, a value invented offline for a data source, whole or inside a string, at an input the
        tables list (the rule judged a made-up string: preflight.deferred.invented_inputs) is a finding of the
        unknown policy whose table lists it, as an unknown one is."""
        if preview:
            return
        judges: dict[str, tuple[PolicySpec, Level]] = {}
        if self.spec is not None:
            judges[self.spec.name] = (self.spec, self.level)
        if self.documents is not None:
            judges[self.documents[0].name] = self.documents
        for node in nodes:
            for found in deferred.invented_inputs(node):
                judge = judges.get(found.policy)
                if judge is not None:
                    run.findings.append(_finding(judge[0], judge[1], node, deferred.invented_message(found)))


def _call(  # noqa: PLR0917 (the runner's one call shape)
    policy: PolicySpec,
    args: Any,
    report: Callable[..., None],
    run: PolicyRun,
    where: str,
    node: ResourceNode | None,
    net: DeferralNet,
) -> None:
    try:
        policy.check(args, report)
    except UnknownValueError as exc:
        run.undetermined.append(cannot_tell(policy.name, where, exc.props, preview=previewing()))
        net.deferred(policy, node, exc.props, run, previewing())
    except _NotApplicableError as exc:
        line = f"{policy.name}: not applicable: {exc.reason}" if exc.reason else f"{policy.name}: not applicable"
        if line not in run.not_applicable:
            run.not_applicable.append(line)
    except PreflightError:
        raise
    except Exception as exc:  # a bug in a policy is an error finding, never a silent pass
        run.findings.append(pack_error(node, f"{policy.name}: {type(exc).__name__}: {exc}"))


def _level_in_run(
    pack: Sequence[PolicySpec],
    name: str,
    config: Mapping[str, PolicySetting],
    graph: ResourceGraph,
    production: bool | None,
) -> tuple[PolicySpec, Level] | None:
    """Policy `name` of `pack` with its level in this run; None when it is not in the run or disabled."""
    spec = next((p for p in pack if p.name == name), None)
    if spec is None:
        return None
    setting = config.get(spec.name) or PolicySetting(_LEVELS[level_for(spec, graph.stack, production)])
    return None if setting.level is Level.DISABLED else (spec, setting.level)


def deferral_net(
    pack: Sequence[PolicySpec], config: Mapping[str, PolicySetting], graph: ResourceGraph, production: bool | None
) -> DeferralNet:
    """The net of this run, at the level `security-value-unknown` has in it; none when that policy does not run
    (and `iam-document-unknown` at its level, for invented values in documents)."""
    documents = _level_in_run(pack, deferred.DOCUMENT_UNKNOWN, config, graph, production)
    values = _level_in_run(pack, deferred.VALUE_UNKNOWN, config, graph, production)
    if values is None:
        return DeferralNet(graph, None, Level.DISABLED, documents=documents)
    return DeferralNet(graph, values[0], values[1], documents=documents)


def run_policies(
    graph: ResourceGraph,
    *,
    program_dir: str | Path | None = None,
    policies: Sequence[PolicySpec] | None = None,
    config: Mapping[str, PolicySetting] | None = None,
    production: bool | None = None,
    baseline: str | None = None,
    dry_run: bool = False,
) -> PolicyRun:
    """Every policy over the graph; levels and settings from the stack's config file (or `config`).

    Judged as `pulumi up` unless `dry_run`, whatever PULUMI_DRY_RUN says: the program judged in this process, or
    the caller's shell, may set it (policies.run_mode)."""
    previous = set_preview(dry_run)
    try:
        return _run_policies(graph, program_dir, policies, config, production, baseline)
    finally:
        set_preview(previous)


def _run_policies(  # noqa: PLR0917 (run_policies' arguments, in order)
    graph: ResourceGraph,
    program_dir: str | Path | None,
    policies: Sequence[PolicySpec] | None,
    config: Mapping[str, PolicySetting] | None,
    production: bool | None,
    baseline: str | None,
) -> PolicyRun:
    pack = list(policies if policies is not None else all_policies())
    run = PolicyRun()
    if config is None:
        config, run.config_file = load_policy_config(graph.stack, program_dir, pack, production, baseline)
    stack_node = next((n for n in graph.resources if n.type == STACK_TYPE), None)
    resources: list[PolicyResource] | None = None
    net = deferral_net(pack, config, graph, production)
    # Resolved once per run, not once per resource and policy (bench/SPEED.md): the stack's resources in its order,
    # each type once, and each provider reference once. Nothing is kept across runs (a run is one stack).
    judged = [node for node in graph.resources if node.type != STACK_TYPE]
    types = list(dict.fromkeys(node.type for node in judged))
    providers: dict[str, tuple[str, dict[str, Any], str, str]] = {}
    for policy in pack:
        setting = config.get(policy.name) or PolicySetting(_LEVELS[level_for(policy, graph.stack, production)])
        if setting.level is Level.DISABLED:
            continue
        if policy.kind is Kind.RESOURCE:
            applies = {resource_type for resource_type in types if policy.applies_to(resource_type)}
            for node in judged:
                if node.type not in applies:
                    continue
                args = ResourceValidationArgs(
                    node.type,
                    unknown_checking_proxy(
                        dict(node.inputs if policy.name in JUDGED_BY_SECRETNESS else node.judged_inputs)
                    ),
                    node.urn,
                    node.name,
                    _options(node),
                    _provider(node, graph, providers),
                    dict(setting.settings),
                )

                def report(
                    message: str,
                    urn: str | None = None,
                    *,
                    _node: ResourceNode = node,
                    _policy: PolicySpec = policy,
                    _level: Level = setting.level,
                ) -> None:
                    run.findings.append(_finding(_policy, _level, graph.get(urn or "") or _node, message))

                _call(policy, args, report, run, node.name, node, net)
        else:
            if resources is None:
                resources = stack_resources(graph, providers)
            stack_args = StackValidationArgs(resources, dict(setting.settings))

            def report_stack(
                message: str, urn: str | None = None, *, _policy: PolicySpec = policy, _level: Level = setting.level
            ) -> None:
                node = graph.get(urn) if urn else None
                run.findings.append(_finding(_policy, _level, node or stack_node, message))

            _call(policy, stack_args, report_stack, run, "the stack", stack_node, net)
    net.invented(judged, run, previewing())
    return run
