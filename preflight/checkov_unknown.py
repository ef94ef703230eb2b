"""A value a checkov check reads that is unknown offline is a finding, `checkov-value-unknown` (review 6 F3).

Why: many security settings are judged by checkov alone: an RDS instance's `publicly_accessible` (CKV_AWS_17), a
security group's ingress `cidr_blocks` (CKV_AWS_24, CKV_AWS_25, CKV_AWS_260), `storage_encrypted` (CKV_AWS_16).
The pack's `security-value-unknown` reports an unknown value a CrossGuard rule decides on
(policies.security_values), and preflight.deferred the rest a rule meets; neither reads checkov's inputs. A value
still unknown offline (a StackReference output the program does not state, the result of an `apply` that did not
run, an output the engine does not fabricate) reaches checkov's plan as Terraform writes a value known only after
apply: null in `planned_values`, true in `after_unknown` (preflight.tfplan.convert). checkov reads null as absent,
so a value check passes or is skipped and a check whose code reads the key finds nothing to fail: no finding.
The value judged is the secret's plaintext (`node.judged_inputs`), so an unknown wrapped in a secret counts too.

A string invented offline for a data source's result (preflight.invokes.invented: an SSM parameter's value) is no
better: a real `pulumi preview` reads the cloud, so the value is not known offline, and checkov judged a made-up
string (an SSH ingress CIDR from `aws.ssm.get_parameter`). It is reported the same way, "invented offline for data
source <token>" (review s7 finding 4), and so is a string that embeds one (`f"{parameter.value}/32"`, a
`json.dumps` document: issue 11), which checkov is handed as unknown as a whole; a value derived from one in plain
Python other than into a string (a comparison) cannot be traced (README).

The same holds for an aws-native resource in the CloudFormation template checkov scans (preflight.cfn): the
unknown marker is written there as a string, which a check compares like any value and passes.

What a check reads is derived, not listed by hand: `preflight.tfplan.derive` (and `preflight.cfn.derive` for
CloudFormation types) stores, per type and check, the inspected key of a value check (`get_inspected_key()`),
the attributes a graph check's attribute solvers read, and, for a check whose own code decides
(`scan_resource_conf`), the names in its code's string constants (preflight.derived_tables). The stored tables,
`inspected` of preflight/tfplan/checkov_types.json and of preflight/cfn/native_types.json, are kept equal to the
installed checkov's by tests/preflight/test_checkov_unknown.py. An unknown value at a path is read by a check
when:

- a path the check inspects and the unknown's path (list positions left out) are one the prefix of the other
  (`ingress.cidr_blocks` is read where `ingress` is unknown as a whole, and where `ingress[0].cidr_blocks[0]` is);
- or, for a check whose code decides (the fallback: code can read any key it names), the unknown's top-level
  attribute is a name in its code and so is the unknown's last named step (or the unknown is the whole
  attribute). This errs on the side of a finding: a name in code the check does not read for this type still
  counts. A program's own custom checks (policies/checkov/) are not derived: they are the program's to keep known.

Why a sibling of `security-value-unknown` and not that id: the judge it stands for is checkov, so it takes
checkov's level (mandatory in production, advisory elsewhere: policies.profile.checkov_level) and the principles
of the checks it names (policies/checkov_principles.yaml) with P112 (audit-aligned: no pass without a trace), not
the pack's levels; and the pack never sees checkov (under `pulumi preview --policy-pack` checkov does not run), so
only the gate can report it. Like every finding
it can be waived in policies/suppressions.yaml with a reason and an expiry. Unlike the pack's unknown-input findings,
an unknown only the engine's own gap explains (an output of a RandomPassword) stays a finding: the pack judges its
inputs at `pulumi up`, but nothing ever runs checkov there (review s11 3 #1; preflight.unseen.own_output_gaps). What
a pack table already reports (preflight.deferred.owned: its inputs, identity and wiring keys) is left to it, so nothing
is reported twice; checks the gate skips (.checkov.yaml, policies/checkov_principles.yaml) judge nothing, and a
check that failed on the resource is already a finding, so neither is named.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

from preflight.cfn.convert import unknown_properties
from preflight.cfn.derive import cfn_types_by_token, inspected_properties
from preflight.deferred import owned
from preflight.findings import CheckovResult, Finding, Level, Source
from preflight.graph import UNKNOWN, ResourceGraph, ResourceNode
from preflight.invokes import invented_phrase, invented_summary, invented_token, invented_within
from preflight.tfplan.convert import unknown_inputs
from preflight.tfplan.derive import inspected_attributes
from preflight.tfplan.types import tf_type_of

#: The finding's id, for reports and for `policies/suppressions.yaml`.
CHECKOV_UNKNOWN_POLICY = "checkov-value-unknown"


def _named(path: Sequence[str]) -> tuple[str, ...]:
    """The attributes a Terraform path walks, list positions left out."""
    return tuple(step for step in path if not step.isdigit())


def _reads(entry: Mapping[str, Sequence[str]], path: tuple[str, ...]) -> bool:
    """Whether a check with `entry`'s `paths` and `words` reads the unknown at the named `path`."""
    for inspected in entry["paths"]:
        steps = tuple(inspected.split("."))
        shorter = min(len(steps), len(path))
        if steps[:shorter] == path[:shorter]:
            return True
    words = entry["words"]
    return bool(words) and path[0] in words and (len(path) == 1 or path[-1] in words)


