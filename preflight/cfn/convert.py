"""Convert the graph's aws-native resources into the CloudFormation template checkov's `cloudformation` framework reads.

pulumi-aws-native resources are CloudFormation resources under SDK names (`preflight.cfn.naming`), so
the template is the program's own declaration, not a translation: `aws-native:s3:Bucket` becomes
`{"Type": "AWS::S3::Bucket", "Properties": {...}}` with every property, nested ones included, under
its CloudFormation name (`native_types.json`, derived from the schemas the provider is generated
from). A value that is another exported resource's id becomes `{"Ref": ...}`, one that is another of
its outputs `{"Fn::GetAtt": [...]}`: checkov's CloudFormation graph draws its edges from those
(checkov/cloudformation/graph_builder/local_graph.py), so connection checks (CKV2_AWS_33: AppSync API protected by a WAF
association) see what the program wired. Only the types checkov has checks for are exported; the rest
stay in the report's "not scanned" count.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from policies import wrappers
from preflight.cfn.derive import cfn_types_by_token, reporting_checks, stored
from preflight.cfn.naming import to_pascal_case
from preflight.graph import UNKNOWN, ResourceGraph, ResourceNode
from preflight.secrets import SECRET_PLACEHOLDER, SECRET_SIG, SIG_KEY
from preflight.tfplan import AddressEntry
from preflight.tfplan.convert import leaf_paths

TEMPLATE_FORMAT_VERSION = "2010-09-09"
_NOT_ALPHANUMERIC = re.compile(r"[^A-Za-z0-9]")
#: Outputs a dependent's value may carry (`bucket=b.id`, `role=r.arn`, `kmsKeyId=k.keyId`).
_LINKABLE_OUTPUT = re.compile(r"^(arn|.*(Id|Arn|Name))$")


@dataclass
class CfnTemplate:
    """The exported template plus what checkov findings need to be mapped back to the graph."""

    template: dict[str, Any]
    #: checkov's resource address (`AWS::S3::Bucket.Data`) -> the Pulumi resource it stands for.
    addresses: dict[str, AddressEntry] = field(default_factory=dict)
    #: The aws-native tokens exported (so the report no longer counts them as not scanned).
    exported_types: set[str] = field(default_factory=set)
    #: URNs of the aws-native resources not exported because checkov has no CloudFormation check for their type.
    unchecked: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.template["Resources"]

    def to_json(self) -> str:
        """The template file's text, newline-terminated: the gate scans it and `export-tfplan --template` writes
        it (`commands.common.write_output` adds no newline to text that has one), the same bytes."""
        return json.dumps(self.template, indent=2) + "\n"

    def seen_by(
        self, listed: Collection[str], counted: int = 0, runs: Callable[[str], bool] = lambda check_id: True
    ) -> set[str]:
        """The URNs of the exported resources checkov saw.

        `listed`: the addresses checkov's report names under the template's file (passed, failed or skipped
        checks' `resource`, `AWS::S3::Bucket.Data`; under `--quiet`, which the gate runs with, only failed and
        skipped ones); `counted`: the CloudFormation report's `resource_count`, the resources checkov built into
        its graph (checkov 3.3.30 checkov/cloudformation/runner.py, `report.add_resource` per resource vertex);
        `runs`: which checks the effective config runs (`CheckovConfig.runs`).

        Every resource is seen when checkov's graph holds as many resources as the template declares. Otherwise
        a resource is seen when the report names it, or when none of the checks that report on its type ran
        (`derive.reporting_checks`: a type only graph checks connect, or whose every check is skipped, has no
        checks: it is "no checks", as a plan resource of a type checkov does not check, not "not seen").
        Nothing is seen when checkov names none of the template's resources and counted none of them.
        """
        if counted >= len(self.addresses) > 0:
            return {entry.urn for entry in self.addresses.values()}
        if not set(listed) & set(self.addresses):
            return set()
        unchecked = self.no_checks(runs)
        return {entry.urn for address, entry in self.addresses.items() if address in listed or entry.urn in unchecked}

    def no_checks(self, runs: Callable[[str], bool] = lambda check_id: True) -> set[str]:
        """The URNs of the aws-native resources checkov has no checks for: not exported (no CloudFormation check
        reads their type), or exported but of a type none of whose reporting checks runs (`derive.reporting_checks`:
        a type only graph checks connect, or whose every check is skipped)."""
        checks = reporting_checks()
        exported = {
            entry.urn
            for address, entry in self.addresses.items()
            if not any(runs(c) for c in checks.get(address.split(".", 1)[0], ()))
        }
        return exported | set(self.unchecked)


def logical_id(name: str, used: set[str]) -> str:
    """A CloudFormation logical id (alphanumeric, unique in the template) for a Pulumi logical name."""
    base = _NOT_ALPHANUMERIC.sub("", name) or "Resource"
    candidate, counter = base, 2
    while candidate in used:
        candidate, counter = f"{base}{counter}", counter + 1
    used.add(candidate)
    return candidate


def _plain(value: Any) -> tuple[bool, Any]:
    """Secrets, assets and archives as plain values (the placeholder, never a secret's plaintext)."""
    if not isinstance(value, Mapping):
        return False, None
    if "__asset" in value:
        return True, value.get("path")
    sig = value.get(SIG_KEY)
    if sig is None:
        return False, None
    return True, SECRET_PLACEHOLDER if sig == SECRET_SIG else value.get("path") or value.get("uri") or value.get("hash")


class _Names:
    """SDK names -> CloudFormation names for one type, guided by its schema's definitions."""

    def __init__(self, cfn_type: str) -> None:
        table = stored()["names"].get(cfn_type) or {}
        self.top: Mapping[str, list[Any]] = table.get("properties") or {}
        self.definitions: Mapping[str, Mapping[str, list[Any]]] = table.get("definitions") or {}

    def name(self, key: str) -> str:
        entry = self.top.get(key)
        return str(entry[0]) if entry else to_pascal_case(key)

    def obj(self, values: Mapping[str, Any], entries: Mapping[str, list[Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in values.items():
            if key.startswith("__"):
                continue  # engine bookkeeping such as __defaults
            entry = entries.get(key)
            cfn_name = str(entry[0]) if entry else to_pascal_case(key)
            out[cfn_name] = self.value(value, entry[1] if entry else None, entry[2] if entry else "object")
        return out

    def value(self, value: Any, definition: str | None, kind: str) -> Any:
        """One value; below a definition its keys are renamed, anything else (JSON documents, maps) is kept."""
        special, plain = _plain(value)
        if special:
            return plain
        if isinstance(value, list):
            return [self.value(item, definition, "object") for item in value]
        if isinstance(value, Mapping):
            return self.mapping(value, definition, kind)
        return int(value) if isinstance(value, float) and value.is_integer() else value

    def mapping(self, value: Mapping[str, Any], definition: str | None, kind: str) -> dict[str, Any]:
        if definition is None:
            return {k: self.value(v, None, "object") for k, v in value.items()}
        if kind == "map":
            return {k: self.value(v, definition, "object") for k, v in value.items()}
        return self.obj(value, self.definitions.get(definition, {}))


def _targets(dependency: ResourceNode, logical: str) -> dict[str, Any]:
    """The dependency's id and id-like outputs -> the intrinsic functions that stand for them."""
    names = _Names(cfn_types_by_token()[dependency.type])
    targets: dict[str, Any] = {}
    for key, output in sorted(dependency.outputs.items()):
        if isinstance(output, str) and len(output) > 3 and output != UNKNOWN and _LINKABLE_OUTPUT.match(key):
            targets.setdefault(output, {"Fn::GetAtt": [logical, names.name(key)]})
    if dependency.id and dependency.id != UNKNOWN:
        targets[dependency.id] = {"Ref": logical}  # aws-native's id is the primary identifier, what Ref returns
    return targets


def _unknown_reference(key: str, logical: str) -> dict[str, Any]:
    """An output not known at preview, from a dependency: its ARN when the key says so, else its id."""
    return {"Fn::GetAtt": [logical, "Arn"]} if key.lower().endswith("arn") or key == "Resource" else {"Ref": logical}


def _link(value: Any, key: str, targets: Mapping[str, Any], first: str | None) -> Any:
    """`value` with every string that is a dependency's id or output replaced by a Ref or Fn::GetAtt."""
    if isinstance(value, str):
        if value in targets:
            return targets[value]
        if value == UNKNOWN and first is not None:
            return _unknown_reference(key, first)
        return value
    if isinstance(value, list):
        return [_link(item, key, targets, first) for item in value]
    if isinstance(value, dict):
        return {k: _link(v, k, targets, first) for k, v in value.items()}
    return value


def _properties(
    node: ResourceNode, cfn_type: str, logical_ids: Mapping[str, str], graph: ResourceGraph
) -> dict[str, Any]:
    names = _Names(cfn_type)
    properties = names.obj(node.inputs, names.top)
    for key, urns in node.property_dependencies.items():
        cfn_key = names.name(key)
        if cfn_key not in properties:
            continue
        targets: dict[str, Any] = {}
        first: str | None = None
        for urn in urns:
            dependency, logical = graph.get(urn), logical_ids.get(urn)
            if dependency is None or logical is None or urn == node.urn:
                continue
            first = first or logical
            targets.update(_targets(dependency, logical))
        if first is not None:
            properties[cfn_key] = _link(properties[cfn_key], cfn_key, targets, first)
    return properties


def graph_to_cfn(graph: ResourceGraph) -> CfnTemplate:
    """The CloudFormation template of the graph's aws-native resources of a type checkov checks.

    Examples
    --------
    >>> from preflight.engine import synthesize
    >>> graph_to_cfn(synthesize(".", "dev")).empty  # the template declares no aws-native resources
    True
    """
    types = cfn_types_by_token()
    nodes = [n for n in graph.custom_resources if n.type in types]
    used: set[str] = set()
    logical_ids = {n.urn: logical_id(n.name, used) for n in nodes}
    resources: dict[str, Any] = {}
    addresses: dict[str, AddressEntry] = {}
    for node in nodes:
        cfn_type, logical = types[node.type], logical_ids[node.urn]
        resources[logical] = {"Type": cfn_type, "Properties": _properties(node, cfn_type, logical_ids, graph)}
        address = f"{cfn_type}.{logical}"
        addresses[address] = AddressEntry(address=address, urn=node.urn, name=node.name, type=node.type)
    _add_wrapped(graph, set(types.values()), used, resources, addresses)
    template = {"AWSTemplateFormatVersion": TEMPLATE_FORMAT_VERSION, "Resources": resources}
    unchecked = [n.urn for n in graph.custom_resources if n.type.startswith("aws-native:") and n.type not in types]
    return CfnTemplate(
        template=template, addresses=addresses, exported_types={n.type for n in nodes}, unchecked=unchecked
    )


def _add_wrapped(
    graph: ResourceGraph,
    checked: set[str],
    used: set[str],
    resources: dict[str, Any],
    addresses: dict[str, AddressEntry],
) -> None:
    """The resources a Cloud Control resource or a CloudFormation stack declares (policies.wrappers), as written,
    for the types checkov checks: checkov reads their CloudFormation (intrinsics included) as it reads a template;
    a finding names the wrapper (review5 #2)."""
    for node in graph.custom_resources:
        if node.type not in wrappers.READABLE:
            continue
        for item in wrappers.declared_resources(node.type, node.inputs):
            if item.cfn_type not in checked:
                continue
            logical = logical_id(f"{node.name}{item.logical_id}", used)
            resources[logical] = {"Type": item.cfn_type, "Properties": dict(item.properties)}
            address = f"{item.cfn_type}.{logical}"
            addresses[address] = AddressEntry(address=address, urn=node.urn, name=node.name, type=node.type)


def _is_unknown(value: Any) -> bool:
    return bool(value == UNKNOWN)


def unknown_properties(
    node: ResourceNode, inputs: Mapping[str, Any] | None = None
) -> list[tuple[str, tuple[str, ...]]]:
    """(aws-native input, template path) of each value of `node`'s inputs that is unknown offline, as the exported
    template writes it: the unknown marker as a string, which checkov reads as a value like any other
    (`("publiclyAccessible", ("Properties", "PubliclyAccessible"))`; review 6 F3: preflight.checkov_unknown). The
    judged inputs are read, so an unknown wrapped in a secret counts (review s7 finding 5); `inputs`: other inputs
    to read in their place (preflight.checkov_unknown's invented values)."""
    cfn_type = cfn_types_by_token().get(node.type)
    if cfn_type is None:
        return []
    names = _Names(cfn_type)
    found: list[tuple[str, tuple[str, ...]]] = []
    for key, value in (node.judged_inputs if inputs is None else inputs).items():
        if key.startswith("__"):
            continue
        converted = names.obj({key: value}, names.top)
        for name, item in converted.items():
            found.extend((key, leaf) for leaf in leaf_paths(item, ("Properties", name), _is_unknown))
    return found
