"""aws-native resources reach checkov through its CloudFormation framework (issue 11 §3)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from policies.profile import checkov_level
from preflight.cfn.convert import CfnTemplate, graph_to_cfn
from preflight.cfn.derive import (
    NOT_CLOUD_CONTROL_REASON,
    SAM_REASON,
    checkov_cfn_types,
    derive,
    names_of,
    sdk_resource_tokens,
    stored,
)
from preflight.cfn.naming import has_uppercase_acronym, to_pascal_case, to_sdk_name, type_token
from preflight.checkov_runner import REPO_ROOT, parse_report, run_checkov
from preflight.engine import synthesize
from preflight.findings import Level, Source
from preflight.gate import GateReport, run_gate
from preflight.tfplan import graph_to_tfplan
from tests.preflight.programs import write_program

CHECKOV_PYTHON = REPO_ROOT / ".venv-checkov" / "bin" / "python"


# The cases of pulumi/pulumi-aws-native provider/pkg/naming/naming_test.go (TestCfnSdkCfnRoundtrip).
@pytest.mark.parametrize("name", ["A", "UppercaseACat", "ACatAndADog", "Ip", "AnIp", "IpAddress", "SomeArns"])
def test_names_the_rule_turns_back(name: str) -> None:
    assert to_pascal_case(to_sdk_name(name)) == name
    assert not has_uppercase_acronym(name)


@pytest.mark.parametrize(
    ("name", "sdk"),
    [
        ("IP", "ip"),
        ("AnIP", "anIp"),
        ("IPAddress", "ipAddress"),
        ("ANewIPAddress", "aNewIpAddress"),
        ("ASCIIAndMore", "asciiAndMore"),
        ("SomeARNs", "someArns"),
        ("UseEC2Please", "useEc2Please"),
        ("EC2ManagedKey", "ec2ManagedKey"),
        ("SSEAlgorithm", "sseAlgorithm"),
    ],
)
def test_names_only_a_table_turns_back(name: str, sdk: str) -> None:
    assert to_sdk_name(name) == sdk
    assert has_uppercase_acronym(name)
    assert to_pascal_case(sdk) != name


def test_type_tokens_follow_the_generator() -> None:
    assert type_token("AWS::S3::Bucket") == "aws-native:s3:Bucket"
    assert type_token("AWS::EC2::VPCEndpointService") == "aws-native:ec2:VpcEndpointService"
    assert type_token("AWS::AppSync::GraphQLApi") == "aws-native:appsync:GraphQlApi"
    assert type_token("AWS::Config::ConfigRule") == "aws-native:configuration:ConfigRule"
    assert type_token("AWS::MediaLive::ChannelOutput") == "aws-native:medialive:ChannelOutputResource"
    with pytest.raises(ValueError, match="three parts"):
        type_token("AWS::S3")


def test_names_of_follows_refs_lists_maps_and_keeps_json_documents_whole() -> None:
    schema = {
        "properties": {
            "Id": {"type": "string"},
            "SSESpecification": {"$ref": "#/definitions/SSE"},
            "Rules": {"type": "array", "items": {"$ref": "#/definitions/Rule"}},
            "Policy": {"type": ["object", "string"]},
            "Plain": {"type": "string"},
        },
        "definitions": {
            "SSE": {"properties": {"KMSKeyId": {"type": "string"}, "Enabled": {"type": "boolean"}}},
            "Rule": {"properties": {"Nested": {"$ref": "#/definitions/Rule"}}},  # recursive (WAFv2 statements)
        },
    }
    assert names_of(schema) == {
        "properties": {
            "awsId": ["Id", None, "object"],
            "sseSpecification": ["SSESpecification", "SSE", "object"],
            "rules": ["Rules", "Rule", "list"],
        },
        "definitions": {
            "Rule": {"nested": ["Nested", "Rule", "object"]},
            "SSE": {"kmsKeyId": ["KMSKeyId", None, "object"]},
        },
    }


def test_derive_maps_known_tokens_and_gives_reasons() -> None:
    mapped, unmappable, missing = derive(
        ["AWS::S3::Bucket", "AWS::Serverless::Function", "AWS::QLDB::Ledger", "AWS::New::Thing"],
        ["aws-native:s3:Bucket"],
        ["AWS::S3::Bucket", "AWS::New::Thing"],
    )
    assert mapped == {"AWS::S3::Bucket": "aws-native:s3:Bucket"}
    assert unmappable == {"AWS::Serverless::Function": SAM_REASON, "AWS::QLDB::Ledger": NOT_CLOUD_CONTROL_REASON}
    assert missing == ["AWS::New::Thing"]  # Cloud Control has it, the SDK does not: reported, never dropped


def test_stored_table_names_real_tokens() -> None:
    table = stored()
    tokens = set(sdk_resource_tokens())
    assert table["missing"] == []
    assert len(table["mapped"]) > 60
    for cfn_type, token in table["mapped"].items():
        assert type_token(cfn_type) == token and token in tokens, cfn_type
        assert cfn_type in table["names"], cfn_type
    for cfn_type in table["unmappable"]:
        assert type_token(cfn_type) not in tokens, cfn_type
    assert set(table["checked_types"]) == set(table["mapped"]) | set(table["unmappable"])


@pytest.mark.usefixtures("checkov_present")
def test_every_type_checkov_checks_is_mapped_or_listed_unmappable() -> None:
    version, checked, reporting = checkov_cfn_types(CHECKOV_PYTHON)
    table = stored()
    # The stored table is what the installed checkov gives (python -m preflight.cfn.derive --write).
    assert (table["checkov_version"], table["checked_types"]) == (version, sorted(checked))
    assert table["reporting_checks"] == reporting
    # Only graph checks read these: checkov never lists a resource of them itself (CKV2_AWS_33's association).
    assert "AWS::WAFv2::WebACLAssociation" in set(checked) - set(reporting)
    assert set(reporting) <= set(checked) and all(reporting.values())
    assert set(checked) == set(table["mapped"]) | set(table["unmappable"])
    assert all(len(reason) > 30 for reason in table["unmappable"].values())


PROGRAM = """
import pulumi_aws_native as native

