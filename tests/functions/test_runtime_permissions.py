"""Issue 9 §5: every handler runs as its own role, with exactly the policies the dev and prod graphs attach.

Each test invokes one real handler inside a moto account built from the stack's graph, with IAM enforcement on
(tests/functions/runtime_iam.py says what moto authorises, what this adds and what neither checks: resource
policies, KMS key policies and the implied KMS calls of encrypted resources are not proven here). A test fails
when any request the handler makes, or Lambda makes for it (the dead-letter queue), is denied, naming the
action and the resource: `Sandbox.denied` also holds the denials a handler swallows.
"""

from __future__ import annotations

import copy
import json
import sys
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from functions.decide.actions import output_key
from functions.edge.contract import VariantKey, VariantRequested
from functions.shared.events import DecisionMade, EscalationRequested, ModelAnswered, RequestReceived
from tests.bootstrap.iam_eval import matches
from tests.functions.conftest import LambdaContext
from tests.functions.factories import api_event, envelope, new_request_id
from tests.functions.pipeline import error
from tests.functions.runtime_iam import RoleDeniedError, Sandbox, lambda_functions, platform_graph, sandbox

STACKS = ("dev", "prod")
#: The functions these tests run, per graph; a function the graph gains fails the completeness test below.
EXERCISED = {
    "ingest",
    "router",
    "decide",
    "deliver",
    "actions",
    "variants",
    "edge-personalise",
    "api-ws-authorizer",
    "api-ws-connections",
}
#: Functions of the graphs not run here (none: every function's runtime permissions are proven below).
NOT_RUN_HERE: set[str] = set()
#: The caller who opened the connections the deliver scenarios push to.
SUBJECT = "9f3c1e2a-7b4d-4e8f-a1c2-3d4e5f6a7b8c"


@pytest.fixture(params=STACKS)
def stack(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch) -> Any:
    """`run(stack, function)`: a sandbox for one function of one stack's graph."""

    def open_(stack: str, name: str, allowed_tiers: tuple[str, ...] = ()) -> AbstractContextManager[Sandbox]:
        return sandbox(platform_graph(stack, allowed_tiers), name, monkeypatch)

    return open_


def _context(box: Sandbox) -> LambdaContext:
    name = box.function.physical_name
    return LambdaContext(
        function_name=name, invoked_function_arn=f"arn:aws:lambda:{box.region}:123456789012:function:{name}"
    )


def _dead_letters(box: Sandbox) -> None:
    """Lambda can put a failed asynchronous event on the function's dead-letter queue, as the function's role."""
    assert box.function.dead_letter_arn is not None, f"{box.function.name} has no dead-letter queue"
    box.send_to_dead_letter_queue({"detail-type": "failed", "detail": {}})
    assert box.denied == []
    assert len(box.messages(box.function.dead_letter_arn)) == 1


def test_every_function_of_the_graph_is_exercised(stack: str) -> None:
    """A function added to the platform needs its runtime permissions proven here too."""
    functions = lambda_functions(platform_graph(stack))
    assert set(functions) <= EXERCISED | NOT_RUN_HERE, sorted(set(functions) - EXERCISED - NOT_RUN_HERE)
    assert {"ingest", "router", "decide", "deliver"} <= set(functions)


