"""Whether a Condition block narrows who may use a statement (P140, P137).

A condition only narrows access when both its operator and its value do (IAM User Guide, "IAM JSON
policy elements: Condition operators" and "Condition keys ... IfExists", "Null condition operator",
"Single-valued vs. multivalued context keys"):

- negated operators (`StringNotEquals`, `ArnNotLike`, `NotIpAddress`, ...) match every caller but a few;
- `...IfExists` matches callers whose request lacks the key, and `Null` only tests presence;
- `ForAllValues:` matches a request that carries no value for the key at all;
- a `*`-only value of a `...Like` operator (`StringLike "*"`) matches everything, and so does one whose
  owner part is a wildcard: `o-*` (every organisation), `arn:aws:iam::*:role/*` (every role of every
  account), `arn:aws:*` (anything);
- source-IP ranges that together cover every address (`0.0.0.0/1` with `128.0.0.0/1`) match everyone;
- the caller's own policy variable (`aws:SourceAccount = ${aws:PrincipalAccount}`) is true for every caller;
- a key compared with its own variable or a resource's or request's tag (`aws:ResourceTag/team =
  ${aws:ResourceTag/team}`) is true for every resource carrying the tag (ABAC compares with `${aws:PrincipalTag/..}`);
- `Bool`, `Numeric...` and `Date...` keys such as `aws:SecureTransport` describe the request, not the
  caller: a public principal with `Bool aws:SecureTransport=true` is still anyone at all.

Only keys that identify the caller or the calling resource narrow a principal: the account, org,
principal ARN, source ARN/account, source VPC/endpoint and source IP keys of the global condition
context keys page (reference_policies_condition-keys.html).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

#: Global condition keys that say who (or which resource) is calling, lower-cased.
CALLER_KEYS = frozenset(
    {
        "aws:principalaccount",
        "aws:principalarn",
        "aws:principalorgid",
        "aws:principalorgpaths",
        "aws:userid",
        "aws:sourceaccount",
        "aws:sourcearn",
        "aws:sourceorgid",
        "aws:sourceorgpaths",
        "aws:sourceowner",
        "aws:sourcevpc",
        "aws:sourcevpce",
        "aws:sourceip",
        "aws:vpcsourceip",
        # KMS's own caller key: the account of the caller (KMS Developer Guide, "kms:CallerAccount").
        "kms:calleraccount",
    }
)
#: The keys the confused-deputy guidance asks a service trust policy to carry (IAM User Guide, "The
#: confused deputy problem": aws:SourceArn, aws:SourceAccount, aws:SourceOrgID, aws:SourceOrgPaths).
SOURCE_KEYS = frozenset({"aws:sourceaccount", "aws:sourcearn", "aws:sourceorgid", "aws:sourceorgpaths"})

#: Positive (matching) operators, lower-cased, without set prefixes or IfExists.
_POSITIVE_OPERATORS = frozenset(
    {"stringequals", "stringequalsignorecase", "stringlike", "arnequals", "arnlike", "ipaddress"}
)
#: Operators whose values may hold wildcards. `ArnEquals` is one (review R5): for "ArnEquals, ArnLike" IAM checks
#: "each of the six colon-delimited components of the ARN ... separately and each can include multi-character
#: match wildcards (*) or single-character match wildcards (?)" (IAM User Guide, Condition operators, "Amazon
#: Resource Name (ARN) condition operators"), so a wild ArnEquals narrows no more than the same ArnLike.
_LIKE_OPERATORS = frozenset({"stringlike", "arnlike", "arnequals"})


def _values(value: Any) -> list[Any]:
    if isinstance(value, list | tuple):
        return list(value)
    return [value]


#: Keys whose values are exact ids (accounts, organisations, VPCs): any wildcard in a `...Like` value
#: matches ids of others too (`o-*` is every organisation, `1*` a tenth of all accounts).
_ID_KEYS = frozenset(
    {
        "aws:principalaccount",
        "aws:principalorgid",
        "aws:sourceaccount",
        "aws:sourceorgid",
        "aws:sourceowner",
        "aws:sourcevpc",
        "aws:sourcevpce",
        "kms:calleraccount",
    }
)
_ARN_KEYS = frozenset({"aws:principalarn", "aws:sourcearn"})
_PATH_KEYS = frozenset({"aws:principalorgpaths", "aws:sourceorgpaths"})
_IP_KEYS = frozenset({"aws:sourceip", "aws:vpcsourceip"})
_WILDCARDS = frozenset("*?")
#: A policy variable (`${aws:PrincipalAccount}`); `${*}`, `${?}` and `${$}` are escaped characters
#: (IAM User Guide, "IAM policy elements: Variables and tags").
_VARIABLE = re.compile(r"\$\{([^}]*)\}")
_ESCAPES = frozenset({"*", "?", "$"})
_ARN_FIELDS = 6


def _wild(text: str) -> bool:
    return bool(_WILDCARDS & set(text))


def _only_wild(text: str) -> bool:
    return set(text) <= _WILDCARDS


def refers_to_caller(value: str) -> bool:
    """A value holding a policy variable of the request's caller (`${aws:PrincipalAccount}`).

    The caller supplies it: `aws:SourceAccount = ${aws:PrincipalAccount}` or `aws:PrincipalArn =
    ${aws:PrincipalArn}` holds for every caller there is (P140). Variables of the resource
    (`${aws:ResourceAccount}`, `${aws:ResourceOrgID}`) do narrow: they are the owner's, not the caller's.
    """
    return any(name.strip().lower() in CALLER_KEYS for name in _VARIABLE.findall(value) if name.strip() not in _ESCAPES)


#: Variables whose value the resource or the request carries (`${aws:ResourceTag/team}`, `${s3:ResourceTag/k}`,
#: `${aws:RequestTag/k}`): a tag test against one of them compares the resource or request with itself or with
#: what the caller sends (review2 s10 #4).
_TAG_VARIABLE = re.compile(r"^[a-z0-9-]+:(resourcetag|requesttag)/|^aws:tagkeys$")


def refers_to_itself(key: str, value: str) -> bool:
    """A value holding the tested key's own variable, or a resource's or request's tag (`aws:ResourceTag/team =
    ${aws:ResourceTag/team}`): true for every resource carrying the tag, as `StringLike "*"` is.

    ABAC's documented pattern compares the resource's tag with the caller's, `${aws:PrincipalTag/team}` (IAM User
    Guide, "Define permissions based on attributes with ABAC authorization",
    https://docs.aws.amazon.com/IAM/latest/UserGuide/introduction_attribute-based-access-control.html): the
    principal's tag is set by the administrator, not by the resource or the request, so it narrows.
    """
    names = [n.strip().lower() for n in _VARIABLE.findall(value) if n.strip() not in _ESCAPES]
    return any(name == key or _TAG_VARIABLE.match(name) for name in names)


def _arn_wild(value: str) -> bool:
    """An ARN pattern that does not pin an owner: `arn:aws:*`, `arn:aws:iam::*:role/*`, `arn:aws:s3:::*`.

    The account field carrying a wildcard (any account), the service or partition carrying one, or an
    account-less ARN (S3) whose resource name is only wildcards all match resources of strangers.
    """
    parts = value.split(":", _ARN_FIELDS - 1)
    if len(parts) < _ARN_FIELDS:
        return value.lower().startswith("arn") and _wild(value)  # `arn:aws:*`: the rest is one wildcard
    _, partition, service, _region, account, resource = parts
    if _wild(partition) or _wild(service) or _wild(account):
        return True
    return not account and _only_wild(re.split(r"[/:]", resource, maxsplit=1)[0])


def _like_wild(key: str, value: str) -> bool:
    """Whether a `...Like` value with wildcards still matches callers of other owners (see `_value_narrows`)."""
    if _only_wild(value):
        return True
    if key in _ID_KEYS:
        return _wild(value)
    if key in _ARN_KEYS:
        return _arn_wild(value)
    if key in _PATH_KEYS:  # `o-a/r-b/*` pins organisation o-a; `o-*/*` or `*/r-b/*` does not
        return _wild(value.split("/", 1)[0])
    if key == "aws:userid":  # `AROAEXAMPLEID:*` pins a role; `*:session` does not
        return _wild(value.split(":", 1)[0])
    return False


def _ip_covers_all(values: list[Any]) -> bool:
    """Whether the CIDR values together cover every IPv4 or every IPv6 address (`0.0.0.0/1` + `128.0.0.0/1`)."""
    v4: list[ipaddress.IPv4Network] = []
    v6: list[ipaddress.IPv6Network] = []
    for item in values:
        if not isinstance(item, str):
            continue
        try:
            network = ipaddress.ip_network(item.strip(), strict=False)
        except ValueError:
            continue
        if isinstance(network, ipaddress.IPv4Network):
            v4.append(network)
        else:
            v6.append(network)
    all_v4, all_v6 = ipaddress.IPv4Network("0.0.0.0/0"), ipaddress.IPv6Network("::/0")
    return list(ipaddress.collapse_addresses(v4)) == [all_v4] or list(ipaddress.collapse_addresses(v6)) == [all_v6]


def value_narrows(operator: str, key: str, value: Any) -> bool:
    """Whether the values of one positive operator on one key match only some callers (P140, P137).

    Values are ORed, so one wild value makes the whole test wild. Wild are: an empty value or `*`; for
    `...Like` operators and `ArnEquals` a value whose owner part is a wildcard (`_like_wild`: `o-*`,
    `arn:aws:iam::*:role/*`, `arn:aws:*`); a value holding the caller's own policy variable
    (`refers_to_caller`), or the tested key's own or a resource's or request's tag variable
    (`refers_to_itself`: `aws:ResourceTag/k = ${aws:ResourceTag/k}`); for source-IP keys, ranges that together
    cover all addresses. Unknown (computed) values count as narrowing: they are ids the cloud fills in.
    """
    values = _values(value)
    if not values:
        return False
    operator = operator.lower()
    key = key.lower()
    if operator == "ipaddress" and key in _IP_KEYS and _ip_covers_all(values):
        return False
    for item in values:
        if not isinstance(item, str):
            continue  # an unknown or computed value: cannot be "*"
        stripped = item.strip()
        if stripped in ("", "*") or refers_to_caller(stripped) or refers_to_itself(key, stripped):
            return False
        if operator in _LIKE_OPERATORS and _like_wild(key, stripped):
            return False
    return True


def positive_tests(condition: Mapping[str, Any]) -> Iterator[tuple[str, str, Any]]:
    """(operator, key lower-cased, value) of every test that matches callers positively.

    `ForAllValues:...` and `...IfExists` are never positive operators here: only `ForAnyValue:` keeps the
    meaning of the operator it prefixes; negated operators, `Null`, `Bool`, `Numeric...`, `Date...` are skipped.
    """
    for raw_operator, block in condition.items():
        operator = str(raw_operator).lower().removeprefix("foranyvalue:")
        if operator not in _POSITIVE_OPERATORS or not isinstance(block, Mapping):
            continue
        for key, value in block.items():
            yield operator, str(key).lower(), value


def restricts(condition: Mapping[str, Any], key: str) -> bool:
    """Whether the Condition restricts `key` (any key, e.g. a web-identity `...:sub`) with narrowing values."""
    wanted = key.lower()
    return any(k == wanted and value_narrows(op, k, v) for op, k, v in positive_tests(condition))


def narrowing_keys(condition: Mapping[str, Any]) -> set[str]:
    """The caller-identifying keys (lower-cased) this Condition really restricts."""
    return {k for op, k, v in positive_tests(condition) if k in CALLER_KEYS and value_narrows(op, k, v)}


def narrows_caller(condition: Mapping[str, Any], keys: Iterable[str] = CALLER_KEYS) -> bool:
    """Whether the Condition restricts the caller through at least one of `keys`."""
    return bool(narrowing_keys(condition) & {k.lower() for k in keys})