secure = native.s3.Bucket(
    "secure",
    bucket_encryption={"server_side_encryption_configuration": [
        {"server_side_encryption_by_default": {"sse_algorithm": "aws:kms"}}]},
    public_access_block_configuration={"block_public_acls": True, "block_public_policy": True,
                                       "ignore_public_acls": True, "restrict_public_buckets": True},
    versioning_configuration={"status": "Enabled"},
    tags=[{"key": "team", "value": "data"}],
)
native.s3.Bucket("open-bucket")
native.iam.Role("role", assume_role_policy_document={
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole",
                   "Condition": {"StringEquals": {"aws:SourceAccount": "123456789012"}}}]})
guarded = native.appsync.GraphQlApi("guarded", authentication_type="API_KEY", name="guarded")
native.appsync.GraphQlApi("unguarded", authentication_type="API_KEY", name="unguarded")
native.wafv2.WebAclAssociation("waf", resource_arn=guarded.arn,
                               web_acl_arn="arn:aws:wafv2:us-east-1:123456789012:regional/webacl/acl/1")
native.s3.BucketPolicy("policy", bucket=secure.id, policy_document={"Statement": []})
"""


@pytest.fixture(scope="module")
def program(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_program(tmp_path_factory.mktemp("native"), PROGRAM)


def test_template_has_cloudformation_names_nested_and_references(program: Path) -> None:
    template = graph_to_cfn(synthesize(program, "dev"))
    resources = template.template["Resources"]
    secure = resources["secure"]
    assert secure["Type"] == "AWS::S3::Bucket"
    encryption = secure["Properties"]["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
    assert encryption == {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}}  # a table name, nested
    assert secure["Properties"]["Tags"] == [{"Key": "team", "Value": "data"}]
    assert secure["Properties"]["PublicAccessBlockConfiguration"]["RestrictPublicBuckets"] is True
    # A JSON document is the program's own: its keys are never renamed.
    statement = resources["role"]["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]
    assert statement["Condition"] == {"StringEquals": {"aws:SourceAccount": "123456789012"}}
    # The association's ARN is the API's (unknown under the engine's mocks): an Fn::GetAtt, an edge in checkov's graph.
    assert resources["waf"]["Properties"]["ResourceArn"] == {"Fn::GetAtt": ["guarded", "Arn"]}
    # A type checkov has no checks for stays out, and counted as not scanned.
    assert "policy" not in resources and "aws-native:s3:BucketPolicy" not in template.exported_types
    assert template.addresses["AWS::S3::Bucket.openbucket"].urn.endswith("aws-native:s3:Bucket::open-bucket")


@pytest.mark.usefixtures("checkov_present")
def test_checkov_cloudformation_findings_are_mapped_to_urns(program: Path) -> None:
    result = run_checkov(synthesize(program, "dev"), program)
    failed = {(f.check_id, f.name) for f in result.failed}
    public_block = {"CKV_AWS_53", "CKV_AWS_54", "CKV_AWS_55", "CKV_AWS_56"}
    assert {c for c, name in failed if name == "open-bucket"} >= public_block | {"CKV_AWS_21"}
    assert not {c for c, name in failed if name == "secure"} & (public_block | {"CKV_AWS_21"})
    finding = next(f for f in result.failed if f.check_id == "CKV_AWS_53")
    assert (finding.address, finding.type) == ("AWS::S3::Bucket.openbucket", "aws-native:s3:Bucket")
    assert finding.urn == "urn:pulumi:dev::sample::aws-native:s3:Bucket::open-bucket"
    # checkov's graph sees the WAF association reference the guarded API, not the other one.
    assert {name for c, name in failed if c == "CKV2_AWS_33"} == {"unguarded"}
    assert result.not_scanned == ["aws-native:s3:BucketPolicy"]  # the checked types count as seen


@pytest.mark.usefixtures("checkov_present")
def test_the_gate_reports_cloudformation_findings_like_the_plans(tmp_path: Path) -> None:
    until = (date.today() + timedelta(days=30)).isoformat()
    reason = "versioning is handled by the nightly replication job"
    directory = write_program(tmp_path, PROGRAM, stack="prod")
    (directory / ".checkov.yaml").write_text(f"skip-check:\n  - CKV_AWS_21  # until {until}: {reason}\n")
    report = run_gate(directory, "prod")
    found = {(f.policy, f.resource): f for f in report.violations if f.source is Source.CHECKOV}
    finding = found[("CKV_AWS_53", "open-bucket")]
    assert finding.level is Level(checkov_level("prod")) is Level.MANDATORY  # one module decides levels
    assert finding.urn == "urn:pulumi:prod::sample::aws-native:s3:Bucket::open-bucket"
    assert ("CKV_AWS_21", "open-bucket") not in found  # the program's own skip applies to the template too
    assert "CKV_AWS_21" in [s["check_id"] for s in report.to_dict()["checkov"]["skipped"]]  # shown with its origin
    # the bucket policy (a type no CloudFormation check reads) and the WAF association (only graph checks connect it)
    # have no checks: not unseen (review gate #6)
    assert (report.not_seen, report.no_checks) == (0, 2) and report.not_scanned == ["aws-native:s3:BucketPolicy"]


@pytest.mark.usefixtures("checkov_present")
def test_a_template_checkov_cannot_parse_leaves_its_resources_not_seen(
    program: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A real checkov run on a template it fails to parse: nothing of it is listed, so nothing counts as seen."""
    graph = synthesize(program, "dev")
    monkeypatch.setattr(CfnTemplate, "to_json", lambda self: '{"Resources": {"broken": ')
    result = run_checkov(graph, program)
    assert not [f for f in result.failed if f.type.startswith("aws-native:")]
    assert set(result.not_scanned) >= {"aws-native:s3:Bucket", "aws-native:iam:Role", "aws-native:s3:BucketPolicy"}


