"""A program's own checkov checks (`policies/checkov/`): its data checks are added to the pack's, its Python refused.

Why (review finding gate #10): checkov imports every `.py` file of an `--external-checks-dir` into its own
process (checkov 3.3.30 checkov/common/checks/base_check_registry.py, `BaseCheckRegistry.load_external_checks`
-> `_load_external_checks_from_disk` -> `_exec_check_from_disk`: `spec.loader.exec_module`), and first puts
every folder of it on `sys.path` (`_walk_external_check_files`, even a folder without `__init__.py`). The
registries are module globals (`checkov.terraform.checks.resource.registry.resource_registry`), so a program's
Python "check" can unregister or monkeypatch the pack's CKV_AGP checks and checkov's own, rewrite results or
report everything passed: the program under review would pass its own gate. The gate therefore:

- adds the program's data checks (`.yaml`, `.yml`, `.json`: checkov parses them, `CHECKS_POSSIBLE_ENDING` in
  checkov/common/checks_infra/registry.py) from a copy in its private scratch folder holding nothing else, so
  no file of the program is importable in checkov's process;
- refuses a data check under an id checkov already has (`checkov_loader.checkov_ids`, derived from the installed
  checkov's registries: CKV_AWS_20, CKV2_AWS_6, ...), in the pack's namespace (`CKV_AGP_*`), or of an earlier
  file of the program (in path order; the first runs): checkov keeps the first graph check of an id
  (`Registry._load_checks_from_dir`: `if not any(... check.id == c.id ...)`, an exact comparison), and loads
  external checks before its own (`BaseRunner.run_graph_checks_results` calls `load_checks()` after `Runner.run`
  loaded them), so a program's YAML check under checkov's id replaces checkov's graph check, or reports beside
  its resource check under the same id. Any other id runs, checkov's documented `CKV2_CUSTOM_1` and a company's
  `CKV2_ORG_1` included (review 6 F8);
- refuses, with the reason, every data check checkov would drop with only a log line, mirroring its loader
  (review 6 F9; checkov 3.3.30 checkov/common/checks_infra/registry.py `Registry._load_checks_from_dir`,
  checks_parser.py `GraphCheckParser.validate_check_config`, `parse_raw_check`, `_parse_raw_check`,
  `get_check_solver`): a file it cannot parse or whose data is not a mapping; no `metadata.id`, `metadata.name`,
  `metadata.category` or `definition`; a `scope` that is not a mapping or a `provider` that is not one text
  (`_get_resource_types` calls `.lower()` on it); a `definition` node that is not a mapping, a `cond_type` or
  `operator` checkov has no solver for (`checkov_loader.json` lists them), `not` over a connection, and (stricter
  than checkov, which may load them and match nothing) types that are not type names; and a check
  whose types, or whose `scope.provider` for `all`/`taggable`, hold no AWS type, so it never reports on what the
  gate scans. A lower-case ending only is read (`.YAML` never is). `metadata.frameworks` is read only by the
  platform integration (custom_policies_integration.py), so it excludes nothing locally;
- after the scan, refuses as not run each given check checkov's warm worker says it did not load, or that
  reported on no resource although resources of its types were scanned (its solver raised as it ran, which
  checkov only logs): `ProgramChecks.not_run`, from `external_graph_checks` in preflight/checkov_worker.py;
- refuses every Python file (an empty `__init__.py` excepted), each refusal a finding naming the file
  (`REFUSED_POLICY`), at checkov's level: mandatory in production (P188, as `gate.refused_check_findings` cites).

Why refuse rather than run the Python checks in a second checkov process whose results only add findings: a
second process is a second checkov start-up and scan (about as long as checkov alone, against issue 11 §5's
"at most 1.1x checkov alone"), and its report would still need its findings told apart from checkov's own ids
the program's code can claim. Data checks cover the same ground (attribute and connection checks), and a
program can still run its Python checks on the plan the gate exports (`export-tfplan`, then checkov by hand).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from preflight import checkov_loader

#: The program's own checks folder, relative to the program.
EXTERNAL_CHECKS_DIR = Path("policies") / "checkov"
#: What checkov's graph registry reads as a check (checkov/common/checks_infra/registry.py CHECKS_POSSIBLE_ENDING).
DATA_SUFFIXES = frozenset({".yaml", ".yml", ".json"})
#: The staged copy's folder in the scratch directory.
STAGED_DIR = "program-checks"
#: The finding's id, for reports and for `policies/suppressions.yaml`.
REFUSED_POLICY = "checkov-custom-check-refused"
#: The pack's own ids (CKV_AGP_6): reserved whole, so a later pack check cannot meet a program's under its id.
_PACK_NAMESPACE = re.compile(r"^CKV_AGP_")
_CASE = (
    "checkov reads only lower-case .yaml, .yml and .json endings (CHECKS_POSSIBLE_ENDING, registry.py "
    "_load_checks_from_dir), so it would never load this file; rename it"
)
_PYTHON = (
    "a Python check: checkov would import it into the process that runs the pack's and checkov's own checks, where "
    "it could change their verdicts; write it as a YAML check (checkov's custom policies) or run it on "
    "`export-tfplan`'s plan yourself"
)


@dataclass(frozen=True)
class RefusedCheck:
    """A file of the program's checks folder the gate did not give checkov, and why."""

    file: str  # relative to the program, e.g. policies/checkov/evil.py
    reason: str


