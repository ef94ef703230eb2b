"""The Lambda rules called directly: tracing, failure destinations (who invokes a function, and how), the
managed log group, log retention, public URLs and environment secrets; exact messages (bench/MUTATION.md)."""
# ruff: noqa: E501  (one case per line reads as a table)

from __future__ import annotations

import json
from typing import Any

import pytest
from pulumi_policy import PolicyResource, ResourceValidationArgs, StackValidationArgs
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, UnknownValueError, unknown_checking_proxy

from policies.rules import edge
from policies.rules import lambda_functions as lf
from tests.policies.rules.calls import Reports, resource, run_resource, run_stack, urn

ARN = "arn:aws:lambda:us-east-1:111122223333:function:worker"
EDGE_ARN = "arn:aws:lambda:us-east-1:111122223333:function:edge-fn"
FN_URN = urn(lf.FUNCTION, "fn")


def _function(**props: Any) -> PolicyResource:
    return resource(lf.FUNCTION, "fn", {"arn": ARN, "name": "worker", **props})


def _edge_stack(**props: Any) -> list[PolicyResource]:
    """A function CloudFront invokes (an association on the distribution's default behaviour)."""
    function = resource(lf.FUNCTION, "fn", {"arn": EDGE_ARN, "name": "edge-fn", **props})
    association = {"eventType": "viewer-request", "lambdaArn": EDGE_ARN + ":3"}
    behaviour = {"targetOriginId": "o", "lambdaFunctionAssociations": [association]}
    return [function, resource(edge.DISTRIBUTION, "cdn", {"defaultCacheBehavior": behaviour})]


TRACING_OFF = [("fn: X-Ray active tracing is off (tracingConfig.mode is not Active).", FN_URN)]


@pytest.mark.parametrize(
    ("resources", "messages"),
    [
        ([_function(tracingConfig={"mode": "Active"})], []),
        (_edge_stack(), []),
        ([_function()], TRACING_OFF),
        ([_function(tracingConfig={"mode": "PassThrough"})], TRACING_OFF),
    ],
    ids=["ok_active", "ok_edge_exempt", "bad1_unset", "bad2_pass_through"],
)
def test_active_tracing(resources: list[PolicyResource], messages: Reports) -> None:
    assert run_stack(lf.TRACING, resources, None) == messages


NO_DESTINATION = [("fn: no dead-letter queue and no on-failure destination.", FN_URN)]
ON_FAILURE = {"onFailure": {"destination": "arn:aws:sqs:us-east-1:111122223333:dlq"}}


def _with(type_: str, props: dict[str, Any], deps: dict[str, list[PolicyResource]] | None = None) -> PolicyResource:
    return resource(type_, "caller", props, deps)


