"""What both derived type tables are built from: the installed SDK's tokens and checkov's checked types.

Why one module: the Terraform-plan bridge (`preflight.tfplan.derive`, pulumi-aws) and the CloudFormation
export (`preflight.cfn.derive`, pulumi-aws-native) derive their tables the same way: from the resource
tokens the installed Pulumi SDK registers, and from the resource types the installed checkov's checks
read, listed by checkov's own interpreter (checkov lives in its own virtual environment, so the gate
never imports it). They differ only in the SDK package and checkov's framework, which are parameters here.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import re
import subprocess
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from string import Template
from typing import Any

from preflight.errors import PreflightError

#: checkov's interpreter in this checkout (created by `make install`), the `--checkov-python` default.
DEFAULT_CHECKOV_PYTHON = Path(__file__).resolve().parents[1] / ".venv-checkov" / "bin" / "python"


@dataclass(frozen=True)
class CheckovFramework:
    """Where one checkov framework keeps its resource-check registry and graph checks."""

    label: str  # in error messages: "Terraform", "CloudFormation"
    registry_module: str  # module of the resource-check registry
    registry_name: str  # the registry object in it
    graph_module: str  # package whose folder holds the YAML graph checks
    graph_subdir: str  # below that folder ("" for all of it)
    type_prefix: str  # the AWS types' prefix: "aws_", "AWS::"


TERRAFORM = CheckovFramework(
    label="Terraform",
    registry_module="checkov.terraform.checks.resource.registry",
    registry_name="resource_registry",
    graph_module="checkov.terraform.checks.graph_checks",
    graph_subdir="aws",
    type_prefix="aws_",
)
CLOUDFORMATION = CheckovFramework(
    label="CloudFormation",
    registry_module="checkov.cloudformation.checks.resource.registry",
    registry_name="cfn_registry",
    graph_module="checkov.cloudformation.checks.graph_checks",
    graph_subdir="",
    type_prefix="AWS::",
)

#: Run with checkov's interpreter: checkov's version, the AWS types its checks read, and the resource checks
#: that report on each type (`reported`: the CloudFormation export's per-resource "seen" count), as JSON. Resource
#: checks register per type; graph checks name `resource_types` and `connected_resources_types` (sub-checks
#: included). A graph check over `all` types (tagging) expands to every type and is left out (< 100).
#:
#: `inspected` (review 6 F3): per type and check, what the check reads. `paths`: a value check's
#: `get_inspected_key()` (checkov's BaseResourceValueCheck / BaseResourceNegativeValueCheck) and each attribute a
#: graph check's attribute solver (its JSON/YAML `attribute:`) reads of that type, as checkov writes them. `words`:
#: for a check whose own code decides (it defines a method other than the value-check hooks, `scan_resource_conf`
#: say), every lower-case name in the string constants of its own classes' methods (docstrings left out) and in
#: its instance's string settings (`self.key`): the keys such code can read by name (lower-case names for
#: Terraform's snake_case attributes, capitalised ones for CloudFormation's PascalCase properties), so an
#: attribute that is not among them is one the code does not name.
CHECKOV_TYPES_SCRIPT = Template(r"""
import json, os, sys
from pathlib import Path
os.environ.setdefault("LOG_LEVEL", "ERROR")
import checkov
from $registry_module import $registry_name as resource_checks
from checkov.common.checks_infra.registry import Registry
from checkov.common.checks_infra.checks_parser import GraphCheckParser
import $graph_module as graph_checks

def walk(check, out):
    for attr in ("resource_types", "connected_resources_types"):
        out.update(t for t in (getattr(check, attr, None) or []) if isinstance(t, str) and t.startswith("$type_prefix"))
    for sub in getattr(check, "sub_checks", None) or []:
        walk(sub, out)

types = {t for t in resource_checks.checks if t.startswith("$type_prefix")}
reported = {t: sorted({c.id for c in resource_checks.checks[t]}) for t in sorted(types)}
registry = Registry(parser=GraphCheckParser(), checks_dir=str(Path(graph_checks.__file__).parent / "$graph_subdir"))
registry.load_checks()
for check in registry.checks:
    found = set()
    walk(check, found)
    if len(found) < 100:
        types |= found
import ast, inspect, re, textwrap
HOOKS = {"__init__", "get_inspected_key", "get_expected_value", "get_expected_values", "get_forbidden_values",
         "get_evaluated_keys"}
NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
META = {"name", "id", "bc_id", "guideline", "supported_resources", "categories", "benchmarks", "severity",
        "bc_category", "details", "check_path"}

TERRAFORM_NAMES = "$type_prefix" == "aws_"  # snake_case attributes; CloudFormation's are PascalCase

def names_in(text):
    return {w for w in NAME.findall(text) if (w == w.lower() if TERRAFORM_NAMES else w[0].isupper())}

def own_classes(check):
    for cls in type(check).__mro__:
        module = cls.__module__
        if module.startswith("checkov.") and ".checks." in module and not module.rsplit(".", 1)[-1].startswith("base_"):
            yield cls

