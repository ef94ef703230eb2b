"""pulumi-aws resources that create other resources from a document: Cloud Control and CloudFormation (review5 #2).

`aws.cloudcontrol.Resource` creates one resource of any CloudFormation type (`typeName`) from its
`desiredState`, a JSON object with the properties as the type's CloudFormation schema names them (Cloud Control
API User Guide, "Resource operations": https://docs.aws.amazon.com/cloudcontrolapi/latest/userguide/resource-operations-create.html);
that is the API Pulumi's aws-native provider drives. `aws.cloudformation.Stack` and `aws.cloudformation.StackSet`
create every resource of their `templateBody`, a CloudFormation template in JSON or YAML (Template anatomy:
https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/template-anatomy.html, `Resources` -> logical id ->
`Type`, `Properties`). Read offline, each declared resource is an aws-native resource of the same type: the token is
`aws-native:<service, lower case>:<Type>` and the inputs are the camelCase of the CloudFormation names (the
provider's naming, `AssumeRolePolicyDocument` -> `assumeRolePolicyDocument`, `SSESpecification` ->
`sseSpecification`), so `policies.native` judges them through the same views as aws-native resources. Policy
documents (an object with a `Statement`) keep their own keys, as aws-native passes them. An intrinsic function
(`Ref`, `Fn::*`, YAML's short forms) is a value known only when CloudFormation runs, so it reads as unknown.

What cannot be read offline is a `problem` (reported by `resource-not-judged`, policies/rules/coverage.py): a
`templateUrl` (the template lives in S3), a body or desired state that is unknown or not a JSON/YAML object, a
declared type with no view, a serverless application (`aws.serverlessrepository.CloudFormationStack`, whose template
comes from the Serverless Application Repository) and a Service Catalog product.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import yaml
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

CLOUDCONTROL = "aws:cloudcontrol/resource:Resource"
STACK = "aws:cloudformation/stack:Stack"
STACK_SET = "aws:cloudformation/stackSet:StackSet"
STACK_SET_INSTANCE = "aws:cloudformation/stackSetInstance:StackSetInstance"
SERVERLESS_APP = "aws:serverlessrepository/cloudFormationStack:CloudFormationStack"
PROVISIONED_PRODUCT = "aws:servicecatalog/provisionedProduct:ProvisionedProduct"
#: Wrappers whose declared resources can be read from their own inputs.
READABLE = frozenset({CLOUDCONTROL, STACK, STACK_SET})
#: Wrappers whose resources are declared elsewhere (an S3/SAR/Service Catalog template, another resource).
UNREADABLE = {
    SERVERLESS_APP: "its template comes from the Serverless Application Repository, which is not read offline",
    PROVISIONED_PRODUCT: "its template comes from a Service Catalog product, which is not read offline",
    STACK_SET_INSTANCE: "it deploys a stack set's template, and no stack set of this stack has its stackSetName",
}
WRAPPER_TYPES = READABLE | frozenset(UNREADABLE)

_CFN_TYPE = re.compile(r"^AWS::([A-Za-z0-9]+)::([A-Za-z0-9]+)$")
_LEADING_CAPS = re.compile(r"^[A-Z]+(?=[A-Z][a-z]|[0-9]|$)|^[A-Z]")


@dataclass(frozen=True)
class Declared:
    """One resource a wrapper declares: its logical id, CloudFormation type and properties as written."""

    logical_id: str
    cfn_type: str
    properties: Mapping[str, Any]

    @property
    def native_type(self) -> str:
        match = _CFN_TYPE.match(self.cfn_type)
        return f"aws-native:{match[1].lower()}:{match[2]}" if match else ""

    def native_props(self) -> dict[str, Any]:
        converted = _camel_keys(self.properties)
        return converted if isinstance(converted, dict) else {}


def camel(name: str) -> str:
    """The aws-native (camelCase) name of a CloudFormation property: the leading capitals lower-cased, the last of
    a run kept when a lower-case word follows (`SSESpecification` -> `sseSpecification`, `ARN` -> `arn`)."""
    return _LEADING_CAPS.sub(lambda m: m[0].lower(), name, count=1)


def _intrinsic(value: Mapping[str, Any]) -> bool:
    return len(value) == 1 and next(iter(value)) in {"Ref", "Condition"} | {k for k in value if k.startswith("Fn::")}


def _camel_keys(value: Any) -> Any:
    if isinstance(value, Mapping):
        if _intrinsic(value):
            return UNKNOWN_STRING_VALUE
        if "Statement" in value:  # a policy document keeps its own keys (still resolving intrinsics inside)
            return {str(k): _unknown_intrinsics(v) for k, v in value.items()}
        return {camel(str(k)): _camel_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_camel_keys(v) for v in value]
    return value


def _unknown_intrinsics(value: Any) -> Any:
    if isinstance(value, Mapping):
        return UNKNOWN_STRING_VALUE if _intrinsic(value) else {k: _unknown_intrinsics(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_unknown_intrinsics(v) for v in value]
    return value


class _TemplateLoader(yaml.SafeLoader):
    """YAML templates' short-form intrinsics (`!Ref`, `!GetAtt`, `!Sub` ...) as their long form."""


