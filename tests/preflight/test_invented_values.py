"""`security-value-unknown` in the gate: an unknown wrapped in a secret, and a value invented offline for a data
source, at an input policies/security_values.py lists (review s7 findings 5 and 4; checkov's side:
tests/preflight/test_checkov_unknown.py); and `iam-document-unknown` for a policy document built from one (issue 11:
an invented value inside a `json.dumps` document or an f-string)."""

from __future__ import annotations

from pathlib import Path

import pytest

from policies.registry import by_name
from policies.rules.document_unknown import DOCUMENT_UNKNOWN, VALUE_UNKNOWN
from preflight.deferred import written_as
from preflight.engine import synthesize
from preflight.findings import Finding, Level
from preflight.invokes import invented, invented_found, invented_token, invented_within, invoke_result
from preflight.policy_runner import PolicySetting, run_policies
from tests.preflight.programs import write_program

_HEAD = """
import pulumi
import pulumi_aws as aws

net = pulumi.StackReference("org/network/prod")
"""
_QUEUE = 'aws.sqs.Queue("q", {})\n'
_SSM = 'aws.ssm.get_parameter(name="/queue/key").value'


def _unknown_findings(
    tmp_path: Path, body: str, *, dry_run: bool = False, policy: str = VALUE_UNKNOWN
) -> list[Finding]:
    root = write_program(tmp_path / "prod", _HEAD + body, stack="prod")
    graph = synthesize(root, "prod")
    config = {VALUE_UNKNOWN: PolicySetting(Level.MANDATORY), DOCUMENT_UNKNOWN: PolicySetting(Level.MANDATORY)}
    run = run_policies(graph, policies=list(by_name().values()), config=config, dry_run=dry_run)
    return [f for f in run.findings if f.policy == policy]


def test_bad1_an_unknown_wrapped_in_a_secret_is_a_finding(tmp_path: Path) -> None:
    found = _unknown_findings(tmp_path, _QUEUE.format('kms_master_key_id=pulumi.Output.secret(net.get_output("k"))'))
    assert [(f.resource, f.level) for f in found] == [("q", Level.MANDATORY)]
    assert found[0].message.startswith("kmsMasterKeyId is unknown, so no rule judged it"), found[0].message


def test_bad2_a_value_invented_for_a_data_source_is_a_finding_naming_it(tmp_path: Path) -> None:
    found = _unknown_findings(tmp_path, _QUEUE.format(f"kms_master_key_id={_SSM}"))
    assert [(f.resource, f.level) for f in found] == [("q", Level.MANDATORY)]
    assert found[0].message.startswith(
        "kmsMasterKeyId was invented offline for data source aws:ssm/getParameter:getParameter"
    ), found[0].message


@pytest.mark.parametrize(
    "body",
    [
        # An invented value at an input no rule of the table decides on (the queue's name).
        _QUEUE.format(f'name={_SSM}, kms_master_key_id="alias/queues"'),
        # A common data source: the account id is given, not invented, in the key ARN the rule judges.
        _QUEUE.format(
            'kms_master_key_id=f"arn:aws:kms:us-east-1:{aws.get_caller_identity().account_id}:key/1234abcd-12ab"'
        ),
    ],
    ids=["ok-invented-where-no-rule-reads", "ok-caller-identity-account-in-an-arn"],
)
def test_ok_invented_values_only_count_at_a_table_input(tmp_path: Path, body: str) -> None:
    assert _unknown_findings(tmp_path, body) == []


def test_ok_in_a_preview_an_invented_value_is_not_reported(tmp_path: Path) -> None:
    # Under `pulumi preview` the engine reads the data source for real, so a preview judges no invented value.
    assert _unknown_findings(tmp_path, _QUEUE.format(f"kms_master_key_id={_SSM}"), dry_run=True) == []


# ------------------------------------ an invented value inside a document or a derived string (issue 11)

_HEAD_JSON = "import json\n"
_ACCOUNT = 'acct = aws.ssm.get_parameter(name="/org/trusted-account").value\n'
_TRUST = (
    "json.dumps({{'Version': '2012-10-17', 'Statement': [{{'Effect': 'Allow', 'Principal': {{'AWS': {principal}}},\n"
    "    'Action': 'sts:AssumeRole', 'Condition': {{'StringEquals': {{'sts:ExternalId': 'ext-7f3a'}}}}}}]}})"
)
_ROLE = 'aws.iam.Role("r", assume_role_policy={})\n'
_READ_DOC = (
    "json.dumps({{'Version': '2012-10-17', 'Statement': [{{'Effect': 'Allow', 'Action': 'sqs:SendMessage',\n"
    "    'Resource': {resource}}}]}})"
)
_SSM_NAME = "/org/trusted-account"
_PARAMETER = "aws:ssm/getParameter:getParameter"


