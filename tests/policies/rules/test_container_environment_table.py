"""container-no-secrets-in-environment called directly (cdk-nag style): compliant and numbered non-compliant
cases for every place pulumi-aws 7.51.1 keeps a plain container environment, with exact messages (issue 11 §4)."""
# ruff: noqa: E501  (one case per line reads as a table)

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pulumi_policy import ResourceValidationArgs
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, UnknownValueError, unknown_checking_proxy

from policies.rules import container_environment as ce
from preflight.engine import synthesize
from preflight.gate import run_gate
from tests.policies.conftest import HEADER, flagged
from tests.policies.rules.calls import Reports, urn
from tests.preflight.programs import write_program
from tests.preflight.public_programs import PROGRAMS

SECRET_ARN = "arn:aws:secretsmanager:us-east-1:111122223333:secret:db-AbCdEf"
KEY_SHAPED = "AKIAIOSFODNN7EXAMPLE"
HIGH_ENTROPY = "q8Zr3LmN0vT5yWb2XkP7sJd4FhG6aQe1"


def run(type_: str, props: dict[str, Any]) -> Reports:
    """What the policy reports, with the inputs behind the pack's unknown-checking proxy (as under the CLI)."""
    reports: Reports = []
    args = ResourceValidationArgs(type_, unknown_checking_proxy(props), urn(type_, "r"), "r", None, None, {})  # type: ignore[arg-type]
    ce.NO_SECRETS.validate(args, lambda message, urn=None: reports.append((message, urn)))
    return reports


def task(*containers: dict[str, Any]) -> dict[str, Any]:
    return {"family": "app", "containerDefinitions": json.dumps(list(containers))}


def env(**variables: str) -> list[dict[str, str]]:
    return [{"name": k, "value": v} for k, v in variables.items()]


def found(*items: str) -> list[tuple[str, None]]:
    return [(f"r: plain environment variables hold secrets: {', '.join(items)}.", None)]


def whole(what: str) -> list[tuple[str, None]]:
    return [
        (
            f"r: {what} hold a Pulumi secret (secure: config or a secret output), stored in plain text in the resource's configuration.",
            None,
        )
    ]


TASK = ce.TASK_DEFINITION
JOB = ce.JOB_DEFINITION
RUNNER = ce.APP_RUNNER_SERVICE
EB = ce.BEANSTALK_ENVIRONMENT
EB_TEMPLATE = ce.BEANSTALK_TEMPLATE
NS = ce.BEANSTALK_ENVIRONMENT_NAMESPACE


@pytest.mark.parametrize(
    ("type_", "props"),
    [
        # compliance 1: plain configuration, and the password by reference (`secrets` / valueFrom)
        (
            TASK,
            task(
                {
                    "name": "app",
                    "image": "nginx",
                    "environment": env(DB_HOST="db.internal", DB_PASSWORD_ARN=SECRET_ARN),
                    "secrets": [{"name": "DB_PASSWORD", "valueFrom": SECRET_ARN}],
                }
            ),
        ),
        # compliance 2: no environment at all, and an SSM parameter path by name
        (
            TASK,
            task(
                {"name": "app", "image": "nginx"},
                {"name": "side", "image": "x", "environment": env(DB_PASSWORD="/prod/db/password")},
            ),
        ),
        # compliance 3: Batch container with secrets by reference; EKS envs that are plain settings
        (
            JOB,
            {
                "type": "container",
                "containerProperties": json.dumps(
                    {
                        "image": "x",
                        "environment": env(LOG_LEVEL="info"),
                        "secrets": [{"name": "TOKEN", "valueFrom": SECRET_ARN}],
                    }
                ),
                "eksProperties": {"podProperties": {"containers": [{"name": "c", "envs": env(MAX_TOKENS="1024")}]}},
            },
        ),
        # compliance 4: App Runner secrets by reference (runtimeEnvironmentSecrets is not judged)
        (
            RUNNER,
            {
                "sourceConfiguration": {
                    "imageRepository": {
                        "imageConfiguration": {
                            "runtimeEnvironmentVariables": {"STAGE": "dev"},
                            "runtimeEnvironmentSecrets": {"DB_PASSWORD": SECRET_ARN},
                        }
                    }
                }
            },
        ),
        # compliance 5: Beanstalk settings outside the environment namespace are not environment variables
        (
            EB,
            {
                "settings": [
                    {
                        "namespace": "aws:autoscaling:launchconfiguration",
                        "name": "SecretKeyName",
                        "value": "hunter2hunter2",
                    },
                    {"namespace": NS, "name": "STAGE", "value": "dev"},
                ]
            },
        ),
        # compliance 6: not JSON (the provider refuses it at deploy) and absent inputs
        (TASK, {"family": "app", "containerDefinitions": "not json"}),
        (JOB, {"type": "container"}),
        # compliance 7: a multi-node job whose node ranges hold plain settings and secrets by reference
        (
            JOB,
            {
                "type": "multinode",
                "nodeProperties": json.dumps(
                    {
                        "nodeRangeProperties": [
                            {
                                "targetNodes": "0:",
                                "container": {
                                    "environment": env(STAGE="prod"),
                                    "secrets": [{"name": "DB_PASSWORD", "valueFrom": SECRET_ARN}],
                                },
                            }
                        ]
                    }
                ),
            },
        ),
    ],
    ids=lambda v: v.split(":")[1] if isinstance(v, str) else "",
)
def test_compliance(type_: str, props: dict[str, Any]) -> None:
    assert run(type_, props) == []


