"""EventBus: the platform's one EventBridge bus, its rules, an archive for replay and a schema registry.

Every hand-off between components is an event on this bus (P001-P004, P033, P087); the Bedrock agent
(user-facing) and the Step Functions workflow (back-end automation) meet only here (P034, P035, P178).

* The bus is encrypted with the stack key (`kms_key_identifier`, pulumi-aws EventBus; P141).
* Every rule target has a retry policy and a KMS-encrypted dead-letter queue (P179); EventBridge
  may send to that queue only from this bus's rules in this account (queue policy conditions).
* An archive keeps every event for replay (`retention_days`, P021, P147).
* A schema registry holds the JSON schema of every event the platform emits, generated from the
  runtime's own pydantic models (`functions.shared.events.event_schemas()`), so the contract deployed
  is the contract the code validates (P090, P127). The registry accepts `OpenApi3` and
  `JSONSchemaDraft4` (botocore `schemas` service model, `Type` enum), so the pydantic schemas
  (JSON Schema 2020-12) are rewritten to Draft 4 by `to_draft4`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from components import iam
from components.kms import StackKey
from components.queues import DeadLetterQueue
from components.settings import PlatformSettings

DRAFT4 = "http://json-schema.org/draft-04/schema#"
SCHEMA_TYPE = "JSONSchemaDraft4"


def to_draft4(schema: Mapping[str, Any]) -> dict[str, Any]:
    """Rewrite a pydantic (2020-12) JSON schema in Draft 4 terms: `$defs` -> `definitions`, `const` -> `enum`."""

    def convert(value: Any) -> Any:
        if isinstance(value, Mapping):
            out: dict[str, Any] = {}
            for key, item in value.items():
                if key == "$defs":
                    out["definitions"] = convert(item)
                elif key == "const":
                    out["enum"] = [item]
                elif key == "$ref" and isinstance(item, str):
                    out["$ref"] = item.replace("#/$defs/", "#/definitions/")
                elif key in ("exclusiveMinimum", "exclusiveMaximum") and not isinstance(item, bool):
                    bound = "minimum" if key == "exclusiveMinimum" else "maximum"
                    out[bound] = item
                    out[key] = True
                else:
                    out[key] = convert(item)
            return out
        if isinstance(value, list):
            return [convert(v) for v in value]
        return value

    result = convert(schema)
    return {"$schema": DRAFT4, **result}


def platform_event_schemas() -> dict[str, dict[str, Any]]:
    """Draft 4 schema per detail-type, from the runtime's event models."""
    from functions.shared.events import event_schemas  # noqa: PLC0415 (pydantic-only import, deploy time)

    return {name: to_draft4(schema) for name, schema in sorted(event_schemas().items())}


@dataclass(frozen=True)
class EventBusArgs:
    archive_retention_days: int = 14
    #: Target retries: attempts (0-185) and how long EventBridge keeps trying (60-86400 s).
    max_retry_attempts: int = 8
    max_event_age_seconds: int = 3600
    schemas: bool = True

    def __post_init__(self) -> None:
        if not 0 <= self.max_retry_attempts <= 185:
            raise ValueError("max_retry_attempts must be between 0 and 185")
        if not 60 <= self.max_event_age_seconds <= 86400:
            raise ValueError("max_event_age_seconds must be between 60 and 86400")
        if self.archive_retention_days < 0:
            raise ValueError("archive_retention_days must not be negative (0 keeps events forever)")