@dataclass
class ProgramChecks:
    """What a program's `policies/checkov/` holds, as the gate judged it."""

    folder: Path | None
    accepted: list[Path] = field(default_factory=list)  # relative to `folder`
    refused: list[RefusedCheck] = field(default_factory=list)
    ids: dict[Path, str] = field(default_factory=dict)  # an accepted check's id
    types: dict[Path, frozenset[str]] = field(default_factory=dict)  # the types it reports on; empty: any

    def not_run(
        self, ran: Mapping[str, Any] | None, scanned_types: set[str], runs: Callable[[str], bool]
    ) -> list[RefusedCheck]:
        """The accepted checks checkov did not run, from what its worker says it loaded and reported
        (`external_graph_checks` in preflight/checkov_worker.py; None, from a plain checkov command: nothing is
        decided). Not loaded: checkov dropped it although the gate's judgement of its loader let it through.
        Loaded, not skipped by the config, resources of its types scanned, yet no result at all: its solver
        raised as it ran (checkov only logs a warning: a `cidr_range_subset` whose `value` is no CIDR range);
        every solver that runs reports on each resource of its types, passed or failed."""
        if ran is None:
            return []
        loaded, reported = set(ran.get("loaded") or []), set(ran.get("reported") or [])
        out: list[RefusedCheck] = []
        for relative in self.accepted:
            check_id, types = self.ids[relative], self.types[relative]
            file = str(EXTERNAL_CHECKS_DIR / relative)
            if check_id not in loaded:
                out.append(RefusedCheck(file, f"checkov did not load {check_id} (its log says why)"))
            elif check_id not in reported and runs(check_id) and (scanned_types & types if types else scanned_types):
                of = ", ".join(sorted(scanned_types & types)) if types else "any type"
                out.append(
                    RefusedCheck(
                        file,
                        f"checkov loaded {check_id} but reported it on no resource although it scanned resources of "
                        f"its types ({of}): it failed as it ran (checkov's log warns why)",
                    )
                )
        return out

    def stage(self, scratch: Path) -> list[Path]:
        """Copy the accepted data checks into `scratch/program-checks` (nothing else); the folder, or none."""
        if self.folder is None or not self.accepted:
            return []
        staged = scratch / STAGED_DIR
        for relative in self.accepted:
            target = staged / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes((self.folder / relative).read_bytes())
        return [staged]


def _load(path: Path) -> tuple[dict[str, Any], str]:
    """(the check as checkov's loader reads it, why it cannot; one of them empty).

    `Registry._load_checks_from_dir` json.load()s a `.json` file, yaml.safe_load()s the others and passes the
    result through `json.loads(json.dumps(...))` (a YAML date or set raises there); anything but a mapping is
    "not Dict. Skipping."."""
    try:
        text = path.read_text(encoding="utf-8")
        data: Any = json.loads(text) if path.suffix == ".json" else json.loads(json.dumps(yaml.safe_load(text)))
    except (OSError, UnicodeDecodeError, ValueError, yaml.YAMLError):
        return {}, "cannot be read as a checkov data check (malformed YAML or JSON)"
    except TypeError:
        return {}, "holds a value JSON cannot carry (a YAML date, set or binary): checkov's loader fails on it"
    if not isinstance(data, dict):
        return {}, "is not a mapping: checkov skips it (`Loaded data from JSON is not Dict`)"
    return data, ""


