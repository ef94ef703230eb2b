"""`reveal` and `revealed`: the plaintext a `--show-secrets` export holds, kept only for the judges
(preflight/secrets.py); run F's survivors of `preflight.secrets` (bench/MUTATION.md) were all here."""

from __future__ import annotations

import json
from typing import Any

import pytest

from preflight.secrets import SECRET_PLACEHOLDER, SECRET_SIG, SIG_KEY, redact, reveal, revealed


def _plain(value: Any) -> dict[str, Any]:
    """A secret as `pulumi stack export --show-secrets` writes it (`plaintext` is the value's JSON)."""
    return {SIG_KEY: SECRET_SIG, "plaintext": json.dumps(value)}


CIPHER = {SIG_KEY: SECRET_SIG, "ciphertext": "AAABAJ0s"}


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (_plain("hunter2"), "hunter2"),
        (_plain({"user": "app", "tags": ["a", "b"]}), {"user": "app", "tags": ["a", "b"]}),
        ({"db": _plain("pw"), "port": 5432}, {"db": "pw", "port": 5432}),
        ({"env": [_plain("k1"), "plain"]}, {"env": ["k1", "plain"]}),
        (CIPHER, SECRET_PLACEHOLDER),
        ({SIG_KEY: SECRET_SIG, "plaintext": "not json{"}, SECRET_PLACEHOLDER),
        ({SIG_KEY: SECRET_SIG, "plaintext": 7}, SECRET_PLACEHOLDER),
        ({"nested": _plain(_plain("deep"))}, {"nested": "deep"}),
    ],
    ids=["text", "object", "mapping_values", "list_items", "ciphertext", "plaintext_not_json", "plaintext_not_text",
         "secret_in_secret"],
)  # fmt: skip
def test_reveal(value: Any, shown: Any) -> None:
    assert reveal(value) == shown


def test_revealed_is_the_plaintext_only_where_the_file_had_one() -> None:
    readable = {"password": _plain("pw"), "user": "app"}
    assert revealed(readable, redact(readable)) == {"password": "pw", "user": "app"}
    sealed = {"password": CIPHER, "user": "app"}
    assert revealed(sealed, redact(sealed)) is None
    assert revealed("app", "app") is None