@pytest.mark.parametrize(
    ("name", "policy", "action"),
    [
        ("decide", "storage-audit-write-decide-role", "dynamodb:PutItem"),
        ("decide", "escalation-publish-decide-role", "sns:Publish"),
        ("decide", "decide-put-events", "events:PutEvents"),
        ("deliver", "deliver-manage-connections", "execute-api:ManageConnections"),
    ],
    ids=["dynamodb", "sns", "eventbridge", "execute-api"],
)
def test_the_sandbox_denies_what_the_role_lacks(
    monkeypatch: pytest.MonkeyPatch, name: str, policy: str, action: str
) -> None:
    """Without one of its grants, the role is denied exactly that action on that grant's resource: the resource
    ARNs this harness gives moto, and iam_eval for what moto skips, can fail."""
    graph = platform_graph("dev")
    removed = json.loads(lambda_functions(graph)[name].role.inline[policy])["Statement"][0]
    with sandbox(graph, name, monkeypatch, without=policy) as box:
        if name == "decide":
            event = _answered(confidence=0.2)  # escalated: audit, claim check, review topic and bus
        else:
            _own(box, "conn-9", SUBJECT)
            example = EscalationRequested.model_json_schema()["examples"][0]
            detail = {**example, "request_id": new_request_id(), "connection_id": "conn-9", "subject": SUBJECT}
            event = envelope("EscalationRequested", detail)
        with pytest.raises(RoleDeniedError) as denied:
            box.invoke(event, _context(box))

    first_action, _, resource = denied.value.denied[0].partition(" on ")
    assert first_action == action
    assert any(matches(pattern, resource) for pattern in removed["Resource"]), (resource, removed["Resource"])


@pytest.mark.parametrize(
    ("name", "action"),
    [("decide", "kms:GenerateDataKey"), ("deliver", "kms:Decrypt")],
    ids=["claim-check-write", "claim-check-read"],
)
def test_the_sandbox_denies_the_kms_call_of_an_encrypted_bucket(
    monkeypatch: pytest.MonkeyPatch, name: str, action: str
) -> None:
    """Without `action` on the stack key anywhere in the role, the claim check (an SSE-KMS object) is denied."""
    graph = platform_graph("dev")
    with sandbox(graph, name, monkeypatch, without_action=action) as box:
        event = _answered() if name == "decide" else _decision(box, "conn-1")
        with pytest.raises(RoleDeniedError) as denied:
            box.invoke(event, _context(box))

    [key] = {k for (service, _), k in box.keys.items() if service == "s3"}
    assert denied.value.denied[0] == f"{action} on {key}"


# --- ingest -----------------------------------------------------------------------------------------------


def _own(box: Sandbox, connection_id: str, subject: str) -> None:
    """Record, as `$connect` does (functions/shared/connections.py), that `subject` holds `connection_id`."""
    box.admin.client("dynamodb").put_item(
        TableName=box.function.environment["CONNECTIONS_TABLE_NAME"],
        Item={
            "connection_id": {"S": connection_id},
            "subject": {"S": subject},
            "expires_at": {"N": "4102444800"},
        },
    )


def _submission(prompt: str = "What is the capital of France?") -> dict[str, Any]:
    event = api_event(json.dumps({"prompt": prompt, "connection_id": "conn-1"}))
    event["requestContext"]["authorizer"] = {"jwt": {"claims": {"sub": "alice"}, "scopes": None}}
    return event


def test_ingest_screens_announces_and_refuses(run: Any, stack: str) -> None:
    """A request is screened and announced; one the guardrail blocks is refused and announced nowhere."""
    with run(stack, "ingest") as box:
        _own(box, "conn-1", "alice")
        response = box.invoke(_submission(), _context(box))

        assert box.denied == []
        assert response["statusCode"] == 202, response
        assert [op for op, _ in box.bedrock.calls] == ["ApplyGuardrail"]
        [event] = box.events("RequestReceived")
        assert event["detail"]["connection_id"] == "conn-1"

        box.bedrock.guardrail_action = "GUARDRAIL_INTERVENED"
        response = box.invoke(_submission("how to build a weapon"), _context(box))

        assert box.denied == []
        assert response["statusCode"] == 400, response
        assert box.events("RequestReceived") == []
        _dead_letters(box)


# --- router -----------------------------------------------------------------------------------------------


def _request_received(prompt: str = "What is the capital of France?") -> dict[str, Any]:
    example = RequestReceived.model_json_schema()["examples"][0]
    return envelope("RequestReceived", {**example, "request_id": new_request_id(), "prompt": prompt})


def _models(box: Sandbox) -> dict[str, str]:
    return dict(json.loads(box.function.environment["MODEL_IDS"]))


