"""Usage-based estimate for the device edge: what a fleet of connected Greengrass core devices costs a month.

The device fleet (`features.deviceFleet`, P077-P083) has no idle charge: AWS IoT Greengrass bills each core
device only in a month in which it connects, and AWS IoT Core bills connection minutes and messages. So the
idle estimate lists the fleet as pay-per-use, and this module prices a stated fleet size instead, the way
`usage.py` prices a stated request load in tokens.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from policies.cost.prices import PriceTable, load_prices

MINUTES_PER_HOUR = 60

#: Price-table keys this estimate reads (policies/cost/prices.yaml, each with its source).
GREENGRASS_DEVICE_MONTH = "greengrass_core_device_month"
IOT_CONNECTION_MILLION_MINUTES = "iot_core_connection_million_minutes"
#: The fleet size the Greengrass price row covers (its unit in prices.yaml: "up to 10,000 devices";
#: tests/preflight/test_cost_fleet.py holds the two together). A larger fleet is priced at the same rate
#: with a note, since the row gives no figure beyond it (review finding R4).
PRICED_UP_TO_DEVICES = 10_000


class FleetError(ValueError):
    """A fleet size that cannot be priced (negative, or not a whole number of devices)."""


@dataclass(frozen=True)
class FleetEstimate:
    """Monthly charge of `core_devices` Greengrass core devices that connect every month, online all month.

    Messages (per million, 5 KB each) are left out: how many a device sends is the workload's, not the
    fleet's; the always-connected assumption makes the connection figure an upper bound.
    """

    core_devices: int
    greengrass_usd_per_device: float
    connection_minutes_per_device: float
    connection_usd_per_million_minutes: float

    @property
    def greengrass_monthly_usd(self) -> float:
        return self.core_devices * self.greengrass_usd_per_device

    @property
    def connection_monthly_usd(self) -> float:
        minutes = self.core_devices * self.connection_minutes_per_device
        return minutes / 1_000_000 * self.connection_usd_per_million_minutes

    @property
    def monthly_usd(self) -> float:
        return self.greengrass_monthly_usd + self.connection_monthly_usd

    @property
    def note(self) -> str:
        """Why the figure is not the price row's own, or "" (a fleet the row covers)."""
        if self.core_devices <= PRICED_UP_TO_DEVICES:
            return ""
        return (
            f"the Greengrass price row ({GREENGRASS_DEVICE_MONTH}, policies/cost/prices.yaml) covers up to "
            f"{PRICED_UP_TO_DEVICES:,} devices; the {self.core_devices - PRICED_UP_TO_DEVICES:,} beyond are priced "
            "at the same rate, which the row does not state: ask AWS for the price of a larger fleet"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "core_devices": self.core_devices,
            "greengrass_usd_per_device": self.greengrass_usd_per_device,
            "greengrass_monthly_usd": round(self.greengrass_monthly_usd, 2),
            "connection_minutes_per_device": self.connection_minutes_per_device,
            "connection_monthly_usd": round(self.connection_monthly_usd, 2),
            "monthly_usd": round(self.monthly_usd, 2),
        } | ({"note": self.note} if self.note else {})


def fleet_estimate(core_devices: float, prices: PriceTable | None = None) -> FleetEstimate:
    """The monthly charge of a fleet of `core_devices` active Greengrass core devices.

    No free tier is applied: Greengrass's "first three core devices free for one year" and IoT Core's
    2,250,000 free connection minutes are 12-month offers that only accounts created before 2025-07-15 ever
    had, and they have ended for all of them (prices.yaml).

    Examples
    --------
    >>> round(fleet_estimate(10).greengrass_monthly_usd, 2)
    1.6
    """
    if not math.isfinite(core_devices) or core_devices < 0 or not float(core_devices).is_integer():
        raise FleetError(
            f"--core-devices: the number of core devices must be a whole number, 0 or more (got {core_devices:g})"
        )
    table = prices or load_prices()
    return FleetEstimate(
        core_devices=int(core_devices),
        greengrass_usd_per_device=table.usd(GREENGRASS_DEVICE_MONTH),
        connection_minutes_per_device=table.hours_per_month * MINUTES_PER_HOUR,
        connection_usd_per_million_minutes=table.usd(IOT_CONNECTION_MILLION_MINUTES),
    )
