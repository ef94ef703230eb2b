"""Review finding gate #6: what checkov did not check is three things, told apart in every report.

A resource handed to checkov of a type it checks but missing from its report is "not seen" (goal: none); one
whose type checkov has no checks for is "no checks" (not a gap of the bridge); one the bridge cannot hand
checkov at all is "not mapped" (goal: none). The Terraform plan says them apart as the CloudFormation
template does.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from preflight.engine import synthesize
from preflight.gate import GateReport, run_gate
from preflight.report import render
from preflight.tfplan import graph_to_tfplan
from preflight.tfplan.derive import checked_types
from tests.preflight.programs import write_program

#: One type checkov checks (aws_sqs_queue), one mapped type no check of checkov reads (aws_cloudwatch_dashboard),
#: and one the bridge cannot map (pulumi-command's local command).
PROGRAM = """
import json
import pulumi_aws as aws
import pulumi_command as command

aws.sqs.Queue("jobs")
aws.cloudwatch.Dashboard("ops", dashboard_name="ops", dashboard_body=json.dumps({"widgets": []}))
command.local.Command("hello", create="echo hello")
"""


def test_the_three_types_are_what_the_test_assumes() -> None:
    """Guards the test's premise against a new checkov: the queue is checked, the dashboard is not."""
    assert "aws_sqs_queue" in checked_types()
    assert "aws_cloudwatch_dashboard" not in checked_types()


def test_state_only_resources_have_no_checks_not_a_gap(tmp_path: Path) -> None:
    """random and time resources exist only in Pulumi's state: no checks, neither unmapped nor unseen."""
    main = "import pulumi_random as random\nimport pulumi_aws as aws\nrandom.RandomPet('pet')\naws.sqs.Queue('q')\n"
    graph = synthesize(write_program(tmp_path, main), "dev")
    plan = graph_to_tfplan(graph)
    pet = next(n.urn for n in graph.custom_resources if n.type == "random:index/randomPet:RandomPet")
    assert plan.no_checks_resources == [pet] and plan.not_scanned_resources == [pet]


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> GateReport:
    program = write_program(tmp_path_factory.mktemp("coverage-kinds"), PROGRAM, name="kinds")
    return run_gate(program, "dev")


@pytest.mark.usefixtures("checkov_present")
def test_counts_are_told_apart(report: GateReport) -> None:
    assert (report.not_seen, report.no_checks, report.not_mapped) == (0, 1, 1)
    assert report.checkov is not None
    assert [u.rsplit("::", 1)[1] for u in (*report.checkov.no_checks, *report.checkov.not_mapped)] == ["ops", "hello"]


@pytest.mark.usefixtures("checkov_present")
def test_every_format_says_them_apart(report: GateReport) -> None:
    phrase = "0 resources not seen, 1 with no checkov checks, 1 not mapped"
    assert phrase in render(report, "text")
    assert phrase in render(report, "markdown")
    checkov = json.loads(render(report, "json"))["checkov"]
    assert (checkov["not_seen"], checkov["no_checks"], checkov["not_mapped"]) == (0, 1, 1)
    properties = json.loads(render(report, "sarif"))["runs"][0]["properties"]
    assert (properties["checkovNotSeen"], properties["checkovNoChecks"], properties["checkovNotMapped"]) == (0, 1, 1)
