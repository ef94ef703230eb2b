"""lambda-permission-source-scoped and lambda-no-public-access called directly on lambda.Permission inputs
(review finding F4, U7): a service principal needs a source that names an owner; exact messages."""
# ruff: noqa: E501  (one case per line reads as a table)

from __future__ import annotations

from typing import Any

import pytest
from pulumi_policy import ResourceValidationArgs
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, UnknownValueError, unknown_checking_proxy

from policies.rules import lambda_functions as lf
from policies.spec import PolicySpec
from tests.policies.rules.calls import Reports, urn

FN = "arn:aws:lambda:us-east-1:111122223333:function:f"
RULE = "arn:aws:events:us-east-1:111122223333:rule/r"
BUCKET = "arn:aws:s3:::uploads"
S3_NEEDS = "source_account (an S3 bucket ARN names no account) and source_arn"
OTHER_NEEDS = "source_arn (the ARN of the rule, topic, API or agent) or source_account"


def _permission(principal: str, **inputs: Any) -> dict[str, Any]:
    return {"function": FN, "action": "lambda:InvokeFunction", "principal": principal, **inputs}


def run_resource(spec: PolicySpec, type_: str, props: dict[str, Any]) -> Reports:
    """What the policy reports, with the inputs behind the pack's unknown-checking proxy (as under the CLI)."""
    reports: Reports = []
    args = ResourceValidationArgs(type_, unknown_checking_proxy(props), urn(type_, "r"), "r", None, None, {})  # type: ignore[arg-type]
    spec.validate(args, lambda message, urn=None: reports.append((message, urn)))
    return reports


def _message(principal: str, need: str) -> str:
    return f"r: the permission lets {principal} invoke the function for any account's resources; set {need}."


@pytest.mark.parametrize(
    ("props", "messages"),
    [
        (_permission("events.amazonaws.com", sourceArn=RULE), []),
        (_permission("sns.amazonaws.com", sourceAccount="111122223333"), []),
        (_permission("s3.amazonaws.com", sourceArn=BUCKET, sourceAccount="111122223333"), []),
        (_permission("s3.amazonaws.com", sourceAccount="111122223333"), []),
        (_permission("alexa-appkit.amazon.com", eventSourceToken="amzn1.ask.skill.1234"), []),
        (_permission("123456789012"), []),
        (_permission("arn:aws:iam::123456789012:role/caller"), []),
        (_permission("events.amazonaws.com", sourceArn=UNKNOWN_STRING_VALUE, sourceAccount="111122223333"), []),
        (_permission("s3.amazonaws.com"), [_message("s3.amazonaws.com", S3_NEEDS)]),
        (_permission("s3.amazonaws.com", sourceArn=BUCKET), [_message("s3.amazonaws.com", S3_NEEDS)]),
        (_permission("events.amazonaws.com"), [_message("events.amazonaws.com", OTHER_NEEDS)]),
        (_permission("sns.amazonaws.com", sourceArn="arn:aws:sns:us-east-1:*:topic"), [_message("sns.amazonaws.com", OTHER_NEEDS)]),
        (_permission("events.amazonaws.com", sourceArn="arn:aws:*"), [_message("events.amazonaws.com", OTHER_NEEDS)]),
        (_permission("sns.amazonaws.com", sourceAccount="*"), [_message("sns.amazonaws.com", OTHER_NEEDS)]),
        (_permission("s3.amazonaws.com", principalOrgId="o-abc123"), [_message("s3.amazonaws.com", S3_NEEDS)]),
        (_permission("alexa-appkit.amazon.com"), [_message("alexa-appkit.amazon.com", OTHER_NEEDS)]),
        (_permission("s3.amazonaws.com.cn"), [_message("s3.amazonaws.com.cn", S3_NEEDS)]),
    ],
    ids=["ok_rule_arn", "ok_account", "ok_s3_both", "ok_s3_account", "ok_alexa_token", "ok_account_principal", "ok_role_principal", "ok_known_account_unknown_arn",
         "bad1_s3_nothing", "bad2_s3_arn_only", "bad3_events_nothing", "bad4_any_account_arn", "bad5_any_arn", "bad6_star_account", "bad7_org_is_not_a_source", "bad8_alexa_no_token", "bad9_china_partition"],
)  # fmt: skip
def test_permission_source(props: dict[str, Any], messages: list[str]) -> None:
    assert run_resource(lf.PERMISSION_SOURCE, lf.PERMISSION, props) == [(m, None) for m in messages]


@pytest.mark.parametrize(
    "props",
    [_permission("events.amazonaws.com", sourceArn=UNKNOWN_STRING_VALUE), _permission(UNKNOWN_STRING_VALUE)],
    ids=["unknown_source", "unknown_principal"],
)
def test_an_unknown_source_is_undetermined_not_passed(props: dict[str, Any]) -> None:
    with pytest.raises(UnknownValueError):
        run_resource(lf.PERMISSION_SOURCE, lf.PERMISSION, props)


PUBLIC = "r: the permission lets principal '*' invoke the function."


@pytest.mark.parametrize(
    ("props", "messages"),
    [
        (_permission("*", principalOrgId="o-abc123"), []),
        (_permission("*", sourceAccount="111122223333"), []),
        (_permission("*", sourceArn=RULE), []),
        (_permission("events.amazonaws.com"), []),
        (_permission("*"), [PUBLIC]),
        (_permission("*", sourceArn=BUCKET), [PUBLIC]),
        (_permission("*", sourceAccount=""), [PUBLIC]),
    ],
    ids=["ok_org", "ok_source_account", "ok_source_arn", "ok_service", "bad1_everyone", "bad2_accountless_arn", "bad3_empty_account"],
)  # fmt: skip
def test_public_permission(props: dict[str, Any], messages: list[str]) -> None:
    """U7: principal '*' narrowed to one organisation or one account's resources is not public."""
    assert run_resource(lf.NO_PUBLIC, lf.PERMISSION, props) == [(m, None) for m in messages]
