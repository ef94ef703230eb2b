"""Every serialised secret becomes "[secret]", inside maps, lists and tuples, whatever it holds."""

from __future__ import annotations

from preflight.secrets import SECRET_PLACEHOLDER, SECRET_SIG, SIG_KEY, is_secret, redact

SECRET = {SIG_KEY: SECRET_SIG, "ciphertext": "v1:abc"}
PLAIN = {SIG_KEY: SECRET_SIG, "plaintext": '"hunter2"'}


def test_secrets_at_any_depth_become_the_placeholder() -> None:
    value = {"a": [SECRET, "x", (PLAIN, 1)], "b": {"c": SECRET}, "d": 2, 3: None}
    assert redact(value) == {
        "a": [SECRET_PLACEHOLDER, "x", [SECRET_PLACEHOLDER, 1]],
        "b": {"c": "[secret]"},
        "d": 2,
        "3": None,
    }
    assert redact(SECRET) == "[secret]" and redact("text") == "text"


def test_only_the_secret_signature_marks_a_secret() -> None:
    assert is_secret(SECRET) and is_secret(PLAIN)
    assert not is_secret({SIG_KEY: "5cf8f73096256a8f31e491e813e4eb8e", "urn": "u"})
    assert not is_secret([SIG_KEY, SECRET_SIG]) and not is_secret("[secret]")
