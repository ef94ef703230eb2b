"""Which Terraform resource type each pulumi-aws type token is, and the field names the bridge renamed.

pulumi-aws is generated from the Terraform AWS provider by the Pulumi Terraform bridge. Its
`provider/cmd/pulumi-resource-aws/bridge-metadata.json` (pulumi/pulumi-aws) records, for every
token, the Terraform name (`renames.resources`) and every property whose Pulumi name differs from the
Terraform one (`renames.renamedProperties`, e.g. `"aws:iam/role:Role": {"inlinePolicies":
"inline_policy"}`, `"aws:lambda/permission:Permission": {"function": "function_name"}`). The bulk of
those renames follow two rules the converter applies itself (camelCase to snake_case; a list of
nested blocks named in the plural in Pulumi is singular in Terraform: `rules` -> `rule`); this module
holds the table of types and the exceptions to those rules.

Token spellings were checked against the installed SDK (pulumi-aws 7.51.1: `resource_modules` in
`pulumi_aws/__init__.py`). The Terraform names of the Bedrock-agent and S3-vectors types (bridged from
the plugin framework, absent from the stored bridge-metadata version) are the ones the SDK's own
converted examples use (`example_aws_bedrockagent_knowledge_base`, `example_aws_s3vectors_vector_bucket`
in `pulumi_aws/bedrock/agent_data_source.py` and `pulumi_aws/s3/vectors_vector_bucket_policy.py`).
"""

from __future__ import annotations

from collections.abc import Mapping

from preflight.tfplan.derive import derived_types, ruled_type

