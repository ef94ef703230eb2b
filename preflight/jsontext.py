"""`json.dumps(value, indent=2)`, the same text, without the standard library's pure-Python encoder.

With `indent` set, `json.dumps` cannot use its C encoder (CPython Lib/json/encoder.py `JSONEncoder.iterencode`
takes `c_make_encoder` only when `indent is None`) and walks the value through nested generators: two thirds of
exporting a 2,000-resource plan (bench/SPEED.md). `dumps_indented` writes the same characters with one recursive
walk: the scalars through the same functions the encoder uses (`encode_basestring_ascii`, `int.__repr__`,
`float.__repr__`, NaN and the infinities spelt as `json` spells them), keys converted as `json` converts them,
and `TypeError` for what `json` cannot encode (anything it would hand to `JSONEncoder.default`).
tests/preflight/test_jsontext.py compares both on the template's exported plans and on generated values.
"""

from __future__ import annotations

import json
from json.encoder import encode_basestring_ascii
from typing import Any

_INDENT = "  "


def dumps_indented(value: Any) -> str:
    """The text of `json.dumps(value, indent=2)` (ensure_ascii, keys in their order, no circular check)."""
    chunks: list[str] = []
    _write(value, chunks, "\n")
    return "".join(chunks)


def _float(value: float) -> str:
    if value != value:  # noqa: PLR0124 (NaN is the one float unequal to itself)
        return "NaN"
    if value == float("inf"):
        return "Infinity"
    if value == -float("inf"):
        return "-Infinity"
    return float.__repr__(value)


def _key(key: Any) -> str:
    if isinstance(key, str):
        return encode_basestring_ascii(key)
    if isinstance(key, float):
        return encode_basestring_ascii(_float(key))
    if key is True:
        return '"true"'
    if key is False:
        return '"false"'
    if key is None:
        return '"null"'
    if isinstance(key, int):
        return encode_basestring_ascii(int.__repr__(key))
    raise TypeError(f"keys must be str, int, float, bool or None, not {type(key).__name__}")


def _write(value: Any, chunks: list[str], newline: str) -> None:  # noqa: C901, PLR0912 (json's own order of cases)
    if isinstance(value, str):
        chunks.append(encode_basestring_ascii(value))
    elif value is None:
        chunks.append("null")
    elif value is True:
        chunks.append("true")
    elif value is False:
        chunks.append("false")
    elif isinstance(value, int):
        chunks.append(int.__repr__(value))
    elif isinstance(value, float):
        chunks.append(_float(value))
    elif isinstance(value, list | tuple):
        if not value:
            chunks.append("[]")
            return
        inner = newline + _INDENT
        separator = "," + inner
        chunks.append("[" + inner)
        first = True
        for item in value:
            if not first:
                chunks.append(separator)
            first = False
            _write(item, chunks, inner)
        chunks.append(newline + "]")
    elif isinstance(value, dict):
        if not value:
            chunks.append("{}")
            return
        inner = newline + _INDENT
        separator = "," + inner
        chunks.append("{" + inner)
        first = True
        for key, item in value.items():
            if not first:
                chunks.append(separator)
            first = False
            chunks.append(_key(key) + ": ")
            _write(item, chunks, inner)
        chunks.append(newline + "}")
    else:
        # what json.dumps hands to JSONEncoder.default, which raises TypeError for every other type
        json.JSONEncoder().default(value)
