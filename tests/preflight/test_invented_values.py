"""`security-value-unknown` in the gate: an unknown wrapped in a secret, and a value invented offline for a data
source, at an input policies/security_values.py lists (review s7 findings 5 and 4; checkov's side:
tests/preflight/test_checkov_unknown.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from policies.registry import by_name
from policies.rules.document_unknown import VALUE_UNKNOWN
from preflight.engine import synthesize
from preflight.findings import Finding, Level
from preflight.policy_runner import PolicySetting, run_policies
from tests.preflight.programs import write_program

_HEAD = """
import pulumi
import pulumi_aws as aws

net = pulumi.StackReference("org/network/prod")
"""
_QUEUE = 'aws.sqs.Queue("q", {})\n'
_SSM = 'aws.ssm.get_parameter(name="/queue/key").value'


def _unknown_findings(tmp_path: Path, body: str, *, dry_run: bool = False) -> list[Finding]:
    root = write_program(tmp_path / "prod", _HEAD + body, stack="prod")
    graph = synthesize(root, "prod")
    config = {VALUE_UNKNOWN: PolicySetting(Level.MANDATORY)}
    run = run_policies(graph, policies=list(by_name().values()), config=config, dry_run=dry_run)
    return [f for f in run.findings if f.policy == VALUE_UNKNOWN]


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
