"""The whole pipeline in one process, with faults injected at the HTTP layer.

ingest -> EventBridge (moto; a rule copies every event to an SQS queue the harness pumps) -> the workflow
(moto's Step Functions interpreter running `components.workflow.request_pipeline`, whose two Lambda tasks
call the real router and decide handlers in-process) -> deliver (invoked per outcome event with Lambda's
asynchronous retries: 1 + 2 attempts; the deliveries of a batch, a duplicate's copies included, run at once).

Every AWS request of every client (the handlers', Powertools', the interpreter's) passes through moto's
`BotocoreStubber`; the harness wraps it, so a scripted fault answers instead of moto with a real HTTP
response (status, `x-amzn-ErrorType`, JSON body) that botocore parses and, where botocore retries, retries.
Bedrock (`Converse`, `ApplyGuardrail`) and the WebSocket management API (`PostToConnection`) are answered
by fakes at the same layer; WebSocket connections are opened and closed through the real `$connect` /
`$disconnect` handler (`functions.connections.handler`), as the authorizer hands it the caller's `sub`.
Only waiting is taken out: botocore's backoff and the interpreter's Retry intervals are recorded, not slept.

A world owns every thread it starts (its client threads, moto's interpreter threads for its executions): its
teardown (:meth:`World.close`, run by :func:`running_world` whatever the test did) stops them and waits for
them before moto's mock ends and resets its backends, so a failed or timed-out run leaks nothing into later
tests.
"""

from __future__ import annotations

import functools
import itertools
import json
import re
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import unquote

import boto3
import pytest
from aws_lambda_powertools.utilities.idempotency.base import IdempotencyHandler
from botocore.awsrequest import AWSResponse
from botocore.exceptions import ReadTimeoutError
from botocore.retries import standard
from moto import mock_aws
from moto.core.base_backend import BackendDict
from moto.core.botocore_stubber import BotocoreStubber, MockRawResponse
from moto.stepfunctions.parser.asl.component.common.retry import retrier_decl
from moto.stepfunctions.parser.asl.component.state.exec.state_task import lambda_eval_utils
from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser
from moto.stepfunctions.parser.utils import TMP_THREADS

from components.workflow import request_pipeline
from functions.actions import handler as actions_handler
from functions.connections import handler as connections_handler
from functions.decide import handler as decide
from functions.deliver import handler as deliver
from functions.ingest import handler as ingest
from functions.router import handler as router
from functions.shared import constants as c
from functions.shared import effects
from tests.functions import environments
from tests.functions.conftest import (
    ACCOUNT,
    ENVIRONMENT,
    MODEL_IDS,
    PRICES,
    REGION,
    LambdaContext,
    _clear_caches,
    create_tables,
)
from tests.functions.factories import GUARDRAIL_USAGE, SESSION, agent_event, api_event

ROUTER_ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:router"
DECIDE_ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:decide"
TIER_OF = {model_id: tier for tier, model_id in MODEL_IDS.items()}
TIERS = list(MODEL_IDS)
SDK_ATTEMPTS = 3  # functions.shared.aws.MAX_ATTEMPTS: a fault that fires this often defeats botocore's retries
ASYNC_ATTEMPTS = 3  # Lambda asynchronous invocation: the first attempt and two retries (components.function)
#: "one minute between the first two attempts and two minutes between the second and third"
#: (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html).
ASYNC_RETRY_DELAYS = (60, 120)
#: How long a world's teardown waits for its threads to stop (an in-flight handler finishes its call first).
CLOSE_TIMEOUT_SECONDS = 60.0
T = TypeVar("T")


class WorldClosedError(RuntimeError):
    """The world is being torn down: its workers stop instead of starting more work."""


_MARKER = re.compile(r"\[case (\d+)\]")
#: Time runs 100x faster: a Retry interval of 5 s waits 50 ms, a function with a 120 s timeout has 1.2 s, so
#: in-progress records expire and retries outlast them in the same proportions as in AWS.
SCALE = 0.01
TIMEOUT_SECONDS = {"ingest": 30, "router": 120, "decide": 30, "deliver": 30, "connections": 30, "actions": 30}
#: The connection every request of the default caller names (opened by ``World()``).
ALICE, ALICE_CONNECTION = "alice", "conn-1"


#: What Step Functions' Lambda task reports for a function that timed out: "Unhandled errors in Lambda are
#: reported as Lambda.Unknown in the error output. These include out-of-memory errors and function timeouts"
#: (https://docs.aws.amazon.com/step-functions/latest/dg/bp-lambda-serviceexception.html). `Sandbox.Timedout` is
#: Lambda's name for a timeout of the Init phase (https://docs.aws.amazon.com/lambda/latest/dg/troubleshooting-invocation.html).
LAMBDA_TIMEOUT_ERROR = "Lambda.Unknown"


class KilledError(BaseException):
    """Lambda stopped the invocation at its timeout: nothing it does afterwards happens.

    A BaseException, as a kill is not an error the code can handle: botocore does not retry it, Powertools does
    not release the in-progress records (they expire with the invocation's remaining time, as after a real kill).
    """


