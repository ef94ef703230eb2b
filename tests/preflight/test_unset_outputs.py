"""Unset nested blocks come back as the bridged provider plans them (preflight/unset_outputs.py), and only those.

Bad case (before): every output the program did not set stayed unknown, so a CloudFront distribution built from
another's `ordered_cache_behaviors` (omdv/options-advisor) made lambda-failure-destination "cannot tell" for the
whole stack, and a function invoked by EventBridge and S3 without a dead-letter queue passed the gate.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pulumi
import pulumi_aws as aws
import pytest

from policies.registry import by_name
from preflight.engine import _FabricatingMocks, synthesize
from preflight.fabricate import created_outputs, input_names, read_outputs
from preflight.findings import Level
from preflight.graph import UNKNOWN
from preflight.policy_runner import PolicySetting, run_policies
from preflight.regions import Regions
from preflight.unset_outputs import _block_kind, planned_unset_blocks, unset_blocks
from tests.preflight.programs import write_program
from tests.preflight.public_programs import PROGRAMS

REGION = "us-east-1"
DISTRIBUTION = "aws:cloudfront/distribution:Distribution"
FUNCTION = "aws:lambda/function:Function"
ABSENT = object()


@pytest.mark.parametrize(
    ("type_", "output", "expected"),
    [
        # list blocks (TypeList/TypeSet of a resource): `normalizeBlockCollections` makes them [], kept as [].
        (DISTRIBUTION, "orderedCacheBehaviors", []),
        (DISTRIBUTION, "customErrorResponses", []),
        (DISTRIBUTION, "originGroups", []),
        # MaxItems=1 blocks, typed as one object: no element is null.
        (DISTRIBUTION, "loggingConfig", None),
        (FUNCTION, "deadLetterConfig", None),
        (FUNCTION, "vpcConfig", None),
        # Computed blocks (typed without Optional) are AWS's: unknown, never guessed.
        (FUNCTION, "loggingConfig", ABSENT),
        (FUNCTION, "tracingConfig", ABSENT),
        (FUNCTION, "ephemeralStorage", ABSENT),
        (DISTRIBUTION, "trustedSigners", ABSENT),
        (DISTRIBUTION, "restrictions", ABSENT),  # Required: the program sets it
        # Optional scalars may carry a Terraform Default the typing does not show (memory_size: 128): unknown.
        (FUNCTION, "memorySize", ABSENT),
        (FUNCTION, "timeout", ABSENT),
        (DISTRIBUTION, "webAclId", ABSENT),
        # a list of strings is no block (no normalisation): unknown.
        (FUNCTION, "layers", ABSENT),
        (DISTRIBUTION, "aliases", ABSENT),
    ],
)
def test_what_an_unset_input_comes_back_as(type_: str, output: str, expected: Any) -> None:
    _, state = created_outputs(type_, "r", {}, REGION)
    assert state.get(output, ABSENT) == expected if expected is not ABSENT else output not in state


def test_the_fabricated_outputs_stay_and_what_the_program_set_is_kept() -> None:
    behaviors = [{"pathPattern": "/api/*", "targetOriginId": "api"}]
    _, state = created_outputs(DISTRIBUTION, "cdn", {"orderedCacheBehaviors": behaviors}, REGION)
    assert state["orderedCacheBehaviors"] == behaviors
    assert state["customErrorResponses"] == []
    _, function = created_outputs(FUNCTION, "fn", {"deadLetterConfig": {"targetArn": "arn:x"}}, REGION)
    assert function["deadLetterConfig"] == {"targetArn": "arn:x"}
    assert function["arn"] == "arn:aws:lambda:us-east-1:123456789012:function:fn-" + function["arn"][-7:]


def test_each_resource_gets_its_own_empty_list() -> None:
    _, first = created_outputs(DISTRIBUTION, "a", {}, REGION)
    _, second = created_outputs(DISTRIBUTION, "b", {}, REGION)
    first["orderedCacheBehaviors"].append({"pathPattern": "/x"})
    assert second["orderedCacheBehaviors"] == []


def test_a_resource_read_by_id_keeps_its_blocks_unknown() -> None:
    """What a read resource holds is AWS's: its ordered cache behaviours may be many."""
    state = read_outputs(DISTRIBUTION, "cdn", "E2QWRUHAPOMQZL", {}, REGION)  # an id of the CloudFront docs' shape
    assert "orderedCacheBehaviors" not in state
    assert "deadLetterConfig" not in read_outputs(FUNCTION, "fn", "my-function", {}, REGION)


def test_an_imported_resource_keeps_its_blocks_unknown() -> None:
    """`ResourceOptions(import_=id)` adopts what AWS holds: the mock is given the id and plans no blocks."""
    mocks = _FabricatingMocks(Regions({"aws:region": REGION}))
    args = pulumi.runtime.MockResourceArgs(typ=DISTRIBUTION, name="cdn", inputs={}, provider="", custom=True)
    assert mocks.new_resource(args)[1]["orderedCacheBehaviors"] == []
    args.resource_id = "E2QWRUHAPOMQZL"
    assert "orderedCacheBehaviors" not in mocks.new_resource(args)[1]


def _annotation(cls: type, attribute: str) -> Any:
    return getattr(cls, attribute).fget.__annotations__["return"]


