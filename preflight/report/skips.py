"""One line per checkov skip, the same in every report: the check, where it was written, until when, why.

Their count by status is `preflight.findings.skip_count_phrase`, beside the other wording every report shares.
"""

from __future__ import annotations

from collections.abc import Mapping

from preflight.findings import is_refused_skip


def skip_where(skip: Mapping[str, str]) -> str:
    """`.checkov.yaml:12, until 2026-12-31` (the file and line the skip came from, and its expiry)."""
    until = f"until {skip['expires']}" if skip.get("expires") else ""
    return ", ".join(p for p in (skip.get("origin", ""), until) if p) or "origin unknown"


def skip_reason(skip: Mapping[str, str]) -> str:
    """The reason, and `[refused: why]` when the gate did not honour the skip."""
    refused = f" [{skip['status']}]" if is_refused_skip(skip) else ""
    return f"{skip.get('reason', '') or '(no reason)'}{refused}"


def skip_line(skip: Mapping[str, str]) -> str:
    """`CKV_AWS_20 (.checkov.yaml:12, until 2026-12-31): reason` plus `[refused: why]` when not honoured."""
    return f"{skip.get('check_id', '')} ({skip_where(skip)}): {skip_reason(skip)}"
