"""The JSON report: two-space indent and sorted keys, so two runs diff line by line."""

from __future__ import annotations

from typing import Any, cast

from preflight.report.json_report import render_json


class _Report:
    def to_dict(self) -> dict[str, Any]:
        return {"verdict": "pass", "findings": [{"policy": "p", "level": "advisory"}]}


def test_stable_layout() -> None:
    assert render_json(cast(Any, _Report())) == (
        '{\n  "findings": [\n    {\n      "level": "advisory",\n      "policy": "p"\n    }\n  ],\n'
        '  "verdict": "pass"\n}'
    )
