"""``variants`` Lambda: ``VariantRequested`` (from the edge, on the bus) -> a generated variant in S3.

The edge served the default page and asked for this variant (P075: asynchronously, never a model call
at the edge). This function, in the core, rewrites the default page for the viewer's country, language
and segment with Bedrock through the platform guardrail (the Converse call carries `guardrailConfig`;
an intervention writes nothing, so viewers keep the default) and writes the result where the edge reads
it, `variants/<page>/<country>-<language>-<segment>.html`, with `Cache-Control: max-age` and `Expires` set
to the variant's lifetime; the bucket's lifecycle rule deletes it after that (P076 freshness).

A variant is paid for once per lifetime, however many edge locations ask for it and however often:

* one that exists is not generated again;
* one the guardrail blocked (or that came back empty) leaves a `.blocked` marker beside it with the same
  lifetime, so the viewers keep the default page and nobody pays for it again until the marker expires;
* concurrent asks for the same variant race for a `.claim` object written with `If-None-Match: *` (S3
  conditional writes): one generates, the others stop. A claim older than the function's timeout belongs to
  an invocation that died, and is taken over with `If-Match` on its ETag, so only one taker wins.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from botocore.exceptions import ClientError

from functions.edge.contract import VARIANT_REQUESTED, ContractError, VariantKey, VariantRequested
from functions.router.bedrock import Completion, make_converse
from functions.shared import aws, settings
from functions.shared.constants import (
    ENV_CONTENT_BUCKET_NAME,
    ENV_GUARDRAIL_ID,
    ENV_GUARDRAIL_VERSION,
    ENV_VARIANT_MODEL_ID,
    ENV_VARIANT_TTL_SECONDS,
    TRACED_MODULES,
)
from functions.shared.envelopes import UnexpectedEventError
from functions.shared.prompts import RenderedPrompt

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

logger = Logger()
tracer = Tracer(patch_modules=TRACED_MODULES)
metrics = Metrics()

DEFAULT_TTL_SECONDS = 7 * 24 * 3600
#: A claim older than this belongs to an invocation that died (longer than the function's timeout).
CLAIM_SECONDS = 15 * 60
MAX_OUTPUT_TOKENS = 2000
_SYSTEM = (
    "You adapt a web page for one audience. Keep its HTML structure, links and facts; change only wording, "
    "examples and emphasis. Answer with the complete HTML page and nothing else."
)


class ContentStore(Protocol):
    def exists(self, key: str) -> bool: ...
    def read(self, key: str) -> str: ...
    def write(self, key: str, body: str, expires: datetime, ttl_seconds: int) -> None: ...
    def claim(self, key: str, now: datetime) -> bool: ...


@dataclass(frozen=True)
class Outcome:
    status: str  # "written" | "exists" | "blocked" | "no-default" | "in-progress"
    key: str


def blocked_key(target: str) -> str:
    """Where a blocked (or empty) generation is remembered, beside the variant the edge would read."""
    return target.removesuffix(".html") + ".blocked"


def claim_key(target: str) -> str:
    """The object whose conditional creation decides which invocation generates the variant."""
    return target.removesuffix(".html") + ".claim"


def prompt_for(key: VariantKey, default_page: str) -> RenderedPrompt:
    audience = f"country {key.country}, language {key.language}, segment {key.segment}"
    return RenderedPrompt(system=_SYSTEM, user=f"Audience: {audience}.\n\nPage:\n{default_page}")


def generate(
    request: VariantRequested,
    store: ContentStore,
    converse: Any,
    *,
    model_id: str,
    ttl_seconds: int,
    now: datetime,
) -> Outcome:
    """Generate and store one variant (pure apart from the injected store and model)."""
    key = request.key
    target = key.object_key
    if store.exists(target):
        return Outcome("exists", target)
    if store.exists(blocked_key(target)):
        return Outcome("blocked", target)
    default_key = f"{key.page}.html"
    if not store.exists(default_key):
        return Outcome("no-default", target)
    if not store.claim(claim_key(target), now):
        return Outcome("in-progress", target)
    completion: Completion = converse(model_id, prompt_for(key, store.read(default_key)), MAX_OUTPUT_TOKENS)
    expires = now + timedelta(seconds=ttl_seconds)
    if completion.guardrail_intervened or not completion.text.strip():
        store.write(blocked_key(target), "", expires, ttl_seconds)
        return Outcome("blocked", target)
    store.write(target, completion.text, expires, ttl_seconds)
    return Outcome("written", target)


class S3ContentStore:
    """The edge content bucket (this function may read it and write under `variants/` only)."""

    def __init__(self, bucket: str) -> None:
        self.bucket = bucket

    def exists(self, key: str) -> bool:
        try:
            aws.client("s3").head_object(Bucket=self.bucket, Key=key)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise
        return True

    def read(self, key: str) -> str:
        return str(aws.client("s3").get_object(Bucket=self.bucket, Key=key)["Body"].read().decode("utf-8"))

    def claim(self, key: str, now: datetime) -> bool:
        """Create the claim object; take over a stale one; False when another invocation holds it."""
        s3 = aws.client("s3")
        try:
            s3.put_object(Bucket=self.bucket, Key=key, Body=b"", IfNoneMatch="*")
        except ClientError as error:
            if not _precondition_failed(error):
                raise
        else:
            return True
        try:
            held = s3.head_object(Bucket=self.bucket, Key=key)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False  # expired meanwhile (lifecycle): the next ask claims it afresh
            raise
        if (now - held["LastModified"]).total_seconds() < CLAIM_SECONDS:
            return False
        try:
            s3.put_object(Bucket=self.bucket, Key=key, Body=b"", IfMatch=held["ETag"])
        except ClientError as error:
            if not _precondition_failed(error):
                raise
            return False  # another invocation took it over first
        return True

    def write(self, key: str, body: str, expires: datetime, ttl_seconds: int) -> None:
        aws.client("s3").put_object(
            Bucket=self.bucket,
            Key=key,
            Body=body.encode("utf-8"),
            ContentType="text/html; charset=utf-8",
            CacheControl=f"public, max-age={ttl_seconds}",
            Expires=expires,
        )


def _precondition_failed(error: ClientError) -> bool:
    """S3's answer to a conditional write whose condition is false (412 PreconditionFailed)."""
    return error.response.get("Error", {}).get("Code") in ("PreconditionFailed", "412")