@pytest.mark.parametrize(
    ("others", "function_props", "messages"),
    [
        ([], {"deadLetterConfig": {"targetArn": "arn:aws:sqs:us-east-1:111122223333:dlq"}}, []),
        ([_with(lf.EVENT_INVOKE_CONFIG, {"functionName": "worker", "destinationConfig": ON_FAILURE})], {}, []),
        ([_with(lf.PERMISSION, {"function": "worker", "principal": "apigateway.amazonaws.com"})], {}, []),
        ([_with("aws:lambda/eventSourceMapping:EventSourceMapping", {"functionName": ARN})], {}, []),
        ([_with("aws:sfn/stateMachine:StateMachine", {"definition": json.dumps({"States": {"A": {"Resource": ARN}}})})], {}, []),
        ([_with("aws:sfn/stateMachine:StateMachine", {"definition": {"States": {"A": {"Parameters": {"FunctionName": ARN}}}}})], {}, []),
        ([_with("aws:bedrock/agentAgentActionGroup:AgentAgentActionGroup", {"actionGroupExecutor": {"lambda": ARN}})], {}, []),
        ([], {}, NO_DESTINATION),
        ([], {"deadLetterConfig": {"targetArn": ""}}, NO_DESTINATION),
        ([_with(lf.EVENT_INVOKE_CONFIG, {"functionName": "worker", "destinationConfig": {"onSuccess": {"destination": "x"}}})], {}, NO_DESTINATION),
        ([_with(lf.EVENT_INVOKE_CONFIG, {"functionName": "other", "destinationConfig": ON_FAILURE})], {}, NO_DESTINATION),
        ([_with(lf.PERMISSION, {"function": "worker", "principal": "events.amazonaws.com"})], {}, NO_DESTINATION),
        ([_with(lf.PERMISSION, {"function": "worker", "principal": "apigateway.amazonaws.com"}),
          resource("aws:sns/topicSubscription:TopicSubscription", "sub", {"endpoint": ARN})], {}, NO_DESTINATION),
        ([_with("aws:sfn/stateMachine:StateMachine", {"definition": json.dumps({"Resource": ARN + "-v2"})})], {}, NO_DESTINATION),
        ([_with("aws:lambda/eventSourceMapping:EventSourceMapping", {"functionName": "workers"})], {}, NO_DESTINATION),
    ],
    ids=["ok_dead_letter_queue", "ok_on_failure", "ok_only_api_gateway", "ok_only_event_source_mapping", "ok_only_state_machine",
         "ok_state_machine_object", "ok_only_agent", "bad1_nobody_invokes", "bad2_empty_dlq", "bad3_on_success_only",
         "bad4_config_of_another_function", "bad5_async_permission", "bad6_async_and_sync", "bad7_longer_name_is_another_function",
         "bad8_name_prefix_is_another_function"],
)  # fmt: skip
def test_failure_destination(others: list[PolicyResource], function_props: dict[str, Any], messages: Reports) -> None:
    assert run_stack(lf.FAILURE_DESTINATION, [_function(**function_props), *others], None) == messages


def test_an_edge_function_needs_no_failure_destination() -> None:
    assert run_stack(lf.FAILURE_DESTINATION, _edge_stack(), None) == []


def test_a_dependency_is_a_mention_whatever_the_value() -> None:
    function = _function()
    mapping = resource(
        "aws:lambda/eventSourceMapping:EventSourceMapping", "m", {"functionName": "x"}, {"functionName": [function]}
    )
    assert lf.invocation_modes(_stack_args([function, mapping]), function) == {"sync"}
    assert lf.invocation_modes(_stack_args([function]), function) == set()


def _stack_args(resources: list[PolicyResource]) -> StackValidationArgs:
    return StackValidationArgs(resources, None)


def _no_group(*names: str) -> Reports:
    return [
        (
            f"fn: no log group managed by the stack ({' or '.join(names)}); Lambda would create one that never expires and is not KMS-encrypted.",
            FN_URN,
        )
    ]


def _group(name: str) -> PolicyResource:
    return resource(lf.LOG_GROUP, "group", {"name": name})


@pytest.mark.parametrize(
    ("resources", "messages"),
    [
        ([_function(), _group("/aws/lambda/worker")], []),
        ([resource(lf.FUNCTION, "fn", {}), _group("/aws/lambda/fn")], []),
        ([_function(loggingConfig={"logGroup": "/custom/worker"}), _group("/custom/worker")], []),
        ([resource(lf.FUNCTION, "fn", {"loggingConfig": {"logGroup": "x"}}, {"loggingConfig": [_group("other")]})], []),
        ([*_edge_stack(), resource(lf.LOG_GROUP, "group", {"name": "/aws/lambda/us-east-1.edge-fn"})], []),
        ([_function()], _no_group("/aws/lambda/worker")),
        ([_function(), _group("/aws/lambda/worker-2")], _no_group("/aws/lambda/worker")),
        ([_function(loggingConfig={"logGroup": "/custom/worker"})], _no_group("/aws/lambda/worker", "/custom/worker")),
        ([resource(lf.FUNCTION, "fn", {}, {"loggingConfig": [resource("aws:s3/bucket:Bucket", "b", {})]})], _no_group("/aws/lambda/fn")),
        ([*_edge_stack(), _group("/aws/lambda/edge-fn")], _no_group("/aws/lambda/us-east-1.edge-fn")),
    ],
    ids=["ok_default_name", "ok_logical_name", "ok_custom_group", "ok_group_by_dependency", "ok_edge_group", "bad1_no_group",
         "bad2_other_group", "bad3_custom_missing", "bad4_dependency_not_a_group", "bad5_edge_logs_elsewhere"],
)  # fmt: skip
def test_log_group(resources: list[PolicyResource], messages: Reports) -> None:
    assert run_stack(lf.LOG_GROUP_POLICY, resources, None) == messages