def _invented_documents(tmp_path: Path, body: str) -> list[Finding]:
    return _unknown_findings(tmp_path, _HEAD_JSON + _ACCOUNT + body, policy=DOCUMENT_UNKNOWN)


def test_bad3_a_trust_policy_naming_an_account_from_a_parameter_is_a_finding(tmp_path: Path) -> None:
    body = _ROLE.format(_TRUST.format(principal='f"arn:aws:iam::{acct}:root"'))
    found = _invented_documents(tmp_path, body)
    assert [(f.resource, f.level) for f in found] == [("r", Level.MANDATORY)]
    assert found[0].message.startswith(
        f"assumeRolePolicy holds a value invented offline for data source {_PARAMETER}, so no IAM rule judged"
    ), found[0].message
    assert found[0].principles == ("P135", "P137")


def test_bad4_a_bucket_policy_granting_a_parameters_account_is_a_finding(tmp_path: Path) -> None:
    body = (
        'b = aws.s3.BucketV2("b")\n'
        "aws.s3.BucketPolicy('bp', bucket=b.id, policy=b.arn.apply(lambda arn: json.dumps({'Version': '2012-10-17',\n"
        "    'Statement': [{'Effect': 'Allow', 'Principal': {'AWS': f'arn:aws:iam::{acct}:root'},\n"
        "    'Action': 's3:GetObject', 'Resource': f'{arn}/*'}]})))\n"
    )
    found = _invented_documents(tmp_path, body)
    assert [f.resource for f in found] == ["bp"]
    assert found[0].message.startswith(f"policy holds a value invented offline for data source {_PARAMETER}")


def test_bad5_a_document_in_a_list_naming_a_parameters_queue_is_a_finding(tmp_path: Path) -> None:
    # A role's inline policies: a list of {name, policy}, the document a JSON string built from the parameter.
    resource = 'f"arn:aws:sqs:us-east-1:{acct}:orders"'
    body = (
        f'aws.iam.Role("r", assume_role_policy={_TRUST.format(principal=repr("arn:aws:iam::123456789012:root"))},\n'
        f'    inline_policies=[{{"name": "send", "policy": {_READ_DOC.format(resource=resource)}}}])\n'
    )
    found = _invented_documents(tmp_path, body)
    assert [(f.resource, f.message.split(" ", 1)[0]) for f in found] == [("r", "inlinePolicies")]


def test_bad6_a_key_arn_built_from_a_parameter_is_a_security_value_finding(tmp_path: Path) -> None:
    found = _unknown_findings(
        tmp_path, _ACCOUNT + _QUEUE.format('kms_master_key_id=f"arn:aws:kms:us-east-1:{acct}:key/1234abcd-12ab"')
    )
    assert [f.resource for f in found] == ["q"]
    assert found[0].message.startswith(f"kmsMasterKeyId holds a value invented offline for data source {_PARAMETER}")


def test_bad7_a_json_environment_variable_built_from_a_parameter_is_a_finding(tmp_path: Path) -> None:
    body = (
        'aws.lambda_.Function("fn", role="arn:aws:iam::123456789012:role/fn", runtime="python3.13",\n'
        '    handler="app.handler", code=pulumi.AssetArchive({}),\n'
        '    environment={"variables": {"CONFIG": json.dumps({"peers": [{"account": acct}]})}})\n'
    )
    found = _unknown_findings(tmp_path, _HEAD_JSON + _ACCOUNT + body)
    assert [f.resource for f in found] == ["fn"]
    assert found[0].message.startswith(f"environment holds a value invented offline for data source {_PARAMETER}")


@pytest.mark.parametrize(
    "body",
    [
        # The same trust policy naming a literal account: the rules judged it.
        _ROLE.format(_TRUST.format(principal='"arn:aws:iam::123456789012:root"')),
        # A literal that merely starts with "preflight-", not the invented shape (no hex after it, or a name
        # running on past it), in the document the rules judge.
        _ROLE.format(_TRUST.format(principal='"arn:aws:iam::123456789012:role/preflight-checks"')),
        _ROLE.format(_TRUST.format(principal='"arn:aws:iam::123456789012:role/preflight-0123456789abcdefx"')),
        # The parameter's value where no rule reads: the role's description.
        _ROLE.format(_TRUST.format(principal='"arn:aws:iam::123456789012:root"')).replace(
            'aws.iam.Role("r", ', 'aws.iam.Role("r", description=f"trusts {acct}", '
        ),
    ],
    ids=["ok-literal-account", "ok-literal-preflight-word", "ok-literal-preflight-hex-run-on", "ok-invented-elsewhere"],
)
def test_ok_documents_without_invented_values_are_no_finding(tmp_path: Path, body: str) -> None:
    assert _invented_documents(tmp_path, body) == []


