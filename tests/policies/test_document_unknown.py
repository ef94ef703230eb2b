"""`iam-document-unknown` (policies/rules/document_unknown.py): a document no rule could read is a finding at
`up` and offline, and "cannot tell yet" in `pulumi preview`.

cdk-nag style: numbered Noncompliance cases (`badN_*`) hold an unknown value (the sentinel the engine sends,
pulumi_policy.proxy's UNKNOWN_*_VALUE) in a document input; Compliance cases (`ok_*`) have known documents or
an unknown outside any document. Preview versus up is run twice: in-process with the mode the runner passes
(`run_policies(dry_run=...)`), and over the Analyzer protocol (preflight.analyzer) as the CLI drives a pack in
each mode, where the pack's entry reads the engine's PULUMI_DRY_RUN once.

review4 #1: the offline gate judges as `up` whatever PULUMI_DRY_RUN says. Numbered bad environments
(`ENV_BAD`): the caller exports it (`true`, `1`), or the judged program sets it in os.environ; each must still
fail prod.
"""

from __future__ import annotations

import json
import os
import textwrap
from pathlib import Path
from typing import Any

import pytest
from pulumi_policy.proxy import UNKNOWN_ARRAY_VALUE, UNKNOWN_OBJECT_VALUE, UNKNOWN_STRING_VALUE

from policies.registry import by_name
from policies.rules.document_unknown import DOCUMENT_UNKNOWN
from policies.run_mode import DRY_RUN_ENV, previewing
from preflight.analyzer import analyze
from preflight.cli import main
from preflight.findings import Level
from preflight.graph import ResourceGraph
from preflight.policy_runner import PolicyRun, PolicySetting, run_policies
from tests.policies.conftest import custom_node

KNOWN = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}'
LEAF = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": UNKNOWN_STRING_VALUE}],
}

CASES: dict[str, tuple[str, dict[str, Any]]] = {
    "bad1_identity_policy": ("aws:iam/rolePolicy:RolePolicy", {"role": "r", "policy": UNKNOWN_STRING_VALUE}),
    "bad2_trust_policy": ("aws:iam/role:Role", {"assumeRolePolicy": UNKNOWN_STRING_VALUE}),
    "bad3_role_inline_policy": (
        "aws:iam/role:Role",
        {"assumeRolePolicy": KNOWN, "inlinePolicies": [{"name": "i", "policy": UNKNOWN_STRING_VALUE}]},
    ),
    "bad4_key_policy": ("aws:kms/key:Key", {"policy": UNKNOWN_STRING_VALUE}),
    "bad5_bucket_policy": ("aws:s3/bucketPolicy:BucketPolicy", {"bucket": "b", "policy": UNKNOWN_STRING_VALUE}),
    "bad6_access_point_policy": ("aws:s3/accessPoint:AccessPoint", {"bucket": "b", "policy": UNKNOWN_STRING_VALUE}),
    "bad7_native_leaf": (
        "aws-native:iam:RolePolicy",
        {"roleName": "r", "policyName": "p", "policyDocument": LEAF},
    ),
    "bad8_native_unknown_object": ("aws-native:iam:ManagedPolicy", {"policyDocument": UNKNOWN_OBJECT_VALUE}),
    "bad9_native_role_unknown_policies": (
        "aws-native:iam:Role",
        {"assumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": []}, "policies": UNKNOWN_ARRAY_VALUE},
    ),
    "ok_known_identity_policy": ("aws:iam/rolePolicy:RolePolicy", {"role": UNKNOWN_STRING_VALUE, "policy": KNOWN}),
    "ok_known_native_document": (
        "aws-native:sqs:QueueInlinePolicy",
        {"queue": UNKNOWN_STRING_VALUE, "policyDocument": {"Version": "2012-10-17", "Statement": []}},
    ),
    "ok_no_document": ("aws:sqs/queue:Queue", {"name": UNKNOWN_STRING_VALUE}),
}
BAD = {name for name in CASES if name.startswith("bad")}


def _graph(stack: str = "prod") -> ResourceGraph:
    nodes = [custom_node(type_, name, inputs, stack) for name, (type_, inputs) in CASES.items()]
    return ResourceGraph("p", stack, nodes)


def _run(*, dry_run: bool = False) -> PolicyRun:
    spec = by_name()[DOCUMENT_UNKNOWN]
    return run_policies(
        _graph(), policies=[spec], config={DOCUMENT_UNKNOWN: PolicySetting(Level.MANDATORY)}, dry_run=dry_run
    )


def test_case_numbers_are_consecutive() -> None:
    assert sorted(int(n.split("_", 1)[0][3:]) for n in BAD) == list(range(1, len(BAD) + 1))


def test_offline_every_unknown_document_is_a_finding() -> None:
    run = _run()
    assert {f.resource for f in run.findings} == BAD
    assert run.undetermined == []
    [inline] = [f for f in run.findings if f.resource == "bad3_role_inline_policy"]
    assert "inlinePolicies" in inline.message


#: Environments the offline gate must ignore (review4 #1).
ENV_BAD = {"env1_caller_exports_true": "true", "env2_caller_exports_1": "1", "env3_caller_exports_false": "false"}


@pytest.mark.parametrize("case", sorted(ENV_BAD))
def test_offline_ignores_the_callers_dry_run_variable(monkeypatch: pytest.MonkeyPatch, case: str) -> None:
    monkeypatch.setenv(DRY_RUN_ENV, ENV_BAD[case])
    run = _run()
    assert {f.resource for f in run.findings} == BAD
    assert run.undetermined == []


