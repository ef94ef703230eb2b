"""Availability Zones of a region, as EC2's DescribeAvailabilityZones returns them: what the offline engine answers
`aws.get_availability_zones()`, `aws.get_availability_zone()` and any data source's zone field with.

Why: a program builds subnets from `zones.names[i]` and endpoints or RAM shares from `zones.zone_ids[i]`; a name
where an id belongs (`us-east-1a` for `use1-az1`) reaches resources in a shape AWS would refuse, and a name the
region does not have (`us-west-1c`: us-west-1 offers two zones to new accounts) is not what a preview would see.

The zones of each region are stored in `zones.json`, derived from the table moto ships
(moto/ec2/models/availability_zones_and_regions.py `RegionsAndZonesBackend.zones`, its copy of what
DescribeAvailabilityZones returns per region: name, ZoneId); `python -m preflight.zones --write` rewrites it from
the installed moto, and tests/preflight/test_zones.py keeps it equal. The engine never imports moto (a
development dependency). A region the table lacks gets three zones `<region>a..c` with ids `<code>-az1..3`, the
code made by `region_code`, the rule every id of the table follows (a test checks it on each).

The other fields, per botocore's ec2 2016-11-15 service model (shape `AvailabilityZone`), for an Availability Zone:
`GroupName` "us-east-1-zg-1" (the zone group of the region's Availability Zones), `OptInStatus` "always has the
value of opt-in-not-required", `ZoneType` `availability-zone`, `State` `available`; `NetworkBorderGroup` is the
region for an Availability Zone ("Name of the location from which the address is advertised", pulumi_aws 7.51.1
get_availability_zone.py; EC2 User Guide, "Network border groups": an Availability Zone's is its Region). Zone names
map to ids differently in each account (AWS RAM User Guide, working-with-az-ids.html), so any consistent pairing
is one a real account may have; the table's is moto's.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from policies.stored_tables import write_command

TABLE_FILE = Path(__file__).with_name("zones.json")

#: How a compass word of a region's name is shortened in its zone ids (`apne1` ap-northeast-1, `cac1` ca-central-1,
#: `cnnw1` cn-northwest-1); any other word keeps its first letter (`usgw1` us-gov-west-1).
_COMPASS = {
    "north": "n",
    "south": "s",
    "east": "e",
    "west": "w",
    "central": "c",
    "northeast": "ne",
    "northwest": "nw",
    "southeast": "se",
    "southwest": "sw",
}
#: Zones given to a region the table lacks.
_UNLISTED_ZONES = 3


@dataclass(frozen=True)
class Zone:
    """One Availability Zone as DescribeAvailabilityZones describes it."""

    name: str
    zone_id: str
    region: str

    @property
    def group_name(self) -> str:
        """The zone group of a region's Availability Zones, `<region>-zg-1` (botocore ec2 `AvailabilityZone`)."""
        return f"{self.region}-zg-1"

    @property
    def name_suffix(self) -> str:
        """The part of the name after the region (`a` of `us-west-2a`; pulumi_aws get_availability_zone.py)."""
        return self.name.removeprefix(self.region)


def region_code(region: str) -> str:
    """The short region in zone ids: the area, each following word shortened, the number (`use1`, `apse2`)."""
    *words, number = region.split("-")
    if not words:
        return region
    return words[0] + "".join(_COMPASS.get(word, word[:1]) for word in words[1:]) + number


@functools.cache
def _stored() -> Mapping[str, Sequence[Sequence[str]]]:
    data = json.loads(TABLE_FILE.read_text(encoding="utf-8"))
    regions: Mapping[str, Sequence[Sequence[str]]] = data["regions"]
    return regions


def zones(region: str) -> list[Zone]:
    """The region's Availability Zones, in name order."""
    listed = _stored().get(region)
    if listed is not None:
        return [Zone(name, zone_id, region) for name, zone_id in listed]
    code = region_code(region)
    return [Zone(f"{region}{letter}", f"{code}-az{i + 1}", region) for i, letter in enumerate("abc"[:_UNLISTED_ZONES])]


def zone_at(region: str, index: int) -> Zone:
    """The region's `index`th zone, wrapping round (a fabricated list field takes its elements in turn)."""
    listed = zones(region)
    return listed[index % len(listed)]


def _strings(value: Any) -> set[str]:
    return {v for v in value if isinstance(v, str)} if isinstance(value, list | tuple) else set()


def availability_zones(args: Mapping[str, Any], region: str) -> dict[str, Any]:
    """`aws.get_availability_zones(...)`: the region's zones less `excludeNames` and `excludeZoneIds`, as the provider
    removes them (terraform-provider-aws internal/service/ec2 ec2_availability_zones_data_source.go, read: a zone
    whose name or id is excluded is skipped). `groupNames` is the set of the zones' group names."""
    excluded_names, excluded_ids = _strings(args.get("excludeNames")), _strings(args.get("excludeZoneIds"))
    kept = [z for z in zones(region) if z.name not in excluded_names and z.zone_id not in excluded_ids]
    return {
        "names": [z.name for z in kept],
        "zoneIds": [z.zone_id for z in kept],
        "groupNames": sorted({z.group_name for z in kept}),
        "id": region,
    }


def availability_zone(args: Mapping[str, Any], region: str) -> dict[str, Any]:
    """`aws.get_availability_zone(name=... | zone_id=...)`: the zone named (by name or id), else the region's first;
    a name or id the region lacks (another region's zone) is described as a zone of that name or id would be."""
    listed = zones(region)
    name, zone_id = args.get("name"), args.get("zoneId")
    found = next((z for z in listed if z.name == name or z.zone_id == zone_id), None)
    if found is None:
        first = listed[0]
        found = Zone(
            name if isinstance(name, str) and name else first.name,
            zone_id if isinstance(zone_id, str) and zone_id else first.zone_id,
            region,
        )
    return {
        "name": found.name,
        "zoneId": found.zone_id,
        "nameSuffix": found.name_suffix,
        "region": region,
        "groupName": found.group_name,
        "networkBorderGroup": region,
        "optInStatus": "opt-in-not-required",
        "state": "available",
        "zoneType": "availability-zone",
        # An Availability Zone has no parent zone (the API omits ParentZoneId/ParentZoneName for one; the
        # provider's string attribute is then empty).
        "parentZoneId": "",
        "parentZoneName": "",
        "id": found.name,
    }


def moto_zones() -> tuple[str, dict[str, list[list[str]]]]:
    """moto's version and its zones per region, name and id (development environment only)."""
    from importlib.metadata import version  # noqa: PLC0415

    from moto.ec2.models.availability_zones_and_regions import RegionsAndZonesBackend  # noqa: PLC0415

    table = {
        region: sorted([z.name, z.zone_id] for z in listed if z.zone_type == "availability-zone")
        for region, listed in RegionsAndZonesBackend.zones.items()
    }
    return version("moto"), table


def table() -> dict[str, Any]:
    moto_version, regions = moto_zones()
    return {
        "generated_by": "python -m preflight.zones --write",
        "source": f"moto {moto_version} moto/ec2/models/availability_zones_and_regions.py RegionsAndZonesBackend.zones",
        "regions": regions,
    }


def main(argv: list[str] | None = None) -> int:
    return write_command("python -m preflight.zones", "Availability Zones per region.", table, TABLE_FILE, 1, argv=argv)


if __name__ == "__main__":
    raise SystemExit(main())
