"""container-no-secrets-in-environment on aws-native resources (cdk-nag style): compliant and numbered
non-compliant cases for every place pulumi-aws-native 1.84.0 keeps a plain container environment, the paths
checked against the SDK's own input types, and a synthesised program (issue 11 §4)."""
# ruff: noqa: E501  (one case per line reads as a table)

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pulumi_policy import ResourceValidationArgs
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, UnknownValueError, unknown_checking_proxy

from policies.registry import all_policies
from policies.rules import container_environment as ce
from policies.rules.coverage import not_judged
from tests.policies.conftest import flagged, synth
from tests.policies.rules.calls import Reports, urn
from tests.policies.rules.test_container_environment_table import (
    HIGH_ENTROPY,
    KEY_SHAPED,
    SECRET_ARN,
    env,
    found,
    whole,
)
from tests.policies.test_native import _native_inputs, _Recording

TASK = ce.NATIVE_TASK_DEFINITION
DAEMON = ce.NATIVE_DAEMON_TASK_DEFINITION
JOB = ce.NATIVE_JOB_DEFINITION
RUNNER = ce.NATIVE_APP_RUNNER_SERVICE
EB = ce.NATIVE_BEANSTALK_ENVIRONMENT
EB_TEMPLATE = ce.NATIVE_BEANSTALK_TEMPLATE
NS = ce.BEANSTALK_ENVIRONMENT_NAMESPACE
NATIVE = (TASK, DAEMON, JOB, RUNNER, EB, EB_TEMPLATE)


def run(type_: str, props: dict[str, Any]) -> Reports:
    """What the policy reports, through `PolicySpec.check` (as the CLI calls it), inputs behind the proxy."""
    reports: Reports = []
    args = ResourceValidationArgs(type_, unknown_checking_proxy(props), urn(type_, "r"), "r", None, None, {})  # type: ignore[arg-type]
    ce.NO_SECRETS.check(args, lambda message, urn=None: reports.append((message, urn)))
    return reports


def option(name: str, value: str, namespace: str = NS) -> dict[str, str]:
    return {"namespace": namespace, "optionName": name, "value": value}


@pytest.mark.parametrize(
    ("type_", "props"),
    [
        # native compliance 1: plain settings, the password by reference (secrets / valueFrom)
        (
            TASK,
            {
                "containerDefinitions": [
                    {
                        "name": "app",
                        "image": "nginx",
                        "environment": env(DB_HOST="db.internal", DB_PASSWORD_ARN=SECRET_ARN),
                        "secrets": [{"name": "DB_PASSWORD", "valueFrom": SECRET_ARN}],
                    }
                ]
            },
        ),
        # native compliance 2: a daemon task definition without environment; an SSM path under a password name
        (
            DAEMON,
            {
                "containerDefinitions": [
                    {"name": "agent", "image": "x"},
                    {"name": "side", "image": "x", "environment": env(DB_PASSWORD="/prod/db/password")},
                ]
            },
        ),
        # native compliance 3: Batch container, ECS, EKS and multi-node properties with plain values and secrets by reference
        (
            JOB,
            {
                "containerProperties": {
                    "image": "x",
                    "environment": env(LOG_LEVEL="info"),
                    "secrets": [{"name": "TOKEN", "valueFrom": SECRET_ARN}],
                },
                "ecsProperties": {
                    "taskProperties": [{"containers": [{"name": "j", "environment": env(STAGE="prod")}]}]
                },
                "eksProperties": {"podProperties": {"containers": [{"name": "c", "env": env(MAX_TOKENS="1024")}]}},
                "nodeProperties": {
                    "nodeRangeProperties": [{"targetNodes": "0:", "container": {"environment": env(STAGE="prod")}}]
                },
            },
        ),
        # native compliance 4: App Runner secrets by reference (runtimeEnvironmentSecrets is not judged)
        (
            RUNNER,
            {
                "sourceConfiguration": {
                    "imageRepository": {
                        "imageConfiguration": {
                            "runtimeEnvironmentVariables": env(STAGE="dev"),
                            "runtimeEnvironmentSecrets": env(DB_PASSWORD=SECRET_ARN),
                        }
                    }
                }
            },
        ),
        # native compliance 5: Beanstalk options outside the environment namespace are not environment variables
        (
            EB,
            {
                "optionSettings": [
                    option("SecretKeyName", "hunter2hunter2", "aws:autoscaling:launchconfiguration"),
                    option("STAGE", "dev"),
                ]
            },
        ),
        # native compliance 6: absent inputs
        (EB_TEMPLATE, {"applicationName": "app"}),
        (JOB, {"type": "container"}),
    ],
    ids=lambda v: v.split(":")[-1] if isinstance(v, str) else "",
)
def test_native_compliance(type_: str, props: dict[str, Any]) -> None:
    assert run(type_, props) == []


