"""`policies/traceability.yaml` maps every principle to what honours it, and every reference is real.

Checks, in both directions:
- every id of `../shared/principles.yaml` is mapped, no unknown ids, each with a note and evidence;
- NEVER principles are enforced by a policy or checkov check unless marked `deploy_time_checkable: false`;
- GUIDE principles point to guidance;
- every policy exists in `policies.registry.all_policies()` and lists the id (or the entry says why);
- every policy's own principle ids are mapped back to that policy (the two never drift);
- every checkov id is one of our checks in `policies/checkov/` or an allow-listed built-in whose name
  matches the installed checkov's;
- every component imports, every workflow/runtime/test/guidance file exists, anchors and names resolve.
"""

from __future__ import annotations

import ast
import importlib
import re
import unicodedata
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.preflight.checkov_required import require_checkov
from tests.shared_files import shared_path

REPO_ROOT = Path(__file__).resolve().parents[1]
PRINCIPLES_FILE = shared_path("principles.yaml")
TRACEABILITY_FILE = REPO_ROOT / "policies" / "traceability.yaml"
CHECKOV_CHECKS_DIR = REPO_ROOT / "policies" / "checkov"
DOCS = (REPO_ROOT / "docs" / "architecture.md", *sorted((REPO_ROOT / "docs" / "principles").glob("*.md")))

KINDS = ("policy", "checkov", "component", "workflow", "runtime", "test", "guidance")
ENFORCING_KINDS = ("policy", "checkov")
ID_PATTERN = re.compile(r"^P\d{3}$")
CUSTOM_CHECK_ID = re.compile(r"""["'](CKV_AGP_\d+)["']""")
BUILTIN_CHECK_ID = re.compile(r"^CKV2?_AWS_\d+$")
MIN_NOTE_CHARS = 20


def _require_principles() -> None:
    assert PRINCIPLES_FILE.is_file(), f"{PRINCIPLES_FILE} is missing (tests/shared_files.py)"


@cache
def principles() -> dict[str, dict[str, str]]:
    data = yaml.safe_load(PRINCIPLES_FILE.read_text(encoding="utf-8"))
    return {p["id"]: p for p in data["principles"]}


@cache
def traceability() -> dict[str, Any]:
    data = yaml.safe_load(TRACEABILITY_FILE.read_text(encoding="utf-8"))
    assert isinstance(data, dict), "traceability.yaml must be a mapping"
    return data


def mapping() -> dict[str, dict[str, Any]]:
    return traceability()["principles"]


