"""The health endpoint (draft-inadarei-api-health-check-06): its status word
agrees with its HTTP status."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from spbe_lint.i18n import LocalText
from spbe_lint.probes.facts import Exchange, Verdict

if TYPE_CHECKING:
    from spbe_lint.probes.facts import ProbeFacts
    from spbe_lint.probes.transport import Fetcher

HEALTHY = ("pass", "ok", "up", "warn")
UNHEALTHY = ("fail", "error", "down")
ACCEPT = "application/health+json, application/json"


def collect(transport: Fetcher, url: str) -> Exchange:
    return transport.fetch(url, headers={"Accept": ACCEPT})


def status_word(exchange: Exchange) -> str | None:
    from spbe_lint.jsonread import JsonProblem, loads

    try:  # the one bounded JSON reader: a deep or odd body is no status word
        data = loads(exchange.body, max_bytes=max(len(exchange.body), 1))
    except JsonProblem:
        return None
    value = data.get("status") if isinstance(data, dict) else None
    return value.lower() if isinstance(value, str) else None


def judge(facts: ProbeFacts) -> Iterator[Verdict]:
    for observation in facts.of_role("health"):
        exchange = observation.health
        if exchange is not None:
            status, id_, en = _judge(exchange)
            declared = observation.endpoint.declared
            if status == "fail" and declared is not None:
                says = declared.says()
                id_, en = f"{says.id}; teramati: {id_}", f"{says.en}; observed: {en}"
            yield Verdict(
                "health",
                status,
                observation.url,
                LocalText(id_, en),
                exchange.evidence(),
            )


def _judge(exchange: Exchange) -> tuple[str, str, str]:
    if not exchange.ok:
        return (
            "inconclusive",
            f"endpoint kesehatan tidak dapat dihubungi: {exchange.error}",
            f"the health endpoint cannot be reached: {exchange.error}",
        )
    code = exchange.status or 0
    word = status_word(exchange)
    ok_code = 200 <= code < 400
    if word is None:
        if ok_code:
            return (
                "pass",
                f"menjawab {code} (tanpa status health+json)",
                f"answers {code} (no health+json status)",
            )
        return (
            "fail",
            f"endpoint kesehatan menjawab HTTP {code}",
            f"the health endpoint answers HTTP {code}",
        )
    if word in HEALTHY and ok_code:
        return "pass", f"status {word}, HTTP {code}", f"status {word}, HTTP {code}"
    if word in UNHEALTHY and not ok_code:
        return (
            "fail",
            f"aplikasi melaporkan tidak sehat: status {word}, HTTP {code}",
            f"the application reports itself unhealthy: status {word}, HTTP {code}",
        )
    return (
        "fail",
        f"status {word!r} tidak sesuai dengan HTTP {code}",
        f"status {word!r} is inconsistent with HTTP {code}",
    )
