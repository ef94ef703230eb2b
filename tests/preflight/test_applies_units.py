"""preflight.applies without a synthesis: `ApplyWatch` over hand-made Outputs, with code compiled under chosen paths.

Why: every other test of applies.py synthesises a program, which a mutation run cannot do in mutmut's forked child
(bench/MUTATION.md, run J's traps), so without these its mutants had no test. An `Output` built from settled
futures is the SDK's own public constructor (pulumi/output.py `Output.__init__(resources, future, is_known)`), and
code compiled with a file name under the program's directory is, to `sys._getframe`, the program's code.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pulumi
import pytest

from preflight.applies import ApplyWatch, _installed_top, _shown_helper
from preflight.graph import UnrunApply
from preflight.origin import ProgramFiles


class _Resource:
    """What `ApplyWatch.unrun` reads of a resource: its `urn` Output."""

    def __init__(self, urn: pulumi.Output[Any]) -> None:
        self.urn = urn


def _output(value: Any, known: bool = True, resources: set[Any] | None = None) -> pulumi.Output[Any]:
    loop = asyncio.get_running_loop()
    future: asyncio.Future[Any] = loop.create_future()
    future.set_result(value)
    is_known: asyncio.Future[bool] = loop.create_future()
    is_known.set_result(known)
    return pulumi.Output(resources or set(), future, is_known)


def _module(path: Path, text: str) -> dict[str, Any]:
    """Runs `text` as the module at `path` (written there too, so it resolves) and returns its namespace."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    namespace: dict[str, Any] = {}
    exec(compile(text, str(path), "exec"), namespace)  # the test's own code, under a chosen file name
    return namespace


def _watch(root: Path, body: Callable[[ApplyWatch], Any]) -> tuple[ApplyWatch, list[UnrunApply], Any]:
    """Runs `body` inside `watching()` on an event loop, lets every Output settle, then asks `unrun()`."""

    async def run() -> tuple[list[UnrunApply], Any]:
        with watch.watching():
            results = body(watch)
        for result in results:
            await result.future()
        return await watch.unrun(), results

    watch = ApplyWatch(ProgramFiles(root))
    unrun, results = asyncio.run(run())
    return watch, unrun, results


PROGRAM = """\
def program(known, unknown):
    a = known.apply(lambda v: v + 1)
    b = unknown.apply(lambda v: v)
    c = [unknown.apply(lambda v: v) for _ in range(2)]
    return [a, b, *c]
"""


def test_a_known_value_runs_and_an_unknown_one_is_counted_per_line(tmp_path: Path) -> None:
    root = tmp_path / "prog"
    program = _module(root / "__main__.py", PROGRAM)["program"]
    watch, unrun, results = _watch(root, lambda w: program(_output(1), _output(None, known=False)))
    assert [(c.at, c.via, c.ran) for c in watch.calls] == [
        ("__main__.py:2", "", True),
        ("__main__.py:3", "", False),
        ("__main__.py:4", "", False),
        ("__main__.py:4", "", False),
    ]
    assert unrun == [UnrunApply("__main__.py:3", 1, (), ""), UnrunApply("__main__.py:4", 2, (), "")]
    assert asyncio.run(_value(results[0])) == 2  # the callback's own result passes through the wrapper


async def _value(output: pulumi.Output[Any]) -> Any:
    return await output.future()


def test_unrun_lines_are_sorted_and_name_the_sorted_urns_their_values_depend_on(tmp_path: Path) -> None:
    root = tmp_path / "prog"
    program = _module(
        root / "__main__.py",
        "def program(first, second):\n    return [second.apply(str), first.apply(str), second.apply(str)]\n",
    )["program"]

    def body(_: ApplyWatch) -> list[pulumi.Output[Any]]:
        ref = _Resource(_output("urn:pulumi:dev::p::pulumi:pulumi:StackReference::net"))
        queue = _Resource(_output("urn:pulumi:dev::p::aws:sqs/queue:Queue::q"))
        unnamed = _Resource(_output(None, known=False))  # an unknown urn names nothing
        first = _output(None, known=False, resources={queue, ref, unnamed})
        second = _output(None, known=False, resources={queue})
        return program(first, second)

    _, unrun, _ = _watch(root, body)
    assert unrun == [
        UnrunApply(
            "__main__.py:2",
            3,
            ("urn:pulumi:dev::p::aws:sqs/queue:Queue::q", "urn:pulumi:dev::p::pulumi:pulumi:StackReference::net"),
            "",
        )
    ]


def test_unrun_groups_by_line_then_helper_line_in_order(tmp_path: Path) -> None:
    root = tmp_path / "prog"
    helper = _module(tmp_path / "lib" / "shared.py", "def make(value):\n    return value.apply(str)\n")
    program = _module(
        root / "main.py",
        "def program(make, value):\n    return [make(value), value.apply(str), make(value)]\n",
    )["program"]
    _, unrun, _ = _watch(root, lambda w: program(helper["make"], _output(None, known=False)))
    assert unrun == [
        UnrunApply("main.py:2", 1, (), ""),
        UnrunApply("main.py:2", 2, (), "../lib/shared.py:2"),
    ]


