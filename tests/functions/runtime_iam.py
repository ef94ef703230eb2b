"""Run a handler in moto as its own Lambda role: the policies the graph attaches, enforced on every call.

What a test gets (`sandbox`): one moto account holding every table, bucket, queue, topic and event bus the
stack's graph declares, under the graph's own physical names (the graph's fabricated account is moto's,
`123456789012`, and its region is the stack's: preflight/fabricate.py `MOCK_ACCOUNT_ID`), and an IAM role
named and shaped as the graph's role of the function, carrying exactly the policies the graph attaches to it:
inline `aws:iam/rolePolicy:RolePolicy` documents, `Role.inlinePolicies`, customer managed `aws:iam/policy:Policy`
documents attached with `RolePolicyAttachment` (or `Role.managedPolicyArns`), and AWS managed policies attached
by their real ARN with the documents moto ships (`moto/iam/aws_managed_policies.py`, AWS's own text, refreshed
by moto's maintainers). The handler is imported fresh with the function's environment from the graph and the
role's STS credentials in `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`/`AWS_SESSION_TOKEN`, as Lambda provides
them (https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime),
and `Sandbox.invoke` runs it under `moto.core.set_initial_no_auth_action_count(0)`: every request it makes is
signed with the role's keys and authorised by moto against the role's policies.

What moto 5.2.5 enforces, and what this adds (read in moto/core/authorization.py, moto/iam/access_control.py,
moto/core/responses.py `call_action`):
- moto checks the signature, finds the principal from the access key (IAM user or assumed role), collects its
  inline and attached identity policies and evaluates `Action`/`NotAction` and `Resource` (with `*` wildcards;
  an explicit Deny wins). It passes a real resource ARN only for S3 (bucket, `bucket/key`), SQS (queue), IAM
  roles and STS; every other service is authorised against `"*"`, which no resource-scoped statement matches.
  This module supplies the ARN IAM authorises for the calls the handlers make: DynamoDB (the table),
  EventBridge `PutEvents` (the bus of the entries) and SNS `Publish` (the topic).
- moto ignores `Condition` in identity policies (no request context reaches `_check_conditions`), and treats an
  Allow whose condition it cannot read as allowed. Calls the graph conditions (`PutEvents` with
  `events:source`/`events:detail-type`) are evaluated again with tests/bootstrap/iam_eval.py and the request's
  own context keys.
- moto never evaluates resource-based policies (bucket, queue, topic policies), KMS key policies, permission
  boundaries or SCPs: none of those is proven here (the key policies are the policy pack's job). Nor does it
  make the KMS calls an encrypted resource makes for its caller: the identity side of those is evaluated with
  iam_eval for S3 objects in SSE-KMS buckets, messages to SSE-KMS queues and SNS topics (`kms_calls`). The KMS
  calls of encrypted DynamoDB tables and event buses are not (DynamoDB and EventBridge call KMS with their own
  grants and key policies rather than as the caller).
- Bedrock runtime (`Converse`, `ApplyGuardrail`) and the API Gateway management API (`PostToConnection`) are not
  in moto's enforcement: they are answered at the HTTP layer (tests/functions/pipeline.py's stubber hook) and
  each call is authorised with iam_eval against the same documents, on the ARNs AWS documents for it. A denied
  call is answered with AWS's `AccessDeniedException` (403), as the real service would.

Every denial, from moto or from iam_eval, is recorded in `Sandbox.denied` as "<action> on <resource>", also the
ones a handler swallows (edge treats a 403 as a miss, its notifier is best effort), so a test asserts none.
"""

from __future__ import annotations

import importlib
import json
import sys
import textwrap
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlparse

import boto3
import pytest
import yaml
from moto import mock_aws
from moto.core import set_initial_no_auth_action_count
from moto.core.base_backend import BackendDict
from moto.core.botocore_stubber import BotocoreStubber
from moto.dynamodb.responses import DynamoHandler
from moto.events.responses import EventsHandler
from moto.iam import access_control
from moto.iam.aws_managed_policies import aws_managed_policies_data
from moto.iam.models import AWSManagedPolicy, IAMBackend
from moto.sns.responses import SNSResponse

from functions.shared.constants import ENV_PROMPTS_DIR
from preflight.engine import synthesize
from preflight.fabricate import MOCK_ACCOUNT_ID
from preflight.graph import ResourceGraph, ResourceNode
from tests.bootstrap.iam_eval import Decision, Request, evaluate
from tests.functions.conftest import ENVIRONMENT, PROMPT_SOURCES
from tests.functions.pipeline import Call, Response, _known_backend_first, _wrapped_stubber, error, ok

