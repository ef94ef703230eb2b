"""`preflight.policy_runner` without a program: the level file read word for word, lowered levels, the
provider a resource names, the resources a stack policy gets, and what one run of small policies reports
(prefix, redaction, "cannot tell", not applicable, a policy that raises). Written for run G of mutation
testing (bench/MUTATION.md): before it, only whole-gate tests reached these functions."""

# ruff: noqa: E501  (one case per line reads as a table)
from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pulumi_policy import Severity
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, UnknownValueError

from policies.profile import CONFIG_DIR
from policies.registry import all_policies
from policies.run_mode import previewing, set_preview
from policies.spec import Category, Kind, PolicySpec
from preflight.deferred import VALUE_UNKNOWN, message
from preflight.errors import ConfigError
from preflight.findings import Finding, Level, Source
from preflight.graph import STACK_TYPE, ResourceGraph, ResourceNode
from preflight.policy_runner import (
    PACK_ERROR,
    DeferralNet,
    LoweredLevel,
    PolicySetting,
    cannot_tell,
    config_path,
    deferral_net,
    load_policy_config,
    lowered_levels,
    pack_error,
    provider_of,
    redact_secret_text,
    run_policies,
    stack_props,
    stack_resources,
)

BUCKET = "aws:s3/bucket:Bucket"


def _spec(name: str, validate: Callable[..., None], *, kind: Kind = Kind.RESOURCE, **kw: Any) -> PolicySpec:
    return PolicySpec(
        name=name,
        description=f"{name} holds",
        explanation=f"fix {name}",
        principles=kw.pop("principles", ("P188",)),  # NEVER: mandatory in every stack (policies.profile)
        severity=Severity.HIGH,
        category=kw.pop("category", Category.SECURITY),
        kind=kind,
        validate=validate,
        resource_types=kw.pop("resource_types", ()),
    )


def _nothing(_args: Any, _report: Any) -> None:
    return None


NEVER = _spec("never-rule", _nothing)
HIGH = _spec("high-rule", _nothing, principles=("P147",))  # HIGH: mandatory in production only
COST = _spec("cost-rule", _nothing, category=Category.COST)
PACK = [NEVER, HIGH, COST]


def _urn(type_: str, name: str) -> str:
    return f"urn:pulumi:dev::proj::{type_}::{name}"


def _node(name: str, type_: str = BUCKET, **kw: Any) -> ResourceNode:
    return ResourceNode(
        urn=kw.pop("urn", _urn(type_, name)),
        type=type_,
        name=name,
        custom=kw.pop("custom", True),
        parent=kw.pop("parent", ""),
        provider=kw.pop("provider", ""),
        inputs=kw.pop("inputs", {}),
        outputs=kw.pop("outputs", {}),
        **kw,
    )


def _config(tmp_path: Path, stack: str, data: Any) -> Path:
    path = tmp_path / "policies" / "config" / f"{stack}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


# ------------------------------------------------------------------------------------- the level file


def test_without_a_file_the_profile_decides_and_the_source_is_empty(tmp_path: Path) -> None:
    assert config_path("dev", tmp_path) is None
    settings, source = load_policy_config("dev", tmp_path, PACK)
    assert (source, {n: s.level for n, s in settings.items()}) == (
        "",
        {"never-rule": Level.MANDATORY, "high-rule": Level.ADVISORY, "cost-rule": Level.MANDATORY},
    )
    prod = load_policy_config("prod", tmp_path, PACK)[0]
    assert {n: s.level for n, s in prod.items()} == {
        "never-rule": Level.MANDATORY,
        "high-rule": Level.MANDATORY,
        "cost-rule": Level.ADVISORY,
    }


def test_all_then_each_policys_own_entry(tmp_path: Path) -> None:
    path = _config(tmp_path, "dev", {"all": "disabled", "never-rule": "remediate", "high-rule": {"limit": 3}})
    assert config_path("acme/proj/dev", tmp_path) == path  # the stack's own name (policies.profile.stack_part)
    settings, source = load_policy_config("acme/proj/dev", tmp_path, PACK)
    assert source == str(path)
    assert settings == {
        "never-rule": PolicySetting(Level.MANDATORY),  # remediate: nothing to fix offline, so mandatory
        "high-rule": PolicySetting(Level.DISABLED, {"limit": 3}),  # an object without a level keeps "all"'s
        "cost-rule": PolicySetting(Level.DISABLED),
    }
    path.write_text(
        json.dumps({"all": {"enforcementLevel": "advisory"}, "cost-rule": {"enforcementLevel": "mandatory"}})
    )
    settings = load_policy_config("dev", tmp_path, PACK)[0]
    assert {n: s.level for n, s in settings.items()} == {
        "never-rule": Level.ADVISORY,
        "high-rule": Level.ADVISORY,
        "cost-rule": Level.MANDATORY,
    }


