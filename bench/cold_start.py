"""Cold start of every function against a floor, and the size of each deployment package (issue 12 §4).

For each Lambda function of the synthesised plan (its handler and the environment variables the plan
gives it), in fresh processes (`bench/cold_start_child.py`, one per measurement, `--repeat` times,
medians), from its own deployment package extracted as Lambda would see it (`components.bundle`):

* import ms: importing the handler module (what Lambda's init phase runs);
* invoke ms: its first invocation with a representative event, AWS answered at the HTTP layer;
* x floor: (import + first invocation) over the same for a minimal Powertools handler (Logger, Tracer,
  Metrics; the Tracer patches botocore, as the handlers' do), measured in the same run. Target: at most
  1.2 for every handler. The machine is shared and noisy: only ratios within one run mean anything;
* clients, client ms: how many SDK clients the cold start created (import and first invocation together) and
  the CPU ms spent creating them (`bench/cold_start_child.py` times botocore's `Session.create_client`). The
  floor creates none; the first client of a process also loads botocore's partitions and endpoint data, each
  client its own service model and endpoint rule set;
* x floor -clients: the same ratio with the handler's client creation taken out: what its imports, models
  and calls cost beyond the floor. A handler within 1.2x here and over it above is over *only* because of
  the AWS clients its path needs, which the floor does not create (issue 12 §4);
* x floor+ddb: the same over a second, separately labelled reference that is *not* the target: the floor
  plus the one boto3 client every handler must create (DynamoDB, the idempotency store's service, created at
  import as the store's is) and one conditional PutItem (what the store writes first on every invocation).
  It says how much of a handler's cost is the SDK's client itself (loading the service model, endpoint
  rules and partitions) and how much is the handler's own;
* with `--unpruned`, a row `<name>~full` after each function whose package carries pruned botocore data
  (`components.sdk_models`): the same package without it, started in the same run, interleaved, so that the
  data's gain is read within one run (not judged against the target);
* package KB: the deterministic zip of the package (target under 100 KB, no `__pycache__`, `.pyc` or
  compiled extension: the bench fails on any).

A second table names the event each function is invoked with and the clients it created (service, phase).
Figures before and after the cuts of issue 12 §4, one run each: `bench/COLD_START.md`.

The environment is Lambda's runtime environment as well as the plan's (`LAMBDA_TASK_ROOT` set, so the
Tracer is active and patches as it does in Lambda; `_X_AMZN_TRACE_ID` a sampled trace header; the X-Ray
daemon address loopback), per docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html
("Defined runtime environment variables") and the tracing header format in
docs.aws.amazon.com/xray/latest/devguide/xray-concepts.html#xray-concepts-tracingheader.

Usage: `python bench/cold_start.py [--repeat N] [--stack dev] [--unpruned]` (also run by `bench/run.py`, `make bench`).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from components import bundle, sdk_models  # noqa: E402
from components.api import AUTHORIZER_PACKAGES  # noqa: E402
from functions.shared.events import DecisionMade, ModelAnswered, RequestReceived  # noqa: E402
from tests.functions.factories import (  # noqa: E402
    agent_event,
    api_event,
    converse_response,
    envelope,
    guardrail_pass,
    model_json,
    new_request_id,
)

CHILD = Path(__file__).with_name("cold_start_child.py")
LAMBDA_FUNCTION = "aws:lambda/function:Function"
#: Target of issue 12 §4: (import + first invocation) of every handler at most this times the floor's.
TARGET_RATIO = 1.2
#: Target of issue 12 §4 for each deployment package (deterministic zip).
TARGET_PACKAGE_BYTES = 100 * 1024
#: Top-level modules a deployment package must never need: the tooling, and PyYAML (not bundled).
FORBIDDEN = ("preflight", "policies", "components", "iamlang", "bench", "tests", "yaml")

FLOOR_SOURCE = '''"""The floor: Powertools' Logger, Tracer (patching botocore) and Metrics, and nothing else."""
from aws_lambda_powertools import Logger, Metrics, Tracer

logger = Logger()
tracer = Tracer(patch_modules=("botocore",))
metrics = Metrics()


@logger.inject_lambda_context
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics
def lambda_handler(event, context):
    return {"status": "ok"}
'''

#: The second reference (not the target): the floor plus one boto3 client of the service every handler uses
#: (DynamoDB: the idempotency store), created at import, and the store's first write (a conditional PutItem).
FLOOR_CLIENT_SOURCE = '''"""The floor plus one boto3 DynamoDB client (created at import) and one conditional PutItem."""
import boto3
from aws_lambda_powertools import Logger, Metrics, Tracer

