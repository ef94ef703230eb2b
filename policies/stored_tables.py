"""How a table derived from an installed package is stored or printed: one stable form that tests compare with.

The pack's own tables (`policies/sdk_inputs.json`, `policies/managed_model_access.json`) and the gate's
(`preflight.derived_tables`) are written here; the pack imports nothing from preflight/, so the one writer lives
on the pack's side.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any


def emit(data: Mapping[str, Any], table_file: Path, *, write: bool, indent: int) -> None:
    """Store a derived table (`--write`) or print it, sorted, with a final newline."""
    text = json.dumps(data, indent=indent, sort_keys=True) + "\n"
    if write:
        table_file.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)


def write_command(
    prog: str,
    description: str,
    table: Callable[[], Mapping[str, Any]],
    table_file: Path,
    indent: int,
    *,
    argv: list[str] | None = None,
) -> int:
    """`python -m <prog> [--write]`: print the table derived from the installed package, or store it."""
    parser = argparse.ArgumentParser(prog=prog, description=description)
    parser.add_argument("--write", action="store_true", help=f"write {table_file.name}")
    args = parser.parse_args(argv)
    emit(table(), table_file, write=args.write, indent=indent)
    return 0
