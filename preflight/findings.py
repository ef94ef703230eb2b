"""One shape for every finding the gate reports, whatever produced it (CrossGuard policy or checkov)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any


class Source(StrEnum):
    CROSSGUARD = "crossguard"
    CHECKOV = "checkov"


class Level(StrEnum):
    MANDATORY = "mandatory"
    ADVISORY = "advisory"
    DISABLED = "disabled"


@dataclass(frozen=True)
class Finding:
    """A violation. `resource` is the logical name, empty for stack-wide findings."""

    policy: str
    source: Source
    level: Level
    resource: str
    type: str
    urn: str
    principles: tuple[str, ...]
    message: str
    fix: str = ""
    severity: str = ""

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["source"] = self.source.value
        data["level"] = self.level.value
        data["principles"] = list(self.principles)
        return data


@dataclass(frozen=True)
class SuppressedFinding:
    """A finding a justified, unexpired entry of `policies/suppressions.yaml` waived."""

    finding: Finding
    reason: str
    expires: str

    def to_dict(self) -> dict[str, Any]:
        return {**self.finding.to_dict(), "reason": self.reason, "expires": self.expires}


@dataclass(frozen=True)
class CheckovFinding:
    """One failed checkov check on one resource of the exported plan, mapped back to the graph."""

    check_id: str
    check_name: str
    address: str  # the Terraform address in the exported plan, e.g. aws_s3_bucket.outputs_bucket
    urn: str
    name: str  # the Pulumi logical name
    type: str  # the Pulumi type token
    guideline: str = ""


@dataclass
class CheckovResult:
    """What a checkov run over the exported plan found."""

    failed: list[CheckovFinding] = field(default_factory=list)
    passed_count: int = 0
    skipped: list[dict[str, str]] = field(default_factory=list)  # check_id, reason, origin, expires, status
    notes: list[str] = field(default_factory=list)  # skips and options of .checkov.yaml the gate refused
    not_scanned: list[str] = field(default_factory=list)  # Pulumi type tokens neither the plan nor the template carries
    #: Each custom resource checkov did not check falls in one of three (issue 11 §3, review gate #6), by URN:
    #: handed to checkov, of a type it checks, but its report does not account for it (goal: none);
    not_seen: list[str] = field(default_factory=list)
    #: of a type checkov has no checks for (a plan type no check reads; an aws-native type no CloudFormation check
    #: reports on): not a gap of the bridge;
    no_checks: list[str] = field(default_factory=list)
    #: in neither the plan nor the template: a type the bridge cannot map (goal: none).
    not_mapped: list[str] = field(default_factory=list)
    #: Files of the program's own `policies/checkov/` the gate did not give checkov (file, reason): each a finding.
    refused_checks: list[dict[str, str]] = field(default_factory=list)
    duration_seconds: float = 0.0
    ran: bool = True


def is_refused_skip(skip: Mapping[str, str]) -> bool:
    """Whether the gate did not honour a skip of `CheckovResult.skipped` (status `refused: why`; none is honoured)."""
    return skip.get("status", "honoured").startswith("refused")


def skip_counts(skips: Sequence[Mapping[str, str]]) -> tuple[int, int]:
    """(honoured, refused) skips: the first are checks checkov did not run, the second ran all the same
    (preflight/checkov_config.py), so counting both as skipped overstated what checkov left out (review s10 #11)."""
    refused = sum(1 for skip in skips if is_refused_skip(skip))
    return len(skips) - refused, refused


def skip_count_phrase(skips: Sequence[Mapping[str, str]], separator: str = ", ") -> str:
    """`2 skipped`, or `1 skipped, 1 refused` when the gate refused some: the one wording every report uses."""
    honoured, refused = skip_counts(skips)
    return f"{honoured} skipped" + (f"{separator}{refused} refused" if refused else "")


def coverage_phrase(not_seen: int, no_checks: int, not_mapped: int) -> str:
    """The one wording every report gives checkov's three kinds of unchecked resource (`CheckovResult`)."""
    return f"{not_seen} resources not seen, {no_checks} with no checkov checks, {not_mapped} not mapped"
