"""Results of data-source invokes (`aws.ec2.get_ami(...)`, `aws.get_caller_identity()`), fabricated offline.

Why: the real engine reads the cloud for data sources even during `pulumi preview`, so a program
gets values, not unknowns, and many programs use them at once (`ami.id`, `zones.names[0]`,
`vpc.cidr_block.split("/")`). Every field gets a value of the type the provider returns, read from
the type annotations of the installed SDK's result class (`GetAmiResult.most_recent -> bool`,
`GetSubnetsResult.ids -> Sequence[str]`, nested `outputs.Get...Result` classes), so the program sees
a bool where the provider gives a bool, a list where it gives a list. Arguments the result also
declares are echoed back, as the provider echoes a data source's inputs; the result's `Optional`
fields are those optional arguments and stay unset when not given. The same arguments
always give the same result, so two runs give identical graphs. A value only the cloud knows (an SSM parameter's
value, a secret's, an object's body, a registry password: `_CLOUD_VALUES`) is `invented` ("preflight-<hex>"): the
gate reports one that reaches an input a check or a rule decides on (preflight.checkov_unknown, preflight.deferred),
since a real preview reads the real value.
"""

from __future__ import annotations

import base64
import collections.abc
import functools
import json
import re
import sys
import typing
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from policies.sdk import resource_class
from preflight import zones
from preflight.fabricate import MOCK_ACCOUNT_ID, arn_for, short_hash, stable_json

#: Nested result objects deeper than this are left empty; results stay small.
MAX_DEPTH = 3

#: Elements fabricated for a list result: two, so `ids[0]` and "at least two subnets" both work.
LIST_LENGTH = 2

#: The one shape of a string invented offline for a data source's value only the cloud knows (an SSM parameter's
#: value, a secret's, a registry password; `_CLOUD_VALUES`): "preflight-" and hex. In a real `pulumi preview`
#: invokes run for real, so such a value is NOT known offline: where a checkov check reads one,
#: preflight.checkov_unknown reports it as it reports an unknown (review s7 finding 4, P112). `invented` makes them,
#: `invented_token` recognises a whole one and `invented_within` one embedded in a bigger string (an ARN, a CIDR or a
#: JSON document built from it; issue 11).
INVENTED_PREFIX = "preflight-"
#: In a bigger string the search takes as much hex as the shape allows (greedy), so a recorded value followed by
#: more hex is still found by its prefix (`_embedded_token`).
_INVENTED = re.compile(rf"{INVENTED_PREFIX}[0-9a-f]{{10,16}}")
#: What may not touch an unrecorded invented shape in a bigger string, on either side, for it to count: a word
#: character ("apreflight-0123456789", "preflight-0123456789abcdefXYZ" are names a program wrote, not invented).
_WORD = re.compile(r"[0-9A-Za-z_]")
#: Invented string -> the token of the invoke that made it, for the synthesis run in this process (a string whose
#: invoke ran in another process, such as the gate's synthesis child, is still recognised, by its shape).
_INVENTED_BY: dict[str, str] = {}
#: The same, for the current synthesis run only (`start_run`): what that run's graph carries (ResourceGraph.invented).
_THIS_RUN: dict[str, str] = {}


def invented(token: str, *parts: str, length: int = 10) -> str:
    """A string invented offline for data source `token`, deterministic in `parts`, recorded with its token."""
    value = f"{INVENTED_PREFIX}{short_hash(*parts, length=length)}"
    _INVENTED_BY[value] = token
    _THIS_RUN[value] = token
    return value


def start_run() -> None:
    """Forget what earlier synthesis runs of this process invented, for `invented_strings`."""
    _THIS_RUN.clear()


def invented_strings() -> dict[str, str]:
    """Every string `invented` made since `start_run`, with its data source's token (ResourceGraph.invented)."""
    return dict(_THIS_RUN)


def remember_invented(strings: Mapping[str, str]) -> None:
    """Record strings another process invented (the synthesis child's graph), so `invented_token` names their
    data source here too."""
    _INVENTED_BY.update(strings)


