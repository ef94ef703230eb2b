"""The shape of each property (scalar, nested block, list of blocks, map) read from the installed pulumi-aws SDK.

A Pulumi input object can be a nested Terraform block (a one-element list in plan JSON) or a map
(`tags`, `environment.variables`): only the schema tells them apart. The Python SDK carries that
schema in its `*Args` classes: `pulumi.Input['FunctionTracingConfigArgs']` is a block,
`Mapping[str, ...]` a map, `Sequence['TableAttributeArgs']` a list of blocks. Reading it here keeps
the bridge exact for every type the installed SDK knows, with no copy of the schema to go stale.
"""

from __future__ import annotations

import collections.abc
import functools
import importlib
import inspect
import json
import re
import sys
import typing
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Kind(StrEnum):
    SCALAR = "scalar"
    BLOCK = "block"  # one nested object: a Terraform block, a one-element list in plan JSON
    BLOCK_LIST = "block_list"  # a list of nested objects: repeated Terraform blocks
    LIST = "list"  # a list of scalars
    MAP = "map"  # string keys chosen by the user (tags, variables)


@dataclass(frozen=True)
class FieldShape:
    kind: Kind
    nested: type | None = None  # the Args class of a BLOCK or BLOCK_LIST


Shape = dict[str, FieldShape]


@functools.lru_cache(maxsize=1)
def _resource_classes() -> dict[str, tuple[str, str]]:
    """token -> (python module, class name), from the `resource_modules` table the SDK registers itself with."""
    try:
        import pulumi_aws  # noqa: PLC0415 (optional: the bridge works without the SDK, less exactly)
    except ImportError:
        return {}
    source = inspect.getsource(pulumi_aws)
    match = re.search(r'resource_modules="""(.*?)"""', source, re.DOTALL)
    if match is None:
        return {}
    table: dict[str, tuple[str, str]] = {}
    for module in json.loads(match.group(1)):
        for token, class_name in module.get("classes", {}).items():
            table[token] = (module["fqn"], class_name)
    return table


def args_class(token: str) -> type | None:
    """The SDK's `<Resource>Args` class for a type token, or None."""
    found = _resource_classes().get(token)
    if found is None:
        return None
    module_name, class_name = found
    try:
        module = importlib.import_module(module_name)
    except ImportError:
        return None
    cls = getattr(module, f"{class_name}Args", None)
    return cls if isinstance(cls, type) else None


def _members(annotation: Any) -> list[Any]:
    """The alternatives of a `pulumi.Input[Optional[T]]` annotation, without None, Awaitable and Output."""
    if typing.get_origin(annotation) is typing.Union:
        found: list[Any] = []
        for arg in typing.get_args(annotation):
            found.extend(_members(arg))
        return found
    if annotation is type(None) or typing.get_origin(annotation) is collections.abc.Awaitable:
        return []
    if isinstance(annotation, typing.ForwardRef) and annotation.__forward_arg__.startswith("Output"):
        return []
    return [annotation]


def _resolve(ref: Any, namespace: dict[str, Any]) -> type | None:
    name = ref.__forward_arg__ if isinstance(ref, typing.ForwardRef) else ref if isinstance(ref, str) else None
    candidate = namespace.get(name) if name else ref
    if isinstance(candidate, type) and _is_input_type(candidate):
        return candidate
    return None


def _is_input_type(cls: type) -> bool:
    import pulumi._types  # noqa: PLC0415

    return bool(pulumi._types.is_input_type(cls))


def _classify(annotation: Any, namespace: dict[str, Any]) -> FieldShape:
    for member in _members(annotation):
        origin = typing.get_origin(member)
        if origin in (collections.abc.Mapping, dict):
            return FieldShape(Kind.MAP)
        if origin in (collections.abc.Sequence, list):
            elements = [e for arg in typing.get_args(member) for e in _members(arg)]
            nested = next((c for c in (_resolve(e, namespace) for e in elements) if c is not None), None)
            return FieldShape(Kind.BLOCK_LIST, nested) if nested else FieldShape(Kind.LIST)
        nested = _resolve(member, namespace)
        if nested is not None:
            return FieldShape(Kind.BLOCK, nested)
    return FieldShape(Kind.SCALAR)


@functools.cache
def shape_of_class(cls: type) -> Shape:
    """camelCase property name -> shape, for one SDK input class."""
    import pulumi._types  # noqa: PLC0415

    namespace = vars(sys.modules[cls.__module__])
    names = pulumi._types.input_type_py_to_pulumi_names(cls)
    try:
        parameters = inspect.signature(cls.__init__).parameters  # type: ignore[misc]
    except (TypeError, ValueError):
        return {}
    shape: Shape = {}
    for py_name, camel in names.items():
        parameter = parameters.get(py_name)
        if parameter is not None:
            shape[camel] = _classify(parameter.annotation, namespace)
    return shape


def shape_of(token: str) -> Shape | None:
    """Property shapes of a resource type from the installed SDK, or None when it is not installed or unknown."""
    cls = args_class(token)
    return shape_of_class(cls) if cls is not None else None
