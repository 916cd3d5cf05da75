"""Dates judged against the evaluation day (``--as-of``, default today).

A pentest is "recent" only relative to a day: the handover date when a
reviewer replays a submission, today in a pre-commit hook.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from spbe_lint.findings import Violation

if TYPE_CHECKING:
    from spbe_lint.checks import CheckContext


def parse(value: Any) -> datetime.date | None:
    """A calendar date written as YYYY-MM-DD, or None (MAN-005 reports the shape)."""
    if isinstance(value, datetime.date):
        return value
    if not isinstance(value, str) or len(value) != 10:
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        return None


def max_age(
    value: Any, params: Mapping[str, Any], context: CheckContext
) -> Iterator[Violation]:
    """The date lies within ``params["days"]`` before the evaluation day, not after it."""
    day = parse(value)
    if day is None:
        yield Violation(params={"value": value}, kind="invalid")
        return
    as_of = context.as_of
    limit = int(params["days"])
    shown = {"date": day.isoformat(), "as_of": as_of.isoformat(), "days": limit}
    if day > as_of:
        yield Violation(params=shown, kind="future")
    elif (as_of - day).days > limit:
        due = day + datetime.timedelta(days=limit)
        yield Violation(
            params={**shown, "age": (as_of - day).days, "due": due.isoformat()},
            kind="stale",
        )


def not_expired(
    value: Any, params: Mapping[str, Any], context: CheckContext
) -> Iterator[Violation]:
    """A validity date (certificate, approval) has not passed on the evaluation day."""
    day = parse(value)
    if day is None:
        yield Violation(params={"value": value}, kind="invalid")
    elif day < context.as_of:
        yield Violation(
            params={"date": day.isoformat(), "as_of": context.as_of.isoformat()},
            kind="expired",
        )
