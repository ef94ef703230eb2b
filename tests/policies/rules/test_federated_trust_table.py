"""iam-federated-trust-conditioned called directly: GitHub Actions, Cognito identity pools, other OIDC and
SAML providers, with the claims each needs (the sources are cited in policies/rules/federated_trust.py)."""
# ruff: noqa: E501  (one case per line reads as a table)

from __future__ import annotations

import json
from typing import Any

import pytest

from policies.rules import federated_trust as ft
from tests.policies.rules.calls import run_resource

GITHUB = "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"
GH = "token.actions.githubusercontent.com"
AUD = {"StringEquals": {f"{GH}:aud": "sts.amazonaws.com"}}
SUB_NEEDED = f"{GH}:sub naming a repository (repo:<owner>/<repo>:...)"
ROLE = "aws:iam/role:Role"


def _trust(provider: Any, condition: dict[str, Any] | None = None, effect: str = "Allow") -> dict[str, str]:
    statement: dict[str, Any] = {
        "Effect": effect,
        "Principal": {"Federated": provider},
        "Action": "sts:AssumeRoleWithWebIdentity",
    }
    if condition is not None:
        statement["Condition"] = condition
    return {"assumeRolePolicy": json.dumps({"Version": "2012-10-17", "Statement": [statement]})}


def _message(provider: str, *missing: str) -> str:
    return f"r: the trust policy accepts every token of {provider} without a condition on {', '.join(missing)}."


def _github(sub_operator: str, sub: Any) -> dict[str, Any]:
    return {**AUD, sub_operator: {**AUD.get(sub_operator, {}), f"{GH}:sub": sub}}


@pytest.mark.parametrize(
    ("condition", "missing"),
    [
        (_github("StringLike", "repo:octo-org/octo-repo:*"), []),
        (_github("StringEquals", "repo:octo-org/octo-repo:ref:refs/heads/main"), []),
        (_github("StringLike", ["repo:octo-org/a:*", "repo:octo-org/b:environment:prod"]), []),
        (_github("StringLike", "repo:octo-org/octo-*:*"), []),
        (_github("StringLike", "custom-prefix:octo-org"), []),
        (_github("StringEquals", "anything-literal"), []),
        (None, [f"{GH}:aud", SUB_NEEDED]),
        (AUD, [SUB_NEEDED]),
        ({"StringLike": {f"{GH}:sub": "repo:octo-org/octo-repo:*"}}, [f"{GH}:aud"]),
        (_github("StringLike", "repo:*"), [SUB_NEEDED]),
        (_github("StringLike", "repo:octo-org/*"), [SUB_NEEDED]),
        (_github("StringLike", "repo:octo-*/repo:*"), [SUB_NEEDED]),
        (_github("StringLike", "repo:/repo:*"), [SUB_NEEDED]),
        (_github("StringLike", "repo:octo-org/?*:*"), [SUB_NEEDED]),
        (_github("StringLike", "repo:octo-org:*"), [SUB_NEEDED]),
        (_github("StringLike", "*"), [SUB_NEEDED]),
        (_github("StringLike", "?anything"), [SUB_NEEDED]),
        (_github("StringLike", ["repo:octo-org/a:*", "repo:*"]), [SUB_NEEDED]),
        (_github("StringEquals", " "), [SUB_NEEDED]),
        (_github("StringNotEquals", "repo:octo-org/octo-repo:*"), [SUB_NEEDED]),
        (_github("ForAnyValue:StringLike", "repo:octo-org/octo-repo:*"), []),
        ({**AUD, "StringLike": {f"{GH}:actor": "repo:octo-org/octo-repo:*"}}, [SUB_NEEDED]),
    ],
    ids=["ok_repo_any_ref", "ok_exact_ref", "ok_each_value_pinned", "ok_repo_prefix", "ok_custom_claim_prefix", "ok_equals_literal",
         "bad1_nothing", "bad2_no_sub", "bad3_no_aud", "bad4_any_repo", "bad5_any_repo_of_owner", "bad6_owner_wildcard", "bad7_no_owner",
         "bad8_repo_only_wildcards", "bad9_no_repository", "bad10_star", "bad11_leading_wildcard", "bad12_one_value_open", "bad13_blank",
         "bad14_negated", "ok_for_any_value_on_a_present_claim", "bad15_other_claim"],
)  # fmt: skip
def test_github_actions(condition: dict[str, Any] | None, missing: list[str]) -> None:
    expected = [(_message(GITHUB, *missing), None)] if missing else []
    assert run_resource(ft.FEDERATED_TRUST_CONDITIONED, ROLE, _trust(GITHUB, condition)) == expected