@dataclass
class Context(LambdaContext):
    """A Lambda context whose remaining time is the function's timeout from when it was made, in Lambda time.

    The handlers see Lambda's figures (a router starts with 120,000 ms). Their own work counts at its real
    duration, while what the fakes wait for (a slow model, :meth:`wait`) is slept at :data:`SCALE` and charged
    in full: 90 s of model latency take 0.9 s and leave the router 30 s. (Charging the harness's own CPU 100x
    would time out a decide that moto keeps busy for 0.3 s.)
    """

    timeout_seconds: float = 30
    #: The request this invocation works on (the router's ``detail.request_id``), so the Bedrock fake can bill it.
    request_id: str | None = None

    def __post_init__(self) -> None:
        self._started = time.monotonic()
        self._charged = 0.0  # Lambda seconds spent in waits, beyond the scaled real time they took

    def wait(self, seconds: float, interrupt: threading.Event) -> None:
        """Wait ``seconds`` of Lambda time (``seconds * SCALE`` real, cut short by ``interrupt``)."""
        interrupt.wait(seconds * SCALE)
        self._charged += seconds * (1 - SCALE)

    def _elapsed(self) -> float:
        return time.monotonic() - self._started + self._charged

    def get_remaining_time_in_millis(self) -> int:
        return max(int((self.timeout_seconds - self._elapsed()) * 1000), 1)

    @property
    def timed_out(self) -> bool:
        return self._elapsed() >= self.timeout_seconds


def _scaled_remaining_time(handler: IdempotencyHandler) -> int | None:
    """Powertools' in-progress expiry on the harness's wall clock: the rest of the invocation as if it were all
    waiting (scaled), so a killed invocation's record expires about when its retry comes (see :class:`Context`)."""
    context = handler.config.lambda_context
    return None if context is None else max(int(context.get_remaining_time_in_millis() * SCALE), 1)


def context_for(name: str) -> Context:
    return Context(function_name=name, timeout_seconds=TIMEOUT_SECONDS[name])


@dataclass(frozen=True)
class Call:
    """One AWS request as it goes on the wire."""

    service: str
    operation: str
    url: str
    body: dict[str, Any]
    raw: bytes
    read_timeout: float | None = None  # the calling client's (botocore Config ``read_timeout``), in Lambda seconds


Response = tuple[int, dict[str, str], bytes]


@dataclass(frozen=True)
class Bill:
    """One Converse call the fake Bedrock answered with 200: paid, whatever the router made of the reply."""

    request_id: str | None  # the router invocation's request (None outside the workflow)
    case: int
    tier: str
    usage: tuple[int, int] | None  # (input, output) tokens it reported; None for a reply without usage

    @property
    def cost_usd(self) -> float:
        """What it cost: tokens x the tier's price per 1k, from the prices the router is configured with
        (tests/functions/conftest.py ``PRICES``, the environment's ``MODEL_PRICES``), computed here on its own."""
        assert self.usage is not None, "a reply without usage has no known cost"
        price = PRICES[self.tier]
        return self.usage[0] / 1000 * price["input_per_1k"] + self.usage[1] / 1000 * price["output_per_1k"]


#: The DynamoDB operations that write an item (botocore dynamodb service model), so the audit log misses none.
WRITES = frozenset({"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"})


@dataclass(frozen=True)
class AuditWrite:
    """One write to the audit table as it went out and how it was answered (review F4a: counting the items
    at the end cannot see an overwrite, since the table is keyed)."""

    operation: str
    key: tuple[str, str] | None  # (request_id, record); None for a batch or transaction
    condition: str  # its ConditionExpression ("" when unconditional)
    status: int  # the HTTP status it got (200: written)


def error(status: int, code: str, message: str = "injected fault") -> Response:
    """An AWS JSON error response (botocore reads the code from ``x-amzn-ErrorType`` and ``__type``)."""
    return status, {"x-amzn-ErrorType": code}, json.dumps({"__type": code, "message": message}).encode()


def ok(body: dict[str, Any]) -> Response:
    return 200, {"content-type": "application/json"}, json.dumps(body).encode()


@dataclass
class Fault:
    """Answer matching calls with ``respond`` ``times`` times, after letting ``skip`` matching calls through."""

    name: str
    match: Callable[[Call], bool]
    respond: Callable[[Call], Response]
    times: int = SDK_ATTEMPTS
    skip: int = 0
    fired: int = 0
    seen: int = 0


def table(name: str, *operations: str) -> Callable[[Call], bool]:
    return lambda call: (
        call.service == "dynamodb"
        and call.body.get("TableName") == name
        and (not operations or call.operation in operations)
    )


def put_events_of(detail_type: str) -> Callable[[Call], bool]:
    return lambda call: (
        call.operation == "PutEvents"
        and any(entry.get("DetailType") == detail_type for entry in call.body.get("Entries", []))
    )


def converse_on(tier: str) -> Callable[[Call], bool]:
    return lambda call: call.operation == "Converse" and _tier_of(call) == tier


def _tier_of(call: Call) -> str:
    # rest-json: POST /model/{modelId}/converse
    return TIER_OF[unquote(call.url.split("/model/", 1)[1].split("/", 1)[0])]


TIER_OF_CALL = _tier_of  # the tier a Converse call goes to (for tests' own fault hooks)


THROTTLED = error(400, "ProvisionedThroughputExceededException", "Rate of requests exceeds the allowed throughput.")
PARTIAL_FAILURE = ok({"FailedEntryCount": 1, "Entries": [{"ErrorCode": "InternalFailure", "ErrorMessage": "x"}]})


