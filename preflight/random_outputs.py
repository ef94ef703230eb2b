"""Deterministic values for pulumi-random resources, in the shapes the provider gives them (review s10 #8).

A program that names a queue `jobs-<RandomId.hex>` and builds its policy from that name is ordinary; offline the
suffix stayed unknown, so the policy was `iam-document-unknown` and the callback `apply-not-run`, both mandatory,
on a secure program. In a real `pulumi preview` of a new stack the suffix is unknown too (the provider creates
it at `up`), but from then on it is known, and the pack judges the document on every later preview: the gate
judges the program as it will be judged once the random values exist. The values are derived from the type, the
name and the inputs (SHA-256), so two runs give identical graphs, and they have the
provider's real shapes (hashicorp/terraform-provider-random internal/provider, which pulumi-random bridges):

- RandomId (resource_id.go `Create` @2ed443ca): `byteLength` bytes; id is their base64 URL encoding without
  padding, `b64Url`/`b64Std`/`hex`/`dec` the URL base64, standard base64, hex and decimal forms, each after
  `prefix`.
- RandomString (string.go `createStringFunc` @333d4d42; internal/random/string.go `CreateString` @04572027):
  `length` characters from the enabled classes (upper, lower, numeric default true, special default true with
  `!@#$%&*()-_=+[]{}<>:?` or `overrideSpecial`), at least `min*` of each; id is the result. Only when no
  character can be `*` or `?` (below).
- RandomPet (resource_pet.go `Create` @80861350): `length` (default 2) lower-case words joined by `separator`
  (default "-"), after `prefix` and the separator; the id is the name.
- RandomUuid: a version-4 UUID as `result` and id.

Fabricated only where every draw the provider could make is the same to a judge (review s10 #3): an id, a pet
name, a UUID and a string whose characters cannot be an IAM wildcard are a name's suffix whatever they are. A
draw that chooses among values is not: a RandomShuffle over `["s3:GetObject", "*"]` or a RandomInteger index into
a list of actions deploys `"*"` in some stacks, and one hashed value would judge only one of them. So RandomShuffle
and RandomInteger stay unknown, and so does a RandomString whose characters may hold `*` or `?` (the provider's
default specials do, string.go `CreateString` @04572027: `specialChars = "!@#$%&*()-_=+[]{}<>:?"` unless
`OverrideSpecial`, and `MinSpecial` draws from them even when `Special` is false): an ARN built from it may match
every resource. Such an unknown is no gap of the engine but the program's own draw (`is_draw`), so the
unknown-value rules' findings on it stay findings (preflight.unseen), as at any `pulumi preview` of a new stack.

Not fabricated either, and so left unknown as before: RandomPassword and RandomBytes, whose values the provider marks
sensitive (a password, key material): a made-up secret judged as if real would say more than the gate knows,
the same reason the engine invents cloud-only secrets as `preflight-<hex>` and traces them (preflight/invokes.py).
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping
from typing import Any

from policies.rules.document_unknown import SENTINELS

RANDOM_ID = "random:index/randomId:RandomId"
RANDOM_STRING = "random:index/randomString:RandomString"
RANDOM_PET = "random:index/randomPet:RandomPet"
RANDOM_INTEGER = "random:index/randomInteger:RandomInteger"
RANDOM_UUID = "random:index/randomUuid:RandomUuid"
RANDOM_SHUFFLE = "random:index/randomShuffle:RandomShuffle"
#: The pulumi-random types whose every draw is the same to a judge: always given values.
FABRICATED = frozenset({RANDOM_ID, RANDOM_PET, RANDOM_UUID})
#: Draws that choose among values: never given values, and their unknown is the program's, not the engine's gap.
DRAWN = frozenset({RANDOM_INTEGER, RANDOM_SHUFFLE})
#: The characters that make a string in a policy a pattern (IAM User Guide, reference_policies_elements_resource.html,
#: "Using wildcards in resource ARNs": "wildcard characters (* and ?) within the individual segments of an ARN").
IAM_WILDCARDS = frozenset("*?")

_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_LOWER = "abcdefghijklmnopqrstuvwxyz"
_NUMERIC = "0123456789"
_SPECIAL = "!@#$%&*()-_=+[]{}<>:?"
#: Words of a pet name: lower-case letters only, as the provider's (petname adverbs, adjectives and names).
_ADVERBS = ("quickly", "gently", "openly", "calmly", "boldly", "neatly")
_ADJECTIVES = ("brave", "quiet", "lucky", "tidy", "sunny", "proud")
_NAMES = ("otter", "lemur", "heron", "gecko", "koala", "bison")


def _string_may_hold_wildcard(inputs: Mapping[str, Any]) -> bool:
    """Whether a RandomString with these inputs may draw `*` or `?`: its specials hold one and are drawn from
    (`special` not False, or `minSpecial` above 0). An input that is no literal (unknown offline) may be anything."""
    special, minimum, override = inputs.get("special", True), inputs.get("minSpecial", 0), inputs.get("overrideSpecial")
    if not isinstance(special, bool) or not isinstance(override, str | None):
        return True
    if override in SENTINELS:
        return True
    if not special and minimum == 0:
        return False
    chars = override or _SPECIAL  # the provider's own rule: an empty override is the default set
    return bool(IAM_WILDCARDS & set(chars))


def is_draw(type_token: str, inputs: Mapping[str, Any]) -> bool:
    """Whether the resource's value is a draw the gate cannot stand one value in for (module docstring): a
    RandomShuffle, a RandomInteger, a RandomString that may hold an IAM wildcard."""
    return type_token in DRAWN or (type_token == RANDOM_STRING and _string_may_hold_wildcard(inputs))


def fabricates_random(type_token: str, inputs: Mapping[str, Any] | None = None) -> bool:
    """Whether the engine gives the pulumi-random resource deterministic values (preflight.fabricate.fabricates);
    a RandomString only with its inputs, and only when it cannot hold an IAM wildcard."""
    if type_token == RANDOM_STRING:
        return inputs is not None and not _string_may_hold_wildcard(inputs)
    return type_token in FABRICATED


def _stream(type_token: str, name: str, inputs: Mapping[str, Any], size: int) -> bytes:
    """`size` bytes that depend only on the type, the name and the inputs."""
    out = b""
    counter = 0
    # the same text on every run (what JSON cannot hold is written as its type's name, never as `str()`)
    text = json.dumps(dict(inputs), sort_keys=True, default=lambda item: type(item).__name__)
    seed = "\x00".join((type_token, name, text))
    while len(out) < size:
        out += hashlib.sha256(f"{seed}\x00{counter}".encode()).digest()
        counter += 1
    return out[:size]


def _int(value: Any, default: int) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def _flag(value: Any, default: bool = True) -> bool:
    return value if isinstance(value, bool) else default


def _random_id(data: bytes, inputs: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    prefix = inputs.get("prefix") if isinstance(inputs.get("prefix"), str) else ""
    raw_url = base64.urlsafe_b64encode(data).decode().rstrip("=")
    outputs = {
        "b64Url": f"{prefix}{raw_url}",
        "b64Std": f"{prefix}{base64.b64encode(data).decode()}",
        "hex": f"{prefix}{data.hex()}",
        "dec": f"{prefix}{int.from_bytes(data, 'big')}",
    }
    return raw_url, outputs


def _random_string(data: bytes, inputs: Mapping[str, Any]) -> str:
    special = inputs.get("overrideSpecial") or _SPECIAL
    classes = [
        (_UPPER, _flag(inputs.get("upper")), _int(inputs.get("minUpper"), 0)),
        (_LOWER, _flag(inputs.get("lower")), _int(inputs.get("minLower"), 0)),
        (_NUMERIC, _flag(inputs.get("numeric"), _flag(inputs.get("number"))), _int(inputs.get("minNumeric"), 0)),
        (str(special), _flag(inputs.get("special")), _int(inputs.get("minSpecial"), 0)),
    ]
    length = _int(inputs.get("length"), 0)
    pool = "".join(chars for chars, enabled, _ in classes if enabled) or _LOWER
    wanted = [chars for chars, _, minimum in classes for _ in range(minimum)]
    wanted += [pool] * max(length - len(wanted), 0)
    return "".join(chars[data[i] % len(chars)] for i, chars in enumerate(wanted))


def _random_pet(data: bytes, inputs: Mapping[str, Any]) -> str:
    length = max(_int(inputs.get("length"), 2), 1)
    given = inputs.get("separator")
    separator = given if isinstance(given, str) else "-"
    lists = [_ADVERBS] * (length - 2) + ([_ADJECTIVES] if length >= 2 else []) + [_NAMES]
    words = [words[data[i] % len(words)] for i, words in enumerate(lists)]
    prefix = inputs.get("prefix")
    return separator.join([prefix, *words] if isinstance(prefix, str) and prefix else words)


def _uuid4(data: bytes) -> str:
    text = bytearray(data[:16])
    text[6] = (text[6] & 0x0F) | 0x40  # version 4
    text[8] = (text[8] & 0x3F) | 0x80  # RFC 4122 variant
    h = bytes(text).hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _string_values(data: bytes, inputs: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    result = _random_string(data, inputs)
    return result, {"result": result}


def _pet_values(data: bytes, inputs: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    return _random_pet(data, inputs), {}


def _uuid_values(data: bytes, inputs: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    result = _uuid4(data)
    return result, {"result": result}


_VALUES = {
    RANDOM_STRING: _string_values,
    RANDOM_PET: _pet_values,
    RANDOM_UUID: _uuid_values,
}


def random_outputs(type_token: str, name: str, inputs: Mapping[str, Any]) -> tuple[str, dict[str, Any]] | None:
    """(id, state) of a pulumi-random resource the engine fabricates, or None for any other (left unknown)."""
    if not fabricates_random(type_token, inputs):
        return None
    if type_token == RANDOM_ID:
        data = _stream(type_token, name, inputs, max(_int(inputs.get("byteLength"), 8), 1))
        resource_id, outputs = _random_id(data, inputs)
    else:
        data = _stream(type_token, name, inputs, 64 + 2 * _int(inputs.get("length"), 0))
        resource_id, outputs = _VALUES[type_token](data, inputs)
    return resource_id, {**inputs, **outputs}