@pytest.mark.parametrize(
    ("type_", "props", "expected"),
    [
        # noncompliance 1: a password-like name in an ECS container's environment (the WordPress shape)
        (
            TASK,
            task(
                {
                    "name": "wp",
                    "image": "wordpress",
                    "environment": env(WORDPRESS_DB_HOST="db:3306", WORDPRESS_DB_PASSWORD="hunter2hunter2"),
                }
            ),
            found("wp WORDPRESS_DB_PASSWORD (a secret-sounding name)"),
        ),
        # noncompliance 2: a secure: config value as the offline graph shows it, under an innocent name
        (
            TASK,
            task({"name": "app", "environment": env(UPSTREAM="preflight-placeholder-secret")}),
            found("app UPSTREAM (a Pulumi secret (secure: config))"),
        ),
        # noncompliance 3: an access-key shape and a high-entropy value, in two containers
        (
            TASK,
            task(
                {"name": "a", "environment": env(KEY_HOLDER=KEY_SHAPED)},
                {"name": "b", "environment": env(CONNECTION=HIGH_ENTROPY)},
            ),
            found("a KEY_HOLDER (an access-key, private-key or token shape)", "b CONNECTION (a high-entropy value)"),
        ),
        # noncompliance 4: the whole container definitions are a Pulumi secret (Output.json_dumps of a secret)
        (TASK, {"family": "app", "containerDefinitions": "[secret]"}, whole("the container definitions")),
        # noncompliance 5: Batch containerProperties environment
        (
            JOB,
            {"containerProperties": json.dumps({"image": "x", "environment": env(API_KEY="hunter2hunter2")})},
            found("container API_KEY (a secret-sounding name)"),
        ),
        # noncompliance 6: Batch ecsProperties task containers
        (
            JOB,
            {
                "ecsProperties": json.dumps(
                    {
                        "taskProperties": [
                            {"containers": [{"name": "job", "environment": env(DB_PASSWORD="hunter2hunter2")}]}
                        ]
                    }
                )
            },
            found("job DB_PASSWORD (a secret-sounding name)"),
        ),
        # noncompliance 7: Batch eksProperties init and app containers (envs)
        (
            JOB,
            {
                "eksProperties": {
                    "podProperties": {
                        "containers": [{"name": "c", "envs": env(TOKEN="abc")}],
                        "initContainers": [{"name": "i", "envs": env(PRIVATE="-----BEGIN RSA PRIVATE KEY-----x")}],
                    }
                }
            },
            found("c TOKEN (a secret-sounding name)", "i PRIVATE (an access-key, private-key or token shape)"),
        ),
        # noncompliance 8: App Runner image and code runtime environment variables
        (
            RUNNER,
            {
                "sourceConfiguration": {
                    "imageRepository": {
                        "imageConfiguration": {"runtimeEnvironmentVariables": {"DB_PASSWORD": "hunter2hunter2"}}
                    },
                    "codeRepository": {
                        "codeConfiguration": {
                            "codeConfigurationValues": {"runtimeEnvironmentVariables": {"GH": "ghp_abcdefghijklmnop"}}
                        }
                    },
                }
            },
            found("image DB_PASSWORD (a secret-sounding name)", "code GH (an access-key, private-key or token shape)"),
        ),
        # noncompliance 9: the App Runner variables map is a Pulumi secret as a whole
        (
            RUNNER,
            {
                "sourceConfiguration": {
                    "imageRepository": {"imageConfiguration": {"runtimeEnvironmentVariables": "[secret]"}}
                }
            },
            whole("the runtime environment variables"),
        ),
        # noncompliance 10: Elastic Beanstalk environment properties (environment and configuration template)
        (
            EB,
            {"settings": [{"namespace": NS, "name": "RDS_PASSWORD", "value": "hunter2hunter2"}]},
            found("environment RDS_PASSWORD (a secret-sounding name)"),
        ),
        (
            EB_TEMPLATE,
            {"settings": [{"namespace": NS, "name": "KEY", "value": KEY_SHAPED}]},
            found("environment KEY (an access-key, private-key or token shape)"),
        ),
        # noncompliance 11: a multi-node Batch job's nodeProperties (JSON): container, ECS and EKS (`env`) node ranges
        (
            JOB,
            {
                "type": "multinode",
                "nodeProperties": json.dumps(
                    {
                        "mainNode": 0,
                        "numNodes": 3,
                        "nodeRangeProperties": [
                            {
                                "targetNodes": "0",
                                "container": {"image": "x", "environment": env(DB_PASSWORD="hunter2hunter2")},
                            },
                            {
                                "targetNodes": "1",
                                "ecsProperties": {
                                    "taskProperties": [
                                        {"containers": [{"name": "n1", "environment": env(KEY=KEY_SHAPED)}]}
                                    ]
                                },
                            },
                            {
                                "targetNodes": "2:",
                                "EksProperties": {
                                    "podProperties": {
                                        "initContainers": [{"name": "n2", "env": env(CONNECTION=HIGH_ENTROPY)}]
                                    }
                                },
                            },
                        ],
                    }
                ),
            },
            found(
                "container DB_PASSWORD (a secret-sounding name)",
                "n1 KEY (an access-key, private-key or token shape)",
                "n2 CONNECTION (a high-entropy value)",
            ),
        ),
        # noncompliance 12: the node properties are a Pulumi secret as a whole
        (JOB, {"type": "multinode", "nodeProperties": "[secret]"}, whole("the node properties")),
    ],
    ids=lambda v: v.split(":")[1] if isinstance(v, str) else "",
)
def test_noncompliance(type_: str, props: dict[str, Any], expected: list[tuple[str, None]]) -> None:
    assert run(type_, props) == expected


