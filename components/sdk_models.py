"""Pruned botocore data for one deployment package: only the operations its code calls (issue 12 §4).

Why: a function's first SDK client spends most of its CPU parsing botocore's JSON: ``endpoints.json`` (1.2 MB,
about 26-30 ms here, once per process), each service's ``service-2`` model (S3's about 50-65 ms, DynamoDB's about
10 ms) and its rule set (``bench/COLD_START.md``). A handler calls a handful of operations. So the package carries,
generated here from the installed botocore, under ``functions/shared/botocore_data/`` (the handlers' own data
loader, :mod:`functions.shared.botocore_loader`, searches it ahead of botocore's data):

* ``<service>/<api-version>/service-2.json``: the installed model's own dicts for the operations the function
  calls (:mod:`components.sdk_calls`), every operation that botocore's endpoint discovery looks for
  (``endpointoperation``), every error shape of the service (botocore parses an error's modeled fields by
  looking its code up among *all* of them: ``ServiceModel.shape_for_error_code``, used by
  ``Endpoint._add_modeled_error_fields``) and every shape these reach; with ``documentation`` dropped from the
  operations and shapes (botocore 1.44.8 reads it there only with ``.get``, for docstrings: ``model.py``
  ``Shape.__init__``, ``OperationModel.documentation``) and every other top-level key (``metadata``,
  ``clientContextParams``, whose ``documentation`` botocore does index) kept whole. Same api-version directory
  as botocore's, so a runtime whose botocore has a newer API version of the service loads its own
  (``Loader.determine_latest_version`` takes the latest over every search path).
  The file is the raw ``service-2`` (before botocore merges ``service-2.sdk-extras``, which it still merges from
  its own data at run time, as for the full model);
* ``endpoints.json``: every partition as installed, its ``services`` cut to the endpoint prefixes of those
  services (``ClientEndpointBridge`` looks up only ``service_model.endpoint_prefix``);
* ``manifest.json``: the botocore version the data comes from. The loader ignores the directory when the
  runtime's botocore is newer (its data is newer too: botocore's own copy is the fallback).

Rule sets (``endpoint-rule-set-1``), partitions and paginators are not pruned: they are logic or tables botocore
reads whole, and it reads them from its own data.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable, Iterator, Mapping
from functools import cache
from typing import Any

import botocore
from botocore.loaders import Loader

from functions.shared.botocore_loader import ENDPOINTS, MANIFEST, PACKAGED_DATA_DIRNAME, SERVICE_MODEL

#: Where the pruned data sits in a package: next to the loader that searches it.
PACKAGED_DATA_DIR = f"functions/shared/{PACKAGED_DATA_DIRNAME}"
#: Keys that botocore reads only to write docstrings (``botocore.docs``), dropped from every copied dict.
_DOC_KEYS = frozenset({"documentation", "documentationUrl"})


@cache
def _loader() -> Loader:
    return Loader()


def api_version(service: str) -> str:
    """The api version botocore loads for ``service`` (the latest installed one)."""
    return str(_loader().determine_latest_version(service, SERVICE_MODEL))


@cache
def full_model(service: str) -> Mapping[str, Any]:
    """The installed raw ``service-2`` of ``service`` (no extras merged), as botocore's loader reads it."""
    return dict(_loader().load_data(f"{service}/{api_version(service)}/{SERVICE_MODEL}"))


def _undocumented(value: Any) -> Any:
    """``value`` with the documentation keys of every dict removed, at any depth, except member names.

    ``members`` maps member names (which may be any word, even ``documentation``) to references: its keys are kept.
    """
    if isinstance(value, dict):
        return {
            key: ({name: _undocumented(ref) for name, ref in item.items()} if key == "members" else _undocumented(item))
            for key, item in value.items()
            if key not in _DOC_KEYS
        }
    if isinstance(value, list):
        return [_undocumented(item) for item in value]
    return copy.deepcopy(value)


