"""Function: secure defaults and grants that each produce exactly one scoped statement."""

from __future__ import annotations

import json

import pytest

from components.function import FunctionArgs, pinned_powertools_layer_arn, powertools_layer_parameter
from tests.components.conftest import REPO_ROOT, RunProgram, only, policy_of

PROGRAM = f"""
from components.kms import StackKey
from components.function import Function, FunctionArgs
key = StackKey("key", settings)
topic = aws.sns.Topic("topic")
queue = aws.sqs.Queue("queue")
table = aws.dynamodb.Table("table", hash_key="id", attributes=[{{"name": "id", "type": "S"}}],
                           billing_mode="PAY_PER_REQUEST")
bus = aws.cloudwatch.EventBus("bus")
fn = Function("worker", settings, FunctionArgs(handler="functions.router.handler.lambda_handler",
              code_root={str(REPO_ROOT)!r}, environment={{"A": "b"}}), key=key)
fn.grant_invoke_model(["arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-micro-v1:0"])
fn.grant_publish(topic)
fn.grant_send(queue)
fn.grant_put_events(bus)
fn.grant_read(table)
fn.grant_write(table)
"""


def _statement(graph, name):  # type: ignore[no-untyped-def]
    node = next(n for n in graph.of_type("aws:iam/rolePolicy:RolePolicy") if n.name == name)
    statements = policy_of(node)["Statement"]
    assert len(statements) == 1, statements
    return statements[0]


def test_secure_defaults(run_program: RunProgram) -> None:
    graph = run_program(PROGRAM)
    fn = only(graph, "aws:lambda/function:Function")
    inputs = fn.inputs
    assert inputs["runtime"] == "python3.13"
    assert inputs["architectures"] == ["arm64"]
    assert inputs["tracingConfig"] == {"mode": "Active"}
    assert inputs["loggingConfig"]["logFormat"] == "JSON"
    assert inputs["loggingConfig"]["logGroup"] == "/aws/lambda/agentic-platform-dev-worker"
    assert inputs["kmsKeyArn"].startswith("arn:aws:kms:")
    assert inputs["deadLetterConfig"]["targetArn"].endswith(":agentic-platform-dev-worker-dlq")
    assert "reservedConcurrentExecutions" not in inputs  # P168: nothing reserved unless configured
    # Resolved from AWS's public parameter; the offline engine answers it with a layer ARN of the real shape.
    (layer,) = inputs["layers"]
    assert layer.startswith("arn:aws:lambda:us-east-1:017000801446:layer:AWSLambdaPowertoolsPythonV3-python313-arm64:")
    assert inputs["environment"]["variables"]["A"] == "b"
    log_group = only(graph, "aws:cloudwatch/logGroup:LogGroup")
    assert log_group.inputs["retentionInDays"] == 14
    assert log_group.inputs["kmsKeyId"]
    async_config = only(graph, "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig")
    assert async_config.inputs["destinationConfig"]["onFailure"]["destination"].endswith("worker-dlq")
    assert async_config.inputs["maximumRetryAttempts"] == 2
    role = only(graph, "aws:iam/role:Role")
    trust = policy_of(role, "assumeRolePolicy")["Statement"][0]
    assert trust["Principal"] == {"Service": "lambda.amazonaws.com"}
    assert trust["Condition"]["StringEquals"]["aws:SourceAccount"] == "123456789012"
    attachment = only(graph, "aws:iam/rolePolicyAttachment:RolePolicyAttachment")
    assert attachment.inputs["policyArn"] == "arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess"


def test_each_grant_is_one_exact_statement(run_program: RunProgram) -> None:
    graph = run_program(PROGRAM)
    expected = {
        "worker-invoke-model": (["bedrock:InvokeModel"], "foundation-model/amazon.nova-micro-v1:0"),
        "worker-publish": (["sns:Publish"], ":sns:"),
        "worker-send": (["sqs:SendMessage"], ":sqs:"),
        "worker-put-events": (["events:PutEvents"], ":event-bus/"),
        "worker-read-table": (["dynamodb:BatchGetItem", "dynamodb:GetItem", "dynamodb:Query"], ":table/"),
        "worker-write-table": (
            ["dynamodb:BatchWriteItem", "dynamodb:DeleteItem", "dynamodb:PutItem", "dynamodb:UpdateItem"],
            ":table/",
        ),
        "worker-write-logs": (["logs:CreateLogStream", "logs:PutLogEvents"], ":log-stream:"),
    }
    for name, (actions, resource_part) in expected.items():
        statement = _statement(graph, name)
        assert statement["Effect"] == "Allow"
        assert statement["Action"] == actions, name
        (resource,) = statement["Resource"]
        assert resource_part in resource, (name, resource)
        # Only log streams of the function's own log group are a pattern (streams are created at runtime).
        assert resource != "*" and (not resource.endswith(":*") or resource.endswith(":log-stream:*")), name
    everything = json.dumps([policy_of(n) for n in graph.of_type("aws:iam/rolePolicy:RolePolicy")])
    assert '"Resource": ["*"]' not in everything and '"Action": ["*"]' not in everything


def test_reserved_concurrency_only_when_configured(run_program: RunProgram) -> None:
    graph = run_program(
        f"""
from components.kms import StackKey
from components.function import Function, FunctionArgs
key = StackKey("key", settings)
args = FunctionArgs(handler="functions.deliver.handler.lambda_handler", code_root={str(REPO_ROOT)!r},
                    reserved_concurrency=5)
Function("worker", settings, args, key=key)
"""
    )
    assert only(graph, "aws:lambda/function:Function").inputs["reservedConcurrentExecutions"] == 5


@pytest.mark.parametrize(
    "kwargs",
    [
        {"memory_mb": 64},
        {"timeout_seconds": 901},
        {"async_retries": 3},
        {"handler": "nodots"},
        {"reserved_concurrency": -1},
    ],
)
def test_invalid_args_are_rejected(kwargs: dict) -> None:
    args = {"handler": "functions.a.b", **kwargs}
    with pytest.raises(ValueError):
        FunctionArgs(**args)


def test_powertools_layer_comes_from_the_public_parameter_for_runtime_and_architecture() -> None:
    assert powertools_layer_parameter() == "/aws/service/powertools/python/arm64/python3.13/latest"
    assert (
        powertools_layer_parameter("python3.12", "x86_64") == "/aws/service/powertools/python/x86_64/python3.12/latest"
    )


def test_pinned_fallback_only_when_configured(run_program: RunProgram) -> None:
    """Where the public parameter does not exist, `powertoolsLayerVersion` pins the layer instead."""
    assert pinned_powertools_layer_arn("eu-west-1", 25) == (
        "arn:aws:lambda:eu-west-1:017000801446:layer:AWSLambdaPowertoolsPythonV3-python313-arm64:25"
    )
    graph = run_program(PROGRAM, overrides={"powertoolsLayerVersion": 7})
    assert only(graph, "aws:lambda/function:Function").inputs["layers"] == [pinned_powertools_layer_arn("us-east-1", 7)]
