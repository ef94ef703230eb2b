"""The HTTP request body ``ingest`` accepts, and the internal command it turns into."""

from __future__ import annotations

import json
import re
import uuid

from pydantic import BaseModel, ConfigDict, Field

from functions.shared.events import CONNECTION_ID_PATTERN

IDEMPOTENCY_KEY_PATTERN = r"^[A-Za-z0-9_-]{1,128}$"
#: Namespace of deterministic request ids (uuid5); any fixed UUID works, this one is the platform's own.
REQUEST_NAMESPACE = uuid.UUID("0b9a3f52-6f8e-4d55-9a51-7c1f2e4d8a60")
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class IngestRequest(BaseModel):
    """``POST`` body: ``{"prompt": "...", "connection_id": "..."?}``; types are strict, extra keys rejected."""

    # Built on first use (functions.shared.events._CONTRACT says why): the actions handler imports this module
    # for normalise_prompt and never validates either model.
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, defer_build=True)

    prompt: str = Field(min_length=1)
    connection_id: str | None = Field(default=None, pattern=CONNECTION_ID_PATTERN)


class IngestCommand(BaseModel):
    """What ``ingest`` acts on once the HTTP layer is peeled off (the idempotent unit of work)."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    prompt: str
    connection_id: str | None = None
    idempotency_key: str | None = Field(default=None, pattern=IDEMPOTENCY_KEY_PATTERN)
    subject: str = Field(default="", description="The caller (JWT ``sub``); scopes the idempotency key.")

    def request_id(self) -> str:
        """A request id derived from the caller, the key and the whole request (same request -> same id).

        Examples
        --------
        >>> a = IngestCommand(prompt="p", idempotency_key="k", subject="alice")
        >>> a.request_id() == IngestCommand(prompt="p", idempotency_key="k", subject="alice").request_id()
        True
        >>> a.request_id() == IngestCommand(prompt="p", idempotency_key="k", subject="bob").request_id()
        False
        """
        material = json.dumps([self.subject, self.idempotency_key, self.prompt, self.connection_id])
        return str(uuid.uuid5(REQUEST_NAMESPACE, material))


def normalise_prompt(prompt: str) -> str:
    """Drop C0 control characters (except tab/newline/CR) and DEL, then trim surrounding whitespace."""
    return _CONTROL_CHARS.sub("", prompt).strip()
