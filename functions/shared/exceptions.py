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
