"""What the gate could not judge, said in the report rather than passed over in silence.

Two kinds of resource a program names are not judged offline, for different reasons:

- A multi-language component (`awsx.ec2.Vpc`, `eks.Cluster`, `aws-apigateway`'s `RestAPI`) registers with
  `remote=True`: its provider plugin builds the resources inside it within the engine (pulumi/pulumi
  sdk/python/lib/pulumi/resource.py, `ComponentResource(..., remote=True)`), and no plugin runs offline. The
  graph holds the component and none of its children, so nothing inside was judged by the pack or by checkov.
  That is a finding (one per component), mandatory where the stack is production: a security engineer expects
  no pass without a trace (P112: audit-aligned deployments; P188: no workflow without governance). Like any
  finding it can be waived in `policies/suppressions.yaml`, with a reason and an expiry, where reviewed.
- An `apply` callback that did not run because its value stayed unknown offline (a StackReference output the
  program does not state in `policies/config/<stack>.stack-references.json`, a multi-language component's
  output): whatever it creates was never registered, so never judged (preflight/applies.py). That is an
  `apply-not-run` finding per program line, at the same levels as a multi-language component, for the same
  reasons. One whose value is unknown only through the engine's own gap (below) is a note when the gate runs
  without checkov, and a finding when checkov judges the program: checkov never runs at `up`.
- A read (`aws.s3.Bucket.get(...)`, a StackReference) is a resource the program uses and does not manage.
  The Pulumi engine runs no per-resource analyzer on reads (step_generator.go `GenerateReadSteps`), and a
  read costs nothing to this stack: it is listed in the notes, neither judged nor priced.

And one kind of value: an input of the program's own resource built from another of its own resources' output
that the engine does not fabricate (preflight/fabricate.py knows pulumi-aws and a few aws-native types). The pack's
`security-value-unknown` and `iam-document-unknown` (policies.rules.document_unknown) report it, rightly at
`pulumi up`; offline it is the gate's gap, not the program's fault: at `up` that output is known and the pack judges
the input. `own_output_gaps` turns such a finding into a note naming the resources; one whose unknown comes from a
StackReference, a read, a multi-language component, or from nothing the graph records stays a finding (issue 11).
A `checkov-value-unknown` is never such a note: the input is one only checkov reads, and checkov runs only here, so
"judged at `up`" would be false (review s11 3 #1).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from policies.lib import NO_AWS_RESOURCES
from policies.profile import is_production
from policies.rules.document_unknown import DOCUMENT_UNKNOWN, HIDDEN_SECRET, SENTINELS, VALUE_UNKNOWN
from preflight.fabricate import fabricates
from preflight.findings import Finding, Level, Source
from preflight.graph import ResourceGraph, ResourceNode, UnrunApply, urn_name
from preflight.random_outputs import is_draw
from preflight.stack_references import STACK_REFERENCE_TYPE, references_path

#: The finding's id, for reports and for `policies/suppressions.yaml`.
REMOTE_POLICY = "remote-component-not-judged"
REMOTE_PRINCIPLES = ("P112", "P188")
#: The finding's id for an `apply` whose callback did not run offline (named like REMOTE_POLICY: what was not judged).
APPLY_POLICY = "apply-not-run"
#: The ids of the gate's own findings of what it could not see (suppressions may name them).
UNSEEN_POLICIES = (REMOTE_POLICY, APPLY_POLICY)


def _type_of(urn: str) -> str:
    """The component's own type: the last of the URN's qualified `parent$child` type."""
    return urn.split("::")[2].rsplit("$", 1)[-1]


def remote_component_findings(graph: ResourceGraph, production: bool | None = None) -> list[Finding]:
    """One finding per multi-language component: what its plugin builds was not seen, so not judged."""
    level = _level(graph, production)
    findings = []
    for urn in graph.remote_components:
        type_ = _type_of(urn)
        package = type_.split(":", 1)[0]
        findings.append(
            Finding(
                policy=REMOTE_POLICY,
                source=Source.CROSSGUARD,
                level=level,
                resource=urn_name(urn),
                type=type_,
                urn=urn,
                principles=REMOTE_PRINCIPLES,
                message=(
                    f"{type_} is a multi-language component: its provider plugin (pulumi-{package}) builds the "
                    "resources inside it at deploy time and does not run offline, so none of them was judged "
                    "(neither by the policies nor by checkov)"
                ),
                fix=(
                    "Judge what the plugin builds: `pulumi preview --json > preview.json`, then "
                    "`python -m preflight check --from-preview preview.json`; or build these resources with "
                    "pulumi-aws directly. Waive this finding in policies/suppressions.yaml (with a reason and "
                    "an expiry) only once the component's resources have been reviewed."
                ),
                severity="high",
            )
        )
    return findings


def _level(graph: ResourceGraph, production: bool | None) -> Level:
    return Level.MANDATORY if is_production(graph.stack, production) else Level.ADVISORY


def _from(apply: UnrunApply) -> str:
    """Where the unknown came from, in words: the stack references and components its value depends on."""
    named = []
    for urn in apply.sources:
        type_ = _type_of(urn)
        if type_ == STACK_REFERENCE_TYPE:
            named.append(f"StackReference '{urn_name(urn)}'")
        elif type_ != "pulumi:pulumi:Stack":
            named.append(f"{type_} '{urn_name(urn)}'")
    return f" (it comes from {', '.join(named)})" if named else ""


def _engine_gap(apply: UnrunApply, graph: ResourceGraph) -> str:
    """Where an unknown the engine's own gap explains came from, in words."""
    named = ", ".join(unfabricated_of(apply.sources, graph))
    return f" (built from {named}'s output, which the engine does not fabricate offline)"


