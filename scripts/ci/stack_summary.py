"""Write a stack's outputs to the job summary as a table (secrets stay `[secret]`, as the CLI shows them).

Run after `pulumi/actions` (which puts the CLI on PATH and logs in):

    python scripts/ci/stack_summary.py --stack prod
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

MAX_CELL = 300


def cell(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
    text = text.replace("|", "\\|").replace("\n", " ")
    return f"`{text[:MAX_CELL]}`" + (" …" if len(text) > MAX_CELL else "")


def render(stack: str, outputs: dict[str, Any], sha: str) -> str:
    lines = [f"### Stack `{stack}` deployed", "", f"Commit `{sha[:12]}`." if sha else "", ""]
    if not outputs:
        lines.append("_No stack outputs._")
    else:
        lines += ["| Output | Value |", "| --- | --- |"]
        lines += [f"| `{key}` | {cell(outputs[key])} |" for key in sorted(outputs)]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stack", required=True)
    args = parser.parse_args(argv)
    result = subprocess.run(
        ["pulumi", "stack", "output", "--json", "--stack", args.stack, "--non-interactive"],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        print(f"stack_summary: pulumi stack output failed: {result.stderr.strip()}", file=sys.stderr)
        return 1
    markdown = render(args.stack, json.loads(result.stdout or "{}"), os.environ.get("GITHUB_SHA", ""))
    target = os.environ.get("GITHUB_STEP_SUMMARY")
    if target:
        with Path(target).open("a", encoding="utf-8") as handle:
            handle.write(markdown)
    else:
        sys.stdout.write(markdown)
    return 0


if __name__ == "__main__":
    sys.exit(main())
