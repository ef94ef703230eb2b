"""Run the offline policy gate for one stack in CI: a markdown report for the PR and SARIF for code scanning.

`run` always exits 0 so the report steps that follow can publish what was found; it records the gate's
exit status (0 pass, 1 mandatory violations, 2 usage or config error) as the step output `status`.
`verdict` then fails the job with that status.

    python scripts/ci/preflight_gate.py run --stack dev --out-dir build/gate
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


def check(stack: str, fmt: str, output: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "preflight", "check", "--stack", stack, "--format", fmt, "--output", str(output)]
    return subprocess.run(command, capture_output=True, text=True, check=False)


def write_outputs(values: dict[str, str]) -> None:
    target = os.environ.get("GITHUB_OUTPUT")
    lines = "".join(f"{key}={value}\n" for key, value in values.items())
    if target:
        with Path(target).open("a", encoding="utf-8") as handle:
            handle.write(lines)
    else:
        sys.stdout.write(lines)


def run(stack: str, out_dir: Path) -> int:
    out_dir.mkdir(parents=True, exist_ok=True)
    markdown, sarif = out_dir / f"{stack}.md", out_dir / f"{stack}.sarif"
    report = check(stack, "markdown", markdown)
    sys.stderr.write(report.stderr)
    scan = check(stack, "sarif", sarif)
    sys.stderr.write(scan.stderr)
    status = report.returncode if report.returncode in VERDICTS else EXIT_USAGE
    if scan.returncode == EXIT_USAGE:
        status = EXIT_USAGE
    if not markdown.is_file():
        # The gate stopped before reporting: the sticky comment still says so, with its one-line reason.
        reason = (report.stderr.strip().splitlines() or ["no output"])[-1]
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
    args = parser.parse_args(argv)
    return run(args.stack, args.out_dir) if args.action == "run" else verdict(args.stack)


if __name__ == "__main__":
    sys.exit(main())
