"""preflight.unseen's findings and notes, compared whole, on hand-built graphs (no gate run).

Why: tests/preflight/test_unseen.py checks these through whole gate runs (a synthesis each), which a mutation run
cannot make in mutmut's forked child (bench/MUTATION.md, run J's traps), and checks a few words of each message. A
finding's text is what the reviewer reads and a waiver names (P112, P188), so every field is compared here.
"""

from __future__ import annotations

from typing import Any

import pytest

from policies.rules.document_unknown import VALUE_UNKNOWN
from preflight.findings import Finding, Level, Source
from preflight.graph import ResourceGraph, ResourceNode, UnrunApply
from preflight.random_outputs import RANDOM_SHUFFLE, RANDOM_STRING
from preflight.unseen import (
    APPLY_POLICY,
    REMOTE_POLICY,
    apply_findings,
    own_output_gaps,
    own_sources,
    read_notes,
    remote_component_findings,
)

_UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"  # pulumi's UNKNOWN_VALUE, a member of SENTINELS
_STACK = "urn:pulumi:prod::p::pulumi:pulumi:Stack::p-prod"
_REF = "urn:pulumi:prod::p::pulumi:pulumi:StackReference::net"
_VPC = "urn:pulumi:prod::p::parent$awsx:ec2:Vpc::vpc"

_REMOTE_MESSAGE = (
    "{type} is a multi-language component: its provider plugin (pulumi-{package}) builds the resources inside it at "
    "deploy time and does not run offline, so none of them was judged (neither by the policies nor by checkov)"
)
_REMOTE_FIX = (
    "Judge what the plugin builds: `pulumi preview --json > preview.json`, then `python -m preflight check "
    "--from-preview preview.json`; or build these resources with pulumi-aws directly. Waive this finding in "
    "policies/suppressions.yaml (with a reason and an expiry) only once the component's resources have been reviewed."
)
_APPLY_FIX = (
    "create the resources outside the callback, passing the output as an input. Waive this finding in "
    "policies/suppressions.yaml (with a reason and an expiry) only once the callback is known to create nothing."
)


def _node(name: str, type_: str = "aws:sqs/queue:Queue", **kw: Any) -> ResourceNode:
    return ResourceNode(
        urn=f"urn:pulumi:prod::p::{type_}::{name}",
        type=type_,
        name=name,
        custom=kw.pop("custom", True),
        parent="",
        provider="",
        inputs=kw.pop("inputs", {}),
        outputs=kw.pop("outputs", {}),
        id=kw.pop("id", ""),
        dependencies=kw.pop("dependencies", ()),
        property_dependencies=kw.pop("property_dependencies", {}),
    )


_KEY = _node("key", "aws-native:kms:ReplicaKey")
_KEY2 = _node("key2", "aws-native:kms:ReplicaKey")
_AWS_KEY = _node("awskey", "aws:kms/key:Key")


@pytest.mark.parametrize(
    ("stack", "production", "level"),
    [
        ("prod", None, Level.MANDATORY),
        ("dev", None, Level.ADVISORY),
        ("dev", True, Level.MANDATORY),
        ("prod", False, Level.ADVISORY),
    ],
)
def test_a_remote_component_finding_whole(stack: str, production: bool | None, level: Level) -> None:
    other = "urn:pulumi:prod::p::my:app:Platform$my:app:Network$eks:index:Cluster::k8s"  # nested two deep
    graph = ResourceGraph("p", stack, [], remote_components=[_VPC, other])
    assert remote_component_findings(graph, production) == [
        Finding(
            REMOTE_POLICY,
            Source.CROSSGUARD,
            level,
            name,
            type_,
            urn,
            ("P112", "P188"),
            _REMOTE_MESSAGE.format(type=type_, package=package),
            _REMOTE_FIX,
            "high",
        )
        for urn, name, type_, package in (
            (_VPC, "vpc", "awsx:ec2:Vpc", "awsx"),
            (other, "k8s", "eks:index:Cluster", "eks"),
        )
    ]


def _apply_message(at: str, times: str, source: str) -> str:
    return (
        f"the apply callback at {at} did not run offline ({times}): its value is unknown{source}, so whatever it "
        "registers at deploy time, if anything, was not judged (neither by the policies nor by checkov)"
    )


