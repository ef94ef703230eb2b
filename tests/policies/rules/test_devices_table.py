"""The device-edge rules called directly: IoT policies and their attachments, Greengrass artifacts, root
components and deployment targets, each branch with the exact message (bench/MUTATION.md)."""
# ruff: noqa: E501  (one case per line reads as a table)

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from pulumi_policy import PolicyResource

from policies.rules import devices as dev
from tests.policies.rules.calls import resource, run_resource, run_stack, urn

THING = "${iot:Connection.Thing.ThingName}"
CLIENT = "arn:aws:iot:us-east-1:111122223333:client/"
TOPIC = "arn:aws:iot:us-east-1:111122223333:topic/"
UNBOUND = f"is not bound to {THING}"


def _allow(
    action: Any, resource: Any = CLIENT + THING, key: str = "Resource", action_key: str = "Action"
) -> dict[str, Any]:
    return {"Effect": "Allow", action_key: action, key: resource}


def _policy(*statements: dict[str, Any]) -> dict[str, str]:
    return {"policy": json.dumps({"Version": "2012-10-17", "Statement": list(statements)})}


@pytest.mark.parametrize(
    ("statements", "problems"),
    [
        ([_allow("iot:Connect"), _allow(["iot:Publish", "iot:Receive"], TOPIC + "t/" + THING)], []),
        ([_allow(["greengrass:GetComponentVersionArtifact", "greengrass:ResolveComponentCandidates", "greengrass:GetDeploymentConfiguration", "greengrass:ListThingGroupsForCoreDevice"], "*")], []),
        ([{"Effect": "Deny", "Action": "iot:*", "Resource": "*"}], []),
        ([{"Effect": "Deny", "Action": "iot:Publish", "Resource": "*"}, _allow("iot:*")], ["wildcard actions ['iot:*']"]),
        ([_allow("iot:AssumeRoleWithCertificate", "arn:aws:iot:us-east-1:111122223333:rolealias/x")], []),
        ([_allow("iot:*")], ["wildcard actions ['iot:*']"]),
        ([_allow("IoT:*")], ["wildcard actions ['IoT:*']"]),
        ([_allow("greengrass:*", "arn:aws:greengrass:us-east-1:111122223333:components:c")], ["wildcard actions ['greengrass:*']"]),
        ([_allow("iot:Connect", action_key="NotAction")], ["wildcard actions ['iot:Connect']"]),
        ([_allow("*", "*")], ["wildcard actions ['*']", "'*' resources for ['*']"]),
        ([_allow(["iot:Connect", "s3:*"], "*")], ["wildcard actions ['iot:Connect', 's3:*']", "'*' resources for ['iot:Connect', 's3:*']"]),
        ([_allow(["greengrass:GetComponentVersionArtifact", "iot:Connect"], "*")], ["'*' resources for ['greengrass:GetComponentVersionArtifact', 'iot:Connect']"]),
        ([_allow("iot:Connect", CLIENT + THING, key="NotResource")], ["'*' resources for ['iot:Connect']"]),
        ([_allow(["iot:Connect", "iot:Publish"], [CLIENT + "dev1", CLIENT + THING, TOPIC + "x"])],
         [f"iot:connect on ['{CLIENT}dev1', '{TOPIC}x'] {UNBOUND}", f"iot:publish on ['{CLIENT}dev1', '{TOPIC}x'] {UNBOUND}"]),
        ([_allow("iot:RetainPublish", TOPIC + "x"), _allow("iot:Receive", TOPIC + "x"), _allow("iot:Subscribe", "arn:aws:iot:us-east-1:111122223333:topicfilter/x")],
         [f"iot:retainpublish on ['{TOPIC}x'] {UNBOUND}", f"iot:receive on ['{TOPIC}x'] {UNBOUND}", f"iot:subscribe on ['arn:aws:iot:us-east-1:111122223333:topicfilter/x'] {UNBOUND}"]),
        ([_allow("iot:Connect", CLIENT + "a"), _allow("iot:Connect", CLIENT + "a")], [f"iot:connect on ['{CLIENT}a'] {UNBOUND}"]),
        ([_allow("iot:Connect", "*"), _allow("iot:Publish", TOPIC + "x")], ["'*' resources for ['iot:Connect']", f"iot:publish on ['{TOPIC}x'] {UNBOUND}"]),
        ([_allow(["iot:AssumeRoleWithCertificate", "iot:Connect"], CLIENT + "a")], [f"iot:connect on ['{CLIENT}a'] {UNBOUND}"]),
    ],
    ids=["ok_bound", "ok_greengrass_core_on_star", "ok_deny", "bad0_allow_after_a_deny", "ok_unbound_action", "bad1_iot_star", "bad2_any_case", "bad3_service_star",
         "bad4_not_action", "bad5_star_star", "bad6_star_resource", "bad7_core_mixed_with_connect", "bad8_not_resource", "bad9_unbound",
         "bad10_every_bound_action", "bad11_duplicates_once", "bad12_statement_after_star_resources", "bad13_bound_action_after_another"],
)  # fmt: skip
def test_iot_policy_least_privilege(statements: list[dict[str, Any]], problems: list[str]) -> None:
    reports = run_resource(dev.IOT_LEAST_PRIVILEGE, dev.IOT_POLICY, _policy(*statements), name="p")
    assert reports == [(f"p: {problem}.", None) for problem in problems]


