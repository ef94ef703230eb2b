"""A small Amazon States Language builder where error handling is the default, not an afterthought.

`definition(...)` gives every Task state a Retry (exponential backoff with jitter) and a Catch
(P020, P179: no orchestration without error handling and retries), including Tasks inside Parallel
branches and Map item processors; it also checks that every transition names an existing state.

Service integrations are preferred to Lambda wherever no code is needed (P022): the resource strings
below are the optimized integrations documented in the Step Functions developer guide
(https://docs.aws.amazon.com/step-functions/latest/dg/integrate-optimized.html, connect-bedrock.html,
connect-ddb.html, connect-eventbridge.html, connect-sns.html, connect-lambda.html). moto's ASL
interpreter parses the same strings (tests/components/test_asl_moto.py).

Examples
--------
>>> states = {
...     "Work": lambda_invoke("arn:aws:lambda:us-east-1:123456789012:function:f", next_state="Done"),
...     "Done": succeed(),
...     "Failed": fail("WorkFailed", "the work failed after retries"),
... }
>>> asl = definition("Work", states, catch_to="Failed")
>>> asl["States"]["Work"]["Catch"][0]["Next"]
'Failed'
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping, Sequence
from typing import Any

LAMBDA_INVOKE = "arn:aws:states:::lambda:invoke"
BEDROCK_INVOKE_MODEL = "arn:aws:states:::bedrock:invokeModel"
DYNAMODB_PUT_ITEM = "arn:aws:states:::dynamodb:putItem"
DYNAMODB_GET_ITEM = "arn:aws:states:::dynamodb:getItem"
EVENTS_PUT_EVENTS = "arn:aws:states:::events:putEvents"
SNS_PUBLISH = "arn:aws:states:::sns:publish"

#: Errors worth retrying: any task failure and timeouts. `States.Runtime` and
#: `States.DataLimitExceeded` are never retried (the ASL spec makes them non-retriable anyway).
RETRYABLE_ERRORS = ("States.TaskFailed", "States.Timeout")

#: Retry with exponential backoff and full jitter: 2 s, ~4 s, ~8 s (P020).
DEFAULT_RETRY: tuple[dict[str, Any], ...] = (
    {
        "ErrorEquals": list(RETRYABLE_ERRORS),
        "IntervalSeconds": 2,
        "MaxAttempts": 3,
        "BackoffRate": 2.0,
        "JitterStrategy": "FULL",
    },
)

_TERMINAL = {"Succeed", "Fail"}
_CAN_CATCH = {"Task", "Parallel", "Map"}


class AslError(ValueError):
    """A definition that Step Functions would reject (unknown transition, missing state...)."""


# --- states ------------------------------------------------------------------------------------


def _flow(state: dict[str, Any], next_state: str | None, end: bool) -> dict[str, Any]:
    if (next_state is None) == (not end):
        raise AslError("a state needs exactly one of next_state or end=True")
    if next_state is not None:
        state["Next"] = next_state
    else:
        state["End"] = True
    return state


def task(
    resource: str,
    *,
    parameters: Mapping[str, Any] | None = None,
    result_selector: Mapping[str, Any] | None = None,
    result_path: str | None = "$",
    next_state: str | None = None,
    end: bool = False,
    retry: Sequence[Mapping[str, Any]] | None = None,
    catch: Sequence[Mapping[str, Any]] | None = None,
    timeout_seconds: int | None = None,
    comment: str | None = None,
) -> dict[str, Any]:
    """A Task state. Retry/Catch left as None are filled in by `definition` with the defaults."""
    state: dict[str, Any] = {"Type": "Task", "Resource": resource}
    if comment:
        state["Comment"] = comment
    if parameters is not None:
        state["Parameters"] = dict(parameters)
    if result_selector is not None:
        state["ResultSelector"] = dict(result_selector)
    if result_path != "$":
        state["ResultPath"] = result_path
    if timeout_seconds is not None:
        state["TimeoutSeconds"] = timeout_seconds
    if retry is not None:
        state["Retry"] = [dict(r) for r in retry]
    if catch is not None:
        state["Catch"] = [dict(c) for c in catch]
    return _flow(state, next_state, end)


def lambda_invoke(function_arn: str, *, payload_path: str = "$", **kwargs: Any) -> dict[str, Any]:
    """Invoke a Lambda function synchronously; the state's result is the function's return value."""
    kwargs.setdefault("result_selector", {"Payload.$": "$.Payload"})
    return task(
        LAMBDA_INVOKE,
        parameters={"FunctionName": function_arn, "Payload.$": payload_path},
        **kwargs,
    )


def bedrock_invoke_model(model_id: str, body: Mapping[str, Any], **kwargs: Any) -> dict[str, Any]:
    """Call a model with no Lambda in between (the Bedrock optimized integration, InvokeModel)."""
    return task(BEDROCK_INVOKE_MODEL, parameters={"ModelId": model_id, "Body": dict(body)}, **kwargs)


def dynamodb_put_item(table_name: str, item: Mapping[str, Any], **kwargs: Any) -> dict[str, Any]:
    """Write one item (attribute values in DynamoDB JSON, e.g. `{"id": {"S.$": "$.id"}}`)."""
    kwargs.setdefault("result_path", None)
    return task(DYNAMODB_PUT_ITEM, parameters={"TableName": table_name, "Item": dict(item)}, **kwargs)


def events_put_events(
    bus_name: str, source: str, detail_type: str, *, detail_path: str = "$", **kwargs: Any
) -> dict[str, Any]:
    """Put one event on an EventBridge bus (the only hand-off between orchestrators, P033-P035)."""
    kwargs.setdefault("result_path", None)
    entry = {"EventBusName": bus_name, "Source": source, "DetailType": detail_type, "Detail.$": detail_path}
    return task(EVENTS_PUT_EVENTS, parameters={"Entries": [entry]}, **kwargs)


def sns_publish(
    topic_arn: str, *, message_path: str = "$", subject: str | None = None, **kwargs: Any
) -> dict[str, Any]:
    """Publish the state input (or `message_path`) to an SNS topic."""
    kwargs.setdefault("result_path", None)
    parameters: dict[str, Any] = {"TopicArn": topic_arn, "Message.$": message_path}
    if subject:
        parameters["Subject"] = subject
    return task(SNS_PUBLISH, parameters=parameters, **kwargs)


def choice(choices: Sequence[Mapping[str, Any]], default: str, comment: str | None = None) -> dict[str, Any]:
    state: dict[str, Any] = {"Type": "Choice", "Choices": [dict(c) for c in choices], "Default": default}
    if comment:
        state["Comment"] = comment
    return state


def pass_state(
    *,
    parameters: Mapping[str, Any] | None = None,
    result: Any = None,
    result_path: str | None = "$",
    next_state: str | None = None,
    end: bool = False,
) -> dict[str, Any]:
    state: dict[str, Any] = {"Type": "Pass"}
    if parameters is not None:
        state["Parameters"] = dict(parameters)
    if result is not None:
        state["Result"] = result
    if result_path != "$":
        state["ResultPath"] = result_path
    return _flow(state, next_state, end)


def succeed() -> dict[str, Any]:
    return {"Type": "Succeed"}


def fail(error: str, cause: str) -> dict[str, Any]:
    return {"Type": "Fail", "Error": error, "Cause": cause}


def branch(start_at: str, states: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """A sub-machine for a Parallel branch or a Map item processor."""
    return {"StartAt": start_at, "States": {k: dict(v) for k, v in states.items()}}


def parallel(
    branches: Sequence[Mapping[str, Any]],
    *,
    result_path: str | None = "$",
    next_state: str | None = None,
    end: bool = False,
) -> dict[str, Any]:
    state: dict[str, Any] = {"Type": "Parallel", "Branches": [dict(b) for b in branches]}
    if result_path != "$":
        state["ResultPath"] = result_path
    return _flow(state, next_state, end)


def map_state(
    processor: Mapping[str, Any],
    *,
    items_path: str = "$",
    max_concurrency: int = 0,
    result_path: str | None = "$",
    next_state: str | None = None,
    end: bool = False,
) -> dict[str, Any]:
    state: dict[str, Any] = {
        "Type": "Map",
        "ItemsPath": items_path,
        "MaxConcurrency": max_concurrency,
        "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, **dict(processor)},
    }
    if result_path != "$":
        state["ResultPath"] = result_path
    return _flow(state, next_state, end)


# --- the definition ------------------------------------------------------------------------------


def _apply_defaults(
    states: dict[str, Any], *, catch_to: str | None, retry: Sequence[Mapping[str, Any]], nested: bool
) -> dict[str, Any]:
    """Add Retry and Catch to every Task (recursing into Parallel/Map) and return the new states."""
    out = copy.deepcopy(states)
    local_fail = "BranchFailed"
    needs_local_fail = False
    for state in out.values():
        kind = state.get("Type")
        if kind == "Parallel":
            state["Branches"] = [_sub_machine(b, retry) for b in state["Branches"]]
        elif kind == "Map":
            processor = state.get("ItemProcessor") or state.get("Iterator")
            key = "ItemProcessor" if "ItemProcessor" in state else "Iterator"
            state[key] = _sub_machine(processor, retry)
        if kind == "Task" and "Retry" not in state:
            state["Retry"] = [dict(r) for r in retry]
        if kind in _CAN_CATCH and "Catch" not in state:
            if nested:
                # A branch cannot jump out of itself: fail the branch (the enclosing Parallel/Map catches).
                state["Catch"] = [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": local_fail}]
                needs_local_fail = True
            elif catch_to is not None:
                state["Catch"] = [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": catch_to}]
    if needs_local_fail and local_fail not in out:
        out[local_fail] = fail("BranchFailed", "a task in this branch failed after its retries")
    return out


def _sub_machine(machine: Mapping[str, Any], retry: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    result = dict(machine)
    result["States"] = _apply_defaults(dict(machine["States"]), catch_to=None, retry=retry, nested=True)
    _check(result["StartAt"], result["States"])
    return result


def _targets(state: Mapping[str, Any]) -> list[str]:
    found = [state["Next"]] if "Next" in state else []
    found.extend(c["Next"] for c in state.get("Catch", []))
    if state.get("Type") == "Choice":
        found.extend(c["Next"] for c in state.get("Choices", []))
        if "Default" in state:
            found.append(state["Default"])
    return found


def _check(start_at: str, states: Mapping[str, Mapping[str, Any]]) -> None:
    if start_at not in states:
        raise AslError(f"StartAt {start_at!r} is not a state")
    for name, state in states.items():
        if len(name) > 80:
            raise AslError(f"state name {name!r} is longer than 80 characters")
        kind = state.get("Type")
        if kind == "Task" and not state.get("Retry"):
            raise AslError(f"Task {name!r} has no Retry")
        if kind not in _TERMINAL and kind != "Choice" and "Next" not in state and not state.get("End"):
            raise AslError(f"state {name!r} neither has Next nor End")
        for target in _targets(state):
            if target not in states:
                raise AslError(f"state {name!r} transitions to unknown state {target!r}")


def definition(
    start_at: str,
    states: Mapping[str, Mapping[str, Any]],
    *,
    catch_to: str | None = None,
    retry: Sequence[Mapping[str, Any]] = DEFAULT_RETRY,
    comment: str | None = None,
    timeout_seconds: int | None = None,
) -> dict[str, Any]:
    """A complete state machine definition with default Retry on every Task and Catch -> `catch_to`.

    Raises
    ------
    AslError
        When `catch_to` or a transition target is not a state, or a Task ends up without Retry.
    """
    if catch_to is not None and catch_to not in states:
        raise AslError(f"catch_to {catch_to!r} is not a state")
    body = _apply_defaults(dict(states), catch_to=catch_to, retry=retry, nested=False)
    # The fallback path must not catch into itself.
    if catch_to is not None:
        _remove_self_catch(body, catch_to)
    _check(start_at, body)
    result: dict[str, Any] = {}
    if comment:
        result["Comment"] = comment
    result["StartAt"] = start_at
    if timeout_seconds is not None:
        result["TimeoutSeconds"] = timeout_seconds
    result["States"] = body
    return result


def _remove_self_catch(states: dict[str, Any], catch_to: str) -> None:
    """States on the fallback path keep their Retry but catch into the path's Fail state, not into itself.

    When the fallback path ends in no Fail state, their Catch is dropped (the execution fails as is).
    """
    reachable: list[str] = []
    pending = [catch_to]
    while pending:
        name = pending.pop()
        if name in reachable or name not in states:
            continue
        reachable.append(name)
        pending.extend(_targets({k: v for k, v in states[name].items() if k != "Catch"}))
    final = next((n for n in reachable if states[n].get("Type") == "Fail"), None)
    for name in reachable:
        state = states[name]
        catches = [c for c in state.get("Catch", []) if c["Next"] != catch_to]
        if len(catches) != len(state.get("Catch", [])) and final is not None:
            catches.append({"ErrorEquals": ["States.ALL"], "ResultPath": "$.fallbackError", "Next": final})
        if catches:
            state["Catch"] = catches
        else:
            state.pop("Catch", None)


def to_json(asl: Mapping[str, Any]) -> str:
    """Canonical JSON text of a definition (stable key order, so diffs are meaningful)."""
    return json.dumps(asl, indent=2, sort_keys=True)


def task_states(asl: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Every Task state by name, including those nested in Parallel branches and Map processors."""
    found: dict[str, dict[str, Any]] = {}

    def walk(states: Mapping[str, Any], prefix: str) -> None:
        for name, state in states.items():
            if state.get("Type") == "Task":
                found[prefix + name] = state
            for sub in state.get("Branches", []):
                walk(sub["States"], f"{prefix}{name}/")
            processor = state.get("ItemProcessor") or state.get("Iterator")
            if processor:
                walk(processor["States"], f"{prefix}{name}/")

    walk(asl["States"], "")
    return found


