"""Required tags reach every taggable resource through one stack transform, never by hand."""

from __future__ import annotations

from pathlib import Path

from components.tagging import is_taggable, merge_tags
from preflight.engine import synthesize
from tests.preflight.programs import write_program

ROOT = Path(__file__).resolve().parents[2]

PROGRAM = f"""
import sys
sys.path.insert(0, {str(ROOT)!r})
import pulumi
import pulumi_aws as aws
from components.tagging import register_required_tags

register_required_tags({{"environment": "dev", "team": "ai"}})
bucket = aws.s3.Bucket("data", tags={{"team": "override", "purpose": "outputs"}})
aws.s3.BucketPublicAccessBlock("data-pab", bucket=bucket.id, block_public_acls=True)
aws.sqs.Queue("dlq")
fn_role = aws.iam.Role("role", assume_role_policy="{{}}")
aws.iam.RolePolicy("inline", role=fn_role.id, policy="{{}}")
"""


def test_taggable_types_come_from_the_sdk() -> None:
    assert is_taggable("aws:s3/bucket:Bucket")
    assert is_taggable("aws:lambda/function:Function")  # `lambda_` module in Python
    assert is_taggable("aws:bedrock/agentAgent:AgentAgent")
    assert not is_taggable("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")
    assert not is_taggable("aws:iam/rolePolicy:RolePolicy")
    assert not is_taggable("aws:nosuch/thing:Thing")
    assert not is_taggable("agentic:storage:Storage")


def test_merge_keeps_resource_tags_on_top() -> None:
    assert merge_tags({"a": "1", "b": "2"}, {"b": "own"}) == {"a": "1", "b": "own"}
    assert merge_tags({"a": "1"}, None) == {"a": "1"}
    assert merge_tags({"a": "1"}, [{"key": "x"}]) is None


def test_every_taggable_resource_is_tagged(tmp_path: Path) -> None:
    graph = synthesize(write_program(tmp_path, PROGRAM), "dev")
    by_name = {node.name: node for node in graph.custom_resources}
    assert by_name["data"].inputs["tags"] == {"environment": "dev", "team": "override", "purpose": "outputs"}
    assert by_name["dlq"].inputs["tags"] == {"environment": "dev", "team": "ai"}
    assert by_name["role"].inputs["tags"] == {"environment": "dev", "team": "ai"}
    assert "tags" not in by_name["data-pab"].inputs
    assert "tags" not in by_name["inline"].inputs
