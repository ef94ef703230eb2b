"""The gate synthesises a program in a child process that hands back only its graph (review 6 gate F1; issue 11).

Numbered hostile programs passed their own gate while the program ran in the gate's process: they patched the
gate's functions or ended the process with status 0. Each now ends as the gate decides: exit 1 with the finding,
or exit 2 with one line (preflight/synthesis_child.py). The round trip keeps every part of the graph the gate and
its reports read (secrets' plaintext, reads, stack references, unrun applies, remote components).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from preflight.engine import synthesize
from preflight.errors import ConfigError, ProgramError
from preflight.graph import UNKNOWN, ResourceGraph
from preflight.load import load_graph
from preflight.synthesis_child import _graph, _ShapeError
from tests.preflight.programs import REPO_ROOT, write_program
from tests.preflight.public_programs import PROGRAMS
from tests.preflight.test_stack_references import PROGRAM as REFERENCES_PROGRAM
from tests.preflight.test_stack_references import STATED
from tests.preflight.test_unseen import REMOTE

#: A role with an administrator policy: `iam-no-wildcard-action`, mandatory in a production stack.
ADMIN = """
import json
import pulumi_aws as aws
aws.iam.Policy("admin", policy=json.dumps({"Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
"""
#: Finds the gate's channel the way a hostile program would: every pipe the process holds besides 0, 1 and 2.
CHANNELS = """
import os, stat
def channels():
    for name in os.listdir("/proc/self/fd"):
        fd = int(name)
        try:
            if fd > 2 and stat.S_ISFIFO(os.fstat(fd).st_mode):
                yield fd
        except OSError:
            pass
def write_all(data):
    for fd in channels():
        try:
            os.write(fd, data)
        except OSError:
            pass
"""
QUEUE = 'import pulumi_aws as aws\naws.sqs.Queue("plain_queue")\n'


def _check(program: Path, tmp_path: Path, stack: str = "dev", *extra: str, timeout: float = 120) -> Any:
    """`python -m preflight check` on `program` in a fresh process (no checkov), as CI runs it."""
    command = [sys.executable, "-m", "preflight", "check", "--program", str(program), "--stack", stack]
    command += ["--no-checkov", "--format", "json", "--output-dir", str(tmp_path / "out"), *extra]
    return subprocess.run(command, capture_output=True, text=True, check=False, cwd=REPO_ROOT, timeout=timeout)


def _one_error_line(result: Any) -> str:
    """The gate's one line of an exit-2 failure (what the program printed may precede it), never a traceback."""
    assert result.returncode == 2, (result.returncode, result.stdout[-2000:], result.stderr[-2000:])
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("preflight: error: ")]
    assert len(errors) == 1, result.stderr[-2000:]
    return errors[0].removeprefix("preflight: error: ")


# ------------------------------------------------------------------------------------------- hostile programs


def test_noncompliant_1_a_program_patching_the_gate_and_the_rules_still_gets_its_finding(tmp_path: Path) -> None:
    """(a) Before: the program emptied `checkov_findings` and every rule in the gate's process; prod passed."""
    patching = """
import preflight.gate
from policies.registry import all_policies
preflight.gate.checkov_findings = lambda *args, **kwargs: []
for spec in all_policies():
    object.__setattr__(spec, "validate", lambda *args, **kwargs: None)
"""
    program = write_program(tmp_path / "p", patching + ADMIN, stack="prod", config={"preflight:production": True})
    result = _check(program, tmp_path, "prod")
    assert result.returncode == 1, result.stderr[-2000:]
    found = [v for v in json.loads(result.stdout)["violations"] if v["policy"] == "iam-no-wildcard-action"]
    assert [(v["resource"], v["level"]) for v in found] == [("admin", "mandatory")]


@pytest.mark.parametrize(
    ("ending", "expected"),
    [
        ("os._exit(0)", "exited with status 0 without handing back its graph"),
        ("os._exit(3)", "exited with status 3 without handing back its graph"),
        ("os.kill(os.getpid(), signal.SIGKILL)", "was killed by SIGKILL"),
        ("os.kill(os.getpid(), signal.SIGSEGV)", "was killed by SIGSEGV"),
        (
            "write_all(b'')\nfor fd in list(channels()):\n    os.close(fd)\ntime.sleep(3600)",
            "closed its channel and did not exit",
        ),
    ],
    ids=["2-exit-0", "3-exit-3", "4-killed", "5-crash", "5b-closed-channel"],
)
def test_noncompliant_2_a_program_ending_its_process_is_one_line(tmp_path: Path, ending: str, expected: str) -> None:
    """(b) Before: `os._exit(0)` mid-program ended the gate itself with status 0 and no report: a pass."""
    program = write_program(tmp_path / "p", f"import os, signal, time\n{CHANNELS}\n{QUEUE}{ending}\n")
    line = _one_error_line(_check(program, tmp_path))
    assert line == f"{program}: the program's synthesis process {expected} (nothing was judged)"


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        (b"garbage\n", "a line that is not JSON"),
        (b'{"t": "end", "registered": 0, "graph": {"project"', "a message cut off (no newline at the end)"),
        (b'{"t": "end", "registered": 1, "graph": {"project": "sample", "stack": "dev"}}\n', "a malformed graph"),
        (b'{"t": "node", "node": {"urn": 1}}\n', "a malformed resource (node.urn is not a string)"),
        (b'{"t": "start"}\n', "an unexpected message ('start')"),
    ],
    ids=["6-garbage", "7-truncated", "8-no-resources", "9-bad-node", "10-second-start"],
)
def test_noncompliant_3_a_program_writing_to_the_channel_is_one_line(
    tmp_path: Path, written: bytes, expected: str
) -> None:
    """(c) Garbage or a cut-off graph on the gate's pipe, then `os._exit(0)`: exit 2, never a pass."""
    body = f"{CHANNELS}\n{QUEUE}write_all({written.decode()!r}.encode())\nos._exit(0)\n"
    line = _one_error_line(_check(write_program(tmp_path / "p", body), tmp_path))
    assert line.startswith(f"{tmp_path / 'p'}: the program's synthesis process sent {expected}"), line
    assert line.endswith("(nothing was judged)")