def test_one_unknown_value_is_noted_after_the_known_ones_are_judged() -> None:
    props = {
        "settings": [
            {"namespace": NS, "name": "DB_HOST", "value": UNKNOWN_STRING_VALUE},
            {"namespace": NS, "name": "DB_PASSWORD", "value": "hunter2hunter2"},
        ]
    }
    reports: Reports = []
    args = ResourceValidationArgs(EB, unknown_checking_proxy(props), urn(EB, "r"), "r", None, None, {})  # type: ignore[arg-type]
    with pytest.raises(UnknownValueError):
        ce.NO_SECRETS.validate(args, lambda message, urn=None: reports.append((message, urn)))
    assert reports == found("environment DB_PASSWORD (a secret-sounding name)")


# ------------------------------------------------------------------------------ real program shapes, synthesised

SECURE_CONFIG_TASK = """
cfg = pulumi.Config()
password = cfg.require_secret("dbPassword")
aws.ecs.TaskDefinition("leaky", family="leaky", container_definitions=pulumi.Output.json_dumps([{
    "name": "app", "image": "nginx", "environment": [{"name": "DB_PASS", "value": password}]}]))
aws.ecs.TaskDefinition("by-reference", family="by-reference", container_definitions=json.dumps([{
    "name": "app", "image": "nginx",
    "secrets": [{"name": "DB_PASS", "valueFrom": "arn:aws:ssm:us-east-1:111122223333:parameter/db/pass"}]}]))
aws.ecs.TaskDefinition("literal", family="literal", container_definitions=json.dumps([{
    "name": "app", "image": "nginx", "environment": [{"name": "MYSQL_ROOT_PASSWORD", "value": "example"}]}]))
"""