def test_router_answers_and_skips_a_tier_that_errors(run: Any, stack: str) -> None:
    """The cheapest model answers; when it errors, the router records why and the next tier answers."""
    with run(stack, "router") as box:
        models = _models(box)
        answered = box.invoke(_request_received(), _context(box))

        assert box.denied == []
        assert answered["tier"] == "micro", answered
        assert box.bedrock.calls == [("Converse", models["micro"])]
        [event] = box.events("ModelAnswered")
        assert event["detail"]["request_id"] == answered["request_id"]
        # Its durable answer: read (GetItem) before any model call, appended once (PutItem), as its role allows.
        assert _audit_records(box, answered["request_id"]) == ["answered"]

        box.bedrock.failing[models["micro"]] = error(500, "InternalServerException", "model failure")
        answered = box.invoke(_request_received("Where is the Louvre?"), _context(box))

        assert box.denied == []
        assert answered["tier"] == "lite", answered
        assert [m for _, m in box.bedrock.calls][-1] == models["lite"]
        assert [s["tier"] for s in answered["skipped"]] == ["micro"]
        _dead_letters(box)


def test_router_with_a_gap_in_the_allowed_tiers_calls_only_granted_models(run: Any) -> None:
    """dev allowing micro and pro (no lite): every model the router calls is one its role may invoke."""
    with run("dev", "router", ("micro", "pro")) as box:
        models = _models(box)
        box.bedrock.confidence[models["micro"]] = 0.2  # unconfident: the router escalates past the gap
        answered = box.invoke(_request_received(), _context(box))

        assert box.denied == []
        assert answered["tier"] == "pro", answered
        assert [m for _, m in box.bedrock.calls] == [models["micro"], models["pro"]]


# --- decide -----------------------------------------------------------------------------------------------


def _answered(**changes: Any) -> dict[str, Any]:
    example = ModelAnswered.model_json_schema()["examples"][0]
    return {**example, "request_id": new_request_id(), **changes}


def _audit_records(box: Sandbox, request_id: str) -> list[str]:
    table = box.function.environment["AUDIT_TABLE_NAME"]
    items = box.admin.client("dynamodb").scan(TableName=table)["Items"]
    return [i.get("outcome", {"S": i["record"]["S"]})["S"] for i in items if i["request_id"]["S"] == request_id]


def test_decide_accepts_or_sends_to_review(run: Any, stack: str) -> None:
    """An answer is stored, audited and announced; an unconfident one goes to human review."""
    with run(stack, "decide") as box:
        accepted = _answered()
        result = box.invoke(accepted, _context(box))

        assert box.denied == []
        assert result["detail_type"] == "DecisionMade", result
        bucket = box.function.environment["OUTPUTS_BUCKET_NAME"]
        stored = box.admin.client("s3").get_object(Bucket=bucket, Key=result["detail"]["output_key"])
        assert json.loads(stored["Body"].read())["answer"] == "Paris."
        assert sorted(_audit_records(box, accepted["request_id"])) == ["accepted", "outcome_owner", "outcome_sent"]
        assert len(box.events("DecisionMade")) == 1

        unsure = _answered(confidence=0.2)
        result = box.invoke(unsure, _context(box))

        assert box.denied == []
        assert result["detail_type"] == "EscalationRequested", result
        # The decision, and the marker that the reviewers' one case went out (the failure path reads it).
        assert sorted(_audit_records(box, unsure["request_id"])) == [
            "escalated",
            "outcome_owner",
            "outcome_sent",
            "review_sent",
        ]
        assert len(box.events("EscalationRequested")) == 1
        _dead_letters(box)


# --- deliver ----------------------------------------------------------------------------------------------


