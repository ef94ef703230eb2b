"""AWS plumbing shared by the handlers: cached clients and EventBridge publishing.

Clients are created lazily (first use, then reused across warm invocations) so importing a handler
never opens a connection and tests can swap in moto or botocore's Stubber. Every client comes from one
botocore session (:func:`_session`), so botocore's loader parses each data file (partitions, endpoint
data, each service's model and rule set) once per process. botocore rather than boto3: boto3's
``boto3.client`` is that same ``Session.create_client`` behind boto3's default session, and importing boto3
also imports s3transfer, concurrent.futures and boto3's resource layer, which no handler uses (issue 12 §4,
``bench/cold_start.py``). The idempotency store is :mod:`functions.shared.idempotency`, imported only by
the handlers that use it (Powertools' DynamoDB layer imports boto3 itself).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

import botocore.session
from botocore.config import Config

from functions.shared import botocore_loader, settings
from functions.shared.constants import ENV_EVENT_BUS_NAME
from functions.shared.exceptions import EventPublishError

if TYPE_CHECKING:
    from functions.shared.events import PlatformEvent

#: Every SDK call gives up well inside the function's timeout, so a hung connection fails the call (and the
#: handler can record why) instead of the function timing out half-way through its side effects:
#: attempts x (connect + read) = 3 x (2 + 5) s = 21 s < 30 s, the functions' default timeout. Bedrock reads
#: get longer (model latency): 3 x (2 + 30) s = 96 s < 120 s, the router's timeout (components/platform.py).
#: botocore Config: ``connect_timeout``, ``read_timeout``, ``retries={"mode", "total_max_attempts"}``
#: (https://botocore.amazonaws.com/v1/documentation/api/latest/reference/config.html: ``total_max_attempts``
#: counts the first request, ``max_attempts`` only the retries).
MAX_ATTEMPTS = 3
CONNECT_TIMEOUT_SECONDS = 2
READ_TIMEOUT_SECONDS = 5
MODEL_READ_TIMEOUT_SECONDS = 30
_SLOW_SERVICES = frozenset({"bedrock-runtime"})
_CLIENT_CONFIG = Config(
    retries={"mode": "standard", "total_max_attempts": MAX_ATTEMPTS},
    connect_timeout=CONNECT_TIMEOUT_SECONDS,
    read_timeout=READ_TIMEOUT_SECONDS,
)
_MODEL_CLIENT_CONFIG = _CLIENT_CONFIG.merge(Config(read_timeout=MODEL_READ_TIMEOUT_SECONDS))


@dataclass(frozen=True, slots=True)
class CallLimits:
    """How long one model call may take before it raises: ``attempts`` x (connect + ``read_timeout``) seconds."""

    attempts: int
    read_timeout: int

    @property
    def worst_case_seconds(self) -> int:
        """The call's bound, retries included (botocore's backoff aside, as in :func:`worst_case_call_seconds`)."""
        return self.attempts * (CONNECT_TIMEOUT_SECONDS + self.read_timeout)


#: A model call's limits when time is no object (the router's first tier: 96 s + its publishing margin < 120 s).
MODEL_LIMITS = CallLimits(MAX_ATTEMPTS, MODEL_READ_TIMEOUT_SECONDS)
#: Below this read timeout a model call is not worth starting: the router skips the tier (``deadline``).
MIN_MODEL_READ_TIMEOUT_SECONDS = 5
#: Read timeouts are whole multiples of this, so a process holds at most 3 x 6 model clients (one per limit).
READ_TIMEOUT_STEP_SECONDS = 5


def model_limits_within(seconds: float) -> CallLimits | None:
    """The model call limits whose worst case fits in ``seconds``, or None when no useful call fits.

    Retries are kept first (throttling is the common failure, and botocore retries it), each read as long as
    fits, rounded down to :data:`READ_TIMEOUT_STEP_SECONDS`; fewer attempts only when a read would otherwise
    be shorter than :data:`MIN_MODEL_READ_TIMEOUT_SECONDS`.

    Examples
    --------
    >>> model_limits_within(117)
    CallLimits(attempts=3, read_timeout=30)
    >>> model_limits_within(50)
    CallLimits(attempts=3, read_timeout=10)
    >>> model_limits_within(10)
    CallLimits(attempts=1, read_timeout=5)
    >>> model_limits_within(6.9) is None
    True
    """
    for attempts in range(MAX_ATTEMPTS, 0, -1):
        read = int(seconds // attempts) - CONNECT_TIMEOUT_SECONDS
        read = min(read // READ_TIMEOUT_STEP_SECONDS * READ_TIMEOUT_STEP_SECONDS, MODEL_READ_TIMEOUT_SECONDS)
        if read >= MIN_MODEL_READ_TIMEOUT_SECONDS:
            return CallLimits(attempts, read)
    return None


def worst_case_call_seconds(service_name: str) -> int:
    """How long one SDK call can take before it raises, retries included (backoff aside)."""
    read = MODEL_READ_TIMEOUT_SECONDS if service_name in _SLOW_SERVICES else READ_TIMEOUT_SECONDS
    return MAX_ATTEMPTS * (CONNECT_TIMEOUT_SECONDS + read)


@cache
def _session() -> botocore.session.Session:
    """The process's one botocore session (region and credentials from Lambda's environment, as boto3's).

    Sessions are not thread-safe, clients are (boto3 guide, "Multithreading or multiprocessing with clients"):
    clients are only created here, each once (the caches of :func:`client` and :func:`store_client`), by
    handlers that Lambda runs one invocation at a time per execution environment (as boto3's default session).

    Its data loader is :mod:`functions.shared.botocore_loader`'s, built from the session's ``data_path`` (so
    ``AWS_DATA_PATH`` still counts) as botocore builds its default: it skips the scan of every service
    directory that botocore's loader runs once per session and model type, i.e. in the first client of a process
    (issue 12 §4, boto/botocore#3687).
    """
    session = botocore.session.get_session()
    session.register_component("data_loader", botocore_loader.create_loader(session.get_config_variable("data_path")))
    return session


#: botocore sessions are not thread-safe (boto3 guide, "Multithreading or multiprocessing with clients"), and
#: ``functools.cache`` may call its function twice when two threads miss at once: client creation is
#: serialised, so threads that share a process (the concurrency suite; a handler's own threads) never race
#: in the session's loader. Uncontended in Lambda, where one invocation runs at a time per environment.
_CREATE_LOCK = threading.Lock()


def _create(service_name: str, endpoint_url: str | None = None) -> Any:
    config = _MODEL_CLIENT_CONFIG if service_name in _SLOW_SERVICES else _CLIENT_CONFIG
    with _CREATE_LOCK:
        return _session().create_client(service_name, endpoint_url=endpoint_url, config=config)


@cache
def client(service_name: str, endpoint_url: str | None = None) -> Any:
    """Return a process-wide client for ``service_name`` (optionally at ``endpoint_url``)."""
    return _create(service_name, endpoint_url)


@cache
def model_client(limits: CallLimits) -> Any:
    """The process's Bedrock runtime client for calls bounded by ``limits`` (one per distinct limit).

    The unbounded limits are :func:`client`'s own ``bedrock-runtime`` client; shorter ones get a client of
    their own from the one session, with ``read_timeout`` and ``total_max_attempts`` (botocore Config) set.
    """
    if limits == MODEL_LIMITS:
        return client("bedrock-runtime")
    config = _MODEL_CLIENT_CONFIG.merge(
        Config(
            read_timeout=limits.read_timeout,
            retries={"mode": "standard", "total_max_attempts": limits.attempts},
        )
    )
    with _CREATE_LOCK:
        return _session().create_client("bedrock-runtime", config=config)


@cache
def store_client() -> Any:
    """The one DynamoDB client of every idempotency layer in the process (:mod:`functions.shared.idempotency`).

    It is :func:`client`'s own ``dynamodb`` client: deliver, decide and router also read and write their tables
    (the audit, connections and cache tables), and a second client of the same service costs about 4 ms of CPU
    at the first invocation for nothing (its model is cached, its client class, endpoint resolver and handlers
    are not: ``bench/COLD_START.md``). One client also shares one retry quota (botocore standard mode: one
    ``RetryQuotaChecker`` per client, botocore/retries/standard.py ``register_retry_handler``) between the
    store's calls and the handler's own (500 units; a retry after throttling costs 5, after another error 14:
    quota.py, standard.py ``RetryQuotaChecker``), so one table's throttling drains it for both.
    Cached apart from :func:`client`, so a test that clears :func:`client`'s cache gets new clients for its calls
    while the layers keep the one they were built with (they are built at import).
    """
    return client("dynamodb")


def entry(event: PlatformEvent) -> dict[str, str]:
    """``event`` as a ``PutEvents`` entry for the bus named by ``EVENT_BUS_NAME``."""
    return event.to_entry(settings.require(ENV_EVENT_BUS_NAME))


def put_entries(entries: list[dict[str, str]]) -> None:
    """``PutEvents`` with these entries; any rejected entry fails the call.

    Raises
    ------
    EventPublishError
        When EventBridge reports any failed entry (``FailedEntryCount`` > 0); the invocation must fail.
    """
    response = client("events").put_events(Entries=entries)
    if response.get("FailedEntryCount", 0):
        failures = [item for item in response.get("Entries", []) if item.get("ErrorCode")]
        raise EventPublishError(f"PutEvents rejected {response['FailedEntryCount']} entries: {failures}")


def publish(*events: PlatformEvent) -> None:
    """Put platform events on the bus named by ``EVENT_BUS_NAME`` (see :func:`put_entries`)."""
    put_entries([entry(event) for event in events])
