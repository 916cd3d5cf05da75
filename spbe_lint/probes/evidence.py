"""What a probe saw, as the Evidence values every reporter shows.

Probe checks describe an exchange as plain data (``Exchange.evidence()``: the
request, the pinned address, the status, a few headers; a redirect chain; TLS
facts). This module turns that into ``findings.Evidence``: one per request
(or per TLS handshake), with the rest as (name, value) facts, so SARIF
(``webRequest``/``webResponse``), HTML and JSON render it the same way.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from spbe_lint.findings import Evidence

_EXCHANGE = ("request", "address", "status", "headers")


def to_evidence(data: Mapping[str, Any] | None) -> tuple[Evidence, ...]:
    """Evidence values for one check's data, or for ``{check: data}`` of several."""
    if not data:
        return ()
    if "chain" in data or "request" in data or "tls" in data:
        return tuple(_one(data, check=None))
    if all(isinstance(value, Mapping) for value in data.values()):
        return tuple(e for check, sub in data.items() for e in _one(sub, check=check))
    return (Evidence(method="", url="", facts=tuple(_facts(data))),)


def _one(data: Mapping[str, Any], check: str | None) -> Iterator[Evidence]:
    label = (("check", check),) if check else ()
    if "chain" in data:
        hops = list(data["chain"])
        rest = {k: v for k, v in data.items() if k != "chain"}
        for index, hop in enumerate(hops):
            extra = rest if index == len(hops) - 1 else {}
            yield _exchange(hop, label, extra)
    elif "request" in data:
        yield _exchange(data, label, {})
    elif "tls" in data:
        tls = dict(data["tls"])
        host = str(tls.pop("host", ""))
        address = tls.pop("address", None)
        facts = (*label, *_facts(tls, prefix="tls."))
        yield Evidence(method="TLS", url=f"tls://{host}", address=address, facts=facts)
    else:
        yield Evidence(method="", url="", facts=(*label, *_facts(data)))


def _exchange(
    data: Mapping[str, Any], label: tuple[tuple[str, str], ...], extra: Mapping
) -> Evidence:
    method, _, url = str(data.get("request", "")).partition(" ")
    headers: list[tuple[str, str]] = []
    for name, value in (data.get("headers") or {}).items():
        values = value if isinstance(value, list | tuple) else [value]
        headers.extend((name, str(v)) for v in values)
    others = {k: v for k, v in data.items() if k not in _EXCHANGE}
    return Evidence(
        method=method,
        url=url,
        address=data.get("address"),
        status=data.get("status"),
        headers=tuple(headers),
        facts=(*label, *_facts(others), *_facts(extra)),
    )


def _facts(data: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, str]]:
    for key, value in data.items():
        if value is None:
            continue
        if isinstance(value, Mapping):
            yield from _facts(value, prefix=f"{prefix}{key}.")
        elif isinstance(value, list | tuple):
            shown = [
                ", ".join(f"{k}: {v}" for k, v in item.items())
                if isinstance(item, Mapping)
                else str(item)
                for item in value
            ]
            yield f"{prefix}{key}", "; ".join(shown)
        elif isinstance(value, bool):
            yield f"{prefix}{key}", "true" if value else "false"
        else:
            yield f"{prefix}{key}", str(value)
