"""Synthesise a program in a child process that hands the gate back only its graph, as data.

A Pulumi program is code. Run in the gate's own process, it could patch the gate (`preflight.gate`,
`policies.*`, the checkov bridge) or end the process with status 0 and pass its own gate (review 6, gate F1;
issue 11): governance a program can switch off is none (P188). So `load_graph` runs
`preflight.engine.synthesize` in a fresh Python process (`-I`: no user site, no `PYTHON*` variables; the gate's
`sys.path` is handed over as data, so the program imports what it imports under the gate in-process, and it
inherits the gate's environment and working directory), which sends the graph
back as JSON lines on a pipe the gate owns (not stdout: the program may print; what it prints goes to the
gate's stderr, as the engine sends it). The gate parses JSON only (never pickle: nothing the child sends is
executed) and checks the shape of every message; anything but a complete graph ending in the end marker and
a child exit status of 0 is a PreflightError of one line (exit code 2), never a pass.

The channel, one JSON object per line:

- `{"t": "start"}` once the engine is imported: the program's time limit runs from here;
- `{"t": "node", "node": {...}}` per registered resource (`ResourceNode.to_dict(wire=True)`), which the gate
  hands to `on_register` at once, so the warm checkov still scans parts while the program runs
  (preflight/checkov_stream.py);
- `{"t": "end", "registered": <node messages sent>, "graph": {...}}` (`ResourceGraph.to_dict(wire=True)`);
- or `{"t": "error", "kind": "ConfigError" | "ProgramError" | "PreflightError", "message": "<one line>"}`: the
  engine's own error (the program's file and line, preflight/origin.py), raised again here with its kind.

The gate also refuses an end graph whose resources are not exactly those streamed at registration
(`_Receiver._graph`), and the channel's fd is moved and taken out of `sys.argv` (`_hidden`): both stop only a
careless forgery (review s7, finding 1).

What this does not do: it is not an OS sandbox. The program runs as the gate's user in the child's own process:
it can forge what it hands back (wrap `_Channel.send`, find the pipe in /proc/self/fd), write files (the gate
reads its verdict inputs before the program runs: preflight/program_inputs.py, `preflight.load.preload`), and
reach the gate's process through /proc/<ppid> (its memory, its stdout: the child's own fd 1 goes to stderr, but
the machine-readable report is the `--output-dir` files). README.md, "What the gate trusts".
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import queue
import secrets
import selectors
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

from preflight.errors import ConfigError, PreflightError, ProgramError
from preflight.graph import ResourceGraph, ResourceNode
from preflight.limits import configured_timeout

#: The child's first statement: take the gate's import path (data, argv[1]), then run `child_main`.
_BOOTSTRAP = (
    "import json, sys; sys.path[:] = json.loads(sys.argv[1]); "
    "from preflight.synthesis_child import child_main; child_main(sys.argv[2:])"
)
#: The error kinds the child may name, and what the gate raises for each: a fixed table, nothing looked up.
ERROR_KINDS: Mapping[str, type[PreflightError]] = {
    "PreflightError": PreflightError,
    "ConfigError": ConfigError,
    "ProgramError": ProgramError,
}
#: Seconds the child may take to import the engine before its program starts (not part of the program's limit).
STARTUP_SECONDS = 120.0
#: Seconds past the program's limit before the gate kills the child: the engine's own alarm ends the program
#: first and names its line (preflight/engine.py `_time_limit`); the gate's kill is for a program that
#: ignores it (a `signal.signal(SIGALRM, ...)` of its own, an `except BaseException:`).
GRACE_SECONDS = 3.0
#: Seconds the child may take to exit once it has sent its last message.
EXIT_SECONDS = 30.0
#: Seconds the gate waits for the exit status of a child that closed its channel without a last message.
CLOSED_SECONDS = 2.0
#: The channel's fd in the child is 67 + a random number below this (`_hidden`).
_FD_SPREAD = 512
#: The longest line the gate reads from the child (a graph of 2,000 resources is a few MB).
MAX_LINE = 256 * 1024 * 1024


class ChannelError(PreflightError):
    """The child handed back no complete, well-formed graph: one line, exit code 2."""


# ---------------------------------------------------------------------------------------------------- the child


class _Channel:
    """The child's end of the pipe: whole JSON lines, one writer at a time (RPC threads register in parallel)."""

    def __init__(self, fd: int) -> None:
        self._fd = fd
        self._lock = threading.Lock()
        self.nodes = 0
        self.broken = ""

    def send(self, message: Mapping[str, Any]) -> None:
        data = (json.dumps(message, separators=(",", ":")) + "\n").encode("utf-8")
        with self._lock:
            view = memoryview(data)
            while view:
                view = view[os.write(self._fd, view) :]
            if message.get("t") == "node":
                self.nodes += 1

    def node(self, node: ResourceNode) -> None:
        """`on_register` in the child: must not raise into the program's run (preflight/engine.py)."""
        if self.broken:
            return
        try:
            self.send({"t": "node", "node": node.to_dict(wire=True)})
        except (TypeError, ValueError) as exc:  # a value JSON cannot carry: reported once the run ends
            self.broken = f"{node.urn}: {type(exc).__name__}: {exc}"
        except OSError as exc:
            self.broken = f"the channel to the gate failed: {exc}"


