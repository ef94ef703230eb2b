"""account-public-sharing-blocked: compliant cases and numbered non-compliant ones (review s11 3 #6, the acctunblock
repro: each block turned off by its own resource type).

pulumi-aws 7.51.1 inputs: `aws.ec2.ImageBlockPublicAccess` and `aws.ebs.SnapshotBlockPublicAccess` `state`,
`aws.ssm.ServiceSetting` `setting_id`/`setting_value`; the values are botocore's (policies/rules/account_sharing.py).
"""
# ruff: noqa: E501  (the embedded Pulumi program keeps one resource per line)

from __future__ import annotations

import pytest

from preflight.graph import ResourceGraph
from tests.policies.conftest import flagged, run_one, synth

POLICY = "account-public-sharing-blocked"
SETTING = "arn:aws:ssm:us-east-1:123456789012:servicesetting/ssm/documents/console/public-sharing-permission"
PROGRAM = f"""
aws.ec2.ImageBlockPublicAccess("good_ami", state="block-new-sharing")
aws.ebs.SnapshotBlockPublicAccess("good_snapshots", state="block-all-sharing")
aws.ssm.ServiceSetting("good_ssm_docs", setting_id="{SETTING}", setting_value="Disable")
aws.ssm.ServiceSetting("good_ssm_docs_path", setting_id="/ssm/documents/console/public-sharing-permission", setting_value="Disable")
aws.ssm.ServiceSetting("good_other_setting", setting_id="/ssm/parameter-store/high-throughput-enabled", setting_value="true")
aws.ec2.ImageBlockPublicAccess("bad1_ami_unblocked", state="unblocked")
aws.ebs.SnapshotBlockPublicAccess("bad2_snapshots_unblocked", state="unblocked")
aws.ebs.SnapshotBlockPublicAccess("bad3_snapshots_new_only", state="block-new-sharing")
aws.ssm.ServiceSetting("bad4_ssm_docs_enabled", setting_id="{SETTING}", setting_value="Enable")
aws.ssm.ServiceSetting("bad5_ssm_docs_path_enabled", setting_id="/ssm/documents/console/public-sharing-permission", setting_value="Enable")
"""
GOOD = {"good_ami", "good_snapshots", "good_ssm_docs", "good_ssm_docs_path", "good_other_setting"}
BAD = {
    "bad1_ami_unblocked",
    "bad2_snapshots_unblocked",
    "bad3_snapshots_new_only",
    "bad4_ssm_docs_enabled",
    "bad5_ssm_docs_path_enabled",
}


@pytest.fixture(scope="module")
def graph(tmp_path_factory: pytest.TempPathFactory) -> ResourceGraph:
    return synth(tmp_path_factory.mktemp("sharing"), PROGRAM, stack="prod")


def test_each_block_turned_off_is_flagged_and_no_other(graph: ResourceGraph) -> None:
    found = flagged(graph, POLICY)
    assert found == BAD, f"flagged {sorted(found)}"
    assert not GOOD & found


def test_the_message_names_the_setting_and_what_blocks(graph: ResourceGraph) -> None:
    said = {f.resource: f.message for f in run_one(graph, POLICY)}
    assert said["bad3_snapshots_new_only"] == (
        "state is 'block-new-sharing', not 'block-all-sharing', so EBS snapshots in this account and Region may be "
        "shared publicly, or stay public."
    )
    assert "settingValue is 'Enable', not 'Disable'" in said["bad4_ssm_docs_enabled"]
