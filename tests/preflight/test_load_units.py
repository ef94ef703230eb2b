"""preflight.load without a child process: what `load_graph` hands each source, what it checks in the graph the
synthesis child sends back (review s7 findings 1 and 2), and what `preload` reads before a program runs.

The child is replaced by a function that answers a graph, so each case is milliseconds (bench/MUTATION.md, run I).
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path
from typing import Any

import pytest

from preflight import invokes, load, report, sources, synthesis_child
from preflight.errors import ConfigError
from preflight.graph import ResourceGraph
from preflight.program_inputs import ProgramInputs
from preflight.secrets import SECRET_PLACEHOLDER
from tests.preflight.programs import write_program

#: The config the gate reads from `_program`'s files for project `sample` (stackconfig.load_stack_config): a key
#: the stack file writes bare (`size`) is the project's (`sample:size`), as Pulumi reads it.
CONFIG = {"aws:region": "us-east-1", "sample:size": "small"}


class Child:
    """Stands in for `synthesis_child.synthesize_in_child`: records its calls, answers `graph`, runs `side`."""

    def __init__(self, graph: ResourceGraph, side: Any = None) -> None:
        self.graph = graph
        self.side = side
        self.calls: list[dict[str, Any]] = []

    def __call__(self, program_dir: str | Path, stack: str, **kwargs: Any) -> ResourceGraph:
        self.calls.append({"program_dir": program_dir, "stack": stack, **kwargs})
        if self.side is not None:
            self.side()
        return self.graph


def _child(monkeypatch: pytest.MonkeyPatch, graph: ResourceGraph, side: Any = None) -> Child:
    child = Child(graph, side)
    monkeypatch.setattr(synthesis_child, "synthesize_in_child", child)
    return child


def _program(tmp_path: Path, config: dict[str, object] | None = None) -> Path:
    return write_program(tmp_path / "p", "", stack="dev", config=config or {"size": "small"})


def test_an_export_of_a_qualified_stack_is_checked_against_its_project(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[str, str, str | None]] = []

    def export(path: str, stack: str, project: str | None) -> ResourceGraph:
        seen.append((path, stack, project))
        return ResourceGraph(project="shop", stack=stack, resources=[])

    monkeypatch.setattr(sources, "graph_from_export", export)
    assert load.load_graph("prog", "acme/shop/prod", from_export="e.json").stack == "prod"
    assert seen == [("e.json", "prod", "shop")]


def test_the_registration_callback_reaches_the_child(monkeypatch: pytest.MonkeyPatch) -> None:
    child = _child(monkeypatch, ResourceGraph(project="sample", stack="dev", resources=[]))

    def on_register(node: Any) -> None:
        raise AssertionError(node)

    load.load_graph("prog", "dev", on_register=on_register)
    load.load_graph("prog", "dev")
    assert [call["on_register"] for call in child.calls] == [on_register, None]


def test_compliant_the_childs_project_and_config_are_the_programs_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    program = _program(tmp_path)
    _child(monkeypatch, ResourceGraph(project="sample", stack="dev", resources=[], config=dict(CONFIG)))
    graph = load.load_graph(program, "acme/sample/dev", inputs=ProgramInputs.take(program, "dev"))
    assert (graph.project, graph.stack, graph.config) == ("sample", "dev", CONFIG)


def test_compliant_a_secret_is_compared_as_the_placeholder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The child sends a secret's placeholder, never its text; a plain key beside it keeps its value."""
    program = _program(tmp_path, {"size": "small", "sample:token": {"secure": "AAABAcipher"}})
    sent = {**CONFIG, "sample:token": SECRET_PLACEHOLDER}
    _child(monkeypatch, ResourceGraph(project="sample", stack="dev", resources=[], config=sent))
    assert load.load_graph(program, "dev", inputs=ProgramInputs.take(program, "dev")).config == sent


