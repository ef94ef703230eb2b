"""Whether a plain value is a secret: one place decides it for every environment-variable policy.

Lambda environments (`lambda-no-secrets-in-environment`) and container environments (ECS task definitions,
Batch job definitions, App Runner services, Elastic Beanstalk settings: `container-no-secrets-in-environment`)
are judged alike, by value first (a `secure:` config value as the offline graph shows it, an access-key,
private-key or token shape, credentials in a URL, a high-entropy string), then by name (issue 11 §4). A
reference (an ARN, an SSM parameter path) is never a secret.

A structured value is searched inside, by key and by value, with the same classifier (review3 s11 #4): a JSON
document (`APP_CONFIG={"db": {"password": ...}}`, `json.dumps` being the usual way to pass structured settings
through an environment), and `key=value` lists (a libpq or ADO.NET connection string, a query string, the
`OTEL_EXPORTER_OTLP_HEADERS` list, a dotenv block), YAML documents, block and flow (review4 s11 #5: `yaml.safe_load`
of at most _STRUCTURED_MAX characters, each node walked once, so an alias bomb costs nothing), and `key = value` /
`key: value` lines (INI with its `[section]`, Java properties, TOML, `user:app;password:x`). A key shape found
anywhere in free text counts too, not only at the start of the value. The router's own JSON settings (model ids,
prices) and its MAX_OUTPUT_TOKENS and TOKEN_BUDGET stay what they are: ids, numbers and limits.

A name alone makes a value a secret only when the value could be one (review4 s11 #6): a URL without credentials,
a boolean, a number (but a PIN under a password name), an AWS region, a reference, an API constant (`AWS_IAM`,
`WHEN_NO_MATCH`) or an HTTP authentication scheme's bare name (`Bearer`) is what it looks like. A name is judged by
its head, the last word (`tokenEndpoint` is an endpoint, `secretRegion` a region, `dbPassword` a password), and
`PASS` is a password only as the head (`dbPass`, not `passThrough`).
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Iterator
from typing import Any

import yaml

#: Name words that say a value is a credential. Matched as whole `_`-separated words, so TOKEN_BUDGET and
#: MAX_OUTPUT_TOKENS (the router's limits, counts of model tokens) are not secrets by name.
#: A password-like name holds a password even when it is all digits (a PIN); other words (TOKEN=3600) do not.
_PASSWORD_WORDS = frozenset({"PASSWORD", "PASSWD", "PWD", "PASS", "PASSPHRASE"})
_SECRET_WORDS = _PASSWORD_WORDS | {"SECRET", "TOKEN", "CREDENTIAL", "CREDENTIALS", "APIKEY", "HMAC", "AUTHORIZATION"}
#: Words that are a credential only as a name's head: `PASS` is a password in `DB_PASS`/`dbPass`/`pass`, the verb or
#: an adjective elsewhere (API Gateway's `passthroughBehavior`, `passThrough`, `PASS_RATE`).
_HEAD_ONLY_WORDS = frozenset({"PASS"})
#: Heads (last words) that say what kind of setting a name holds, whatever secret word comes before: a reference
#: (`dbPasswordArn`, `TOKEN_PARAMETER`, `SECRET_NAME`, `POSTGRES_PASSWORD_FILE`, the Docker images' `_FILE`
#: convention), an address (`tokenEndpoint`, `token_uri`, `TOKEN_URL`), or a descriptor (`tokenType`, `secretRegion`,
#: `credentialsProvider`, `passwordPolicy`, `SECRET_VERSION`, `authMode`, `PARAMETERS_SECRETS_EXTENSION_HTTP_PORT`,
#: the Lambda extension's own variable). A name whose head is a secret word (`dbPassword`, `apiKey`) stays one.
_SETTING_HEADS = frozenset(
    {"ARN", "NAME", "PARAMETER", "PATH", "ID", "FILE", "URL", "URI", "ENDPOINT", "HOST"}
    | {"TYPE", "REGION", "PROVIDER", "POLICY", "VERSION", "MODE", "PORT", "TABLE", "ENABLED", "FORMAT"}
)
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

#: Values that are plainly no secret, whatever the name (review4 s11 #6). A URL with a password or a token in it was
#: caught by the shapes above, so a URL left is an address; a boolean (YAML 1.1's words too); a decimal number.
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*://\S+$")
_BOOLEAN = frozenset({"true", "false", "yes", "no", "on", "off"})
_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")
#: An AWS region: the union of the partitions' `regionRegex` in botocore's data/endpoints.json (aws, aws-cn,
#: aws-us-gov, aws-iso*, aws-eusc; tests/policies/rules/test_secret_structured.py checks it against that file).
_REGION = re.compile(r"^(us|eu|ap|sa|ca|me|af|il|mx|cn|us-gov|us-iso|us-isob|eu-isoe|us-isof|eusc-de)-[a-z]+-\d+$")
#: An API constant: upper-case words joined by `_` (API Gateway `authorizationType` AWS_IAM, COGNITO_USER_POOLS;
#: `passthroughBehavior` WHEN_NO_MATCH; AppSync `authenticationType` API_KEY, OPENID_CONNECT: botocore apigateway and
#: appsync service-2.json). One word alone (`CHANGEME`) may be a password, so at least one `_` is asked for.
_CONSTANT = re.compile(r"^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$")
#: The bare name of an HTTP authentication scheme (IANA "HTTP Authentication Scheme Registry", RFC 9110 §16.4): a
#: `tokenType` of `Bearer` (RFC 6749 §7.1) names the scheme, not a credential (`Bearer <token>` is caught above).
_AUTH_SCHEMES = frozenset(
    {"basic", "bearer", "concealed", "digest", "dpop", "gnap", "hoba", "mutual", "negotiate", "oauth", "privatetoken"}
    | {"scram-sha-1", "scram-sha-256", "vapid"}
)
#: The longest value parsed as YAML (review4 s11 #5: hostile input): Lambda allows 4 KB of environment in all
#: (Lambda Developer Guide, "Lambda quotas"); 64 KiB, the ECS task definition's limit, leaves room for containers.
_STRUCTURED_MAX = 65536
#: A YAML document worth parsing: flow style after JSON failed, a block sequence, or a `key: value` line.
_YAML_HINT = re.compile(r"^\s*[\[{]|^\s*- |^[ \t]*[^\s:#][^:\n]*:(\s|$)", re.MULTILINE)
#: A `key = value` or `key: value` line (INI, Java properties, TOML, dotenv with `export`): the value is the rest of
#: the line. `://` is an address, not a pair.
_LINE_PAIR = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.\-]*)\s*(?:=|:(?!//))\s*(.*?)\s*$")
_SECTION = re.compile(r"^\s*\[([^\]\n]+)\]\s*$")
#: The most leaves a structured value is searched for (a bound on work whatever the input).
_MAX_LEAVES = 10000

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
    """A name in upper snake case: JSON keys are often camelCase (`dbPassword`, `apiKey`, `clientSecret`), and an
    acronym ends where a capitalised word starts (`DBPassword` is DB_PASSWORD, `JWTSecret` JWT_SECRET)."""
    split = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", split).upper()


def _word_list(name: str) -> list[str]:
    """The name's words in order (its head, the last, says what it names)."""
    return [w for w in re.split(r"[^A-Z0-9]+", _normal(name)) if w]


