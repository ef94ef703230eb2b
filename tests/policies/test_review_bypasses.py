"""The bypasses of the s2 review (notes: review-findings F1, F3, F12, F13, ...), rule by rule.

cdk-nag style and fast: each policy is run on hand-built graph nodes (no synthesis) and must flag exactly
its numbered Noncompliance cases (`badN_*`) and none of its Compliance cases (`ok_*`); the condition
definition of `iamlang.conditions` is tested value by value.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from iamlang import conditions
from iamlang.conditions import narrows_caller
from policies.lib import parse_document, publicly_allowed
from preflight.graph import ResourceGraph, ResourceNode
from tests.policies.conftest import flagged, synth

ACCOUNT = "123456789012"


def _doc(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def _node(name: str, type_: str, inputs: dict[str, Any]) -> ResourceNode:
    urn = f"urn:pulumi:dev::p::{type_}::{name}"
    return ResourceNode(
        urn=urn, type=type_, name=name, custom=True, parent="", provider="", inputs=inputs, outputs=inputs
    )


def _flagged(policy: str, nodes: list[ResourceNode]) -> set[str]:
    return flagged(ResourceGraph("p", "dev", nodes), policy)


def _check(policy: str, cases: dict[str, ResourceNode]) -> None:
    found = _flagged(policy, list(cases.values()))
    bad = {name for name in cases if name.startswith("bad")}
    assert found == bad, f"{policy}: flagged {sorted(found)}, expected {sorted(bad)}"


# --------------------------------------------------------------------- F3: what narrows a caller


@pytest.mark.parametrize(
    ("condition", "narrows"),
    [
        # Compliance: owner pinned
        ({"StringLike": {"aws:PrincipalArn": f"arn:aws:iam::{ACCOUNT}:role/*"}}, True),
        ({"ArnLike": {"aws:SourceArn": f"arn:aws:states:us-east-1:{ACCOUNT}:stateMachine:*"}}, True),
        ({"ArnLike": {"aws:SourceArn": "arn:aws:s3:::my-bucket"}}, True),
        ({"StringLike": {"aws:PrincipalOrgPaths": "o-abc/r-ab12/*"}}, True),
        ({"StringLike": {"aws:userid": "AROAEXAMPLEID:*"}}, True),
        ({"IpAddress": {"aws:SourceIp": ["0.0.0.0/1", "203.0.113.0/24"]}}, True),
        ({"StringEquals": {"aws:SourceAccount": "${aws:ResourceAccount}"}}, True),  # the owner's, not the caller's
        ({"StringEquals": {"aws:PrincipalOrgID": "${aws:ResourceOrgID}"}}, True),
        # Noncompliance 1-3: wildcards in the account/org/service part
        ({"StringLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/*"}}, False),
        ({"StringLike": {"aws:PrincipalOrgID": "o-*"}}, False),
        ({"ArnLike": {"aws:SourceArn": "arn:aws:*"}}, False),
        ({"ArnLike": {"aws:SourceArn": "arn:aws:*:us-east-1:123456789012:thing"}}, False),
        ({"ArnLike": {"aws:SourceArn": "arn:aws:s3:::*"}}, False),
        ({"StringLike": {"aws:SourceAccount": "1*"}}, False),
        ({"StringLike": {"aws:SourceVpce": "vpce-*"}}, False),
        ({"StringLike": {"aws:PrincipalOrgPaths": "o-*/*"}}, False),
        ({"StringLike": {"aws:userid": "*:session"}}, False),
        # Noncompliance 4-6: IP ranges that together cover every address
        ({"IpAddress": {"aws:SourceIp": ["0.0.0.0/1", "128.0.0.0/1"]}}, False),
        ({"IpAddress": {"aws:SourceIp": ["0.0.0.0/2", "64.0.0.0/2", "128.0.0.0/1"]}}, False),
        ({"IpAddress": {"aws:SourceIp": ["::/1", "8000::/1"]}}, False),
        # Noncompliance 7-9: the caller's own policy variable (true for every caller)
        ({"StringEquals": {"aws:PrincipalAccount": "${aws:PrincipalAccount}"}}, False),
        ({"StringEquals": {"aws:SourceAccount": "${aws:SourceAccount}"}}, False),
        ({"StringEquals": {"aws:SourceAccount": "${aws:PrincipalAccount}"}}, False),
        ({"ArnEquals": {"aws:PrincipalArn": "${aws:PrincipalArn}"}}, False),
    ],
)
def test_a_condition_narrows_only_when_its_values_do(condition: dict[str, Any], narrows: bool) -> None:
    assert narrows_caller(condition) is narrows


def test_every_rule_asks_the_same_definition() -> None:
    """Trust, deputy, bucket and resource-policy rules all refuse F3's values (the review's repros)."""
    wild_org = {"StringLike": {"aws:PrincipalOrgID": "o-*"}}
    tautology = {"StringEquals": {"aws:SourceAccount": "${aws:SourceAccount}"}}
    halves = {"IpAddress": {"aws:SourceIp": ["0.0.0.0/1", "128.0.0.0/1"]}}
    anyone = {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}
    states = {"Effect": "Allow", "Principal": {"Service": "states.amazonaws.com"}, "Action": "sts:AssumeRole"}
    role = "aws:iam/role:Role"
    _check(
        "iam-trust-not-public",
        {
            "ok_org": _node(
                "ok_org",
                role,
                {
                    "assumeRolePolicy": _doc(
                        {**anyone, "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}}}
                    )
                },
            ),
            "bad1_any_role": _node(
                "bad1_any_role",
                role,
                {
                    "assumeRolePolicy": _doc(
                        {**anyone, "Condition": {"StringLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/*"}}}
                    )
                },
            ),
            "bad2_any_org": _node("bad2_any_org", role, {"assumeRolePolicy": _doc({**anyone, "Condition": wild_org})}),
            "bad3_tautology": _node(
                "bad3_tautology",
                role,
                {
                    "assumeRolePolicy": _doc(
                        {**anyone, "Condition": {"StringEquals": {"aws:PrincipalAccount": "${aws:PrincipalAccount}"}}}
                    )
                },
            ),
        },
    )
    _check(
        "iam-service-trust-conditioned",
        {
            "ok_account": _node(
                "ok_account",
                role,
                {"assumeRolePolicy": _doc({**states, "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}}})},
            ),
            "bad1_any_source": _node(
                "bad1_any_source",
                role,
                {"assumeRolePolicy": _doc({**states, "Condition": {"ArnLike": {"aws:SourceArn": "arn:aws:*"}}})},
            ),
            "bad2_tautology": _node(
                "bad2_tautology", role, {"assumeRolePolicy": _doc({**states, "Condition": tautology})}
            ),
        },
    )
    get = {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}
    bucket_policy = "aws:s3/bucketPolicy:BucketPolicy"
    _check(
        "s3-no-public-policy",
        {
            "ok_ip": _node(
                "ok_ip",
                bucket_policy,
                {
                    "bucket": "b",
                    "policy": _doc({**get, "Condition": {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}}),
                },
            ),
            "bad1_halves": _node(
                "bad1_halves", bucket_policy, {"bucket": "b", "policy": _doc({**get, "Condition": halves})}
            ),
            "bad2_any_org": _node(
                "bad2_any_org", bucket_policy, {"bucket": "b", "policy": _doc({**get, "Condition": wild_org})}
            ),
        },
    )


def test_restricts_reads_any_key_with_the_same_values() -> None:
    assert conditions.restricts(
        {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}},
        "token.actions.githubusercontent.com:aud",
    )
    assert not conditions.restricts(
        {"StringLike": {"token.actions.githubusercontent.com:aud": "*"}}, "token.actions.githubusercontent.com:aud"
    )
    assert not conditions.restricts({"StringNotEquals": {"x:aud": "a"}}, "x:aud")


# ----------------------------------------------------------------- F1: NotPrincipal with Allow


def test_not_principal_with_allow_is_everyone_except() -> None:
    allow_all_but = {
        "Effect": "Allow",
        "NotPrincipal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
        "Action": "s3:GetObject",
        "Resource": "arn:aws:s3:::b/*",
    }
    deny_all_but = {**allow_all_but, "Effect": "Deny", "Action": "s3:*"}
    (allow,) = parse_document(_doc(allow_all_but))
    (deny,) = parse_document(_doc(deny_all_but))
    assert publicly_allowed(allow)
    assert not publicly_allowed(deny)
    bucket_policy = "aws:s3/bucketPolicy:BucketPolicy"
    _check(
        "s3-no-public-policy",
        {
            "ok_deny_all_but": _node("ok_deny_all_but", bucket_policy, {"bucket": "b", "policy": _doc(deny_all_but)}),
            "ok_not_principal_in_org": _node(
                "ok_not_principal_in_org",
                bucket_policy,
                {
                    "bucket": "b",
                    "policy": _doc(
                        {**allow_all_but, "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}}}
                    ),
                },
            ),
            "bad1_allow_all_but": _node(
                "bad1_allow_all_but", bucket_policy, {"bucket": "b", "policy": _doc(allow_all_but)}
            ),
        },
    )
    send = {
        "Effect": "Allow",
        "NotPrincipal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
        "Action": "sqs:SendMessage",
        "Resource": "*",
    }
    _check(
        "resource-policy-not-public",
        {
            "ok_deny": _node(
                "ok_deny",
                "aws:sqs/queuePolicy:QueuePolicy",
                {"queueUrl": "q", "policy": _doc({**send, "Effect": "Deny"})},
            ),
            "bad1_queue": _node(
                "bad1_queue", "aws:sqs/queuePolicy:QueuePolicy", {"queueUrl": "q", "policy": _doc(send)}
            ),
        },
    )
    _check(
        "iam-trust-not-public",
        {
            "bad1_trust": _node(
                "bad1_trust", "aws:iam/role:Role", {"assumeRolePolicy": _doc({**send, "Action": "sts:AssumeRole"})}
            ),
        },
    )


# ------------------------------------------------------------ F13: web-identity and SAML trust

GITHUB = f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com"
GH_AUD = {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}


def _federated(name: str, provider: str, condition: dict[str, Any] | None = None) -> ResourceNode:
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": {"Federated": provider},
        "Action": "sts:AssumeRoleWithWebIdentity",
    }
    if condition is not None:
        statement["Condition"] = condition
    return _node(name, "aws:iam/role:Role", {"assumeRolePolicy": _doc(statement)})


FEDERATED_CASES = [
    _federated(
        "ok_github_exact",
        GITHUB,
        {
            "StringEquals": {
                **GH_AUD,
                "token.actions.githubusercontent.com:sub": "repo:octo-org/octo-repo:environment:prod",
            }
        },
    ),
    _federated(
        "ok_github_like_branch",
        GITHUB,
        {
            "StringEquals": GH_AUD,
            "StringLike": {"token.actions.githubusercontent.com:sub": "repo:octo-org/octo-repo:*"},
        },
    ),
    _federated(
        "ok_github_any_of",
        GITHUB,
        {
            "StringEquals": GH_AUD,
            "ForAnyValue:StringLike": {
                "token.actions.githubusercontent.com:sub": ["repo:o/a:*", "repo:o/b:ref:refs/heads/main"]
            },
        },
    ),
    _federated(
        "ok_cognito",
        "cognito-identity.amazonaws.com",
        {
            "StringEquals": {"cognito-identity.amazonaws.com:aud": "us-east-1:12345678-1234-1234-1234-123456789012"},
            "ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": "authenticated"},
        },
    ),
    _federated(
        "ok_oidc",
        f"arn:aws:iam::{ACCOUNT}:oidc-provider/login.example.com",
        {"StringEquals": {"login.example.com:aud": "my-app"}},
    ),
    _federated(
        "ok_saml",
        f"arn:aws:iam::{ACCOUNT}:saml-provider/corp",
        {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}},
    ),
    _federated("ok_facebook", "graph.facebook.com", {"StringEquals": {"graph.facebook.com:app_id": "1234567890"}}),
    # Noncompliance 1: GitHub with only the audience (any repository's workflow)
    _federated("bad1_github_no_sub", GITHUB, {"StringEquals": GH_AUD}),
    # Noncompliance 2-4: a subject that names no repository
    _federated(
        "bad2_github_any_repo",
        GITHUB,
        {"StringEquals": GH_AUD, "StringLike": {"token.actions.githubusercontent.com:sub": "repo:*"}},
    ),
    _federated(
        "bad3_github_any_owner",
        GITHUB,
        {"StringEquals": GH_AUD, "StringLike": {"token.actions.githubusercontent.com:sub": "repo:*/octo-repo:*"}},
    ),
    _federated(
        "bad4_github_whole_org",
        GITHUB,
        {"StringEquals": GH_AUD, "StringLike": {"token.actions.githubusercontent.com:sub": ["repo:o/a:*", "repo:o/*"]}},
    ),
    # Noncompliance 5: a negated subject test
    _federated(
        "bad5_github_not_sub",
        GITHUB,
        {
            "StringEquals": GH_AUD,
            "StringNotEquals": {"token.actions.githubusercontent.com:sub": "repo:o/a:ref:refs/heads/main"},
        },
    ),
    # Noncompliance 6: GitHub without the audience
    _federated(
        "bad6_github_no_aud",
        GITHUB,
        {"StringEquals": {"token.actions.githubusercontent.com:sub": "repo:o/a:ref:refs/heads/main"}},
    ),
    # Noncompliance 7-8: Cognito without the pool id, or without amr
    _federated("bad7_cognito_any_pool", "cognito-identity.amazonaws.com"),
    _federated(
        "bad8_cognito_no_amr",
        "cognito-identity.amazonaws.com",
        {"StringEquals": {"cognito-identity.amazonaws.com:aud": "us-east-1:12345678-1234-1234-1234-123456789012"}},
    ),
    # Noncompliance 9-10: a generic OIDC provider or a SAML provider without an audience
    _federated(
        "bad9_oidc_no_aud",
        f"arn:aws:iam::{ACCOUNT}:oidc-provider/login.example.com",
        {"StringLike": {"login.example.com:aud": "*"}},
    ),
    _federated("bad10_saml_no_aud", f"arn:aws:iam::{ACCOUNT}:saml-provider/corp"),
]


def test_federated_trust_names_whose_tokens_it_accepts() -> None:
    _check("iam-federated-trust-conditioned", {n.name: n for n in FEDERATED_CASES})


def test_an_oidc_provider_arn_names_its_url() -> None:
    """The engine fabricates the provider ARN AWS gives (`oidc-provider/<host>`), which trust policies reuse."""
    from preflight import arn_shapes  # noqa: PLC0415

    arn = arn_shapes.arn(
        "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
        "gh-1234567",
        "gh-1234567",
        region="us-east-1",
        account=ACCOUNT,
        inputs={"url": "https://token.actions.githubusercontent.com"},
    )
    assert arn == GITHUB


OIDC_TRUST_FROM_PROVIDER_URL = """
import json
import pulumi
import pulumi_aws as aws

