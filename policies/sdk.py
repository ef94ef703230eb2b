"""Looking up pulumi-aws (and pulumi-aws-native) resource classes by type token, to learn what the installed SDK
declares.

Which inputs a pulumi-aws type takes, for the few input names the pack asks about (`TABLED_INPUTS`: `tags` for
`is_taggable`; the permission documents and grantees are policies/grant_inputs.json), comes from a stored table,
`sdk_inputs.json`
(`python -m policies.sdk --write`): the gate judges in its own process while the program runs in a child
(preflight/synthesis_child.py), and importing a `pulumi_aws.<module>` package per type cost it about a second on
the template (bench/SPEED.md). `tests/preflight/test_sdk.py` asserts the table is what the installed SDK gives for
every type. Other names, and pulumi-aws-native types, are still read from the installed SDK.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import inspect
import json
import typing
from collections.abc import Collection
from pathlib import Path

#: The stored inputs (python -m policies.sdk --write).
TABLE_FILE = Path(__file__).with_name("sdk_inputs.json")
#: The input names the stored table records, for every pulumi-aws type that takes one of them.
TABLED_INPUTS = frozenset({"tags"})


@functools.cache
def resource_class(type_token: str) -> type | None:
    """The pulumi-aws Python class for `aws:<module>/<name>:<Class>`, if the installed SDK has it."""
    parts = type_token.split(":")
    if len(parts) != 3 or parts[0] != "aws":
        return None
    module_name = parts[1].split("/", 1)[0]
    base = "pulumi_aws" if module_name == "index" else f"pulumi_aws.{module_name}"
    return _class_in(base, parts[2])


@functools.cache
def native_resource_class(type_token: str) -> type | None:
    """The pulumi-aws-native Python class for `aws-native:<service>:<Type>`, if that SDK is installed (the gate's
    environment has it, requirements.txt; the pack's own need not, and then nothing is found)."""
    parts = type_token.split(":")
    if len(parts) != 3 or parts[0] != "aws-native":
        return None
    return _class_in(f"pulumi_aws_native.{parts[1]}", parts[2])


def _class_in(module_name: str, class_name: str) -> type | None:
    """`class_name` of `module_name`, or of `module_name_` (`lambda` is `pulumi_aws.lambda_` in Python)."""
    for candidate in (module_name, module_name + "_"):
        try:
            module = importlib.import_module(candidate)
        except ImportError:
            continue
        cls = getattr(module, class_name, None)
        if inspect.isclass(cls):
            return cls
    return None


@functools.cache
def output_names(type_token: str) -> tuple[str, ...]:
    """The engine-side (camelCase) names of the resource's output properties."""
    return _output_names(resource_class(type_token))


@functools.cache
def native_output_names(type_token: str) -> tuple[str, ...]:
    """The same for a pulumi-aws-native type (`aws-native:kms:Key` declares `arn` and `keyId`), or () when that SDK
    or type is not installed."""
    return _output_names(native_resource_class(type_token))


@functools.cache
def string_output_names(type_token: str) -> tuple[str, ...]:
    """The output properties the installed SDK types as a string (`pulumi.Output[str]` or
    `pulumi.Output[Optional[str]]`: pulumi_aws/lb/load_balancer.py `dns_name`), not lists, maps or numbers."""
    return _output_names(resource_class(type_token), strings_only=True)


def _output_names(cls: type | None, *, strings_only: bool = False) -> tuple[str, ...]:
    """The `_pulumi_name`s of `cls`'s output getters (only those typed `Output[str]`/`Output[Optional[str]]`)."""
    if cls is None:
        return ()
    names = []
    for member in vars(cls).values():
        getter = getattr(member, "fget", None)
        name = getattr(getter, "_pulumi_name", None)
        if not isinstance(name, str):
            continue
        held = typing.get_args(getattr(getter, "__annotations__", {}).get("return"))
        if not strings_only or (held and held[0] in (str, str | None)):
            names.append(name)
    return tuple(sorted(names))


def _init_inputs(cls: type | None) -> frozenset[str]:
    """The (snake_case) input names of a resource class's `_internal_init`, as the installed SDK declares them."""
    init = getattr(cls, "_internal_init", None)
    return frozenset(inspect.signature(init).parameters) if init is not None else frozenset()


def _table_key(type_token: str) -> str | None:
    """What `resource_class` looks a pulumi-aws token up by: its module and class (`lambda:Function`)."""
    parts = type_token.split(":")
    if len(parts) != 3 or parts[0] != "aws":
        return None
    return f"{parts[1].split('/', 1)[0]}:{parts[2]}"


@functools.cache
def _stored() -> dict[str, list[str]]:
    return dict(json.loads(TABLE_FILE.read_text(encoding="utf-8"))["inputs"])


def takes_input(type_token: str, names: Collection[str]) -> bool:
    """Whether the pulumi-aws type takes any of the inputs `names` (snake_case), as the installed SDK's
    `_internal_init` declares: from the stored table when it records all of `names`, else from the SDK."""
    key = _table_key(type_token)
    if key is None:
        return False
    if TABLED_INPUTS.issuperset(names):
        return not frozenset(names).isdisjoint(_stored().get(key, ()))
    return not frozenset(names).isdisjoint(_init_inputs(resource_class(type_token)))


def table() -> dict[str, object]:
    """The stored form: `module:Class` -> the `TABLED_INPUTS` it takes, for every resource type of the installed
    pulumi-aws that takes any (imports all of it: slow)."""
    from importlib.metadata import version  # noqa: PLC0415

    inputs: dict[str, list[str]] = {}
    for token in _sdk_resource_tokens():
        key = _table_key(token)
        taken = sorted(TABLED_INPUTS & _init_inputs(resource_class(token)))
        if key is not None and taken:
            inputs[key] = taken
    return {
        "generated_by": "python -m policies.sdk --write",
        "pulumi_aws_version": version("pulumi_aws"),
        "inputs": dict(sorted(inputs.items())),
    }


def _sdk_resource_tokens() -> list[str]:
    """Every resource token of the installed pulumi-aws, from the `resource_modules` registry its `__init__.py`
    registers itself with (the same reading as preflight.derived_tables.sdk_resource_tokens: the pack imports
    nothing from preflight/)."""
    spec = importlib.util.find_spec("pulumi_aws")
    if spec is None or spec.origin is None:
        return []
    text = Path(spec.origin).read_text(encoding="utf-8")
    start = text.index('resource_modules="""') + len('resource_modules="""')
    modules = json.loads(text[start : text.index('"""', start)])
    return sorted(token for module in modules for token in module["classes"])


@functools.cache
def is_taggable(type_token: str) -> bool:
    """Whether a pulumi-aws (or pulumi-aws-native) resource type takes `tags` in the installed SDK: a map in
    pulumi-aws (from the stored table), most often a `{key, value}` list in aws-native (policies.tags reads both)."""
    if _table_key(type_token) is not None:
        return takes_input(type_token, ("tags",))
    return "tags" in _init_inputs(native_resource_class(type_token))


def main(argv: list[str] | None = None) -> int:
    from policies.stored_tables import write_command  # noqa: PLC0415 (only the --write command needs it)

    return write_command(
        "python -m policies.sdk", "Write the stored SDK inputs table.", table, TABLE_FILE, 0, argv=argv
    )


if __name__ == "__main__":
    raise SystemExit(main())
