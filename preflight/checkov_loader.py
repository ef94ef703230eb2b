"""What the installed checkov loads as a data check, and the ids of its own checks: a derived table.

Why (review 6 F8, F9; issue 11 §3): the gate judges a program's own data checks (`preflight.checkov_checks`)
without importing checkov (it lives in `.venv-checkov`), yet must refuse exactly what checkov would drop or let
replace one of its own checks. So the facts it judges by are read once from the installed checkov, by checkov's
own interpreter, and stored in `checkov_loader.json`:

- `ids`: every check id checkov has installed for the frameworks the gate runs (`terraform_plan` reads the
  Terraform registries: checkov 3.3.30 checkov/terraform/plan_runner.py imports `resource_registry`,
  `data_registry`, `provider_registry` and takes `get_graph_checks_registry(CheckType.TERRAFORM)`;
  `cloudformation` reads `cfn_registry` and its own graph checks). A program's data check under one of them
  would replace checkov's graph check (`Registry._load_checks_from_dir` keeps the first check of an id and
  external checks are loaded before checkov's own) or run beside its resource check under the same id.
- `cond_types` and `operators`: what `GraphCheckParser` (checkov/common/checks_infra/checks_parser.py) turns into
  a solver; any other `cond_type` or `operator` makes `get_check_solver` raise `NotImplementedError`, which
  `_load_checks_from_dir` logs as a warning and skips the check.
- `providers_without_aws`: the `scope.provider` values whose resource types (`resources_types`,
  checkov/common/checks_infra/resources_types.py) hold no `aws_` type: a check over "all" types of such a
  provider (`Registry._get_resource_types`) never applies to a resource the gate exports.

`python -m preflight.checkov_loader --write` stores it; a test keeps the file in step with the installed checkov.
"""

from __future__ import annotations

import argparse
import functools
import json
import sys
from pathlib import Path
from typing import Any

from policies import stored_tables
from preflight import derived_tables
from preflight.errors import PreflightError

#: Where the derived table lives, next to this module.
TABLE_FILE = Path(__file__).with_name("checkov_loader.json")

#: Run with checkov's interpreter; prints the table as JSON.
LOADER_SCRIPT = r"""
import json, os, sys
os.environ.setdefault("LOG_LEVEL", "ERROR")
import checkov
from checkov.terraform.checks.resource.registry import resource_registry
from checkov.terraform.checks.data.registry import data_registry
from checkov.terraform.checks.provider.registry import provider_registry
from checkov.cloudformation.checks.resource.registry import cfn_registry
from checkov.common.checks_infra.registry import get_graph_checks_registry
from checkov.common.checks_infra import checks_parser as p
from checkov.common.checks_infra.resources_types import resources_types

ids = set()
for registry in (resource_registry, data_registry, provider_registry, cfn_registry):
    for checks in (*registry.checks.values(), *registry.wildcard_checks.values()):
        ids.update(c.id for c in checks)
for framework in ("terraform", "cloudformation"):
    graph = get_graph_checks_registry(framework)
    graph.load_checks()
    ids.update(c.id for c in graph.checks)
json.dump({
    "checkov_version": checkov.version.version,
    "ids": sorted(ids),
    "cond_types": {k: v.name.lower() for k, v in p.condition_type_to_solver_type.items()},
    "operators": {
        "attribute": sorted(p.operators_to_attributes_solver_classes),
        "complex": list(p.operators_to_complex_solver_classes),
        "complex_connection": sorted(p.operator_to_complex_connection_solver_classes),
        "connection": sorted(p.operator_to_connection_solver_classes),
        "filter": sorted(p.operator_to_filter_solver_classes),
        "resource": sorted(p.operator_to_resource_solver_classes),
    },
    "jsonpath_prefix": p.JSONPATH_PREFIX,
    "providers_without_aws": sorted(
        k for k, v in resources_types.items() if not any(str(t).startswith("aws_") for t in v)
    ),
}, sys.stdout)
"""


def derive(checkov_python: Path) -> dict[str, Any]:
    """The table, from checkov's own interpreter."""
    return derived_tables.run_checkov_script(checkov_python, LOADER_SCRIPT, "list checkov's check ids and loader")


@functools.cache
def stored() -> dict[str, Any]:
    """The committed table (read once)."""
    data: dict[str, Any] = json.loads(TABLE_FILE.read_text(encoding="utf-8"))
    return data


@functools.cache
def checkov_ids() -> frozenset[str]:
    """The ids of checkov's own installed checks."""
    return frozenset(str(i) for i in stored()["ids"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m preflight.checkov_loader", description=__doc__.split("\n")[0])
    parser.add_argument("--write", action="store_true", help=f"write {TABLE_FILE.name}")
    parser.add_argument(
        "--checkov-python", default=str(derived_tables.DEFAULT_CHECKOV_PYTHON), help="checkov's interpreter"
    )
    args = parser.parse_args(argv)
    try:
        data = derive(Path(args.checkov_python))
    except PreflightError as exc:
        print(f"preflight: error: {exc}", file=sys.stderr)
        return 2
    stored_tables.emit(data, TABLE_FILE, write=args.write, indent=1)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
