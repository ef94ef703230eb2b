"""The handlers' botocore data loader (functions.shared.botocore_loader) answers as botocore's own, at a fraction of
the file-system calls (issue 12 §4, boto/botocore#3687)."""

from __future__ import annotations

import gzip
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import botocore.loaders
import botocore.session
import pytest
from botocore.exceptions import DataNotFoundError, UnknownServiceError

from functions.shared import aws, botocore_loader

#: Every service a handler creates a client for (bench/COLD_START.md, "clients (created at)").
HANDLER_SERVICES = ("dynamodb", "bedrock-runtime", "events", "s3", "apigatewaymanagementapi")
TYPE_NAMES = ("service-2", "endpoint-rule-set-1", "paginators-1", "waiters-2")


def _default() -> botocore.loaders.Loader:
    return botocore.loaders.create_loader()


def _sample_of_others() -> list[str]:
    known = _default().list_available_services("service-2")
    return [name for name in known[::40] if name not in HANDLER_SERVICES]


def _outcome(loader: botocore.loaders.Loader, service: str, type_name: str, api_version: str | None = None) -> Any:
    """The model, or the type and message of the error, that ``load_service_model`` gives."""
    try:
        return loader.load_service_model(service, type_name, api_version)
    except DataNotFoundError as error:
        return (type(error), str(error))


@pytest.mark.parametrize("service", [*HANDLER_SERVICES, *_sample_of_others()])
def test_every_model_is_the_one_botocore_loads(service: str) -> None:
    default, ours = _default(), botocore_loader.create_loader()
    assert isinstance(ours, botocore_loader.ServiceDirectoryLoader)
    for type_name in TYPE_NAMES:
        assert _outcome(ours, service, type_name) == _outcome(default, service, type_name), type_name


def test_an_older_api_version_asked_for_is_the_one_loaded() -> None:
    default, ours = _default(), botocore_loader.create_loader()
    assert _outcome(ours, "dynamodb", "service-2", "2011-12-05") == _outcome(
        default, "dynamodb", "service-2", "2011-12-05"
    )
    missing = _outcome(ours, "dynamodb", "service-2", "1999-01-01")
    assert missing == _outcome(default, "dynamodb", "service-2", "1999-01-01")
    assert missing[0] is DataNotFoundError


@pytest.mark.parametrize(
    "name",
    [
        "no-such-service",
        "../data/dynamodb",  # a path that reaches a real service directory, but no service's name
        "dynamodb/2012-08-10",
        ".",
        "",
    ],
)
def test_an_unknown_name_raises_botocores_error_listing_the_known_names(name: str) -> None:
    ours = botocore_loader.create_loader()
    with pytest.raises(UnknownServiceError) as raised:
        ours.load_service_model(name, "service-2")
    assert str(raised.value) == _outcome(_default(), name, "service-2")[1]
    assert "dynamodb, dynamodbstreams" in str(raised.value)


def test_a_service_without_that_type_is_unknown_for_it_as_in_botocore() -> None:
    """``apigatewaymanagementapi`` has no waiters: botocore says unknown service, not merely no data, for them."""
    outcome = _outcome(botocore_loader.create_loader(), "apigatewaymanagementapi", "waiters-2")
    assert outcome == _outcome(_default(), "apigatewaymanagementapi", "waiters-2")
    assert outcome[0] is UnknownServiceError


def _write(path: Path, document: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(json.dumps(document).encode()))


def _data_dir(root: Path) -> Path:
    """An AWS_DATA_PATH directory: a service of its own, and a newer DynamoDB API version than botocore's."""
    own = {"metadata": {"apiVersion": "2020-01-01", "serviceId": "Own"}, "operations": {}, "shapes": {}}
    _write(root / "ownservice" / "2020-01-01" / "service-2.json.gz", own)
    newer = {"metadata": {"apiVersion": "2099-01-01", "serviceId": "DynamoDB"}, "operations": {}, "shapes": {}}
    _write(root / "dynamodb" / "2099-01-01" / "service-2.json.gz", newer)
    return root


