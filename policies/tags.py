"""Tags as one shape: a `{key: value}` map, whichever provider wrote them.

pulumi-aws takes `tags` as a map; Pulumi's aws-native provider, like CloudFormation, takes most types' `Tags`
as a list of `{key, value}` (pulumi_aws_native._inputs.TagArgs, and per-type `<Type>TagArgs` of the same two
names), and a few types as a map. Every rule that reads tags (`required-tags`, the `purpose` tag of
`session-table-ttl`) and every aws-native view (policies.native) reads them through `tag_map`, so a tag is
found however it was written (P167).
"""

from __future__ import annotations

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
