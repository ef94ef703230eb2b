"""Secrets never leave as plaintext: one placeholder for every secret the gate meets.

A secret arrives three ways: a `pulumi.Output.secret(...)` (or `secure:` config) inside the program,
a secret object in a `pulumi stack export` (`{"4dabf18193072939515e22adb298388d":
"1b47061264138c4ac30d75fd1eb44270", "ciphertext"|"plaintext": ...}`, pulumi/pulumi
`pkg/resource/stack/deployment.go` L844-L879; `plaintext` when exported with `--show-secrets`), or
`"[secret]"` in a preview (`MassageSecrets`, `pkg/backend/display/json.go` L48-L83). The graph holds
`"[secret]"` for all three, so no artefact written from it (plan, graph.json, the Terraform plan,
reports) can carry the value.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

#: What Pulumi's own JSON output shows for a secret (json.go L67).
SECRET_PLACEHOLDER = "[secret]"

#: Pulumi's special-value signatures (sdk/go/common/resource/sig/sig.go).
SIG_KEY = "4dabf18193072939515e22adb298388d"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"


def is_secret(value: Any) -> bool:
    """A serialised secret object (with ciphertext or plaintext)."""
    return isinstance(value, Mapping) and value.get(SIG_KEY) == SECRET_SIG


def redact(value: Any) -> Any:
    """`value` with every secret replaced by "[secret]", whatever the secret holds."""
    if is_secret(value):
        return SECRET_PLACEHOLDER
    if isinstance(value, Mapping):
        return {str(k): redact(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact(v) for v in value]
    return value
