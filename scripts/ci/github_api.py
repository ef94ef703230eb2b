"""The few GitHub REST calls the CI scripts make, through the `gh` CLI that GitHub's runners ship.

`gh` reads its token from GH_TOKEN; each workflow step passes the job's GITHUB_TOKEN there, and the
job's `permissions:` decide what the calls may do.
"""

from __future__ import annotations

import json
import os
import subprocess
from typing import Any

#: GitHub rejects comment and issue bodies longer than this (characters).
MAX_BODY = 65_536


class GitHubError(RuntimeError):
    """A `gh api` call failed; the message is gh's own."""


def repository() -> str:
    repo = os.environ.get("GITHUB_REPOSITORY", "")
    if "/" not in repo:
        raise GitHubError("GITHUB_REPOSITORY is not set (owner/name)")
    return repo


def api(path: str, *, method: str = "GET", fields: dict[str, str] | None = None, paginate: bool = False) -> Any:
    """Call `gh api`; string fields are sent as JSON body fields (`-f`), never through a shell."""
    command = ["gh", "api", "--method", method, path]
    if paginate:
        command += ["--paginate", "--slurp"]
    for key, value in (fields or {}).items():
        command += ["-f", f"{key}={value}"]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise GitHubError(f"gh api {method} {path}: {result.stderr.strip() or result.stdout.strip()}")
    if not result.stdout.strip():
        return None
    data = json.loads(result.stdout)
    if paginate:
        return [item for page in data for item in page]
    return data


def clip(body: str, limit: int = MAX_BODY - 200) -> str:
    """A body GitHub accepts: cut at `limit` characters with a note when longer."""
    if len(body) <= limit:
        return body
    return body[:limit] + "\n\n_(truncated: the full report is in the workflow run's artifacts and log)_\n"
