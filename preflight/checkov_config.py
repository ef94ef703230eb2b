"""A program's `.checkov.yaml`, read the way checkov reads it, so no skip hides a finding without a trace.

Why: checkov takes `skip-check` as a comma-separated string or a list, `check` (run only these) and
`soft-fail` from its config file (checkov/common/util/ext_argument_parser.py: config-file keys are
the long option names; `skip-check`/`check` values are split on commas). Passed through as they are,
a program's own file could silently switch off any check. Here every skip is recorded with the file
and line it came from. Skips in the pack's own file (the template's `.checkov.yaml`, whose skips are
reviewed with the pack) need a reason comment; skips anywhere else also need an expiry, written
`- CKV_AWS_20  # until 2026-12-31: why the exception holds`, and are refused (the check runs) when
either is missing or the date has passed. A foreign `check:` (which would disable every other check)
is refused too; `soft-fail` has no effect on the gate, whose verdict comes from the findings' levels.
Every other key is not passed to checkov and is recorded in the notes, with why (`REFUSED_KEYS`): the gate writes
checkov's config itself, and a key that loads code (`external-checks-dir`, `external-checks-git`), changes which
checks run or what they report (`framework`, `skip-framework`, `skip-path`, `baseline`, `repo-root-for-plan-
enrichment`, whose Terraform files' `checkov:skip` comments would skip checks, ...) would be a way round the gate
(review finding gate #10); the program's own checks come from its `policies/checkov/` (preflight.checkov_checks).
Checks a CrossGuard policy owns (`owned_by_policies` in policies/checkov_principles.yaml: each rule exists
once, issue 11 §4) are skipped for every program, with that file as their origin.
checkov is then given a config file holding only what was accepted.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from preflight.errors import ConfigError
from preflight.suppressions import MAX_EXPIRY_DAYS, MIN_REASON_CHARS

#: The pack's own checkov file (reviewed with the pack): its skips need a reason but no expiry.
PACK_CONFIG = Path(__file__).resolve().parent.parent / ".checkov.yaml"
#: Which checks a CrossGuard policy judges instead (`owned_by_policies`), with the owner and the reason.
OWNERS_FILE = Path(__file__).resolve().parent.parent / "policies" / "checkov_principles.yaml"
OWNERS_ORIGIN = "policies/checkov_principles.yaml"

_LOADS_CODE = "it would load code into the checkov that judges the program; its checks come from policies/checkov/"
_CHANGES_CHECKS = "it would change which checks run or what they report"
#: Keys of checkov's config (its long option names, checkov/common/util/ext_argument_parser.py) the gate refuses.
REFUSED_KEYS: dict[str, str] = {
    "external-checks-dir": _LOADS_CODE,
    "external-checks-git": _LOADS_CODE,
    "external-checks-public-key": _LOADS_CODE,
    "framework": f"{_CHANGES_CHECKS}: the gate runs terraform_plan and cloudformation",
    "skip-framework": f"{_CHANGES_CHECKS}: the gate runs terraform_plan and cloudformation",
    # checkov/common/runners/runner_registry.py `_handle_report` -> `Report.handle_skipped_checks`: the skip
    # comments of the Terraform files under that root skip the plan's checks.
    "repo-root-for-plan-enrichment": f"{_CHANGES_CHECKS}: `checkov:skip` comments of its Terraform files skip checks",
    "skip-path": f"{_CHANGES_CHECKS}: it can leave the exported plan or template out",
    "skip-resources-without-violations": _CHANGES_CHECKS,
    "baseline": f"{_CHANGES_CHECKS}: findings already in the baseline would not be reported",
    "output-baseline-as-skipped": _CHANGES_CHECKS,
    "use-enforcement-rules": f"{_CHANGES_CHECKS}: levels come from policies/profile.py",
    "hard-fail-on": f"{_CHANGES_CHECKS}: levels come from policies/profile.py",
    "soft-fail-on": f"{_CHANGES_CHECKS}: levels come from policies/profile.py",
    "policy-metadata-filter": _CHANGES_CHECKS,
    "policy-metadata-filter-exception": _CHANGES_CHECKS,
    "include-all-checkov-policies": _CHANGES_CHECKS,
    "run-all-external-checks": _CHANGES_CHECKS,
    "bc-api-key": f"{_CHANGES_CHECKS}: the platform's policies are downloaded; the gate runs offline",
    "prisma-api-url": f"{_CHANGES_CHECKS}: the platform's policies are downloaded; the gate runs offline",
    "var-file": f"{_CHANGES_CHECKS}: the gate scans a plan, whose values are resolved",
    "download-external-modules": f"{_CHANGES_CHECKS}: the gate runs offline",
    "external-modules-download-path": f"{_CHANGES_CHECKS}: the gate runs offline",
    "deep-analysis": f"{_CHANGES_CHECKS}: it reads Terraform files beside the plan",
    "directory": f"{_CHANGES_CHECKS}: the gate scans the exported plan and template only",
    "file": f"{_CHANGES_CHECKS}: the gate scans the exported plan and template only",
    "config-file": f"{_CHANGES_CHECKS}: the gate writes checkov's config itself",
    "skip-download": "the gate sets it itself (offline)",
    "evaluate-variables": _CHANGES_CHECKS,
}
#: The keys the gate reads itself.
READ_KEYS = frozenset({"skip-check", "check", "soft-fail"})

_ID = re.compile(r"[A-Z][A-Z0-9_*]*")
_UNTIL = re.compile(r"^\s*until\s+(\d{4}-\d{2}-\d{2})\s*[:-]\s*(.*)$", re.IGNORECASE)


@dataclass(frozen=True)
class Skip:
    """One `skip-check` entry: where it was written, why, until when, and whether the gate honoured it."""

    check_id: str
    origin: str  # file:line
    reason: str
    expires: str = ""
    refused: str = ""  # why the gate did not honour it; empty when honoured

    def to_dict(self) -> dict[str, str]:
        return {
            "check_id": self.check_id,
            "address": "*",
            "reason": self.reason,
            "origin": self.origin,
            "expires": self.expires,
            "status": f"refused: {self.refused}" if self.refused else "honoured",
        }


@dataclass
class CheckovConfig:
    """What a checkov config file asks for, and what the gate accepted of it."""

    path: Path | None
    pack: bool
    skips: list[Skip] = field(default_factory=list)
    #: Checks a CrossGuard policy owns (policies/checkov_principles.yaml): always skipped, for every program.
    owned: tuple[Skip, ...] = ()
    check: list[str] = field(default_factory=list)
    check_refused: bool = False
    soft_fail: bool = False
    #: Keys of the file not passed to checkov, with why (REFUSED_KEYS, or an option the gate sets itself).
    not_passed: list[tuple[str, str]] = field(default_factory=list)

    @property
    def all_skips(self) -> list[Skip]:
        """What reports list: the owned checks first, then the file's own skips (a redundant one dropped)."""
        ids = {s.check_id for s in self.owned}
        return [*self.owned, *(s for s in self.skips if s.check_id not in ids)]

    @property
    def honoured(self) -> list[str]:
        return [s.check_id for s in self.all_skips if not s.refused]

    def notes(self) -> list[str]:
        where = str(self.path)
        refused = [s for s in self.all_skips if s.refused]
        notes = [f"{s.origin}: skip of {s.check_id} refused ({s.refused}); the check runs" for s in refused]
        if self.check_refused:
            notes.append(f"{where}: `check:` ({', '.join(self.check)}) refused: it would switch off every other check")
        if self.soft_fail:
            notes.append(f"{where}: `soft-fail` has no effect: the gate's verdict comes from each finding's level")
        notes.extend(f"{where}: `{key}` not passed to checkov: {why}" for key, why in self.not_passed)
        return notes

    def runs(self, check_id: str) -> bool:
        """Whether checkov runs a check under the effective config: in `check` when one is given, and not in
        `skip-check`, a skip winning over `check`; patterns match as checkov's own (`fnmatch`, checkov
        3.3.30 checkov/runner_filter.py `RunnerFilter.should_run_check` and `check_matches`)."""
        effective = self.effective()
        allowed = effective.get("check") or []
        if allowed and not any(fnmatch.fnmatchcase(check_id, p) for p in allowed):
            return False
        return not any(fnmatch.fnmatchcase(check_id, p) for p in effective.get("skip-check") or [])

    def effective(self) -> dict[str, Any]:
        """The config checkov is given: the bridge's own settings and what was accepted."""
        data: dict[str, Any] = {
            "framework": ["terraform_plan", "cloudformation"],  # the plan, and aws-native's template (preflight.cfn)
            "skip-download": True,
            "compact": True,
            "quiet": True,
            "download-external-modules": False,
        }
        if self.honoured:
            data["skip-check"] = self.honoured
        if self.check and not self.check_refused:
            data["check"] = list(self.check)
        return data


