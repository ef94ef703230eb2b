"""cloudfront-minimum-tls judges a security policy by its place in AWS's order, not by an allow-list
(review3 s11 #7): stricter policies pass, the fix hint never names a weaker one.

The order is the column order of "Supported protocols and ciphers between viewers and CloudFront" (CloudFront
Developer Guide, https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/secure-connections-supported-viewer-protocols-ciphers.html);
the names must be exactly botocore's cloudfront `MinimumProtocolVersion` enum, so a policy AWS adds fails here until
it is placed in `policies.rules.edge.SECURITY_POLICY_ORDER`.
"""

from __future__ import annotations

import botocore.session
import pytest

from policies.rules import edge
from tests.policies.rules.calls import run_resource

ACM = "arn:aws:acm:us-east-1:111122223333:certificate/0b1c2d3e-4f5a-6b7c-8d9e-0f1a2b3c4d5e"
ORDER = edge.SECURITY_POLICY_ORDER


def _tls(version: str | None, config: dict[str, str] | None = None) -> list[str]:
    certificate = {"acmCertificateArn": ACM, "sslSupportMethod": "sni-only", "minimumProtocolVersion": version}
    reports = run_resource(edge.MINIMUM_TLS, edge.DISTRIBUTION, {"viewerCertificate": certificate}, "cdn", config)
    return [message for message, _ in reports]


def test_the_order_names_exactly_botocores_enum() -> None:
    model = botocore.session.get_session().get_service_model("cloudfront")
    enum = model.shape_for("MinimumProtocolVersion").enum
    assert sorted(ORDER) == sorted(enum)
    assert len(set(ORDER)) == len(ORDER)


def test_the_order_is_awss_table_not_botocores_listing() -> None:
    """botocore lists TLSv1.3_2025 before TLSv1.2_2025; AWS's table, and strictness, put it last."""
    assert ORDER.index("TLSv1.2_2021") < ORDER.index("TLSv1.2_2025") < ORDER.index("TLSv1.3_2025") == len(ORDER) - 1
    assert ORDER[:2] == ("SSLv3", "TLSv1")


def test_the_schema_admits_only_cloudfronts_policies() -> None:
    assert edge.MINIMUM_TLS.config_schema == {"minimumSecurityPolicy": {"type": "string", "enum": list(ORDER)}}


# Compliance: the default minimum and everything stricter, as the repro (/work/notes/s11/review3/cftls13) sets it.
@pytest.mark.parametrize("version", ["TLSv1.2_2021", "TLSv1.2_2025", "TLSv1.3_2025"])
def test_compliance_stricter_policies_pass(version: str) -> None:
    assert _tls(version) == []


# Noncompliance 1-7: every policy weaker than the default, each with a hint naming only TLSv1.2_2021 and stricter.
WEAKER = ORDER[: ORDER.index("TLSv1.2_2021")]


@pytest.mark.parametrize("version", WEAKER, ids=[f"noncompliance{i}_{v}" for i, v in enumerate(WEAKER, 1)])
def test_noncompliance_weaker_policies_fail(version: str) -> None:
    assert _tls(version) == [
        f"cdn: minimum viewer TLS {version} is weaker than TLSv1.2_2021; "
        "use TLSv1.2_2021 or a stricter one (TLSv1.2_2025, TLSv1.3_2025)."
    ]


def test_noncompliance8_a_name_cloudfront_does_not_have() -> None:
    assert _tls("TLSv1.3_2024") == [
        "cdn: minimum viewer TLS 'TLSv1.3_2024' is not a CloudFront security policy; "
        "use TLSv1.2_2021 or a stricter one (TLSv1.2_2025, TLSv1.3_2025)."
    ]


@pytest.mark.parametrize("minimum", ORDER)
@pytest.mark.parametrize("version", [*ORDER, None, "TLSv9"])
def test_pass_exactly_at_or_above_the_minimum_and_never_hint_weaker(minimum: str, version: str | None) -> None:
    """Every (stack minimum, distribution policy) pair: pass iff the policy is at or after the minimum; a
    finding's hint names the minimum and only policies after it, never the distribution's own weaker one."""
    found = _tls(version, {"minimumSecurityPolicy": minimum})
    passes = version in ORDER and ORDER.index(version) >= ORDER.index(minimum)
    assert (found == []) is passes
    for message in found:
        hint = message.split("; use ", 1)[1].removesuffix(".")
        named = [p for p in ORDER if p in hint.replace("(", " ").replace(")", " ").replace(",", " ").split()]
        assert named == list(ORDER[ORDER.index(minimum) :]), message
