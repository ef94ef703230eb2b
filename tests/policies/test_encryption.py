"""Encryption at rest with customer-managed keys, and the keys themselves: good and bad cases per policy."""

from __future__ import annotations

import pytest

from preflight.graph import ResourceGraph
from tests.policies.conftest import flagged, synth

PROGRAM = """
key = aws.kms.Key("key", enable_key_rotation=True)
aws.kms.Key("bad_key_no_rotation")
aws.kms.Key("good_key_asymmetric", customer_master_key_spec="RSA_2048", key_usage="SIGN_VERIFY")
aws.kms.Key("bad_key_public", enable_key_rotation=True, policy=json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:*", "Resource": "*"}]}))
aws.kms.Key("good_key_conditioned", enable_key_rotation=True, policy=json.dumps({"Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:Decrypt", "Resource": "*",
                   "Condition": {"StringEquals": {"kms:CallerAccount": "123456789012"}}}]}))
aws.kms.KeyPolicy("bad_key_policy", key_id=key.id, policy=json.dumps({"Statement": [
    {"Effect": "Allow", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*"}]}))

aws.dynamodb.Table("good_table", hash_key="pk", attributes=[{"name": "pk", "type": "S"}],
    billing_mode="PAY_PER_REQUEST", server_side_encryption={"enabled": True, "kms_key_arn": key.arn})
aws.dynamodb.Table("bad_table_aws_key", hash_key="pk", attributes=[{"name": "pk", "type": "S"}],
    billing_mode="PAY_PER_REQUEST", server_side_encryption={"enabled": True})
aws.dynamodb.Table("bad_table_default", hash_key="pk", attributes=[{"name": "pk", "type": "S"}],
    billing_mode="PAY_PER_REQUEST")

aws.sqs.Queue("good_queue", kms_master_key_id=key.arn)
aws.sqs.Queue("bad_queue_sqs_managed", sqs_managed_sse_enabled=True)
aws.sqs.Queue("bad_queue_aws_alias", kms_master_key_id="alias/aws/sqs")
aws.sns.Topic("good_topic", kms_master_key_id=key.id)
aws.sns.Topic("bad_topic")
aws.cloudwatch.LogGroup("good_group", kms_key_id=key.arn, retention_in_days=14)
aws.cloudwatch.LogGroup("bad_group", retention_in_days=14)

aws.sfn.StateMachine("good_machine", role_arn="arn:aws:iam::123456789012:role/r", definition="{}",
    encryption_configuration={"type": "CUSTOMER_MANAGED_KMS_KEY", "kms_key_id": key.arn,
                              "kms_data_key_reuse_period_seconds": 300})
aws.sfn.StateMachine("bad_machine_aws_owned", role_arn="arn:aws:iam::123456789012:role/r", definition="{}",
    encryption_configuration={"type": "AWS_OWNED_KEY"})

code = pulumi.AssetArchive({"index.py": pulumi.StringAsset("def handler(e, c): return 1")})
role = "arn:aws:iam::123456789012:role/fn"
aws.lambda_.Function("good_fn_env", role=role, runtime="python3.12", handler="index.handler", code=code,
    environment={"variables": {"TABLE": "t"}}, kms_key_arn=key.arn)
aws.lambda_.Function("good_fn_no_env", role=role, runtime="python3.12", handler="index.handler", code=code)
aws.lambda_.Function("bad_fn_env", role=role, runtime="python3.12", handler="index.handler", code=code,
    environment={"variables": {"TABLE": "t"}})

aws.cloudwatch.EventBus("good_bus", kms_key_identifier=key.arn)
aws.cloudwatch.EventBus("bad_bus")

aws.bedrock.AgentAgent("good_agent", agent_name="a", agent_resource_role_arn=role,
    foundation_model="amazon.nova-micro-v1:0", customer_encryption_key_arn=key.arn)
aws.bedrock.AgentAgent("bad_agent", agent_name="b", agent_resource_role_arn=role,
    foundation_model="amazon.nova-micro-v1:0")
aws.bedrock.Guardrail("good_guardrail", blocked_input_messaging="no", blocked_outputs_messaging="no",
    kms_key_arn=key.arn)
aws.bedrock.Guardrail("bad_guardrail", blocked_input_messaging="no", blocked_outputs_messaging="no")
source = {"type": "S3", "s3_configuration": {"bucket_arn": "arn:aws:s3:::docs"}}
aws.bedrock.AgentDataSource("good_source", knowledge_base_id="KB1", name="good", data_source_configuration=source,
    server_side_encryption_configuration={"kms_key_arn": key.arn})
aws.bedrock.AgentDataSource("bad_source", knowledge_base_id="KB1", name="bad", data_source_configuration=source)
"""

CASES = [
    ("dynamodb-table-kms-encryption", {"bad_table_aws_key", "bad_table_default"}, {"good_table"}),
    ("sqs-queue-kms-encryption", {"bad_queue_sqs_managed", "bad_queue_aws_alias"}, {"good_queue"}),
    ("sns-topic-kms-encryption", {"bad_topic"}, {"good_topic"}),
    ("log-group-kms-encryption", {"bad_group"}, {"good_group"}),
    ("state-machine-kms-encryption", {"bad_machine_aws_owned"}, {"good_machine"}),
    ("lambda-environment-kms-encryption", {"bad_fn_env"}, {"good_fn_env", "good_fn_no_env"}),
    ("event-bus-kms-encryption", {"bad_bus"}, {"good_bus"}),
    ("bedrock-agent-kms-encryption", {"bad_agent"}, {"good_agent"}),
    ("bedrock-guardrail-kms-encryption", {"bad_guardrail"}, {"good_guardrail"}),
    ("bedrock-knowledge-base-kms-encryption", {"bad_source"}, {"good_source"}),
    ("kms-key-rotation", {"bad_key_no_rotation"}, {"key", "good_key_asymmetric"}),
    ("kms-key-no-wildcard-principal", {"bad_key_public", "bad_key_policy"}, {"key", "good_key_conditioned"}),
]


@pytest.fixture(scope="module")
def graph(tmp_path_factory: pytest.TempPathFactory) -> ResourceGraph:
    return synth(tmp_path_factory.mktemp("encryption"), PROGRAM)


@pytest.mark.parametrize(("policy", "bad", "good"), CASES, ids=[c[0] for c in CASES])
def test_policy(graph: ResourceGraph, policy: str, bad: set[str], good: set[str]) -> None:
    found = flagged(graph, policy)
    assert found == bad, f"{policy}: flagged {sorted(found)}, expected {sorted(bad)}"
    assert not good & found
