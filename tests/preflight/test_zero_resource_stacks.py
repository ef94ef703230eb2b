"""A stack that deploys nothing into AWS is not failed for the account baseline (issue 11 §2).

The rule (policies.lib.deploys_aws_resources): the trail, the Config recorder and the budget are asked of a
stack that deploys at least one AWS resource (an `aws:` or `aws-native:` type). A program of only providers,
stack references, data sources, outputs, components or other clouds' resources gets a note per baseline
policy instead (pulumi-policy's `not_applicable`, which the CLI reports the same way).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pulumi_policy import StackValidationArgs
from pulumi_policy.policy import _NotApplicableError

from policies.lib import NO_AWS_RESOURCES, deploys_aws_resources
from policies.rules import cost, governance
from policies.spec import PolicySpec
from preflight.gate import run_gate
from tests.policies.rules.calls import resource as stack_resource
from tests.preflight.programs import write_program

BASELINE = ("cloudtrail-enabled", "config-recorder-enabled", "cost-budget-present")

NOTHING_IN_AWS = {
    "empty": "import pulumi\n",
    "data-source-and-outputs": (
        "import pulumi\nimport pulumi_aws as aws\n"
        "me = aws.get_caller_identity()\npulumi.export('account', me.account_id)\n"
    ),
    "provider-and-stack-reference": (
        "import pulumi\nimport pulumi_aws as aws\n"
        "aws.Provider('east', region='us-east-1')\n"
        "network = pulumi.StackReference('acme/network/dev')\n"
        "pulumi.export('vpc', network.get_output('vpcId'))\n"
    ),
    "component-only": (
        "import pulumi\n"
        "class Empty(pulumi.ComponentResource):\n"
        "    def __init__(self, name):\n"
        "        super().__init__('acme:index:Empty', name, None)\n"
        "        self.register_outputs({})\n"
        "Empty('nothing')\n"
    ),
    "other-provider-only": "import pulumi_random as random\nrandom.RandomPassword('pw', length=16)\n",
}


@pytest.mark.parametrize("key", sorted(NOTHING_IN_AWS))
def test_a_stack_without_aws_resources_is_not_failed_for_the_baseline(tmp_path: Path, key: str) -> None:
    report = run_gate(write_program(tmp_path, NOTHING_IN_AWS[key], name="foreign"), "dev", checkov=False)
    assert not {f.policy for f in report.violations} & set(BASELINE)
    assert [n for n in report.notes if "not applicable" in n] == [
        f"{name}: not applicable: {NO_AWS_RESOURCES}" for name in ("cost-budget-present", *BASELINE[:2])
    ]


def test_one_aws_resource_brings_the_baseline_back(tmp_path: Path) -> None:
    program = NOTHING_IN_AWS["provider-and-stack-reference"] + "aws.sqs.Queue('q')\n"
    report = run_gate(write_program(tmp_path, program, name="foreign"), "dev", checkov=False)
    assert {f.policy for f in report.mandatory} >= set(BASELINE)
    assert not [n for n in report.notes if "not applicable" in n]


@pytest.mark.parametrize(
    ("types", "deploys"),
    [
        ((), False),
        (("pulumi:pulumi:Stack", "pulumi:providers:aws", "pulumi:pulumi:StackReference"), False),
        (("acme:index:Network", "random:index/randomPassword:RandomPassword"), False),
        (("pulumi:providers:aws", "aws:sqs/queue:Queue"), True),
        (("aws-native:s3:Bucket",), True),
    ],
)
def test_what_counts_as_deploying_into_aws(types: tuple[str, ...], deploys: bool) -> None:
    resources = [stack_resource(t, f"r{i}", {}) for i, t in enumerate(types)]
    assert deploys_aws_resources(resources) is deploys


@pytest.mark.parametrize("policy", [governance.CLOUDTRAIL, governance.CONFIG_RECORDER, cost.BUDGET_PRESENT])
def test_the_baseline_policies_say_not_applicable_as_the_cli_reports_it(policy: PolicySpec) -> None:
    args = StackValidationArgs([stack_resource("pulumi:providers:aws", "default", {})], {})
    with pytest.raises(_NotApplicableError) as raised:
        policy.validate(args, lambda message, urn=None: None)
    assert raised.value.reason == NO_AWS_RESOURCES
