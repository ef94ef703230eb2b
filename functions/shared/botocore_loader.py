"""botocore's data loader without the scan of every service directory (per model type, in a process's first client).

Why: botocore 1.44.8's ``Loader.load_service_model`` (``botocore/loaders.py``) validates the service name by
calling ``list_available_services(type_name)``, which ``listdir``s and ``stat``s every one of the ~420 service
directories under each search path, once per type name and loader (``service-2`` and ``endpoint-rule-set-1``,
paid by the first client): 894 ``listdir`` and 2,725 ``stat`` calls for one DynamoDB client, about a third of
its CPU here (20 of 60 ms; issue 12 §4, ``bench/COLD_START.md``). The list is only read when the name is unknown.
botocore's own open pull request removes the call from the happy path: boto/botocore#3687 "Remove
list_available_services from client creation happy path" (2026-04-24, open at botocore 1.44.8).

:class:`ServiceDirectoryLoader` decides "is this a known service for this type" from the requested service's
own directory, with the same answer as membership in ``list_available_services(type_name)``:

* same search paths, in the same order (:func:`create_loader` is botocore's ``create_loader`` with this class,
  so ``AWS_DATA_PATH`` extra directories keep working);
* a service is known when a search path's directory listing holds exactly that name as a directory with an API
  version holding a ``type_name`` file (the ``file_loader.exists`` test botocore uses). *Exactly*: the name must
  be an entry of the search path's listing (one ``listdir`` of each search path, cached), not merely a path that
  ``os.path.isdir`` accepts. Without it a case-insensitive file system (macOS, Windows) would accept ``"S3"`` or
  ``"DynamoDB"``, the bug botocore fixed with this very check (boto/botocore#611, #648), and a name holding a
  path separator or ``".."`` (``"../data/dynamodb"``) would reach another directory. The PR's review notes an
  edge case (its text is cut off in the copy read here); these are the edges the full listing enforced, kept
  and compared with botocore's loader in tests/functions/test_botocore_loader.py;
* an unknown name raises the same ``UnknownServiceError`` listing every known name (the full scan runs then,
  on the error path only); ``DataNotFoundError``s and the latest-version choice are botocore's own
  (``determine_latest_version``, ``list_api_versions``, ``load_data``), as are the extras it merges.

It also searches the package's pruned copy of botocore's data, ``botocore_data/`` next to this module, written at
bundle time by :mod:`components.sdk_models` (each service model cut to the operations the function calls, and
``endpoints.json`` cut to their services; issue 12 §4): ahead of botocore's own data, so each first client parses a
few kilobytes instead of ``endpoints.json``'s 1.2 MB and each service's whole model. Where botocore's own copy must
win, it does:

* a newer API version of a service in the runtime's botocore: botocore takes the latest version over every search
  path, and the pruned copy only holds the version it was cut from;
* a runtime botocore newer than the one the data was cut from (``manifest.json``): the directory is not searched;
* botocore's plain ``Loader`` (below): not searched either, because only this class counts the copy of
  ``endpoints.json`` as botocore's own (:meth:`ServiceDirectoryLoader.is_builtin_path`): botocore hands a
  non-builtin ``endpoints.json``'s legacy endpoint to the rule set as ``SDK::Endpoint``
  (``ClientArgsCreator.compute_endpoint_resolver_builtin_defaults``), which a pruned copy of builtin data must not do.

The loader reuses three private members of botocore's ``Loader`` (``_potential_locations``, ``_find_extras``,
``_extras_processor``). The Lambda runtime brings its own botocore, so :func:`create_loader` falls back to
botocore's plain ``Loader`` when any of them is missing, and :meth:`ServiceDirectoryLoader.load_service_model` falls
back to botocore's own method when one of them fails with ``AttributeError``/``TypeError`` (a changed signature):
never a broken client, at worst the old cost.
"""

# os.path, not pathlib: this mirrors botocore's loader, whose paths are str (``file_loader.exists`` appends the
# extensions to one) and whose os.listdir/os.path calls the file-system-call test counts.
# ruff: noqa: PTH100, PTH111, PTH112, PTH118, PTH120, PTH208

from __future__ import annotations

import json
import os
from typing import Any

import botocore
from botocore.exceptions import UnknownServiceError
from botocore.loaders import Loader, instance_cache

#: The package's pruned botocore data (``components.sdk_models``): its directory next to this module, and its files.
PACKAGED_DATA_DIRNAME = "botocore_data"
PACKAGED_DATA_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), PACKAGED_DATA_DIRNAME)
MANIFEST = "manifest.json"
ENDPOINTS = "endpoints"
SERVICE_MODEL = "service-2"

