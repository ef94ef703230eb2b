"""A value only checkov judges that is unknown offline is a finding, `checkov-value-unknown` (review 6 F3)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from preflight import derived_tables
from preflight.cfn.derive import stored as cfn_stored
from preflight.checkov_unknown import CHECKOV_UNKNOWN_POLICY, checkov_unknown_findings, reading_checks
from preflight.derived_tables import attribute_path, inspected
from preflight.engine import synthesize
from preflight.findings import CheckovFinding, CheckovResult, Finding, Level
from preflight.gate import checkov_principles, run_gate
from preflight.invokes import invented, invented_token
from preflight.tfplan.derive import TABLE_FILE
from preflight.unseen import own_output_gaps
from tests.preflight.programs import write_program

_HEAD = """
import pulumi
import pulumi_aws as aws

net = pulumi.StackReference("org/network/prod")
"""
_DB = (
    'aws.rds.Instance("db", engine="postgres", instance_class="db.t3.micro", allocated_storage=20, username="app",\n'
    "    manage_master_user_password=True, skip_final_snapshot=True, {})\n"
)

#: Numbered bad cases: (program body, resource, first unknown Terraform path, checks that must be named).
BAD = {
    "1-rds-publicly-accessible-from-a-stackreference": (
        _DB.format('storage_encrypted=True, publicly_accessible=net.get_output("public")'),
        "db",
        "publicly_accessible",
        {"CKV_AWS_17"},
    ),
    # An SG's ingress is the pack's own now (policies.rules.network; security-value-unknown reports it): its egress
    # is still checkov's alone.
    "2-sg-egress-cidr-from-an-unrun-apply": (
        'aws.ec2.SecurityGroup("sg", description="web", egress=[{"protocol": "-1", "from_port": 0, "to_port": 0,\n'
        '    "description": "out", "cidr_blocks": [net.get_output("office").apply(lambda c: f"{c}/32")]}])\n',
        "sg",
        "egress.0.cidr_blocks.0",
        {"CKV_AWS_382"},
    ),
    "3-rds-storage-encrypted-from-a-stackreference": (
        _DB.format('storage_encrypted=net.get_output("encrypted"), publicly_accessible=False'),
        "db",
        "storage_encrypted",
        {"CKV_AWS_16"},
    ),
    "4-sg-rule-cidr-list-from-a-stackreference": (
        'aws.ec2.SecurityGroupRule("rule", type="ingress", security_group_id="sg-0123456789abcdef0",\n'
        '    protocol="tcp", from_port=3389, to_port=3389, description="rdp", cidr_blocks=net.get_output("cidrs"))\n',
        "rule",
        "cidr_blocks",
        {"CKV_AWS_25"},
    ),
    "5-whole-egress-list-from-a-stackreference": (
        'aws.ec2.SecurityGroup("sg", description="web", egress=net.get_output("egress"))\n',
        "sg",
        "egress",
        {"CKV_AWS_382"},
    ),
}

_NATIVE = "import pulumi_aws_native as aws_native\n"
_NATIVE_DB = (
    _NATIVE + 'aws_native.rds.DbInstance("db", engine="postgres", db_instance_class="db.t3.micro",\n'
    '    allocated_storage="20", storage_encrypted=True, {})\n'
)
#: The same for aws-native resources, which checkov scans in the CloudFormation template (preflight.cfn).
BAD.update(
    {
        "6-native-rds-publicly-accessible-from-a-stackreference": (
            _NATIVE_DB.format('publicly_accessible=net.get_output("public")'),
            "db",
            "Properties.PubliclyAccessible",
            {"CKV_AWS_17"},
        ),
        "7-native-sg-cidr-from-a-stackreference": (
            _NATIVE + 'aws_native.ec2.SecurityGroup("sg", group_description="web", security_group_ingress=[\n'
            '    {"ip_protocol": "tcp", "from_port": 22, "to_port": 22, "cidr_ip": net.get_output("office")}])\n',
            "sg",
            "Properties.SecurityGroupIngress.0.CidrIp",
            {"CKV_AWS_24", "CKV_AWS_25", "CKV_AWS_260"},
        ),
    }
)

#: The six ways the review's srvar repro derives `publicly_accessible` from an unstated StackReference output,
#: among them one wrapped in a secret, which escaped (review s7 finding 5: `node.inputs` holds "[secret]").
_SRVAR = {
    "8-srvar-get-output": 'net.get_output("public")',
    "9-srvar-require-output": 'net.require_output("public")',
    "10-srvar-outputs-index": 'net.outputs["public"]',
    "11-srvar-outputs-apply": 'net.outputs.apply(lambda o: o.get("public"))',
    "12-srvar-secret": 'pulumi.Output.secret(net.get_output("public"))',
    "13-srvar-output-details": ('pulumi.Output.from_input(net.get_output_details("public")).apply(lambda d: d.value)'),
}
BAD.update(
    {
        case: (
            _DB.format(f"storage_encrypted=True, publicly_accessible={value}"),
            "db",
            "publicly_accessible",
            {"CKV_AWS_17"},
        )
        for case, value in _SRVAR.items()
    }
)
BAD["14-native-secret-wrapped-unknown"] = (
    _NATIVE_DB.format('publicly_accessible=pulumi.Output.secret(net.get_output("public"))'),
    "db",
    "Properties.PubliclyAccessible",
    {"CKV_AWS_17"},
)

#: Good cases: no finding (known values; unknown values at paths no check reads; a value a pack table reports).
GOOD = {
    "1-all-known": _DB.format("storage_encrypted=True, publicly_accessible=False"),
    "2-unknown-where-no-check-reads": _DB.format(
        'storage_encrypted=True, publicly_accessible=False, port=net.get_output("port")'
    ).replace('username="app"', 'username=net.get_output("user")'),
    "3-unknown-a-pack-rule-owns": 'aws.s3.BucketV2("b", acl=net.get_output("acl"))\n',
    "5-native-unknown-where-no-check-reads": _NATIVE_DB.format('publicly_accessible=False, port=net.get_output("p")'),
    "4-unknown-reference-to-own-resource": (
        'vpc = aws.ec2.Vpc("vpc", cidr_block="10.0.0.0/16")\n'
        'aws.ec2.SecurityGroup("sg", description="web", vpc_id=vpc.id, ingress=[{"protocol": "tcp",\n'
        '    "from_port": 443, "to_port": 443, "description": "https", "cidr_blocks": [vpc.cidr_block]}])\n'
    ),
}


def _findings(tmp_path: Path, body: str, stack: str = "dev") -> list[Finding]:
    root = write_program(tmp_path / stack, _HEAD + body, stack=stack)
    graph = synthesize(root, stack)
    level = Level.MANDATORY if stack == "prod" else Level.ADVISORY
    return checkov_unknown_findings(graph, CheckovResult(), level, checkov_principles())


@pytest.mark.parametrize("case", sorted(BAD))
def test_an_unknown_value_a_checkov_check_reads_is_a_finding(tmp_path: Path, case: str) -> None:
    body, resource, path, checks = BAD[case]
    found = _findings(tmp_path, body)
    assert [(f.policy, f.resource, f.level) for f in found] == [(CHECKOV_UNKNOWN_POLICY, resource, Level.ADVISORY)]
    message = found[0].message
    assert message.startswith(f"{path} is unknown offline, so checkov's")
    assert checks <= {word.strip(",") for word in message.split()}, message
    assert "P112" in found[0].principles


@pytest.mark.parametrize("case", sorted(GOOD))
def test_known_values_and_unread_unknowns_are_no_finding(tmp_path: Path, case: str) -> None:
    assert _findings(tmp_path, GOOD[case]) == []


def test_production_makes_it_mandatory_and_a_skipped_check_is_not_named(tmp_path: Path) -> None:
    body = BAD["1-rds-publicly-accessible-from-a-stackreference"][0]
    assert [f.level for f in _findings(tmp_path, body, "prod")] == [Level.MANDATORY]
    root = write_program(tmp_path / "skip", _HEAD + body)
    skipped = CheckovResult(skipped=[{"check_id": "CKV_AWS_17", "reason": "r", "origin": "o"}])
    assert checkov_unknown_findings(synthesize(root, "dev"), skipped, Level.ADVISORY, checkov_principles()) == []
    assert checkov_unknown_findings(synthesize(root, "dev"), CheckovResult(ran=False), Level.ADVISORY, ((), {})) == []


def test_a_check_that_failed_on_the_resource_stands_as_its_own_finding(tmp_path: Path) -> None:
    """In the CloudFormation template the marker string fails CKV_AWS_17: that failure is the finding."""
    root = write_program(tmp_path, _HEAD + BAD["6-native-rds-publicly-accessible-from-a-stackreference"][0])
    graph = synthesize(root, "dev")
    [db] = [n for n in graph.managed_resources if n.name == "db"]
    failed = CheckovResult(
        failed=[CheckovFinding("CKV_AWS_17", "public", "AWS::RDS::DBInstance.db", db.urn, "db", db.type)]
    )
    assert checkov_unknown_findings(graph, failed, Level.ADVISORY, checkov_principles()) == []


def test_an_unknown_only_the_engines_gap_explains_stays_a_finding(tmp_path: Path) -> None:
    """An RDS instance's `publicly_accessible` built from a RandomPassword's result (the review's unknowncidr): the
    engine fabricates no random outputs. At `up` the value is known, but checkov never runs there and no rule of the
    pack reads it, so it is judged by nothing: a finding, not a note (review s11 3 #1; it was a note saying "the pack
    judges it at `pulumi up`")."""
    body = "import pulumi_random as random\npw = random.RandomPassword('pw', length=24, special=False)\n" + _DB.format(
        "storage_encrypted=True, publicly_accessible=pw.result.apply(lambda _: True)"
    )
    root = write_program(tmp_path, _HEAD + body)
    graph = synthesize(root, "dev")
    found = checkov_unknown_findings(graph, CheckovResult(), Level.ADVISORY, checkov_principles())
    assert [(f.resource, f.policy) for f in found] == [("db", CHECKOV_UNKNOWN_POLICY)]
    notes: list[str] = []
    assert own_output_gaps(graph, found, notes) == found
    assert notes == []


def test_reading_checks_matches_paths_and_code_words() -> None:
    assert reading_checks("aws_db_instance", ("publicly_accessible",)) == ["CKV_AWS_17"]
    assert reading_checks("aws_db_instance", ("allocated_storage",)) == []
    # A value check's path inside an unknown block, and an unknown inside an inspected block.
    assert "CKV_AWS_158" in reading_checks("aws_cloudwatch_log_group", ("kms_key_id",))
    assert "CKV_AWS_53" in reading_checks("aws_s3_bucket_public_access_block", ("block_public_acls",))
    # Code words: the top-level attribute and the last named step must both be names the code uses.
    assert "CKV_AWS_24" in reading_checks("aws_security_group", ("ingress", "0", "from_port"))
    assert "CKV_AWS_24" not in reading_checks("aws_security_group", ("ingress", "0", "description"))
    assert reading_checks("aws_security_group", ("vpc_id",)) == []
    assert "CKV_AWS_24" not in reading_checks("aws_security_group", ("ingress", "0", "cidr_blocks"), {"CKV_AWS_24"})
    assert attribute_path("parameter[?(@.name=='rds.force_ssl')].value") == "parameter.value"
    assert attribute_path("enabled_cloudwatch_logs_exports/[0]") == "enabled_cloudwatch_logs_exports"
    assert attribute_path("ingress.*.cidr_blocks") == "ingress.cidr_blocks"


@pytest.mark.usefixtures("checkov_present")
def test_the_stored_table_is_what_the_installed_checkov_gives() -> None:
    listing = derived_tables.checkov_listing(derived_tables.DEFAULT_CHECKOV_PYTHON, derived_tables.TERRAFORM)
    stored = json.loads(TABLE_FILE.read_text(encoding="utf-8"))
    # python -m preflight.tfplan.derive --write
    assert inspected(listing["inspected"], stored["mapped"]) == stored["inspected"]
    assert stored["inspected"]["aws_db_instance"]["CKV_AWS_17"] == {"paths": ["publicly_accessible"], "words": []}
    assert {"ingress", "cidr_blocks"} <= set(stored["inspected"]["aws_security_group"]["CKV_AWS_24"]["words"])
    # CloudFormation: python -m preflight.cfn.derive --inspected-only --write
    native = derived_tables.checkov_listing(derived_tables.DEFAULT_CHECKOV_PYTHON, derived_tables.CLOUDFORMATION)
    assert inspected(native["inspected"], cfn_stored()["mapped"]) == cfn_stored()["inspected"]
    assert cfn_stored()["inspected"]["AWS::RDS::DBInstance"]["CKV_AWS_17"]["paths"] == ["Properties.PubliclyAccessible"]


@pytest.mark.usefixtures("checkov_present")
def test_the_gate_reports_it_beside_checkov_and_a_reason_waives_it(tmp_path: Path) -> None:
    body = BAD["1-rds-publicly-accessible-from-a-stackreference"][0]
    root = write_program(tmp_path, _HEAD + body, stack="prod")
    report = run_gate(root, "prod", timeout=None)
    found = [v for v in report.violations if v.policy == CHECKOV_UNKNOWN_POLICY]
    assert [(f.resource, f.level) for f in found] == [("db", Level.MANDATORY)]
    assert "CKV_AWS_17" not in {v.policy for v in report.violations}  # checkov itself passed it: the bypass
    expires = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    (root / "policies").mkdir()
    (root / "policies" / "suppressions.yaml").write_text(
        f"suppressions:\n  - id: {CHECKOV_UNKNOWN_POLICY}\n    resource: db\n"
        f"    reason: the network stack exports public=false, reviewed in change 7\n    expires: {expires}\n",
        encoding="utf-8",
    )
    waived = run_gate(root, "prod", timeout=None)
    assert not [v for v in waived.violations if v.policy == CHECKOV_UNKNOWN_POLICY]
    assert [s.finding.resource for s in waived.suppressed if s.finding.policy == CHECKOV_UNKNOWN_POLICY] == ["db"]


# --------------------------------------------- values invented offline for a data source (review s7 finding 4)

_SSM = 'aws.ssm.get_parameter(name="/network/office-cidr").value'
#: A group's egress, which only checkov judges (CKV_AWS_382); its ingress is the pack's (policies.rules.network), whose
#: invented values preflight.deferred reports (test_bad20 below).
_SSH_SG = (
    'aws.ec2.SecurityGroup("sg", description="admin", egress=[{{"protocol": "tcp", "from_port": 22, "to_port": 22,\n'
    '    "description": "ssh", "cidr_blocks": [{}]}}])\n'
)
_CHECKS = {"CKV_AWS_382"}


def test_bad15_an_ssh_cidr_from_an_ssm_parameter_is_a_finding_naming_the_data_source(tmp_path: Path) -> None:
    found = _findings(tmp_path, _SSH_SG.format(_SSM))
    assert [(f.policy, f.resource, f.level) for f in found] == [(CHECKOV_UNKNOWN_POLICY, "sg", Level.ADVISORY)]
    message = found[0].message
    assert message.startswith(
        "egress.0.cidr_blocks.0 was invented offline for data source aws:ssm/getParameter:getParameter"
    ), message
    assert {word.strip(",") for word in message.split()} >= _CHECKS, message
    assert "P112" in found[0].principles


def test_bad16_a_native_cidr_from_an_ssm_parameter_is_a_finding(tmp_path: Path) -> None:
    body = (
        _NATIVE + 'aws_native.ec2.SecurityGroup("sg", group_description="web", security_group_ingress=[\n'
        f'    {{"ip_protocol": "tcp", "from_port": 22, "to_port": 22, "cidr_ip": {_SSM}}}])\n'
    )
    found = _findings(tmp_path, body)
    assert [(f.policy, f.resource) for f in found] == [(CHECKOV_UNKNOWN_POLICY, "sg")]
    assert found[0].message.startswith("Properties.SecurityGroupIngress.0.CidrIp was invented offline for data source")


def test_bad18_an_ssh_cidr_built_from_an_ssm_parameter_in_an_f_string_is_a_finding(tmp_path: Path) -> None:
    # The parameter holds the office's address; the program makes a /32 of it (issue 11: embedded, not whole).
    found = _findings(tmp_path, f"office = {_SSM}\n" + _SSH_SG.format('f"{office}/32"'))
    assert [(f.policy, f.resource) for f in found] == [(CHECKOV_UNKNOWN_POLICY, "sg")]
    message = found[0].message
    assert message.startswith(
        "egress.0.cidr_blocks.0 holds a value invented offline for data source aws:ssm/getParameter:getParameter"
    ), message
    assert {word.strip(",") for word in message.split()} >= _CHECKS, message


def test_bad19_a_cidr_in_a_nested_list_built_from_an_ssm_parameter_is_a_finding(tmp_path: Path) -> None:
    # Two rules, the second's CIDR built from the parameter: the first unknown path is the second's.
    body = (
        f"office = {_SSM}\n"
        'aws.ec2.SecurityGroup("sg", description="admin", egress=[\n'
        '    {"protocol": "tcp", "from_port": 443, "to_port": 443, "description": "https",\n'
        '     "cidr_blocks": ["10.0.0.0/8"]},\n'
        '    {"protocol": "tcp", "from_port": 22, "to_port": 22, "description": "ssh",\n'
        '     "cidr_blocks": ["10.1.0.0/16", f"{office}/32"]}])\n'
    )
    found = _findings(tmp_path, body)
    assert [(f.policy, f.resource) for f in found] == [(CHECKOV_UNKNOWN_POLICY, "sg")]
    assert found[0].message.startswith("egress.1.cidr_blocks.1 holds a value invented offline"), found[0].message


_NATIVE_ROLE = (
    _NATIVE + 'aws_native.iam.Role("r", assume_role_policy_document={{"Version": "2012-10-17", "Statement": [\n'
    '    {{"Effect": "Allow", "Principal": {principal}, "Action": "sts:AssumeRole"{condition}}}]}})\n'
)


def test_bad20_a_native_principal_keyed_by_an_ssm_parameter_is_a_finding(tmp_path: Path) -> None:
    # The principal's kind ("AWS", "Service") comes from a parameter: a dict KEY of the document checkov reads
    # (CKV_AWS_60 on `Principal`), which a made-up key would pass (review s9 finding 5).
    body = f"kind = {_SSM}\n" + _NATIVE_ROLE.format(principal='{kind: "*"}', condition="")
    found = _findings(tmp_path, body)
    assert [(f.policy, f.resource) for f in found] == [(CHECKOV_UNKNOWN_POLICY, "r")]
    message = found[0].message
    assert message.startswith(
        "Properties.AssumeRolePolicyDocument.Statement.0.Principal was invented offline for data source"
    ), message
    assert "CKV_AWS_60" in {word.strip(",") for word in message.split()}, message


@pytest.mark.parametrize(
    "body",
    [
        # The same CIDR as a literal: checkov judges it.
        _SSH_SG.format('"198.51.100.0/24"'),
        # An invented value where no check reads (the master user name).
        _DB.format("storage_encrypted=True, publicly_accessible=False").replace('username="app"', f"username={_SSM}"),
        # A common data source: the account id is a value the engine gives (not invented), in a key ARN a check reads.
        'aws.cloudwatch.LogGroup("lg", retention_in_days=365, kms_key_id=\n'
        '    f"arn:aws:kms:us-east-1:{aws.get_caller_identity().account_id}:key/1234abcd-12ab-34cd")\n',
        # A literal that merely starts with "preflight-" (a name, not the invented shape) where checks read.
        _SSH_SG.format('"198.51.100.0/24"').replace('"admin"', '"preflight-checks admin"'),
        # A string built from the parameter where no check reads (the master user name).
        f"suffix = {_SSM}\n"
        + _DB.format("storage_encrypted=True, publicly_accessible=False").replace(
            'username="app"', 'username=f"app_{suffix}"'
        ),
        # A condition key built from the parameter, where no check reads (the condition).
        f"tag = {_SSM}\n"
        + _NATIVE_ROLE.format(
            principal='{"AWS": "arn:aws:iam::123456789012:root"}',
            condition=', "Condition": {"StringEquals": {f"aws:PrincipalTag/{tag}": "x"}}',
        ),
    ],
    ids=[
        "ok-literal-cidr",
        "ok-invented-where-no-check-reads",
        "ok-caller-identity-account-in-an-arn",
        "ok-literal-preflight-word",
        "ok-embedded-invented-where-no-check-reads",
        "ok-invented-condition-key-where-no-check-reads",
    ],
)
def test_ok_invented_values_only_count_where_a_check_reads_them(tmp_path: Path, body: str) -> None:
    assert _findings(tmp_path, body) == []


def test_an_invented_string_is_recognised_by_its_shape_when_its_invoke_ran_elsewhere() -> None:
    made = invented("aws:ssm/getParameter:getParameter", "/x")
    assert invented_token(made) == "aws:ssm/getParameter:getParameter"
    assert invented_token("preflight-0123456789") == ""
    assert invented_token("preflight-placeholder-secret") is None
    assert invented_token("10.0.0.0/16") is None


def test_bad17_through_the_gate_the_finding_names_the_data_source_its_child_ran(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The program's invokes run in the synthesis child; its graph carries what they invented, so the gate's
    finding names the data source, not only "a data source" (nothing recorded in this process beforehand)."""
    monkeypatch.setattr("preflight.invokes._INVENTED_BY", {})
    root = write_program(tmp_path / "dev", _HEAD + _SSH_SG.format(_SSM), stack="dev")
    report = run_gate(root, "dev")  # checkov-value-unknown is decided with checkov's result
    found = [f for f in report.violations if f.policy == CHECKOV_UNKNOWN_POLICY]
    assert [f.resource for f in found] == ["sg"]
    assert found[0].message.startswith(
        "egress.0.cidr_blocks.0 was invented offline for data source aws:ssm/getParameter:getParameter"
    ), found[0].message