def test_a_native_resource_checkov_leaves_out_is_not_seen(program: Path) -> None:
    """The real program's template and plan; checkov's report (as under --quiet) names every exported resource
    but the role and counts one resource fewer than the template holds: the role alone is not seen."""
    graph = synthesize(program, "dev")
    template, tfplan = graph_to_cfn(graph), graph_to_tfplan(graph)
    listed = [a for a in template.addresses if not a.startswith("AWS::IAM::Role.")]
    report = {
        "check_type": "cloudformation",
        "summary": {"resource_count": len(template.addresses) - 1},
        "results": {
            "failed_checks": [{"check_id": "CKV_X", "resource": a, "file_path": "/template.json"} for a in listed]
        },
    }
    result = parse_report(json.dumps([report]), tfplan, template)
    role, policy = (f"urn:pulumi:dev::sample::aws-native:{t}" for t in ("iam:Role::role", "s3:BucketPolicy::policy"))
    waf = "urn:pulumi:dev::sample::aws-native:wafv2:WebAclAssociation::waf"
    assert (result.not_seen, result.no_checks, result.not_mapped) == ([role], [policy, waf], [])
    assert result.not_scanned == ["aws-native:iam:Role", "aws-native:s3:BucketPolicy"]
    gate = GateReport(
        stack="dev", project="sample", graph=graph, resources=len(graph.managed_resources), checkov=result
    )
    assert gate.not_seen == 1 and gate.to_dict()["checkov"]["not_seen"] == 1
    # counted in full, every exported resource is seen (passed resources are not listed under --quiet)
    report["summary"] = {"resource_count": len(template.addresses)}
    assert parse_report(json.dumps([report]), tfplan, template).not_seen == []
