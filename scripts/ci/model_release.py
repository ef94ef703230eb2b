"""Publish a signed model release for a stack's device fleet (P081): sign, verify, upload, pin.

The device installs a model only when its SHA-256 equals the digest the component recipe pins and the
signature verifies under the fleet's KMS key (functions/device/ota.py). This is the other half: it

1. checks the model loads as the device will load it (functions/device/anomaly.py) and that its own
   `version` is the release's;
2. signs the model's SHA-256 with the fleet's asymmetric key (`kms:Sign`, `MessageType=DIGEST`,
   `SigningAlgorithm=ECDSA_SHA_256`; botocore's kms model: a `RAW` message is at most 4,096 bytes, so a
   model is signed by its digest), found by the alias the stack exports;
3. verifies that signature with the device's own code against `kms:GetPublicKey` before anything is
   published, so a release the fleet would refuse never leaves the pipeline;
4. uploads it to `models/<version>/model.json` of the fleet's bucket (the key the recipe names) with its
   SHA-256 checked by S3 (`ChecksumSHA256`) and `If-None-Match: *`, so a published version is never
   replaced (S3 User Guide, "Enforce conditional writes on Amazon S3 buckets"): a re-run with the same
   model is a no-op, another model under a used version is refused; the bucket's default SSE-KMS
   encryption with the stack key applies, and the response must say so;
5. prints the `modelRelease` setting for `Pulumi.<stack>.yaml` (and the job summary under GitHub
   Actions), or with `--write-config` writes it there and reads it back through the settings model.

Why the release is written to config, not deployed from here: the recipe change then goes through the
pull-request gate and review like any other change, and this role can never deploy (it may sign with
one key and write one prefix; bootstrap/model_release_role.py).

    .venv/bin/python scripts/ci/model_release.py --stack prod --model models/prod/model.json \\
        --bucket <device_models_bucket> [--write-config]

The release version is the model's own `version`; a re-run of a published release changes nothing.

The bucket is `--bucket` (the release workflow passes its environment's `DEVICE_MODELS_BUCKET`) or the
`device_models_bucket` of `--outputs` (the stack's `outputs` export: `pulumi stack output outputs --json`);
the key is `--key`, else the alias the stack gives it (components/devices.py `signing_alias_name`).
Exit codes: 0 published, 2 bad input or a refused release (one line, nothing published), 1 AWS failed.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from components.devices import signing_alias_name  # noqa: E402
from components.settings import ModelRelease, StackConfigError, load_settings  # noqa: E402
from functions.device.anomaly import AnomalyModel, ModelError  # noqa: E402
from functions.device.ota import Release, VerificationError, digest_b64, verify  # noqa: E402
from preflight.errors import ConfigError  # noqa: E402
from preflight.stackconfig import load_project, load_stack_config  # noqa: E402

#: The fleet's key (components/devices.py): ECC_NIST_P256 for signing, used with ECDSA_SHA_256.
KEY_SPEC = "ECC_NIST_P256"
SIGNING_ALGORITHM = "ECDSA_SHA_256"
CONFIG_KEY = "deviceFleet"


class ReleaseError(Exception):
    """The release is refused before anything is published (exit 2)."""


class AwsError(Exception):
    """An AWS call failed (exit 1)."""


@dataclass(frozen=True)
class Target:
    """Where the release goes: the fleet's bucket and the alias of its signing key."""

    bucket: str
    key: str


def object_key(version: str) -> str:
    """The key the component recipe points devices at (components/devices.py `_build_greengrass`)."""
    return f"models/{version}/model.json"