COGNITO = "cognito-identity.amazonaws.com"


@pytest.mark.parametrize(
    ("condition", "missing"),
    [
        ({"StringEquals": {f"{COGNITO}:aud": "us-east-1:pool"}, "ForAnyValue:StringLike": {f"{COGNITO}:amr": "authenticated"}}, []),
        ({"StringEquals": {f"{COGNITO}:aud": "us-east-1:pool"}}, [f"{COGNITO}:amr"]),
        ({"ForAnyValue:StringLike": {f"{COGNITO}:amr": "authenticated"}}, [f"{COGNITO}:aud"]),
        (None, [f"{COGNITO}:aud", f"{COGNITO}:amr"]),
    ],
    ids=["ok_both", "bad1_no_amr", "bad2_no_aud", "bad3_nothing"],
)  # fmt: skip
def test_cognito_identity_pools(condition: dict[str, Any] | None, missing: list[str]) -> None:
    expected = [(_message(COGNITO, *missing), None)] if missing else []
    assert run_resource(ft.FEDERATED_TRUST_CONDITIONED, ROLE, _trust(COGNITO, condition)) == expected


OKTA = "arn:aws:iam::111122223333:oidc-provider/example.okta.com/oauth2/default"
SAML = "arn:aws:iam::111122223333:saml-provider/corp"


@pytest.mark.parametrize(
    ("provider", "condition", "missing"),
    [
        (OKTA, {"StringEquals": {"example.okta.com/oauth2/default:aud": "app"}}, None),
        (OKTA, None, "example.okta.com/oauth2/default:aud"),
        ("graph.facebook.com", {"StringEquals": {"graph.facebook.com:app_id": "1"}}, None),
        ("graph.facebook.com", {"StringEquals": {"graph.facebook.com:aud": "1"}}, "graph.facebook.com:app_id"),
        ("www.amazon.com", None, "www.amazon.com:app_id"),
        ("accounts.google.com", None, "accounts.google.com:aud"),
        (SAML, {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}}, None),
        (SAML, None, "SAML:aud"),
        ("arn:aws-cn:iam::111122223333:saml-provider/corp", None, "SAML:aud"),
    ],
    ids=["ok_oidc_aud", "bad1_oidc", "ok_facebook_app_id", "bad2_facebook_aud_is_not_app_id", "bad3_amazon", "bad4_google",
         "ok_saml", "bad5_saml", "bad6_saml_china"],
)  # fmt: skip
def test_other_providers(provider: str, condition: dict[str, Any] | None, missing: str | None) -> None:
    expected = [(_message(provider, missing), None)] if missing else []
    assert run_resource(ft.FEDERATED_TRUST_CONDITIONED, ROLE, _trust(provider, condition)) == expected


def test_deny_statements_and_service_principals_are_not_judged() -> None:
    assert run_resource(ft.FEDERATED_TRUST_CONDITIONED, ROLE, _trust(GITHUB, effect="Deny")) == []
    service = {
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]
    }
    assert run_resource(ft.FEDERATED_TRUST_CONDITIONED, ROLE, {"assumeRolePolicy": json.dumps(service)}) == []


def test_each_provider_of_a_statement_is_judged() -> None:
    found = run_resource(ft.FEDERATED_TRUST_CONDITIONED, ROLE, _trust([GITHUB, COGNITO], AUD))
    assert found == [
        (_message(GITHUB, SUB_NEEDED), None),
        (_message(COGNITO, f"{COGNITO}:aud", f"{COGNITO}:amr"), None),
    ]