def child_main(argv: Sequence[str]) -> None:
    """Run in the child: `argv` is the channel's fd and the request (JSON); never returns."""
    channel = _Channel(_hidden(int(argv[0])))
    os.set_inheritable(channel._fd, False)  # a process the program starts does not get the channel
    # Anything written to fd 1 (a subprocess, os.write) goes where the engine sends the program's prints: stderr.
    os.dup2(2, 1)
    status = 1
    try:
        request = json.loads(argv[1])
        from preflight.engine import synthesize  # noqa: PLC0415 (the engine only, after the channel is set)

        channel.send({"t": "start"})
        graph = synthesize(
            request["program"],
            request["stack"],
            timeout=request["timeout"],
            organization=request["organization"],
            on_register=channel.node,
        )
        if channel.broken:
            raise PreflightError(f"the program's graph cannot be handed to the gate: {channel.broken}")
        channel.send({"t": "end", "registered": channel.nodes, "graph": graph.to_dict(wire=True)})
        status = 0
    except PreflightError as exc:
        kind = type(exc).__name__ if type(exc).__name__ in ERROR_KINDS else "PreflightError"
        _send_error(channel, kind, str(exc))
    except BaseException as exc:  # whatever it is, the gate gets one line, never a traceback
        lines = str(exc).strip().splitlines()
        _send_error(channel, "PreflightError", f"synthesis failed: {type(exc).__name__}: {lines[0] if lines else ''}")
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    # Not `sys.exit`: the program's atexit handlers and threads must not change or delay what was sent.
    os._exit(status)


def _hidden(fd: int) -> int:
    """The channel moved to an fd of no fixed number, and its number taken out of `sys.argv`/`sys.orig_argv`.

    Only against a sloppy forgery (review s7, finding 1: a program wrote an `end` of 0 resources to
    `int(sys.orig_argv[-2])`): the program shares this process, and can still find the pipe in /proc/self/fd or
    wrap `_Channel.send`. The gate's checks of what arrives (`_Receiver._graph`) are as cheap, and as limited.
    """
    target = 67 + secrets.randbelow(_FD_SPREAD)
    while _is_open(target):  # dup2 would close it
        target = 67 + secrets.randbelow(_FD_SPREAD)
    moved = os.dup2(fd, target, inheritable=False)
    os.close(fd)
    for argv in (sys.argv, getattr(sys, "orig_argv", [])):
        argv[:] = argv[:1]
    return moved


def _is_open(fd: int) -> bool:
    try:
        os.fstat(fd)
    except OSError:
        return False
    return True


def _send_error(channel: _Channel, kind: str, message: str) -> None:
    with contextlib.suppress(OSError, TypeError, ValueError):
        channel.send({"t": "error", "kind": kind, "message": message})


# --------------------------------------------------------------------------------------------------- the parent


