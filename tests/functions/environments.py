"""Test-only shims that let handler invocations run concurrently in one process, as separate Lambda execution
environments would (review F4b): what Powertools keeps process-wide becomes per thread, one thread being one
invocation in its own environment.

- Metrics: every ``Metrics`` instance shares class-level dicts (``Metrics._metrics``, ``_dimensions``,
  ``_metadata``: aws_lambda_powertools 3.37.0 metrics/metrics.py) that its EMF provider fills and clears on
  each flush (provider/cloudwatch_emf/cloudwatch.py ``flush_metrics``): one thread's flush would empty another's
  metric set ("Must contain at least one metric").
- Idempotency: ``@idempotent`` and ``effects.register_lambda_context`` store the invocation's context on the
  module-wide ``IdempotencyConfig`` (``register_lambda_context``), whose remaining time is each in-progress
  record's expiry: another thread's context would give this invocation's records the wrong expiry.

And a counter of the in-progress records invocations met (``IdempotencyAlreadyInProgressError``), so a suite
can prove that invocations of one request did overlap.
"""

from __future__ import annotations

import threading
from collections import Counter, UserDict, UserList
from typing import Any

import pytest
from aws_lambda_powertools.metrics import Metrics
from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig
from aws_lambda_powertools.utilities.idempotency.base import IdempotencyHandler
from aws_lambda_powertools.utilities.idempotency.exceptions import IdempotencyAlreadyInProgressError


class PerThreadDict(UserDict[str, Any]):
    """A dict whose contents are the current thread's (``UserDict`` reads and writes through ``data``)."""

    def __init__(self) -> None:  # no super().__init__: it would assign ``data``
        self._local = threading.local()

    @property  # type: ignore[override]
    def data(self) -> dict[str, Any]:
        if not hasattr(self._local, "data"):
            self._local.data = {}
        found: dict[str, Any] = self._local.data
        return found


class PerThreadList(UserList[Any]):
    """A list whose contents are the current thread's."""

    def __init__(self) -> None:
        self._local = threading.local()

    @property  # type: ignore[override]
    def data(self) -> list[Any]:
        if not hasattr(self._local, "data"):
            self._local.data = []
        found: list[Any] = self._local.data
        return found


class PerThreadAttribute:
    """A data descriptor: each thread sees its own value of the attribute on each instance."""

    def __init__(self) -> None:
        self._local = threading.local()

    def __get__(self, instance: object, owner: type | None = None) -> Any:
        if instance is None:
            return self
        return getattr(self._local, str(id(instance)), None)

    def __set__(self, instance: object, value: Any) -> None:
        setattr(self._local, str(id(instance)), value)


def per_thread_metrics(monkeypatch: pytest.MonkeyPatch, *instances: Metrics) -> None:
    """Give ``instances`` (every handler's ``Metrics``) per-thread metric, dimension and metadata sets, still
    shared between instances within a thread, as Powertools shares them within one environment."""
    metric_set, dimension_set, metadata_set = PerThreadDict(), PerThreadDict(), PerThreadDict()
    for metrics in instances:
        for owner in (metrics, metrics.provider):
            monkeypatch.setattr(owner, "metric_set", metric_set)
            monkeypatch.setattr(owner, "dimension_set", dimension_set)
            monkeypatch.setattr(owner, "metadata_set", metadata_set)
        monkeypatch.setattr(metrics.provider, "dimension_sets", PerThreadList())


def per_thread_lambda_context(monkeypatch: pytest.MonkeyPatch) -> None:
    """``IdempotencyConfig.lambda_context`` per thread (configs are built at import, shared by every thread)."""
    monkeypatch.setattr(IdempotencyConfig, "lambda_context", PerThreadAttribute(), raising=False)


def count_in_progress(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """Count, by idempotency key prefix (the function), every in-progress record an invocation met."""
    met: Counter[str] = Counter()
    lock = threading.Lock()
    original = IdempotencyHandler._handle_for_status

    def handle_for_status(self: IdempotencyHandler, data_record: Any) -> Any:
        try:
            return original(self, data_record)
        except IdempotencyAlreadyInProgressError:
            with lock:
                met[str(data_record.idempotency_key).split("#", 1)[0]] += 1
            raise

    monkeypatch.setattr(IdempotencyHandler, "_handle_for_status", handle_for_status)
    return met
