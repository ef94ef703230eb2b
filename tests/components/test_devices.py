"""DeviceFleet in prod's example config: thing-bound identity, pinned artifact, never root, telemetry into the core."""

from __future__ import annotations

import json
from typing import Any

import pytest

from components.devices import COMPONENT_USER, THING_NAME, device_artifact, sha256_b64
from policies.registry import by_name
from preflight.engine import synthesize
from preflight.findings import Level
from preflight.graph import ResourceGraph
from preflight.policy_runner import PolicySetting, run_policies
from tests.components.conftest import REPO_ROOT
from tests.components.conftest import only_named as _one

DEVICE_POLICIES = (
    "iot-policy-least-privilege",
    "iot-attached-policy-bound-to-thing",
    "greengrass-artifacts-pinned",
    "greengrass-component-not-root",
    "greengrass-deployment-targets-group",
    "kms-key-no-wildcard-principal",
    "iam-service-trust-conditioned",
)


@pytest.fixture(scope="module")
def prod() -> ResourceGraph:
    return synthesize(REPO_ROOT, "prod")


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def test_the_template_passes_the_device_policies(prod: ResourceGraph) -> None:
    names = list(DEVICE_POLICIES)
    config = {name: PolicySetting(Level.MANDATORY, {}) for name in names}
    assert run_policies(prod, policies=[by_name()[n] for n in names], config=config).findings == []


def test_device_policy_is_bound_to_the_thing_and_attached_to_the_group(prod: ResourceGraph) -> None:
    policy = _one(prod, "aws:iot/policy:Policy", "devices-policy")
    core_data_plane = {
        "greengrass:GetComponentVersionArtifact",
        "greengrass:ResolveComponentCandidates",
        "greengrass:GetDeploymentConfiguration",
        "greengrass:ListThingGroupsForCoreDevice",
    }
    statements = _json(policy.inputs["policy"])["Statement"]
    # The Greengrass core device's data-plane calls, on "*" as AWS documents them, and nothing else on "*".
    assert [set(st["Action"]) for st in statements if st["Resource"] == "*"] == [core_data_plane]
    actions = {a for st in statements for a in ([st["Action"]] if isinstance(st["Action"], str) else st["Action"])}
    assert {"iot:GetThingShadow", "iot:UpdateThingShadow", "iot:DeleteThingShadow"} <= actions
    for statement in statements:
        if statement["Action"] != "iot:AssumeRoleWithCertificate" and statement["Resource"] != "*":
            resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
            assert all(THING_NAME in r for r in resources), statement
    attachment = _one(prod, "aws:iot/policyAttachment:PolicyAttachment", "devices-policy-group")
    assert attachment.inputs["target"] == _one(prod, "aws:iot/thingGroup:ThingGroup", "devices-group").outputs["arn"]


def test_component_recipe_pins_the_artifact_and_runs_unprivileged(prod: ResourceGraph) -> None:
    component = _one(prod, "aws-native:greengrassv2:ComponentVersion", "devices-component")
    recipe = _json(component.inputs["inlineRecipe"])
    [manifest] = recipe["Manifests"]
    [artifact] = manifest["Artifacts"]
    assert artifact["Digest"] == sha256_b64(device_artifact()) and artifact["Algorithm"] == "SHA-256"
    assert artifact["Uri"].startswith("s3://") and artifact["Uri"].endswith(".zip")
    assert recipe["ComponentConfiguration"]["DefaultConfiguration"]["runWithDefault"] == {"posixUser": COMPONENT_USER}
    assert not any(isinstance(step, dict) and step.get("RequiresPrivilege") for step in manifest["Lifecycle"].values())
    deployment = _one(prod, "aws-native:greengrassv2:Deployment", "devices-deployment")
    assert deployment.inputs["targetArn"] == _one(prod, "aws:iot/thingGroup:ThingGroup", "devices-group").outputs["arn"]


def test_artifact_is_reproducible() -> None:
    assert device_artifact() == device_artifact()


def test_telemetry_reaches_an_encrypted_queue_with_a_dead_letter_queue(prod: ResourceGraph) -> None:
    rule = _one(prod, "aws:iot/topicRule:TopicRule", "devices-telemetry-rule")
    assert rule.inputs["sqs"][0]["queueUrl"] != rule.inputs["errorAction"]["sqs"]["queueUrl"]
    for name in ("devices-telemetry", "devices-telemetry-dlq"):
        assert _one(prod, "aws:sqs/queue:Queue", name).inputs["kmsMasterKeyId"]


def test_fleet_data_is_classified(prod: ResourceGraph) -> None:
    for type_, name in (
        ("aws:iot/thingGroup:ThingGroup", "devices-group"),
        ("aws:iot/topicRule:TopicRule", "devices-telemetry-rule"),
    ):
        assert _one(prod, type_, name).inputs["tags"]["data-classification"] == "restricted"


def test_token_exchange_role_reads_the_model_bucket_only(prod: ResourceGraph) -> None:
    role = _one(prod, "aws:iam/role:Role", "devices-token-exchange")
    [trust] = _json(role.inputs["assumeRolePolicy"])["Statement"]
    assert trust["Principal"] == {"Service": "credentials.iot.amazonaws.com"}
    grants = [p for p in prod.of_type("aws:iam/rolePolicy:RolePolicy") if p.inputs["role"] == role.inputs["name"]]
    actions = {a for p in grants for s in _json(p.inputs["policy"])["Statement"] for a in s["Action"]}
    assert actions == {"s3:ListBucket", "s3:GetObject", "kms:Decrypt"}


def test_the_fleet_leaves_account_wide_iot_logging_to_its_owner(prod: ResourceGraph) -> None:
    # prod has the fleet but does not own the account's IoT logging (dev does): it must not set it a second time.
    assert prod.of_type("aws:iot/loggingOptions:LoggingOptions") == []
    alias = _one(prod, "aws:kms/alias:Alias", "devices-signing-alias")
    assert alias.inputs["name"] == "alias/agentic-platform-prod-fleet-signing"
    assert alias.inputs["targetKeyId"] == _one(prod, "aws:kms/key:Key", "devices-signing-key").outputs["keyId"]
