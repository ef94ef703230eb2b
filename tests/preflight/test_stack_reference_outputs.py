"""What a StackReference gives the program offline, and what the report says of it (review 6 F6, F7).

F6: a stated stack's outputs are what `get_output`, `require_output`, `get_output_details` and `outputs` give, with
their secret flag (the engine reads a stack's secrets as secrets: pulumi/pulumi pkg/resource/deploy/builtins.go
`readStackReference`); an unstated one's stay unknown through each of them. `get_output_details` of an unknown
output returned empty details (pulumi/stack_reference.py), which a program reads as "the stack has no such output",
a branch `pulumi preview` never takes for a stack that exists (it reads the outputs in a preview too).

F7: the report names the stated-outputs file it used and, per StackReference, what was stated and what stayed
unknown, in every format; the notes list each StackReference read with the stack and how many outputs are stated.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from preflight.engine import synthesize
from preflight.gate import run_gate
from preflight.graph import UNKNOWN, ResourceGraph, ResourceNode
from preflight.report import render
from preflight.unseen import APPLY_POLICY, read_notes
from tests.preflight.programs import write_program

REF = "urn:pulumi:dev::sample::pulumi:pulumi:StackReference::acme/network/prod"
FILE = "policies/config/dev.stack-references.json"
STATED = {"acme/network/prod": {"outputs": {"vpc_id": "vpc-0abc", "key": "alias/k"}, "secretOutputNames": ["key"]}}

#: One queue per way of reading an output; what each was given is in its inputs.
APIS = """\
import pulumi
import pulumi_aws as aws

ref = pulumi.StackReference("acme/network/prod")


async def details(name):
    found = await ref.get_output_details(name)
    held = "the secret" if found.secret_value == "alias/k" else repr(found.secret_value)
    return {"value": repr(found.value), "secret_value": held}


aws.sqs.Queue("get-output", tags={"vpc": ref.get_output("vpc_id"), "missing": ref.get_output("nope").apply(repr)})
aws.sqs.Queue("require-output", kms_master_key_id=ref.require_output("key"))
aws.sqs.Queue("details", tags=details("vpc_id"))
aws.sqs.Queue("secret-details", tags=details("key"))
aws.sqs.Queue("outputs", kms_master_key_id=ref.outputs.apply(lambda o: o["key"]), tags={"vpc": ref.outputs["vpc_id"]})
"""

#: A program that branches on `get_output_details`, as the SDK's docstring invites ("Neither field is set if the
#: output was not found"), then creates a bucket in a callback on what it found.
BRANCH = """\
import pulumi
import pulumi_aws as aws

ref = pulumi.StackReference("acme/network/prod")


async def vpc():
    found = await ref.get_output_details("vpc_id")
    if found.value is None and found.secret_value is None:
        return "absent"
    return found.value