@dataclass
class Models:
    """Bedrock fake: each tier answers with its confidence; ``behaviour`` overrides a tier's reply."""

    confidence: dict[str, float] = field(default_factory=lambda: {"micro": 0.9, "lite": 0.9, "pro": 0.9})
    #: tier -> malformed | guardrail | truncated | no_usage | not_json | unsure (well-formed, confidence 0.3)
    behaviour: dict[str, str] = field(default_factory=dict)
    paid: list[tuple[int, str]] = field(default_factory=list)  # (case, tier) of every 200 Converse response
    delay: float = 0.0
    #: tier -> how long its model takes to answer each request, in Lambda seconds (scaled like every wait), one
    #: figure per request in turn, the last one repeating. A call whose client reads for less gives up at its
    #: read timeout (botocore's ReadTimeoutError, which botocore retries).
    latency: dict[str, list[float]] = field(default_factory=dict)
    abandoned: list[tuple[int, str]] = field(default_factory=list)  # (case, tier) of every read that timed out
    #: Cuts a delay short: the world's `closed`, so a slow model never keeps a torn-down world's thread alive.
    interrupt: threading.Event = field(default_factory=threading.Event)
    bills: list[Bill] = field(default_factory=list)  # every paid call, with its request and usage
    #: Per call: (behaviour, latency) overriding ``behaviour`` and ``latency`` when not ("", 0.0) (random faults).
    chance: Callable[[str], tuple[str, float]] | None = None

    def converse(self, call: Call, context: Context | None = None) -> Response:
        tier = _tier_of(call)
        text = call.body["messages"][0]["content"][0]["text"]
        match = _MARKER.search(text)
        case = int(match.group(1)) if match else -1
        if self.delay:
            self.interrupt.wait(self.delay)
        latencies = self.latency.get(tier, [0.0])
        latency = latencies.pop(0) if len(latencies) > 1 else latencies[0]
        behaviour = self.behaviour.get(tier, "")
        if self.chance is not None:
            drawn, slow = self.chance(tier)
            behaviour, latency = drawn or behaviour, slow or latency
        if latency:
            assert context is not None, "model latency is simulated inside the workflow's invocations"
            if call.read_timeout is not None and latency > call.read_timeout:
                context.wait(call.read_timeout, self.interrupt)
                self.abandoned.append((case, tier))
                raise ReadTimeoutError(endpoint_url=call.url)
            context.wait(latency, self.interrupt)
        self.paid.append((case, tier))
        # Tokens differ per request and tier, so a cost booked to the wrong attempt or tier does not add up.
        usage = (90 + 10 * TIERS.index(tier) + case % 11, 15 + 3 * TIERS.index(tier) + case % 7)
        if behaviour == "no_usage" or behaviour == "not_json":
            usage_reported: tuple[int, int] | None = None
        else:
            usage_reported = usage
        self.bills.append(Bill(context.request_id if context else None, case, tier, usage_reported))
        if behaviour == "not_json":
            return 200, {"content-type": "text/html"}, b"<html>upstream proxy error</html>"
        confidence = 0.3 if behaviour == "unsure" else self.confidence.get(tier, 0.9)
        reply: dict[str, Any] = {"answer": f"answer from {tier}", "confidence": confidence}
        content, stop = json.dumps(reply), "end_turn"
        if behaviour == "malformed":
            content = f"I believe it is the {tier} answer, fairly sure"
        elif behaviour == "guardrail":
            content, stop = "Sorry, the model cannot answer that.", "guardrail_intervened"
        elif behaviour == "truncated":  # well-formed and confident, but cut off at maxTokens
            stop = "max_tokens"
        body: dict[str, Any] = {
            "output": {"message": {"role": "assistant", "content": [{"text": content}]}},
            "stopReason": stop,
            "metrics": {"latencyMs": 10},
        }
        if usage_reported is not None:
            body["usage"] = {"inputTokens": usage[0], "outputTokens": usage[1], "totalTokens": sum(usage)}
        return ok(body)


@dataclass
class Sockets:
    """WebSocket management API fake: records each successful push (connection id, message)."""

    pushes: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    gone: set[str] = field(default_factory=set)
    delay: float = 0.0  # real seconds each push takes (a slow API: a duplicate delivery overlaps the push)
    #: Cuts a delay short: the world's `closed`, as for :class:`Models`.
    interrupt: threading.Event = field(default_factory=threading.Event)

    def post(self, call: Call) -> Response:
        connection = unquote(call.url.rsplit("/@connections/", 1)[1])
        if self.delay:
            self.interrupt.wait(self.delay)
        if connection in self.gone:
            return error(410, "GoneException", "the connection is gone")
        self.pushes.append((connection, json.loads(call.raw)))
        return 200, {}, b""


#: How many handler invocations run at once. In AWS each has its own CPU and is killed at its timeout, so an
#: expired in-progress record means its invocation is dead; here they share two cores and are never killed, so
#: with too many at once an invocation outlives its (scaled) timeout, a duplicate takes its in-progress record
#: over and both perform the effect. Four overlap enough to meet each other's records and stay inside it.
ENVIRONMENTS = 4
#: How many of one batch's deliver invocations are under way at once (each still waits for an environment;
#: one waiting for its asynchronous retry holds a thread, not an environment).
DELIVERY_THREADS = 2 * ENVIRONMENTS


