"""Where in the program a failure started: the program's own `file:line`, never a site-packages one.

Why: most SDK errors (a value that cannot be serialised, a duplicate name, a bad reference) surface
from an asyncio task the SDK started for a registration, so their tracebacks hold only SDK frames.
Each RPC the SDK dispatches is started synchronously from the program's call (`aws.s3.Bucket(...)`);
`OriginTracker` notes the program's innermost frame at that moment and stamps it on any exception
the RPC raises, so the report can name the line that led there.
"""

from __future__ import annotations

import functools
import sys
import traceback
from collections.abc import Awaitable, Callable
from pathlib import Path
from types import FrameType
from typing import Any

_ATTRIBUTE = "_preflight_origin"
_PREFLIGHT_DIR = str(Path(__file__).resolve().parent)


class ProgramFiles:
    """Decides whether a source file belongs to the program (not to installed packages or preflight)."""

    def __init__(self, program_dir: Path) -> None:
        self.root = program_dir.resolve()
        self._cache: dict[str, bool] = {}

    def owns(self, filename: str) -> bool:
        known = self._cache.get(filename)
        if known is None:
            path = str(Path(filename).resolve())
            known = (
                path.startswith(str(self.root)) and "site-packages" not in path and not path.startswith(_PREFLIGHT_DIR)
            )
            self._cache[filename] = known
        return known

    def shown(self, filename: str, line: int | None) -> str:
        path = Path(filename).resolve()
        try:
            return f"{path.relative_to(self.root)}:{line}"
        except ValueError:
            return f"{path}:{line}"

    def innermost_frame(self, frame: FrameType | None) -> str | None:
        """`file:line` of the innermost program frame on the live stack starting at `frame`."""
        while frame is not None:
            if self.owns(frame.f_code.co_filename):
                return self.shown(frame.f_code.co_filename, frame.f_lineno)
            frame = frame.f_back
        return None

    def program_line_in_traceback(self, exc: BaseException) -> str | None:
        """The program's innermost frame in `exc`'s own traceback (None: it surfaced from SDK code only)."""
        inside = [f for f in traceback.extract_tb(exc.__traceback__) if self.owns(f.filename)]
        return self.shown(inside[-1].filename, inside[-1].lineno) if inside else None

    def program_line(self, exc: BaseException) -> str | None:
        """The program's innermost frame in the traceback, else the origin stamped on the exception or its causes."""
        inside = self.program_line_in_traceback(exc)
        if inside is not None:
            return inside
        seen: set[int] = set()
        current: BaseException | None = exc
        while current is not None and id(current) not in seen:
            seen.add(id(current))
            origin = getattr(current, _ATTRIBUTE, None)
            if isinstance(origin, str):
                return origin
            current = current.__cause__ or current.__context__
        return None

    def root_cause(self, exc: BaseException) -> tuple[BaseException, str] | None:
        """The innermost cause raised by the program's own code (its line, from its own traceback), when the
        SDK wrapped it: a failing `apply` surfaces as "While processing resource: 'q'" with only SDK frames
        (pulumi/runtime/rpc.py `serialize_property` re-raises as ValueError `from` the program's exception)."""
        chain: list[BaseException] = []
        current: BaseException | None = exc
        while current is not None and all(current is not seen for seen in chain):
            chain.append(current)
            current = current.__cause__ or current.__context__
        for cause in reversed(chain[1:]):
            inside = self.program_line_in_traceback(cause)
            if inside is not None:
                return cause, inside
        return None

    def registered_at(self, exc: BaseException) -> str | None:
        """The innermost origin stamped on `exc` or its causes: the program line that registered the resource
        whose inputs failed (the outermost stamp is merely the last registration the program waited on)."""
        found: str | None = None
        current: BaseException | None = exc
        seen: list[BaseException] = []
        while current is not None and all(current is not s for s in seen):
            seen.append(current)
            origin = getattr(current, _ATTRIBUTE, None)
            if isinstance(origin, str):
                found = origin
            current = current.__cause__ or current.__context__
        return found

    def where(self, exc: BaseException) -> str:
        """`program_line`, else the innermost frame of all (an error with no program frame at all)."""
        line = self.program_line(exc)
        if line is not None:
            return line
        frames = traceback.extract_tb(exc.__traceback__)
        return self.shown(frames[-1].filename, frames[-1].lineno) if frames else "<program>"


class OriginTracker:
    """Wraps an `RPCManager.do_rpc` so every failing RPC carries the program line that started it."""

    def __init__(self, files: ProgramFiles) -> None:
        self.files = files

    def install(self, rpc_manager: Any) -> None:
        original = rpc_manager.do_rpc

        @functools.wraps(original)
        def do_rpc(name: str, rpc_function: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
            origin = self.files.innermost_frame(sys._getframe(1))
            if origin is None:
                return original(name, rpc_function)

            async def stamped(*args: Any, **kwargs: Any) -> Any:
                try:
                    return await rpc_function(*args, **kwargs)
                except Exception as exc:
                    if getattr(exc, _ATTRIBUTE, None) is None:
                        setattr(exc, _ATTRIBUTE, origin)
                    raise

            return original(name, stamped)

        rpc_manager.do_rpc = do_rpc

    @staticmethod
    def uninstall(rpc_manager: Any) -> None:
        vars(rpc_manager).pop("do_rpc", None)
