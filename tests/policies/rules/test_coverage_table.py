"""resource-not-judged called directly: which resources of which providers no rule judges, aws-native twins
whose stack rules miss them, and the exact messages (bench/MUTATION.md)."""
# ruff: noqa: E501  (one case per line reads as a table)

from __future__ import annotations

import pytest
from pulumi_policy import PolicyResource

from policies.registry import all_policies
from policies.rules import coverage
from policies.spec import Kind
from tests.policies.rules.calls import provider, resource, run_stack, urn

PROVIDER = provider({})
#: The stack rules of aws-native:lambda:Function's twin, in pack order (today lambda-edge-deployable,
#: lambda-active-tracing, lambda-failure-destination, lambda-log-group).
LAMBDA_STACK_RULES = ", ".join(
    p.name for p in all_policies() if p.kind is Kind.STACK and "aws:lambda/function:Function" in p.resource_types
)


@pytest.mark.parametrize(
    ("type_", "message"),
    [
        ("aws:s3/bucket:Bucket", None),
        ("pulumi:providers:aws", None),
        ("random:index/randomId:RandomId", None),
        ("time:index/sleep:Sleep", None),
        ("aws-native:greengrassv2:Deployment", None),
        ("aws-native:sqs:Queue", None),
        ("gcp:storage/bucket:Bucket", "r: no rule of the pack judges gcp:storage/bucket:Bucket (provider gcp)."),
        ("aws-native:madeup:Thing", "r: no rule of the pack judges aws-native:madeup:Thing (provider aws-native)."),
        ("aws-native:lambda:Function", f"r: aws-native:lambda:Function is judged as its pulumi-aws twin by the resource rules, but not by the stack rules {LAMBDA_STACK_RULES}."),
    ],
    ids=["ok_aws", "ok_pulumi", "ok_random_state_only", "ok_time_state_only", "ok_named_by_a_rule", "ok_twin_fully_judged",
         "bad1_other_cloud", "bad2_native_without_twin", "bad3_twin_missed_by_stack_rules"],
)  # fmt: skip
def test_not_judged(type_: str, message: str | None) -> None:
    found = run_stack(coverage.NOT_JUDGED, [resource(type_, "r", {}, provider=PROVIDER)], None)
    assert found == ([] if message is None else [(message, urn(type_, "r"))])


def test_components_group_and_are_not_judged() -> None:
    component = resource("my:index:Component", "c", {})
    assert run_stack(coverage.NOT_JUDGED, [component], None) == []


def test_every_resource_is_named_in_order() -> None:
    resources: list[PolicyResource] = [
        resource("gcp:storage/bucket:Bucket", "first", {}, provider=PROVIDER),
        resource("aws:s3/bucket:Bucket", "judged", {}, provider=PROVIDER),
        resource("azure:storage/account:Account", "second", {}, provider=PROVIDER),
    ]
    assert [m.split(":", 1)[0] for m, _ in run_stack(coverage.NOT_JUDGED, resources, None)] == ["first", "second"]


def test_not_judged_answers_for_any_pack() -> None:
    assert coverage.not_judged("gcp:storage/bucket:Bucket", []) == ()
    assert coverage.not_judged("aws-native:lambda:Function", []) is None
    assert ", ".join(coverage.not_judged("aws-native:lambda:Function", all_policies()) or ()) == LAMBDA_STACK_RULES
    assert LAMBDA_STACK_RULES.startswith("lambda-edge-deployable, ")
    assert coverage.package("aws-native:s3:Bucket") == "aws-native"
