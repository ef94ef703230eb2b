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
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from policies.native import twin_types
from policies.rules.document_unknown import DOCUMENT_UNKNOWN, SENTINELS, VALUE_UNKNOWN, owned_by_a_table
from policies.security_values import IDENTITY_INPUTS, SECURITY_VALUES
from policies.spec import Category, PolicySpec
from preflight.graph import STACK_TYPE, ResourceGraph, ResourceNode
from preflight.invokes import invented_in

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
    return any(owned_by_a_table(t, key) for t in (resource_type, *sorted(twin_types(resource_type))))


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


def invented_inputs(node: ResourceNode) -> list[tuple[str, tuple[str, ...]]]:
    """(input, data-source tokens) for each input of `node` in policies/security_values.py's table that holds a
    string invented offline for a data source's result (preflight.invokes): a real `pulumi preview` reads the
    cloud's value, so offline it is not known, and the rule that judged the made-up string judged nothing (review
    s7 finding 4). Only the table's inputs: an input a rule reads that the table lacks is not traced here."""
    found = []
    for key in SECURITY_VALUES.get(node.type, ()):
        tokens = invented_in(node.judged_inputs.get(key))
        if tokens:
            found.append((key, tuple(sorted(set(tokens)))))
    return found


def invented_message(key: str, tokens: Sequence[str]) -> str:
    """The `security-value-unknown` text for an input invented offline for the data sources `tokens`."""
    named = ", ".join(t for t in tokens if t)
    sources = f"data source {named}" if named else "a data source"
    return (
        f"{key} was invented offline for {sources}, so no rule judged its value (a data source is read from the "
        "cloud at a real `pulumi preview`; offline its result is fabricated: preflight/invokes.py)."
    )