class Environments:
    """Where a handler invocation runs (``with world.environment:``): at most ``ENVIRONMENTS`` at once (a wait
    for a free one, as a throttled invocation is retried); counts how many ran at the same time."""

    def __init__(self, size: int = ENVIRONMENTS) -> None:
        self._free = threading.BoundedSemaphore(size)
        self._lock = threading.Lock()
        self.running = 0
        self.most = 0  # the most invocations that ran at the same time

    def __enter__(self) -> None:
        self._free.acquire()
        with self._lock:
            self.running += 1
            self.most = max(self.most, self.running)

    def __exit__(self, *_exc: object) -> None:
        with self._lock:
            self.running -= 1
        self._free.release()


#: moto's backends check a condition and then write (moto.dynamodb.models.table.Table.put_item: no lock), so
#: two threads could both pass ``attribute_not_exists``: moto answers one request at a time.
_MOTO = threading.RLock()


class World:
    """The pipeline, its faults and what came out of it."""

    def __init__(self) -> None:
        self.faults: list[Fault] = []
        self.faults_hook: Callable[[Call], Response | None] | None = None  # e.g. random faults
        self.closed = threading.Event()  # set by a failing client run and by close(): no new work starts
        self.models = Models(interrupt=self.closed)
        self.sockets = Sockets(interrupt=self.closed)
        self.lock = threading.RLock()
        # Handlers run concurrently, each invocation in its own thread as in its own execution environment
        # (tests/functions/environments.py makes Powertools' process-wide state per thread); moto answers one
        # request at a time (`_wrapped_stubber`), as each AWS API call is atomic.
        self.environment = Environments()
        self.in_progress_met: Counter[str] = Counter()  # function -> in-progress records its invocations met
        self.audit_writes: list[AuditWrite] = []  # every write to the audit table, by whoever (handlers, workflow)
        self.invocation = threading.local()  # `context`: the workflow's Lambda invocation this thread runs
        self.timeouts: list[str] = []  # functions the workflow saw time out (Lambda killed them)
        self.duplicate: Counter[str] = Counter()  # detail-type -> extra deliveries of each such event
        self.duplicate_if: Callable[[dict[str, Any]], bool] | None = None  # one more delivery of such events
        self.bus_events: list[dict[str, Any]] = []
        self.deliver_failures: list[str] = []  # events whose every asynchronous attempt failed (-> DLQ)
        self.executions: list[str] = []
        self.sfn_waits: list[float] = []
        self.cases = itertools.count(1)
        self.stopped: list[str] = []  # executions close() found still running and stopped
        self._pools: list[ThreadPoolExecutor] = []
        self._moto_threads = len(TMP_THREADS)  # moto's interpreter threads before this world's executions
        self.session = _session()
        create_tables(harness_client("dynamodb"))
        harness_client("s3").create_bucket(Bucket=ENVIRONMENT[c.ENV_OUTPUTS_BUCKET_NAME])
        sqs = harness_client("sqs")
        self.review_url = sqs.create_queue(QueueName="review-queue")["QueueUrl"]
        self.capture_url = sqs.create_queue(QueueName="bus-capture")["QueueUrl"]
        sns = harness_client("sns")
        topic_arn = sns.create_topic(Name="review-topic")["TopicArn"]
        sns.subscribe(
            TopicArn=topic_arn,
            Protocol="sqs",
            Endpoint=f"arn:aws:sqs:{REGION}:{ACCOUNT}:review-queue",
            Attributes={"RawMessageDelivery": "true"},
        )
        events = harness_client("events")
        bus = ENVIRONMENT[c.ENV_EVENT_BUS_NAME]
        events.create_event_bus(Name=bus)
        events.put_rule(Name="capture", EventBusName=bus, EventPattern=json.dumps({"source": [c.EVENT_SOURCE]}))
        capture_arn = f"arn:aws:sqs:{REGION}:{ACCOUNT}:bus-capture"
        events.put_targets(Rule="capture", EventBusName=bus, Targets=[{"Id": "q", "Arn": capture_arn}])
        definition = request_pipeline(
            router_arn=ROUTER_ARN,
            decide_arn=DECIDE_ARN,
            audit_table=ENVIRONMENT[c.ENV_AUDIT_TABLE_NAME],
            escalation_topic_arn=topic_arn,
            bus_name=bus,
            event_source=c.EVENT_SOURCE,
            router_timeout_seconds=TIMEOUT_SECONDS["router"],
            decide_timeout_seconds=TIMEOUT_SECONDS["decide"],
        )
        self.sfn = harness_client("stepfunctions")
        self.machine_arn = self.sfn.create_state_machine(
            name="pipeline", definition=json.dumps(definition), roleArn=f"arn:aws:iam::{ACCOUNT}:role/pipeline"
        )["stateMachineArn"]
        self.connect(ALICE, ALICE_CONNECTION)

    # --- the WebSocket API's $connect / $disconnect routes ------------------------------------------------

    def _route(self, event_type: str, connection_id: str, subject: str | None) -> int:
        request_context: dict[str, Any] = {"connectionId": connection_id, "eventType": event_type,
                                           "routeKey": f"${event_type.lower()}"}  # fmt: skip
        if subject is not None:  # what the $connect authorizer's policy names (principalId)
            request_context["authorizer"] = {"principalId": subject, "sub": subject}
        with self.environment:
            response = connections_handler.lambda_handler({"requestContext": request_context},
                                                          context_for("connections"))  # fmt: skip
        return int(response["statusCode"])

    def connect(self, subject: str, connection_id: str) -> str:
        """``subject`` opens a WebSocket connection (after the authorizer verified their token)."""
        status = self._route("CONNECT", connection_id, subject)
        assert status == 200, status
        return connection_id

    def disconnect(self, connection_id: str) -> None:
        assert self._route("DISCONNECT", connection_id, None) == 200

    # --- the HTTP layer ------------------------------------------------------------------------------

    def answer(self, call: Call) -> Response | None:
        """A fault's or a fake's response to ``call``, or None to let moto answer.

        Raises
        ------
        KilledError
            When the invocation making the call has run past its timeout (Lambda would have killed it).
        """
        context = getattr(self.invocation, "context", None)
        if context is not None and context.timed_out:
            raise KilledError(context.function_name)
        with self.lock:
            hooked = self.faults_hook(call) if self.faults_hook is not None else None
            if hooked is not None:
                return hooked
            for fault in self.faults:
                if fault.match(call):
                    fault.seen += 1
                    if fault.seen > fault.skip and fault.fired < fault.times:
                        fault.fired += 1
                        return fault.respond(call)
        if call.service == "bedrock-runtime":
            if call.operation == "ApplyGuardrail":
                return ok({"usage": GUARDRAIL_USAGE, "action": "NONE", "outputs": [], "assessments": [{}]})
            return self.models.converse(call, context)
        if call.service == "apigatewaymanagementapi":
            return self.sockets.post(call)
        return None

    def inject(self, name: str, match: Callable[[Call], bool], respond: Response, *, times: int = SDK_ATTEMPTS,
               skip: int = 0) -> Fault:  # fmt: skip
        fault = Fault(name, match, lambda _call: respond, times=times, skip=skip)
        self.faults.append(fault)
        return fault

    # --- the platform's invokers: the client, EventBridge rules, Step Functions, Lambda ----------------

    def submit_until_accepted(
        self, prompt: str = "What is the capital of France?", *, key: str, subject: str = ALICE,
        connection_id: str | None = ALICE_CONNECTION, attempts: int = 40,
    ) -> tuple[list[int], dict[str, Any]]:  # fmt: skip
        """A well-behaved client: retry the same request (same key) after 503 and 409, honouring Retry-After."""
        statuses: list[int] = []
        case = next(self.cases)
        for _attempt in range(attempts):
            status, body, headers = self.submit(
                prompt, key=key, subject=subject, connection_id=connection_id, case=case
            )
            statuses.append(status)
            if status not in (409, 503):
                return statuses, body
            assert "retry-after" in headers
            time.sleep(int(headers["retry-after"]) * SCALE * 5)
        raise AssertionError(f"never accepted: {statuses}")

    def submit(self, prompt: str = "What is the capital of France?", *, key: str | None = None,
               subject: str = ALICE, connection_id: str | None = ALICE_CONNECTION,
               context: LambdaContext | None = None, case: int | None = None,
               ) -> tuple[int, dict[str, Any], dict[str, str]]:  # fmt: skip
        """POST /requests as ``subject``; returns (status, body, headers)."""
        self._refuse_if_closed()
        body: dict[str, Any] = {"prompt": f"{prompt} [case {case or next(self.cases)}]"}
        if connection_id is not None:
            body["connection_id"] = connection_id
        headers = {"idempotency-key": key} if key else {}
        event = api_event(json.dumps(body), headers)
        event["requestContext"]["authorizer"] = {"jwt": {"claims": {"sub": subject}, "scopes": None}}
        with self.environment:
            response = ingest.lambda_handler(event, context or context_for("ingest"))
        return response["statusCode"], json.loads(response["body"]), response["headers"]

    def agent(self, api_path: str = "/requests", method: str = "POST", *, prompt: str | None = None,
              request_id: str | None = None, session_id: str = SESSION) -> tuple[int, dict[str, Any]]:  # fmt: skip
        """The Bedrock agent calls its action group (``POST /requests`` with ``prompt``, or ``GET
        /requests/{request_id}``) in ``session_id``; returns (status, body)."""
        self._refuse_if_closed()
        parameters = [{"name": "request_id", "type": "string", "value": request_id}] if request_id else None
        body = {"prompt": prompt} if prompt is not None else None
        event = agent_event(api_path, method, body=body, parameters=parameters, session_id=session_id)
        with self.environment:
            response = actions_handler.lambda_handler(event, context_for("actions"))["response"]
        return response["httpStatusCode"], json.loads(response["responseBody"]["application/json"]["body"])

    def invoke_in_workflow(self, parameters: dict[str, Any], region: str, state_credentials: Any) -> dict[str, Any]:
        """The interpreter's Lambda call: the real handler, its exception turned into a function error."""
        handler = {ROUTER_ARN: router.lambda_handler, DECIDE_ARN: decide.lambda_handler}[parameters["FunctionName"]]
        payload = json.loads(parameters["Payload"])
        name = parameters["FunctionName"].rsplit(":", 1)[1]
        context: Context | None = None
        try:
            self._refuse_if_closed()
            with self.environment:  # the invocation's clock starts when it runs, not while it waits its turn
                context = self.invocation.context = context_for(name)
                context.request_id = (payload.get("detail") or {}).get("request_id")
                result = handler(payload, context)
        except KilledError:
            result = None
        except Exception as exc:  # Lambda reports any exception as a function error
            return {"StatusCode": 200, "FunctionError": "Unhandled",
                    "Payload": {"errorType": type(exc).__name__, "errorMessage": str(exc)[:200]}}  # fmt: skip
        finally:
            self.invocation.context = None
        # Killed mid-way, or done too late: its result never reaches Step Functions.
        if context is not None and context.timed_out:
            self.timeouts.append(name)
            message = f"Task timed out after {TIMEOUT_SECONDS[name]:.2f} seconds"
            return {"StatusCode": 200, "FunctionError": "Unhandled",
                    "Payload": {"errorType": LAMBDA_TIMEOUT_ERROR, "errorMessage": message}}  # fmt: skip
        return {"StatusCode": 200, "Payload": result}

    def _deliver(self, event: dict[str, Any]) -> None:
        for attempt in range(ASYNC_ATTEMPTS):
            self._refuse_if_closed()
            if attempt:
                time.sleep(ASYNC_RETRY_DELAYS[attempt - 1] * SCALE)
            try:
                with self.environment:
                    deliver.lambda_handler(event, context_for("deliver"))
                return
            except Exception:  # Lambda retries an asynchronous invocation that raised
                continue
        self.deliver_failures.append(event["detail"]["request_id"])

    def _start(self, event: dict[str, Any]) -> None:
        self._refuse_if_closed()
        arn = self.sfn.start_execution(stateMachineArn=self.machine_arn, name=str(uuid.uuid4()),
                                       input=json.dumps(event))["executionArn"]  # fmt: skip
        self.executions.append(arn)

    def _drain(self, url: str) -> list[dict[str, Any]]:
        sqs = harness_client("sqs")
        found: list[dict[str, Any]] = []
        while batch := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
            found.extend(json.loads(m["Body"]) for m in batch)
            sqs.delete_message_batch(
                QueueUrl=url, Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(batch)]
            )
        return found

    def _wait_for_executions(self, timeout: float = 900.0) -> None:
        """Wait until no execution runs. A liveness guard, not a performance check: on a shared 2-core machine
        the 200-request suite can take minutes of wall time for a minute of CPU, so the deadline is generous;
        polling every 0.2 s instead of 0.05 s keeps moto's ListExecutions from competing for that CPU."""
        deadline = time.monotonic() + timeout
        while self.sfn.list_executions(stateMachineArn=self.machine_arn, statusFilter="RUNNING")["executions"]:
            if time.monotonic() > deadline:
                raise AssertionError("executions did not finish")
            time.sleep(0.2)

    def settle(self) -> None:
        """Run EventBridge's rules until nothing is left to do (every event delivered, every execution done)."""
        while True:
            self._wait_for_executions()
            events = self._drain(self.capture_url)
            if not events:
                return
            outcomes: list[dict[str, Any]] = []
            for event in events:
                event.setdefault("account", ACCOUNT)  # moto's SQS target drops it; EventBridge always sends it
                self.bus_events.append(event)
                copies = 1 + self.duplicate[event["detail-type"]] + bool(self.duplicate_if and self.duplicate_if(event))
                for _copy in range(copies):
                    if event["detail-type"] == "RequestReceived":
                        self._start(event)  # each copy an execution of its own, running alongside the others
                    elif event["detail-type"] in ("DecisionMade", "EscalationRequested"):
                        outcomes.append(event)  # the copies of one event side by side: they start together
            self._deliver_all(outcomes)

    def _deliver_all(self, events: list[dict[str, Any]]) -> None:
        """Invoke deliver for each of ``events`` as EventBridge does, asynchronously: each delivery is an invocation
        of its own in its own thread, running alongside the others (at most ``DELIVERY_THREADS`` under way), so the
        copies of a duplicated outcome event overlap as the executions of a duplicated ``RequestReceived`` do: the
        later one meets the first one's in-progress record. Returns when every delivery (and its retries) ended.

        Raises
        ------
        WorldClosedError
            When the world was closed meanwhile (after the deliveries under way ended).
        """
        if not events:
            return
        pool = ThreadPoolExecutor(max_workers=min(len(events), DELIVERY_THREADS), thread_name_prefix="world-deliver")
        self._pools.append(pool)
        try:
            for future in [pool.submit(self._deliver, event) for event in events]:
                future.result()
        finally:
            pool.shutdown(wait=True, cancel_futures=True)

    # --- the world's own threads, and its teardown ------------------------------------------------------

    def clients(self, work: Callable[[int], T], count: int, *, workers: int = 8) -> list[T]:
        """``work(0)`` ... ``work(count - 1)`` from ``workers`` client threads; the results in that order.

        The threads are the world's: when one client fails, the others stop at their next request (instead of
        retrying on for minutes) and the failure propagates once every client thread has ended.
        """
        pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="world-client")
        self._pools.append(pool)
        try:
            return list(pool.map(work, range(count)))
        except BaseException:
            self.closed.set()
            raise
        finally:
            pool.shutdown(wait=True, cancel_futures=True)

    def threads(self) -> list[threading.Thread]:
        """The threads this world started that are still alive: its clients', its deliveries' and moto's for its
        executions."""
        pools = [thread for pool in self._pools for thread in list(getattr(pool, "_threads", ()))]
        return [thread for thread in [*pools, *TMP_THREADS[self._moto_threads :]] if thread.is_alive()]

    def close(self, timeout: float = CLOSE_TIMEOUT_SECONDS) -> None:
        """Stop every worker of this world and wait for it (the teardown of every test, failed or not).

        No new work starts (clients, executions, deliveries and the workflow's Lambda calls refuse), executions
        still running are stopped (StopExecution: moto's interpreter ends them at their next state), and every
        thread the world started is joined, before moto's mock ends and resets its backends.

        Raises
        ------
        AssertionError
            When a thread is still alive after ``timeout`` seconds (it would run on into later tests).
        """
        self.closed.set()
        for pool in self._pools:
            pool.shutdown(wait=True, cancel_futures=True)
        pages = self.sfn.get_paginator("list_executions").paginate(
            stateMachineArn=self.machine_arn, statusFilter="RUNNING"
        )
        for execution in (e for page in pages for e in page["executions"]):
            self.sfn.stop_execution(executionArn=execution["executionArn"], error="WorldClosed", cause="teardown")
            self.stopped.append(execution["executionArn"])
        deadline = time.monotonic() + timeout
        for thread in self.threads():
            thread.join(max(deadline - time.monotonic(), 0.0))
        alive = [thread.name for thread in self.threads()]
        if alive:
            raise AssertionError(f"threads still running after {timeout} s: {alive}")

    def _refuse_if_closed(self) -> None:
        if self.closed.is_set():
            raise WorldClosedError("the world is closed")

    # --- what came out ----------------------------------------------------------------------------------

    def events(self, detail_type: str) -> list[dict[str, Any]]:
        return [e["detail"] for e in self.bus_events if e["detail-type"] == detail_type]

    def outcomes(self) -> Counter[str]:
        """Outcome events per request id."""
        return Counter(d["request_id"] for t in ("DecisionMade", "EscalationRequested") for d in self.events(t))

    def audit(self) -> list[dict[str, Any]]:
        items = harness_client("dynamodb").scan(TableName=ENVIRONMENT[c.ENV_AUDIT_TABLE_NAME])["Items"]
        return list(items)

    def in_progress_met_by(self, handler: Callable[..., Any]) -> int:
        """How often invocations of ``handler`` met another invocation's in-progress record: they overlapped.
        Powertools keys a record ``<function name>.<module>.<qualified name>#<hash>`` (aws_lambda_powertools
        3.37.0 utilities/idempotency/base.py ``IdempotencyHandler.__init__``, persistence/base.py ``configure``);
        ``handler`` is the decorated function, whose ``functools.wraps`` keeps the undecorated one's names."""
        name = f".{handler.__module__}.{handler.__qualname__}"
        return sum(count for key, count in self.in_progress_met.items() if key.endswith(name))

    def reviews(self) -> list[dict[str, Any]]:
        return self._drain(self.review_url)

    def record(self, call: Call, status: int) -> None:
        """Log ``call`` when it writes to the audit table (every answered AWS request passes here)."""
        audit = ENVIRONMENT[c.ENV_AUDIT_TABLE_NAME]
        if call.service != "dynamodb" or call.operation not in WRITES:
            return
        tables = {call.body.get("TableName"), *call.body.get("RequestItems", {})}
        tables |= {one.get("TableName") for entry in call.body.get("TransactItems", []) for one in entry.values()}
        if audit not in tables:
            return
        item = call.body.get("Item") or call.body.get("Key") or {}
        key = (item[c.AUDIT_KEY_ATTR]["S"], item[c.AUDIT_SORT_ATTR]["S"]) if c.AUDIT_KEY_ATTR in item else None
        write = AuditWrite(call.operation, key, str(call.body.get("ConditionExpression", "")), status)
        with self.lock:
            self.audit_writes.append(write)

    def assert_audit_append_only(self) -> None:
        """Every audit write was a conditional put (``attribute_not_exists``), and each (request_id, record)
        was written successfully at most once: the table is append-only, as docs/delivery-guarantees.md says."""
        unconditional = [w for w in self.audit_writes if w.operation != "PutItem" or "attribute_not_exists" not in
                         w.condition]  # fmt: skip
        assert unconditional == [], f"audit writes that may overwrite: {unconditional}"
        written = Counter(w.key for w in self.audit_writes if w.status == 200)
        assert written and max(written.values()) == 1, [key for key, n in written.items() if n > 1]

    def assert_cost_recorded_is_cost_paid(self) -> int:
        """Each decision's recorded cost is what the fake Bedrock billed for that request (issue 12 §1; P040
        token-based cost modelling): ``cost_usd`` is the sum of its paid calls (tokens x price per tier),
        ``cost_known`` is False exactly when a paid reply carried no usage (then ``cost_usd`` is what the others
        cost), and ``cached`` only when no call was paid for it. A paid answer recorded as "cached, $0" (the
        original bug) fails here. Returns how many decisions it read.
        """
        bills: dict[str | None, list[Bill]] = {}
        for bill in list(self.models.bills):
            bills.setdefault(bill.request_id, []).append(bill)
        assert None not in bills, "a model call outside a router invocation"
        decisions = [i for i in self.audit() if i[c.AUDIT_SORT_ATTR]["S"] == c.AUDIT_DECISION_RECORD]
        wrong: list[tuple[str, Any, Any]] = []
        for item in decisions:
            request_id = item[c.AUDIT_KEY_ATTR]["S"]
            paid = bills.get(request_id, [])
            known = all(bill.usage is not None for bill in paid)
            recorded = (float(item["cost_usd"]["N"]), item["cost_known"]["BOOL"], item["cached"]["BOOL"])
            # A reply without usage adds nothing it could know (``cost_known`` False says the sum is a floor).
            known_cost = sum(bill.cost_usd for bill in paid if bill.usage is not None)
            expected = (known_cost, known, recorded[2] and not paid)
            if abs(recorded[0] - expected[0]) > 1e-9 or recorded[1:] != expected[1:]:
                wrong.append((request_id, recorded, expected))
        assert wrong == [], f"recorded (cost_usd, cost_known, cached) against what was paid: {wrong}"
        return len(decisions)


