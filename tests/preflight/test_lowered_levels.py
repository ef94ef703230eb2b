"""R6 of the s3 review: a program's level file cannot quietly switch a mandatory policy off in production."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from preflight.errors import ConfigError
from preflight.findings import Level
from preflight.gate import _check_lowered, _lowered_summary
from preflight.policy_runner import lowered_levels
from preflight.suppressions import load_suppressions
from tests.preflight.programs import run_gate_cli

POLICY = "resource-policy-not-public"
REASON = "the bus is replaced by a private one in ticket SEC-9 this quarter"
TODAY = dt.datetime.now(dt.UTC).date()
SOON = (TODAY + dt.timedelta(days=90)).isoformat()


def _program(tmp_path: Path, config: dict[str, object], suppressions: str = "") -> Path:
    (tmp_path / "policies" / "config").mkdir(parents=True)
    (tmp_path / "policies" / "config" / "prod.json").write_text(json.dumps(config))
    (tmp_path / "policies" / "config" / "dev.json").write_text(json.dumps(config))
    if suppressions:
        (tmp_path / "policies" / "suppressions.yaml").write_text(suppressions)
    return tmp_path


def _judge(program: Path, stack: str) -> list[str]:
    from policies.registry import all_policies  # noqa: PLC0415

    lowered, source = lowered_levels(stack, program)
    suppressions, _ = load_suppressions(program / "policies" / "suppressions.yaml", [p.name for p in all_policies()])
    _check_lowered(lowered, source, suppressions, production=stack == "prod")
    return [x.policy for x in lowered]


@pytest.mark.parametrize(
    ("config", "suppressions"),
    [
        ({POLICY: "disabled"}, ""),  # Noncompliance 1: the reviewer's file
        ({POLICY: "advisory"}, ""),  # Noncompliance 2: lowered, not disabled
        ({POLICY: {"enforcementLevel": "disabled"}}, ""),  # Noncompliance 3: the object form
        ({"all": "advisory"}, ""),  # Noncompliance 4: every policy at once
        ({POLICY: "disabled"}, f"- {{id: {POLICY}, resource: bus-*, reason: {REASON}, expires: {SOON}}}\n"),
        # Noncompliance 5: a scoped entry does not justify switching the policy off for every resource
        ({POLICY: "disabled"}, f"- {{id: {POLICY}, resource: '*', reason: too short, expires: {SOON}}}\n"),
        # Noncompliance 6: an entry without a real reason
        ({POLICY: "disabled"}, f"- {{id: {POLICY}, resource: '*', reason: {REASON}, expires: 2020-01-01}}\n"),
        # Noncompliance 7: an expired entry
        ({POLICY: "disabled"}, f"- {{id: iam-trust-not-public, resource: '*', reason: {REASON}, expires: {SOON}}}\n"),
        # Noncompliance 8: an entry for another policy
    ],
)
def test_lowering_a_mandatory_policy_in_production_is_refused(
    tmp_path: Path, config: dict[str, object], suppressions: str
) -> None:
    program = _program(tmp_path, config, suppressions)
    with pytest.raises(ConfigError, match=r"policies/config/prod\.json: [a-z0-9-]+: lowered from mandatory to"):
        _judge(program, "prod")


def test_a_lowering_beyond_the_horizon_is_refused(tmp_path: Path) -> None:
    """Noncompliance 9: the waiver's expiry is held to the suppression horizon (366 days)."""
    far = (TODAY + dt.timedelta(days=400)).isoformat()
    program = _program(
        tmp_path, {POLICY: "disabled"}, f"- {{id: {POLICY}, resource: '*', reason: {REASON}, expires: {far}}}\n"
    )
    with pytest.raises(ConfigError, match=r"suppressions\.yaml: .* more than 366 days ahead"):
        _judge(program, "prod")


def test_a_justified_lowering_and_any_raising_are_accepted(tmp_path: Path) -> None:
    program = _program(
        tmp_path,
        {POLICY: "disabled", "bedrock-model-not-legacy": "mandatory"},
        f"- {{id: {POLICY}, resource: '*', reason: {REASON}, expires: {SOON}}}\n",
    )
    assert _judge(program, "prod") == [POLICY]


def test_outside_production_a_lowering_is_named_not_refused(tmp_path: Path) -> None:
    program = _program(tmp_path, {POLICY: "disabled"})
    lowered, source = lowered_levels("dev", program)
    assert [(x.policy, x.default, x.level) for x in lowered] == [(POLICY, Level.MANDATORY, Level.DISABLED)]
    assert _check_lowered(lowered, source, [], production=False) == []
    assert _lowered_summary(lowered, source).endswith(f"dev.json: {POLICY} (mandatory -> disabled)")


def test_the_report_names_each_lowered_policy_and_the_file(tmp_path: Path) -> None:
    program = _program(
        tmp_path / "prog",
        {POLICY: "disabled", "log-group-retention": "advisory"},
        f"- {{id: {POLICY}, resource: '*', reason: {REASON}, expires: {SOON}}}\n"
        f"- {{id: log-group-retention, resource: '*', reason: {REASON}, expires: {SOON}}}\n",
    )
    (program / "Pulumi.yaml").write_text("name: cfgtest\nruntime: python\n")
    (program / "Pulumi.prod.yaml").write_text(
        "config:\n  aws:region: us-east-1\n  preflight:accountBaseline: organization\n"
    )
    (program / "__main__.py").write_text("import pulumi_aws as aws\naws.sqs.Queue('q', kms_master_key_id='alias/k')\n")
    out = tmp_path / "out"
    run = run_gate_cli(program, "prod", out)
    assert "Traceback" not in run.stderr, run.stderr
    profile = json.loads((out / "report.json").read_text())["policy_profile"]
    assert "2 policies lowered by " in profile and "prod.json" in profile
    assert f"{POLICY} (mandatory -> disabled)" in profile and "log-group-retention (mandatory -> advisory)" in profile
    assert "matched no finding" not in (out / "report.txt").read_text()
