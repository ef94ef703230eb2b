"""The device component: signed OTA model updates (a tampered artifact is refused), anomaly scoring, buffering."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from functions.device.agent import step, telemetry_topic
from functions.device.anomaly import AnomalyModel, ModelError
from functions.device.buffer import TelemetryBuffer
from functions.device.ota import ModelStore, Release, VerificationError, digest_b64, verify

MODEL_V1 = {"version": "1", "features": ["temp", "vibration"], "mean": [20.0, 0.5], "std": [2.0, 0.1], "threshold": 3.0}
MODEL_V2 = {**MODEL_V1, "version": "2", "threshold": 4.0}


def _pem(key: ec.EllipticCurvePrivateKey) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def _release(
    data: bytes, key: ec.EllipticCurvePrivateKey, version: str, signer: ec.EllipticCurvePrivateKey | None = None
) -> Release:
    """What the release pipeline publishes: KMS Sign (ECDSA_SHA_256, DER) over the artifact, and its digest."""
    signature = (signer or key).sign(data, ec.ECDSA(hashes.SHA256()))
    return Release(version, digest_b64(data), base64.b64encode(signature).decode(), _pem(key))


@pytest.fixture
def key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_a_signed_release_installs_and_keeps_the_previous(tmp_path: Path, key: ec.EllipticCurvePrivateKey) -> None:
    store = ModelStore(tmp_path / "models")
    v1, v2 = json.dumps(MODEL_V1).encode(), json.dumps(MODEL_V2).encode()
    assert store.install(_write(tmp_path / "v1.json", v1), _release(v1, key, "1"))
    assert store.install(_write(tmp_path / "v2.json", v2), _release(v2, key, "2"))
    assert store.current_version() == "2"
    assert (store.previous / ModelStore.MODEL_FILE).read_bytes() == v1
    assert AnomalyModel.load(store.model_path()).threshold == 4.0


def test_a_tampered_artifact_is_refused_and_the_current_model_stays(
    tmp_path: Path, key: ec.EllipticCurvePrivateKey
) -> None:
    store = ModelStore(tmp_path / "models")
    v1, v2 = json.dumps(MODEL_V1).encode(), json.dumps(MODEL_V2).encode()
    assert store.install(_write(tmp_path / "v1.json", v1), _release(v1, key, "1"))
    release = _release(v2, key, "2")
    tampered = v2.replace(b'"threshold": 4.0', b'"threshold": 99.0')
    assert not store.install(_write(tmp_path / "v2.json", tampered), release)
    assert store.current_version() == "1"
    assert store.model_path().read_bytes() == v1


def test_a_release_signed_by_another_key_is_refused(key: ec.EllipticCurvePrivateKey) -> None:
    data = json.dumps(MODEL_V2).encode()
    forged = _release(data, key, "2", signer=ec.generate_private_key(ec.SECP256R1()))
    with pytest.raises(VerificationError, match="signature"):
        verify(data, forged)


def test_a_wrong_pinned_digest_is_refused(key: ec.EllipticCurvePrivateKey) -> None:
    data = json.dumps(MODEL_V2).encode()
    release = _release(data, key, "2")
    with pytest.raises(VerificationError, match="digest"):
        verify(data, Release(release.version, digest_b64(b"other"), release.signature_b64, release.public_key_pem))


def test_anomaly_scores(tmp_path: Path) -> None:
    model = AnomalyModel.load(_write(tmp_path / "m.json", json.dumps(MODEL_V1).encode()))
    assert not model.is_anomaly({"temp": 21.0, "vibration": 0.55})
    assert model.is_anomaly({"temp": 30.0, "vibration": 0.5})  # z = 5
    assert model.is_anomaly({"temp": 20.0})  # a missing sensor is an anomaly
    with pytest.raises(ModelError):
        AnomalyModel.load(_write(tmp_path / "bad.json", json.dumps({**MODEL_V1, "std": [0, 1]}).encode()))


def test_buffer_survives_restarts_and_keeps_order_until_sent(tmp_path: Path) -> None:
    path = tmp_path / "t.db"
    buffer = TelemetryBuffer(path, capacity=3)
    for i in range(5):
        buffer.append({"i": i})
    buffer.close()
    buffer = TelemetryBuffer(path, capacity=3)
    assert len(buffer) == 3  # the oldest two were dropped
    sent: list[dict[str, int]] = []

    def flaky(record: dict[str, int]) -> None:
        if record["i"] == 4:
            raise ConnectionError("offline")
        sent.append(record)

    assert buffer.drain(flaky) == 2
    assert sent == [{"i": 2}, {"i": 3}] and len(buffer) == 1
    assert buffer.drain(sent.append) == 1 and len(buffer) == 0


def test_step_buffers_while_offline(tmp_path: Path) -> None:
    model = AnomalyModel.load(_write(tmp_path / "m.json", json.dumps(MODEL_V1).encode()))
    buffer = TelemetryBuffer(tmp_path / "t.db")

    def offline(record: dict[str, object]) -> None:
        raise ConnectionError("no network")

    assert step({"temp": 40.0, "vibration": 0.5}, model, buffer, offline) is True
    assert len(buffer) == 1
    sent: list[dict[str, object]] = []
    step({"temp": 20.0, "vibration": 0.5}, model, buffer, sent.append)
    assert [r["anomaly"] for r in sent] == [True, False] and len(buffer) == 0
    assert telemetry_topic("dev-1") == "fleet/dev-1/telemetry"
