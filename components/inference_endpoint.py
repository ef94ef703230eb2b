"""InferenceEndpoint: an optional SageMaker Serverless Inference endpoint for a custom model (P010, P042-P046, P097).

Serverless only (`serverless_config` memory and maximum concurrency, pulumi-aws
EndpointConfigurationProductionVariantServerlessConfigArgs): it scales to zero and bills per request
and compute duration, so it carries no idle cost (P014, P046); no instance types, no provisioned
concurrency (P168), no real-time instances. Built only when `features.inferenceEndpoint` is on.

The execution role is trusted by `sagemaker.amazonaws.com` for this account only and may read exactly
the model artifact object (P135). Serverless endpoints have no ML storage volume, so no volume KMS key
is set; the model artifact is encrypted in S3 (P141).
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components import iam
from components.kms import StackKey
from components.settings import PlatformSettings

MEMORY_SIZES_MB = (1024, 2048, 3072, 4096, 5120, 6144)


@dataclass(frozen=True)
class InferenceEndpointArgs:
    """The container image and model artifact of the custom model, and serverless capacity."""

    image_uri: str
    model_data_url: str
    model_data_arn: str
    memory_mb: int = 2048
    max_concurrency: int = 5

    def __post_init__(self) -> None:
        if self.memory_mb not in MEMORY_SIZES_MB:
            raise ValueError(f"memory_mb must be one of {MEMORY_SIZES_MB} (Serverless Inference)")
        if not 1 <= self.max_concurrency <= 200:
            raise ValueError("max_concurrency must be between 1 and 200")
        if not self.model_data_url.startswith("s3://") or not self.model_data_arn.startswith("arn:aws:s3:::"):
            raise ValueError("model_data_url must be s3://... and model_data_arn its object ARN")


class InferenceEndpoint(pulumi.ComponentResource):
    """Model, serverless endpoint configuration and endpoint.

    Examples
    --------
    >>> endpoint = InferenceEndpoint("classifier", settings, InferenceEndpointArgs(...), key=key)
    >>> endpoint.endpoint_name
    """

    def __init__(
        self,
        name: str,
        settings: PlatformSettings,
        args: InferenceEndpointArgs,
        *,
        key: StackKey,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("agentic:inference:InferenceEndpoint", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        endpoint_name = settings.name(name)
        account_id = aws.get_caller_identity_output().account_id
        self.role = aws.iam.Role(
            f"{name}-role",
            name=f"{endpoint_name}-sm"[:64],
            assume_role_policy=iam.service_trust("sagemaker.amazonaws.com", account_id),
            opts=child,
        )
        grants = [
            iam.role_policy(
                self.role, f"{name}-model-data", [iam.statement(["s3:GetObject"], [args.model_data_arn])], parent=self
            ),
            key.grant_encrypt_decrypt(self.role, name=f"{name}-role"),
        ]
        self.model = aws.sagemaker.Model(
            name,
            name=endpoint_name,
            execution_role_arn=self.role.arn,
            primary_container=aws.sagemaker.ModelPrimaryContainerArgs(
                image=args.image_uri, model_data_url=args.model_data_url
            ),
            enable_network_isolation=True,
            opts=pulumi.ResourceOptions(parent=self, depends_on=grants),
        )
        self.endpoint_configuration = aws.sagemaker.EndpointConfiguration(
            f"{name}-config",
            name=endpoint_name,
            production_variants=[
                aws.sagemaker.EndpointConfigurationProductionVariantArgs(
                    variant_name="serverless",
                    model_name=self.model.name,
                    serverless_config=aws.sagemaker.EndpointConfigurationProductionVariantServerlessConfigArgs(
                        memory_size_in_mb=args.memory_mb, max_concurrency=args.max_concurrency
                    ),
                )
            ],
            opts=child,
        )
        self.endpoint = aws.sagemaker.Endpoint(
            f"{name}-endpoint",
            name=endpoint_name,
            endpoint_config_name=self.endpoint_configuration.name,
            opts=child,
        )
        self.endpoint_name = self.endpoint.name
        self.arn = self.endpoint.arn
        self.register_outputs({"endpoint_name": self.endpoint_name, "arn": self.arn})

    def invoke_statement(self) -> dict[str, object]:
        """`sagemaker:InvokeEndpoint` on this endpoint only."""
        return iam.statement(["sagemaker:InvokeEndpoint"], [self.arn])
