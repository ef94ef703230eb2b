"""`checkov-value-unknown` finding by finding: every field and both texts word for word, one finding per input,
the principles per check, and how a check's paths and code words decide that it reads a value (bench/MUTATION.md,
run I5; the cases by program: tests/preflight/test_checkov_unknown.py)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from preflight import invokes
from preflight.checkov_unknown import CHECKOV_UNKNOWN_POLICY, _reads, checkov_unknown_findings, reading_checks
from preflight.engine import synthesize
from preflight.findings import CheckovResult, Finding, Level, Source
from preflight.graph import UNKNOWN, ResourceGraph, ResourceNode
from tests.preflight.programs import write_program
from tests.preflight.test_checkov_unknown import _DB, _HEAD, _SSH_SG, _SSM

#: (default, per check) as policies/checkov_principles.yaml gives them, with one check of its own.
PRINCIPLES = (("P187",), {"CKV_AWS_17": ("P040", "P112")})
#: What the stored tables say reads an egress CIDR of `aws_security_group` (preflight/tfplan/checkov_types.json); its
#: ingress is the pack's own (policies.rules.network), so checkov-value-unknown leaves it to security-value-unknown.
_SG_CHECKS = "CKV_AWS_382"
_UNKNOWN_FIX = (
    "Set it from values known at deploy time, or state the StackReference outputs it comes from in "
    "policies/config/<stack>.stack-references.json so checkov judges the value. Waive this finding in "
    "policies/suppressions.yaml (with a reason and an expiry) only once the value is reviewed."
)
_INVENTED_FIX = (
    "Set it from a value known in the program or its stack configuration (a `pulumi.Config` key, "
    "`pulumi config set`) rather than from a data source's result, so checkov judges the value. Waive this "
    "finding in policies/suppressions.yaml (with a reason and an expiry) only once the value is reviewed."
)


def _graph(tmp_path: Path, body: str) -> ResourceGraph:
    return synthesize(write_program(tmp_path / "dev", _HEAD + body, stack="dev"), "dev")


def _findings(graph: ResourceGraph, result: CheckovResult | None = None) -> list[Finding]:
    return checkov_unknown_findings(graph, result or CheckovResult(), Level.ADVISORY, PRINCIPLES)


def _invented_message(path: str, sources: str) -> str:
    return (
        f"{path} was invented offline for {sources}, so checkov's {_SG_CHECKS} judged a made-up value, not its value "
        "(a data source is read from the cloud at a real `pulumi preview`; offline its result is fabricated: "
        "preflight/invokes.py)"
    )


def test_an_unknown_values_finding_field_by_field(tmp_path: Path) -> None:
    graph = _graph(tmp_path, _DB.format('storage_encrypted=True, publicly_accessible=net.get_output("public")'))
    db = next(n for n in graph.resources if n.name == "db")
    assert _findings(graph) == [
        Finding(
            policy=CHECKOV_UNKNOWN_POLICY,
            source=Source.CHECKOV,
            level=Level.ADVISORY,
            resource="db",
            type="aws:rds/instance:Instance",
            urn=db.urn,
            principles=("P040", "P112"),
            message=(
                "publicly_accessible is unknown offline, so checkov's CKV_AWS_17 judged a placeholder, not its value "
                "(the Terraform plan leaves an unknown value out, the CloudFormation template writes a marker string; "
                "offline: built from an output the engine does not fabricate, such as an unstated StackReference "
                "output or an apply that did not run)"
            ),
            fix=_UNKNOWN_FIX,
            severity="high",
        )
    ]


def test_an_invented_values_finding_names_each_data_source(tmp_path: Path) -> None:
    registry = "aws.ecr.get_authorization_token().password"
    graph = _graph(tmp_path, _SSH_SG.format(f"{_SSM}, {registry}"))
    [found] = _findings(graph)
    sources = "data source aws:ecr/getAuthorizationToken:getAuthorizationToken, aws:ssm/getParameter:getParameter"
    assert (found.message, found.fix) == (_invented_message("egress.0.cidr_blocks.0", sources), _INVENTED_FIX)
    assert found.principles == ("P112", "P187")  # the default principles: no check of its own here


def test_an_invented_value_whose_invoke_ran_elsewhere_names_no_data_source(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    graph = _graph(tmp_path, _SSH_SG.format(_SSM))
    monkeypatch.setattr(invokes, "_INVENTED_BY", {})  # as in the gate, for a string the child invented
    [found] = _findings(graph)
    assert found.message == _invented_message("egress.0.cidr_blocks.0", "a data source")


def test_one_finding_per_input_however_many_of_its_values_are_unknown(tmp_path: Path) -> None:
    rule = '{{"protocol": "tcp", "from_port": {0}, "to_port": {0}, "description": "d", "cidr_blocks": [{1}]}}'
    egress = ", ".join(rule.format(port, f'net.get_output("c{port}")') for port in (22, 3389))
    graph = _graph(tmp_path, f'aws.ec2.SecurityGroup("sg", description="web", egress=[{egress}])\n')
    assert [(f.resource, f.message.split(" ", 1)[0]) for f in _findings(graph)] == [("sg", "egress.0.cidr_blocks.0")]


@pytest.mark.parametrize("first", ["port", "tags"], ids=["no-check-reads-it", "identity-key"])
def test_an_unknown_left_alone_does_not_hide_a_later_one_of_the_same_resource(tmp_path: Path, first: str) -> None:
    """An unknown `port` (no check reads it) or `tags` (identity, preflight.deferred.owned) before the one a check
    reads, in the resource's input order."""
    graph = _graph(tmp_path, _DB.format('storage_encrypted=True, publicly_accessible=net.get_output("public")'))
    db = next(n for n in graph.resources if n.name == "db")
    early = dataclasses.replace(db, inputs={first: UNKNOWN, **db.inputs})
    assert next(iter(early.judged_inputs)) == first
    reordered = ResourceGraph(project=graph.project, stack=graph.stack, resources=[early])
    assert [f.message.split(" ", 1)[0] for f in _findings(reordered)] == ["publicly_accessible"]