LEVELS = "mandatory|advisory|disabled|remediate"  # Level's order, then remediate


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "a policy-pack config is a JSON object of policy name -> level or settings"),
        ({"nope": "advisory"}, "nope: no such policy in the pack"),
        ({"never-rule": 3}, "never-rule: expected a level or an object"),
        ({"never-rule": "warn"}, f"never-rule: unknown enforcement level 'warn' ({LEVELS})"),
        ({"never-rule": {"enforcementLevel": "loud"}}, f"never-rule: unknown enforcement level 'loud' ({LEVELS})"),
        ({"all": "loud"}, f"all: unknown enforcement level 'loud' ({LEVELS})"),
        ({"all": {}}, f"all: unknown enforcement level None ({LEVELS})"),
        ({"all": {"enforcementLevel": "advisory", "b": 1, "a": 2}}, "all: only enforcementLevel may be set for all policies (not a, b)"),
    ],
    ids=["bad1_not_an_object", "bad2_unknown_policy", "bad3_not_a_level", "bad4_unknown_level", "bad5_unknown_level_in_an_object",
         "bad6_all_unknown", "bad7_all_without_level", "bad8_all_with_settings"],
)  # fmt: skip
def test_a_bad_level_file_is_one_line_naming_it(tmp_path: Path, data: Any, message: str) -> None:
    path = _config(tmp_path, "dev", data)
    with pytest.raises(ConfigError) as caught:
        load_policy_config("dev", tmp_path, PACK)
    assert str(caught.value) == f"{path}: {message}"


def test_a_file_that_is_not_json_is_one_line(tmp_path: Path) -> None:
    path = _config(tmp_path, "dev", "{nope")
    with pytest.raises(ConfigError) as caught:
        load_policy_config("dev", tmp_path, PACK)
    assert str(caught.value).startswith(f"{path}: not a valid policy-pack config: Expecting property name")


def test_lowered_levels_are_those_below_the_profile(tmp_path: Path) -> None:
    assert lowered_levels("prod", tmp_path, None, PACK) == ([], "")
    path = _config(tmp_path, "prod", {"never-rule": "advisory", "high-rule": "disabled", "cost-rule": "mandatory"})
    lowered, source = lowered_levels("prod", tmp_path, None, PACK)
    assert (lowered, source) == (
        [
            LoweredLevel("never-rule", Level.MANDATORY, Level.ADVISORY),
            LoweredLevel("high-rule", Level.MANDATORY, Level.DISABLED),
        ],
        str(path),
    )
    assert [entry.describe() for entry in lowered] == [
        "never-rule (mandatory -> advisory)",
        "high-rule (mandatory -> disabled)",
    ]
    # the same file in a stack declared non-production: high-rule's profile level there is advisory
    assert lowered_levels("prod", tmp_path, False, PACK)[0] == [
        LoweredLevel("never-rule", Level.MANDATORY, Level.ADVISORY),
        LoweredLevel("high-rule", Level.ADVISORY, Level.DISABLED),
    ]


# ------------------------------------------------------------------------------------------ providers

DEFAULT = "urn:pulumi:dev::proj::pulumi:providers:aws::default_6_0_0"


