"""container-no-secrets-in-environment on the shapes the table tests leave out (bench/MUTATION.md run J): a
container without a name, JSON documents whose parts are not the objects or lists the API expects (judged as
nothing, never a crash), a JSON input given as an object, a Pulumi secret in each place that can hold one (each
message names that place), another namespace's Elastic Beanstalk settings, and the EKS `containers` of a node
range."""
# ruff: noqa: E501  (one case per line reads as a table)

from __future__ import annotations

import json
from typing import Any

import pytest

from policies.rules import container_environment as ce
from tests.policies.rules import test_container_environment_native as native
from tests.policies.rules.test_container_environment_table import (
    EB,
    JOB,
    NS,
    TASK,
    env,
    found,
    run,
    task,
    whole,
)

PASSWORD = env(DB_PASSWORD="hunter2hunter2")


def _nodes(*ranges: dict[str, Any]) -> dict[str, Any]:
    return {"type": "multinode", "nodeProperties": json.dumps({"mainNode": 0, "nodeRangeProperties": list(ranges)})}


@pytest.mark.parametrize(
    ("type_", "props", "expected"),
    [
        # a container without a name is named by its position
        (TASK, task({"image": "nginx", "environment": env(STAGE="prod")}, {"image": "x", "environment": PASSWORD}), found("container 1 DB_PASSWORD (a secret-sounding name)")),
        # parts of a JSON document that are not what the API takes: nothing to judge, and no crash
        (JOB, {"ecsProperties": json.dumps([1, 2])}, []),
        (JOB, {"ecsProperties": json.dumps({"taskProperties": 5})}, []),
        (JOB, _nodes({"targetNodes": "0", "eksProperties": 5}), []),
        (JOB, _nodes({"targetNodes": "0", "eksProperties": {"podProperties": 5}}), []),
        (EB, {}, []),
        # the EKS app containers of a node range (`env`, as the API names it)
        (JOB, _nodes({"targetNodes": "0", "eksProperties": {"podProperties": {"containers": [{"name": "n0", "env": PASSWORD}]}}}), found("n0 DB_PASSWORD (a secret-sounding name)")),
        # a Pulumi secret inside a decoded document: the document's text holds its plaintext
        (JOB, {"containerProperties": json.dumps({"image": "x", "environment": "[secret]"})}, whole("the container properties")),
        (JOB, {"ecsProperties": json.dumps({"taskProperties": [{"containers": [{"name": "j", "environment": "[secret]"}]}]})}, whole("the ECS properties")),
        (JOB, _nodes({"targetNodes": "0", "eksProperties": {"podProperties": {"initContainers": [{"name": "i", "env": "[secret]"}]}}}), whole("the node properties")),
        (EB, {"settings": "[secret]"}, whole("the settings")),
        (EB, {"settings": [{"namespace": NS, "name": "STAGE", "value": "prod"}]}, []),
        (EB, {"settings": "not a list"}, []),
        (EB, {"settings": [{"namespace": "aws:autoscaling:launchconfiguration", "name": "DB_PASSWORD", "value": "hunter2hunter2"}, "not a setting"]}, []),
        (JOB, {"nodeProperties": json.dumps([1])}, []),
        (JOB, {"nodeProperties": json.dumps({"nodeRangeProperties": 5})}, []),
        # a whole document, or one environment inside it, is a Pulumi secret: the message names the input
        (TASK, task({"name": "a", "environment": "[secret]"}), whole("the container definitions")),
        (JOB, {"containerProperties": "[secret]"}, whole("the container properties")),
        (JOB, {"ecsProperties": "[secret]"}, whole("the ECS properties")),
        (JOB, {"eksProperties": {"podProperties": {"containers": [{"name": "c", "envs": "[secret]"}]}}}, whole("the EKS properties")),
        (JOB, _nodes({"targetNodes": "0", "container": {"image": "x", "environment": "[secret]"}}), whole("the node properties")),
        (JOB, _nodes({"targetNodes": "0", "ecsProperties": {"taskProperties": [{"containers": [{"name": "n", "environment": "[secret]"}]}]}}), whole("the node properties")),
        (JOB, _nodes({"targetNodes": "0", "eksProperties": {"podProperties": {"containers": [{"name": "n", "env": "[secret]"}]}}}), whole("the node properties")),
        # a JSON input given as an object (where the schema says JSON text) is judged too, by the schema's key names
        (TASK, {"containerDefinitions": [{"name": "app", "environment": PASSWORD}]}, found("app DB_PASSWORD (a secret-sounding name)")),
        (JOB, {"containerProperties": {"image": "x", "environment": PASSWORD}}, found("container DB_PASSWORD (a secret-sounding name)")),
        (JOB, {"ecsProperties": {"taskProperties": [{"containers": [{"name": "e", "environment": PASSWORD}]}]}}, found("e DB_PASSWORD (a secret-sounding name)")),
        (
            JOB,
            {"nodeProperties": {"nodeRangeProperties": [
                {"container": {"environment": env(API_KEY="hunter2hunter2")}},
                {"ecsProperties": {"taskProperties": [{"containers": [{"name": "e", "environment": env(TOKEN="abc")}]}]}},
                {"eksProperties": {"podProperties": {"containers": [{"name": "c", "env": env(SECRET="abc")}], "initContainers": [{"name": "i", "env": PASSWORD}]}}},
            ]}},
            found("container API_KEY (a secret-sounding name)", "e TOKEN (a secret-sounding name)", "c SECRET (a secret-sounding name)", "i DB_PASSWORD (a secret-sounding name)"),
        ),
    ],
    ids=["unnamed", "ecs_list", "tasks_number", "eks_number", "pod_number", "no_settings", "node_eks_containers",
         "container_secret", "ecs_secret", "node_secret", "settings_secret", "settings_plain", "settings_text",
         "other_namespace", "nodes_list", "ranges_number", "task_env_secret", "container_properties_secret",
         "ecs_properties_secret", "eks_env_secret", "node_container_secret", "node_ecs_secret", "node_eks_secret",
         "task_object", "container_object", "ecs_object", "nodes_object"],
)  # fmt: skip
def test_shapes(type_: str, props: dict[str, Any], expected: list[tuple[str, None]]) -> None:
    assert run(type_, props) == expected


