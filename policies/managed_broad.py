"""AWS managed policies judged by what they grant, not by their names (review s10 #1).

Why: `iam-no-admin-managed-policies` knew AdministratorAccess and `*FullAccess` by name, so
`SecretsManagerReadWrite` (secretsmanager:* on *), `AmazonS3ReadOnlyAccess` (s3:Get* on *) and
`AdministratorAccess-Amplify` (iam:CreateRole, AttachRolePolicy and PassRole on *) passed while the same
statements inline were mandatory findings. The pack cannot read a managed policy at run time (no credentials;
the pack never imports moto), so what makes each one broad is stored here, in `managed_broad.json`, derived
from AWS's own list as moto ships it (`moto/iam/aws_managed_policies.py`, from `iam:ListPolicies --scope AWS`
and `GetPolicyVersion`, as policies.managed_policies): for each policy, each statement (numbered from 1, with
its Sid) that a content rule of policies.rules.iam flags (`CONTENT_JUDGES`: wildcard actions, writes on
wildcard resources, reads of data or metadata on them, PassRole on them), and what that rule says of it. The
rules report those findings for every attachment, so an attached managed policy is judged exactly as the same
statements written inline, by the same judges, at the same levels (AWSXRayDaemonWriteAccess: nothing;
AWSLambdaBasicExecutionRole: its logs writes on '*', as inline). Findings, not the statements, are stored:
1,422 of moto 5.2.5's 1,582 policies have some, and their statements would be 2.8 MB.
`python -m policies.managed_broad --write` rewrites the table; tests/policies/test_managed_broad.py keeps it in
step with the installed moto and with the judges. A policy AWS published after that moto is not in the table:
only the name rule judges it.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from policies.lib import Statement, as_list, parse_document
from policies.managed_policies import managed_policy_name, moto_policies
from policies.stored_tables import write_command

TABLE_FILE = Path(__file__).with_name("managed_broad.json")

#: A content rule's statement-level judge, as policies.rules.iam defines them: (label, statement) -> messages.
Judge = Callable[[str, Statement], list[str]]


@functools.cache
def _stored() -> Mapping[str, Any]:
    data: Mapping[str, Any] = json.loads(TABLE_FILE.read_text(encoding="utf-8"))
    return data


def _label(name: str, index: int, sid: Any) -> str:
    return f"the AWS managed policy {name} statement {index}{f' ({sid})' if sid else ''}"


def managed_findings(arn: str, rule: str) -> list[str]:
    """What `rule` says of each statement of the AWS managed policy `arn` ([] for any other ARN or rule)."""
    name = managed_policy_name(arn)
    entry = _stored()["policies"].get(name) if name else None
    if entry is None:
        return []
    return [
        f"{_label(name, int(kept['index']), kept.get('sid'))} {message}"
        for kept in entry["statements"]
        for message in kept["findings"].get(rule, ())
    ]


def derive(policies: Mapping[str, Mapping[str, Any]], judges: Mapping[str, Judge]) -> dict[str, Any]:
    """For each managed policy, the statements some judge flags and what each judge says (after the label)."""
    out: dict[str, Any] = {}
    for name, policy in sorted(policies.items()):
        document = policy.get("Document")
        raw_statements = as_list(document.get("Statement")) if isinstance(document, Mapping) else []
        kept = []
        for index, raw in enumerate(raw_statements, start=1):
            parsed = parse_document({"Statement": [raw]}) if isinstance(raw, Mapping) else []
            if not parsed:
                continue
            label = _label(name, index, raw.get("Sid"))
            findings = {
                rule: [m.removeprefix(f"{label} ") for m in messages]
                for rule, judge in sorted(judges.items())
                if (messages := judge(label, parsed[0]))
            }
            if findings:
                kept.append({"index": index, "sid": raw.get("Sid") or "", "findings": findings})
        if kept:
            out[name] = {"path": policy.get("Path", "/"), "statements": kept}
    return out


def table() -> dict[str, Any]:
    from policies.rules.iam import CONTENT_JUDGES  # noqa: PLC0415 (the rules import this module)

    moto_version, policies = moto_policies()
    return {
        "generated_by": "python -m policies.managed_broad --write",
        "source": f"moto {moto_version} moto/iam/aws_managed_policies.py (AWS iam:ListPolicies --scope AWS)",
        "rules": sorted(CONTENT_JUDGES),
        "policies": derive(policies, CONTENT_JUDGES),
    }


def main(argv: list[str] | None = None) -> int:
    description = (__doc__ or "").split("\n")[0]
    return write_command("python -m policies.managed_broad", description, table, TABLE_FILE, 0, argv=argv)


if __name__ == "__main__":
    raise SystemExit(main())
