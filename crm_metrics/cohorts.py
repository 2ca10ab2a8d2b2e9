"""Cohort retention: customers grouped by when they first bought (or by acquisition channel), followed
period by period: the share still buying, the revenue kept, and the cumulative revenue per customer.

All counting is SQL (``sql/cohort_matrix.sql``); the shares are ratios of its columns. Period 0 is the
period of a customer's first order, so it is 100% by construction; later periods appear only once
``as_of`` has reached them (the matrix is a triangle, not a rectangle of zeros).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from crm_metrics import db
from crm_metrics.dimensions import ATTRIBUTES, DIMENSIONS
from crm_metrics.filters import Filters
from crm_metrics.reporting import data_span
from crm_metrics.reports import register

GRAINS = ("week", "month", "quarter")
GROUPINGS = {"first_purchase": "First purchase", "acquisition_channel": "Acquisition channel"}
COLUMNS = ["cohort", "period", "customers", "active", "revenue", "active_share", "revenue_retained",
           "cumulative_revenue_per_customer"]


def cohort_matrix(cur, as_of: dt.date | None = None, filters: Filters | None = None, grain: str = "month",
                  by: str = "first_purchase") -> pd.DataFrame:
    """Grain: one row per (cohort, period) reached by ``as_of``. Columns: COLUMNS.

    active_share = active / customers (customers whose period has begun); revenue_retained = revenue /
    the cohort's period-0 revenue; cumulative_revenue_per_customer = revenue up to the period / the
    cohort's customers.
    """
    if grain not in GRAINS or by not in GROUPINGS:
        raise ValueError(f"grain is one of {GRAINS}; by is one of {tuple(GROUPINGS)}")
    if as_of is None:
        as_of = data_span(cur)[1]
        if as_of is None:
            return pd.DataFrame(columns=COLUMNS)
    filters = filters or Filters()
    frame = db.query_df(cur, _matrix_query(cur, as_of, filters, grain),
                        {"as_of": as_of, "grain": grain, "by": by, **filters.params()})
    if frame.empty:
        return pd.DataFrame(columns=COLUMNS)
    frame["active_share"] = frame["active"] / frame["customers"]
    first = frame.groupby("cohort")["revenue"].transform("first")
    frame["revenue_retained"] = frame["revenue"] / first.where(first > 0)
    size = frame.groupby("cohort")["customers"].transform("first")
    frame["cumulative_revenue_per_customer"] = frame.groupby("cohort")["revenue"].cumsum() / size
    return frame[COLUMNS]


def _matrix_query(cur, as_of: dt.date, filters: Filters, grain: str) -> str:
    """The query that counts the matrix: monthly cohorts, when every order up to the data's end counts, read
    per-customer months, or under customer attributes alone the months summed per attribute combination;
    otherwise the orders."""
    last_order = data_span(cur)[1]
    if grain != "month" or last_order is None or as_of < last_order:
        return "cohort_matrix"
    if all(key in ATTRIBUTES for key in filters.selected):
        return "cohort_matrix_attributes"
    if any(DIMENSIONS[key].level == "order" for key in filters.selected):
        return "cohort_matrix"
    return "cohort_matrix_monthly"


def average_curve(matrix: pd.DataFrame) -> pd.DataFrame:
    """The customer-weighted average retention curve. Grain: one row per period: active_share (all cohorts'
    active customers / all their customers who reached the period), cohorts (how many reached it)."""
    grouped = matrix.groupby("period").agg(active=("active", "sum"), customers=("customers", "sum"),
                                           cohorts=("cohort", "count")).reset_index()
    grouped["active_share"] = grouped["active"] / grouped["customers"]
    return grouped[["period", "active_share", "cohorts", "customers"]]


def headline(matrix: pd.DataFrame, grain: str) -> str:
    """One sentence: how many of a typical cohort are still buying one period, then a year, later."""
    if matrix.empty:
        return "No customer has bought yet."
    curve = average_curve(matrix).set_index("period")["active_share"]
    year = {"week": 52, "month": 12, "quarter": 4}[grain]
    parts = []
    if 1 in curve.index:
        parts.append(f"{curve[1]:.0%} of a cohort buy again in the {grain} after their first")
    if year in curve.index:
        parts.append(f"{curve[year]:.0%} are still buying a year later")
    return ("On average, " + " and ".join(parts) + ".") if parts else "Too little history to follow cohorts yet."


@register("cohorts")
def cohorts_report(cur, as_of=None, **options) -> pd.DataFrame:
    """The cohort matrix as the Retention page shows it (``grain`` week/month/quarter, ``by``
    first_purchase/acquisition_channel)."""
    filters = options.pop("filters", None)
    return cohort_matrix(cur, as_of, filters, options.get("grain", "month"), options.get("by", "first_purchase"))


def cohort_survivors(cur, cohort: str, as_of: dt.date, filters: Filters | None = None) -> pd.DataFrame:
    """Survivors of one monthly cohort ("2024-03-01") per month after the first: customers whose last
    order up to ``as_of`` is in that month or later. Grain: one row per period: period, survivors."""
    return db.query_df(cur, "cohort_survivors", {"cohort_start": cohort, "as_of": as_of,
                                                 **(filters or Filters()).params()})


def project_cohort(survivors: pd.DataFrame, censored: int = 3, ahead: int = 12) -> dict | None:
    """Fit the sBG model (:mod:`crm_metrics.sbg`) on a cohort's survivors, leaving out the last ``censored``
    periods (a customer who buys every few months looks lost until they buy again), and project ``ahead``
    periods past the data. None when fewer than three periods remain or nobody lapsed."""
    from crm_metrics.sbg import ShiftedBetaGeometric

    counts = survivors["survivors"].to_numpy(dtype="float64")
    used = counts[: max(len(counts) - censored, 0)]
    if len(used) < 3 or used[0] <= 0 or used[-1] == used[0]:
        return None
    model = ShiftedBetaGeometric().fit(used)
    horizon = len(counts) - 1 + ahead
    return {"model": model, "fitted_periods": len(used), "projection": pd.DataFrame(
        {"period": range(horizon + 1), "expected": model.project(horizon)}),
        "retention": model.retention_rates(horizon)}
