"""DeviceFleet: the device edge (P077-P083) - an IoT thing group, its least-privilege identity, a Greengrass v2
component that detects anomalies offline, signed model releases, and telemetry into the core.

* Identity: per-device X.509 certificates (`aws iot create-keys-and-certificate`, one per device, attached to
  its thing; docs/principles/edge-ai.md "Provisioning"), things added to the fleet's thing group. The fleet's IoT
  policy is attached to the *group*, and binds everything to `${iot:Connection.Thing.ThingName}`: a device
  connects only as itself and publishes or subscribes only under `fleet/<its name>/` (AWS IoT Core Developer
  Guide, "Thing policy variables").
* AWS credentials on the device: a role alias and a token-exchange role trusted by
  `credentials.iot.amazonaws.com` that may read the model bucket and nothing else (P135).
* Greengrass v2 through Pulumi's `pulumi-aws-native` (pulumi-aws has no greengrassv2 resources): one
  `ComponentVersion` whose artifact (this repository's `functions/device`, zipped deterministically) sits in the
  KMS-encrypted, versioned model bucket with its SHA-256 pinned in the recipe; it runs as `ggc_user`, never root;
  one `Deployment` to the thing group.
* OTA models (P081): releases are signed with an asymmetric KMS key (ECC_NIST_P256, SIGN_VERIFY); the recipe
  carries the release's digest, signature and the key's public key, and the device verifies before loading
  (`functions/device/ota.py`), keeping the previous model when verification fails.
* Telemetry (P078): an IoT rule routes `fleet/+/telemetry` into an encrypted SQS queue for the core, with an
  encrypted dead-letter queue as its error action; the device buffers on disk while offline.
* IoT logging is account-wide: the stack that `owns.iotLogging` creates it (components/governance.py). Every
  fleet resource is tagged with the fleet's data classification (`restricted` by default, P142/P078).
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_aws_native as aws_native

from components import iam
from components.buckets import HardenedBucket
from components.kms import StackKey
from components.queues import encrypted_queue
from components.settings import PlatformSettings

DEVICE_MODULES = ("__init__.py", "agent.py", "anomaly.py", "buffer.py", "ota.py")
THING_NAME = "${iot:Connection.Thing.ThingName}"
TOPIC_PREFIX = "fleet"
#: The unprivileged user and group the Greengrass nucleus creates for components ("Configure the user that
#: runs components", AWS IoT Greengrass V2 Developer Guide).
COMPONENT_USER = "ggc_user:ggc_group"
#: The device-side dependency the Install step pins (same as requirements-dev.txt).
CRYPTOGRAPHY = "cryptography==50.0.2"
_FIXED_TIME = (2020, 1, 1, 0, 0, 0)
#: IoT SQL 2016-03-23: every device's telemetry, with the thing name (the topic's 2nd level) added.
TELEMETRY_SQL = "SELECT *, topic(2) AS thing_name FROM 'fleet/+/telemetry'"


def device_artifact(root: Path | None = None) -> bytes:
    """The component artifact: `functions/__init__.py` and `functions/device/*.py`, zipped reproducibly."""
    base = root or Path(__file__).resolve().parents[1]
    files = [("functions/__init__.py", base / "functions" / "__init__.py")]
    files += [(f"functions/device/{m}", base / "functions" / "device" / m) for m in DEVICE_MODULES]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, path in files:
            info = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
            info.external_attr = 0o644 << 16
            archive.writestr(info, path.read_bytes(), compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def sha256_b64(data: bytes) -> str:
    return base64.b64encode(hashlib.sha256(data).digest()).decode("ascii")


def device_policy(region: str, account_id: str, role_alias: str) -> dict[str, Any]:
    """The fleet's IoT policy: every client id and topic bound to the connecting thing's name."""
    arn = f"arn:aws:iot:{region}:{account_id}"
    own = f"{TOPIC_PREFIX}/{THING_NAME}"
    reserved = f"$aws/things/{THING_NAME}"
    return {
        "Version": iam.POLICY_VERSION,
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "iot:Connect",
                "Resource": f"{arn}:client/{THING_NAME}",
                # The certificate must be attached to the thing it claims to be.
                "Condition": {"Bool": {"iot:Connection.Thing.IsAttached": "true"}},
            },
            # Its own telemetry and commands, and its own reserved topics (`$aws/things/<name>/...`: shadow,
            # jobs and the Greengrass nucleus's status; AWS IoT Core Developer Guide, "Reserved topics").
            {
                "Effect": "Allow",
                "Action": "iot:Publish",
                "Resource": [f"{arn}:topic/{own}/telemetry", f"{arn}:topic/{reserved}/*"],
            },
            {
                "Effect": "Allow",
                "Action": "iot:Subscribe",
                "Resource": [f"{arn}:topicfilter/{own}/commands", f"{arn}:topicfilter/{reserved}/*"],
            },
            {
                "Effect": "Allow",
                "Action": "iot:Receive",
                "Resource": [f"{arn}:topic/{own}/commands", f"{arn}:topic/{reserved}/*"],
            },
            {"Effect": "Allow", "Action": "iot:AssumeRoleWithCertificate", "Resource": f"{arn}:rolealias/{role_alias}"},
            # What a Greengrass core device needs besides: its own shadow, and the data-plane calls of the nucleus
            # (artifacts, component resolution, large deployment documents from v2.3.0, thing-group membership from
            # v2.5.0), which AWS documents on "*" ("Minimal AWS IoT policy for AWS IoT Greengrass V2 core devices",
            # https://docs.aws.amazon.com/greengrass/v2/developerguide/device-auth.html#greengrass-core-minimal-iot-policy).
            # The doc's `thing-name*` is narrowed to the connecting thing's own name.
            {
                "Effect": "Allow",
                "Action": ["iot:GetThingShadow", "iot:UpdateThingShadow", "iot:DeleteThingShadow"],
                "Resource": f"{arn}:thing/{THING_NAME}",
            },
            {
                "Effect": "Allow",
                "Action": [
                    "greengrass:GetComponentVersionArtifact",
                    "greengrass:ResolveComponentCandidates",
                    "greengrass:GetDeploymentConfiguration",
                    "greengrass:ListThingGroupsForCoreDevice",
                ],
                "Resource": "*",
            },
        ],
    }


def recipe(
    *,
    component: str,
    version: str,
    artifact_uri: str,
    artifact_digest: str,
    model: dict[str, Any],
) -> dict[str, Any]:
    """The component recipe (AWS IoT Greengrass V2 Developer Guide, "Component recipe reference")."""
    return {
        "RecipeFormatVersion": "2020-01-25",
        "ComponentName": component,
        "ComponentVersion": version,
        "ComponentDescription": "Offline anomaly detection with signed model updates and buffered telemetry",
        "ComponentPublisher": "agentic-platform",
        "ComponentConfiguration": {
            "DefaultConfiguration": {
                "runWithDefault": {"posixUser": COMPONENT_USER},
                "model": model,
                "accessControl": {
                    "aws.greengrass.ipc.mqttproxy": {
                        f"{component}:mqttproxy:1": {
                            "policyDescription": "Publish this device's own telemetry",
                            "operations": ["aws.greengrass#PublishToIoTCore"],
                            "resources": [f"{TOPIC_PREFIX}/{{iot:thingName}}/telemetry"],
                        }
                    }
                },
            }
        },
        "Manifests": [
            {
                "Platform": {"os": "linux"},
                "Lifecycle": {
                    "Install": f"python3 -m pip install --user {CRYPTOGRAPHY}",
                    "Run": (
                        "PYTHONPATH={artifacts:decompressedPath}/device python3 -u -m functions.device.agent "
                        "{work:path}"
                    ),
                },
                "Artifacts": [
                    {
                        "Uri": artifact_uri,
                        "Digest": artifact_digest,
                        "Algorithm": "SHA-256",
                        "Unarchive": "ZIP",
                        "Permission": {"Read": "OWNER", "Execute": "NONE"},
                    }
                ],
            }
        ],
    }


def signing_alias_name(settings: PlatformSettings) -> str:
    """The alias of the fleet's release-signing key: one name the pipeline and its role agree on."""
    return f"alias/{settings.name('fleet-signing')}"