def test_a_default_provider_is_built_from_the_stacks_package_config() -> None:
    config = {"aws:region": "eu-west-1", "aws:profile": "ops", "gcp:project": "other", "proj:aws": "not aws config"}
    graph = ResourceGraph("proj", "dev", [], config)
    with_id = _node("b", provider=f"{DEFAULT}::04da6b54-80e4-46f7-96ec-b56ff0331ba9")
    expected = ("pulumi:providers:aws", {"region": "eu-west-1", "profile": "ops"}, DEFAULT, "default_6_0_0")
    assert provider_of(with_id, graph) == expected
    assert provider_of(_node("b", provider=DEFAULT), graph) == expected
    nested = "urn:pulumi:dev::proj::my:index:Parent$pulumi:providers:gcp::g"
    assert provider_of(_node("b", provider=nested), graph) == (
        "pulumi:providers:gcp",
        {"project": "other"},
        nested,
        "g",
    )
    odd = provider_of(_node("b", provider="odd"), graph)  # not a URN: the aws provider, named as given
    assert odd == ("pulumi:providers:aws", {"region": "eu-west-1", "profile": "ops"}, "odd", "odd")
    assert provider_of(_node("b"), graph) is None


def test_an_explicit_provider_in_the_graph_is_read_as_it_is() -> None:
    explicit_urn = "urn:pulumi:dev::proj::pulumi:providers:aws::eu"
    explicit = _node("eu", "pulumi:providers:aws", urn=explicit_urn, inputs={"region": "eu-central-1"})
    graph = ResourceGraph("proj", "dev", [explicit], {"aws:region": "us-east-1"})
    expected = ("pulumi:providers:aws", {"region": "eu-central-1"}, explicit_urn, "eu")
    assert provider_of(_node("b", provider=f"{explicit_urn}::some-id"), graph) == expected
    assert provider_of(_node("b", provider=explicit_urn), graph) == expected


def test_stack_resources_link_parents_dependencies_and_the_default_provider() -> None:
    parent = _node("parent", "my:index:Group")
    dep = _node("dep", inputs={"bucket": "dep-bkt"})
    child = _node(
        "child",
        parent=parent.urn,
        provider=DEFAULT,
        inputs={"bucket": "in", "acl": "private"},
        outputs={"bucket": "out", "arn": "arn:aws:s3:::out"},
        id="out-id",
        dependencies=(dep.urn, "urn:pulumi:dev::proj::x:y:Z::gone"),
        property_dependencies={"policy": (dep.urn, "urn:pulumi:dev::proj::x:y:Z::gone")},
    )
    own_id = _node("own", outputs={"id": "kept"}, id="ignored", provider=DEFAULT)
    built = stack_resources(ResourceGraph("proj", "dev", [parent, dep, child, own_id], {"aws:region": "eu-west-1"}))
    by_name = {r.name: r for r in built}
    assert [r.name for r in built] == ["parent", "dep", "child", "own", "default_6_0_0"]
    resource = by_name["child"]
    assert dict(resource.props) == {"bucket": "out", "acl": "private", "arn": "arn:aws:s3:::out", "id": "out-id"}
    assert by_name["own"].props["id"] == "kept"
    assert (resource.parent, resource.dependencies) == (by_name["parent"], [by_name["dep"]])
    assert resource.property_dependencies == {"policy": [by_name["dep"]]}
    assert by_name["parent"].parent is None
    assert (resource.provider.resource_type, resource.provider.urn) == ("pulumi:providers:aws", DEFAULT)
    default = by_name["default_6_0_0"]
    assert (default.resource_type, default.urn, dict(default.props)) == (
        "pulumi:providers:aws",
        DEFAULT,
        {"region": "eu-west-1"},
    )


# ------------------------------------------------------------------------------------------- one run


def _graph(*nodes: ResourceNode) -> ResourceGraph:
    stack = _node("proj-dev", STACK_TYPE, urn=f"urn:pulumi:dev::proj::{STACK_TYPE}::proj-dev", custom=False)
    return ResourceGraph("proj", "dev", [stack, *nodes])


def _only(*specs: PolicySpec, levels: dict[str, Level] | None = None) -> dict[str, PolicySetting]:
    return {s.name: PolicySetting((levels or {}).get(s.name, Level.MANDATORY)) for s in specs}


