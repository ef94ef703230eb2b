"""Every entry of provider_calls.yaml that has been read against terraform-provider-aws says so (issue 9 §2).

The CI roles are generated from provider_calls.yaml, so an entry nobody checked against the provider's source
grants what someone believed the provider calls. `verified: <path>@<commit>` records that its calls were read
in that file at that commit (test_deploy_roles.py keeps the field well formed); this test keeps the read
entries from losing it, and a new resource type from joining the read half unread.
"""

from __future__ import annotations

from .provider_calls import oracle

#: The entries read so far, in file order: Lambda through S3 Vectors (the first half of issue 9 §2).
#: The second half (from aws:bedrock/agentAgent:AgentAgent on) joins this tuple as it is read; once every
#: entry is in, the test can assert on oracle() itself.
READ_AGAINST_THE_PROVIDER = (
    "aws:lambda/function:Function",
    "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig",
    "aws:lambda/permission:Permission",
    "aws:apigatewayv2/api:Api",
    "aws:apigatewayv2/authorizer:Authorizer",
    "aws:apigatewayv2/integration:Integration",
    "aws:apigatewayv2/integrationResponse:IntegrationResponse",
    "aws:apigatewayv2/route:Route",
    "aws:apigatewayv2/routeResponse:RouteResponse",
    "aws:apigatewayv2/stage:Stage",
    "aws:apigateway/account:Account",
    "aws:cognito/userPool:UserPool",
    "aws:cognito/userPoolClient:UserPoolClient",
    "aws:sqs/queue:Queue",
    "aws:sqs/queuePolicy:QueuePolicy",
    "aws:sns/topic:Topic",
    "aws:sns/topicPolicy:TopicPolicy",
    "aws:sns/topicSubscription:TopicSubscription",
    "aws:cloudwatch/eventBus:EventBus",
    "aws:cloudwatch/eventRule:EventRule",
    "aws:cloudwatch/eventTarget:EventTarget",
    "aws:cloudwatch/eventArchive:EventArchive",
    "aws:schemas/registry:Registry",
    "aws:schemas/schema:Schema",
    "aws:cloudwatch/logGroup:LogGroup",
    "aws:cloudwatch/metricAlarm:MetricAlarm",
    "aws:cloudwatch/dashboard:Dashboard",
    "aws:dynamodb/table:Table",
    "aws:sfn/stateMachine:StateMachine",
    "aws:kms/key:Key",
    "aws:kms/alias:Alias",
    "aws:s3/bucket:Bucket",
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    "aws:s3/bucketLogging:BucketLogging",
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
    "aws:s3/bucketPolicy:BucketPolicy",
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketVersioning:BucketVersioning",
    "aws:s3/vectorsVectorBucket:VectorsVectorBucket",
    "aws:s3/vectorsIndex:VectorsIndex",
)


def test_the_read_entries_are_the_files_leading_run() -> None:
    """The list names real entries, in the file's order, from its first: a renamed or moved type is noticed."""
    tokens = list(oracle())
    assert tokens[: len(READ_AGAINST_THE_PROVIDER)] == list(READ_AGAINST_THE_PROVIDER)


def test_every_read_entry_is_marked_verified() -> None:
    unverified = [token for token in READ_AGAINST_THE_PROVIDER if "verified" not in oracle()[token]]
    assert unverified == []