#: pulumi-aws type token -> Terraform resource type (bridge-metadata.json `renames.resources`).
TF_TYPES: Mapping[str, str] = {
    # S3: the bucket and its separate configuration resources (pulumi-aws v7 dropped the V2 suffixes;
    # the V2 tokens remain as deprecated aliases of the same Terraform types).
    "aws:s3/bucket:Bucket": "aws_s3_bucket",
    "aws:s3/bucketV2:BucketV2": "aws_s3_bucket",
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": "aws_s3_bucket_public_access_block",
    "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock": "aws_s3_account_public_access_block",
    "aws:s3/bucketPolicy:BucketPolicy": "aws_s3_bucket_policy",
    "aws:s3/bucketVersioning:BucketVersioning": "aws_s3_bucket_versioning",
    "aws:s3/bucketVersioningV2:BucketVersioningV2": "aws_s3_bucket_versioning",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": (
        "aws_s3_bucket_server_side_encryption_configuration"
    ),
    "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2": (
        "aws_s3_bucket_server_side_encryption_configuration"
    ),
    "aws:s3/bucketLogging:BucketLogging": "aws_s3_bucket_logging",
    "aws:s3/bucketLoggingV2:BucketLoggingV2": "aws_s3_bucket_logging",
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": "aws_s3_bucket_lifecycle_configuration",
    "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2": "aws_s3_bucket_lifecycle_configuration",
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": "aws_s3_bucket_ownership_controls",
    "aws:s3/bucketNotification:BucketNotification": "aws_s3_bucket_notification",
    "aws:s3/bucketAcl:BucketAcl": "aws_s3_bucket_acl",
    "aws:s3/bucketAclV2:BucketAclV2": "aws_s3_bucket_acl",
    "aws:s3/bucketCorsConfiguration:BucketCorsConfiguration": "aws_s3_bucket_cors_configuration",
    "aws:s3/bucketCorsConfigurationV2:BucketCorsConfigurationV2": "aws_s3_bucket_cors_configuration",
    "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration": "aws_s3_bucket_object_lock_configuration",
    "aws:s3/bucketReplicationConfig:BucketReplicationConfig": "aws_s3_bucket_replication_configuration",
    "aws:s3/bucketObjectv2:BucketObjectv2": "aws_s3_object",
    # S3 Vectors (vector store for knowledge bases)
    "aws:s3/vectorsVectorBucket:VectorsVectorBucket": "aws_s3vectors_vector_bucket",
    "aws:s3/vectorsIndex:VectorsIndex": "aws_s3vectors_index",
    "aws:s3/vectorsVectorBucketPolicy:VectorsVectorBucketPolicy": "aws_s3vectors_vector_bucket_policy",
    # KMS
    "aws:kms/key:Key": "aws_kms_key",
    "aws:kms/alias:Alias": "aws_kms_alias",
    "aws:kms/keyPolicy:KeyPolicy": "aws_kms_key_policy",
    # IAM
    "aws:iam/role:Role": "aws_iam_role",
    "aws:iam/policy:Policy": "aws_iam_policy",
    "aws:iam/rolePolicy:RolePolicy": "aws_iam_role_policy",
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": "aws_iam_role_policy_attachment",
    "aws:iam/policyAttachment:PolicyAttachment": "aws_iam_policy_attachment",
    "aws:iam/user:User": "aws_iam_user",
    "aws:iam/userPolicy:UserPolicy": "aws_iam_user_policy",
    "aws:iam/userPolicyAttachment:UserPolicyAttachment": "aws_iam_user_policy_attachment",
    "aws:iam/group:Group": "aws_iam_group",
    "aws:iam/groupPolicy:GroupPolicy": "aws_iam_group_policy",
    "aws:iam/instanceProfile:InstanceProfile": "aws_iam_instance_profile",
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider": "aws_iam_openid_connect_provider",
    "aws:iam/accountPasswordPolicy:AccountPasswordPolicy": "aws_iam_account_password_policy",
    # Lambda
    "aws:lambda/function:Function": "aws_lambda_function",
    "aws:lambda/permission:Permission": "aws_lambda_permission",
    "aws:lambda/functionUrl:FunctionUrl": "aws_lambda_function_url",
    "aws:lambda/eventSourceMapping:EventSourceMapping": "aws_lambda_event_source_mapping",
    "aws:lambda/alias:Alias": "aws_lambda_alias",
    "aws:lambda/layerVersion:LayerVersion": "aws_lambda_layer_version",
    "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig": "aws_lambda_function_event_invoke_config",
    "aws:lambda/codeSigningConfig:CodeSigningConfig": "aws_lambda_code_signing_config",
    "aws:lambda/provisionedConcurrencyConfig:ProvisionedConcurrencyConfig": (
        "aws_lambda_provisioned_concurrency_config"
    ),
    # DynamoDB, SQS, SNS
    "aws:dynamodb/table:Table": "aws_dynamodb_table",
    "aws:dynamodb/globalTable:GlobalTable": "aws_dynamodb_global_table",
    "aws:sqs/queue:Queue": "aws_sqs_queue",
    "aws:sqs/queuePolicy:QueuePolicy": "aws_sqs_queue_policy",
    "aws:sqs/redrivePolicy:RedrivePolicy": "aws_sqs_queue_redrive_policy",
    "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy": "aws_sqs_queue_redrive_allow_policy",
    "aws:sns/topic:Topic": "aws_sns_topic",
    "aws:sns/topicPolicy:TopicPolicy": "aws_sns_topic_policy",
    "aws:sns/topicSubscription:TopicSubscription": "aws_sns_topic_subscription",
    # CloudWatch logs, alarms, dashboards; EventBridge (the cloudwatch module in pulumi-aws)
    "aws:cloudwatch/logGroup:LogGroup": "aws_cloudwatch_log_group",
    "aws:cloudwatch/logStream:LogStream": "aws_cloudwatch_log_stream",
    "aws:cloudwatch/logMetricFilter:LogMetricFilter": "aws_cloudwatch_log_metric_filter",
    "aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter": "aws_cloudwatch_log_subscription_filter",
    "aws:cloudwatch/logResourcePolicy:LogResourcePolicy": "aws_cloudwatch_log_resource_policy",
    "aws:cloudwatch/logDataProtectionPolicy:LogDataProtectionPolicy": "aws_cloudwatch_log_data_protection_policy",
    "aws:cloudwatch/metricAlarm:MetricAlarm": "aws_cloudwatch_metric_alarm",
    "aws:cloudwatch/compositeAlarm:CompositeAlarm": "aws_cloudwatch_composite_alarm",
    "aws:cloudwatch/dashboard:Dashboard": "aws_cloudwatch_dashboard",
    "aws:cloudwatch/eventBus:EventBus": "aws_cloudwatch_event_bus",
    "aws:cloudwatch/eventBusPolicy:EventBusPolicy": "aws_cloudwatch_event_bus_policy",
    "aws:cloudwatch/eventRule:EventRule": "aws_cloudwatch_event_rule",
    "aws:cloudwatch/eventTarget:EventTarget": "aws_cloudwatch_event_target",
    "aws:cloudwatch/eventArchive:EventArchive": "aws_cloudwatch_event_archive",
    "aws:cloudwatch/eventConnection:EventConnection": "aws_cloudwatch_event_connection",
    "aws:cloudwatch/eventApiDestination:EventApiDestination": "aws_cloudwatch_event_api_destination",
    "aws:cloudwatch/eventPermission:EventPermission": "aws_cloudwatch_event_permission",
    # Step Functions
    "aws:sfn/stateMachine:StateMachine": "aws_sfn_state_machine",
    "aws:sfn/activity:Activity": "aws_sfn_activity",
    "aws:sfn/alias:Alias": "aws_sfn_alias",
    # API Gateway v1 (REST) and v2 (HTTP / WebSocket)
    "aws:apigateway/restApi:RestApi": "aws_api_gateway_rest_api",
    "aws:apigateway/restApiPolicy:RestApiPolicy": "aws_api_gateway_rest_api_policy",
    "aws:apigateway/stage:Stage": "aws_api_gateway_stage",
    "aws:apigateway/deployment:Deployment": "aws_api_gateway_deployment",
    "aws:apigateway/resource:Resource": "aws_api_gateway_resource",
    "aws:apigateway/method:Method": "aws_api_gateway_method",
    "aws:apigateway/methodSettings:MethodSettings": "aws_api_gateway_method_settings",
    "aws:apigateway/integration:Integration": "aws_api_gateway_integration",
    "aws:apigateway/authorizer:Authorizer": "aws_api_gateway_authorizer",
    "aws:apigateway/account:Account": "aws_api_gateway_account",
    "aws:apigateway/usagePlan:UsagePlan": "aws_api_gateway_usage_plan",
    "aws:apigateway/apiKey:ApiKey": "aws_api_gateway_api_key",
    "aws:apigateway/domainName:DomainName": "aws_api_gateway_domain_name",
    "aws:apigatewayv2/api:Api": "aws_apigatewayv2_api",
    "aws:apigatewayv2/stage:Stage": "aws_apigatewayv2_stage",
    "aws:apigatewayv2/route:Route": "aws_apigatewayv2_route",
    "aws:apigatewayv2/integration:Integration": "aws_apigatewayv2_integration",
    "aws:apigatewayv2/integrationResponse:IntegrationResponse": "aws_apigatewayv2_integration_response",
    "aws:apigatewayv2/routeResponse:RouteResponse": "aws_apigatewayv2_route_response",
    "aws:apigatewayv2/authorizer:Authorizer": "aws_apigatewayv2_authorizer",
    "aws:apigatewayv2/deployment:Deployment": "aws_apigatewayv2_deployment",
    "aws:apigatewayv2/domainName:DomainName": "aws_apigatewayv2_domain_name",
    "aws:apigatewayv2/apiMapping:ApiMapping": "aws_apigatewayv2_api_mapping",
    # Bedrock (guardrails are aws_bedrock_*, agents and knowledge bases aws_bedrockagent_*)
    "aws:bedrock/agentAgent:AgentAgent": "aws_bedrockagent_agent",
    "aws:bedrock/agentAgentAlias:AgentAgentAlias": "aws_bedrockagent_agent_alias",
    "aws:bedrock/agentAgentActionGroup:AgentAgentActionGroup": "aws_bedrockagent_agent_action_group",
    "aws:bedrock/agentAgentKnowledgeBaseAssociation:AgentAgentKnowledgeBaseAssociation": (
        "aws_bedrockagent_agent_knowledge_base_association"
    ),
    "aws:bedrock/agentKnowledgeBase:AgentKnowledgeBase": "aws_bedrockagent_knowledge_base",
    "aws:bedrock/agentDataSource:AgentDataSource": "aws_bedrockagent_data_source",
    "aws:bedrock/agentPrompt:AgentPrompt": "aws_bedrockagent_prompt",
    "aws:bedrock/guardrail:Guardrail": "aws_bedrock_guardrail",
    "aws:bedrock/guardrailVersion:GuardrailVersion": "aws_bedrock_guardrail_version",
    "aws:bedrock/inferenceProfile:InferenceProfile": "aws_bedrock_inference_profile",
    "aws:bedrock/provisionedModelThroughput:ProvisionedModelThroughput": "aws_bedrock_provisioned_model_throughput",
    "aws:bedrockmodel/invocationLoggingConfiguration:InvocationLoggingConfiguration": (
        "aws_bedrock_model_invocation_logging_configuration"
    ),
    # Governance: CloudTrail, AWS Config, Budgets
    "aws:cloudtrail/trail:Trail": "aws_cloudtrail",
    "aws:cloudtrail/eventDataStore:EventDataStore": "aws_cloudtrail_event_data_store",
    "aws:cfg/recorder:Recorder": "aws_config_configuration_recorder",
    "aws:cfg/recorderStatus:RecorderStatus": "aws_config_configuration_recorder_status",
    "aws:cfg/deliveryChannel:DeliveryChannel": "aws_config_delivery_channel",
    "aws:cfg/rule:Rule": "aws_config_config_rule",
    "aws:cfg/conformancePack:ConformancePack": "aws_config_conformance_pack",
    "aws:cfg/configurationAggregator:ConfigurationAggregator": "aws_config_configuration_aggregator",
    "aws:budgets/budget:Budget": "aws_budgets_budget",
    "aws:budgets/budgetAction:BudgetAction": "aws_budgets_budget_action",
    # SageMaker inference
    "aws:sagemaker/endpoint:Endpoint": "aws_sagemaker_endpoint",
    "aws:sagemaker/endpointConfiguration:EndpointConfiguration": "aws_sagemaker_endpoint_configuration",
    "aws:sagemaker/model:Model": "aws_sagemaker_model",
    "aws:sagemaker/notebookInstance:NotebookInstance": "aws_sagemaker_notebook_instance",
    "aws:sagemaker/domain:Domain": "aws_sagemaker_domain",
    # OpenSearch (managed domains and Serverless collections)
    "aws:opensearch/domain:Domain": "aws_opensearch_domain",
    "aws:opensearch/domainPolicy:DomainPolicy": "aws_opensearch_domain_policy",
    "aws:opensearch/serverlessCollection:ServerlessCollection": "aws_opensearchserverless_collection",
    "aws:opensearch/serverlessSecurityPolicy:ServerlessSecurityPolicy": "aws_opensearchserverless_security_policy",
    "aws:opensearch/serverlessAccessPolicy:ServerlessAccessPolicy": "aws_opensearchserverless_access_policy",
    "aws:opensearch/serverlessVpcEndpoint:ServerlessVpcEndpoint": "aws_opensearchserverless_vpc_endpoint",
    # EventBridge Schemas
    "aws:schemas/registry:Registry": "aws_schemas_registry",
    "aws:schemas/schema:Schema": "aws_schemas_schema",
    "aws:schemas/discoverer:Discoverer": "aws_schemas_discoverer",
    "aws:schemas/registryPolicy:RegistryPolicy": "aws_schemas_registry_policy",
    # EC2 / VPC basics
    "aws:ec2/vpc:Vpc": "aws_vpc",
    "aws:ec2/subnet:Subnet": "aws_subnet",
    "aws:ec2/securityGroup:SecurityGroup": "aws_security_group",
    "aws:ec2/securityGroupRule:SecurityGroupRule": "aws_security_group_rule",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": "aws_vpc_security_group_ingress_rule",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": "aws_vpc_security_group_egress_rule",
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": "aws_default_security_group",
    "aws:ec2/internetGateway:InternetGateway": "aws_internet_gateway",
    "aws:ec2/natGateway:NatGateway": "aws_nat_gateway",
    "aws:ec2/eip:Eip": "aws_eip",
    "aws:ec2/routeTable:RouteTable": "aws_route_table",
    "aws:ec2/route:Route": "aws_route",
    "aws:ec2/routeTableAssociation:RouteTableAssociation": "aws_route_table_association",
    "aws:ec2/vpcEndpoint:VpcEndpoint": "aws_vpc_endpoint",
    "aws:ec2/flowLog:FlowLog": "aws_flow_log",
    "aws:ec2/networkAcl:NetworkAcl": "aws_network_acl",
    "aws:ec2/instance:Instance": "aws_instance",
    # Secrets Manager
    "aws:secretsmanager/secret:Secret": "aws_secretsmanager_secret",
    "aws:secretsmanager/secretVersion:SecretVersion": "aws_secretsmanager_secret_version",
    "aws:secretsmanager/secretRotation:SecretRotation": "aws_secretsmanager_secret_rotation",
    "aws:secretsmanager/secretPolicy:SecretPolicy": "aws_secretsmanager_secret_policy",
    # WAF v2
    "aws:wafv2/webAcl:WebAcl": "aws_wafv2_web_acl",
    "aws:wafv2/webAclAssociation:WebAclAssociation": "aws_wafv2_web_acl_association",
    "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration": "aws_wafv2_web_acl_logging_configuration",
    "aws:wafv2/ipSet:IpSet": "aws_wafv2_ip_set",
    "aws:wafv2/ruleGroup:RuleGroup": "aws_wafv2_rule_group",
    # Others templates commonly put next to an agentic stack
    "aws:ecr/repository:Repository": "aws_ecr_repository",
    "aws:cloudfront/distribution:Distribution": "aws_cloudfront_distribution",
    # The edge tier (components/edge.py): CloudFront's policies, OAC and v2 standard-logging resources
    # (terraform-provider-aws resource names, one per pulumi-aws token of the same name).
    "aws:cloudfront/cachePolicy:CachePolicy": "aws_cloudfront_cache_policy",
    "aws:cloudfront/originAccessControl:OriginAccessControl": "aws_cloudfront_origin_access_control",
    "aws:cloudfront/originRequestPolicy:OriginRequestPolicy": "aws_cloudfront_origin_request_policy",
    "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy": "aws_cloudfront_response_headers_policy",
    "aws:cloudwatch/logDeliverySource:LogDeliverySource": "aws_cloudwatch_log_delivery_source",
    "aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination": "aws_cloudwatch_log_delivery_destination",
    "aws:cloudwatch/logDelivery:LogDelivery": "aws_cloudwatch_log_delivery",
    # The device edge (components/devices.py). Greengrass v2 comes from Pulumi's aws-native provider, which
    # terraform-provider-aws has no counterpart for: those types are CrossGuard's alone (policies/rules/devices.py).
    "aws:iot/loggingOptions:LoggingOptions": "aws_iot_logging_options",
    "aws:iot/policy:Policy": "aws_iot_policy",
    "aws:iot/policyAttachment:PolicyAttachment": "aws_iot_policy_attachment",
    "aws:iot/roleAlias:RoleAlias": "aws_iot_role_alias",
    "aws:iot/thingGroup:ThingGroup": "aws_iot_thing_group",
    "aws:iot/topicRule:TopicRule": "aws_iot_topic_rule",
    "aws:cognito/userPool:UserPool": "aws_cognito_user_pool",
    "aws:cognito/userPoolClient:UserPoolClient": "aws_cognito_user_pool_client",
    "aws:kinesis/stream:Stream": "aws_kinesis_stream",
    "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream": "aws_kinesis_firehose_delivery_stream",
    "aws:ssm/parameter:Parameter": "aws_ssm_parameter",
    "aws:xray/samplingRule:SamplingRule": "aws_xray_sampling_rule",
}

