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
- refuses a data check whose id is in checkov's own namespace (`CKV_*`, `CKV2_*`, the pack's `CKV_AGP_*`
  included): checkov keeps the first graph check of an id (`Registry._load_checks_from_dir`: `if not
  any(... check.id == c.id ...)`), and loads external checks before its own (`BaseRunner.run_graph_checks_results`
  calls `load_checks()` after `Runner.run` loaded them), so a program's YAML check under checkov's id replaces
  checkov's check;
- refuses every Python file (an empty `__init__.py` excepted) and every unreadable data check, each a finding
  naming the file (`REFUSED_POLICY`), at checkov's level: mandatory in production.

Why refuse rather than run the Python checks in a second checkov process whose results only add findings: a
second process is a second checkov start-up and scan (about as long as checkov alone, against issue 11 §5's
"at most 1.1x checkov alone"), and its report would still need its findings told apart from checkov's own ids
the program's code can claim. Data checks cover the same ground (attribute and connection checks), and a
program can still run its Python checks on the plan the gate exports (`export-tfplan`, then checkov by hand).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

#: The program's own checks folder, relative to the program.
EXTERNAL_CHECKS_DIR = Path("policies") / "checkov"
#: What checkov's graph registry reads as a check (checkov/common/checks_infra/registry.py CHECKS_POSSIBLE_ENDING).
DATA_SUFFIXES = frozenset({".yaml", ".yml", ".json"})
#: The staged copy's folder in the scratch directory.
STAGED_DIR = "program-checks"
#: The finding's id, for reports and for `policies/suppressions.yaml`.
REFUSED_POLICY = "checkov-custom-check-refused"
#: Ids checkov and the pack use for their own checks (CKV_AWS_20, CKV2_AWS_6, CKV_AGP_6).
_CHECKOV_NAMESPACE = re.compile(r"^CKV2?_", re.IGNORECASE)
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


def _data_check_id(path: Path) -> tuple[str, str]:
    """(the check's `metadata.id`, why it cannot be read; one of them empty)."""
    try:
        text = path.read_text(encoding="utf-8")
        data: Any = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (OSError, UnicodeDecodeError, ValueError, yaml.YAMLError):
        return "", "cannot be read as a checkov data check (malformed YAML or JSON)"
    metadata = data.get("metadata") if isinstance(data, dict) else None
    check_id = metadata.get("id") if isinstance(metadata, dict) else None
    if not isinstance(check_id, str) or not check_id.strip():
        return "", "no `metadata.id`: checkov would skip it without a trace"
    return check_id.strip(), ""


def _judge(path: Path) -> str:
    """Why a file is refused; empty when it is a data check the gate adds, or inert."""
    if path.suffix == ".py":
        empty_init = path.name == "__init__.py" and not path.read_text(encoding="utf-8", errors="replace").strip()
        return "" if empty_init else _PYTHON
    if path.suffix not in DATA_SUFFIXES:
        return ""
    check_id, unreadable = _data_check_id(path)
    if unreadable:
        return unreadable
    if _CHECKOV_NAMESPACE.match(check_id):
        return (
            f"its id {check_id} is in checkov's own namespace (CKV_*, CKV2_*): checkov keeps the first check of an "
            "id and loads a program's before its own, so it would replace checkov's check; give it another id"
        )
    return ""


def program_checks(program_dir: Path, pack_dir: Path) -> ProgramChecks:
    """The program's own checks folder judged file by file; none for a program whose folder is the pack's."""
    folder = (program_dir / EXTERNAL_CHECKS_DIR).resolve()
    if not folder.is_dir() or folder == pack_dir.resolve():
        return ProgramChecks(folder=None)
    checks = ProgramChecks(folder=folder)
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        relative = path.relative_to(folder)
        reason = _judge(path)
        if reason:
            checks.refused.append(RefusedCheck(str(EXTERNAL_CHECKS_DIR / relative), reason))
        elif path.suffix in DATA_SUFFIXES:
            checks.accepted.append(relative)
    return checks
