"""A warm checkov process that runs its per-resource checks on parts of the plan while the program is synthesised.

This file runs inside `.venv-checkov` (`python checkov_worker.py`), not in the gate's environment: it imports
only the standard library and checkov, never `preflight`. The gate talks to it over stdin, one JSON object
a line (preflight/checkov_stream.py writes them):

- `{"chunk": "<plan file>", "scanned_file": "/tfplan.json"}`: a Terraform plan holding some of the program's
  resources, exported as they registered. Every cacheable resource check runs on each of them now.
- `{"run": [<checkov arguments>]}`: the whole plan (and any other frameworks or files): checkov runs as its
  console script would, with the same flags, config file, skips, soft-fail and external checks, and prints
  its report. A resource whose parsed configuration equals one scanned earlier gets the earlier results of
  the cacheable checks; every other check, and every resource that differs, runs now.
- an empty line or end of input: nothing to scan, exit 0.

After a run it prints on stderr, beside the cache's count, `EXTERNAL_LINE` and the ids of the external graph
checks checkov loaded and reported (`external_graph_checks`): the gate tells from them which of the program's own
data checks did not run (preflight.checkov_checks `ProgramChecks.not_run`).

Why the results are the same (read in checkov's source, `.venv-checkov/.../checkov`):

- `terraform/plan_runner.py` `Runner.run` parses the plan (`plan_utils.create_definitions` ->
  `plan_parser.parse_tf_plan`), then `check_tf_definition` -> `run_block` calls `registry.scan(scanned_file,
  entity, [], runner_filter)` once per resource (the skip list is always empty for plans), then the graph
  checks (`_get_graph_report`, YAML and `BaseGraphCheck`s over connections) on the whole plan. Only the first
  part is cached here; the graph checks always run at the end on the full plan.
- `common/checks/base_check_registry.py` `scan` filters checks with `runner_filter.should_run_check` (the
  config's `check`/`skip-check`, severities) and calls `run_check`, which calls `check.run(scanned_file,
  entity_configuration, entity_name, entity_type, skip_info)`: a function of those arguments, of the check's
  code and of `check.graph` (the whole plan's graph). The filter is applied here at the end as checkov
  applies it, with checkov's own `runner_filter`; soft-fail is applied later on the report, unchanged.
- A check reading `self.graph` looks at other resources (in checkov 3: `aws/S3SecureDataTransport.py`,
  `aws/APIGatewayMethodWOAuth.py`, `gcp/CloudArmorWAFACLCVE202144228.py`); a check whose module mentions
  `graph` at all is never cached. External checks (the pack's CKV_AGP, a program's own) are loaded by
  `Runner.run` at the end and so always run then.
- The parsed configuration of a resource carries the line numbers of the file it came from
  (`start_line`/`end_line`, `__startline__`/`__endline__`); those differ between a part and the whole plan
  and are left out of the comparison. Everything else, the address and the resolved references included,
  must be equal, else the resource is checked again.

Debug logging is switched off (`logging.disable(DEBUG)`): checkov keeps every debug record in an in-memory
stream only its `--support` upload reads (`checkov/logging_init.py`), which cost about a fifth of a
2,000-resource scan; errors still reach stderr.
"""

from __future__ import annotations

import contextlib
import inspect
import io
import json
import logging
import re
import sys
import types
import warnings
from pathlib import Path
from typing import Any

#: Keys checkov's plan parser adds for where a resource sits (plan_parser._hclify, the cfn_yaml marks): its
#: lines and the path of the file parsed. They differ between a part of the plan and the whole plan.
LINE_KEYS = frozenset({"start_line", "end_line", "__startline__", "__endline__", "__file__"})
#: What makes a check's result depend on more than the rest of its resource's configuration: reading the
#: plan's graph (`self.graph`, `getattr(self, "graph")`; not the `graph_builder` helpers that parse one value,
#: as `base_resource_value_check.py` imports) or a position key.
_NOT_CACHEABLE = re.compile(r"\.graph\b|[\"']graph[\"']|" + "|".join(re.escape(k) for k in sorted(LINE_KEYS)))
#: checkov's base class of every check: it only sets `self.graph = None` (common/checks/base_check.py).
_READ_BASES = frozenset({"checkov.common.checks.base_check", "abc", "builtins"})


