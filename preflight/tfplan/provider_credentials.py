"""The static credentials of an AWS provider as `terraform show -json` writes them in `configuration.provider_config`
(issue 11 §5), so checkov's CKV_AWS_41 judges a Pulumi provider's keys as it judges Terraform's.

Why: checkov builds its provider blocks from each configuration's `expressions`, keeping only a `constant_value`
(checkov/terraform/plan_parser.py `_get_providers`, checkov 3.2.x in .venv-checkov), and CKV_AWS_41
(checkov/terraform/checks/provider/aws/credentials.py) fails a block whose `access_key` or `secret_key` constant has
a key's shape. Terraform writes a literal in the provider block as `{"constant_value": ...}` and an expression that
reads a variable or a data source as `{"references": [...]}` (Terraform's JSON output format, "Expression
Representation", developer.hashicorp.com/terraform/internals/json-format; opentofu/opentofu
internal/command/jsonconfig/expression.go), so a key from a variable is not judged by it. The Pulumi analogues:

- a value equal to a stack config value, or a `secure:` one (its offline placeholder), came from config, the
  analogue of a variable: `{"references": ["var.<key>"]}`;
- a value a data source returned that only the cloud knows (preflight.invokes `invented`): `data.<token>`;
- anything else was written in the program: a literal, `{"constant_value": <the value as this graph holds it>}`.
  The judged graph (checkov's scratch plan) holds the plaintext; an artefact's graph holds "[secret]" (the SDKs make
  both keys secret, pulumi_aws 7.51.1 provider.py `Output.secret(access_key)`), so no kept plan carries a key.

Where the value came from is read from the plaintext (`ResourceNode.judged_inputs`); what is written, from the
graph's own inputs.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from policies.secret_values import OFFLINE_SECRET_VALUES
from preflight.graph import UNKNOWN
from preflight.invokes import invented_token

#: Pulumi provider input -> Terraform provider argument (terraform-provider-aws `access_key`, `secret_key`, `token`).
CREDENTIAL_ARGUMENTS = {"accessKey": "access_key", "secretKey": "secret_key", "token": "token"}


def _identifier(key: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in key)


def _origin(value: str, config: Mapping[str, Any]) -> str | None:
    """The reference a credential came from (`var.<key>`, `data.<token>`), or None for a literal. A `secure:` value
    reads as the offline placeholder in the program and as "[secret]" in the graph's config (preflight/engine.py
    blinds it as the CLI does), so it is matched to the secure keys: the one, else any."""
    if value in OFFLINE_SECRET_VALUES:
        secure = sorted(key for key, configured in config.items() if configured in OFFLINE_SECRET_VALUES)
        return f"var.{_identifier(secure[0]) if len(secure) == 1 else 'secure_config'}"
    for key, configured in sorted(config.items()):
        if configured == value:
            return f"var.{_identifier(key)}"
    token = invented_token(value)
    return f"data.{_identifier(token) or 'source'}" if token is not None else None


def credential_expressions(
    written: Mapping[str, Any], plaintext: Mapping[str, Any], config: Mapping[str, Any]
) -> dict[str, Any]:
    """The `expressions` of a provider's credentials: `written` is what the graph holds (redacted in an artefact),
    `plaintext` what the program passed (ResourceNode.judged_inputs), `config` the stack's."""
    expressions: dict[str, Any] = {}
    for name, argument in CREDENTIAL_ARGUMENTS.items():
        value = plaintext.get(name)
        if not isinstance(value, str) or not value or value == UNKNOWN:
            continue
        origin = _origin(value, config)
        expressions[argument] = {"references": [origin]} if origin else {"constant_value": written.get(name)}
    return expressions


def default_credential_expressions(config: Mapping[str, Any]) -> dict[str, Any]:
    """The default provider's credentials, which come from the stack's `aws:accessKey`, `aws:secretKey` and
    `aws:token` config (a Pulumi default provider reads `<package>:*`): references to that config, never constants."""
    return {
        argument: {"references": [f"var.{_identifier(f'aws:{name}')}"]}
        for name, argument in CREDENTIAL_ARGUMENTS.items()
        if isinstance(config.get(f"aws:{name}"), str) and config.get(f"aws:{name}")
    }
