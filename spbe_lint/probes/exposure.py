"""Obvious exposures (opt-in, GET only, confirmed by a body signature, never by
the status alone) and security.txt (RFC 9116)."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from spbe_lint.probes.facts import Exchange, Verdict
from spbe_lint.probes.facts import verdict as _v

if TYPE_CHECKING:
    from spbe_lint.probes.facts import ProbeFacts

# check name -> (path, signature): a nuclei-style "status and word" matcher.
EXPOSURES = {
    "exposed-git": ("/.git/HEAD", re.compile(r"^(?:ref: refs/\S+|[0-9a-f]{40})\s*$")),
    "exposed-env": (
        "/.env",
        re.compile(r"(?m)^(?:export\s+)?[A-Z][A-Z0-9_]{1,63}=\S*\s*$(?:\n.*){0,}"),
    ),
    "server-status": ("/server-status", re.compile(r"Apache Server Status for")),
    "phpinfo": ("/phpinfo.php", re.compile(r"phpinfo\(\)|<title>PHP \d[^<]*phpinfo")),
}
_LISTING = re.compile(
    r"(?i)<title>\s*(?:Index of /|Directory listing for /)|<h1>\s*Index of /"
)
SECURITY_TXT = "/.well-known/security.txt"


def paths() -> list[tuple[str, str]]:
    return [(name, path) for name, (path, _) in EXPOSURES.items()]


def _confirmed(name: str, exchange: Exchange) -> bool:
    if exchange.status != 200 or not exchange.body:
        return False
    content_type = (exchange.header("content-type") or "").lower()
    text = exchange.text()
    if name in ("exposed-git", "exposed-env") and "html" in content_type:
        return False  # an HTML catch-all page is not the file
    if name == "exposed-env":
        lines = [line for line in text.splitlines() if line.strip()]
        pattern = re.compile(r"^(?:export\s+)?[A-Z][A-Z0-9_]{1,63}=")
        return len(lines) > 0 and sum(bool(pattern.match(x)) for x in lines) >= max(
            1, len(lines) // 2
        )
    return bool(EXPOSURES[name][1].search(text))


def judge(facts: ProbeFacts) -> Iterator[Verdict]:
    """One verdict per exposure check and origin; directory listing included."""
    for observation in facts.observations:
        if observation.error_page is None:
            continue  # not an origin owner
        url = observation.url
        if not facts.exposure:
            for name in (*EXPOSURES, "directory-listing"):
                yield _v(
                    name,
                    "not_applicable",
                    url,
                    "pemeriksaan paparan tidak diminta (opsi --exposure)",
                    "exposure checks were not asked for (--exposure)",
                )
            continue
        for name, exchange in observation.exposures:
            evidence = exchange.evidence()
            if not exchange.ok:
                yield _v(
                    name,
                    "inconclusive",
                    url,
                    f"{exchange.url} tidak dapat diperiksa: {exchange.error}",
                    f"{exchange.url} could not be checked: {exchange.error}",
                    evidence,
                )
            elif _confirmed(name, exchange):
                evidence = {**evidence, "body_start": exchange.text()[:120]}
                yield _v(
                    name,
                    "fail",
                    url,
                    f"{exchange.url} terbuka untuk umum",
                    f"{exchange.url} is publicly readable",
                    evidence,
                )
            else:
                yield _v(
                    name,
                    "pass",
                    url,
                    f"{exchange.url} tidak terbuka",
                    f"{exchange.url} is not exposed",
                    evidence,
                )
        pages = [
            h for h in (observation.landing.hops if observation.landing else ()) if h.ok
        ]
        listing = next((p for p in pages if _LISTING.search(p.text())), None)
        if listing is not None:
            yield _v(
                "directory-listing",
                "fail",
                url,
                f"{listing.url} menampilkan daftar isi folder",
                f"{listing.url} shows a directory listing",
                listing.evidence(),
            )
        elif pages:
            yield _v(
                "directory-listing",
                "pass",
                url,
                "tidak ada daftar isi folder",
                "no directory listing",
                pages[-1].evidence(),
            )


def security_txt_problems(exchange: Exchange, today: datetime.datetime) -> list[str]:
    """RFC 9116: 200, text/plain, a Contact, exactly one future Expires."""
    if exchange.status != 200:
        return [f"HTTP {exchange.status}"]
    problems = []
    content_type = (exchange.header("content-type") or "").lower()
    if not content_type.startswith("text/plain"):
        problems.append(f"Content-Type {content_type or '(none)'} is not text/plain")
    fields = [
        (name.strip().lower(), value.strip())
        for name, _, value in (
            line.partition(":") for line in exchange.text().splitlines()
        )
        if _ and not name.startswith("#")
    ]
    if "contact" not in [name for name, _ in fields]:
        problems.append("no Contact:")
    expires = [value for name, value in fields if name == "expires"]
    if len(expires) != 1:
        problems.append(f"{len(expires)} Expires: fields (exactly one required)")
        return problems
    try:
        when = datetime.datetime.fromisoformat(expires[0].replace("Z", "+00:00"))
    except ValueError:
        return [*problems, f"Expires {expires[0]!r} is not an RFC 3339 date"]
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.UTC)
    if when <= today:
        problems.append(f"expired on {expires[0]}")
    return problems


def judge_security_txt(facts: ProbeFacts) -> Iterator[Verdict]:
    today = datetime.datetime.now(datetime.UTC)
    for observation in facts.observations:
        exchange = observation.security_txt
        if exchange is None:
            continue
        url, evidence = observation.url, exchange.evidence()
        if not exchange.ok:
            yield _v(
                "security-txt",
                "inconclusive",
                url,
                f"security.txt tidak dapat diambil: {exchange.error}",
                f"security.txt could not be fetched: {exchange.error}",
                evidence,
            )
            continue
        problems = security_txt_problems(exchange, today)
        if problems:
            text_ = "; ".join(problems)
            yield _v(
                "security-txt",
                "fail",
                url,
                f"{SECURITY_TXT} tidak ada atau tidak sah: {text_}",
                f"{SECURITY_TXT} is missing or invalid: {text_}",
                evidence,
            )
        else:
            yield _v(
                "security-txt",
                "pass",
                url,
                "security.txt sah",
                "valid security.txt",
                evidence,
            )