@pytest.mark.parametrize(
    ("type_", "props", "expected"),
    [
        # native noncompliance 1: a password-like name in an ECS container's environment (objects, not JSON)
        (
            TASK,
            {
                "containerDefinitions": [
                    {"name": "wp", "image": "wordpress", "environment": env(WORDPRESS_DB_PASSWORD="hunter2hunter2")}
                ]
            },
            found("wp WORDPRESS_DB_PASSWORD (a secret-sounding name)"),
        ),
        # native noncompliance 2: a secure: config value and a high-entropy value, in two containers
        (
            TASK,
            {
                "containerDefinitions": [
                    {"name": "a", "environment": env(UPSTREAM="preflight-placeholder-secret")},
                    {"name": "b", "environment": env(CONNECTION=HIGH_ENTROPY)},
                ]
            },
            found("a UPSTREAM (a Pulumi secret (secure: config))", "b CONNECTION (a high-entropy value)"),
        ),
        # native noncompliance 3: a daemon task definition's environment
        (
            DAEMON,
            {"containerDefinitions": [{"name": "agent", "environment": env(KEY_HOLDER=KEY_SHAPED)}]},
            found("agent KEY_HOLDER (an access-key, private-key or token shape)"),
        ),
        # native noncompliance 4: the whole container definitions are a Pulumi secret
        (TASK, {"containerDefinitions": "[secret]"}, whole("the container definitions")),
        # native noncompliance 5: Batch containerProperties environment
        (
            JOB,
            {"containerProperties": {"image": "x", "environment": env(API_KEY="hunter2hunter2")}},
            found("container API_KEY (a secret-sounding name)"),
        ),
        # native noncompliance 6: Batch ecsProperties task containers
        (
            JOB,
            {
                "ecsProperties": {
                    "taskProperties": [
                        {"containers": [{"name": "job", "environment": env(DB_PASSWORD="hunter2hunter2")}]}
                    ]
                }
            },
            found("job DB_PASSWORD (a secret-sounding name)"),
        ),
        # native noncompliance 7: Batch eksProperties app and init containers (`env`)
        (
            JOB,
            {
                "eksProperties": {
                    "podProperties": {
                        "containers": [{"name": "c", "env": env(TOKEN="abc")}],
                        "initContainers": [{"name": "i", "env": env(PRIVATE="-----BEGIN RSA PRIVATE KEY-----x")}],
                    }
                }
            },
            found("c TOKEN (a secret-sounding name)", "i PRIVATE (an access-key, private-key or token shape)"),
        ),
        # native noncompliance 8: a multi-node job's node ranges (container, ecsProperties, eksProperties)
        (
            JOB,
            {
                "nodeProperties": {
                    "mainNode": 0,
                    "numNodes": 2,
                    "nodeRangeProperties": [
                        {"targetNodes": "0", "container": {"environment": env(DB_PASS="hunter2hunter2")}},
                        {
                            "targetNodes": "1",
                            "ecsProperties": {
                                "taskProperties": [
                                    {"containers": [{"name": "n1", "environment": env(GH="ghp_abcdefghijklmnop")}]}
                                ]
                            },
                        },
                        {
                            "targetNodes": "2:",
                            "eksProperties": {
                                "podProperties": {"containers": [{"name": "n2", "env": env(SECRET="hunter2hunter2")}]}
                            },
                        },
                    ],
                }
            },
            found(
                "container DB_PASS (a secret-sounding name)",
                "n1 GH (an access-key, private-key or token shape)",
                "n2 SECRET (a secret-sounding name)",
            ),
        ),
        # native noncompliance 9: App Runner image and code runtime environment variables ({name, value} lists)
        (
            RUNNER,
            {
                "sourceConfiguration": {
                    "imageRepository": {
                        "imageConfiguration": {"runtimeEnvironmentVariables": env(DB_PASSWORD="hunter2hunter2")}
                    },
                    "codeRepository": {
                        "codeConfiguration": {
                            "codeConfigurationValues": {"runtimeEnvironmentVariables": env(GH="ghp_abcdefghijklmnop")}
                        }
                    },
                }
            },
            found("image DB_PASSWORD (a secret-sounding name)", "code GH (an access-key, private-key or token shape)"),
        ),
        # native noncompliance 10: the App Runner variables are a Pulumi secret as a whole
        (
            RUNNER,
            {
                "sourceConfiguration": {
                    "imageRepository": {"imageConfiguration": {"runtimeEnvironmentVariables": "[secret]"}}
                }
            },
            whole("the runtime environment variables"),
        ),
        # native noncompliance 11: Elastic Beanstalk environment properties (environment and configuration template)
        (
            EB,
            {"optionSettings": [option("RDS_PASSWORD", "hunter2hunter2")]},
            found("environment RDS_PASSWORD (a secret-sounding name)"),
        ),
        (
            EB_TEMPLATE,
            {"optionSettings": [option("KEY", KEY_SHAPED)]},
            found("environment KEY (an access-key, private-key or token shape)"),
        ),
        # native noncompliance 12: the option settings are a Pulumi secret as a whole
        (EB, {"optionSettings": "[secret]"}, whole("the option settings")),
    ],
    ids=lambda v: v.split(":")[-1] if isinstance(v, str) else "",
)
def test_native_noncompliance(type_: str, props: dict[str, Any], expected: list[tuple[str, None]]) -> None:
    assert run(type_, props) == expected


