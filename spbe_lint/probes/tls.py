"""TLS facts from handshakes to the pinned address, and their judgement.

Recipe of the specification (section 5): a verified handshake with SNI records
version, cipher and the verification result; when verification fails, a second
handshake without verification reads the certificate's metadata only (no HTTP
is ever sent on it); one handshake per legacy version finds TLS 1.0/1.1. A
client that cannot even offer a version (OpenSSL 3 without SECLEVEL=0, or a
build without it) reports "not tested", never "refused".
"""

from __future__ import annotations

import datetime
import functools
import threading
import warnings
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from spbe_lint.probes.facts import ProbeFacts, TlsFacts, Verdict, verdict

if TYPE_CHECKING:
    from spbe_lint.probes.pinning import Pinner
    from spbe_lint.probes.transport import Limits

LEGACY = ("TLSv1", "TLSv1.1")
# OpenSSL reasons raised by the client before anything is sent.
_CLIENT_SIDE = ("NO_CIPHERS_AVAILABLE", "NO_PROTOCOLS_AVAILABLE", "NO_SUITABLE")
WARN_DAYS = 30
_WEAK_HASHES = ("md5", "sha1", "md2")


def collect(
    pinner: Pinner,
    host: str,
    port: int,
    context: Any,
    limits: Limits,
    seen: tuple[str | None, Any, bytes | None] = (None, None, None),
) -> TlsFacts:
    """TLS facts of *host*:*port*. *seen* is what the run's first verified HTTPS
    connection to it negotiated (version, cipher, certificate), when there was
    one: the same context and pinned address, so no handshake is repeated."""
    import ssl

    from spbe_lint.probes import pinning

    try:
        pin = pinner.pin(host, port)
    except (pinning.BlockedAddress, pinning.ResolveError) as exc:
        return TlsFacts(host, error=f"not contacted: {exc}")
    facts: dict[str, Any] = {"host": host, "address": pin.shown}
    version, cipher, der = seen
    if version and der:
        name, _, bits = cipher or (None, None, None)
        facts.update(verified=True, version=version, cipher=name, cipher_bits=bits)
        facts.update(_certificate(der))
        facts["protocols"] = _protocols(pin, host, limits, version)
        return TlsFacts(**facts)
    der = None
    try:
        sock = pinning.open_socket(pin.address, pin.connect_port, limits.connect)
        with context.wrap_socket(sock, server_hostname=host) as tls:
            facts.update(verified=True, version=tls.version())
            name, _, bits = tls.cipher() or (None, None, None)
            facts.update(cipher=name, cipher_bits=bits)
            der = tls.getpeercert(binary_form=True)
    except ssl.SSLCertVerificationError as exc:
        facts.update(verify_code=exc.verify_code, verify_message=exc.verify_message)
    except ssl.SSLError as exc:  # no common protocol or cipher: versions tell why
        facts["error"] = f"handshake failed: {_short(exc)}"
        facts["protocols"] = _protocols(pin, host, limits, None)
        return TlsFacts(**facts)
    except OSError as exc:
        facts["error"] = f"handshake failed: {_short(exc)}"
        return TlsFacts(**facts)
    if der is None:
        der, version, cipher = _unverified(pin, host, limits)
        facts.update(version=version, cipher=cipher[0] if cipher else None)
        facts["cipher_bits"] = cipher[2] if cipher else None
    if der:
        facts.update(_certificate(der))
    facts["protocols"] = _protocols(pin, host, limits, facts.get("version"))
    return TlsFacts(**facts)


def _short(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:200] or type(exc).__name__


def _unverified(pin: Any, host: str, limits: Limits) -> tuple[bytes | None, Any, Any]:
    """Metadata only: a handshake without verification; nothing is sent on it."""
    import ssl

    from spbe_lint.probes import pinning

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    try:
        sock = pinning.open_socket(pin.address, pin.connect_port, limits.connect)
        with context.wrap_socket(sock, server_hostname=host) as tls:
            return tls.getpeercert(binary_form=True), tls.version(), tls.cipher()
    except (ssl.SSLError, OSError):
        return None, None, None