def code_words(check):
    custom, words = False, set()
    for cls in own_classes(check):
        try:
            tree = ast.parse(textwrap.dedent(inspect.getsource(cls)))
        except (OSError, TypeError, SyntaxError):
            continue
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name not in HOOKS:
                custom = True
                body = node.body[1:] if ast.get_docstring(node) is not None else node.body
                for stmt in body:
                    for sub in ast.walk(stmt):
                        if isinstance(sub, ast.Constant) and isinstance(sub.value, str):
                            words |= names_in(sub.value)
    if custom:
        for key, value in vars(check).items():
            if key in META:
                continue
            for item in value if isinstance(value, (list, tuple, set)) else [value]:
                if isinstance(item, str):
                    words |= names_in(item)
    return custom, words

inspected = {}
for t in sorted(t for t in resource_checks.checks if t.startswith("$type_prefix")):
    for check in resource_checks.checks[t]:
        entry = inspected.setdefault(t, {}).setdefault(check.id, {"paths": [], "words": []})
        if callable(getattr(check, "get_inspected_key", None)):
            try:
                entry["paths"].append(str(check.get_inspected_key()))
            except Exception:  # a hook that needs a resource: its code is read as words below
                pass
        custom, words = code_words(check)
        if custom or not entry["paths"]:
            entry["words"] = sorted(words)

def attributes(check, root):
    if getattr(check, "attribute", None) and str(getattr(check, "type", "")).endswith("ATTRIBUTE"):
        for t in getattr(check, "resource_types", None) or []:
            if isinstance(t, str) and t.startswith("$type_prefix"):
                entry = inspected.setdefault(t, {}).setdefault(root, {"paths": [], "words": []})
                if check.attribute not in entry["paths"]:
                    entry["paths"].append(check.attribute)
    for sub in getattr(check, "sub_checks", None) or []:
        attributes(sub, root)

for check in registry.checks:
    attributes(check, check.id)
json.dump({"checkov_version": checkov.version.version, "types": sorted(types), "reported": reported,
           "inspected": inspected}, sys.stdout)
""")


def checkov_types_script(framework: CheckovFramework) -> str:
    """The listing script for one framework."""
    return CHECKOV_TYPES_SCRIPT.substitute(
        registry_module=framework.registry_module,
        registry_name=framework.registry_name,
        graph_module=framework.graph_module,
        graph_subdir=framework.graph_subdir,
        type_prefix=framework.type_prefix,
    )


def run_checkov_script(checkov_python: Path, script: str, what: str) -> dict[str, Any]:
    """The JSON a listing script prints, run with checkov's own interpreter; `what` it does, for the error."""
    completed = subprocess.run(
        [str(checkov_python), "-c", script],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    if completed.returncode != 0:
        last = (completed.stderr.strip().splitlines() or ["no output"])[-1]
        raise PreflightError(f"{checkov_python}: cannot {what}: {last}")
    data: dict[str, Any] = json.loads(completed.stdout)
    return data


def checkov_listing(checkov_python: Path, framework: CheckovFramework) -> dict[str, Any]:
    """What `CHECKOV_TYPES_SCRIPT` prints for `framework`, run with checkov's own interpreter."""
    return run_checkov_script(
        checkov_python, checkov_types_script(framework), f"list checkov's {framework.label} types"
    )


def checkov_checked_types(checkov_python: Path, framework: CheckovFramework) -> tuple[str, list[str]]:
    """checkov's version and the AWS types its checks of `framework` read, from checkov's own interpreter."""
    data = checkov_listing(checkov_python, framework)
    return str(data["checkov_version"]), list(data["types"])


@functools.cache
def sdk_resource_tokens(package: str) -> tuple[str, ...]:
    """Every resource token of an installed Pulumi SDK (the `resource_modules` registry in its `__init__.py`)."""
    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        return ()
    text = Path(spec.origin).read_text(encoding="utf-8")
    start = text.index('resource_modules="""') + len('resource_modules="""')
    modules = json.loads(text[start : text.index('"""', start)])
    return tuple(sorted(token for module in modules for token in module["classes"]))


#: A JSONPath filter in a graph check's attribute (`parameter[?(@.name=='rds.force_ssl')].value`), an index
#: (`[0]`, `[*]`) or a separator: none of them names an attribute.
_FILTER = re.compile(r"\[[^\]]*\]")
_SEPARATOR = re.compile(r"[./]")


def attribute_path(raw: str) -> str:
    """An inspected key or graph attribute as the named attributes it walks, dotted:
    `enabled_cloudwatch_logs_exports/[0]` -> `enabled_cloudwatch_logs_exports`, `ingress.*.cidr_blocks` ->
    `ingress.cidr_blocks`, `parameter[?(@.name=='rds.force_ssl')].value` -> `parameter.value`."""
    steps = _SEPARATOR.split(_FILTER.sub("", raw))
    return ".".join(step for step in steps if step and step != "*" and not step.isdigit())


def inspected(
    listing: Mapping[str, Mapping[str, Mapping[str, list[str]]]], tf_types: Iterable[str]
) -> dict[str, object]:
    """Terraform type -> check id -> what the check reads (`paths`, dotted; `words`, the names its own code
    uses: preflight.derived_tables), for the types of `tf_types` (review 6 F3: preflight.checkov_unknown)."""
    wanted = set(tf_types)
    out: dict[str, object] = {}
    for tf_type, checks in sorted(listing.items()):
        if tf_type not in wanted:
            continue
        out[tf_type] = {
            check_id: {
                "paths": sorted({path for raw in entry["paths"] if (path := attribute_path(raw))}),
                "words": sorted(set(entry["words"])),
            }
            for check_id, entry in sorted(checks.items())
        }
    return out
