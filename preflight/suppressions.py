"""Per-resource exceptions: `policies/suppressions.yaml`, each with a reason and an expiry date.

An entry is `{id: <policy name or checkov id>, resource: <logical name or URN glob>, reason: <at
least 20 characters>, expires: YYYY-MM-DD}`. Entries that are expired, unjustified or malformed are
themselves mandatory violations naming the entry, so an exception can never silently outlive its
reason (after cdk-nag's rule that every suppression carries a reason and shows in the report).
A file that is not valid YAML is a one-line error (exit 2).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

import yaml

from preflight.errors import ConfigError
from preflight.findings import Finding, Level, Source, SuppressedFinding

MIN_REASON_CHARS = 20
FIELDS = ("id", "resource", "reason", "expires")
_CHECKOV_ID = re.compile(r"^CKV2?_[A-Z0-9]+(_[A-Z0-9]+)*$")
#: Principles an invalid exception undermines: audit trail and governance of exceptions.
SUPPRESSION_PRINCIPLES = ("P147", "P188")
INVALID_POLICY = "suppression-invalid"
EXPIRED_POLICY = "suppression-expired"


@dataclass(frozen=True)
class Suppression:
    id: str
    resource: str
    reason: str
    expires: dt.date
    index: int

    def label(self) -> str:
        return f"suppressions.yaml entry {self.index + 1} ({self.id} on {self.resource})"

    def matches(self, finding: Finding) -> bool:
        if finding.policy != self.id:
            return False
        return fnmatchcase(finding.resource, self.resource) or (
            bool(finding.urn) and fnmatchcase(finding.urn, self.resource)
        )


def _problem(policy: str, entry: str, message: str, path: Path) -> Finding:
    return Finding(
        policy=policy,
        source=Source.CROSSGUARD,
        level=Level.MANDATORY,
        resource="",
        type="",
        urn="",
        principles=SUPPRESSION_PRINCIPLES,
        message=f"{path.name}: {entry}: {message}",
        fix=(
            f"Give every entry id, resource, a reason of at least {MIN_REASON_CHARS} characters and a future "
            "expires date (YYYY-MM-DD); remove entries whose exception is over, or fix the resource."
        ),
        severity="high",
    )


def _entries(data: Any, path: Path) -> list[Any]:
    if data is None:
        return []
    if isinstance(data, dict) and set(data) == {"suppressions"}:
        data = data["suppressions"] or []
    if not isinstance(data, list):
        raise ConfigError(f"{path}: expected a list of suppressions (id, resource, reason, expires)")
    return data


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


def load_suppressions(
    path: str | Path, known_ids: Iterable[str], *, today: dt.date | None = None
) -> tuple[list[Suppression], list[Finding]]:
    """Valid, current entries, and a mandatory finding for each entry that is not.

    Raises ConfigError (one line) when the file is not YAML or not a list.
    """
    file = Path(path)
    if not file.is_file():
        return [], []
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError(f"{file}: {where}malformed YAML: {problem}") from None
    except OSError as exc:
        raise ConfigError(f"{file}: cannot read: {exc.strerror}") from None
    today = today or dt.datetime.now(dt.UTC).date()
    known = set(known_ids)
    valid: list[Suppression] = []
    problems: list[Finding] = []
    for index, raw in enumerate(_entries(data, file)):
        entry = f"entry {index + 1}"
        if not isinstance(raw, dict):
            problems.append(_problem(INVALID_POLICY, entry, "not a mapping", file))
            continue
        entry = f"entry {index + 1} ({raw.get('id', '?')} on {raw.get('resource', '?')})"
        missing = [k for k in FIELDS if k not in raw or raw[k] in (None, "")]
        extra = sorted(str(k) for k in raw if k not in FIELDS)
        if missing or extra:
            what = "; ".join(
                filter(
                    None,
                    [
                        f"missing {', '.join(missing)}" if missing else "",
                        f"unknown keys {', '.join(extra)}" if extra else "",
                    ],
                )
            )
            problems.append(_problem(INVALID_POLICY, entry, what, file))
            continue
        rule_id, resource, reason = str(raw["id"]), str(raw["resource"]), str(raw["reason"]).strip()
        expires = _date(raw["expires"])
        if rule_id not in known and not _CHECKOV_ID.match(rule_id):
            problems.append(_problem(INVALID_POLICY, entry, f"{rule_id} is neither a policy nor a checkov id", file))
        elif len(reason) < MIN_REASON_CHARS:
            problems.append(_problem(INVALID_POLICY, entry, f"reason shorter than {MIN_REASON_CHARS} characters", file))
        elif expires is None:
            problems.append(_problem(INVALID_POLICY, entry, f"expires {raw['expires']!r} is not YYYY-MM-DD", file))
        elif expires < today:
            problems.append(_problem(EXPIRED_POLICY, entry, f"expired on {expires.isoformat()}", file))
        else:
            valid.append(Suppression(rule_id, resource, reason, expires, index))
    return valid, problems


def apply_suppressions(
    findings: Sequence[Finding], suppressions: Sequence[Suppression]
) -> tuple[list[Finding], list[SuppressedFinding]]:
    """Split findings into those still standing and those a suppression waives (first match wins)."""
    kept: list[Finding] = []
    waived: list[SuppressedFinding] = []
    for finding in findings:
        match = next((s for s in suppressions if s.matches(finding)), None)
        if match is None:
            kept.append(finding)
        else:
            waived.append(SuppressedFinding(finding, match.reason, match.expires.isoformat()))
    return kept, waived
