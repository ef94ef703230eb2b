"""Run the offline policy gate for one stack in CI: a markdown report for the PR and SARIF for code scanning.

`run` always exits 0 so the report steps that follow can publish what was found; it records the gate's
exit status (0 pass, 1 mandatory violations, 2 usage or config error) as the step output `status`.
`verdict` then fails the job with that status.

    python scripts/ci/preflight_gate.py run --stack dev --out-dir build/gate [--base-program base]
    GATE_STATUS=1 python scripts/ci/preflight_gate.py verdict --stack dev
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

EXIT_OK, EXIT_VIOLATIONS, EXIT_USAGE = 0, 1, 2
VERDICTS = {
    EXIT_OK: "passed",
    EXIT_VIOLATIONS: "failed: mandatory policy violations (see the PR comment or code scanning)",
    EXIT_USAGE: "could not run: usage or configuration error (see the log)",
}


def preflight(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "preflight", *args], capture_output=True, text=True, check=False)


def base_graph(stack: str, base_program: Path | None, out_dir: Path) -> Path | None:
    """The base branch's graph of `stack`, for the report's added/changed/removed and cost change.

    The base branch is synthesised by this branch's engine; when it cannot be (no checkout, or its
    program fails), the report simply has no diff: the gate's verdict never depends on it.
    """
    if base_program is None or not (base_program / "Pulumi.yaml").is_file():
        return None
    target = out_dir / f"{stack}-base-graph.json"
    result = preflight(
        "plan", "--program", str(base_program), "--stack", stack, "--format", "json", "--output", str(target)
    )
    if result.returncode != 0:
        reason = (result.stderr.strip().splitlines() or ["no output"])[-1]
        sys.stderr.write(f"base branch graph unavailable, the report has no diff: {reason}\n")
        return None
    return target


def write_outputs(values: dict[str, str]) -> None:
    target = os.environ.get("GITHUB_OUTPUT")
    lines = "".join(f"{key}={value}\n" for key, value in values.items())
    if target:
        with Path(target).open("a", encoding="utf-8") as handle:
            handle.write(lines)
    else:
        sys.stdout.write(lines)


def run(stack: str, out_dir: Path, base_program: Path | None = None) -> int:
    out_dir.mkdir(parents=True, exist_ok=True)
    reports = out_dir / stack
    base = base_graph(stack, base_program, out_dir)
    # One gate run writes every format (report.md for the comment, report.sarif for code scanning).
    args = ["check", "--stack", stack, "--output-dir", str(reports), "--format", "text"]
    if base is not None:
        args += ["--base-graph", str(base)]
    gate = preflight(*args)
    sys.stdout.write(gate.stdout)
    sys.stderr.write(gate.stderr)
    markdown, sarif = reports / "report.md", reports / "report.sarif"
    status = gate.returncode if gate.returncode in VERDICTS else EXIT_USAGE
    if not markdown.is_file():
        # The gate stopped before reporting: the sticky comment still says so, with its one-line reason.
        reason = (gate.stderr.strip().splitlines() or ["no output"])[-1]
        reports.mkdir(parents=True, exist_ok=True)
        markdown.write_text(
            f"### preflight `{stack}`: {VERDICTS[EXIT_USAGE]}\n\n```\n{reason}\n```\n", encoding="utf-8"
        )
    write_outputs(
        {
            "status": str(status),
            "report": str(markdown),
            "sarif": str(sarif) if sarif.is_file() else "",
        }
    )
    print(f"preflight {stack}: {VERDICTS[status]}")
    return 0


def verdict(stack: str) -> int:
    raw = os.environ.get("GATE_STATUS", "")
    status = int(raw) if raw.isdigit() else EXIT_USAGE
    print(f"preflight {stack}: {VERDICTS.get(status, VERDICTS[EXIT_USAGE])}")
    return status


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=("run", "verdict"))
    parser.add_argument("--stack", required=True)
    parser.add_argument("--out-dir", type=Path, default=Path("build/gate"))
    parser.add_argument("--base-program", type=Path, help="checkout of the base branch, for the report's diff")
    args = parser.parse_args(argv)
    return run(args.stack, args.out_dir, args.base_program) if args.action == "run" else verdict(args.stack)


if __name__ == "__main__":
    sys.exit(main())
