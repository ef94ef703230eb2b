"""Where a failure started: the program's own file and line, never an installed package's or preflight's."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from preflight import origin
from preflight.origin import OriginTracker, ProgramFiles

HERE = Path(__file__).resolve()


def _raise_in(path: Path, source: str, name: str = "boom", scope: dict[str, Any] | None = None) -> BaseException:
    """Run `source` as if it were the file `path` and return what its function `name` raised."""
    scope = {} if scope is None else scope
    exec(compile(source, str(path), "exec"), scope)
    try:
        scope[name]()
    except Exception as exc:
        return exc
    raise AssertionError("the program did not raise")


def test_only_files_under_the_program_count(tmp_path: Path) -> None:
    files = ProgramFiles(tmp_path)
    assert files.owns(str(tmp_path / "__main__.py"))
    assert files.owns(str(tmp_path / "sub" / "infra.py"))
    assert not files.owns(str(tmp_path.parent / "elsewhere.py"))
    assert not files.owns(str(tmp_path / ".venv" / "lib" / "site-packages" / "pulumi" / "x.py"))
    # a program inside the repository is still not preflight's own code
    assert not ProgramFiles(HERE.parents[2]).owns(origin.__file__)
    assert ProgramFiles(HERE.parents[2]).owns(str(HERE))


def test_the_answer_is_remembered_per_file(tmp_path: Path) -> None:
    files = ProgramFiles(tmp_path)
    name = str(tmp_path / "a.py")
    assert files.owns(name)
    files.root = tmp_path / "other"  # a second question about the same file is not re-decided
    assert files.owns(name)
    assert not files.owns(str(tmp_path / "b.py"))


def test_lines_are_shown_relative_to_the_program(tmp_path: Path) -> None:
    files = ProgramFiles(tmp_path)
    assert files.shown(str(tmp_path / "sub" / "x.py"), 7) == "sub/x.py:7"
    outside = tmp_path.parent / "y.py"
    assert files.shown(str(outside), 3) == f"{outside}:3"


def test_innermost_program_frame_on_the_live_stack(tmp_path: Path) -> None:
    program = ProgramFiles(HERE.parent)
    frame = sys._getframe()
    assert program.innermost_frame(frame) == f"{HERE.name}:{frame.f_lineno}"
    assert ProgramFiles(tmp_path).innermost_frame(frame) is None
    assert program.innermost_frame(None) is None


def test_the_innermost_program_line_of_a_traceback(tmp_path: Path) -> None:
    main = tmp_path / "__main__.py"
    exc = _raise_in(main, "def boom():\n    x = 1\n    helper()\ndef helper():\n    raise ValueError('x')\n")
    files = ProgramFiles(tmp_path)
    assert files.program_line(exc) == "__main__.py:5"
    assert files.where(exc) == "__main__.py:5"


def test_a_stamped_origin_on_the_exception_or_its_cause(tmp_path: Path) -> None:
    files = ProgramFiles(tmp_path)
    plain = ValueError("no program frame")
    assert files.program_line(plain) is None
    stamped = ValueError("stamped")
    setattr(stamped, "_preflight_origin", "__main__.py:9")  # noqa: B010 (the private stamp under test)
    assert files.program_line(stamped) == "__main__.py:9"
    outer = RuntimeError("outer")
    outer.__cause__ = stamped
    assert files.program_line(outer) == "__main__.py:9"
    context = RuntimeError("during handling")
    context.__context__ = stamped
    assert files.program_line(context) == "__main__.py:9"
    not_text = ValueError("a stamp that is not text")
    setattr(not_text, "_preflight_origin", 12)  # noqa: B010
    not_text.__cause__ = stamped
    assert files.program_line(not_text) == "__main__.py:9"


def test_a_cycle_of_causes_ends(tmp_path: Path) -> None:
    first, second = ValueError("a"), ValueError("b")
    first.__cause__, second.__cause__ = second, first
    assert ProgramFiles(tmp_path).program_line(first) is None


def test_without_a_program_frame_the_innermost_frame_of_all(tmp_path: Path) -> None:
    core = tmp_path / "lib" / "core.py"
    scope: dict[str, Any] = {}
    exec(compile("def inner():\n    x = 1\n    raise KeyError('k')\n", str(core), "exec"), scope)
    elsewhere = tmp_path / "lib" / "sdk.py"
    exc = _raise_in(elsewhere, "def boom():\n    inner()\n", scope=scope)
    files = ProgramFiles(tmp_path / "program")
    assert files.where(exc) == f"{core}:3"  # the innermost, not the SDK frame that called it
    assert files.where(ValueError("never raised")) == "<program>"


def test_the_program_line_wins_over_the_sdk_frames_below_it(tmp_path: Path) -> None:
    """An SDK call that fails deep inside is reported at the program's line that made it."""
    sdk: dict[str, Any] = {}
    exec(compile("def register():\n    raise TypeError('bad input')\n", str(tmp_path / "sdk.py"), "exec"), sdk)
    program = "def boom():\n    register()\n"
    scope: dict[str, Any] = {"register": sdk["register"]}
    exec(compile(program, str(tmp_path / "program" / "__main__.py"), "exec"), scope)
    with pytest.raises(TypeError) as caught:
        scope["boom"]()
    assert ProgramFiles(tmp_path / "program").where(caught.value) == "__main__.py:2"


class _Manager:
    """The one method of the SDK's RPCManager the tracker wraps: it returns the coroutine function to await."""

    def __init__(self) -> None:
        self.names: list[str] = []

    def do_rpc(self, name: str, rpc_function: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
        self.names.append(name)
        return rpc_function


async def _fails(message: str) -> None:
    raise ValueError(message)


async def _returns(value: int) -> int:
    return value


def test_a_failing_rpc_carries_the_program_line_that_started_it() -> None:
    manager = _Manager()
    OriginTracker(ProgramFiles(HERE.parent)).install(manager)
    line = sys._getframe().f_lineno + 1
    call = manager.do_rpc("register resource", _fails)
    with pytest.raises(ValueError, match="bad") as caught:
        asyncio.run(call("bad"))
    assert getattr(caught.value, "_preflight_origin") == f"{HERE.name}:{line}"  # noqa: B009
    assert manager.names == ["register resource"]
    assert asyncio.run(manager.do_rpc("invoke", _returns)(5)) == 5
    OriginTracker.uninstall(manager)
    assert manager.do_rpc("read", _fails) is _fails


def test_an_earlier_stamp_is_kept() -> None:
    async def stamped_already() -> None:
        exc = ValueError("inner")
        setattr(exc, "_preflight_origin", "first.py:1")  # noqa: B010
        raise exc

    manager = _Manager()
    OriginTracker(ProgramFiles(HERE.parent)).install(manager)
    with pytest.raises(ValueError, match="inner") as caught:
        asyncio.run(manager.do_rpc("x", stamped_already)())
    assert getattr(caught.value, "_preflight_origin") == "first.py:1"  # noqa: B009


def test_an_rpc_started_outside_the_program_is_not_wrapped(tmp_path: Path) -> None:
    manager = _Manager()
    OriginTracker(ProgramFiles(tmp_path)).install(manager)
    assert manager.do_rpc("x", _fails) is _fails
