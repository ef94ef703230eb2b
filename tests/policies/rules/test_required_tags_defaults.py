"""required-tags judges the tags a resource will carry: its own merged with its aws provider's default_tags, as
pulumi-aws computes `tagsAll` (provider/tags.go `mergeTags`), ignore_tags removed (review s10 #9)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pulumi_policy import PolicyProviderResource, ResourceValidationArgs
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, UnknownValueError, unknown_checking_proxy

from policies.rules import governance as gov
from tests.policies.rules.calls import Reports, _opts, urn

KEY = "aws:kms/key:Key"
CONFIG = {"requiredTagKeys": ["team", "environment"]}
BOTH = {"team": "platform", "environment": "prod"}


def _provider(props: dict[str, Any], token: str = "pulumi:providers:aws") -> PolicyProviderResource:
    return PolicyProviderResource(token, unknown_checking_proxy(props), urn(token, "tagged"), "tagged")


def _judge(props: dict[str, Any], provider: PolicyProviderResource | None, type_: str = KEY) -> Reports:
    reports: Reports = []

    def report(message: str, where: str | None = None) -> None:
        reports.append((message, where))

    args = ResourceValidationArgs(type_, unknown_checking_proxy(props), urn(type_, "r"), "r", _opts(), provider, CONFIG)
    gov.REQUIRED_TAGS.validate(args, report)
    return reports


def _defaults(tags: dict[str, str], **more: Any) -> dict[str, Any]:
    """An explicit provider's inputs as the Python SDK sends them: default_tags as JSON text."""
    return {
        "region": "us-east-1",
        "defaultTags": json.dumps({"tags": tags}),
        **{k: json.dumps(v) for k, v in more.items()},
    }


def _missing(keys: str) -> Reports:
    return [(f"r: missing required tags {keys}.", None)]


@pytest.mark.parametrize(
    ("case", "props", "provider"),
    [
        ("compliant1_default_tags_of_an_explicit_provider", {}, _provider(_defaults(BOTH))),
        (
            "compliant2_default_tags_as_stack_config_object",
            {"tags": {"team": "a"}},
            _provider({"defaultTags": {"tags": {"environment": "prod"}}}),
        ),
        ("compliant3_checked_tags_all_of_a_real_preview", {"tagsAll": BOTH}, None),
        ("compliant4_own_tags_without_a_provider", {"tags": BOTH}, None),
    ],
)
def test_compliant(case: str, props: dict[str, Any], provider: PolicyProviderResource | None) -> None:
    assert _judge(props, provider) == [], case


@pytest.mark.parametrize(
    ("case", "props", "provider", "expected"),
    [
        ("noncompliant1_no_tags_no_defaults", {}, _provider({"region": "us-east-1"}), _missing("team, environment")),
        ("noncompliant2_defaults_lack_one", {}, _provider(_defaults({"team": "platform"})), _missing("environment")),
        (
            "noncompliant3_ignore_tags_keys",
            {},
            _provider(_defaults(BOTH, ignoreTags={"keys": ["environment"]})),
            _missing("environment"),
        ),
        (
            "noncompliant4_ignore_tags_prefixes",
            {},
            _provider(_defaults(BOTH, ignoreTags={"keyPrefixes": ["te"]})),
            _missing("team"),
        ),
        ("noncompliant5_own_empty_value_wins", {"tags": {"team": ""}}, _provider(_defaults(BOTH)), _missing("team")),
        (
            "noncompliant6_another_providers_defaults",
            {},
            _provider(_defaults(BOTH), "pulumi:providers:gcp"),
            _missing("team, environment"),
        ),
        (
            "noncompliant7_tags_all_is_the_providers_word",
            {"tagsAll": {"team": "platform"}},
            _provider(_defaults(BOTH)),
            _missing("environment"),
        ),
    ],
)
def test_noncompliant(
    case: str, props: dict[str, Any], provider: PolicyProviderResource | None, expected: Reports
) -> None:
    assert _judge(props, provider) == expected, case


def test_unknown_default_tags_are_cannot_tell_not_missing() -> None:
    with pytest.raises(UnknownValueError):
        _judge({}, _provider({"defaultTags": UNKNOWN_STRING_VALUE}))
