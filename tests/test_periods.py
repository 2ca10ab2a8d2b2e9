"""Period presets, worked out by hand from a last day of data of Wednesday 15 May 2024."""

from __future__ import annotations

import datetime as dt

import pytest

from crm_metrics.kpis import Period
from crm_metrics.periods import PRESETS, available, preset

D = dt.date
AS_OF = D(2024, 5, 15)


@pytest.mark.parametrize(("name", "expected"), [
    ("last_7_days", Period(D(2024, 5, 9), D(2024, 5, 15))),
    ("last_30_days", Period(D(2024, 4, 16), D(2024, 5, 15))),
    ("last_90_days", Period(D(2024, 2, 16), D(2024, 5, 15))),  # 2024 is a leap year: February has 29 days
    ("last_365_days", Period(D(2023, 5, 17), D(2024, 5, 15))),
    ("this_month", Period(D(2024, 5, 1), D(2024, 5, 15))),
    ("last_month", Period(D(2024, 4, 1), D(2024, 4, 30))),
    ("this_quarter", Period(D(2024, 4, 1), D(2024, 5, 15))),
    ("last_quarter", Period(D(2024, 1, 1), D(2024, 3, 31))),
    ("year_to_date", Period(D(2024, 1, 1), D(2024, 5, 15))),
    ("last_year", Period(D(2023, 1, 1), D(2023, 12, 31))),
])
def test_each_preset_counts_back_from_the_last_day_of_data(name, expected):
    assert preset(name, AS_OF) == expected
    assert name in PRESETS


def test_the_turn_of_a_year_and_the_first_day_of_data():
    assert preset("last_month", D(2024, 1, 9)) == Period(D(2023, 12, 1), D(2023, 12, 31))
    assert preset("last_quarter", D(2024, 2, 29)) == Period(D(2023, 10, 1), D(2023, 12, 31))
    assert preset("last_365_days", AS_OF, first=D(2024, 3, 2)) == Period(D(2024, 3, 2), D(2024, 5, 15))
    with pytest.raises(ValueError, match="Last year ends on 31 Dec 2023, before the first day of data"):
        preset("last_year", AS_OF, first=D(2024, 3, 2))
    assert "last_year" not in available(AS_OF, D(2024, 3, 2)) and "last_quarter" in available(AS_OF, D(2024, 3, 2))
    with pytest.raises(KeyError, match="no period preset 'next_week'"):
        preset("next_week", AS_OF)


def test_calendar_periods_for_targets_cover_the_whole_unit():
    from crm_metrics.periods import calendar

    day = dt.date(2026, 11, 17)
    assert calendar("this_month", day) == (dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    assert calendar("next_month", day) == (dt.date(2026, 12, 1), dt.date(2026, 12, 31))
    assert calendar("this_quarter", day) == (dt.date(2026, 10, 1), dt.date(2026, 12, 31))
    assert calendar("next_quarter", day) == (dt.date(2027, 1, 1), dt.date(2027, 3, 31))
    assert calendar("this_year", day) == (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert calendar("next_month", dt.date(2024, 1, 31)) == (dt.date(2024, 2, 1), dt.date(2024, 2, 29))


def test_last_week_is_the_latest_complete_monday_to_sunday_week():
    # Thursday 19 Nov 2026: the week of 9-15 Nov; on Sunday 22 Nov the week just ended counts
    assert preset("last_week", dt.date(2026, 11, 19)) == Period(dt.date(2026, 11, 9), dt.date(2026, 11, 15))
    assert preset("last_week", dt.date(2026, 11, 22)) == Period(dt.date(2026, 11, 16), dt.date(2026, 11, 22))
    assert preset("last_week", dt.date(2026, 11, 23)) == Period(dt.date(2026, 11, 16), dt.date(2026, 11, 22))
