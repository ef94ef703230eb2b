"""Resources made inside an `apply` on a StackReference output are judged, or the report says they were not
(review finding gate #4; issue 11 §1, §4).

Offline a StackReference's outputs are unknown, so `ref.get_output("vpc_id").apply(lambda v: aws.s3.BucketV2(...))`
never ran its callback and the bucket was never registered, judged, priced or scanned, without a word. A program
states the outputs it reads in `policies/config/<stack>.stack-references.json` (preflight/stack_references.py);
an apply still left unrun is the finding `apply-not-run` (preflight/applies.py, preflight/unseen.py).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from preflight.cli import main
from preflight.engine import synthesize
from preflight.findings import Level
from preflight.gate import run_gate
from preflight.graph import ResourceGraph
from preflight.report import render
from preflight.unseen import APPLY_POLICY
from tests.preflight.programs import write_program

REF = "urn:pulumi:{stack}::sample::pulumi:pulumi:StackReference::acme/network/prod"

#: Line 6 makes a bucket inside an apply on a StackReference output, line 7 a queue with a secret key output,
#: line 8 only reads one (an input, not an apply: nothing is left unrun by it).
PROGRAM = """\
import pulumi
import pulumi_aws as aws

ref = pulumi.StackReference("acme/network/prod")

ref.get_output("vpc_id").apply(lambda v: aws.s3.BucketV2("made-in-apply", tags={"vpc": v}))
ref.require_output("key").apply(lambda k: aws.sqs.Queue("keyed", kms_master_key_id=k))
aws.sqs.Queue("plain", kms_master_key_id=ref.get_output("kms"))
"""

STATED = {"acme/network/prod": {"outputs": {"vpc_id": "vpc-0abc", "key": "alias/k"}, "secretOutputNames": ["key"]}}


def _program(tmp_path: Path, references: Any = None, stack: str = "dev", main_text: str = PROGRAM) -> Path:
    files = {}
    if references is not None:
        text = references if isinstance(references, str) else json.dumps(references)
        files[f"policies/config/{stack}.stack-references.json"] = text
    return write_program(tmp_path, main_text, stack=stack, files=files)


def _names(graph: ResourceGraph) -> list[str]:
    return sorted(n.name for n in graph.managed_resources)


def test_compliant_1_stated_outputs_run_the_callbacks_and_their_resources_are_judged(tmp_path: Path) -> None:
    """Bad case (before): the graph held only `plain`; the bucket and the keyed queue were never seen."""
    graph = synthesize(_program(tmp_path, STATED), "dev")
    assert _names(graph) == ["keyed", "made-in-apply", "plain"]
    bucket = next(n for n in graph.resources if n.name == "made-in-apply")
    assert bucket.inputs["tags"] == {"vpc": "vpc-0abc"}
    assert graph.unrun_applies == []
    report = run_gate(_program(tmp_path, STATED), "dev", checkov=False)
    assert any(f.resource == "made-in-apply" for f in report.violations)  # judged: it has findings of its own
    assert not [f for f in report.violations if f.policy == APPLY_POLICY]


def test_compliant_2_a_stated_stack_has_exactly_its_outputs_and_its_secrets_stay_secret(tmp_path: Path) -> None:
    """An output the file does not state is None, as `get_output` of a missing output is; the secret one is
    "[secret]" in the recorded read (the graph is written to artefacts)."""
    graph = synthesize(_program(tmp_path, STATED), "dev")
    plain = next(n for n in graph.resources if n.name == "plain")
    assert "kmsMasterKeyId" not in plain.inputs
    (read,) = graph.reads
    assert read.outputs["outputs"] == {"vpc_id": "vpc-0abc", "key": "[secret]"}
    assert "alias/k" not in json.dumps(read.to_dict())  # (a callback given it holds it, as under `pulumi up`)


@pytest.mark.parametrize(("stack", "level"), [("dev", Level.ADVISORY), ("prod", Level.MANDATORY)])
def test_non_compliant_1_an_unstated_reference_leaves_each_apply_a_finding(
    tmp_path: Path, stack: str, level: Level
) -> None:
    """Bad case (before): the gate passed, with no word of the two callbacks that never ran."""
    report = run_gate(_program(tmp_path, stack=stack), stack, checkov=False)
    found = [f for f in report.violations if f.policy == APPLY_POLICY]
    assert [(f.resource, f.level, f.urn) for f in found] == [
        ("__main__.py:6", level, REF.format(stack=stack)),
        ("__main__.py:7", level, REF.format(stack=stack)),
    ]
    assert "StackReference 'acme/network/prod'" in found[0].message and "did not run" in found[0].message
    assert f"policies/config/{stack}.stack-references.json" in found[0].fix
    if level is Level.MANDATORY:
        assert report.exit_code == 1


def test_non_compliant_1_is_in_every_report_format(tmp_path: Path) -> None:
    report = run_gate(_program(tmp_path), "dev", checkov=False)
    for fmt in ("text", "json", "sarif", "markdown"):
        rendered = render(report, fmt)  # type: ignore[arg-type]
        assert APPLY_POLICY in rendered and "__main__.py:6" in rendered, fmt
    rules = json.loads(render(report, "sarif"))["runs"][0]["tool"]["driver"]["rules"]  # type: ignore[arg-type]
    (rule,) = [r for r in rules if r["id"] == APPLY_POLICY]
    assert rule["shortDescription"]["text"].startswith("An apply callback did not run offline")


def test_non_compliant_2_an_apply_in_a_loop_is_counted_and_the_sdks_own_applies_are_not(tmp_path: Path) -> None:
    """Three callbacks of one line are one finding saying three times; `get_output`'s own apply inside the SDK
    (pulumi/stack_reference.py) and attribute lifting are no finding."""
    loop = (
        "import pulumi\nimport pulumi_aws as aws\n"
        "ref = pulumi.StackReference('acme/network/prod')\n"
        "for i in range(3):\n"
        "    ref.get_output(f'subnet{i}').apply(lambda s, i=i: aws.ec2.Instance(f'vm{i}', subnet_id=s))\n"
    )
    graph = synthesize(_program(tmp_path, main_text=loop), "dev")
    assert [(a.at, a.count) for a in graph.unrun_applies] == [("__main__.py:5", 3)]
    assert ResourceGraph.from_dict(json.loads(graph.to_json())).unrun_applies == graph.unrun_applies


def test_non_compliant_3_a_multi_language_components_output_names_the_component(tmp_path: Path) -> None:
    remote = (
        "import pulumi\nimport pulumi_aws as aws\n"
        "class Vpc(pulumi.ComponentResource):\n"
        "    vpc_id: pulumi.Output[str]\n"
        "    def __init__(self, name):\n"
        "        super().__init__('awsx:ec2:Vpc', name, {'vpc_id': None}, None, remote=True)\n"
        "vpc = Vpc('spoke')\n"
        "vpc.vpc_id.apply(lambda v: aws.ec2.SecurityGroup('sg', vpc_id=v))\n"
    )
    report = run_gate(_program(tmp_path, main_text=remote), "dev", checkov=False)
    (found,) = [f for f in report.violations if f.policy == APPLY_POLICY]
    assert found.resource == "__main__.py:8" and "awsx:ec2:Vpc 'spoke'" in found.message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{not json", "not valid JSON"),
        (json.dumps({"acme/network/prod": {"outputs": {}, "extra": 1}}), "acme/network/prod.extra: Extra inputs"),
        (json.dumps({"acme/network/prod": {"vpc_id": "vpc-1"}}), "acme/network/prod.outputs: Field required"),
        (json.dumps({"acme/network/prod": {"outputs": [1]}}), "acme/network/prod.outputs:"),
        (json.dumps(["acme"]), "(top level):"),
        (
            json.dumps({"acme/network/prod": {"outputs": {"a": 1}, "secretOutputNames": ["b"]}}),
            "acme/network/prod.secretOutputNames: b is not one of its outputs",
        ),
    ],
    ids=["bad-json", "extra-key", "no-outputs", "outputs-not-object", "not-object", "secret-not-output"],
)
def test_non_compliant_4_a_bad_file_is_one_line_naming_the_key_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, expected: str
) -> None:
    program = _program(tmp_path, text)
    code = main(["check", "--program", str(program), "--stack", "dev", "--no-checkov", "--output-dir", str(tmp_path)])
    err = capsys.readouterr().err.splitlines()
    assert code == 2 and len(err) == 1, err
    assert "dev.stack-references.json: " in err[0] and expected in err[0], err[0]


# ------------------------------------------------ review 6 F5: an apply made by helper code outside the program
#: A shared library beside the program (`../lib`, put on sys.path by the program), a company package installed in
#: a site-packages folder, and a provider SDK there (it ships pulumi-plugin.json, as pulumi_aws does in .venv).
HELPER = """\
import pulumi_aws as aws


