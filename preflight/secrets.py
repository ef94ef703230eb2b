"""Secrets never leave as plaintext: one placeholder for every secret the gate meets.

A secret arrives three ways: a `pulumi.Output.secret(...)` (or `secure:` config) inside the program,
a secret object in a `pulumi stack export` (`{"4dabf18193072939515e22adb298388d":
"1b47061264138c4ac30d75fd1eb44270", "ciphertext"|"plaintext": ...}`, pulumi/pulumi
`pkg/resource/stack/deployment.go` L844-L879; `plaintext` when exported with `--show-secrets`), or
`"[secret]"` in a preview (`MassageSecrets`, `pkg/backend/display/json.go` L48-L83). The graph holds
`"[secret]"` for all three, so no artefact written from it (plan, graph.json, the Terraform plan,
reports) can carry the value. Where the gate has the plaintext (the program's own secrets, a `--show-secrets`
export) it keeps it beside the record only for the judges (ResourceNode.secret_inputs/secret_outputs): the
Pulumi CLI hands a policy pack the plaintext, so the pack and checkov judge what it judges.
"""

from __future__ import annotations

import json
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


def reveal(value: Any) -> Any:
    """`value` with each secret's plaintext where the file has it (a `--show-secrets` export: `plaintext` is the
    value's JSON, deployment.go L844-L879); a `ciphertext` or a preview's "[secret]" stays "[secret]"."""
    if is_secret(value):
        plaintext = value.get("plaintext")
        if not isinstance(plaintext, str):
            return SECRET_PLACEHOLDER
        try:
            return reveal(json.loads(plaintext))
        except ValueError:
            return SECRET_PLACEHOLDER
    if isinstance(value, Mapping):
        return {str(k): reveal(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [reveal(v) for v in value]
    return value


def revealed(value: Any, redacted: Any) -> Any:
    """`reveal(value)` where it differs from `redacted` (the file held a readable secret), else None."""
    shown = reveal(value)
    return None if shown == redacted else shown


def redact(value: Any) -> Any:
    """`value` with every secret replaced by "[secret]", whatever the secret holds."""
    if is_secret(value):
        return SECRET_PLACEHOLDER
    if isinstance(value, Mapping):
        return {str(k): redact(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact(v) for v in value]
    return value