def check_model(data: bytes, path: Path, version: str | None) -> str:
    """The model must load as the device loads it; its own `version` is the release's. Returns that version."""
    if not data:
        raise ReleaseError(f"{path}: empty file")
    try:
        model = AnomalyModel.load(path)
    except (ModelError, ValueError) as error:  # json.JSONDecodeError is a ValueError
        raise ReleaseError(f"{path}: not a model the device can load: {str(error).split(': ', 1)[-1]}") from None
    if version is not None and model.version != version:
        raise ReleaseError(f"{path}: the model says version {model.version!r}, the release is {version!r}")
    if not re.fullmatch(version_pattern(), model.version):
        raise ReleaseError(f"{path}: version {model.version!r}: letters, digits, '.' and '-' only, 1-32")
    return model.version


def version_pattern() -> str:
    """The release version's rule, from the settings model (one place decides it)."""
    for item in ModelRelease.model_fields["version"].metadata:
        pattern = getattr(item, "pattern", None)
        if isinstance(pattern, str):
            return pattern
    raise AssertionError("ModelRelease.version has no pattern")  # pragma: no cover


def target_from(outputs_file: Path | None, bucket: str | None, key: str | None, default_key: str = "") -> Target:
    """The bucket and key alias: as given, else from the stack's outputs, else (the key) the stack's alias."""
    outputs: Mapping[str, Any] = {}
    if outputs_file is not None:
        try:
            outputs = json.loads(outputs_file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ReleaseError(f"{outputs_file}: file not found") from None
        except (OSError, ValueError) as error:
            raise ReleaseError(f"{outputs_file}: not the stack's outputs as JSON: {error}") from None
        if not isinstance(outputs, Mapping):
            raise ReleaseError(f"{outputs_file}: not a JSON object (pulumi stack output outputs --json)")
    bucket = bucket or outputs.get("device_models_bucket")
    key = key or outputs.get("device_signing_key_alias") or default_key
    if not isinstance(bucket, str) or not bucket:
        raise ReleaseError(
            "device_models_bucket: not in the stack's outputs (is features.deviceFleet on?); or --bucket"
        )
    if not isinstance(key, str) or not key:
        raise ReleaseError(
            "device_signing_key_alias: not in the stack's outputs (is features.deviceFleet on?); or --key"
        )
    return Target(bucket=bucket, key=key)


def _call(what: str, function: Any, **kwargs: Any) -> Any:
    from botocore.exceptions import BotoCoreError, ClientError  # noqa: PLC0415 (tooling dependency)

    try:
        return function(**kwargs)
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "")
        message = error.response.get("Error", {}).get("Message", "")
        raise AwsError(f"{what}: {code}: {message}".rstrip(": ")) from None
    except BotoCoreError as error:
        raise AwsError(f"{what}: {error}") from None


def check_key(kms: Any, key: str) -> None:
    """Refuse a key that is not the fleet's kind: enabled, SIGN_VERIFY, ECC_NIST_P256 with ECDSA_SHA_256."""
    metadata = _call(f"kms:DescribeKey {key}", kms.describe_key, KeyId=key)["KeyMetadata"]
    spec = metadata.get("KeySpec") or metadata.get("CustomerMasterKeySpec")
    if metadata.get("KeyUsage") != "SIGN_VERIFY" or spec != KEY_SPEC:
        raise ReleaseError(f"{key}: not a signing key of the fleet (KeyUsage {metadata.get('KeyUsage')}, {spec})")
    if metadata.get("KeyState") not in (None, "Enabled"):
        raise ReleaseError(f"{key}: key state is {metadata['KeyState']}, not Enabled")
    if SIGNING_ALGORITHM not in metadata.get("SigningAlgorithms", [SIGNING_ALGORITHM]):
        raise ReleaseError(f"{key}: does not sign with {SIGNING_ALGORITHM}")


def public_key_pem(kms: Any, key: str) -> str:
    """The key's public half as PEM, the form the recipe carries to devices."""
    from cryptography.hazmat.primitives import serialization  # noqa: PLC0415

    der = _call(f"kms:GetPublicKey {key}", kms.get_public_key, KeyId=key)["PublicKey"]
    public = serialization.load_der_public_key(der)
    return public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def sign(kms: Any, key: str, data: bytes) -> str:
    """Base64 DER ECDSA signature of the model's SHA-256 by the key."""
    response = _call(
        f"kms:Sign {key}",
        kms.sign,
        KeyId=key,
        Message=hashlib.sha256(data).digest(),
        MessageType="DIGEST",
        SigningAlgorithm=SIGNING_ALGORITHM,
    )
    return base64.b64encode(response["Signature"]).decode("ascii")


