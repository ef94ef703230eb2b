"""The WebSocket ``$connect`` authorizer and the ``$connect``/``$disconnect`` handler (issue 12 §2).

Tokens are real RS256 JWTs signed with a key made here; the issuer's JWKS endpoint is answered by patching
PyJWKClient's fetch only, so PyJWT's own key selection, signature and claim checks run.
"""

from __future__ import annotations

import json
import time
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from functions.connections import authorizer, tokens
from functions.connections import handler as connections_handler
from functions.shared import connections
from tests.functions.conftest import ENVIRONMENT

ISSUER = ENVIRONMENT["JWT_ISSUER"]
CLIENT_ID = json.loads(ENVIRONMENT["JWT_AUDIENCE"])[0]
METHOD_ARN = "arn:aws:execute-api:us-east-1:123456789012:abc123/live/$connect"
KID = "test-key-1"
HMAC_SECRET = "an-hmac-secret-of-at-least-32-bytes"


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


SIGNING_KEY = _key()
OTHER_KEY = _key()


def _jwks() -> dict[str, Any]:
    public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(SIGNING_KEY.public_key()))
    return {"keys": [{**public, "kid": KID, "alg": "RS256", "use": "sig"}]}


@pytest.fixture(autouse=True)
def jwks(monkeypatch: pytest.MonkeyPatch) -> None:
    """The issuer's ``/.well-known/jwks.json`` (PyJWKClient.fetch_data is the one network call)."""
    tokens.jwks_client.cache_clear()
    authorizer.load_settings.cache_clear()
    monkeypatch.setattr(jwt.PyJWKClient, "fetch_data", lambda _self: _jwks())


def _token(*, key: rsa.RSAPrivateKey = SIGNING_KEY, kid: str = KID, **overrides: Any) -> str:
    now = int(time.time())
    claims: dict[str, Any] = {
        "sub": "alice-sub",
        "iss": ISSUER,
        "aud": CLIENT_ID,
        "token_use": "id",
        "iat": now,
        "exp": now + 3600,
    }
    claims.update(overrides)
    return jwt.encode({k: v for k, v in claims.items() if v is not None}, key, algorithm="RS256", headers={"kid": kid})


def _authorizer_event(token: str | None) -> dict[str, Any]:
    event: dict[str, Any] = {"type": "REQUEST", "methodArn": METHOD_ARN, "headers": {}}
    if token is not None:
        event["queryStringParameters"] = {"token": token}
    return event


def _effects(response: dict[str, Any]) -> list[str]:
    return [statement["Effect"] for statement in response["policyDocument"]["Statement"]]


# --- the authorizer -------------------------------------------------------------------------------------


def test_a_valid_id_token_is_allowed_with_its_subject(context):
    response = authorizer.lambda_handler(_authorizer_event(_token()), context)

    assert response["principalId"] == "alice-sub"
    assert response["context"] == {"sub": "alice-sub"}
    assert _effects(response) == ["Allow"]
    assert response["policyDocument"]["Statement"][0]["Resource"] == [METHOD_ARN]


def test_an_access_token_is_matched_on_client_id(context):
    """Cognito access tokens carry ``client_id`` and no ``aud``; the HTTP API accepts them, so does $connect."""
    token = _token(aud=None, client_id=CLIENT_ID, token_use="access")

    assert authorizer.lambda_handler(_authorizer_event(token), context)["principalId"] == "alice-sub"


@pytest.mark.parametrize(
    "token",
    [
        pytest.param(None, id="1-missing"),
        pytest.param("", id="2-empty"),
        pytest.param("not.a.jwt", id="3-malformed"),
        pytest.param(_token(exp=int(time.time()) - 10, iat=int(time.time()) - 3600), id="4-expired"),
        pytest.param(_token(aud="another-app-client"), id="5-wrong-audience"),
        pytest.param(_token(aud=None, client_id="another-app-client"), id="6-wrong-client-id"),
        pytest.param(_token(aud=None), id="7-no-audience"),
        pytest.param(_token(iss="https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Other"), id="8-wrong-issuer"),
        pytest.param(_token(key=OTHER_KEY), id="9-signed-by-another-key"),
        pytest.param(_token(key=OTHER_KEY, kid="unknown"), id="10-unknown-key-id"),
        pytest.param(_token(sub=None), id="11-no-subject"),
        # Built at collection: a day ahead, so a slow suite still reaches it before the token becomes valid.
        pytest.param(_token(nbf=int(time.time()) + 86400), id="12-not-yet-valid"),
        pytest.param(
            jwt.encode(
                {"sub": "x", "iss": ISSUER, "aud": CLIENT_ID, "exp": int(time.time()) + 60},
                "an-hmac-secret-of-at-least-32-bytes",
            ),
            id="13-hs256",
        ),
    ],
)
def test_any_other_token_is_denied(context, token):
    response = authorizer.lambda_handler(_authorizer_event(token), context)

    assert response["principalId"] == authorizer.ANONYMOUS
    assert _effects(response) == ["Deny"]
    assert "context" not in response


