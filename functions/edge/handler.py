"""Lambda@Edge origin-request handler: serve the viewer's variant if it exists, else the default and ask.

Runs only on a cache miss (origin request), so its S3 look-up and the rare event are paid once per cache
key and edge cache, not per viewer. On a variant miss it serves the page's default and puts one
`VariantRequested` on the platform bus for the core to generate it (P071-P076): the model is never
called from the edge (P075). Publishing is best effort with a one-second budget: a viewer never waits
on, or fails because of, the core.

Settings come from `config.json` in the package (Lambda@Edge has no environment variables, "Restrictions
on Lambda@Edge", https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/lambda-at-edge-function-restrictions.html).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any, Protocol

from functions.edge.contract import VariantKey, VariantRequested
from functions.edge.selection import SelectionConfig, Viewer, choose

#: Written into the package by the deployment (components/edge.py), read as package data so the handler
#: finds it wherever the package is (`importlib.resources`, not a path computed from this file).
CONFIG_FILE: Traversable = resources.files(__package__ or "functions.edge") / "config.json"
logger = logging.getLogger(__name__)
logger.setLevel(logging.INFO)


@dataclass(frozen=True)
class EdgeConfig:
    """What the deployment wrote into `config.json`."""

    bus_name: str
    bus_region: str
    selection: SelectionConfig

    @classmethod
    def load(cls, path: Traversable = CONFIG_FILE) -> EdgeConfig:
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(
            bus_name=str(data["bus_name"]),
            bus_region=str(data["bus_region"]),
            selection=SelectionConfig.from_mapping(data.get("selection", {})),
        )


class VariantStore(Protocol):
    def exists(self, bucket: str, region: str, key: str) -> bool: ...


class Notifier(Protocol):
    def variant_requested(self, event: VariantRequested) -> None: ...


def origin_bucket(request: Mapping[str, Any]) -> tuple[str, str] | None:
    """(bucket, region) of the request's S3 origin (`<bucket>.s3.<region>.amazonaws.com`), if it is one."""
    s3 = (request.get("origin") or {}).get("s3") or {}
    domain = str(s3.get("domainName", ""))
    bucket, sep, _rest = domain.partition(".s3.")
    if not sep or not bucket:
        return None
    return bucket, str(s3.get("region") or _rest.split(".")[0] or "us-east-1")


def route(
    request: dict[str, Any],
    config: EdgeConfig,
    store: VariantStore,
    notifier: Notifier,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> dict[str, Any]:
    """Rewrite `request["uri"]` to the variant or to the page's default; return the request to forward."""
    key: VariantKey | None = choose(Viewer.from_request(request), config.selection)
    origin = origin_bucket(request)
    if key is None or origin is None:
        return request
    bucket, region = origin
    if store.exists(bucket, region, key.object_key):
        request["uri"] = "/" + key.object_key
        return request
    request["uri"] = f"/{key.page}{config.selection.default_suffix}"
    try:
        notifier.variant_requested(VariantRequested(key=key, requested_at=now()))
    except Exception:  # best effort: the viewer gets the default whatever happens
        logger.warning("could not request variant %s", key.object_key, exc_info=True)
    return request


class S3VariantStore:
    """`HeadObject` on the origin bucket (the function's role may read `variants/` only)."""

    def exists(self, bucket: str, region: str, key: str) -> bool:
        from botocore.exceptions import ClientError  # noqa: PLC0415

        try:
            _client("s3", region).head_object(Bucket=bucket, Key=key)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("404", "403", "NoSuchKey", "NotFound"):
                return False
            raise
        return True


class BusNotifier:
    """`PutEvents` of one `VariantRequested` on the platform bus, in the bus's region."""

    def __init__(self, bus_name: str, region: str) -> None:
        self.bus_name = bus_name
        self.region = region

    def variant_requested(self, event: VariantRequested) -> None:
        response = _client("events", self.region).put_events(Entries=[event.to_entry(self.bus_name)])
        if response.get("FailedEntryCount", 0):
            raise RuntimeError(f"PutEvents rejected the entry: {response.get('Entries')}")


#: The SDK's limits, set in code: Lambda@Edge has no environment variables, so botocore's `AWS_*` settings
#: cannot reach it. One attempt, one second to connect and one to read: the origin request must not wait on
#: the core (viewer latency). botocore Config ``connect_timeout``, ``read_timeout``,
#: ``retries={"total_max_attempts"}`` (https://botocore.amazonaws.com/v1/documentation/api/latest/reference/config.html).
MAX_ATTEMPTS = 1
CONNECT_TIMEOUT_SECONDS = 1
READ_TIMEOUT_SECONDS = 1
#: SDK calls one invocation makes at most, one after the other: `HeadObject`, then `PutEvents` on a miss.
CALLS_PER_INVOCATION = 2


def worst_case_seconds() -> int:
    """How long one invocation's SDK calls can take before they raise, all of them together."""
    return CALLS_PER_INVOCATION * MAX_ATTEMPTS * (CONNECT_TIMEOUT_SECONDS + READ_TIMEOUT_SECONDS)


@cache
def _client(service: str, region: str) -> Any:
    import boto3  # noqa: PLC0415 (the Lambda runtime provides boto3; tests import this module without AWS)
    from botocore.config import Config  # noqa: PLC0415

    config = Config(
        connect_timeout=CONNECT_TIMEOUT_SECONDS,
        read_timeout=READ_TIMEOUT_SECONDS,
        retries={"mode": "standard", "total_max_attempts": MAX_ATTEMPTS},
    )
    return boto3.client(service, region_name=region, config=config)


@cache
def _config() -> EdgeConfig:
    return EdgeConfig.load()


def lambda_handler(event: Mapping[str, Any], context: Any) -> dict[str, Any]:
    """Origin-request entry point: `event.Records[0].cf.request` in, the (rewritten) request out."""
    request: dict[str, Any] = event["Records"][0]["cf"]["request"]
    config = _config()
    return route(request, config, S3VariantStore(), BusNotifier(config.bus_name, config.bus_region))
