"""What a bridged pulumi-aws resource plans for a nested block the program left unset: `[]` or null, not unknown.

Offline, an output the mock does not return stays unknown, so a second CloudFront distribution built from the first
one's `ordered_cache_behaviors` (omdv/options-advisor, tests/preflight/public_programs.py `options-advisor`) got an
unknown list, and every stack rule that walks cache behaviours (lambda-failure-destination, lambda-log-group: is the
function Lambda@Edge?) could not tell, hiding a function invoked by EventBridge and S3 with no dead-letter queue.

The facts (pulumi/pulumi-terraform-bridge@59de6c661df1, terraform-plugin-sdk, the installed SDKs):

- An output is typed `Optional[...]` only when its Terraform attribute is Optional and not Computed (and has no
  Pulumi-side default): `isOptional(..., out=true)` is `schema.Optional() && !schema.Computed() && !customDefault`
  (pkg/tfgen/generate.go). Computed ones (`aws.lambda_.Function.logging_config`, `tracing_config`: pulumi_aws/
  lambda_/function.py `pulumi.Output['outputs.FunctionLoggingConfig']`) are what AWS decides: they stay unknown.
- What the typing cannot tell is a Terraform `Default`: an Optional, non-Computed scalar may have one and is planned
  as it (`Function.memory_size` is `Output[Optional[int]]` with Terraform's default 128). So no scalar is filled here.
  A list or set cannot have one: "Default is not valid for lists or sets", and Default "is only supported if the
  Type is TypeBool, TypeFloat, TypeInt, or TypeString" (hashicorp/terraform-plugin-sdk helper/schema/schema.go).
- The bridge plans a new resource from its config (`Create` with `preview`: `diff.ProposedState`, pkg/tfbridge/
  provider.go), and first replaces an unset block, a nil list or set, "with an empty list because the underlying TF
  property is a block" (`normalizeBlockCollections`, pkg/tfshim/sdk-v2/provider2.go). `MakeTerraformOutput`
  (pkg/tfbridge/schema.go) gives that empty list back as an empty array, except for a MaxItems=1 block, which the
  SDK types as one object and which "will have projected as a scalar nested value": with no element, null.

So an unset input the installed SDK types `Output[Optional[Sequence[<output type>]]]` comes back `[]`, and one typed
`Output[Optional[<output type>]]` comes back null (None). The Python SDK itself then resolves that None, during a
preview, as unknown, as a real `pulumi preview` does (pulumi/runtime/rpc.py `resolve_properties`: known only
"if the engine was able to give us a reasonable value back"), and as None outside one: only the `[]` changes what
the program sees in a preview; the null is recorded in the graph's outputs, as the plan holds it.

Not told apart: a Plugin-Framework resource's unset list block is null, not `[]` (the bridge's pkg/convert encodes a
missing property as a null value and does no such normalisation), and the installed SDK does not say which types are
Plugin-Framework ones. Both mean "no element" to every rule; `[]` is the one a program can iterate without failing.
"""

from __future__ import annotations

import functools
import typing
from collections.abc import Collection, Mapping
from typing import Any, Literal

from policies.sdk import resource_class

#: How an unset block comes back: a list block as `[]`, a MaxItems=1 block (one object) as null.
BlockKind = Literal["list", "object"]


def _output_type(held: Any) -> bool:
    """Whether `held` names one of the SDK's output types (`ForwardRef('outputs.DistributionOrderedCacheBehavior')`):
    a Terraform block (a resource-typed element), never a string, a number or a map."""
    if isinstance(held, typing.ForwardRef):
        return held.__forward_arg__.startswith("outputs.")
    return isinstance(held, str) and held.startswith("outputs.")


def _block_kind(annotation: Any) -> BlockKind | None:
    """`list` for `Output[Optional[Sequence[<output type>]]]`, `object` for `Output[Optional[<output type>]]`, else
    None (not Optional: Required or Computed; or not a block)."""
    (held,) = typing.get_args(annotation) or (None,)
    args = typing.get_args(held)
    if typing.get_origin(held) is not typing.Union or type(None) not in args:
        return None
    inner = [a for a in args if a is not type(None)]
    if len(inner) != 1:
        return None
    (value,) = inner
    if _output_type(value):
        return "object"
    elements = typing.get_args(value)
    if typing.get_origin(value) is not None and len(elements) == 1 and _output_type(elements[0]):
        return "list"
    return None


@functools.cache
def unset_blocks(type_token: str) -> Mapping[str, BlockKind]:
    """The engine-side names of the pulumi-aws type's Optional block outputs and how each comes back unset, from
    the output getters of its class in the installed SDK (`deadLetterConfig`: object)."""
    cls = resource_class(type_token)
    if cls is None:
        return {}
    found: dict[str, BlockKind] = {}
    for member in vars(cls).values():
        getter = getattr(member, "fget", None)
        name = getattr(getter, "_pulumi_name", None)
        if not isinstance(name, str):
            continue
        kind = _block_kind(getattr(getter, "__annotations__", {}).get("return"))
        if kind is not None:
            found[name] = kind
    return dict(sorted(found.items()))


def planned_unset_blocks(type_token: str, state: Mapping[str, Any], inputs_of: Collection[str]) -> dict[str, Any]:
    """What the provider plans for each Optional block that is one of the type's inputs (`inputs_of`) and absent
    from `state` (the program did not set it): a fresh `[]` for a list block, None for a MaxItems=1 one. Only inputs:
    an output that is no input is Computed, whatever its typing says (a `MarkAsOptional` override)."""
    return {
        name: [] if kind == "list" else None
        for name, kind in unset_blocks(type_token).items()
        if name in inputs_of and name not in state
    }