@pytest.mark.parametrize(
    ("days", "ok"),
    [(30, True), (1, True), (0.5, True), (None, False), (0, False), (-1, False), ("30", False)],
    ids=["ok_30", "ok_1", "ok_fraction", "bad1_unset", "bad2_zero", "bad3_negative", "bad4_text"],
)
def test_log_retention(days: Any, ok: bool) -> None:
    expected = [] if ok else [("g: the log group never expires (retentionInDays is not set).", None)]
    assert run_resource(lf.LOG_RETENTION, lf.LOG_GROUP, {"retentionInDays": days}, name="g") == expected


@pytest.mark.parametrize(
    ("type_", "props", "messages"),
    [
        (lf.FUNCTION_URL, {"authorizationType": "AWS_IAM"}, []),
        (lf.FUNCTION_URL, {"authorizationType": "NONE"}, ["u: the function URL has authorizationType NONE (public)."]),
        (lf.PERMISSION, {"principal": "*", "principalOrgId": "o-abc123"}, []),
        (
            lf.PERMISSION,
            {"principal": "*", "authorizationType": "NONE"},
            ["u: the permission lets principal '*' invoke the function."],
        ),
        (lf.FUNCTION_URL, {"principal": "*"}, []),
    ],
    ids=["ok_iam_url", "bad1_public_url", "ok_org", "bad2_public_permission", "ok_url_has_no_principal"],
)
def test_no_public_access(type_: str, props: dict[str, Any], messages: list[str]) -> None:
    reports: Reports = []
    args = ResourceValidationArgs(type_, props, urn(type_, "u"), "u", None, None, {})  # type: ignore[arg-type]
    lf._validate_public(args, lambda message, urn=None: reports.append((message, urn)))
    assert reports == [(m, None) for m in messages]


def test_an_unknown_permission_condition_is_undetermined() -> None:
    props = unknown_checking_proxy({"principal": "*", "sourceAccount": UNKNOWN_STRING_VALUE})
    args = ResourceValidationArgs(lf.PERMISSION, props, urn(lf.PERMISSION, "u"), "u", None, None, {})  # type: ignore[arg-type]
    reports: Reports = []
    with pytest.raises(UnknownValueError):
        lf.NO_PUBLIC.validate(args, lambda message, urn=None: reports.append((message, urn)))
    assert reports == []


KEY_ID = "AKIA" + "ABCDEFGHIJKLMNOP"