# --- what every World shares: built once per process, not once per test ---------------------------------
# The harness's own clients (not the handlers': those are rebuilt per test by `_clear_caches`, so each test
# starts with botocore's retry quota full, as a fresh Lambda environment does). moto intercepts every client
# through its global `before-send` hook, whichever mock is active, and resets its backends between mocks.


@functools.cache
def _session() -> boto3.session.Session:
    """One session: botocore's loader parses each service model once (about 1 s of CPU per World otherwise)."""
    return boto3.session.Session(region_name=REGION)


@functools.cache
def harness_client(service_name: str) -> Any:
    """The harness's client for ``service_name`` (creating one costs ~0.1 s of CPU)."""
    return _session().client(service_name)


@functools.cache
def _parsed_definition(definition: str) -> Any:
    """moto parses the ASL with ANTLR at CreateStateMachine *and* at every StartExecution (~1 s of CPU each).
    The parsed program keeps no evaluation state (that lives in each execution's Environment heap and stack:
    moto.stepfunctions.parser.asl.component.common.retry.max_attempts_decl), so one parse serves them all."""
    return _ORIGINAL_PARSE(definition)


_ORIGINAL_PARSE = AmazonStateLanguageParser.parse


def _wrapped_stubber(world_ref: list[World]) -> Callable[..., AWSResponse | None]:
    original = BotocoreStubber.__call__

    def call(self: BotocoreStubber, event_name: str, request: Any, **kwargs: Any) -> AWSResponse | None:
        if world_ref and self.enabled:
            _, service, operation = [*event_name.split("."), "", ""][:3]
            raw = request.body or b""
            raw = raw.encode() if isinstance(raw, str) else bytes(raw) if not hasattr(raw, "read") else b""
            try:
                body = json.loads(raw) if raw[:1] == b"{" else {}
            except ValueError:
                body = {}
            config = (request.context or {}).get("client_config")
            read_timeout = getattr(config, "read_timeout", None)
            world, request_call = world_ref[0], Call(service, operation, request.url, body, raw, read_timeout)
            answer = world.answer(request_call)
            if answer is not None:
                status, headers, content = answer
                world.record(request_call, status)
                return AWSResponse(request.url, status, headers, MockRawResponse(content))  # type: ignore[arg-type]
            with _MOTO:
                response = original(self, event_name, request, **kwargs)
            world.record(request_call, response.status_code if response is not None else 0)
            return response
        with _MOTO:
            return original(self, event_name, request, **kwargs)

    return call