# --- how long a definition can run ----------------------------------------------------------------------

#: ASL defaults of a Retrier's fields (https://states-language.net/spec.html#retrying-after-error, and
#: https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html#error-handling-retrying-after-an-error):
#: IntervalSeconds 1, MaxAttempts 3, BackoffRate 2.0.
RETRY_DEFAULTS = {"IntervalSeconds": 1, "MaxAttempts": 3, "BackoffRate": 2.0}


def retry_budget(retriers: Sequence[Mapping[str, Any]]) -> tuple[int, float]:
    """(retries, seconds waited between attempts) when every retrier is used up, in the worst case.

    Each retrier counts its own attempts, so an error sequence that meets each retrier in turn gets all of
    them: the retries add up. The wait before retry ``n`` (from 0) is ``IntervalSeconds * BackoffRate**n``, capped
    by ``MaxDelaySeconds``; full jitter only shortens it (concepts-error-handling.html, "JitterStrategy").
    """
    retries, waited = 0, 0.0
    for retrier in retriers:
        attempts = int(retrier.get("MaxAttempts", RETRY_DEFAULTS["MaxAttempts"]))
        interval = float(retrier.get("IntervalSeconds", RETRY_DEFAULTS["IntervalSeconds"]))
        rate = float(retrier.get("BackoffRate", RETRY_DEFAULTS["BackoffRate"]))
        cap = retrier.get("MaxDelaySeconds")
        for n in range(attempts):
            delay = interval * rate**n
            waited += min(delay, float(cap)) if cap is not None else delay
        retries += attempts
    return retries, waited


