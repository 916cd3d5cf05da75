"""What changed since an earlier audit (``audit --previous FILE.jsonl``): a pure
comparison of two summaries, plus reading the earlier results file.

An application improved when its verdict rose (unreadable < not ready <
ready) or, with the same verdict, its score rose; it regressed the other way;
it is new when the earlier audit did not have it and gone when this one does
not. Each OPD's mean score is compared likewise. Scores are compared to one
decimal, as the dashboard shows them.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from spbe_lint.audit.summary import Row, Summary

KINDS = ("regressed", "improved", "new", "gone", "unchanged")  # as listed
_RANK = {"ready": 2, "not_ready": 1}  # anything else (broken, error): 0


def _delta(before: float | None, after: float | None) -> float | None:
    """A score's change in points, None where either audit has no score."""
    if before is None or after is None:
        return None
    return round(after - before, 1)


@dataclass(frozen=True)
class Change:
    app: str
    title: str | None
    opd: str
    kind: str  # one of KINDS
    before: float | None  # score in the earlier audit
    after: float | None
    verdict_before: str | None  # ready, not_ready, broken, error; None: absent
    verdict_after: str | None

    @property
    def delta(self) -> float | None:
        return _delta(self.before, self.after)


@dataclass(frozen=True)
class OpdChange:
    name: str
    before: float | None
    after: float | None
    applications_before: int
    applications_after: int

    @property
    def delta(self) -> float | None:
        return _delta(self.before, self.after)


@dataclass(frozen=True)
class Trend:
    source: str  # the earlier results file, as given
    as_of: datetime.date | None  # the day the earlier audit judged on
    applications: tuple[Change, ...]  # changed ones first: regressed, improved...
    opds: tuple[OpdChange, ...]
    score_before: float | None
    score_after: float | None

    def count(self, kind: str) -> int:
        return sum(1 for c in self.applications if c.kind == kind)

    @property
    def changed(self) -> tuple[Change, ...]:
        return tuple(c for c in self.applications if c.kind != "unchanged")


def verdict(row: Row) -> str:
    return row.verdict if row.state == "checked" else row.state


def compare(before: Summary, after: Summary, source: str) -> Trend:
    earlier = {row.app: row for row in before.rows}
    now = {row.app: row for row in after.rows}
    changes = [_change(earlier.get(app), row) for app, row in now.items()]
    changes += [_change(row, None) for app, row in earlier.items() if app not in now]
    order = {kind: index for index, kind in enumerate(KINDS)}
    changes.sort(key=lambda c: (order[c.kind], -abs(c.delta or 0), c.app))
    opds_before = {g.name: g for g in before.opds}
    opds_after = {g.name: g for g in after.opds}
    names = sorted(set(opds_before) | set(opds_after), key=str.casefold)
    return Trend(
        source=source,
        as_of=before.as_of,
        applications=tuple(changes),
        opds=tuple(
            OpdChange(
                name,
                opds_before[name].score.value if name in opds_before else None,
                opds_after[name].score.value if name in opds_after else None,
                opds_before[name].applications if name in opds_before else 0,
                opds_after[name].applications if name in opds_after else 0,
            )
            for name in names
        ),
        score_before=before.city.score.value,
        score_after=after.city.score.value,
    )


def _change(before: Row | None, after: Row | None) -> Change:
    row = after or before
    assert row is not None
    kind = "unchanged"
    if before is None:
        kind = "new"
    elif after is None:
        kind = "gone"
    else:
        rank = _RANK.get(verdict(after), 0) - _RANK.get(verdict(before), 0)
        step = _score(after.score) - _score(before.score)
        if rank > 0 or (rank == 0 and step > 0):
            kind = "improved"
        elif rank < 0 or (rank == 0 and step < 0):
            kind = "regressed"
    return Change(
        app=row.app,
        title=row.title,
        opd=row.opd,
        kind=kind,
        before=before.score if before else None,
        after=after.score if after else None,
        verdict_before=verdict(before) if before else None,
        verdict_after=verdict(after) if after else None,
    )


def _score(value: float | None) -> float:
    return round(value, 1) if value is not None else -1.0


def load(paths: Iterable[Path], lang: str) -> Summary:
    """The summary of an earlier audit's results file(s). Read like any results
    file (``journal.read``: bounded lines, every line a record of this format);
    a file without a run record is not an audit's results and is refused."""
    from spbe_lint.audit import journal, summary
    from spbe_lint.errors import InputError
    from spbe_lint.i18n import LocalText

    paths = list(paths)
    runs, records = journal.latest(paths)
    if not runs:
        raise InputError(
            LocalText(
                "bukan berkas hasil audit spbe-lint: tidak ada rekaman run",
                "not a spbe-lint audit results file: no run record",
            ),
            path=paths[0].as_posix(),
        )
    return summary.summarise(runs, records, lang)
