"""AWS managed policies that let a principal call a model or an agent, with the statements that do it.

Why: attaching `AmazonBedrockLimitedAccess` grants `bedrock:InvokeModel*` on `*`, exactly what
`iam-bedrock-invoke-scoped` forbids inline, and a program whose only Bedrock access comes through such an
attachment still calls models, so it needs invocation logging (review 5 #11). The pack cannot read AWS's
managed policies at run time (no credentials, and the pack never imports moto), so the statements are
stored here, in `managed_model_access.json`, derived from AWS's own list as moto ships it
(`moto/iam/aws_managed_policies.py`, made by moto from `iam:ListPolicies --scope AWS` and
`GetPolicyVersion`): `python -m policies.managed_policies --write` rewrites it, and a test keeps it in
step with the installed moto.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from policies.lib import Statement, grants, parse_document
from policies.stored_tables import write_command

TABLE_FILE = Path(__file__).with_name("managed_model_access.json")

#: IAM actions that call a model or an agent (the Converse APIs are authorised by bedrock:InvokeModel*:
#: Amazon Bedrock User Guide, "Carry out a conversation with the Converse API operations").
MODEL_CALLS = ("bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream", "bedrock:InvokeAgent")

#: An AWS managed policy's ARN (`arn:aws:iam::aws:policy/<path>/<name>`); group 1 is its name.
MANAGED_ARN = re.compile(r"^arn:aws[\w-]*:iam::aws:policy/(?:[\w+=,.@-]+/)*([\w+=,.@-]+)$")


def managed_policy_name(arn: str) -> str:
    """The AWS managed policy an ARN names, or "" for any other ARN (a customer managed policy)."""
    match = MANAGED_ARN.match(arn)
    return match.group(1) if match else ""


@functools.cache
def _stored() -> Mapping[str, Any]:
    data: Mapping[str, Any] = json.loads(TABLE_FILE.read_text(encoding="utf-8"))
    return data


def model_call_statements(arn: str) -> list[Statement]:
    """The statements of the AWS managed policy `arn` that grant a model or agent call ([] for any other)."""
    name = managed_policy_name(arn)
    entry = _stored()["policies"].get(name) if name else None
    if entry is None:
        return []
    return parse_document({"Version": "2012-10-17", "Statement": entry["statements"]})


def derive(policies: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """The stored table from AWS's managed policy list: each policy's statements that grant a model call."""
    out: dict[str, Any] = {}
    for name, policy in sorted(policies.items()):
        document = policy["Document"]
        raw = document.get("Statement", []) if isinstance(document, Mapping) else []
        raw = raw if isinstance(raw, list) else [raw]
        kept = [s for s in raw if any(grants(st, a) for st in parse_document({"Statement": [s]}) for a in MODEL_CALLS)]
        if kept:
            out[name] = {"path": policy.get("Path", "/"), "statements": kept}
    return out


def moto_policies() -> tuple[str, Mapping[str, Mapping[str, Any]]]:
    """moto's version and its copy of AWS's managed policies (development environment only)."""
    from importlib.metadata import version  # noqa: PLC0415

    from moto.iam.aws_managed_policies import aws_managed_policies_data  # noqa: PLC0415

    return version("moto"), json.loads(aws_managed_policies_data)


def table() -> dict[str, Any]:
    moto_version, policies = moto_policies()
    return {
        "generated_by": "python -m policies.managed_policies --write",
        "source": f"moto {moto_version} moto/iam/aws_managed_policies.py (AWS iam:ListPolicies --scope AWS)",
        "actions": list(MODEL_CALLS),
        "policies": derive(policies),
    }


def main(argv: list[str] | None = None) -> int:
    description = (__doc__ or "").split("\n")[0]
    return write_command("python -m policies.managed_policies", description, table, TABLE_FILE, 1, argv=argv)


if __name__ == "__main__":
    raise SystemExit(main())
