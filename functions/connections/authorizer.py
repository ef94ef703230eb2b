"""``ws-authorizer`` Lambda: the WebSocket API's ``$connect`` REQUEST authorizer (issue 12 §2).

The client opens ``wss://.../live?token=<JWT>`` (browsers cannot set headers on a WebSocket handshake) with
the same Cognito token it sends to the HTTP API. The token is verified as the HTTP API's JWT authorizer does
(:mod:`functions.connections.tokens`); on success the policy allows ``$connect`` and names the caller's
``sub`` as ``principalId`` and in ``context.sub``, which API Gateway hands to the ``$connect`` integration as
``requestContext.authorizer.principalId`` / ``.sub``
(https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-websocket-api-lambda-auth.html;
output format: https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-lambda-authorizer-output.html).
Any other token gets a policy denying everything (API Gateway answers 403 and opens no connection).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger, Tracer
from aws_lambda_powertools.utilities.data_classes.api_gateway_authorizer_event import (
    APIGatewayAuthorizerResponseWebSocket,
)

from functions.connections import tokens
from functions.shared import settings
from functions.shared.constants import ENV_JWT_AUDIENCE, ENV_JWT_ISSUER, TRACED_MODULES

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

logger = Logger()
# Only botocore is patched, as in every handler; responses carry the caller's identity: never captured.
tracer = Tracer(patch_modules=TRACED_MODULES)

#: The identity source of the authorizer (components/api.py): ``route.request.querystring.token``.
TOKEN_PARAMETER = "token"
ANONYMOUS = "anonymous"


@dataclass(frozen=True, slots=True)
class AuthorizerSettings:
    """The identity provider the HTTP API's JWT authorizer trusts."""

    issuer: str
    audiences: tuple[str, ...]


@cache
def load_settings() -> AuthorizerSettings:
    """Read the issuer and the JSON list of audiences (cached; tests call ``cache_clear``)."""
    audiences = json.loads(settings.require(ENV_JWT_AUDIENCE))
    if not isinstance(audiences, list) or not all(isinstance(a, str) and a for a in audiences) or not audiences:
        raise ValueError(f"{ENV_JWT_AUDIENCE} must be a non-empty JSON list of strings")
    return AuthorizerSettings(issuer=settings.require(ENV_JWT_ISSUER), audiences=tuple(audiences))


def _token(event: dict[str, Any]) -> str:
    parameters = event.get("queryStringParameters") or {}
    token = parameters.get(TOKEN_PARAMETER) if isinstance(parameters, dict) else None
    return token if isinstance(token, str) else ""


def authorize(event: dict[str, Any]) -> dict[str, Any]:
    """The IAM policy for this ``$connect``: allow with the caller's ``sub``, or deny everything."""
    config = load_settings()
    try:
        subject = tokens.verify(_token(event), issuer=config.issuer, audiences=config.audiences)
    except tokens.InvalidTokenError as exc:
        logger.info("connection refused", extra={"reason": str(exc)})
        refused = APIGatewayAuthorizerResponseWebSocket.from_route_arn(event["methodArn"], ANONYMOUS)
        refused.deny_all_routes()
        return refused.asdict()
    allowed = APIGatewayAuthorizerResponseWebSocket.from_route_arn(event["methodArn"], subject, {"sub": subject})
    allowed.allow_route(resource="$connect")
    return allowed.asdict()


@logger.inject_lambda_context
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Authorise a WebSocket connection with the caller's JWT.

    Parameters
    ----------
    event : dict[str, Any]
        REQUEST authorizer event: ``methodArn`` ``arn:aws:execute-api:{region}:{account}:{api}/{stage}/$connect``,
        ``queryStringParameters.token``.
    context : LambdaContext
        Lambda context.

    Returns
    -------
    dict[str, Any]
        ``{"principalId", "policyDocument", "context"?}``.

    Examples
    --------
    ``wss://{api}.execute-api.{region}.amazonaws.com/live?token=eyJ...`` -> Allow ``$connect`` for ``sub``.
    """
    return authorize(event)
