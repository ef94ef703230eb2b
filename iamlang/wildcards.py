"""Wildcards in IAM actions and resources (P135 least privilege).

IAM matches `Action` values case-insensitively and treats `*` (any run of characters) and `?` (one
character) as wildcards anywhere in the value, so `iam:*Policy*` is as much a wildcard as `iam:*`
(IAM User Guide, "IAM JSON policy elements: Action"). A `Resource` is a wildcard when it names no
particular resource: `*`, or an ARN whose resource name is only wildcard characters (`arn:aws:s3:::*`,
`arn:aws:iam::123456789012:role/*`, `arn:aws:sqs:us-east-1:123456789012:*`). `arn:aws:s3:::bucket/*`
names a bucket and is not a wildcard resource. `NotAction` and `NotResource` in an Allow are wildcards
by construction: they grant everything except a list.
"""

from __future__ import annotations

import re

_WILDCARD_CHARS = frozenset("*?")
#: Services whose ARNs carry the resource name straight after the account field, with no resource-type
#: prefix (ARN formats in the Service Authorization Reference: S3 `arn:aws:s3:::bucket[/key]`, SQS
#: `arn:aws:sqs:region:account:queue`, SNS `arn:aws:sns:region:account:topic`, API Gateway execute-api
#: `arn:aws:execute-api:region:account:api-id/stage/method/path`).
_UNTYPED_ARN_SERVICES = frozenset({"s3", "sqs", "sns", "execute-api"})
_ARN_FIELDS = 6


def _only_wildcards(text: str) -> bool:
    return not text or set(text) <= _WILDCARD_CHARS


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
    """The resource-name part of an ARN (`bucket` of `arn:aws:s3:::bucket/key`, `r` of `...:role/r`).

    None for text that is not an ARN. For typed ARNs (`table/t`, `function:f`, `log-group:g`) the name
    is what follows the resource type; a bare resource part is its own name.
    """
    parts = arn.split(":", _ARN_FIELDS - 1)
    if len(parts) < _ARN_FIELDS or parts[0] != "arn":
        return None
    service, resource = parts[2], parts[5]
    if _only_wildcards(service):
        return ""
    if service in _UNTYPED_ARN_SERVICES:
        return re.split(r"[/:]", resource, maxsplit=1)[0]
    pieces = re.split(r"[/:]", resource, maxsplit=1)
    return pieces[1] if len(pieces) > 1 else pieces[0]


def is_wildcard_resource(resource: str) -> bool:
    """`*`, or an ARN that names no particular resource (its resource name is only wildcards)."""
    if _only_wildcards(resource):
        return True
    name = arn_resource_name(resource)
    # A leading "/" is a path (`log-group:/aws/lambda/f:*` names the group /aws/lambda/f), not the name.
    return name is not None and _only_wildcards(re.split(r"[/:]", name.lstrip("/"), maxsplit=1)[0])
