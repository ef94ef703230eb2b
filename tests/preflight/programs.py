"""Small Pulumi programs written into a temporary directory, for engine and gate tests."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import yaml


def write_program(
    root: Path,
    main: str,
    *,
    name: str = "sample",
    stack: str = "dev",
    config: dict[str, object] | None = None,
    files: dict[str, str] | None = None,
) -> Path:
    """Write Pulumi.yaml, Pulumi.<stack>.yaml, __main__.py (and extra files) under `root`."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "Pulumi.yaml").write_text(f"name: {name}\nruntime: python\n", encoding="utf-8")
    stack_config = {"aws:region": "us-east-1", **(config or {})}
    (root / f"Pulumi.{stack}.yaml").write_text(yaml.safe_dump({"config": stack_config}), encoding="utf-8")
    (root / "__main__.py").write_text(textwrap.dedent(main), encoding="utf-8")
    for relative, text in (files or {}).items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


#: The repository root: the gate's CLI runs from here, as `make preflight` runs it.
REPO_ROOT = Path(__file__).resolve().parents[2]


def run_gate_cli(program: Path, stack: str, output_dir: Path) -> subprocess.CompletedProcess[str]:
    """`python -m preflight check` on `program` in a fresh process, without checkov, as a user runs it."""
    command = [sys.executable, "-m", "preflight", "check", "--program", str(program), "--stack", stack]
    command += ["--output-dir", str(output_dir), "--no-checkov"]
    return subprocess.run(command, capture_output=True, text=True, check=False, cwd=REPO_ROOT)