aws.sqs.Queue("branch", tags={"vpc": vpc()})
pulumi.Output.from_input(vpc()).apply(lambda v: aws.s3.BucketV2("made", tags={"vpc": v}))
"""


def _program(tmp_path: Path, main: str, references: Any = None, stack: str = "dev") -> Path:
    files = {f"policies/config/{stack}.stack-references.json": json.dumps(references)} if references else {}
    return write_program(tmp_path, main, stack=stack, files=files)


def _by_name(graph: ResourceGraph) -> dict[str, ResourceNode]:
    return {n.name: n for n in graph.managed_resources}


# ------------------------------------------------ F6: a stated stack's outputs, through each API
def test_compliant_1_get_output_gives_the_stated_value_and_none_for_an_output_the_stack_lacks(tmp_path: Path) -> None:
    node = _by_name(synthesize(_program(tmp_path, APIS, STATED), "dev"))["get-output"]
    assert node.inputs["tags"] == {"vpc": "vpc-0abc", "missing": "None"}


def test_compliant_2_require_output_of_a_secret_gives_it_as_a_secret(tmp_path: Path) -> None:
    node = _by_name(synthesize(_program(tmp_path, APIS, STATED), "dev"))["require-output"]
    assert node.inputs["kmsMasterKeyId"] == "[secret]"
    assert node.judged_inputs["kmsMasterKeyId"] == "alias/k"


def test_compliant_3_get_output_details_gives_the_stated_value(tmp_path: Path) -> None:
    node = _by_name(synthesize(_program(tmp_path, APIS, STATED), "dev"))["details"]
    assert node.inputs["tags"] == {"value": "'vpc-0abc'", "secret_value": "None"}


def test_compliant_4_get_output_details_of_a_secret_output_gives_its_secret_value(tmp_path: Path) -> None:
    node = _by_name(synthesize(_program(tmp_path, APIS, STATED), "dev"))["secret-details"]
    assert node.inputs["tags"] == {"value": "None", "secret_value": "the secret"}


def test_compliant_5_outputs_holds_the_stated_values_and_is_secret_as_the_engine_reads_it(tmp_path: Path) -> None:
    """Bad case (before): `ref.outputs` was not secret, so the key taken from it was written in plaintext into the
    graph (and so into every artefact); the engine reads a stack's secret outputs as secrets (builtins.go)."""
    graph = synthesize(_program(tmp_path, APIS, STATED), "dev")
    node = _by_name(graph)["outputs"]
    assert node.inputs["kmsMasterKeyId"] == "[secret]"
    assert node.judged_inputs["kmsMasterKeyId"] == "alias/k"
    # A value taken from a secret `outputs` is secret as a whole, as the SDK makes it (pulumi/output.py `__getitem__`).
    assert node.inputs["tags"] == "[secret]" and node.judged_inputs["tags"] == {"vpc": "vpc-0abc"}
    assert "alias/k" not in graph.to_json()


# ------------------------------------------------ F6: an unstated stack's outputs stay unknown, through each API
def test_non_compliant_1_an_unstated_stacks_outputs_are_unknown_through_every_api(tmp_path: Path) -> None:
    nodes = _by_name(synthesize(_program(tmp_path, APIS), "dev"))
    assert nodes["get-output"].inputs["tags"]["vpc"] == UNKNOWN
    assert nodes["require-output"].inputs["kmsMasterKeyId"] == UNKNOWN
    assert nodes["outputs"].inputs["kmsMasterKeyId"] == UNKNOWN
    for name in ("get-output", "require-output", "outputs"):
        assert REF in {d for deps in nodes[name].property_dependencies.values() for d in deps}, name


def test_non_compliant_2_get_output_details_of_an_unstated_output_is_unknown_not_absent(tmp_path: Path) -> None:
    """Bad case (before): the details were empty, the program took its "no such output" branch and tagged the queue
    "absent", and the bucket its callback made was judged on that invented value, with no finding."""
    report = run_gate(_program(tmp_path, BRANCH), "dev", checkov=False)
    nodes = _by_name(report.graph)
    assert nodes["branch"].inputs["tags"] == {"vpc": UNKNOWN}
    assert "made" not in nodes
    found = [f for f in report.violations if f.policy == APPLY_POLICY]
    assert [(f.resource, f.urn) for f in found] == [("__main__.py:15", REF)]


def test_compliant_6_get_output_details_of_a_stated_output_takes_the_programs_branch_of_it(tmp_path: Path) -> None:
    nodes = _by_name(synthesize(_program(tmp_path, BRANCH, STATED), "dev"))
    assert nodes["branch"].inputs["tags"] == {"vpc": "vpc-0abc"}
    assert nodes["made"].inputs["tags"] == {"vpc": "vpc-0abc"}


# ------------------------------------------------ F7: the report names the file and what stayed unknown
TWO = """\
import pulumi
import pulumi_aws as aws

network = pulumi.StackReference("network", stack_name="acme/network/prod")
keys = pulumi.StackReference("acme/keys/prod")
aws.sqs.Queue("q", tags={"vpc": network.get_output("vpc_id"), "gone": network.get_output("nope").apply(repr)})
aws.sqs.Queue("k", kms_master_key_id=keys.require_output("key_arn"))
"""
TWO_STATED = {**STATED, "acme/old/prod": {"outputs": {}}}