def _words(name: str) -> set[str]:
    return set(_word_list(name))


def _secret_name(name: str) -> bool:
    """A credential's name: a secret word or phrase in it, no limit word, and a head that is no kind of setting."""
    words = _word_list(name)
    if not words or set(words) & _LIMIT_WORDS or words[-1] in _SETTING_HEADS:
        return False
    secret_words = {w for w in words[:-1] if w not in _HEAD_ONLY_WORDS} | ({words[-1]} & _SECRET_WORDS)
    return bool(secret_words & _SECRET_WORDS) or any(p in "_".join(words) for p in _SECRET_PHRASES)


def _plain(value: str) -> bool:
    """A value that is what it looks like, not a credential: an address, a flag, a number, a region, a constant,
    an HTTP authentication scheme's name."""
    text = value.strip()
    return bool(
        _URL.match(text)
        or text.casefold() in _BOOLEAN
        or _REGION.match(text)
        or _CONSTANT.match(text)
        or text.casefold() in _AUTH_SCHEMES
    )


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
    """(path, key, text) of every leaf of a decoded JSON or YAML document, each named by its own key: a list's items by
    the list's key, and a `{"name": N, "value": V}` item's value by N as well. Walked with a stack, so the walk adds no
    recursion to what `json.loads` needs (a document too deep for it is judged as text); each dict and list is
    walked once (YAML aliases share nodes: a "billion laughs" document is a few nodes shared many times), and at most
    _MAX_LEAVES leaves are read."""
    stack: list[tuple[str, str, Any]] = [("", name, document)]
    seen: set[int] = set()
    leaves = 0
    while stack and leaves < _MAX_LEAVES:
        path, key, node = stack.pop()
        if isinstance(node, dict | list):
            if id(node) in seen:
                continue
            seen.add(id(node))
        if isinstance(node, dict):
            folded = {str(k).casefold(): v for k, v in node.items()}
            pair = next((folded[k] for k in _PAIR_NAMES if isinstance(folded.get(k), str)), None)
            if pair is not None and "value" in folded:
                stack.append((f"{path}.{pair}" if path else pair, pair, folded["value"]))
            stack.extend((f"{path}.{k}" if path else str(k), str(k), v) for k, v in node.items())
        elif isinstance(node, list):
            stack.extend((f"{path}[{i}]", key, v) for i, v in enumerate(node))
        elif (text := _scalar(node)) is not None:
            leaves += 1
            yield path, key, text


