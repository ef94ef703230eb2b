"""Verify a caller's JWT exactly as the HTTP API's JWT authorizer does, so ``$connect`` sees the same ``sub``.

API Gateway's HTTP API JWT authorizer (which fronts ``ingest``) accepts a token when its signature verifies
with a key of the issuer's JWKS (``{issuer}/.well-known/jwks.json``, matched by ``kid``), ``iss`` equals the
issuer, ``exp`` (and ``nbf``/``iat`` when present) hold, and ``aud`` - or ``client_id`` when there is no
``aud``, as in Cognito access tokens - is one of the audiences
(https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-jwt-authorizer.html;
https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-troubleshooting-jwt.html: "API Gateway
validates client_id only if aud is not present"). WebSocket APIs accept only IAM or Lambda authorizers on
``$connect`` (https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-websocket-api-lambda-auth.html),
so this module is that check, done by PyJWT (signature, ``exp``/``nbf``/``iat``, ``iss``) with its JWKS client.

Cognito signs with RS256 only (https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-tokens-verifying-a-jwt.html).
PyJWT needs ``cryptography`` for RS256: the Powertools v3 layer carries it (aws-encryption-sdk, built per
Python version and architecture: aws-powertools/powertools-lambda-python#3859, #4192).
"""

from __future__ import annotations

from collections.abc import Collection
from functools import cache

import jwt

ALGORITHMS = ("RS256",)
#: Claims without which a token is refused (``aud``/``client_id`` checked below, one of the two).
REQUIRED_CLAIMS = ("sub", "iss", "exp")


class InvalidTokenError(Exception):
    """The token is missing, malformed, not signed by the issuer, expired, or for another issuer/audience."""


@cache
def jwks_client(issuer: str) -> jwt.PyJWKClient:
    """The issuer's key set, fetched on first use and cached for warm invocations (PyJWT's own cache)."""
    return jwt.PyJWKClient(f"{issuer.rstrip('/')}/.well-known/jwks.json", cache_keys=True, timeout=5)


def verify(token: str, *, issuer: str, audiences: Collection[str]) -> str:
    """Return the ``sub`` of ``token`` after the HTTP API JWT authorizer's checks.

    Raises
    ------
    InvalidTokenError
        For any token the HTTP API would answer 401.

    Examples
    --------
    >>> verify("not-a-jwt", issuer="https://issuer.example", audiences=["client"])
    Traceback (most recent call last):
    ...
    functions.connections.tokens.InvalidTokenError: unreadable token
    """
    try:
        jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise InvalidTokenError("unreadable token") from exc
    try:
        key = jwks_client(issuer).get_signing_key_from_jwt(token)
        claims = jwt.decode(
            token,
            key.key,
            algorithms=list(ALGORITHMS),
            issuer=issuer,
            options={"require": list(REQUIRED_CLAIMS), "verify_aud": False},
        )
    except jwt.PyJWTError as exc:
        raise InvalidTokenError(type(exc).__name__) from exc
    audience = claims.get("aud", claims.get("client_id"))
    presented = [audience] if isinstance(audience, str) else list(audience or [])
    if not any(item in audiences for item in presented):
        raise InvalidTokenError("InvalidAudienceError")
    subject = claims["sub"]
    if not isinstance(subject, str) or not subject:
        raise InvalidTokenError("MissingRequiredClaimError")
    return subject