def test_an_unreachable_key_set_denies(context, monkeypatch):
    def unreachable(_self: jwt.PyJWKClient) -> dict[str, Any]:
        raise jwt.PyJWKClientConnectionError("Fail to fetch data from the url")

    monkeypatch.setattr(jwt.PyJWKClient, "fetch_data", unreachable)

    assert _effects(authorizer.lambda_handler(_authorizer_event(_token()), context)) == ["Deny"]


def test_verify_raises_its_own_error_type():
    with pytest.raises(tokens.InvalidTokenError):
        tokens.verify(_token(aud="nobody"), issuer=ISSUER, audiences=[CLIENT_ID])


def test_a_bad_audience_setting_stops_the_authorizer(monkeypatch):
    monkeypatch.setenv("JWT_AUDIENCE", '"not-a-list"')

    with pytest.raises(ValueError, match="JWT_AUDIENCE"):
        authorizer.load_settings()


# --- $connect / $disconnect -----------------------------------------------------------------------------


def _route_event(event_type: str, connection_id: str = "Ab12Cd34=", principal: str | None = "alice-sub") -> dict:
    request_context: dict[str, Any] = {"connectionId": connection_id, "eventType": event_type}
    if principal is not None:
        request_context["authorizer"] = {"principalId": principal, "sub": principal}
    return {"requestContext": request_context}


def test_connect_records_the_authorised_subject(cloud, context):
    assert connections_handler.lambda_handler(_route_event("CONNECT"), context) == {"statusCode": 200}

    assert connections.owner("Ab12Cd34=") == "alice-sub"
    item = cloud.client("dynamodb").get_item(TableName="connections", Key={"connection_id": {"S": "Ab12Cd34="}})
    expires_at = int(item["Item"]["expires_at"]["N"])
    assert 0 < expires_at - time.time() <= connections.CONNECTION_LIFETIME_SECONDS


def test_a_retried_connect_of_the_same_caller_is_accepted(cloud, context):
    connections_handler.lambda_handler(_route_event("CONNECT"), context)

    assert connections_handler.lambda_handler(_route_event("CONNECT"), context) == {"statusCode": 200}


def test_a_connection_id_is_never_rebound_to_another_caller(cloud, context):
    connections_handler.lambda_handler(_route_event("CONNECT"), context)

    response = connections_handler.lambda_handler(_route_event("CONNECT", principal="mallory"), context)

    assert response == {"statusCode": 403}
    assert connections.owner("Ab12Cd34=") == "alice-sub"


@pytest.mark.parametrize(
    "event",
    [
        pytest.param(_route_event("CONNECT", principal=None), id="1-connect-without-authorizer"),
        pytest.param(_route_event("CONNECT", principal=""), id="2-empty-principal"),
        pytest.param(_route_event("MESSAGE"), id="3-not-a-connection-event"),
        pytest.param({"requestContext": {"eventType": "CONNECT"}}, id="4-no-connection-id"),
        pytest.param({}, id="5-not-a-websocket-event"),
    ],
)
def test_connect_refuses_what_it_cannot_bind(cloud, context, event):
    assert connections_handler.lambda_handler(event, context) == {"statusCode": 403}
    assert cloud.client("dynamodb").scan(TableName="connections")["Items"] == []


def test_disconnect_forgets_the_connection(cloud, context):
    connections_handler.lambda_handler(_route_event("CONNECT"), context)

    assert connections_handler.lambda_handler(_route_event("DISCONNECT", principal=None), context) == {
        "statusCode": 200
    }
    assert connections.owner("Ab12Cd34=") is None
    assert not connections.belongs_to("Ab12Cd34=", "alice-sub")
