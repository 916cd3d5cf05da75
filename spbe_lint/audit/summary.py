"""The city-wide view, aggregated from audit records: a pure function.

Per OPD and per domain: applications, verdicts, mean scores; the most common
failures with their rules and legal references; certificates that expire
within 30 days and waivers that expire within 60 days of the audit day; the
submissions that could not be read. Records are consumed as a stream; what is
kept per application is one short row for the listing.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from spbe_lint.audit.record import day
from spbe_lint.findings import DOMAINS, place

CERTIFICATE_DAYS = 30
WAIVER_DAYS = 60
TOP_FAILURES = 15
NO_OPD = "—"


@dataclass
class Mean:
    total: float = 0.0
    count: int = 0

    def add(self, value: float | None) -> None:
        if value is not None:
            self.total += value
            self.count += 1

    @property
    def value(self) -> float | None:
        return round(self.total / self.count, 1) if self.count else None


@dataclass
class Group:
    """Applications of one OPD (or the whole city)."""

    name: str
    applications: int = 0
    ready: int = 0
    not_ready: int = 0
    broken: int = 0  # could not be read, or an internal error
    score: Mean = field(default_factory=Mean)
    domains: dict[str, Mean] = field(default_factory=dict)

    def add(self, record: Mapping[str, Any]) -> None:
        self.applications += 1
        if record["state"] != "checked":
            self.broken += 1
        elif record["verdict"] == "ready":
            self.ready += 1
        else:
            self.not_ready += 1
        if record["state"] == "checked":
            self.score.add(record.get("score"))
            for domain, percent in (record.get("domains") or {}).items():
                self.domains.setdefault(domain, Mean()).add(percent)


@dataclass(frozen=True)
class Failure:
    rule: str
    applications: int
    share: float  # percent of checked applications
    severity: str
    domain: str
    title: Mapping[str, str]
    cites: Mapping[str, list[str]]  # the binding basis (every reference in old runs)
    practice: Mapping[str, list[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Row:
    """One application in the listing."""

    app: str
    title: str | None
    opd: str
    state: str
    verdict: str
    score: float | None
    errors: int
    warnings: int
    exit: int  # the application's exit status at --fail-on (0, 1 or 2)
    problem: str | None  # where and why it could not be read
    # The application's own reports (format -> path), as the audit wrote them.
    reports: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Expiring:
    app: str
    opd: str
    what: str  # the host, or the waiver id and rule
    until: str  # ISO date
    days: int  # negative: already expired


@dataclass
class Summary:
    as_of: datetime.date | None
    pack: Mapping[str, str]
    tool: str
    city: Group
    opds: list[Group]
    domains: list[tuple[str, float | None, int]]  # domain, mean score, apps failing
    failures: list[Failure]
    certificates: list[Expiring]
    waivers: list[Expiring]
    rows: list[Row]
    runs: int
    probe: bool


def summarise(
    runs: list[Mapping[str, Any]], records: Iterable[Mapping[str, Any]], lang: str
) -> Summary:
    """The summary of the latest records of an audit (``journal.latest``)."""
    rules: dict[str, Mapping[str, Any]] = {}
    for run in runs:
        rules.update(run.get("rules") or {})
    last = runs[-1] if runs else {}
    as_of = day(last.get("as_of"))
    city = Group("")
    opds: dict[str, Group] = {}
    failing = Counter[str]()
    domain_failing = Counter[str]()
    certificates: list[Expiring] = []
    waivers: list[Expiring] = []
    rows: list[Row] = []
    for record in records:
        opd = str(record.get("opd") or NO_OPD)
        city.add(record)
        opds.setdefault(opd, Group(opd)).add(record)
        rules_failed = {f["rule"] for f in record.get("failures", ())}
        failing.update(rules_failed)
        domain_failing.update({f["domain"] for f in record.get("failures", ())})
        severities = Counter(f["severity"] for f in record.get("failures", ()))
        rows.append(
            Row(
                app=record["app"],
                title=record.get("title"),
                opd=opd,
                state=record["state"],
                verdict=record.get("verdict", "not_ready"),
                score=record.get("score"),
                errors=severities.get("error", 0),
                warnings=severities.get("warning", 0),
                exit=int(record.get("exit", 2)),
                problem=problem_text(record, lang),
                reports=_reports(record.get("reports")),
            )
        )
        for certificate in record.get("certificates", ()):
            days = _days(as_of, certificate.get("not_after"))
            if days is not None and days <= CERTIFICATE_DAYS:
                certificates.append(
                    Expiring(
                        record["app"],
                        opd,
                        certificate["host"],
                        certificate["not_after"][:10],
                        days,
                    )
                )
        for waiver in record.get("waivers", ()):
            days = _days(as_of, waiver.get("expires"))
            if days is not None and days <= WAIVER_DAYS:
                what = waiver["id"] + (
                    f" ({waiver['rule']})" if waiver.get("rule") else ""
                )
                waivers.append(
                    Expiring(record["app"], opd, what, waiver["expires"], days)
                )
    checked = city.ready + city.not_ready
    failures = [
        Failure(
            rule=rule,
            applications=count,
            share=round(100 * count / checked, 1) if checked else 0.0,
            severity=str((rules.get(rule) or {}).get("severity", "")),
            domain=str((rules.get(rule) or {}).get("domain", "")),
            title=(rules.get(rule) or {}).get("title") or {"id": rule, "en": rule},
            # The binding basis; a results file from before basis was recorded
            # has only every reference with its note.
            cites=_cites(rules.get(rule) or {}),
            practice=(rules.get(rule) or {}).get("practice") or {},
        )
        for rule, count in sorted(failing.items(), key=lambda kv: (-kv[1], kv[0]))[
            :TOP_FAILURES
        ]
    ]
    known = [d for d in DOMAINS if d in city.domains or d in domain_failing]
    known += sorted(d for d in city.domains if d not in DOMAINS)
    return Summary(
        as_of=as_of,
        pack=last.get("pack") or {},
        tool=str(last.get("tool", "")),
        city=city,
        opds=sorted(opds.values(), key=lambda g: g.name.casefold()),
        domains=[
            (d, city.domains.get(d, Mean()).value, domain_failing.get(d, 0))
            for d in known
            if d != "manifest"
        ],
        failures=failures,
        certificates=sorted(certificates, key=lambda e: (e.days, e.app)),
        waivers=sorted(waivers, key=lambda e: (e.days, e.app)),
        rows=rows,
        runs=len(runs),
        probe=any(run.get("probe") for run in runs),
    )


def _cites(entry: Mapping[str, Any]) -> Mapping[str, list[str]]:
    found = entry.get("basis")
    if found is None:
        found = entry.get("cites")
    return found or {"id": [], "en": []}


def _reports(value: Any) -> dict[str, str]:
    """The report paths of a record; anything but a map of strings is ignored
    (a results file may come from elsewhere)."""
    if not isinstance(value, dict):
        return {}
    return {k: v for k, v in value.items() if isinstance(k, str) and isinstance(v, str)}


def _days(as_of: datetime.date | None, moment: Any) -> int | None:
    until = day(moment)
    if as_of is None or until is None:
        return None
    return (until - as_of).days


def problem_text(record: Mapping[str, Any], lang: str) -> str | None:
    """Why an application could not be audited: ``path:line:col: message``."""
    if record.get("internal_error"):
        return str(record["internal_error"])
    problem = record.get("problem")
    if not problem:
        return None
    where = place(problem.get("path"), problem.get("line"), problem.get("column"))
    message = (problem.get("message") or {}).get(lang, "")
    return f"{where}: {message}" if where else message


def headline(
    summary: Summary, lang: str, *, resumed: int = 0, seconds: float | None = None
) -> str:
    """The one line an audit ends with: applications ready, not ready, unreadable;
    and, for a run that checked (*seconds* given), how many were already recorded
    and how long it took."""
    city = summary.city
    if lang == "en":
        line = (
            f"{city.applications} application(s): {city.ready} ready, "
            f"{city.not_ready} not ready, {city.broken} could not be read"
        )
    else:
        line = (
            f"{city.applications} aplikasi: {city.ready} siap, {city.not_ready} "
            f"belum siap, {city.broken} tidak dapat dibaca"
        )
    if seconds is not None:
        already = (
            f"; {resumed} already recorded"
            if lang == "en"
            else f"; {resumed} sudah tercatat"
        )
        line += (already if resumed else "") + f" ({seconds:.1f} s)"
    return line


def failing(summary: Summary) -> bool:
    """Does the audit fail: an application could not be read, or one that was
    checked failed at --fail-on (its exit status 1)?"""
    return bool(summary.city.broken) or any(
        r.state == "checked" and r.exit == 1 for r in summary.rows
    )