def invented_token(value: Any) -> str | None:
    """For a string `invented` made: the token of its data source ("" when not recorded here); else None."""
    if not isinstance(value, str) or _INVENTED.fullmatch(value) is None:
        return None
    return _INVENTED_BY.get(value, "")


def _embedded_token(text: str, found: re.Match[str]) -> str | None:
    """The token of the invented value `found` in `text` starts: a recorded one wherever it stands (the longest
    recorded value `found` begins with), an unrecorded shape only where no word character touches it."""
    match = found.group()
    recorded = [value for value in _INVENTED_BY if match.startswith(value)]
    if recorded:
        return _INVENTED_BY[max(recorded, key=len)]
    start, end = found.span()
    before = text[start - 1] if start else ""
    after = text[end] if end < len(text) else ""
    return None if _WORD.fullmatch(before) or _WORD.fullmatch(after) else ""


def invented_within(value: Any) -> list[str]:
    """The data-source tokens (see `invented_token`) of the invented values a string is or embeds: one built from
    a data source's result with an f-string or `json.dumps` (`f"arn:aws:iam::{parameter.value}:root"`) holds a
    value only the cloud knows as surely as the result itself (issue 11). Empty for anything else."""
    if not isinstance(value, str) or INVENTED_PREFIX not in value:
        return []
    whole = invented_token(value)
    if whole is not None:
        return [whole]
    found = (_embedded_token(value, m) for m in _INVENTED.finditer(value))
    return [token for token in found if token is not None]


def invented_found(value: Any) -> list[tuple[str, bool]]:
    """(token, whole) for every invented value in `value`, nested or not: the data source's token (see
    `invented_token`), and whether it is a whole string value (True) or embedded in one (`invented_within`). A
    mapping's keys count as its values do: a condition key built from one (`f"aws:PrincipalTag/{param.value}"` in
    an aws-native role's document, a dict) names what only the cloud knows as surely (review s9 finding 5)."""
    if isinstance(value, Mapping):
        return [found for key, item in value.items() for part in (key, item) for found in invented_found(part)]
    if isinstance(value, list | tuple):
        return [found for item in value for found in invented_found(item)]
    whole = invented_token(value) is not None
    return [(token, whole) for token in invented_within(value)]


def invented_summary(found: Sequence[tuple[str, bool]]) -> tuple[tuple[str, ...], bool]:
    """(the data sources' tokens, sorted and once each; whether every value was whole) of `invented_found`'s answer."""
    return tuple(sorted({token for token, _ in found})), all(whole for _, whole in found)


def invented_phrase(tokens: Sequence[str], whole: bool) -> str:
    """How a finding says what was invented: "was invented offline for data source X", or "holds a value invented
    offline for ..." for a string built from one ("a data source" when no token was recorded here)."""
    named = ", ".join(t for t in tokens if t)
    sources = f"data source {named}" if named else "a data source"
    return f"{'was invented' if whole else 'holds a value invented'} offline for {sources}"


# Strings with a fixed shape, by the field's camelCase name (exact match first, then suffix).
_ACCOUNT_FIELDS = frozenset({"accountId", "ownerId", "owner", "awsAccountId"})


@functools.cache
def result_fields(token: str) -> Mapping[str, Any]:
    """camelCase field name -> resolved type annotation of the data source's result class."""
    parts = token.split(":")
    if len(parts) != 3 or parts[0] != "aws":
        return {}
    function = parts[2]
    cls = resource_class(f"aws:{parts[1]}:{function[:1].upper()}{function[1:]}Result")
    return _fields_of(cls) if cls is not None else {}


@functools.cache
def _fields_of(cls: type) -> Mapping[str, Any]:
    module_globals = vars(sys.modules[cls.__module__])
    fields: dict[str, Any] = {}
    for member in vars(cls).values():
        getter = getattr(member, "fget", None)
        name = getattr(getter, "_pulumi_name", None)
        if not isinstance(name, str):
            continue
        try:
            hints = typing.get_type_hints(getter, globalns=module_globals)
        except (NameError, TypeError):  # an annotation the SDK cannot resolve itself: value left unset
            continue
        fields[name] = hints.get("return", Any)
    return fields