def _at(apply: UnrunApply) -> str:
    """Where the apply was called: the program's line, and the helper's line outside the program that it led to."""
    return f"{apply.via} (helper code outside the program, called from {apply.at})" if apply.via else apply.at


def apply_findings(
    graph: ResourceGraph, production: bool | None = None, notes: list[str] | None = None, checkov: bool = False
) -> list[Finding]:
    """One finding per program line whose `apply` callback never ran offline: what it creates was not judged.

    An apply whose value is unknown only because it comes from the program's own resources of types the engine
    fabricates no outputs for (`own_unfabricated`, as for an unknown input) is a note in `notes` instead, when the
    gate runs without checkov: at `pulumi up` the callback runs on a known value and what it creates is judged by
    the pack. When checkov judges the program (`checkov`) it stays a finding: checkov runs only here, never at `up`
    (the pack does not call it), so whatever the callback registers is never judged by checkov's checks, the only
    judge of some settings (an RDS instance's `publicly_accessible`; review s11 3 #1). That finding is advisory at
    every level: the same callback does not run in `pulumi preview` either (the password is unknown there too), and
    at `up` the pack judges what it registers, so blocking on it would fail the common, harmless idiom of building
    a secret's JSON from a generated password, which the gate cannot tell apart offline. One from a StackReference, a
    read or a remote component is a finding either way, at the stack's level (review F4)."""
    level = _level(graph, production)
    stated = references_path(Path(), graph.stack)  # relative to the program
    findings = []
    for apply in graph.unrun_applies:
        times = "once" if apply.count == 1 else f"{apply.count} times"
        engine_gap = own_unfabricated(apply.sources, graph)
        if notes is not None and engine_gap and not checkov:
            notes.append(
                f"{APPLY_POLICY}: the apply callback at {_at(apply)} did not run offline ({times}): built from "
                f"{', '.join(unfabricated_of(apply.sources, graph))}'s output, which the engine does not fabricate; "
                "at `pulumi up` the callback runs and the pack judges whatever it registers (checkov did not run "
                "here, so nothing checkov alone judges was asked of it)"
            )
            continue
        references = any(_type_of(urn) == STACK_REFERENCE_TYPE for urn in apply.sources)
        state_it = (
            f"State the referenced stack's outputs in the program's {stated.as_posix()} "
            '(`{"<stack>": {"outputs": {...}}}`) so the callback runs and what it creates is judged; or '
            if references
            else ""
        )
        findings.append(
            Finding(
                policy=APPLY_POLICY,
                source=Source.CROSSGUARD,
                level=Level.ADVISORY if engine_gap else level,
                resource=apply.at,
                type="pulumi:Output.apply",
                urn=apply.sources[0] if len(apply.sources) == 1 else "",
                principles=REMOTE_PRINCIPLES,
                message=(
                    f"the apply callback at {_at(apply)} did not run offline ({times}): its value is unknown"
                    f"{_engine_gap(apply, graph) if engine_gap else _from(apply)}, so whatever it registers at "
                    "deploy time, if anything, was not judged "
                    + (
                        "by checkov, which never runs at `pulumi up` (the pack judges it there)"
                        if engine_gap
                        else "(neither by the policies nor by checkov)"
                    )
                ),
                fix=(
                    f"{state_it}create the resources outside the callback, passing the output as an input. Waive "
                    "this finding in policies/suppressions.yaml (with a reason and an expiry) only once the "
                    "callback is known to create nothing."
                ),
                severity="high",
            )
        )
    return findings


