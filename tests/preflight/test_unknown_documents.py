"""Review R2: the outputs a policy document is built from are fabricated, and a document that stays unknown
offline is a finding (mandatory in production, advisory elsewhere), never only a note.

The finding is the pack's `iam-document-unknown` (policies/rules/document_unknown.py, its own cases in
tests/policies/test_document_unknown.py); these cases are the gate's: fabrication, and the levels it reports."""

from __future__ import annotations

from pathlib import Path

import pytest

from policies.rules.document_unknown import DOCUMENT_UNKNOWN
from preflight.fabricate import STREAM_LABEL, resource_outputs
from preflight.findings import Level
from preflight.gate import run_gate
from tests.preflight.programs import write_program

REGION = "us-east-1"

#: The reviewer's repros (/tmp/review3/prog-stream, prog-oai): `*` on `*` built from a stream ARN, and a public
#: bucket policy built from an OAI's iamArn. Both passed the production gate with only notes.
STREAM = """
import json
import pulumi_aws as aws
t = aws.dynamodb.Table("t", attributes=[{"name": "pk", "type": "S"}], hash_key="pk", billing_mode="PAY_PER_REQUEST",
    stream_enabled=True, stream_view_type="NEW_IMAGE")
role = aws.iam.Role("r", assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))
aws.iam.RolePolicy("rp", role=role.id, policy=t.stream_arn.apply(lambda s: json.dumps({"Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": ["dynamodb:GetRecords"], "Resource": s},
                  {"Effect": "Allow", "Action": "*", "Resource": "*"}]})))
"""
OAI = """
import json
import pulumi
import pulumi_aws as aws
b = aws.s3.Bucket("site")
oai = aws.cloudfront.OriginAccessIdentity("oai")
aws.s3.BucketPolicy("sitepol", bucket=b.id, policy=pulumi.Output.all(b.arn, oai.iam_arn).apply(lambda a: json.dumps({
    "Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": a[1]}, "Action": "s3:GetObject", "Resource": f"{a[0]}/*"},
        {"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": [a[0], f"{a[0]}/*"]}]})))
"""
#: A table without a stream has no stream ARN (AWS gives none), so the document stays unknown offline.
NO_STREAM = STREAM.replace('stream_enabled=True, stream_view_type="NEW_IMAGE"', "stream_enabled=False")


def _gate(tmp_path: Path, body: str, stack: str) -> list[tuple[str, str, Level]]:
    root = write_program(tmp_path / stack, body, stack=stack)
    report = run_gate(root, stack, checkov=False, timeout=None)
    return [(v.policy, v.resource, v.level) for v in report.violations]


@pytest.mark.parametrize(
    ("body", "resource", "policy"),
    [
        pytest.param(STREAM, "rp", "iam-no-wildcard-action", id="1-stream-arn"),
        pytest.param(OAI, "sitepol", "s3-no-public-policy", id="2-oai-iam-arn"),
    ],
)
def test_repros_fail_in_prod_on_the_real_rule(tmp_path: Path, body: str, resource: str, policy: str) -> None:
    found = _gate(tmp_path, body, "prod")
    assert (policy, resource, Level.MANDATORY) in found
    assert not [f for f in found if f[0] == DOCUMENT_UNKNOWN]  # fabricated, so judged by the rules themselves


def test_unknown_document_is_mandatory_in_prod_and_advisory_in_dev(tmp_path: Path) -> None:
    prod = _gate(tmp_path, NO_STREAM, "prod")
    assert (DOCUMENT_UNKNOWN, "rp", Level.MANDATORY) in prod
    dev = _gate(tmp_path, NO_STREAM, "dev")
    assert (DOCUMENT_UNKNOWN, "rp", Level.ADVISORY) in dev


@pytest.mark.parametrize(
    ("type_token", "inputs", "key", "expected"),
    [
        pytest.param(
            "aws:dynamodb/table:Table",
            {"name": "t", "streamEnabled": True},
            "streamArn",
            f"arn:aws:dynamodb:{REGION}:123456789012:table/t/stream/{STREAM_LABEL}",
            id="1-stream-arn",
        ),
        pytest.param("aws:dynamodb/table:Table", {"name": "t"}, "streamArn", None, id="2-no-stream-no-arn"),
        pytest.param(
            "aws:lambda/layerVersion:LayerVersion",
            {"layerName": "lib"},
            "layerArn",
            f"arn:aws:lambda:{REGION}:123456789012:layer:lib",
            id="3-layer-arn",
        ),
        pytest.param(
            "aws:lambda/layerVersion:LayerVersion",
            {"layerName": "lib"},
            "arn",
            f"arn:aws:lambda:{REGION}:123456789012:layer:lib:1",
            id="4-layer-version-arn",
        ),
        pytest.param(
            "aws:lambda/alias:Alias",
            {"name": "live", "functionName": f"arn:aws:lambda:{REGION}:123456789012:function:f"},
            "arn",
            f"arn:aws:lambda:{REGION}:123456789012:function:f:live",
            id="5-alias-arn",
        ),
        pytest.param(
            "aws:lambda/alias:Alias",
            {"name": "live", "functionName": "f"},
            "invokeArn",
            f"arn:aws:apigateway:{REGION}:lambda:path/2015-03-31/functions/"
            f"arn:aws:lambda:{REGION}:123456789012:function:f:live/invocations",
            id="6-alias-invoke-arn",
        ),
        pytest.param("aws:iam/rolePolicy:RolePolicy", {"role": "r", "policy": "{}"}, "arn", None, id="7-no-arn-type"),
    ],
)
def test_other_arns_fabricated(type_token: str, inputs: dict[str, object], key: str, expected: str | None) -> None:
    _, state = resource_outputs(type_token, "x", inputs, REGION)
    assert state.get(key) == expected


def test_oai_iam_arn_names_its_id() -> None:
    resource_id, state = resource_outputs("aws:cloudfront/originAccessIdentity:OriginAccessIdentity", "oai", {}, REGION)
    assert state["iamArn"] == f"arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity {resource_id}"
    assert state["cloudfrontAccessIdentityPath"] == f"origin-access-identity/cloudfront/{resource_id}"
