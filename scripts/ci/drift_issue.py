"""Keep ONE open issue per stack while its nightly drift check fails; close it when the stack is clean again.

Usage (with GH_TOKEN, GITHUB_REPOSITORY and the run's URL parts set by GitHub):

    python scripts/ci/drift_issue.py --stack prod --outcome failure   # opens or comments; exits 1
    python scripts/ci/drift_issue.py --stack prod --outcome success   # closes an open one; exits 0
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import UTC, datetime

import github_api

LABEL = "drift"


def title(stack: str) -> str:
    return f"Drift detected in stack {stack}"


def run_url() -> str:
    server = os.environ.get("GITHUB_SERVER_URL", "https://github.com")
    repo = os.environ.get("GITHUB_REPOSITORY", "")
    run_id = os.environ.get("GITHUB_RUN_ID", "")
    return f"{server}/{repo}/actions/runs/{run_id}" if repo and run_id else "(run URL unavailable)"


def find_issue(repo: str, stack: str) -> int | None:
    issues = github_api.api(f"repos/{repo}/issues?state=open&labels={LABEL}&per_page=100", paginate=True) or []
    for issue in issues:
        if issue.get("title") == title(stack) and "pull_request" not in issue:
            return int(issue["number"])
    return None


def ensure_label(repo: str) -> None:
    """Create the label once; the issue search filters on it, so it must not be silently dropped."""
    try:
        github_api.api(f"repos/{repo}/labels/{LABEL}")
    except github_api.GitHubError:
        fields = {"name": LABEL, "color": "d93f0b", "description": "Nightly drift check failed"}
        github_api.api(f"repos/{repo}/labels", method="POST", fields=fields)


def report_failure(repo: str, stack: str, now: str) -> str:
    body = (
        f"`pulumi preview --refresh --expect-no-changes` of stack **{stack}** failed at {now}.\n\n"
        f"Either the cloud no longer matches the last deploy (drift), or the preview itself failed; the "
        f"run log says which: {run_url()}\n\n"
        "What to do: docs/operations/drift.md."
    )
    ensure_label(repo)
    number = find_issue(repo, stack)
    if number is None:
        created = github_api.api(
            f"repos/{repo}/issues", method="POST", fields={"title": title(stack), "body": body, "labels[]": LABEL}
        )
        return f"opened #{created['number']}"
    github_api.api(f"repos/{repo}/issues/{number}/comments", method="POST", fields={"body": f"Still failing: {body}"})
    return f"updated #{number}"


def report_success(repo: str, stack: str, now: str) -> str:
    number = find_issue(repo, stack)
    if number is None:
        return "no open drift issue"
    body = f"Stack **{stack}** matches its state again as of {now} ({run_url()}); closing."
    github_api.api(f"repos/{repo}/issues/{number}/comments", method="POST", fields={"body": body})
    github_api.api(f"repos/{repo}/issues/{number}", method="PATCH", fields={"state": "closed"})
    return f"closed #{number}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stack", required=True)
    parser.add_argument("--outcome", required=True, choices=("success", "failure"))
    args = parser.parse_args(argv)
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    try:
        repo = github_api.repository()
        done = (
            report_failure(repo, args.stack, now)
            if args.outcome == "failure"
            else report_success(repo, args.stack, now)
        )
    except github_api.GitHubError as exc:
        print(f"drift_issue: {exc}", file=sys.stderr)
        return 1
    print(f"drift_issue: stack {args.stack}: {done}")
    return 1 if args.outcome == "failure" else 0


if __name__ == "__main__":
    sys.exit(main())
