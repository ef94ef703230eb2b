"""The model-release pipeline (scripts/ci/model_release.py): what it publishes, the device accepts; nothing else.

KMS is botocore's Stubber with signatures made by a real P-256 key (moto 5.2.5's `Sign` ignores
`MessageType=DIGEST` and would sign the digest as a raw message, which AWS does not); S3 is moto, with
the fleet bucket's default SSE-KMS encryption and S3's conditional writes (`If-None-Match`).
"""

from __future__ import annotations

import base64
import hashlib
import importlib
import json
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, utils
from moto import mock_aws

from components.settings import ModelRelease
from functions.device.ota import ModelStore, Release

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts" / "ci"))
model_release = importlib.import_module("model_release")

ALIAS = "alias/agentic-platform-prod-fleet-signing"
BUCKET = "agentic-platform-prod-devices-models-0a1b2c"
MODEL = {"version": "1.2.0", "features": ["temp"], "mean": [20.0], "std": [2.0], "threshold": 3.0}


@pytest.fixture
def private_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


@pytest.fixture
def s3() -> Iterator[Any]:
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket=BUCKET)
        client.put_bucket_encryption(
            Bucket=BUCKET,
            ServerSideEncryptionConfiguration={
                "Rules": [
                    {
                        "ApplyServerSideEncryptionByDefault": {
                            "SSEAlgorithm": "aws:kms",
                            "KMSMasterKeyID": "arn:aws:kms:us-east-1:123456789012:key/stack-key",
                        }
                    }
                ]
            },
        )
        yield client


