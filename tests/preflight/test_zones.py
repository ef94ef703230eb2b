"""preflight.zones: the Availability Zones the offline engine answers with are the region's, in the shapes
DescribeAvailabilityZones returns (names, `use1-az1` ids, `<region>-zg-1` groups), one zone's name and id together,
and the stored table equal to moto's (issue 11 §1)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from preflight import zones
from preflight.invokes import invoke_result

ZONES = "aws:index/getAvailabilityZones:getAvailabilityZones"
ZONE = "aws:index/getAvailabilityZone:getAvailabilityZone"
SUBNET = "aws:ec2/getSubnet:getSubnet"
#: An Availability Zone id (AWS RAM User Guide, working-with-az-ids.html: "use1-az1 is an AZ ID ... us-east-1").
ZONE_ID = re.compile(r"[a-z]+[0-9]-az[0-9]+")


def test_the_stored_table_is_motos() -> None:
    pytest.importorskip("moto")
    assert json.loads(zones.TABLE_FILE.read_text(encoding="utf-8")) == zones.table()


@pytest.mark.parametrize("region", sorted(zones._stored()))
def test_every_stored_id_follows_the_region_code_rule(region: str) -> None:
    """The rule a region the table lacks is given ids by reproduces every id of every region the table has."""
    for name, zone_id in zones._stored()[region]:
        assert name.startswith(region)
        assert zone_id.startswith(f"{zones.region_code(region)}-az"), (region, zone_id)


@pytest.mark.parametrize(
    ("region", "code"),
    [("us-east-1", "use1"), ("ap-northeast-1", "apne1"), ("us-gov-west-1", "usgw1"), ("cn-northwest-1", "cnnw1")],
)
def test_region_codes(region: str, code: str) -> None:
    assert zones.region_code(region) == code


def test_zones_are_ids_not_names_and_the_regions_own() -> None:
    result = invoke_result(ZONES, {}, "us-west-1")
    # us-west-1 has two zones (moto's table): no us-west-1c, which a preview would not see either.
    assert result["names"] == ["us-west-1a", "us-west-1b"]
    assert result["zoneIds"] == ["usw1-az3", "usw1-az1"]
    assert all(ZONE_ID.fullmatch(z) for z in result["zoneIds"])
    assert result["groupNames"] == ["us-west-1-zg-1"]


def test_a_region_the_table_lacks_gets_ids_of_its_code() -> None:
    result = invoke_result(ZONES, {}, "xx-southwest-9")
    assert result["names"] == ["xx-southwest-9a", "xx-southwest-9b", "xx-southwest-9c"]
    assert result["zoneIds"] == ["xxsw9-az1", "xxsw9-az2", "xxsw9-az3"]


def test_excluded_names_and_ids_are_left_out() -> None:
    result = invoke_result(ZONES, {"excludeNames": ["us-east-1a"], "excludeZoneIds": ["use1-az1"]}, "us-east-1")
    assert result["names"] == ["us-east-1c", "us-east-1d", "us-east-1e", "us-east-1f"]
    assert result["zoneIds"] == ["use1-az2", "use1-az4", "use1-az3", "use1-az5"]


@pytest.mark.parametrize("args", [{"name": "eu-west-1b"}, {"zoneId": "euw1-az1"}])
def test_one_zone_by_name_or_id_is_that_zone(args: dict[str, Any]) -> None:
    result = invoke_result(ZONE, args, "eu-west-1")
    assert {k: result[k] for k in ("name", "zoneId", "nameSuffix", "region", "groupName", "networkBorderGroup")} == {
        "name": "eu-west-1b",
        "zoneId": "euw1-az1",
        "nameSuffix": "b",
        "region": "eu-west-1",
        "groupName": "eu-west-1-zg-1",
        "networkBorderGroup": "eu-west-1",
    }
    assert (result["zoneType"], result["optInStatus"], result["state"]) == (
        "availability-zone",
        "opt-in-not-required",
        "available",
    )


def test_a_data_sources_zone_name_and_id_are_the_same_zone() -> None:
    subnet = invoke_result(SUBNET, {}, "ap-northeast-1")
    pairs = {(n, i) for n, i in zones._stored()["ap-northeast-1"]}
    assert (subnet["availabilityZone"], subnet["availabilityZoneId"]) in pairs