def test_a_resource_policy_reports_without_the_name_prefix_on_the_named_node() -> None:
    other = _node("other")

    def validate(args: Any, report: Any) -> None:
        report(f"{args.name}: is public.")
        report("seen from elsewhere.", other.urn)

    spec = _spec("public-rule", validate, resource_types=(BUCKET,))
    graph = _graph(_node("site"), other, _node("fn", "aws:lambda/function:Function"))
    run = run_policies(graph, policies=[spec], config=_only(spec))
    assert [(f.resource, f.type, f.urn, f.message, f.level) for f in run.findings] == [
        ("site", BUCKET, _urn(BUCKET, "site"), "is public.", Level.MANDATORY),
        ("other", BUCKET, other.urn, "seen from elsewhere.", Level.MANDATORY),
        ("other", BUCKET, other.urn, "is public.", Level.MANDATORY),
        ("other", BUCKET, other.urn, "seen from elsewhere.", Level.MANDATORY),
    ]
    finding = run.findings[0]
    assert (finding.policy, finding.source, finding.principles, finding.fix, finding.severity) == (
        "public-rule",
        Source.CROSSGUARD,
        ("P188",),
        "fix public-rule",
        "high",
    )
    assert (run.undetermined, run.not_applicable, run.config_file) == ([], [], "")


def test_a_stack_policy_reports_on_the_stack_or_the_named_resource() -> None:
    site = _node("site")

    def validate(args: Any, report: Any) -> None:
        assert [r.name for r in args.resources] == ["proj-dev", "site"]
        report("the stack has no budget.")
        report("site: no trail.", site.urn)

    spec = _spec("stack-rule", validate, kind=Kind.STACK)
    run = run_policies(_graph(site), policies=[spec], config=_only(spec, levels={"stack-rule": Level.ADVISORY}))
    assert [(f.resource, f.type, f.urn, f.message, f.level) for f in run.findings] == [
        ("", "", "", "the stack has no budget.", Level.ADVISORY),
        ("site", BUCKET, site.urn, "no trail.", Level.ADVISORY),
    ]


def test_a_disabled_policy_does_not_run_and_an_unnamed_one_gets_its_profile_level() -> None:
    calls: list[str] = []
    off = _spec("off-rule", lambda args, report: calls.append("off"))
    unnamed = _spec("unnamed-rule", lambda args, report: report("found."), principles=("P147",))
    run = run_policies(
        _graph(_node("b")), policies=[off, unnamed], config=_only(off, levels={"off-rule": Level.DISABLED})
    )
    assert calls == []
    assert [(f.policy, f.level) for f in run.findings] == [("unnamed-rule", Level.ADVISORY)]  # dev: P147 advisory


def test_unknown_not_applicable_and_raising_policies() -> None:
    def unknown(_args: Any, _report: Any) -> None:
        raise UnknownValueError(UNKNOWN_STRING_VALUE, ["policy", "Statement"])

    def not_applicable(args: Any, _report: Any) -> None:
        args.not_applicable("no function here")

    def silent_not_applicable(args: Any, _report: Any) -> None:
        args.not_applicable()

    def broken(_args: Any, _report: Any) -> None:
        raise KeyError("arn")

    def config_error(_args: Any, _report: Any) -> None:
        raise ConfigError("policies/config/dev.json: bad")

    specs = [_spec("unknown-rule", unknown), _spec("na-rule", not_applicable), _spec("na2-rule", silent_not_applicable),
             _spec("broken-rule", broken)]  # fmt: skip
    run = run_policies(_graph(_node("a"), _node("b")), policies=specs, config=_only(*specs))
    assert run.undetermined == [
        cannot_tell("unknown-rule", "a", ["policy", "Statement"], preview=False),
        cannot_tell("unknown-rule", "b", ["policy", "Statement"], preview=False),
    ]
    assert run.not_applicable == ["na-rule: not applicable: no function here", "na2-rule: not applicable"]
    assert [(f.policy, f.resource, f.level, f.message) for f in run.findings] == [
        (PACK_ERROR, name, Level.MANDATORY, f"a policy raised while analysing {name}: broken-rule: KeyError: 'arn'")
        for name in ("a", "b")
    ]
    with pytest.raises(ConfigError):
        run_policies(_graph(_node("a")), policies=[_spec("c", config_error)], config=_only(_spec("c", config_error)))


def test_cannot_tell_says_preview_only_in_a_preview() -> None:
    assert cannot_tell("p", "site", ["policy"], preview=True) == (
        "p: site: cannot tell during preview: the value at .policy is not known until `pulumi up`"
    )
    assert cannot_tell("p", "the stack", None, preview=False) == (
        "p: the stack: cannot tell: the value is still unknown outside a preview "
        "(offline: built from an output the engine does not fabricate)"
    )