def test_noncompliant_4_a_program_that_sleeps_forever_is_ended_by_its_time_limit(tmp_path: Path) -> None:
    """(d) The engine's alarm ends it in the child and names its line, as before."""
    program = write_program(tmp_path / "p", "import time\ntime.sleep(3600)\n")
    line = _one_error_line(_check(program, tmp_path, "dev", "--timeout", "1", timeout=90))
    assert line == "__main__.py:2: program did not finish within 1 s (set --timeout to allow longer)"


def test_noncompliant_5_a_program_ignoring_the_alarm_is_killed_by_the_gate(tmp_path: Path) -> None:
    """(d) Before: a program that ignored SIGALRM ran for ever inside the gate; now the gate kills its process."""
    body = "import signal, time\nsignal.signal(signal.SIGALRM, signal.SIG_IGN)\ntime.sleep(3600)\n"
    line = _one_error_line(_check(write_program(tmp_path / "p", body), tmp_path, "dev", "--timeout", "1", timeout=90))
    assert line == "__main__.py: program did not finish within 1 s (set --timeout to allow longer)"


def test_noncompliant_6_a_program_printing_a_lot_keeps_the_graph_and_the_report_intact(tmp_path: Path) -> None:
    """(e) 10 MB of prints and a raw write to fd 1: the report on stdout still parses, the graph is whole."""
    body = f'import os, sys\nfor i in range(50_000):\n    print("x" * 200)\nos.write(1, b"noise\\n")\n{QUEUE}'
    result = _check(write_program(tmp_path / "p", body), tmp_path)
    report = json.loads(result.stdout)
    assert result.returncode == 1 and report["resources"] == 1
    assert "plain_queue" in {v["resource"] for v in report["violations"]}
    assert result.stderr.count("x" * 200) == 50_000 and "noise" in result.stderr