def _protocols(
    pin: Any, host: str, limits: Limits, negotiated: str | None
) -> dict[str, str]:
    """Which versions the server offers. Each answer is a real handshake
    attempt offering that version; TLS 1.0 and 1.1 are first tried in one
    handshake offering both (a server that accepts neither, the usual case,
    answers both with one refusal), and separately only when that one
    succeeds, since it tells just the higher version the server took."""
    import ssl

    found: dict[str, str] = {}
    if negotiated in ("TLSv1.2", "TLSv1.3"):
        found[negotiated] = "offered"
    versions = {
        "TLSv1": ssl.TLSVersion.TLSv1,
        "TLSv1.1": ssl.TLSVersion.TLSv1_1,
        "TLSv1.2": ssl.TLSVersion.TLSv1_2,
    }
    contexts = {name: _version_context(name, v) for name, v in versions.items()}
    legacy = [n for n in LEGACY if not isinstance(contexts[n], str)]
    if len(legacy) == 2:
        both = _version_context(
            "legacy", (ssl.TLSVersion.TLSv1, ssl.TLSVersion.TLSv1_1)
        )
        if not isinstance(both, str):
            answer, taken = _attempt(pin, host, limits, both)
            if answer == "refused" or answer.startswith("not tested"):
                found.update(dict.fromkeys(LEGACY, answer))
            elif taken in LEGACY:
                found[taken] = "offered"
    for name in versions:
        if name in found:
            continue
        if name == "TLSv1.2" and negotiated == "TLSv1.3":
            continue  # 1.3 is offered; 1.2 alone decides nothing
        context = contexts[name]
        if isinstance(context, str):
            found[name] = f"not tested: this client cannot offer it ({context})"
            continue
        found[name] = _attempt(pin, host, limits, context)[0]
    if negotiated == "TLSv1.3":
        found.setdefault("TLSv1.3", "offered")
    order = dict.fromkeys([negotiated, *versions, "TLSv1.3"])
    return {name: found[name] for name in order if name in found}


def _attempt(pin: Any, host: str, limits: Limits, context: Any) -> tuple[str, Any]:
    """One handshake with *context*: "offered" (and the version taken),
    "refused", or "not tested: ..." when the client could not offer it."""
    import ssl

    from spbe_lint.probes import pinning

    try:
        sock = pinning.open_socket(pin.address, pin.connect_port, limits.connect)
    except OSError as exc:
        return f"not tested: {_short(exc)}", None
    try:
        with context.wrap_socket(sock, server_hostname=host) as tls:
            return "offered", tls.version()
    except ssl.SSLError as exc:
        reason = exc.reason or ""
        if any(marker in reason for marker in _CLIENT_SIDE):
            return f"not tested: this client cannot offer it ({reason})", None
        return "refused", None
    except OSError:
        return "refused", None


_CONTEXTS: dict[str, Any] = {}
# catch_warnings swaps the process-wide filter list: two threads inside it at
# once can restore each other's filters, and the deprecation warning of the
# legacy versions escapes (an error under pytest's filterwarnings)
_CONTEXTS_LOCK = threading.Lock()


def _version_context(name: str, version: Any) -> Any:
    """A context offering only *version*, or a (lowest, highest) range (no
    verification: metadata only), built once per process; or why this client
    cannot offer it."""
    with _CONTEXTS_LOCK:
        if name not in _CONTEXTS:
            _CONTEXTS[name] = _new_context(version)
        return _CONTEXTS[name]


def _new_context(version: Any) -> Any:
    import ssl

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        low, high = version if isinstance(version, tuple) else (version, version)
        try:
            context.minimum_version = low
            context.maximum_version = high
            if low < ssl.TLSVersion.TLSv1_2:
                context.set_ciphers("DEFAULT:@SECLEVEL=0")
        except (ValueError, ssl.SSLError) as exc:
            return _short(exc)
    return context


def _certificate(der: bytes) -> dict[str, Any]:
    """The facts of the certificate *der*: a copy of what ``_parsed`` made."""
    return dict(_parsed(der))


@functools.lru_cache(maxsize=256)
def _parsed(der: bytes) -> dict[str, Any]:
    # remembered by its bytes: a wildcard certificate serves many of a city's
    # hosts, and parsing one costs more CPU than a request
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa

    cert = x509.load_der_x509_certificate(der)
    key = cert.public_key()
    if isinstance(key, rsa.RSAPublicKey):
        key_type, bits = "RSA", key.key_size
    elif isinstance(key, ec.EllipticCurvePublicKey):
        key_type, bits = f"EC {key.curve.name}", key.curve.key_size
    elif isinstance(key, dsa.DSAPublicKey):
        key_type, bits = "DSA", key.key_size
    elif isinstance(key, ed25519.Ed25519PublicKey):
        key_type, bits = "Ed25519", 256
    elif isinstance(key, ed448.Ed448PublicKey):
        key_type, bits = "Ed448", 456
    else:
        key_type, bits = type(key).__name__, None
    try:
        names = cert.extensions.get_extension_for_class(
            x509.SubjectAlternativeName
        ).value.get_values_for_type(x509.DNSName)
    except x509.ExtensionNotFound:
        names = []
    algorithm = cert.signature_hash_algorithm
    return {
        "not_before": cert.not_valid_before_utc.isoformat(),
        "not_after": cert.not_valid_after_utc.isoformat(),
        "subject": cert.subject.rfc4514_string(),
        "issuer": cert.issuer.rfc4514_string(),
        "names": tuple(names),
        "key_type": key_type,
        "key_bits": bits,
        "signature_hash": algorithm.name if algorithm else None,
    }