def _missing(data: dict[str, Any]) -> str:
    """What `GraphCheckParser.validate_check_config` (checkov/common/checks_infra/checks_parser.py) finds missing,
    and what `Registry._load_checks_from_dir` / `_get_resource_types` / `parse_raw_check` cannot read; empty when
    none. checkov logs a warning for each and skips the check."""
    metadata = data.get("metadata")
    if not isinstance(metadata, dict):
        return "no `metadata` mapping"
    missing = [f"metadata.{key}" for key in ("id", "name", "category") if key not in metadata]
    missing += [] if "definition" in data else ["definition"]
    if missing:
        return f"no {', '.join(missing)}"
    check_id = metadata["id"]
    if not isinstance(check_id, str) or not check_id.strip():
        return "a `metadata.id` that is not a text"  # the gate's: reports and suppressions name checks by a text
    if metadata.get("severity") and not isinstance(metadata["severity"], str):
        return "a `metadata.severity` that is not a text"  # get_severity: severity.upper()
    scope = data.get("scope", {})
    if not isinstance(scope, dict) or not isinstance(scope.get("provider", ""), str):
        return "a `scope` that is not a mapping with one `provider` text"  # _get_resource_types: .get(...).lower()
    return ""


class _UnparsableError(Exception):
    """A `definition` checkov's parser raises on (the message says where)."""


def _solver_kind(node: Any, facts: dict[str, Any], where: str = "definition") -> str:
    """The solver type checkov makes of one node of a check's `definition`; `_UnparsableError` where it raises.

    Mirrors `GraphCheckParser._parse_raw_check` and `get_check_solver`: a node with a truthy `and`, `or` or `not`
    (first of them, `get_complex_operator`) is complex over its sub-nodes (a mapping or a list of them); a leaf's
    `cond_type` names its solver type (`condition_type_to_solver_type`) and its `operator` must be one of that
    type's (`jsonpath_` before an attribute operator); a complex node over a connection is a complex connection,
    which takes only `and` and `or`. Anything else raises, and `_load_checks_from_dir` skips the check."""
    if not isinstance(node, dict):
        raise _UnparsableError(f"`{where}` is not a mapping")
    operators = facts["operators"]
    complex_operator = next((op for op in operators["complex"] if node.get(op)), None)
    if complex_operator is None:
        return _leaf_kind(node, facts, where)
    subs = node[complex_operator]
    subs = [subs] if isinstance(subs, dict) else subs
    if not isinstance(subs, list):
        raise _UnparsableError(f"`{where}.{complex_operator}` is not a list of conditions")
    kinds = {_solver_kind(sub, facts, f"{where}.{complex_operator}[{i}]") for i, sub in enumerate(subs)}
    if not kinds & {"connection", "complex_connection"}:
        return "complex"
    if complex_operator not in operators["complex_connection"]:
        raise _UnparsableError(f"`{where}` puts `{complex_operator}` over a connection: checkov has no such solver")
    return "complex_connection"


def _leaf_kind(node: dict[str, Any], facts: dict[str, Any], where: str) -> str:
    """The solver type of a leaf condition (`_solver_kind`)."""
    for key in ("resource_types", "connected_resource_types"):
        types = node.get(key) or []
        if not isinstance(types, str) and not (isinstance(types, list) and all(isinstance(t, str) for t in types)):
            # `resource_type[0].lower()`, and a complex parent's `set()` of its sub-checks' types; the gate asks
            # for type names where checkov may take another value and match nothing
            raise _UnparsableError(f"`{where}.{key}` is not a list of type names")
    cond_type = node.get("cond_type", "")
    kind: str | None = facts["cond_types"].get(cond_type) if isinstance(cond_type, str) else None
    if kind is None:
        known = ", ".join(repr(k) for k in sorted(facts["cond_types"]) if k)
        raise _UnparsableError(f"`{where}.cond_type` {cond_type!r} is not one of checkov's ({known})")
    operator = "any" if cond_type == "" else node.get("operator", "")
    if not isinstance(operator, str):  # get_solver_type_method: check.operator.startswith(...)
        raise _UnparsableError(f"`{where}.operator` is not a text")
    name = operator.removeprefix(facts["jsonpath_prefix"]) if kind == "attribute" else operator
    if name not in facts["operators"][kind]:
        raise _UnparsableError(f"`{where}.operator` {operator!r} is not one of checkov's {kind} operators")
    return kind


def _leaves(node: Any, operators: list[str]) -> list[dict[str, Any]]:
    """The leaf conditions of a parsed definition."""
    complex_operator = next((op for op in operators if node.get(op)), None)
    if complex_operator is None:
        return [node]
    subs = node[complex_operator]
    return [leaf for sub in ([subs] if isinstance(subs, dict) else subs) for leaf in _leaves(sub, operators)]


