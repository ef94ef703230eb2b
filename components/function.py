"""Function: one Lambda function with its own least-privilege role, DLQ, encrypted logs and tracing.

Secure and cheap by default:

* arm64 (Graviton, cheaper per GB-second) on the newest Python runtime the Powertools layer is
  published for, python3.13 (`aws.lambda_.Runtime.PYTHON3D13`, pulumi-aws 7.51 enum);
* its own role, trusted by `lambda.amazonaws.com` only on behalf of this account (aws:SourceAccount),
  holding nothing but the grants the caller makes explicitly, each one inline policy with exactly one
  scoped statement (P135, P137, P140, P186);
* a KMS-encrypted dead-letter queue used both as `dead_letter_config` and as the on-failure
  destination of asynchronous invocations, with bounded retries and event age (P179);
* active X-Ray tracing (P131) and JSON logs (P133) to an encrypted log group with the stack's retention
  (P129, P141, P146); environment variables encrypted with the stack key (P141);
* no reserved or provisioned concurrency unless configured (P014, P168: pay per request, no idle cost).

Powertools comes from the public layer AWS publishes from account 017000801446
(`arn:aws:lambda:<region>:017000801446:layer:AWSLambdaPowertoolsPythonV3-<python>-<arch>:<version>`).
Which version is resolved at deploy time from AWS's public SSM parameter for the runtime and
architecture, `/aws/service/powertools/python/<arch>/<python>/latest`, whose value is that layer
version's ARN (Powertools' install docs, "Lambda Layer" / SSM Parameter Store:
https://docs.aws.amazon.com/powertools/python/latest/getting-started/install/; format confirmed in
aws-powertools/powertools-lambda-python#7689). Where the parameter does not exist (a partition or
region the parameter has not reached), `powertoolsLayerVersion` in the stack settings pins a version.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import pulumi
import pulumi_aws as aws

from components import bundle, iam
from components.kms import StackKey
from components.logs import EncryptedLogGroup
from components.queues import DeadLetterQueue
from components.settings import PlatformSettings

RUNTIME = aws.lambda_.Runtime.PYTHON3D13
ARCHITECTURE = "arm64"
POWERTOOLS_ACCOUNT = "017000801446"

#: X-Ray's write actions do not support resource-level permissions, so the AWS managed policy is
#: attached instead of an inline `Resource: "*"`
#: (docs.aws.amazon.com/xray/latest/devguide/security_iam_id-based-policy-examples.html).
XRAY_WRITE_POLICY = "arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess"

DYNAMODB_READ_ACTIONS = ("dynamodb:BatchGetItem", "dynamodb:GetItem", "dynamodb:Query")
DYNAMODB_WRITE_ACTIONS = ("dynamodb:BatchWriteItem", "dynamodb:DeleteItem", "dynamodb:PutItem", "dynamodb:UpdateItem")


def powertools_layer_parameter(runtime: str = RUNTIME.value, architecture: str = ARCHITECTURE) -> str:
    """AWS's public SSM parameter naming the newest Powertools v3 layer for `runtime`/`architecture`."""
    return f"/aws/service/powertools/python/{architecture}/{runtime}/latest"


def pinned_powertools_layer_arn(
    region: str, version: int, runtime: str = RUNTIME.value, architecture: str = ARCHITECTURE
) -> str:
    """The layer version's ARN, for where the public parameter does not exist (`powertoolsLayerVersion`)."""
    python = runtime.replace(".", "")  # python3.13 -> python313
    layer = f"AWSLambdaPowertoolsPythonV3-{python}-{architecture}"
    return f"arn:aws:lambda:{region}:{POWERTOOLS_ACCOUNT}:layer:{layer}:{version}"


def powertools_layer_arn(settings: PlatformSettings) -> pulumi.Input[str]:
    """The Powertools layer of the stack's functions: the public parameter's value, or the pinned fallback."""
    if settings.powertools_layer_version is not None:
        return pinned_powertools_layer_arn(settings.region, settings.powertools_layer_version)
    return aws.ssm.get_parameter_output(name=powertools_layer_parameter()).value