def test_a_message_quoting_a_secret_is_redacted() -> None:
    node = _node(
        "db",
        inputs={"password": "[secret]", "tags": ["[secret]", "open"], "pin": "[secret]"},
        outputs={"endpoint": "[secret]"},
        secret_inputs={"password": "hunter2-longer", "tags": ["hunter2", "open"], "pin": "123"},
        secret_outputs={"endpoint": {"host": "db.internal"}},
    )
    message = "db: hunter2-longer, hunter2, 123 and db.internal are visible"
    assert redact_secret_text(message, node) == "db: [secret], [secret], 123 and [secret] are visible"

    def validate(args: Any, report: Any) -> None:
        report(f"the password {args.props['password']} is weak.")

    spec = _spec("weak-rule", validate)
    run = run_policies(_graph(node), policies=[spec], config=_only(spec))
    assert [f.message for f in run.findings] == ["the password [secret] is weak."]


# ------------------------------------------------------------------- what a policy is handed, exactly


def _options_of(opts: Any) -> tuple[Any, ...]:
    timeouts = opts.custom_timeouts
    return (
        opts.protect,
        opts.ignore_changes,
        opts.delete_before_replace,
        opts.aliases,
        (timeouts.create_seconds, timeouts.update_seconds, timeouts.delete_seconds),
        opts.additional_secret_outputs,
        opts.parent,
    )


def test_a_resource_policy_gets_the_nodes_urn_options_provider_and_settings() -> None:
    parent = _node("group", "my:index:Group")
    child = _node("child", parent=parent.urn, provider=DEFAULT, protect=True)
    seen: list[tuple[Any, ...]] = []

    def validate(args: Any, _report: Any) -> None:
        provider = args.provider
        seen.append((args.name, args.urn, _options_of(args.opts), dict(args.get_config())))
        seen.append((provider.resource_type, dict(provider.props), provider.urn, provider.name) if provider else None)

    spec = _spec("opts-rule", validate, resource_types=(BUCKET,))
    graph = ResourceGraph("proj", "dev", [parent, child, _node("plain")], {"aws:region": "eu-west-1"})
    run_policies(graph, policies=[spec], config={"opts-rule": PolicySetting(Level.ADVISORY, {"limit": 3})})
    assert seen == [
        ("child", child.urn, (True, [], None, [], (0, 0, 0), [], parent.urn), {"limit": 3}),
        ("pulumi:providers:aws", {"region": "eu-west-1"}, DEFAULT, "default_6_0_0"),
        ("plain", _urn(BUCKET, "plain"), (False, [], None, [], (0, 0, 0), [], None), {"limit": 3}),
        None,
    ]


def test_a_stack_policy_gets_its_settings_and_the_default_providers_options() -> None:
    seen: list[Any] = []

    def validate(args: Any, _report: Any) -> None:
        seen.append(dict(args.get_config()))
        seen.extend(
            (r.name, _options_of(r.opts)) for r in args.resources if r.resource_type.startswith("pulumi:providers:")
        )

    spec = _spec("stack-opts-rule", validate, kind=Kind.STACK)
    run_policies(
        _graph(_node("b", provider=DEFAULT)),
        policies=[spec],
        config={"stack-opts-rule": PolicySetting(Level.MANDATORY, {"x": 1})},
    )
    assert seen == [{"x": 1}, ("default_6_0_0", (False, [], None, [], (0, 0, 0), [], None))]


def test_secretness_policies_see_the_marked_inputs_the_others_the_plaintext() -> None:
    node = _node("fn", inputs={"token": "[secret]"}, secret_inputs={"token": "plain-token-value"})
    seen: list[tuple[str, str]] = []

    def look(args: Any, _report: Any) -> None:
        seen.append((args.name, args.props["token"]))

    by_secretness = _spec("lambda-no-secrets-in-environment", look)
    plain = _spec("plain-rule", look)
    run_policies(_graph(node), policies=[by_secretness, plain], config=_only(by_secretness, plain))
    assert seen == [("fn", "[secret]"), ("fn", "plain-token-value")]