def test_an_invented_value_is_recognised_inside_a_string_by_record_and_by_shape() -> None:
    made = invented(_PARAMETER, "/recorded")
    assert invented_within(f"arn:aws:iam::{made}:root") == [_PARAMETER]
    assert invented_within(f"x{made}y") == [_PARAMETER]  # recorded: wherever it stands
    assert invented_within(made) == [_PARAMETER]  # a whole one as before
    assert invented_within("arn:aws:iam::preflight-0123456789:root") == [""]  # unrecorded: by its shape
    assert invented_within('{"a": "preflight-0123456789abcdef"}') == [""]
    assert invented_within("role/apreflight-0123456789") == []  # a word runs into it: a name
    assert invented_within("preflight-0123456789abcdef0") == []  # more hex than the shape allows
    assert invented_within("preflight-checks") == []
    assert invented_found(["10.0.0.0/8", {"k": made, "j": f"{made}/32"}]) == [(_PARAMETER, True), (_PARAMETER, False)]
    # Keys too (review s9 finding 5): whole, and embedded in a condition key.
    assert invented_found({made: "x", f"aws:PrincipalTag/{made}": "y", "k": "v"}) == [
        (_PARAMETER, True),
        (_PARAMETER, False),
    ]


def test_bad9_a_native_trust_policy_with_a_condition_key_from_a_parameter_is_a_finding(tmp_path: Path) -> None:
    # An aws-native role's document is a dict: the parameter's value is in a KEY (review s9 finding 5).
    body = (
        "import pulumi_aws_native as aws_native\n"
        'aws_native.iam.Role("r", assume_role_policy_document={"Version": "2012-10-17", "Statement": [\n'
        '    {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "sts:AssumeRole",\n'
        '     "Condition": {"StringEquals": {f"aws:PrincipalTag/{acct}": "x"}}}]})\n'
    )
    found = _invented_documents(tmp_path, body)
    assert [(f.resource, f.level) for f in found] == [("r", Level.MANDATORY)]
    # Named as the program wrote it (aws-native's property), not as the pulumi-aws view reads it (`assumeRolePolicy`).
    assert found[0].message.startswith(
        f"assumeRolePolicyDocument holds a value invented offline for data source {_PARAMETER}"
    ), found[0].message


def test_bad10_a_renamed_native_document_is_named_as_written(tmp_path: Path) -> None:
    # aws-native's RolePolicy `policyDocument` is read as a pulumi-aws RolePolicy's `policy` (policies.native.RENAMES).
    body = (
        "import pulumi_aws_native as aws_native\n"
        'aws_native.iam.RolePolicy("rp", role_name="r", policy_name="p", policy_document={"Version": "2012-10-17",\n'
        '    "Statement": [{"Effect": "Allow", "Action": "sqs:SendMessage",\n'
        '                   "Resource": f"arn:aws:sqs:us-east-1:{acct}:q"}]})\n'
    )
    found = _invented_documents(tmp_path, body)
    assert [(f.resource, f.message.split(" ")[0]) for f in found] == [("rp", "policyDocument")], found


def test_bad11_an_unknown_native_trust_policy_is_named_as_written(tmp_path: Path) -> None:
    # The pack's own finding (iam-document-unknown reads the pulumi-aws view): the aws-native property, as written.
    body = (
        "import pulumi_aws_native as aws_native\n"
        'aws_native.iam.Role("r", assume_role_policy_document=net.get_output("trust"))\n'
    )
    found = _unknown_findings(tmp_path, body, policy=DOCUMENT_UNKNOWN)
    assert [(f.resource, f.message.split(" is ")[0]) for f in found] == [
        ("r", "policy document assumeRolePolicyDocument")
    ], found


def test_a_setting_a_view_rebuilds_is_named_by_the_input_holding_it() -> None:
    """A view that rebuilds a nested setting (a native table's `sseSpecification.kmsMasterKeyId` read as
    `serverSideEncryption.kmsKeyArn`) holds a copy, not the input: the input holding its invented string is named."""
    made = invented("aws:ssm/getParameter:getParameter")
    props = {"billingMode": "PAY_PER_REQUEST", "sseSpecification": {"sseEnabled": True, "kmsMasterKeyId": made}}
    assert written_as(props, {"enabled": True, "kmsKeyArn": made}) == "sseSpecification"
    assert written_as(props, {"enabled": True}) is None