#: The private members of botocore's ``Loader`` this subclass relies on (present in botocore 1.44.8).
_REQUIRED_MEMBERS = ("_potential_locations", "_find_extras", "_extras_processor", "file_loader", "_cache")


class ServiceDirectoryLoader(Loader):
    """A botocore ``Loader`` whose ``load_service_model`` looks only at the requested service's directory."""

    def __init__(self, *args: Any, packaged_path: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._entries: dict[str, frozenset[str]] = {}
        self.packaged_path = packaged_path

    def is_builtin_path(self, path: str) -> bool:
        """botocore's test, and true for the package's pruned copy (a subset of botocore's own data, unchanged)."""
        if self.packaged_path is not None and path.startswith(self.packaged_path + os.sep):
            return True
        return bool(super().is_builtin_path(path))

    def _listing(self, search_path: str) -> frozenset[str]:
        """The names in one search path's directory (one ``listdir`` per search path and loader)."""
        if search_path not in self._entries:
            self._entries[search_path] = frozenset(os.listdir(search_path))
        return self._entries[search_path]

    def is_known_service(self, service_name: str, type_name: str) -> bool:
        """Whether ``service_name in self.list_available_services(type_name)``, without listing every service.

        The same test as botocore's ``list_available_services``, applied to one name: an entry of a search path
        that is a directory, with an API version directory holding a ``type_name`` file.
        """
        for search_path in self._potential_locations():
            if service_name not in self._listing(search_path):
                continue
            service_dir = os.path.join(search_path, service_name)
            if not os.path.isdir(service_dir):
                continue
            for api_version in os.listdir(service_dir):
                if self.file_loader.exists(os.path.join(service_dir, api_version, type_name)):
                    return True
        return False

    @instance_cache
    def load_service_model(self, service_name: str, type_name: str, api_version: str | None = None) -> Any:
        """botocore's ``Loader.load_service_model`` (1.44.8) with the name checked by :meth:`is_known_service`."""
        try:
            known = self.is_known_service(service_name, type_name)
        except (AttributeError, TypeError):  # a botocore whose private members changed shape: its own way
            return super().load_service_model(service_name, type_name, api_version)
        if not known:
            known_services = self.list_available_services(type_name)
            raise UnknownServiceError(service_name=service_name, known_service_names=", ".join(known_services))
        if api_version is None:
            api_version = self.determine_latest_version(service_name, type_name)
        model = self.load_data(os.path.join(service_name, api_version, type_name))
        try:
            extras = self._find_extras(service_name, type_name, api_version)
            self._extras_processor.process(model, extras)
        except (AttributeError, TypeError):
            # Same reason: botocore's own method loads the model again, with whatever its extras now need.
            return super().load_service_model(service_name, type_name, api_version)
        return model


def supported() -> bool:
    """Whether the installed botocore has every private member :class:`ServiceDirectoryLoader` uses."""
    probe = Loader(include_default_search_paths=False)
    return all(hasattr(probe, name) for name in _REQUIRED_MEMBERS)


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(".") if part.isdigit())


def packaged_data_path(directory: str = PACKAGED_DATA_PATH) -> str | None:
    """``directory`` when it holds pruned data this botocore may use (not newer than the data's), else None.

    An unreadable manifest counts as no data: the full models are botocore's own and always right.
    """
    try:
        with open(os.path.join(directory, MANIFEST), encoding="utf-8") as handle:  # noqa: PTH123 (os.path module)
            made_with = json.load(handle)["botocore"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not isinstance(made_with, str) or _version(botocore.__version__) > _version(made_with):
        return None
    return directory


def create_loader(search_path_string: str | None = None, packaged: str | None = PACKAGED_DATA_PATH) -> Loader:
    """botocore's ``loaders.create_loader`` (the session's default ``data_loader``), with this module's class.

    ``search_path_string`` is the session's ``data_path`` config variable (``AWS_DATA_PATH``): paths separated by
    ``os.pathsep``, each with ``~`` and variables expanded, searched before ``~/.aws/models`` and botocore's data.
    The package's pruned data (``packaged``, when :func:`packaged_data_path` accepts it) is searched after them (so
    ``AWS_DATA_PATH`` still overrides everything) and before botocore's own.
    """
    paths = []
    if search_path_string is not None:
        paths = [os.path.expanduser(os.path.expandvars(path)) for path in search_path_string.split(os.pathsep)]
    if not supported():
        return Loader(extra_search_paths=paths) if search_path_string is not None else Loader()
    usable = packaged_data_path(packaged) if packaged is not None else None
    if usable is not None:
        paths.append(usable)
    return ServiceDirectoryLoader(extra_search_paths=paths, packaged_path=usable)
