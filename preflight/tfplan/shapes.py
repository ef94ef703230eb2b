"""The shape of each property (scalar, nested block, list of blocks, map), derived from the installed pulumi-aws SDK.

A Pulumi input object can be a nested Terraform block (a one-element list in plan JSON) or a map
(`tags`, `environment.variables`): only the schema tells them apart. The Python SDK carries that
schema in its `*Args` classes: `pulumi.Input['FunctionTracingConfigArgs']` is a block,
`Mapping[str, ...]` a map, `Sequence['TableAttributeArgs']` a list of blocks.

The gate reads those shapes from a stored table, `sdk_shapes.json` (`python -m preflight.tfplan.shapes
--write`), not from the SDK: since synthesis runs in a child process (preflight/synthesis_child.py), importing
the `pulumi_aws.<module>` packages of a program's types for their annotations cost the gate's own process about
a second on the template (bench/SPEED.md). `tests/preflight/test_tfplan_shapes.py` asserts the stored table is
what the installed SDK gives for every resource type, so a pulumi-aws upgrade that changes a shape fails there
until the table is written again. A nested input class is named in the table as `<module>.<Class>` below
`pulumi_aws` (`lambda_._inputs.FunctionTracingConfigArgs`).
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
from pathlib import Path
from typing import Any

#: The stored shapes (python -m preflight.tfplan.shapes --write).
TABLE_FILE = Path(__file__).with_name("sdk_shapes.json")


class Kind(StrEnum):
    SCALAR = "scalar"
    BLOCK = "block"  # one nested object: a Terraform block, a one-element list in plan JSON
    BLOCK_LIST = "block_list"  # a list of nested objects: repeated Terraform blocks
    LIST = "list"  # a list of scalars
    MAP = "map"  # string keys chosen by the user (tags, variables)


@dataclass(frozen=True)
class FieldShape:
    kind: Kind
    nested: str | None = None  # the Args class of a BLOCK or BLOCK_LIST, as a key of the table's `classes`


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
    # Where a nested input class already has the name `<Class>Args` (`pulumi_aws.s3.BucketVersioningArgs` is the
    # `versioning` block of the legacy Bucket), the SDK's code generator names the resource's own arguments
    # `<Class>InitArgs` (pulumi_aws/s3/bucket_versioning.py: `class BucketVersioningInitArgs`), in the resource's
    # module; `<Class>Args` there would be the nested block re-exported from `_inputs`.
    resource = getattr(module, class_name, None)
    home = sys.modules.get(resource.__module__, module) if isinstance(resource, type) else module
    for candidate in (f"{class_name}InitArgs", f"{class_name}Args"):
        cls = getattr(home, candidate, None)
        if isinstance(cls, type):
            return cls
    return None


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


def _classify(annotation: Any, namespace: dict[str, Any]) -> tuple[Kind, type | None]:
    members = _members(annotation)
    if str in members:
        # A string attribute the SDK also takes as an object (`Union[str, PolicyDocumentArgs]`: a role's
        # `assume_role_policy`, a policy's `policy`): the provider marshals the object to its JSON text
        # (pulumi/pulumi-terraform-bridge pkg/tfbridge/transforms.go `TransformJSONDocument`), and Terraform's
        # attribute is that string, never a block (terraform-provider-aws: `assume_role_policy` is a string).
        return Kind.SCALAR, None
    for member in members:
        origin = typing.get_origin(member)
        if origin in (collections.abc.Mapping, dict):
            return Kind.MAP, None
        if origin in (collections.abc.Sequence, list):
            elements = [e for arg in typing.get_args(member) for e in _members(arg)]
            nested = next((c for c in (_resolve(e, namespace) for e in elements) if c is not None), None)
            return (Kind.BLOCK_LIST, nested) if nested else (Kind.LIST, None)
        nested = _resolve(member, namespace)
        if nested is not None:
            return Kind.BLOCK, nested
    return Kind.SCALAR, None


def class_key(cls: type) -> str:
    """How the table names an SDK input class: its module below `pulumi_aws`, then its name."""
    return f"{cls.__module__.removeprefix('pulumi_aws.')}.{cls.__qualname__}"


def sdk_class_fields(cls: type) -> dict[str, tuple[Kind, type | None]]:
    """camelCase property name -> (kind, nested input class), read from one SDK input class's annotations."""
    import pulumi._types  # noqa: PLC0415

    namespace = vars(sys.modules[cls.__module__])
    names = pulumi._types.input_type_py_to_pulumi_names(cls)
    try:
        parameters = inspect.signature(cls.__init__).parameters  # type: ignore[misc]
    except (TypeError, ValueError):
        return {}
    fields: dict[str, tuple[Kind, type | None]] = {}
    for py_name, camel in names.items():
        parameter = parameters.get(py_name)
        if parameter is not None:
            fields[camel] = _classify(parameter.annotation, namespace)
    return fields


def table() -> dict[str, Any]:
    """The stored form of every resource type's shapes in the installed pulumi-aws (imports all of it: slow).

    `types`: token -> its Args class; `classes`: class -> camelCase property -> kind, or [kind, nested class]
    for a block or list of blocks. Only classes some type reaches are listed.
    """
    from importlib.metadata import version  # noqa: PLC0415

    types: dict[str, str] = {}
    classes: dict[str, dict[str, Any]] = {}
    pending: list[type] = []
    for token in sorted(_resource_classes()):
        cls = args_class(token)
        if cls is not None:
            types[token] = class_key(cls)
            pending.append(cls)
    while pending:
        cls = pending.pop()
        key = class_key(cls)
        if key in classes:
            continue
        entry: dict[str, Any] = {}
        for camel, (kind, nested) in sdk_class_fields(cls).items():
            entry[camel] = str(kind) if nested is None else [str(kind), class_key(nested)]
            if nested is not None:
                pending.append(nested)
        classes[key] = entry
    return {
        "generated_by": "python -m preflight.tfplan.shapes --write",
        "pulumi_aws_version": version("pulumi_aws"),
        "types": types,
        "classes": dict(sorted(classes.items())),
    }


@functools.cache
def _stored() -> dict[str, Any]:
    return dict(json.loads(TABLE_FILE.read_text(encoding="utf-8")))


@functools.cache
def shape_of_class(key: str) -> Shape:
    """camelCase property name -> shape, for one SDK input class named as the table names it (`FieldShape.nested`)."""
    entry = _stored()["classes"].get(key, {})
    return {
        camel: FieldShape(Kind(value)) if isinstance(value, str) else FieldShape(Kind(value[0]), value[1])
        for camel, value in entry.items()
    }


def shape_of(token: str) -> Shape | None:
    """Property shapes of a resource type from the stored table, or None for a type the installed SDK lacks."""
    key = _stored()["types"].get(token)
    return shape_of_class(key) if key is not None else None


def main(argv: list[str] | None = None) -> int:
    import argparse  # noqa: PLC0415

    from policies import stored_tables  # noqa: PLC0415

    parser = argparse.ArgumentParser(prog="python -m preflight.tfplan.shapes", description=__doc__.split("\n")[0])
    parser.add_argument("--write", action="store_true", help=f"write {TABLE_FILE.name}")
    args = parser.parse_args(argv)
    stored_tables.emit(table(), TABLE_FILE, write=args.write, indent=0)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
