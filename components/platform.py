"""AgenticPlatform: one environment composed from its settings (the five layers plus governance).

Layers (P001-P005, P086-P110):

* Interface: `Api` (JWT-authorised HTTP API -> ingest; WebSocket API for pushed results).
* Processing: `Function`s ingest/router/decide/deliver, the `EventBus`, the `Workflow`.
* Inference: `Guardrail`, `Prompts`, `KnowledgeBase` (feature), `Agent`, `InferenceEndpoint` (feature).
* Decisioning: `Escalation` (SNS topic + human review queue), decide's confidence rules.
* Storage: `Storage` (outputs bucket; sessions, response-cache, audit, idempotency and, with the WebSocket
  API, connections tables).
* Governance: `StackKey`, `GovernanceBaseline`, `Observability`.

The hybrid orchestration boundary is explicit (P031-P035, P176-P178): the Bedrock **agent** serves users
(open-ended, AI-native orchestration) and **Step Functions** runs back-end automation (deterministic
steps: route -> decide, with a no-code escalation path). They never call each other: they hand off
only through events on the bus. `ingest` (and any agent action group) puts `RequestReceived` on the
bus; a rule starts the workflow; the workflow's functions put `DecisionMade`/`EscalationRequested` on
the bus; a rule invokes `deliver`, which pushes the result to the caller's WebSocket.

Zero idle cost in dev (P014, P168, P175): no provisioned or reserved concurrency, no NAT gateways or
VPC, no OpenSearch, no real-time SageMaker instances; DynamoDB on demand, Lambda, Step Functions,
EventBridge, API Gateway, S3 Vectors and Bedrock all bill per request. The fixed monthly items are
the stack key and the governance baseline's own (budgeted) resources.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import pulumi
import pulumi_aws as aws
import yaml

from components import models
from components.agent import ActionGroup, Agent, AgentArgs
from components.api import Api, ApiArgs
from components.devices import DeviceFleet
from components.edge import EdgeDelivery, EdgeDeliveryArgs
from components.edge import key_services as edge_key_services
from components.escalation import Escalation
from components.events import EventBus, EventBusArgs
from components.function import Function, FunctionArgs
from components.governance import GovernanceBaseline
from components.guardrail import Guardrail
from components.inference_endpoint import InferenceEndpoint, InferenceEndpointArgs
from components.kms import StackKey
from components.knowledge_base import KnowledgeBase
from components.observability import ModelSpendMetric, Observability
from components.prompts import Prompts
from components.queues import MAX_RETENTION_SECONDS as DLQ_RETENTION_SECONDS
from components.settings import PlatformSettings
from components.storage import AUDIT, CACHE, SESSIONS, Storage, Table, TableSpec
from components.workflow import Workflow, request_pipeline
from functions.edge.contract import EDGE_EVENT_SOURCE, VARIANT_REQUESTED, VARIANTS_PREFIX
from functions.shared import constants as c

#: The storage layer's defaults, keyed by the runtime's own attribute names (components/storage.py).
CACHE_TABLE = CACHE
AUDIT_TABLE = AUDIT
#: Powertools' DynamoDBPersistenceLayer writes expiry to `expiration` (its `expiry_attr` default).
IDEMPOTENCY_TABLE = TableSpec("idempotency", (c.IDEMPOTENCY_KEY_ATTR, "S"), ttl_attribute="expiration")
#: Which caller opened each WebSocket connection (`$connect` writes it, `$disconnect` deletes it, ingest and
#: deliver read it; issue 12 §2). Items expire with the connection (functions/shared/connections.py).
CONNECTIONS_TABLE = TableSpec("connections", (c.CONNECTION_KEY_ATTR, "S"), ttl_attribute=c.TTL_ATTR)
#: The one item action ingest and deliver need: who holds a connection (P135).
CONNECTION_LOOKUP = ("dynamodb:GetItem",)

#: The one price catalogue of the project (each figure with its source and date); the router's
#: per-tier token prices come from it, so cost reports and runtime metrics agree.
PRICES_FILE = Path(__file__).resolve().parents[1] / "policies" / "cost" / "prices.yaml"
#: The agent's action group API, generated from its Powertools resolver by `python -m functions.actions.schema`
#: and committed (a test keeps it equal to the generated one), so deploying needs no Powertools.
#: Package data of `functions.actions` (pyproject.toml package-data), read through `importlib.resources`.
ACTIONS_SCHEMA_FILE = resources.files("functions.actions") / "openapi.json"
AUDIT_RETENTION_DAYS_DEV = 90
AUDIT_RETENTION_DAYS_PROD = 2557  # 7 years
DAY_SECONDS = 86_400


def idempotency_ttl_seconds(bus: EventBusArgs, dlq_retention_seconds: int = DLQ_RETENTION_SECONDS) -> int:
    """How long every function's idempotency records live (``IDEMPOTENCY_TTL_SECONDS``): the longest window in
    which the stack itself can bring the same event back, plus a day for the run that follows.

    The windows: the bus archive replays for ``archive_retention_days`` (0 keeps events forever: no record
    lifetime covers that, docs/delivery-guarantees.md); an event whose target kept failing reaches a DLQ up to
    ``max_event_age_seconds`` after it was put, and the DLQ keeps it ``dlq_retention_seconds`` for a redrive.
    The durable audit markers (functions/shared/audit.py) cover decide and deliver beyond this lifetime.
    """
    archive = bus.archive_retention_days * DAY_SECONDS
    dead_letter = bus.max_event_age_seconds + dlq_retention_seconds
    return max(archive, dead_letter) + DAY_SECONDS


def model_prices(path: Path = PRICES_FILE) -> dict[str, dict[str, float]]:
    """Per-tier USD per 1k tokens from the cost catalogue (one source of prices, each with its source).

    A missing catalogue stops the program: the router refuses to start without prices.
    """
    try:
        data: Any = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except OSError as exc:
        raise pulumi.RunError(f"{path}: cannot read the price catalogue: {exc.strerror}") from None
    nova = data.get("nova") or {}
    return {
        tier: {"input_per_1k": float(row["input_per_1k"]), "output_per_1k": float(row["output_per_1k"])}
        for tier, row in nova.items()
        if isinstance(row, dict) and "input_per_1k" in row
    }


class AgenticPlatform(pulumi.ComponentResource):
    """One environment of the platform, built only from its validated settings."""

    outputs: dict[str, pulumi.Input[str]]

    @staticmethod
    def _connections_env(connections: Table | None) -> dict[str, pulumi.Input[str]]:
        """Where ingest and deliver look up who opened a WebSocket connection (none without the WebSocket API)."""
        return {c.ENV_CONNECTIONS_TABLE_NAME: connections.name} if connections is not None else {}

    def _grant_connection_lookups(self, connections: Table | None) -> None:
        """ingest accepts, and deliver pushes to, only a connection the request's caller opened (issue 12 §2)."""
        if connections is None:
            return
        for name, function in (("ingest", self.ingest), ("deliver", self.deliver)):
            connections.grant_actions(function.role, CONNECTION_LOOKUP, name=f"{name}-role", label="lookup")

    # The composition root reads top to bottom, one layer after another.
    def __init__(  # noqa: PLR0915
        self,
        name: str,
        settings: PlatformSettings,
        opts: pulumi.ResourceOptions | None = None,
        *,
        inference_endpoint: InferenceEndpointArgs | None = None,
    ) -> None:
        super().__init__("agentic:platform:AgenticPlatform", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        account_id = aws.get_caller_identity_output().account_id

        # --- governance and shared state --------------------------------------------------------
        self.key = StackKey("key", settings, services=edge_key_services(settings), opts=child)
        self.governance = GovernanceBaseline("governance", settings, key=self.key, opts=child)
        self.storage = Storage(
            "storage",
            settings,
            key=self.key,
            access_log_bucket=self.governance.access_log_bucket,
            tables=(SESSIONS, CACHE_TABLE, AUDIT_TABLE, IDEMPOTENCY_TABLE)
            + ((CONNECTIONS_TABLE,) if settings.features.websocket_api else ()),
            opts=child,
        )
        connections = self.storage.tables.get(CONNECTIONS_TABLE.base)
        connections_env = self._connections_env(connections)
        self.escalation = Escalation("escalation", settings, key=self.key, opts=child)
        bus_args = EventBusArgs()
        self.bus = EventBus("bus", settings, bus_args, key=self.key, opts=child)

        # --- inference guard rails and prompts ---------------------------------------------------
        self.guardrail = Guardrail("guardrail", settings, key=self.key, opts=child)
        self.prompts = Prompts("prompts", settings, key=self.key, opts=child)

        # --- processing ----------------------------------------------------------------------------
        audit = self.storage.tables[AUDIT_TABLE.base]
        # One retention for every audit record of a request: decide's and deliver's, and the workflow's failure
        # path's, whose expiry ingest (and the agent's actions) stamp on RequestReceived (P146).
        audit_retention_days = str(AUDIT_RETENTION_DAYS_PROD if settings.is_production else AUDIT_RETENTION_DAYS_DEV)
        idempotency = self.storage.tables[IDEMPOTENCY_TABLE.base]
        common: dict[str, pulumi.Input[str]] = {
            c.ENV_EVENT_BUS_NAME: self.bus.name,
            c.ENV_IDEMPOTENCY_TABLE_NAME: idempotency.name,
            # "Once" must outlast every redelivery the stack keeps (archive replay, DLQ redrive): one figure.
            c.ENV_IDEMPOTENCY_TTL_SECONDS: str(idempotency_ttl_seconds(bus_args)),
        }
        guardrail_env: dict[str, pulumi.Input[str]] = {
            c.ENV_GUARDRAIL_ID: self.guardrail.guardrail_id,
            c.ENV_GUARDRAIL_VERSION: self.guardrail.version,
        }

        def function(fn: str, args: FunctionArgs) -> Function:
            made = Function(fn, settings, args, key=self.key, opts=child)
            made.grant_put_events(self.bus)
            idempotency.grant_read_write(made.role, name=f"{fn}-role")
            return made

        self.ingest = function(
            "ingest",
            FunctionArgs(
                handler="functions.ingest.handler.lambda_handler",
                description="HTTP request -> guardrail screening -> RequestReceived",
                environment={
                    **common,
                    **guardrail_env,
                    c.ENV_MAX_PROMPT_CHARS: str(settings.max_prompt_chars),
                    c.ENV_AUDIT_RETENTION_DAYS: audit_retention_days,
                    **connections_env,
                },
            ),
        )
        self.ingest.grant_apply_guardrail(self.guardrail)

        max_tier = settings.highest_model_tier
        # The router's models are exactly the allowed tiers, the ones its role may invoke (issue 9 §5: a gap in
        # the allowed tiers must not become a model the router calls without a grant).
        router_tiers = sorted(set(settings.allowed_model_tiers), key=lambda t: t.rank)
        prices = model_prices()
        latest_prompt = self.prompts.latest.get("answer", 1)
        self.router = function(
            "router",
            FunctionArgs(
                handler="functions.router.handler.lambda_handler",
                description="RequestReceived -> tiered Bedrock models -> ModelAnswered (P153, P154)",
                timeout_seconds=120,
                memory_mb=512,
                environment={
                    **common,
                    **guardrail_env,
                    c.ENV_MODEL_IDS: json.dumps({t.value: models.model_id(t) for t in router_tiers}),
                    c.ENV_MAX_TIER: max_tier.value,
                    c.ENV_MODEL_PRICES: json.dumps(
                        {t.value: prices[t.value] for t in router_tiers if t.value in prices}
                    ),
                    c.ENV_CONFIDENCE_THRESHOLD: str(settings.confidence_threshold),
                    c.ENV_CACHE_TABLE_NAME: self.storage.tables[CACHE_TABLE.base].name,
                    c.ENV_AUDIT_TABLE_NAME: audit.name,
                    c.ENV_AUDIT_RETENTION_DAYS: audit_retention_days,
                    c.ENV_PROMPT_NAME: "answer",
                    c.ENV_PROMPT_VERSION: str(latest_prompt),
                },
            ),
        )
        self.router.grant_invoke_model(
            models.per_account(
                lambda account: models.tier_invoke_arns(settings.allowed_model_tiers, settings.region, account),
                account_id,
            )
        )
        self.router.grant_apply_guardrail(self.guardrail)
        self.storage.tables[CACHE_TABLE.base].grant_read_write(self.router.role, name="router-role")
        # The router's paid answer outlasts its idempotency record (functions/router/answers.py): it reads its
        # `answered` record (GetItem) before calling a model and appends it once (conditional PutItem). Nothing
        # more: no Query, no other writes (least privilege, P135).
        audit.grant_actions(self.router.role, ["dynamodb:GetItem", "dynamodb:PutItem"], name="router-role")
        self.decide = function(
            "decide",
            FunctionArgs(
                handler="functions.decide.handler.lambda_handler",
                description="ModelAnswered -> DecisionMade or EscalationRequested (P102, P104)",
                environment={
                    **common,
                    c.ENV_DECISION_CONFIDENCE_THRESHOLD: str(settings.confidence_threshold),
                    c.ENV_OUTPUTS_BUCKET_NAME: self.storage.bucket.name,
                    c.ENV_ESCALATION_TOPIC_ARN: self.escalation.topic_arn,
                    c.ENV_AUDIT_TABLE_NAME: audit.name,
                    c.ENV_AUDIT_RETENTION_DAYS: audit_retention_days,
                },
            ),
        )
        self.storage.bucket.grant_write(self.decide.role, prefix=c.OUTPUTS_PREFIX, name="decide-role")
        # Reviewers get one message per escalation: decide publishes to the topic, the review queue is subscribed.
        self.escalation.grant_publish(self.decide.role, name="decide-role")
        audit.grant_write(self.decide.role, name="decide-role")
        # A redelivered answer reads the recorded decision and its markers (functions/decide/handler.py).
        audit.grant_read(self.decide.role, name="decide-role")

        # --- interface --------------------------------------------------------------------------
        self.api = Api(
            "api", settings, ApiArgs(), key=self.key, ingest=self.ingest, connections=connections, opts=child
        )
        deliver_env: dict[str, pulumi.Input[str]] = {
            **common,
            **connections_env,
            c.ENV_AUDIT_TABLE_NAME: audit.name,
            c.ENV_AUDIT_RETENTION_DAYS: audit_retention_days,
        }
        if self.api.websocket_endpoint is not None:
            deliver_env[c.ENV_WEBSOCKET_ENDPOINT] = self.api.websocket_endpoint
        self.deliver = function(
            "deliver",
            FunctionArgs(
                handler="functions.deliver.handler.lambda_handler",
                description="DecisionMade/EscalationRequested -> WebSocket push (P109, P166)",
                environment=deliver_env,
            ),
        )
        # deliver pushes the answer it reads from the claim check decide stored (DecisionMade.output_key).
        self.storage.bucket.grant_read(self.deliver.role, prefix=c.OUTPUTS_PREFIX, name="deliver-role")
        # deliver marks what it pushed and published, and reads those marks first (functions/deliver/handler.py).
        audit.grant_read(self.deliver.role, name="deliver-role")
        audit.grant_write(self.deliver.role, name="deliver-role")
        if self.api.websocket_execution_arn is not None:
            from components.api import WS_STAGE  # noqa: PLC0415

            self.deliver.grant_manage_connections(self.api.websocket_execution_arn, WS_STAGE)
        self._grant_connection_lookups(connections)

        # --- back-end automation: Step Functions, started only by events (P033) ---------------------
        self.workflow = Workflow(
            "pipeline",
            settings,
            key=self.key,
            # Each Lambda task times out with its function (the plan's figure), so the execution's worst case,
            # and with it its timeout, is computed from what is deployed (components/workflow.py).
            definition=lambda refs: request_pipeline(
                event_source=c.EVENT_SOURCE,
                router_timeout_seconds=self.router.timeout_seconds,
                decide_timeout_seconds=self.decide.timeout_seconds,
                **refs,
            ),
            references={
                "router_arn": self.router.arn,
                "decide_arn": self.decide.arn,
                "audit_table": audit.name,
                "escalation_topic_arn": self.escalation.topic_arn,
                "bus_name": self.bus.name,
            },
            opts=child,
        )
        self.workflow.grant_invoke_function(self.router)
        self.workflow.grant_invoke_function(self.decide)
        self.workflow.grant_put_item(audit.table, grant="put-item-audit")
        self.workflow.grant_get_item(audit.table, grant="get-item-audit")
        self.workflow.grant_publish(self.escalation.topic_arn)
        self.workflow.grant_put_events(self.bus)
        self.bus.route_to_state_machine(
            "requests",
            {"detail-type": ["RequestReceived"]},
            self.workflow.arn,
            description="RequestReceived -> back-end workflow",
        )
        self.bus.route_to_function(
            "deliver",
            {"detail-type": ["DecisionMade", "EscalationRequested"]},
            self.deliver,
            description="Outcomes -> deliver to the caller",
        )

        # --- user-facing agent (AI-native orchestration) -------------------------------------------
        self.knowledge_base: KnowledgeBase | None = None
        if settings.features.knowledge_base:
            self.knowledge_base = KnowledgeBase(
                "knowledge", settings, key=self.key, access_log_bucket=self.governance.access_log_bucket, opts=child
            )
        # The agent's only tool towards the back end puts RequestReceived on the bus (P033, P034, P178): the
        # actions function may PutEvents on the bus, screen with the guardrail, use its idempotency records
        # and read the audit table and append to it (PutItem, conditional) only each submission's `submitted`
        # record, which scopes status lookups to the session and tells a retry from a new request
        # (functions/actions/submissions.py; P062); the Agent lets only itself invoke it (aws:SourceArn, P136).
        self.actions = function(
            "actions",
            FunctionArgs(
                handler="functions.actions.handler.lambda_handler",
                description="Agent action group: submit a request (RequestReceived) or read its status",
                environment={
                    **common,
                    **guardrail_env,
                    c.ENV_MAX_PROMPT_CHARS: str(settings.max_prompt_chars),
                    c.ENV_AUDIT_TABLE_NAME: audit.name,
                    c.ENV_AUDIT_RETENTION_DAYS: audit_retention_days,
                },
            ),
        )
        self.actions.grant_apply_guardrail(self.guardrail)
        audit.grant_actions(
            self.actions.role, ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"], name="actions-role"
        )
        requests_group = ActionGroup(
            "requests",
            "Hand the user's request to back-end processing and report its status.",
            self.actions,
            api_schema=ACTIONS_SCHEMA_FILE.read_text(encoding="utf-8"),
        )
        self.agent = Agent(
            "assistant",
            settings,
            AgentArgs(action_groups=(requests_group,)),
            key=self.key,
            guardrail=self.guardrail,
            knowledge_base=self.knowledge_base,
            opts=child,
        )

        self.inference_endpoint: InferenceEndpoint | None = None
        if settings.features.inference_endpoint:
            if inference_endpoint is None:
                raise ValueError("features.inferenceEndpoint is on: pass inference_endpoint=InferenceEndpointArgs(...)")
            self.inference_endpoint = InferenceEndpoint(
                "endpoint", settings, inference_endpoint, key=self.key, opts=child
            )

        # --- the edge tier (features.edge, features.deviceFleet) -------------------------------------
        self._edge_layer(settings, child, account_id)
        self.devices: DeviceFleet | None = None
        if settings.features.device_fleet:
            self.devices = DeviceFleet(
                "devices", settings, key=self.key, access_log_bucket=self.governance.access_log_bucket, opts=child
            )

        # --- observability --------------------------------------------------------------------------
        functions = self._alarmed_functions()
        self.observability = Observability(
            "observability",
            settings,
            # Bedrock invokes `actions` synchronously, so its dead-letter queue (asynchronous invocations
            # only) stays empty: it gets the per-function alarms (prod), not a DLQ alarm.
            function_names={**{n: f.name for n, f in functions.items()}, "actions": self.actions.name},
            dead_letter_queues={
                **{n: f.dlq.name for n, f in functions.items()},
                "bus": self.bus.dlq.name,
            },
            # The router's Powertools metrics: namespace and `service` as components.function sets them.
            model_spend=ModelSpendMetric(namespace=settings.metrics_namespace, service="router"),
            state_machine_arns={"pipeline": self.workflow.arn},
            guardrails={"guardrail": (self.guardrail.arn, self.guardrail.version)},
            # Operators' topic, never the escalation topic: the review queue takes only reviewers' notices.
            alarm_topic_arn=self.governance.alert_topic_arn,
            opts=child,
        )

        self.outputs = {
            "http_endpoint": self.api.http_endpoint,
            "event_bus": self.bus.name,
            "state_machine_arn": self.workflow.arn,
            "agent_id": self.agent.agent_id,
            "agent_alias_id": self.agent.alias_id,
            "guardrail_id": self.guardrail.guardrail_id,
            "guardrail_version": self.guardrail.version,
            "outputs_bucket": self.storage.bucket.name,
            "escalation_topic_arn": self.escalation.topic_arn,
        }
        if self.api.websocket_endpoint is not None:
            self.outputs["websocket_endpoint"] = self.api.websocket_endpoint
        if self.knowledge_base is not None:
            self.outputs["knowledge_base_id"] = self.knowledge_base.knowledge_base_id
            self.outputs["documents_bucket"] = self.knowledge_base.documents.name
        if self.edge is not None:
            self.outputs["edge_domain_name"] = self.edge.domain_name
        if self.devices is not None:
            self.outputs["device_thing_group"] = self.devices.group.name
            self.outputs["device_telemetry_queue"] = self.devices.telemetry.url
            # What the model-release pipeline needs (scripts/ci/model_release.py, P081).
            self.outputs["device_models_bucket"] = self.devices.models.name
            self.outputs["device_signing_key_alias"] = self.devices.signing_alias.name
        self.register_outputs(self.outputs)

    def _alarmed_functions(self) -> dict[str, Function]:
        """The asynchronously invoked functions whose errors and dead-letter queues are alarmed.

        The edge's miss -> generate path is among them: a failing variant writer would leave viewers on the
        default page without a sound (P129, P179).
        """
        functions = {"ingest": self.ingest, "router": self.router, "decide": self.decide, "deliver": self.deliver}
        if self.variants is not None:
            functions["variants"] = self.variants
        return functions

    def _edge_layer(
        self, settings: PlatformSettings, child: pulumi.ResourceOptions, account_id: pulumi.Output[str]
    ) -> None:
        """The network edge (P071-P076): CloudFront + Lambda@Edge, and the core's variant writer.

        The edge asks for a missing variant with one `VariantRequested` on the bus; a rule invokes `variants`,
        which generates it with the cheapest tier through the guardrail and writes it under `variants/`.
        """
        self.edge: EdgeDelivery | None = None
        self.variants: Function | None = None
        if not settings.features.edge:
            return
        self.edge = EdgeDelivery(
            "edge",
            settings,
            EdgeDeliveryArgs.from_settings(settings),
            key=self.key,
            bus=self.bus,
            access_log_bucket=self.governance.access_log_bucket,
            opts=child,
        )
        cheapest = min(settings.allowed_model_tiers, key=lambda t: t.rank)
        writer = Function(
            "variants",
            settings,
            FunctionArgs(
                handler="functions.variants.handler.lambda_handler",
                description="VariantRequested -> Bedrock through the guardrail -> variants/ (P075, P076)",
                timeout_seconds=120,
                environment={
                    c.ENV_CONTENT_BUCKET_NAME: self.edge.content.name,
                    c.ENV_VARIANT_MODEL_ID: models.model_id(cheapest),
                    c.ENV_VARIANT_TTL_SECONDS: str(settings.edge.variant_ttl_days * 86400),
                    c.ENV_GUARDRAIL_ID: self.guardrail.guardrail_id,
                    c.ENV_GUARDRAIL_VERSION: self.guardrail.version,
                },
            ),
            key=self.key,
            opts=child,
        )
        writer.grant_invoke_model(
            models.per_account(
                lambda account: models.tier_invoke_arns([cheapest], settings.region, account), account_id
            )
        )
        writer.grant_apply_guardrail(self.guardrail)
        self.edge.content.grant_read(writer.role, name="variants-role")
        self.edge.content.grant_write(writer.role, prefix=VARIANTS_PREFIX, name="variants-role")
        self.bus.route_to_function(
            "variants",
            {"source": [EDGE_EVENT_SOURCE], "detail-type": [VARIANT_REQUESTED]},
            writer,
            description="VariantRequested (from the edge) -> variant writer",
        )
        self.variants = writer