@pytest.mark.parametrize(
    ("project", "config"),
    [
        ("sample", {**CONFIG, "preflight:production": "false"}),  # a key added
        ("sample", {"aws:region": "us-east-1"}),  # a key dropped
        ("sample", {**CONFIG, "sample:size": SECRET_PLACEHOLDER}),  # a plain value sent as a secret
        ("other", dict(CONFIG)),  # another project, same config
    ],
    ids=["key-added", "key-dropped", "plain-as-secret", "project"],
)
def test_noncompliant_a_graph_unlike_the_programs_files_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, project: str, config: dict[str, str]
) -> None:
    program = _program(tmp_path)
    _child(monkeypatch, ResourceGraph(project=project, stack="dev", resources=[], config=config))
    with pytest.raises(synthesis_child.ChannelError) as caught:
        load.load_graph(program, "dev", inputs=ProgramInputs.take(program, "dev"))
    assert str(caught.value) == (
        f"{program}: the program's synthesis process sent a graph whose project or config is not the program's "
        "Pulumi.yaml and stack file (nothing was judged)"
    )


def test_noncompliant_a_file_written_while_the_child_ran_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    program = _program(tmp_path)
    waivers = program / "policies" / "suppressions.yaml"

    def write() -> None:
        waivers.parent.mkdir()
        waivers.write_text("[]\n", encoding="utf-8")

    _child(monkeypatch, ResourceGraph(project="sample", stack="dev", resources=[], config=dict(CONFIG)), write)
    inputs = ProgramInputs.take(program, "dev")
    with pytest.raises(ConfigError, match=r"suppressions\.yaml: changed while the program ran"):
        load.load_graph(program, "dev", inputs=inputs)


def test_without_inputs_the_graph_is_not_compared(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A caller that took no snapshot (tests, the engine's own callers) gets the child's graph as sent."""
    _child(monkeypatch, ResourceGraph(project="sample", stack="dev", resources=[], config={"a": "b"}))
    assert load.load_graph(tmp_path / "absent", "dev").config == {"a": "b"}


def test_the_childs_invented_strings_name_their_data_source_here(monkeypatch: pytest.MonkeyPatch) -> None:
    value = "preflight-0123456789abcdef"
    monkeypatch.setattr(invokes, "_INVENTED_BY", {})
    sent = ResourceGraph(project="sample", stack="dev", resources=[], invented={value: "aws:ssm/getParameter:x"})
    _child(monkeypatch, sent)
    assert invokes.invented_token(value) == ""
    load.load_graph("prog", "dev")
    assert invokes.invented_token(value) == "aws:ssm/getParameter:x"


def _report_modules() -> list[str]:
    return [f"preflight.report.{m.name}" for m in pkgutil.iter_modules(report.__path__)]


def test_preload_imports_the_verdict_modules_and_fills_the_data_loaders(monkeypatch: pytest.MonkeyPatch) -> None:
    """After `preload` every module of the verdict path is imported and every cached data loader holds its file, so a
    program rewriting one while it runs changes nothing this run reads (review s7-2 finding 2). The analyzer host
    only on request (`--analyzer-protocol`)."""
    modules = [*load._VERDICT_MODULES, *_report_modules(), "preflight.analyzer"]
    assert len(modules) > len(load._VERDICT_MODULES) + 3  # the report writers are found
    for name in modules:  # forgotten for this test only: monkeypatch puts the module objects back after it
        parent, _, child = name.rpartition(".")
        monkeypatch.delattr(sys.modules[parent], child, raising=False)
        monkeypatch.delitem(sys.modules, name, raising=False)
    loaders = [getattr(importlib.import_module(m), f) for m, f in load._VERDICT_DATA]
    for loader in loaders:
        loader.cache_clear()
    load.preload()
    assert [m for m in modules if m not in sys.modules] == ["preflight.analyzer"]
    assert [loader.__qualname__ for loader in loaders if loader.cache_info().currsize == 0] == []
    load.preload(analyzer=True)
    assert "preflight.analyzer" in sys.modules
