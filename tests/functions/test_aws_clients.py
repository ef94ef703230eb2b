"""functions.shared.aws creates clients one at a time: botocore sessions are not thread-safe, and the
concurrency suite (tests/functions/test_concurrency.py) runs handlers on threads of one process."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from functions.shared import aws


class _RecordingSession:
    """A stand-in session that records how many `create_client` calls overlap."""

    def __init__(self) -> None:
        self.inside = 0
        self.most = 0
        self.calls = 0
        self._count = threading.Lock()

    def create_client(self, service_name: str, **_: Any) -> object:
        with self._count:
            self.inside += 1
            self.calls += 1
            self.most = max(self.most, self.inside)
        time.sleep(0.02)  # long enough for every other thread to arrive while this one is inside
        with self._count:
            self.inside -= 1
        return object()


def test_clients_are_created_one_at_a_time_across_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    session = _RecordingSession()
    monkeypatch.setattr(aws, "_session", lambda: session)
    start = threading.Barrier(8)

    def create(index: int) -> None:
        start.wait()
        aws._create(f"service-{index}")

    threads = [threading.Thread(target=create, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert session.calls == 8
    assert session.most == 1
