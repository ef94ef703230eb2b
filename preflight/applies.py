"""The program's `apply` callbacks that did not run offline because their value stayed unknown.

Why: a callback of `Output.apply` runs only when its value is known (pulumi/output.py, `Output.apply`'s `run`:
`if not (is_known or run_with_unknowns)` returns an unknown result without calling `func`). Offline, an
output the engine cannot fabricate (a StackReference's outputs the program does not state, a multi-language
component's outputs) stays unknown, so whatever such a callback creates (`ref.get_output("vpc_id").apply(
lambda v: aws.s3.BucketV2(...))`) is never registered: not judged, not priced, not sent to checkov, while
`pulumi up` creates it (review finding gate #4). The gate cannot run it, but it must not pass it in silence.

How it is observed without touching the SDK's private state: `Output.apply` (public) is wrapped for one
synthesis; the wrapper hands the SDK's own `apply` a callback that notes it ran, and notes where `apply` was
called. Every call made by code that is neither a Pulumi SDK nor the gate is watched: the program's own files,
and helper code outside them (a shared `../lib` put on `sys.path`, a company package installed in
site-packages), whose callbacks create resources just the same (review 6 F5). A Pulumi SDK's internal applies
(`StackReference.get_output`'s, a provider SDK's `get_*_output` invokes) are its own business: the `pulumi`
package and every package shipping the `pulumi-plugin.json` by which the Python language host knows a provider
SDK (`pulumi_aws/pulumi-plugin.json` in .venv). A finding names the program's own line that led to the call (its
innermost frame on the stack, as preflight.origin names an error's) and, for a helper's call, the helper's line.
When the program has ended (every output settled), a callback that never ran on a value whose public
`Output.is_known()` is False is exactly the branch above. Its value's resources (`Output.resources()`) say where
the unknown came from.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pulumi

from preflight.graph import UnrunApply
from preflight.origin import ProgramFiles

_PULUMI_DIR = str(Path(pulumi.__file__).resolve().parent)
_PREFLIGHT_DIR = str(Path(__file__).resolve().parent)


@cache
def _sdk_or_gate(filename: str) -> bool:
    """Whether `filename` is the Pulumi SDK's, a provider SDK's (its top package ships pulumi-plugin.json) or the
    gate's own code: the applies such code makes are not the program's."""
    path = Path(filename).resolve()
    text = str(path)
    if text.startswith((_PULUMI_DIR + os.sep, _PREFLIGHT_DIR + os.sep)):
        return True
    top = _installed_top(path.parts)
    return (
        top is not None
        and top < len(path.parts) - 1
        and (Path(*path.parts[: top + 1]) / "pulumi-plugin.json").is_file()
    )


def _installed_top(parts: tuple[str, ...]) -> int | None:
    """The index of the top package's part below site-packages (dist-packages on Debian's Python), else None."""
    for index, part in enumerate(parts):
        if part in ("site-packages", "dist-packages"):
            return index + 1
    return None


def _shown_helper(filename: str, line: int, root: Path) -> str:
    """A helper's `file:line`: below site-packages as its import path shows it, else relative to the program."""
    parts = Path(filename).resolve().parts
    top = _installed_top(parts)
    if top is not None:
        return f"{Path(*parts[top:]).as_posix()}:{line}"
    return f"{Path(os.path.relpath(Path(*parts), root)).as_posix()}:{line}"


@dataclass
class _Call:
    at: str
    source: pulumi.Output[Any]
    via: str = ""
    ran: bool = False


@dataclass
class ApplyWatch:
    """Notes each `apply` the program calls, for one synthesis (`watching()`), and which callbacks ran."""

    files: ProgramFiles
    calls: list[_Call] = field(default_factory=list)

    @contextmanager
    def watching(self) -> Iterator[None]:
        original = pulumi.Output.apply
        watch = self

        def apply(self: pulumi.Output[Any], func: Callable[[Any], Any], run_with_unknowns: bool = False) -> Any:
            caller = sys._getframe(1)
            filename = caller.f_code.co_filename
            if watch.files.owns(filename):
                call = _Call(watch.files.shown(filename, caller.f_lineno), self)
            elif _sdk_or_gate(filename):
                return original(self, func, run_with_unknowns)
            else:
                # Helper code: the program's line that led here, and the helper's own (none when no program frame
                # is on the stack, as in a helper's callback the SDK runs: then the helper's line is all there is).
                via = _shown_helper(filename, caller.f_lineno, watch.files.root)
                at = watch.files.innermost_frame(caller)
                call = _Call(at, self, via) if at is not None else _Call(via, self)
            watch.calls.append(call)

            def noted(value: Any) -> Any:
                call.ran = True
                return func(value)

            return original(self, noted, run_with_unknowns)

        pulumi.Output.apply = apply  # type: ignore[method-assign]
        try:
            yield
        finally:
            pulumi.Output.apply = original  # type: ignore[method-assign]

    async def unrun(self) -> list[UnrunApply]:
        """Per program line, the callbacks that did not run because their value was unknown (once settled)."""
        by_line: dict[tuple[str, str], tuple[int, set[str]]] = {}
        for call in self.calls:
            # Once the program has ended every value is settled (one that failed ended the run with its error).
            if call.ran or await call.source.is_known():
                continue
            sources = set()
            for resource in await call.source.resources():
                urn = await resource.urn.future()
                if isinstance(urn, str):
                    sources.add(urn)
            count, seen = by_line.get((call.at, call.via), (0, set()))
            by_line[(call.at, call.via)] = (count + 1, seen | sources)
        return [UnrunApply(at, count, tuple(sorted(urns)), via) for (at, via), (count, urns) in sorted(by_line.items())]