def _references(value: Any) -> Iterator[str]:
    """The names of the shapes ``value`` (an operation or a shape) refers to: each ``{"shape": NAME}``."""
    if isinstance(value, dict):
        if isinstance(value.get("shape"), str):
            yield value["shape"]
        for item in value.values():
            yield from _references(item)
    elif isinstance(value, list):
        for item in value:
            yield from _references(item)


def kept_operations(model: Mapping[str, Any], operations: Iterable[str]) -> list[str]:
    """``operations`` and every endpoint-discovery operation of ``model``, sorted.

    Raises
    ------
    KeyError
        When an operation is not in the model.
    """
    names = set(operations)
    missing = names - set(model["operations"])
    if missing:
        raise KeyError(f"not operations of {model['metadata']['serviceId']}: {sorted(missing)}")
    names.update(name for name, op in model["operations"].items() if op.get("endpointoperation"))
    return sorted(names)


def pruned_model(service: str, operations: Iterable[str]) -> dict[str, Any]:
    """The installed model of ``service`` cut to ``operations`` (see the module docstring for what is kept)."""
    model = full_model(service)
    kept = kept_operations(model, operations)
    shapes: Mapping[str, Any] = model["shapes"]
    pending = [name for name in kept for name in _references(model["operations"][name])]
    pending += [name for name, shape in shapes.items() if shape.get("exception")]
    reached: set[str] = set()
    while pending:
        name = pending.pop()
        if name not in reached:
            reached.add(name)
            pending.extend(_references(shapes[name]))
    # Every other top-level key is kept whole: botocore reads ``clientContextParams[*]["documentation"]`` with
    # ``[]`` (``ServiceModel.client_context_parameters``), the service's own documentation with ``.get``.
    pruned = {key: copy.deepcopy(value) for key, value in model.items() if key not in {"operations", "shapes"}}
    pruned.pop("documentation", None)
    pruned["operations"] = {name: _undocumented(model["operations"][name]) for name in kept}
    pruned["shapes"] = {name: _undocumented(shapes[name]) for name in sorted(reached)}
    return pruned


def pruned_endpoints(endpoint_prefixes: Iterable[str]) -> dict[str, Any]:
    """The installed ``endpoints.json`` with each partition's ``services`` cut to ``endpoint_prefixes``."""
    keep = set(endpoint_prefixes)
    data = _loader().load_data(ENDPOINTS)
    partitions = [
        {**partition, "services": {k: v for k, v in partition["services"].items() if k in keep}}
        for partition in data["partitions"]
    ]
    return copy.deepcopy({**data, "partitions": partitions})


def _dump(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":")).encode()


def packaged_files(operations: Mapping[str, Iterable[str]]) -> dict[str, bytes]:
    """The pruned data of a package whose code calls ``operations`` (service -> operation names), by archive path.

    Empty when the package calls no AWS operation.
    """
    key = tuple(sorted((service, tuple(sorted(set(names)))) for service, names in operations.items()))
    return dict(_packaged(key)) if key else {}


@cache
def _packaged(operations: tuple[tuple[str, tuple[str, ...]], ...]) -> Mapping[str, bytes]:
    """:func:`packaged_files`, once per process for the same calls (several functions share them)."""
    files: dict[str, bytes] = {}
    manifest: dict[str, Any] = {"botocore": botocore.__version__, "services": {}}
    prefixes = set()
    for service, names in operations:
        version = api_version(service)
        model = pruned_model(service, names)
        files[f"{PACKAGED_DATA_DIR}/{service}/{version}/{SERVICE_MODEL}.json"] = _dump(model)
        manifest["services"][service] = {"api_version": version, "operations": sorted(model["operations"])}
        prefixes.add(model["metadata"]["endpointPrefix"])
    files[f"{PACKAGED_DATA_DIR}/{ENDPOINTS}.json"] = _dump(pruned_endpoints(prefixes))
    files[f"{PACKAGED_DATA_DIR}/{MANIFEST}"] = _dump(manifest)
    return files
