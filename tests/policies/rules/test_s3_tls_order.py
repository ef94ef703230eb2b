"""s3-tls-only with the enforcing statement after one it skips, and a bucket outside the `aws` partition: the
cases run F's survivors of `policies.rules.s3` got wrong (bench/MUTATION.md), through the rule itself."""

from __future__ import annotations

from typing import Any

import pytest

from policies.rules import s3
from tests.policies.rules.calls import run_stack
from tests.policies.rules.test_s3_table import ARN, B_URN, NO_TLS, TLS, _bucket, _doc, _on


@pytest.mark.parametrize(
    "first",
    [
        {**TLS, "Effect": "Allow"},
        {**TLS, "Action": "s3:GetObject"},
        {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "NotResource": ARN, "Condition": TLS["Condition"]},
    ],
    ids=["after_an_allow", "after_a_narrow_deny", "after_a_not_resource_deny"],
)  # fmt: skip
def test_the_enforcing_statement_after_a_skipped_one_counts(first: dict[str, Any]) -> None:
    bucket = _bucket(arn=ARN)
    assert run_stack(s3.TLS_ONLY, [bucket, _on(s3.BUCKET_POLICY[0], bucket, policy=_doc(first, TLS))], None) == []


def test_the_bucket_arn_is_read_not_rebuilt() -> None:
    """A bucket in aws-cn: its ARN is `arn:aws-cn:s3:::...`, which `arn:aws:s3:::<name>` would not match."""
    china = "arn:aws-cn:s3:::data-bkt"
    statement = {**TLS, "Resource": [china, china + "/*"]}
    bucket = _bucket(arn=china)
    policy = _on(s3.BUCKET_POLICY[0], bucket, policy=_doc(statement))
    assert run_stack(s3.TLS_ONLY, [bucket, policy], None) == []
    assert run_stack(
        s3.TLS_ONLY, [_bucket(arn=ARN), _on(s3.BUCKET_POLICY[0], _bucket(arn=ARN), policy=_doc(statement))], None
    ) == [(NO_TLS, B_URN)]