def _decision(box: Sandbox, connection_id: str) -> dict[str, Any]:
    """A DecisionMade whose claim check decide stored in the stack's outputs bucket, at decide's own key."""
    bucket = lambda_functions(box.graph)["decide"].environment["OUTPUTS_BUCKET_NAME"]
    answered = ModelAnswered.model_validate(_answered())
    key = output_key(answered)
    box.admin.client("s3").put_object(Bucket=bucket, Key=key, Body=json.dumps({"answer": "Paris."}))
    example = DecisionMade.model_json_schema()["examples"][0]
    detail = {**example, "request_id": answered.request_id, "output_bucket": bucket, "output_key": key}
    return envelope("DecisionMade", {**detail, "connection_id": connection_id, "subject": SUBJECT})


def test_deliver_pushes_answers_escalations_and_survives_a_gone_connection(run: Any, stack: str) -> None:
    """The claim-checked answer is read and pushed; an escalation tells the requester to wait; a gone
    connection is recorded."""
    with run(stack, "deliver") as box:
        for connection in ("conn-1", "conn-2", "conn-3"):
            _own(box, connection, SUBJECT)
        result = box.invoke(_decision(box, "conn-1"), _context(box))

        assert box.denied == []
        assert result["status"] == "delivered", result
        assert [(c, m["answer"]) for c, m in box.pushes] == [("conn-1", "Paris.")]
        assert len(box.events("ResultDelivered")) == 1

        example = EscalationRequested.model_json_schema()["examples"][0]
        detail = {**example, "request_id": new_request_id(), "connection_id": "conn-2", "subject": SUBJECT}
        result = box.invoke(envelope("EscalationRequested", detail), _context(box))

        assert box.denied == []
        assert result["status"] == "delivered", result
        assert [m["type"] for _, m in box.pushes] == ["result", "escalated"]

        box.gone_connections.add("conn-3")
        result = box.invoke(_decision(box, "conn-3"), _context(box))

        assert box.denied == []
        assert result["status"] == "connection_gone", result
        _dead_letters(box)


# --- actions (the agent's action group) -------------------------------------------------------------------


def _agent_event(api_path: str, method: str, **extra: Any) -> dict[str, Any]:
    """A Bedrock agent OpenAPI action-group event (input format of
    https://docs.aws.amazon.com/bedrock/latest/userguide/agents-lambda.html#agents-lambda-input)."""
    return {
        "actionGroup": "requests",
        "messageVersion": "1.0",
        "sessionId": "12345678912345",
        "sessionAttributes": {},
        "promptSessionAttributes": {},
        "inputText": "Please look into my parking permit renewal",
        "agent": {"alias": "TSTALIASID", "name": "assistant", "version": "DRAFT", "id": "8ZXY0W8P1H"},
        "httpMethod": method,
        "apiPath": api_path,
        "parameters": [],
        **extra,
    }