def test_one_unknown_native_value_is_noted_after_the_known_ones_are_judged() -> None:
    props = {
        "containerDefinitions": [
            {"name": "a", "environment": [{"name": "DB_HOST", "value": UNKNOWN_STRING_VALUE}]},
            {"name": "b", "environment": env(DB_PASSWORD="hunter2hunter2")},
        ]
    }
    reports: Reports = []
    args = ResourceValidationArgs(TASK, unknown_checking_proxy(props), urn(TASK, "r"), "r", None, None, {})  # type: ignore[arg-type]
    with pytest.raises(UnknownValueError):
        ce.NO_SECRETS.check(args, lambda message, urn=None: reports.append((message, urn)))
    assert reports == found("b DB_PASSWORD (a secret-sounding name)")


# ------------------------------------------------------------------------- paths against the SDK

#: Every plain environment variable a fully populated input of each type holds, as `where name=value` with the
#: SDK's own dotted input paths (tests.policies.test_native's _Recording writes `<path>` into every value).
SDK_PATHS: dict[str, set[str]] = {
    TASK: {
        "<containerDefinitions.name> <containerDefinitions.environment.name>=<containerDefinitions.environment.value>"
    },
    DAEMON: {
        "<containerDefinitions.name> <containerDefinitions.environment.name>=<containerDefinitions.environment.value>"
    },
    JOB: {
        "container <containerProperties.environment.name>=<containerProperties.environment.value>",
        "<ecsProperties.taskProperties.containers.name> <ecsProperties.taskProperties.containers.environment.name>=<ecsProperties.taskProperties.containers.environment.value>",
        "<eksProperties.podProperties.containers.name> <eksProperties.podProperties.containers.env.name>=<eksProperties.podProperties.containers.env.value>",
        "<eksProperties.podProperties.initContainers.name> <eksProperties.podProperties.initContainers.env.name>=<eksProperties.podProperties.initContainers.env.value>",
        "container <nodeProperties.nodeRangeProperties.container.environment.name>=<nodeProperties.nodeRangeProperties.container.environment.value>",
        "<nodeProperties.nodeRangeProperties.ecsProperties.taskProperties.containers.name> <nodeProperties.nodeRangeProperties.ecsProperties.taskProperties.containers.environment.name>=<nodeProperties.nodeRangeProperties.ecsProperties.taskProperties.containers.environment.value>",
        "<nodeProperties.nodeRangeProperties.eksProperties.podProperties.containers.name> <nodeProperties.nodeRangeProperties.eksProperties.podProperties.containers.env.name>=<nodeProperties.nodeRangeProperties.eksProperties.podProperties.containers.env.value>",
        "<nodeProperties.nodeRangeProperties.eksProperties.podProperties.initContainers.name> <nodeProperties.nodeRangeProperties.eksProperties.podProperties.initContainers.env.name>=<nodeProperties.nodeRangeProperties.eksProperties.podProperties.initContainers.env.value>",
    },
    RUNNER: {
        "image <sourceConfiguration.imageRepository.imageConfiguration.runtimeEnvironmentVariables.name>=<sourceConfiguration.imageRepository.imageConfiguration.runtimeEnvironmentVariables.value>",
        "code <sourceConfiguration.codeRepository.codeConfiguration.codeConfigurationValues.runtimeEnvironmentVariables.name>=<sourceConfiguration.codeRepository.codeConfiguration.codeConfigurationValues.runtimeEnvironmentVariables.value>",
    },
}


