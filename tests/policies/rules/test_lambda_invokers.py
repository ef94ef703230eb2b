"""Who invokes a Lambda function, and whether a permission's condition names the caller's owner: the cases
run F's survivors of `policies.rules.lambda_functions` got wrong (bench/MUTATION.md), through the public
`invocation_modes`, `pins_source_owner` and the failure-destination rule."""
# ruff: noqa: E501  (one case per line reads as a table)

from __future__ import annotations

from typing import Any

import pytest
from pulumi_policy import PolicyResource, StackValidationArgs

from policies.rules import lambda_functions as lf
from tests.policies.rules.calls import resource, run_stack, urn

ARN = "arn:aws:lambda:us-east-1:111122223333:function:worker"
STATE_MACHINE = "aws:sfn/stateMachine:StateMachine"
NO_DESTINATION = [("fn: no dead-letter queue and no on-failure destination.", urn(lf.FUNCTION, "fn"))]


def _modes(function: PolicyResource, *others: PolicyResource) -> set[str]:
    return lf.invocation_modes(StackValidationArgs([function, *others], None), function)


def _permission(function: str, principal: str) -> PolicyResource:
    return resource(lf.PERMISSION, "perm", {"function": function, "principal": principal})


WORKER = resource(lf.FUNCTION, "fn", {"arn": ARN, "name": "worker"})


@pytest.mark.parametrize(
    ("function", "others", "modes"),
    [
        # AddPermission takes `name:alias` as FunctionName (Lambda API reference, AddPermission): the name inside
        (WORKER, [_permission("worker:live", "apigateway.amazonaws.com")], {"sync"}),
        (WORKER, [_permission("worker:live", "events.amazonaws.com")], {"async"}),
        (WORKER, [_permission("worker", "s3.amazonaws.com")], {"async"}),
        (WORKER, [resource("aws:sns/topicSubscription:TopicSubscription", "sub", {"endpoint": ARN})], {"async"}),
        # a function known by its ARN only (no name input): the ARN inside the definition names it
        (resource(lf.FUNCTION, "fn", {"arn": ARN}), [resource(STATE_MACHINE, "sm", {"definition": f'{{"Resource": "{ARN}"}}'})], {"sync"}),
        (WORKER, [resource(STATE_MACHINE, "sm", {})], set()),
        (WORKER, [_permission("worker-2:live", "apigateway.amazonaws.com")], set()),
    ],
    ids=["alias_sync", "alias_async", "name_async", "topic_async", "arn_only", "no_definition", "another_function"],
)  # fmt: skip
def test_invocation_modes(function: PolicyResource, others: list[PolicyResource], modes: set[str]) -> None:
    assert _modes(function, *others) == modes


def test_a_state_machine_without_a_definition_invokes_nothing() -> None:
    """A source resource without the input (not set, or dropped) is no caller: the function stays asynchronous."""
    stack = [WORKER, resource(STATE_MACHINE, "sm", {})]
    assert run_stack(lf.FAILURE_DESTINATION, stack, None) == NO_DESTINATION


@pytest.mark.parametrize(
    ("condition", "pinned"),
    [
        ({"StringEquals": {"aws:SourceAccount": "111122223333"}}, True),
        ({"StringEquals": {"aws:SourceOrgID": "o-abcdefghij"}}, True),
        ({"ArnLike": {"aws:SourceArn": "arn:aws:events:us-east-1:111122223333:rule/nightly"}}, True),
        ({"ArnLike": {"aws:SourceArn": "arn:aws:s3:::uploads"}}, False),
        # an S3 object ARN: still no account field, however many `:` the key holds
        ({"ArnLike": {"aws:SourceArn": "arn:aws:s3:::uploads/in:2026:*"}}, False),
        # not an ARN at all (four fields): no account field to read
        ({"ArnLike": {"aws:SourceArn": "arn:aws:s3:uploads"}}, False),
        # an account field that is a wildcard does not name the owner, whatever else narrows the caller
        ({"ArnLike": {"aws:SourceArn": "arn:aws:events:us-east-1:*:rule/nightly"}, "IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}, False),
        ({"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}, False),
    ],
    ids=["account", "organisation", "arn_with_account", "bucket_arn", "object_arn_with_colons", "four_fields", "wild_account_and_ip", "ip_only"],
)  # fmt: skip
def test_pins_source_owner(condition: dict[str, Any], pinned: bool) -> None:
    assert lf.pins_source_owner(condition) is pinned


@pytest.mark.parametrize(
    ("others", "modes"),
    [
        ([resource(lf.FUNCTION_URL, "url", {"functionName": "worker", "authorizationType": "AWS_IAM"})], {"sync"}),
        ([resource(lf.PERMISSION, "perm", {"function": "worker", "action": "lambda:InvokeFunctionUrl", "principal": "arn:aws:iam::111122223333:user/seba"})], {"sync"}),
        ([resource(lf.PERMISSION, "perm", {"function": "worker", "action": "lambda:invokeFunctionUrl", "principal": "111122223333"})], {"sync"}),
        ([resource(lf.PERMISSION, "perm", {"function": "worker", "action": "lambda:InvokeFunction", "invokedViaFunctionUrl": True, "principal": "*"})], {"sync"}),
        # the same principal may call Invoke with InvocationType Event: not known to be synchronous
        ([resource(lf.PERMISSION, "perm", {"function": "worker", "action": "lambda:InvokeFunction", "principal": "arn:aws:iam::111122223333:user/seba"})], {"async"}),
        ([resource(lf.FUNCTION_URL, "url", {"functionName": "worker-2"})], set()),
    ],
    ids=["function_url", "url_permission_user", "url_permission_any_case", "invoked_via_url", "invoke_permission_user", "url_of_another_function"],
)  # fmt: skip
def test_a_function_url_invokes_synchronously(others: list[PolicyResource], modes: set[str]) -> None:
    """A function URL's client waits for the reply (learn-pulumi-aws-python's producer, tests/preflight/
    public_programs.py "sqs-sns-function-url", was told to add a dead-letter queue it could never use)."""
    assert _modes(WORKER, *others) == modes
    assert run_stack(lf.FAILURE_DESTINATION, [WORKER, *others], None) == ([] if modes == {"sync"} else NO_DESTINATION)
