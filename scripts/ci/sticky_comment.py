"""Create or update ONE pull-request comment per key (a hidden marker), so re-runs never pile up comments.

Usage (in a workflow step, with GH_TOKEN and GITHUB_REPOSITORY set):

    python scripts/ci/sticky_comment.py --pr 42 --key preflight-dev --body-file build/gate/dev.md
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import github_api

#: The login of comments made with a workflow's GITHUB_TOKEN: only those are ever edited.
BOT_LOGIN = "github-actions[bot]"


def marker(key: str) -> str:
    return f"<!-- sticky-comment:{key} -->"


def find_comment(repo: str, pr: int, key: str) -> int | None:
    comments = github_api.api(f"repos/{repo}/issues/{pr}/comments?per_page=100", paginate=True) or []
    for comment in comments:
        if comment.get("user", {}).get("login") == BOT_LOGIN and marker(key) in (comment.get("body") or ""):
            return int(comment["id"])
    return None


def upsert(repo: str, pr: int, key: str, body: str) -> str:
    """Update the keyed comment if it exists, else create it; return what was done."""
    text = github_api.clip(f"{marker(key)}\n{body}")
    existing = find_comment(repo, pr, key)
    if existing is None:
        github_api.api(f"repos/{repo}/issues/{pr}/comments", method="POST", fields={"body": text})
        return "created"
    github_api.api(f"repos/{repo}/issues/comments/{existing}", method="PATCH", fields={"body": text})
    return "updated"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pr", type=int, required=True, help="pull request number")
    parser.add_argument("--key", required=True, help="identifies the comment, e.g. preflight-dev")
    parser.add_argument("--body-file", type=Path, required=True, help="markdown to post")
    args = parser.parse_args(argv)
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,63}", args.key):
        parser.error("--key: lowercase letters, digits and '-' only")
    try:
        body = args.body_file.read_text(encoding="utf-8")
        done = upsert(github_api.repository(), args.pr, args.key, body)
    except (OSError, github_api.GitHubError) as exc:
        print(f"sticky_comment: {exc}", file=sys.stderr)
        return 1
    print(f"sticky_comment: {done} comment {args.key} on #{args.pr}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