def test_a_helpers_apply_names_the_program_line_that_led_to_it(tmp_path: Path) -> None:
    root = tmp_path / "prog"
    helper = _module(tmp_path / "lib" / "shared.py", "def make(value):\n    return value.apply(str)\n")
    program = _module(root / "__main__.py", "def program(make, value):\n\n    return [make(value)]\n")["program"]
    watch, unrun, _ = _watch(root, lambda w: program(helper["make"], _output(None, known=False)))
    assert [(c.at, c.via) for c in watch.calls] == [("__main__.py:3", "../lib/shared.py:2")]
    assert unrun == [UnrunApply("__main__.py:3", 1, (), "../lib/shared.py:2")]


def test_a_helpers_apply_without_a_program_frame_is_named_by_the_helpers_line(tmp_path: Path) -> None:
    root = tmp_path / "prog"
    root.mkdir()
    helper = _module(tmp_path / "lib" / "shared.py", "def make(value):\n    return [value.apply(str)]\n")
    watch, unrun, _ = _watch(root, lambda w: helper["make"](_output(None, known=False)))
    assert [(c.at, c.via) for c in watch.calls] == [("../lib/shared.py:2", "")]
    assert unrun == [UnrunApply("../lib/shared.py:2", 1, (), "")]


@pytest.mark.parametrize("packages", ["site-packages", "dist-packages"])
def test_an_installed_helper_is_named_by_its_import_path(tmp_path: Path, packages: str) -> None:
    root = tmp_path / "prog"
    root.mkdir()
    helper = _module(
        tmp_path / "venv" / packages / "company" / "infra.py", "def make(value):\n\n    return [value.apply(str)]\n"
    )
    watch, _, _ = _watch(root, lambda w: helper["make"](_output(None, known=False)))
    assert [(c.at, c.via) for c in watch.calls] == [("company/infra.py:3", "")]


def test_a_provider_sdks_applies_and_the_pulumi_sdks_own_are_not_watched(tmp_path: Path) -> None:
    root = tmp_path / "prog"
    root.mkdir()
    site = tmp_path / "venv" / "site-packages"
    provider = _module(site / "pulumi_vendor" / "get.py", "def make(value):\n    return [value.apply(str)]\n")
    (site / "pulumi_vendor" / "pulumi-plugin.json").write_text("{}")
    plain = _module(site / "vendor_mod.py", "def make(value):\n    return [value.apply(str)]\n")

    def body(_: ApplyWatch) -> list[pulumi.Output[Any]]:
        unknown = _output(None, known=False)
        # pulumi/output.py's concat applies on its own: the SDK's business, not the program's
        return [*provider["make"](unknown), pulumi.Output.concat(unknown, "x"), *plain["make"](unknown)]

    watch, unrun, _ = _watch(root, body)
    # a module directly in site-packages is no package shipping pulumi-plugin.json: a helper
    assert [(c.at, c.via) for c in watch.calls] == [("vendor_mod.py:2", "")]
    assert unrun == [UnrunApply("vendor_mod.py:2", 1, (), "")]


def test_run_with_unknowns_runs_the_callback_so_it_is_not_unrun(tmp_path: Path) -> None:
    root = tmp_path / "prog"
    program = _module(
        root / "__main__.py", "def program(value):\n    return [value.apply(lambda v: 1, run_with_unknowns=True)]\n"
    )["program"]
    watch, unrun, _ = _watch(root, lambda w: program(_output(None, known=False)))
    assert [c.ran for c in watch.calls] == [True]
    assert unrun == []


def test_the_sdks_apply_is_restored_after_watching_even_on_error(tmp_path: Path) -> None:
    original = pulumi.Output.apply
    watch = ApplyWatch(ProgramFiles(tmp_path))
    with pytest.raises(RuntimeError), watch.watching():
        assert pulumi.Output.apply is not original
        raise RuntimeError("the program failed")
    assert pulumi.Output.apply is original


def test_installed_top_and_shown_helper(tmp_path: Path) -> None:
    assert _installed_top(("/", "usr", "lib", "site-packages", "pkg", "m.py")) == 4
    assert _installed_top(("/", "usr", "dist-packages", "m.py")) == 3
    assert _installed_top(("/", "home", "lib", "m.py")) is None
    assert _shown_helper("/opt/v/site-packages/pkg/sub/m.py", 7, tmp_path) == "pkg/sub/m.py:7"
    assert _shown_helper(str(tmp_path / "a" / "m.py"), 9, tmp_path / "prog") == "../a/m.py:9"