logger = Logger()
tracer = Tracer(patch_modules=("botocore",))
metrics = Metrics()
dynamodb = boto3.client("dynamodb")


@logger.inject_lambda_context
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics
def lambda_handler(event, context):
    dynamodb.put_item(
        TableName="floor",
        Item={"id": {"S": context.aws_request_id}},
        ConditionExpression="attribute_not_exists(id)",
    )
    return {"status": "ok"}
'''

#: Canned AWS answers (first match wins); each is what the service returns for a successful call.
#: The caller who opened the connection the deliver workload pushes to.
SUBJECT = "9f3c1e2a-7b4d-4e8f-a1c2-3d4e5f6a7b8c"
_DYNAMODB = [
    {"url": "dynamodb.", "target": "DynamoDB_20120810.Query", "body": '{"Items": [], "Count": 0}'},
    {"url": "dynamodb.", "target": "DynamoDB_20120810.", "body": "{}"},  # GetItem (a miss), PutItem, UpdateItem
]
_EVENTS = [{"url": "events.", "target": "AWSEvents.PutEvents", "body": '{"FailedEntryCount": 0, "Entries": [{}]}'}]
_GUARDRAIL = [{"url": "/guardrail/", "body": json.dumps(guardrail_pass())}]
_SNS_PUBLISHED = (
    '<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>m-1</MessageId>'
    "</PublishResult><ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></PublishResponse>"
)


@dataclass(frozen=True)
class Target:
    """One function to start cold: its package, environment, event, AWS answers and expected outcome."""

    name: str
    handler: str
    environment: Mapping[str, str]
    files: Mapping[str, bytes]
    event: Any = field(default_factory=dict)
    description: str = "an empty event"
    responses: list[dict[str, Any]] = field(default_factory=list)
    succeeded: Callable[[Any], bool] = lambda result: True


def _example(model: Any, **changes: Any) -> dict[str, Any]:
    return {**model.model_json_schema()["examples"][0], **changes}


Workload = tuple[str, Any, list[dict[str, Any]], Callable[[Any], bool]]


def _workload(name: str) -> Workload:
    """What `name` is invoked with (said, then the event), the AWS answers its happy path needs, and its success."""
    request_id = new_request_id()
    if name == "ingest":
        # A polling client (no connection_id): naming a connection needs the caller's JWT, which this event lacks.
        body = json.dumps({"prompt": "What is the capital of France?"})
        said = "HTTP API v2 POST, JSON body {prompt}, no JWT (a polling client)"
        return said, api_event(body), _GUARDRAIL + _DYNAMODB + _EVENTS, lambda r: r["statusCode"] == 202
    if name == "actions":
        event = agent_event(body={"prompt": "Renew my parking permit"})
        said = "Bedrock agent action group, POST /requests, body {prompt}"
        return said, event, _GUARDRAIL + _DYNAMODB + _EVENTS, lambda r: r["response"]["httpStatusCode"] == 200
    if name == "router":
        event = envelope("RequestReceived", _example(RequestReceived, request_id=request_id))
        converse = [{"url": "/converse", "body": json.dumps(converse_response(model_json("Paris.", 0.93)))}]
        said = "EventBridge RequestReceived (enveloped); micro answers at 0.93 confidence, cache miss"
        return said, event, converse + _DYNAMODB + _EVENTS, lambda r: r["answer"] == "Paris."
    if name == "decide":
        event = envelope("ModelAnswered", _example(ModelAnswered, request_id=request_id))
        s3 = [{"method": "PUT", "url": ".s3.", "headers": {"ETag": '"e"'}, "body": ""}]
        sns = [{"url": "sns.", "body": _SNS_PUBLISHED}]
        decided = {"DecisionMade", "EscalationRequested"}
        said = "EventBridge ModelAnswered (enveloped, the schema's example)"
        return said, event, s3 + sns + _DYNAMODB + _EVENTS, lambda r: r["detail_type"] in decided
    if name == "deliver":
        key = f"outputs/2025/01/01/{request_id}.json"
        detail = _example(
            DecisionMade, request_id=request_id, output_key=key, connection_id="Ab12Cd34=", subject=SUBJECT
        )
        stored = json.dumps({"answer": "Paris.", "request_id": request_id})
        # The connection is the caller's (functions/shared/connections.py: GetItem of the connections table).
        owned = {"connection_id": {"S": "Ab12Cd34="}, "subject": {"S": SUBJECT}, "expires_at": {"N": "4102444800"}}
        answers = [
            {"url": "dynamodb.", "target": "DynamoDB_20120810.GetItem", "body": json.dumps({"Item": owned})},
            {"method": "GET", "url": ".s3.", "body": stored},
            {"method": "POST", "url": "/@connections/", "body": ""},
        ]
        said = "EventBridge DecisionMade (enveloped) for a connection the caller owns"
        event = envelope("DecisionMade", detail)
        return said, event, answers + _DYNAMODB + _EVENTS, lambda r: r["status"] == "delivered"
    if name.startswith("api-ws-"):
        return _connection_workload(name)
    raise SystemExit(f"bench/cold_start.py: no representative event for function {name!r}")


def _connection_workload(name: str) -> Workload:
    """The WebSocket `$connect` authorizer and the connections handler (functions/connections/)."""
    if name == "api-ws-authorizer":
        # A connection without a token: refused before any network call (a valid token's JWKS fetch would go
        # to the issuer over HTTPS, which the bench does not answer), after the full import and settings read.
        arn = "arn:aws:execute-api:us-east-1:123456789012:abcdef1234/live/$connect"
        event = {"type": "REQUEST", "methodArn": arn, "queryStringParameters": {}}
        said = "WebSocket $connect REQUEST authorizer event without a token (denied)"
        return said, event, [], lambda r: r["policyDocument"]["Statement"][0]["Effect"] == "Deny"
    if name == "api-ws-connections":
        context = {"connectionId": "Ab12Cd34=", "eventType": "CONNECT", "authorizer": {"principalId": SUBJECT}}
        said = "WebSocket $connect of an authorised caller (records the connection)"
        return said, {"requestContext": context}, _DYNAMODB, lambda r: r["statusCode"] == 200
    raise SystemExit(f"bench/cold_start.py: no representative event for function {name!r}")


def lambda_runtime_environment(name: str, package_dir: str, memory_mb: int) -> dict[str, str]:
    """What Lambda itself sets (credentials fake: every call is answered locally)."""
    return {
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_LAMBDA_FUNCTION_NAME": name,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(memory_mb),
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "LAMBDA_TASK_ROOT": package_dir,
        "_X_AMZN_TRACE_ID": "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1",
        "AWS_XRAY_DAEMON_ADDRESS": "127.0.0.1:2000",
        "AWS_XRAY_CONTEXT_MISSING": "LOG_ERROR",
        "PYTHONDONTWRITEBYTECODE": "1",
    }


def name_is_authorizer(handler: str) -> bool:
    """The one function that carries a third-party package (PyJWT: components/api.py AUTHORIZER_PACKAGES)."""
    return handler == "functions.connections.authorizer.lambda_handler"


def plan_targets(stack: str) -> list[Target]:
    """Every Lambda function of the synthesised `stack`, with the plan's handler and environment."""
    from preflight.engine import synthesize  # noqa: PLC0415 (loads the Pulumi SDK runtime)

    graph = synthesize(ROOT, stack)
    targets = []
    for node in sorted(graph.of_type(LAMBDA_FUNCTION), key=lambda n: n.name):
        handler = str(node.inputs["handler"])
        variables = (node.inputs.get("environment") or {}).get("variables") or {}
        description, event, responses, succeeded = _workload(node.name)
        targets.append(
            Target(
                name=node.name,
                handler=handler,
                environment={str(k): str(v) for k, v in variables.items()},
                files=bundle.package_files(ROOT, handler, AUTHORIZER_PACKAGES if name_is_authorizer(handler) else ()),
                event=event,
                description=description,
                responses=responses,
                succeeded=succeeded,
            )
        )
    return targets


def floor_target(environment: Mapping[str, str]) -> Target:
    """The issue's floor: Powertools' Logger, Tracer and Metrics, the plan's Powertools settings, no client."""
    keep = {k: v for k, v in environment.items() if k.startswith("POWERTOOLS_")}
    return Target(
        "floor",
        "floor.lambda_handler",
        {**keep, "POWERTOOLS_SERVICE_NAME": "floor"},
        {"floor.py": FLOOR_SOURCE.encode()},
    )


def floor_client_target(environment: Mapping[str, str]) -> Target:
    """The second reference (`FLOOR_CLIENT_SOURCE`): the floor plus one DynamoDB client and one PutItem."""
    floor = floor_target(environment)
    return Target(
        "floor+ddb",
        floor.handler,
        floor.environment,
        {"floor.py": FLOOR_CLIENT_SOURCE.encode()},
        description="an empty event; one conditional PutItem",
        responses=_DYNAMODB,
    )


def extract(target: Target, directory: Path) -> Path:
    """The package as Lambda's `/var/task` holds it (sources only; nothing compiled)."""
    for name, content in target.files.items():
        path = directory / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    return directory


#: What one cold start yields: import and first invocation, each as wall-clock and as CPU (process) time, and
#: the part of both spent creating SDK clients.
FIGURES = ("import_wall_ms", "invoke_wall_ms", "import_cpu_ms", "invoke_cpu_ms", "clients_wall_ms", "clients_cpu_ms")
#: Names a deployment package must never hold: bytecode (Lambda compiles what it imports from `/var/task`) and
#: compiled extensions, built for the machine that ran the deploy rather than for the function's runtime.
COMPILED_PARTS = ("__pycache__",)
COMPILED_SUFFIXES = (".pyc", ".pyo", ".so", ".pyd", ".dylib")


#: Suffix of the comparison rows `--unpruned` adds: the same package without its pruned botocore data.
UNPRUNED = "~full"


def unpruned_target(target: Target) -> Target | None:
    """`target` without the pruned botocore data of its package (`components.sdk_models`), or None if it has none.

    Its clients then load botocore's whole data, as every package did before the pruned copy: the same code, so
    the two rows of one run differ only by the data (the loader ignores a missing directory).
    """
    prefix = f"{sdk_models.PACKAGED_DATA_DIR}/"
    kept = {name: content for name, content in target.files.items() if not name.startswith(prefix)}
    if len(kept) == len(target.files):
        return None
    return dataclasses.replace(target, name=f"{target.name}{UNPRUNED}", files=kept)


def compiled_files(files: Mapping[str, bytes]) -> list[str]:
    """The package's paths that are bytecode or compiled extensions (none expected)."""
    return sorted(
        name
        for name in files
        if any(part in COMPILED_PARTS for part in name.split("/")) or name.endswith(COMPILED_SUFFIXES)
    )


def clients_said(clients: list[dict[str, Any]]) -> str:
    """``dynamodb, events (invoke)``: the services of the clients a cold start created, by phase."""
    said = []
    for phase in ("import", "invoke"):
        services = [str(c["service"]) for c in clients if c["phase"] == phase]
        if services:
            said.append(f"{', '.join(services)} ({phase})")
    return "; ".join(said) or "none"


def start_cold(target: Target, package_dir: Path, work: Path) -> dict[str, Any]:
    """One fresh process: the `FIGURES` of its import and first invocation, its result and what X-Ray patched.

    Fails (SystemExit) unless the handler answered its event on the happy path (`Target.succeeded`).
    """
    module, _, function = target.handler.rpartition(".")
    spec = {
        "package_dir": str(package_dir),
        "module": module,
        "function": function,
        "event": target.event,
        "responses": target.responses,
        "forbidden": FORBIDDEN,
    }
    spec_file, result_file = work / f"{target.name}.spec.json", work / f"{target.name}.result.json"
    spec_file.write_text(json.dumps(spec), encoding="utf-8")
    result_file.unlink(missing_ok=True)
    environment = {
        "PATH": "/usr/bin:/bin",
        **lambda_runtime_environment(target.name, str(package_dir), 256),
        **target.environment,
    }
    done = subprocess.run(
        [sys.executable, "-B", str(CHILD), str(spec_file), str(result_file)],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        check=False,
    )
    if done.returncode != 0 or not result_file.is_file():
        raise SystemExit(f"bench/cold_start.py: {target.name} failed:\n{done.stderr.strip()[-2000:]}")
    measured = json.loads(result_file.read_text(encoding="utf-8"))
    if not target.succeeded(measured["result"]):
        raise SystemExit(f"bench/cold_start.py: {target.name} answered {measured['result']!r}, not its happy path")
    for kind in ("wall", "cpu"):
        measured[f"clients_{kind}_ms"] = sum(float(c[f"{kind}_ms"]) for c in measured["clients"])
    return dict(measured)


def measure(targets: list[Target], repeat: int) -> tuple[dict[str, dict[str, float]], dict[str, str]]:
    """Median of each figure per target, and the clients each created (:func:`clients_said`).

    The runs are interleaved so that drift hits every target alike. A cold start creates the same clients in
    every run (else the medians would mix different work): the bench fails otherwise.
    """
    samples: dict[str, list[dict[str, Any]]] = {t.name: [] for t in targets}
    with tempfile.TemporaryDirectory(prefix="cold-start-") as tmp:
        work = Path(tmp)
        packages = {t.name: extract(t, work / "packages" / t.name) for t in targets}
        for _ in range(repeat):
            for target in targets:
                samples[target.name].append(start_cold(target, packages[target.name], work))
    clients = {}
    for name, runs in samples.items():
        said = {clients_said(run["clients"]) for run in runs}
        if len(said) != 1:
            raise SystemExit(f"bench/cold_start.py: {name} created different clients from run to run: {sorted(said)}")
        clients[name] = said.pop()
    figures = {
        name: {figure: statistics.median(float(run[figure]) for run in runs) for figure in FIGURES}
        | {"clients": float(len(runs[0]["clients"]))}
        for name, runs in samples.items()
    }
    return figures, clients


def ratios(
    figures: Mapping[str, Mapping[str, float]], name: str, reference: str, kind: str, *, without_clients: bool = False
) -> float:
    """(import + first invocation) of `name` over the same of `reference`, in `kind` ("cpu" or "wall") time.

    With `without_clients`, the time each spent creating SDK clients is taken out of both.
    """

    def total(of: str) -> float:
        row = figures[of]
        spent = row[f"import_{kind}_ms"] + row[f"invoke_{kind}_ms"]
        return spent - row[f"clients_{kind}_ms"] if without_clients else spent

    return total(name) / total(reference)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--repeat", type=int, default=7, help="fresh processes per function (median)")
    parser.add_argument("--stack", default="dev", help="the stack whose plan gives handlers and environments")
    parser.add_argument(
        "--unpruned",
        action="store_true",
        help=f"also start each package without its pruned botocore data (rows `<name>{UNPRUNED}`, interleaved)",
    )
    args = parser.parse_args(argv)
    functions = plan_targets(args.stack)
    for target in functions:
        if compiled := compiled_files(target.files):
            raise SystemExit(f"bench/cold_start.py: {target.name}'s package holds compiled files: {compiled}")
    environment = functions[0].environment if functions else {}
    floor, floor_client = floor_target(environment), floor_client_target(environment)
    everything = [floor, floor_client]
    for target in functions:
        compared = unpruned_target(target) if args.unpruned else None
        everything += [target] if compared is None else [target, compared]
    figures, clients = measure(everything, args.repeat)

    python = sys.version.split()[0]
    print(f"cold start ({args.stack} plan, {args.repeat} fresh processes each, medians; python {python})")
    print("  CPU ms (this process) decide the verdict; wall-clock ms are printed beside them.")
    print("  x floor: the target's reference (issue 12); -clients: the same without the SDK clients' creation")
    print(f"  (client ms, which the floor never spends); x {floor_client.name}: the floor + one DynamoDB client")
    print("  and one PutItem, printed beside it and not the target")
    columns = (
        "import",
        "invoke",
        "clients",
        "client ms",
        "x floor",
        "-clients",
        f"x {floor_client.name}",
        "wall ms",
        "x floor",
        "package KB",
    )
    width = max(len(t.name) for t in everything)
    print(f"  {'function':<{width}} " + " ".join(f"{c:>10}" for c in columns))
    over, only_clients = [], []
    for target in everything:
        cpu_ratio = ratios(figures, target.name, floor.name, "cpu")
        own_ratio = ratios(figures, target.name, floor.name, "cpu", without_clients=True)
        size = len(bundle.package_zip(target.files))
        if target in functions and (cpu_ratio > TARGET_RATIO or size >= TARGET_PACKAGE_BYTES):
            over.append(target.name)
            if own_ratio <= TARGET_RATIO and size < TARGET_PACKAGE_BYTES:
                only_clients.append(target.name)
        row = figures[target.name]
        cells = (
            f"{row['import_cpu_ms']:.1f}",
            f"{row['invoke_cpu_ms']:.1f}",
            f"{row['clients']:.0f}",
            f"{row['clients_cpu_ms']:.1f}",
            f"{cpu_ratio:.2f}x",
            f"{own_ratio:.2f}x",
            f"{ratios(figures, target.name, floor_client.name, 'cpu'):.2f}x",
            f"{row['import_wall_ms'] + row['invoke_wall_ms']:.1f}",
            f"{ratios(figures, target.name, floor.name, 'wall'):.2f}x",
            f"{size / 1024:.1f}",
        )
        print(f"  {target.name:<{width}} " + " ".join(f"{c:>10}" for c in cells))
    verdict = f"OVER: {', '.join(over)}" if over else "all within"
    print(f"  targets: (import + first invocation) <= {TARGET_RATIO}x floor, package < 100 KB -> {verdict}")
    if only_clients:
        print(f"  over only through their SDK clients (within {TARGET_RATIO}x without them): {', '.join(only_clients)}")
    print("  events (each function's first invocation) and the clients it created:")
    for target in everything:
        print(f"    {target.name:<{width}} {target.description}; clients: {clients[target.name]}")


if __name__ == "__main__":
    main()
