"""Every pulumi-aws input that says who may act on a resource is classified and judged (review s10 #3, #7).

The scan reads the installed SDK (policies.grant_inputs.scan): a name it finds that no set classifies fails,
a grantee input that no rule judges and no reason excuses fails, and the stored table must be the SDK's. Then
cdk-nag style cases: the public shares and documents the review found (numbered non-compliant cases) and the
named or narrowed ones that pass, and resource-not-judged deciding by the value a program sets, not by type.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any

import pytest
from pulumi_policy import PolicyResource, ResourceValidationArgs, StackValidationArgs
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, UnknownValueError, unknown_checking_proxy

from policies import grant_inputs
from policies.rules import coverage
from policies.rules import resource_policies as rp
from tests.policies.rules.calls import Reports, _opts, provider, run_resource, urn

ACCOUNT = "123456789012"


@functools.cache
def _scan() -> dict[str, list[tuple[str, ...]]]:
    return grant_inputs.scan()


def test_every_name_the_sdk_scan_finds_is_classified() -> None:
    scanned = _scan()
    assert len(scanned) > 300, "the SDK scan found too few types"
    unclassified = sorted({p[-1] for paths in scanned.values() for p in paths if grant_inputs.name_kind(p[-1]) is None})
    assert unclassified == []


def test_the_stored_table_is_the_installed_sdks() -> None:
    """policies/grant_inputs.json is what the installed pulumi-aws declares (after an upgrade:
    python -m policies.grant_inputs --write)."""
    stored = json.loads(grant_inputs.TABLE_FILE.read_text(encoding="utf-8"))
    assert stored == grant_inputs.table()
    # the review's five are in it, nested ones at their dotted path
    assert (
        "details.policy"
        in stored["documents"]["aws:s3control/multiRegionAccessPointPolicy:MultiRegionAccessPointPolicy"]
    )
    assert stored["documents"]["aws:ecr/repositoryCreationTemplate:RepositoryCreationTemplate"] == ["repositoryPolicy"]
    assert stored["grantees"]["aws:cloudwatch/eventPermission:EventPermission"] == ["principal"]
    assert stored["grantees"]["aws:rds/clusterSnapshot:ClusterSnapshot"] == ["sharedAccounts"]


def test_every_grantee_input_is_judged_or_named() -> None:
    grantees = grant_inputs.grantees_by_type()
    for type_token, paths in grantees.items():
        share = rp.SHARE_INPUTS.get(type_token)
        if share is not None:
            assert share.path in paths, type_token
        else:
            assert type_token in rp.NAMED_GRANTEES, type_token
    assert set(rp.NAMED_GRANTEES) <= set(grantees)
    assert set(rp.SHARE_INPUTS) - set(grantees) == {"aws:ssm/document:Document"}  # a map: no Args block to scan


def test_every_document_type_is_read_excluded_or_reported_when_set() -> None:
    for type_token, paths in grant_inputs.documents_by_type().items():
        read = type_token in coverage.READ_POLICY_TYPES or type_token in coverage.NOT_PERMISSION_POLICIES
        assert read or coverage.unread_documents(type_token) == paths, type_token
    assert set(coverage.NOT_PERMISSION_POLICIES) <= set(grant_inputs.documents_by_type())


# ------------------------------------------------------------------------------- shares with everyone

EVENT = rp.EVENT_PERMISSION
ENDPOINT_PRINCIPAL = "aws:ec2/vpcEndpointServiceAllowedPrinciple:VpcEndpointServiceAllowedPrinciple"
ENDPOINT_SERVICE = "aws:ec2/vpcEndpointService:VpcEndpointService"
IMAGE_DISTRIBUTION = "aws:imagebuilder/distributionConfiguration:DistributionConfiguration"


def _distribution(groups: list[str]) -> dict[str, Any]:
    return {
        "distributions": [
            {"region": "us-east-1", "amiDistributionConfiguration": {"launchPermission": {"userGroups": groups}}}
        ]
    }


def _shared(what: str, path: str, everyone: str) -> list[tuple[str, None]]:
    return [(f"r: the {what} is shared with every AWS account ({path} '{everyone}').", None)]


NONCOMPLIANT = [
    (EVENT, {"principal": "*", "statementId": "Anyone"}, _shared("event bus", "principal", "*")),
    (ENDPOINT_PRINCIPAL, {"principalArn": "*"}, _shared("endpoint service", "principalArn", "*")),
    (
        ENDPOINT_SERVICE,
        {"allowedPrincipals": [f"arn:aws:iam::{ACCOUNT}:root", "*"]},
        _shared("endpoint service", "allowedPrincipals", "*"),
    ),
    ("aws:rds/snapshot:Snapshot", {"sharedAccounts": ["all"]}, _shared("snapshot", "sharedAccounts", "all")),
    ("aws:rds/snapshotCopy:SnapshotCopy", {"sharedAccounts": ["all"]}, _shared("snapshot", "sharedAccounts", "all")),
    (
        "aws:rds/clusterSnapshot:ClusterSnapshot",
        {"sharedAccounts": ["all"]},
        _shared("snapshot", "sharedAccounts", "all"),
    ),
    (
        "aws:rds/clusterSnapshotCopy:ClusterSnapshotCopy",
        {"sharedAccounts": ["ALL"]},
        _shared("snapshot", "sharedAccounts", "all"),
    ),
    (
        "aws:ec2/amiLaunchPermission:AmiLaunchPermission",
        {"group": "all", "imageId": "ami-0abc"},
        _shared("image", "group", "all"),
    ),
    (
        IMAGE_DISTRIBUTION,
        _distribution(["all"]),
        _shared("distributed image", "distributions.amiDistributionConfiguration.launchPermission.userGroups", "all"),
    ),
    (
        "aws:ssm/document:Document",
        {"permissions": {"type": "Share", "account_ids": "All"}},
        _shared("document", "permissions.account_ids", "all"),
    ),
]


@pytest.mark.parametrize(
    ("type_", "props", "messages"), NONCOMPLIANT, ids=[f"noncompliant{i + 1}" for i in range(len(NONCOMPLIANT))]
)
def test_noncompliant_shares_with_everyone(type_: str, props: dict[str, Any], messages: list[Any]) -> None:
    assert run_resource(rp.NOT_PUBLIC, type_, props) == messages


COMPLIANT = [
    (EVENT, {"principal": ACCOUNT}),
    (
        EVENT,
        {"principal": "*", "condition": {"key": "aws:PrincipalOrgID", "type": "StringEquals", "value": "o-abc123def4"}},
    ),
    (ENDPOINT_PRINCIPAL, {"principalArn": f"arn:aws:iam::{ACCOUNT}:root"}),
    (ENDPOINT_SERVICE, {"allowedPrincipals": [f"arn:aws:iam::{ACCOUNT}:root"]}),
    (ENDPOINT_SERVICE, {}),
    ("aws:rds/clusterSnapshot:ClusterSnapshot", {"sharedAccounts": [ACCOUNT]}),
    ("aws:rds/snapshot:Snapshot", {}),
    ("aws:ec2/amiLaunchPermission:AmiLaunchPermission", {"accountId": ACCOUNT}),
    (IMAGE_DISTRIBUTION, _distribution([])),
    ("aws:ssm/document:Document", {"permissions": {"type": "Share", "account_ids": ACCOUNT}}),
]


@pytest.mark.parametrize(("type_", "props"), COMPLIANT, ids=[f"compliant{i + 1}" for i in range(len(COMPLIANT))])
def test_compliant_shares_pass(type_: str, props: dict[str, Any]) -> None:
    assert run_resource(rp.NOT_PUBLIC, type_, props) == []


def _recorder(reports: Reports) -> Callable[..., None]:
    def report(message: str, where: str | None = None) -> None:
        reports.append((message, where))

    return report


def _judge_share(type_: str, props: dict[str, Any]) -> Reports:
    """resource-policy-not-public on inputs as pulumi_policy hands them (`unknown_checking_proxy` raises on an
    unknown value; `run_resource` copies the props, which would raise before the rule runs)."""
    reports: Reports = []
    args = ResourceValidationArgs(type_, unknown_checking_proxy(props), urn(type_, "r"), "r", _opts(), None, {})
    rp.NOT_PUBLIC.validate(args, _recorder(reports))
    return reports


def test_an_unknown_narrowing_condition_is_cannot_tell_not_a_pass() -> None:
    assert _judge_share(EVENT, {"principal": ACCOUNT, "condition": UNKNOWN_STRING_VALUE}) == []
    with pytest.raises(UnknownValueError):
        _judge_share(EVENT, {"principal": "*", "condition": UNKNOWN_STRING_VALUE})


# ------------------------------------------------------------------------------ documents in new places


def _public_document(*actions: str) -> str:
    statement = {"Effect": "Allow", "Principal": "*", "Action": list(actions), "Resource": "*"}
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def _named_document(*actions: str) -> str:
    principal = {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}
    statement = {"Effect": "Allow", "Principal": principal, "Action": list(actions), "Resource": "*"}
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


MRAP = "aws:s3control/multiRegionAccessPointPolicy:MultiRegionAccessPointPolicy"
TEMPLATE = "aws:ecr/repositoryCreationTemplate:RepositoryCreationTemplate"


def _anyone(actions: str) -> list[tuple[str, None]]:
    return [
        (f"r: the resource policy lets anyone (Principal '*') {actions} without a condition naming the caller.", None)
    ]


@pytest.mark.parametrize(
    ("case", "type_", "props", "messages"),
    [
        (
            "noncompliant1",
            MRAP,
            {"details": {"name": "m", "policy": _public_document("s3:GetObject", "s3:PutObject")}},
            _anyone("s3:PutObject"),
        ),
        (
            "noncompliant2",
            TEMPLATE,
            {"prefix": "cache", "repositoryPolicy": _public_document("ecr:PutImage", "ecr:BatchGetImage")},
            _anyone("ecr:PutImage"),
        ),
        ("compliant1", MRAP, {"details": {"name": "m", "policy": _named_document("s3:PutObject")}}, []),
        ("compliant2", TEMPLATE, {"prefix": "cache", "repositoryPolicy": _public_document("ecr:BatchGetImage")}, []),
        ("compliant3", TEMPLATE, {"prefix": "cache"}, []),
    ],
)
def test_documents_the_scan_found_are_judged(case: str, type_: str, props: dict[str, Any], messages: list[Any]) -> None:
    assert run_resource(rp.NOT_PUBLIC, type_, props) == messages, case


# --------------------------------------------------------------------- resource-not-judged by the value

REST_API = "aws:apigateway/restApi:RestApi"
ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint"


def _not_judged(type_: str, props: dict[str, Any]) -> list[tuple[str, str | None]]:
    """resource-not-judged on one resource whose inputs arrive as pulumi_policy hands them (the proxy)."""
    reports: Reports = []
    node = PolicyResource(
        type_, unknown_checking_proxy(props), urn(type_, "r"), "r", _opts(), provider({}), None, [], {}
    )
    args = StackValidationArgs([node], None)
    coverage.NOT_JUDGED.validate(args, _recorder(reports))
    return reports


@pytest.mark.parametrize(
    ("type_", "props"),
    [
        (REST_API, {"description": "x"}),
        (REST_API, {"policy": ""}),
        (ENDPOINT, {"serviceName": "com.amazonaws.us-east-1.s3", "vpcEndpointType": "Gateway"}),
        ("aws:opensearch/domain:Domain", {"domainName": "d"}),
        ("aws:kms/replicaKey:ReplicaKey", {"primaryKeyArn": "arn"}),  # read by resource-policy-not-public now
        ("aws:transfer/user:User", {"userName": "u", "policy": None}),
        (ENDPOINT, {"policy": _named_document("s3:GetObject")}),  # an endpoint policy only narrows (NOT_PERMISSION)
    ],
    ids=[f"compliant{i}" for i in range(1, 8)],
)
def test_a_type_that_can_carry_an_unread_document_but_sets_none_is_not_reported(
    type_: str, props: dict[str, Any]
) -> None:
    assert _not_judged(type_, props) == []


@pytest.mark.parametrize(
    ("case", "type_", "props", "path"),
    [
        ("noncompliant1", REST_API, {"policy": _public_document("execute-api:Invoke")}, "policy"),
        (
            "noncompliant2",
            "aws:opensearch/domain:Domain",
            {"accessPolicies": _public_document("es:ESHttpGet")},
            "accessPolicies",
        ),
        ("noncompliant3", "aws:glue/resourcePolicy:ResourcePolicy", {"policy": _public_document("glue:*")}, "policy"),
    ],
)
def test_a_set_document_no_rule_reads_is_reported_with_its_path(
    case: str, type_: str, props: dict[str, Any], path: str
) -> None:
    message = (
        f"r: {type_} sets {path}, a permission document no rule of the pack reads, so who it lets in was not judged."
    )
    assert _not_judged(type_, props) == [(message, f"urn:pulumi:dev::x::{type_}::r")], case


def test_an_unknown_unread_document_is_left_to_the_unknown_value_rules() -> None:
    assert _not_judged(REST_API, {"description": UNKNOWN_STRING_VALUE}) == []
    with pytest.raises(UnknownValueError):
        _not_judged(REST_API, {"policy": UNKNOWN_STRING_VALUE})


def test_the_fix_hint_names_both_kinds_of_fix() -> None:
    explanation = coverage.NOT_JUDGED.explanation
    assert "for a pulumi-aws document, add its type" in explanation
    assert "for another provider's resource, express it with pulumi-aws" in explanation
