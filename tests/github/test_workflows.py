"""Structure of the GitHub workflows: least privilege, pinned actions, forks kept away from credentials."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
SHA_PIN = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")
VERSION_COMMENT = re.compile(r"uses:\s*\S+@[0-9a-f]{40} # v\d+\.\d+\.\d+\s*$")
SAME_REPO = "github.event.pull_request.head.repo.full_name == github.repository"
WRITE_SCOPES_ALLOWED = {"pull-requests", "security-events", "id-token", "issues"}


def load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    # PyYAML reads the bare key `on` as the boolean True.
    if True in data:
        data["on"] = data.pop(True)
    return data


def workflow(name: str) -> dict[str, Any]:
    return load(ROOT / ".github" / "workflows" / name)


def all_jobs() -> list[tuple[str, str, dict[str, Any]]]:
    return [(p.name, job_id, job) for p in WORKFLOWS for job_id, job in load(p)["jobs"].items()]


def all_steps() -> list[tuple[str, str, dict[str, Any]]]:
    return [(wf, job_id, step) for wf, job_id, job in all_jobs() for step in job.get("steps", [])]


def pulumi_steps(wf: str) -> list[dict[str, Any]]:
    return [s for w, _, s in all_steps() if w == wf and s.get("uses", "").startswith("pulumi/actions@")]


def test_the_five_workflows_exist() -> None:
    assert {p.name for p in WORKFLOWS} == {
        "pull-request.yml",
        "deploy.yml",
        "drift.yml",
        "policy-pack.yml",
        "model-release.yml",
    }


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_no_permissions_by_default_and_no_pull_request_target(path: Path) -> None:
    data = load(path)
    assert data["permissions"] == {}
    triggers = data["on"] if isinstance(data["on"], dict) else dict.fromkeys(data["on"])
    assert "pull_request_target" not in triggers and "workflow_run" not in triggers


@pytest.mark.parametrize(("wf", "job_id", "job"), all_jobs(), ids=lambda v: v if isinstance(v, str) else "")
def test_every_job_has_a_timeout_and_explicit_least_permissions(wf: str, job_id: str, job: dict[str, Any]) -> None:
    assert isinstance(job.get("timeout-minutes"), int) and job["timeout-minutes"] <= 60
    permissions = job["permissions"]
    assert isinstance(permissions, dict), f"{wf}:{job_id}: permissions must be a mapping"
    assert permissions.get("contents") == "read"
    for scope, level in permissions.items():
        assert level in {"read", "write"}
        if level == "write":
            assert scope in WRITE_SCOPES_ALLOWED, f"{wf}:{job_id}: {scope}: write"


def test_job_permissions_are_what_each_job_needs() -> None:
    pr = workflow("pull-request.yml")["jobs"]
    assert pr["test"]["permissions"] == {"contents": "read"}
    assert pr["gate"]["permissions"] == {"contents": "read", "pull-requests": "write", "security-events": "write"}
    assert pr["preview"]["permissions"] == {"contents": "read", "id-token": "write", "pull-requests": "write"}
    deploy = workflow("deploy.yml")["jobs"]
    for job in deploy.values():
        assert job["permissions"] == {"contents": "read", "id-token": "write"}
    drift = workflow("drift.yml")["jobs"]["drift"]
    assert drift["permissions"] == {"contents": "read", "id-token": "write", "issues": "write"}
    assert workflow("policy-pack.yml")["jobs"]["policies"]["permissions"] == {"contents": "read"}
    assert workflow("model-release.yml")["jobs"]["release"]["permissions"] == {"contents": "read", "id-token": "write"}


def test_only_jobs_that_assume_a_role_get_an_oidc_token() -> None:
    for wf, job_id, job in all_jobs():
        assumes = any(s.get("uses", "").startswith("aws-actions/configure-aws-credentials@") for s in job["steps"])
        assert (job["permissions"].get("id-token") == "write") == assumes, f"{wf}:{job_id}"


@pytest.mark.parametrize(("wf", "job_id", "step"), all_steps(), ids=lambda v: v if isinstance(v, str) else "")
def test_every_action_is_pinned_to_a_full_commit_sha(wf: str, job_id: str, step: dict[str, Any]) -> None:
    if "uses" in step:
        assert SHA_PIN.match(step["uses"]), f"{wf}:{job_id}: {step['uses']}"


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_every_pin_names_its_version(path: Path) -> None:
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip().startswith(("uses:", "- uses:")):
            assert VERSION_COMMENT.search(line), line


@pytest.mark.parametrize(("wf", "job_id", "step"), all_steps(), ids=lambda v: v if isinstance(v, str) else "")
def test_checkout_never_persists_credentials(wf: str, job_id: str, step: dict[str, Any]) -> None:
    if step.get("uses", "").startswith("actions/checkout@"):
        assert step["with"]["persist-credentials"] is False


@pytest.mark.parametrize(("wf", "job_id", "step"), all_steps(), ids=lambda v: v if isinstance(v, str) else "")
def test_no_expression_is_interpolated_into_a_shell(wf: str, job_id: str, step: dict[str, Any]) -> None:
    # Untrusted values reach scripts through `env:`; `run:` carries no `${{ }}` at all.
    if "run" in step:
        assert "${{" not in step["run"], f"{wf}:{job_id}: {step['run']}"


def test_forked_pull_requests_cannot_reach_credentials() -> None:
    jobs = workflow("pull-request.yml")["jobs"]
    preview = jobs["preview"]
    assert preview["if"] == SAME_REPO
    for job_id, job in jobs.items():
        text = yaml.safe_dump(job)
        if job_id != "preview":
            assert "secrets." not in text and "id-token" not in job["permissions"], job_id
    # The sticky comment (write token) is skipped for forks too.
    (comment,) = [s for s in jobs["gate"]["steps"] if s.get("name") == "sticky PR comment"]
    assert comment["if"] == SAME_REPO


def test_the_gate_runs_per_stack_with_markdown_comment_and_sarif() -> None:
    gate = workflow("pull-request.yml")["jobs"]["gate"]
    assert gate["strategy"]["matrix"]["stack"] == ["dev", "prod"]
    runs = [s.get("run", "") for s in gate["steps"]]
    assert any("preflight_gate.py run" in r for r in runs)
    assert any("sticky_comment.py" in r and "preflight-$STACK" in r for r in runs)
    assert runs[-1].endswith('preflight_gate.py verdict --stack "$STACK"')
    uploads = [s for s in gate["steps"] if s.get("uses", "").startswith("github/codeql-action/upload-sarif@")]
    assert len(uploads) == 1 and uploads[0]["with"]["category"] == "preflight-${{ matrix.stack }}"


@pytest.mark.parametrize("wf", ["pull-request.yml", "deploy.yml", "drift.yml"])
def test_every_preview_and_up_applies_the_policy_pack(wf: str) -> None:
    steps = pulumi_steps(wf)
    assert steps
    for step in steps:
        inputs = step["with"]
        assert inputs["command"] in {"preview", "up"}
        assert inputs["policyPacks"] == "policies"
        stack = inputs["stack-name"]
        assert inputs["policyPackConfigs"] == f"policies/config/{stack}.json"


def test_preview_comments_on_the_pull_request() -> None:
    (step,) = pulumi_steps("pull-request.yml")
    assert step["with"]["comment-on-pr"] is True


def test_prod_deploys_after_dev_from_the_protected_environment() -> None:
    jobs = workflow("deploy.yml")["jobs"]
    assert workflow("deploy.yml")["on"]["push"]["branches"] == ["main"]
    assert jobs["prod"]["environment"] == "production"
    assert jobs["prod"]["needs"] == "dev"
    assert jobs["dev"]["environment"] == "dev"
    for stack in ("dev", "prod"):
        assert jobs[stack]["concurrency"] == {"group": f"pulumi-{stack}", "cancel-in-progress": False}
        (up,) = [s for s in jobs[stack]["steps"] if s.get("uses", "").startswith("pulumi/actions@")]
        assert up["with"]["command"] == "up" and up["with"]["stack-name"] == stack
        assert any(f"stack_summary.py --stack {stack}" in s.get("run", "") for s in jobs[stack]["steps"])


def test_drift_is_nightly_refresh_expect_no_changes_and_files_one_issue() -> None:
    data = workflow("drift.yml")
    assert data["on"]["schedule"]
    job = data["jobs"]["drift"]
    assert job["concurrency"]["group"] == "pulumi-${{ matrix.stack }}"
    (preview,) = [s for s in job["steps"] if s.get("uses", "").startswith("pulumi/actions@")]
    assert preview["with"]["refresh"] is True and preview["with"]["expect-no-changes"] is True
    assert preview["continue-on-error"] is True
    assert "drift_issue.py" in job["steps"][-1]["run"]
    assert job["steps"][-1]["env"]["OUTCOME"] == "${{ steps.preview.outcome }}"


def test_policy_pack_workflow_runs_pack_tests_on_policy_changes() -> None:
    data = workflow("policy-pack.yml")
    assert "policies/**" in data["on"]["pull_request"]["paths"]
    runs = [s.get("run", "") for s in data["jobs"]["policies"]["steps"]]
    assert any("pytest tests/policies" in r for r in runs)


PREVIEW_ROLE = "${{ fromJSON(vars.AWS_PREVIEW_ROLE_ARNS)[matrix.stack] }}"


def test_role_arns_come_from_variables_not_literals() -> None:
    for _, _, step in all_steps():
        if step.get("uses", "").startswith("aws-actions/configure-aws-credentials@"):
            role = step["with"]["role-to-assume"]
            assert role == PREVIEW_ROLE or re.fullmatch(r"\$\{\{ vars\.AWS_(DEPLOY|MODEL_RELEASE)_ROLE_ARN \}\}", role)
            assert "aws-access-key-id" not in step["with"]


def _bootstrap_environments() -> list[dict[str, str]]:
    stack = yaml.safe_load((ROOT / "bootstrap" / "Pulumi.shared.yaml").read_text(encoding="utf-8"))
    return list(stack["config"]["agentic-bootstrap:settings"]["environments"])


def _assumes(job: dict[str, Any]) -> list[str]:
    return [
        s["with"]["role-to-assume"]
        for s in job.get("steps", [])
        if s.get("uses", "").startswith("aws-actions/configure-aws-credentials@")
    ]


def test_pull_request_previews_assume_each_stacks_role_from_its_environment() -> None:
    """Pull-request code gets a stack's preview role (and its secrets key) only through that stack's
    GitHub environment, the one the bootstrap's preview role of the stack trusts (issue 9, section 3)."""
    preview = workflow("pull-request.yml")["jobs"]["preview"]
    assert _assumes(preview) == [PREVIEW_ROLE]
    assert preview["environment"] == "preview-${{ matrix.stack }}"
    environments = {env["stack"]: env["previewGithubEnvironment"] for env in _bootstrap_environments()}
    for stack in preview["strategy"]["matrix"]["stack"]:
        assert environments[stack] == f"preview-{stack}"
    # One environment per stack: prod's reviewers cannot be bypassed through dev's environment.
    assert len(set(environments.values())) == len(environments)