class _HasArn(Protocol):
    @property
    def arn(self) -> pulumi.Output[str]: ...


#: Third-party packages every handler gets beyond the Lambda Python runtime (boto3) and the Powertools layer
#: (aws-xray-sdk, pydantic, ... per its install docs): none. The prompt templates ship compiled to JSON, so
#: PyYAML stays out of the packages (`components.bundle`); a function that needs a pure-Python package
#: names it in `FunctionArgs.packages` (the WebSocket authorizer's PyJWT).
BUNDLED_PACKAGES: tuple[str, ...] = ()


@dataclass(frozen=True)
class FunctionArgs:
    """What differs between functions; everything else is the secure default.

    `handler` is a dotted path inside the code archive (`functions.ingest.handler.handler`); the archive
    holds that module and what it imports from `functions/`, read from `code_root` (the program directory
    by default), and the compiled prompt templates where the prompt loader is imported (`components.bundle`).
    """

    handler: str
    description: str = ""
    memory_mb: int = 256
    timeout_seconds: int = 30
    environment: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    reserved_concurrency: int | None = None
    code_root: str = "."
    #: Asynchronous invocations: retries after the first failure (Lambda allows 0-2) and maximum age.
    async_retries: int = 2
    async_max_event_age_seconds: int = 3600
    log_level: str = "INFO"
    #: Pure-Python packages copied into the archive, their `.py` files only (see BUNDLED_PACKAGES).
    packages: tuple[str, ...] = BUNDLED_PACKAGES

    def __post_init__(self) -> None:
        if not 128 <= self.memory_mb <= 10240:
            raise ValueError("memory_mb must be between 128 and 10240")
        if not 1 <= self.timeout_seconds <= 900:
            raise ValueError("timeout_seconds must be between 1 and 900")
        if not 0 <= self.async_retries <= 2:
            raise ValueError("async_retries must be 0, 1 or 2")
        if not 60 <= self.async_max_event_age_seconds <= 21600:
            raise ValueError("async_max_event_age_seconds must be between 60 and 21600")
        if self.reserved_concurrency is not None and self.reserved_concurrency < 0:
            raise ValueError("reserved_concurrency must not be negative")
        if self.handler.count(".") < 1:
            raise ValueError("handler must be a dotted path such as functions.ingest.handler.handler")


def code_archive(root: str, handler: str, packages: Sequence[str] = BUNDLED_PACKAGES) -> pulumi.AssetArchive:
    """The deployment package of `handler`: only the files it runs (`components.bundle`), at their paths.

    Source files are referenced where they are (`FileAsset`), generated ones (the prompt templates compiled
    to JSON) are carried as text.
    """
    base = Path(root)
    assets: dict[str, pulumi.Asset | pulumi.Archive] = {}
    for name, content in bundle.package_files(base, handler, packages).items():
        source = base / name
        assets[name] = pulumi.FileAsset(str(source)) if source.is_file() else pulumi.StringAsset(content.decode())
    return pulumi.AssetArchive(assets)


