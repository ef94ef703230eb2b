"""One graph source per run, and a qualified `--stack` checked against the program it names."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from preflight import sources, synthesis_child
from preflight.errors import ConfigError, PreflightError
from preflight.graph import ResourceGraph
from preflight.load import load_graph


def test_a_preview_and_an_export_together_are_refused() -> None:
    with pytest.raises(PreflightError, match=r"^use either --from-preview or --from-export, not both$"):
        load_graph(".", "dev", from_preview="p.json", from_export="e.json")


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, ...]]:
    """Every source the loader asks, with its arguments; each answers a graph of project `shop`."""
    seen: list[tuple[Any, ...]] = []

    def graph(stack: str) -> ResourceGraph:
        return ResourceGraph(project="shop", stack=stack, resources=[])

    def preview(path: str, stack: str, project: str | None) -> ResourceGraph:
        seen.append(("preview", path, stack, project))
        return graph(stack)

    def export(path: str, stack: str, project: str | None) -> ResourceGraph:
        seen.append(("export", path, stack, project))
        return graph(stack)

    def synthesize(
        program_dir: str | Path, stack: str, *, timeout: Any, organization: str | None, on_register: Any = None
    ) -> ResourceGraph:
        seen.append(("program", program_dir, stack, timeout, organization))
        return graph(stack)

    monkeypatch.setattr(sources, "graph_from_preview", preview)
    monkeypatch.setattr(sources, "graph_from_export", export)
    monkeypatch.setattr(synthesis_child, "synthesize_in_child", synthesize)
    return seen


def test_files_get_the_bare_stack_and_the_project_to_check(calls: list[tuple[Any, ...]]) -> None:
    assert load_graph("prog", "acme/shop/prod", from_preview="p.json").stack == "prod"
    assert load_graph("prog", "dev", from_export="e.json").stack == "dev"
    assert calls == [("preview", "p.json", "prod", "shop"), ("export", "e.json", "dev", None)]


def test_a_program_runs_with_the_bare_stack_and_its_time_limit(calls: list[tuple[Any, ...]]) -> None:
    assert load_graph("prog", "acme/shop/prod").stack == "prod"
    assert load_graph("prog", "dev", timeout=3.0).stack == "dev"
    # The organization of a qualified stack is what `pulumi.get_organization()` returns (engine.DEFAULT_ORGANIZATION).
    assert calls == [("program", "prog", "prod", "configured", "acme"), ("program", "prog", "dev", 3.0, None)]


def test_a_qualified_stack_of_another_project_is_one_line(calls: list[tuple[Any, ...]]) -> None:
    with pytest.raises(ConfigError) as caught:
        load_graph("prog", "acme/web/prod")
    assert str(caught.value) == "--stack 'acme/web/prod': the program in prog is project 'shop', not 'web'"