provider = aws.iam.OpenIdConnectProvider("gh", url="https://token.actions.githubusercontent.com",
                                         client_id_lists=["sts.amazonaws.com"])


def trust(args):
    url, arn = args
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Federated": arn}, "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringLike": {f"{url}:sub": "repo:octo/app:environment:prod"},
                      "StringEquals": {f"{url}:aud": "sts.amazonaws.com"}}}]})


aws.iam.Role("deployer", assume_role_policy=pulumi.Output.all(provider.url, provider.arn).apply(trust))
"""


def test_an_oidc_providers_url_is_read_back_without_its_scheme(tmp_path: Path) -> None:
    """nizarakbarm/oidc-github-pulumi-py@227c02b builds its GitHub trust's condition keys from `provider.url`: AWS
    returns that URL without `https://` (GetOpenIDConnectProvider, read back into the state by the provider), so
    the keys are `token.actions.githubusercontent.com:sub` and the trust names a repository. Fabricated as the
    program's input, the keys were `https://...:sub` and the role a false iam-federated-trust-conditioned."""
    graph = synth(tmp_path, OIDC_TRUST_FROM_PROVIDER_URL)
    provider = next(n for n in graph if n.name == "gh")
    assert provider.outputs["url"] == "token.actions.githubusercontent.com"
    assert provider.inputs["url"] == "https://token.actions.githubusercontent.com"  # what the program gave
    assert flagged(graph, "iam-federated-trust-conditioned") == set()
    role = next(n for n in graph if n.name == "deployer")
    condition = json.loads(role.inputs["assumeRolePolicy"])["Statement"][0]["Condition"]
    assert condition["StringLike"] == {"token.actions.githubusercontent.com:sub": "repo:octo/app:environment:prod"}