def test_drift_assumes_preview_roles_only_from_main() -> None:
    """The drift job has no environment: its OIDC subject is the ref, which the preview roles trust for
    main only, so a manual run from another branch cannot assume them."""
    data = workflow("drift.yml")
    job = data["jobs"]["drift"]
    assert "environment" not in job and _assumes(job) == [PREVIEW_ROLE]
    assert set(data["on"]) == {"schedule", "workflow_dispatch"}


def test_only_preview_and_drift_jobs_assume_preview_roles() -> None:
    for wf, job_id, job in all_jobs():
        if PREVIEW_ROLE in _assumes(job):
            assert (wf, job_id) in {("pull-request.yml", "preview"), ("drift.yml", "drift")}


def test_the_diagram_renderer_is_installed_before_the_tests() -> None:
    """Under GitHub Actions the render test fails rather than skips, so the test job installs it first."""
    runs = [s.get("run", "") for s in workflow("pull-request.yml")["jobs"]["test"]["steps"]]
    assert "make mermaid" in runs and "make test" in runs
    assert runs.index("make mermaid") < runs.index("make test")


def test_model_releases_come_from_main_in_the_stacks_release_environment_and_never_deploy() -> None:
    """The release role trusts `environment:model-release-<stack>` only (bootstrap/model_release_role.py):
    the job is bound to that environment, runs for the stacks the bootstrap gives a release role, releases
    the reviewed model file of the commit (no dispatch inputs), and runs no Pulumi command."""
    data = workflow("model-release.yml")
    assert data["on"]["push"] == {"branches": ["main"], "paths": ["models/**"]}
    assert data["on"]["workflow_dispatch"] is None  # no inputs: what is released is decided by the source
    job = data["jobs"]["release"]
    assert job["environment"] == "model-release-${{ matrix.stack }}"
    assert _assumes(job) == ["${{ vars.AWS_MODEL_RELEASE_ROLE_ARN }}"]
    releasing = {e["stack"]: e.get("modelReleaseGithubEnvironment") for e in _bootstrap_environments()}
    for stack in job["strategy"]["matrix"]["stack"]:
        assert releasing[stack] == f"model-release-{stack}"
        assert (ROOT / "models" / stack / "model.json").is_file()
    assert not any(s.get("uses", "").startswith("pulumi/actions@") for s in job["steps"])
    (run,) = [s for s in job["steps"] if "model_release.py" in s.get("run", "")]
    assert set(run["env"]) == {"STACK", "BUCKET"} and "--write-config" not in run["run"]
