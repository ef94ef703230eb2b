"""iam-federated-trust-conditioned: GitHub `sub` values that name nothing (an empty list, StringEquals `*`),
owner names with capitals, a statement after a Deny, and a trust policy not known until deploy
(bench/MUTATION.md, run E)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pulumi_policy import ResourceValidationArgs
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, UnknownValueError, unknown_checking_proxy

from policies.rules import federated_trust as ft
from tests.policies.rules.calls import Reports, run_resource, urn

GITHUB = "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"
GH = "token.actions.githubusercontent.com"
ROLE = "aws:iam/role:Role"
SUB_NEEDED = f"{GH}:sub naming a repository (repo:<owner>/<repo>:...)"
MESSAGE = f"r: the trust policy accepts every token of {GITHUB} without a condition on {SUB_NEEDED}."


def _statement(sub_operator: str | None = None, sub: Any = None, effect: str = "Allow") -> dict[str, Any]:
    condition: dict[str, Any] = {"StringEquals": {f"{GH}:aud": "sts.amazonaws.com"}}
    if sub_operator is not None:
        condition.setdefault(sub_operator, {})[f"{GH}:sub"] = sub
    return {
        "Effect": effect,
        "Principal": {"Federated": GITHUB},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": condition,
    }


def _role(*statements: dict[str, Any]) -> dict[str, str]:
    return {"assumeRolePolicy": json.dumps({"Version": "2012-10-17", "Statement": list(statements)})}


@pytest.mark.parametrize(
    ("operator", "sub", "reported"),
    [
        ("StringLike", "repo:Xilinx/brevitas:*", False),
        ("StringEquals", "repo:XRPLF/rippled:ref:refs/heads/develop", False),
        ("StringLike", "repo:octo-org/X*:*", False),
        ("StringEquals", [], True),
        ("StringLike", [], True),
        ("StringEquals", "*", True),
    ],
    ids=["ok1_capital_owner", "ok2_capital_owner_exact", "ok3_repository_prefix", "bad1_no_value", "bad2_no_value_like",
         "bad3_equals_star"],
)  # fmt: skip
def test_github_subject_values(operator: str, sub: Any, reported: bool) -> None:
    found = run_resource(ft.FEDERATED_TRUST_CONDITIONED, ROLE, _role(_statement(operator, sub)))
    assert found == ([(MESSAGE, None)] if reported else [])


def test_bad4_an_open_statement_after_a_deny_is_reported() -> None:
    props = _role(_statement(effect="Deny"), _statement())
    assert run_resource(ft.FEDERATED_TRUST_CONDITIONED, ROLE, props) == [(MESSAGE, None)]


def _run_unknown(props: dict[str, Any]) -> tuple[Reports, bool]:
    """The reports, and whether the rule ended with "cannot tell yet" (pulumi_policy's unknown-checking proxy)."""
    reports: Reports = []

    def report(message: str, urn: str | None = None) -> None:
        reports.append((message, urn))

    args = ResourceValidationArgs(ROLE, unknown_checking_proxy(props), urn(ROLE, "r"), "r", None, None, {})  # type: ignore[arg-type]
    try:
        ft.FEDERATED_TRUST_CONDITIONED.validate(args, report)
    except UnknownValueError:
        return reports, True
    return reports, False


def test_bad5_an_open_statement_is_reported_beside_one_not_known_yet() -> None:
    later = {**_statement("StringLike", "repo:octo-org/octo-repo:*"), "Action": UNKNOWN_STRING_VALUE}
    props = {"assumeRolePolicy": {"Version": "2012-10-17", "Statement": [_statement(), later]}}
    assert _run_unknown(props) == ([(MESSAGE, None)], True)