def _action_status(response: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    inner = response["response"]
    return inner["httpStatusCode"], json.loads(inner["responseBody"]["application/json"]["body"])


def test_actions_submits_a_request_and_reads_its_status(run: Any, stack: str) -> None:
    with run(stack, "actions") as box:
        body = {"content": {"application/json": {"properties": [{"name": "prompt", "type": "string",
                                                                   "value": "Renew my parking permit"}]}}}  # fmt: skip
        status, submitted = _action_status(
            box.invoke(_agent_event("/requests", "POST", requestBody=body), _context(box))
        )
        assert box.denied == []
        assert (status, submitted["status"]) == (200, "accepted"), submitted
        assert len(box.events("RequestReceived")) == 1

        parameters = [{"name": "request_id", "type": "string", "value": submitted["request_id"]}]
        event = _agent_event("/requests/{request_id}", "GET", parameters=parameters)
        status, read = _action_status(box.invoke(event, _context(box)))

        assert box.denied == []
        assert (status, read["status"]) == (200, "pending"), read
        _dead_letters(box)


# --- the edge tier (prod): the Lambda@Edge personaliser and the core's variant writer ----------------------


def _edge_stacks() -> list[str]:
    """The stacks with the edge tier (prod's `features.edge`); at least one, so the edge tests always run."""
    stacks = [s for s in STACKS if "variants" in lambda_functions(platform_graph(s))]
    assert stacks, "no stack deploys the edge tier"
    return stacks


def _content_bucket(box: Sandbox) -> str:
    return lambda_functions(box.graph)["variants"].environment["CONTENT_BUCKET_NAME"]


def test_variants_writes_a_requested_variant(run: Any) -> None:
    for stack in _edge_stacks():
        with run(stack, "variants") as box:
            bucket = _content_bucket(box)
            box.admin.client("s3").put_object(Bucket=bucket, Key="index.html", Body=b"<h1>Hello</h1>")
            request = VariantRequested(VariantKey("index", "FR", "fr", "new"), datetime(2026, 12, 1, 9, 0, tzinfo=UTC))
            entry = request.to_entry("bus")
            event = {**envelope(entry["DetailType"], json.loads(entry["Detail"])), "source": entry["Source"]}
            result = box.invoke(event, _context(box))

            assert box.denied == []
            assert result == {"status": "written", "key": "variants/index/FR-fr-new.html"}, result
            assert [op for op, _ in box.bedrock.calls] == ["Converse"]
            _dead_letters(box)


def test_edge_checks_the_variant_and_asks_for_a_missing_one(run: Any, tmp_path: Path) -> None:
    golden = json.loads((Path(__file__).parent / "golden" / "edge" / "miss_serves_default_and_asks.json").read_text())
    for stack in _edge_stacks():
        with run(stack, "edge-personalise") as box:
            # Lambda@Edge has no environment: its settings are the config.json packaged with it (a StringAsset the
            # graph does not carry); the bus is the graph's, in the stack's region.
            [bus] = box.graph.of_type("aws:cloudwatch/eventBus:EventBus")
            config = tmp_path / f"{stack}-config.json"
            config.write_text(json.dumps({"bus_name": bus.inputs["name"], "bus_region": box.region}), "utf-8")
            module = sys.modules[box.function.handler.rsplit(".", 1)[0]]
            box_config = module.EdgeConfig.load(config)
            event = copy.deepcopy(golden["event"])
            origin = event["Records"][0]["cf"]["request"]["origin"]["s3"]
            origin["domainName"] = f"{_content_bucket(box)}.s3.{box.region}.amazonaws.com"
            with pytest.MonkeyPatch.context() as patch:
                patch.setattr(module, "_config", lambda loaded=box_config: loaded)
                result = box.invoke(event, _context(box))

            assert box.denied == []
            assert result["uri"] == golden["expected_uri"], result
            [asked] = box.events("VariantRequested")
            assert asked["source"] == "agentic.edge"


# --- the WebSocket connections: the $connect authorizer and the $connect/$disconnect handler ---------------

#: The issuer's signing key: tokens are real RS256 JWTs, verified by PyJWT as in tests/functions/test_connections.py.
SIGNING_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
KID = "runtime-iam-key"


@pytest.fixture
def issuer_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    """The issuer's `/.well-known/jwks.json`: PyJWKClient's one network call, answered here."""
    public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(SIGNING_KEY.public_key()))
    jwks = {"keys": [{**public, "kid": KID, "alg": "RS256", "use": "sig"}]}
    monkeypatch.setattr(jwt.PyJWKClient, "fetch_data", lambda _self: jwks)


def _id_token(box: Sandbox, subject: str, audience: str | None = None) -> str:
    """A Cognito-shaped ID token from the graph's own issuer, for the graph's app client unless `audience`."""
    now = int(datetime.now(UTC).timestamp())
    claims = {
        "sub": subject,
        "iss": box.function.environment["JWT_ISSUER"],
        "aud": audience or json.loads(box.function.environment["JWT_AUDIENCE"])[0],
        "token_use": "id",
        "iat": now,
        "exp": now + 3600,
    }
    return jwt.encode(claims, SIGNING_KEY, algorithm="RS256", headers={"kid": KID})


