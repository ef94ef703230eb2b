"""The inputs a security or governance rule of the pack decides on, per resource type (review finding gate #5).

Why: a rule that meets an unknown value judges what is known and notes the rest (policies.lib.Pending); in a
preview that is right ("cannot tell yet"), but at `pulumi up` and offline a value still unknown was judged by no
rule, so `Principal` of a Lambda permission, a public-access-block flag, a bucket's `acl`, a key's rotation or
a trail's `enableLogging` built from an output the engine leaves unknown (an unstated StackReference output:
preflight/stack_references.py) would pass unseen. `security-value-unknown` (policies.rules.document_unknown)
reports each one still unknown outside a preview.

What is here is exactly what the rules read: tests/policies/test_security_values.py records every input each
security and governance rule reads through pulumi_policy's unknown-checking proxy (on the template's graphs,
stack rules included, and on one resource of every type a resource rule names) and requires this table to equal
that record, less two kinds of input that are not decisions:

- `IDENTITY_INPUTS`: names, ids, ARNs, tags and the links that say which resource a setting belongs to
  (`bucket` of a public access block; the engine fabricates them, and a rule that cannot link a setting to its
  resource says so itself);
- the policy documents of `MUST_BE_KNOWN`, which `iam-document-unknown` owns (one input, one policy).

Should a rule ever read an input this table lacks, the offline gate still reports it outside a preview
(preflight/deferred.py, the net under this table); the test makes the table catch up.

Values only checkov judges (an RDS instance's `publiclyAccessible`) are not read by any rule of the pack, so they
are not here; a security group's ingress is the pack's own (policies.rules.network, review s11 3 #2).
"""

from __future__ import annotations

from collections.abc import Mapping

#: Inputs the rules read that identify or link a resource rather than decide its security.
IDENTITY_INPUTS = frozenset(
    {
        "arn",
        "id",
        "name",
        "bucket",
        "apiId",
        "tags",
        "s3BucketName",
        "targetBucket",
        "targetArn",
        # A bucket's domain names: what a CloudFront origin names it by (policies.rules.edge links the two).
        "bucketDomainName",
        "bucketRegionalDomainName",
        # The group a security group rule belongs to (policies.rules.network joins a group's rules by it; an
        # unlinked rule is judged on its own, so an unknown one hides only a union split across rules).
        "securityGroupId",
        # The groups one network interface carries together and the blocks holding those lists (policies.rules.
        # network joins the groups' rules by them, review s11 4 #1; an unknown one leaves each group judged alone).
        "securityGroups",
        "vpcSecurityGroupIds",
        "securityGroupIds",
        "networkInterfaces",
        "vpcConfig",
        "networkConfiguration",
    }
)

