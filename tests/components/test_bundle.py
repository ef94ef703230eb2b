"""Deployment packages: only what runs, the same bytes every time, and importable on their own (issue 12 §4)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest

from bench import cold_start
from components.api import AUTHORIZER_PACKAGES
from components.bundle import PACKAGED_PROMPTS_DIR, BundleError, module_closure, package_files, package_zip
from functions.shared.prompts import get_prompt
from preflight.engine import synthesize
from preflight.graph import ResourceGraph, ResourceNode
from tests.components.conftest import REPO_ROOT

LAMBDA_FUNCTION = "aws:lambda/function:Function"
BUDGET_BYTES = 100 * 1024
#: Names no package may carry: bytecode (Lambda compiles what it imports) and compiled extensions built
#: for whatever machine ran the deploy, not for python3.13 on arm64.
_FORBIDDEN_PARTS = ("__pycache__",)
_FORBIDDEN_SUFFIXES = (".pyc", ".pyo", ".so", ".pyd", ".dylib")


@pytest.fixture(scope="module", params=["dev", "prod"])
def plan(request: pytest.FixtureRequest) -> ResourceGraph:
    return synthesize(REPO_ROOT, request.param)


def _assets(node: ResourceNode) -> dict[str, Any]:
    code = node.inputs["code"]
    assert code["__asset"] == "AssetArchive"
    return dict(code["assets"])


def _built_by_function(node: ResourceNode) -> bool:
    return "agentic:function:Function" in node.parent


def test_every_package_in_the_plan_holds_only_what_runs(plan: ResourceGraph) -> None:
    functions = list(plan.of_type(LAMBDA_FUNCTION))
    assert len(functions) >= 5
    for node in functions:
        assets = _assets(node)
        # one asset per file: no directory archive that would take whatever lies in the tree
        assert {a["__asset"] for a in assets.values()} <= {"FileAsset", "StringAsset"}, node.name
        offenders = [
            name
            for name in assets
            if name.endswith(_FORBIDDEN_SUFFIXES)
            or any(part in _FORBIDDEN_PARTS for part in name.split("/"))
            or not name.endswith((".py", ".json"))
        ]
        assert offenders == [], node.name
        if _built_by_function(node):
            handler = str(node.inputs["handler"])
            # The $connect authorizer alone names a third-party package (PyJWT, its .py files only).
            packages = AUTHORIZER_PACKAGES if handler == "functions.connections.authorizer.lambda_handler" else ()
            files = package_files(REPO_ROOT, handler, packages)
            assert set(assets) == set(files), node.name
        else:  # Lambda@Edge: its own package (components/edge.py), read back from the graph
            files = {n: Path(a["path"]).read_bytes() if a.get("path") else b"" for n, a in assets.items()}
        assert len(package_zip(files)) < BUDGET_BYTES, node.name


def _tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def test_the_package_is_the_handlers_import_closure_and_nothing_else(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "functions/__init__.py": "",
            "functions/a/__init__.py": "",
            "functions/a/handler.py": (
                "from functions.shared import util\n"
                "from functions.shared.consts import NAME\n"
                "from . import helper\n"
                "def lambda_handler(event, context):\n"
                "    from functions.b.late import run\n"
                "    return run()\n"
            ),
            "functions/a/helper.py": "",
            "functions/a/data.json": "{}",
            "functions/b/__init__.py": "",
            "functions/b/late.py": "def run(): return 1\n",
            "functions/shared/__init__.py": "",
            "functions/shared/util.py": "import json\n",
            "functions/shared/consts.py": "NAME = 'x'\n",
            "functions/unused.py": "",
            "functions/shared/__pycache__/util.cpython-311.pyc": "",
            "functions/a/speedup.cpython-311-x86_64-linux-gnu.so": "",
        },
    )

    files = package_files(root, "functions.a.handler.lambda_handler")

    assert list(files) == [
        "functions/__init__.py",
        "functions/a/__init__.py",
        "functions/a/handler.py",
        "functions/a/helper.py",
        "functions/b/__init__.py",
        "functions/b/late.py",
        "functions/shared/__init__.py",
        "functions/shared/consts.py",
        "functions/shared/util.py",
    ]
    assert set(module_closure(root, "functions.a.handler")) >= {"functions.a.helper", "functions.b.late"}


def test_a_handler_that_is_not_in_the_code_is_an_error(tmp_path: Path) -> None:
    _tree(tmp_path, {"functions/__init__.py": ""})
    with pytest.raises(BundleError, match=r"handler module functions\.nope\.handler not found"):
        package_files(tmp_path, "functions.nope.handler.lambda_handler")


def test_prompts_travel_compiled_to_json_only_with_the_prompt_loader(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "functions/__init__.py": "",
            "functions/shared/__init__.py": "",
            "functions/shared/prompts.py": "",
            "functions/a.py": "from functions.shared.prompts import get_prompt\n",
            "functions/b.py": "",
            "prompts/greet/v1.yaml": (
                "name: greet\nversion: 1\ndescription: d\nvariables:\n  who: w\ntemplate: |\n  Hello {{who}}\n"
            ),
        },
    )

    with_loader = package_files(root, "functions.a.handler")
    without = package_files(root, "functions.b.handler")

    assert json.loads(with_loader["functions/shared/templates/greet/v1.json"])["template"] == "Hello {{who}}\n"
    assert not any("templates/" in name or name.startswith("prompts/") for name in without)
    assert not any(name.endswith(".yaml") for name in with_loader)


def test_the_routers_compiled_prompt_is_the_source_template(tmp_path: Path) -> None:
    files = package_files(REPO_ROOT, "functions.router.handler.lambda_handler")
    for name, content in files.items():
        if name.startswith(f"{PACKAGED_PROMPTS_DIR}/"):
            (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / name).write_bytes(content)

    packaged = get_prompt(tmp_path / PACKAGED_PROMPTS_DIR, "answer", 1)
    assert packaged == get_prompt(REPO_ROOT / "prompts", "answer", 1)


#: Run in a fresh interpreter whose path holds only the extracted package: the runtime's default templates.
_FIND_PROMPTS = """
import json, sys
from functions.shared import prompts
template = prompts.get_prompt(prompts.DEFAULT_PROMPTS_DIR, "answer", 1)
print(json.dumps({"key": template.key, "dir": str(prompts.DEFAULT_PROMPTS_DIR), "template": template.template}))
"""


@pytest.mark.parametrize("layout", ["extracted", "functions-tree-only"])
def test_the_routers_package_finds_its_prompts_in_itself(tmp_path: Path, layout: str) -> None:
    """Extracted alone (as Lambda's /var/task), or with only its `functions/` tree installed somewhere else (a
    layer's or pip's site-packages), the router's package finds its templates in itself: no `PROMPTS_DIR`, no
    sources, no path up the tree (issue 12 §4)."""
    files = package_files(REPO_ROOT, "functions.router.handler.lambda_handler")
    task, site = tmp_path / "task", tmp_path / "site" / "lib"
    for name, content in files.items():
        base = site if layout == "functions-tree-only" and name.startswith("functions/") else task
        (base / name).parent.mkdir(parents=True, exist_ok=True)
        (base / name).write_bytes(content)
    path = site if layout == "functions-tree-only" else task

    done = subprocess.run(
        [sys.executable, "-B", "-c", _FIND_PROMPTS],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
        env={"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(path), "PYTHONDONTWRITEBYTECODE": "1"},
    )

    assert done.returncode == 0, done.stderr[-2000:]
    found = json.loads(done.stdout)
    assert found["key"] == "answer@1"
    assert Path(found["dir"]).is_relative_to(path / "functions")
    assert found["template"] == get_prompt(REPO_ROOT / "prompts", "answer", 1).template


def test_the_zip_is_deterministic(tmp_path: Path) -> None:
    root = _tree(
        tmp_path, {"functions/__init__.py": "", "functions/a.py": "import functions.b\n", "functions/b.py": ""}
    )
    first = package_zip(package_files(root, "functions.a.handler"))
    os.utime(root / "functions" / "b.py", (0, 0))  # file times never reach the zip

    assert package_zip(package_files(root, "functions.a.handler")) == first
    with zipfile.ZipFile(BytesIO(first)) as archive:
        assert archive.namelist() == ["functions/__init__.py", "functions/a.py", "functions/b.py"]
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}


# --- each package on its own, as Lambda runs it -----------------------------------------------------------


@pytest.fixture(scope="module")
def cold_starts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """Each function of the dev plan started once from its extracted package (`bench/cold_start.py`).

    `start_cold` fails unless the handler, importing only its package and the Lambda runtime's libraries
    (the tooling and PyYAML refused), answered its representative event on the happy path.
    """
    results: dict[str, dict[str, Any]] = {}
    work = tmp_path_factory.mktemp("cold-start")
    for target in cold_start.plan_targets("dev"):
        package = cold_start.extract(target, work / "packages" / target.name)
        results[target.name] = cold_start.start_cold(target, package, work)
    return results


def test_each_package_imports_and_serves_alone_without_tooling(cold_starts: dict[str, dict[str, Any]]) -> None:
    assert sorted(cold_starts) == [
        "actions",
        "api-ws-authorizer",
        "api-ws-connections",
        "decide",
        "deliver",
        "ingest",
        "router",
    ]
    assert all(run["import_cpu_ms"] > 0 and run["invoke_cpu_ms"] > 0 for run in cold_starts.values())


def test_tracers_patch_the_sdk_and_nothing_else(cold_starts: dict[str, dict[str, Any]]) -> None:
    assert {name: run["patched"] for name, run in cold_starts.items()} == {name: ["botocore"] for name in cold_starts}


def test_the_probe_refuses_the_tooling(tmp_path: Path) -> None:
    """The refusal the tests above rely on does refuse (a probe that cannot fail proves nothing)."""
    spec = {
        "package_dir": str(tmp_path),
        "module": "components.bundle",
        "function": "package_zip",
        "event": {},
        "responses": [],
        "forbidden": cold_start.FORBIDDEN,
    }
    (tmp_path / "spec.json").write_text(json.dumps(spec), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-B", str(cold_start.CHILD), str(tmp_path / "spec.json"), str(tmp_path / "out.json")],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert done.returncode != 0
    assert "ModuleNotFoundError: components is not in the deployment package" in done.stderr