def test_a_pack_error_names_the_resource_or_the_stack_and_keeps_secrets_out() -> None:
    secret = _node("db", inputs={"password": "[secret]"}, secret_inputs={"password": "hunter2-longer"})
    stack = _node("proj-dev", STACK_TYPE, urn=f"urn:pulumi:dev::proj::{STACK_TYPE}::proj-dev", custom=False)
    fix = "Fix the policy: under `pulumi preview --policy-pack` this error fails the preview."
    on_db = pack_error(secret, "p: ValueError: hunter2-longer")
    assert on_db == Finding(
        policy=PACK_ERROR,
        source=Source.CROSSGUARD,
        level=Level.MANDATORY,
        resource="db",
        type=BUCKET,
        urn=secret.urn,
        principles=(),
        message="a policy raised while analysing db: p: ValueError: [secret]",
        fix=fix,
        severity="high",
    )
    for node in (stack, None):
        error = pack_error(node, "p: KeyError: 'x'")
        assert (error.resource, error.type, error.urn, error.message, error.fix, error.severity, error.source) == (
            "", "", "", "a policy raised while analysing the stack: p: KeyError: 'x'", fix, "high", Source.CROSSGUARD,
        )  # fmt: skip
    plain = pack_error(_node("b"), "p: KeyError: 'x'")
    assert (plain.type, plain.urn, plain.message) == (
        BUCKET,
        _urn(BUCKET, "b"),
        "a policy raised while analysing b: p: KeyError: 'x'",
    )


def test_redaction_takes_the_longest_text_first_and_reads_every_leaf() -> None:
    node = _node(
        "db",
        inputs={"a": "[secret]", "b": "[secret]", "c": "[secret]", "d": "[secret]", "open": "open-value"},
        secret_inputs={"a": "ahunter22", "b": "hunter22", "c": {"flag": True, "none": None, "items": ["pass"]}, "d": "[secret]",
                       "open": "open-value"},
    )  # fmt: skip
    message = "ahunter22 hunter22 pass True None open-value"
    assert redact_secret_text(message, node) == "[secret] [secret] [secret] True None open-value"


def test_a_stack_policy_in_a_graph_without_a_stack_node_and_its_unknowns() -> None:
    def validate(_args: Any, report: Any) -> None:
        report("no budget.")
        raise UnknownValueError(UNKNOWN_STRING_VALUE, ["limit"])

    spec = _spec("budget-rule", validate, kind=Kind.STACK)
    run = run_policies(ResourceGraph("proj", "dev", [_node("b")]), policies=[spec], config=_only(spec))
    assert [(f.resource, f.urn, f.message) for f in run.findings] == [("", "", "no budget.")]
    assert run.undetermined == [cannot_tell("budget-rule", "the stack", ["limit"], preview=False)]


def test_dry_run_judges_as_a_preview_and_restores_the_mode() -> None:
    def validate(_args: Any, _report: Any) -> None:
        raise UnknownValueError(UNKNOWN_STRING_VALUE, ["a", "b"])

    spec = _spec("unknown-rule", validate)
    previous = set_preview(True)
    try:
        run = run_policies(_graph(_node("x")), policies=[spec], config=_only(spec), dry_run=False)
        assert previewing() is True
        preview = run_policies(_graph(_node("x")), policies=[spec], config=_only(spec), dry_run=True)
    finally:
        set_preview(previous)
    assert run.undetermined == ["unknown-rule: x: cannot tell: the value at .a.b is still unknown outside a preview "
                                "(offline: built from an output the engine does not fabricate)"]  # fmt: skip
    assert preview.undetermined == [
        "unknown-rule: x: cannot tell during preview: the value at .a.b is not known until `pulumi up`"
    ]


def test_a_run_reads_the_programs_file_with_the_stacks_production_and_baseline(tmp_path: Path) -> None:
    path = _config(tmp_path, "dev", {"never-rule": "advisory"})
    reporting = [
        _spec(s.name, lambda args, report: report("found."), principles=s.principles, category=s.category) for s in PACK
    ]
    trail = _spec("cloudtrail-enabled", lambda args, report: report(f"by {args.get_config().get('providedBy')}."))
    run = run_policies(
        _graph(_node("b")), program_dir=tmp_path, policies=[*reporting, trail], production=True, baseline="organization"
    )
    assert run.config_file == str(path)
    assert [(f.policy, f.level, f.message) for f in run.findings] == [
        ("never-rule", Level.ADVISORY, "found."),
        ("high-rule", Level.MANDATORY, "found."),  # production: P147 is mandatory
        ("cost-rule", Level.ADVISORY, "found."),  # production: cost is advisory
        ("cloudtrail-enabled", Level.MANDATORY, "by organization."),
    ]