def references(kind: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """(principle id, entry) for every `by` entry of the given kind."""
    for pid, item in mapping().items():
        for entry in item.get("by") or []:
            if kind in entry:
                yield pid, entry


@cache
def registry() -> dict[str, Any]:
    from policies.registry import all_policies  # noqa: PLC0415 (imported only when the test runs)

    return {spec.name: spec for spec in all_policies()}


@cache
def custom_check_ids() -> frozenset[str]:
    found: set[str] = set()
    for path in CHECKOV_CHECKS_DIR.rglob("*.py"):
        found.update(CUSTOM_CHECK_ID.findall(path.read_text(encoding="utf-8")))
    return frozenset(found)


@cache
def custom_check_principles() -> dict[str, frozenset[str]]:
    """Custom check id -> the principle ids its module docstring names in its `Principles:` paragraph."""
    found: dict[str, frozenset[str]] = {}
    for path in CHECKOV_CHECKS_DIR.rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        docstring = ast.get_docstring(ast.parse(source)) or ""
        paragraph = next((p for p in docstring.split("\n\n") if p.lstrip().startswith("Principles:")), "")
        for check in set(CUSTOM_CHECK_ID.findall(source)):
            found[check] = frozenset(re.findall(r"\bP\d{3}\b", paragraph))
    return found


@cache
def installed_checkov() -> Path | None:
    """The checkov package of the project's checkov environment (`make install` builds it), if installed."""
    for package in sorted((REPO_ROOT / ".venv-checkov").glob("lib/python*/site-packages/checkov")):
        if (package / "terraform" / "checks").is_dir():
            return package
    return None


def github_slug(heading: str) -> str:
    """The anchor GitHub generates for a markdown heading (lower case, punctuation dropped, spaces to -)."""
    text = unicodedata.normalize("NFKC", heading).strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


@cache
def anchors(path: Path) -> frozenset[str]:
    text = path.read_text(encoding="utf-8")
    found = set(re.findall(r"""<a\s+(?:id|name)=["']([^"']+)["']""", text))
    seen: dict[str, int] = {}
    in_fence = False
    for line in text.splitlines():
        if line.lstrip().startswith("```"):
            in_fence = not in_fence
            continue
        match = re.match(r"^#{1,6}\s+(.+?)\s*#*\s*$", line)
        if match and not in_fence:
            slug = github_slug(match.group(1))
            count = seen.get(slug, 0)
            seen[slug] = count + 1
            found.add(slug if count == 0 else f"{slug}-{count}")
    return frozenset(found)


def defines(path: Path, qualified_name: str) -> bool:
    """Whether a Python file defines `name` or `Class::name` at the top level (functions, classes, assignments)."""
    body: list[ast.stmt] = ast.parse(path.read_text(encoding="utf-8")).body
    for part in qualified_name.split("::"):
        names: dict[str, ast.stmt] = {}
        for node in body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                names[node.name] = node
            elif isinstance(node, ast.Assign | ast.AnnAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                names.update({t.id: node for t in targets if isinstance(t, ast.Name)})
        if part not in names:
            return False
        found = names[part]
        body = found.body if isinstance(found, ast.ClassDef) else []
    return True


@pytest.fixture(autouse=True)
def _principles_present() -> None:
    _require_principles()


# --- the mapping itself ---------------------------------------------------------------------------


def test_every_principle_is_mapped_and_no_unknown_ids() -> None:
    mapped = set(mapping())
    assert all(ID_PATTERN.match(pid) for pid in mapped), sorted(p for p in mapped if not ID_PATTERN.match(p))
    assert sorted(set(principles()) - mapped) == [], "principles without a mapping"
    assert sorted(mapped - set(principles())) == [], "mapped ids that are not principles"


def test_entries_have_a_note_and_well_formed_evidence() -> None:
    problems = []
    for pid, item in mapping().items():
        if set(item) - {"note", "by", "deploy_time_checkable"}:
            problems.append(f"{pid}: unknown keys {sorted(set(item) - {'note', 'by', 'deploy_time_checkable'})}")
        if len(str(item.get("note") or "")) < MIN_NOTE_CHARS:
            problems.append(f"{pid}: note missing or shorter than {MIN_NOTE_CHARS} characters")
        entries = item.get("by") or []
        if not entries:
            problems.append(f"{pid}: no evidence (`by` is empty)")
        for entry in entries:
            kinds = [k for k in entry if k in KINDS]
            extra = set(entry) - set(KINDS) - {"why"}
            if len(kinds) != 1 or extra:
                problems.append(f"{pid}: entry {entry} must have exactly one of {KINDS} (and optionally `why`)")
            elif not isinstance(entry[kinds[0]], str) or not entry[kinds[0]]:
                problems.append(f"{pid}: entry {entry} has an empty reference")
    assert problems == []


def test_never_principles_are_enforced_or_explained() -> None:
    problems = []
    for pid, principle in principles().items():
        item = mapping().get(pid, {})
        kinds = {k for entry in item.get("by") or [] for k in entry}
        checkable = item.get("deploy_time_checkable", True)
        if principle["level"] == "NEVER":
            if checkable and not kinds & set(ENFORCING_KINDS):
                problems.append(f"{pid}: NEVER principle without a policy or checkov check")
            if not checkable and "guidance" not in kinds:
                problems.append(f"{pid}: not deploy-time checkable, so it needs guidance")
        elif "deploy_time_checkable" in item:
            problems.append(f"{pid}: deploy_time_checkable is only for NEVER principles")
    assert problems == []


def test_guide_principles_map_to_guidance() -> None:
    missing = [
        pid
        for pid, p in principles().items()
        if p["level"] == "GUIDE" and not any("guidance" in e for e in mapping()[pid].get("by") or [])
    ]
    assert missing == []


# --- policies, both directions ---------------------------------------------------------------------


def test_every_named_policy_exists_and_lists_the_principle() -> None:
    policies = registry()
    problems = []
    for pid, entry in references("policy"):
        spec = policies.get(entry["policy"])
        if spec is None:
            problems.append(f"{pid}: policy {entry['policy']!r} is not in policies.registry.all_policies()")
        elif pid not in spec.principles and len(str(entry.get("why") or "")) < MIN_NOTE_CHARS:
            problems.append(f"{pid}: policy {spec.name!r} does not list {pid}; add `why:` to say how it honours it")
    assert problems == []


def test_every_policy_principle_is_mapped_back_to_the_policy() -> None:
    mapped = {(pid, entry["policy"]) for pid, entry in references("policy")}
    missing = [
        f"{pid} -> {spec.name}"
        for spec in registry().values()
        for pid in spec.principles
        if (pid, spec.name) not in mapped
    ]
    unknown = [
        f"{spec.name}: {pid}" for spec in registry().values() for pid in spec.principles if pid not in principles()
    ]
    assert unknown == [], "policies citing ids that are not principles"
    assert missing == [], "policy principle ids missing from traceability.yaml"


# --- checkov -----------------------------------------------------------------------------------------


def test_checkov_ids_are_ours_or_allow_listed_builtins() -> None:
    builtins = traceability().get("checkov_builtin") or {}
    problems = []
    for pid, entry in references("checkov"):
        check = entry["checkov"]
        if check.startswith("CKV_AGP_"):
            if check not in custom_check_ids():
                problems.append(f"{pid}: {check} is not defined in policies/checkov/")
        elif check not in builtins:
            problems.append(f"{pid}: {check} is neither a custom check nor in checkov_builtin")
    assert problems == []


def test_builtin_allow_list_is_used_and_well_formed() -> None:
    builtins = traceability().get("checkov_builtin") or {}
    used = {entry["checkov"] for _, entry in references("checkov")}
    assert all(BUILTIN_CHECK_ID.match(c) for c in builtins), "built-in ids look like CKV_AWS_n or CKV2_AWS_n"
    assert sorted(set(builtins) - used) == [], "allow-listed built-ins nobody references"
    assert all(isinstance(v, str) and v for v in builtins.values()), "every built-in needs its meaning"


def test_builtin_checks_exist_in_the_installed_checkov() -> None:
    package = installed_checkov()
    require_checkov(None if package is not None else "no checkov package in .venv-checkov")  # fails under CI
    checks = package / "terraform" / "checks"
    sources = {p: p.read_text(encoding="utf-8") for p in checks.rglob("*") if p.suffix in (".py", ".json", ".yaml")}
    problems = []
    for check, meaning in (traceability().get("checkov_builtin") or {}).items():
        pattern = re.compile(rf"""["']{re.escape(check)}["']|id:\s*{re.escape(check)}\s*$""", re.MULTILINE)
        defining = [text for text in sources.values() if pattern.search(text)]
        if not defining:
            problems.append(f"{check}: not found in {checks}")
        elif not any(meaning in text for text in defining):
            problems.append(f"{check}: its checkov name is not {meaning!r}")
    assert problems == []


def test_every_custom_check_principle_is_mapped_back_to_the_check() -> None:
    mapped = {(pid, entry["checkov"]) for pid, entry in references("checkov")}
    missing = [
        f"{pid} -> {check}"
        for check, pids in sorted(custom_check_principles().items())
        for pid in sorted(pids)
        if (pid, check) not in mapped
    ]
    assert missing == [], "principles named in a custom check's `Principles:` docstring but not mapped to it"


def test_builtin_checks_are_not_skipped() -> None:
    config_file = REPO_ROOT / ".checkov.yaml"
    if not config_file.is_file():
        pytest.skip(".checkov.yaml is absent")
    config = yaml.safe_load(config_file.read_text(encoding="utf-8")) or {}
    skipped = config.get("skip-check") or []
    skipped = {skipped} if isinstance(skipped, str) else set(skipped)
    owners = yaml.safe_load((REPO_ROOT / "policies" / "checkov_principles.yaml").read_text(encoding="utf-8"))
    skipped |= set(owners.get("owned_by_policies") or {})  # a policy owns their rule; the gate never runs them
    used = {entry["checkov"] for _, entry in references("checkov")}
    assert sorted(used & skipped) == [], "a check the gate skips is no evidence"


def test_every_custom_checkov_check_is_mapped() -> None:
    used = {entry["checkov"] for _, entry in references("checkov")}
    assert sorted(custom_check_ids() - used) == [], "custom checks missing from traceability.yaml"


# --- components, files, anchors, tests ----------------------------------------------------------------


def test_components_import() -> None:
    problems = []
    for pid, entry in references("component"):
        module_name, _, attribute = entry["component"].rpartition(".")
        try:
            module = importlib.import_module(f"components.{module_name}")
        except ImportError as error:
            problems.append(f"{pid}: components.{module_name} does not import ({error})")
            continue
        if not hasattr(module, attribute):
            problems.append(f"{pid}: components.{module_name} has no {attribute}")
    assert problems == []


def test_workflow_files_exist() -> None:
    missing = [
        f"{pid}: {entry['workflow']}"
        for pid, entry in references("workflow")
        if not entry["workflow"].startswith(".github/workflows/") or not (REPO_ROOT / entry["workflow"]).is_file()
    ]
    assert missing == []


def test_guidance_files_and_anchors_exist() -> None:
    problems = []
    for pid, entry in references("guidance"):
        file_name, _, anchor = entry["guidance"].partition("#")
        path = REPO_ROOT / file_name
        if not file_name.startswith("docs/") or not path.is_file():
            problems.append(f"{pid}: {file_name} does not exist")
        elif not anchor:
            problems.append(f"{pid}: {entry['guidance']} has no #anchor")
        elif anchor not in anchors(path):
            problems.append(f"{pid}: no anchor #{anchor} in {file_name}")
    assert problems == []


def test_policy_names_quoted_in_the_guidance_exist() -> None:
    from components.settings import DEFAULT_REQUIRED_TAG_KEYS  # noqa: PLC0415

    names = set(registry())
    areas = {name.split("-")[0] for name in names}
    problems = []
    for path in DOCS:
        for token in re.findall(r"`([a-z0-9]+(?:-[a-z0-9]+)+)`", path.read_text(encoding="utf-8")):
            if token.split("-")[0] in areas and token not in names and token not in DEFAULT_REQUIRED_TAG_KEYS:
                problems.append(f"{path.relative_to(REPO_ROOT)}: `{token}` is not a policy")
    assert problems == []


def test_relative_links_in_the_guidance_resolve() -> None:
    problems = []
    for path in DOCS:
        for target in re.findall(r"\]\(([^)\s]+)\)", path.read_text(encoding="utf-8")):
            if re.match(r"^[a-z]+:", target):
                continue  # external link
            file_part, _, anchor = target.partition("#")
            linked = (path.parent / file_part).resolve() if file_part else path
            if not linked.exists():
                problems.append(f"{path.relative_to(REPO_ROOT)}: {target} does not exist")
            elif anchor and linked.suffix == ".md" and anchor not in anchors(linked):
                problems.append(f"{path.relative_to(REPO_ROOT)}: no #{anchor} in {file_part or path.name}")
    assert problems == []


@pytest.mark.parametrize("kind", ["test", "runtime"])
def test_code_references_exist(kind: str) -> None:
    problems = []
    for pid, entry in references(kind):
        file_name, _, name = entry[kind].partition("::")
        path = REPO_ROOT / file_name
        if not path.is_file() or path.suffix != ".py":
            problems.append(f"{pid}: {file_name} does not exist")
        elif name and not defines(path, name):
            problems.append(f"{pid}: {file_name} does not define {name}")
        elif kind == "test" and not name:
            problems.append(f"{pid}: test reference {entry[kind]} must name the test (file::test_name)")
    assert problems == []


def test_anchor_slugs_follow_github() -> None:
    assert github_slug("Hybrid orchestration boundary") == "hybrid-orchestration-boundary"
    assert github_slug("P001 · AI workflows are event-driven (HIGH)") == "p001--ai-workflows-are-event-driven-high"