def without_lines(value: Any) -> Any:
    """`value` with the file-position keys removed at every depth: what a resource's checks may depend on."""
    if isinstance(value, dict):
        return {str(k): without_lines(v) for k, v in value.items() if k not in LINE_KEYS}
    if isinstance(value, list | tuple):
        return [without_lines(v) for v in value]
    return value


def entity_key(scanned_file: str, entity: Any) -> str:
    """One string per (file name as checkov reports it, resource configuration without positions)."""
    return scanned_file + "\n" + json.dumps(without_lines(entity), sort_keys=True, default=repr)


def reads_other_resources(check: Any) -> bool:
    """Whether a check may look beyond its resource's configuration: the module of the check or of one of its
    base classes mentions the graph or a position key (or cannot be read)."""
    modules = {cls.__module__ for cls in type(check).__mro__} - _READ_BASES
    try:
        sources = [inspect.getsource(sys.modules[name]) for name in modules]
    except (KeyError, OSError, TypeError):
        return True
    return any(_NOT_CACHEABLE.search(source) for source in sources)


class ResourceCheckCache:
    """Results of the cacheable resource checks per resource, computed on parts of the plan."""

    def __init__(self, registry: Any) -> None:
        self.registry = registry
        #: Only the checks loaded at start-up (checkov's own), and of those only the ones that read one resource.
        loaded = [c for checks in (*registry.checks.values(), *registry.wildcard_checks.values()) for c in checks]
        self.builtin = set(loaded)
        self._cacheable: dict[Any, bool] = {}  # decided on first use: reading a check's source costs start-up time
        self.results: dict[str, dict[Any, tuple[dict[str, Any], list[str]]]] = {}
        self.hits = 0
        self.failed_parts = 0

    def cacheable(self, check: Any) -> bool:
        """Whether a part's result of `check` may stand for the whole scan's (see the module's docstring)."""
        if check not in self._cacheable:
            self._cacheable[check] = check in self.builtin and not reads_other_resources(check)
        return self._cacheable[check]

    def scan_chunk(self, plan_file: str, scanned_file: str) -> None:
        """Parse a part of the plan as checkov parses a plan and run the cacheable checks on its resources."""
        from checkov.terraform.plan_parser import parse_tf_plan  # noqa: PLC0415 (checkov's environment only)

        definitions, _ = parse_tf_plan(plan_file, {})
        for entity in (definitions or {}).get("resource", []):
            key = entity_key(scanned_file, entity)
            entity_type, entity_name, conf = self.registry.extract_entity_details(entity)
            if not isinstance(conf, dict):
                continue
            found: dict[Any, tuple[dict[str, Any], list[str]]] = {}
            for check in self.registry.get_checks(entity_type):
                if self.cacheable(check):
                    result = self.registry.run_check(check, conf, entity_name, entity_type, scanned_file, {})
                    found[check] = (result, list(check.details))
            self.results[key] = found

    def install(self) -> None:
        """Make the registry's `scan` take cached results for resources scanned before (same code path otherwise)."""
        cache = self
        original = self.registry.scan

        def scan(  # noqa: PLR0917 (the signature of checkov's BaseCheckRegistry.scan)
            registry: Any,
            scanned_file: str,
            entity: dict[str, Any],
            skipped_checks: list[Any],
            runner_filter: Any,
            report_type: str | None = None,
        ) -> dict[Any, Any]:
            found = None if skipped_checks else cache.results.get(entity_key(scanned_file, entity))
            if found is None:
                return original(scanned_file, entity, skipped_checks, runner_filter, report_type)
            # What BaseCheckRegistry.scan does, with a cached result where there is one.
            try:
                entity_type, entity_name, conf = registry.extract_entity_details(entity)
            except Exception:  # as checkov's scan: no results for an entity it cannot read
                return {}
            if not isinstance(conf, dict):
                return {}
            results: dict[Any, Any] = {}
            for check in registry.get_checks(entity_type):
                if not runner_filter.should_run_check(
                    check, report_type=report_type or registry.report_type, file_origin_paths=[scanned_file]
                ):
                    continue
                if check in found:
                    results[check], details = found[check]
                    check.details = list(details)
                    cache.hits += 1
                else:
                    results[check] = registry.run_check(check, conf, entity_name, entity_type, scanned_file, {})
            return results

        self.registry.scan = types.MethodType(scan, self.registry)


