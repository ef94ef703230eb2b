"""Work the policies phase does once per run, per type or per bucket, not once per resource and policy.

bench/SPEED.md (session 3): on a 2,000-resource program the runner resolved a provider reference once per
resource per policy, the stack index asked every resource whether it had views of the wanted types, and
`s3-setting-managed-once` copied each bucket's inputs once per one-per-bucket setting. The verdicts are
unchanged (bench/phases.py compares every finding of the template's stacks and the public programs
between two trees); these tests pin the counts.
"""

from __future__ import annotations

from typing import Any

import pytest
from pulumi_policy import PolicyCustomTimeouts, PolicyResource, PolicyResourceOptions, StackValidationArgs
from pulumi_policy.proxy import unknown_checking_proxy

from policies import lib, native
from policies.rules import s3
from preflight import policy_runner
from preflight.graph import ResourceGraph
from tests.policies.conftest import custom_node

QUEUE = "aws:sqs/queue:Queue"
BUCKET = "aws:s3/bucket:Bucket"
BLOCK = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
DEFAULT_PROVIDER = "urn:pulumi:prod::p::pulumi:providers:aws::default_7_0_0::04da6b54-80e4-46f7-96ec-b56ff0331ba9"


def _graph() -> ResourceGraph:
    nodes = [custom_node(QUEUE, f"q{i}", {"name": f"q{i}"}, provider=DEFAULT_PROVIDER) for i in range(6)]
    nodes += [custom_node(BUCKET, f"b{i}", {"bucket": f"b{i}"}, provider=DEFAULT_PROVIDER) for i in range(3)]
    return ResourceGraph("p", "prod", nodes, config={"aws:region": "us-east-1"})


def test_a_provider_reference_is_resolved_once_per_run(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    resolve = policy_runner.provider_of

    def counting(node: Any, graph: ResourceGraph) -> Any:
        calls.append(node.provider)
        return resolve(node, graph)

    monkeypatch.setattr(policy_runner, "provider_of", counting)
    run = policy_runner.run_policies(_graph())
    assert run.findings  # the pack judged the resources (and their providers) at all
    assert calls == [DEFAULT_PROVIDER]


def test_each_policy_still_gets_its_own_provider_object() -> None:
    graph = _graph()
    known: dict[str, Any] = {}
    first = policy_runner._provider(graph.resources[0], graph, known)
    second = policy_runner._provider(graph.resources[1], graph, known)
    assert first is not None and second is not None
    assert first is not second and first.props is not second.props
    assert first.props["region"] == second.props["region"] == "us-east-1"


def _resource(index: int, type_: str, props: dict[str, Any]) -> PolicyResource:
    options = PolicyResourceOptions(False, [], None, [], PolicyCustomTimeouts(0, 0, 0), [], None)
    urn = f"urn:pulumi:dev::p::{type_}::r{index}"
    return PolicyResource(type_, unknown_checking_proxy(props), urn, f"r{index}", options, None, None, [], {})


def test_the_stack_index_asks_each_type_once_whether_it_has_views(monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []
    lookup = native.twin_types

    def counting(resource_type: str) -> frozenset[str]:
        asked.append(resource_type)
        return lookup(resource_type)

    monkeypatch.setattr(lib, "twin_types", counting, raising=False)
    monkeypatch.setattr(native, "twin_types", counting)
    resources = [_resource(i, QUEUE, {"name": f"q{i}"}) for i in range(10)]
    resources += [_resource(10 + i, BUCKET, {"bucket": f"b{i}"}) for i in range(2)]
    assert lib.resources_of(StackValidationArgs(resources), BLOCK) == []
    assert sorted(asked) == [BUCKET, QUEUE]


def test_managed_once_copies_each_buckets_inputs_once(monkeypatch: pytest.MonkeyPatch) -> None:
    copied: list[Any] = []
    copy = s3.plain

    def counting(value: Any) -> Any:
        copied.append(value)
        return copy(value)

    monkeypatch.setattr(s3, "plain", counting)
    buckets = [_resource(i, BUCKET, {"bucket": f"b{i}", "versioning": {"enabled": True}}) for i in range(3)]
    block = _resource(3, "aws:s3/bucketVersioning:BucketVersioning", {"bucket": "b0"})
    found: list[str] = []
    s3._check_managed_once(StackValidationArgs([*buckets, block]), lambda message, urn=None: found.append(message))
    assert len(copied) == len(buckets)
    assert len(found) == 1 and "r0 (inline versioning)" in found[0]  # still judged: b0 has two managers