def looked_up_name(kind: str, args: Mapping[str, Any]) -> str | None:
    """The name of the resource a data source looks up, where an argument gives it: `<kind>Name`
    (`iam.get_user(user_name=...)`, `lambda_.get_function(function_name=...)`), `name` (`sns.get_topic`,
    `sqs.get_queue`, `dynamodb.get_table`, `iam.get_role`) or the kind itself (`s3.get_bucket(bucket=...)`).
    Its ARN names that resource, as AWS's would (a policy built from `get_role(name="deployer").arn` names
    `role/deployer`), not a made-up one; an ARN given instead is not a name."""
    for key in (f"{kind}Name", "name", kind):
        value = args.get(key)
        if isinstance(value, str) and value and not value.startswith("arn:"):
            return value
    return None


class _Context:
    """What one invoke's fabricated values are derived from."""

    def __init__(self, token: str, args: Mapping[str, Any], region: str) -> None:
        self.region = region
        parts = token.split(":")
        kind = parts[2].removeprefix("get") if len(parts) == 3 else "Resource"
        module = parts[1].split("/", 1)[0] if len(parts) == 3 else "index"
        self.ident = short_hash(token, stable_json(args), length=10)
        self.kind = kind[:1].lower() + kind[1:]
        self.module = module
        name = looked_up_name(self.kind, args) or self.ident
        self.arn = arn_for(f"aws:{module}/{self.kind}:{kind}", name, self.ident, region)


#: EC2 resource ids by the resource they name, in the EC2 API's shape `<prefix>-<hex>` (botocore's ec2 2016-11-15
#: examples-1.json: "vpc-a01106c2", "subnet-7b16de0c", "sg-903004f8", "igw-c0a643a9", "nat-08d48af2a8e83edfd",
#: "rtb-22574640", "eni-e5aa89a3", "i-e5aa89a3", "ami-5731123e", "pcx-b04deed9", "acl-5fb85d36", "eipalloc-64d5890a").
#: Without it an ec2 data source's `vpcId` was named after the data source (`get_subnet` gave "subnet-..." for its
#: VPC) and `get_subnets().ids` were "subnets-...".
_EC2_ID_PREFIXES: Mapping[str, str] = {
    "vpc": "vpc",
    "subnet": "subnet",
    "securityGroup": "sg",
    "internetGateway": "igw",
    "natGateway": "nat",
    "routeTable": "rtb",
    "networkInterface": "eni",
    "instance": "i",
    "ami": "ami",
    "vpcPeeringConnection": "pcx",
    "networkAcl": "acl",
    "allocation": "eipalloc",
}


def _ec2_id_prefix(name: str, ctx: _Context) -> str | None:
    """The id prefix of an ec2 data source's id field: `vpcId`, `subnetIds`, or its own `id`/`ids`."""
    if ctx.module != "ec2":
        return None
    stem = name.removesuffix("s").removesuffix("Id") if name not in ("id", "ids") else ctx.kind.removesuffix("s")
    return _EC2_ID_PREFIXES.get(stem) if name in ("id", "ids") or name.endswith(("Id", "Ids")) else None


#: Fields holding an Availability Zone's name, and its id, lower-cased.
_ZONE_NAMES = frozenset({"availabilityzone", "availabilityzones", "zone", "zones"})
_ZONE_IDS = frozenset({"availabilityzoneid", "availabilityzoneids", "zoneids"})


def _zone_field(names: frozenset[str]) -> Callable[[str], bool]:
    """Whether a field, lower-cased, is one of `names`. Not any `...Zone`: the SDK's results also have `timeZone`,
    `hostedZoneId` and a load balancer's or Route 53's `zoneId` (a hosted zone's id), no Availability Zone
    (pulumi_aws 7.51.1 get_*.py result getters)."""
    return lambda n: n.lower() in names