def synthesize_in_child(
    program_dir: str | Path,
    stack: str,
    *,
    timeout: float | Literal["configured"] | None = "configured",
    organization: str | None = None,
    on_register: Callable[[ResourceNode], None] | None = None,
) -> ResourceGraph:
    """`preflight.engine.synthesize` in a child process: the same graph, errors and time limit, as data.

    Raises the engine's ConfigError/ProgramError with its message, ProgramError when the program overruns
    `timeout` (the child is killed, with its process group), and ChannelError when the child hands back no
    complete graph (it crashed, was killed, exited early, or wrote something else on the channel).

    Examples
    --------
    >>> graph = synthesize_in_child(".", "dev")
    >>> len(graph.custom_resources) > 0
    True
    """
    limit = configured_timeout() if timeout == "configured" else timeout
    request = {"program": str(program_dir), "stack": stack, "timeout": limit, "organization": organization}
    read_fd, write_fd = os.pipe()
    try:
        command = [sys.executable, "-I", "-c", _BOOTSTRAP, json.dumps(sys.path), str(write_fd), json.dumps(request)]
        process = subprocess.Popen(  # this interpreter, fixed arguments
            command, stdin=subprocess.DEVNULL, pass_fds=(write_fd,), start_new_session=True
        )
    except BaseException:
        os.close(read_fd)
        raise
    finally:
        os.close(write_fd)
    try:
        return _Receiver(
            process, read_fd, program_dir=program_dir, stack=stack, limit=limit, on_register=on_register
        ).run()
    finally:
        os.close(read_fd)
        if process.poll() is None:
            _kill(process)


def _kill(process: subprocess.Popen[bytes]) -> None:
    """End the child and whatever it started (its own process group, `start_new_session`)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def _entry_file(program_dir: str | Path) -> str:
    """The program's entry file, relative to its folder, as the engine names it when a program overruns."""
    from preflight.stackconfig import load_project  # noqa: PLC0415 (only for that one line)

    program = Path(program_dir).resolve()
    try:
        return str(load_project(program).main.relative_to(program))
    except (PreflightError, ValueError):
        return "__main__.py"