def upload(s3: Any, target: Target, version: str, data: bytes, digest: str) -> bool:
    """Put the model once, checked by S3 against its SHA-256; False when this very model is there already.

    A version is never replaced: `If-None-Match: *` makes S3 refuse a second put (412), and then the stored
    object's SHA-256 (HeadObject with `ChecksumMode=ENABLED`) tells a re-run of the same release (nothing to
    do) from a different model under a used version (refused).
    """
    from botocore.exceptions import ClientError  # noqa: PLC0415

    key = object_key(version)
    where = f"s3://{target.bucket}/{key}"
    try:
        response = s3.put_object(
            Bucket=target.bucket,
            Key=key,
            Body=data,
            ContentType="application/json",
            ChecksumAlgorithm="SHA256",
            ChecksumSHA256=digest,
            IfNoneMatch="*",
        )
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "")
        if code not in ("PreconditionFailed", "412"):
            message = error.response.get("Error", {}).get("Message", "")
            raise AwsError(f"s3:PutObject {where}: {code}: {message}") from None
        stored = _call(f"s3:HeadObject {where}", s3.head_object, Bucket=target.bucket, Key=key, ChecksumMode="ENABLED")
        if stored.get("ChecksumSHA256") != digest:
            raise ReleaseError(
                f"{where}: version {version} is published with other content; give the model a new version"
            ) from None
        return False
    if response.get("ServerSideEncryption") != "aws:kms":
        raise AwsError(
            f"{where}: stored with {response.get('ServerSideEncryption')!r}, not SSE-KMS: "
            "the bucket is not the fleet's encrypted bucket"
        )
    return True


def release(*, kms: Any, s3: Any, target: Target, model: Path, version: str | None = None) -> tuple[ModelRelease, bool]:
    """Sign, verify with the device's code, upload: the setting to pin, and whether it was uploaded now.

    Nothing is uploaded unless the signature verifies.
    """
    try:
        data = model.read_bytes()
    except FileNotFoundError:
        raise ReleaseError(f"{model}: file not found") from None
    except OSError as error:
        raise ReleaseError(f"{model}: cannot read: {error.strerror}") from None
    version = check_model(data, model, version)
    check_key(kms, target.key)
    digest = digest_b64(data)
    signature = sign(kms, target.key, data)
    pem = public_key_pem(kms, target.key)
    try:
        verify(data, Release(version=version, sha256_b64=digest, signature_b64=signature, public_key_pem=pem))
    except VerificationError as error:
        raise ReleaseError(f"{target.key}: {error}: nothing was published") from None
    pinned = ModelRelease(version=version, sha256=digest, signature=signature)
    return pinned, upload(s3, target, version, data, digest)


def setting(pinned: ModelRelease) -> dict[str, Any]:
    """The release as `Pulumi.<stack>.yaml` holds it (camelCase, as the settings model reads it)."""
    return pinned.model_dump(by_alias=True)


def write_config(program_dir: Path, stack: str, pinned: ModelRelease) -> Path:
    """Set `<project>:deviceFleet.modelRelease` in the stack file, keeping its comments; read it back."""
    from ruamel.yaml import YAML  # noqa: PLC0415 (round-trip YAML keeps the file's comments)

    project = load_project(program_dir).name
    path = program_dir / f"Pulumi.{stack}.yaml"
    yaml = YAML()
    yaml.preserve_quotes = True
    document = yaml.load(path.read_text(encoding="utf-8"))
    config = document.setdefault("config", {})
    fleet = config.get(f"{project}:{CONFIG_KEY}")
    if fleet is None:
        fleet = {}
        config[f"{project}:{CONFIG_KEY}"] = fleet
    fleet["modelRelease"] = setting(pinned)
    with path.open("w", encoding="utf-8") as handle:
        yaml.dump(document, handle)
    settings = stack_settings(program_dir, stack)
    if settings.device_fleet.model_release != pinned:
        raise ReleaseError(f"{path}: the release read back differs from the one written")
    return path


