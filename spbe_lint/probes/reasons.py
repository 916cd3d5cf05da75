"""Why a probe request had no usable answer, in Bahasa Indonesia.

The transport, the redirect follower and the SSO discovery record why they
stopped as short English facts ("connection: Connection refused", "timeout: no
answer in time", "blocked: refused: loopback"); the facts stay English in the
evidence (JSON, SARIF), and Indonesian messages show them through
``indonesian``, so no English clause sits inside an Indonesian sentence.
Operating-system text that is not known here is left as it is, quoted.
"""

from __future__ import annotations

import re

_REASONS_ID = {
    "loopback": "loopback (mesin ini sendiri)",
    "unspecified": "alamat tak tertentu",
    "link-local": "link-local",
    "multicast": "multicast",
    "reserved": "rentang yang dicadangkan",
    "shared (CGNAT)": "rentang bersama (CGNAT)",
    "documentation": "rentang dokumentasi",
    "cloud metadata address": "alamat metadata cloud",
    "private address outside the data-centre ranges": "alamat privat di luar "
    "rentang pusat data (profile.datacentre_ranges)",
    "scoped IPv6 address": "alamat IPv6 ber-scope",
    "not an IP address": "bukan alamat IP",
}
_EMBEDDED = re.compile(r"^(?P<reason>.*) \((?P<address>[^ ]+) embedded\)$")
# Whole reasons, and what follows a known prefix.
_PHRASES = {
    "no response": "tidak ada respons",
    "no answer in time": "tidak ada jawaban dalam batas waktu",
    "the chain does not end on https": "rantai pengalihan tidak berakhir pada https",
    "no issuer configured": "issuer SSO belum dikonfigurasi",
    "nothing tried": "belum ada yang dicoba",
    "not a JSON object": "bukan objek JSON",
    "the discovery document has no jwks_uri": "dokumen discovery tidak memuat jwks_uri",
    "cap": "melebihi batas ukuran",
    "deadline": "melewati batas waktu",
    "Connection refused": "koneksi ditolak",
    "Connection reset by peer": "koneksi diputus oleh server",
    "timed out": "waktu habis",
    "Network is unreachable": "jaringan tidak terjangkau",
    "No route to host": "tidak ada rute ke host",
    "Name or service not known": "nama tidak dikenal",
    "the request's deadline has passed": "batas waktu permintaan terlewati",
}

_PREFIXES = (
    ("connection: ", "koneksi: "),
    ("timeout: ", "batas waktu: "),
    ("blocked: ", "diblokir: "),
    ("refused: ", "ditolak: "),
    ("dns: ", "dns: "),
    ("not contacted: ", "tidak dihubungi: "),
    ("body stopped: ", "isi tanggapan terhenti: "),
    ("error: ", "galat: "),
    ("request not sent: ", "permintaan tidak terkirim: "),
)

_PATTERNS = (
    (
        re.compile(r"^redirect loop back to (\S+)$"),
        "pengalihan berputar kembali ke {0}",
    ),
    (re.compile(r"^more than (\d+) redirects$"), "lebih dari {0} pengalihan"),
    (
        re.compile(r"^(\S+) does not resolve \((.*)\)$"),
        "{0} tidak dapat di-resolve ({1})",
    ),
    (
        re.compile(r"^jwks_uri (\S+) is not https on the SSO host$"),
        "jwks_uri {0} bukan https pada host SSO",
    ),
    (
        re.compile(r"^no discovery document \((.*)\)$"),
        "tidak ada dokumen discovery ({0})",
    ),
    (
        re.compile(r"^certificate verify failed: (.*)$"),
        "verifikasi sertifikat gagal: {0}",
    ),
)


def refusal_id(reason: str) -> str:
    """An SSRF refusal reason (English, from probes.addresses) in Bahasa Indonesia."""
    embedded = _EMBEDDED.match(reason)
    if embedded:
        inner = _REASONS_ID.get(embedded["reason"], embedded["reason"])
        return f"{inner} ({embedded['address']} tertanam)"
    return _REASONS_ID.get(reason, reason)


def indonesian(reason: str) -> str:
    """*reason* (an English probe fact) in Bahasa Indonesia, as far as known."""
    reason = reason.strip()
    if reason in _PHRASES:
        return _PHRASES[reason]
    for english, translated in _PREFIXES:
        if reason.startswith(english):
            return translated + indonesian(reason[len(english) :])
    for pattern, template in _PATTERNS:
        match = pattern.match(reason)
        if match:
            return template.format(*(indonesian(part) for part in match.groups()))
    inner = re.search(r"\[[A-Z_]+\] (.*?) \(_ssl\.c:\d+\)$", reason)
    if (
        inner
    ):  # OpenSSL: "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: ..."
        return indonesian(inner.group(1))
    return refusal_id(reason)