def test_a_resource_checkov_does_not_check_does_not_end_the_scan(tmp_path: Path) -> None:
    graph = _graph(tmp_path, _DB.format('storage_encrypted=True, publicly_accessible=net.get_output("public")'))
    odd = ResourceNode(
        "urn:pulumi:dev::sample::example:index:Thing::odd", "example:index:Thing", "odd", True, "", "", {"x": "y"}, {}
    )
    first = ResourceGraph(project=graph.project, stack=graph.stack, resources=[odd, *graph.resources])
    assert [f.resource for f in _findings(first)] == ["db"]


def test_a_skipped_check_is_not_named_and_one_without_an_id_skips_nothing(tmp_path: Path) -> None:
    graph = _graph(tmp_path, _DB.format('storage_encrypted=True, publicly_accessible=net.get_output("public")'))
    assert _findings(graph, CheckovResult(skipped=[{"check_id": "CKV_AWS_17"}])) == []
    assert len(_findings(graph, CheckovResult(skipped=[{"reason": "no id"}]))) == 1


@pytest.mark.parametrize(
    ("paths", "words", "path", "reads"),
    [
        (["ingress"], [], ("ingress", "cidr_blocks"), True),  # the check reads the whole list
        (["ingress.cidr_blocks"], [], ("ingress",), True),  # the whole list is unknown
        (["ingress.cidr_blocks"], [], ("egress",), False),
        (["ingress.cidr_blocks"], [], ("ingress", "description"), False),
        ([], ["a", "c"], ("a", "b", "c"), True),  # code naming the attribute and the last step
        ([], ["a", "b"], ("a", "b", "c"), False),
        ([], ["a"], ("a",), True),
        ([], [], ("a",), False),
    ],
)
def test_a_check_reads_a_path_by_prefix_or_by_the_words_of_its_code(
    paths: list[str], words: list[str], path: tuple[str, ...], reads: bool
) -> None:
    assert _reads({"paths": paths, "words": words}, path) is reads


def test_a_type_without_checks_or_a_path_of_positions_only_has_no_reading_check() -> None:
    assert reading_checks("aws_no_such_type", ["x"]) == []
    assert reading_checks("aws_db_instance", ["0", "1"]) == []
    assert reading_checks("aws_db_instance", ["publicly_accessible"]) == ["CKV_AWS_17"]
