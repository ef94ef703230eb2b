"""One cold start, in its own process: import a handler, then invoke it once (run by `bench/cold_start.py`).

Both wall-clock and CPU time (`time.process_time`, this process only) are recorded: on a shared machine
the CPU time is the steadier figure, and a cold start is CPU-bound (no network here). Only the standard
library is imported before the clocks start, so the import time is the handler's own.
`sys.path` starts with the function's deployment package, extracted (`.py` only, no `__pycache__`, written
nowhere: Lambda's `/var/task` is read-only, so the package's modules are compiled on every cold start, as
here), and a finder refuses what the package must never need (the tooling, PyYAML). AWS is answered at
the HTTP layer (`URLLib3Session.send`, patched after the import and before the invocation), so botocore
serialises, signs and parses every call as it would against AWS, without a network.

Every SDK client the handler creates is timed on its own (`_ClientClock`: botocore's
`Session.create_client`, wrapped when `botocore.session` is first imported, so nothing of botocore is imported
before the clocks start): its service, whether import or invocation created it, and its CPU and wall-clock
ms. A client loads its service model and endpoint rule set, and the first one also botocore's partitions and
endpoint data: work the floor never does, reported apart so that the handler's own cost can be told from it.

Usage: `python cold_start_child.py SPEC.json RESULT.json`; the spec names the package directory, the
module and function of the handler, the event, the canned responses and the forbidden top-level modules.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import io
import json
import sys
import time
from collections.abc import Iterator, Sequence
from typing import Any


class _Refuse(importlib.abc.MetaPathFinder):
    """Fails the import of any forbidden top-level module (the tooling is installed here, not in Lambda)."""

    def __init__(self, names: Sequence[str]) -> None:
        self.names = frozenset(names)

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> None:
        if fullname.partition(".")[0] in self.names:
            raise ModuleNotFoundError(f"{fullname} is not in the deployment package", name=fullname)


class _ClientClock(importlib.abc.MetaPathFinder):
    """Times each `botocore.session.Session.create_client` call (boto3's clients are made by it too).

    Installed before the import; it wraps `Session.create_client` right after `botocore.session` executes, so
    it adds one `find_spec` call per import and imports nothing itself. Nested creations (none in botocore
    today) count once, in the outermost call.
    """

    MODULE = "botocore.session"

    def __init__(self) -> None:
        self.phase = "import"
        self.created: list[dict[str, Any]] = []
        self._depth = 0

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> Any:
        if fullname != self.MODULE:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or spec.loader is None:
            return spec
        execute = spec.loader.exec_module

        def exec_module(module: Any) -> None:
            execute(module)
            self._wrap(module.Session)

        spec.loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec

    def _wrap(self, session_class: Any) -> None:
        create_client = session_class.create_client

        def timed(session: Any, service_name: str, *args: Any, **kwargs: Any) -> Any:
            if self._depth:
                return create_client(session, service_name, *args, **kwargs)
            self._depth += 1
            wall, cpu = time.perf_counter(), time.process_time()
            try:
                return create_client(session, service_name, *args, **kwargs)
            finally:
                self._depth -= 1
                self.created.append(
                    {
                        "service": service_name,
                        "phase": self.phase,
                        "wall_ms": (time.perf_counter() - wall) * 1000,
                        "cpu_ms": (time.process_time() - cpu) * 1000,
                    }
                )

        session_class.create_client = timed


class _Context:
    """The attributes of Lambda's context object that Powertools reads."""

    function_name = "bench"
    function_version = "$LATEST"
    memory_limit_in_mb = 256
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:bench"
    aws_request_id = "00000000-0000-4000-8000-000000000000"
    log_group_name = "/aws/lambda/bench"
    log_stream_name = "bench"

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


class _Raw(io.BytesIO):
    """A urllib3 response body as botocore reads it: `stream()` for parsed bodies, `read()` for streaming ones."""

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self.getvalue()


def _answer_http(responses: list[dict[str, Any]]) -> None:
    """Answer every SDK request from `responses` (first rule whose `url`/`target` substrings match)."""
    from botocore.awsrequest import AWSResponse  # noqa: PLC0415
    from botocore.httpsession import URLLib3Session  # noqa: PLC0415

    def send(_self: Any, request: Any) -> AWSResponse:
        target = request.headers.get("X-Amz-Target", b"")
        target = target.decode() if isinstance(target, bytes) else str(target)
        for rule in responses:
            method = rule.get("method", request.method)
            if method == request.method and rule.get("url", "") in request.url and rule.get("target", "") in target:
                body = str(rule.get("body", "{}")).encode()
                return AWSResponse(request.url, int(rule.get("status", 200)), rule.get("headers", {}), _Raw(body))
        raise AssertionError(f"no canned response for {request.method} {request.url} {target}")

    URLLib3Session.send = send


def main(spec_file: str, result_file: str) -> None:
    with open(spec_file, encoding="utf-8") as handle:  # noqa: PTH123 (pathlib is not imported yet on purpose)
        spec = json.load(handle)
    sys.path.insert(0, spec["package_dir"])
    sys.meta_path.insert(0, _Refuse(spec["forbidden"]))
    clients = _ClientClock()
    sys.meta_path.insert(0, clients)

    clocks = (time.perf_counter, time.process_time)
    start = [clock() for clock in clocks]
    module = importlib.import_module(spec["module"])
    imported = [clock() for clock in clocks]

    _answer_http(spec["responses"])
    handler = getattr(module, spec["function"])
    clients.phase = "invoke"
    before = [clock() for clock in clocks]
    result = handler(spec["event"], _Context())
    invoked = [clock() for clock in clocks]

    figures = {
        f"{phase}_{kind}_ms": (end[i] - begin[i]) * 1000
        for phase, begin, end in (("import", start, imported), ("invoke", before, invoked))
        for i, kind in enumerate(("wall", "cpu"))
    }
    patcher = sys.modules.get("aws_xray_sdk.core.patcher")  # what the Tracer patched (read after the clocks)
    patched = sorted(getattr(patcher, "_PATCHED_MODULES", ()))
    # Where the handlers' clients read botocore's data: the package's pruned copy, or None (botocore's own only).
    aws = sys.modules.get("functions.shared.aws")
    session = aws._session() if aws is not None and aws._session.cache_info().currsize else None
    pruned_data = getattr(session.get_component("data_loader"), "packaged_path", None) if session else None
    with open(result_file, "w", encoding="utf-8") as handle:  # noqa: PTH123
        # `modules`: everything the cold start imported (tests check what a handler does not import).
        found = {"clients": clients.created, "result": result, "patched": patched, "modules": sorted(sys.modules)}
        found["pruned_data"] = pruned_data
        json.dump({**figures, **found}, handle, default=str)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