#: Top-level property renames that are not camelCase -> snake_case (bridge-metadata `renamedProperties`,
#: e.g. `"aws:lambda/permission:Permission": {"function": "function_name", ...}`). List-of-block
#: plurals are handled by the converter's singular rule and need no entry here.
FIELD_RENAMES: Mapping[str, Mapping[str, str]] = {
    "aws:lambda/function:Function": {"name": "function_name", "code": "filename"},
    "aws:lambda/layerVersion:LayerVersion": {"code": "filename"},
    "aws:lambda/permission:Permission": {"function": "function_name"},
    "aws:cloudwatch/metricAlarm:MetricAlarm": {"name": "alarm_name"},
    "aws:sns/topicSubscription:TopicSubscription": {"topic": "topic_arn"},
    "aws:apigateway/stage:Stage": {"restApi": "rest_api_id", "deployment": "deployment_id"},
    "aws:apigateway/deployment:Deployment": {"restApi": "rest_api_id"},
    "aws:apigateway/resource:Resource": {"restApi": "rest_api_id"},
    "aws:apigateway/method:Method": {"restApi": "rest_api_id"},
    "aws:apigateway/methodSettings:MethodSettings": {"restApi": "rest_api_id"},
    "aws:apigateway/integration:Integration": {"restApi": "rest_api_id"},
    "aws:apigateway/authorizer:Authorizer": {"restApi": "rest_api_id"},
    "aws:apigateway/restApiPolicy:RestApiPolicy": {"restApiId": "rest_api_id"},
    # Blocks whose Terraform name is plural itself, on these types only (aws_instance's is `network_interface`):
    # terraform-provider-aws docs, aws_launch_template "block_device_mappings", "network_interfaces",
    # "tag_specifications"; aws_opensearch_domain and aws_elasticsearch_domain
    # "log_publishing_options" (checkov's CKV_AWS_88 and CKV_AWS_84 read these names).
    "aws:ec2/launchTemplate:LaunchTemplate": {
        "blockDeviceMappings": "block_device_mappings",
        "networkInterfaces": "network_interfaces",
        "tagSpecifications": "tag_specifications",
    },
    "aws:opensearch/domain:Domain": {"logPublishingOptions": "log_publishing_options"},
    "aws:elasticsearch/domain:Domain": {"logPublishingOptions": "log_publishing_options"},
    # A list of strings the bridge pluralised (Terraform `vpc_zone_identifier`, named so in the SDK's own docstring,
    # pulumi_aws/autoscaling/group.py: "when not using the `vpc_zone_identifier` attribute").
    "aws:autoscaling/group:Group": {"vpcZoneIdentifiers": "vpc_zone_identifier"},
}