@pytest.mark.parametrize("type_", sorted(SDK_PATHS))
def test_native_readers_follow_the_sdk_input_types(type_: str) -> None:
    """A misspelt input name reads nothing from a fully populated SDK-shaped input, so its path goes missing."""
    shape = _native_inputs(type_)
    read: set[str] = set()
    variables = list(ce.READERS[type_](_Recording(shape, read)))
    seen = set()
    for variable in variables:
        name, value = variable.read()
        seen.add(f"{variable.where} {name}={value}")
    assert seen == SDK_PATHS[type_]


@pytest.mark.parametrize("type_", [EB, EB_TEMPLATE])
def test_beanstalk_option_settings_follow_the_sdk_input_types(type_: str) -> None:
    """The option-setting fields the reader uses are the SDK's (the namespace must match, so it is set)."""
    fields = _native_inputs(type_).fields
    nested = fields["optionSettings"][0]
    assert nested is not None and fields["optionSettings"][1]
    assert {"namespace", "optionName", "value"} <= set(nested.fields)
    assert run(type_, {"optionSettings": [option("DB_PASSWORD", "hunter2hunter2")]}) == found(
        "environment DB_PASSWORD (a secret-sounding name)"
    )


def test_native_container_types_are_judged_not_reported_as_unjudged() -> None:
    pack = all_policies()
    assert [t for t in NATIVE if not_judged(t, pack)] == []


# ------------------------------------------------------------------------------ a real program, synthesised

NATIVE_PROGRAM = """
import pulumi_aws_native as native
cfg = pulumi.Config()
password = cfg.require_secret("dbPassword")
ARN = "arn:aws:ssm:us-east-1:111122223333:parameter/db/pass"
native.ecs.TaskDefinition("leaky", family="leaky", container_definitions=[
    native.ecs.TaskDefinitionContainerDefinitionArgs(name="app", image="nginx",
        environment=[native.ecs.TaskDefinitionKeyValuePairArgs(name="UPSTREAM", value=password)])])
native.ecs.TaskDefinition("literal", family="literal", container_definitions=[
    {"name": "app", "image": "mysql", "environment": [{"name": "MYSQL_ROOT_PASSWORD", "value": "example"}]}])
native.ecs.TaskDefinition("by_reference", family="by-reference", container_definitions=[
    {"name": "app", "image": "nginx", "secrets": [{"name": "DB_PASS", "value_from": ARN}]}])
native.apprunner.Service("runner", source_configuration={"image_repository": {
    "image_identifier": "public.ecr.aws/nginx/nginx:latest", "image_repository_type": "ECR_PUBLIC",
    "image_configuration": {"runtime_environment_variables": [{"name": "DB_PASSWORD", "value": "hunter2hunter2"}]}}})
native.elasticbeanstalk.Environment("eb", application_name="app", option_settings=[
    {"namespace": "aws:elasticbeanstalk:application:environment", "option_name": "STAGE", "value": "prod"}])
native.lambda_.Function("fn", role="arn:aws:iam::111122223333:role/fn", runtime="python3.12",
    handler="index.handler", code={"zip_file": "def handler(e, c):\\n    return None\\n"},
    environment={"variables": {"DB_PASSWORD": "hunter2hunter2"}})
"""


def test_a_native_program_with_secrets_in_container_environments(tmp_path: Path) -> None:
    body = NATIVE_PROGRAM
    graph = synth(tmp_path, body.replace('cfg.require_secret("dbPassword")', 'pulumi.Output.secret("s3cr3t")'))
    assert flagged(graph, "container-no-secrets-in-environment") == {"leaky", "literal", "runner"}
    # aws-native Lambda environments are judged by the Lambda rule, through the function's pulumi-aws view
    assert flagged(graph, "lambda-no-secrets-in-environment") == {"fn"}
    assert flagged(graph, "resource-not-judged") & {"leaky", "literal", "by_reference", "runner", "eb"} == set()
