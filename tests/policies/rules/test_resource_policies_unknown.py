"""resource-policy-not-public with values not known until deploy (a preview): the known part is judged and
reported, and the rule then says "cannot tell yet" (UnknownValueError) instead of guessing either way.

pulumi_policy hands a rule its inputs through `unknown_checking_proxy`, which raises on an unknown value; the
table beside this file passes plain dicts, where an unknown is only a string (bench/MUTATION.md, run E).
"""

from __future__ import annotations

from typing import Any

import pytest
from pulumi_policy import ResourceValidationArgs
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, UnknownValueError, unknown_checking_proxy

from policies.rules import resource_policies as rp
from tests.policies.rules.calls import Reports, urn

QUEUE = "aws:sqs/queuePolicy:QueuePolicy"


def _run(type_: str, props: dict[str, Any]) -> tuple[Reports, bool]:
    """The reports, and whether the rule ended with "cannot tell yet"."""
    reports: Reports = []

    def report(message: str, urn: str | None = None) -> None:
        reports.append((message, urn))

    args = ResourceValidationArgs(type_, unknown_checking_proxy(props), urn(type_, "r"), "r", None, None, {})  # type: ignore[arg-type]
    try:
        rp.NOT_PUBLIC.validate(args, report)
    except UnknownValueError:
        return reports, True
    return reports, False


def test_ok1_a_layer_shared_with_an_organization_not_known_yet_is_not_reported() -> None:
    props = {"principal": "*", "organizationId": UNKNOWN_STRING_VALUE}
    assert _run(rp.LAYER_PERMISSION, props) == ([], True)


def test_bad1_a_layer_shared_with_everyone_is_reported_while_an_unrelated_input_is_unknown() -> None:
    props = {"principal": "*", "organizationId": "", "action": UNKNOWN_STRING_VALUE}
    assert _run(rp.LAYER_PERMISSION, props) == (
        [("r: the layer version is shared with every AWS account (principal '*').", None)],
        False,
    )


def test_bad2_a_public_statement_is_reported_beside_one_with_an_unknown_resource() -> None:
    document = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": "*", "Action": "sqs:SendMessage", "Resource": "*"},
            {"Effect": "Allow", "Principal": "*", "Action": "sqs:GetQueueUrl", "Resource": UNKNOWN_STRING_VALUE},
        ],
    }
    message = (
        "r: the resource policy lets anyone (Principal '*') sqs:SendMessage without a condition naming the caller."
    )
    assert _run(QUEUE, {"policy": document}) == ([(message, None)], True)


@pytest.mark.parametrize("unknown_policy", [UNKNOWN_STRING_VALUE, {"Statement": UNKNOWN_STRING_VALUE}])
def test_ok2_a_policy_not_known_yet_reports_nothing_and_cannot_tell(unknown_policy: Any) -> None:
    assert _run(QUEUE, {"policy": unknown_policy}) == ([], True)