def _string_rules(ctx: _Context, index: int) -> list[tuple[Callable[[str], bool], Callable[[], str]]]:
    suffix = "" if index == 0 else f"-{index}"
    return [
        (lambda n: n in _ACCOUNT_FIELDS, lambda: MOCK_ACCOUNT_ID),
        (lambda n: n.lower() == "region", lambda: ctx.region),
        (lambda n: n == "arn" or n.endswith(("Arn", "Arns")), lambda: ctx.arn + suffix),
        (lambda n: n.lower().endswith(("json", "policy", "document")), lambda: "{}"),
        (
            lambda n: n.lower().endswith(("url", "endpoint")),
            lambda: f"https://{ctx.ident}{suffix}.{ctx.region}.amazonaws.com",
        ),
        (lambda n: n.lower().endswith(("cidrblock", "cidr")), lambda: f"10.{index}.0.0/16"),
        # A zone field holds one of the region's zones: its name (`availabilityZone`), or its id
        # (`availabilityZoneId`, `zoneIds`), the same zone for the same index (preflight/zones.py).
        (_zone_field(_ZONE_NAMES), lambda: zones.zone_at(ctx.region, index).name),
        (_zone_field(_ZONE_IDS), lambda: zones.zone_at(ctx.region, index).zone_id),
    ]


def _string(name: str, ctx: _Context, index: int) -> str:
    """A string shaped like what the field holds (account ids, EC2 ids, ARNs, URLs, CIDRs, zones), else a name."""
    prefix = _ec2_id_prefix(name, ctx)
    if prefix is not None:  # its own id keeps the ident its ARN is built from; another resource's id is its own
        own = name in ("id", "ids") and index == 0
        return f"{prefix}-{ctx.ident if own else short_hash(ctx.ident, name, str(index), length=10)}"
    for applies, make in _string_rules(ctx, index):
        if applies(name):
            return make()
    return f"{ctx.kind}-{ctx.ident}{'' if index == 0 else f'-{index}'}"


#: Scalar result types and the value each gets.
_SCALARS: Mapping[Any, Any] = {bool: False, int: 1, float: 1.0}


def _value(annotation: Any, name: str, ctx: _Context, depth: int, index: int = 0) -> Any:
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Union:
        present = [a for a in args if a is not type(None)]
        annotation, origin, args = present[0], typing.get_origin(present[0]), typing.get_args(present[0])
    if annotation in _SCALARS:
        return _SCALARS[annotation]
    if annotation is str or annotation is Any:
        return _string(name, ctx, index)
    result: Any = None
    if origin in (list, collections.abc.Sequence):
        element = args[0] if args else Any
        result = [] if depth >= MAX_DEPTH else [_value(element, name, ctx, depth + 1, i) for i in range(LIST_LENGTH)]
    elif origin in (dict, collections.abc.Mapping):
        result = {}
    elif isinstance(annotation, type):
        fields = sorted(_fields_of(annotation).items()) if depth < MAX_DEPTH else []
        result = {field: _value(hint, field, ctx, depth + 1, index) for field, hint in fields}
    return result


#: How an echoed argument is checked against a scalar result type.
_SCALAR_CHECKS: Mapping[Any, Callable[[Any], bool]] = {
    bool: lambda v: isinstance(v, bool),
    int: lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    float: lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    str: lambda v: isinstance(v, str),
    Any: lambda v: True,
}


def _conforms(value: Any, annotation: Any) -> bool:
    """Whether an echoed argument has the result field's type (an echoed unknown or odd value is replaced)."""
    origin = typing.get_origin(annotation)
    if origin is typing.Union:
        return any(_conforms(value, a) for a in typing.get_args(annotation) if a is not type(None))
    check = _SCALAR_CHECKS.get(annotation)
    if check is not None:
        return check(value)
    if origin in (list, collections.abc.Sequence):
        return isinstance(value, list | tuple)
    return (origin in (dict, collections.abc.Mapping) or isinstance(annotation, type)) and isinstance(value, Mapping)