@pytest.mark.parametrize(
    ("environment", "message"),
    [
        ({"variables": {"TABLE_NAME": "t", "TOKEN_BUDGET": "4000", "LOG_LEVEL": "INFO"}}, None),
        ({"variables": {"DB_PASSWORD_ARN": "arn:aws:secretsmanager:us-east-1:111122223333:secret:db"}}, None),
        ({"variables": {"API_TOKEN": "12345"}}, None),
        ({"variables": {}}, None),
        ({}, None),
        ({"variables": {"DB_PASSWORD": "hunter2", "AAA": KEY_ID}}, "environment variables hold secrets: AAA (an access-key, private-key or token shape), DB_PASSWORD (a secret-sounding name)"),
        ({"variables": {"SEED": "q8Zr2Lx7Vb4Nm1Kp9Wd3Ty6H"}}, "environment variables hold secrets: SEED (a high-entropy value)"),
        ({"variables": {"X": "preflight-placeholder-secret"}}, "environment variables hold secrets: X (a Pulumi secret (secure: config))"),
        ({"variables": "[secret]"}, "the environment variables hold a Pulumi secret (secure: config)"),
        ("[secret]", "the environment holds a Pulumi secret (secure: config)"),
    ],
    ids=["ok_plain", "ok_reference", "ok_digits", "ok_empty", "ok_no_variables", "bad1_sorted_reasons", "bad2_entropy",
         "bad3_placeholder_variable", "bad4_secret_variables", "bad5_secret_environment"],
)  # fmt: skip
def test_no_secrets_in_environment(environment: Any, message: str | None) -> None:
    expected = [] if message is None else [(f"fn: {message}.", None)]
    assert run_resource(lf.NO_SECRETS, lf.FUNCTION, {"environment": environment}, name="fn") == expected


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"DATABASE_URL": "postgres://db.internal:5432/app", "API_URL": "https://user@api.example.com/v1", "MAX_OUTPUT_TOKENS": "1024", "TOKEN_BUDGET": "4000", "DB_PASS_ARN": "arn:aws:secretsmanager:us-east-1:111122223333:secret:db", "DB_PASS": "/prod/db/pass", "PWD": "/var/task", "API_TOKEN": "3600"}, None),
        ({"DATABASE_URL": "postgres://admin:Sup3rS3cretPw@db.internal:5432/app"}, "environment variables hold secrets: DATABASE_URL (a URL with a password in it)"),
        ({"X": "jdbc:mysql://root:pw@db/app?ssl=true"}, "environment variables hold secrets: X (a URL with a password in it)"),
        ({"DB_PASS": "hunter2hunter2", "MYSQL_PASSWD": "hunter2"}, "environment variables hold secrets: DB_PASS (a secret-sounding name), MYSQL_PASSWD (a secret-sounding name)"),
        ({"DB_PASSWORD": "83920174", "PIN_PWD": "1234"}, "environment variables hold secrets: DB_PASSWORD (a secret-sounding name), PIN_PWD (a secret-sounding name)"),
    ],
    ids=["ok_urls_counts_references", "bad1_url_userinfo_under_url_name", "bad2_jdbc_url_any_name", "bad3_pass_passwd_names",
         "bad4_all_digit_passwords"],
)  # fmt: skip
def test_credential_shapes_in_lambda_environment(variables: dict[str, str], message: str | None) -> None:
    expected = [] if message is None else [(f"fn: {message}.", None)]
    environment = {"variables": variables}
    assert run_resource(lf.NO_SECRETS, lf.FUNCTION, {"environment": environment}, name="fn") == expected


def test_a_secret_string_that_is_not_the_placeholder_is_not_judged() -> None:
    assert run_resource(lf.NO_SECRETS, lf.FUNCTION, {"environment": {"variables": "vars"}}, name="fn") == []
    assert run_resource(lf.NO_SECRETS, lf.FUNCTION, {"environment": "env"}, name="fn") == []


def test_an_unknown_variable_is_noted_after_the_known_secrets_are_reported() -> None:
    props = unknown_checking_proxy(
        {"environment": {"variables": {"A": UNKNOWN_STRING_VALUE, "DB_PASSWORD": "hunter2"}}}
    )
    args = ResourceValidationArgs(lf.FUNCTION, props, urn(lf.FUNCTION, "fn"), "fn", None, None, {})  # type: ignore[arg-type]
    reports: Reports = []
    with pytest.raises(UnknownValueError):
        lf.NO_SECRETS.validate(args, lambda message, urn=None: reports.append((message, urn)))
    assert reports == [("fn: environment variables hold secrets: DB_PASSWORD (a secret-sounding name).", None)]