def test_apply_findings_whole_with_their_sources_and_the_helper_line() -> None:
    vpc = _node("vpc", "awsx:ec2:Vpc")
    graph = ResourceGraph(
        "p",
        "acme/p/prod",
        [vpc],
        remote_components=[vpc.urn],
        unrun_applies=[
            UnrunApply("__main__.py:4", 1, (_REF,)),
            UnrunApply("__main__.py:9", 2, (_STACK, vpc.urn, _REF), "../lib/net.py:3"),
            UnrunApply("__main__.py:12", 3, ()),
        ],
    )
    state_it = (
        "State the referenced stack's outputs in the program's policies/config/prod.stack-references.json "
        '(`{"<stack>": {"outputs": {...}}}`) so the callback runs and what it creates is judged; or '
    )
    expected = [
        Finding(
            APPLY_POLICY,
            Source.CROSSGUARD,
            Level.ADVISORY,
            "__main__.py:4",
            "pulumi:Output.apply",
            _REF,
            ("P112", "P188"),
            _apply_message("__main__.py:4", "once", " (it comes from StackReference 'net')"),
            state_it + _APPLY_FIX,
            "high",
        ),
        Finding(
            APPLY_POLICY,
            Source.CROSSGUARD,
            Level.ADVISORY,
            "__main__.py:9",
            "pulumi:Output.apply",
            "",
            ("P112", "P188"),
            _apply_message(
                "../lib/net.py:3 (helper code outside the program, called from __main__.py:9)",
                "2 times",
                " (it comes from awsx:ec2:Vpc 'vpc', StackReference 'net')",
            ),
            state_it + _APPLY_FIX,
            "high",
        ),
        Finding(
            APPLY_POLICY,
            Source.CROSSGUARD,
            Level.ADVISORY,
            "__main__.py:12",
            "pulumi:Output.apply",
            "",
            ("P112", "P188"),
            _apply_message("__main__.py:12", "3 times", ""),
            _APPLY_FIX,
            "high",
        ),
    ]
    assert apply_findings(graph, False) == expected
    assert [f.level for f in apply_findings(graph, True)] == [Level.MANDATORY] * 3


def test_an_own_unfabricated_apply_is_a_note_word_for_word_and_the_next_line_still_a_finding() -> None:
    graph = ResourceGraph(
        "p",
        "prod",
        [_KEY, _AWS_KEY, _KEY2],
        unrun_applies=[
            UnrunApply("__main__.py:4", 1, (_KEY.urn, _AWS_KEY.urn, _KEY2.urn), "lib.py:2"),
            UnrunApply("__main__.py:8", 1, (_REF,)),
        ],
    )
    notes: list[str] = []
    found = apply_findings(graph, None, notes)
    assert notes == [
        f"{APPLY_POLICY}: the apply callback at lib.py:2 (helper code outside the program, called from "
        f"__main__.py:4) did not run offline (once): built from {_KEY.urn}, {_KEY2.urn}'s output, which the engine "
        "does not fabricate; at `pulumi up` the callback runs and the pack judges whatever it registers (checkov "
        "did not run here, so nothing checkov alone judges was asked of it)"
    ]
    assert [(f.resource, f.level) for f in found] == [("__main__.py:8", Level.MANDATORY)]


def test_read_notes_name_each_read_and_what_a_stack_reference_was_given() -> None:
    bucket = _node("logs", "aws:s3/bucket:Bucket", id="central-logs")
    stated = _node(
        "shared",
        "pulumi:pulumi:StackReference",
        id="acme/net/prod",
        inputs={"name": "acme/net/prod"},
        outputs={"outputs": {"vpcId": "vpc-1", "subnets": []}},
    )
    unstated = _node("other", "pulumi:pulumi:StackReference", id="acme/other/dev")
    # the `name` input is the stack read, whatever the read's id says
    named = _node("named", "pulumi:pulumi:StackReference", id="ref-id", inputs={"name": "acme/named/prod"})
    graph = ResourceGraph("p", "acme/p/prod", [], reads=[bucket, stated, unstated, named, bucket])
    path = "policies/config/prod.stack-references.json"
    read = "aws:s3/bucket:Bucket 'logs' (id central-logs) is read, not deployed by this stack: not judged, not priced"
    assert read_notes(graph) == [
        read,
        f"StackReference 'shared' (stack acme/net/prod) is read, not deployed by this stack: 2 of its outputs "
        f"stated in {path}",
        f"StackReference 'other' (stack acme/other/dev) is read, not deployed by this stack: its outputs unknown "
        f"offline (not stated in {path})",
        f"StackReference 'named' (stack acme/named/prod) is read, not deployed by this stack: its outputs unknown "
        f"offline (not stated in {path})",
        read,
    ]


