"""Device-edge policies (IoT Core, Greengrass v2 on aws-native): one compliant and numbered bad cases each.

IoT: (1) `iot:*`, (2) `*` resources, (3) a client id not bound to the thing name, (4) topics not bound,
(5) such a policy attached to a thing group, (12) `*` for an action beside the Greengrass core data-plane ones
(which AWS documents on `*` only). Greengrass: (6) an artifact outside the stack's encrypted
buckets, (7) an artifact without a digest, (8) a root posixUser, (9) RequiresPrivilege, (10) a deployment
to one thing, (11) to a wildcard.
"""
# ruff: noqa: E501  (the embedded Pulumi program keeps one resource per line)

from __future__ import annotations

import pytest

from policies.rules.devices import iot_policy_problems, recipe_of, root_problems
from preflight.graph import ResourceGraph
from tests.policies.conftest import flagged, synth

PROGRAM = """
import pulumi_aws_native as native

T = "${iot:Connection.Thing.ThingName}"
A = "arn:aws:iot:us-east-1:123456789012"

def doc(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})

good = aws.iot.Policy("good_iot", name="good", policy=doc(
    {"Effect": "Allow", "Action": "iot:Connect", "Resource": f"{A}:client/{T}"},
    {"Effect": "Allow", "Action": ["iot:Publish", "iot:Receive"], "Resource": [f"{A}:topic/fleet/{T}/telemetry", f"{A}:topic/fleet/{T}/commands"]},
    {"Effect": "Allow", "Action": "iot:Subscribe", "Resource": f"{A}:topicfilter/fleet/{T}/commands"},
    {"Effect": "Allow", "Action": "iot:AssumeRoleWithCertificate", "Resource": f"{A}:rolealias/fleet"},
    {"Effect": "Allow", "Action": ["greengrass:GetComponentVersionArtifact", "greengrass:ResolveComponentCandidates", "greengrass:GetDeploymentConfiguration", "greengrass:ListThingGroupsForCoreDevice"], "Resource": "*"},
))
bad_star_beside_core = aws.iot.Policy("bad_star_beside_core", name="e", policy=doc({"Effect": "Allow", "Action": ["greengrass:ResolveComponentCandidates", "iot:GetThingShadow"], "Resource": "*"}))
bad_star_action = aws.iot.Policy("bad_star_action", name="a", policy=doc({"Effect": "Allow", "Action": "iot:*", "Resource": f"{A}:client/{T}"}))
bad_star_resource = aws.iot.Policy("bad_star_resource", name="b", policy=doc({"Effect": "Allow", "Action": "iot:Publish", "Resource": "*"}))
bad_client = aws.iot.Policy("bad_client", name="c", policy=doc({"Effect": "Allow", "Action": "iot:Connect", "Resource": f"{A}:client/*"}))
bad_topics = aws.iot.Policy("bad_topics", name="d", policy=doc({"Effect": "Allow", "Action": "iot:Publish", "Resource": f"{A}:topic/fleet/+/telemetry"}))
group = aws.iot.ThingGroup("fleet", name="fleet")
aws.iot.PolicyAttachment("good_attachment", policy=good.name, target=group.arn)
aws.iot.PolicyAttachment("bad_attachment", policy=bad_client.name, target=group.arn)

key = aws.kms.Key("key")
bucket = aws.s3.Bucket("models")
aws.s3.BucketServerSideEncryptionConfiguration("models_encryption", bucket=bucket.id, rules=[{"apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms", "kms_master_key_id": key.arn}}])
plain = aws.s3.Bucket("plain")

def recipe(uri, digest=True, user="ggc_user:ggc_group", privileged=False):
    artifact = {"Uri": uri, **({"Digest": "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=", "Algorithm": "SHA-256"} if digest else {})}
    run = {"Script": "python3 {artifacts:path}/agent.py", **({"RequiresPrivilege": True} if privileged else {})}
    return pulumi.Output.json_dumps({"RecipeFormatVersion": "2020-01-25", "ComponentName": "com.example.Anomaly", "ComponentVersion": "1.0.0",
        "ComponentConfiguration": {"DefaultConfiguration": {"runWithDefault": {"posixUser": user}}},
        "Manifests": [{"Platform": {"os": "linux"}, "Lifecycle": {"Run": run}, "Artifacts": [artifact]}]})

good_component = native.greengrassv2.ComponentVersion("good_component", inline_recipe=recipe(pulumi.Output.concat("s3://", bucket.bucket, "/agent.py")))
native.greengrassv2.ComponentVersion("bad_plain_bucket", inline_recipe=recipe(pulumi.Output.concat("s3://", plain.bucket, "/agent.py")))
native.greengrassv2.ComponentVersion("bad_no_digest", inline_recipe=recipe(pulumi.Output.concat("s3://", bucket.bucket, "/agent.py"), digest=False))
native.greengrassv2.ComponentVersion("bad_root", inline_recipe=recipe(pulumi.Output.concat("s3://", bucket.bucket, "/agent.py"), user="root"))
native.greengrassv2.ComponentVersion("bad_privileged", inline_recipe=recipe(pulumi.Output.concat("s3://", bucket.bucket, "/agent.py"), privileged=True))
native.greengrassv2.Deployment("good_deployment", target_arn=group.arn, components={"com.example.Anomaly": {"component_version": "1.0.0"}})
native.greengrassv2.Deployment("bad_single_thing", target_arn=f"{A}:thing/device-1", components={"com.example.Anomaly": {"component_version": "1.0.0"}})
native.greengrassv2.Deployment("bad_wildcard", target_arn=f"{A}:thinggroup/*", components={"com.example.Anomaly": {"component_version": "1.0.0"}})
"""

