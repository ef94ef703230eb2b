"""Amazon Bedrock model lifecycle, offline: which foundation models are active, legacy or past end of life.

AWS publishes the state of every model in the Amazon Bedrock user guide: Active; Legacy (at least six months
before the EOL date, new customers cannot start using it); End-of-Life (every request fails). Since
2026-09-07 there are two pages: "Model lifecycle (Legacy)"
(https://docs.aws.amazon.com/bedrock/latest/userguide/model-lifecycle-legacy.html: "This page applies to all
models launched on Amazon Bedrock before September 7, 2026", with the Legacy and EOL tables) and "Model
lifecycle" (https://docs.aws.amazon.com/bedrock/latest/userguide/model-lifecycle.html) for models launched on
or after that date, whose dates are on each model card only ("EOL no sooner than" and a 6-month or 45-day
Legacy period). Every model below launched before 2026-09-07, so the Legacy page and the cards govern them.
The same state is in `GetFoundationModel`'s `modelLifecycle` (status ACTIVE or LEGACY, legacyTime,
endOfLifeTime; https://docs.aws.amazon.com/bedrock/latest/APIReference/API_FoundationModelLifecycle.html),
which needs credentials; this table is the offline copy the pack judges programs with.

Rows, read 2026-12-01 (update them with that page; `LIFECYCLE_READ` says when):

- Nova Micro, Lite, Pro (v1): Active (their model cards, e.g.
  https://docs.aws.amazon.com/bedrock/latest/userguide/model-card-amazon-nova-lite.html: "Model lifecycle:
  Active", launched 2024-12-05, "Model EOL date: No sooner than 12/4/2025", a floor, not a date set: no EOL
  date is set while a model is Active; all three are still listed on
  https://docs.aws.amazon.com/bedrock/latest/userguide/model-cards-amazon.html, read 2026-12-01).
- Nova Premier: Legacy from 2026-03-13, EOL 2026-09-14 (its model card,
  https://docs.aws.amazon.com/bedrock/latest/userguide/model-card-amazon-nova-premier.html: "Model EOL date:
  September 14, 2026", "Model lifecycle: Legacy"; the Legacy date as the lifecycle page lists it, summarised
  in github.com/api-evangelist/amazon-nova lifecycle/amazon-nova-lifecycle.yml).
- Nova Sonic: Legacy 2026-03-13, EOL 2026-09-14; Nova Canvas and Nova Reel (v1:0, v1:1): Legacy 2026-03-30,
  EOL 2026-09-30 (same sources).
- Nova 2 Lite: Active, launched 2025-12-02, served through the `us.` and `global.` cross-Region profiles
  (https://docs.aws.amazon.com/bedrock/latest/userguide/model-card-amazon-nova-2-lite.html and
  https://docs.aws.amazon.com/nova/latest/nova2-userguide/core-inference.html).
- Titan Text Embeddings V2: Active (listed in
  https://docs.aws.amazon.com/bedrock/latest/userguide/titan-embedding-models.html, on no Legacy table).

Models not in the table are not judged (the policies say nothing about them): add a row when a program
uses another model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

#: When the rows were last compared with AWS's page.
LIFECYCLE_READ = date(2026, 12, 1)
SOURCE = "https://docs.aws.amazon.com/bedrock/latest/userguide/model-lifecycle-legacy.html"


class Lifecycle(StrEnum):
    ACTIVE = "active"
    LEGACY = "legacy"
    END_OF_LIFE = "end of life"


@dataclass(frozen=True)
class ModelLifecycle:
    """One foundation model's row: Legacy from `legacy`, gone from `end_of_life` (None: no date set)."""

    model_id: str
    name: str
    legacy: date | None = None
    end_of_life: date | None = None

    def status(self, on: date) -> Lifecycle:
        if self.end_of_life is not None and on >= self.end_of_life:
            return Lifecycle.END_OF_LIFE
        if self.legacy is not None and on >= self.legacy:
            return Lifecycle.LEGACY
        return Lifecycle.ACTIVE


_ROWS = (
    ModelLifecycle("amazon.nova-micro-v1:0", "Nova Micro"),
    ModelLifecycle("amazon.nova-lite-v1:0", "Nova Lite"),
    ModelLifecycle("amazon.nova-pro-v1:0", "Nova Pro"),
    ModelLifecycle("amazon.nova-premier-v1:0", "Nova Premier", date(2026, 3, 13), date(2026, 9, 14)),
    ModelLifecycle("amazon.nova-sonic-v1:0", "Nova Sonic", date(2026, 3, 13), date(2026, 9, 14)),
    ModelLifecycle("amazon.nova-canvas-v1:0", "Nova Canvas", date(2026, 3, 30), date(2026, 9, 30)),
    ModelLifecycle("amazon.nova-reel-v1:0", "Nova Reel", date(2026, 3, 30), date(2026, 9, 30)),
    ModelLifecycle("amazon.nova-reel-v1:1", "Nova Reel", date(2026, 3, 30), date(2026, 9, 30)),
    ModelLifecycle("amazon.nova-2-lite-v1:0", "Nova 2 Lite"),
    ModelLifecycle("amazon.titan-embed-text-v2:0", "Titan Text Embeddings V2"),
)
LIFECYCLES: dict[str, ModelLifecycle] = {row.model_id: row for row in _ROWS}

# Cross-Region profile prefixes (`us.amazon.nova-2-lite-v1:0`) and the ARN forms that name a model.
_PROFILE_PREFIX = re.compile(r"^(us|eu|apac|us-gov|ca|jp|au|global)\.")
_MODEL_IN_ARN = re.compile(r":(?:foundation-model|inference-profile)/([^/*]+)$")


def foundation_model(reference: str) -> str:
    """The foundation-model id behind a model id, profile id or ARN (`us.` and ARN parts removed)."""
    match = _MODEL_IN_ARN.search(reference)
    value = match.group(1) if match else reference
    return _PROFILE_PREFIX.sub("", value)


def lifecycle(reference: str) -> ModelLifecycle | None:
    """The row for a model id, profile id or ARN; None when the table does not know the model."""
    return LIFECYCLES.get(foundation_model(reference))