def _iot_policy(name: str, *statements: dict[str, Any]) -> PolicyResource:
    return resource(dev.IOT_POLICY, name, _policy(*statements))


WIDE = _iot_policy("wide", _allow("iot:*", "*"))
BOUND = _iot_policy("bound", _allow("iot:Connect"))
ATTACHMENT = "aws:iot/policyAttachment:PolicyAttachment"


@pytest.mark.parametrize(
    ("attachment", "messages"),
    [
        (resource(ATTACHMENT, "a", {"policy": "bound", "target": "cert"}, {"policy": [BOUND]}), []),
        (resource(ATTACHMENT, "a", {"policy": "other", "target": "cert"}), []),
        (resource(ATTACHMENT, "a", {"policy": "x", "target": "arn:aws:iot:us-east-1:111122223333:cert/c"}, {"policy": [WIDE]}),
         ["a: attaches wide, which lets a device act beyond its own thing name, to arn:aws:iot:us-east-1:111122223333:cert/c."]),
        (resource(ATTACHMENT, "a", {"policy": "x"}, {"policy": [WIDE]}), ["a: attaches wide, which lets a device act beyond its own thing name, to a target."]),
    ],
    ids=["ok_bound_policy", "ok_unrelated_policy", "bad1_wide_policy", "bad2_no_target"],
)  # fmt: skip
def test_iot_attached_policy(attachment: PolicyResource, messages: list[str]) -> None:
    assert run_stack(dev.IOT_NO_SHARED_IDENTITY, [WIDE, BOUND, attachment], None) == [
        (m, urn(ATTACHMENT, "a")) for m in messages
    ]


ENCRYPTION = "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2"
ARTIFACTS = resource("aws:s3/bucketV2:BucketV2", "artifacts", {"bucket": "artifacts-bkt"})
PLAIN = resource("aws:s3/bucket:Bucket", "plain", {"bucket": "plain-bkt"})
BY_ID = resource("aws:s3/bucket:Bucket", "by_id", {"id": "id-bkt"})
SSE = [
    resource(ENCRYPTION, "sse", {"bucket": "artifacts-bkt"}, {"bucket": [ARTIFACTS]}),
    resource(ENCRYPTION, "sse2", {"bucket": "x"}, {"bucket": [BY_ID]}),
]
PINNED = {"Digest": "abc=", "Algorithm": "SHA-256"}


def _component(*artifacts: dict[str, Any], recipe: Any = None) -> PolicyResource:
    body = recipe if recipe is not None else json.dumps({"Manifests": [{"Artifacts": list(artifacts)}]})
    return resource(dev.COMPONENT_VERSION, "component", {"inlineRecipe": body})


def _not_encrypted(uri: str) -> str:
    return f"component: artifact {uri} is not in an encrypted bucket of this stack."


