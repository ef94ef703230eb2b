"""Attached AWS managed policies are judged by their statements, as the same statements inline (review s10 #1).

`SecretsManagerReadWrite` (secretsmanager:* on *), `AmazonS3ReadOnlyAccess` (s3:Get* on *) and
`AdministratorAccess-Amplify` (iam:PassRole on *) passed prod because `iam-no-admin-managed-policies` matched
names only. An AWS managed policy in the China and GovCloud partitions (`arn:aws-cn:iam::aws:policy/...`,
`arn:aws-us-gov:...`; IAM User Guide reference-arns.html, the partition element) is the same policy: judged alike
(policies/managed_policies.py MANAGED_ARN, review s10 #9). cdk-nag style: numbered Noncompliance cases (`badN_*`) and Compliance cases (`good_*`); then the
policies the template and the public programs attach are judged exactly as their documents written inline.
"""
# ruff: noqa: E501  (the embedded Pulumi programs keep one resource per line)

from __future__ import annotations

import json
import re

import pytest

from policies import managed_broad
from policies.rules.iam import CONTENT_JUDGES, MANAGED_POLICY_FIX, NO_WILDCARD_RESOURCE
from preflight.graph import ResourceGraph
from preflight.invokes import aws_managed_policies
from tests.policies.conftest import flagged, run_one, synth

TRUST = 'json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})'
POLICY = "arn:aws:iam::aws:policy"
PROGRAM = f"""
role = aws.iam.Role("fn", assume_role_policy={TRUST})
aws.iam.RolePolicyAttachment("bad1_secrets_read_write", role=role.name, policy_arn="{POLICY}/SecretsManagerReadWrite")
aws.iam.RolePolicyAttachment("bad2_s3_read_only", role=role.name, policy_arn="{POLICY}/AmazonS3ReadOnlyAccess")
aws.iam.RolePolicyAttachment("bad3_amplify_admin", role=role.name, policy_arn="{POLICY}/AdministratorAccess-Amplify")
aws.iam.Role("bad4_role_managed_arns", assume_role_policy={TRUST}, managed_policy_arns=["{POLICY}/SecretsManagerReadWrite"])
aws.iam.RolePolicyAttachmentsExclusive("bad5_exclusive", role_name=role.name, policy_arns=["{POLICY}/AWSXRayDaemonWriteAccess", "{POLICY}/AmazonS3ReadOnlyAccess"])
aws.iam.PolicyAttachment("bad6_policy_attachment", roles=[role.name], policy_arn="{POLICY}/AdministratorAccess-Amplify")
aws.iam.RolePolicyAttachment("bad7_china_partition", role=role.name, policy_arn="arn:aws-cn:iam::aws:policy/SecretsManagerReadWrite")
aws.iam.RolePolicyAttachment("bad8_govcloud_partition", role=role.name, policy_arn="arn:aws-us-gov:iam::aws:policy/AmazonS3ReadOnlyAccess")
aws.iam.RolePolicyAttachment("good_xray", role=role.name, policy_arn="{POLICY}/AWSXRayDaemonWriteAccess")
aws.iam.RolePolicyAttachment("good_customer_same_name", role=role.name, policy_arn="arn:aws:iam::111122223333:policy/SecretsManagerReadWrite")
aws.iam.RolePolicyAttachment("good_china_customer_same_name", role=role.name, policy_arn="arn:aws-cn:iam::111122223333:policy/SecretsManagerReadWrite")
"""
GOOD = {"fn", "good_xray", "good_customer_same_name", "good_china_customer_same_name"}
CASES = [
    (
        "iam-no-wildcard-action",
        {
            "bad1_secrets_read_write",
            "bad2_s3_read_only",
            "bad3_amplify_admin",
            "bad4_role_managed_arns",
            "bad5_exclusive",
            "bad6_policy_attachment",
            "bad7_china_partition",
            "bad8_govcloud_partition",
        },
    ),
    (
        "iam-no-data-read-on-wildcard",
        {
            "bad2_s3_read_only",
            "bad3_amplify_admin",
            "bad5_exclusive",
            "bad6_policy_attachment",
            "bad8_govcloud_partition",
        },
    ),
    ("iam-passrole-scoped", {"bad3_amplify_admin", "bad6_policy_attachment"}),
    (
        "iam-no-wildcard-resource-for-writes",
        {
            "bad1_secrets_read_write",
            "bad3_amplify_admin",
            "bad4_role_managed_arns",
            "bad6_policy_attachment",
            "bad7_china_partition",
        },
    ),
]


@pytest.fixture(scope="module")
def graph(tmp_path_factory: pytest.TempPathFactory) -> ResourceGraph:
    return synth(tmp_path_factory.mktemp("managedbroad"), PROGRAM, stack="prod")


