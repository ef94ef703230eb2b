"""Work the Pulumi SDK does per registration that the recording engine never uses, done the cheap way.

Why this exists: under the mocks a resource costs about 8 ms of CPU, most of it inside the SDK, and the
gate cannot hand checkov its plan before the last registration (bench/SPEED.md). Two parts of that
cost serve only a real Pulumi engine, never what the recording monitor records:

- The stack trace and source position the SDK captures for every resource it registers or reads
  (pulumi `sdk/python/lib/pulumi/runtime/resource.py`, `_get_stack_trace`: `traceback.extract_stack()`,
  which checks `linecache` -- a `stat` -- for each frame's file, then `Path(...).as_uri()` per frame)
  travel in `RegisterResourceRequest.stackTrace` / `sourcePosition`. The engine uses them to point
  diagnostics at the program; the recording monitor reads neither (errors get their program line
  from preflight/origin.py instead).
- Serialising the fabricated outputs (plain data) runs to its end without suspending, yet
  `_sync_await` starts the RPC thread's event loop for it: a Task, loop start-up and an epoll that
  gives up the GIL to the busy main thread. (Transform callbacks keep `_sync_await`: they schedule
  tasks of their own -- the options' outputs -- that the program later waits on; run in place, those
  tasks never ran and the template's synthesis hung.)

`skip_source_positions()` turns the first off for one synthesis; `await_now` runs a coroutine in place
and hands it to the loop only if it does suspend. The recorded graph is the same byte for byte either
way (tests/preflight/test_sdk_shortcuts.py runs both paths on the template and public programs), so a
future SDK that starts needing either is caught there.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Coroutine, Generator, Iterator
from typing import Any, TypeVar

from pulumi.runtime import resource as sdk_resource
from pulumi.runtime.proto import source_pb2
from pulumi.runtime.sync_await import _ensure_event_loop, _sync_await

T = TypeVar("T")
#: The SDK's own function, as imported: what every block ends by putting back, however blocks nest or interleave.
_SDK_GET_STACK_TRACE = sdk_resource._get_stack_trace


def _no_stack_trace() -> source_pb2.StackTrace:
    """What the SDK sends when it finds no program frame: an empty trace (hence no source position)."""
    return source_pb2.StackTrace()


@contextlib.contextmanager
def skip_source_positions() -> Iterator[None]:
    """For the duration, registrations carry no stack trace: nothing the recording monitor reads.

    `register_resource` and `read_resource` look `_get_stack_trace` up as a module global at each call,
    so replacing it there is enough; the SDK's own function is back when the block ends.
    """
    sdk_resource._get_stack_trace = _no_stack_trace
    try:
        yield
    finally:
        sdk_resource._get_stack_trace = _SDK_GET_STACK_TRACE


class _Resumed:
    """A coroutine that already ran up to its first suspension, made awaitable again from that point."""

    def __init__(self, coroutine: Coroutine[Any, Any, Any], pending: Any) -> None:
        self.coroutine = coroutine
        self.pending = pending

    def __await__(self) -> Generator[Any, Any, Any]:
        pending = self.pending
        while True:
            try:
                sent = yield pending  # the loop's Task waits on what the coroutine waited on
            except BaseException as exc:  # a cancellation or error the loop throws in goes on to the coroutine
                try:
                    pending = self.coroutine.throw(exc)
                except StopIteration as done:
                    return done.value
                continue
            try:
                pending = self.coroutine.send(sent)
            except StopIteration as done:
                return done.value


async def _finish(resumed: _Resumed) -> Any:
    return await resumed


def await_now(awaitable: Awaitable[T]) -> T:
    """The result of `awaitable`, computed in place when it never suspends, else on this thread's loop.

    Same result (or exception) as the SDK's `_sync_await`, which always runs the thread's event loop.
    Should the coroutine have scheduled callbacks on that loop, they get the loop turn they would
    have had there.
    """
    if not isinstance(awaitable, Coroutine):
        return _sync_await(awaitable)
    loop = _ensure_event_loop()
    before = len(loop._ready)  # the loop's ready queue, as _sync_await reads it
    try:
        pending = awaitable.send(None)
    except StopIteration as done:
        result: T = done.value
        if len(loop._ready) > before:
            _sync_await(asyncio.sleep(0))
        return result
    finished: T = _sync_await(_finish(_Resumed(awaitable, pending)))
    return finished