class DeviceFleet(pulumi.ComponentResource):
    """A Greengrass v2 fleet bound to its own identities, with signed models and telemetry into the core.

    Examples
    --------
    >>> fleet = DeviceFleet("devices", settings, key=key, access_log_bucket=logs)
    >>> fleet.telemetry.arn  # consume it in the core
    """

    def __init__(
        self,
        name: str,
        settings: PlatformSettings,
        *,
        key: StackKey,
        access_log_bucket: HardenedBucket | None = None,
        root: Path | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("agentic:devices:DeviceFleet", name, None, opts)
        fleet = settings.device_fleet
        tags = {"data-classification": fleet.data_classification.value}
        child = pulumi.ResourceOptions(parent=self)
        identity = aws.get_caller_identity_output()
        account_id = identity.account_id
        region = settings.region

        self.group = aws.iot.ThingGroup(f"{name}-group", name=settings.name("fleet"), tags=tags, opts=child)
        self.models = HardenedBucket(
            f"{name}-models", settings, key=key, access_log_bucket=access_log_bucket, opts=child
        )
        self.signing_key = aws.kms.Key(
            f"{name}-signing-key",
            description=f"{settings.name('fleet')}: signs model releases (ECDSA_SHA_256); devices verify (P081)",
            key_usage="SIGN_VERIFY",
            customer_master_key_spec="ECC_NIST_P256",
            deletion_window_in_days=30,
            # Administered by the account; the release pipeline's role gets kms:Sign through IAM. Devices verify
            # offline with the public key in the recipe, so no device ever calls KMS.
            policy=identity.account_id.apply(
                lambda account: json.dumps(
                    {
                        "Version": iam.POLICY_VERSION,
                        "Statement": [
                            {
                                "Sid": "AccountRootAdministers",
                                "Effect": "Allow",
                                "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
                                "Action": "kms:*",
                                "Resource": "*",
                            }
                        ],
                    }
                )
            ),
            tags=tags,
            opts=child,
        )

        # The release pipeline (scripts/ci/model_release.py) finds the key by this alias, and its role may sign only
        # with the key this alias names (kms:ResourceAliases, bootstrap/model_release_role.py).
        self.signing_alias = aws.kms.Alias(
            f"{name}-signing-alias",
            name=signing_alias_name(settings),
            target_key_id=self.signing_key.key_id,
            opts=child,
        )

        # Devices' AWS credentials: read the model bucket, nothing else.
        self.device_role = aws.iam.Role(
            f"{name}-token-exchange",
            name=settings.name("fleet-token-exchange")[:64],
            description="Assumed by fleet devices through the IoT credentials provider (role alias)",
            assume_role_policy=json.dumps(
                {
                    "Version": iam.POLICY_VERSION,
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": "credentials.iot.amazonaws.com"},
                            "Action": "sts:AssumeRole",
                        }
                    ],
                }
            ),
            tags=tags,
            opts=child,
        )
        self.models.grant_read(self.device_role, name=f"{name}-token-exchange")
        alias_name = settings.name("fleet")[:128]
        self.role_alias = aws.iot.RoleAlias(
            f"{name}-role-alias",
            alias=alias_name,
            role_arn=self.device_role.arn,
            credential_duration=fleet.credential_seconds,
            opts=child,
        )
        self.policy = aws.iot.Policy(
            f"{name}-policy",
            name=settings.name("fleet-device"),
            policy=account_id.apply(lambda account: json.dumps(device_policy(region, account, alias_name))),
            tags=tags,
            opts=child,
        )
        # On the group: every device added to it gets the (thing-bound) policy, and only that.
        aws.iot.PolicyAttachment(f"{name}-policy-group", policy=self.policy.name, target=self.group.arn, opts=child)

        self._build_telemetry(name, settings, key, tags, account_id)
        self._build_greengrass(name, settings, tags, root)
        self.register_outputs(
            {
                "thing_group": self.group.name,
                "role_alias": self.role_alias.alias,
                "models_bucket": self.models.name,
                "telemetry_queue": self.telemetry.url,
                "signing_key_arn": self.signing_key.arn,
                "signing_key_alias": self.signing_alias.name,
            }
        )

    def _build_telemetry(
        self, name: str, settings: PlatformSettings, key: StackKey, tags: dict[str, str], account_id: Any
    ) -> None:
        """`fleet/+/telemetry` -> encrypted queue for the core; failures -> encrypted dead-letter queue."""
        self.telemetry_dlq, _ = encrypted_queue(f"{name}-telemetry-dlq", settings, key=key, parent=self)
        self.telemetry, _ = encrypted_queue(
            f"{name}-telemetry", settings, key=key, parent=self, dead_letter_arn=self.telemetry_dlq.arn
        )
        role = aws.iam.Role(
            f"{name}-rule",
            name=settings.name("fleet-telemetry-rule")[:64],
            assume_role_policy=iam.service_trust("iot.amazonaws.com", account_id),
            tags=tags,
            opts=pulumi.ResourceOptions(parent=self),
        )
        iam.role_policy(
            role,
            f"{name}-rule-send",
            [
                iam.statement(["sqs:SendMessage"], [self.telemetry.arn, self.telemetry_dlq.arn]),
                key.use_statement(("kms:Decrypt", "kms:GenerateDataKey")),
            ],
            parent=self,
        )
        self.rule = aws.iot.TopicRule(
            f"{name}-telemetry-rule",
            name=settings.name("fleet_telemetry").replace("-", "_"),
            description="Device telemetry into the core (P078)",
            enabled=True,
            sql=TELEMETRY_SQL,
            sql_version="2016-03-23",
            sqs=[aws.iot.TopicRuleSqsArgs(queue_url=self.telemetry.url, role_arn=role.arn, use_base64=False)],
            error_action=aws.iot.TopicRuleErrorActionArgs(
                sqs=aws.iot.TopicRuleErrorActionSqsArgs(
                    queue_url=self.telemetry_dlq.url, role_arn=role.arn, use_base64=False
                )
            ),
            tags=tags,
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _build_greengrass(self, name: str, settings: PlatformSettings, tags: dict[str, str], root: Path | None) -> None:
        artifact = device_artifact(root)
        digest = sha256_b64(artifact)
        version = f"1.0.{int(hashlib.sha256(artifact).hexdigest()[:6], 16)}"
        object_key = f"components/anomaly-{hashlib.sha256(artifact).hexdigest()[:16]}.zip"
        build = (root or Path(__file__).resolve().parents[1]) / "build" / "device"
        build.mkdir(parents=True, exist_ok=True)
        (build / Path(object_key).name).write_bytes(artifact)
        self.artifact = aws.s3.BucketObjectv2(
            f"{name}-artifact",
            bucket=self.models.id,
            key=object_key,
            source=pulumi.FileAsset(str(build / Path(object_key).name)),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.models]),
        )
        release = settings.device_fleet.model_release
        public_key = aws.kms.get_public_key_output(key_id=self.signing_key.key_id).public_key_pem
        component = f"com.agentic.{settings.environment}.Anomaly"
        native_tags = {**settings.default_tags(), **tags}

        def render(args: Sequence[Any]) -> str:
            bucket, pem = str(args[0]), str(args[1])
            model: dict[str, Any] = {"publicKeyPem": pem}
            if release is not None:
                model.update(
                    {
                        "version": release.version,
                        "uri": f"s3://{bucket}/models/{release.version}/model.json",
                        "sha256": release.sha256,
                        "signature": release.signature,
                    }
                )
            return json.dumps(
                recipe(
                    component=component,
                    version=version,
                    artifact_uri=f"s3://{bucket}/{object_key}",
                    artifact_digest=digest,
                    model=model,
                ),
                sort_keys=True,
            )

        self.component = aws_native.greengrassv2.ComponentVersion(
            f"{name}-component",
            inline_recipe=pulumi.Output.all(self.models.name, public_key).apply(render),
            # aws-native resources are outside the required-tags transform: the stack's tags here, so the deploy
            # roles can confine Greengrass calls to their stack (bootstrap/permissions.py, aws:ResourceTag).
            tags=native_tags,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.artifact]),
        )
        self.deployment = aws_native.greengrassv2.Deployment(
            f"{name}-deployment",
            target_arn=self.group.arn,
            deployment_name=settings.name("fleet"),
            components={
                component: aws_native.greengrassv2.DeploymentComponentDeploymentSpecificationArgs(
                    component_version=version
                )
            },
            tags=native_tags,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.component]),
        )
