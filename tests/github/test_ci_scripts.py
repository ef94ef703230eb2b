"""The CI scripts' logic, with `gh` and the gate replaced by fakes (no network, no GitHub)."""

from __future__ import annotations

import importlib
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from preflight import program_inputs

SCRIPTS = Path(__file__).resolve().parents[2] / "scripts" / "ci"
sys.path.insert(0, str(SCRIPTS))

github_api = importlib.import_module("github_api")
sticky_comment = importlib.import_module("sticky_comment")
drift_issue = importlib.import_module("drift_issue")
preflight_gate = importlib.import_module("preflight_gate")
precommit_preflight = importlib.import_module("precommit_preflight")
stack_summary = importlib.import_module("stack_summary")


class FakeGitHub:
    """Records calls; answers GETs from a table keyed by path prefix."""

    def __init__(self, answers: dict[str, Any]) -> None:
        self.answers = answers
        self.calls: list[tuple[str, str, dict[str, str] | None]] = []

    def __call__(
        self, path: str, *, method: str = "GET", fields: dict[str, str] | None = None, paginate: bool = False
    ) -> Any:
        self.calls.append((method, path, fields))
        if method == "GET":
            for prefix, answer in self.answers.items():
                if path.startswith(prefix):
                    if isinstance(answer, Exception):
                        raise answer
                    return answer
            return []
        return {"number": 7}

    def writes(self) -> list[tuple[str, str, dict[str, str] | None]]:
        return [c for c in self.calls if c[0] != "GET"]


