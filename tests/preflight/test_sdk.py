"""What the engine and the pack learn from the installed pulumi-aws SDK."""

from __future__ import annotations

import inspect
import json

import pulumi_aws as aws

from components.tagging import is_taggable as transform_is_taggable
from policies import sdk
from policies.sdk import is_taggable, output_names, resource_class
from preflight.derived_tables import sdk_resource_tokens

TYPES = [
    "aws:s3/bucket:Bucket",
    "aws:lambda/function:Function",
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    "aws:iam/rolePolicy:RolePolicy",
    "aws:bedrock/agentAgent:AgentAgent",
    "aws:nosuch/thing:Thing",
    "agentic:storage:Storage",
]


def test_type_tokens_resolve_to_sdk_classes() -> None:
    assert resource_class("aws:lambda/function:Function") is aws.lambda_.Function  # `lambda_` module
    assert resource_class("aws:s3/vectorsIndex:VectorsIndex") is aws.s3.VectorsIndex
    assert resource_class("aws:nosuch/thing:Thing") is None
    assert resource_class("not-a-token") is None


def test_output_names_are_the_engine_side_names() -> None:
    names = output_names("aws:s3/vectorsIndex:VectorsIndex")
    assert "indexArn" in names and "index_arn" not in names


def test_pack_and_transform_agree_on_taggable_types() -> None:
    """The tag policy must judge exactly the types the tag transform tags."""
    assert [is_taggable(t) for t in TYPES] == [transform_is_taggable(t) for t in TYPES]
    assert [is_taggable(t) for t in TYPES] == [True, True, False, False, True, False, False]


def test_the_stored_inputs_table_is_the_installed_sdks() -> None:
    """policies/sdk_inputs.json is what the installed pulumi-aws declares, for every resource type (after an
    upgrade: python -m policies.sdk --write)."""
    assert json.loads(sdk.TABLE_FILE.read_text(encoding="utf-8")) == sdk.table()


def test_taking_an_input_reads_the_table_as_the_sdk_would() -> None:
    """The stored answer and the SDK's own agree, for a tabled name and for one the table does not record."""
    for token in [*TYPES, "aws:iam/policy:Policy", "aws:sqs/queuePolicy:QueuePolicy", "aws:opensearch/domain:Domain"]:
        for names in (("tags",), ("policy",), ("access_policies", "policy_document"), ("name",)):
            init = getattr(resource_class(token), "_internal_init", None)
            expected = init is not None and not set(names).isdisjoint(inspect.signature(init).parameters)
            assert sdk.takes_input(token, names) is expected, (token, names)


def test_the_pack_reads_the_same_resource_tokens_as_the_gate() -> None:
    """The pack's own reading of pulumi-aws's registry (it imports nothing from preflight/) lists every type."""
    assert sdk._sdk_resource_tokens() == list(sdk_resource_tokens("pulumi_aws"))