def test_the_program_runs_in_another_process(tmp_path: Path) -> None:
    """The gate's program path (load_graph) never runs the program in the gate's process."""
    body = f"import os, pathlib\npathlib.Path({str(tmp_path / 'pid')!r}).write_text(str(os.getpid()))\n{QUEUE}"
    load_graph(write_program(tmp_path / "p", body), "dev")
    assert int((tmp_path / "pid").read_text()) != os.getpid()


# ------------------------------------------------------------------------------------- errors keep their kind


def test_the_programs_own_error_comes_back_with_its_kind_and_line(tmp_path: Path) -> None:
    program = write_program(tmp_path / "p", 'import pulumi\n\nraise ValueError("boom")\n')
    with pytest.raises(ProgramError) as caught:
        load_graph(program, "dev")
    assert type(caught.value) is ProgramError and str(caught.value) == "__main__.py:3: ValueError: boom"


def test_a_missing_config_value_comes_back_as_a_config_error(tmp_path: Path) -> None:
    program = write_program(tmp_path / "p", 'import pulumi\n\npulumi.Config().require("size")\n')
    with pytest.raises(ConfigError) as caught:
        load_graph(program, "dev")
    assert str(caught.value) == (
        "Pulumi.dev.yaml: missing required configuration sample:size (read at __main__.py:3; "
        "set it with `pulumi config set sample:size <value>`)"
    )


def test_a_missing_program_directory_is_the_engines_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_graph(tmp_path / "absent", "dev")
    assert str(caught.value) == f"{tmp_path / 'absent'}: program directory not found"


# ---------------------------------------------------------------------------------------- the graph's shape

_NODE = {
    "urn": "urn:pulumi:dev::p::aws:sqs/queue:Queue::q",
    "type": "aws:sqs/queue:Queue",
    "name": "q",
    "custom": True,
    "parent": "",
    "provider": "",
    "inputs": {},
    "outputs": {},
    "id": "q",
    "dependencies": [],
    "property_dependencies": {},
    "protect": False,
}


def _with(**changes: Any) -> dict[str, Any]:
    graph: dict[str, Any] = {"project": "p", "stack": "dev", "source": "program", "config": {}, "resources": [_NODE]}
    node = {**_NODE, **changes.pop("node", {})}
    return {**graph, "resources": [node], **changes}


@pytest.mark.parametrize(
    ("data", "what"),
    [
        (_with(node={"custom": "yes"}), "resources[0].custom is not a boolean"),
        (_with(node={"inputs": []}), "resources[0].inputs is not an object"),
        (_with(node={"secret_inputs": "x"}), "resources[0].secret_inputs is neither an object nor null"),
        (_with(node={"dependencies": [1]}), "resources[0].dependencies is not a list of strings"),
        (_with(node={"property_dependencies": {"a": "b"}}), "resources[0].property_dependencies.a is not a list"),
        (_with(reads={}), "reads is not a list"),
        (_with(config=[]), "config is not an object"),
        (_with(notes=[1]), "notes is not a list of strings"),
        (_with(unrun_applies=[{"at": "m.py:1", "count": True}]), "unrun_applies[0].count is not a positive integer"),
        ([], "the graph is not an object"),
    ],
)
def test_a_malformed_graph_is_refused_by_shape(data: Any, what: str) -> None:
    with pytest.raises(_ShapeError) as caught:
        _graph(data)
    assert str(caught.value).startswith(what)


# ------------------------------------------------------------------------------------------------ round trip


