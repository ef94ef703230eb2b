"""Per-resource exceptions: `policies/suppressions.yaml`, each with a reason and an expiry date.

An entry is `{id: <policy name or checkov id>, resource: <logical name or URN glob>, reason: <at
least 20 characters>, expires: YYYY-MM-DD}`. Entries that are expired, unjustified or malformed are
themselves mandatory violations naming the entry, so an exception can never silently outlive its
reason (after cdk-nag's rule that every suppression carries a reason and shows in the report).
A file that is not valid YAML is a one-line error (exit 2).

A glob without the `urn:` prefix is matched against the logical name only; a URN glob,
`urn:pulumi:<stack>::<project>::<type>::<name>` (or `...::<project>::<name>`, any type), part by part, so a
`*` never spans a `::` (review finding R1: `*n*` used to match every URN, since each contains `urn:`).

A resource glob must name something (review findings F5, R1, P188). An exact name (no `*`, `?` or `[`)
names one resource. A name glob names something when its literal start or end holds two letters or digits
(`fn-*`, `*-policy`), or a literal run inside it holds three consecutive ones (`*-unnamed*`): `*n*`, `*on*`,
`n*` or `?*` do not. A URN glob names something when its name part does, or when its type part holds a
literal `<package>:<module>` token followed by `/` or `:` (`*aws:dynamodb/table:Table`; not `aws*`).
`*`, `urn:pulumi:prod::*` or `urn:pulumi:*::proj::*` name nothing: such an entry would waive the policy on
every present and future resource of the stack, prod included. It is accepted only for a policy's
stack-wide findings (the ones that name no resource: a missing budget or trail); it is refused with exit 2
for a checkov id (checkov findings always name a resource) and when it would waive a finding on a resource.
A glob that starts `urn:` but not `urn:pulumi:` is refused with exit 2, and so is a glob (with a wildcard)
that matches every resource of the graph it is applied to, when the graph has two or more
(`refuse_catch_alls`): naming the resources cannot mean naming all of them.
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
#: How far ahead an exception may expire (P188: exceptions are reviewed, not granted forever). A `9999-12-31`
#: expiry is no expiry at all; an entry beyond the horizon is refused with exit 2, naming the file and entry.
MAX_EXPIRY_DAYS = 366
FIELDS = ("id", "resource", "reason", "expires")
#: Bracket expressions (`[a-z]`, `[!x]`) and wildcards match many characters: they name nothing.
_GLOB_CLASS = re.compile(r"\[!?\]?[^\]]*\]")
_NAMING = re.compile(r"[A-Za-z0-9]")
#: `urn:pulumi:<stack>::<project>::<type>::<name>`: the type and name follow the second `::`.
_URN_PREFIX = "urn:"
_URN_SEPARATOR = "::"
#: A glob matching every resource is refused only when the graph has this many or more (one is its own name).
_CATCH_ALL_MIN_RESOURCES = 2
_URN_THREE_PARTS = 3
_PULUMI_URN = "urn:pulumi:"
_METACHARACTERS = "*?["
_WILDCARDS = re.compile(r"[*?]+")
#: Letters or digits a name glob's literal start or end needs, and a run anywhere inside it.
_ANCHORED_ALNUM = 2
_FLOATING_RUN = re.compile(r"[A-Za-z0-9]{3}")
#: A literal `<package>:<module>` followed by `/` or `:` in a URN glob's type part (`aws:s3/`, `aws:s3:`).
_TYPE_TOKEN = re.compile(r"[A-Za-z0-9_-]+:[A-Za-z0-9_.-]+[/:]")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_CHECKOV_ID = re.compile(r"^CKV2?_[A-Z0-9]+(_[A-Z0-9]+)*$")
#: Principles an invalid exception undermines: audit trail and governance of exceptions.
SUPPRESSION_PRINCIPLES = ("P147", "P188")
INVALID_POLICY = "suppression-invalid"
_UNSCOPED = (
    "the resource glob names no resource, so it would waive every finding of that id on every resource: "
    "name the resources (a logical name, or a URN glob with their type or name)"
)
EXPIRED_POLICY = "suppression-expired"


class _Loader(yaml.SafeLoader):
    """SafeLoader without the implicit timestamp tag: `expires` stays the string it was written as.

    PyYAML would otherwise build a date while parsing and raise ValueError for an impossible one
    (`2027-02-30`), before this module could report the entry.
    """


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass(frozen=True)
class Suppression:
    id: str
    resource: str
    reason: str
    expires: dt.date
    index: int
    file: str = "suppressions.yaml"

    def label(self) -> str:
        return f"suppressions.yaml entry {self.index + 1} ({self.id} on {self.resource})"

    @property
    def scoped(self) -> bool:
        return names_a_resource(self.resource)

    def matches(self, finding: Finding) -> bool:
        if finding.policy != self.id:
            return False
        return self.covers(finding.resource, finding.urn)

    def covers(self, name: str, urn: str) -> bool:
        """Whether the glob matches a resource: its logical name, or (a URN glob) its URN part by part."""
        # Exact names first: a name with glob metacharacters (`fn[0]`) must match itself.
        if self.resource == name or (bool(urn) and self.resource == urn):
            return True
        if self.resource.startswith(_URN_PREFIX):
            return bool(urn) and _urn_matches(urn, self.resource)
        return fnmatchcase(name, self.resource)


def _urn_glob_parts(glob: str) -> tuple[str, str, str, str]:
    """(stack, project, type, name) globs of `urn:pulumi:<stack>::<project>[::<type>]::<name>`; a part left
    out is `*` (it matches anything of that part)."""
    parts = glob.removeprefix(_PULUMI_URN).split(_URN_SEPARATOR, 3)
    if len(parts) == _URN_THREE_PARTS:
        return parts[0], parts[1], "*", parts[2]
    parts += ["*"] * (4 - len(parts))
    return parts[0], parts[1], parts[2], parts[3]


def _urn_matches(urn: str, glob: str) -> bool:
    if not urn.startswith(_PULUMI_URN) or not glob.startswith(_PULUMI_URN):
        return False
    parts = urn.removeprefix(_PULUMI_URN).split(_URN_SEPARATOR, 3)
    if len(parts) != 4:
        return False
    return all(fnmatchcase(part, pattern) for part, pattern in zip(parts, _urn_glob_parts(glob), strict=True))


def _names_a_name(glob: str) -> bool:
    """An exact name, or a glob whose literal start or end holds two letters or digits, or a literal run inside
    it three consecutive ones (see the module docstring)."""
    if not glob:
        return False
    if not any(c in glob for c in _METACHARACTERS):
        return True
    runs = _WILDCARDS.split(_GLOB_CLASS.sub("?", glob))
    anchored = [runs[0], runs[-1]]
    return any(len(_NAMING.findall(run)) >= _ANCHORED_ALNUM for run in anchored) or any(
        _FLOATING_RUN.search(run) for run in runs
    )


def names_a_resource(glob: str) -> bool:
    """Whether a resource glob names something: a logical name, or the type or name part of a URN (a stack or
    project alone covers every resource of it; see the module docstring)."""
    if glob.startswith(_URN_PREFIX):
        if not glob.startswith(_PULUMI_URN):
            return False
        # `urn:pulumi:prod::*`: a stack and project alone leave type and name `*`, which name nothing
        _, _, type_glob, name_glob = _urn_glob_parts(glob)
        literal = " ".join(_WILDCARDS.split(_GLOB_CLASS.sub("?", type_glob)))
        return bool(_TYPE_TOKEN.search(literal)) or _names_a_name(name_glob)
    return _names_a_name(glob)


def refuse_catch_alls(suppressions: Sequence[Suppression], resources: Sequence[tuple[str, str]]) -> None:
    """Raise ConfigError (exit 2) for an entry with a wildcard that matches every one of `resources`
    ((logical name, URN) of the graph's managed resources) when there are two or more (review finding R1)."""
    if len(resources) < _CATCH_ALL_MIN_RESOURCES:
        return
    for suppression in suppressions:
        if not suppression.scoped or not any(c in suppression.resource for c in _METACHARACTERS):
            continue  # an exact name names one resource; an unscoped `*` is kept to stack-wide findings
        if all(suppression.covers(name, urn) for name, urn in resources):
            raise ConfigError(
                f"{suppression.file}: {suppression.label()}: the resource glob matches all {len(resources)} "
                "resources of the stack: name the resources it waives"
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
    """`YYYY-MM-DD` exactly (no ISO week dates, no `20270531`); None for anything else."""
    if not isinstance(value, str) or not _ISO_DATE.match(value):
        return None
    try:
        return dt.datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        return None


def load_suppressions(
    path: str | Path,
    known_ids: Iterable[str],
    *,
    today: dt.date | None = None,
    max_expiry_days: int = MAX_EXPIRY_DAYS,
) -> tuple[list[Suppression], list[Finding]]:
    """Valid, current entries, and a mandatory finding for each entry that is not.

    Raises ConfigError (one line) when the file is not YAML or not a list, or when an entry expires more
    than `max_expiry_days` after `today` (an exception without a real review date).
    """
    file = Path(path)
    if not file.is_file():
        return [], []
    try:
        data = yaml.load(file.read_text(encoding="utf-8"), Loader=_Loader)  # noqa: S506 (a SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError(f"{file}: {where}malformed YAML: {problem}") from None
    except OSError as exc:
        raise ConfigError(f"{file}: cannot read: {exc.strerror}") from None
    except (ValueError, TypeError) as exc:  # a value PyYAML cannot construct
        # `!r` on the whole conditional would quote every message; only a value error without text is shown as repr
        text = str(exc).splitlines()[0] if str(exc) else repr(exc)
        raise ConfigError(f"{file}: malformed YAML: {text}") from None
    today = today or dt.datetime.now(dt.UTC).date()
    known = set(known_ids)
    valid: list[Suppression] = []
    problems: list[Finding] = []
    for index, raw in enumerate(_entries(data, file)):
        checked = _check(raw, index, file, known, today)
        if isinstance(checked, Suppression) and (checked.expires - today).days > max_expiry_days:
            raise ConfigError(
                f"{file}: {checked.label()}: expires {checked.expires.isoformat()}, more than {max_expiry_days} "
                "days ahead: set a review date within that horizon"
            )
        if (
            isinstance(checked, Suppression)
            and checked.resource.startswith(_URN_PREFIX)
            and not checked.resource.startswith(_PULUMI_URN)
        ):
            raise ConfigError(f"{file}: {checked.label()}: a URN glob starts with {_PULUMI_URN}<stack>::<project>::")
        if isinstance(checked, Suppression) and not checked.scoped and _CHECKOV_ID.match(checked.id):
            raise ConfigError(f"{file}: {checked.label()}: {_UNSCOPED}")
        if isinstance(checked, Suppression):
            valid.append(checked)
        else:
            problems.append(checked)
    return valid, problems


def _check(raw: Any, index: int, file: Path, known: set[str], today: dt.date) -> Suppression | Finding:
    """One entry as a valid Suppression, or the mandatory finding that says what is wrong with it."""
    if not isinstance(raw, dict):
        return _problem(INVALID_POLICY, f"entry {index + 1}", "not a mapping", file)
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
        return _problem(INVALID_POLICY, entry, what, file)
    problem = _content_problem(raw, known, today)
    expires = _date(raw["expires"])
    if problem is not None or expires is None:
        policy, message = problem or (INVALID_POLICY, "expires is not YYYY-MM-DD")
        return _problem(policy, entry, message, file)
    return Suppression(str(raw["id"]), str(raw["resource"]), raw["reason"].strip(), expires, index, str(file))


def _content_problem(raw: dict[Any, Any], known: set[str], today: dt.date) -> tuple[str, str] | None:
    """(policy, message) for the first thing wrong with a complete entry, or None when it is valid."""
    rule_id = str(raw["id"])
    reason = raw["reason"].strip() if isinstance(raw["reason"], str) else ""
    expires = _date(raw["expires"])
    if rule_id not in known and not _CHECKOV_ID.match(rule_id):
        return INVALID_POLICY, f"{rule_id} is neither a policy nor a checkov id"
    if not isinstance(raw["reason"], str):
        return INVALID_POLICY, "reason is not a text"
    if len(reason) < MIN_REASON_CHARS:
        return INVALID_POLICY, f"reason shorter than {MIN_REASON_CHARS} characters"
    if expires is None:
        return INVALID_POLICY, f"expires {raw['expires']!r} is not YYYY-MM-DD"
    if expires < today:
        return EXPIRED_POLICY, f"expired on {expires.isoformat()}"
    return None


def apply_suppressions(
    findings: Sequence[Finding], suppressions: Sequence[Suppression]
) -> tuple[list[Finding], list[SuppressedFinding]]:
    """Split findings into those still standing and those a suppression waives (first match wins).

    Raises ConfigError (exit 2) when an entry naming no resource (`*`) would waive a finding on a resource.
    """
    kept: list[Finding] = []
    waived: list[SuppressedFinding] = []
    for finding in findings:
        match = next((s for s in suppressions if s.matches(finding)), None)
        if match is not None and not match.scoped and finding.resource:
            raise ConfigError(f"{match.file}: {match.label()}: {_UNSCOPED} (it matches {finding.resource})")
        if match is None:
            kept.append(finding)
        else:
            waived.append(SuppressedFinding(finding, match.reason, match.expires.isoformat()))
    return kept, waived


def _scoped_elsewhere(suppression: Suppression, stack: str | None) -> bool:
    """Whether the entry's URN glob names another stack (`urn:pulumi:dev::*` while checking prod)."""
    if stack is None or not suppression.resource.startswith("urn:pulumi:"):
        return False
    stack_part = suppression.resource.removeprefix("urn:pulumi:").split("::", 1)[0]
    return not fnmatchcase(stack, stack_part)


def unused_suppressions(
    findings: Sequence[Finding], suppressions: Sequence[Suppression], stack: str | None = None
) -> list[Suppression]:
    """Valid, current entries that match no finding: stale or mistyped, shown as notes in the report.

    Entries whose URN glob is scoped to another stack are not this stack's to report.
    """
    return [s for s in suppressions if not _scoped_elsewhere(s, stack) and not any(s.matches(f) for f in findings)]


def unused_note(suppression: Suppression) -> str:
    return (
        f"{suppression.label()} matched no finding (expires {suppression.expires.isoformat()}): "
        "remove it, or fix its id or resource"
    )