def test_a_secure_config_value_and_a_literal_password_in_task_definitions(tmp_path: Path) -> None:
    config = {"policytest:dbPassword": {"secure": "AAABAxyz"}}
    directory = write_program(tmp_path / "p", HEADER + SECURE_CONFIG_TASK, name="policytest", config=config)
    graph = synthesize(directory, "dev")
    assert flagged(graph, "container-no-secrets-in-environment") == {"leaky", "literal"}


def test_the_public_wordpress_on_fargate_program_leaks_its_database_password(tmp_path: Path) -> None:
    """aws-py-wordpress-fargate-rds passes its random password as WORDPRESS_DB_PASSWORD (a secret output)."""
    program = PROGRAMS["wordpress-fargate-rds"]
    directory = write_program(
        tmp_path / "wp", program.main, name=program.name, config=program.config, files=program.files
    )
    report = run_gate(directory, "dev", checkov=False)
    leaks = [f for f in report.mandatory if f.policy == "container-no-secrets-in-environment"]
    assert [f.resource for f in leaks] == ["my-wp-demo-fe-app-task"]
    fargate = PROGRAMS["fargate"]  # nginx on Fargate: no environment at all
    clean = write_program(
        tmp_path / "fargate", fargate.main, name=fargate.name, config=fargate.config, files=fargate.files
    )
    assert "container-no-secrets-in-environment" not in {
        f.policy for f in run_gate(clean, "dev", checkov=False).violations
    }


# ------------------------------------------------- keys in any case (the provider decodes with Go's encoding/json)


@pytest.mark.parametrize(
    ("type_", "props"),
    [
        # case-insensitive compliance 1: PascalCase (the CloudFormation spelling) with plain settings and secrets by reference
        (
            TASK,
            task(
                {
                    "Name": "app",
                    "Image": "nginx",
                    "Environment": [{"Name": "STAGE", "Value": "prod"}],
                    "Secrets": [{"Name": "DB_PASSWORD", "ValueFrom": SECRET_ARN}],
                }
            ),
        ),
        # case-insensitive compliance 2: two spellings of environment, both plain
        (TASK, task({"name": "app", "environment": env(STAGE="prod"), "ENVIRONMENT": env(LOG_LEVEL="info")})),
        # case-insensitive compliance 3: Batch PascalCase keys, plain values; a key that is not environment at all
        (
            JOB,
            {
                "containerProperties": json.dumps(
                    {
                        "Environment": [{"Name": "STAGE", "Value": "prod"}],
                        "environmentFiles": [{"value": "hunter2hunter2", "type": "s3"}],
                    }
                )
            },
        ),
    ],
)
def test_compliance_in_any_case(type_: str, props: dict[str, Any]) -> None:
    assert run(type_, props) == []