def test_a_variable_set_while_policies_run_changes_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    # env4: something in the gate's process (the program's code) sets it between two runs.
    _run()
    monkeypatch.setitem(os.environ, DRY_RUN_ENV, "true")
    assert {f.resource for f in _run().findings} == BAD


def test_in_preview_an_unknown_document_is_cannot_tell_not_a_violation() -> None:
    run = _run(dry_run=True)
    assert run.findings == []
    assert len(run.undetermined) == len(BAD)
    assert previewing() is False  # the runner restores the mode it found


UNKNOWN_ADMIN = """
import os
os.environ["PULUMI_DRY_RUN"] = "true"
import asyncio, json
import pulumi
import pulumi_aws as aws
loop = asyncio.get_event_loop()
value = loop.create_future(); value.set_result("x")
known = loop.create_future(); known.set_result(False)
unknown = pulumi.Output(set(), value, known)
trust = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
role = aws.iam.Role("r", assume_role_policy=json.dumps(trust))
admin = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
aws.iam.RolePolicy("admin", role=role.name, policy=unknown.apply(lambda _: json.dumps(admin)))
"""


@pytest.mark.parametrize(
    ("case", "body", "ambient"),
    [
        ("env5_program_sets_it", UNKNOWN_ADMIN, None),
        ("env6_program_and_caller", UNKNOWN_ADMIN, "1"),
        ("env7_caller_only", UNKNOWN_ADMIN.replace('os.environ["PULUMI_DRY_RUN"] = "true"', ""), "true"),
    ],
)
def test_gate_fails_prod_whatever_the_variable_says(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    case: str,
    body: str,
    ambient: str | None,
) -> None:
    (tmp_path / "Pulumi.yaml").write_text(f"name: {case.replace('_', '-')}\nruntime: python\n")
    (tmp_path / "Pulumi.prod.yaml").write_text(
        "config:\n  aws:region: us-east-1\n  preflight:accountBaseline: organization\n"
    )
    (tmp_path / "__main__.py").write_text(textwrap.dedent(body))
    if ambient is None:
        monkeypatch.delenv(DRY_RUN_ENV, raising=False)  # and restored after the program set it
    else:
        monkeypatch.setenv(DRY_RUN_ENV, ambient)
    code = main(["check", "--program", str(tmp_path), "--stack", "prod", "--no-checkov", "--format", "json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 1, case
    found = {(v["policy"], v["resource"]) for v in data["violations"]}
    assert (DOCUMENT_UNKNOWN, "admin") in found, case


def _protocol(tmp_path: Path, *, dry_run: bool) -> PolicyRun:
    return analyze(_graph(), program_dir=tmp_path, dry_run=dry_run)


def test_over_the_protocol_up_reports_and_preview_does_not_block(tmp_path: Path) -> None:
    up = _protocol(tmp_path, dry_run=False)
    found = {(f.resource, f.level) for f in up.findings if f.policy == DOCUMENT_UNKNOWN}
    assert found == {(name, Level.MANDATORY) for name in BAD}  # prod, default profile: P135/P137 are HIGH
    preview = _protocol(tmp_path, dry_run=True)
    assert [f for f in preview.findings if f.policy == DOCUMENT_UNKNOWN] == []
    cannot_tell = [u for u in preview.undetermined if u.startswith(f"{DOCUMENT_UNKNOWN}:")]
    assert len(cannot_tell) == len(BAD)


SECURE_POLICY = """
import json
import pulumi
import pulumi_aws as aws
q = aws.sqs.Queue("q", sqs_managed_sse_enabled=True)
config = pulumi.Config()
aws.sqs.QueuePolicy("bad1_secure_document", queue_url=q.url, policy=config.require_secret("queuePolicy"))
known = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
    "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
    "Action": "sqs:SendMessage", "Resource": "arn:aws:sqs:us-east-1:123456789012:q"}]}
aws.sqs.QueuePolicy("ok_plain_document", queue_url=q.url, policy=json.dumps(known))
aws.ssm.Parameter("ok_secret_elsewhere", type="SecureString", value=config.require_secret("queuePolicy"))
"""


def test_a_document_from_secure_config_is_a_finding(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Review s10 #5 (secretpolicy): offline a `secure:` value is a placeholder, not JSON, so no rule judged the
    document; the decrypted value could be `Principal: "*"`. A secure value outside a document is no finding."""
    (tmp_path / "Pulumi.yaml").write_text("name: securedoc\nruntime: python\n")
    (tmp_path / "Pulumi.prod.yaml").write_text(
        "config:\n  aws:region: us-east-1\n  preflight:accountBaseline: organization\n"
        "  securedoc:queuePolicy:\n    secure: AAABAKxyz0123456789abcdefghijklmnopqrstuvwxyz\n"
    )
    (tmp_path / "__main__.py").write_text(SECURE_POLICY)
    code = main(["check", "--program", str(tmp_path), "--stack", "prod", "--no-checkov", "--format", "json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 1
    found = {v["resource"]: v["message"] for v in data["violations"] if v["policy"] == DOCUMENT_UNKNOWN}
    assert set(found) == {"bad1_secure_document"}
    assert "secure:" in found["bad1_secure_document"]