def _ids(value: Any, path: Path, key: str) -> list[str]:
    """A comma-separated string or a list (of strings that may themselves hold commas), as checkov splits them."""
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    ids: list[str] = []
    for item in items:
        if not isinstance(item, str | int):
            raise ConfigError(f"{path}: {key}: expected check ids, got {type(item).__name__}")
        ids.extend(part.strip() for part in str(item).split(",") if part.strip())
    bad = [i for i in ids if not _ID.fullmatch(i)]
    if bad:
        raise ConfigError(f"{path}: {key}: {bad[0]!r} is not a check id")
    return ids


def _comments(text: str, key: str) -> dict[str, tuple[int, str]]:
    """check id -> (line, comment) for the ids written under or on the `key:` line."""
    found: dict[str, tuple[int, str]] = {}
    inside = False
    for number, line in enumerate(text.splitlines(), start=1):
        if re.match(rf"^{re.escape(key)}\s*:", line):
            inside = True
        elif inside and line.strip() and not line.startswith((" ", "\t", "-")) and not line.lstrip().startswith("#"):
            inside = False
        if not inside:
            continue
        body, _, comment = line.partition("#")
        # The key line's own text (`skip-check:`) holds no upper-case letter, so `_ID` finds only the ids after it.
        for check_id in _ID.findall(body):
            found.setdefault(check_id, (number, comment.strip()))
    return found


