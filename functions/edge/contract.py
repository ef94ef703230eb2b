"""The one event the edge sends to the core: `VariantRequested` (standard library only).

Shared by both sides: the Lambda@Edge function builds it (`functions.edge.handler`) and the core's
variant writer parses it (`functions.variants.handler`), so the two cannot drift. The edge puts it on the
platform bus with its own source, `agentic.edge`, and its role may put nothing else there (the IAM
condition keys `events:source` and `events:detail-type`, P075: the edge never calls a model itself).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

EDGE_EVENT_SOURCE: Final = "agentic.edge"
VARIANT_REQUESTED: Final = "VariantRequested"
SCHEMA_VERSION: Final = "1"
#: Where generated variants live in the content bucket; the lifecycle rule expires objects under it.
VARIANTS_PREFIX: Final = "variants/"
DEFAULT_SEGMENT: Final = "default"

_PAGE = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}(/[a-z0-9][a-z0-9-]{0,62}){0,3}$")
_COUNTRY = re.compile(r"^([A-Z]{2}|XX)$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}$")
_SEGMENT = re.compile(r"^[a-z0-9][a-z0-9-]{0,31}$")
_FIELDS = frozenset({"schema_version", "page", "country", "language", "segment", "requested_at"})


class ContractError(ValueError):
    """A `VariantRequested` detail that does not follow the contract."""


@dataclass(frozen=True, slots=True)
class VariantKey:
    """Which variant of which page: a page path, an ISO 3166 country, a language subtag and a segment."""

    page: str
    country: str
    language: str
    segment: str

    def __post_init__(self) -> None:
        for name, pattern in (("page", _PAGE), ("country", _COUNTRY), ("language", _LANGUAGE), ("segment", _SEGMENT)):
            value = getattr(self, name)
            if not isinstance(value, str) or not pattern.match(value):
                raise ContractError(f"{name}: {value!r} does not match {pattern.pattern}")

    @property
    def object_key(self) -> str:
        """The S3 key the core writes and the edge reads (`variants/<page>/<country>-<language>-<segment>.html`)."""
        return f"{VARIANTS_PREFIX}{self.page}/{self.country}-{self.language}-{self.segment}.html"


@dataclass(frozen=True, slots=True)
class VariantRequested:
    """The edge served the default for `key` and asks the core to generate the variant."""

    key: VariantKey
    requested_at: datetime

    def detail(self) -> dict[str, str]:
        return {
            "schema_version": SCHEMA_VERSION,
            "page": self.key.page,
            "country": self.key.country,
            "language": self.key.language,
            "segment": self.key.segment,
            "requested_at": self.requested_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        }

    def to_entry(self, event_bus_name: str) -> dict[str, str]:
        """One `PutEvents` entry (field names from botocore `events` `PutEventsRequestEntry`)."""
        import json  # noqa: PLC0415 (keeps the module's import surface minimal for the edge)

        return {
            "Source": EDGE_EVENT_SOURCE,
            "DetailType": VARIANT_REQUESTED,
            "Detail": json.dumps(self.detail(), sort_keys=True),
            "EventBusName": event_bus_name,
        }

    @classmethod
    def from_detail(cls, detail: Mapping[str, Any]) -> VariantRequested:
        """Parse an event's `detail` strictly: exactly the contract's fields, each valid.

        Raises
        ------
        ContractError
            Unknown or missing fields, another schema version, or an invalid value.
        """
        if not isinstance(detail, Mapping):
            raise ContractError("detail must be an object")
        keys = set(detail)
        if keys != _FIELDS:
            raise ContractError(f"fields {sorted(keys ^ _FIELDS)} are missing or unexpected")
        if detail["schema_version"] != SCHEMA_VERSION:
            raise ContractError(f"schema_version {detail['schema_version']!r} is not {SCHEMA_VERSION!r}")
        raw_time = detail["requested_at"]
        try:
            requested_at = datetime.strptime(str(raw_time), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        except ValueError:
            raise ContractError(f"requested_at: {raw_time!r} is not YYYY-MM-DDTHH:MM:SSZ") from None
        key = VariantKey(
            page=detail["page"], country=detail["country"], language=detail["language"], segment=detail["segment"]
        )
        return cls(key=key, requested_at=requested_at)
