"""The report as one JSON object (`GateReport.to_dict()`), stable key order for diffs."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from preflight.gate import GateReport


def render_json(report: GateReport) -> str:
    return json.dumps(report.to_dict(), indent=2, sort_keys=True)