def _connect_request(box: Sandbox, token: str) -> dict[str, Any]:
    """A WebSocket REQUEST authorizer event for `$connect` with the token in the query string."""
    method_arn = f"arn:aws:execute-api:{box.region}:123456789012:ws1a2b3c/live/$connect"
    return {"type": "REQUEST", "methodArn": method_arn, "headers": {}, "queryStringParameters": {"token": token}}


def test_the_ws_authorizer_allows_its_issuers_callers_only(run: Any, stack: str, issuer_keys: None) -> None:
    """A token of the stack's own user pool client opens `$connect` as its subject; one for another client does
    not; neither needs an AWS call beyond what the role grants (the JWKS is the issuer's public endpoint)."""
    with run(stack, "api-ws-authorizer") as box:
        allowed = box.invoke(_connect_request(box, _id_token(box, SUBJECT)), _context(box))

        assert box.denied == []
        assert allowed["principalId"] == SUBJECT
        assert [s["Effect"] for s in allowed["policyDocument"]["Statement"]] == ["Allow"]

        other_client = _id_token(box, SUBJECT, audience="agentic-platform-other-api-client")
        refused = box.invoke(_connect_request(box, other_client), _context(box))

        assert box.denied == []
        assert [s["Effect"] for s in refused["policyDocument"]["Statement"]] == ["Deny"]
        _dead_letters(box)


def _route(connection_id: str, event_type: str, principal: str | None = None) -> dict[str, Any]:
    """A `$connect`/`$disconnect` proxy event; `principal` is what the authorizer put in the context."""
    request_context: dict[str, Any] = {"connectionId": connection_id, "eventType": event_type}
    if principal is not None:
        request_context["authorizer"] = {"principalId": principal, "sub": principal}
    return {"requestContext": request_context}


def _holder(box: Sandbox, connection_id: str) -> str | None:
    table = box.function.environment["CONNECTIONS_TABLE_NAME"]
    key = {"connection_id": {"S": connection_id}}
    item = box.admin.client("dynamodb").get_item(TableName=table, Key=key).get("Item")
    return item["subject"]["S"] if item else None


def test_the_ws_connections_bind_refuse_a_taken_id_and_unbind(run: Any, stack: str) -> None:
    """`$connect` records who holds the connection, refuses an id another caller holds, `$disconnect` forgets it."""
    with run(stack, "api-ws-connections") as box:
        assert box.invoke(_route("Ab12Cd34=", "CONNECT", SUBJECT), _context(box)) == {"statusCode": 200}

        assert box.denied == []
        assert _holder(box, "Ab12Cd34=") == SUBJECT

        taken = box.invoke(_route("Ab12Cd34=", "CONNECT", "mallory"), _context(box))

        assert box.denied == []
        assert taken == {"statusCode": 403}
        assert _holder(box, "Ab12Cd34=") == SUBJECT

        assert box.invoke(_route("Ab12Cd34=", "DISCONNECT"), _context(box)) == {"statusCode": 200}

        assert box.denied == []
        assert _holder(box, "Ab12Cd34=") is None
        _dead_letters(box)


def test_the_ws_connections_without_their_table_grant_are_denied(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without the connections-table grant, `$connect` is denied PutItem on exactly that table."""
    graph = platform_graph("dev")
    policy = "storage-connections-bind-api-ws-connections-role"
    statements = json.loads(lambda_functions(graph)["api-ws-connections"].role.inline[policy])["Statement"]
    [removed] = [s for s in statements if "dynamodb:PutItem" in s["Action"]]
    with (
        sandbox(graph, "api-ws-connections", monkeypatch, without=policy) as box,
        pytest.raises(RoleDeniedError) as denied,
    ):
        box.invoke(_route("Ab12Cd34=", "CONNECT", SUBJECT), _context(box))

    action, _, resource = denied.value.denied[0].partition(" on ")
    assert action == "dynamodb:PutItem"
    assert resource in removed["Resource"], (resource, removed["Resource"])
