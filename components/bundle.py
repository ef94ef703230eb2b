"""The deployment package of one function: an explicit list of the files its handler runs, nothing else.

A whole-directory archive carried whatever the build machine had lying around: `__pycache__` with cp311
bytecode and PyYAML with its x86_64 extension, 94% of a 949 KB zip that python3.13 on arm64 cannot use
(issue 12 §4). The package is built from a file list instead:

* the handler's module and every module of the `functions` package it imports, transitively, found by
  reading the source (`ast`, so nothing runs at deploy time), with the `__init__.py` of each package on
  the way (Python needs them to import the modules);
* only `.py` source: no `__pycache__`, no `.pyc` (Lambda compiles what it imports), no compiled
  extension (none is built for the function's runtime and architecture, so none is shipped);
* where the code calls AWS (it imports `functions.shared.aws`), a pruned copy of botocore's data for exactly the
  operations it calls, read from its source (`components.sdk_calls`, `components.sdk_models`), so its first
  clients parse a few kilobytes of JSON instead of megabytes;
* the pure-Python third-party packages a function names (`FunctionArgs.packages`), their `.py` files only;
* the prompt templates, only where the prompt loader is imported, compiled from YAML to JSON here, so
  the runtime reads them with the standard library and needs no PyYAML (validated by the runtime's own
  model first, so a template it would reject never deploys), next to the loader inside the `functions`
  package: the package finds them wherever it is extracted or installed.

The zip is deterministic (sorted names, fixed timestamps and permissions) so its size is a stable
figure for the bench and the size budget (`package_zip`).
"""

from __future__ import annotations

import ast
import importlib.util
import io
import json
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from components import sdk_calls, sdk_models
from functions.shared.prompts import PACKAGED_PROMPTS_DIRNAME, load_prompts

#: The package that holds the Lambda code (`functions/<name>/handler.py`).
CODE_PACKAGE = "functions"
#: The module that loads prompt templates; a package that imports it gets the compiled templates.
PROMPTS_MODULE = "functions.shared.prompts"
#: The templates' sources under the program (YAML, also Bedrock's prompt versions: `components/prompts.py`).
PROMPTS_DIR = "prompts"
#: Where the package carries them compiled: next to the prompt loader, inside the `functions` package
#: (`functions.shared.prompts.DEFAULT_PROMPTS_DIR`), so the runtime never walks up the tree to find them.
PACKAGED_PROMPTS_DIR = f"{PROMPTS_MODULE.replace('.', '/').rpartition('/')[0]}/{PACKAGED_PROMPTS_DIRNAME}"
#: Zip entries carry this date and mode, so the same files always give the same bytes.
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)
_ZIP_MODE = 0o644 << 16


class BundleError(ValueError):
    """The handler or one of the modules it imports is not in the program's code."""


def handler_module(handler: str) -> str:
    """`functions.router.handler.lambda_handler` -> `functions.router.handler`."""
    return handler.rsplit(".", 1)[0]


def _source_of(root: Path, module: str) -> Path | None:
    base = root.joinpath(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _imported(tree: ast.Module, module: str, is_package: bool) -> set[str]:
    """Names of the modules `tree` imports (any depth: imports inside functions run too)."""
    names: set[str] = set()
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: from .x import y
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1])
                origin = f"{base}.{node.module}" if node.module else base
            else:
                origin = node.module or ""
            names.add(origin)
            # `from functions.shared import aws` names a submodule, `from x import func` an attribute:
            # both are kept and the closure keeps only those that are modules.
            names.update(f"{origin}.{alias.name}" for alias in node.names)
    return names


def module_closure(root: Path, module: str) -> dict[str, Path]:
    """Every module of `CODE_PACKAGE` that `module` needs, with the packages that contain them.

    Raises
    ------
    BundleError
        When `module` itself is not a module of the program's code.
    """
    if _source_of(root, module) is None:
        raise BundleError(f"handler module {module} not found under {root}")
    found: dict[str, Path] = {}
    pending = [module]
    while pending:
        name = pending.pop()
        if name in found or not (name == CODE_PACKAGE or name.startswith(f"{CODE_PACKAGE}.")):
            continue
        path = _source_of(root, name)
        if path is None:
            continue  # an attribute (`from functions.shared.aws import client`), not a module
        found[name] = path
        parts = name.split(".")
        pending.extend(".".join(parts[:i]) for i in range(1, len(parts)))  # the packages on the way
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        pending.extend(_imported(tree, name, path.name == "__init__.py"))
    return found


def compiled_prompts(root: Path) -> dict[str, bytes]:
    """The prompt templates under `root/prompts` as JSON, at `functions/shared/templates/<name>/v<N>.json`."""
    return {
        f"{PACKAGED_PROMPTS_DIR}/{t.name}/v{t.version}.json": json.dumps(
            t.model_dump(mode="json"), sort_keys=True
        ).encode()
        for t in load_prompts(root / PROMPTS_DIR)
    }


def vendored_files(package: str) -> dict[str, bytes]:
    """The `.py` files of an installed pure-Python package, at `<package>/...` (no bytecode, no extensions).

    Raises BundleError when the package is missing or carries a compiled extension: one built here would be
    for this machine's Python and architecture, not the function's.
    """
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise BundleError(f"{package}: not an installed package, so it cannot be bundled")
    top = Path(next(iter(spec.submodule_search_locations)))
    if any(top.rglob("*.so")) or any(top.rglob("*.pyd")):
        raise BundleError(f"{package}: has a compiled extension; only pure-Python packages are bundled")
    return {
        f"{package}/{path.relative_to(top).as_posix()}": path.read_bytes()
        for path in sorted(top.rglob("*.py"))
        if "__pycache__" not in path.parts
    }


def package_files(root: str | Path, handler: str, packages: Sequence[str] = ()) -> dict[str, bytes]:
    """The package of the function whose entry point is `handler`: archive path -> content, sorted."""
    base = Path(root)
    modules = module_closure(base, handler_module(handler))
    files = {path.relative_to(base).as_posix(): path.read_bytes() for path in modules.values()}
    if PROMPTS_MODULE in modules:
        files.update(compiled_prompts(base))
    if sdk_calls.AWS_MODULE in modules:
        try:
            files.update(sdk_models.packaged_files(sdk_calls.operations(modules)))
        except sdk_calls.SdkCallError as error:
            raise BundleError(str(error)) from None
    for package in packages:
        files.update(vendored_files(package))
    return dict(sorted(files.items()))


def package_zip(files: Mapping[str, bytes]) -> bytes:
    """`files` as a deterministic zip (what the size budget and the bench measure)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
            info.external_attr = _ZIP_MODE
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, files[name], compresslevel=9)
    return buffer.getvalue()
