"""Stack-wide governance policies with whole small programs: trail, recorder, logging, tags, regions, TTL."""

from __future__ import annotations

import pytest

from preflight.graph import ResourceGraph
from tests.policies.conftest import flagged, synth

BASELINE = """
key = aws.kms.Key("key", enable_key_rotation=True)
aws.cloudtrail.Trail("good_trail", s3_bucket_name="trail-bucket", enable_log_file_validation=True,
                     is_multi_region_trail=True, kms_key_id=key.arn)
recorder = aws.cfg.Recorder("recorder", role_arn="arn:aws:iam::123456789012:role/config",
                            recording_group={"all_supported": True})
aws.cfg.RecorderStatus("recorder_on", name=recorder.name, is_enabled=True)
aws.bedrockmodel.InvocationLoggingConfiguration("invocation_logging", logging_config={
    "cloudwatch_config": {"log_group_name": "/bedrock/invocations", "role_arn": "arn:aws:iam::1:role/l"},
    "text_data_delivery_enabled": True, "embedding_data_delivery_enabled": False,
    "image_data_delivery_enabled": False, "video_data_delivery_enabled": False})
tags = {"environment": "dev", "team": "ai"}
aws.dynamodb.Table("sessions", hash_key="pk", attributes=[{"name": "pk", "type": "S"}], billing_mode="PAY_PER_REQUEST",
                   ttl={"attribute_name": "expires_at", "enabled": True}, tags=tags)
aws.dynamodb.Table("results", hash_key="pk", attributes=[{"name": "pk", "type": "S"}], billing_mode="PAY_PER_REQUEST",
                   tags=tags)
aws.sqs.Queue("tagged_queue", tags=tags)
"""

GAPS = """
aws.cloudtrail.Trail("bad_trail", s3_bucket_name="trail-bucket")
aws.cfg.Recorder("bad_recorder_never_started", role_arn="arn:aws:iam::123456789012:role/config")
aws.bedrockmodel.InvocationLoggingConfiguration("bad_logging_elsewhere", region="us-west-2", logging_config={
    "cloudwatch_config": {"log_group_name": "/bedrock/invocations", "role_arn": "arn:aws:iam::1:role/l"}})
aws.dynamodb.Table("agent_memory", hash_key="pk", attributes=[{"name": "pk", "type": "S"}],
                   billing_mode="PAY_PER_REQUEST", tags={"environment": "dev"})
aws.sqs.Queue("untagged_queue")
west = aws.Provider("west", region="eu-west-1")
aws.sqs.Queue("queue_in_west", opts=pulumi.ResourceOptions(provider=west), tags={"environment": "dev", "team": "ai"})
aws.sns.Topic("topic_in_ap", region="ap-southeast-2", tags={"environment": "dev", "team": "ai"})
"""

TAGS = {"requiredTagKeys": ["environment", "team"]}
REGIONS = {"allowedRegions": ["us-east-1"]}


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> ResourceGraph:
    return synth(tmp_path_factory.mktemp("baseline"), BASELINE)


@pytest.fixture(scope="module")
def gaps(tmp_path_factory: pytest.TempPathFactory) -> ResourceGraph:
    return synth(tmp_path_factory.mktemp("gaps"), GAPS)


def test_cloudtrail(baseline: ResourceGraph, gaps: ResourceGraph) -> None:
    assert flagged(baseline, "cloudtrail-enabled") == set()
    assert flagged(gaps, "cloudtrail-enabled") == {"bad_trail"}
    empty = ResourceGraph("p", "dev", [r for r in gaps.resources if r.type != "aws:cloudtrail/trail:Trail"])
    assert flagged(empty, "cloudtrail-enabled") == {""}  # stack-wide: no trail at all
    assert flagged(empty, "cloudtrail-enabled", {"providedElsewhere": True}) == set()


def test_config_recorder(baseline: ResourceGraph, gaps: ResourceGraph) -> None:
    assert flagged(baseline, "config-recorder-enabled") == set()
    assert flagged(gaps, "config-recorder-enabled") == {"bad_recorder_never_started"}
    empty = ResourceGraph("p", "dev", [r for r in gaps.resources if r.module != "cfg"])
    assert flagged(empty, "config-recorder-enabled") == {""}
    assert flagged(empty, "config-recorder-enabled", {"providedElsewhere": True}) == set()


def test_invocation_logging(baseline: ResourceGraph, gaps: ResourceGraph) -> None:
    settings = {"region": "us-east-1"}
    assert flagged(baseline, "bedrock-invocation-logging", settings) == set()
    # configured only for another region: the stack's region has none
    assert flagged(gaps, "bedrock-invocation-logging", settings) == {""}
    assert flagged(gaps, "bedrock-invocation-logging", {**settings, "providedElsewhere": True}) == set()


def test_required_tags(baseline: ResourceGraph, gaps: ResourceGraph) -> None:
    baseline_flags = flagged(baseline, "required-tags", TAGS)
    assert {"sessions", "results", "tagged_queue"}.isdisjoint(baseline_flags)
    assert "good_trail" in baseline_flags  # taggable (the SDK says so) but created without tags
    assert "recorder" not in baseline_flags  # aws.cfg.Recorder takes no tags
    gap_flags = flagged(gaps, "required-tags", TAGS)
    assert {"agent_memory", "untagged_queue"} <= gap_flags
    assert "queue_in_west" not in gap_flags


def test_allowed_regions(baseline: ResourceGraph, gaps: ResourceGraph) -> None:
    assert flagged(baseline, "allowed-regions", REGIONS) == set()
    assert flagged(gaps, "allowed-regions", REGIONS) == {"west", "topic_in_ap", "bad_logging_elsewhere"}
    assert (
        flagged(gaps, "allowed-regions", {"allowedRegions": ["us-east-1", "eu-west-1", "ap-southeast-2", "us-west-2"]})
        == set()
    )


def test_session_table_ttl(baseline: ResourceGraph, gaps: ResourceGraph) -> None:
    assert flagged(baseline, "session-table-ttl") == set()  # sessions has TTL; results is not a session table
    assert flagged(gaps, "session-table-ttl") == {"agent_memory"}


@pytest.mark.parametrize(
    ("region", "said"),
    [
        ("eu-west-1", "the AWS provider targets eu-west-1, outside ['us-east-1']."),
        # review2 s10 #8: a secret region is no "[secret]" region: it cannot be shown inside allowedRegions
        ("preflight-placeholder-secret", "a region that is a secret"),
        ("[secret]", "a region that is a secret"),
    ],
)
def test_a_region_outside_or_secret_says_which(region: str, said: str) -> None:
    from tests.policies.conftest import custom_node, run_one  # noqa: PLC0415

    provider = custom_node("pulumi:providers:aws", "p", {"region": region})
    findings = run_one(ResourceGraph("p", "prod", [provider]), "allowed-regions", REGIONS)
    assert [f.resource for f in findings] == ["p"]
    assert said in findings[0].message
    assert "targets [secret]" not in findings[0].message