def _reaches_aws(leaf: dict[str, Any], provider: str, facts: dict[str, Any]) -> bool:
    """Whether a leaf can apply to a resource of the plan (`aws_*`) or the template (`AWS::*`), as
    `GraphCheckParser._parse_raw_check` expands its `resource_types`: none or `all` is every type of the
    check's `scope.provider` (every type without one), `taggable` the provider's taggable types."""
    types = leaf.get("resource_types") or []
    types = [types] if isinstance(types, str) else types
    first = str(types[0]).lower() if types else "all"
    if first == "all":
        return provider.lower() not in facts["providers_without_aws"]
    if first == "taggable":
        return f"{provider.lower()}_taggable" not in facts["providers_without_aws"]
    return any(str(t).startswith(("aws_", "AWS::")) for t in types)


def _unusable(data: dict[str, Any]) -> str:
    """Why checkov would skip a data check it read, or why it could never report on what the gate scans."""
    missing = _missing(data)
    if missing:
        return f"{missing}: checkov skips it with only a log line (checks_parser.py validate_check_config)"
    facts = checkov_loader.stored()
    try:
        _solver_kind(data["definition"], facts)
    except _UnparsableError as exc:
        return f"{exc}: checkov fails to parse it and skips it with only a log line (registry.py _load_checks_from_dir)"
    provider = data.get("scope", {}).get("provider", "")
    if not any(
        _reaches_aws(leaf, provider, facts) for leaf in _leaves(data["definition"], facts["operators"]["complex"])
    ):
        return (
            "it applies to no AWS type (its `resource_types`, or `scope.provider` "
            f"{provider!r}): the gate gives checkov only aws_* plan and AWS::* template resources"
        )
    return ""


def _collision(check_id: str, first: dict[str, str]) -> str:
    """Why a check's id cannot be the program's: checkov's, the pack's, or one an earlier file took."""
    key = check_id
    if _PACK_NAMESPACE.match(check_id):
        return f"its id {check_id} is in the pack's own namespace (CKV_AGP_*): give it another id"
    if key in checkov_loader.checkov_ids():
        return (
            f"its id {check_id} is the id of one of checkov's own checks: checkov keeps the first graph check of an "
            "id and loads a program's first, so it would replace checkov's check (or report beside it under its "
            "id); give it another id"
        )
    if key in first:
        return f"its id {check_id} is also the id of {first[key]}: checkov would keep only one of them"
    return ""


def _judge(path: Path, first: dict[str, str]) -> tuple[dict[str, Any], str]:
    """(the data check, why the file is refused); both empty for a file checkov does not read."""
    if path.suffix == ".py":
        empty_init = path.name == "__init__.py" and not path.read_text(encoding="utf-8", errors="replace").strip()
        return {}, "" if empty_init else _PYTHON
    if path.suffix not in DATA_SUFFIXES:
        return {}, _CASE if path.suffix.lower() in DATA_SUFFIXES else ""
    data, unreadable = _load(path)
    reason = unreadable or _unusable(data)
    if reason:
        return {}, reason
    return data, _collision(_check_id(data), first)


def _check_id(data: dict[str, Any]) -> str:
    """The id as checkov keeps it (`parse_raw_check`: unchanged)."""
    return str(data["metadata"]["id"])


def _reported_types(data: dict[str, Any]) -> frozenset[str]:
    """The resource types a loaded check reports on: its conditions' `resource_types` and
    `connected_resource_types` (a filter only narrows them); empty for any type (none given, `all`, `taggable`)."""
    types: set[str] = set()
    for leaf in _leaves(data["definition"], checkov_loader.stored()["operators"]["complex"]):
        if leaf.get("cond_type") == "filter":
            continue
        for key in ("resource_types", "connected_resource_types"):
            named = leaf.get(key) or []
            named = [named] if isinstance(named, str) else named
            if key == "resource_types" and not named:
                return frozenset()
            if named and str(named[0]).lower() in {"all", "taggable"}:
                return frozenset()
            types.update(str(t) for t in named)
    return frozenset(types)


def program_checks(program_dir: Path, pack_dir: Path) -> ProgramChecks:
    """The program's own checks folder judged file by file; none for a program whose folder is the pack's."""
    folder = (program_dir / EXTERNAL_CHECKS_DIR).resolve()
    if not folder.is_dir() or folder == pack_dir.resolve():
        return ProgramChecks(folder=None)
    checks = ProgramChecks(folder=folder)
    first: dict[str, str] = {}  # id -> the file that has it, in path order
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        relative = path.relative_to(folder)
        data, reason = _judge(path, first)
        if reason:
            checks.refused.append(RefusedCheck(str(EXTERNAL_CHECKS_DIR / relative), reason))
        elif path.suffix in DATA_SUFFIXES:
            checks.accepted.append(relative)
            checks.ids[relative] = _check_id(data)
            checks.types[relative] = _reported_types(data)
            first[_check_id(data)] = str(EXTERNAL_CHECKS_DIR / relative)
    return checks