@pytest.fixture
def repo(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("GITHUB_REPOSITORY", "o/r")
    return "o/r"


def test_sticky_comment_creates_then_updates_only_its_own(monkeypatch: pytest.MonkeyPatch, repo: str) -> None:
    human = {"id": 1, "user": {"login": "alice"}, "body": sticky_comment.marker("preflight-dev")}
    other = {"id": 2, "user": {"login": "github-actions[bot]"}, "body": sticky_comment.marker("preflight-prod")}
    fake = FakeGitHub({"repos/o/r/issues/5/comments": [human, other]})
    monkeypatch.setattr(github_api, "api", fake)
    assert sticky_comment.upsert(repo, 5, "preflight-dev", "report") == "created"
    ((method, path, fields),) = fake.writes()
    assert (method, path) == ("POST", "repos/o/r/issues/5/comments")
    assert fields is not None and fields["body"].startswith("<!-- sticky-comment:preflight-dev -->")

    mine = {"id": 3, "user": {"login": "github-actions[bot]"}, "body": sticky_comment.marker("preflight-dev") + "\nold"}
    fake = FakeGitHub({"repos/o/r/issues/5/comments": [human, other, mine]})
    monkeypatch.setattr(github_api, "api", fake)
    assert sticky_comment.upsert(repo, 5, "preflight-dev", "new") == "updated"
    assert [(m, p) for m, p, _ in fake.writes()] == [("PATCH", "repos/o/r/issues/comments/3")]


def test_long_bodies_are_clipped_to_what_github_accepts() -> None:
    assert len(github_api.clip("x" * 100_000)) < github_api.MAX_BODY


def test_drift_failure_opens_one_issue_then_comments(monkeypatch: pytest.MonkeyPatch, repo: str) -> None:
    fake = FakeGitHub({"repos/o/r/labels/drift": {"name": "drift"}, "repos/o/r/issues?": []})
    monkeypatch.setattr(github_api, "api", fake)
    assert drift_issue.main(["--stack", "prod", "--outcome", "failure"]) == 1
    ((method, path, fields),) = fake.writes()
    assert (method, path) == ("POST", "repos/o/r/issues")
    assert fields is not None and fields["title"] == "Drift detected in stack prod" and fields["labels[]"] == "drift"

    open_issue = {"number": 9, "title": "Drift detected in stack prod"}
    fake = FakeGitHub({"repos/o/r/labels/drift": {"name": "drift"}, "repos/o/r/issues?": [open_issue]})
    monkeypatch.setattr(github_api, "api", fake)
    assert drift_issue.main(["--stack", "prod", "--outcome", "failure"]) == 1
    assert [(m, p) for m, p, _ in fake.writes()] == [("POST", "repos/o/r/issues/9/comments")]


def test_drift_success_closes_the_open_issue(monkeypatch: pytest.MonkeyPatch, repo: str) -> None:
    others = [
        {"number": 3, "title": "Drift detected in stack dev"},
        {"number": 9, "title": "Drift detected in stack prod"},
    ]
    fake = FakeGitHub({"repos/o/r/issues?": others})
    monkeypatch.setattr(github_api, "api", fake)
    assert drift_issue.main(["--stack", "prod", "--outcome", "success"]) == 0
    assert [(m, p) for m, p, _ in fake.writes()] == [
        ("POST", "repos/o/r/issues/9/comments"),
        ("PATCH", "repos/o/r/issues/9"),
    ]


def test_drift_label_is_created_when_missing(monkeypatch: pytest.MonkeyPatch, repo: str) -> None:
    fake = FakeGitHub({"repos/o/r/labels/drift": github_api.GitHubError("404"), "repos/o/r/issues?": []})
    monkeypatch.setattr(github_api, "api", fake)
    drift_issue.main(["--stack", "dev", "--outcome", "failure"])
    assert [(m, p) for m, p, _ in fake.writes()] == [("POST", "repos/o/r/labels"), ("POST", "repos/o/r/issues")]


class FakePreflight:
    """Stands in for `python -m preflight`: records each call and writes what the real one would."""

    def __init__(self, gate_code: int, plan_code: int = 0) -> None:
        self.gate_code, self.plan_code = gate_code, plan_code
        self.calls: list[tuple[str, ...]] = []

    def __call__(self, *args: str) -> subprocess.CompletedProcess[str]:
        self.calls.append(args)
        if args[0] == "plan":
            if self.plan_code == 0:
                Path(args[args.index("--output") + 1]).write_text("{}", encoding="utf-8")
            return subprocess.CompletedProcess([], self.plan_code, "", "preflight: error: base failed\n")
        if self.gate_code in (0, 1):
            out = Path(args[args.index("--output-dir") + 1])
            out.mkdir(parents=True, exist_ok=True)
            (out / "report.md").write_text("markdown report", encoding="utf-8")
            (out / "report.sarif").write_text("{}", encoding="utf-8")
        err = "preflight: error: bad config\n" if self.gate_code >= 2 else ""
        return subprocess.CompletedProcess([], self.gate_code, "verdict\n", err)


@pytest.mark.parametrize(("code", "status"), [(0, 0), (1, 1), (2, 2), (7, 2)])
def test_gate_records_status_and_never_fails_before_reporting(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, code: int, status: int
) -> None:
    outputs = tmp_path / "github_output"
    monkeypatch.setenv("GITHUB_OUTPUT", str(outputs))
    fake = FakePreflight(code)
    monkeypatch.setattr(preflight_gate, "preflight", fake)
    assert preflight_gate.main(["run", "--stack", "dev", "--out-dir", str(tmp_path / "gate")]) == 0
    assert [call[0] for call in fake.calls] == ["check"]  # one gate run writes every format
    recorded = dict(line.split("=", 1) for line in outputs.read_text(encoding="utf-8").splitlines())
    assert recorded["status"] == str(status)
    assert Path(recorded["report"]).is_file()
    assert bool(recorded["sarif"]) == (code in (0, 1))
    monkeypatch.setenv("GATE_STATUS", recorded["status"])
    assert preflight_gate.main(["verdict", "--stack", "dev"]) == status


@pytest.mark.parametrize(("plan_code", "diffed"), [(0, True), (2, False)])
def test_gate_diffs_against_the_base_branch_when_it_synthesises(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, plan_code: int, diffed: bool
) -> None:
    monkeypatch.setenv("GITHUB_OUTPUT", str(tmp_path / "github_output"))
    base = tmp_path / "base"
    base.mkdir()
    (base / "Pulumi.yaml").write_text("name: x\nruntime: python\n", encoding="utf-8")
    fake = FakePreflight(0, plan_code)
    monkeypatch.setattr(preflight_gate, "preflight", fake)
    args = ["run", "--stack", "prod", "--out-dir", str(tmp_path / "gate"), "--base-program", str(base)]
    assert preflight_gate.main(args) == 0
    plan, gate = fake.calls
    assert plan[:3] == ("plan", "--program", str(base)) and "prod" in plan
    assert ("--base-graph" in gate) is diffed


def test_precommit_checks_the_stacks_a_change_touches(tmp_path: Path) -> None:
    for stack in ("dev", "prod"):
        (tmp_path / f"Pulumi.{stack}.yaml").write_text("config: {}\n", encoding="utf-8")
    assert precommit_preflight.stacks_to_check(["Pulumi.prod.yaml", "README.md"], tmp_path) == ["prod"]
    assert precommit_preflight.stacks_to_check(["components/agent.py"], tmp_path) == ["dev", "prod"]
    assert precommit_preflight.stacks_to_check(["docs/x.md", "Pulumi.gone.yaml"], tmp_path) == []


def _project(root: Path, project: str, stacks: dict[str, str]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / project[0]).write_text(project[1], encoding="utf-8")
    for name, text in stacks.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


def test_precommit_finds_stack_files_where_the_cli_reads_them(tmp_path: Path) -> None:
    """preflight.stackconfig.stack_file decides: a project's `stackConfigDir`, a `Pulumi.yml` project's `.yml`."""
    in_dir = _project(
        tmp_path / "a",
        ("Pulumi.yaml", "name: a\nruntime: python\nstackConfigDir: stacks\n"),
        {"stacks/Pulumi.dev.yaml": "config: {}\n", "stacks/Pulumi.prod.yaml": "config: {}\n", "Pulumi.old.yaml": ""},
    )
    assert precommit_preflight.all_stacks(in_dir) == ["dev", "prod"]
    assert precommit_preflight.stacks_to_check(["stacks/Pulumi.prod.yaml"], in_dir) == ["prod"]
    assert precommit_preflight.stacks_to_check(["Pulumi.old.yaml", "Pulumi.prod.yaml"], in_dir) == []
    yml = _project(tmp_path / "b", ("Pulumi.yml", "name: b\nruntime: python\n"), {"Pulumi.dev.yml": "config: {}\n"})
    assert precommit_preflight.all_stacks(yml) == ["dev"]
    assert precommit_preflight.stacks_to_check(["Pulumi.dev.yml"], yml) == ["dev"]
    assert precommit_preflight.stacks_to_check(["Pulumi.yml"], yml) == ["dev"]


def test_precommit_checks_every_stack_when_a_shared_verdict_input_changes(tmp_path: Path) -> None:
    root = _project(
        tmp_path, ("Pulumi.yaml", "name: a\nruntime: python\n"), {"Pulumi.dev.yaml": "", "Pulumi.prod.yaml": ""}
    )
    for changed in (".checkov.yaml", "policies/suppressions.yaml", "policies/checkov/own.yaml"):
        assert precommit_preflight.stacks_to_check([changed], root) == ["dev", "prod"], changed
    assert precommit_preflight.stacks_to_check(["README.md", "docs/x.md"], root) == []


ROOT = Path(__file__).resolve().parents[2]


def _hook_pattern(config: str, hook_id: str) -> str:
    data = yaml.safe_load((ROOT / config).read_text(encoding="utf-8"))
    hooks = data if isinstance(data, list) else [h for repo in data["repos"] for h in repo["hooks"]]
    return str(next(h for h in hooks if h["id"] == hook_id)["files"])


@pytest.mark.parametrize(
    ("config", "hook_id", "prefix"),
    [
        (".pre-commit-hooks.yaml", "preflight", ""),
        (".pre-commit-hooks.yaml", "preflight", "infra/"),
        (".pre-commit-config.yaml", "preflight-changed-stacks", ""),
    ],
)
def test_precommit_hooks_trigger_on_every_verdict_input(tmp_path: Path, config: str, hook_id: str, prefix: str) -> None:
    """pre-commit matches `files` with re.search on the repository-relative path: every file
    preflight.program_inputs.input_paths lists (and the program's Python) must trigger the hook, docs must not."""
    pattern = re.compile(_hook_pattern(config, hook_id))
    root = _project(
        tmp_path,
        ("Pulumi.yaml", "name: a\nruntime: python\nstackConfigDir: stacks\n"),
        {"policies/checkov/own_check.yaml": ""},
    )
    names = [p.relative_to(root).as_posix() for p in program_inputs.input_paths(root, "dev")]
    assert {"stacks/Pulumi.dev.yaml", ".checkov.yaml", "policies/suppressions.yaml"} <= set(names)
    assert {"policies/config/dev.json", "policies/checkov/own_check.yaml"} <= set(names)
    missed = [n for n in [*names, "__main__.py", "Pulumi.dev.yml"] if not pattern.search(prefix + n)]
    assert missed == []
    assert [n for n in ("README.md", "docs/aws-facts.md") if pattern.search(prefix + n)] == []


def test_stack_summary_renders_a_table() -> None:
    text = stack_summary.render("prod", {"url": "https://x|y", "secret": "[secret]"}, "0123456789abcdef")
    assert "| `url` | `https://x\\|y` |" in text and "`0123456789ab`" in text
    assert "_No stack outputs._" in stack_summary.render("dev", {}, "")
