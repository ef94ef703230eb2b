"""Tags as one shape: a `{key: value}` map, whichever provider wrote them.

pulumi-aws takes `tags` as a map; Pulumi's aws-native provider, like CloudFormation, takes most types' `Tags`
as a list of `{key, value}` (pulumi_aws_native._inputs.TagArgs, and per-type `<Type>TagArgs` of the same two
names), and a few types as a map. Every rule that reads tags (`required-tags`, the `purpose` tag of
`session-table-ttl`) and every aws-native view (policies.native) reads them through `tag_map`, so a tag is
found however it was written (P167). `carried_tags` adds what the aws provider adds: its `defaultTags`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any


def tag_map(tags: Any) -> Any:
    """`tags` as a `{key: value}` map: a map as it is, a list of `{key, value}` items as the map they spell.

    Anything else (absent, or a string: pulumi_policy's unknown marker for a list not known yet) is returned
    as it is, so a rule meets the marker and says "cannot tell yet" instead of judging no tags.
    """
    if isinstance(tags, Mapping):
        return tags
    if isinstance(tags, Sequence) and not isinstance(tags, str | bytes):  # a list, or the proxy's Sequence
        return {
            str(item["key"]): item.get("value")
            for item in tags
            if isinstance(item, Mapping) and item.get("key") is not None
        }
    return tags


#: The provider whose `defaultTags` pulumi-aws merges into every resource's tags.
AWS_PROVIDER = "pulumi:providers:aws"


def _structured(value: Any) -> Any:
    """A provider input as an object: the Python SDK sends `default_tags`/`ignore_tags` as JSON text
    (pulumi_aws/provider.py: `.apply(pulumi.runtime.to_json)`), as does an object-valued `aws:defaultTags` stack
    config; an object is taken as it is."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return None
    return value


def _strings(value: Any) -> list[str]:
    if isinstance(value, Sequence) and not isinstance(value, str | bytes):
        return [item for item in value if isinstance(item, str)]
    return []


def carried_tags(resource_type: str, props: Any, provider: Any) -> Any:
    """The tags a resource will carry, as its provider computes them (review s10 #9).

    pulumi-aws sets `tagsAll` before Check (pulumi/pulumi-aws provider/tags.go `applyTagsPreCheckCallback`,
    `mergeTags` @e1efaecd): the provider's `defaultTags.tags` merged with the resource's `tags` (the resource's
    value wins a shared key), then `ignoreTags.keys` and `ignoreTags.keyPrefixes` removed. A real preview hands
    the pack those checked inputs, `tagsAll` included, so a `tagsAll` map is taken as it is; the offline graph
    (the SDK's inputs, before any provider ran) has none, so the merge is done here from the provider's own
    inputs. `provider` is the resource's provider (pulumi_policy's `PolicyProviderResource`, or None). Unknown
    values raise UnknownValueError, as everywhere in the pack ("cannot tell yet").
    """
    own = tag_map(props.get("tags")) if isinstance(props, Mapping) else None
    if not resource_type.startswith("aws:"):
        return own
    checked = props.get("tagsAll") if isinstance(props, Mapping) else None
    if isinstance(checked, Mapping):
        return checked
    if provider is None or getattr(provider, "resource_type", "") != AWS_PROVIDER:
        return own
    provider_props = provider.props if isinstance(provider.props, Mapping) else {}
    defaults = _structured(provider_props.get("defaultTags"))
    default_tags = defaults.get("tags") if isinstance(defaults, Mapping) else None
    if not isinstance(default_tags, Mapping) or not default_tags:
        return own
    if own is not None and not isinstance(own, Mapping):
        return own  # an unknown marker: the rule says "cannot tell yet"
    merged = {**dict(default_tags), **dict(own or {})}
    ignores = _structured(provider_props.get("ignoreTags"))
    if isinstance(ignores, Mapping):
        keys, prefixes = _strings(ignores.get("keys")), _strings(ignores.get("keyPrefixes"))
        merged = {k: v for k, v in merged.items() if k not in keys and not any(k.startswith(p) for p in prefixes)}
    return merged
