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

from policies.spec import Category, Kind, PolicySpec
from preflight.errors import ConfigError
from preflight.findings import Level, Source
from preflight.graph import STACK_TYPE, ResourceGraph, ResourceNode
from preflight.policy_runner import (
    PACK_ERROR,
    LoweredLevel,
    PolicySetting,
    cannot_tell,
    config_path,
    load_policy_config,
    lowered_levels,
    provider_of,
    redact_secret_text,
    run_policies,
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