def _yaml(value: str) -> Any:
    """The YAML document a value holds (a mapping or a sequence), else None: YAML's `safe_load` (no object
    construction), only on values short enough and shaped like YAML; a parse error or a nesting too deep is no
    document."""
    if len(value) > _STRUCTURED_MAX or not _YAML_HINT.search(value):
        return None
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        document = yaml.load(value, Loader=loader)  # noqa: S506 - a safe loader, CSafeLoader or SafeLoader
    except (yaml.YAMLError, RecursionError, ValueError, TypeError):
        return None
    return document if isinstance(document, dict | list) else None


def _line_members(value: str) -> Iterator[tuple[str, str, str]]:
    """(where, key, text) of a multi-line value's `key = value` / `key: value` lines, named under their INI
    `[section]`; comments (`#`, `;`) are skipped, quotes around a value dropped."""
    section = ""
    for line in value.splitlines():
        if line.lstrip().startswith(("#", ";")):
            continue
        if heading := _SECTION.match(line):
            section = heading.group(1).strip()
            continue
        if (pair := _LINE_PAIR.match(line)) and (inner := pair.group(2)):
            key = pair.group(1)
            if len(inner) > 1 and inner[0] == inner[-1] and inner[0] in "\"'":
                inner = inner[1:-1]
            yield (f"{section}.{key}" if section else key), key, inner


def _members(name: str, value: str) -> Iterator[tuple[str, str, str]]:
    """(where, key, text) of the parts of a structured value: a JSON document's leaves, else a YAML document's,
    else a multi-line value's `key = value` lines and then any `key=value` / `key:value` list's pairs (each token
    holding `=` or `:` after a name; other tokens are left to the whole-value checks)."""
    if value.lstrip().startswith(_JSON_START):
        try:
            yield from _json_members(json.loads(value), name)
            return
        except (ValueError, RecursionError):
            pass  # not JSON after all: perhaps YAML's flow style or a list of pairs
    document = _yaml(value)
    if document is not None:
        yield from _json_members(document, name)
        return
    if "\n" in value:
        yield from _line_members(value)
    for token in _PAIR_SEPARATORS.split(value):
        match = re.match(r"([^=:]*)([=:])(.*)", token, re.DOTALL)
        if match is None:
            continue
        key, inner = match.group(1), match.group(3)
        if inner and not inner.startswith("//") and _PAIR_KEY.match(key):
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
    words = _word_list(name)
    if _REFERENCE.match(value) or (words and words[-1] in _SETTING_HEADS):
        return ""
    if _high_entropy(value) or _hex_key(name, value):
        return "a high-entropy value"
    if not _secret_name(name) or _plain(value):
        return ""
    if _NUMBER.match(value.strip()) and not _words(name) & _PASSWORD_WORDS:
        return ""  # a count (TOKEN=3600); a password name's number is a PIN
    return "a secret-sounding name"