def kms_stub(
    private_key: ec.EllipticCurvePrivateKey,
    data: bytes | None,
    *,
    usage: str = "SIGN_VERIFY",
    spec: str = "ECC_NIST_P256",
    public_key: ec.EllipticCurvePublicKey | None = None,
) -> tuple[Any, Stubber]:
    """A KMS client answering DescribeKey, Sign (of the digest, as KMS does with DIGEST) and GetPublicKey."""
    client = boto3.client("kms", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    stub = Stubber(client)
    stub.add_response(
        "describe_key",
        {
            "KeyMetadata": {
                "KeyId": "1234abcd-12ab-34cd-56ef-1234567890ab",
                "KeyUsage": usage,
                "KeySpec": spec,
                "KeyState": "Enabled",
                "SigningAlgorithms": ["ECDSA_SHA_256"],
            }
        },
        {"KeyId": ALIAS},
    )
    if data is not None:
        digest = hashlib.sha256(data).digest()
        signature = private_key.sign(digest, ec.ECDSA(utils.Prehashed(hashes.SHA256())))
        stub.add_response(
            "sign",
            {"KeyId": ALIAS, "Signature": signature, "SigningAlgorithm": "ECDSA_SHA_256"},
            {"KeyId": ALIAS, "Message": digest, "MessageType": "DIGEST", "SigningAlgorithm": "ECDSA_SHA_256"},
        )
        der = (public_key or private_key.public_key()).public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        stub.add_response("get_public_key", {"KeyId": ALIAS, "PublicKey": der}, {"KeyId": ALIAS})
    stub.activate()
    return client, stub


def program(tmp_path: Path) -> Path:
    """A copy of the project files the script reads (Pulumi.yaml and the prod stack file)."""
    for name in ("Pulumi.yaml", "Pulumi.prod.yaml", "Pulumi.dev.yaml", "__main__.py"):
        shutil.copy(ROOT / name, tmp_path / name)
    return tmp_path


def write_model(tmp_path: Path, model: dict[str, Any] = MODEL) -> tuple[Path, bytes]:
    data = json.dumps(model).encode()
    path = tmp_path / "model.json"
    path.write_bytes(data)
    return path, data


def run(tmp_path: Path, kms: Any, s3: Any, *extra: str) -> int:
    model, _ = write_model(tmp_path) if not (tmp_path / "model.json").exists() else (tmp_path / "model.json", b"")
    return int(
        model_release.main(
            [
                "--stack",
                "prod",
                "--model",
                str(model),
                "--bucket",
                BUCKET,
                "--key",
                ALIAS,
                "--program-dir",
                str(program(tmp_path)),
                *extra,
            ],
            clients=(kms, s3),
        )
    )


def test_a_release_is_signed_uploaded_and_installs_on_the_device(
    tmp_path: Path, private_key: ec.EllipticCurvePrivateKey, s3: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    path, data = write_model(tmp_path)
    kms, stub = kms_stub(private_key, data)
    sent: list[dict[str, Any]] = []
    s3.meta.events.register("provide-client-params.s3.PutObject", lambda params, **_: sent.append(dict(params)))

    assert run(tmp_path, kms, s3, "--write-config") == 0
    stub.assert_no_pending_responses()

    # S3 holds the bytes at the recipe's key; the upload carried its SHA-256 and never-overwrite condition.
    stored = s3.get_object(Bucket=BUCKET, Key="models/1.2.0/model.json")
    assert stored["Body"].read() == data and stored["ServerSideEncryption"] == "aws:kms"
    assert sent[0]["ChecksumSHA256"] == base64.b64encode(hashlib.sha256(data).digest()).decode()
    assert sent[0]["IfNoneMatch"] == "*"

    # The stack file now pins it, through the settings model, with the file's comments kept.
    settings = model_release.stack_settings(tmp_path, "prod")
    pinned = settings.device_fleet.model_release
    assert isinstance(pinned, ModelRelease) and pinned.version == "1.2.0"
    assert "# prod:" in (tmp_path / "Pulumi.prod.yaml").read_text(encoding="utf-8").splitlines()[0]

    # What the recipe carries (digest, signature, public key) is what the device verifies and installs.
    pem = private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    store = ModelStore(tmp_path / "device")
    release = Release(pinned.version, pinned.sha256, pinned.signature, pem.decode())
    assert store.install(path, release) and store.current_version() == "1.2.0"
    tampered = tmp_path / "tampered.json"
    tampered.write_bytes(data.replace(b"3.0", b"9.0"))
    assert not store.install(tampered, release)
    assert "modelRelease" in capsys.readouterr().out


def test_a_signature_that_does_not_verify_publishes_nothing(
    tmp_path: Path, private_key: ec.EllipticCurvePrivateKey, s3: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    _, data = write_model(tmp_path)
    other = ec.generate_private_key(ec.SECP256R1()).public_key()
    kms, _ = kms_stub(private_key, data, public_key=other)  # the alias points at another key than it signed with

    assert run(tmp_path, kms, s3) == 2
    assert "signature does not verify: nothing was published" in capsys.readouterr().err
    assert s3.list_objects_v2(Bucket=BUCKET).get("KeyCount") == 0


def test_a_published_version_is_never_replaced(
    tmp_path: Path, private_key: ec.EllipticCurvePrivateKey, s3: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    _, data = write_model(tmp_path)
    assert run(tmp_path, kms_stub(private_key, data)[0], s3) == 0
    # The same model again (a re-run of the workflow): nothing to do, and the pin is printed again.
    assert run(tmp_path, kms_stub(private_key, data)[0], s3) == 0
    assert "Already published at" in capsys.readouterr().out
    # Another model under the version already published is refused, and the published one stays.
    changed = json.dumps({**MODEL, "threshold": 9.0}).encode()
    (tmp_path / "model.json").write_bytes(changed)
    assert run(tmp_path, kms_stub(private_key, changed)[0], s3) == 2
    assert "version 1.2.0 is published with other content" in capsys.readouterr().err
    assert s3.get_object(Bucket=BUCKET, Key="models/1.2.0/model.json")["Body"].read() == data


def test_a_key_that_is_not_a_signing_key_is_refused(
    tmp_path: Path, private_key: ec.EllipticCurvePrivateKey, s3: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    write_model(tmp_path)
    kms, _ = kms_stub(private_key, None, usage="ENCRYPT_DECRYPT", spec="SYMMETRIC_DEFAULT")
    assert run(tmp_path, kms, s3) == 2
    assert "not a signing key of the fleet" in capsys.readouterr().err


def test_an_unencrypted_bucket_is_refused(
    tmp_path: Path, private_key: ec.EllipticCurvePrivateKey, s3: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    s3.delete_bucket_encryption(Bucket=BUCKET)
    _, data = write_model(tmp_path)
    assert run(tmp_path, kms_stub(private_key, data)[0], s3) == 1
    assert "not SSE-KMS" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("model", "version", "message"),
    [
        ({**MODEL, "version": "1.2.0/../x"}, None, "version '1.2.0/../x': letters, digits"),
        ({**MODEL, "version": "1.1.0"}, "1.2.0", "the model says version '1.1.0', the release is '1.2.0'"),
        ({**MODEL, "std": [0.0]}, None, "not a model the device can load"),
        ({**MODEL, "std": "x"}, None, "not a model the device can load"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    tmp_path: Path,
    private_key: ec.EllipticCurvePrivateKey,
    s3: Any,
    capsys: pytest.CaptureFixture[str],
    model: dict[str, Any],
    version: str | None,
    message: str,
) -> None:
    write_model(tmp_path, model)
    kms, _ = kms_stub(private_key, None)
    assert run(tmp_path, kms, s3, *(["--version", version] if version else [])) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1
    assert s3.list_objects_v2(Bucket=BUCKET).get("KeyCount") == 0


def test_a_stack_without_a_fleet_is_refused(
    tmp_path: Path, private_key: ec.EllipticCurvePrivateKey, s3: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    model, _ = write_model(tmp_path)
    code = model_release.main(
        ["--stack", "dev", "--model", str(model), "--program-dir", str(program(tmp_path))],
        clients=(kms_stub(private_key, None)[0], s3),
    )
    assert code == 2
    assert "features.deviceFleet is off" in capsys.readouterr().err


def test_the_bucket_and_key_come_from_the_stack_outputs(tmp_path: Path) -> None:
    outputs = tmp_path / "outputs.json"
    outputs.write_text(json.dumps({"device_models_bucket": BUCKET, "device_signing_key_alias": ALIAS}))
    assert model_release.target_from(outputs, None, None) == model_release.Target(BUCKET, ALIAS)
    outputs.write_text(json.dumps({"api_url": "https://x"}))
    with pytest.raises(model_release.ReleaseError, match="device_models_bucket: not in the stack's outputs"):
        model_release.target_from(outputs, None, None)