#: Terraform nested blocks and list attributes whose own name is plural: the singular rule must not touch them
#: (e.g. `aws_sagemaker_endpoint_configuration.production_variants`, `aws_apigatewayv2_stage.route_settings`,
#: `aws_cloudwatch_event_target.run_command_targets`, bridge-metadata waf `byteMatchTuples: byte_match_tuples`).
KEEP_PLURAL: frozenset[str] = frozenset(
    {
        "production_variants",
        "shadow_production_variants",
        "capture_options",
        "route_settings",
        "run_command_targets",
        "exclusion_by_resource_types",
        "prompt_configurations",
        "byte_match_tuples",
        "size_constraints",
        "ip_set_descriptors",
        "sql_injection_match_tuples",
        "xss_match_tuples",
        "access_logs",
        "cloudwatch_logging_options",
        "ingress",
        "egress",
        "settings",
    }
)

#: Attributes Terraform holds as JSON strings (checkov parses the ones in its RESOURCE_TYPES_JSONIFY
#: table, checkov/terraform/plan_parser.py); a dict or list given in Pulumi is serialised.
JSON_STRING_FIELDS: frozenset[str] = frozenset(
    {
        "policy",
        "assume_role_policy",
        "access_policies",
        "access_policy",
        "policy_document",
        "definition",
        "dashboard_body",
        "event_pattern",
        "redrive_policy",
        "redrive_allow_policy",
        "delivery_policy",
        "filter_policy",
        "input",
        "content",
        "template_body",
        "container_definitions",
    }
)

#: Keys whose object value is a map (string keys chosen by the user), not a nested block, when the
#: SDK cannot tell (type not installed): tags, variables, parameters and the like stay dicts.
MAP_FIELDS: frozenset[str] = frozenset(
    {
        "tags",
        "tags_all",
        "variables",
        "stage_variables",
        "request_parameters",
        "request_templates",
        "request_models",
        "response_parameters",
        "response_templates",
        "response_models",
        "dimensions",
        "input_parameters",
        "parameters",
        "triggers",
        "properties",
        "context",
        "attributes",
        "metadata",
        "headers",
        "annotations",
    }
)


def tf_type_of(token: str) -> str | None:
    """The Terraform resource type of a pulumi-aws token, or None when the bridge cannot map it.

    The table above first, then every type checkov has checks for, derived from the bridge's naming
    rules (preflight/tfplan/derive.py, stored in checkov_types.json), then the naming rule for the rest.
    """
    return TF_TYPES.get(token) or derived_types().get(token) or ruled_type(token)


def field_renames(token: str) -> Mapping[str, str]:
    return FIELD_RENAMES.get(token, {})
