"""The device fleet is priced per use: nothing while no core device connects, $0.16 per connected device."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from policies.cost.estimator import GREENGRASS_DEPLOYMENT, estimate
from policies.cost.prices import load_prices
from preflight.cli import main
from preflight.cost.fleet import GREENGRASS_DEVICE_MONTH, PRICED_UP_TO_DEVICES, FleetError, fleet_estimate
from tests.preflight.cost_helpers import res
from tests.preflight.programs import write_program

PRICES = load_prices()

FLEET = """
import pulumi_aws as aws
import pulumi_aws_native as aws_native

group = aws.iot.ThingGroup("group")
aws_native.greengrassv2.Deployment("deployment", target_arn=group.arn)
aws.kms.Key("key")
"""


def test_a_fleet_costs_its_devices_and_their_connection_minutes() -> None:
    est = fleet_estimate(25)
    assert est.greengrass_monthly_usd == pytest.approx(25 * 0.16)
    # 25 devices online 730 h x 60 min at $0.08 per million minutes.
    assert est.connection_monthly_usd == pytest.approx(25 * 730 * 60 * 0.08 / 1_000_000)
    assert est.monthly_usd == pytest.approx(4.0 + 0.0876)
    assert est.to_dict()["monthly_usd"] == 4.09


def test_no_connected_device_costs_nothing() -> None:
    assert fleet_estimate(0).monthly_usd == 0


@pytest.mark.parametrize("devices", [-1, 2.5])
def test_a_fleet_size_that_is_not_a_whole_count_is_refused(devices: float) -> None:
    with pytest.raises(FleetError, match="whole number"):
        fleet_estimate(devices)


def test_a_greengrass_deployment_is_pay_per_use_and_says_what_it_costs_per_device() -> None:
    cost = estimate([res(GREENGRASS_DEPLOYMENT, "deployment"), res("aws:kms/key:Key", "key")])
    assert [i.resource for i in cost.items] == ["key"]
    assert [r.resource for r in cost.pay_per_use] == ["deployment"]
    assert cost.unpriced == ()
    assert cost.idle_monthly_usd == pytest.approx(PRICES.usd("kms_key_month"))
    [note] = [a for a in cost.assumptions if "Greengrass" in a]
    assert "$0.16 per core device per month in which it connects" in note


def test_a_stack_without_greengrass_gets_no_greengrass_note() -> None:
    cost = estimate([res("aws:kms/key:Key", "key")])
    assert not [a for a in cost.assumptions if "Greengrass" in a]


def test_preflight_cost_prices_a_stated_fleet(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    program = write_program(tmp_path, FLEET)
    assert main(["cost", "--program", str(program), "--format", "json", "--core-devices", "100"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["idle_monthly_usd"] == 1.0  # the KMS key; the fleet bills nothing while idle
    assert "deployment" in [p["resource"] for p in data["pay_per_use"]]
    assert data["fleet"]["core_devices"] == 100
    assert data["fleet"]["greengrass_monthly_usd"] == 16.0
    assert data["fleet"]["monthly_usd"] == pytest.approx(16.35)  # + 100 x 43,800 min x $0.08/1M


def test_preflight_cost_text_shows_the_fleet(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    program = write_program(tmp_path, FLEET)
    assert main(["cost", "--program", str(program), "--core-devices", "3"]) == 0
    text = capsys.readouterr().out
    assert "Device fleet estimate: 3 Greengrass core devices" in text
    assert "3 x $0.16" in text
    assert "AWS IoT Greengrass bills $0.16 per core device per month in which it connects" in text


def test_a_negative_fleet_exits_2_with_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    program = write_program(tmp_path, FLEET)
    assert main(["cost", "--program", str(program), "--core-devices", "-4"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "core devices" in err and "Traceback" not in err


@pytest.mark.parametrize(
    "devices",
    [
        "nan",  # Noncompliance 1: float("nan") passed argparse, then int(nan) raised ValueError (review R4)
        "inf",  # Noncompliance 2: int(inf) raised OverflowError
        "-inf",  # Noncompliance 3
        "-1",  # Noncompliance 4
        "abc",  # Noncompliance 5: argparse printed its usage too (two lines)
        "2.5",  # Noncompliance 6
        "",  # Noncompliance 7
    ],
)
def test_a_bad_fleet_size_is_one_line_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str], devices: str) -> None:
    program = write_program(tmp_path, FLEET)
    assert main(["cost", "--program", str(program), f"--core-devices={devices}"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--core-devices" in err and "Traceback" not in err


def test_the_device_limit_is_the_price_rows() -> None:
    assert f"up to {PRICED_UP_TO_DEVICES:,} devices" in PRICES[GREENGRASS_DEVICE_MONTH].unit


@pytest.mark.parametrize(("devices", "noted"), [(10_000, False), (10_001, True), (20_000, True)])
def test_a_fleet_beyond_the_price_rows_limit_is_noted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], devices: int, noted: bool
) -> None:
    est = fleet_estimate(devices)
    assert bool(est.note) is noted
    program = write_program(tmp_path, FLEET)
    assert main(["cost", "--program", str(program), "--core-devices", str(devices)]) == 0
    text = capsys.readouterr().out
    assert ("up to 10,000 devices" in text) is noted
    assert main(["cost", "--program", str(program), "--format", "json", "--core-devices", str(devices)]) == 0
    assert ("note" in json.loads(capsys.readouterr().out)["fleet"]) is noted
