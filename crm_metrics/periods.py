"""Period presets: the periods an executive asks for by name ("last month", "year to date"), counted back from the
last day of data (``as_of``, always passed in: nothing here reads today's date).

Calendar presets (month, quarter, year) run from the first day of the unit to ``as_of`` for "this", and cover the
whole previous unit for "last"; "last week" is the latest complete Monday-to-Sunday week (the one ending on
``as_of`` when that is a Sunday); rolling presets are the ``n`` days ending on ``as_of``. Every preset is clipped to
the data: it never starts before the first day of data (``first``).
"""

from __future__ import annotations

import datetime as dt

from crm_metrics.kpis import Period

# preset -> label, in the order they are offered
PRESETS: dict[str, str] = {
    "last_7_days": "Last 7 days", "last_30_days": "Last 30 days", "last_90_days": "Last 90 days",
    "last_365_days": "Last 365 days", "last_week": "Last week", "this_month": "This month", "last_month": "Last month",
    "this_quarter": "This quarter", "last_quarter": "Last quarter", "year_to_date": "Year to date",
    "last_year": "Last year",
}
_ROLLING = {"last_7_days": 7, "last_30_days": 30, "last_90_days": 90, "last_365_days": 365}


def _quarter_start(day: dt.date) -> dt.date:
    return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def preset(name: str, as_of: dt.date, first: dt.date | None = None) -> Period:
    """The period a preset names, counted back from ``as_of`` (the last day of data) and clipped to start no
    earlier than ``first``.

    Raises
    ------
    KeyError
        for a name not in :data:`PRESETS`.
    ValueError
        when the period ends before the first day of data (no day of it holds data).
    """
    if name not in PRESETS:
        raise KeyError(f"no period preset {name!r}; presets are {', '.join(PRESETS)}")
    if name in _ROLLING:
        start, end = as_of - dt.timedelta(days=_ROLLING[name] - 1), as_of
    elif name == "last_week":  # the latest complete Monday-to-Sunday week: a Monday morning digest's
        end = as_of - dt.timedelta(days=(as_of.weekday() + 1) % 7)
        start = end - dt.timedelta(days=6)
    elif name == "this_month":
        start, end = as_of.replace(day=1), as_of
    elif name == "last_month":
        end = as_of.replace(day=1) - dt.timedelta(days=1)
        start = end.replace(day=1)
    elif name == "this_quarter":
        start, end = _quarter_start(as_of), as_of
    elif name == "last_quarter":
        end = _quarter_start(as_of) - dt.timedelta(days=1)
        start = _quarter_start(end)
    elif name == "year_to_date":
        start, end = dt.date(as_of.year, 1, 1), as_of
    else:  # last_year
        start, end = dt.date(as_of.year - 1, 1, 1), dt.date(as_of.year - 1, 12, 31)
    if first is not None and end < first:
        raise ValueError(f"{PRESETS[name]} ends on {end:%d %b %Y}, before the first day of data ({first:%d %b %Y})")
    return Period(max(start, first) if first is not None else start, end)


def available(as_of: dt.date, first: dt.date) -> dict[str, str]:
    """The presets (name -> label) that hold at least one day of data."""
    return {name: label for name, label in PRESETS.items() if preset_or_none(name, as_of, first) is not None}


def preset_or_none(name: str, as_of: dt.date, first: dt.date) -> Period | None:
    try:
        return preset(name, as_of, first)
    except ValueError:
        return None


# whole calendar periods a target is set for, around the last day of data: name -> label
CALENDAR: dict[str, str] = {"this_month": "This month", "next_month": "Next month", "this_quarter": "This quarter",
                            "next_quarter": "Next quarter", "this_year": "This year"}


def calendar_label(name: str) -> str:
    return CALENDAR[name]


def calendar(name: str, as_of: dt.date) -> tuple[dt.date, dt.date]:
    """The whole calendar month, quarter or year (:data:`CALENDAR`) that holds ``as_of``, or the next month or
    quarter: the periods a target is set for (a preset stops at ``as_of``; a target covers the whole unit)."""
    if name not in CALENDAR:
        raise KeyError(f"no calendar period {name!r}; one of {', '.join(CALENDAR)}")
    if name == "this_year":
        return dt.date(as_of.year, 1, 1), dt.date(as_of.year, 12, 31)
    months = 1 if name.endswith("month") else 3
    start = as_of.replace(day=1) if months == 1 else _quarter_start(as_of)
    if name.startswith("next"):
        start = _add_months(start, months)
    return start, _add_months(start, months) - dt.timedelta(days=1)


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)
