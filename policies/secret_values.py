"""Whether a plain value is a secret: one place decides it for every environment-variable policy.

Lambda environments (`lambda-no-secrets-in-environment`) and container environments (ECS task definitions,
Batch job definitions, App Runner services, Elastic Beanstalk settings: `container-no-secrets-in-environment`)
are judged alike, by value first (a `secure:` config value as the offline graph shows it, an access-key,
private-key or token shape, credentials in a URL, a high-entropy string), then by name (issue 11 §4). A
reference (an ARN, an SSM parameter path) is never a secret.

A structured value is searched inside, by key and by value, with the same classifier (review3 s11 #4): a JSON
document (`APP_CONFIG={"db": {"password": ...}}`, `json.dumps` being the usual way to pass structured settings
through an environment), and `key=value` lists (a libpq or ADO.NET connection string, a query string, the
`OTEL_EXPORTER_OTLP_HEADERS` list, a dotenv block). A key shape found anywhere in free text counts too, not only
at the start of the value. The router's own JSON settings (model ids, prices) and its MAX_OUTPUT_TOKENS and
TOKEN_BUDGET stay what they are: ids, numbers and limits.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Iterator
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
# The same key shapes inside free text (`--api-key sk_live_...`, `Authorization: token ghp_...`): an access key
# id standing alone as a word, or a vendor prefix at a word start followed by a token body of 16 or more
# characters. In text a prefix alone is not enough (`/opt/sk-learn-models-v1-2024`, 3.8 bits a character): the
# token must look random (digits and letters, at least _EMBEDDED_BITS; tokens of the vendors' published shapes,
# ghp_ and 36 characters, sk_live_ and 24 or more, xoxb- with its numeric parts, measure 4.1 to 5.3).
_EMBEDDED_ACCESS_KEY = re.compile(r"(?<![A-Za-z0-9])(AKIA|ASIA)[A-Z0-9]{16}(?![A-Za-z0-9])")
_EMBEDDED_TOKEN = re.compile(r"(?<![A-Za-z0-9_-])(?:sk|ghp|gho|github_pat|xox[bpas])[-_][A-Za-z0-9_-]{16,}")
_EMBEDDED_BITS = 4.0
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
#: A JSON document: what `json.dumps` of an object, a list or a string starts with.
_JSON_START = ("{", "[", '"')
#: The separators of `key=value` lists: `;` (ADO.NET, JDBC properties), `&` (query strings), `,` (OpenTelemetry's
#: `OTEL_EXPORTER_OTLP_HEADERS`, W3C baggage), whitespace (libpq keyword/value strings) and newlines (dotenv).
_PAIR_SEPARATORS = re.compile(r"[;&,\s]+")
#: A key of such a list: a name, not a URL or a path (`https://h/p?a=b` is judged whole, not split at `=`).
_PAIR_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")
#: Keys that name the pair's own name and value in a list of pairs (ECS `[{"name", "value"}]`, tags' `Key`).
_PAIR_NAMES = ("name", "key")


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


def _normal(name: str) -> str:
    """A name in upper snake case: JSON keys are often camelCase (`dbPassword`, `apiKey`, `clientSecret`)."""
    return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name).upper()


def _words(name: str) -> set[str]:
    return set(re.split(r"[^A-Z0-9]+", _normal(name)))


def _secret_name(name: str) -> bool:
    words = _words(name)
    if words & _LIMIT_WORDS:
        return False
    return bool(words & _SECRET_WORDS) or any(p in _normal(name) for p in _SECRET_PHRASES)


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
    return next((reason for match, reason in shapes if match(value)), "")


def _embedded_reason(value: str) -> str:
    """A key shape inside free text (after a structured value's parts were searched, so those name their path)."""
    if _EMBEDDED_ACCESS_KEY.search(value) or any(_random(t) for t in _EMBEDDED_TOKEN.findall(value)):
        return "an access-key, private-key or token shape"
    return ""


def _random(token: str) -> bool:
    """A token body that looks drawn, not written: letters and digits, and enough entropy."""
    return any(c.isdigit() for c in token) and any(c.isalpha() for c in token) and _entropy(token) >= _EMBEDDED_BITS


def _hex_key(name: str, value: str) -> bool:
    """A hex key: the shape, some randomness (a run of one letter is no key) and no digest name."""
    return bool(_HEX_KEY.match(value)) and _entropy(value) >= _HEX_BITS and not _words(name) & _DIGEST_WORDS


def _scalar(value: Any) -> str | None:
    """A JSON leaf as the text a program reads (a number too: `{"pin": 1234}`); None for null, booleans, nesting."""
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


def _json_members(document: Any, name: str) -> Iterator[tuple[str, str, str]]:
    """(path, key, text) of every leaf of a decoded JSON document, each named by its own key: a list's items by
    the list's key, and a `{"name": N, "value": V}` item's value by N as well. Walked with a stack, so the walk adds no
    recursion to what `json.loads` needs (a document too deep for it is judged as text)."""
    stack: list[tuple[str, str, Any]] = [("", name, document)]
    while stack:
        path, key, node = stack.pop()
        if isinstance(node, dict):
            folded = {str(k).casefold(): v for k, v in node.items()}
            pair = next((folded[k] for k in _PAIR_NAMES if isinstance(folded.get(k), str)), None)
            if pair is not None and "value" in folded:
                stack.append((f"{path}.{pair}" if path else pair, pair, folded["value"]))
            stack.extend((f"{path}.{k}" if path else str(k), str(k), v) for k, v in node.items())
        elif isinstance(node, list):
            stack.extend((f"{path}[{i}]", key, v) for i, v in enumerate(node))
        elif (text := _scalar(node)) is not None:
            yield path, key, text


def _members(name: str, value: str) -> Iterator[tuple[str, str, str]]:
    """(where, key, text) of the parts of a structured value: a JSON document's leaves, else a `key=value`
    list's pairs (each token holding `=` after a name; other tokens are left to the whole-value checks)."""
    if value.lstrip().startswith(_JSON_START):
        try:
            yield from _json_members(json.loads(value), name)
            return
        except (ValueError, RecursionError):
            pass  # not JSON after all: perhaps a list of pairs
    for token in _PAIR_SEPARATORS.split(value):
        key, equals, inner = token.partition("=")
        if equals and inner and _PAIR_KEY.match(key):
            yield key, key, inner


def _judge(name: str, value: str) -> tuple[str, str]:
    """(reason, where): why the value or a part of it is a secret, and the part's path ("" for the whole)."""
    shape = _shape_reason(value)
    if shape:
        return shape, ""
    for where, key, inner in _members(name, value):
        if inner == value:
            continue  # the whole value again (a token without separators): judged below
        reason, deeper = _judge(key, inner)
        if reason:
            return reason, f"{where}.{deeper}" if where and deeper else where or deeper
    return _embedded_reason(value) or _by_name(name, value), ""


def secret_reason(name: str, value: Any) -> str:
    """Why an environment variable holds a secret ("" when it does not): by value first (the whole value, then
    each part of a structured one, named by its path), then by name."""
    if not isinstance(value, str) or not value:
        return ""
    reason, where = _judge(name, value)
    return f"{reason} at {where}" if reason and where else reason


def _by_name(name: str, value: str) -> str:
    """The checks after the shapes: references and reference names pass, then entropy, a hex key, the name."""
    if not value:
        return ""
    if _REFERENCE.match(value) or _normal(name).endswith(("_ARN", "_NAME", "_PARAMETER", "_PATH", "_ID", "_URL")):
        return ""
    if _high_entropy(value) or _hex_key(name, value):
        return "a high-entropy value"
    if not _secret_name(name) or (value.strip().isdigit() and not _words(name) & _PASSWORD_WORDS):
        return ""
    return "a secret-sounding name"