def reading_checks(checked_type: str, path: Sequence[str], skipped: Collection[str] = ()) -> list[str]:
    """The ids of the checks of `checked_type` (a Terraform type, or a CloudFormation one) that read the value at
    `path` (a Terraform attribute path, or a template path `Properties.<Name>...`), less `skipped` ones."""
    named = _named(path)
    if not named:
        return []
    checks = inspected_attributes().get(checked_type) or inspected_properties().get(checked_type, {})
    return sorted(check for check, entry in checks.items() if check not in skipped and _reads(entry, named))


def _swap_invented(value: Any, found: list[tuple[str, bool]]) -> Any:
    """`value` with each string that is or embeds a value invented offline for a data source (preflight.invokes:
    a CIDR or an ARN built from one with an f-string, a `json.dumps` document naming one; issue 11) as an unknown:
    checkov would judge the made-up string. (token, whole) of each invented value met is appended to `found`
    (token "" for an invented string whose invoke ran elsewhere). A mapping with such a key (an aws-native role's
    document, a dict, with the condition key `f"aws:PrincipalTag/{param.value}"`) is unknown as a whole: a key
    cannot be an unknown, and what the mapping says depends on it (review s9 finding 5)."""
    if isinstance(value, str):
        tokens = invented_within(value)
        whole = invented_token(value) is not None
        found.extend((token, whole) for token in tokens)
        return UNKNOWN if tokens else value
    if isinstance(value, Mapping):
        swapped = {key: _swap_invented(item, found) for key, item in value.items()}
        keyed = [(token, invented_token(key) is not None) for key in value for token in invented_within(key)]
        found.extend(keyed)
        return UNKNOWN if keyed else swapped
    if isinstance(value, list | tuple):
        return [_swap_invented(item, found) for item in value]
    return value


#: (input, path in what checkov scans, data-source tokens: empty for an unknown, else the invoke(s) that invented
#: it, and whether the input held only whole invented values rather than strings built from one)
_Leaf = tuple[str, tuple[str, ...], tuple[str, ...], bool]


def _leaves(node: ResourceNode, unknown_at: Any) -> list[_Leaf]:
    """The unknown inputs of `node` as `unknown_at` (unknown_inputs or unknown_properties) finds them, then each
    input holding a string invented for a data source's result, or built from one: the cloud's value at a real
    preview, made up offline, so a check judges it no better than a placeholder (review s7 finding 4)."""
    found: list[_Leaf] = [(key, path, (), True) for key, path in unknown_at(node)]
    plain = {(key, path) for key, path, _, _ in found}
    for key, value in node.judged_inputs.items():
        met: list[tuple[str, bool]] = []
        swapped = _swap_invented(value, met)
        if not met:
            continue
        named, whole = invented_summary(met)
        found.extend((k, path, named, whole) for k, path in unknown_at(node, {key: swapped}) if (k, path) not in plain)
    return found