ROOT = Path(__file__).resolve().parents[2]
AWS_MANAGED_PREFIX = "arn:aws:iam::aws:policy/"
FUNCTION = "aws:lambda/function:Function"
#: Directories the program reads relative to its own directory (components/function.py `code_dirs`, Prompts).
PROGRAM_RELATIVE_DIRS = ("functions", "prompts")
#: Settings only the test process needs: no X-Ray daemon runs here, logs stay quiet, and the handlers run from the
#: source tree, whose prompt templates are the YAML sources (a deployment package carries them compiled in itself).
TEST_ONLY_ENVIRONMENT = {
    "POWERTOOLS_TRACE_DISABLED": "1",
    "POWERTOOLS_LOG_LEVEL": "WARNING",
    ENV_PROMPTS_DIR: str(PROMPT_SOURCES),
}
#: Tests admin: sets up and inspects the account while IAM enforcement is off (moto accepts any key then).
ADMIN = {"aws_access_key_id": "admin", "aws_secret_access_key": "admin"}


# --- the graphs --------------------------------------------------------------------------------------------


@cache
def platform_graph(stack: str, allowed_tiers: tuple[str, ...] = ()) -> ResourceGraph:
    """The template's graph for `stack`, once per session; `allowed_tiers` overrides `allowedModelTiers`."""
    if not allowed_tiers:
        return synthesize(ROOT, stack)
    return synthesize(_program_with(stack, {"allowedModelTiers": list(allowed_tiers)}), stack)