class EventBus(pulumi.ComponentResource):
    """The platform bus with archive, schema registry and rules whose targets retry and dead-letter.

    Examples
    --------
    >>> bus = EventBus("bus", settings, key=key)
    >>> bus.route_to_function("deliver", {"detail-type": ["DecisionMade"]}, deliver)
    """

    bus: aws.cloudwatch.EventBus
    dlq: DeadLetterQueue
    archive: aws.cloudwatch.EventArchive
    registry: aws.schemas.Registry | None
    schemas: dict[str, aws.schemas.Schema]
    rules: dict[str, aws.cloudwatch.EventRule]
    targets: dict[str, aws.cloudwatch.EventTarget]
    arn: pulumi.Output[str]
    name: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        settings: PlatformSettings,
        args: EventBusArgs | None = None,
        *,
        key: StackKey,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("agentic:events:EventBus", name, None, opts)
        args = args or EventBusArgs()
        self._name = name
        self._settings = settings
        self._args = args
        self.rules = {}
        self.targets = {}
        self.schemas = {}
        child = pulumi.ResourceOptions(parent=self)
        bus_name = settings.name(name)
        self._bus_name = bus_name
        account_id = aws.get_caller_identity_output().account_id
        self._account_id = account_id

        self.bus = aws.cloudwatch.EventBus(
            name,
            name=bus_name,
            description=f"{bus_name}: every platform event (P001)",
            kms_key_identifier=key.arn,  # P141
            opts=child,
        )
        # EventBridge delivers failed events to the DLQ as itself: only from this bus's rules.
        rules_arn = pulumi.Output.concat("arn:aws:events:", settings.region, ":", account_id, ":rule/", bus_name, "/*")
        self.dlq = DeadLetterQueue(
            f"{name}-dlq",
            settings,
            key=key,
            extra_policy_statements=[
                {
                    "Sid": "EventBridgeRuleDeadLetters",
                    "Effect": "Allow",
                    "Principal": {"Service": "events.amazonaws.com"},
                    "Action": "sqs:SendMessage",
                    "Resource": pulumi.Output.concat(
                        "arn:aws:sqs:", settings.region, ":", account_id, ":", settings.name(f"{name}-dlq")
                    ),
                    "Condition": {"ArnLike": {"aws:SourceArn": rules_arn}},
                }
            ],
            opts=child,
        )
        self.archive = aws.cloudwatch.EventArchive(
            f"{name}-archive",
            name=f"{bus_name}-archive"[:48],
            event_source_arn=self.bus.arn,
            retention_days=args.archive_retention_days,  # P147: replayable history
            kms_key_identifier=key.arn,
            description="Every platform event, for replay",
            opts=child,
        )
        self.registry = None
        if args.schemas:
            self.registry = aws.schemas.Registry(
                f"{name}-registry",
                name=bus_name,
                description="Contracts of every event the platform emits (P090)",
                opts=child,
            )
            source = _event_source()
            for detail_type, schema in platform_event_schemas().items():
                self.schemas[detail_type] = aws.schemas.Schema(
                    f"{name}-schema-{detail_type}",
                    name=f"{source}@{detail_type}",
                    registry_name=self.registry.name,
                    type=SCHEMA_TYPE,
                    description=str(schema.get("description") or detail_type)[:256],
                    content=json.dumps(schema, sort_keys=True),
                    opts=child,
                )
        self.arn = self.bus.arn
        self.name = self.bus.name
        self.register_outputs({"arn": self.arn, "name": self.name, "archive": self.archive.name})

    # --- rules ------------------------------------------------------------------------------------

    def _rule(self, rule: str, pattern: Mapping[str, Any], description: str) -> aws.cloudwatch.EventRule:
        if rule in self.rules:
            raise ValueError(f"rule {rule!r} already exists on {self._name}")
        full_pattern = {"source": [_event_source()], **dict(pattern)}
        resource = aws.cloudwatch.EventRule(
            f"{self._name}-{rule}",
            name=f"{self._bus_name}-{rule}"[:64],
            event_bus_name=self.bus.name,
            description=description,
            event_pattern=json.dumps(full_pattern, sort_keys=True),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.rules[rule] = resource
        return resource

    def _target(
        self,
        rule: str,
        resource: aws.cloudwatch.EventRule,
        arn: pulumi.Input[str],
        *,
        role_arn: pulumi.Input[str] | None = None,
        input_path: str | None = None,
    ) -> aws.cloudwatch.EventTarget:
        target = aws.cloudwatch.EventTarget(
            f"{self._name}-{rule}-target",
            rule=resource.name,
            event_bus_name=self.bus.name,
            arn=arn,
            role_arn=role_arn,
            input_path=input_path,
            retry_policy=aws.cloudwatch.EventTargetRetryPolicyArgs(  # P179
                maximum_retry_attempts=self._args.max_retry_attempts,
                maximum_event_age_in_seconds=self._args.max_event_age_seconds,
            ),
            dead_letter_config=aws.cloudwatch.EventTargetDeadLetterConfigArgs(arn=self.dlq.arn),
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.targets[rule] = target
        return target

    def route_to_function(
        self, rule: str, pattern: Mapping[str, Any], function: Any, *, description: str = ""
    ) -> aws.cloudwatch.EventTarget:
        """Invoke `function` (a Function component) for matching events, asynchronously."""
        resource = self._rule(rule, pattern, description or f"{rule} -> Lambda")
        aws.lambda_.Permission(
            f"{self._name}-{rule}-invoke",
            action="lambda:InvokeFunction",
            function=function.name,
            principal="events.amazonaws.com",
            source_arn=resource.arn,  # only this rule may invoke (P137)
            opts=pulumi.ResourceOptions(parent=self),
        )
        return self._target(rule, resource, function.arn)

    def route_to_state_machine(
        self,
        rule: str,
        pattern: Mapping[str, Any],
        state_machine_arn: pulumi.Input[str],
        *,
        description: str = "",
        input_path: str | None = None,
    ) -> aws.cloudwatch.EventTarget:
        """Start an execution of a state machine for matching events, through a role only this rule uses."""
        resource = self._rule(rule, pattern, description or f"{rule} -> Step Functions")
        role = aws.iam.Role(
            f"{self._name}-{rule}-role",
            name=f"{self._bus_name}-{rule}"[:64],
            assume_role_policy=iam.service_trust("events.amazonaws.com", self._account_id, resource.arn),
            opts=pulumi.ResourceOptions(parent=self),
        )
        iam.role_policy(
            role,
            f"{self._name}-{rule}-start-execution",
            [iam.statement(["states:StartExecution"], [state_machine_arn])],
            parent=self,
        )
        return self._target(rule, resource, state_machine_arn, role_arn=role.arn, input_path=input_path)

    def detail_types(self) -> Sequence[str]:
        return list(self.schemas)


def _event_source() -> str:
    from functions.shared.constants import EVENT_SOURCE  # noqa: PLC0415 (one source of truth)

    return EVENT_SOURCE