def _same(child: ResourceGraph, here: ResourceGraph) -> None:
    """Node by node, with the secrets' plaintext (not part of a node's equality) and every graph-level list."""
    assert len(child.resources) == len(here.resources)
    for mine, theirs in zip(child.resources, here.resources, strict=True):
        assert mine == theirs
        assert (mine.secret_inputs, mine.secret_outputs) == (theirs.secret_inputs, theirs.secret_outputs), mine.urn
    assert child.reads == here.reads
    assert [(r.secret_inputs, r.secret_outputs) for r in child.reads] == [
        (r.secret_inputs, r.secret_outputs) for r in here.reads
    ]
    assert (child.project, child.stack, child.source, child.config) == (
        here.project,
        here.stack,
        here.source,
        here.config,
    )
    assert (child.remote_components, child.unrun_applies, child.notes) == (
        here.remote_components,
        here.unrun_applies,
        here.notes,
    )
    assert child.to_dict(wire=True) == here.to_dict(wire=True)


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_the_template_graph_is_the_same_from_the_child(stack: str) -> None:
    streamed: list[str] = []
    child = load_graph(REPO_ROOT, stack, timeout=300, on_register=lambda node: streamed.append(node.urn))
    _same(child, synthesize(REPO_ROOT, stack, timeout=300))
    assert sorted(streamed) == sorted(r.urn for r in child.resources)  # each registration streamed once


_SECRETS = """
import pulumi
import pulumi_aws as aws
config = pulumi.Config()
key = aws.kms.Key("key", description=config.require_secret("description"))
aws.ssm.Parameter("param", type="SecureString", value=pulumi.Output.secret("hunter2"), key_id=key.arn)
aws.ssm.Parameter("plain", type="String", value=key.arn.apply(lambda arn: arn + "/x"))
"""


def _fixtures(tmp_path: Path) -> dict[str, Path]:
    written = {
        "references": write_program(
            tmp_path / "references",
            REFERENCES_PROGRAM,
            files={"policies/config/dev.stack-references.json": json.dumps(STATED)},
        ),
        "unrun-applies": write_program(tmp_path / "unrun", REFERENCES_PROGRAM),
        "remote-and-read": write_program(tmp_path / "remote", REMOTE),
        "secrets": write_program(
            tmp_path / "secrets", _SECRETS, config={"sample:description": {"secure": "djE6c2VjcmV0"}}
        ),
    }
    for key in ("webserver", "secrets-manager", "wordpress-fargate-rds", "voting-app"):
        program = PROGRAMS[key]
        written[key] = write_program(
            tmp_path / key, program.main, name=program.name, config=program.config, files=program.files
        )
    return written


def test_fixture_graphs_are_the_same_from_the_child(tmp_path: Path) -> None:
    kinds: set[str] = set()
    for key, program in _fixtures(tmp_path).items():
        child = load_graph(program, "dev", timeout=300)
        _same(child, synthesize(program, "dev", timeout=300))
        kinds |= {"reads"} if child.reads else set()
        kinds |= {"remote"} if child.remote_components else set()
        kinds |= {"applies"} if child.unrun_applies else set()
        kinds |= {"secrets"} if any(r.holds_secrets for r in child.resources) else set()
        kinds |= {"unknowns"} if UNKNOWN in child.to_json() else set()
        assert child.resources, key
    assert kinds == {"reads", "remote", "applies", "secrets", "unknowns"}  # every part of the graph made the trip


def test_each_resource_reaches_on_register_while_the_program_still_runs(tmp_path: Path) -> None:
    """The overlap the warm checkov relies on (preflight/checkov_stream.py): a registration is handed over at
    once, not with the graph at the end."""
    body = """
import time
import pulumi_aws as aws
def later(arn):
    time.sleep(2)  # once plain_queue has registered (its arn is known)
    aws.sqs.Queue("late_queue")
    return arn
aws.sqs.Queue("plain_queue").arn.apply(later)
"""
    seen: list[tuple[str, float]] = []
    load_graph(
        write_program(tmp_path / "p", body), "dev", on_register=lambda n: seen.append((n.name, time.monotonic()))
    )
    done = time.monotonic()
    first = dict(seen)
    assert set(first) >= {"plain_queue", "late_queue"} and done - first["plain_queue"] >= 1.5


def test_what_on_register_raises_is_raised_by_the_gate(tmp_path: Path) -> None:
    def refuse(node: Any) -> None:
        raise ValueError(f"refused {node.name}")

    with pytest.raises(ValueError, match=r"^refused "):
        load_graph(write_program(tmp_path / "p", QUEUE), "dev", on_register=refuse)
