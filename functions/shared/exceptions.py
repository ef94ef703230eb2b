"""Exceptions raised by the runtime. Anything not caught on purpose propagates so that the
invocation fails and the event lands in the DLQ (never swallowed)."""

from __future__ import annotations


class PlatformError(Exception):
    """Base class of every error raised on purpose by ``functions``."""


class ConfigurationError(PlatformError):
    """An environment variable is missing or invalid (a deploy bug: fail fast)."""


class PromptError(PlatformError):
    """A prompt template is invalid, missing, or rendered with the wrong variables."""


class EventPublishError(PlatformError):
    """EventBridge rejected at least one entry of a ``PutEvents`` call."""


class FailurePathOwnsOutcomeError(PlatformError):
    """The workflow's failure path already escalated the request and has not yet sent all it must: ``decide``
    leaves the outcome to it (not retried, components/workflow.py ``NON_RETRYABLE_ERRORS``), so this execution's
    failure path sends what is missing and the user never gets a second, different outcome."""