def state_worst_case_seconds(name: str, state: Mapping[str, Any]) -> float:
    """The longest one state can take: a Task's every attempt running into its `TimeoutSeconds`, plus the waits.

    A Task without `TimeoutSeconds` has no bound this can prove (the Lambda integration, for one, waits for the
    function, however long it is allowed to run), so it is an error here, as are Map states (their item count
    is data).
    """
    kind = state.get("Type")
    if kind == "Task":
        if "TimeoutSeconds" not in state:
            raise AslError(f"Task {name!r} has no TimeoutSeconds: its duration has no bound")
        retries, waited = retry_budget(state.get("Retry", []))
        return (1 + retries) * float(state["TimeoutSeconds"]) + waited
    if kind == "Wait":
        if "Seconds" not in state:
            raise AslError(f"Wait {name!r} waits for a time from its input: its duration has no bound")
        return float(state["Seconds"])
    if kind == "Parallel":
        retries, waited = retry_budget(state.get("Retry", []))
        longest = max(worst_case_seconds(branch) for branch in state["Branches"])
        return (1 + retries) * longest + waited
    if kind == "Map":
        raise AslError(f"Map {name!r}: its duration depends on its items")
    return 0.0  # Pass, Choice, Succeed, Fail


def worst_case_seconds(asl: Mapping[str, Any]) -> float:
    """The longest any execution of `asl` can run: the slowest path from StartAt, over Next, Catch and Choice.

    The definition's own `TimeoutSeconds` must exceed this, or an execution can end before its Catch (the
    failure path) runs: past that time "the execution fails with a States.Timeout error name"
    (https://docs.aws.amazon.com/step-functions/latest/dg/statemachine-structure.html), the execution itself,
    not one of its states, so no Catch of the definition handles it (status TIMED_OUT). A Task without
    `TimeoutSeconds` can wait for good (https://docs.aws.amazon.com/step-functions/latest/dg/sfn-stuck-execution.html).

    Raises
    ------
    AslError
        When a state's duration has no bound (see `state_worst_case_seconds`) or the transitions form a loop.
    """
    states: Mapping[str, Mapping[str, Any]] = asl["States"]
    done: dict[str, float] = {}

    def longest(name: str, path: tuple[str, ...]) -> float:
        if name in path:
            raise AslError(f"states {' -> '.join((*path, name))} form a loop: no bound")
        if name not in done:
            state = states[name]
            after = [longest(target, (*path, name)) for target in _targets(state)]
            done[name] = state_worst_case_seconds(name, state) + max(after, default=0.0)
        return done[name]

    return longest(str(asl["StartAt"]), ())
