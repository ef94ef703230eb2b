"""The price table (`prices.yaml`): loaded once, checked for provenance, never fetched from the network.

Every figure carries `region`, `date` and `source`; a resource type without a figure is reported as
"unpriced" by the estimator rather than guessed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from policies.errors import PackFileError

PRICES_FILE = Path(__file__).with_name("prices.yaml")

#: Fields every entry of the table must carry (issue 6: provenance on every figure).
PROVENANCE_FIELDS = ("region", "date", "source")


@dataclass(frozen=True)
class Price:
    """One priced dimension: a single figure (`usd`) or one figure per type (`usd_by_type`)."""

    key: str
    unit: str
    region: str
    date: str
    source: str
    usd: float | None = None
    usd_by_type: Mapping[str, float] = field(default_factory=dict)
    evidence: str = ""

    def of(self, kind: str) -> float | None:
        """The figure for `kind` (e.g. an instance type), or None when the table has none."""
        return self.usd_by_type.get(kind)


@dataclass(frozen=True)
class TierPrice:
    """Amazon Nova on-demand price for one tier, per 1,000 tokens."""

    tier: str
    model_id: str
    input_per_1k: float
    output_per_1k: float
    region: str
    date: str
    source: str


class NoFigureInRegionError(LookupError):
    """The table has a figure for `key`, but for another region than the resource's (issue 11 §2)."""

    def __init__(self, key: str, listed: str, region: str) -> None:
        super().__init__(key)
        self.key, self.listed, self.region = key, listed, region

    @property
    def why(self) -> str:
        """The plain reason an idle charge has no figure: the figure the table has is another region's."""
        return (
            f"it is in {self.region} and the price table's figure ({self.key}) is for {self.listed} only; prices "
            "differ between regions"
        )


@dataclass(frozen=True)
class PriceTable:
    hours_per_month: float
    free_tier: Mapping[str, int]
    prices: Mapping[str, Price]
    nova: Mapping[str, TierPrice]
    #: The region a resource being priced is in (`in_region`): a figure of another region is not its figure.
    #: None: the whole table, whichever region each figure is for (the usage model, the table's own checks).
    region: str | None = None

    def __getitem__(self, key: str) -> Price:
        price = self.prices[key]
        if self.region is not None and price.region != self.region:
            raise NoFigureInRegionError(key, price.region, self.region)
        return price

    def in_region(self, region: str) -> PriceTable:
        """The table as a pricer of a resource in `region` reads it: only the figures the table has for `region`
        (each entry's `region`, from its source), so a resource elsewhere is unpriced, never priced at another
        region's figure."""
        return replace(self, region=region)

    def usd(self, key: str) -> float:
        figure = self[key].usd
        if figure is None:  # pragma: no cover - guarded by load_prices
            raise KeyError(key)
        return figure

    @property
    def date(self) -> str:
        """The oldest look-up date in the table (how fresh the whole table is)."""
        dates = [p.date for p in self.prices.values()] + [t.date for t in self.nova.values()]
        return min(dates) if dates else ""


def _require(entry: Mapping[str, Any], key: str, where: str) -> None:
    for name in PROVENANCE_FIELDS:
        if not str(entry.get(name, "")).strip():
            raise PackFileError(f"{where}: price entry {key!r} has no {name!r}")


def parse_prices(data: Mapping[str, Any], where: str = "prices.yaml") -> PriceTable:
    """Build a PriceTable from the YAML mapping, refusing entries without provenance."""
    try:
        prices: dict[str, Price] = {}
        for key, entry in (data.get("prices") or {}).items():
            _require(entry, key, where)
            by_type = {str(k): float(v) for k, v in (entry.get("usd_by_type") or {}).items()}
            usd = entry.get("usd")
            if usd is None and not by_type:
                raise PackFileError(f"{where}: price entry {key!r} has neither 'usd' nor 'usd_by_type'")
            prices[key] = Price(
                key=key,
                unit=str(entry.get("unit", "")),
                region=str(entry["region"]),
                date=str(entry["date"]),
                source=str(entry["source"]),
                usd=None if usd is None else float(usd),
                usd_by_type=by_type,
                evidence=str(entry.get("evidence", "")),
            )
        nova: dict[str, TierPrice] = {}
        for tier, entry in (data.get("nova") or {}).items():
            _require(entry, f"nova.{tier}", where)
            nova[tier] = TierPrice(
                tier=tier,
                model_id=str(entry.get("model_id", "")),
                input_per_1k=float(entry["input_per_1k"]),
                output_per_1k=float(entry["output_per_1k"]),
                region=str(entry["region"]),
                date=str(entry["date"]),
                source=str(entry["source"]),
            )
        return PriceTable(
            hours_per_month=float(data.get("hours_per_month", 730)),
            free_tier={str(k): int(v) for k, v in (data.get("free_tier") or {}).items()},
            prices=prices,
            nova=nova,
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise PackFileError(f"{where}: malformed price table ({exc})") from None


@lru_cache(maxsize=4)
def load_prices(path: Path = PRICES_FILE) -> PriceTable:
    """The price table shipped in the package (cached: policies call this for every resource)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise PackFileError(f"{path}: cannot read the price table: {exc}") from None
    return parse_prices(data, str(path))
