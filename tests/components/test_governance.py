"""GovernanceBaseline: singletons only in the owning stack, each with its secure settings."""

from __future__ import annotations

import json

from components.governance import CONFORMANCE_PACK_RULES, MANAGED_RULES, conformance_pack_template
from components.tagging import is_taggable
from tests.components.conftest import RunProgram, only, policy_of

PROGRAM = """
from components.kms import StackKey
from components.governance import GovernanceBaseline
key = StackKey("key", settings)
governance = GovernanceBaseline("governance", settings, key=key)
pulumi.export("provided_elsewhere", governance.provided_elsewhere)
"""

TRAIL_ARN = "arn:aws:cloudtrail:us-east-1:123456789012:trail/agentic-platform-dev-trail"


def test_dev_trail_is_multi_region_validated_and_encrypted(run_program: RunProgram) -> None:
    graph = run_program(PROGRAM)
    trail = only(graph, "aws:cloudtrail/trail:Trail")
    key_arn = only(graph, "aws:kms/key:Key").outputs["arn"]
    assert trail.inputs["name"] == "agentic-platform-dev-trail"
    assert trail.inputs["isMultiRegionTrail"] is True
    assert trail.inputs["enableLogFileValidation"] is True
    assert trail.inputs["includeGlobalServiceEvents"] is True
    assert trail.inputs["kmsKeyId"] == key_arn
    log_group = next(n for n in graph.of_type("aws:cloudwatch/logGroup:LogGroup") if "cloudtrail" in n.inputs["name"])
    assert trail.inputs["cloudWatchLogsGroupArn"] == log_group.outputs["arn"] + ":*"
    assert trail.outputs["arn"] == TRAIL_ARN  # the ARN the key and bucket policies name in advance


def test_trail_bucket_policy_is_conditioned_on_the_trail(run_program: RunProgram) -> None:
    graph = run_program(PROGRAM)
    policy = policy_of(
        next(n for n in graph.of_type("aws:s3/bucketPolicy:BucketPolicy") if n.name == "governance-trail-policy")
    )
    sids = {s["Sid"]: s for s in policy["Statement"]}
    assert sids["DenyInsecureTransport"]["Effect"] == "Deny"
    assert sids["AWSCloudTrailAclCheck"]["Action"] == "s3:GetBucketAcl"
    assert sids["AWSCloudTrailAclCheck"]["Condition"] == {"StringEquals": {"aws:SourceArn": TRAIL_ARN}}
    write = sids["AWSCloudTrailWrite"]
    assert write["Action"] == "s3:PutObject"
    assert write["Resource"].endswith("/AWSLogs/123456789012/*")
    assert write["Condition"]["StringEquals"]["aws:SourceArn"] == TRAIL_ARN


def test_trail_logs_role_trust_is_the_documented_form(run_program: RunProgram) -> None:
    """CreateTrail assumes the role to validate it; AWS documents its trust as the bare service principal
    (send-cloudtrail-events-to-cloudwatch-logs.html), so that form is used (issue 9, section 4)."""
    graph = run_program(PROGRAM)
    role = next(n for n in graph.of_type("aws:iam/role:Role") if n.name == "governance-trail-logs-role")
    [trust] = json.loads(role.inputs["assumeRolePolicy"])["Statement"]
    assert trust == {
        "Effect": "Allow",
        "Principal": {"Service": "cloudtrail.amazonaws.com"},
        "Action": "sts:AssumeRole",
    }


def test_config_recorder_channel_and_rules(run_program: RunProgram) -> None:
    graph = run_program(PROGRAM)
    recorder = only(graph, "aws:cfg/recorder:Recorder")
    assert recorder.inputs["recordingGroup"] == {"allSupported": True, "includeGlobalResourceTypes": True}
    assert recorder.inputs["recordingMode"] == {"recordingFrequency": "DAILY"}  # dev: cheaper
    channel = only(graph, "aws:cfg/deliveryChannel:DeliveryChannel")
    assert channel.inputs["s3KmsKeyArn"] == only(graph, "aws:kms/key:Key").outputs["arn"]
    status = only(graph, "aws:cfg/recorderStatus:RecorderStatus")
    assert status.inputs["isEnabled"] is True
    rules = {n.inputs["source"]["sourceIdentifier"] for n in graph.of_type("aws:cfg/rule:Rule")}
    assert rules == {
        "CLOUD_TRAIL_ENABLED",
        "S3_BUCKET_SSL_REQUESTS_ONLY",
        "LAMBDA_FUNCTION_PUBLIC_ACCESS_PROHIBITED",
        "CMK_BACKING_KEY_ROTATION_ENABLED",
    }
    assert all(n.inputs["source"]["owner"] == "AWS" for n in graph.of_type("aws:cfg/rule:Rule"))
    assert graph.of_type("aws:cfg/conformancePack:ConformancePack") == []  # dev: no pack
    attachment = only(graph, "aws:iam/rolePolicyAttachment:RolePolicyAttachment")
    assert attachment.inputs["policyArn"] == "arn:aws:iam::aws:policy/service-role/AWS_ConfigRole"