def _handed(node: ResourceNode) -> tuple[str, list[_Leaf]] | None:
    """The type checkov checks `node` as and its unknown (or invented) inputs with their paths there: a pulumi-aws
    resource in the Terraform plan, an aws-native one in the CloudFormation template (preflight.cfn); None for the
    rest."""
    tf_type = tf_type_of(node.type)
    if tf_type is not None:
        return tf_type, _leaves(node, unknown_inputs)
    cfn_type = cfn_types_by_token().get(node.type)
    if cfn_type is not None:
        return cfn_type, _leaves(node, unknown_properties)
    return None


def _invented_text(path: Sequence[str], checks: Sequence[str], tokens: Sequence[str], whole: bool) -> tuple[str, str]:
    """(message, fix) for a value invented offline for the data sources `tokens` ("": not recorded here), or (not
    `whole`) a string built from one."""
    message = (
        f"{'.'.join(path)} {invented_phrase(tokens, whole)}, so checkov's {', '.join(checks)} judged a made-up "
        "value, not its value (a data source is read from the cloud at a real `pulumi preview`; offline its result "
        "is fabricated: preflight/invokes.py)"
    )
    fix = (
        "Set it from a value known in the program or its stack configuration (a `pulumi.Config` key, "
        "`pulumi config set`) rather than from a data source's result, so checkov judges the value. Waive this "
        "finding in policies/suppressions.yaml (with a reason and an expiry) only once the value is reviewed."
    )
    return message, fix


def _finding(  # noqa: PLR0917 (one finding's parts)
    node: ResourceNode,
    path: Sequence[str],
    checks: Sequence[str],
    level: Level,
    principles: Sequence[str],
    tokens: Sequence[str] = (),
    whole: bool = True,
) -> Finding:
    where = ".".join(path)
    message = (
        f"{where} is unknown offline, so checkov's {', '.join(checks)} judged a placeholder, not its value (the "
        "Terraform plan leaves an unknown value out, the CloudFormation template writes a marker string; offline: "
        "built from an output the engine does not fabricate, such as an unstated StackReference output or an "
        "apply that did not run)"
    )
    fix = (
        "Set it from values known at deploy time, or state the StackReference outputs it comes from in "
        "policies/config/<stack>.stack-references.json so checkov judges the value. Waive this finding in "
        "policies/suppressions.yaml (with a reason and an expiry) only once the value is reviewed."
    )
    if tokens:
        message, fix = _invented_text(path, checks, tokens, whole)
    return Finding(
        policy=CHECKOV_UNKNOWN_POLICY,
        source=Source.CHECKOV,
        level=level,
        resource=node.name,
        type=node.type,
        urn=node.urn,
        principles=tuple(principles),
        message=message,
        fix=fix,
        severity="high",
    )


def checkov_unknown_findings(
    graph: ResourceGraph,
    result: CheckovResult,
    level: Level,
    principles: tuple[tuple[str, ...], Mapping[str, tuple[str, ...]]],
) -> list[Finding]:
    """One finding per input of a resource handed to checkov whose unknown value a checkov check of its type
    reads: the first unknown path in the input, and the checks. `principles` is (default, per check) as
    policies/checkov_principles.yaml gives them; `result.skipped` names the checks that did not run."""
    if not result.ran:
        return []
    skipped = {str(skip.get("check_id", "")) for skip in result.skipped}
    failed = {(f.check_id, f.urn) for f in result.failed}
    default, table = principles
    findings: list[Finding] = []
    for node in graph.managed_resources:
        handed = _handed(node)
        if handed is None:
            continue
        checked_type, unknown = handed
        reported: set[str] = set()
        for key, path, tokens, whole in unknown:
            if key in reported or owned(node.type, key):
                continue
            # A check that failed on the resource stands as its own finding (the placeholder failed it).
            checks = [c for c in reading_checks(checked_type, path, skipped) if (c, node.urn) not in failed]
            if not checks:
                continue
            reported.add(key)
            named = sorted({"P112", *(p for check in checks for p in table.get(check, default))})
            findings.append(_finding(node, path, checks, level, named, tokens, whole))
    return findings