def test_the_baseline_is_merged_into_a_policys_own_settings(tmp_path: Path) -> None:
    trail = _spec("cloudtrail-enabled", _nothing)
    _config(tmp_path, "dev", {"cloudtrail-enabled": {"enforcementLevel": "advisory", "region": "eu-west-1"}})
    settings = load_policy_config("dev", tmp_path, [trail, NEVER], baseline="organization")[0]
    assert settings == {
        "cloudtrail-enabled": PolicySetting(Level.ADVISORY, {"region": "eu-west-1", "providedBy": "organization"}),
        "never-rule": PolicySetting(Level.MANDATORY),
    }
    _config(tmp_path, "dev", {"cloudtrail-enabled": {"providedElsewhere": True}})
    assert load_policy_config("dev", tmp_path, [trail], baseline="organization")[0] == {
        "cloudtrail-enabled": PolicySetting(Level.MANDATORY, {"providedElsewhere": True})
    }


def test_the_deferral_net_runs_at_security_value_unknowns_level() -> None:
    unknown = _spec(VALUE_UNKNOWN, _nothing, principles=("P147",))
    graph = _graph()
    pack = [NEVER, unknown]
    assert deferral_net([NEVER], {}, graph, None) == DeferralNet(graph, None, Level.DISABLED)
    assert deferral_net(pack, {}, graph, None) == DeferralNet(graph, unknown, Level.ADVISORY)  # dev: P147 advisory
    assert deferral_net(pack, {}, graph, True) == DeferralNet(graph, unknown, Level.MANDATORY)
    given = {VALUE_UNKNOWN: PolicySetting(Level.MANDATORY)}
    assert deferral_net(pack, given, graph, None) == DeferralNet(graph, unknown, Level.MANDATORY)
    off = {VALUE_UNKNOWN: PolicySetting(Level.DISABLED)}
    assert deferral_net(pack, off, graph, None) == DeferralNet(graph, None, Level.DISABLED)


def test_without_a_program_the_packs_own_files_and_policies_are_read(tmp_path: Path) -> None:
    assert config_path("acme/proj/dev") == CONFIG_DIR / "dev.json"
    settings, source = load_policy_config("nosuchstack", tmp_path)
    assert (source, set(settings)) == ("", {p.name for p in all_policies()})
    assert stack_props(_node("b", inputs={"a": 1}, outputs={"b": 2}, id="i")) == {"a": 1, "b": 2, "id": "i"}


def test_lowered_levels_follow_the_declared_production(tmp_path: Path) -> None:
    _config(tmp_path, "dev", {"never-rule": "mandatory"})
    assert lowered_levels("dev", tmp_path, True, PACK)[0] == []  # high-rule unnamed: mandatory in production too


def test_a_stack_whose_outputs_hold_a_secret_keeps_it_out_of_findings_and_errors() -> None:
    stack = _node(
        "proj-dev",
        STACK_TYPE,
        urn=f"urn:pulumi:dev::proj::{STACK_TYPE}::proj-dev",
        custom=False,
        outputs={"dbPassword": "[secret]"},
        secret_outputs={"dbPassword": "stack-secret-1"},
    )

    def reports(_args: Any, report: Any) -> None:
        report("the output stack-secret-1 is plain.")

    def raises(_args: Any, _report: Any) -> None:
        raise ValueError("stack-secret-1")

    specs = [_spec("reports-rule", reports, kind=Kind.STACK), _spec("raises-rule", raises, kind=Kind.STACK)]
    run = run_policies(ResourceGraph("proj", "dev", [stack]), policies=specs, config=_only(*specs))
    assert [(f.policy, f.resource, f.message) for f in run.findings] == [
        ("reports-rule", "", "the output [secret] is plain."),
        (PACK_ERROR, "", "a policy raised while analysing the stack: raises-rule: ValueError: [secret]"),
    ]


def test_a_policy_the_given_config_does_not_name_gets_the_declared_productions_level() -> None:
    spec = _spec("unnamed-rule", lambda args, report: report("found."), principles=("P147",))
    run = run_policies(_graph(_node("b")), policies=[spec], config={}, production=True)
    assert [(f.policy, f.level) for f in run.findings] == [("unnamed-rule", Level.MANDATORY)]


