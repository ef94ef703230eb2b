"""Deterministic outputs for mocked resources and invokes: ids and ARNs that look real.

The same inputs always give the same outputs, so two runs of the engine give identical graphs.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from preflight.sdk import invoke_result_names, output_names

#: The documented example account id (AWS docs use 123456789012 throughout); never a real one.
MOCK_ACCOUNT_ID = "123456789012"

# Services whose ARNs carry no region and/or no account (IAM, S3, CloudFront are global).
_GLOBAL_SERVICES = {"iam", "s3", "cloudfront", "route53"}
_NO_ACCOUNT_SERVICES = {"s3"}

# ARN resource-part shapes for types whose ARN is not `<kind>/<name>`, keyed by type token.
_ARN_RESOURCE: Mapping[str, str] = {
    "aws:lambda/function:Function": "function:{name}",
    "aws:sns/topic:Topic": "{name}",
    "aws:sqs/queue:Queue": "{name}",
    "aws:cloudwatch/logGroup:LogGroup": "log-group:{name}",
    "aws:sfn/stateMachine:StateMachine": "stateMachine:{name}",
    "aws:kms/key:Key": "key/{id}",
    "aws:dynamodb/table:Table": "table/{name}",
    "aws:cloudtrail/trail:Trail": "trail/{name}",
    "aws:cloudwatch/eventBus:EventBus": "event-bus/{name}",
    "aws:cloudwatch/eventRule:EventRule": "rule/{name}",
    "aws:iam/role:Role": "role/{name}",
    "aws:iam/policy:Policy": "policy/{name}",
    "aws:bedrock/agentAgent:AgentAgent": "agent/{id}",
    "aws:bedrock/guardrail:Guardrail": "guardrail/{id}",
}

# The physical-name input of types that do not use `name`.
_NAME_INPUT: Mapping[str, str] = {
    "aws:s3/bucket:Bucket": "bucket",
    "aws:s3/bucketV2:BucketV2": "bucket",
    "aws:sfn/stateMachine:StateMachine": "name",
    "aws:bedrock/agentAgent:AgentAgent": "agentName",
    "aws:bedrock/agentKnowledgeBase:AgentKnowledgeBase": "name",
}


# Outputs named like ids that hold *other* resources' ids; they stay as the program set them.
_ID_INPUT_LIKE = frozenset({"kmsKeyId", "keyId", "vpcId", "subnetId", "accountId", "ownerId", "hostedZoneId"})


def short_hash(*parts: str, length: int = 7) -> str:
    digest = hashlib.sha256("\x00".join(parts).encode()).hexdigest()
    return digest[:length]


def _module(type_token: str) -> str:
    parts = type_token.split(":")
    return parts[1].split("/", 1)[0] if len(parts) == 3 else ""


def _service(type_token: str) -> str:
    module = _module(type_token)
    return {"cloudwatch": "logs", "sfn": "states", "apigatewayv2": "apigateway"}.get(module, module)


def physical_name(type_token: str, name: str, inputs: Mapping[str, Any]) -> str:
    """The name Pulumi would give: the explicit one, else the logical name plus a random-looking suffix."""
    key = _NAME_INPUT.get(type_token, "name")
    explicit = inputs.get(key)
    if isinstance(explicit, str) and explicit:
        return explicit
    prefix = inputs.get(key + "Prefix")
    if isinstance(prefix, str) and prefix:
        return prefix + short_hash(type_token, name)
    return f"{name}-{short_hash(type_token, name)}"


def arn_for(type_token: str, name: str, resource_id: str, region: str) -> str:
    service = _service(type_token)
    kind = type_token.rsplit(":", 1)[-1].lower()
    shape = _ARN_RESOURCE.get(type_token, kind + "/{name}")
    resource = shape.format(name=name, id=resource_id)
    if service in _NO_ACCOUNT_SERVICES:
        return f"arn:aws:{service}:::{name}"
    arn_region = "" if service in _GLOBAL_SERVICES else region
    return f"arn:aws:{service}:{arn_region}:{MOCK_ACCOUNT_ID}:{resource}"


def _type_specific(type_token: str, physical: str, resource_id: str, arn: str, region: str) -> dict[str, str]:
    """Outputs whose shape is particular to one type (URLs, invoke ARNs, ids with prefixes)."""
    api = f"{resource_id}.execute-api.{region}.amazonaws.com"
    by_type: dict[str, dict[str, str]] = {
        "aws:kms/key:Key": {"keyId": resource_id},
        "aws:lambda/function:Function": {
            "invokeArn": f"arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{arn}/invocations",
            "qualifiedArn": arn + ":$LATEST",
        },
        "aws:sqs/queue:Queue": {"url": f"https://sqs.{region}.amazonaws.com/{MOCK_ACCOUNT_ID}/{physical}"},
        "aws:iam/role:Role": {"uniqueId": "AROA" + short_hash(physical, length=17).upper()},
        "aws:apigatewayv2/api:Api": {
            "apiEndpoint": f"https://{api}",
            "executionArn": f"arn:aws:execute-api:{region}:{MOCK_ACCOUNT_ID}:{resource_id}",
        },
    }
    if type_token.startswith("aws:bedrock/"):
        return {"version": "1"}
    return by_type.get(type_token, {})


def resource_outputs(type_token: str, name: str, inputs: Mapping[str, Any], region: str) -> tuple[str, dict[str, Any]]:
    """Id and output state of a mocked resource: its inputs plus id, name and ARN fields."""
    state: dict[str, Any] = dict(inputs)
    if not type_token.startswith("aws:"):
        resource_id = f"{name}-{short_hash(type_token, name, json.dumps(inputs, sort_keys=True, default=str))}"
        return resource_id, state
    physical = physical_name(type_token, name, inputs)
    resource_id = physical
    if type_token == "aws:kms/key:Key" or type_token.startswith("aws:bedrock/"):
        resource_id = short_hash(type_token, name, length=10).upper()
    state.setdefault(_NAME_INPUT.get(type_token, "name"), physical)
    arn = arn_for(type_token, physical, resource_id, region)
    state.setdefault("arn", arn)
    for key, value in _type_specific(type_token, physical, resource_id, arn, region).items():
        state.setdefault(key, value)
    if type_token == "aws:lambda/function:Function" and inputs.get("publish") is True:
        # A published function's first version is 1 and its qualified ARN names it (never `$LATEST`).
        state["version"] = "1"
        state["qualifiedArn"] = f"{arn}:1"
    # Every other `...Arn` / `...Id` output the SDK declares gets a value too, as after a real
    # deployment; an unfabricated output stays unknown, as in a real preview.
    for key in output_names(type_token):
        if key in state:
            continue
        if key.endswith("Arn"):
            state[key] = arn
        elif key.endswith("Id") and key not in _ID_INPUT_LIKE:
            state[key] = resource_id
    return resource_id, state


def invoke_result(token: str, args: Mapping[str, Any], region: str) -> dict[str, Any]:
    """Results of the data-source functions templates call most; others return an empty object."""
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
    if token == "aws:index/getAvailabilityZones:getAvailabilityZones":
        names = [f"{region}{z}" for z in "abc"]
        return {"names": names, "zoneIds": names, "id": region}
    if token == "aws:iam/getPolicyDocument:getPolicyDocument":
        return {"json": policy_document_json(args), "id": short_hash(json.dumps(args, sort_keys=True, default=str))}
    return _data_source_result(token, args, region)


def _data_source_result(token: str, args: Mapping[str, Any], region: str) -> dict[str, Any]:
    """Any other data source: the real engine reads the cloud even during preview, so the program gets
    values, not unknowns. Here: its arguments echoed back, and every ARN and id field the SDK's result
    class declares filled deterministically (other fields stay unset)."""
    names = invoke_result_names(token)
    result: dict[str, Any] = {k: v for k, v in args.items() if k in names}
    parts = token.split(":")
    kind = parts[2].removeprefix("get") if len(parts) == 3 else "Resource"
    module = parts[1].split("/", 1)[0] if len(parts) == 3 else "index"
    ident = short_hash(token, json.dumps(args, sort_keys=True, default=str), length=10)
    arn = arn_for(f"aws:{module}/{kind[:1].lower()}{kind[1:]}:{kind}", ident, ident, region)
    for name in names:
        if name in result:
            continue
        if name == "arn" or name.endswith("Arn"):
            result[name] = arn
        elif (name == "id" or name.endswith("Id")) and name not in _ID_INPUT_LIKE:
            result[name] = ident
    return result


def policy_document_json(args: Mapping[str, Any]) -> str:
    """Render `aws.iam.get_policy_document` arguments the way the provider does (IAM JSON)."""
    statements = []
    for st in args.get("statements") or []:
        out: dict[str, Any] = {}
        if st.get("sid"):
            out["Sid"] = st["sid"]
        out["Effect"] = st.get("effect", "Allow")
        for src, dst in (
            ("actions", "Action"),
            ("notActions", "NotAction"),
            ("resources", "Resource"),
            ("notResources", "NotResource"),
        ):
            values = st.get(src)
            if values:
                out[dst] = values[0] if len(values) == 1 else sorted(values)
        for src, dst in (("principals", "Principal"), ("notPrincipals", "NotPrincipal")):
            principals = st.get(src)
            if principals:
                block: dict[str, Any] = {}
                for p in principals:
                    ids = p.get("identifiers") or []
                    block[p["type"]] = ids[0] if len(ids) == 1 else ids
                out[dst] = "*" if block == {"*": "*"} else block
        conditions = st.get("conditions")
        if conditions:
            cond: dict[str, dict[str, Any]] = {}
            for c in conditions:
                values = c.get("values") or []
                cond.setdefault(c["test"], {})[c["variable"]] = values[0] if len(values) == 1 else values
            out["Condition"] = cond
        statements.append(out)
    return json.dumps({"Version": args.get("version") or "2012-10-17", "Statement": statements})