def test_the_whole_secret_names_what_holds_it() -> None:
    assert ce.WholeSecretError("the settings").what == "the settings"


NATIVE_WHOLE = whole("the job definition's containers")


@pytest.mark.parametrize(
    ("type_", "props", "expected"),
    [
        (native.TASK, {"containerDefinitions": [{"name": "a", "environment": "[secret]"}]}, whole("the container definitions")),
        (native.JOB, {"containerProperties": "[secret]"}, NATIVE_WHOLE),
        (native.JOB, {"containerProperties": {"environment": "[secret]"}}, NATIVE_WHOLE),
        (native.JOB, {"ecsProperties": {"taskProperties": "[secret]"}}, NATIVE_WHOLE),
        (native.JOB, {"ecsProperties": {"taskProperties": [{"containers": "[secret]"}]}}, NATIVE_WHOLE),
        (native.JOB, {"ecsProperties": {"taskProperties": [{"containers": [{"name": "t", "environment": "[secret]"}]}]}}, NATIVE_WHOLE),
        (native.JOB, {"eksProperties": {"podProperties": {"containers": "[secret]"}}}, NATIVE_WHOLE),
        (native.JOB, {"eksProperties": {"podProperties": {"initContainers": [{"name": "i", "env": "[secret]"}]}}}, NATIVE_WHOLE),
        (native.JOB, {"nodeProperties": {"nodeRangeProperties": "[secret]"}}, NATIVE_WHOLE),
        (native.JOB, {"nodeProperties": {"nodeRangeProperties": [{"container": "[secret]"}]}}, NATIVE_WHOLE),
        (native.EB, {"optionSettings": [native.option("DB_PASSWORD", "hunter2hunter2", "aws:autoscaling:launchconfiguration"), "not a setting"]}, []),
    ],
    ids=["task_env", "container", "container_env", "tasks", "task_containers", "task_env", "eks_containers",
         "eks_init_env", "node_ranges", "node_container", "other_namespace"],
)  # fmt: skip
def test_native_shapes(type_: str, props: dict[str, Any], expected: list[tuple[str, None]]) -> None:
    assert native.run(type_, props) == expected
