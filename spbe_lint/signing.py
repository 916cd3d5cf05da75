"""Tamper evidence: Ed25519 signatures over the canonical JSON report.

The signed bytes are the RFC 8785 (JSON Canonicalization Scheme) form of the
JSON report without its ``signature`` member: keys sorted, no whitespace,
numbers and strings in one spelling. Reformatting the file changes nothing;
changing any value (a finding, a hash, the verdict, the timestamp) breaks the
signature. Keys are PEM files (PKCS#8 private, SubjectPublicKeyInfo public);
a key is named by its fingerprint, ``SHA256:`` and the unpadded base64 of the
sha256 of the raw 32-byte public key.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from spbe_lint.errors import InputError, UsageError
from spbe_lint.findings import Report, Signature
from spbe_lint.i18n import LocalText

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import (
        Ed25519PrivateKey,
        Ed25519PublicKey,
    )

ALGORITHM = "ed25519"


def canonical(data: dict[str, Any]) -> bytes:
    """The bytes a signature covers: the report without ``signature``, RFC 8785."""
    import rfc8785

    unsigned = {key: value for key, value in data.items() if key != "signature"}
    # Through JSON once, so tuples, str subclasses and the like are plain JSON.
    return rfc8785.dumps(json.loads(json.dumps(unsigned, ensure_ascii=False)))


def fingerprint(public_key: Ed25519PublicKey) -> str:
    from cryptography.hazmat.primitives import serialization

    raw = public_key.public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    digest = base64.b64encode(hashlib.sha256(raw).digest()).decode().rstrip("=")
    return f"SHA256:{digest}"


def sign(report: Report, key: Ed25519PrivateKey) -> Report:
    """The report with its signature (every format then shows it)."""
    from spbe_lint.reporters import json_

    unsigned = replace(report, signature=None)
    value = key.sign(canonical(json_.as_dict(unsigned)))
    signature = Signature(
        algorithm=ALGORITHM,
        key_id=fingerprint(key.public_key()),
        value=base64.b64encode(value).decode(),
    )
    return replace(unsigned, signature=signature)


def check(data: dict[str, Any], key: Ed25519PublicKey) -> LocalText | None:
    """None when *data* carries a valid signature by *key*; else what is wrong."""
    from cryptography.exceptions import InvalidSignature

    signature = data.get("signature")
    if not isinstance(signature, dict):
        return LocalText("laporan tidak ditandatangani", "the report is not signed")
    expected = fingerprint(key)
    if signature.get("key_id") != expected:
        return LocalText(
            f"ditandatangani dengan kunci lain ({signature.get('key_id')}), bukan "
            f"{expected}",
            f"signed with another key ({signature.get('key_id')}), not {expected}",
        )
    try:
        key.verify(base64.b64decode(signature["value"]), canonical(data))
    except (InvalidSignature, ValueError, KeyError):
        return LocalText(
            "tanda tangan tidak sah: laporan diubah setelah ditandatangani",
            "the signature is not valid: the report was changed after it was signed",
        )
    return None


def generate() -> tuple[bytes, bytes]:
    """A new key pair as PEM: (private, public)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = Ed25519PrivateKey.generate()
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return private, public


def write_pair(prefix: Path, *, force: bool = False) -> tuple[Path, Path, str]:
    """PREFIX.key (readable by its owner only) and PREFIX.pub; their fingerprint."""
    from cryptography.hazmat.primitives.serialization import load_pem_public_key

    private_path = prefix.with_name(prefix.name + ".key")
    public_path = prefix.with_name(prefix.name + ".pub")
    for path in (private_path, public_path):
        if path.exists() and not force:
            raise UsageError(
                LocalText(
                    "berkas sudah ada; pakai --force untuk menimpanya",
                    "the file exists; use --force to replace it",
                ),
                path=path.as_posix(),
            )
    private, public = generate()
    try:
        private_path.parent.mkdir(parents=True, exist_ok=True)
        flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
        descriptor = os.open(private_path, flags, 0o600)  # never world-readable
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(private)
        public_path.write_bytes(public)
    except OSError as exc:
        raise UsageError(
            LocalText(
                f"tidak dapat menulis kunci: {exc.strerror}",
                f"cannot write the key: {exc.strerror}",
            ),
            path=(Path(exc.filename) if exc.filename else private_path).as_posix(),
        ) from None
    key = load_pem_public_key(public)
    return private_path, public_path, fingerprint(key)  # type: ignore[arg-type]


def load_private(path: Path) -> Ed25519PrivateKey:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    raw = _read(path)
    try:
        key = load_pem_private_key(raw, password=None)
    except (ValueError, TypeError):
        key = None
    if not isinstance(key, Ed25519PrivateKey):
        raise InputError(
            LocalText(
                "bukan kunci privat Ed25519 (PEM, tanpa kata sandi); buat dengan "
                "spbe-lint keygen",
                "not an Ed25519 private key (PEM, no passphrase); make one with "
                "spbe-lint keygen",
            ),
            path=path.as_posix(),
        )
    return key


def load_public(path: Path) -> Ed25519PublicKey:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    from cryptography.hazmat.primitives.serialization import load_pem_public_key

    raw = _read(path)
    try:
        key = load_pem_public_key(raw)
    except (ValueError, TypeError):
        key = None
    if not isinstance(key, Ed25519PublicKey):
        raise InputError(
            LocalText(
                "bukan kunci publik Ed25519 (PEM, seperti .pub dari spbe-lint keygen)",
                "not an Ed25519 public key (PEM, like the .pub of spbe-lint keygen)",
            ),
            path=path.as_posix(),
        )
    return key


def _read(path: Path) -> bytes:
    try:
        with path.open("rb") as handle:
            return handle.read(64 * 1024)  # a PEM key is a few hundred bytes
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise InputError(
            LocalText(
                f"tidak dapat membaca kunci: {reason}", f"cannot read the key: {reason}"
            ),
            path=path.as_posix(),
        ) from None
