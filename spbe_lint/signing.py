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
import stat
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from spbe_lint import writing
from spbe_lint.errors import InputError
from spbe_lint.findings import Report, Signature
from spbe_lint.i18n import LocalText

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import (
        Ed25519PrivateKey,
        Ed25519PublicKey,
    )

ALGORITHM = "ed25519"


def canonical(data: dict[str, Any]) -> bytes:
    """The bytes a signature covers: the report without ``signature``, RFC 8785.

    RFC 8785 reads every number as an IEEE 754 double, where an integer past
    2**53 has no exact value: an unquoted 18-digit NIP in a manifest is one,
    and its last digits could then change under a signature that still holds.
    Such an integer is covered as its exact decimal digits (a string) instead."""
    import rfc8785

    unsigned = {key: value for key, value in data.items() if key != "signature"}
    # Through JSON once, so tuples, str subclasses and the like are plain JSON.
    plain = json.loads(json.dumps(unsigned, ensure_ascii=False))
    return rfc8785.dumps(_exact(plain))


_SAFE_INTEGER = 2**53 - 1  # the largest integer a double holds exactly


def _exact(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _exact(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_exact(item) for item in value]
    if (
        isinstance(value, int)
        and not isinstance(value, bool)
        and abs(value) > _SAFE_INTEGER
    ):
        return str(value)
    return value


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
        state="made",
    )
    return replace(unsigned, signature=signature)


def check(data: dict[str, Any], key: Ed25519PublicKey) -> LocalText | None:
    """None when *data* carries a valid signature by *key*; else what is wrong."""
    return judge(data, key)[1]


def judge(data: dict[str, Any], key: Ed25519PublicKey) -> tuple[str, LocalText | None]:
    """The state of *data*'s signature checked with *key* (verified, unsigned,
    other-key, invalid: see findings.Signature) and, unless verified, why."""
    from cryptography.exceptions import InvalidSignature

    signature = data.get("signature")
    if not isinstance(signature, dict):
        return "unsigned", LocalText(
            "laporan tidak ditandatangani", "the report is not signed"
        )
    expected = fingerprint(key)
    if signature.get("key_id") != expected:
        return "other-key", LocalText(
            f"ditandatangani dengan kunci lain ({signature.get('key_id')}), bukan "
            f"{expected}",
            f"signed with another key ({signature.get('key_id')}), not {expected}",
        )
    try:
        key.verify(base64.b64decode(signature["value"]), canonical(data))
    except (InvalidSignature, ValueError, KeyError):
        return "invalid", LocalText(
            "tanda tangan tidak sah: laporan diubah setelah ditandatangani",
            "the signature is not valid: the report was changed after it was signed",
        )
    return "verified", None


def examine(
    report: Report, data: dict[str, Any], key: Ed25519PublicKey | None
) -> tuple[Report, LocalText | None]:
    """*report* (read from *data*) with what is known of its signature, for
    re-rendering: checked with *key*, or marked as not verified without one.
    The second value says why it does not hold (None when verified, or when
    no key was given)."""
    signature = report.signature
    if key is None:
        if signature is None:
            return report, None
        return replace(report, signature=replace(signature, state="unverified")), None
    state, problem = judge(data, key)
    if signature is None:
        return report, problem
    marked = replace(signature, state=state, checked_with=fingerprint(key))
    return replace(report, signature=marked), problem


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
    for path in (private_path, public_path):  # both, before either is written
        if os.path.lexists(path) and not force:
            raise writing.exists(path)
    private, public = generate()
    # Written whole or not at all; the private key is never readable by others,
    # not even while it is being written (mkstemp makes it 0600).
    writing.write_bytes(private_path, private, replace=force, mode=0o600)
    writing.write_bytes(public_path, public, replace=force)
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
        # Non-blocking, so a FIFO is refused instead of waited on for ever.
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(descriptor, "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                raise InputError(
                    LocalText(
                        "kunci harus berkas biasa (bukan perangkat atau FIFO)",
                        "a key must be a regular file (not a device or FIFO)",
                    ),
                    path=path.as_posix(),
                )
            return handle.read(64 * 1024)  # a PEM key is a few hundred bytes
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise InputError(
            LocalText(
                f"tidak dapat membaca kunci: {reason}", f"cannot read the key: {reason}"
            ),
            path=path.as_posix(),
        ) from None