class _Receiver:
    """The gate's end: reads and checks the child's messages until its graph is complete, or raises."""

    def __init__(
        self,
        process: subprocess.Popen[bytes],
        fd: int,
        *,
        program_dir: str | Path,
        stack: str,
        limit: float | None,
        on_register: Callable[[ResourceNode], None] | None,
    ) -> None:
        self.process = process
        self.fd = fd
        self.program_dir = program_dir
        self.stack = stack
        self.limit = limit
        self.on_register = on_register
        self.started: float | None = None
        self.spawned = time.monotonic()
        self.nodes = 0
        self.streamed: dict[str, ResourceNode] = {}
        self.graph: ResourceGraph | None = None
        self.error: PreflightError | None = None

    def _deadline(self) -> float | None:
        if self.limit is None:
            return None
        if self.started is None:
            return self.spawned + STARTUP_SECONDS + self.limit
        return self.started + self.limit + GRACE_SECONDS

    def _overrun(self) -> ProgramError:
        _kill(self.process)
        return ProgramError(
            f"{_entry_file(self.program_dir)}: program did not finish within {self.limit:g} s "
            "(set --timeout to allow longer)"
        )

    def run(self) -> ResourceGraph:
        relay = _Relay(self.on_register) if self.on_register is not None else None
        try:
            self._read(relay)
            if relay is not None:
                relay.close()
        finally:
            if relay is not None:
                relay.abandon()
        return self._finish()

    def _read(self, relay: _Relay | None) -> None:
        pending: list[bytes] = []  # the start of a line still to come (a graph is many reads long)
        size = 0
        with selectors.DefaultSelector() as selector:
            selector.register(self.fd, selectors.EVENT_READ)
            while True:
                deadline = self._deadline()
                wait = None if deadline is None else max(0.0, deadline - time.monotonic())
                if not selector.select(wait):
                    raise self._overrun()
                chunk = os.read(self.fd, 1 << 20)
                if not chunk:
                    break
                if b"\n" not in chunk:
                    pending.append(chunk)
                    size += len(chunk)
                    if size > MAX_LINE:
                        raise self._malformed(f"a message longer than {MAX_LINE} bytes")
                    continue
                *lines, rest = b"".join([*pending, chunk]).split(b"\n")
                pending, size = ([rest], len(rest)) if rest else ([], 0)
                for line in lines:
                    node = self._message(line)
                    if node is not None and relay is not None:
                        relay.put(node)
        if pending:
            raise self._malformed("a message cut off (no newline at the end)")

    def _finish(self) -> ResourceGraph:
        # After its last message the child exits at once (`os._exit`); without one, nothing more can come.
        last = self.graph is not None or self.error is not None
        try:
            status = self.process.wait(EXIT_SECONDS if last else CLOSED_SECONDS)
        except subprocess.TimeoutExpired:
            _kill(self.process)
            raise self._failed("closed its channel and did not exit") from None
        if self.error is not None:
            raise self.error
        if status < 0:
            raise self._failed(f"was killed by {_signal_name(-status)}")
        if self.graph is None:
            raise self._failed(f"exited with status {status} without handing back its graph")
        if status != 0:
            raise self._failed(f"exited with status {status} after handing back its graph")
        return self.graph

    def _failed(self, what: str) -> ChannelError:
        return ChannelError(f"{self.program_dir}: the program's synthesis process {what} (nothing was judged)")

    def _malformed(self, what: str) -> ChannelError:
        _kill(self.process)
        return ChannelError(f"{self.program_dir}: the program's synthesis process sent {what} (nothing was judged)")

    def _message(self, line: bytes) -> ResourceNode | None:
        """Check one message and record it; a registered resource is returned, for `on_register`."""
        try:
            message = json.loads(line)
        except (UnicodeDecodeError, ValueError):
            raise self._malformed("a line that is not JSON") from None
        kind = message.get("t") if isinstance(message, dict) else None
        if self.graph is not None or self.error is not None:
            raise self._malformed(f"a message after its last one ({kind!r})")
        if kind == "start" and self.started is None:
            self.started = time.monotonic()
        elif kind == "node" and self.started is not None:
            try:
                node = _node(message.get("node"), "node")
            except _ShapeError as exc:
                raise self._malformed(f"a malformed resource ({exc})") from None
            if node.urn in self.streamed:
                raise self._malformed(f"a resource twice ({node.urn})")
            self.streamed[node.urn] = node
            self.nodes += 1
            return node
        elif kind == "end" and self.started is not None:
            self.graph = self._graph(message)
        elif kind == "error":
            self.error = _error(message)
        else:
            raise self._malformed(f"an unexpected message ({kind!r})")
        return None

    def _graph(self, message: Mapping[str, Any]) -> ResourceGraph:
        try:
            graph = _graph(message.get("graph"))
        except _ShapeError as exc:
            raise self._malformed(f"a malformed graph ({exc})") from None
        registered = message.get("registered")
        if registered != self.nodes or len(graph.resources) != self.nodes:
            raise self._malformed(
                f"a graph of {len(graph.resources)} resources after {self.nodes} registrations (it said {registered!r})"
            )
        if graph.stack != self.stack or graph.source != "program":
            raise self._malformed(f"a graph of stack {graph.stack!r} from {graph.source!r}, not of {self.stack!r}")
        # Each resource as it was streamed at its registration (preflight/engine.py RegisterResource) is in the
        # graph unchanged, and nothing else is: the engine's `_stable_order` only reorders and names the default
        # provider (`_with_default_provider`). Only a sloppy forgery fails this (review s7, finding 1).
        for node in graph.resources:
            sent = self.streamed.get(node.urn)
            if sent is None or (node if sent.provider else dataclasses.replace(node, provider="")) != sent:
                raise self._malformed(f"a graph whose resource {node.urn} differs from the one it registered")
        return graph


