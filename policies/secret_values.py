"""Whether a plain value is a secret: one place decides it for every environment-variable policy.

Lambda environments (`lambda-no-secrets-in-environment`) and container environments (ECS task definitions,
Batch job definitions, App Runner services, Elastic Beanstalk settings: `container-no-secrets-in-environment`)
are judged alike, by value first (a `secure:` config value as the offline graph shows it, an access-key,
private-key or token shape, credentials in a URL, a high-entropy string), then by name (issue 11 §4). A
reference (an ARN, an SSM parameter path) is never a secret.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from typing import Any

#: Name words that say a value is a credential. Matched as whole `_`-separated words, so TOKEN_BUDGET and
#: MAX_OUTPUT_TOKENS (the router's limits, counts of model tokens) are not secrets by name.
#: A password-like name holds a password even when it is all digits (a PIN); other words (TOKEN=3600) do not.
_PASSWORD_WORDS = frozenset({"PASSWORD", "PASSWD", "PWD", "PASS"})
_SECRET_WORDS = _PASSWORD_WORDS | {"SECRET", "TOKEN", "CREDENTIAL", "CREDENTIALS", "APIKEY", "HMAC", "AUTHORIZATION"}
_SECRET_PHRASES = (
    "API_KEY",
    "ACCESS_KEY",
    "PRIVATE_KEY",
    "SECRET_KEY",
    "CLIENT_SECRET",
    "AUTH_TOKEN",
    "SIGNING_KEY",
    "ENCRYPTION_KEY",
    "MASTER_KEY",
    "BASIC_AUTH",
)
#: Name words of a content digest (a build's SOURCE_SHA256, a GIT_SHA, a CODE_HASH): hex that identifies, not a key.
_DIGEST_WORDS = frozenset({"SHA", "SHA1", "SHA256", "SHA512", "MD5", "HASH", "DIGEST", "CHECKSUM", "ETAG", "COMMIT"})
#: Words that make a secret-sounding name a count or a limit, not a credential.
_LIMIT_WORDS = frozenset({"BUDGET", "LIMIT", "MAX", "MIN", "COUNT", "TTL", "LENGTH", "SIZE", "EXPIRY"})
# References, not secrets: ARNs, SSM parameter paths, CloudFormation-style dynamic references.
_REFERENCE = re.compile(r"^(arn:|/|\{\{resolve:|ssm:|secretsmanager:|alias/)")
# Values that are secrets whatever their name: AWS access key ids (IAM User Guide, "Unique identifier
# prefixes": AKIA long-term, ASIA temporary), PEM private keys, common vendor token prefixes.
_SECRET_VALUE = re.compile(
    r"(^(AKIA|ASIA)[A-Z0-9]{16}$)|(-----BEGIN [A-Z ]*PRIVATE KEY-----)|(^(sk|ghp|gho|github_pat|xox[bpas])[-_])"
)
# Credentials in a URL, whatever the name (`DATABASE_URL=postgres://admin:pw@db:5432/app`): a scheme, `//`,
# then userinfo `user:password@` with a non-empty password (RFC 3986 §3.2.1: userinfo holds no raw `@`, `/`,
# `?` or `#`). Searched, not anchored, so a JDBC `jdbc:mysql://u:p@h` matches too.
_URL_CREDENTIALS = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://[^/?#\s@:]*:[^/?#\s@]+@")
# review5 #7. A JWT (RFC 7519 §3: base64url header and payload, each a JSON object, so both start `eyJ`), and
# HTTP credentials (`Bearer <token>`, RFC 6750 §2.1; `Basic <base64 user:pass>`, RFC 7617 §2).
_JWT = re.compile(r"eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*")
_HTTP_CREDENTIALS = re.compile(r"^(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}$", re.IGNORECASE)
# Webhook URLs whose path or query is the credential: Slack incoming webhooks
# (https://hooks.slack.com/services/T.../B.../<secret>, Slack API docs "Sending messages using incoming webhooks"),
# Discord (https://discord.com/api/webhooks/<id>/<token>, Discord developer docs "Execute Webhook"), Microsoft Teams
# incoming webhooks (https://<tenant>.webhook.office.com/webhookb2/..., Microsoft Learn "Create an Incoming Webhook"),
# and any URL with a signature or token query parameter (`sig=`, Power Automate workflow URLs; `token=`, `key=`).
_WEBHOOK = re.compile(
    r"(hooks\.slack\.com/(services|workflows|triggers)/[^\s]+)"
    r"|((discord|discordapp)\.com/api/webhooks/\d+/[A-Za-z0-9_-]{20,})"
    r"|(\.webhook\.office\.com/webhookb2/[^\s]+)"
    r"|([?&](sig|signature|token|access_token|api_key|apikey|key|code)=[A-Za-z0-9%._~+/-]{16,})",
    re.IGNORECASE,
)
# `user:password` with a password that mixes letters, digits and a symbol (a host:port or image:tag does not).
_USER_PASSWORD = re.compile(
    r"^[A-Za-z0-9._-]+:(?=[^:\s]*[A-Za-z])(?=[^:\s]*[0-9])(?=[^:\s]*[!#$%&*+=?^~@])[^:\s/]{6,}$"
)
# A key in hex (`openssl rand -hex 32`): at least 128 bits, digits and letters a-f both present. Hex is 4 bits a
# character at most, under the entropy bar, so it is judged by its own.
#: Random hex averages close to 4 bits a character; 32 random hex digits fall below 3 bits only by rare chance.
_HEX_BITS = 3.0
_HEX_KEY = re.compile(r"^(?=[0-9a-fA-F]*[0-9])(?=[0-9a-fA-F]*[a-fA-F])[0-9a-fA-F]{32,}$")

#: What a `secure:` config value (or any Pulumi secret) reads as in the offline gate's graph: the engine's
#: placeholder for `secure:` stack config and the "[secret]" of preview/export files (preflight/stackconfig.py
#: and preflight/sources.py; tests/policies/test_hardened.py checks they agree). Under the CLI the secret's
#: plaintext arrives instead, and the shape and entropy checks below judge it.
OFFLINE_SECRET_VALUES = frozenset({"preflight-placeholder-secret", "[secret]"})
#: High-entropy strings: at least this long, from a key/token alphabet, at least this many bits per character
#: (random base64 reaches ~6, hex 4; English words and ids stay well below 4.2).
_ENTROPY_MIN_LENGTH = 20
_ENTROPY_BITS = 4.2
_TOKEN_ALPHABET = re.compile(r"^[A-Za-z0-9+/=_\-]+$")


#: A secret access key as CKV_AWS_41 matches it (checkov/common/models/consts.py `secret_key_pattern`: 40 characters
#: of `A-Za-z0-9/+=`; the IAM User Guide's example `wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY`).
_SECRET_ACCESS_KEY = re.compile(r"^[A-Za-z0-9/+=]{40}$")


def aws_credential_shape(field: str, value: str) -> bool:
    """Whether a provider's `accessKey` is an access key id (AKIA/ASIA...) or its `secretKey` a secret access key, in
    plain text (a Pulumi secret as the offline graph shows it is a placeholder, not a key)."""
    if field == "accessKey":
        return bool(_SECRET_VALUE.match(value)) and value.startswith(("AKIA", "ASIA"))
    return field == "secretKey" and bool(_SECRET_ACCESS_KEY.match(value))


def _entropy(value: str) -> float:
    """Shannon entropy in bits per character."""
    counts = Counter(value)
    return -sum(n / len(value) * math.log2(n / len(value)) for n in counts.values())


def _high_entropy(value: str) -> bool:
    return (
        len(value) >= _ENTROPY_MIN_LENGTH
        and bool(_TOKEN_ALPHABET.match(value))
        and any(c.isdigit() for c in value)
        and any(c.isalpha() for c in value)
        and _entropy(value) >= _ENTROPY_BITS
    )


def _words(name: str) -> set[str]:
    return set(re.split(r"[^A-Z0-9]+", name.upper()))


def _secret_name(name: str) -> bool:
    words = _words(name)
    if words & _LIMIT_WORDS:
        return False
    return bool(words & _SECRET_WORDS) or any(p in name.upper() for p in _SECRET_PHRASES)


def _shape_reason(value: str) -> str:
    """Secrets whatever the name: Pulumi secrets as the offline graph shows them, and known key shapes."""
    if value in OFFLINE_SECRET_VALUES:
        return "a Pulumi secret (secure: config)"
    shapes = (
        (_SECRET_VALUE.search, "an access-key, private-key or token shape"),
        (_URL_CREDENTIALS.search, "a URL with a password in it"),
        (_JWT.search, "a JWT or HTTP authorization credential"),
        (_HTTP_CREDENTIALS.match, "a JWT or HTTP authorization credential"),
        (_WEBHOOK.search, "a webhook URL with its token in it"),
        (_USER_PASSWORD.match, "a user:password pair"),
    )
    return next((reason for found, reason in shapes if found(value)), "")


def _hex_key(name: str, value: str) -> bool:
    """A hex key: the shape, some randomness (a run of one letter is no key) and no digest name."""
    return bool(_HEX_KEY.match(value)) and _entropy(value) >= _HEX_BITS and not _words(name) & _DIGEST_WORDS


def secret_reason(name: str, value: Any) -> str:
    """Why an environment variable holds a secret ("" when it does not): by value first, then by name."""
    if not isinstance(value, str) or not value:
        return ""
    shape = _shape_reason(value)
    if shape:
        return shape
    if _REFERENCE.match(value) or name.upper().endswith(("_ARN", "_NAME", "_PARAMETER", "_PATH", "_ID", "_URL")):
        return ""
    if _high_entropy(value) or _hex_key(name, value):
        return "a high-entropy value"
    if not _secret_name(name) or (value.strip().isdigit() and not _words(name) & _PASSWORD_WORDS):
        return ""
    return "a secret-sounding name"