def parse_event(event: dict[str, Any]) -> VariantRequested:
    """The `VariantRequested` of an EventBridge event (strict: the edge's contract)."""
    if event.get("detail-type") != VARIANT_REQUESTED:
        raise UnexpectedEventError(f"expected detail-type {VARIANT_REQUESTED}, got {event.get('detail-type')!r}")
    return VariantRequested.from_detail(event.get("detail") or {})


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, str]:
    try:
        request = parse_event(event)
    except (ContractError, UnexpectedEventError) as error:
        logger.warning("rejected event", extra={"reason": str(error)})
        return {"status": "rejected"}
    converse = make_converse(settings.require(ENV_GUARDRAIL_ID), settings.require(ENV_GUARDRAIL_VERSION))
    outcome = generate(
        request,
        S3ContentStore(settings.require(ENV_CONTENT_BUCKET_NAME)),
        converse,
        model_id=settings.require(ENV_VARIANT_MODEL_ID),
        ttl_seconds=settings.as_int(ENV_VARIANT_TTL_SECONDS, DEFAULT_TTL_SECONDS, minimum=60),
        now=datetime.now(UTC),
    )
    metrics.add_metric(name=f"Variant{outcome.status.title().replace('-', '')}", unit=MetricUnit.Count, value=1)
    logger.info("variant", extra={"status": outcome.status, "key": outcome.key})
    return {"status": outcome.status, "key": outcome.key}