def _not_pinned(uri: str) -> str:
    return f"component: artifact {uri} has no pinned digest (Digest and Algorithm)."


@pytest.mark.parametrize(
    ("component", "messages"),
    [
        (_component({"Uri": "s3://artifacts-bkt/app/1.0/app.zip", **PINNED}), []),
        (_component({"Uri": "s3://id-bkt/app.zip", "Digest": "abc=", "Algorithm": "sha-512"}), []),
        (_component({"Uri": "s3://artifacts-bkt/a.zip", "Digest": "abc=", "Algorithm": "SHA-384"}), []),
        (_component(recipe={"Manifests": [{"Artifacts": [{"Uri": "s3://artifacts-bkt/a.zip", **PINNED}]}]}), []),
        (_component(recipe="Manifests:\n  - Artifacts:\n      - Uri: s3://artifacts-bkt/a.zip\n        Digest: abc=\n        Algorithm: SHA-256\n"), []),
        (_component(recipe=json.dumps({"Manifests": ["not a manifest", {"Artifacts": ["not an artifact"]}]})), []),
        (_component({"Uri": "s3://plain-bkt/a.zip", **PINNED}), [_not_encrypted("s3://plain-bkt/a.zip")]),
        (_component({"Uri": "https://artifacts-bkt/a.zip", **PINNED}), [_not_encrypted("https://artifacts-bkt/a.zip")]),
        (_component({"Uri": "artifacts-bkt/a.zip", **PINNED}), [_not_encrypted("artifacts-bkt/a.zip")]),
        (_component({"Uri": "s3://other/a.zip", **PINNED}, {"Uri": "s3://artifacts-bkt/b.zip", **PINNED}), [_not_encrypted("s3://other/a.zip")]),
        (_component(PINNED), [_not_encrypted("(no Uri)")]),
        (_component({"Uri": "s3://artifacts-bkt/a.zip", "Algorithm": "SHA-256"}), [_not_pinned("s3://artifacts-bkt/a.zip")]),
        (_component({"Uri": "s3://artifacts-bkt/a.zip", "Digest": "abc=", "Algorithm": "MD5"}), [_not_pinned("s3://artifacts-bkt/a.zip")]),
        (_component({"Uri": "s3://artifacts-bkt/a.zip", "Digest": "abc="}), [_not_pinned("s3://artifacts-bkt/a.zip")]),
        (_component({}), [_not_encrypted("(no Uri)"), _not_pinned("(no Uri)")]),
    ],
    ids=["ok_encrypted_pinned", "ok_bucket_by_id_lower_case", "ok_sha384", "ok_recipe_object", "ok_recipe_yaml", "ok_not_mappings",
         "bad1_unencrypted_bucket", "bad2_not_s3", "bad2b_no_scheme", "bad3_each_artifact", "bad4_no_uri", "bad5_no_digest", "bad6_weak_algorithm",
         "bad7_no_algorithm", "bad8_nothing"],
)  # fmt: skip
def test_greengrass_artifacts(component: PolicyResource, messages: list[str]) -> None:
    reports = run_stack(dev.GREENGRASS_ARTIFACTS, [ARTIFACTS, PLAIN, BY_ID, *SSE, component], None)
    assert reports == [(m, urn(dev.COMPONENT_VERSION, "component")) for m in messages]


def test_encryption_named_by_the_bucket_name_counts() -> None:
    """A configuration whose `bucket` input is the bucket's name (no dependency recorded) encrypts it."""
    by_name = resource(ENCRYPTION, "sse3", {"bucket": "plain-bkt"})
    component = _component({"Uri": "s3://plain-bkt/a.zip", **PINNED})
    assert run_stack(dev.GREENGRASS_ARTIFACTS, [PLAIN, by_name, component], None) == []
    other = resource(ENCRYPTION, "sse3", {"bucket": "other-bkt"})
    assert run_stack(dev.GREENGRASS_ARTIFACTS, [PLAIN, other, component], None) == [
        (_not_encrypted("s3://plain-bkt/a.zip"), urn(dev.COMPONENT_VERSION, "component"))
    ]