#: type -> the inputs a security or governance rule decides on (documents aside: MUST_BE_KNOWN).
SECURITY_VALUES: Mapping[str, tuple[str, ...]] = {
    # aws-native types a rule names itself (container-no-secrets-in-environment reads them as they are, not as
    # pulumi-aws views), so their own input names.
    "aws-native:apprunner:Service": ("sourceConfiguration",),
    "aws-native:batch:JobDefinition": ("containerProperties", "ecsProperties", "eksProperties", "nodeProperties"),
    "aws-native:ecs:DaemonTaskDefinition": ("containerDefinitions",),
    # The EKS access policies an access entry grants and at which scope (iam-no-admin-managed-policies, issue 11 §4).
    "aws-native:eks:AccessEntry": ("accessPolicies",),
    "aws-native:ecs:TaskDefinition": ("containerDefinitions",),
    "aws-native:elasticbeanstalk:ConfigurationTemplate": ("optionSettings",),
    "aws-native:elasticbeanstalk:Environment": ("optionSettings",),
    "aws-native:greengrassv2:ComponentVersion": ("inlineRecipe",),
    # A REST API's method authorisation and OpenAPI body: what api-routes-authorized decides on (review2 F2).
    "aws:apigateway/method:Method": ("authorization", "httpMethod"),
    "aws:apigateway/restApi:RestApi": ("body",),
    "aws:apigateway/stage:Stage": ("accessLogSettings",),
    "aws:apigatewayv2/api:Api": ("body", "protocolType", "routeKey", "target"),
    "aws:apigatewayv2/route:Route": ("authorizationType", "routeKey"),
    "aws:apigatewayv2/stage:Stage": ("accessLogSettings", "defaultRouteSettings", "routeSettings"),
    "aws:apprunner/service:Service": ("sourceConfiguration",),
    "aws:batch/jobDefinition:JobDefinition": (
        "containerProperties",
        "ecsProperties",
        "eksProperties",
        "nodeProperties",
    ),
    "aws:bedrock/agentAgent:AgentAgent": ("customerEncryptionKeyArn", "guardrailConfigurations"),
    "aws:bedrock/agentDataSource:AgentDataSource": ("serverSideEncryptionConfiguration",),
    "aws:bedrock/guardrail:Guardrail": ("contentPolicyConfig", "kmsKeyArn", "sensitiveInformationPolicyConfig"),
    "aws:bedrockmodel/invocationLoggingConfiguration:InvocationLoggingConfiguration": ("loggingConfig",),
    "aws:cfg/recorderStatus:RecorderStatus": ("isEnabled",),
    "aws:cloudfront/distribution:Distribution": (
        "defaultCacheBehavior",
        "loggingConfig",
        "orderedCacheBehaviors",
        "origins",
        "viewerCertificate",
    ),
    "aws:cloudtrail/trail:Trail": (
        "advancedEventSelectors",
        "enableLogFileValidation",
        "enableLogging",
        "eventSelectors",
        "includeGlobalServiceEvents",
        "isMultiRegionTrail",
        "kmsKeyId",
    ),
    "aws:cloudwatch/eventBus:EventBus": ("kmsKeyIdentifier",),
    # review s10 #3: what narrows an EventBridge permission's "*" to an organization (resource-policy-not-public).
    "aws:cloudwatch/eventPermission:EventPermission": ("condition",),
    "aws:cloudwatch/logDeliverySource:LogDeliverySource": ("logType",),
    "aws:cloudwatch/logGroup:LogGroup": ("kmsKeyId", "retentionInDays"),
    "aws:dynamodb/table:Table": ("serverSideEncryption", "ttl"),
    # An IAM user access key is active unless `status` says Inactive (policies.rules.provider_credentials).
    "aws:iam/accessKey:AccessKey": ("status",),
    "aws:eks/accessPolicyAssociation:AccessPolicyAssociation": ("accessScope", "policyArn"),
    # review s11 3 #6: the account's public-sharing blocks (policies.rules.account_sharing).
    "aws:ebs/snapshotBlockPublicAccess:SnapshotBlockPublicAccess": ("state",),
    # review s11 4 #3: a VPC's default group, rewritten (policies.rules.network).
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": ("ingress",),
    "aws:ec2/imageBlockPublicAccess:ImageBlockPublicAccess": ("state",),
    # review s11 4 #2: the CIDRs of a prefix list the stack fills, which a group's rules admit.
    "aws:ec2/managedPrefixList:ManagedPrefixList": ("entries",),
    "aws:ec2/managedPrefixListEntry:ManagedPrefixListEntry": ("cidr", "prefixListId"),
    # review s11 3 #2: what a security group admits (policies.rules.network); a SecurityGroupRule's own protocol,
    # ports and CIDRs are read only once its `type` is known to be ingress, so an unknown one there is the net's
    # (preflight/deferred.py).
    "aws:ec2/securityGroup:SecurityGroup": ("ingress",),
    "aws:ec2/securityGroupRule:SecurityGroupRule": ("type",),
    "aws:ecs/taskDefinition:TaskDefinition": ("containerDefinitions",),
    "aws:elasticbeanstalk/configurationTemplate:ConfigurationTemplate": ("settings",),
    "aws:elasticbeanstalk/environment:Environment": ("settings",),
    # review s10 #3: who a distributed image is shared with (nested, so not in resource_policies.SHARE_KEYS).
    "aws:imagebuilder/distributionConfiguration:DistributionConfiguration": ("distributions",),
    # Which IoT policy an attachment binds: policies.lib.refers_to reads an unknown one as "not this policy", so
    # iot-attached-policy-bound-to-thing would judge no attached policy at all (not a link a rule reports itself).
    "aws:iot/policyAttachment:PolicyAttachment": ("policy",),
    "aws:kms/key:Key": ("customerMasterKeySpec", "enableKeyRotation"),
    "aws:lambda/function:Function": ("environment", "kmsKeyArn", "loggingConfig", "tracingConfig"),
    "aws:lambda/functionUrl:FunctionUrl": ("authorizationType",),
    "aws:lambda/layerVersionPermission:LayerVersionPermission": ("organizationId",),
    "aws:lambda/permission:Permission": ("principal", "sourceArn"),
    "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock": (
        "blockPublicAcls",
        "blockPublicPolicy",
        "ignorePublicAcls",
        "restrictPublicBuckets",
    ),
    "aws:s3/bucket:Bucket": ("acl", "grants", "lifecycleRules", "serverSideEncryptionConfiguration"),
    "aws:s3/bucketAcl:BucketAcl": ("accessControlPolicy", "acl"),
    "aws:s3/bucketAclV2:BucketAclV2": ("accessControlPolicy", "acl"),
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": ("rules",),
    "aws:s3/bucketObject:BucketObject": ("acl",),
    "aws:s3/bucketObjectv2:BucketObjectv2": ("acl",),
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": (
        "blockPublicAcls",
        "blockPublicPolicy",
        "ignorePublicAcls",
        "restrictPublicBuckets",
    ),
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": ("rules",),
    "aws:s3/bucketV2:BucketV2": ("acl", "grants"),
    "aws:s3/objectCopy:ObjectCopy": ("acl", "grants"),
    "aws:sfn/stateMachine:StateMachine": ("encryptionConfiguration", "loggingConfiguration", "tracingConfiguration"),
    "aws:sns/topic:Topic": ("kmsMasterKeyId",),
    # review s10 #3: who an SSM document is shared with (a map, so not in resource_policies.SHARE_KEYS).
    "aws:ssm/document:Document": ("permissions",),
    # review s11 3 #6: which service setting it is; the public-sharing one's value is read only then (an unknown
    # value there is the net's, preflight/deferred.py).
    "aws:ssm/serviceSetting:ServiceSetting": ("settingId",),
    "aws:sqs/queue:Queue": ("kmsMasterKeyId",),
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": (
        "cidrIpv4",
        "cidrIpv6",
        "fromPort",
        "ipProtocol",
        "prefixListId",
        "toPort",
    ),
}

#: pulumi-aws 7 keeps the `...V2` S3 bucket-configuration resources as deprecated twins with the same inputs
#: (pulumi_aws 7.51.1 s3/bucket_server_side_encryption_configuration_v2.py and _lifecycle_configuration_v2.py: the
#: same `_internal_init` arguments), and the rules read both alike (policies/rules/s3.py's type tuples SSE and
#: LIFECYCLE); the template uses the first only, so the reads recorded on it would leave the twin's unknown KMS key
#: or lifecycle rules unjudged and unreported (found by the region review, s10).
V2_TWINS: Mapping[str, str] = {
    "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2": (
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
    ),
    "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2": (
        "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"
    ),
}
SECURITY_VALUES = {**SECURITY_VALUES, **{twin: SECURITY_VALUES[first] for twin, first in V2_TWINS.items()}}