def qualified_not_applicable(graph: ResourceGraph, lines: Sequence[str]) -> list[str]:
    """The pack's "not applicable" lines, each saying, where an `apply` callback did not run offline, that what the
    stack deploys is not known here: a callback may register AWS resources at `pulumi up` (review s11 3 #1: a stack
    whose only security group is made in an apply was told the account baseline is "not applicable: the stack
    deploys no AWS resource"). The pack's own answer stands at `up`, where it sees what the callback registers."""
    if not graph.unrun_applies:
        return list(lines)
    at = ", ".join(_at(apply) for apply in graph.unrun_applies)
    return [
        f"{line} offline; but the apply callback at {at} did not run here, and what it registers at `pulumi up` "
        "may be AWS resources, which the pack then holds to this policy"
        if line.endswith(NO_AWS_RESOURCES)
        else line
        for line in lines
    ]


def read_notes(graph: ResourceGraph) -> list[str]:
    """One line per resource the program only reads: named, with the id it reads, and why it is not judged; a
    StackReference with the stack it reads and how many of its outputs the program states (review 6 F7)."""
    stated = references_path(Path(), graph.stack).as_posix()
    notes = []
    for node in graph.reads:
        if node.type != STACK_REFERENCE_TYPE:
            notes.append(
                f"{node.type} '{node.name}' (id {node.id}) is read, not deployed by this stack: not judged, not priced"
            )
            continue
        outputs = node.outputs.get("outputs")  # present only when stated (preflight/stack_references.py)
        given = (
            f"{len(outputs)} of its outputs stated in {stated}"
            if isinstance(outputs, Mapping)
            else f"its outputs unknown offline (not stated in {stated})"
        )
        notes.append(
            f"StackReference '{node.name}' (stack {node.inputs.get('name', node.id)}) is read, not deployed by this "
            f"stack: {given}"
        )
    return notes


#: The findings of an input no rule of the pack could read, which `own_output_gaps` may turn into notes: the pack
#: judges the input at `pulumi up`, when it is known. Not `checkov-value-unknown` (preflight.checkov_unknown): checkov
#: runs only in this gate, never at `up`, so an input only checkov reads that is unknown here is judged by nothing,
#: ever (review s11 3 #1: an ingress CIDR passed through a RandomPassword's output got a note saying the pack judges
#: it, and the pack had no rule reading it). What the pack also reads is its own table's (preflight.deferred.owned),
#: which checkov_unknown leaves to it.
UNKNOWN_INPUT_POLICIES = frozenset({VALUE_UNKNOWN, DOCUMENT_UNKNOWN})


def _holds(value: Any, markers: frozenset[str]) -> bool:
    if isinstance(value, str):
        return value in markers
    if isinstance(value, Mapping):
        return any(_holds(v, markers) for v in value.values())
    if isinstance(value, list | tuple):
        return any(_holds(v, markers) for v in value)
    return False


