"""Hand checkov parts of the Terraform plan while the program is still being synthesised.

Under the engine a resource's inputs are final when it registers, and the outputs it depends on were
fabricated when those resources registered, so its part of the plan can be exported at once. Every
`CHUNK` resources the stream exports the newest ones (preflight.tfplan `graph_to_tfplan(..., only=...)`)
into a file of their own and tells the warm checkov worker (preflight/checkov_worker.py), which runs its
per-resource checks on them on the machine's other core. The whole plan is still exported and scanned at
the end; the worker reuses a part's results only for a resource whose parsed configuration is the same in
the whole plan, so the findings are those of one scan (tests/preflight/test_checkov_stream.py). Anything that
goes wrong here only stops the streaming: the whole scan at the end does not depend on it.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from preflight.graph import ResourceGraph, ResourceNode
from preflight.tfplan import graph_to_tfplan

#: Resources per part: enough that parsing a part costs little beside its checks, few enough that the
#: worker starts early (the gate's small programs, under one part, are scanned at the end only).
CHUNK = 25


class PlanStream:
    """Collects resources as they register and sends the worker a part of the plan every `chunk` of them.

    `send` writes one message to the worker and returns False when it can take no more (it ended).
    `scanned_file` is the name checkov will report the whole plan under (`/tfplan.json`): the parts are
    checked under the same name, so that their results can stand for the whole scan's.
    """

    def __init__(
        self, send: Callable[[dict[str, Any]], bool], folder: Path, scanned_file: str, *, chunk: int = CHUNK
    ) -> None:
        self._send = send
        self._folder = folder
        self._scanned_file = scanned_file
        self._chunk = chunk
        self._lock = threading.Lock()
        self._nodes: list[ResourceNode] = []
        self._new: list[str] = []
        self.parts = 0
        self.stopped = False

    def add(self, node: ResourceNode) -> None:
        """One registered resource (called on the SDK's RPC thread; never raises into the program's run)."""
        with self._lock:
            if self.stopped:
                return
            self._nodes.append(node.judged())  # the plaintext, as the whole scan judges it (start_checkov)
            if node.custom:
                self._new.append(node.urn)
            if len(self._new) >= self._chunk:
                try:
                    self._send_part()
                except Exception:  # streaming is an optimisation: the whole scan still runs
                    self.stopped = True

    def _send_part(self) -> None:
        graph = ResourceGraph(project="", stack="", resources=list(self._nodes))
        plan = graph_to_tfplan(graph, only=set(self._new))
        self._new = []
        if not plan.addresses:
            return
        part = self._folder / f"part{self.parts:04d}.json"
        part.write_text(json.dumps(plan.plan), encoding="utf-8")
        self.parts += 1
        if not self._send({"chunk": str(part), "scanned_file": self._scanned_file}):
            self.stopped = True

    def stop(self) -> None:
        """No more parts (the program ended): what is left is scanned with the whole plan."""
        with self._lock:
            self.stopped = True
