"""Import structure that keeps the handlers' cold starts lean (issue 12 §4; measured by bench/cold_start.py).

No timing is asserted (the machine is shared): what is checked is *what* a cold start does, which decides its
time: the clients it creates, the modules it imports, the models it builds.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bench import cold_start
from components import bundle
from functions.shared import idempotency
from tests.functions.conftest import ENVIRONMENT

ROOT = Path(__file__).resolve().parents[2]
CONNECTIONS_HANDLER = "functions.connections.handler.lambda_handler"


def test_every_idempotency_layer_shares_one_client() -> None:
    # A layer given no client builds its own boto3 Session and client, at import: one per effect.
    first, second = idempotency.store(), idempotency.store()

    assert first is not second  # layers stay one per effect (Powertools configures a layer once)
    assert first.client is second.client


def _start(target: cold_start.Target, tmp_path: Path) -> dict[str, Any]:
    return cold_start.start_cold(target, cold_start.extract(target, tmp_path / target.name), tmp_path)


def test_the_bench_times_every_client_a_cold_start_creates_and_names_its_phase(tmp_path: Path) -> None:
    floor = _start(cold_start.floor_target({}), tmp_path)
    with_client = _start(cold_start.floor_client_target({}), tmp_path)

    assert floor["clients"] == []
    assert floor["clients_cpu_ms"] == 0
    assert [(c["service"], c["phase"]) for c in with_client["clients"]] == [("dynamodb", "import")]
    assert with_client["clients_cpu_ms"] > 0
    assert cold_start.clients_said(with_client["clients"]) == "dynamodb (import)"


def test_a_handler_without_idempotency_imports_neither_boto3_nor_powertools_idempotency(tmp_path: Path) -> None:
    """The `$connect` route makes one DynamoDB call: botocore serves it; boto3 is only Powertools' idempotency's."""
    description, event, responses, succeeded = cold_start._connection_workload("api-ws-connections")
    target = cold_start.Target(
        name="api-ws-connections",
        handler=CONNECTIONS_HANDLER,
        environment={k: v for k, v in ENVIRONMENT.items() if not k.startswith(("AWS_", "POWERTOOLS_TRACE"))},
        files=bundle.package_files(ROOT, CONNECTIONS_HANDLER, ()),
        event=event,
        description=description,
        responses=responses,
        succeeded=succeeded,
    )
    run = _start(target, tmp_path)

    assert [(c["service"], c["phase"]) for c in run["clients"]] == [("dynamodb", "invoke")]
    imported = set(run["modules"])
    assert "botocore.session" in imported
    assert not imported & {"boto3", "s3transfer", "aws_lambda_powertools.utilities.idempotency"}


@pytest.fixture(scope="module")
def plan() -> dict[str, cold_start.Target]:
    """The dev plan's functions as the bench starts them (handler, environment, package, first event)."""
    return {target.name: target for target in cold_start.plan_targets("dev")}


@pytest.mark.parametrize("name", ["decide", "deliver", "router"])
def test_the_idempotency_store_and_the_handler_share_one_dynamodb_client(
    plan: dict[str, cold_start.Target], name: str, tmp_path: Path
) -> None:
    """These handlers read and write their own tables as well as the idempotency store's: one client for both
    (a second DynamoDB client cost about 4 ms of each cold start: bench/COLD_START.md)."""
    run = _start(plan[name], tmp_path)

    services = [c["service"] for c in run["clients"]]
    assert services.count("dynamodb") == 1, cold_start.clients_said(run["clients"])
    assert services[0] == "dynamodb" and run["clients"][0]["phase"] == "import"  # the store's, built at import


@pytest.mark.parametrize("name", ["api-ws-connections", "deliver"])
def test_a_cold_start_reads_its_packages_pruned_botocore_data(
    plan: dict[str, cold_start.Target], name: str, tmp_path: Path
) -> None:
    """From its own extracted package the handlers' loader searches the pruned data (components/sdk_models.py);
    the same package without it (the bench's `--unpruned` row) falls back to botocore's own data, and both answer."""
    pruned = _start(plan[name], tmp_path / "pruned")
    assert pruned["pruned_data"] == str(tmp_path / "pruned" / name / "functions" / "shared" / "botocore_data")

    full = cold_start.unpruned_target(plan[name])
    assert full is not None
    assert not [f for f in full.files if "botocore_data" in f]
    assert set(plan[name].files) - set(full.files)
    assert _start(full, tmp_path / "full")["pruned_data"] is None
    assert cold_start.unpruned_target(plan["api-ws-authorizer"]) is None  # no AWS call, no data


def _fresh(code: str) -> list[str]:
    """Run `code` in a fresh interpreter (this one has long imported everything); its printed lines."""
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


@pytest.mark.parametrize(
    ("handler", "validated", "built"),
    [
        pytest.param("functions.ingest.handler", "RequestReceived", {"RequestReceived"}, id="ingest"),
        pytest.param("functions.router.handler", "RequestReceived", {"RequestReceived"}, id="router"),
        pytest.param("functions.deliver.handler", "DecisionMade", {"DecisionMade"}, id="deliver"),
    ],
)
def test_a_handler_builds_only_the_contract_models_it_uses(handler: str, validated: str, built: set[str]) -> None:
    code = (
        f"import {handler}\n"
        "from functions.shared import events\n"
        "models = [events.PlatformEvent, events.TierAttempt, events.TierSkip, *events.EVENT_TYPES]\n"
        "print('at-import', *[m.__name__ for m in models if m.__pydantic_complete__])\n"
        f"model = events.{validated}\n"
        "model.model_validate(model.model_json_schema()['examples'][0])\n"
        "print('after', *[m.__name__ for m in models if m.__pydantic_complete__])\n"
    )
    printed = _fresh(code)
    split = printed.index("after")

    assert printed[1:split] == []
    assert set(printed[split + 1 :]) == built
