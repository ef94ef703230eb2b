"""A policy document or a security value no rule could read cannot pass unseen: `iam-document-unknown` (review R2;
P135, P137) and `security-value-unknown` (review finding gate #5; P112, P141, P148).

`security-value-unknown` is the sibling for the other inputs the rules decide on (policies.security_values:
public-access-block flags, ACLs, encryption and KMS settings, a permission's principal, a trail's logging),
not an extension of the document policy: its principles differ (what a document grants is IAM's, P135/P137;
encryption, audit and compliance settings are P141, P112, P148), so each keeps its own level, config key and
waivers. Both judge the same way, in this one module (`_judge`): in a preview an unknown raises
UnknownValueError, at `up` and offline it is a finding naming the resource and the input path. The tables are
disjoint (tests/policies/test_security_values.py), so no input is reported twice.

Every IAM rule of the pack judges the known part of a document and says "cannot tell yet" for the rest
(policies.lib.Pending). A document that stays unknown is one no rule judged: `Action: "*"` on `*` or
`Principal: "*"` would pass unseen. Whether that is a finding depends on when the pack runs, which the Pulumi
engine tells a policy pack in the `PULUMI_DRY_RUN` environment variable. The pack reads it once, at its own
process's entry (policies/__main__.py), never inside this rule (policies.run_mode.previewing):

- `pulumi preview` (PULUMI_DRY_RUN=true): the engine sends the resource's *inputs* to `Analyze` before any
  resource exists, keeping unknowns as pulumi_policy's sentinel strings (`MarshalProperties(...,
  KeepUnknowns: true)`, pulumi/pulumi at 1b59498 sdk/go/common/resource/plugin/analyzer_plugin.go L300-L306;
  `marshalUnknownProperty`, sdk/go/common/resource/plugin/rpc.go L289-L300: one sentinel per type, the
  values of pulumi_policy.proxy's UNKNOWN_*_VALUE). A document built with `.apply` from an ARN that does not
  exist yet is such a sentinel, legitimately, on the first preview of every new stack. So here the policy
  raises pulumi_policy's UnknownValueError, which the SDK turns into an advisory "can't run policy ... during
  preview" diagnostic (pulumi/pulumi-policy at 805bcbc sdk/python/lib/pulumi_policy/policy.py L1012-L1023), never a
  violation: a preview is not blocked (a mandatory diagnostic would fail it: pkg/resource/deploy/
  analyze_snapshot.go L78-L84 marks the run as having seen an error).
- `pulumi up` (PULUMI_DRY_RUN=false): `Analyze` runs on the inputs of each resource just before its step
  (pkg/resource/deploy/step_generator.go L1467-L1475), when the program has awaited the outputs the inputs
  come from, so a document is known. One that is still unknown was not read by any rule, and is reported
  at the policy's level; a mandatory one stops the resource (analyze_snapshot.go L78-L84, `invalid` outside
  a dry run). The engine sets the variable for the pack's process from the operation's DryRun
  (analyzer_plugin.go L993; pkg/engine/update.go L1107-L1113) and pulumi_policy reads it too
  (policy.py L1421-L1441).
- The offline gate (judges as `up` whatever PULUMI_DRY_RUN says: the program it runs in-process, or the
  caller's shell, could set it; preflight.policy_runner passes the mode explicitly): the engine fabricates
  the outputs a document is built from (preflight/fabricate.py), so a document is known offline wherever
  it is known at `up`; it judges like `up`, and an unknown document is a finding (mandatory in production,
  advisory elsewhere: P135 and P137 are HIGH). Where the engine fabricates no output (a type of a provider it
  does not know), the gate, not this pack, turns a finding whose unknown comes only from the program's own
  resources into a note naming them (preflight.unseen.own_output_gaps, issue 11): at `up` those are known.
  `preflight.analyzer` drives the pack over the protocol as `up` for the gate.

Where documents live is the rules' own tables (`MUST_BE_KNOWN`, built from policies.documents.DOCUMENT_INPUTS,
the resource-policy inputs of policies.rules.resource_policies.POLICY_INPUTS, a role's inline policies, the IoT
policy document of policies.rules.devices, a layer version permission's principal and the managed policy ARNs
of policies.rules.iam; tests/policies/test_document_unknown.py checks that every document a rule parses is in
it); an aws-native resource is read
as its pulumi-aws views (policies.native, through PolicySpec.check), as the other rules read it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import ReportViolation, ResourceValidationArgs, Severity
from pulumi_policy.proxy import (
    UNKNOWN_ARCHIVE_VALUE,
    UNKNOWN_ARRAY_VALUE,
    UNKNOWN_ASSET_VALUE,
    UNKNOWN_BOOLEAN_VALUE,
    UNKNOWN_NUMBER_VALUE,
    UNKNOWN_OBJECT_VALUE,
    UNKNOWN_STRING_VALUE,
    UnknownValueError,
)

from policies.documents import DOCUMENT_INPUTS
from policies.lib import ROLE_TYPE
from policies.native import plain, written_name
from policies.rules.devices import IOT_POLICY_INPUTS
from policies.rules.iam import MANAGED_POLICY_ARN_INPUTS
from policies.rules.resource_policies import POLICY_INPUTS, SHARE_KEYS
from policies.run_mode import previewing
from policies.security_values import SECURITY_VALUES
from policies.spec import Category, Kind, PolicySpec

DOCUMENT_UNKNOWN = "iam-document-unknown"
VALUE_UNKNOWN = "security-value-unknown"
#: The sentinels an unknown value of each type arrives as (rpc.go L289-L300, pulumi_policy/proxy.py L19-L52).
SENTINELS = frozenset(
    {
        UNKNOWN_BOOLEAN_VALUE,
        UNKNOWN_NUMBER_VALUE,
        UNKNOWN_STRING_VALUE,
        UNKNOWN_ARRAY_VALUE,
        UNKNOWN_ASSET_VALUE,
        UNKNOWN_ARCHIVE_VALUE,
        UNKNOWN_OBJECT_VALUE,
    }
)
_INLINE = "inlinePolicies"
#: What a secret is in a `pulumi preview --json` file (pulumi/pulumi pkg/backend/display/json.go L67,
#: `MassageSecrets`): the plaintext is not in the file, so no rule can judge it. The CLI hands a pack the
#: plaintext (analyzer_plugin.go `Analyze`, `KeepSecrets: true`); only the offline gate reading a preview
#: file (or an export without `--show-secrets`) meets this string, and it cannot judge what it hides.
HIDDEN_SECRET = "[secret]"
#: What a `secure:` config value reads as in the offline gate (preflight.stackconfig.SECRET_PLACEHOLDER; the
#: engine cannot decrypt it). A document that is one was judged by no rule (review s10 #5: parse_document finds
#: no JSON in it and returns no statement), though the decrypted value could say `Principal: "*"`.
SECURE_CONFIG = "preflight-placeholder-secret"
#: The secrets no rule can read, whichever way they reached the gate (policies.secret_values lists the same two).
_UNREADABLE = frozenset({HIDDEN_SECRET, SECURE_CONFIG})


def _first_unknown(value: Any, path: tuple[str, ...]) -> tuple[str, tuple[str, ...]] | None:
    """(sentinel, path) of the first unknown value in a plain value, or None when it is all known."""
    if isinstance(value, str):
        return (value, path) if value in SENTINELS or value in _UNREADABLE else None
    if isinstance(value, Mapping):
        items: Iterator[tuple[str, Any]] = ((str(k), v) for k, v in value.items())
    elif isinstance(value, list | tuple):
        items = ((str(i), v) for i, v in enumerate(value))
    else:
        return None
    for step, item in items:
        found = _first_unknown(item, (*path, step))
        if found is not None:
            return found
    return None


def _must_be_known() -> dict[str, tuple[str, ...]]:
    """type -> the inputs some rule judges as a policy (a document, who it is shared with, which managed
    policies), each taken from the table that rule reads them through (review4 #3)."""
    table: dict[str, set[str]] = {}
    for resource_type, entries in DOCUMENT_INPUTS.items():
        table.setdefault(resource_type, set()).update(key for _, key in entries)
    for inputs in (POLICY_INPUTS, IOT_POLICY_INPUTS, SHARE_KEYS, MANAGED_POLICY_ARN_INPUTS):
        for resource_type, key in inputs.items():
            # the top-level input that holds it (`details` of a multi-region access point's `details.policy`)
            table.setdefault(resource_type, set()).add(key.split(".", 1)[0])
    table.setdefault(ROLE_TYPE, set()).add(_INLINE)
    return {resource_type: tuple(sorted(keys)) for resource_type, keys in sorted(table.items())}


#: Every judged policy input of each type: one that is still unknown outside a preview is a finding.
MUST_BE_KNOWN: Mapping[str, tuple[str, ...]] = _must_be_known()


def _document_keys(resource_type: str) -> tuple[str, ...]:
    return MUST_BE_KNOWN.get(resource_type, ())


def unknown_documents(resource_type: str, props: Mapping[str, Any]) -> dict[str, tuple[str, tuple[str, ...]]]:
    """Each document input of a pulumi-aws resource's plain inputs that is or holds an unknown value, with the
    first unknown (sentinel, path) in it."""
    found = {}
    for key in _document_keys(resource_type):
        unknown = _first_unknown(props.get(key), (key,))
        if unknown is not None:
            found[key] = unknown
    return found


def owned_by_a_table(resource_type: str, key: str) -> bool:
    """Whether one of the two unknown policies reports `key` of `resource_type` when it is unknown (the tables are
    read here, at call time, so the offline gate's net (preflight.deferred) and these policies agree)."""
    return key in SECURITY_VALUES.get(resource_type, ()) or key in _document_keys(resource_type)


def unknown_values(resource_type: str, props: Mapping[str, Any]) -> dict[str, tuple[str, tuple[str, ...]]]:
    """Each security-deciding input (policies.security_values) that is or holds an unknown value, with the
    first unknown (sentinel, path) in it. A hidden secret ("[secret]") is not an unknown here: a secret value
    the CLI hands the pack in plaintext; only `iam-document-unknown` speaks of hidden documents."""
    found = {}
    for key in SECURITY_VALUES.get(resource_type, ()):
        unknown = _first_unknown(props.get(key), (key,))
        if unknown is not None and unknown[0] not in _UNREADABLE:
            found[key] = unknown
    return found


def _judge(unknown: Mapping[str, tuple[str, tuple[str, ...]]]) -> None:
    """In a preview, the first unknown is "cannot tell yet" (pulumi_policy's UnknownValueError); else the caller
    reports them. The one place that decides what an unknown judged input means (see the module's docstring)."""
    if unknown and previewing():
        sentinel, path = next(iter(unknown.values()))
        raise UnknownValueError(sentinel, list(path))


def _validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    props: Mapping[str, Any] = plain(args.props)  # a resource's inputs are always an object
    unknown = unknown_documents(args.resource_type, props)
    if not unknown:
        return
    hidden = [key for key, (sentinel, _) in unknown.items() if sentinel == HIDDEN_SECRET]
    secure = [key for key, (sentinel, _) in unknown.items() if sentinel == SECURE_CONFIG]
    unknown = {key: found for key, found in unknown.items() if key not in hidden and key not in secure}
    if hidden:  # never a real preview's value (the CLI sends the plaintext): a file that hides it
        report_violation(
            f"{args.name}: policy document {', '.join(written_name(args, k) for k in hidden)} is a secret the file "
            'shows as "[secret]", so no '
            "IAM rule judged it (judge the program itself, or a `pulumi stack export --show-secrets` file).",
            None,
        )
    if secure:  # never under the CLI either (it decrypts): the offline gate's placeholder for `secure:` config
        report_violation(
            f"{args.name}: policy document {', '.join(secure)} comes from a `secure:` config value, which the "
            "offline gate cannot decrypt, so no IAM rule judged it (the decrypted document could grant anyone). "
            "Keep the document in the program or in plain config; secure config is for secrets, not policies.",
            None,
        )
    if not unknown:
        return
    _judge(unknown)
    report_violation(
        f"{args.name}: policy document {', '.join(written_name(args, k) for k in unknown)} is unknown, so no IAM "
        "rule judged it "
        "(offline: built from an output the engine does not fabricate).",
        None,
    )


def _validate_values(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    props: Mapping[str, Any] = plain(args.props)
    unknown = unknown_values(args.resource_type, props)
    _judge(unknown)
    for sentinel_path in unknown.values():
        first, *rest = sentinel_path[1]
        path = ".".join((written_name(args, first), *rest))
        report_violation(
            f"{args.name}: {path} is unknown, so no rule judged it (the rules judged the rest of the resource; "
            "offline: built from an output the engine does not fabricate, such as an unstated StackReference "
            "output).",
            None,
        )


DOCUMENT_UNKNOWN_POLICY = PolicySpec(
    name=DOCUMENT_UNKNOWN,
    description="Every IAM and resource policy document is known when it is deployed, so the IAM rules judged it.",
    explanation=(
        'A document still unknown outside a preview, a secret a preview file shows as "[secret]", or a `secure:` '
        "config value (which the offline gate cannot decrypt) was read by none of the IAM rules (wildcards, "
        "public principals, confused deputy, trust). In `pulumi preview` an unknown document is 'cannot tell "
        "yet', never a violation. Offline, a document holding a data source's result (an SSM parameter's value, which "
        "only the cloud knows) is reported the same way. Fix: build the document from values known at deploy "
        "time (the program or its stack configuration). Offline, where the unknown comes from an output the gate "
        "does not fabricate (another provider's, such as a generated password), the value is known once the "
        "resource exists: judge a `pulumi preview --json --show-sames` of the existing stack with `--from-preview`, "
        "or waive the finding with a reason and an expiry."
    ),
    principles=("P135", "P137"),
    severity=Severity.HIGH,
    category=Category.SECURITY,
    kind=Kind.RESOURCE,
    validate=_validate,
    resource_types=tuple(MUST_BE_KNOWN),
)

VALUE_UNKNOWN_POLICY = PolicySpec(
    name=VALUE_UNKNOWN,
    description="Every value a security or governance rule decides on is known when it is deployed.",
    explanation=(
        "A public-access-block flag, an ACL, an encryption or KMS setting, a permission's principal or a "
        "trail's logging still unknown outside a preview was judged by no rule (the rules judge what is known "
        "and note the rest). In `pulumi preview` it is 'cannot tell yet', never a violation. Fix: set it from "
        "values known at deploy time; offline, state the StackReference outputs it comes from in "
        "policies/config/<stack>.stack-references.json."
    ),
    principles=("P112", "P141", "P148"),
    severity=Severity.HIGH,
    category=Category.SECURITY,
    kind=Kind.RESOURCE,
    validate=_validate_values,
    resource_types=tuple(SECURITY_VALUES),
)

POLICIES: list[PolicySpec] = [DOCUMENT_UNKNOWN_POLICY, VALUE_UNKNOWN_POLICY]