def stack_settings(program_dir: Path, stack: str) -> Any:
    """The stack's validated settings, as the program reads them."""
    project = load_project(program_dir).name
    config = load_stack_config(program_dir, project, stack)
    return load_settings(config.values, stack, project)


def summary(stack: str, target: Target, pinned: ModelRelease, uploaded: bool) -> str:
    """Markdown for the job summary: what was published and the setting to commit."""
    block = json.dumps({CONFIG_KEY: {"modelRelease": setting(pinned)}}, indent=2)
    where = f"`s3://{target.bucket}/{object_key(pinned.version)}`"
    done = f"Uploaded to {where}" if uploaded else f"Already published at {where} with the same SHA-256"
    return (
        f"### Model release `{pinned.version}` for `{stack}`\n\n"
        f"{done}; signed by `{target.key}` and verified with the device's own code.\n\n"
        f"Pin it: set `agentic-platform:{CONFIG_KEY}` in `Pulumi.{stack}.yaml` to this (or run the script with "
        "`--write-config`) and open a pull request; the gate and the deploy do the rest.\n\n"
        f"```json\n{block}\n```\n"
    )


def main(argv: list[str] | None = None, *, clients: tuple[Any, Any] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--stack", required=True)
    parser.add_argument("--model", required=True, type=Path, help="the model file (JSON, as the device loads it)")
    parser.add_argument("--version", help="the release version, if given: must equal the model's own version")
    parser.add_argument("--outputs", type=Path, help="the stack's outputs export as JSON")
    parser.add_argument("--bucket", help="the fleet's models bucket (default: from --outputs)")
    parser.add_argument("--key", help="the fleet's signing key id, ARN or alias (default: from --outputs)")
    parser.add_argument("--program-dir", type=Path, default=ROOT)
    parser.add_argument("--write-config", action="store_true", help="write the release into Pulumi.<stack>.yaml")
    args = parser.parse_args(argv)
    try:
        settings = stack_settings(args.program_dir, args.stack)
        if not settings.features.device_fleet:
            raise ReleaseError(f"Pulumi.{args.stack}.yaml: features.deviceFleet is off: this stack has no fleet")
        target = target_from(args.outputs, args.bucket, args.key, signing_alias_name(settings))
        kms, s3 = clients if clients is not None else _clients(settings.region)
        pinned, uploaded = release(kms=kms, s3=s3, target=target, model=args.model, version=args.version)
    except (ReleaseError, StackConfigError, ConfigError) as error:
        print(f"model_release: {error}", file=sys.stderr)
        return 2
    except AwsError as error:
        print(f"model_release: {error}", file=sys.stderr)
        return 1
    text = summary(args.stack, target, pinned, uploaded)
    print(text)
    step_summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if step_summary:
        with Path(step_summary).open("a", encoding="utf-8") as handle:
            handle.write(text)
    if args.write_config:
        try:
            written = write_config(args.program_dir, args.stack, pinned)
        except (ReleaseError, StackConfigError, ConfigError) as error:
            print(f"model_release: published, but {error}", file=sys.stderr)
            return 2
        print(f"wrote modelRelease {pinned.version} to {written}")
    return 0


def _clients(region: str) -> tuple[Any, Any]:  # pragma: no cover (real AWS)
    import boto3  # noqa: PLC0415

    return boto3.client("kms", region_name=region), boto3.client("s3", region_name=region)


if __name__ == "__main__":
    sys.exit(main())