@pytest.mark.parametrize(
    ("type_", "props", "expected"),
    [
        # case-insensitive noncompliance 1: PascalCase throughout (the review's repro)
        (
            TASK,
            task(
                {"Name": "app", "Image": "nginx", "Environment": [{"Name": "DB_PASSWORD", "Value": "hunter2hunter2"}]}
            ),
            found("app DB_PASSWORD (a secret-sounding name)"),
        ),
        # case-insensitive noncompliance 2: only the inner name/value are PascalCase
        (
            TASK,
            task({"name": "app", "environment": [{"Name": "DB_PASSWORD", "Value": "hunter2hunter2"}]}),
            found("app DB_PASSWORD (a secret-sounding name)"),
        ),
        # case-insensitive noncompliance 3: mixed case keys
        (
            TASK,
            task({"nAmE": "app", "eNvIrOnMeNt": [{"NAME": "KEY_HOLDER", "vAlUe": KEY_SHAPED}]}),
            found("app KEY_HOLDER (an access-key, private-key or token shape)"),
        ),
        # case-insensitive noncompliance 4: two environment keys differing in case, the secret in the second
        (
            TASK,
            task({"name": "app", "environment": env(STAGE="prod"), "Environment": env(DB_PASSWORD="hunter2hunter2")}),
            found("app DB_PASSWORD (a secret-sounding name)"),
        ),
        # case-insensitive noncompliance 5: two value keys differing in case in one entry, the secret in either
        (
            TASK,
            task({"name": "app", "environment": [{"name": "CONNECTION", "value": "x", "VALUE": HIGH_ENTROPY}]}),
            found("app CONNECTION (a high-entropy value)"),
        ),
        # case-insensitive noncompliance 6: Unicode folding as Go does it (U+212A KELVIN SIGN for the k of taskProperties, U+017F LONG S for the s of containers)
        (
            JOB,
            {
                "ecsProperties": json.dumps(
                    {
                        "tas\u212aProperties": [
                            {"container\u017f": [{"Name": "job", "Environment": env(DB_PASSWORD="hunter2hunter2")}]}
                        ]
                    }
                )
            },
            found("job DB_PASSWORD (a secret-sounding name)"),
        ),
        # case-insensitive noncompliance 7: Batch containerProperties in PascalCase
        (
            JOB,
            {
                "containerProperties": json.dumps(
                    {"Image": "x", "Environment": [{"Name": "API_KEY", "Value": "hunter2hunter2"}]}
                )
            },
            found("container API_KEY (a secret-sounding name)"),
        ),
        # case-insensitive noncompliance 8: a stream of two JSON values (the provider's decoder reads both), the secret in the second
        (
            TASK,
            {
                "containerDefinitions": json.dumps([{"name": "a"}])
                + " "
                + json.dumps([{"name": "b", "environment": env(DB_PASSWORD="hunter2hunter2")}])
            },
            found("b DB_PASSWORD (a secret-sounding name)"),
        ),
    ],
)
def test_noncompliance_in_any_case(type_: str, props: dict[str, Any], expected: list[tuple[str, None]]) -> None:
    assert run(type_, props) == expected


# ------------------------------------------ credential shapes the one classifier knows (container and Lambda alike)


def test_compliance_credential_shapes() -> None:
    """compliance: URLs without a password, counts, references under password-like names."""
    variables = env(
        DATABASE_URL="postgres://db.internal:5432/app",
        API_URL="https://user@api.example.com/v1",
        MAX_OUTPUT_TOKENS="1024",
        TOKEN_BUDGET="4000",
        DB_PASS_ARN=SECRET_ARN,
        DB_PASS="/prod/db/pass",
    )
    assert run(TASK, task({"name": "app", "environment": variables})) == []


@pytest.mark.parametrize(
    ("variables", "expected"),
    [
        # credential noncompliance 1: a password in a URL, under an exempt-looking _URL name
        (
            env(DATABASE_URL="postgres://admin:Sup3rS3cretPw@db.internal:5432/app"),
            found("app DATABASE_URL (a URL with a password in it)"),
        ),
        # credential noncompliance 2: a JDBC URL with credentials under an innocent name
        (env(UPSTREAM="jdbc:mysql://root:pw@db/app"), found("app UPSTREAM (a URL with a password in it)")),
        # credential noncompliance 3: DB_PASS / MYSQL_PASS names
        (
            env(DB_PASS="hunter2hunter2", MYSQL_PASS="hunter2"),
            found("app DB_PASS (a secret-sounding name)", "app MYSQL_PASS (a secret-sounding name)"),
        ),
        # credential noncompliance 4: an all-digit password
        (env(DB_PASSWORD="83920174"), found("app DB_PASSWORD (a secret-sounding name)")),
    ],
)
def test_noncompliance_credential_shapes(variables: list[dict[str, str]], expected: list[tuple[str, None]]) -> None:
    assert run(TASK, task({"name": "app", "environment": variables})) == expected