def _is_optional(annotation: Any) -> bool:
    return typing.get_origin(annotation) is typing.Union and type(None) in typing.get_args(annotation)


def typed_result(token: str, args: Mapping[str, Any], region: str, known: Mapping[str, Any]) -> dict[str, Any]:
    """Every declared result field: `known` values first, then echoed arguments, then fabricated ones."""
    ctx = _Context(token, args, region)
    result: dict[str, Any] = dict(known)
    for name, annotation in sorted(result_fields(token).items()):
        if name in result:
            continue
        if name in args and _conforms(args[name], annotation):
            result[name] = args[name]
        elif _is_optional(annotation) and name not in args:
            # Optional fields of a result are the data source's optional arguments: not given, not returned.
            result[name] = None
        else:
            result[name] = _value(annotation, name, ctx, depth=0)
    return result


def invoke_result(token: str, args: Mapping[str, Any], region: str) -> dict[str, Any]:
    """The result of data source `token` called with `args` in `region`."""
    if token == "aws:ssm/getParameter:getParameter":
        known = _ssm_parameter(str(args.get("name", "")), region)
    elif token == "aws:iam/getPolicy:getPolicy":
        known = _iam_policy(args)
    elif token in _REGISTRY_TOKENS:
        known = _registry_token(token, args)
    else:
        known = _well_known(token, args, region)
    result = typed_result(token, args, region, known)
    for field in _CLOUD_VALUES.get(token, ()):
        result[field] = _invented_like(result.get(field), token, token, stable_json(args), field)
    if token == "aws:kms/getSecrets:getSecrets":
        result["plaintext"] = _kms_plaintext(token, args)
    return result


#: Result fields whose value only the cloud knows (the content of a secret, a parameter, an object; a random
#: password; a ciphertext; a function's reply), by data source, under their camelCase names in the installed
#: pulumi-aws SDK's result classes (`GetSecretVersionResult.secret_string` "Decrypted part of the protected secret
#: information", `GetParametersByPathResult.values` "the retrieved parameter values", `GetObjectResult.body`
#: "Object data" and `body_base64`, `GetBucketObjectResult.body`, `GetRandomPasswordResult.random_password`,
#: `GetCipherTextResult.ciphertext_blob` "Base64 encoded ciphertext", `GetInvocationResult.result` "String result
#: of the Lambda function invocation"). Each is `invented`, so the gate traces it where a check or a rule reads it
#: (review s9 finding 4, P112). ids, ARNs, names and the arguments echoed back keep their realistic shape. Not here:
#: `aws.kms.get_secret` (its plaintexts are result fields named after each secret, which the SDK's typed result
#: does not declare) and metadata-only results (`secretsmanager.get_secret(s)`, `get_secret_versions`,
#: `s3.get_objects` keys). `aws:ssm/getParameter` and the registry tokens are invented where they are made.
_CLOUD_VALUES: Mapping[str, tuple[str, ...]] = {
    "aws:secretsmanager/getSecretVersion:getSecretVersion": ("secretString", "secretBinary"),
    "aws:secretsmanager/getRandomPassword:getRandomPassword": ("randomPassword",),
    "aws:ssm/getParametersByPath:getParametersByPath": ("values",),
    "aws:s3/getObject:getObject": ("body", "bodyBase64"),
    "aws:s3/getBucketObject:getBucketObject": ("body",),
    "aws:kms/getCipherText:getCipherText": ("ciphertextBlob",),
    "aws:lambda/getInvocation:getInvocation": ("result",),
}


def _invented_like(value: Any, token: str, *parts: str) -> Any:
    """`value` (a string or a list of strings, as fabricated) with each string `invented` instead."""
    if isinstance(value, list):
        return [invented(token, *parts, str(index)) for index in range(len(value))]
    return invented(token, *parts)


