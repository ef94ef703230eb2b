"""pre-commit hook: run the offline gate on the stacks a commit touches.

A changed stack file (`Pulumi.<stack>.yaml`, or `.yml` after a `Pulumi.yml`, in the project's `stackConfigDir`
when it sets one) or a stack's own policy config (`policies/config/<stack>.json`,
`policies/config/<stack>.stack-references.json`) checks that stack; a change to the program itself
(`__main__.py`, the project file, `components/`, `functions/`, `policies/`) or to any other file the gate's verdict
reads (`.checkov.yaml`: preflight.program_inputs.input_paths lists them all) checks every stack. Exit status is the
worst of the gate's (0 pass, 1 violations, 2 usage or config error).
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from preflight.program_inputs import input_paths  # noqa: E402
from preflight.stackconfig import PROJECT_FILES, stack_names  # noqa: E402

STACK_NAME = re.compile(r"[A-Za-z0-9_.-]+")
PROGRAM_PATHS = ("__main__.py", *PROJECT_FILES, "components/", "functions/", "policies/")


def all_stacks(root: Path) -> list[str]:
    """The stacks whose stack file is where the CLI reads it: in `stackConfigDir`, with the project file's extension."""
    return [s for s in stack_names(root) if STACK_NAME.fullmatch(s)]


def stacks_to_check(changed: Iterable[str], root: Path) -> list[str]:
    stacks = all_stacks(root)
    inputs = {stack: {p.resolve() for p in input_paths(root, stack)} for stack in stacks}
    touched: set[str] = set()
    for name in changed:
        path = name.replace("\\", "/")
        if path.startswith(PROGRAM_PATHS):
            return stacks
        where = (root / path).resolve()
        touched |= {stack for stack in stacks if where in inputs[stack]}
    return sorted(touched)


def main(argv: Sequence[str] | None = None) -> int:
    changed = list(sys.argv[1:] if argv is None else argv)
    status = 0
    for stack in stacks_to_check(changed, Path.cwd()):
        result = subprocess.run([sys.executable, "-m", "preflight", "check", "--stack", stack], check=False)
        status = max(status, result.returncode)
    return status


if __name__ == "__main__":
    sys.exit(main())
