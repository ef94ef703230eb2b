"""The pruned botocore data of each package behaves as botocore's own for everything the function calls (issue 12 §4).

For every function of the dev plan that calls AWS, its package's ``functions/shared/botocore_data/`` (written by
``components.sdk_models``) is extracted and loaded through the handlers' loader, and a client on it is compared
with a client on botocore's full data, for every operation the package's code calls (``components.sdk_calls``):
the request each sends (method, URL, headers, body: what botocore serialised and signed), the parsed success
response, and the exception and parsed response for every error shape of the service, all answered with the same
bytes at the HTTP layer (``before-send``). Endpoints are compared for every region of every partition.
"""

from __future__ import annotations

import io
import itertools
import json
from collections.abc import Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import Any

import botocore.session
import pytest
from botocore import xform_name
from botocore.awsrequest import AWSResponse
from botocore.config import Config
from botocore.exceptions import ClientError
from botocore.loaders import Loader
from botocore.regions import EndpointResolver
from botocore.response import StreamingBody

from bench import cold_start
from components import sdk_models
from functions.shared import botocore_loader
from tests.components import sdk_wire

#: The one service whose clients the handlers create with an endpoint (deliver: the WebSocket API's own URL).
ENDPOINT_URLS = {"apigatewaymanagementapi": "https://abcdef1234.execute-api.us-east-1.amazonaws.com/live"}
#: One region of each kind: the default, another commercial one, China, GovCloud, and the EU sovereign partition.
REGIONS = ("us-east-1", "eu-central-1", "cn-north-1", "us-gov-west-1", "eusc-de-east-1")
#: Headers that differ between any two requests (time, random ids), and the signature computed over them.
_VOLATILE = frozenset({"authorization", "x-amz-date", "amz-sdk-invocation-id"})


@cache
def _packages() -> dict[str, dict[str, bytes]]:
    """Each function of the dev plan -> the pruned data files of its package (path below the data directory)."""
    prefix = f"{sdk_models.PACKAGED_DATA_DIR}/"
    found = {}
    for target in cold_start.plan_targets("dev"):
        data = {name[len(prefix) :]: content for name, content in target.files.items() if name.startswith(prefix)}
        if data:
            found[target.name] = data
    return found


@pytest.fixture(scope="module")
def data_dirs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each package's pruned data, extracted as the package holds it."""
    dirs = {}
    for name, files in _packages().items():
        root = tmp_path_factory.mktemp(name)
        for path, content in files.items():
            (root / path).parent.mkdir(parents=True, exist_ok=True)
            (root / path).write_bytes(content)
        dirs[name] = root
    return dirs


def _manifest(files: Mapping[str, bytes]) -> dict[str, Any]:
    return dict(json.loads(files[botocore_loader.MANIFEST]))


def _cases() -> Iterator[tuple[str, str]]:
    for name, files in sorted(_packages().items()):
        for service in sorted(_manifest(files)["services"]):
            yield name, service


def test_every_calling_function_has_pruned_data() -> None:
    # The dev plan's functions that call AWS (all but the authorizer), each with its services.
    services = {name: set(_manifest(files)["services"]) for name, files in _packages().items()}
    assert services["ingest"] >= {"dynamodb", "bedrock-runtime", "events"}
    assert services["deliver"] >= {"dynamodb", "s3", "apigatewaymanagementapi", "events"}
    assert "api-ws-authorizer" not in services


def _session(data_dir: Path | None) -> botocore.session.Session:
    session = botocore.session.Session()
    loader = botocore_loader.create_loader(None, packaged=None if data_dir is None else str(data_dir))
    if data_dir is not None:
        assert isinstance(loader, botocore_loader.ServiceDirectoryLoader)
        assert loader.packaged_path == str(data_dir), "the manifest was refused: the pruned data would not be used"
    session.register_component("data_loader", loader)
    return session


class _Raw(io.BytesIO):
    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self.getvalue()


class _Wire:
    """A client whose requests are recorded and answered with ``self.response`` (set before each call)."""

    def __init__(self, service: str, data_dir: Path | None, region: str = "us-east-1") -> None:
        self.response: dict[str, Any] = {"status": 200, "headers": {}, "body": b"{}"}
        self.sent: list[Any] = []
        self.session = _session(data_dir)
        self.client = self.session.create_client(
            service,
            region_name=region,
            endpoint_url=ENDPOINT_URLS.get(service),
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            config=Config(retries={"mode": "standard", "total_max_attempts": 1}),
        )
        self.client.meta.events.register("before-send", self._answer)

    def _answer(self, request: Any, **_: Any) -> AWSResponse:
        self.sent.append(request)
        r = self.response
        return AWSResponse(request.url, r["status"], r["headers"], _Raw(r["body"]))

    def call(self, operation: str, params: dict[str, Any], response: dict[str, Any]) -> tuple[Any, Any]:
        """(outcome, request): the parsed result or the error, and what was sent (None when nothing was)."""
        self.response, self.sent = response, []
        try:
            outcome: Any = ("ok", _plain(getattr(self.client, xform_name(operation))(**params)))
        except ClientError as error:
            outcome = ("error", type(error).__name__, _plain(error.response))
        except Exception as error:  # a validation or serialisation error must match too
            outcome = ("raised", type(error).__name__, str(error))
        return outcome, (_request(self.sent[0]) if self.sent else None)