class Function(pulumi.ComponentResource):
    """A Lambda function built only from explicit grants.

    Examples
    --------
    >>> fn = Function("router", settings, FunctionArgs(handler="functions.router.handler.handler"), key=key)
    >>> fn.grant_invoke_model(["arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-micro-v1:0"])
    >>> fn.grant_put_events(bus)
    """

    role: aws.iam.Role
    function: aws.lambda_.Function
    dlq: DeadLetterQueue
    logs: EncryptedLogGroup
    arn: pulumi.Output[str]
    name: pulumi.Output[str]
    invoke_arn: pulumi.Output[str]
    #: The function's timeout (seconds): a workflow's Lambda task times out with it (components/workflow.py).
    timeout_seconds: int
    #: Every grant made, by grant name (`invoke-model`, `put-events-bus`...): one statement each.
    grants: dict[str, aws.iam.RolePolicy]

    def __init__(
        self,
        name: str,
        settings: PlatformSettings,
        args: FunctionArgs,
        *,
        key: StackKey,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("agentic:function:Function", name, None, opts)
        self._name = name
        self._key = key
        self.timeout_seconds = args.timeout_seconds
        self.grants = {}
        child = pulumi.ResourceOptions(parent=self)
        function_name = settings.name(name)
        account_id = aws.get_caller_identity_output().account_id

        self.role = aws.iam.Role(
            f"{name}-role",
            name=f"{function_name}-fn"[:64],
            description=f"Execution role of {function_name}: explicit grants only (P135)",
            assume_role_policy=iam.service_trust("lambda.amazonaws.com", account_id),
            opts=child,
        )
        self.logs = EncryptedLogGroup(
            f"{name}-logs", settings, key=key, log_group_name=f"/aws/lambda/{function_name}", opts=child
        )
        self.dlq = DeadLetterQueue(f"{name}-dlq", settings, key=key, opts=child)

        # The baseline every function needs, each as its own single-statement policy.
        self._grant(
            "write-logs",
            ["logs:CreateLogStream", "logs:PutLogEvents"],
            [self.logs.arn.apply(lambda arn: f"{arn.removesuffix(':*')}:log-stream:*")],
        )
        self.grants["dead-letter"] = self.dlq.grant_send(self.role, name=f"{name}-role")
        self.grants["stack-key"] = key.grant_encrypt_decrypt(self.role, name=f"{name}-role")
        self.xray = aws.iam.RolePolicyAttachment(
            f"{name}-xray", role=self.role.name, policy_arn=XRAY_WRITE_POLICY, opts=child
        )

        variables: dict[str, pulumi.Input[str]] = {
            "POWERTOOLS_SERVICE_NAME": name,
            "POWERTOOLS_METRICS_NAMESPACE": settings.metrics_namespace,
            "POWERTOOLS_LOG_LEVEL": args.log_level,
            **dict(args.environment),
        }
        self.function = aws.lambda_.Function(
            name,
            name=function_name,
            description=args.description or f"{name} ({settings.environment})",
            role=self.role.arn,
            runtime=RUNTIME,
            architectures=[ARCHITECTURE],
            handler=args.handler,
            code=code_archive(args.code_root, args.handler, args.packages),
            memory_size=args.memory_mb,
            timeout=args.timeout_seconds,
            layers=[powertools_layer_arn(settings)],
            environment=aws.lambda_.FunctionEnvironmentArgs(variables=variables),
            kms_key_arn=key.arn,  # P141: environment encrypted with the stack key
            tracing_config=aws.lambda_.FunctionTracingConfigArgs(mode="Active"),  # P131
            logging_config=aws.lambda_.FunctionLoggingConfigArgs(  # P129, P133
                log_format="JSON",
                log_group=self.logs.name,
                application_log_level=args.log_level,
                system_log_level="WARN",
            ),
            dead_letter_config=aws.lambda_.FunctionDeadLetterConfigArgs(target_arn=self.dlq.arn),  # P179
            # P014, P168: no reserved concurrency unless configured (omitted = unreserved).
            reserved_concurrent_executions=args.reserved_concurrency,
            opts=pulumi.ResourceOptions(
                parent=self, depends_on=[self.logs, self.grants["write-logs"], self.grants["dead-letter"]]
            ),
        )
        self.async_config = aws.lambda_.FunctionEventInvokeConfig(
            f"{name}-async",
            function_name=self.function.name,
            maximum_retry_attempts=args.async_retries,
            maximum_event_age_in_seconds=args.async_max_event_age_seconds,
            destination_config=aws.lambda_.FunctionEventInvokeConfigDestinationConfigArgs(
                on_failure=aws.lambda_.FunctionEventInvokeConfigDestinationConfigOnFailureArgs(destination=self.dlq.arn)
            ),
            opts=child,
        )
        self.arn = self.function.arn
        self.name = self.function.name
        self.invoke_arn = self.function.invoke_arn
        self.register_outputs({"arn": self.arn, "name": self.name, "role_arn": self.role.arn})

    # --- grants: each produces exactly one statement with exact actions and resources ------------

    def _grant(
        self,
        grant: str,
        actions: Sequence[str],
        resources: Sequence[pulumi.Input[str]],
        conditions: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> aws.iam.RolePolicy:
        if grant in self.grants:
            raise ValueError(f"{self._name}: grant {grant!r} was already made")
        policy = iam.role_policy(
            self.role, f"{self._name}-{grant}", [iam.statement(actions, resources, conditions)], parent=self
        )
        self.grants[grant] = policy
        return policy

    def grant_invoke_model(
        self, model_arns: Sequence[pulumi.Input[str]], *, grant: str = "invoke-model"
    ) -> aws.iam.RolePolicy:
        """Call these Bedrock models (Converse and InvokeModel both need `bedrock:InvokeModel`)."""
        return self._grant(grant, ["bedrock:InvokeModel"], list(model_arns))

    def grant_apply_guardrail(self, guardrail: _HasArn) -> aws.iam.RolePolicy:
        """Screen text with this guardrail (ApplyGuardrail, and guardrails attached to Converse calls)."""
        return self._grant("apply-guardrail", ["bedrock:ApplyGuardrail"], [guardrail.arn])

    def grant_put_events(self, bus: _HasArn, *, grant: str = "put-events") -> aws.iam.RolePolicy:
        return self._grant(grant, ["events:PutEvents"], [bus.arn])

    def grant_publish(self, topic: _HasArn, *, grant: str = "publish") -> aws.iam.RolePolicy:
        return self._grant(grant, ["sns:Publish"], [topic.arn])

    def grant_send(self, queue: _HasArn, *, grant: str = "send") -> aws.iam.RolePolicy:
        return self._grant(grant, ["sqs:SendMessage"], [queue.arn])

    def grant_read(self, target: Any, *, grant: str | None = None) -> aws.iam.RolePolicy:
        """Read a DynamoDB table, or anything with its own `grant_read(role)` (a HardenedBucket)."""
        if isinstance(target, aws.dynamodb.Table):
            return self._grant(grant or f"read-{target._name}", DYNAMODB_READ_ACTIONS, [target.arn])
        policy: aws.iam.RolePolicy = target.grant_read(self.role, name=f"{self._name}-role")
        self.grants[grant or f"read-{_key_of(target)}"] = policy
        return policy

    def grant_write(self, target: Any, *, grant: str | None = None) -> aws.iam.RolePolicy:
        """Write a DynamoDB table, or anything with its own `grant_write(role)` (a HardenedBucket)."""
        if isinstance(target, aws.dynamodb.Table):
            return self._grant(grant or f"write-{target._name}", DYNAMODB_WRITE_ACTIONS, [target.arn])
        policy: aws.iam.RolePolicy = target.grant_write(self.role, name=f"{self._name}-role")
        self.grants[grant or f"write-{_key_of(target)}"] = policy
        return policy

    def grant_read_write(self, table: aws.dynamodb.Table, *, grant: str | None = None) -> aws.iam.RolePolicy:
        """Read and write a DynamoDB table (idempotency and cache tables)."""
        actions = DYNAMODB_READ_ACTIONS + DYNAMODB_WRITE_ACTIONS
        return self._grant(grant or f"read-write-{table._name}", actions, [table.arn])

    def grant_manage_connections(
        self, api_execution_arn: pulumi.Input[str], stage: str, *, grant: str = "manage-connections"
    ) -> aws.iam.RolePolicy:
        """Post to WebSocket connections of one API stage (`@connections` management API)."""
        resource = pulumi.Output.concat(api_execution_arn, "/", stage, "/POST/@connections/*")
        return self._grant(grant, ["execute-api:ManageConnections"], [resource])


def _key_of(target: Any) -> str:
    return str(getattr(target, "_name", None) or type(target).__name__.lower())
