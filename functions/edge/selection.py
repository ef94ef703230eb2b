"""Which variant a viewer gets: country header, Accept-Language and the segment cookie (pure).

CloudFront passes viewer facts to the origin-request function as lower-cased header lists
(`{"name": {"key": ..., "value": ...}}` structure of the Lambda@Edge event, CloudFront Developer Guide
"Lambda@Edge event structure"); `cloudfront-viewer-country` is one of CloudFront's own headers, present
when the cache or origin request policy includes it ("Add CloudFront request headers").
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from functions.edge.contract import DEFAULT_SEGMENT, ContractError, VariantKey

UNKNOWN_COUNTRY = "XX"
COUNTRY_HEADER = "cloudfront-viewer-country"
_LANGUAGE_RANGE = re.compile(r"^\s*([A-Za-z]{2,3})(?:-[A-Za-z0-9]{1,8})*\s*(?:;\s*q\s*=\s*([01](?:\.\d{0,3})?))?\s*$")
_PAGE_SUFFIX = ".html"


@dataclass(frozen=True)
class SelectionConfig:
    """What the edge may personalise; everything else gets the default (bounded cache key space)."""

    languages: Sequence[str] = ("en",)
    countries: Sequence[str] = ()
    segments: Sequence[str] = (DEFAULT_SEGMENT,)
    segment_cookie: str = "segment"
    default_language: str = "en"
    #: The page served when a variant is missing; per page, `<page>.html` at the bucket root.
    default_suffix: str = _PAGE_SUFFIX

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> SelectionConfig:
        return cls(
            languages=tuple(data.get("languages", ("en",))),
            countries=tuple(data.get("countries", ())),
            segments=tuple(data.get("segments", (DEFAULT_SEGMENT,))),
            segment_cookie=str(data.get("segment_cookie", "segment")),
            default_language=str(data.get("default_language", "en")),
        )


@dataclass(frozen=True)
class Viewer:
    """The request facts selection reads, lifted from a CloudFront request."""

    uri: str
    headers: Mapping[str, str] = field(default_factory=dict)
    cookies: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_request(cls, request: Mapping[str, Any]) -> Viewer:
        raw = request.get("headers") or {}
        headers = {name.lower(): str(entries[0].get("value", "")) for name, entries in raw.items() if entries}
        cookies: dict[str, str] = {}
        for entry in raw.get("cookie", []):
            for part in str(entry.get("value", "")).split(";"):
                name, sep, value = part.strip().partition("=")
                if sep and name and name not in cookies:
                    cookies[name] = value
        return cls(uri=str(request.get("uri", "/")), headers=headers, cookies=cookies)


def page_of(uri: str) -> str | None:
    """`/` -> `index`, `/offers/summer.html` -> `offers/summer`; None when the path is not a personalisable page."""
    path = uri.split("?", 1)[0].strip("/")
    if not path:
        return "index"
    if path.endswith(_PAGE_SUFFIX):
        path = path[: -len(_PAGE_SUFFIX)]
    elif "." in path.rsplit("/", 1)[-1]:
        return None  # assets (css, js, images) are never personalised
    try:
        VariantKey(page=path, country=UNKNOWN_COUNTRY, language="en", segment=DEFAULT_SEGMENT)
    except ContractError:
        return None
    return path


def language_of(accept_language: str, config: SelectionConfig) -> str:
    """The supported primary language the viewer prefers most (RFC 9110 quality values), else the default."""
    best, best_q = config.default_language, 0.0
    for position, item in enumerate(accept_language.split(",")[:16]):
        match = _LANGUAGE_RANGE.match(item)
        if not match:
            continue
        language = match.group(1).lower()
        quality = float(match.group(2)) if match.group(2) else 1.0
        # Earlier entries win ties, as listed order expresses preference among equal q values.
        score = quality - position * 1e-6
        if language in config.languages and quality > 0 and score > best_q:
            best, best_q = language, score
    return best


def choose(viewer: Viewer, config: SelectionConfig) -> VariantKey | None:
    """The variant for this viewer, or None when the request is not for a personalisable page."""
    page = page_of(viewer.uri)
    if page is None:
        return None
    country = viewer.headers.get(COUNTRY_HEADER, "").upper()
    if country not in config.countries:
        country = UNKNOWN_COUNTRY
    segment = viewer.cookies.get(config.segment_cookie, "").lower()
    if segment not in config.segments:
        segment = DEFAULT_SEGMENT
    language = language_of(viewer.headers.get("accept-language", ""), config)
    return VariantKey(page=page, country=country, language=language, segment=segment)