def _kms_plaintext(token: str, args: Mapping[str, Any]) -> dict[str, str]:
    """`aws.kms.get_secrets`: `plaintext` maps each given `secret`'s `name` to its decrypted value
    (`GetSecretsResult.plaintext`, "Map containing each `secret` `name` as the key with its decrypted plaintext
    value"), invented."""
    secrets = args.get("secrets")
    names = [s.get("name") for s in secrets if isinstance(s, Mapping)] if isinstance(secrets, list) else []
    return {name: invented(token, name, stable_json(args)) for name in names if isinstance(name, str)}


#: The zone data sources, answered with the region's zones (preflight/zones.py, issue 11 §1).
_ZONE_RESULTS: Mapping[str, Callable[[Mapping[str, Any], str], dict[str, Any]]] = {
    "aws:index/getAvailabilityZones:getAvailabilityZones": zones.availability_zones,
    "aws:index/getAvailabilityZone:getAvailabilityZone": zones.availability_zone,
}


def _well_known(token: str, args: Mapping[str, Any], region: str) -> dict[str, Any]:
    """Data sources whose values programs build on (account, region, partition, zones, policy JSON)."""
    if token == "aws:index/getCallerIdentity:getCallerIdentity":
        return {
            "accountId": MOCK_ACCOUNT_ID,
            "arn": f"arn:aws:iam::{MOCK_ACCOUNT_ID}:user/preflight",
            "userId": "AIDAPREFLIGHT",
            "id": MOCK_ACCOUNT_ID,
        }
    if token == "aws:index/getRegion:getRegion":
        return {"name": region, "region": region, "id": region, "endpoint": f"ec2.{region}.amazonaws.com"}
    if token == "aws:index/getPartition:getPartition":
        return {"partition": "aws", "dnsSuffix": "amazonaws.com", "id": "aws"}
    zone_result = _ZONE_RESULTS.get(token)
    if zone_result is not None:
        return zone_result(args, region)
    if token == "aws:iam/getPolicyDocument:getPolicyDocument":
        return {"json": policy_document_json(args), "id": short_hash(stable_json(args))}
    return {}


#: Data sources whose `authorizationToken` is a docker login: base64 of `user:password`, the user always "AWS"
#: (ECR API Reference, AuthorizationData: "A base64-encoded string ... When the string is decoded, it is presented
#: in the format user:password"; https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_AuthorizationData.html
#: and the same for ECR Public, https://docs.aws.amazon.com/AmazonECRPublic/latest/APIReference/API_AuthorizationData.html).
#: Programs decode and split it (pulumi/examples aws-py-voting-app `get_registry_info`): a name would not decode.
_REGISTRY_TOKENS = frozenset(
    {
        "aws:ecr/getAuthorizationToken:getAuthorizationToken",
        "aws:ecr/getCredentials:getCredentials",
        "aws:ecrpublic/getAuthorizationToken:getAuthorizationToken",
    }
)


def _registry_token(token: str, args: Mapping[str, Any]) -> dict[str, Any]:
    password = invented(token, token, stable_json(args), length=16)
    login = base64.b64encode(f"AWS:{password}".encode()).decode("ascii")
    return {"authorizationToken": login, "userName": "AWS", "password": password}


@functools.cache
def aws_managed_policies() -> Mapping[str, Mapping[str, Any]]:
    """AWS managed policies by name (`Path`, `Document`), from the list moto ships.

    moto/iam/aws_managed_policies.py is AWS's own list (imported by moto's `make aws_managed_policies` from
    `iam:ListPolicies --scope AWS`), with each policy's path (`/`, `/service-role/`, `/job-function/`).
    Empty when moto is not installed: names are then not known to be AWS managed.
    """
    try:
        from moto.iam.aws_managed_policies import aws_managed_policies_data  # noqa: PLC0415
    except ImportError:
        return {}
    data: Mapping[str, Mapping[str, Any]] = json.loads(aws_managed_policies_data)
    return data


