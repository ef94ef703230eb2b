"""Who a Principal names: anyone (`*`, `{"AWS": "*"}`), services, accounts (P140).

IAM User Guide, "AWS JSON policy elements: Principal": `"Principal": "*"` and `{"AWS": "*"}` are
anyone at all (every account, and anonymous callers for resource policies that allow them).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return list(value)
    return [value]


def is_public(principal: Any) -> bool:
    """`"*"`, `{"AWS": "*"}` or a list holding `"*"` under AWS (spacing ignored)."""
    if isinstance(principal, str):
        return principal.strip() == "*"
    if isinstance(principal, Mapping):
        return any(
            isinstance(v, str) and v.strip() == "*"
            for key, value in principal.items()
            if str(key) == "AWS"
            for v in _as_list(value)
        )
    return False


def services(principal: Any) -> list[str]:
    """The service principals (`states.amazonaws.com`) a Principal names."""
    if isinstance(principal, Mapping):
        return [str(s) for s in _as_list(principal.get("Service"))]
    return []


def federated(principal: Any) -> list[str]:
    """The identity providers (`Federated`: an OIDC/SAML provider ARN or `cognito-identity.amazonaws.com`)."""
    if isinstance(principal, Mapping):
        return [str(s) for s in _as_list(principal.get("Federated")) if isinstance(s, str)]
    return []
