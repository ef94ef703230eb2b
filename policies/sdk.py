"""Looking up pulumi-aws (and pulumi-aws-native) resource classes by type token, to learn what the installed SDK
declares."""

from __future__ import annotations

import functools
import importlib
import inspect
import typing


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


@functools.cache
def is_taggable(type_token: str) -> bool:
    """Whether a pulumi-aws (or pulumi-aws-native) resource type takes `tags` in the installed SDK: a map in
    pulumi-aws, most often a `{key, value}` list in aws-native (policies.tags reads both)."""
    init = getattr(resource_class(type_token) or native_resource_class(type_token), "_internal_init", None)
    return init is not None and "tags" in inspect.signature(init).parameters
