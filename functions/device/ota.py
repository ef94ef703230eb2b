"""Signed over-the-air model updates (P081): verify before loading, keep the previous model on failure.

Releases are signed with an asymmetric KMS key (`ECC_NIST_P256`, `SIGN_VERIFY`, signing algorithm
`ECDSA_SHA_256`: AWS KMS Developer Guide, "Asymmetric keys in AWS KMS"; `Sign` returns a DER-encoded
signature). A key in KMS was chosen over AWS Signer because the private key never leaves KMS, every
signing is in CloudTrail, and a device verifies offline with only the public key, which the component
recipe carries next to the model's pinned SHA-256 digest.

A candidate model is installed only when both its digest equals the pinned one and its signature verifies
under the release key. The previous model is kept as `previous/` and stays `current/` on any failure.
"""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
from dataclasses import dataclass
from pathlib import Path


class VerificationError(Exception):
    """The candidate model is not the release that was signed (tampered, truncated, or signed by another key)."""


@dataclass(frozen=True)
class Release:
    """What the recipe pins for one model release."""

    version: str
    sha256_b64: str
    signature_b64: str
    public_key_pem: str


def digest_b64(data: bytes) -> str:
    """Base64 SHA-256, the form Greengrass recipes use for artifact digests."""
    return base64.b64encode(hashlib.sha256(data).digest()).decode("ascii")


def verify(data: bytes, release: Release) -> None:
    """Raise VerificationError unless `data` has the pinned digest and a valid signature of the release key."""
    from cryptography.exceptions import InvalidSignature  # noqa: PLC0415 (device-side dependency)
    from cryptography.hazmat.primitives import hashes, serialization  # noqa: PLC0415
    from cryptography.hazmat.primitives.asymmetric import ec  # noqa: PLC0415

    if digest_b64(data) != release.sha256_b64:
        raise VerificationError(f"model {release.version}: digest does not match the pinned one")
    key = serialization.load_pem_public_key(release.public_key_pem.encode("ascii"))
    if not isinstance(key, ec.EllipticCurvePublicKey):
        raise VerificationError(f"model {release.version}: the release key is not an ECDSA key")
    try:
        key.verify(base64.b64decode(release.signature_b64), data, ec.ECDSA(hashes.SHA256()))
    except (InvalidSignature, ValueError):
        raise VerificationError(f"model {release.version}: signature does not verify") from None


class ModelStore:
    """`current/` and `previous/` model directories under the component's work path."""

    MODEL_FILE = "model.json"

    def __init__(self, root: Path) -> None:
        self.root = root
        self.current = root / "current"
        self.previous = root / "previous"

    def current_version(self) -> str | None:
        meta = self.current / "release.json"
        return json.loads(meta.read_text(encoding="utf-8"))["version"] if meta.is_file() else None

    def install(self, candidate: Path, release: Release) -> bool:
        """Verify and install `candidate`; False (and the current model untouched) when verification fails."""
        data = candidate.read_bytes()
        try:
            verify(data, release)
        except VerificationError:
            return False
        staging = self.root / "staging"
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        (staging / self.MODEL_FILE).write_bytes(data)
        (staging / "release.json").write_text(json.dumps({"version": release.version}), encoding="utf-8")
        if self.current.exists():
            shutil.rmtree(self.previous, ignore_errors=True)
            self.current.replace(self.previous)
        staging.replace(self.current)
        return True

    def model_path(self) -> Path:
        return self.current / self.MODEL_FILE
