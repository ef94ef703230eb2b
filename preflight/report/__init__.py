"""Renderers of a GateReport: text (terminal), JSON, Markdown (pull-request comment) and SARIF 2.1.0."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from preflight.gate import GateReport
    from preflight.graph import ResourceGraph

FORMATS = ("text", "json", "markdown", "sarif")


def render(report: GateReport, fmt: str, *, base: ResourceGraph | None = None, color: bool = False) -> str:
    """The report in one of FORMATS."""
    if fmt == "text":
        from preflight.report.text import render_text  # noqa: PLC0415

        return render_text(report, color=color)
    if fmt == "json":
        from preflight.report.json_report import render_json  # noqa: PLC0415

        return render_json(report)
    if fmt == "sarif":
        from preflight.report.sarif import render_sarif  # noqa: PLC0415

        return render_sarif(report)
    if fmt == "markdown":
        markdown = importlib.import_module("preflight.report.markdown")
        return str(markdown.render_markdown(report, base=base))
    raise ValueError(f"unknown report format {fmt!r}")