class _Relay:
    """Calls `on_register` on a thread of its own, in order: while it works (the checkov stream exports a part of
    the plan, importing the SDK's modules for it) the gate keeps reading, so the child never waits on a full pipe."""

    _END = object()

    def __init__(self, on_register: Callable[[ResourceNode], None]) -> None:
        self._on_register = on_register
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="preflight-on-register", daemon=True)
        self._thread.start()

    def put(self, node: ResourceNode) -> None:
        self._queue.put(node)

    def _run(self) -> None:
        while (node := self._queue.get()) is not self._END:
            if self._error is None:
                try:
                    self._on_register(node)
                except BaseException as exc:  # raised in the gate's thread, by close()
                    self._error = exc

    def close(self) -> None:
        """Wait until every resource was handed over; raise what `on_register` raised."""
        self._queue.put(self._END)
        self._thread.join()
        if self._error is not None:
            raise self._error

    def abandon(self) -> None:
        """Stop the thread after a failure (the graph is refused; what it still hands over does not matter)."""
        if self._thread.is_alive():
            self._error = self._error or ChannelError("abandoned")
            self._queue.put(self._END)


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def _error(message: Mapping[str, Any]) -> PreflightError:
    """The engine's one-line error, raised again with its kind (an unknown kind is a plain PreflightError)."""
    text = message.get("message")
    if not isinstance(text, str) or not text.strip():
        return ChannelError("the program's synthesis process sent an error without a message (nothing was judged)")
    kind = message.get("kind")
    error_type = ERROR_KINDS.get(kind, PreflightError) if isinstance(kind, str) else PreflightError
    return error_type(text.strip().splitlines()[0])


class _ShapeError(Exception):
    """What is wrong with the shape of a message (the caller names the child and kills it)."""


_NODE_STRINGS = ("urn", "type", "name", "parent", "provider", "id")


def _node(data: Any, where: str) -> ResourceNode:
    """A ResourceNode from the child's data, every field of the type `ResourceNode.to_dict(wire=True)` writes."""
    if not isinstance(data, dict):
        raise _ShapeError(f"{where} is not an object")
    for key in _NODE_STRINGS:
        if not isinstance(data.get(key), str):
            raise _ShapeError(f"{where}.{key} is not a string")
    for key in ("custom", "protect"):
        if not isinstance(data.get(key), bool):
            raise _ShapeError(f"{where}.{key} is not a boolean")
    for key in ("inputs", "outputs"):
        if not isinstance(data.get(key), dict):
            raise _ShapeError(f"{where}.{key} is not an object")
    for key in ("secret_inputs", "secret_outputs"):
        if not isinstance(data.get(key), dict | None):
            raise _ShapeError(f"{where}.{key} is neither an object nor null")
    _strings(data.get("dependencies"), f"{where}.dependencies")
    deps = data.get("property_dependencies")
    if not isinstance(deps, dict):
        raise _ShapeError(f"{where}.property_dependencies is not an object")
    for key, urns in deps.items():
        _strings(urns, f"{where}.property_dependencies.{key}")
    return ResourceNode.from_dict(data, wire=True)


def _strings(value: Any, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _ShapeError(f"{where} is not a list of strings")
    return value


def _graph(data: Any) -> ResourceGraph:
    """A ResourceGraph from the child's data (`ResourceGraph.to_dict(wire=True)`), its shape checked throughout."""
    if not isinstance(data, dict):
        raise _ShapeError("the graph is not an object")
    for key in ("project", "stack", "source"):
        if not isinstance(data.get(key), str):
            raise _ShapeError(f"{key} is not a string")
    if not isinstance(data.get("config"), dict):
        raise _ShapeError("config is not an object")
    for key in ("resources", "reads"):
        items = data.get(key, [])
        if not isinstance(items, list):
            raise _ShapeError(f"{key} is not a list")
        for index, item in enumerate(items):
            _node(item, f"{key}[{index}]")
    _strings(data.get("remote_components", []), "remote_components")
    _strings(data.get("notes", []), "notes")
    invented = data.get("invented", {})
    if not isinstance(invented, dict) or not all(isinstance(v, str) for v in invented.values()):
        raise _ShapeError("invented is not an object of strings")
    _unrun_applies(data.get("unrun_applies", []))
    return ResourceGraph.from_dict(data, wire=True)


def _unrun_applies(applies: Any) -> None:
    """The shape of the graph's `unrun_applies` (preflight.graph.UnrunApply.to_dict)."""
    if not isinstance(applies, list):
        raise _ShapeError("unrun_applies is not a list")
    for index, item in enumerate(applies):
        where = f"unrun_applies[{index}]"
        if not isinstance(item, dict) or not isinstance(item.get("at"), str):
            raise _ShapeError(f"{where}.at is not a string")
        count = item.get("count")
        if not isinstance(count, int) or isinstance(count, bool) or count < 1:
            raise _ShapeError(f"{where}.count is not a positive integer")
        _strings(item.get("sources", []), f"{where}.sources")
