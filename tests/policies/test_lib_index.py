"""The stack lookups of policies/lib.py (`resources_of`, `attached`): the scan's answers, in linear time.

Stack policies ask "which resources point at this one" once per resource; answered by a scan of the
stack each time that was O(n^2) and most of the gate on a 2,000-resource program (bench/gate.py).
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pulumi_policy import PolicyCustomTimeouts, PolicyResource, PolicyResourceOptions, StackValidationArgs
from pulumi_policy.proxy import unknown_checking_proxy

from policies import lib
from policies.rules import s3
from policies.wire import UNKNOWN

BUCKET = "aws:s3/bucket:Bucket"
BLOCK = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
VERSIONING = "aws:s3/bucketVersioning:BucketVersioning"
TYPES = (BUCKET, BLOCK, VERSIONING)
VALUES = ("b0", "b1", "b2", "arn:aws:s3:::b0", "", UNKNOWN)


def _resource(index: int, type_: str, props: dict[str, Any], deps: dict[str, list[PolicyResource]]) -> PolicyResource:
    options = PolicyResourceOptions(False, [], None, [], PolicyCustomTimeouts(0, 0, 0), [], None)
    urn = f"urn:pulumi:dev::p::{type_}::r{index}"
    return PolicyResource(type_, unknown_checking_proxy(props), urn, f"r{index}", options, None, None, [], deps)


@st.composite
def stacks(draw: st.DrawFn) -> list[PolicyResource]:
    """Buckets and their satellites, pointing at each other by value, by dependency, or with unknowns."""
    built: list[PolicyResource] = []
    for index in range(draw(st.integers(min_value=1, max_value=12))):
        type_ = draw(st.sampled_from(TYPES))
        props = {key: draw(st.sampled_from(VALUES)) for key in draw(st.sets(st.sampled_from(("id", "arn", "bucket"))))}
        deps = {}
        if built and draw(st.booleans()):
            deps["bucket"] = [draw(st.sampled_from(built))]
        built.append(_resource(index, type_, props, deps))
    return built


@settings(max_examples=150, deadline=None)
@given(stacks())
def test_attached_answers_what_a_scan_answers(resources: list[PolicyResource]) -> None:
    args = StackValidationArgs(resources)
    for types in ((BLOCK,), (BLOCK, VERSIONING), (VERSIONING, BUCKET)):
        assert lib.resources_of(args, *types) == [r for r in resources if r.resource_type in types]
        for target in resources:
            scan = [r for r in lib.resources_of(args, *types) if lib.refers_to(r, "bucket", target, "bucket")]
            assert lib.attached(args, target, "bucket", *types) == scan


def test_a_changed_resource_list_is_indexed_afresh() -> None:
    bucket = _resource(0, BUCKET, {"bucket": "b0"}, {})
    block = _resource(1, BLOCK, {"bucket": "b0"}, {})
    args = StackValidationArgs([bucket])
    assert lib.attached(args, bucket, "bucket", BLOCK) == []
    args.resources = [bucket, block]
    assert lib.attached(args, bucket, "bucket", BLOCK) == [block]
    args.resources.append(_resource(2, BLOCK, {"bucket": "b0"}, {}))
    assert len(lib.attached(args, bucket, "bucket", BLOCK)) == 2


def _reads(buckets: int, monkeypatch: pytest.MonkeyPatch) -> int:
    """How many property reads s3-public-access-blocked makes over `buckets` buckets, each with its block."""
    resources = []
    for i in range(buckets):
        resources.append(_resource(2 * i, BUCKET, {"bucket": f"b{i}"}, {}))
        flags = dict.fromkeys(("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"), 1)
        resources.append(_resource(2 * i + 1, BLOCK, {"bucket": f"b{i}", **flags}, {}))
    calls = 0
    real_get = lib.get

    def counting_get(props: Any, *path: str | int, default: Any = None) -> Any:
        nonlocal calls
        calls += 1
        return real_get(props, *path, default=default)

    violations: list[str] = []
    with monkeypatch.context() as patch:
        patch.setattr(lib, "get", counting_get)
        patch.setattr(s3, "get", counting_get)
        s3.PUBLIC_ACCESS.validate(StackValidationArgs(resources), lambda message, urn=None: violations.append(message))
    assert violations == []  # every bucket has its block: the lookups found them all
    return calls


def test_a_stack_policy_reads_each_resource_a_bounded_number_of_times(monkeypatch: pytest.MonkeyPatch) -> None:
    small, large = _reads(50, monkeypatch), _reads(200, monkeypatch)
    assert large / small < 5, f"property reads grow {large / small:.1f}x for 4x the buckets (quadratic is 16x)"
