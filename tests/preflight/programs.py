"""Small Pulumi programs written into a temporary directory, for engine and gate tests."""

from __future__ import annotations

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