def _program_with(stack: str, overrides: Mapping[str, Any]) -> Path:
    """A copy of the template's program whose stack file has `overrides`: the real `__main__.py`, run in place."""
    import tempfile  # noqa: PLC0415

    program = Path(tempfile.mkdtemp(prefix=f"runtime-iam-{stack}-"))
    (program / "Pulumi.yaml").write_text("name: agentic-platform\nruntime: python\n", encoding="utf-8")
    config = yaml.safe_load((ROOT / f"Pulumi.{stack}.yaml").read_text(encoding="utf-8"))
    config["config"].update({f"agentic-platform:{key}": value for key, value in overrides.items()})
    (program / f"Pulumi.{stack}.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    main = f"""\
        import runpy, sys
        sys.path.insert(0, {str(ROOT)!r})
        runpy.run_path({str(ROOT / "__main__.py")!r}, run_name="__main__")
        """
    (program / "__main__.py").write_text(textwrap.dedent(main), encoding="utf-8")
    for shipped in PROGRAM_RELATIVE_DIRS:  # the components package these, relative to the program's directory
        (program / shipped).symlink_to(ROOT / shipped, target_is_directory=True)
    return program


def _document(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


@dataclass(frozen=True)
class RoleGrants:
    """A role as the graph declares it, with every identity policy the graph attaches to it."""

    name: str
    trust_policy: str
    inline: Mapping[str, str]  # policy name -> document
    customer_managed: Mapping[str, tuple[str, str]]  # ARN -> (policy name, document)
    aws_managed: tuple[str, ...]  # ARNs under arn:aws:iam::aws:policy/

    def documents(self) -> list[dict[str, Any]]:
        """All identity policy documents of the role (AWS managed ones as moto ships them)."""
        docs = [json.loads(d) for d in self.inline.values()]
        docs += [json.loads(d) for _, d in self.customer_managed.values()]
        docs += [aws_managed_document(arn) for arn in self.aws_managed]
        return docs


@dataclass(frozen=True)
class LambdaFunction:
    """One function of the graph: what Lambda would run, with which settings, as which role."""

    name: str  # logical name (router)
    physical_name: str
    handler: str  # module.attribute
    environment: Mapping[str, str]
    dead_letter_arn: str | None
    role: RoleGrants


def lambda_functions(graph: ResourceGraph) -> dict[str, LambdaFunction]:
    """Every Lambda function of `graph` by logical name, with its role's grants."""
    return {node.name: _function(graph, node) for node in graph.of_type(FUNCTION)}


def _function(graph: ResourceGraph, node: ResourceNode) -> LambdaFunction:
    variables = dict((node.inputs.get("environment") or {}).get("variables") or {})
    dead_letter = (node.inputs.get("deadLetterConfig") or {}).get("targetArn")
    return LambdaFunction(
        name=node.name,
        physical_name=str(node.inputs["name"]),
        handler=str(node.inputs["handler"]),
        environment={k: str(v) for k, v in variables.items()},
        dead_letter_arn=str(dead_letter) if dead_letter else None,
        role=role_grants(graph, str(node.inputs["role"])),
    )


def role_grants(graph: ResourceGraph, role_arn: str) -> RoleGrants:
    """The role `role_arn` names and every policy the graph attaches to it, however it is attached."""
    nodes = graph.custom_resources
    [role] = [n for n in nodes if n.type == "aws:iam/role:Role" and n.outputs.get("arn") == role_arn]
    refs = {role.id, str(role.inputs["name"]), role_arn}
    inline = {
        str(n.inputs.get("name") or n.name): _document(n.inputs["policy"])
        for n in nodes
        if n.type == "aws:iam/rolePolicy:RolePolicy" and n.inputs.get("role") in refs
    }
    inline.update({str(p["name"]): _document(p["policy"]) for p in role.inputs.get("inlinePolicies") or []})
    attached = {
        str(n.inputs["policyArn"])
        for n in nodes
        if n.type == "aws:iam/rolePolicyAttachment:RolePolicyAttachment" and n.inputs.get("role") in refs
    } | {str(arn) for arn in role.inputs.get("managedPolicyArns") or []}
    customer = {
        str(n.outputs["arn"]): (str(n.inputs.get("name") or n.name), _document(n.inputs["policy"]))
        for n in nodes
        if n.type == "aws:iam/policy:Policy" and n.outputs.get("arn") in attached
    }
    aws_managed = tuple(sorted(a for a in attached if a.startswith(AWS_MANAGED_PREFIX)))
    unresolved = attached - set(customer) - set(aws_managed)
    assert not unresolved, f"{role.name}: attached policies the graph does not declare: {sorted(unresolved)}"
    return RoleGrants(
        name=str(role.inputs["name"]),
        trust_policy=_document(role.inputs["assumeRolePolicy"]),
        inline=inline,
        customer_managed=customer,
        aws_managed=aws_managed,
    )


@cache
def _aws_managed_data() -> dict[str, Any]:
    return dict(json.loads(aws_managed_policies_data))


def aws_managed_document(arn: str) -> dict[str, Any]:
    """The document of an AWS managed policy as moto ships it (fails when moto does not know the policy)."""
    name = arn.removeprefix(AWS_MANAGED_PREFIX).rsplit("/", 1)[-1]
    data = _aws_managed_data()
    assert name in data, f"{arn}: not in moto/iam/aws_managed_policies.py; add its document before testing it"
    return dict(data[name]["Document"])


# --- the resource ARN IAM authorises, for the services moto leaves at "*" ----------------------------------


def _arn(handler: Any, service: str, suffix: str) -> str:
    return f"arn:aws:{service}:{handler.region}:{handler.current_account}:{suffix}"


def _dynamodb_resource(self: Any) -> str:
    # "Resource types: table" for item operations (Service Authorization Reference, Amazon DynamoDB:
    # https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazondynamodb.html).
    table = self._get_param("TableName")
    if not table:
        raise AssertionError(f"runtime_iam: no table in DynamoDB {self._get_action()} (add its resource here)")
    return table if table.startswith("arn:") else _arn(self, "dynamodb", f"table/{table}")


def _events_resource(self: Any) -> str:
    # PutEvents is authorised on each entry's bus, `default` when the entry names none (EventBridge API
    # reference, PutEventsRequestEntry.EventBusName). The handlers put one bus's entries per call.
    if self._get_action() != "PutEvents":
        return "*"
    buses = {entry.get("EventBusName") or "default" for entry in self._get_param("Entries", [])}
    if len(buses) != 1:
        raise AssertionError(f"runtime_iam: PutEvents to several buses {sorted(buses)} (authorise each)")
    [bus] = buses
    return bus if bus.startswith("arn:") else _arn(self, "events", f"event-bus/{bus}")


def _sns_resource(self: Any) -> str:
    return str(self._get_param("TopicArn") or self._get_param("TargetArn") or "*")


# --- the sandbox ------------------------------------------------------------------------------------------


@dataclass
class Bedrock:
    """Bedrock runtime fake: a confident JSON answer per model, unless a model id is scripted to fail."""

    failing: dict[str, Response] = field(default_factory=dict)
    confidence: dict[str, float] = field(default_factory=dict)
    guardrail_action: str = "NONE"
    calls: list[tuple[str, str]] = field(default_factory=list)  # (operation, model or guardrail id)

    def converse(self, model_id: str) -> Response:
        if model_id in self.failing:
            return self.failing[model_id]
        text = json.dumps({"answer": f"answer from {model_id}", "confidence": self.confidence.get(model_id, 0.9)})
        return ok(
            {
                "output": {"message": {"role": "assistant", "content": [{"text": text}]}},
                "stopReason": "end_turn",
                "usage": {"inputTokens": 100, "outputTokens": 20, "totalTokens": 120},
                "metrics": {"latencyMs": 10},
            }
        )

    def apply_guardrail(self) -> Response:
        from tests.functions.factories import GUARDRAIL_USAGE  # noqa: PLC0415

        return ok({"usage": GUARDRAIL_USAGE, "action": self.guardrail_action, "outputs": [], "assessments": [{}]})


@dataclass
class Sandbox:
    """One moto account with the stack's resources and one function's role; see the module docstring."""

    graph: ResourceGraph
    function: LambdaFunction
    region: str
    credentials: dict[str, str] = field(default_factory=dict)
    denied: list[str] = field(default_factory=list)
    bedrock: Bedrock = field(default_factory=Bedrock)
    gone_connections: set[str] = field(default_factory=set)
    pushes: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    handler: Callable[[dict[str, Any], Any], Any] | None = None
    enforcing: bool = False
    keys: Mapping[tuple[str, str], str] = field(default_factory=dict)  # (service, resource) -> KMS key ARN

    @property
    def admin(self) -> boto3.session.Session:
        """A session for setting up and inspecting the account (only while IAM enforcement is off)."""
        return boto3.session.Session(region_name=self.region, **ADMIN)

    def invoke(self, event: dict[str, Any], context: Any) -> Any:
        """Run the function's handler on `event` as its role, every AWS request authorised.

        Raises
        ------
        RoleDeniedError
            When the handler failed and IAM denied any of its requests (the message names each action and
            resource); any other failure propagates as the handler raised it.
        """
        assert self.handler is not None
        handler = self.handler
        try:
            return self.as_role(lambda: handler(event, context))
        except Exception as failure:
            if self.denied:
                raise RoleDeniedError(self.function.name, self.denied) from failure
            raise

    def as_role(self, action: Callable[[], Any]) -> Any:
        """Run `action` with IAM enforcement on (moto's `set_initial_no_auth_action_count(0)`)."""

        def enforced() -> Any:
            self.enforcing = True
            try:
                return action()
            finally:
                self.enforcing = False

        return set_initial_no_auth_action_count(0)(enforced)()

    def send_to_dead_letter_queue(self, event: dict[str, Any]) -> None:
        """What Lambda does with an asynchronous event whose every attempt failed: `SendMessage` to the DLQ as
        the function's execution role ("the execution role must have sqs:SendMessage",
        https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html#invocation-dlq)."""
        assert self.function.dead_letter_arn, f"{self.function.name} has no dead-letter queue"
        session = boto3.session.Session(region_name=self.region, **self.credentials)
        url = queue_url(self.function.dead_letter_arn)

        def send() -> None:
            session.client("sqs").send_message(QueueUrl=url, MessageBody=json.dumps(event))

        self.as_role(send)

    # --- what IAM decides for the calls moto does not authorise ----------------------------------------

    def _authorise(self, action: str, resources: list[str], context: Mapping[str, str] | None = None) -> bool:
        documents = self.function.role.documents()
        ok_ = True
        for resource in resources:
            if evaluate(documents, Request(action, resource, context or {})) is not Decision.ALLOWED:
                self.denied.append(f"{action} on {resource}")
                ok_ = False
        return ok_

    def record(self, call: Call, status: int) -> None:
        """The hook's log of answered requests (pipeline.World keeps the audit writes): nothing to keep here."""

    def answer(self, call: Call) -> Response | None:
        """The HTTP-layer hook (tests/functions/pipeline._wrapped_stubber): fakes, and IAM for what moto skips."""
        if not self.enforcing:
            return None
        if call.service == "bedrock-runtime":
            return self._bedrock(call)
        if call.service == "apigatewaymanagementapi":
            return self._post_to_connection(call)
        if call.service == "eventbridge" and call.operation == "PutEvents":
            self._put_events_conditions(call)
        for action, key in kms_calls(call, self.keys):
            if not self._authorise(action, [key]):
                return error(403, "KMS.AccessDeniedException", f"not authorized to perform: {action} on {key}")
        return None

    def _bedrock(self, call: Call) -> Response:
        path = unquote(urlparse(call.url).path)
        if call.operation == "ApplyGuardrail":
            # POST /guardrail/{guardrailIdentifier}/version/{guardrailVersion}/apply
            guardrail = path.split("/guardrail/", 1)[1].split("/", 1)[0]
            self.bedrock.calls.append(("ApplyGuardrail", guardrail))
            if not self._authorise("bedrock:ApplyGuardrail", [self._guardrail_arn(guardrail)]):
                return _access_denied("bedrock:ApplyGuardrail")
            return self.bedrock.apply_guardrail()
        # POST /model/{modelId}/converse. "This operation requires permission for the bedrock:InvokeModel
        # action" (https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html); with a
        # guardrail attached, also bedrock:ApplyGuardrail on it ("Permissions for invoking guardrails",
        # https://docs.aws.amazon.com/bedrock/latest/userguide/guardrails-permissions.html).
        model_id = path.split("/model/", 1)[1].rsplit("/", 1)[0]
        self.bedrock.calls.append((call.operation, model_id))
        allowed = self._authorise("bedrock:InvokeModel", self._model_arns(model_id))
        attached = (call.body.get("guardrailConfig") or {}).get("guardrailIdentifier")
        if attached:
            allowed = self._authorise("bedrock:ApplyGuardrail", [self._guardrail_arn(str(attached))]) and allowed
        if not allowed:
            return _access_denied("bedrock:InvokeModel")
        return self.bedrock.converse(model_id)

    def _guardrail_arn(self, guardrail: str) -> str:
        if guardrail.startswith("arn:"):
            return guardrail
        return f"arn:aws:bedrock:{self.region}:{MOCK_ACCOUNT_ID}:guardrail/{guardrail}"

    def _model_arns(self, model_id: str) -> list[str]:
        """What `InvokeModel` is authorised on for `model_id`: the foundation model; for a cross-region inference
        profile (`us.`/`eu.`/`apac.`/`global.` prefix), the profile and the foundation model in the region that
        serves the request ("Prerequisites for inference profiles",
        https://docs.aws.amazon.com/bedrock/latest/userguide/inference-profiles-prereq.html). Only the source
        region is checked here: which destination region serves a call is AWS's choice."""
        if model_id.startswith("arn:"):
            return [model_id]
        prefix, _, base = model_id.partition(".")
        if prefix in {"us", "eu", "apac", "global", "us-gov"} and base:
            return [
                f"arn:aws:bedrock:{self.region}:{MOCK_ACCOUNT_ID}:inference-profile/{model_id}",
                f"arn:aws:bedrock:{self.region}::foundation-model/{base}",
            ]
        return [f"arn:aws:bedrock:{self.region}::foundation-model/{model_id}"]

    def _post_to_connection(self, call: Call) -> Response:
        # https://{api-id}.execute-api.{region}.amazonaws.com/{stage}/@connections/{connection_id}; authorised as
        # execute-api:ManageConnections on arn:aws:execute-api:{region}:{account}:{api-id}/{stage}/POST/@connections/
        # {connection_id} ("Control access to the @connections API",
        # https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-websocket-control-access-iam.html).
        url = urlparse(call.url)
        api_id = url.netloc.split(".", 1)[0]
        stage, connection = url.path.lstrip("/").split("/@connections/", 1)
        connection = unquote(connection)
        arn = f"arn:aws:execute-api:{self.region}:{MOCK_ACCOUNT_ID}:{api_id}/{stage}/POST/@connections/{connection}"
        if not self._authorise("execute-api:ManageConnections", [arn]):
            return _access_denied("execute-api:ManageConnections")
        if connection in self.gone_connections:
            return error(410, "GoneException", "the connection is gone")
        self.pushes.append((connection, json.loads(call.raw)))
        return 200, {}, b""

    def _put_events_conditions(self, call: Call) -> None:
        # moto ignores conditions; the graph scopes some PutEvents grants with events:source and
        # events:detail-type (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-conditions.html).
        for entry in call.body.get("Entries", []):
            bus = entry.get("EventBusName") or "default"
            arn = bus if bus.startswith("arn:") else f"arn:aws:events:{self.region}:{MOCK_ACCOUNT_ID}:event-bus/{bus}"
            context = {"events:source": entry.get("Source", ""), "events:detail-type": entry.get("DetailType", "")}
            self._authorise("events:PutEvents", [arn], context)

    # --- the account ------------------------------------------------------------------------------------

    def create_resources(self) -> None:
        """Every data resource of the graph, under its physical name, plus the function's role."""
        session = self.admin
        for node in self.graph.custom_resources:
            creator = _CREATORS.get(node.type)
            if creator is not None:
                creator(session, node)
        iam = session.client("iam")
        role = self.function.role
        arn = iam.create_role(RoleName=role.name, AssumeRolePolicyDocument=role.trust_policy)["Role"]["Arn"]
        for name, document in role.inline.items():
            iam.put_role_policy(RoleName=role.name, PolicyName=name, PolicyDocument=document)
        for policy_arn, (name, document) in role.customer_managed.items():
            created = iam.create_policy(PolicyName=name, PolicyDocument=document)["Policy"]["Arn"]
            assert created == policy_arn, (created, policy_arn)
            iam.attach_role_policy(RoleName=role.name, PolicyArn=policy_arn)
        for policy_arn in role.aws_managed:
            iam.attach_role_policy(RoleName=role.name, PolicyArn=policy_arn)
        # Lambda's session name is the function's name (the role's CloudTrail identity in AWS).
        issued = session.client("sts").assume_role(RoleArn=arn, RoleSessionName=self.function.physical_name)
        keys = issued["Credentials"]
        self.credentials = {
            "aws_access_key_id": keys["AccessKeyId"],
            "aws_secret_access_key": keys["SecretAccessKey"],
            "aws_session_token": keys["SessionToken"],
        }

    def lambda_environment(self) -> dict[str, str]:
        """The environment Lambda gives the function: its variables, region and execution role credentials."""
        return {
            **self.function.environment,
            **TEST_ONLY_ENVIRONMENT,
            "AWS_REGION": self.region,
            "AWS_DEFAULT_REGION": self.region,
            "AWS_LAMBDA_FUNCTION_NAME": self.function.physical_name,
            "AWS_ACCESS_KEY_ID": self.credentials["aws_access_key_id"],
            "AWS_SECRET_ACCESS_KEY": self.credentials["aws_secret_access_key"],
            "AWS_SESSION_TOKEN": self.credentials["aws_session_token"],
        }

    # --- what came out (enforcement off) ---------------------------------------------------------------

    def events(self, detail_type: str | None = None) -> list[dict[str, Any]]:
        """Events put on the stack's buses (a capture rule copies each to a queue)."""
        sqs = self.admin.client("sqs")
        url = sqs.get_queue_url(QueueName=CAPTURE_QUEUE)["QueueUrl"]
        found: list[dict[str, Any]] = []
        while batch := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
            found += [json.loads(m["Body"]) for m in batch]
            for m in batch:
                sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        return [e for e in found if detail_type is None or e["detail-type"] == detail_type]

    def messages(self, queue_arn: str) -> list[dict[str, Any]]:
        """The messages waiting in the queue `queue_arn`."""
        received = self.admin.client("sqs").receive_message(QueueUrl=queue_url(queue_arn), MaxNumberOfMessages=10)
        return [json.loads(m["Body"]) for m in received.get("Messages", [])]


def queue_url(arn: str) -> str:
    """`https://sqs.{region}.amazonaws.com/{account}/{name}` of a queue ARN (what Lambda sends a DLQ message to)."""
    _, _, _, region, account, name = arn.split(":", 5)
    return f"https://sqs.{region}.amazonaws.com/{account}/{name}"


def encryption_keys(graph: ResourceGraph) -> dict[tuple[str, str], str]:
    """The customer managed key of each SSE-KMS bucket (by name), queue (by name) and topic (by ARN) of `graph`."""
    keys: dict[tuple[str, str], str] = {}
    for node in graph.of_type("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"):
        for rule in node.inputs.get("rules") or []:
            default = rule.get("applyServerSideEncryptionByDefault") or {}
            if default.get("sseAlgorithm") in ("aws:kms", "aws:kms:dsse") and default.get("kmsMasterKeyId"):
                keys["s3", str(node.inputs["bucket"])] = str(default["kmsMasterKeyId"])
    for node in graph.of_type("aws:sqs/queue:Queue"):
        if node.inputs.get("kmsMasterKeyId"):
            keys["sqs", str(node.inputs.get("name") or node.id)] = str(node.inputs["kmsMasterKeyId"])
    for node in graph.of_type("aws:sns/topic:Topic"):
        if node.inputs.get("kmsMasterKeyId"):
            keys["sns", str(node.outputs["arn"])] = str(node.inputs["kmsMasterKeyId"])
    return keys


#: The KMS actions an encrypted resource authorises on its key as the caller, per call:
#: - S3 SSE-KMS: "To upload an object encrypted with an AWS KMS key, you need kms:GenerateDataKey permissions on
#:   the key. To download an object encrypted with an AWS KMS key, you need kms:Decrypt permissions"
#:   (https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html);
#: - SQS SSE-KMS producers: kms:GenerateDataKey and kms:Decrypt
#:   (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html);
#: - SNS SSE publishers: kms:GenerateDataKey* and kms:Decrypt
#:   (https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html).
_KMS_ACTIONS = {
    ("s3", "PutObject"): ("kms:GenerateDataKey",),
    ("s3", "GetObject"): ("kms:Decrypt",),
    ("sqs", "SendMessage"): ("kms:GenerateDataKey", "kms:Decrypt"),
    ("sns", "Publish"): ("kms:GenerateDataKey", "kms:Decrypt"),
}


def kms_calls(call: Call, keys: Mapping[tuple[str, str], str]) -> list[tuple[str, str]]:
    """(action, key ARN) of each KMS call `call` makes as its caller on an encrypted resource of `keys`."""
    actions = _KMS_ACTIONS.get((call.service, call.operation))
    if not actions:
        return []
    key = keys.get((call.service, _encrypted_resource(call)))
    return [(action, key) for action in actions] if key else []


def _encrypted_resource(call: Call) -> str:
    url = urlparse(call.url)
    if call.service == "s3":  # virtual-hosted (`bucket.s3.amazonaws.com/key`) or path style (`/bucket/key`)
        host = url.netloc.split(".s3", 1)[0] if ".s3" in url.netloc and not url.netloc.startswith("s3") else ""
        return host or url.path.lstrip("/").split("/", 1)[0]
    if call.service == "sqs":
        return str(call.body.get("QueueUrl", "")).rstrip("/").rsplit("/", 1)[-1]
    form = parse_qs(call.raw.decode("utf-8", "replace"))  # SNS: the query protocol, a form body
    return (form.get("TopicArn") or form.get("TargetArn") or [""])[0]


class RoleDeniedError(AssertionError):
    """A handler failed because its role's policies deny a request it makes."""

    def __init__(self, function: str, denied: list[str]) -> None:
        super().__init__(f"{function}'s role is denied: " + "; ".join(denied))
        self.denied = list(denied)


def _access_denied(action: str) -> Response:
    return error(403, "AccessDeniedException", f"not authorized to perform: {action}")


CAPTURE_QUEUE = "runtime-iam-capture"


def _table(session: boto3.session.Session, node: ResourceNode) -> None:
    inputs = node.inputs
    keys = [(inputs["hashKey"], "HASH")] + ([(inputs["rangeKey"], "RANGE")] if inputs.get("rangeKey") else [])
    types = {a["name"]: a["type"] for a in inputs.get("attributes", [])}
    session.client("dynamodb").create_table(
        TableName=inputs["name"],
        KeySchema=[{"AttributeName": n, "KeyType": t} for n, t in keys],
        AttributeDefinitions=[{"AttributeName": n, "AttributeType": types.get(n, "S")} for n, _ in keys],
        BillingMode="PAY_PER_REQUEST",
    )


def _bucket(session: boto3.session.Session, node: ResourceNode) -> None:
    session.client("s3").create_bucket(Bucket=node.inputs.get("bucket") or node.id)


def _queue(session: boto3.session.Session, node: ResourceNode) -> None:
    session.client("sqs").create_queue(QueueName=node.inputs.get("name") or node.id)


def _topic(session: boto3.session.Session, node: ResourceNode) -> None:
    session.client("sns").create_topic(Name=node.inputs["name"])


def _bus(session: boto3.session.Session, node: ResourceNode) -> None:
    events, sqs = session.client("events"), session.client("sqs")
    name = node.inputs["name"]
    events.create_event_bus(Name=name)
    url = sqs.create_queue(QueueName=CAPTURE_QUEUE)["QueueUrl"]
    capture = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events.put_rule(
        Name="runtime-iam-capture", EventBusName=name, EventPattern=json.dumps({"source": [{"prefix": ""}]})
    )
    events.put_targets(Rule="runtime-iam-capture", EventBusName=name, Targets=[{"Id": "capture", "Arn": capture}])


_CREATORS: dict[str, Callable[[boto3.session.Session, ResourceNode], None]] = {
    "aws:dynamodb/table:Table": _table,
    "aws:s3/bucket:Bucket": _bucket,
    "aws:sqs/queue:Queue": _queue,
    "aws:sns/topic:Topic": _topic,
    "aws:cloudwatch/eventBus:EventBus": _bus,
}


def _only_managed_policies(names: set[str]) -> Callable[[IAMBackend], list[AWSManagedPolicy]]:
    """moto's IAM backend with only the AWS managed policies a test attaches (loading all ~1,300 costs ~2 s)."""

    def load(self: IAMBackend) -> list[AWSManagedPolicy]:
        data = _aws_managed_data()
        return [AWSManagedPolicy.from_data(n, self.account_id, self.region_name, data[n]) for n in sorted(names)]

    return load


def _recording_denials(denied: list[str]) -> Callable[..., None]:
    original = access_control.IAMRequestBase.check_action_permitted

    def check(self: access_control.IAMRequestBase, resource: str) -> None:
        try:
            original(self, resource)
        except Exception:
            denied.append(f"{self._action} on {resource}")
            raise

    return check


def _without_action(document: str, action: str) -> str:
    parsed = json.loads(document)
    kept = []
    for statement in parsed["Statement"]:
        actions = [statement["Action"]] if isinstance(statement["Action"], str) else statement["Action"]
        remaining = [a for a in actions if a != action]
        if remaining:
            kept.append({**statement, "Action": remaining})
    return json.dumps({**parsed, "Statement": kept})


def _take_function_modules() -> dict[str, Any]:
    """Take the `functions` package out of `sys.modules`, so the handler is imported fresh with its own environment
    (handlers read settings and build their idempotency store at import, as Lambda code does)."""
    taken = {k: m for k, m in sys.modules.items() if k == "functions" or k.startswith("functions.")}
    for key in taken:
        del sys.modules[key]
    return taken


def _restore_function_modules(taken: Mapping[str, Any]) -> None:
    for key in [k for k in sys.modules if k == "functions" or k.startswith("functions.")]:
        del sys.modules[key]
    sys.modules.update(taken)


@contextmanager
def sandbox(
    graph: ResourceGraph,
    name: str,
    monkeypatch: pytest.MonkeyPatch,
    *,
    without: str | None = None,
    without_action: str | None = None,
) -> Iterator[Sandbox]:
    """The function `name` of `graph` ready to invoke as its own role (see the module docstring).

    To prove the sandbox denies what a role lacks: `without` leaves one inline policy off the role,
    `without_action` takes one action out of every inline statement.
    """
    function = lambda_functions(graph)[name]
    inline = dict(function.role.inline)
    if without is not None:
        assert without in inline, sorted(inline)
        del inline[without]
    if without_action is not None:
        inline = {k: _without_action(doc, without_action) for k, doc in inline.items()}
    function = replace(function, role=replace(function.role, inline=inline))
    region = str(graph.config.get("aws:region") or "us-east-1")
    box = Sandbox(graph, function, region, keys=encryption_keys(graph))
    managed = {arn.rsplit("/", 1)[-1] for arn in function.role.aws_managed}
    monkeypatch.setattr(IAMBackend, "_init_aws_policies", _only_managed_policies(managed))
    monkeypatch.setattr(DynamoHandler, "_determine_resource", _dynamodb_resource, raising=False)
    monkeypatch.setattr(EventsHandler, "_determine_resource", _events_resource, raising=False)
    monkeypatch.setattr(SNSResponse, "_determine_resource", _sns_resource, raising=False)
    monkeypatch.setattr(access_control.IAMRequestBase, "check_action_permitted", _recording_denials(box.denied))
    # The hook only calls `.answer(call)`, which a Sandbox has as the pipeline's World does.
    monkeypatch.setattr(BotocoreStubber, "__call__", _wrapped_stubber([box]))  # type: ignore[list-item]
    monkeypatch.setattr(
        BackendDict,
        "_create_account_specific_backend",
        _known_backend_first(BackendDict._create_account_specific_backend),
    )
    taken = _take_function_modules()
    try:
        with mock_aws():
            box.create_resources()
            for key in ENVIRONMENT:
                monkeypatch.delenv(key, raising=False)
            for key, value in box.lambda_environment().items():
                monkeypatch.setenv(key, value)
            module, attribute = function.handler.rsplit(".", 1)
            box.handler = getattr(importlib.import_module(module), attribute)
            yield box
    finally:
        _restore_function_modules(taken)
