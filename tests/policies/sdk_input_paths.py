"""The input paths of a pulumi-aws or pulumi-aws-native resource, read from the installed SDK's input types.

Each `pulumi.input_type` class names its inputs in its getters' `_pulumi_name` (camelCase, as the engine receives
them) and types them in the getters' return annotations, where a nested input type appears as
`ForwardRef('<Name>Args')`; walking those gives every dotted path a program can set (`variants.modelId`).
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import keyword
import re
from pathlib import Path
from types import ModuleType

_ARGS_REF = re.compile(r"ForwardRef\('(?:(_root_inputs)\.)?(\w+Args)'\)")
#: Deep enough for every model input of the Bedrock types (a memory strategy's is six levels down); stops
#: recursive input types (flow definitions nest flows).
_DEPTH = 10


def _module(type_token: str) -> tuple[ModuleType, str, str]:
    """The SDK module of a type token, its class name and the package (`pulumi_aws` or `pulumi_aws_native`)."""
    provider, middle, name = type_token.split(":")
    service = middle.split("/", 1)[0]
    service = f"{service}_" if keyword.iskeyword(service) else service
    package = "pulumi_aws_native" if provider == "aws-native" else "pulumi_aws"
    return importlib.import_module(f"{package}.{service}"), name, package


def _walk(cls: type, module: ModuleType, package: str, prefix: str, seen: frozenset[type]) -> dict[str, str]:
    found: dict[str, str] = {}
    for member in vars(cls).values():
        getter = getattr(member, "fget", None)
        name = getattr(getter, "_pulumi_name", None)
        if not isinstance(name, str):
            continue
        annotation = repr(getattr(getter, "__annotations__", {}).get("return"))
        path = prefix + name
        refs = _ARGS_REF.findall(annotation)  # one, or each member of a union (aws-native's oneOf types)
        if not refs:
            found[path] = annotation
        for root, ref in dict.fromkeys(refs):
            nested = getattr(importlib.import_module(f"{package}._inputs") if root else module, ref)
            if nested not in seen and len(seen) < _DEPTH:
                found.update(_walk(nested, module, package, path + ".", seen | {nested}))
    return found


@functools.cache
def input_paths(type_token: str) -> dict[str, str]:
    """Every leaf input path of the type -> its annotation (repr), nested input types walked."""
    module, name, package = _module(type_token)
    own = importlib.import_module(getattr(module, name).__module__)
    args = getattr(own, f"{name}InitArgs", None) or getattr(own, f"{name}Args")
    return _walk(args, module, package, "", frozenset({args}))


_TOKEN = re.compile(r"super\(\w+, __self__\)\.__init__\(\s*'([^']+)'")


def resource_tokens(package: str, service: str) -> list[str]:
    """Every resource type token of one SDK module (`pulumi_aws.bedrock`), as each resource class's `__init__`
    passes it to `super().__init__('<token>', ...)` (the modules load lazily, so they are read, not listed)."""
    spec = importlib.util.find_spec(f"{package}.{service}")
    assert spec is not None and spec.submodule_search_locations, f"{package}.{service}"
    folder = Path(next(iter(spec.submodule_search_locations)))
    return sorted({t for f in folder.glob("*.py") for t in _TOKEN.findall(f.read_text())})
