"""Telemetry buffered on disk while the device is offline (P078), sent in order when it reconnects.

SQLite (standard library) survives restarts and power loss; the buffer is bounded, dropping the oldest
readings first, so a long outage cannot fill the device's storage.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any


class TelemetryBuffer:
    """A bounded, durable FIFO of JSON records."""

    def __init__(self, path: Path, capacity: int = 10_000) -> None:
        if capacity < 1:
            raise ValueError("capacity must be positive")
        self.capacity = capacity
        self._db = sqlite3.connect(str(path))
        self._db.execute("CREATE TABLE IF NOT EXISTS records (id INTEGER PRIMARY KEY AUTOINCREMENT, body TEXT)")
        self._db.commit()

    def __len__(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM records").fetchone()[0])

    def append(self, record: Mapping[str, Any]) -> None:
        with self._db:
            self._db.execute("INSERT INTO records (body) VALUES (?)", (json.dumps(record, sort_keys=True),))
            overflow = len(self) - self.capacity
            if overflow > 0:
                self._db.execute(
                    "DELETE FROM records WHERE id IN (SELECT id FROM records ORDER BY id LIMIT ?)", (overflow,)
                )

    def drain(self, send: Callable[[dict[str, Any]], None], batch: int = 100) -> int:
        """Send records oldest first; stop at the first failure (kept for the next try). Returns how many were sent."""
        sent = 0
        rows = self._db.execute("SELECT id, body FROM records ORDER BY id LIMIT ?", (batch,)).fetchall()
        for row_id, body in rows:
            try:
                send(json.loads(body))
            except Exception:  # offline again: keep this record and everything after it
                break
            with self._db:
                self._db.execute("DELETE FROM records WHERE id = ?", (row_id,))
            sent += 1
        return sent

    def close(self) -> None:
        self._db.close()