CASES = [
    (
        "iot-policy-least-privilege",
        {"bad_star_action", "bad_star_resource", "bad_client", "bad_topics", "bad_star_beside_core"},
        {"good_iot"},
    ),
    ("iot-attached-policy-bound-to-thing", {"bad_attachment"}, {"good_attachment"}),
    ("greengrass-artifacts-pinned", {"bad_plain_bucket", "bad_no_digest"}, {"good_component", "bad_root"}),
    ("greengrass-component-not-root", {"bad_root", "bad_privileged"}, {"good_component"}),
    ("greengrass-deployment-targets-group", {"bad_single_thing", "bad_wildcard"}, {"good_deployment"}),
]


@pytest.fixture(scope="module")
def graph(tmp_path_factory: pytest.TempPathFactory) -> ResourceGraph:
    return synth(tmp_path_factory.mktemp("devices"), PROGRAM)


@pytest.mark.parametrize(("policy", "bad", "good"), CASES, ids=[c[0] for c in CASES])
def test_policy(graph: ResourceGraph, policy: str, bad: set[str], good: set[str]) -> None:
    found = flagged(graph, policy)
    assert found == bad, f"{policy}: flagged {sorted(found)}, expected {sorted(bad)}"
    assert not good & found


def test_deny_statements_and_non_bound_actions_are_fine() -> None:
    document = {
        "Statement": [
            {"Effect": "Deny", "Action": "iot:*", "Resource": "*"},
            {
                "Effect": "Allow",
                "Action": "iot:AssumeRoleWithCertificate",
                "Resource": "arn:aws:iot:us-east-1:1:rolealias/x",
            },
        ]
    }
    assert iot_policy_problems(document) == []


def test_recipes_read_as_json_or_yaml() -> None:
    yaml_recipe = "ComponentConfiguration:\n  DefaultConfiguration:\n    runWithDefault:\n      posixUser: '0'\n"
    assert root_problems(recipe_of(yaml_recipe)) == ["its default posixUser is 0"]
    assert recipe_of("{not yaml: [") == {}