def _short_form(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    return {"Ref" if suffix == "Ref" else f"Fn::{suffix}": value}


_TemplateLoader.add_multi_constructor("!", _short_form)


def _document(raw: Any) -> Mapping[str, Any] | None:
    """A JSON or YAML object (already an object: itself); anything else (unknown, malformed): None."""
    if isinstance(raw, Mapping):
        return raw
    if not isinstance(raw, str) or raw == UNKNOWN_STRING_VALUE:
        return None
    try:
        parsed = json.loads(raw)
    except ValueError:
        try:
            parsed = yaml.load(raw, Loader=_TemplateLoader)  # noqa: S506 - a SafeLoader subclass
        except yaml.YAMLError:
            return None
    return parsed if isinstance(parsed, Mapping) else None


@dataclass(frozen=True)
class Expansion:
    """What a wrapper declares: the resources read, and why anything else could not be read."""

    declared: tuple[Declared, ...]
    problems: tuple[str, ...]


def expand(resource_type: str, props: Mapping[str, Any], has_view: Callable[[str], bool]) -> Expansion:
    """The resources a wrapper declares (plain inputs) and what cannot be read; `has_view(native type)` says which
    declared types the pack can judge (the others are problems)."""
    if resource_type in UNREADABLE:
        return Expansion((), (UNREADABLE[resource_type],))
    if resource_type not in READABLE:
        return Expansion((), ())
    declared = list(_declared(resource_type, props))
    problems = [reason for reason in declared if isinstance(reason, str)]
    found = tuple(d for d in declared if isinstance(d, Declared))
    for item in found:
        if not has_view(item.native_type):
            problems.append(f"it declares {item.logical_id} ({item.cfn_type}), a type the pack has no view of")
    return Expansion(found, tuple(problems))


def _declared(resource_type: str, props: Mapping[str, Any]) -> Iterator[Declared | str]:
    if resource_type == CLOUDCONTROL:
        type_name, state = props.get("typeName"), _document(props.get("desiredState"))
        if not isinstance(type_name, str) or not _CFN_TYPE.match(type_name):
            yield "its typeName is unknown or not an AWS::<service>::<Type> type"
        elif state is None:
            yield "its desiredState is unknown or not a JSON object"
        else:
            yield Declared("desiredState", type_name, state)
        return
    if props.get("templateUrl") is not None:
        yield "its template is read from templateUrl (S3), which is not read offline"
    if props.get("templateBody") is None:
        return
    template = _document(props.get("templateBody"))
    resources = template.get("Resources") if template is not None else None
    if not isinstance(resources, Mapping):
        yield "its templateBody is unknown or not a JSON/YAML template with Resources"
        return
    for logical, resource in resources.items():
        kind = resource.get("Type") if isinstance(resource, Mapping) else None
        properties = resource.get("Properties") if isinstance(resource, Mapping) else None
        if not isinstance(kind, str) or not _CFN_TYPE.match(kind):
            yield f"its resource {logical} has a Type that is not an AWS::<service>::<Type> type"
            continue
        yield Declared(str(logical), kind, properties if isinstance(properties, Mapping) else {})


def declared_resources(resource_type: str, props: Mapping[str, Any]) -> tuple[Declared, ...]:
    """Every resource a readable wrapper declares, viewed or not (the CloudFormation export for checkov)."""
    return expand(resource_type, props, lambda _type: True).declared