def _plain(value: Any) -> Any:
    if isinstance(value, StreamingBody):
        return ("stream", value.read())
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _request(request: Any) -> dict[str, Any]:
    body = request.body
    if hasattr(body, "read"):
        body = body.read()
    headers = {k.lower(): v for k, v in request.headers.items() if k.lower() not in _VOLATILE}
    return {"method": request.method, "url": request.url, "headers": headers, "body": body}


@pytest.mark.parametrize(("function", "service"), list(_cases()))
def test_pruned_model_holds_the_calls_and_answers_as_the_full_one(
    function: str, service: str, data_dirs: dict[str, Path]
) -> None:
    data_dir = data_dirs[function]
    operations = _manifest(_packages()[function])["services"][service]["operations"]
    full, pruned = _Wire(service, None), _Wire(service, data_dir)
    # the pruned client's model is the package's copy, and holds exactly the kept operations
    version = full.client.meta.service_model.api_version
    _, path = pruned.client._loader.load_data_with_path(f"{service}/{version}/service-2")
    assert path.startswith(str(data_dir)), path
    assert sorted(pruned.client.meta.service_model.operation_names) == operations
    assert sorted(dir(pruned.client.exceptions)) == sorted(dir(full.client.exceptions))
    model = full.client.meta.service_model
    error_shapes = model.error_shapes
    for name in operations:
        operation = model.operation_model(name)
        for required_only in (True, False):
            request = sdk_wire.params(operation, required_only=required_only)
            answer = sdk_wire.success(operation)
            expected = full.call(name, request, answer)
            assert pruned.call(name, request, answer) == expected, (name, required_only)
            if required_only:
                outcome = expected[0]
                assert outcome[0] == "ok", (name, outcome)
                members = set(operation.output_shape.members) if operation.output_shape else set()
                assert not members or set(outcome[1]) - {"ResponseMetadata"}, (name, outcome)
        request = sdk_wire.params(operation, required_only=True)
        for shape in error_shapes:
            answer = sdk_wire.error(operation, shape)
            expected = full.call(name, request, answer)
            assert pruned.call(name, request, answer) == expected, (name, shape.name)
            assert expected[0][0] == "error", (name, shape.name, expected[0])


@pytest.mark.parametrize(("function", "service"), list(_cases()))
def test_pruned_clients_resolve_endpoints_as_the_full_ones(
    function: str, service: str, data_dirs: dict[str, Path]
) -> None:
    for region in REGIONS:
        wire = _Wire(service, data_dirs[function], region)
        full, pruned = _Wire(service, None, region).client, wire.client
        # botocore hands a non-builtin endpoints.json's legacy endpoint to the rule set as SDK::Endpoint
        assert wire.session._get_internal_component("endpoint_resolver").uses_builtin_data
        seen = [
            (c.meta.endpoint_url, c.meta.region_name, c.meta.partition, c._request_signer._signing_name)
            for c in (full, pruned)
        ]
        assert seen[0] == seen[1], (service, region)


def _outcome(resolver: EndpointResolver, prefix: str, region: str, args: Mapping[str, bool]) -> Any:
    try:
        return resolver.construct_endpoint(prefix, region, **args)
    except Exception as error:  # a variant a region lacks raises, and must raise alike
        return (type(error).__name__, str(error))


@pytest.mark.parametrize("function", sorted(_packages()))
def test_pruned_endpoints_match_botocore_for_every_region(function: str) -> None:
    files = _packages()[function]
    kept = {
        Loader().load_service_model(s, "service-2")["metadata"]["endpointPrefix"] for s in _manifest(files)["services"]
    }
    data = Loader().load_data("endpoints")
    full = EndpointResolver(data, uses_builtin_data=True)
    pruned = EndpointResolver(json.loads(files[f"{botocore_loader.ENDPOINTS}.json"]), uses_builtin_data=True)
    assert pruned.get_available_partitions() == full.get_available_partitions()
    compared = 0
    for partition in data["partitions"]:
        regions = sorted(set(partition["regions"]) | {f"{next(iter(partition['regions']), 'x')}-new-9"})
        for region, prefix, fips, dual in itertools.product(regions, sorted(kept), (False, True), (False, True)):
            args = {"use_fips_endpoint": fips, "use_dualstack_endpoint": dual}
            assert _outcome(pruned, prefix, region, args) == _outcome(full, prefix, region, args), (prefix, region)
            compared += 1
        for prefix in kept:
            name = partition["partition"]
            assert pruned.get_available_endpoints(prefix, name) == full.get_available_endpoints(prefix, name)
    assert compared > 100


def test_a_newer_botocore_or_a_bad_manifest_falls_back_to_botocores_data(
    data_dirs: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    directory = str(next(iter(data_dirs.values())))
    assert botocore_loader.packaged_data_path(directory) == directory
    monkeypatch.setattr(botocore, "__version__", "999.0.0")
    assert botocore_loader.packaged_data_path(directory) is None
    loader = botocore_loader.create_loader(None, packaged=directory)
    assert directory not in loader.search_paths
    monkeypatch.undo()
    (tmp_path / botocore_loader.MANIFEST).write_text("{not json", encoding="utf-8")
    assert botocore_loader.packaged_data_path(str(tmp_path)) is None
    assert botocore_loader.packaged_data_path(str(tmp_path / "missing")) is None
