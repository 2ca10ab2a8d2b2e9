"""Executive KPIs: every catalog metric for a period, its previous period and a year earlier; trends and
breakdowns for the overview. All numbers come from ``sql/kpis.sql``, ``kpi_trend.sql`` and
``kpi_breakdown.sql`` under the shared :class:`~crm_metrics.filters.Filters`.

Periods are inclusive date ranges. The previous period has the same number of days and ends the day
before the period starts; the year-earlier period is the same dates one year before, offered only when
the data reaches back that far.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from crm_metrics import db
from crm_metrics.catalog import METRICS
from crm_metrics.dimensions import DIMENSIONS
from crm_metrics.filters import Filters
from crm_metrics.reporting import data_span
from crm_metrics.reports import register

DEFAULT_DAYS = 90
GRAINS = ("day", "week", "month")


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        """The period of equal length that ends the day before this one starts."""
        end = self.start - dt.timedelta(days=1)
        return Period(end - dt.timedelta(days=self.days - 1), end)

    def year_earlier(self) -> Period:
        return Period(_minus_year(self.start), _minus_year(self.end))

    def label(self) -> str:
        return f"{self.start:%d %b %Y} – {self.end:%d %b %Y}"

    def as_tuple(self) -> tuple[dt.date, dt.date]:
        return self.start, self.end


def _minus_year(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def default_period(cur, as_of: dt.date | None = None, days: int = DEFAULT_DAYS) -> Period | None:
    """The ``days`` days ending at ``as_of`` (default: the last order date). None without orders."""
    if as_of is None:
        as_of = data_span(cur)[1]
        if as_of is None:
            return None
    return Period(as_of - dt.timedelta(days=days - 1), as_of)


def kpi_values(cur, period: Period, filters: Filters) -> dict[str, float | int | None]:
    """Every catalog metric (and the counts behind them) for one period. Grain: one value per key."""
    return _kpi_values(cur, period, filters)


def _kpi_values(cur, period: Period, filters: Filters) -> dict[str, float | int | None]:
    """:func:`kpi_values` over a reporting layer the caller has made current."""
    previous = period.previous()
    params = {"start": period.start, "end": period.end, "prev_start": previous.start, "prev_end": previous.end,
              **filters.params()}
    frame = db.query_df(cur, "kpis", params)
    row = frame.iloc[0].to_dict()
    return {k: (None if pd.isna(v) else v) for k, v in row.items()}


def kpi_table(cur, period: Period, filters: Filters, year_ago: bool = True) -> pd.DataFrame:
    """The overview's KPI row as data. Grain: one row per catalog metric.

    Columns: key, label, unit, value, previous, change (relative; points for ratios and NPS), year_ago,
    year_change, higher_is_better. ``previous`` is None when the data does not reach the previous
    period; ``year_ago`` likewise, and always when ``year_ago`` is False (a summary that compares with
    the previous period only is spared a third period's query).
    """
    first, _ = data_span(cur)
    current = _kpi_values(cur, period, filters)
    prev_period = period.previous()
    prev = _kpi_values(cur, prev_period, filters) if first is not None and first <= prev_period.end else None
    year_period = period.year_earlier()
    year = _kpi_values(cur, year_period, filters) \
        if year_ago and first is not None and first <= year_period.start else None
    rows = []
    for m in METRICS:
        value = current.get(m.key)
        before = prev.get(m.key) if prev else None
        year_value = year.get(m.key) if year else None
        rows.append({
            "key": m.key, "label": m.label, "unit": m.unit, "value": value, "previous": before,
            "change": change(m.unit, value, before), "year_ago": year_value,
            "year_change": change(m.unit, value, year_value), "higher_is_better": m.higher_is_better,
        })
    return pd.DataFrame(rows)


def change(unit: str, value, before) -> float | None:
    """Change against an earlier value: relative for amounts and counts, a difference for ratios, points
    and multiples (a retention rate going from 40% to 44% moved 4 points, not 10%)."""
    if value is None or before is None:
        return None
    if unit in ("ratio", "points", "multiple"):
        return float(value) - float(before)
    if float(before) == 0:
        return None
    return (float(value) - float(before)) / abs(float(before))


def trend_window(period: Period, grain: str) -> Period:
    """The window a trend chart shows for ``period``: at least the 12 months to its end (days: the period
    itself), cut to complete weeks or months so that a half-filled bucket never looks like a drop."""
    if grain == "day":
        return period
    start = min(period.start, period.end - dt.timedelta(days=364))
    end = period.end
    if grain == "week":  # ISO weeks, Monday to Sunday
        start += dt.timedelta(days=(7 - start.weekday()) % 7)
        end -= dt.timedelta(days=(end.weekday() + 1) % 7)
    else:
        if start.day != 1:
            start = (start.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
        if (end + dt.timedelta(days=1)).day != 1:
            end = end.replace(day=1) - dt.timedelta(days=1)
    return Period(start, end) if start <= end else period


def bucket_period(bucket: dt.date, grain: str) -> Period:
    """The dates a trend bucket covers (a clicked point becomes the reporting period)."""
    if grain == "day":
        return Period(bucket, bucket)
    if grain == "week":
        return Period(bucket, bucket + dt.timedelta(days=6))
    following = (bucket.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    return Period(bucket, following - dt.timedelta(days=1))


def trend(cur, period: Period, filters: Filters, grain: str = "month") -> pd.DataFrame:
    """Revenue, orders, active, new and returning customers per bucket. Grain: one row per bucket."""
    if grain not in GRAINS:
        raise ValueError(f"grain must be one of {GRAINS}")
    frame = db.query_df(cur, "kpi_trend", {"start": period.start, "end": period.end, "grain": grain,
                                           "partial_until": _first_bucket_end(period.start, grain),
                                           **filters.params()})
    frame["returning_customers"] = frame["active_customers"] - frame["new_customers"]
    return frame


def campaign_starts(cur, period: Period, filters: Filters) -> pd.DataFrame:
    """The campaigns that started in ``period`` (the annotations of a trend). Grain: one row per campaign.
    Columns: campaign_id, name, channel, start_date, cost."""
    frame = db.query_df(cur, "campaign_starts", {"start": period.start, "end": period.end, **filters.params()})
    frame["start_date"] = pd.to_datetime(frame["start_date"]).dt.date
    return frame


def _first_bucket_end(start: dt.date, grain: str) -> dt.date:
    """The first day after the bucket holding ``start``, or ``start`` itself if a bucket begins there."""
    if grain == "week":
        bucket = start - dt.timedelta(days=start.weekday())
        following = bucket + dt.timedelta(days=7)
    elif grain == "month":
        bucket = start.replace(day=1)
        following = (bucket + dt.timedelta(days=32)).replace(day=1)
    else:
        return start
    return start if bucket == start else following


def breakdown(cur, period: Period, filters: Filters, dimension: str) -> pd.DataFrame:
    """Revenue, orders and customers per value of ``dimension``, with each value's revenue share.

    Grain: one row per value (None = not recorded). Revenue over the rows sums to the period revenue.
    """
    if dimension not in DIMENSIONS or not DIMENSIONS[dimension].breakdown:
        raise ValueError(f"no breakdown by {dimension!r}")
    params = {"start": period.start, "end": period.end, "customer_level": DIMENSIONS[dimension].level == "customer",
              **filters.params()}
    frame = db.query_df(cur, "kpi_breakdown", params, idents={"dimension": dimension})
    # pandas reads a NULL text as NaN (a float): None is the one spelling of "not recorded" callers test for
    frame["value"] = frame["value"].astype(object).where(frame["value"].notna(), None)
    total = frame["revenue"].sum()
    frame["share"] = frame["revenue"].astype(float) / float(total) if total else 0.0
    return frame


@register("kpis")
def kpis_report(cur, as_of: dt.date | None = None, days: int = DEFAULT_DAYS, filters: Filters | None = None
                ) -> pd.DataFrame:
    """Every catalog KPI for the ``days`` days ending at ``as_of`` (default: the last order date), with
    the previous period's value and the change, as the Overview page shows them. Grain: one row per KPI.
    """
    period = default_period(cur, as_of, days)
    if period is None:
        return pd.DataFrame(columns=["key", "label", "unit", "value", "previous", "change", "year_ago",
                                     "year_change", "higher_is_better", "period_start", "period_end"])
    table = kpi_table(cur, period, filters or Filters())
    table["period_start"], table["period_end"] = period.start, period.end
    return table


@register("kpi-trend")
def trend_report(cur, as_of: dt.date | None = None, days: int = 365, grain: str = "month",
                 filters: Filters | None = None) -> pd.DataFrame:
    """Monthly (or daily, weekly) revenue and customers over the ``days`` days ending at ``as_of``."""
    period = default_period(cur, as_of, days)
    if period is None:
        return pd.DataFrame(columns=["bucket", "revenue", "orders", "active_customers", "new_customers",
                                     "returning_customers"])
    return trend(cur, period, filters or Filters(), grain)


def headline(table: pd.DataFrame, period: Period) -> str:
    """One sentence that answers "how are we doing?" for the period, computed from the KPI table."""
    from crm_metrics.formatting import count, money_short, percent

    rows = table.set_index("key")
    revenue, change_ = rows.loc["revenue", "value"], rows.loc["revenue", "change"]
    active, new = rows.loc["active_customers", "value"], rows.loc["new_customers", "value"]
    if not revenue:
        return f"No completed orders between {period.start:%d %b %Y} and {period.end:%d %b %Y}."
    trend_words = ""
    if change_ is not None and not pd.isna(change_):
        direction = "up" if change_ > 0 else "down"
        trend_words = f", {direction} {abs(change_) * 100:.1f}% on the previous {period.days} days"
    text = (f"Revenue was {money_short(revenue)} in the {period.days} days to {period.end:%d %b %Y}{trend_words}, "
            f"from {count(active)} active customers ({count(new)} new).")
    churn = rows.loc["churn_rate", "value"]
    if churn is not None and not pd.isna(churn):
        text += f" {percent(churn)} of the previous period's customers did not buy again."
    return text
