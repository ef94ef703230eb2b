"""The program's `apply` callbacks that did not run offline because their value stayed unknown.

Why: a callback of `Output.apply` runs only when its value is known (pulumi/output.py, `Output.apply`'s `run`:
`if not (is_known or run_with_unknowns)` returns an unknown result without calling `func`). Offline, an
output the engine cannot fabricate (a StackReference's outputs the program does not state, a multi-language
component's outputs) stays unknown, so whatever such a callback creates (`ref.get_output("vpc_id").apply(
lambda v: aws.s3.BucketV2(...))`) is never registered: not judged, not priced, not sent to checkov, while
`pulumi up` creates it (review finding gate #4). The gate cannot run it, but it must not pass it in silence.

How it is observed without touching the SDK's private state: `Output.apply` (public) is wrapped for one
synthesis; the wrapper hands the SDK's own `apply` a callback that notes it ran, and notes the program line
that called `apply` (only calls made from the program's own files, preflight.origin.ProgramFiles: the SDK's
internal applies, such as `StackReference.get_output`'s, are its own business). When the program has ended
(every output settled), a callback that never ran on a value whose public `Output.is_known()` is False is
exactly the branch above. Its value's resources (`Output.resources()`) say where the unknown came from.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pulumi

from preflight.graph import UnrunApply
from preflight.origin import ProgramFiles


@dataclass
class _Call:
    at: str
    source: pulumi.Output[Any]
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
            if not watch.files.owns(caller.f_code.co_filename):
                return original(self, func, run_with_unknowns)
            call = _Call(watch.files.shown(caller.f_code.co_filename, caller.f_lineno), self)
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
        by_line: dict[str, tuple[int, set[str]]] = {}
        for call in self.calls:
            # Once the program has ended every value is settled (one that failed ended the run with its error).
            if call.ran or await call.source.is_known():
                continue
            sources = set()
            for resource in await call.source.resources():
                urn = await resource.urn.future()
                if isinstance(urn, str):
                    sources.add(urn)
            count, seen = by_line.get(call.at, (0, set()))
            by_line[call.at] = (count + 1, seen | sources)
        return [UnrunApply(at, count, tuple(sorted(urns))) for at, (count, urns) in sorted(by_line.items())]
