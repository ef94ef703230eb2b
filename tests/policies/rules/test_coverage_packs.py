"""resource-not-judged: a type named by any rule of the pack, resource or stack, is judged; a component is
skipped without ending the scan (bench/MUTATION.md, run E)."""

from __future__ import annotations

from pulumi_policy import Severity

from policies.rules import coverage
from policies.spec import Category, Kind, PolicySpec
from tests.policies.rules.calls import provider, resource, run_stack, urn

GCP_BUCKET = "gcp:storage/bucket:Bucket"
PROVIDER = provider({})


def _rule(kind: Kind, *types: str) -> PolicySpec:
    return PolicySpec(
        name=f"names-{kind}",
        description="d",
        explanation="e",
        principles=("P148",),
        severity=Severity.LOW,
        category=Category.GOVERNANCE,
        kind=kind,
        validate=lambda args, report: None,
        resource_types=types,
    )


def test_ok1_a_type_only_a_stack_rule_names_is_judged() -> None:
    assert coverage.not_judged(GCP_BUCKET, [_rule(Kind.STACK, GCP_BUCKET)]) is False


def test_ok2_a_type_only_a_resource_rule_names_is_judged() -> None:
    assert coverage.not_judged(GCP_BUCKET, [_rule(Kind.RESOURCE, GCP_BUCKET)]) is False


def test_bad1_a_type_no_rule_names_is_not_judged() -> None:
    rules = [_rule(Kind.STACK, "gcp:storage/object:Object"), _rule(Kind.RESOURCE, "azure:storage/account:Account")]
    assert coverage.not_judged(GCP_BUCKET, rules) is True


def test_bad2_a_resource_after_a_component_is_still_reported() -> None:
    resources = [resource("my:index:Component", "c", {}), resource(GCP_BUCKET, "b", {}, provider=PROVIDER)]
    assert run_stack(coverage.NOT_JUDGED, resources, None) == [
        (f"b: no rule of the pack judges {GCP_BUCKET} (provider gcp).", urn(GCP_BUCKET, "b"))
    ]
