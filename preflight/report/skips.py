"""One line per checkov skip, the same in every report: the check, where it was written, until when, why."""

from __future__ import annotations

from collections.abc import Mapping


def skip_where(skip: Mapping[str, str]) -> str:
    """`.checkov.yaml:12, until 2026-12-31` (the file and line the skip came from, and its expiry)."""
    until = f"until {skip['expires']}" if skip.get("expires") else ""
    return ", ".join(p for p in (skip.get("origin", ""), until) if p) or "origin unknown"


def skip_reason(skip: Mapping[str, str]) -> str:
    """The reason, and `[refused: why]` when the gate did not honour the skip."""
    status = skip.get("status", "honoured")
    refused = f" [{status}]" if status.startswith("refused") else ""
    return f"{skip.get('reason', '') or '(no reason)'}{refused}"


def skip_line(skip: Mapping[str, str]) -> str:
    """`CKV_AWS_20 (.checkov.yaml:12, until 2026-12-31): reason` plus `[refused: why]` when not honoured."""
    return f"{skip.get('check_id', '')} ({skip_where(skip)}): {skip_reason(skip)}"