def _finding(node: ResourceNode, policy: str = VALUE_UNKNOWN) -> Finding:
    return Finding(policy, Source.CROSSGUARD, Level.MANDATORY, node.name, node.type, node.urn, (), "m")


def test_an_own_output_gap_note_names_every_source_word_for_word() -> None:
    queue = _node(
        "queue",
        inputs={"delaySeconds": 5, "kmsMasterKeyId": _UNKNOWN, "policy": _UNKNOWN},
        property_dependencies={"kmsMasterKeyId": (_KEY2.urn,), "policy": (_KEY.urn, _AWS_KEY.urn)},
    )
    graph = ResourceGraph("p", "prod", [_KEY, _KEY2, _AWS_KEY, queue])
    notes: list[str] = []
    assert own_output_gaps(graph, [_finding(queue)], notes) == []
    assert notes == [
        f"{VALUE_UNKNOWN}: queue: not judged offline: built from {_KEY.urn}, {_KEY2.urn}'s output, which the engine "
        "does not fabricate; the pack judges it at `pulumi up`"
    ]


def _sources(*extra: ResourceNode, key: ResourceNode = _KEY) -> tuple[str, ...] | None:
    queue = _node("queue", inputs={"kmsMasterKeyId": _UNKNOWN}, property_dependencies={"kmsMasterKeyId": (key.urn,)})
    return own_sources(queue, ResourceGraph("p", "prod", [*extra, key, queue], remote_components=[_VPC]))


def test_a_random_draw_is_never_the_engines_gap_and_a_safe_random_string_is_fabricated() -> None:
    shuffle = _node("pick", RANDOM_SHUFFLE, inputs={"inputs": ["a", "b"]})
    assert _sources(key=shuffle) is None
    wild = _node("wild", RANDOM_STRING, inputs={"length": 8})  # specials drawn: may hold `*`
    assert _sources(key=wild) is None
    safe = _node("safe", RANDOM_STRING, inputs={"length": 8, "special": False})
    # a safe RandomString is fabricated (known): beside an unfabricated key it is not named, alone it excuses nothing
    assert _sources(key=safe) is None
    queue = _node(
        "queue", inputs={"kmsMasterKeyId": _UNKNOWN}, property_dependencies={"kmsMasterKeyId": (safe.urn, _KEY.urn)}
    )
    assert own_sources(queue, ResourceGraph("p", "prod", [safe, _KEY, queue])) == (_KEY.urn,)


def test_what_an_own_source_is_built_from_decides_however_far_up() -> None:
    vpc = ResourceNode(
        urn=_VPC, type="awsx:ec2:Vpc", name="vpc", custom=True, parent="", provider="", inputs={}, outputs={}
    )
    ref_resource = _node("net", "pulumi:pulumi:StackReference")

    def key_from(*urns: str, via_property: bool = False) -> ResourceNode:
        if via_property:
            return _node("key", "aws-native:kms:ReplicaKey", property_dependencies={"primaryKeyArn": urns})
        return _node("key", "aws-native:kms:ReplicaKey", dependencies=urns)

    # built from an own, known resource (which itself depends on another): still the engine's gap
    known = _node("awskey", "aws:kms/key:Key", dependencies=(_KEY2.urn,))
    assert _sources(known, _KEY2, key=key_from(known.urn)) == (_KEY.urn,)
    assert _sources(known, _KEY2, key=key_from(known.urn, via_property=True)) == (_KEY.urn,)
    # a remote component, a StackReference recorded as a resource, a resource the graph lacks: not the engine's gap
    assert _sources(vpc, key=key_from(_VPC)) is None
    assert _sources(ref_resource, key=key_from(ref_resource.urn)) is None
    assert _sources(key=key_from("urn:pulumi:prod::p::aws:s3/bucket:Bucket::gone")) is None
    # two levels up: the own resource in between is built from a StackReference
    middle = _node("middle", "aws:kms/key:Key", dependencies=(ref_resource.urn,))
    assert _sources(ref_resource, middle, key=key_from(middle.urn)) is None
    # a cycle of dependencies ends
    a = _node("a", "aws:kms/key:Key", dependencies=("urn:pulumi:prod::p::aws:kms/key:Key::b",))
    b = _node("b", "aws:kms/key:Key", dependencies=(a.urn,))
    assert _sources(a, b, key=key_from(a.urn)) == (_KEY.urn,)
