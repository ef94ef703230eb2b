"""A rule that deferred on an unknown value outside a preview leaves a `security-value-unknown` finding (P112, P141,
P148) even when policies/security_values.py lacks the input (review2 F2: "a future gap is a finding, not a pass").

Why: `security-value-unknown` reports the inputs of its table; a security or governance rule that meets an
unknown value notes "cannot tell" and judges the rest (policies.lib.Pending, `tolerant`). Outside a preview a
value still unknown was judged by no rule, so an input a rule decides on that the table lacks (a rule that
starts reading a new input, a type no test fills) would pass with a note. This is the net under the table, for
the offline gate, in-process (preflight.policy_runner reads the path from the error) and over the protocol
(preflight.analyzer reads it from pulumi_policy's "can't run policy" diagnostic). Under the Pulumi CLI the pack
sees only the table: the net is the gate's (at a real `up` the program has awaited its outputs).

What the table already owns (it reports it itself), identity and wiring keys (IDENTITY_INPUTS: the engine
fabricates them and a rule that cannot link a setting says so) and the documents `iam-document-unknown` owns
are left alone, so nothing is reported twice; what the engine's own gaps explain, preflight.unseen turns into a
note as for every `security-value-unknown` finding.

The gate also reports what neither policy can see: an input of either table that is, or holds, a string invented
offline for a data source's result (`invented_inputs`; preflight.invokes), a made-up value a rule judged. The
finding is the policy's whose table lists the input (a document's is `iam-document-unknown`'s, P135/P137); under
the Pulumi CLI there is nothing to report (a real preview reads the data source).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from policies import native
from policies.rules.document_unknown import (
    DOCUMENT_UNKNOWN,
    MUST_BE_KNOWN,
    SENTINELS,
    VALUE_UNKNOWN,
    owned_by_a_table,
)
from policies.security_values import IDENTITY_INPUTS, SECURITY_VALUES
from policies.spec import Category, PolicySpec
from preflight.graph import STACK_TYPE, ResourceGraph, ResourceNode
from preflight.invokes import invented_found, invented_phrase, invented_summary

#: Rules whose deferral the net answers for: the security and governance rules, less the two unknown policies.
JUDGING = frozenset({Category.SECURITY, Category.GOVERNANCE})


def answers_for(policy: PolicySpec) -> bool:
    """Whether a deferral of `policy` outside a preview is one the net reports."""
    return policy.category in JUDGING and policy.name not in {VALUE_UNKNOWN, DOCUMENT_UNKNOWN}


def _at(value: Any, path: Sequence[str]) -> Any:
    for step in path:
        if isinstance(value, Mapping):
            value = value.get(step)
        elif isinstance(value, list | tuple) and step.isdigit() and int(step) < len(value):
            value = value[int(step)]
        else:
            return None
    return value


def owned(resource_type: str, key: str) -> bool:
    """Whether `key` of `resource_type` is reported elsewhere, or is identity: the net leaves it alone."""
    if key in IDENTITY_INPUTS:
        return True
    return any(owned_by_a_table(t, key) for t in (resource_type, *sorted(native.twin_types(resource_type))))


def unowned(
    graph: ResourceGraph, node: ResourceNode | None, path: Sequence[str], props: Any
) -> list[ResourceNode | None]:
    """Where a rule met the unknown at `path` that no table owns: the resource a resource rule judged, or, for a
    stack rule (`node` is the stack or None), each resource holding an unknown at `path` in `props(node)`; None
    (the stack) when no resource does (a view's name, say). Empty when a table owns the input everywhere."""
    if not path:
        return [None]
    if node is not None and node.type != STACK_TYPE:
        return [] if owned(node.type, path[0]) else [node]
    holding = [n for n in graph.resources if n.custom and _at(props(n), path) in SENTINELS]
    if not holding:
        return [None]
    return [n for n in holding if not owned(n.type, path[0])]


def message(policy: str, path: Sequence[str]) -> str:
    """The finding's text: the input, the rule that deferred on it, and that the table lacks it."""
    return (
        f"{'.'.join(path) or 'a value'} is unknown, so {policy} could not judge it (an input "
        "policies/security_values.py does not list yet; offline: built from an output the engine does not "
        "fabricate, such as an unstated StackReference output)."
    )


@dataclass(frozen=True)
class InventedInput:
    """An input a rule judged that is, or holds, a string invented offline for a data source's result."""

    #: The unknown policy whose table lists the input: VALUE_UNKNOWN (policies.security_values) or DOCUMENT_UNKNOWN
    #: (a policy document, MUST_BE_KNOWN), so the finding takes that policy's level, principles and waivers.
    policy: str
    key: str
    #: The data sources' tokens ("" for an invented value whose invoke ran elsewhere and was not recorded).
    tokens: tuple[str, ...]
    #: The input is the invented value itself (or a list of them), not a string built from one.
    whole: bool


def _tables(node: ResourceNode) -> Iterator[tuple[str, str, Any]]:
    """(unknown policy, input as the program wrote it, value) for each input of the two tables on `node`, and on the
    pulumi-aws views of an aws-native one (policies.native.views: its trust policy is read as a role's
    `assumeRolePolicy`, but the program wrote `assumeRolePolicyDocument`: `written_as`)."""
    props = node.judged_inputs
    for key in SECURITY_VALUES.get(node.type, ()):
        yield VALUE_UNKNOWN, key, props.get(key)
    for key in MUST_BE_KNOWN.get(node.type, ()):
        yield DOCUMENT_UNKNOWN, key, props.get(key)
    for resource_type, inputs in native.views(node.type, props) if native.twin_types(node.type) else []:
        for policy, keys in ((VALUE_UNKNOWN, SECURITY_VALUES), (DOCUMENT_UNKNOWN, MUST_BE_KNOWN)):
            for key in keys.get(resource_type, ()):
                value = inputs.get(key)
                yield policy, written_as(props, value) or key, value


def written_as(props: Mapping[str, Any], value: Any) -> str | None:
    """The aws-native input a view's `value` holding an invented value was read from (policies.native.written_as,
    the invented strings as its marks); None when `value` holds none."""
    made = {text for text in native.strings(value) if invented_found(text)}
    return native.written_as(props, value, made) if made else None


def invented_inputs(node: ResourceNode) -> list[InventedInput]:
    """Each input of `node` in policies/security_values.py's table or a policy document (MUST_BE_KNOWN) that is or
    holds a string invented offline for a data source's result (preflight.invokes), whole or embedded in a bigger
    string (an f-string ARN, a `json.dumps` trust policy naming a parameter's account: issue 11): a real `pulumi
    preview` reads the cloud's value, so offline it is not known, and the rule that judged the made-up string
    judged nothing (review s7 finding 4). Only the tables' inputs: an input a rule reads that they lack is not
    traced here."""
    found: dict[tuple[str, str], InventedInput] = {}
    for policy, key, value in _tables(node):
        parts = invented_found(value)
        if not parts or (policy, key) in found:
            continue
        found[policy, key] = InventedInput(policy, key, *invented_summary(parts))
    return list(found.values())


def invented_message(invented: InventedInput) -> str:
    """The finding's text for an input invented offline (or built from a value invented) for data sources."""
    judged = "no IAM rule judged the document" if invented.policy == DOCUMENT_UNKNOWN else "no rule judged its value"
    return (
        f"{invented.key} {invented_phrase(invented.tokens, invented.whole)}, so {judged} (a data source is read from "
        "the cloud at a real `pulumi preview`; offline its result is fabricated: preflight/invokes.py)."
    )