def test_budget_with_forecast_and_actual_alerts_to_encrypted_topic(run_program: RunProgram) -> None:
    graph = run_program(PROGRAM)
    budget = only(graph, "aws:budgets/budget:Budget")
    topic = only(graph, "aws:sns/topic:Topic")
    assert topic.inputs["kmsMasterKeyId"] == only(graph, "aws:kms/key:Key").outputs["arn"]
    assert budget.inputs["budgetType"] == "COST"
    assert budget.inputs["timeUnit"] == "MONTHLY"
    assert budget.inputs["limitAmount"] == "50.00"
    kinds = {n["notificationType"] for n in budget.inputs["notifications"]}
    assert kinds == {"ACTUAL", "FORECASTED"}
    assert all(n["subscriberSnsTopicArns"] == [topic.outputs["arn"]] for n in budget.inputs["notifications"])
    [subscription] = graph.of_type("aws:sns/topicSubscription:TopicSubscription")
    assert subscription.inputs["protocol"] == "email"
    assert subscription.inputs["endpoint"] == "platform-alerts@example.com"
    policy = policy_of(only(graph, "aws:sns/topicPolicy:TopicPolicy"))
    publishers = [s for s in policy["Statement"] if s["Effect"] == "Allow"]
    # Budgets and the platform's CloudWatch alarms (issue 12), each only on behalf of this account.
    assert [s["Principal"] for s in publishers] == [
        {"Service": "budgets.amazonaws.com"},
        {"Service": "cloudwatch.amazonaws.com"},
    ]
    for publish in publishers:
        assert publish["Action"] == "SNS:Publish"
        assert publish["Resource"] == topic.outputs["arn"]
        assert publish["Condition"]["StringEquals"] == {"aws:SourceAccount": "123456789012"}


def test_alert_publishers_are_limited_to_their_documented_source_arns(run_program: RunProgram) -> None:
    """Budgets' source is arn:aws:budgets::<account>:* (budgets-sns-policy.html), an alarm's
    arn:aws:cloudwatch:<region>:<account>:alarm:<name> (Knowledge Center cloudwatch-receive-sns-for-alarm-trigger)."""
    policy = policy_of(only(run_program(PROGRAM), "aws:sns/topicPolicy:TopicPolicy"))
    sources = {
        s["Principal"]["Service"]: s["Condition"].get("ArnLike") for s in policy["Statement"] if s["Effect"] == "Allow"
    }
    assert sources == {
        "budgets.amazonaws.com": {"aws:SourceArn": "arn:aws:budgets::123456789012:*"},
        "cloudwatch.amazonaws.com": {"aws:SourceArn": "arn:aws:cloudwatch:us-east-1:123456789012:alarm:*"},
    }


def test_bedrock_invocation_logging(run_program: RunProgram) -> None:
    graph = run_program(PROGRAM)
    config = only(graph, "aws:bedrockmodel/invocationLoggingConfiguration:InvocationLoggingConfiguration")
    logging = config.inputs["loggingConfig"]
    group = next(n for n in graph.of_type("aws:cloudwatch/logGroup:LogGroup") if "bedrock" in n.inputs["name"])
    assert logging["cloudwatchConfig"]["logGroupName"] == group.inputs["name"]
    assert group.inputs["kmsKeyId"]
    assert logging["textDataDeliveryEnabled"] is True
    bucket_policy = policy_of(
        next(n for n in graph.of_type("aws:s3/bucketPolicy:BucketPolicy") if n.name == "governance-invocations-policy")
    )
    bedrock = next(s for s in bucket_policy["Statement"] if s.get("Principal") == {"Service": "bedrock.amazonaws.com"})
    assert bedrock["Action"] == "s3:PutObject"
    assert bedrock["Condition"]["StringEquals"] == {"aws:SourceAccount": "123456789012"}
    assert bedrock["Condition"]["ArnLike"] == {"aws:SourceArn": "arn:aws:bedrock:us-east-1:123456789012:*"}


