from __future__ import annotations

import datetime

import pytest

from spbe_lint.checks import CheckContext, dates

AS_OF = datetime.date(2026, 11, 28)
CONTEXT = CheckContext(profile={}, as_of=AS_OF)


@pytest.mark.parametrize(
    ("value", "kinds"),
    [
        ("2026-11-28", []),  # today
        ("2025-11-28", []),  # exactly 365 days
        ("2025-11-27", ["stale"]),
        ("2026-11-29", ["future"]),
        ("2026-02-30", ["invalid"]),
        ("28-11-2026", ["invalid"]),
        (20261128, ["invalid"]),
    ],
)
def test_max_age_counts_from_the_evaluation_day(value, kinds):
    found = list(dates.max_age(value, {"days": 365}, CONTEXT))
    assert [v.kind for v in found] == kinds


def test_a_stale_date_says_when_it_fell_due():
    (found,) = dates.max_age("2024-01-15", {"days": 365}, CONTEXT)
    assert found.params["due"] == "2025-01-14"
    assert found.params["age"] == (AS_OF - datetime.date(2024, 1, 15)).days


def test_as_of_replays_a_handover_date():
    earlier = CheckContext(profile={}, as_of=datetime.date(2025, 1, 10))
    assert list(dates.max_age("2024-01-15", {"days": 365}, earlier)) == []


@pytest.mark.parametrize(
    ("value", "kinds"),
    [
        ("2026-11-28", []),
        ("2027-01-01", []),
        ("2026-11-27", ["expired"]),
        ("x", ["invalid"]),
    ],
)
def test_not_expired(value, kinds):
    assert [v.kind for v in dates.not_expired(value, {}, CONTEXT)] == kinds