def _iam_policy(args: Mapping[str, Any]) -> dict[str, Any]:
    """`aws.iam.get_policy(name=...)`: an AWS managed policy has the ARN AWS gives it,
    `arn:aws:iam::aws:policy<path><name>` (IAM User Guide, "AWS managed policies"), and its document;
    any other name is a customer managed policy of the account, `arn:aws:iam::<account>:policy/<name>`."""
    given = args.get("arn")
    if isinstance(given, str) and given:
        return {"arn": given, "name": given.rsplit("/", 1)[-1], "id": given}
    name = args.get("name")
    if not isinstance(name, str) or not name:
        return {}
    managed = aws_managed_policies().get(name)
    if managed is None:
        prefix = args.get("pathPrefix")
        path = prefix if isinstance(prefix, str) and prefix.startswith("/") and prefix.endswith("/") else "/"
        arn = f"arn:aws:iam::{MOCK_ACCOUNT_ID}:policy{path}{name}"
        return {"arn": arn, "name": name, "path": path, "id": arn}
    path = str(managed.get("Path") or "/")
    arn = f"arn:aws:iam::aws:policy{path}{name}"
    return {"arn": arn, "name": name, "path": path, "id": arn, "policy": json.dumps(managed.get("Document") or {})}


#: AWS's public parameter of the Powertools for AWS Lambda (Python) layer: its value is the ARN of the
#: newest layer version (https://docs.aws.amazon.com/powertools/python/latest/getting-started/install/).
_POWERTOOLS_PARAMETER = re.compile(
    r"^/aws/service/powertools/python/(?P<arch>x86_64|arm64)/"
    r"python(?P<major>\d)\.(?P<minor>\d+)/(?P<version>[\w.]+)$"
)
#: The layer version the offline engine reports for it (any real one would do; the shape is what matters).
FABRICATED_LAYER_VERSION = 1


def _ssm_parameter(name: str, region: str) -> dict[str, Any]:
    """`aws.ssm.get_parameter`: AWS's public parameters with values of their real shape, others a placeholder."""
    found = _POWERTOOLS_PARAMETER.match(name)
    if found:
        value = (
            f"arn:aws:lambda:{region}:017000801446:layer:AWSLambdaPowertoolsPythonV3-"
            f"python{found['major']}{found['minor']}-{found['arch']}:{FABRICATED_LAYER_VERSION}"
        )
    else:
        value = invented("aws:ssm/getParameter:getParameter", name)
    account = "" if name.startswith("/aws/service/") else MOCK_ACCOUNT_ID
    return {
        "id": name,
        "name": name,
        "arn": f"arn:aws:ssm:{region}:{account}:parameter{name}",
        "type": "String",
        "value": value,
        "insecureValue": value,
        "version": 1,
    }


def _one_or_many(values: list[Any]) -> Any:
    return values[0] if len(values) == 1 else values


def _merged(values: list[Any]) -> list[Any]:
    """Unique values in first-seen order (a principal or condition repeated with more values adds them)."""
    out: list[Any] = []
    for value in values:
        if value not in out:
            out.append(value)
    return out


def _principal_block(principals: list[Mapping[str, Any]]) -> Any:
    """Principals of one type merge their identifiers (terraform-provider-aws internal/service/iam/
    policy_model.go, `IAMPolicyStatementPrincipalSet.MarshalJSON`); `{type: "*", identifiers: ["*"]}` is "*"."""
    by_type: dict[str, list[Any]] = {}
    for principal in principals:
        ids = _field(principal, "identifiers") or []
        by_type.setdefault(str(_field(principal, "type")), []).extend(ids if isinstance(ids, list) else [ids])
    block = {kind: _one_or_many(_merged(ids)) for kind, ids in by_type.items()}
    return "*" if block == {"*": "*"} else block