# ------------------------------------ other values only the cloud knows (review s9 finding 4)

#: A data source's value only the cloud knows, as a program reads it, and the token the finding names.
_CLOUD_VALUES = {
    "secret-string": (
        'aws.secretsmanager.get_secret_version(secret_id="trusted").secret_string',
        "aws:secretsmanager/getSecretVersion:getSecretVersion",
    ),
    "parameters-by-path": (
        'aws.ssm.get_parameters_by_path(path="/org").values[0]',
        "aws:ssm/getParametersByPath:getParametersByPath",
    ),
    "object-body": ('aws.s3.get_object(bucket="org", key="account").body', "aws:s3/getObject:getObject"),
    "kms-plaintext": (
        'aws.kms.get_secrets(secrets=[{"name": "acct", "payload": "AQICAHg="}]).plaintext["acct"]',
        "aws:kms/getSecrets:getSecrets",
    ),
    "lambda-result": (
        'aws.lambda_.get_invocation(function_name="lookup", input="{}").result',
        "aws:lambda/getInvocation:getInvocation",
    ),
}


@pytest.mark.parametrize("case", sorted(_CLOUD_VALUES))
def test_bad8_a_trust_policy_naming_an_account_from_a_cloud_value_is_a_finding(tmp_path: Path, case: str) -> None:
    read, token = _CLOUD_VALUES[case]
    body = f"acct = {read}\n" + _ROLE.format(_TRUST.format(principal='f"arn:aws:iam::{acct}:root"'))
    found = _unknown_findings(tmp_path, _HEAD_JSON + body, policy=DOCUMENT_UNKNOWN)
    assert [(f.resource, f.level) for f in found] == [("r", Level.MANDATORY)]
    assert found[0].message.startswith(f"assumeRolePolicy holds a value invented offline for data source {token}")


def test_ok_ids_and_arns_of_those_data_sources_keep_their_shape(tmp_path: Path) -> None:
    # The secret version's ARN in a policy's Resource is realistic, not invented: the IAM rules judge it.
    body = (
        'version = aws.secretsmanager.get_secret_version(secret_id="trusted")\n'
        f'aws.iam.Role("r", assume_role_policy={_TRUST.format(principal=repr("arn:aws:iam::123456789012:root"))},\n'
        "    inline_policies=[{'name': 'read', 'policy': json.dumps({'Version': '2012-10-17', 'Statement': [\n"
        "        {'Effect': 'Allow', 'Action': 'secretsmanager:GetSecretValue', 'Resource': version.secret_arn}]})}])\n"
    )
    assert _unknown_findings(tmp_path, _HEAD_JSON + body, policy=DOCUMENT_UNKNOWN) == []


def test_the_cloud_only_fields_are_invented_and_the_rest_keep_their_shape() -> None:
    secret = invoke_result("aws:secretsmanager/getSecretVersion:getSecretVersion", {"secretId": "s"}, "us-east-1")
    assert invented_token(secret["secretString"]) == "aws:secretsmanager/getSecretVersion:getSecretVersion"
    assert invented_token(secret["secretBinary"]) is not None
    assert secret["arn"].startswith("arn:aws:secretsmanager:us-east-1:") and invented_within(secret["arn"]) == []
    assert secret["secretId"] == "s"  # the argument, echoed
    by_path = invoke_result("aws:ssm/getParametersByPath:getParametersByPath", {"path": "/org"}, "us-east-1")
    assert [invented_token(v) for v in by_path["values"]] == ["aws:ssm/getParametersByPath:getParametersByPath"] * 2
    assert invented_found(by_path["names"]) == []
    kms = invoke_result("aws:kms/getSecrets:getSecrets", {"secrets": [{"name": "db", "payload": "AQ=="}]}, "us-east-1")
    assert list(kms["plaintext"]) == ["db"]
    assert invented_token(kms["plaintext"]["db"]) == "aws:kms/getSecrets:getSecrets"
    obj = invoke_result("aws:s3/getObject:getObject", {"bucket": "b", "key": "k"}, "us-east-1")
    assert invented_token(obj["body"]) is not None and invented_token(obj["bodyBase64"]) is not None
    assert invented_found([obj["key"], obj["bucket"], obj["arn"], obj["etag"]]) == []