def test_a_provider_under_two_parents_is_named_by_its_own_token() -> None:
    urn = "urn:pulumi:dev::proj::my:index:Outer$my:index:Inner$pulumi:providers:gcp::g"
    graph = ResourceGraph("proj", "dev", [], {"gcp:project": "p"})
    assert provider_of(_node("b", provider=urn), graph) == ("pulumi:providers:gcp", {"project": "p"}, urn, "g")


def test_a_stack_policy_sees_each_resources_options_and_a_default_provider_without_links() -> None:
    parent = _node("group", "my:index:Group")
    child = _node("child", parent=parent.urn, provider=DEFAULT, protect=True)
    built = {r.name: r for r in stack_resources(ResourceGraph("proj", "dev", [parent, child]))}
    assert _options_of(built["child"].opts) == (True, [], None, [], (0, 0, 0), [], parent.urn)
    default = built["default_6_0_0"]
    assert (default.parent, default.dependencies, default.property_dependencies) == (None, [], {})


# ------------------------------------------------- the net under security-value-unknown (preflight.deferred)

UNLISTED = "notAListedInput"  # no table of policies/security_values.py owns it, and it is no identity input
NET = _spec(VALUE_UNKNOWN, _nothing, principles=("P147",))


def _defers(name: str, path: list[str], **kw: Any) -> PolicySpec:
    def validate(_args: Any, _report: Any) -> None:
        raise UnknownValueError(UNKNOWN_STRING_VALUE, path)

    return _spec(name, validate, **kw)


def _net_findings(run: Any) -> list[tuple[str, str, Level, str]]:
    return [(f.policy, f.resource, f.level, f.message) for f in run.findings]


def test_a_deferral_outside_a_preview_is_one_finding_per_resource_and_input() -> None:
    first, second = _defers("first-rule", [UNLISTED]), _defers("second-rule", [UNLISTED, "0"])
    cost = _defers("cost-defers", [UNLISTED], category=Category.COST)
    pack = [NET, first, second, cost]
    graph = _graph(_node("a"), _node("b"))
    run = run_policies(graph, policies=pack, config=_only(*pack, levels={VALUE_UNKNOWN: Level.ADVISORY}))
    assert _net_findings(run) == [
        (VALUE_UNKNOWN, "a", Level.ADVISORY, message("first-rule", [UNLISTED])),
        (VALUE_UNKNOWN, "b", Level.ADVISORY, message("first-rule", [UNLISTED])),
        (VALUE_UNKNOWN, "a", Level.ADVISORY, message("second-rule", [UNLISTED, "0"])),
        (VALUE_UNKNOWN, "b", Level.ADVISORY, message("second-rule", [UNLISTED, "0"])),
    ]  # the cost rule's deferral is no security question: a note only
    assert len(run.undetermined) == 6
    assert _net_findings(run_policies(graph, policies=pack, config=_only(*pack), dry_run=True)) == []
    off = _only(*pack, levels={VALUE_UNKNOWN: Level.DISABLED})
    assert _net_findings(run_policies(graph, policies=pack, config=off)) == []
    twice = [NET, first, _defers("again-rule", [UNLISTED])]
    assert [f.resource for f in run_policies(_graph(_node("a")), policies=twice, config=_only(*twice)).findings] == [
        "a"
    ]


def test_a_stack_rules_deferral_lands_on_the_resources_holding_the_unknown() -> None:
    holding = _node("holder", inputs={UNLISTED: UNKNOWN_STRING_VALUE})
    stack_rule = _defers("stack-defers", [UNLISTED], kind=Kind.STACK)
    pack = [NET, stack_rule]
    run = run_policies(_graph(holding, _node("plain")), policies=pack, config=_only(*pack), production=True)
    assert _net_findings(run) == [(VALUE_UNKNOWN, "holder", Level.MANDATORY, message("stack-defers", [UNLISTED]))]
    nowhere = run_policies(_graph(_node("plain")), policies=pack, config={}, production=True)
    assert _net_findings(nowhere) == [(VALUE_UNKNOWN, "", Level.MANDATORY, message("stack-defers", [UNLISTED]))]