def _condition_block(conditions: list[Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """Conditions with the same test and variable merge their values (policy_model.go,
    `IAMPolicyStatementConditionSet.MarshalJSON`), so none is lost."""
    merged: dict[str, dict[str, list[Any]]] = {}
    for condition in conditions:
        values = _field(condition, "values") or []
        key = merged.setdefault(str(_field(condition, "test")), {}).setdefault(str(_field(condition, "variable")), [])
        key.extend(values if isinstance(values, list) else [values])
    return {test: {var: _one_or_many(v) for var, v in block.items()} for test, block in merged.items()}


_CAPITAL = re.compile(r"(?<!^)([A-Z])")


def _field(block: Mapping[str, Any], name: str) -> Any:
    """A statement block's field under its Pulumi name (`notActions`) or its Python name (`not_actions`).

    Why both: a typed `GetPolicyDocumentStatementArgs` is serialised with the Pulumi names, but a plain dict
    (the SDK's `GetPolicyDocumentStatementArgsDict` declares snake_case keys) is sent with its Python keys as
    written: invoke arguments carry no type, so pulumi's serialize_property leaves a Mapping's keys untranslated
    (pulumi 3.272.0 sdk/python/lib/pulumi/runtime/invoke.py `_invoke` -> rpc.serialize_properties(props, deps);
    rpc.py serialize_property, "don't do any translation of user-defined dict keys"). The provider then maps
    either spelling to the same Terraform name: PulumiToTerraformName lower-cases each capital after an
    underscore and keeps every other character, so `notActions` and `not_actions` are both `not_actions`
    (pulumi/pulumi-terraform-bridge@29a7b50d3e8130fb91a33c9b83e67fb625d1a52e pkg/tfbridge/names.go).
    """
    value = block.get(name)
    return value if value is not None else block.get(_CAPITAL.sub(r"_\1", name).lower())


def _statement_json(st: Mapping[str, Any]) -> dict[str, Any]:
    """One statement block as IAM JSON, whichever spelling (`_field`) its keys use."""
    out: dict[str, Any] = {}
    if _field(st, "sid"):
        out["Sid"] = _field(st, "sid")
    out["Effect"] = _field(st, "effect") or "Allow"
    for src, dst in (
        ("actions", "Action"),
        ("notActions", "NotAction"),
        ("resources", "Resource"),
        ("notResources", "NotResource"),
    ):
        values = _field(st, src)
        if values:
            out[dst] = values[0] if len(values) == 1 else sorted(values)
    for src, dst in (("principals", "Principal"), ("notPrincipals", "NotPrincipal")):
        if _field(st, src):
            out[dst] = _principal_block(_field(st, src))
    if _field(st, "conditions"):
        out["Condition"] = _condition_block(_field(st, "conditions"))
    return out


def _documents(values: Any) -> list[dict[str, Any]]:
    """Statements of each JSON document in `values` (unparseable or unknown documents are skipped)."""
    statements: list[dict[str, Any]] = []
    for text in values if isinstance(values, list) else []:
        try:
            data = json.loads(text) if isinstance(text, str) else None
        except ValueError:
            continue
        if isinstance(data, dict):
            found = data.get("Statement")
            statements.extend(s for s in (found if isinstance(found, list) else [found]) if isinstance(s, dict))
    return statements


def _merge(into: list[dict[str, Any]], statements: list[dict[str, Any]]) -> None:
    """terraform-provider-aws `IAMPolicyDoc.Merge`: a statement replaces the one with its Sid, else is appended."""
    for statement in statements:
        sid = statement.get("Sid")
        index = next((i for i, s in enumerate(into) if sid and s.get("Sid") == sid), None)
        if index is None:
            into.append(statement)
        else:
            into[index] = statement


def policy_document_json(args: Mapping[str, Any]) -> str:
    """Render `aws.iam.get_policy_document` arguments the way the provider does (IAM JSON).

    As terraform-provider-aws's `aws_iam_policy_document` (internal/service/iam/policy_document_data_source.go,
    read function): the `source_policy_documents` first, in order, then this document's `statements`, then the
    `override_policy_documents` in order, each merged by Sid (a later statement with the same Sid replaces the
    earlier one; statements without a Sid are appended).
    """
    statements: list[dict[str, Any]] = []
    _merge(statements, _documents(args.get("sourcePolicyDocuments")))
    _merge(statements, [_statement_json(st) for st in args.get("statements") or []])
    _merge(statements, _documents(args.get("overridePolicyDocuments")))
    return json.dumps({"Version": args.get("version") or "2012-10-17", "Statement": statements})
