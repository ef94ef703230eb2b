"""Anomaly detection on sensor readings with a small model file (P077, P079): per-feature z-scores.

The model is JSON (`{"version", "features", "mean", "std", "threshold"}`), small enough to ship over the
air and to evaluate on a microcontroller-class gateway without a network round trip.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path


class ModelError(ValueError):
    """The model file is malformed."""


@dataclass(frozen=True)
class AnomalyModel:
    version: str
    features: Sequence[str]
    mean: Sequence[float]
    std: Sequence[float]
    threshold: float

    @classmethod
    def load(cls, path: Path) -> AnomalyModel:
        data = json.loads(path.read_text(encoding="utf-8"))
        try:
            model = cls(
                version=str(data["version"]),
                features=tuple(str(f) for f in data["features"]),
                mean=tuple(float(m) for m in data["mean"]),
                std=tuple(float(s) for s in data["std"]),
                threshold=float(data["threshold"]),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise ModelError(f"{path}: {error}") from None
        if not len(model.features) == len(model.mean) == len(model.std) or any(s <= 0 for s in model.std):
            raise ModelError(f"{path}: features, mean and std must align and std be positive")
        return model

    def score(self, reading: Mapping[str, float]) -> float:
        """The largest absolute z-score over the model's features (a missing feature is an anomaly)."""
        worst = 0.0
        for name, mean, std in zip(self.features, self.mean, self.std, strict=True):
            if name not in reading:
                return float("inf")
            worst = max(worst, abs((float(reading[name]) - mean) / std))
        return worst

    def is_anomaly(self, reading: Mapping[str, float]) -> bool:
        return self.score(reading) > self.threshold
