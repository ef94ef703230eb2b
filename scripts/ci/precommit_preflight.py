"""pre-commit hook: run the offline gate on the stacks a commit touches.

A changed `Pulumi.<stack>.yaml` checks that stack; a change to the program itself (`__main__.py`,
`Pulumi.yaml`, `components/`, `functions/`, `policies/`) checks every stack. Exit status is the
worst of the gate's (0 pass, 1 violations, 2 usage or config error).
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

STACK_FILE = re.compile(r"^Pulumi\.(?P<stack>[A-Za-z0-9_.-]+)\.ya?ml$")
PROGRAM_PATHS = ("__main__.py", "Pulumi.yaml", "components/", "functions/", "policies/")


def all_stacks(root: Path) -> list[str]:
    return sorted(m["stack"] for p in root.glob("Pulumi.*.y*ml") if (m := STACK_FILE.match(p.name)))


def stacks_to_check(changed: Iterable[str], root: Path) -> list[str]:
    stacks: set[str] = set()
    for name in changed:
        path = name.replace("\\", "/")
        if (match := STACK_FILE.match(path)) is not None:
            stacks.add(match["stack"])
        elif path.startswith(PROGRAM_PATHS):
            return all_stacks(root)
    return sorted(s for s in stacks if s in all_stacks(root))


def main(argv: Sequence[str] | None = None) -> int:
    changed = list(sys.argv[1:] if argv is None else argv)
    status = 0
    for stack in stacks_to_check(changed, Path.cwd()):
        result = subprocess.run([sys.executable, "-m", "preflight", "check", "--stack", stack], check=False)
        status = max(status, result.returncode)
    return status


if __name__ == "__main__":
    sys.exit(main())