def test_a_recipe_object_with_values_json_cannot_hold_is_read() -> None:
    recipe = {"ComponentVersion": "1.0.0", "Built": dt.date(2026, 1, 2), "Manifests": []}
    assert dev.recipe_of(recipe) == {"ComponentVersion": "1.0.0", "Built": "2026-01-02", "Manifests": []}
    assert run_resource(dev.GREENGRASS_NOT_ROOT, dev.COMPONENT_VERSION, {"inlineRecipe": recipe}, name="c") == []


@pytest.mark.parametrize("value", [None, 3, ["a"], "   "])
def test_what_is_not_a_recipe_reads_as_none(value: Any) -> None:
    assert dev.recipe_of(value) == {}


def _run_with(key: str, user: Any) -> str:
    return json.dumps({"ComponentConfiguration": {"DefaultConfiguration": {key: {"posixUser": user}}}})


def _lifecycle(**steps: Any) -> str:
    return json.dumps({"Manifests": [{"Lifecycle": steps}]})


@pytest.mark.parametrize(
    ("recipe", "problems"),
    [
        (_run_with("runWithDefault", "ggc_user:ggc_group"), []),
        (_run_with("runWithDefault", "rooted"), []),
        (_lifecycle(run={"Script": "x", "RequiresPrivilege": False}, install="echo"), []),
        (_lifecycle(run={"RequiresPrivilege": "false"}), []),
        (json.dumps({"ComponentConfiguration": "x", "Manifests": ["x", {"Lifecycle": "x"}]}), []),
        (json.dumps({"ComponentConfiguration": {"DefaultConfiguration": "x"}}), []),
        (json.dumps({"ComponentConfiguration": {"DefaultConfiguration": {"runWithDefault": "root"}}}), []),
        ("", []),
        ("[1, 2]", []),
        (_run_with("runWithDefault", "root"), ["its default posixUser is root"]),
        (_run_with("runWithDefault", "root:root"), ["its default posixUser is root"]),
        (_run_with("RunWith", "0:0"), ["its default posixUser is 0"]),
        (_lifecycle(install={"RequiresPrivilege": True}, run={"RequiresPrivilege": "true"}, shutdown={"RequiresPrivilege": "True"}),
         ["lifecycle step install requires privilege (runs as root)", "lifecycle step run requires privilege (runs as root)", "lifecycle step shutdown requires privilege (runs as root)"]),
    ],
    ids=["ok_ggc_user", "ok_not_root_prefix", "ok_unprivileged", "ok_privilege_false_text", "ok_malformed", "ok_defaults_malformed",
         "ok_run_with_malformed", "ok_empty", "ok_not_a_mapping", "bad1_root", "bad2_root_group", "bad3_uid_zero_run_with", "bad4_each_privileged_step"],
)  # fmt: skip
def test_greengrass_component_not_root(recipe: str, problems: list[str]) -> None:
    reports = run_resource(dev.GREENGRASS_NOT_ROOT, dev.COMPONENT_VERSION, {"inlineRecipe": recipe}, name="c")
    assert reports == [(f"c: {problem}.", None) for problem in problems]


GROUP = "arn:aws:iot:us-east-1:111122223333:thinggroup/"


@pytest.mark.parametrize(
    ("target", "ok"),
    [
        (GROUP + "fleet", True),
        ("arn:aws:iot:us-east-1:111122223333:thing/device-1", False),
        (GROUP + "*", False),
        (GROUP, False),
        (GROUP + "fleet-*", False),
        (None, False),
    ],
    ids=[
        "ok_group",
        "bad1_one_thing",
        "bad2_group_wildcard",
        "bad3_no_group_name",
        "bad4_group_pattern",
        "bad5_nothing",
    ],
)
def test_greengrass_deployment_targets_one_group(target: str | None, ok: bool) -> None:
    expected = [] if ok else [(f"d: the deployment targets {target or '(nothing)'}, not one thing group.", None)]
    assert run_resource(dev.GREENGRASS_TARGET, dev.DEPLOYMENT, {"targetArn": target}, name="d") == expected