def _judge(check_id: str, line: int, comment: str, path: Path, *, pack: bool, today: dt.date) -> Skip:
    origin = f"{path}:{line}"
    match = _UNTIL.match(comment)
    reason, expires = (match.group(2).strip(), match.group(1)) if match else (comment, "")
    refused = ""
    if not pack and "*" in check_id:
        # checkov fnmatches skip patterns (checkov/runner_filter.py `check_matches`): `CKV*` would skip every
        # check, the pack's own CKV_AGP_* included. A program skips checks it names (P188).
        refused = "a glob over many checks: name each check it skips"
    elif len(reason) < MIN_REASON_CHARS:
        refused = f"no reason of at least {MIN_REASON_CHARS} characters in its comment"
    elif not pack:
        try:
            until = dt.date.fromisoformat(expires) if expires else None
        except ValueError:
            until = None
        if until is None:
            refused = "no expiry: write `# until YYYY-MM-DD: reason`"
        elif until < today:
            refused = f"expired on {until.isoformat()}"
        elif (until - today).days > MAX_EXPIRY_DAYS:
            refused = f"expires more than {MAX_EXPIRY_DAYS} days ahead"
    return Skip(check_id, origin, reason, expires, refused)


@cache
def owned_checks() -> tuple[Skip, ...]:
    """The checks a CrossGuard policy owns, as skips the gate always honours (origin: the owners file)."""
    text = OWNERS_FILE.read_text(encoding="utf-8")
    owned = (yaml.safe_load(text) or {}).get("owned_by_policies") or {}
    lines = text.splitlines()
    skips = []
    for check_id, entry in owned.items():
        number = next((n for n, ln in enumerate(lines, start=1) if ln.startswith(f"  {check_id}:")), 0)
        reason = f"judged by the CrossGuard policy {entry['policy']}: {' '.join(str(entry['reason']).split())}"
        skips.append(Skip(str(check_id), f"{OWNERS_ORIGIN}:{number}", reason))
    return tuple(skips)


def load_checkov_config(path: Path | None, *, today: dt.date | None = None) -> CheckovConfig:
    """Read `path` (None: no file) as checkov does and judge every skip it asks for.

    The checks a policy owns (`owned_checks`) are skipped too, always (`CheckovConfig.all_skips`).
    """
    config = _load(path, today)
    config.owned = owned_checks()
    return config


def _load(path: Path | None, today: dt.date | None) -> CheckovConfig:
    if path is None:
        return CheckovConfig(path=None, pack=False)
    pack = path.resolve() == PACK_CONFIG
    try:
        text = path.read_text(encoding="utf-8")
        data = yaml.safe_load(text) or {}
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f"line {mark.line + 1}: " if mark is not None else ""
        raise ConfigError(f"{path}: {line}malformed YAML") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of checkov options")
    comments = _comments(text, "skip-check")
    day = today or dt.date.today()
    skips = []
    for check_id in _ids(data.get("skip-check"), path, "skip-check"):
        number, comment = comments.get(check_id, (0, ""))
        skips.append(_judge(check_id, number, comment, path, pack=pack, today=day))
    check = _ids(data.get("check"), path, "check")
    return CheckovConfig(
        path=path,
        pack=pack,
        skips=skips,
        check=check,
        check_refused=bool(check) and not pack,
        soft_fail=bool(data.get("soft-fail")),
        # The pack's own file is reviewed with the pack: its settings match the gate's, so they are not noted.
        not_passed=[] if pack else [(str(k), _why_not_passed(str(k))) for k in data if str(k) not in READ_KEYS],
    )


def _why_not_passed(key: str) -> str:
    """Why a key of a program's file does not reach checkov (checkov also takes `_` for `-`)."""
    name = key.replace("_", "-")
    return REFUSED_KEYS.get(name) or "an option the gate sets itself (inputs, output and checks are the gate's)"