# ---- judgements -------------------------------------------------------------


def _each(facts: ProbeFacts) -> Iterator[tuple[str, TlsFacts]]:
    yield from facts.tls_by_url().items()


def _verdict(
    check: str,
    status: str,
    url: str,
    tls: TlsFacts,
    id_: str,
    en: str,
    severity: str | None = None,
) -> Verdict:
    return verdict(check, status, url, id_, en, tls.evidence(), severity)


def _unreachable(check: str, url: str, tls: TlsFacts) -> Verdict | None:
    if tls.error:
        return _verdict(
            check,
            "inconclusive",
            url,
            tls,
            f"TLS tidak dapat diperiksa: {tls.error}",
            f"TLS could not be checked: {tls.error}",
        )
    return None


def judge_chain(facts: ProbeFacts) -> Iterator[Verdict]:
    for url, tls in _each(facts):
        failed = _unreachable("tls-chain", url, tls)
        if failed:
            yield failed
        elif tls.verified or tls.verify_code == 62:  # 62: hostname only (tls-hostname)
            yield _verdict(
                "tls-chain",
                "pass",
                url,
                tls,
                "rantai sertifikat tepercaya",
                "certificate chain trusted",
            )
        else:
            yield _verdict(
                "tls-chain",
                "fail",
                url,
                tls,
                f"sertifikat tidak tepercaya: {tls.verify_message} "
                f"(kode {tls.verify_code})",
                f"certificate not trusted: {tls.verify_message} "
                f"(code {tls.verify_code})",
            )


def judge_hostname(facts: ProbeFacts) -> Iterator[Verdict]:
    for url, tls in _each(facts):
        failed = _unreachable("tls-hostname", url, tls)
        if failed:
            yield failed
        elif tls.verify_code == 62:
            names = ", ".join(tls.names) or tls.subject or "?"
            yield _verdict(
                "tls-hostname",
                "fail",
                url,
                tls,
                f"sertifikat tidak berlaku untuk {tls.host} (berlaku untuk: {names})",
                f"certificate is not valid for {tls.host} (valid for: {names})",
            )
        elif tls.verified:
            yield _verdict(
                "tls-hostname", "pass", url, tls, "nama host cocok", "host name matches"
            )
        else:
            yield _verdict(
                "tls-hostname",
                "inconclusive",
                url,
                tls,
                "nama host tidak dinilai karena rantai sertifikat gagal",
                "host name not judged: the chain failed",
            )


def judge_expiry(facts: ProbeFacts) -> Iterator[Verdict]:
    today = datetime.datetime.now(datetime.UTC)
    for url, tls in _each(facts):
        failed = _unreachable("tls-expiry", url, tls)
        if failed:
            yield failed
            continue
        if not tls.not_after or not tls.not_before:
            yield _verdict(
                "tls-expiry",
                "inconclusive",
                url,
                tls,
                "sertifikat tidak dapat dibaca",
                "the certificate could not be read",
            )
            continue
        start = datetime.datetime.fromisoformat(tls.not_before)
        end = datetime.datetime.fromisoformat(tls.not_after)
        days = (end - today).days
        if end <= today:
            yield _verdict(
                "tls-expiry",
                "fail",
                url,
                tls,
                f"sertifikat kedaluwarsa sejak {end.date()}",
                f"certificate expired on {end.date()}",
            )
        elif start > today:
            yield _verdict(
                "tls-expiry",
                "fail",
                url,
                tls,
                f"sertifikat belum berlaku sampai {start.date()}",
                f"certificate not valid until {start.date()}",
            )
        elif days < WARN_DAYS:
            yield _verdict(
                "tls-expiry",
                "fail",
                url,
                tls,
                f"sertifikat kedaluwarsa dalam {days} hari ({end.date()})",
                f"certificate expires in {days} days ({end.date()})",
                severity="warning",
            )
        else:
            yield _verdict(
                "tls-expiry",
                "pass",
                url,
                tls,
                f"berlaku sampai {end.date()}",
                f"valid until {end.date()}",
            )