def test_the_graph_says_what_was_stated_and_what_stayed_unknown(tmp_path: Path) -> None:
    graph = synthesize(_program(tmp_path, TWO, TWO_STATED), "dev")
    assert graph.stack_references == {
        "file": FILE,
        "file_found": True,
        "references": [
            {
                "name": "acme/keys/prod",
                "stack": "acme/keys/prod",
                "in_file": False,
                "stated": [],
                "secret": [],
                "unknown": ["key_arn"],
                "missing": [],
            },
            {
                "name": "network",
                "stack": "acme/network/prod",
                "in_file": True,
                "stated": ["key", "vpc_id"],
                "secret": ["key"],
                "unknown": [],
                "missing": ["nope"],
            },
        ],
        "unreferenced": ["acme/old/prod"],
    }
    assert ResourceGraph.from_dict(json.loads(graph.to_json())).stack_references == graph.stack_references


#: What each format must say: the file, the stated reference with its outputs, the unstated one with what it left
#: unknown (names as each format escapes them: Markdown escapes `_`).
_SAYS = {
    "text": (
        FILE,
        "StackReference 'network' (acme/network/prod): 2 outputs stated (key, vpc_id; secret: key)",
        "StackReference 'acme/keys/prod' (acme/keys/prod): not stated in",
        "stayed unknown (asked for: key_arn)",
    ),
    "markdown": (
        "dev.stack-references.json",
        "2 outputs stated (key, vpc\\_id; secret: key)",
        "StackReference 'acme/keys/prod' (acme/keys/prod): not stated in",
        "asked for: key\\_arn",
    ),
}


@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_the_text_and_markdown_reports_name_the_file_and_each_reference(tmp_path: Path, fmt: str) -> None:
    """Bad case (before): the stated file was trusted without a word; nothing said which outputs stayed unknown."""
    rendered = render(run_gate(_program(tmp_path, TWO, TWO_STATED), "dev", checkov=False), fmt)
    for expected in _SAYS[fmt]:
        assert expected in rendered, (fmt, expected)


@pytest.mark.parametrize(
    ("fmt", "where"), [("json", ("stack_references",)), ("sarif", ("runs", 0, "properties", "stackReferences"))]
)
def test_the_json_and_sarif_reports_carry_the_summary(tmp_path: Path, fmt: str, where: tuple[Any, ...]) -> None:
    report = run_gate(_program(tmp_path, TWO, TWO_STATED), "dev", checkov=False)
    data: Any = json.loads(render(report, fmt))
    for step in where:
        data = data[step]
    assert data == report.graph.stack_references and data["file"] == FILE and data["file_found"] is True


def test_without_a_file_every_format_says_the_outputs_stayed_unknown(tmp_path: Path) -> None:
    report = run_gate(_program(tmp_path, TWO), "dev", checkov=False)
    assert report.graph.stack_references["file_found"] is False
    for fmt in ("text", "markdown"):
        assert "every StackReference" in render(report, fmt), fmt
    assert json.loads(render(report, "json"))["stack_references"]["references"][1]["unknown"] == ["nope", "vpc_id"]


def test_read_notes_list_each_stack_reference_with_its_stack_and_stated_outputs(tmp_path: Path) -> None:
    """Bad case (before): `read_notes` listed `Resource.get` reads and skipped every StackReference."""
    notes = read_notes(synthesize(_program(tmp_path, TWO, TWO_STATED), "dev"))
    assert notes == [
        "StackReference 'acme/keys/prod' (stack acme/keys/prod) is read, not deployed by this stack: its outputs "
        f"unknown offline (not stated in {FILE})",
        "StackReference 'network' (stack acme/network/prod) is read, not deployed by this stack: 2 of its outputs "
        f"stated in {FILE}",
    ]
