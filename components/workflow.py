"""Workflow: a Step Functions state machine for deterministic back-end automation (P011, P019-P023, P032).

The definition comes from the ASL builder (`components.asl`), so every Task retries and is caught
(P020, P179). The state machine is secure by default:

* STANDARD type: exactly-once steps and a 90-day execution history, an audit trail per request (P021);
  priced per state transition, so no idle cost (P014);
* logging level ALL with execution data to an encrypted log group (P121, P129, P147); X-Ray tracing
  (P131); the definition and execution data encrypted with the stack key (`encryption_configuration`
  type CUSTOMER_MANAGED_KMS_KEY; botocore `stepfunctions` EncryptionType enum; P141);
* a role trusted by `states.amazonaws.com` only for this state machine in this account (aws:SourceArn,
  aws:SourceAccount), holding one statement per explicit grant (P135, P137).

`request_pipeline` is the platform's back-end automation: router -> decide, with a no-code failure path
(audit record, reviewer notification, `EscalationRequested` event) built from service integrations (P022).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from components import asl, iam
from components.kms import StackKey
from components.logs import EncryptedLogGroup
from components.settings import PlatformSettings
from functions.shared import constants, review

#: Log delivery for Step Functions uses CloudWatch Logs' vended-log APIs, which do not support
#: resource-level permissions: the documented policy uses `Resource: "*"`
#: (https://docs.aws.amazon.com/step-functions/latest/dg/cw-logs.html#cloudwatch-iam-policy).
LOG_DELIVERY_ACTIONS = (
    "logs:CreateLogDelivery",
    "logs:DeleteLogDelivery",
    "logs:DescribeLogGroups",
    "logs:DescribeResourcePolicies",
    "logs:GetLogDelivery",
    "logs:ListLogDeliveries",
    "logs:PutResourcePolicy",
    "logs:UpdateLogDelivery",
)
XRAY_WRITE_POLICY = "arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess"
KMS_DATA_KEY_REUSE_SECONDS = 300

#: Errors the platform's functions raise for input that will never succeed (functions/shared): failing
#: fast beats three paid retries (P163). Listed first, so they win over the default retrier.
#: ``FailurePathOwnsOutcomeError``: decide met the failure path's ``workflow_failed`` record of an earlier
#: execution, whose effects are not all out; this execution's failure path sends them (review s11 3 #12 sibling).
NON_RETRYABLE_ERRORS = (
    "UnexpectedEventError",
    "ConfigurationError",
    "PromptError",
    "ValidationError",
    "FailurePathOwnsOutcomeError",
)
PIPELINE_RETRY: tuple[dict[str, Any], ...] = (
    {"ErrorEquals": list(NON_RETRYABLE_ERRORS), "MaxAttempts": 0},
    *asl.DEFAULT_RETRY,
)


@dataclass(frozen=True)
class WorkflowArgs:
    log_level: str = "ALL"
    include_execution_data: bool = True
    type: str = "STANDARD"

    def __post_init__(self) -> None:
        if self.log_level not in ("ALL", "ERROR", "FATAL"):
            raise ValueError("log_level must be ALL, ERROR or FATAL (OFF is not allowed, P129)")
        if self.type not in ("STANDARD", "EXPRESS"):
            raise ValueError("type must be STANDARD or EXPRESS")


class Workflow(pulumi.ComponentResource):
    """A state machine whose definition is built from resolved ARNs by `definition`.

    Examples
    --------
    >>> wf = Workflow("pipeline", settings, key=key,
    ...               definition=lambda refs: request_pipeline(**refs),
    ...               references={"router_arn": router.arn, ...})
    >>> wf.grant_invoke_function(router)
    """

    role: aws.iam.Role
    state_machine: aws.sfn.StateMachine
    logs: EncryptedLogGroup
    arn: pulumi.Output[str]
    name: pulumi.Output[str]
    definition_json: pulumi.Output[str]
    grants: dict[str, aws.iam.RolePolicy]

    def __init__(
        self,
        name: str,
        settings: PlatformSettings,
        *,
        key: StackKey,
        definition: Callable[[dict[str, str]], Mapping[str, Any]],
        references: Mapping[str, pulumi.Input[str]],
        args: WorkflowArgs | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("agentic:workflow:Workflow", name, None, opts)
        args = args or WorkflowArgs()
        self._name = name
        self.grants = {}
        child = pulumi.ResourceOptions(parent=self)
        machine_name = settings.name(name)
        account_id = aws.get_caller_identity_output().account_id
        machine_arn = pulumi.Output.concat(
            "arn:aws:states:", settings.region, ":", account_id, ":stateMachine:", machine_name
        )

        self.role = aws.iam.Role(
            f"{name}-role",
            name=f"{machine_name}-sfn"[:64],
            description=f"Role of the {machine_name} state machine: explicit grants only (P135)",
            assume_role_policy=iam.service_trust("states.amazonaws.com", account_id, machine_arn),
            opts=child,
        )
        self.logs = EncryptedLogGroup(
            f"{name}-logs", settings, key=key, log_group_name=f"/aws/vendedlogs/states/{machine_name}", opts=child
        )
        log_delivery = aws.iam.RolePolicy(
            f"{name}-log-delivery",
            role=self.role.name,
            policy=pulumi.Output.json_dumps(
                {
                    "Version": iam.POLICY_VERSION,
                    # The one documented exception to named resources (see LOG_DELIVERY_ACTIONS).
                    "Statement": [{"Effect": "Allow", "Action": list(LOG_DELIVERY_ACTIONS), "Resource": "*"}],
                }
            ),
            opts=child,
        )
        self.grants["log-delivery"] = log_delivery
        self.grants["stack-key"] = key.grant_encrypt_decrypt(self.role, name=f"{name}-role")
        self.xray = aws.iam.RolePolicyAttachment(
            f"{name}-xray", role=self.role.name, policy_arn=XRAY_WRITE_POLICY, opts=child
        )

        keys = sorted(references)
        self.definition_json = pulumi.Output.all(*[references[k] for k in keys]).apply(
            lambda values: asl.to_json(definition(dict(zip(keys, [str(v) for v in values], strict=True))))
        )
        self.state_machine = aws.sfn.StateMachine(
            name,
            name=machine_name,
            type=args.type,
            role_arn=self.role.arn,
            definition=self.definition_json,
            logging_configuration=aws.sfn.StateMachineLoggingConfigurationArgs(
                level=args.log_level,
                include_execution_data=args.include_execution_data,
                log_destination=self.logs.arn.apply(lambda arn: f"{arn.removesuffix(':*')}:*"),
            ),
            tracing_configuration=aws.sfn.StateMachineTracingConfigurationArgs(enabled=True),
            encryption_configuration=aws.sfn.StateMachineEncryptionConfigurationArgs(
                type="CUSTOMER_MANAGED_KMS_KEY",
                kms_key_id=key.arn,
                kms_data_key_reuse_period_seconds=KMS_DATA_KEY_REUSE_SECONDS,
            ),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[log_delivery, self.grants["stack-key"], self.xray]),
        )
        self.arn = self.state_machine.arn
        self.name = self.state_machine.name
        self.register_outputs({"arn": self.arn, "name": self.name})

    # --- grants: one statement each -----------------------------------------------------------------

    def _grant(self, grant: str, actions: Sequence[str], resources: Sequence[pulumi.Input[str]]) -> aws.iam.RolePolicy:
        if grant in self.grants:
            raise ValueError(f"{self._name}: grant {grant!r} was already made")
        policy = iam.role_policy(self.role, f"{self._name}-{grant}", [iam.statement(actions, resources)], parent=self)
        self.grants[grant] = policy
        return policy

    def grant_invoke_function(self, function: Any, *, grant: str | None = None) -> aws.iam.RolePolicy:
        """`lambda:invoke` tasks on this function (and its versions)."""
        arn = function.arn
        return self._grant(
            grant or f"invoke-{function._name}",
            ["lambda:InvokeFunction"],
            [arn, pulumi.Output.concat(arn, ":*")],
        )

    def grant_invoke_model(self, model_arns: Sequence[pulumi.Input[str]]) -> aws.iam.RolePolicy:
        """`bedrock:invokeModel` tasks on exactly these models."""
        return self._grant("invoke-model", ["bedrock:InvokeModel"], list(model_arns))

    def grant_put_item(self, table: aws.dynamodb.Table, *, grant: str | None = None) -> aws.iam.RolePolicy:
        """`dynamodb:putItem` tasks on this table."""
        return self._grant(grant or f"put-item-{table._name}", ["dynamodb:PutItem"], [table.arn])

    def grant_get_item(self, table: aws.dynamodb.Table, *, grant: str | None = None) -> aws.iam.RolePolicy:
        """`dynamodb:getItem` tasks on this table (the failure path reads its own markers)."""
        return self._grant(grant or f"get-item-{table._name}", ["dynamodb:GetItem"], [table.arn])

    def grant_put_events(self, bus: Any) -> aws.iam.RolePolicy:
        """`events:putEvents` tasks on this bus."""
        return self._grant("put-events", ["events:PutEvents"], [bus.arn])

    def grant_publish(self, topic_arn: pulumi.Input[str]) -> aws.iam.RolePolicy:
        """`sns:publish` tasks on this topic."""
        return self._grant("publish", ["sns:Publish"], [topic_arn])


# --- the platform's back-end automation ---------------------------------------------------------------

#: Raised by the functions' Powertools idempotency when another invocation holds the request (a duplicate
#: `RequestReceived` started a second execution while the first still runs). Not a failure: wait for the
#: first one, whose stored result the retry then returns; if it still runs, this execution ends quietly.
IN_PROGRESS_ERROR = "IdempotencyAlreadyInProgressError"
#: Long enough to outlast the router's timeout (120 s, components/platform.py): 5 + 10 + 20 + 40 + 80 s.
IN_PROGRESS_RETRY: dict[str, Any] = {
    "ErrorEquals": [IN_PROGRESS_ERROR],
    "IntervalSeconds": 5,
    "MaxAttempts": 5,
    "BackoffRate": 2.0,
}
#: Step Functions' error name for a false ConditionExpression of the dynamodb:putItem integration
#: (https://docs.aws.amazon.com/step-functions/latest/dg/connect-ddb.html: errors are `DynamoDB.<code>`).
CONDITION_FAILED_ERROR = "DynamoDB.ConditionalCheckFailedException"
#: A false condition is an answer, not a fault: never retried (a rule matches the first error it names).
RECORD_RETRY: tuple[dict[str, Any], ...] = (
    {"ErrorEquals": [CONDITION_FAILED_ERROR], "MaxAttempts": 0},
    *PIPELINE_RETRY,
)
#: The longest one call of the failure path's service integrations (DynamoDB GetItem/PutItem, SNS Publish,
#: EventBridge PutEvents) may take before the state fails with `States.Timeout` and is retried. Not an AWS
#: figure: a budget for a request that normally answers in milliseconds, so that a hung call is bounded and the
#: execution's worst case (`asl.worst_case_seconds`) is finite.
SERVICE_TASK_TIMEOUT_SECONDS = 10
#: Slack between the definition's worst case and its execution timeout (state transitions, scheduling).
EXECUTION_TIMEOUT_MARGIN_SECONDS = 60


def execution_timeout_seconds(states_worst_case: float) -> int:
    """The execution timeout: past the slowest path (failure path included), rounded up to whole minutes.

    An execution that reaches its `TimeoutSeconds` fails as a whole (States.Timeout, TIMED_OUT) without running
    the failure path, so the user never hears back and no case is made (asl.worst_case_seconds): the timeout
    is a backstop that every path, retried to the end, stays under.
    """
    return math.ceil((states_worst_case + EXECUTION_TIMEOUT_MARGIN_SECONDS) / 60) * 60


#: The audit table's key and the failure path's records (one place: functions/shared/constants.py).
AUDIT_KEY = constants.AUDIT_KEY_ATTR
AUDIT_SORT_KEY = constants.AUDIT_SORT_ATTR
FAILURE_RECORD = constants.AUDIT_FAILURE_RECORD
REVIEW_SENT_RECORD = constants.AUDIT_REVIEW_SENT_RECORD
ESCALATION_SENT_RECORD = constants.AUDIT_ESCALATION_SENT_RECORD
DECISION_RECORD = constants.AUDIT_DECISION_RECORD
OUTCOME_SENT_RECORD = constants.AUDIT_OUTCOME_SENT_RECORD
OUTCOME_OWNER_RECORD = constants.AUDIT_OUTCOME_OWNER_RECORD
OUTCOME_OWNER_ATTR = constants.OUTCOME_OWNER_ATTR


def _step_catch() -> list[dict[str, Any]]:
    return [
        {"ErrorEquals": [IN_PROGRESS_ERROR], "ResultPath": "$.error", "Next": "HandledElsewhere"},
        {"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": EXPIRY_STATE},
    ]


def _claim(audit_table: str, next_state: str) -> dict[str, dict[str, Any]]:
    """OwnerItem -> ClaimOutcome -> (ReadOwner -> OwnerChoice): the failure path escalates only a request it owns.

    decide appends the request's `outcome_owner` record (owner `decide`) right before it publishes its outcome
    event (functions/decide/handler.py); this path appends the same item (owner `workflow_failed`) before its first
    effect, each only if absent (a conditional dynamodb:putItem), so one of them announces the outcome whatever the
    interleaving of two executions of one request (EventBridge delivers `RequestReceived` at least once and each
    copy starts an execution; review s11 4 #4: the path used to read `decision`/`outcome_sent`, reads a decide
    of another execution could outdate). The path goes on (`next_state`) when it, or an earlier execution's
    failure path, owns the outcome (each effect is guarded by its own marker). When decide owns it and its
    `outcome_sent` is there, the user was told: AlreadyDecided. When decide owns it but `outcome_sent` is not
    there, decide is publishing in another execution or failed for good after claiming: a second, different
    outcome is not sent, and the execution fails (OutcomeLeftToDecide) so it is seen; a redelivery or replay of
    the request runs decide again, which finds its claim and publishes.
    """
    key = {AUDIT_KEY: {"S.$": "$.detail.request_id"}, AUDIT_SORT_KEY: {"S": OUTCOME_OWNER_RECORD}}
    owner = f"$.ownerFound.Item.{OUTCOME_OWNER_ATTR}.S"
    fallback = [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.fallbackError", "Next": "Failed"}]

    def read(record: str, found: str, next_state: str, comment: str) -> dict[str, Any]:
        return asl.task(
            asl.DYNAMODB_GET_ITEM,
            parameters={
                "TableName": audit_table,
                "Key": {**key, AUDIT_SORT_KEY: {"S": record}},
                "ConsistentRead": True,
            },
            result_path=f"$.{found}",
            next_state=next_state,
            retry=PIPELINE_RETRY,
            timeout_seconds=SERVICE_TASK_TIMEOUT_SECONDS,
            catch=fallback,
            comment=comment,
        )

    return {
        "OwnerItem": _item(
            {**key, OUTCOME_OWNER_ATTR: {"S": FAILURE_RECORD}, "recorded_at": {"S.$": "$$.State.EnteredTime"}},
            "ClaimOutcome",
        ),
        "ClaimOutcome": _append_once(
            audit_table,
            next_state,
            [
                {"ErrorEquals": [CONDITION_FAILED_ERROR], "ResultPath": "$.fallbackError", "Next": "ReadOwner"},
                *fallback,
            ],
            comment="Who tells the user: this path, unless decide (or an earlier failure path) claimed it first",
        ),
        "ReadOwner": read(OUTCOME_OWNER_RECORD, "ownerFound", "OwnerChoice", "Who owns the outcome?"),
        "OwnerChoice": asl.choice(
            [
                {
                    "And": [
                        {"Variable": owner, "IsPresent": True},
                        {"Variable": owner, "StringEquals": FAILURE_RECORD},
                    ],
                    "Next": next_state,
                }
            ],
            default="CheckOutcomeSent",
        ),
        "CheckOutcomeSent": read(
            OUTCOME_SENT_RECORD, "outcomeSentFound", "OutcomeSentChoice", "Did decide's outcome go out?"
        ),
        "OutcomeSentChoice": asl.choice(
            [{"Variable": "$.outcomeSentFound.Item", "IsPresent": True, "Next": "AlreadyDecided"}],
            default="OutcomeLeftToDecide",
        ),
        "AlreadyDecided": asl.succeed(),
        "OutcomeLeftToDecide": asl.fail(
            "OutcomeLeftToDecide", "decide claimed the outcome and has not recorded it sent; no second outcome"
        ),
    }


#: Where every failure of Route or Decide goes: the failure path first works out when its audit records expire.
EXPIRY_STATE = "AuditExpiry"
#: Where the failure path keeps the `expires_at` attribute (or nothing) and each record's other attributes.
EXPIRY_PATH, ITEM_PATH = "$.auditExpiry", "$.auditItem"
#: The Item of the failure path's dynamodb:putItem tasks: the record's attributes and its expiry, if any
#: (`States.JsonMerge`, a shallow merge: https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html).
MERGED_ITEM = f"States.JsonMerge({ITEM_PATH}, {EXPIRY_PATH}, false)"


def _expiry(next_state: str) -> dict[str, dict[str, Any]]:
    """AuditExpiry -> ExpiryFromRequest | KeptForGood: the `expires_at` the failure path's records carry.

    decide's and deliver's records expire `AUDIT_RETENTION_DAYS` after they are written (DynamoDB TTL,
    `functions.shared.audit`); the workflow's must too, or they are kept forever, against the stack's retention
    (P146). ASL JSONPath has no clock arithmetic (`$$.Execution.StartTime` is an ISO-8601 string; the intrinsics
    are listed in https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html), and JSONata's
    `$millis()` would compute it but moto's interpreter, which runs this definition in the tests, ships no JSONata
    evaluator (moto 5.2.5 `stepfunctions/parser/asl/jsonata/jsonata.py` leaves `_eval_jsonata` unset). So the
    figure comes with the request: ingest stamps `RequestReceived.audit_expires_at` from the same retention, and
    this path copies it (`States.Format` makes the number the string a DynamoDB `N` is). A request without
    one (retention 0, or an event from before the field) keeps its records, as decide does with retention 0.
    """
    return {
        EXPIRY_STATE: asl.choice(
            [
                {"Variable": "$.detail.audit_expires_at", "IsPresent": False, "Next": "KeptForGood"},
                {"Variable": "$.detail.audit_expires_at", "IsNumeric": True, "Next": "ExpiryFromRequest"},
            ],
            default="KeptForGood",
        ),
        "ExpiryFromRequest": asl.pass_state(
            parameters={constants.TTL_ATTR: {"N.$": "States.Format('{}', $.detail.audit_expires_at)"}},
            result_path=EXPIRY_PATH,
            next_state=next_state,
        ),
        "KeptForGood": asl.pass_state(result={}, result_path=EXPIRY_PATH, next_state=next_state),
    }


def _item(attributes: Mapping[str, Any], next_state: str) -> dict[str, Any]:
    """A Pass state that puts a record's attributes at ITEM_PATH, for the put's merge with its expiry."""
    return asl.pass_state(parameters=dict(attributes), result_path=ITEM_PATH, next_state=next_state)


def _append_once(
    audit_table: str, next_state: str, catch: list[dict[str, Any]], comment: str | None = None
) -> dict[str, Any]:
    """A put of the record at ITEM_PATH (merged with its expiry) only if the request has none of that kind yet: the
    audit table is append-only, and a present record means an earlier execution wrote it (`catch` says where that
    condition's failure, and any other, goes)."""
    return asl.task(
        asl.DYNAMODB_PUT_ITEM,
        parameters={
            "TableName": audit_table,
            "Item.$": MERGED_ITEM,
            "ConditionExpression": "attribute_not_exists(#pk)",
            "ExpressionAttributeNames": {"#pk": AUDIT_KEY},
        },
        result_path=None,
        next_state=next_state,
        retry=RECORD_RETRY,
        timeout_seconds=SERVICE_TASK_TIMEOUT_SECONDS,
        catch=catch,
        comment=comment,
    )


def escalation_detail(*, answered: bool) -> dict[str, Any]:
    """An `EscalationRequested` detail for a request the workflow could not finish (matches its schema).

    It carries the real cause (the error's name, never its message: messages may quote user input) and, when
    the router answered before the failure, that answer's tier and confidence.
    """
    detail: dict[str, Any] = {
        "schema_version": "1",
        "request_id.$": "$.detail.request_id",
        "occurred_at.$": "$$.State.EnteredTime",
        "reasons": ["workflow_failed"],
        "cause.$": "$.error.Error",
        "connection_id.$": "$.detail.connection_id",
        # The caller: deliver pushes only to a connection this subject opened (issue 12 §2). RequestReceived
        # always carries the key (null when the caller has none): the model serialises every field.
        "subject.$": "$.detail.subject",
    }
    if answered:
        detail.update({"confidence.$": "$.answer.Payload.confidence", "tier.$": "$.answer.Payload.tier"})
    else:
        detail.update({"confidence": 0, "tier": None})
    return detail


def review_notice() -> dict[str, Any]:
    """Parameters of the Pass state that builds the reviewers' notice (`$.review`) from `$.escalation`.

    The same shape decide sends (`functions.shared.review.ReviewNotice`): the case without the caller's
    `subject` and `connection_id` (which stay on `EscalationRequested`, deliver needs them; P142, P187) and
    without a claim check (null: the failure path has none).
    """
    return {
        **{f"{name}.$": f"$.escalation.{name}" for name in review.FROM_ESCALATION},
        **{name: None for name in review.FIELDS if name not in review.FROM_ESCALATION},
    }


def _once(
    effect: str,
    audit_table: str,
    record: str,
    task: dict[str, Any],
    *,
    done: str,
    already: str | None = None,
    comment: str,
) -> dict[str, dict[str, Any]]:
    """Check{effect}Sent -> Send{effect} -> Mark{effect}Sent: an effect the audit table's `record` guards.

    The marker is appended after the effect succeeded, so a failed effect is retried by the next execution
    (or a redrive), and an effect that went out is not repeated (at least once, twice only if the execution
    dies between the effect and its marker). `already` is where a marker found before sending leads.
    """
    key = {AUDIT_KEY: {"S.$": "$.detail.request_id"}, AUDIT_SORT_KEY: {"S": record}}
    check, send, mark = f"Check{effect}Sent", f"Send{effect}", f"Mark{effect}Sent"
    item = f"{effect}SentItem"
    found = f"{effect}SentFound"
    return {
        check: asl.task(
            asl.DYNAMODB_GET_ITEM,
            parameters={"TableName": audit_table, "Key": key, "ConsistentRead": True},
            result_path=f"$.{found}",
            next_state=f"{effect}SentChoice",
            timeout_seconds=SERVICE_TASK_TIMEOUT_SECONDS,
            catch=[{"ErrorEquals": ["States.ALL"], "ResultPath": "$.fallbackError", "Next": "Failed"}],
            comment=comment,
        ),
        f"{effect}SentChoice": asl.choice(
            [{"Variable": f"$.{found}.Item", "IsPresent": True, "Next": already or done}], default=send
        ),
        send: {
            **task,
            "Next": item,
            "TimeoutSeconds": SERVICE_TASK_TIMEOUT_SECONDS,
            "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.fallbackError", "Next": "Failed"}],
        },
        item: _item({**key, "recorded_at": {"S.$": "$$.State.EnteredTime"}}, mark),
        mark: _append_once(
            audit_table,
            done,
            [
                {"ErrorEquals": [CONDITION_FAILED_ERROR], "ResultPath": "$.fallbackError", "Next": done},
                {"ErrorEquals": ["States.ALL"], "ResultPath": "$.fallbackError", "Next": "Failed"},
            ],
        ),
    }