def bucket_for(vpc_id):
    return vpc_id.apply(lambda v: aws.s3.BucketV2("in-helper", tags={"vpc": v}))
"""
HELPER_PROGRAM = """\
import sys
from pathlib import Path
import pulumi
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "lib"))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "site-packages"))
import shared_buckets
import acme_platform
import pulumi_acmecloud

ref = pulumi.StackReference("acme/network/prod")
shared_buckets.bucket_for(ref.get_output("vpc_id"))
acme_platform.bucket_for(ref.get_output("subnet"))
pulumi_acmecloud.bucket_for(ref.get_output("zone"))
"""


@pytest.fixture(autouse=True)
def _forget_helpers(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The helpers live outside the program, so the engine keeps them imported (as it keeps installed packages):
    each test imports its own, and the program's sys.path inserts do not outlive it."""
    monkeypatch.setattr(sys, "path", list(sys.path))
    yield
    for name in ("shared_buckets", "acme_platform", "pulumi_acmecloud"):
        sys.modules.pop(name, None)


def _helper_program(tmp_path: Path, references: Any = None, stack: str = "dev") -> Path:
    (tmp_path / "lib").mkdir(parents=True)
    (tmp_path / "lib" / "shared_buckets.py").write_text(HELPER, encoding="utf-8")
    for package in ("acme_platform", "pulumi_acmecloud"):
        folder = tmp_path / "site-packages" / package
        folder.mkdir(parents=True)
        (folder / "__init__.py").write_text(HELPER.replace("in-helper", package), encoding="utf-8")
    (tmp_path / "site-packages" / "pulumi_acmecloud" / "pulumi-plugin.json").write_text("{}", encoding="utf-8")
    return _program(tmp_path / "program", references, stack, HELPER_PROGRAM)