def test_singletons_created_once_in_dev(run_program: RunProgram) -> None:
    graph = run_program(PROGRAM)
    for token in (
        "aws:cloudtrail/trail:Trail",
        "aws:cfg/recorder:Recorder",
        "aws:cfg/deliveryChannel:DeliveryChannel",
        "aws:bedrockmodel/invocationLoggingConfiguration:InvocationLoggingConfiguration",
        "aws:budgets/budget:Budget",
        "aws:iot/loggingOptions:LoggingOptions",
    ):
        assert len(graph.of_type(token)) == 1, token


def test_iot_logging_is_owned_and_writes_only_its_log_group(run_program: RunProgram) -> None:
    graph = run_program(PROGRAM)
    options = only(graph, "aws:iot/loggingOptions:LoggingOptions")
    assert options.inputs["defaultLogLevel"] == "WARN"
    role = next(r for r in graph.of_type("aws:iam/role:Role") if r.name == "governance-iot-logging")
    trust = policy_of(role, "assumeRolePolicy")["Statement"][0]
    assert trust["Principal"] == {"Service": "iot.amazonaws.com"}
    assert trust["Condition"]["StringEquals"] == {"aws:SourceAccount": "123456789012"}
    write = next(p for p in graph.of_type("aws:iam/rolePolicy:RolePolicy") if p.name == "governance-iot-logging-write")
    (statement,) = policy_of(write)["Statement"]
    assert statement["Resource"] == ["arn:aws:logs:us-east-1:123456789012:log-group:AWSIotLogsV2:*"]
    # A stack that does not own it creates none, and says where it comes from.
    other = run_program(PROGRAM, overrides={"owns": {"iotLogging": False}})
    assert other.of_type("aws:iot/loggingOptions:LoggingOptions") == []


def test_prod_references_singletons_and_adds_conformance_pack(run_program: RunProgram) -> None:
    graph = run_program(PROGRAM, stack="prod")
    for token in (
        "aws:cloudtrail/trail:Trail",
        "aws:cfg/recorder:Recorder",
        "aws:cfg/rule:Rule",
        "aws:bedrockmodel/invocationLoggingConfiguration:InvocationLoggingConfiguration",
        "aws:iot/loggingOptions:LoggingOptions",  # prod has the device fleet, dev owns its logging
    ):
        assert graph.of_type(token) == [], token
    # Only the stack's own access-log bucket: its data buckets log there even without singletons.
    assert [b.name for b in graph.of_type("aws:s3/bucket:Bucket")] == ["governance-access-logs"]
    assert len(graph.of_type("aws:budgets/budget:Budget")) == 1  # every stack has its own budget
    pack = only(graph, "aws:cfg/conformancePack:ConformancePack")
    body = json.loads(pack.inputs["templateBody"])
    identifiers = {r["Properties"]["Source"]["SourceIdentifier"] for r in body["Resources"].values()}
    assert identifiers == {"DYNAMODB_PITR_ENABLED", "CLOUDWATCH_LOG_GROUP_ENCRYPTED"}


def test_organization_trail_means_no_stack_trail(run_program: RunProgram) -> None:
    graph = run_program(
        PROGRAM,
        overrides={
            "owns": {
                "cloudtrail": True,
                "organizationTrail": True,
                "configRecorder": False,
                "bedrockInvocationLogging": False,
            }
        },
    )
    assert graph.of_type("aws:cloudtrail/trail:Trail") == []
    # No audit buckets without singletons; only the stack's own access-log bucket.
    assert [b.name for b in graph.of_type("aws:s3/bucket:Bucket")] == ["governance-access-logs"]


def test_every_taggable_resource_is_tagged(run_program: RunProgram) -> None:
    graph = run_program(PROGRAM)
    taggable = [n for n in graph.custom_resources if is_taggable(n.type)]
    assert len(taggable) > 10
    for node in taggable:
        tags = node.inputs.get("tags") or {}
        assert {"environment", "application", "team", "cost-center", "data-classification"} <= set(tags), node.urn
        assert tags["environment"] == "dev"


def test_rule_tables_are_consistent() -> None:
    names = [r.name for r in MANAGED_RULES + CONFORMANCE_PACK_RULES]
    assert len(names) == len(set(names))
    assert all(r.principles for r in MANAGED_RULES + CONFORMANCE_PACK_RULES)
    body = json.loads(conformance_pack_template(CONFORMANCE_PACK_RULES))
    periodic = body["Resources"]["CloudwatchLogGroupEncrypted"]["Properties"]
    assert periodic["MaximumExecutionFrequency"] == "TwentyFour_Hours"
