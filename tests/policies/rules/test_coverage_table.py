"""resource-not-judged called directly: which resources of which providers no rule judges, aws-native twins
(judged through their pulumi-aws views by resource and stack rules alike), and the exact messages
(bench/MUTATION.md)."""
# ruff: noqa: E501  (one case per line reads as a table)

from __future__ import annotations

import pytest
from pulumi_policy import PolicyResource

from policies.registry import all_policies
from policies.rules import coverage
from tests.policies.rules.calls import provider, resource, run_stack, urn

PROVIDER = provider({})


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
        ("aws-native:lambda:Function", None),
        ("aws-native:s3:Bucket", None),
        ("aws-native:ec2:Instance", "r: no rule of the pack judges aws-native:ec2:Instance (provider aws-native)."),
    ],
    ids=["ok_aws", "ok_pulumi", "ok_random_state_only", "ok_time_state_only", "ok_named_by_a_rule", "ok_twin_fully_judged",
         "bad1_other_cloud", "bad2_native_without_twin",
         "ok_native_function_has_views", "ok_native_bucket_has_views", "bad3_real_native_type_without_twin"],
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
    assert coverage.not_judged("gcp:storage/bucket:Bucket", []) is True
    assert coverage.not_judged("gcp:storage/bucket:Bucket", all_policies()) is True
    assert coverage.not_judged("aws-native:lambda:Function", []) is False  # a twin, whatever the pack
    assert coverage.not_judged("aws-native:ec2:Instance", all_policies()) is True
    assert coverage.not_judged("aws:s3/bucket:Bucket", []) is False  # the pack's own provider
    assert coverage.package("aws-native:s3:Bucket") == "aws-native"