@pytest.mark.parametrize(("policy", "bad"), CASES, ids=[c[0] for c in CASES])
def test_broad_managed_policies_are_flagged_by_what_they_grant(
    graph: ResourceGraph, policy: str, bad: set[str]
) -> None:
    found = flagged(graph, policy)
    assert found == bad, f"{policy}: flagged {sorted(found)}, expected {sorted(bad)}"
    assert not GOOD & found


def test_the_finding_names_the_statement_that_makes_it_broad(graph: ResourceGraph) -> None:
    [finding] = [f for f in run_one(graph, "iam-no-wildcard-action") if f.resource == "bad1_secrets_read_write"]
    assert "the AWS managed policy SecretsManagerReadWrite statement 1 (BasePermissions)" in finding.message
    assert "secretsmanager:*" in finding.message


#: AWS managed policies the template (components/function.py, api.py, governance.py) and the public programs
#: (tests/preflight/public_programs.py) attach, and the common Lambda ones.
ATTACHED = (
    "AWSLambdaBasicExecutionRole",
    "AWSXRayDaemonWriteAccess",
    "AWSLambdaVPCAccessExecutionRole",
    "AmazonAPIGatewayPushToCloudWatchLogs",
    "AWS_ConfigRole",
    "AmazonECSTaskExecutionRolePolicy",
    "AmazonEC2ContainerServiceforEC2Role",
    "AWSGlueServiceRole",
    "AmazonSSMManagedInstanceCore",
    "AmazonEventBridgeFullAccess",
)


@pytest.fixture(scope="module")
def side_by_side(tmp_path_factory: pytest.TempPathFactory) -> ResourceGraph:
    policies = aws_managed_policies()
    lines = [f"role = aws.iam.Role('r', assume_role_policy={TRUST})"]
    for index, name in enumerate(ATTACHED):
        path = policies[name]["Path"]
        document = json.dumps(json.dumps(policies[name]["Document"]))
        lines.append(
            f"aws.iam.RolePolicyAttachment('attached{index}', role=role.name, policy_arn='{POLICY}{path}{name}')"
        )
        lines.append(f"aws.iam.RolePolicy('inline{index}', role=role.id, policy={document})")
    return synth(tmp_path_factory.mktemp("sidebyside"), "\n".join(lines), stack="prod")


@pytest.mark.parametrize("rule", sorted(CONTENT_JUDGES))
def test_attached_managed_policies_are_judged_as_the_same_statements_inline(
    side_by_side: ResourceGraph, rule: str
) -> None:
    found = flagged(side_by_side, rule)
    attached = {int(r.removeprefix("attached")) for r in found if r.startswith("attached")}
    inline = {int(r.removeprefix("inline")) for r in found if r.startswith("inline")}
    assert attached == inline, [ATTACHED[i] for i in attached ^ inline]
    # and with the same words, statement by statement, once the label (which statement of which policy) is cut
    said: dict[str, list[str]] = {}
    for finding in run_one(side_by_side, rule):
        label = r"^(policy|the AWS managed policy \S+ statement \d+( \([^)]*\))?) "
        # an attached policy's finding also says what to do about a managed policy (review2 s10 #5)
        message = finding.message.removesuffix(f" {MANAGED_POLICY_FIX}")
        said.setdefault(finding.resource, []).append(re.sub(label, "", message))
    for index in attached:
        assert sorted(said[f"attached{index}"]) == sorted(said[f"inline{index}"]), ATTACHED[index]


def test_the_stored_findings_are_what_the_judges_say_of_the_installed_motos_policies() -> None:
    stored = json.loads(managed_broad.TABLE_FILE.read_text(encoding="utf-8"))
    assert stored == managed_broad.table()  # python -m policies.managed_broad --write
    assert "AWSXRayDaemonWriteAccess" not in stored["policies"]
    assert set(stored["policies"]["SecretsManagerReadWrite"]["statements"][0]["findings"]) >= {"iam-no-wildcard-action"}


def test_a_managed_policy_finding_says_what_can_be_done_to_a_managed_policy(graph: ResourceGraph) -> None:
    """review2 s10 #5: "name the ARNs" cannot be done to AWSLambdaBasicExecutionRole; the finding says to replace
    it with an inline policy on the function's own log group or to waive it in the program's suppressions file."""
    messages = [f.message for f in run_one(graph, "iam-no-wildcard-resource-for-writes")]
    managed = [m for m in messages if m.startswith("the AWS managed policy ")]
    assert managed
    for message in managed:
        assert message.endswith(MANAGED_POLICY_FIX)
    assert "own log group" in MANAGED_POLICY_FIX
    assert "policies/suppressions.yaml" in MANAGED_POLICY_FIX
    assert "P135" in MANAGED_POLICY_FIX
    assert "as above" not in NO_WILDCARD_RESOURCE.explanation
