"""Lambda, Step Functions and EventBridge policies: good and bad cases per policy."""
# ruff: noqa: E501  (the embedded Pulumi programs keep one resource per line)

from __future__ import annotations

import json

import pytest

from policies.rules.workflows import task_states
from preflight.graph import ResourceGraph
from tests.policies.conftest import flagged, synth

GOOD_TASK = {
    "Type": "Task",
    "Resource": "arn:aws:states:::lambda:invoke",
    "End": True,
    "Retry": [{"ErrorEquals": ["States.TaskFailed"], "MaxAttempts": 2}],
    "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Failed"}],
}
BARE_TASK = {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": True}
GOOD_DEFINITION = {
    "StartAt": "Run",
    "States": {
        "Run": {**GOOD_TASK, "End": False, "Next": "Fan"},
        "Fan": {
            "Type": "Parallel",
            "End": True,
            "Branches": [{"StartAt": "A", "States": {"A": GOOD_TASK}}],
            "Retry": [{"ErrorEquals": ["States.ALL"]}],
            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Failed"}],
        },
        "Failed": {"Type": "Fail"},
    },
}
NESTED_BAD = {
    "StartAt": "Fan",
    "States": {
        "Fan": {
            "Type": "Parallel",
            "End": True,
            "Branches": [
                {"StartAt": "A", "States": {"A": GOOD_TASK}},
                {
                    "StartAt": "M",
                    "States": {
                        "M": {
                            "Type": "Map",
                            "End": True,
                            "ItemProcessor": {"StartAt": "Inner", "States": {"Inner": BARE_TASK}},
                        }
                    },
                },
            ],
        },
    },
}
LEGACY_MAP_BAD = {
    "StartAt": "M",
    "States": {
        "M": {"Type": "Map", "End": True, "Iterator": {"StartAt": "I", "States": {"I": {**GOOD_TASK, "Catch": []}}}}
    },
}

PROGRAM = f"""
GOOD = {json.dumps(json.dumps(GOOD_DEFINITION))}
NESTED_BAD = {json.dumps(json.dumps(NESTED_BAD))}
LEGACY_MAP_BAD = {json.dumps(json.dumps(LEGACY_MAP_BAD))}
role = "arn:aws:iam::123456789012:role/r"
code = pulumi.AssetArchive({{"index.py": pulumi.StringAsset("def handler(e, c): return 1")}})
dlq = aws.sqs.Queue("dlq")

def fn(name, **kw):
    return aws.lambda_.Function(name, role=role, runtime="python3.12", handler="index.handler", code=code, **kw)

good = fn("good_fn", dead_letter_config={{"target_arn": dlq.arn}}, tracing_config={{"mode": "Active"}},
          environment={{"variables": {{"API_KEY_PARAMETER": "/app/api-key", "SECRET_ARN":
                                      "arn:aws:secretsmanager:us-east-1:123456789012:secret:x", "MODE": "fast"}}}})
aws.cloudwatch.LogGroup("good_fn_logs", name=good.name.apply(lambda n: f"/aws/lambda/{{n}}"), retention_in_days=14)
custom_group = aws.cloudwatch.LogGroup("custom_group", retention_in_days=30)
with_destination = fn("good_fn_destination", tracing_config={{"mode": "Active"}},
                      logging_config={{"log_format": "JSON", "log_group": custom_group.name}})
aws.lambda_.FunctionEventInvokeConfig("destination", function_name=with_destination.name,
    destination_config={{"on_failure": {{"destination": dlq.arn}}}})
fn("bad_fn", tracing_config={{"mode": "PassThrough"}},
   environment={{"variables": {{"DB_PASSWORD": "hunter2hunter2", "KEY_ID": "AKIAABCDEFGHIJKLMNOP"}}}})
aws.cloudwatch.LogGroup("bad_group_forever")
aws.lambda_.FunctionUrl("bad_url", function_name=good.name, authorization_type="NONE")
aws.lambda_.FunctionUrl("good_url", function_name=good.name, authorization_type="AWS_IAM")
aws.lambda_.Permission("bad_permission", function=good.name, action="lambda:InvokeFunction", principal="*")
aws.lambda_.Permission("good_permission", function=good.name, action="lambda:InvokeFunction",
    principal="events.amazonaws.com", source_arn="arn:aws:events:us-east-1:123456789012:rule/r")
aws.lambda_.Permission("good_s3_permission", function=good.name, action="lambda:InvokeFunction",
    principal="s3.amazonaws.com", source_arn="arn:aws:s3:::uploads", source_account="123456789012")
aws.lambda_.Permission("bad_s3_permission", function=good.name, action="lambda:InvokeFunction",
    principal="s3.amazonaws.com", source_arn="arn:aws:s3:::uploads")

logging = {{"level": "ERROR", "include_execution_data": True, "log_destination": "arn:aws:logs:us-east-1:1:log-group:x:*"}}
aws.sfn.StateMachine("good_machine", role_arn=role, definition=GOOD, logging_configuration=logging,
    tracing_configuration={{"enabled": True}})
aws.sfn.StateMachine("bad_nested", role_arn=role, definition=NESTED_BAD,
    logging_configuration={{"level": "FATAL", "include_execution_data": True, "log_destination": "arn:x"}})
aws.sfn.StateMachine("bad_legacy_map", role_arn=role, definition=LEGACY_MAP_BAD,
    logging_configuration={{"level": "ALL", "include_execution_data": False, "log_destination": "arn:x"}},
    tracing_configuration={{"enabled": False}})

aws.cloudwatch.EventTarget("good_target", rule="r", arn=dlq.arn, dead_letter_config={{"arn": dlq.arn}},
    retry_policy={{"maximum_event_age_in_seconds": 3600, "maximum_retry_attempts": 3}})
aws.cloudwatch.EventTarget("bad_target_no_dlq", rule="r", arn=dlq.arn,
    retry_policy={{"maximum_event_age_in_seconds": 3600, "maximum_retry_attempts": 3}})
aws.cloudwatch.EventTarget("bad_target_no_retry", rule="r", arn=dlq.arn, dead_letter_config={{"arn": dlq.arn}})
"""

CASES = [
    ("lambda-active-tracing", {"bad_fn"}, {"good_fn", "good_fn_destination"}),
    ("lambda-failure-destination", {"bad_fn"}, {"good_fn", "good_fn_destination"}),
    ("lambda-log-group", {"bad_fn"}, {"good_fn", "good_fn_destination"}),
    ("log-group-retention", {"bad_group_forever"}, {"good_fn_logs", "custom_group"}),
    ("lambda-no-public-access", {"bad_url", "bad_permission"}, {"good_url", "good_permission"}),
    # F4: a service's invoke permission names its source; an S3 bucket ARN names no account.
    (
        "lambda-permission-source-scoped",
        {"bad_s3_permission"},
        {"good_permission", "good_s3_permission", "bad_permission"},
    ),
    ("lambda-no-secrets-in-environment", {"bad_fn"}, {"good_fn"}),
    ("state-machine-task-retry-catch", {"bad_nested", "bad_legacy_map"}, {"good_machine"}),
    ("state-machine-logging", {"bad_nested", "bad_legacy_map"}, {"good_machine"}),
    ("state-machine-tracing", {"bad_nested", "bad_legacy_map"}, {"good_machine"}),
    ("event-target-dlq-retry", {"bad_target_no_dlq", "bad_target_no_retry"}, {"good_target"}),
]


@pytest.fixture(scope="module")
def graph(tmp_path_factory: pytest.TempPathFactory) -> ResourceGraph:
    return synth(tmp_path_factory.mktemp("compute"), PROGRAM)


@pytest.mark.parametrize(("policy", "bad", "good"), CASES, ids=[c[0] for c in CASES])
def test_policy(graph: ResourceGraph, policy: str, bad: set[str], good: set[str]) -> None:
    found = flagged(graph, policy)
    assert found == bad, f"{policy}: flagged {sorted(found)}, expected {sorted(bad)}"
    assert not good & found


def test_task_states_walks_parallel_and_both_map_forms() -> None:
    assert [w for w, _ in task_states(NESTED_BAD)] == ["Fan.Branches[0].A", "Fan.Branches[1].M.ItemProcessor.Inner"]
    assert [w for w, _ in task_states(LEGACY_MAP_BAD)] == ["M.Iterator.I"]


def test_invalid_definition_is_a_violation(tmp_path_factory: pytest.TempPathFactory) -> None:
    graph = synth(
        tmp_path_factory.mktemp("badasl"),
        'aws.sfn.StateMachine("broken", role_arn="arn:aws:iam::1:role/r", definition="not json")\n',
    )
    assert flagged(graph, "state-machine-task-retry-catch") == {"broken"}
