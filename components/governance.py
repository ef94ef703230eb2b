"""GovernanceBaseline: audit trail, configuration compliance, budget alerts and model-invocation logs.

* CloudTrail (P149, P147, P188): multi-region, log-file validation, encrypted with the stack key,
  delivered to CloudWatch Logs and to a hardened S3 bucket whose lifecycle moves old logs to cheaper
  storage. Management events only: data events are charged per event (P175).
* AWS Config (P148, P150, P151): a recorder for all supported resource types, a delivery channel to
  an SSE-KMS bucket, and a small set of AWS managed rules watching the principles after deploy.
  Config charges per configuration item and per rule evaluation, so dev records daily, not
  continuously, and periodic rules run once a day. Prod adds a small conformance pack.
* AWS Budgets (P169): a monthly COST budget with ACTUAL and FORECASTED alerts to an encrypted SNS
  topic with the stack's alert emails subscribed. The same topic is the operators' alarm topic: every
  CloudWatch alarm of the platform notifies it (`alert_topic_arn`, components/platform.py).
* Bedrock model-invocation logging (P121, P132, P139) to an encrypted log group and bucket.
* AWS IoT logging (P129): `SetV2LoggingOptions` at WARN through a role that writes only the `AWSIotLogsV2`
  log group, so every device fleet in the account and Region logs (AWS IoT Core Developer Guide, "Configure
  AWS IoT logging"; a free setting, billed as CloudWatch Logs ingestion).

Trail, recorder, invocation logging and IoT logging are per account and region: only the stack that `owns` them
creates them; the others expose `provided_elsewhere` saying so.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from components import iam
from components.buckets import HardenedBucket, LifecycleSpec
from components.kms import StackKey, trail_name
from components.logs import EncryptedLogGroup
from components.queues import encrypted_topic
from components.settings import PlatformSettings


@dataclass(frozen=True)
class ManagedRule:
    """An AWS Config managed rule. Identifiers are verified against the AWS Config developer guide
    (docs.aws.amazon.com/config/latest/developerguide/<name>.html)."""

    name: str
    identifier: str
    resource_types: tuple[str, ...] = ()
    periodic: bool = False
    principles: tuple[str, ...] = ()


#: The rules the owning stack creates. Kept small: each rule costs per evaluation.
MANAGED_RULES: tuple[ManagedRule, ...] = (
    # cloudtrail-enabled.html: identifier CLOUD_TRAIL_ENABLED, periodic.
    ManagedRule("cloudtrail-enabled", "CLOUD_TRAIL_ENABLED", periodic=True, principles=("P149",)),
    # s3-bucket-ssl-requests-only.html: S3_BUCKET_SSL_REQUESTS_ONLY, AWS::S3::Bucket, configuration changes.
    ManagedRule(
        "s3-bucket-ssl-requests-only", "S3_BUCKET_SSL_REQUESTS_ONLY", ("AWS::S3::Bucket",), principles=("P141",)
    ),
    # lambda-function-public-access-prohibited.html: AWS::Lambda::Function, configuration changes.
    ManagedRule(
        "lambda-function-public-access-prohibited",
        "LAMBDA_FUNCTION_PUBLIC_ACCESS_PROHIBITED",
        ("AWS::Lambda::Function",),
        principles=("P140", "P186"),
    ),
    # cmk-backing-key-rotation-enabled.html: AWS::KMS::Key, periodic.
    ManagedRule(
        "cmk-backing-key-rotation-enabled", "CMK_BACKING_KEY_ROTATION_ENABLED", periodic=True, principles=("P141",)
    ),
)

#: Extra rules in prod's conformance pack (both verified like the above).
CONFORMANCE_PACK_RULES: tuple[ManagedRule, ...] = (
    # dynamodb-pitr-enabled.html: DYNAMODB_PITR_ENABLED, AWS::DynamoDB::Table, configuration changes.
    ManagedRule("dynamodb-pitr-enabled", "DYNAMODB_PITR_ENABLED", ("AWS::DynamoDB::Table",), principles=("P146",)),
    # cloudwatch-log-group-encrypted.html: CLOUDWATCH_LOG_GROUP_ENCRYPTED, AWS::Logs::LogGroup, periodic.
    ManagedRule(
        "cloudwatch-log-group-encrypted", "CLOUDWATCH_LOG_GROUP_ENCRYPTED", periodic=True, principles=("P141",)
    ),
)

#: Periodic rules run once a day (MaximumExecutionFrequency enum, botocore config service model).
PERIODIC_FREQUENCY = "TwentyFour_Hours"

#: AWS managed policy for a customer-managed AWS Config role
#: (docs.aws.amazon.com/config/latest/developerguide/security-iam-awsmanpol.html, "AWS_ConfigRole").
CONFIG_ROLE_POLICY = "iam::aws:policy/service-role/AWS_ConfigRole"

#: Budget alert thresholds, percent of the monthly amount: (notification type, threshold).
BUDGET_ALERTS: tuple[tuple[str, float], ...] = (("ACTUAL", 80.0), ("FORECASTED", 100.0))

#: The services that publish to the alert topic: (service principal, ARN service, source resource, regional ARN).
#: Each is limited to this account by aws:SourceAccount and to its own sources by ArnLike aws:SourceArn
#: (components/queues.py service_publish_statement), in the forms AWS documents (P137: no confused deputy):
#: - Budgets notifies as budgets.amazonaws.com; "Creating an Amazon SNS topic for budget notifications"
#:   (docs.aws.amazon.com/cost-management/latest/userguide/budgets-sns-policy.html) gives the statement with
#:   StringEquals aws:SourceAccount and ArnLike aws:SourceArn "arn:aws:budgets::<account-id>:*" (no Region).
#: - CloudWatch alarms notify as cloudwatch.amazonaws.com (components/observability.py sends every alarm here, never
#:   to the review topic, which carries only reviewers' notices: issue 12); the AWS Knowledge Center page
#:   "Why didn't I receive an SNS notification for my CloudWatch alarm trigger?"
#:   (repost.aws/knowledge-center/cloudwatch-receive-sns-for-alarm-trigger) restricts it with ArnLike aws:SourceArn
#:   "arn:aws:cloudwatch:<region>:<account-id>:alarm:<alarm-name>"; here every alarm of this account and Region.
#: The stack key lets both encrypt (components/kms.py DEFAULT_SERVICES).
ALERT_PUBLISHERS: tuple[tuple[str, str, str, bool], ...] = (
    ("budgets.amazonaws.com", "budgets", "*", False),
    ("cloudwatch.amazonaws.com", "cloudwatch", "alarm:*", True),
)

#: Log stream Bedrock writes invocation logs to
#: (docs.aws.amazon.com/bedrock/latest/userguide/model-invocation-logging.html).
BEDROCK_LOG_STREAM = "aws/bedrock/modelinvocations"
INVOCATION_PREFIX = "invocations"


def conformance_pack_template(rules: Sequence[ManagedRule]) -> str:
    """A CloudFormation-style template body for a conformance pack of AWS managed rules."""
    resources: dict[str, Any] = {}
    for rule in rules:
        properties: dict[str, Any] = {
            "ConfigRuleName": rule.name,
            "Source": {"Owner": "AWS", "SourceIdentifier": rule.identifier},
        }
        if rule.resource_types:
            properties["Scope"] = {"ComplianceResourceTypes": list(rule.resource_types)}
        if rule.periodic:
            properties["MaximumExecutionFrequency"] = PERIODIC_FREQUENCY
        logical = "".join(part.capitalize() for part in rule.name.split("-"))
        resources[logical] = {"Type": "AWS::Config::ConfigRule", "Properties": properties}
    # JSON is valid YAML, and conformance pack template bodies are YAML.
    return json.dumps({"Resources": resources}, indent=2, sort_keys=True)


def log_lifecycle(settings: PlatformSettings) -> LifecycleSpec:
    """Access and invocation logs: a year in prod; 90 days in dev, where archiving them first would break
    S3's rule that expiration comes after every transition (and pay Glacier's 90-day minimum for nothing)."""
    if settings.is_production:
        return LifecycleSpec(expiration_days=365)
    return LifecycleSpec(expiration_days=90, archive_days=None)


class GovernanceBaseline(pulumi.ComponentResource):
    """Account-level guard rails for one stack, creating only the singletons the stack owns.

    Examples
    --------
    >>> governance = GovernanceBaseline("governance", settings, key=key)
    >>> governance.alert_topic_arn  # where budget alerts and CloudWatch alarms go
    """

    def __init__(
        self,
        name: str,
        settings: PlatformSettings,
        *,
        key: StackKey,
        access_log_bucket: HardenedBucket | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("agentic:governance:GovernanceBaseline", name, None, opts)
        self._name = name
        self._settings = settings
        self._key = key
        owns = settings.owns
        self._account_id = aws.get_caller_identity_output().account_id
        self._partition = aws.get_partition_output().partition

        self.creates_trail = owns.cloudtrail and not owns.organization_trail
        self.creates_config = owns.config_recorder
        self.creates_invocation_logging = owns.bedrock_invocation_logging
        self.creates_iot_logging = owns.iot_logging
        self.provided_elsewhere: dict[str, str] = {}
        if not self.creates_trail:
            self.provided_elsewhere["cloudtrail"] = (
                "organization trail" if owns.organization_trail else "another stack in this account and region"
            )
        if not self.creates_config:
            self.provided_elsewhere["config_recorder"] = "another stack in this account and region"
        if not self.creates_invocation_logging:
            self.provided_elsewhere["bedrock_invocation_logging"] = "another stack in this account and region"
        if not self.creates_iot_logging:
            self.provided_elsewhere["iot_logging"] = "another stack in this account and region"

        # Every stack keeps its own access-log bucket: its data buckets log there (P147 audit trails)
        # even when the singletons (and their buckets) belong to another stack.
        self.access_log_bucket = access_log_bucket
        if self.access_log_bucket is None:
            self.access_log_bucket = HardenedBucket(
                f"{name}-access-logs",
                settings,
                key=key,
                accepts_access_logs=True,
                lifecycle=log_lifecycle(settings),
                opts=pulumi.ResourceOptions(parent=self),
            )

        self.trail: aws.cloudtrail.Trail | None = None
        self.trail_bucket: HardenedBucket | None = None
        self.trail_log_group: EncryptedLogGroup | None = None
        if self.creates_trail:
            self._build_trail()

        self.recorder: aws.cfg.Recorder | None = None
        self.config_bucket: HardenedBucket | None = None
        self.config_rules: list[aws.cfg.Rule] = []
        if self.creates_config:
            self._build_config()

        self.conformance_pack: aws.cfg.ConformancePack | None = None
        if settings.is_production and settings.features.conformance_pack:
            self._build_conformance_pack()

        self._build_budget()

        self.invocation_logging: aws.bedrockmodel.InvocationLoggingConfiguration | None = None
        self.invocation_log_group: EncryptedLogGroup | None = None
        self.invocation_bucket: HardenedBucket | None = None
        if self.creates_invocation_logging:
            self._build_invocation_logging()

        self.iot_logging: aws.iot.LoggingOptions | None = None
        if self.creates_iot_logging:
            self._build_iot_logging()

        self.outputs: dict[str, Any] = {
            "alert_topic_arn": self.alert_topic.arn,
            "budget_name": self.budget.name,
            "trail_arn": self.trail.arn if self.trail is not None else None,
            "config_recorder": self.recorder.name if self.recorder is not None else None,
            "invocation_log_group": self.invocation_log_group.name if self.invocation_log_group else None,
            "iot_logging_role": self.iot_logging.role_arn if self.iot_logging is not None else None,
            "provided_elsewhere": self.provided_elsewhere,
        }
        self.register_outputs(self.outputs)

    # ------------------------------------------------------------------ helpers
    def _child(self, **kwargs: Any) -> pulumi.ResourceOptions:
        return pulumi.ResourceOptions(parent=self, **kwargs)

    def _arn(self, service: str, resource: str, *, region: bool = True) -> pulumi.Output[str]:
        region_part = self._settings.region if region else ""
        return pulumi.Output.concat(
            "arn:", self._partition, f":{service}:{region_part}:", self._account_id, f":{resource}"
        )

    def _service_role(
        self,
        base: str,
        service: str,
        statements: list[dict[str, Any]],
        source_arn: pulumi.Input[str] | None = None,
        *,
        documented_trust: bool = False,
    ) -> aws.iam.Role:
        trust = (
            iam.documented_service_trust(service)
            if documented_trust
            else iam.service_trust(service, self._account_id, source_arn, source_arn_like=True)
        )
        role = aws.iam.Role(
            f"{self._name}-{base}-role",
            name=self._settings.name(base),
            assume_role_policy=trust,
            opts=self._child(),
        )
        iam.role_policy(role, f"{self._name}-{base}-policy", statements, parent=self)
        return role

    # ------------------------------------------------------------------ CloudTrail
    def _build_trail(self) -> None:
        settings, key = self._settings, self._key
        name = trail_name(settings)
        trail_arn = self._arn("cloudtrail", f"trail/{name}")
        account_id = self._account_id

        def trail_bucket_statements(arn: pulumi.Output[str]) -> list[dict[str, Any]]:
            # docs.aws.amazon.com/awscloudtrail/latest/userguide/create-s3-bucket-policy-for-cloudtrail.html
            return [
                {
                    "Sid": "AWSCloudTrailAclCheck",
                    "Effect": "Allow",
                    "Principal": {"Service": "cloudtrail.amazonaws.com"},
                    "Action": "s3:GetBucketAcl",
                    "Resource": arn,
                    "Condition": {"StringEquals": {"aws:SourceArn": trail_arn}},
                },
                {
                    "Sid": "AWSCloudTrailWrite",
                    "Effect": "Allow",
                    "Principal": {"Service": "cloudtrail.amazonaws.com"},
                    "Action": "s3:PutObject",
                    "Resource": pulumi.Output.concat(arn, "/AWSLogs/", account_id, "/*"),
                    "Condition": {
                        "StringEquals": {"aws:SourceArn": trail_arn, "s3:x-amz-acl": "bucket-owner-full-control"}
                    },
                },
            ]

        self.trail_bucket = HardenedBucket(
            f"{self._name}-trail",
            settings,
            key=key,
            access_log_bucket=self.access_log_bucket,
            # Audit logs: cheaper storage after 30/90 days, kept 1 year in dev, 7 years in prod (P147).
            lifecycle=LifecycleSpec(expiration_days=2555 if settings.is_production else 365),
            extra_policy_statements_for=trail_bucket_statements,
            opts=self._child(),
        )
        self.trail_log_group = EncryptedLogGroup(
            f"{self._name}-trail", settings, key=key, log_group_name=f"/aws/cloudtrail/{name}", opts=self._child()
        )
        log_group_arn = self.trail_log_group.arn
        role = self._service_role(
            "trail-logs",
            "cloudtrail.amazonaws.com",
            [
                iam.statement(
                    ["logs:CreateLogStream", "logs:PutLogEvents"],
                    [pulumi.Output.concat(log_group_arn, ":log-stream:*")],
                )
            ],
            # CreateTrail validates this role by assuming it before the trail exists; AWS documents its
            # trust without aws:SourceArn/aws:SourceAccount, so it is given in that form (iam.documented_service_trust).
            documented_trust=True,
        )
        self.trail = aws.cloudtrail.Trail(
            f"{self._name}-trail",
            name=name,
            s3_bucket_name=self.trail_bucket.name,
            is_multi_region_trail=True,  # P149: every region's API calls
            include_global_service_events=True,
            enable_log_file_validation=True,  # digest files prove logs were not altered (P147)
            enable_logging=True,
            kms_key_id=key.arn,  # P141
            cloud_watch_logs_group_arn=pulumi.Output.concat(log_group_arn, ":*"),
            cloud_watch_logs_role_arn=role.arn,
            opts=self._child(depends_on=[self.trail_bucket.policy]),
        )

    # ------------------------------------------------------------------ AWS Config
    def _build_config(self) -> None:
        settings, key = self._settings, self._key
        self.config_bucket = HardenedBucket(
            f"{self._name}-config",
            settings,
            key=key,
            access_log_bucket=self.access_log_bucket,
            lifecycle=LifecycleSpec(expiration_days=2555 if settings.is_production else 365),
            opts=self._child(),
        )
        role = self._service_role(
            "config",
            "config.amazonaws.com",
            [
                iam.statement(["s3:GetBucketAcl"], [self.config_bucket.arn]),
                iam.statement(
                    ["s3:PutObject"],
                    [pulumi.Output.concat(self.config_bucket.arn, "/AWSLogs/", self._account_id, "/Config/*")],
                ),
                iam.statement(["kms:Decrypt", "kms:GenerateDataKey"], [key.arn]),
            ],
        )
        attachment = aws.iam.RolePolicyAttachment(
            f"{self._name}-config-managed",
            role=role.name,
            policy_arn=pulumi.Output.concat("arn:", self._partition, ":", CONFIG_ROLE_POLICY),
            opts=self._child(),
        )
        self.recorder = aws.cfg.Recorder(
            f"{self._name}-recorder",
            name=settings.name("recorder"),
            role_arn=role.arn,
            recording_group=aws.cfg.RecorderRecordingGroupArgs(all_supported=True, include_global_resource_types=True),
            # Daily recording costs a fraction of continuous for churny resources (P175); prod records changes.
            recording_mode=aws.cfg.RecorderRecordingModeArgs(
                recording_frequency="CONTINUOUS" if settings.is_production else "DAILY"
            ),
            opts=self._child(depends_on=[attachment]),
        )
        channel = aws.cfg.DeliveryChannel(
            f"{self._name}-delivery",
            name=settings.name("delivery"),
            s3_bucket_name=self.config_bucket.name,
            s3_kms_key_arn=key.arn,
            snapshot_delivery_properties=aws.cfg.DeliveryChannelSnapshotDeliveryPropertiesArgs(
                delivery_frequency=PERIODIC_FREQUENCY
            ),
            opts=self._child(depends_on=[self.recorder, self.config_bucket.policy]),
        )
        status = aws.cfg.RecorderStatus(
            f"{self._name}-recorder-status",
            name=self.recorder.name,
            is_enabled=True,
            opts=self._child(depends_on=[channel]),
        )
        for rule in MANAGED_RULES:
            self.config_rules.append(
                aws.cfg.Rule(
                    f"{self._name}-{rule.name}",
                    name=settings.name(rule.name),
                    description=f"AWS managed rule {rule.identifier} (principles {', '.join(rule.principles)})",
                    source=aws.cfg.RuleSourceArgs(owner="AWS", source_identifier=rule.identifier),
                    scope=(
                        aws.cfg.RuleScopeArgs(compliance_resource_types=list(rule.resource_types))
                        if rule.resource_types
                        else None
                    ),
                    maximum_execution_frequency=PERIODIC_FREQUENCY if rule.periodic else None,
                    opts=self._child(depends_on=[status]),
                )
            )

    def _build_conformance_pack(self) -> None:
        self.conformance_pack = aws.cfg.ConformancePack(
            f"{self._name}-conformance-pack",
            name=self._settings.name("baseline"),
            template_body=conformance_pack_template(CONFORMANCE_PACK_RULES),
            opts=self._child(),
        )

    # ------------------------------------------------------------------ Budget
    def _build_budget(self) -> None:
        settings = self._settings
        # The stack's one operators' topic (its name predates the alarms; renaming would replace the topic and
        # its confirmed e-mail subscriptions). Every stack builds it, whatever it `owns` or the policy pack's
        # `providedBy` says: the budget is per stack (P169), and `alertEmails` needs at least one address.
        self.alert_topic, self.alert_topic_policy = encrypted_topic(
            "budget-alerts",
            settings,
            key=self._key,
            parent=self,
            publishers=[
                (principal, self._arn(service, resource, region=regional))
                for principal, service, resource, regional in ALERT_PUBLISHERS
            ],
        )
        self.alert_subscriptions = [
            aws.sns.TopicSubscription(
                f"{self._name}-alert-email-{index}",
                topic=self.alert_topic.arn,
                protocol="email",
                endpoint=address,
                opts=self._child(),
            )
            for index, address in enumerate(settings.budget.alert_emails)
        ]
        self.budget = aws.budgets.Budget(
            f"{self._name}-budget",
            name=settings.name("monthly"),
            budget_type="COST",
            limit_amount=f"{settings.budget.monthly_usd:.2f}",
            limit_unit="USD",
            time_unit="MONTHLY",
            notifications=[
                aws.budgets.BudgetNotificationArgs(
                    notification_type=kind,
                    comparison_operator="GREATER_THAN",
                    threshold=threshold,
                    threshold_type="PERCENTAGE",
                    subscriber_sns_topic_arns=[self.alert_topic.arn],
                )
                for kind, threshold in BUDGET_ALERTS
            ],
            opts=self._child(depends_on=[self.alert_topic_policy]),
        )

    # ------------------------------------------------------------------ Bedrock invocation logging
    def _build_invocation_logging(self) -> None:
        settings, key = self._settings, self._key
        account_id = self._account_id
        bedrock_sources = self._arn("bedrock", "*")

        def bedrock_bucket_statements(arn: pulumi.Output[str]) -> list[dict[str, Any]]:
            # model-invocation-logging.html: bucket policy for bedrock.amazonaws.com with SourceAccount/SourceArn.
            return [
                {
                    "Sid": "AmazonBedrockLogsWrite",
                    "Effect": "Allow",
                    "Principal": {"Service": "bedrock.amazonaws.com"},
                    "Action": "s3:PutObject",
                    "Resource": pulumi.Output.concat(arn, "/", INVOCATION_PREFIX, "/*"),
                    "Condition": {
                        "StringEquals": {"aws:SourceAccount": account_id},
                        "ArnLike": {"aws:SourceArn": bedrock_sources},
                    },
                }
            ]

        self.invocation_bucket = HardenedBucket(
            f"{self._name}-invocations",
            settings,
            key=key,
            access_log_bucket=self.access_log_bucket,
            lifecycle=log_lifecycle(settings),
            extra_policy_statements_for=bedrock_bucket_statements,
            opts=self._child(),
        )
        self.invocation_log_group = EncryptedLogGroup(
            f"{self._name}-invocations",
            settings,
            key=key,
            log_group_name=f"/aws/bedrock/{settings.name('invocations')}",
            opts=self._child(),
        )
        role = self._service_role(
            "bedrock-logs",
            "bedrock.amazonaws.com",
            [
                iam.statement(
                    ["logs:CreateLogStream", "logs:PutLogEvents"],
                    [pulumi.Output.concat(self.invocation_log_group.arn, ":log-stream:", BEDROCK_LOG_STREAM)],
                )
            ],
            source_arn=bedrock_sources,
        )
        self.invocation_logging = aws.bedrockmodel.InvocationLoggingConfiguration(
            f"{self._name}-invocation-logging",
            logging_config=aws.bedrockmodel.InvocationLoggingConfigurationLoggingConfigArgs(
                cloudwatch_config=aws.bedrockmodel.InvocationLoggingConfigurationLoggingConfigCloudwatchConfigArgs(
                    log_group_name=self.invocation_log_group.name,
                    role_arn=role.arn,
                ),
                s3_config=aws.bedrockmodel.InvocationLoggingConfigurationLoggingConfigS3ConfigArgs(
                    bucket_name=self.invocation_bucket.name,
                    key_prefix=INVOCATION_PREFIX,
                ),
                text_data_delivery_enabled=True,
                image_data_delivery_enabled=False,
                embedding_data_delivery_enabled=False,
                video_data_delivery_enabled=False,
            ),
            opts=self._child(depends_on=[self.invocation_bucket.policy]),
        )

    @property
    def alert_topic_arn(self) -> pulumi.Output[str]:
        return self.alert_topic.arn

    def _build_iot_logging(self) -> None:
        """AWS IoT's account-wide logging options (one per account and Region), through a write-only role."""
        settings = self._settings
        role = aws.iam.Role(
            f"{self._name}-iot-logging",
            name=settings.name("iot-logging")[:64],
            assume_role_policy=iam.service_trust("iot.amazonaws.com", self._account_id),
            opts=self._child(),
        )
        # V2 logging writes to the `AWSIotLogsV2` log group, through a role that may create it and write to it
        # (https://docs.aws.amazon.com/iot/latest/developerguide/configure-logging.html, "Configure logging role
        # and policy"); the AWS managed AWSIoTLogging policy grants the same on `*`, so a scoped inline one here.
        iam.role_policy(
            role,
            f"{self._name}-iot-logging-write",
            [
                iam.statement(
                    ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
                    [self._arn("logs", "log-group:AWSIotLogsV2:*")],
                )
            ],
            parent=self,
        )
        self.iot_logging = aws.iot.LoggingOptions(
            f"{self._name}-iot-logging-options",
            default_log_level="WARN",
            role_arn=role.arn,
            opts=self._child(),
        )