@pytest.mark.parametrize(
    ("cls", "attribute", "kind"),
    [
        (aws.cloudfront.Distribution, "ordered_cache_behaviors", "list"),  # Output[Optional[Sequence[outputs.X]]]
        (aws.cloudfront.Distribution, "logging_config", "object"),  # Output[Optional[outputs.X]]
        (aws.cloudfront.Distribution, "origins", None),  # Output[Sequence[outputs.X]]: Required
        (aws.cloudfront.Distribution, "trusted_signers", None),  # Computed
        (aws.cloudfront.Distribution, "restrictions", None),  # Output[outputs.X]: Required
        (aws.lambda_.Function, "logging_config", None),  # Output[outputs.X]: Computed
        (aws.cloudfront.Distribution, "web_acl_id", None),  # Output[Optional[str]]
        (aws.cloudfront.Distribution, "aliases", None),  # Output[Optional[Sequence[str]]]
        (aws.lambda_.Function, "tags", None),  # Output[Optional[Mapping[str, str]]]
        (aws.lambda_.Function, "memory_size", None),  # Output[Optional[int]]
    ],
)
def test_the_typing_read(cls: type, attribute: str, kind: str | None) -> None:
    assert _block_kind(_annotation(cls, attribute)) == kind


def test_no_output_that_is_no_input_is_filled() -> None:
    """`unset_blocks` reads the typing; only the type's inputs are filled (an output only is Computed).

    In pulumi-aws 7.51.1 every Optional block output of every type is also an input (a scan of all 1,748 types'
    `unset_blocks` less `input_names` is empty), so no real type shows the guard: the test hands
    `planned_unset_blocks` the inputs of a type whose Optional blocks are not all inputs, as a `MarkAsOptional`
    override of a Computed block would make them, and a distribution's blocks outside them stay absent."""
    assert set(unset_blocks(DISTRIBUTION)) >= {"orderedCacheBehaviors", "loggingConfig"}
    inputs_of = input_names(DISTRIBUTION) - {"orderedCacheBehaviors", "loggingConfig"}
    planned = planned_unset_blocks(DISTRIBUTION, {}, inputs_of)
    assert "orderedCacheBehaviors" not in planned and "loggingConfig" not in planned
    assert planned["customErrorResponses"] == [] and planned["originGroups"] == []  # the inputs still are
    assert planned_unset_blocks(DISTRIBUTION, {}, frozenset()) == {}


CHAIN = """
import json
import pulumi
import pulumi
import pulumi_aws as aws

bucket = aws.s3.Bucket("site")
role = aws.iam.Role("role", assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
    "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))
fn = aws.lambda_.Function("fn", package_type="Image", image_uri="123456789012.dkr.ecr.us-east-1.amazonaws.com/a:v1",
    role=role.arn)
rule = aws.cloudwatch.EventRule("schedule", schedule_expression="cron(30 12 * * ? *)")
aws.cloudwatch.EventTarget("target", rule=rule.name, arn=fn.arn)
aws.lambda_.Permission("from-events", action="lambda:InvokeFunction", function=fn.name,
    principal="events.amazonaws.com", source_arn=rule.arn)
aws.lambda_.Permission("from-s3", action="lambda:InvokeFunction", function=fn.name, principal="s3.amazonaws.com",
    source_arn=bucket.arn)
first = aws.cloudfront.Distribution("first", enabled=True,
    origins=[{"origin_id": "s3", "domain_name": bucket.bucket_regional_domain_name}],
    default_cache_behavior={"allowed_methods": ["GET", "HEAD"], "cached_methods": ["GET", "HEAD"],
        "target_origin_id": "s3", "viewer_protocol_policy": "redirect-to-https"},
    restrictions={"geo_restriction": {"restriction_type": "none"}},
    viewer_certificate={"cloudfront_default_certificate": True})
# The second built from the first one's outputs, as options-advisor's route53.py does.
aws.cloudfront.Distribution("second", enabled=True, origins=first.origins,
    default_cache_behavior=first.default_cache_behavior, restrictions=first.restrictions,
    viewer_certificate={"cloudfront_default_certificate": True},
    ordered_cache_behaviors=first.ordered_cache_behaviors, custom_error_responses=first.custom_error_responses,
    logging_config=first.logging_config)
"""


def test_a_distribution_built_from_anothers_outputs_is_judged(tmp_path: Path) -> None:
    graph = synthesize(write_program(tmp_path, CHAIN), "dev")
    second = next(n for n in graph if n.name == "second")
    assert second.inputs["orderedCacheBehaviors"] == []
    assert second.inputs["customErrorResponses"] == []
    # A null output is unknown to the program during a preview, as under a real `pulumi preview` (the Python SDK's
    # rpc.resolve_properties): the engine runs the program as one.
    assert second.inputs["loggingConfig"] == UNKNOWN
    assert next(n for n in graph if n.name == "first").outputs["loggingConfig"] is None
    names = ("lambda-failure-destination", "lambda-log-group")
    config = {name: PolicySetting(Level.MANDATORY, {}) for name in names}
    run = run_policies(graph, policies=[by_name()[n] for n in names], config=config)
    assert {(f.policy, f.resource) for f in run.findings} == {(n, "fn") for n in names}
    assert run.undetermined == []


def test_options_advisor_is_judged(tmp_path: Path) -> None:
    """The reproduction of omdv/options-advisor itself: its function, invoked by EventBridge and S3 without a
    dead-letter queue, is the violation the unknown cache behaviours of its second distribution hid."""
    program = PROGRAMS["options-advisor"]
    directory = write_program(tmp_path, program.main, name=program.name, config=program.config, files=program.files)
    graph = synthesize(directory, "dev", timeout=120)
    names = ("lambda-failure-destination", "lambda-log-group")
    config = {name: PolicySetting(Level.MANDATORY, {}) for name in names}
    run = run_policies(graph, policies=[by_name()[n] for n in names], config=config)
    assert {(f.policy, f.resource) for f in run.findings} == {(n, "lambda-function") for n in names}
    assert run.undetermined == []