#: The stderr line that tells the gate which external graph checks checkov loaded and which it reported.
EXTERNAL_LINE = "checkov_worker: external graph checks: "


def external_graph_checks(reports: list[Any]) -> dict[str, list[str]]:
    """The ids of the graph checks checkov loaded from outside its own package (YAML and JSON data checks of
    `--external-checks-dir`: `Registry._load_checks_from_dir` sets `check_path`), and of those the ones some
    report holds a result of (passed, failed or skipped: `Report`s keep every result; `--quiet` only filters
    what is printed, checkov/common/output/report.py `get_dict`). A check checkov dropped is not loaded; one
    whose solver raised as it ran is loaded but reported nowhere (the registry's thread pool swallows it,
    checkov/common/graph/checks_infra/registry.py `run_checks`)."""
    import checkov as package  # noqa: PLC0415 (checkov's environment only)
    from checkov.common.checks_infra.registry import get_graph_checks_registry  # noqa: PLC0415

    own = str(Path(package.__file__).resolve().parent)
    loaded = {
        str(check.id)
        for framework in ("terraform", "cloudformation")
        for check in get_graph_checks_registry(framework).checks
        if not str(Path(str(getattr(check, "check_path", "") or own)).resolve()).startswith(own)
    }
    results = (r for report in reports for r in (*report.passed_checks, *report.failed_checks, *report.skipped_checks))
    reported = {str(r.check_id) for r in results} & loaded
    return {"loaded": sorted(loaded), "reported": sorted(reported)}


def main() -> int:
    """Serve one scan: parts of the plan while they come, then checkov's whole run; its exit code."""
    warnings.simplefilter("ignore")
    from checkov.main import Checkov  # noqa: PLC0415 (imported here so this module loads without checkov)
    from checkov.terraform.checks.resource.registry import resource_registry  # noqa: PLC0415

    logging.disable(logging.DEBUG)
    cache = ResourceCheckCache(resource_registry)
    for line in sys.stdin:
        if not line.strip():
            return 0
        message = json.loads(line)
        if "chunk" in message:
            logging.disable(logging.CRITICAL)  # a part's errors are checkov's to report once, in the whole run
            try:
                with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
                    cache.scan_chunk(str(message["chunk"]), str(message["scanned_file"]))
            except Exception:  # a part that cannot be scanned early is scanned in the whole run
                cache.failed_parts += 1
            logging.disable(logging.DEBUG)
            continue
        cache.install()
        checkov = Checkov([str(a) for a in message["run"]])
        code = int(checkov.run() or 0)
        if code in (0, 1):  # after a failure checkov's own last line is the one the gate reports
            print(
                f"checkov_worker: {cache.hits} cached resource-check results used, {cache.failed_parts} parts failed",
                file=sys.stderr,
            )
            print(EXTERNAL_LINE + json.dumps(external_graph_checks(checkov.scan_reports)), file=sys.stderr)
        return code
    return 0


if __name__ == "__main__":
    sys.exit(main())