def _known_backend_first(original: Callable[[BackendDict, str], None]) -> Callable[[BackendDict, str], None]:
    """moto looks its backend list through on every request (``self not in BackendDict._instances``, under a
    global lock): most of the suite's CPU. Once an account's backend exists, that look-up changes nothing."""

    def create(self: BackendDict, account_id: str) -> None:
        if not dict.__contains__(self, account_id):
            original(self, account_id)

    return create


def running_world(monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    """A fresh pipeline; faults are injected per test (the ``world`` fixture of tests/functions/conftest.py)."""
    ref: list[World] = []
    monkeypatch.setattr(
        BackendDict,
        "_create_account_specific_backend",
        _known_backend_first(BackendDict._create_account_specific_backend),
    )
    waits: list[float] = []
    monkeypatch.setattr(BotocoreStubber, "__call__", _wrapped_stubber(ref))
    monkeypatch.setattr(standard.ExponentialBackoff, "delay_amount", lambda _self, _context: 0)

    def scaled_sleep(seconds: float) -> None:
        waits.append(seconds)
        time.sleep(seconds * SCALE)

    monkeypatch.setattr(retrier_decl, "time", type("ScaledTime", (), {"sleep": staticmethod(scaled_sleep)}))
    monkeypatch.setattr(effects, "pause", lambda seconds: time.sleep(seconds * SCALE))  # a completion's retries
    monkeypatch.setattr(AmazonStateLanguageParser, "parse", staticmethod(_parsed_definition))
    environments.per_thread_metrics(monkeypatch, ingest.metrics, router.metrics, decide.metrics, deliver.metrics)
    environments.per_thread_lambda_context(monkeypatch)
    in_progress = environments.count_in_progress(monkeypatch)
    monkeypatch.setattr(IdempotencyHandler, "_get_remaining_time_in_millis", _scaled_remaining_time)
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        # moto drops boto3's default session on every start; the handlers' clients (rebuilt per test) come from
        # it, so without this each test parses every service model again.
        monkeypatch.setattr(boto3, "DEFAULT_SESSION", _session())
        _clear_caches()
        created = World()
        created.sfn_waits = waits
        created.in_progress_met = in_progress
        ref.append(created)
        monkeypatch.setattr(lambda_eval_utils, "_invoke_lambda_function", created.invoke_in_workflow)
        try:
            yield created
        finally:  # whatever the test did: a failed assertion, a timeout, an exception in a client thread
            try:
                created.close()
            finally:
                ref.clear()
                _clear_caches()
