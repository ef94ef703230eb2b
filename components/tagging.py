"""Required tags on every taggable AWS resource, applied once by a stack-wide transform.

Components never tag by hand: the transform merges the stack's required tags under each resource's
own tags (resource-specific tags win), so nothing can be forgotten (P167 and P018 cost-allocation
tags, P142 data classification).
"""

from __future__ import annotations

import functools
import importlib
import inspect
from collections.abc import Mapping

import pulumi


@functools.cache
def is_taggable(type_token: str) -> bool:
    """Whether a pulumi-aws resource type takes a `tags` map (looked up in the installed SDK)."""
    parts = type_token.split(":")
    if len(parts) != 3 or parts[0] != "aws":
        return False
    module_name = parts[1].split("/", 1)[0]
    module_path = "pulumi_aws" if module_name == "index" else f"pulumi_aws.{module_name}"
    module = None
    for candidate in (module_path, module_path + "_"):  # `lambda` is `pulumi_aws.lambda_` in Python
        try:
            module = importlib.import_module(candidate)
            break
        except ImportError:
            continue
    cls = getattr(module, parts[2], None)
    init = getattr(cls, "_internal_init", None)
    if init is None:
        return False
    return "tags" in inspect.signature(init).parameters


def merge_tags(required: Mapping[str, str], own: object) -> dict[str, str] | None:
    """Required tags with the resource's own on top; None when `own` is not a tag map."""
    if own is None:
        return dict(required)
    if isinstance(own, Mapping):
        return {**required, **{str(k): v for k, v in own.items()}}
    return None  # an unknown (computed) or list-shaped value: leave it alone


def tag_transform(required: Mapping[str, str]) -> pulumi.ResourceTransform:
    """A stack transform adding `required` tags to every taggable custom resource."""
    tags = dict(required)

    def transform(args: pulumi.ResourceTransformArgs) -> pulumi.ResourceTransformResult | None:
        if not args.custom or not is_taggable(args.type_):
            return None
        merged = merge_tags(tags, args.props.get("tags"))
        if merged is None:
            return None
        props = dict(args.props)
        props["tags"] = merged
        return pulumi.ResourceTransformResult(props=props, opts=args.opts)

    return transform


def register_required_tags(required: Mapping[str, str]) -> None:
    """Register the tag transform for every resource created after this call."""
    pulumi.runtime.register_resource_transform(tag_transform(required))