# ------------------------------------------------------------- F12: more resource policies


def test_public_writes_on_every_resource_policy_type() -> None:
    put = {"Effect": "Allow", "Principal": "*", "Action": "events:PutEvents", "Resource": "*"}
    org = {"Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}}}
    kms_any = {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:Encrypt", "Resource": "*"}
    ap_put = {
        "Effect": "Allow",
        "Principal": "*",
        "Action": "s3:PutObject",
        "Resource": "arn:aws:s3:us-east-1:123456789012:accesspoint/ap/object/*",
    }
    logs_put = {"Effect": "Allow", "Principal": "*", "Action": "logs:PutLogEvents", "Resource": "*"}
    es_put = {"Effect": "Allow", "Principal": "*", "Action": "es:ESHttpPut", "Resource": "*"}
    bus = "aws:cloudwatch/eventBusPolicy:EventBusPolicy"
    _check(
        "resource-policy-not-public",
        {
            "ok_bus_org": _node("ok_bus_org", bus, {"eventBusName": "b", "policy": _doc({**put, **org})}),
            "ok_key_caller_account": _node(
                "ok_key_caller_account",
                "aws:kms/key:Key",
                {
                    "policy": _doc(
                        {
                            **kms_any,
                            "Condition": {
                                "StringEquals": {
                                    "kms:CallerAccount": ACCOUNT,
                                    "kms:ViaService": "s3.us-east-1.amazonaws.com",
                                }
                            },
                        }
                    )
                },
            ),
            # Noncompliance 1: a bus anyone may put events on
            "bad1_bus": _node("bad1_bus", bus, {"eventBusName": "b", "policy": _doc(put)}),
            # Noncompliance 2: narrowed by a condition that does not narrow (F3)
            "bad2_bus_any_org": _node(
                "bad2_bus_any_org",
                bus,
                {
                    "eventBusName": "b",
                    "policy": _doc({**put, "Condition": {"StringLike": {"aws:PrincipalOrgID": "o-*"}}}),
                },
            ),
            # Noncompliance 3-4: KMS key and key policy anyone may encrypt with
            "bad3_key": _node(
                "bad3_key",
                "aws:kms/key:Key",
                {"policy": _doc({**kms_any, "Condition": {"Bool": {"aws:SecureTransport": "true"}}})},
            ),
            "bad4_key_policy": _node(
                "bad4_key_policy", "aws:kms/keyPolicy:KeyPolicy", {"keyId": "k", "policy": _doc(kms_any)}
            ),
            # Noncompliance 5-6: S3 access points
            "bad5_access_point": _node(
                "bad5_access_point", "aws:s3/accessPoint:AccessPoint", {"bucket": "b", "policy": _doc(ap_put)}
            ),
            "bad6_access_point_policy": _node(
                "bad6_access_point_policy",
                "aws:s3control/accessPointPolicy:AccessPointPolicy",
                {"accessPointArn": "arn:aws:s3:us-east-1:123456789012:accesspoint/ap", "policy": _doc(ap_put)},
            ),
            # Noncompliance 7-8: CloudWatch Logs and OpenSearch
            "bad7_logs": _node(
                "bad7_logs",
                "aws:cloudwatch/logResourcePolicy:LogResourcePolicy",
                {"policyName": "p", "policyDocument": _doc(logs_put)},
            ),
            "bad8_domain": _node(
                "bad8_domain",
                "aws:opensearch/domainPolicy:DomainPolicy",
                {"domainName": "d", "accessPolicies": _doc(es_put)},
            ),
        },
    )


# ------------------------------------------- F17 / F11: admin through every attachment resource

ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"
READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"


def test_admin_through_every_attachment_resource() -> None:
    exclusive = "aws:iam/{0}PolicyAttachmentsExclusive:{1}PolicyAttachmentsExclusive"
    sso = "aws:ssoadmin/managedPolicyAttachment:ManagedPolicyAttachment"
    _check(
        "iam-no-admin-managed-policies",
        {
            "ok_exclusive_read_only": _node(
                "ok_exclusive_read_only", exclusive.format("role", "Role"), {"roleName": "r", "policyArns": [READ_ONLY]}
            ),
            "ok_sso_read_only": _node("ok_sso_read_only", sso, {"managedPolicyArn": READ_ONLY}),
            # Noncompliance 1-3: the exclusive attachments of a role, a user and a group
            "bad1_role_exclusive": _node(
                "bad1_role_exclusive",
                exclusive.format("role", "Role"),
                {"roleName": "r", "policyArns": [READ_ONLY, ADMIN]},
            ),
            "bad2_user_exclusive": _node(
                "bad2_user_exclusive", exclusive.format("user", "User"), {"userName": "u", "policyArns": [ADMIN]}
            ),
            "bad3_group_exclusive": _node(
                "bad3_group_exclusive",
                exclusive.format("group", "Group"),
                {"groupName": "g", "policyArns": ["arn:aws:iam::aws:policy/AmazonS3FullAccess"]},
            ),
            # Noncompliance 4: an IAM Identity Center permission set
            "bad4_sso": _node("bad4_sso", sso, {"managedPolicyArn": ADMIN}),
            # Noncompliance 5: the old PolicyAttachment
            "bad5_policy_attachment": _node(
                "bad5_policy_attachment",
                "aws:iam/policyAttachment:PolicyAttachment",
                {"policyArn": ADMIN, "roles": ["r"]},
            ),
        },
    )


def test_star_on_star_in_every_identity_policy_resource() -> None:
    star = _doc({"Effect": "Allow", "Action": "*", "Resource": "*"})
    scoped = _doc({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"})
    _check(
        "iam-no-wildcard-action",
        {
            "ok_permission_set": _node(
                "ok_permission_set",
                "aws:ssoadmin/permissionSetInlinePolicy:PermissionSetInlinePolicy",
                {"inlinePolicy": scoped},
            ),
            # Noncompliance 1-3: a permission set's inline policy, a user policy, a group policy
            "bad1_permission_set": _node(
                "bad1_permission_set",
                "aws:ssoadmin/permissionSetInlinePolicy:PermissionSetInlinePolicy",
                {"inlinePolicy": star},
            ),
            "bad2_user_policy": _node(
                "bad2_user_policy", "aws:iam/userPolicy:UserPolicy", {"user": "u", "policy": star}
            ),
            "bad3_group_policy": _node(
                "bad3_group_policy", "aws:iam/groupPolicy:GroupPolicy", {"group": "g", "policy": star}
            ),
        },
    )


@pytest.mark.parametrize(
    ("name", "arn"),
    [
        ("AdministratorAccess", "arn:aws:iam::aws:policy/AdministratorAccess"),
        ("AWSLambdaBasicExecutionRole", "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"),
        ("ViewOnlyAccess", "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess"),
        ("my-team-policy", f"arn:aws:iam::{ACCOUNT}:policy/my-team-policy"),
    ],
)
def test_get_policy_by_name_gives_the_arn_aws_gives(name: str, arn: str) -> None:
    from preflight.invokes import invoke_result  # noqa: PLC0415

    assert invoke_result("aws:iam/getPolicy:getPolicy", {"name": name}, "us-east-1")["arn"] == arn


# ----------------------------------------------- F10: get_policy_document as the provider renders it

STAR = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Sid": "All", "Effect": "Allow", "Action": "*", "Resource": "*"}]}
)
GET = {"effect": "Allow", "actions": ["s3:GetObject"], "resources": ["arn:aws:s3:::b/*"]}


def _rendered(args: dict[str, Any]) -> list[dict[str, Any]]:
    from preflight.invokes import policy_document_json  # noqa: PLC0415

    statements: list[dict[str, Any]] = json.loads(policy_document_json(args))["Statement"]
    return statements


def test_source_and_override_documents_are_merged_by_sid() -> None:
    """terraform-provider-aws `IAMPolicyDoc.Merge`: sources, then statements, then overrides; a Sid replaces."""
    assert [s["Action"] for s in _rendered({"sourcePolicyDocuments": [STAR], "statements": [GET]})] == [
        "*",
        "s3:GetObject",
    ]
    assert [s["Action"] for s in _rendered({"overridePolicyDocuments": [STAR]})] == ["*"]
    assert [
        s["Action"] for s in _rendered({"sourcePolicyDocuments": [STAR], "statements": [{**GET, "sid": "All"}]})
    ] == ["s3:GetObject"]
    assert [
        s["Action"] for s in _rendered({"statements": [{**GET, "sid": "All"}], "overridePolicyDocuments": [STAR]})
    ] == ["*"]
    assert [s["Action"] for s in _rendered({"sourcePolicyDocuments": ["not json", None], "statements": [GET]})] == [
        "s3:GetObject"
    ]


def test_principals_and_conditions_of_one_type_keep_every_value() -> None:
    (statement,) = _rendered(
        {
            "statements": [
                {
                    **GET,
                    "principals": [
                        {"type": "AWS", "identifiers": ["*"]},
                        {"type": "AWS", "identifiers": [f"arn:aws:iam::{ACCOUNT}:root"]},
                    ],
                    "conditions": [
                        {"test": "StringEquals", "variable": "aws:SourceAccount", "values": [ACCOUNT]},
                        {"test": "StringEquals", "variable": "aws:SourceAccount", "values": ["*"]},
                    ],
                }
            ]
        }
    )
    assert statement["Principal"] == {"AWS": ["*", f"arn:aws:iam::{ACCOUNT}:root"]}
    assert statement["Condition"] == {"StringEquals": {"aws:SourceAccount": [ACCOUNT, "*"]}}
    assert (
        _rendered({"statements": [{**GET, "principals": [{"type": "*", "identifiers": ["*"]}]}]})[0]["Principal"] == "*"
    )


def test_the_pack_sees_what_the_merged_document_grants() -> None:
    from preflight.invokes import policy_document_json  # noqa: PLC0415

    role_policy = "aws:iam/rolePolicy:RolePolicy"
    public = policy_document_json(
        {
            "statements": [
                {
                    **GET,
                    "principals": [
                        {"type": "AWS", "identifiers": ["*"]},
                        {"type": "AWS", "identifiers": [f"arn:aws:iam::{ACCOUNT}:root"]},
                    ],
                }
            ]
        }
    )
    _check(
        "iam-no-wildcard-action",
        {
            "ok_statements": _node(
                "ok_statements", role_policy, {"role": "r", "policy": policy_document_json({"statements": [GET]})}
            ),
            # Noncompliance 1-2: `*` through a source or an override document
            "bad1_source": _node(
                "bad1_source",
                role_policy,
                {"role": "r", "policy": policy_document_json({"sourcePolicyDocuments": [STAR], "statements": [GET]})},
            ),
            "bad2_override": _node(
                "bad2_override",
                role_policy,
                {"role": "r", "policy": policy_document_json({"overridePolicyDocuments": [STAR]})},
            ),
        },
    )
    _check(
        "s3-no-public-policy",
        {
            "bad1_merged_principal": _node(
                "bad1_merged_principal", "aws:s3/bucketPolicy:BucketPolicy", {"bucket": "b", "policy": public}
            )
        },
    )