def test_non_compliant_5_an_apply_in_helper_code_outside_the_program_names_both_lines(tmp_path: Path) -> None:
    """Bad case (before): no finding; the helper's and the company package's buckets were never judged. A provider
    SDK's own applies (pulumi-plugin.json) stay its business, as the pulumi package's do."""
    report = run_gate(_helper_program(tmp_path, stack="prod"), "prod", checkov=False)
    found = [f for f in report.violations if f.policy == APPLY_POLICY]
    assert [(f.resource, f.level) for f in found] == [
        ("__main__.py:11", Level.MANDATORY),
        ("__main__.py:12", Level.MANDATORY),
    ]
    assert (
        "at ../lib/shared_buckets.py:5 (helper code outside the program, called from __main__.py:11)"
        in found[0].message
    )
    assert "at acme_platform/__init__.py:5 (helper code outside the program, called from __main__.py:12)" in (
        found[1].message
    )
    assert "StackReference 'acme/network/prod'" in found[0].message
    assert report.exit_code == 1
    graph = report.graph
    assert ResourceGraph.from_dict(json.loads(graph.to_json())).unrun_applies == graph.unrun_applies
    assert [a.via for a in graph.unrun_applies] == ["../lib/shared_buckets.py:5", "acme_platform/__init__.py:5"]


def test_compliant_3_stated_outputs_run_the_helpers_callbacks_and_judge_what_they_create(tmp_path: Path) -> None:
    stated = {"acme/network/prod": {"outputs": {"vpc_id": "vpc-0abc", "subnet": "subnet-1", "zone": "z"}}}
    graph = synthesize(_helper_program(tmp_path, stated), "dev")
    assert _names(graph) == ["acme_platform", "in-helper", "pulumi_acmecloud"]
    assert graph.unrun_applies == []


def test_non_compliant_6_a_helpers_apply_inside_a_callback_with_no_program_line_names_the_helpers(
    tmp_path: Path,
) -> None:
    """An apply the helper makes inside its own callback (run by the SDK once the program's frames are gone) has
    no program line to name: the finding names the helper's line alone."""
    (tmp_path / "lib").mkdir(parents=True)
    (tmp_path / "lib" / "shared_buckets.py").write_text(
        "import pulumi\nimport pulumi_aws as aws\n\n\ndef later(vpc_id):\n"
        "    return pulumi.Output.from_input('go').apply(\n"
        "        lambda _: vpc_id.apply(lambda v: aws.s3.BucketV2('later', tags={'vpc': v}))\n"
        "    )\n",
        encoding="utf-8",
    )
    main = HELPER_PROGRAM.split("import acme_platform", maxsplit=1)[0] + (
        "ref = pulumi.StackReference('acme/network/prod')\nshared_buckets.later(ref.get_output('vpc_id'))\n"
    )
    graph = synthesize(_program(tmp_path / "program", main_text=main), "dev")
    assert [(a.at, a.via, a.count) for a in graph.unrun_applies] == [("../lib/shared_buckets.py:7", "", 1)]