def own_sources(node: ResourceNode, graph: ResourceGraph) -> tuple[str, ...] | None:
    """The program's own resources, of types the engine fabricates no outputs for, every unknown input of `node` is
    built from; None when any unknown input depends on something else or on nothing the graph records.

    Only resources of a type the engine fabricates nothing for count (preflight.fabricate.fabricates): an output
    of a pulumi-aws resource left unknown is one the engine decided AWS does not give (a table's stream ARN
    without a stream), and what it means at `up` is for the finding to say, not a note.

    Judged per resource, not per input (a finding's input path is a view's name for an aws-native resource): one
    unknown input from a StackReference keeps every such finding of the resource. Own means a custom resource
    the program registers (graph.resources), not a read or a StackReference (graph.reads) and not a multi-language
    component, whose outputs its plugin computes (remote_components). A preview file's hidden secret ("[secret]")
    is no gap of the engine: a resource holding one is never excused.
    """
    inputs = node.judged_inputs
    if _holds(dict(inputs), frozenset({HIDDEN_SECRET})):
        return None
    unknown = [key for key, value in inputs.items() if _holds(value, SENTINELS)]
    if not unknown:
        return None
    sources: set[str] = set()
    for key in unknown:
        urns = tuple(node.property_dependencies.get(key, ()))
        if node.urn in urns or not own_unfabricated(urns, graph):
            return None
        sources.update(unfabricated_of(urns, graph))
    return tuple(sorted(sources))


def unfabricated_of(urns: Sequence[str], graph: ResourceGraph) -> list[str]:
    """The sources a note names: those whose outputs the engine left unknown, not the fabricated ones beside them."""
    return [
        urn for urn in urns if (found := graph.get(urn)) is not None and not fabricates(found.type, found.judged_inputs)
    ]


def own_unfabricated(urns: Sequence[str], graph: ResourceGraph) -> bool:
    """Whether `urns` name only the program's own custom resources, at least one of a type the engine fabricates no
    outputs for (the others' outputs are known): the one test of "unknown only because of the engine's gap" that
    `own_sources` (an input) and `apply_findings` (an apply's value) share. A StackReference, a read, a remote
    component, the stack itself or a resource the graph does not record is never such a source, nor is a random
    draw (preflight.random_outputs.is_draw: a RandomShuffle choosing the action): its value is the program's choice,
    unknown to any preview of a new stack and different between stacks, not a gap of the engine (review s10 #3)."""
    remote = set(graph.remote_components)
    unfabricated = False
    for urn in urns:
        found = graph.get(urn)
        if found is None or not found.custom or urn in remote or _type_of(urn) == STACK_REFERENCE_TYPE:
            return False
        if is_draw(found.type, found.judged_inputs):
            return False
        # a fabricated resource beside it (the queue whose ARN a policy also names) is known: not the unknown's
        # source, so it neither excuses nor condemns (review s10 #8: it used to make the whole answer False)
        unfabricated = unfabricated or not fabricates(found.type, found.judged_inputs)
    return unfabricated and not any(_unseen_upstream(urn, graph, remote, set()) for urn in urns)


def _unseen_upstream(urn: str, graph: ResourceGraph, remote: set[str], seen: set[str]) -> bool:
    """Whether anything `urn` is built from, however far up, is a StackReference, a read, a remote component or a
    resource the graph does not record: such a value passed through an own resource's input and back out of its
    output is still the unknown the gate cannot see, not the engine's gap (review 6 late F1)."""
    found = graph.get(urn)
    if found is None:
        return True
    upstream = {*found.dependencies, *(d for deps in found.property_dependencies.values() for d in deps)}
    for dep in sorted(upstream - seen):
        seen.add(dep)
        if dep in remote or _type_of(dep) == STACK_REFERENCE_TYPE or graph.get(dep) is None:
            return True
        if _unseen_upstream(dep, graph, remote, seen):
            return True
    return False


def own_output_gaps(graph: ResourceGraph, findings: Sequence[Finding], notes: list[str]) -> list[Finding]:
    """`findings` less the unknown-input findings the engine's own gaps explain, each of those added to `notes`.

    The one place that decides it, for the offline gate only: the pack never sees it (at `up` the value is known).
    """
    kept: list[Finding] = []
    for finding in findings:
        node = graph.get(finding.urn) if finding.policy in UNKNOWN_INPUT_POLICIES and finding.urn else None
        sources = own_sources(node, graph) if node is not None else None
        if sources is None:
            kept.append(finding)
            continue
        named = ", ".join(sources)
        notes.append(
            f"{finding.policy}: {finding.resource}: not judged offline: built from {named}'s output, which the "
            "engine does not fabricate; the pack judges it at `pulumi up`"
        )
    return kept
