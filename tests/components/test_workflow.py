"""Workflow: logging, tracing, KMS, a scoped role and exact grants; the pipeline ASL."""

from __future__ import annotations

import json

from components import asl
from components.workflow import request_pipeline
from tests.components.conftest import REPO_ROOT, RunProgram, only, policy_of

PROGRAM = f"""
from components.kms import StackKey
from components.function import Function, FunctionArgs
from components.workflow import Workflow
from components import asl
key = StackKey("key", settings)
fn_args = FunctionArgs(handler="functions.router.handler.lambda_handler", code_root={str(REPO_ROOT)!r})
fn = Function("router", settings, fn_args, key=key)
topic = aws.sns.Topic("topic")
wf = Workflow("pipeline", settings, key=key,
              definition=lambda refs: asl.definition("Go", {{"Go": asl.lambda_invoke(refs["fn"], end=True)}}),
              references={{"fn": fn.arn}})
wf.grant_invoke_function(fn)
wf.grant_publish(topic.arn)
"""


def test_state_machine_secure_defaults(run_program: RunProgram) -> None:
    graph = run_program(PROGRAM)
    machine = only(graph, "aws:sfn/stateMachine:StateMachine")
    assert machine.inputs["type"] == "STANDARD"
    assert machine.inputs["loggingConfiguration"]["level"] == "ALL"
    assert machine.inputs["loggingConfiguration"]["includeExecutionData"] is True
    assert machine.inputs["loggingConfiguration"]["logDestination"].endswith(
        "/aws/vendedlogs/states/agentic-platform-dev-pipeline:*"
    )
    assert machine.inputs["tracingConfiguration"] == {"enabled": True}
    assert machine.inputs["encryptionConfiguration"]["type"] == "CUSTOMER_MANAGED_KMS_KEY"
    definition = json.loads(machine.inputs["definition"])
    assert definition["States"]["Go"]["Retry"]
    assert definition["States"]["Go"]["Parameters"]["FunctionName"].endswith(":function:agentic-platform-dev-router")
    role = next(r for r in graph.of_type("aws:iam/role:Role") if r.name == "pipeline-role")
    trust = policy_of(role, "assumeRolePolicy")["Statement"][0]
    assert trust["Principal"] == {"Service": "states.amazonaws.com"}
    assert trust["Condition"]["ArnEquals"]["aws:SourceArn"] == (
        "arn:aws:states:us-east-1:123456789012:stateMachine:agentic-platform-dev-pipeline"
    )


def test_grants_are_exact(run_program: RunProgram) -> None:
    graph = run_program(PROGRAM)
    policies = {n.name: policy_of(n)["Statement"] for n in graph.of_type("aws:iam/rolePolicy:RolePolicy")}
    (invoke,) = policies["pipeline-invoke-router"]
    assert invoke["Action"] == ["lambda:InvokeFunction"]
    assert invoke["Resource"][0].endswith(":function:agentic-platform-dev-router")
    (publish,) = policies["pipeline-publish"]
    assert publish["Action"] == ["sns:Publish"]
    assert publish["Resource"][0].startswith("arn:aws:sns:")


def _pipeline(router_timeout: int = 120, decide_timeout: int = 30) -> dict:
    return request_pipeline(
        router_arn="arn:aws:lambda:us-east-1:1:function:r",
        decide_arn="arn:aws:lambda:us-east-1:1:function:d",
        audit_table="audit",
        escalation_topic_arn="arn:aws:sns:us-east-1:1:t",
        bus_name="bus",
        event_source="agentic.platform",
        router_timeout_seconds=router_timeout,
        decide_timeout_seconds=decide_timeout,
    )


def test_pipeline_uses_service_integrations_on_the_failure_path() -> None:
    definition = _pipeline()
    tasks = asl.task_states(definition)
    assert {t["Resource"] for t in tasks.values()} == {
        asl.LAMBDA_INVOKE,
        asl.DYNAMODB_PUT_ITEM,
        asl.DYNAMODB_GET_ITEM,  # the failure path's markers: each effect once (F8, F9)
        asl.SNS_PUBLISH,
        asl.EVENTS_PUT_EVENTS,
    }
    for name, task in tasks.items():
        assert task["Retry"], name
        assert task["Catch"], name
    assert definition["States"]["Route"]["Retry"][0]["MaxAttempts"] == 0  # non-retryable errors first


def test_every_task_is_bounded_and_the_lambda_tasks_time_out_with_their_function() -> None:
    definition = _pipeline(router_timeout=120, decide_timeout=30)
    tasks = asl.task_states(definition)
    assert all("TimeoutSeconds" in task for task in tasks.values()), sorted(n for n, t in tasks.items())
    assert (tasks["Route"]["TimeoutSeconds"], tasks["Decide"]["TimeoutSeconds"]) == (120, 30)


def test_the_failure_path_always_runs_before_the_execution_times_out() -> None:
    """Issue 12 (rtmisc #4): a TIMED_OUT execution runs no Catch, so no path may reach the execution timeout.

    The longest path, by hand: Route (router 120 s) and Decide (decide 30 s) each get 1 + 5 (in progress) + 3
    attempts, waiting 5+10+20+40+80 s and 2+4+8 s between them; then the nine service tasks of the failure
    path, 4 attempts of 10 s each plus 2+4+8 s."""
    definition = _pipeline()
    waits = (5 + 10 + 20 + 40 + 80) + (2 + 4 + 8)
    by_hand = (9 * 120 + waits) + (9 * 30 + waits) + 9 * (4 * 10 + 2 + 4 + 8)
    assert asl.worst_case_seconds(definition) == by_hand == 2174
    assert by_hand < definition["TimeoutSeconds"]


def test_a_slower_function_moves_the_execution_timeout_with_it() -> None:
    fast, slow = _pipeline(router_timeout=120), _pipeline(router_timeout=600)
    assert asl.worst_case_seconds(slow) < slow["TimeoutSeconds"]
    assert slow["TimeoutSeconds"] - fast["TimeoutSeconds"] >= 9 * (600 - 120)