def test_aws_data_path_directories_are_searched_first_as_in_botocore(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    extra = _data_dir(tmp_path / "models")
    monkeypatch.setenv("AWS_DATA_PATH", f"{tmp_path / 'absent'}{os.pathsep}{extra}")
    loader = aws._session.__wrapped__().get_component("data_loader")
    default = botocore.session.get_session().get_component("data_loader")
    assert isinstance(loader, botocore_loader.ServiceDirectoryLoader)
    assert loader.search_paths == default.search_paths
    assert loader.search_paths[:2] == [str(tmp_path / "absent"), str(extra)]
    for service in ("ownservice", "dynamodb"):
        assert _outcome(loader, service, "service-2") == _outcome(default, service, "service-2")
    assert loader.load_service_model("dynamodb", "service-2")["metadata"]["apiVersion"] == "2099-01-01"
    assert loader.load_service_model("ownservice", "service-2")["metadata"]["serviceId"] == "Own"


def test_a_name_is_matched_exactly_even_where_the_file_system_folds_case(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """macOS and Windows file systems answer ``isdir("…/OwnService")`` for ``ownservice``: botocore's full listing
    rejects the name all the same (boto/botocore#611), and so must a loader that no longer lists every service."""
    extra = _data_dir(tmp_path / "models")

    def folding(real: Callable[[str], Any]) -> Callable[[str], Any]:
        def call(path: Any) -> Any:
            text = os.fspath(path)
            if text.startswith(str(extra)):
                text = str(extra) + text[len(str(extra)) :].lower()
            return real(text)

        return call

    for name in ("isdir", "isfile", "exists"):
        monkeypatch.setattr(os.path, name, folding(getattr(os.path, name)))
    monkeypatch.setattr(os, "listdir", folding(os.listdir))
    ours = botocore_loader.create_loader(str(extra))
    assert ours.load_service_model("ownservice", "service-2")["metadata"]["serviceId"] == "Own"
    outcome = _outcome(ours, "OwnService", "service-2")
    assert outcome == _outcome(botocore.loaders.create_loader(str(extra)), "OwnService", "service-2")
    assert outcome[0] is UnknownServiceError


def _counting(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Counts of ``os.listdir`` and ``os.stat`` (behind ``os.path.isdir``/``isfile``/``exists``) from now on."""
    counts = {"listdir": 0, "stat": 0}

    def counting(name: str, real: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            counts[name] += 1
            return real(*args, **kwargs)

        return call

    monkeypatch.setattr(os, "listdir", counting("listdir", os.listdir))
    monkeypatch.setattr(os, "stat", counting("stat", os.stat))
    return counts


def _create_dynamodb(session: botocore.session.Session) -> None:
    session.create_client("dynamodb", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y")


def test_the_first_client_of_a_session_reads_a_handful_of_directories(monkeypatch: pytest.MonkeyPatch) -> None:
    """One DynamoDB client: botocore's loader lists every service directory (~420) once per type name it loads
    (service-2, endpoint-rule-set-1); the handlers' loader lists each search path once and the service's own."""
    services = len(_default().list_available_services("service-2"))
    file_system_calls = _counting(monkeypatch)
    _create_dynamodb(botocore.session.get_session())
    default = dict(file_system_calls)
    file_system_calls.update(listdir=0, stat=0)
    _create_dynamodb(aws._session.__wrapped__())
    assert default["listdir"] > services  # the assertion below measures something botocore does do
    assert file_system_calls["listdir"] <= 8
    assert file_system_calls["stat"] <= 80 < services


def test_a_botocore_without_the_members_it_uses_gets_botocores_own_loader(monkeypatch: pytest.MonkeyPatch) -> None:
    assert botocore_loader.supported()
    monkeypatch.setattr(botocore_loader, "_REQUIRED_MEMBERS", (*botocore_loader._REQUIRED_MEMBERS, "_gone"))
    loader = botocore_loader.create_loader()
    assert type(loader) is botocore.loaders.Loader


@pytest.mark.parametrize("member", ["_find_extras", "_potential_locations"])
def test_a_private_member_whose_signature_changed_falls_back_to_botocores_own_method(
    monkeypatch: pytest.MonkeyPatch, member: str
) -> None:
    """review1 F5: the Lambda runtime brings its own botocore; a private member that still exists but takes other
    arguments must not break every client (botocore's own method loads the model instead)."""
    original = getattr(botocore.loaders.Loader, member)

    def changed(self: botocore.loaders.Loader, *args: Any, region: str, **kwargs: Any) -> Any:
        return original(self, *args, **kwargs)

    ours = botocore_loader.create_loader()
    assert isinstance(ours, botocore_loader.ServiceDirectoryLoader)
    expected = _default().load_service_model("dynamodb", "service-2")
    # The new signature only on our loader's lookups: botocore's own method is called with the old one, as a
    # botocore whose own code matched its new signature would.
    calls = {"changed": 0}

    def on_ours(self: botocore.loaders.Loader, *args: Any, **kwargs: Any) -> Any:
        if kwargs.pop("_from_botocore", False):
            return original(self, *args, **kwargs)
        calls["changed"] += 1
        return changed(self, *args, **kwargs)

    monkeypatch.setattr(botocore_loader.ServiceDirectoryLoader, member, on_ours)
    monkeypatch.setattr(
        botocore.loaders.Loader,
        "load_service_model",
        _with_original(botocore.loaders.Loader.load_service_model, member, original),
    )
    assert ours.load_service_model("dynamodb", "service-2") == expected
    assert calls["changed"] >= 1  # the changed member was met, and the fallback loaded the model


def _with_original(method: Callable[..., Any], member: str, original: Callable[..., Any]) -> Callable[..., Any]:
    """botocore's ``load_service_model`` running with the member botocore itself was written against."""

    def load(self: botocore.loaders.Loader, *args: Any, **kwargs: Any) -> Any:
        saved = self.__dict__.get(member)
        self.__dict__[member] = original.__get__(self)
        try:
            return method(self, *args, **kwargs)
        finally:
            if saved is None:
                del self.__dict__[member]
            else:
                self.__dict__[member] = saved

    return load
