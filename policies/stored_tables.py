"""How a table derived from an installed package is stored or printed: one stable form that tests compare with.

The pack's own tables (`policies/sdk_inputs.json`, `policies/managed_model_access.json`) and the gate's
(`preflight.derived_tables`) are written here; the pack imports nothing from preflight/, so the one writer lives
on the pack's side.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any


def emit(data: Mapping[str, Any], table_file: Path, *, write: bool, indent: int) -> None:
    """Store a derived table (`--write`) or print it, sorted, with a final newline."""
    text = json.dumps(data, indent=indent, sort_keys=True) + "\n"
    if write:
        table_file.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