def request_pipeline(
    *,
    router_arn: str,
    decide_arn: str,
    audit_table: str,
    escalation_topic_arn: str,
    bus_name: str,
    event_source: str,
    router_timeout_seconds: int,
    decide_timeout_seconds: int,
) -> dict[str, Any]:
    """ASL for one `RequestReceived` event (the EventBridge event is the execution input).

    Route (router Lambda: tiered models, caching, prompts) -> Decide (decide Lambda: business rules,
    S3 output, escalation, audit) -> Done. A duplicate execution whose request another execution still
    holds waits, then ends in HandledElsewhere (not a failure). Any other failure after retries first claims
    the request's outcome (`_claim`: one audit item decide claims too): a request decide owns ends in
    AlreadyDecided, or OutcomeLeftToDecide while decide has not recorded its outcome sent (no second outcome,
    no review case). Otherwise it takes the no-code fallback, once per request: RecordFailure (a conditional
    dynamodb:putItem of the audit table's `workflow_failed` record; when it exists, go on) -> FailureDetail ->
    ReviewNotice -> SendReview (sns:publish, the review queue's one case: the case, never the caller, the
    connection or the prompt; skipped when sent) -> SendEscalation (events:putEvents `EscalationRequested`, so
    the user still hears back) -> Failed.

    Every Task has a `TimeoutSeconds`: the Lambda tasks their function's timeout from the plan
    (`router_timeout_seconds`, `decide_timeout_seconds`), the service integrations SERVICE_TASK_TIMEOUT_SECONDS;
    the execution timeout is then computed from the slowest path (`execution_timeout_seconds`), so the failure
    path always runs before it.
    """
    retry = [*PIPELINE_RETRY[:1], IN_PROGRESS_RETRY, *PIPELINE_RETRY[1:]]
    states: dict[str, dict[str, Any]] = {
        "Route": asl.lambda_invoke(
            router_arn,
            payload_path="$",
            result_path="$.answer",
            next_state="Decide",
            retry=retry,
            timeout_seconds=router_timeout_seconds,
            catch=_step_catch(),
            comment="Tiered model call (micro first, escalate on low confidence: P153, P154)",
        ),
        "Decide": asl.lambda_invoke(
            decide_arn,
            payload_path="$.answer.Payload",
            result_path="$.decision",
            next_state="Done",
            retry=retry,
            timeout_seconds=decide_timeout_seconds,
            catch=_step_catch(),
            comment="Business rules on confidence; escalates to humans below the threshold (P102, P104)",
        ),
        "Done": asl.succeed(),
        "HandledElsewhere": asl.succeed(),
        **_expiry("OwnerItem"),
        **_claim(audit_table, "FailureItem"),
        "FailureItem": _item(
            {
                AUDIT_KEY: {"S.$": "$.detail.request_id"},
                AUDIT_SORT_KEY: {"S": FAILURE_RECORD},
                "outcome": {"S": FAILURE_RECORD},
                "error": {"S.$": "$.error.Error"},
                "cause": {"S.$": "$.error.Cause"},
                "recorded_at": {"S.$": "$$.State.EnteredTime"},
            },
            "RecordFailure",
        ),
        # Append-only: the first failure of a request is recorded, never a second one.
        "RecordFailure": _append_once(
            audit_table,
            "FailureDetail",
            [
                # Recorded by an earlier execution: go on, each effect below is guarded by its own record, so
                # one that an earlier execution could not complete (SNS or the bus down) is done now, once.
                {"ErrorEquals": [CONDITION_FAILED_ERROR], "ResultPath": "$.fallbackError", "Next": "FailureDetail"},
                {"ErrorEquals": ["States.ALL"], "ResultPath": "$.fallbackError", "Next": "Failed"},
            ],
            comment="Audit trail of the failure, once per request (P147)",
        ),
        "FailureDetail": asl.choice(
            [{"Variable": "$.answer.Payload.tier", "IsPresent": True, "Next": "EscalationAfterAnswer"}],
            default="EscalationBeforeAnswer",
        ),
        "EscalationAfterAnswer": asl.pass_state(
            parameters=escalation_detail(answered=True), result_path="$.escalation", next_state="ReviewNotice"
        ),
        "EscalationBeforeAnswer": asl.pass_state(
            parameters=escalation_detail(answered=False), result_path="$.escalation", next_state="ReviewNotice"
        ),
        "ReviewNotice": asl.pass_state(
            parameters=review_notice(), result_path="$.review", next_state="CheckReviewSent"
        ),
        **_once(
            "Review",
            audit_table,
            REVIEW_SENT_RECORD,
            asl.sns_publish(
                escalation_topic_arn,
                message_path="States.JsonToString($.review)",
                subject="Agentic platform: request needs human review",
                next_state="MarkReviewSent",
            ),
            done="CheckEscalationSent",
            comment="The reviewers' one case: decide, or an earlier execution, may have sent it already",
        ),
        **_once(
            "Escalation",
            audit_table,
            ESCALATION_SENT_RECORD,
            asl.events_put_events(
                bus_name,
                event_source,
                "EscalationRequested",
                detail_path="$.escalation",
                next_state="MarkEscalationSent",
            ),
            done="Failed",
            already="AlreadyEscalated",
            comment="EscalationRequested once, so the user hears back once",
        ),
        "AlreadyEscalated": asl.succeed(),
        "Failed": asl.fail("RequestFailed", "the request was escalated to human review after retries"),
    }
    definition = asl.definition(
        "Route",
        states,
        catch_to=EXPIRY_STATE,
        retry=PIPELINE_RETRY,
        comment="Back-end automation for one RequestReceived event (P032: deterministic steps only)",
    )
    return {**definition, "TimeoutSeconds": execution_timeout_seconds(asl.worst_case_seconds(definition))}
