"""Where an AWS provider's region comes from when the program does not state it (P145), said once for the pack
and the offline engine (preflight/regions.py).

Why a rule needs this: data residency (`allowedRegions`) can only be proven from a region the program or the stack
states. Pulumi configures the *default* provider of a package from the stack's `<package>:*` config, `aws:region`
for pulumi-aws and `aws-native:region` for aws-native (pulumi/pulumi@adb4819 docs/architecture/providers/default.md:
"inputs sourced from the stack's configuration values for the relevant provider package"); an *explicit*
`aws.Provider(...)` is configured only from its arguments, never from that config (pulumi/pulumi 9d0b0fed91,
"[engine] Support remapping envvars for providers": an `aws.Provider("default-region")`'s "region will be read from
the environment (e.g. from the AWS_REGION environment variable)"). When it is given no `region`,
the pulumi-aws and aws-native Python SDKs read `AWS_REGION`, then `AWS_DEFAULT_REGION`, of the process running the
program (pulumi_aws 7.51.1 provider.py `_internal_init` L779-L781; pulumi_aws_native 1.84.0 provider.py
`_internal_init` L519-L522, which raises "Missing required property 'region'" when neither is set); with neither,
the pulumi-aws provider plugin resolves it itself at deploy time, from the AWS profile's shared config as well
(pulumi/pulumi-aws#2088: "As part of your AWS Profile"; hashicorp/terraform-provider-aws#23384: "Environment
variables, Shared config or credentials files, IMDS"). None of that is in the repository, so none of it is known
to the gate: a provider whose region the program does not state deploys wherever the deploying machine says.
"""

from __future__ import annotations

from typing import Any

from policies.wire import UNKNOWN

#: The variables the SDKs read for an explicit provider's missing region, in their order (see the module docstring).
REGION_VARIABLES = ("AWS_REGION", "AWS_DEFAULT_REGION")

#: The provider types whose region places resources (pulumi-aws and aws-native; `pulumi:providers:<package>`).
REGIONAL_PROVIDERS = frozenset({"pulumi:providers:aws", "pulumi:providers:aws-native"})

#: How a finding or a note says where an unstated region comes from.
DEPLOYING_REGION = (
    "the deploying environment's region: AWS_REGION or AWS_DEFAULT_REGION where the program runs, else the AWS "
    "profile's shared config"
)


def package_of(provider_type: str) -> str:
    """`aws` of `pulumi:providers:aws`, `aws-native` of `pulumi:providers:aws-native`."""
    return provider_type.rsplit(":", 1)[-1]


def region_config_key(provider_type: str) -> str:
    """The stack config key the default provider of `provider_type` reads its region from (`aws:region`)."""
    return f"{package_of(provider_type)}:region"


def is_default_provider(name: str) -> bool:
    """Default providers are named `default` or `default_<version>` by the engine (pulumi/pulumi
    pkg/resource/deploy/providers/provider.go L105-L125); the offline engine names them `default`."""
    return name == "default" or name.startswith("default_")


def resource_region(own: Any, provider_region: Any) -> str | None:
    """The region a resource is created in, where the program or the stack states it: its own `region` input
    (pulumi-aws v7: "Region where this resource will be managed. Defaults to the Region set in the provider
    configuration"), else its provider's `region` (an explicit provider's argument, or the default provider's from
    the stack's `<package>:region`); None when neither is a plain, non-empty string (unstated, or unknown)."""
    for value in (own, provider_region):
        if isinstance(value, str) and value and value != UNKNOWN:
            return value
    return None