def judge_version(facts: ProbeFacts) -> Iterator[Verdict]:
    for url, tls in _each(facts):
        failed = _unreachable("tls-version", url, tls)
        if failed and not tls.protocols:
            yield failed
            continue
        protocols = tls.protocols
        legacy = [v for v in LEGACY if protocols.get(v) == "offered"]
        modern = [v for v in ("TLSv1.2", "TLSv1.3") if protocols.get(v) == "offered"]
        untested = [v for v in LEGACY if protocols.get(v, "").startswith("not tested")]
        if legacy:
            shown = ", ".join(legacy)
            yield _verdict(
                "tls-version",
                "fail",
                url,
                tls,
                f"server menawarkan protokol usang {shown}; matikan TLS 1.0/1.1",
                f"server offers obsolete {shown}; disable TLS 1.0/1.1",
            )
        elif not modern:
            yield _verdict(
                "tls-version",
                "fail",
                url,
                tls,
                "server tidak menawarkan TLS 1.2 maupun 1.3",
                "server offers neither TLS 1.2 nor TLS 1.3",
            )
        elif untested:
            shown = ", ".join(untested)
            yield _verdict(
                "tls-version",
                "inconclusive",
                url,
                tls,
                f"{shown} tidak diuji: klien ini tidak dapat menawarkannya",
                f"{shown} not tested: this client cannot offer it",
            )
        else:
            yield _verdict(
                "tls-version",
                "pass",
                url,
                tls,
                f"hanya {', '.join(modern)}",
                f"only {', '.join(modern)}",
            )


def judge_key(facts: ProbeFacts) -> Iterator[Verdict]:
    for url, tls in _each(facts):
        failed = _unreachable("tls-key", url, tls)
        if failed:
            yield failed
            continue
        problems = []
        kind, bits = tls.key_type or "", tls.key_bits or 0
        if kind in ("RSA", "DSA") and bits < 2048:
            problems.append(
                (
                    f"kunci {kind} {bits} bit (minimal 2048)",
                    f"{kind} key of {bits} bits (at least 2048)",
                )
            )
        if kind.startswith("EC") and bits < 224:
            problems.append(
                (
                    f"kunci {kind} {bits} bit (minimal 224)",
                    f"{kind} key of {bits} bits (at least 224)",
                )
            )
        if (tls.signature_hash or "").lower() in _WEAK_HASHES:
            problems.append(
                (
                    f"tanda tangan {tls.signature_hash}",
                    f"{tls.signature_hash} signature",
                )
            )
        if not kind:
            yield _verdict(
                "tls-key",
                "inconclusive",
                url,
                tls,
                "sertifikat tidak dapat dibaca",
                "the certificate could not be read",
            )
        elif problems:
            yield _verdict(
                "tls-key",
                "fail",
                url,
                tls,
                "sertifikat lemah: " + "; ".join(p[0] for p in problems),
                "weak certificate: " + "; ".join(p[1] for p in problems),
            )
        else:
            yield _verdict(
                "tls-key",
                "pass",
                url,
                tls,
                f"{kind} {bits} bit, {tls.signature_hash}",
                f"{kind} {bits} bits, {tls.signature_hash}",
            )


_WEAK_CIPHERS = ("RC4", "3DES", "DES-CBC", "NULL", "EXPORT", "MD5")


def judge_cipher(facts: ProbeFacts) -> Iterator[Verdict]:
    for url, tls in _each(facts):
        failed = _unreachable("tls-cipher", url, tls)
        if failed:
            yield failed
            continue
        name, bits = tls.cipher or "", tls.cipher_bits or 0
        aead = tls.version == "TLSv1.3" or any(
            m in name for m in ("GCM", "CHACHA20", "CCM")
        )
        forward = tls.version == "TLSv1.3" or name.startswith(("ECDHE", "DHE"))
        if not name:
            yield _verdict(
                "tls-cipher",
                "inconclusive",
                url,
                tls,
                "cipher tidak diketahui",
                "cipher unknown",
            )
        elif bits < 128 or any(w in name for w in _WEAK_CIPHERS):
            yield _verdict(
                "tls-cipher",
                "fail",
                url,
                tls,
                f"cipher lemah {name} ({bits} bit)",
                f"weak cipher {name} ({bits} bits)",
            )
        elif not (aead and forward):
            yield _verdict(
                "tls-cipher",
                "fail",
                url,
                tls,
                f"cipher {name} tanpa AEAD atau forward secrecy",
                f"cipher {name} lacks AEAD or forward secrecy",
                severity="warning",
            )
        else:
            yield _verdict(
                "tls-cipher",
                "pass",
                url,
                tls,
                f"{tls.version} {name}",
                f"{tls.version} {name}",
            )
