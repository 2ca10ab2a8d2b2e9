"""Satisfaction and service: CSAT, NPS, support tickets, and the link from satisfaction to loyalty.

- **CSAT** (customer satisfaction score): the 1-5 survey answer, graded from very disappointed (1) to very
  satisfied (5); the CSAT rate is the share answering 4 or 5.
- **NPS** (Net Promoter Score, Reichheld 2003): answers 0-10 to "how likely are you to recommend us";
  promoters 9-10, passives 7-8, detractors 0-6; NPS = 100 x (promoters - detractors) / answers.
- **Service**: tickets by category or channel, median hours to resolve, the mean support rating, and
  first-contact resolution. The data has no contact count per ticket, so a ticket counts as resolved at
  first contact when it was closed and the customer opened no other ticket of the same category within
  ``repeat_days`` days (a common proxy: a repeat ticket stands for an unsolved problem).
- **Loyalty link**: customers grouped by their latest CSAT answer, and by their latest support rating;
  for each grade, the share who bought again within ``follow_days`` days after it, and the share who are
  repeat buyers. Intervals are Wilson score intervals (Wilson 1927).
"""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd

from crm_metrics import db
from crm_metrics.filters import Filters
from crm_metrics.reporting import data_span
from crm_metrics.reports import register

CSAT_LABELS = {1: "Very disappointed", 2: "Disappointed", 3: "Neutral", 4: "Satisfied", 5: "Very satisfied"}
TICKET_DIMENSIONS = {"category": "category", "channel": "channel"}
Z = 1.959964


def _params(start: dt.date, end: dt.date, filters: Filters | None) -> dict:
    return {"start": start, "end": end, **(filters or Filters()).params()}


def csat_grades(cur, start: dt.date, end: dt.date, filters: Filters | None = None) -> pd.DataFrame:
    """Survey answers by CSAT grade. Grain: one row per grade 1-5 (zero when none). Columns: grade, label,
    answers, share (of all answers; NaN when there are none)."""
    frame = db.query_df(cur, "satisfaction_grades", _params(start, end, filters))
    frame["label"] = frame["grade"].map(CSAT_LABELS)
    total = frame["answers"].sum()
    frame["share"] = frame["answers"] / total if total else math.nan
    return frame[["grade", "label", "answers", "share"]]


def csat_rate(grades: pd.DataFrame) -> float:
    """Share of answers that are satisfied or very satisfied (4 or 5)."""
    total = grades["answers"].sum()
    return float(grades.loc[grades["grade"] >= 4, "answers"].sum() / total) if total else math.nan


def nps_trend(cur, start: dt.date, end: dt.date, filters: Filters | None = None) -> pd.DataFrame:
    """NPS per month. Grain: one row per month with answers. Columns: month, answers, promoters, passives,
    detractors, nps."""
    return db.query_df(cur, "nps_trend", _params(start, end, filters))


def nps_summary(trend: pd.DataFrame) -> dict:
    """Promoters, passives, detractors and NPS over the whole trend (answers summed, not months averaged)."""
    answers = int(trend["answers"].sum())
    out = {k: int(trend[k].sum()) for k in ("promoters", "passives", "detractors")}
    out["answers"] = answers
    out["nps"] = 100.0 * (out["promoters"] - out["detractors"]) / answers if answers else math.nan
    return out


def ticket_service(cur, start: dt.date, end: dt.date, dimension: str = "category",
                   filters: Filters | None = None, repeat_days: int = 7) -> pd.DataFrame:
    """Tickets opened in the period by ``dimension`` ("category" or "channel"). Grain: one row per value.
    Columns: value, tickets, closed, open, median_hours, first_contact, first_contact_rate, rated,
    satisfaction."""
    if dimension not in TICKET_DIMENSIONS:
        raise ValueError(f"dimension is one of {sorted(TICKET_DIMENSIONS)}")
    return db.query_df(cur, "ticket_service", {**_params(start, end, filters), "repeat_days": repeat_days},
                       idents={"dimension": TICKET_DIMENSIONS[dimension]})


def service_totals(service: pd.DataFrame) -> dict:
    """The ticket table rolled up: tickets, open, first-contact rate (of closed tickets) and the mean rating
    (weighted by rated tickets). The median hours cannot be rolled up from medians, so it is not here."""
    closed = service["closed"].sum()
    rated = service["rated"].sum()
    return {"tickets": int(service["tickets"].sum()), "open": int(service["open"].sum()),
            "first_contact_rate": float(service["first_contact"].sum() / closed) if closed else math.nan,
            "satisfaction": float((service["satisfaction"].fillna(0) * service["rated"]).sum() / rated)
            if rated else math.nan}


def wilson(successes: int, n: int) -> tuple[float, float]:
    """95% Wilson score interval for a proportion."""
    if n == 0:
        return math.nan, math.nan
    p = successes / n
    denominator = 1 + Z**2 / n
    centre = (p + Z**2 / (2 * n)) / denominator
    half = Z * math.sqrt(p * (1 - p) / n + Z**2 / (4 * n**2)) / denominator
    return centre - half, centre + half


def loyalty(cur, as_of: dt.date, start: dt.date | None = None, filters: Filters | None = None,
            follow_days: int = 180) -> pd.DataFrame:
    """Retention and repeat purchase by satisfaction grade (latest CSAT answer; latest support rating).

    Grain: one row per (basis, grade) with customers. Columns: basis ("survey" or "ticket"), grade, label,
    customers, stayed, retention (stayed / customers) with retention_low and retention_high (95% Wilson),
    repeat_buyers, repeat_rate.
    """
    params = _params(start or dt.date(1900, 1, 1), as_of, filters)
    frame = db.query_df(cur, "loyalty_by_satisfaction", {**params, "as_of": as_of, "follow_days": follow_days})
    frame["label"] = frame["grade"].map(CSAT_LABELS)
    frame["retention"] = frame["stayed"] / frame["customers"]
    bounds = [wilson(int(s), int(n)) for s, n in zip(frame["stayed"], frame["customers"], strict=True)]
    frame["retention_low"] = [b[0] for b in bounds]
    frame["retention_high"] = [b[1] for b in bounds]
    frame["repeat_rate"] = frame["repeat_buyers"] / frame["customers"]
    return frame[["basis", "grade", "label", "customers", "stayed", "retention", "retention_low",
                  "retention_high", "repeat_buyers", "repeat_rate"]]


def loyalty_gap(frame: pd.DataFrame, basis: str) -> dict | None:
    """Satisfied (4-5) against dissatisfied (1-2) customers on one basis: each group's retention and the
    difference in points. ``None`` when either group is empty."""
    part = frame[frame["basis"] == basis]
    happy, unhappy = part[part["grade"] >= 4], part[part["grade"] <= 2]
    if happy["customers"].sum() == 0 or unhappy["customers"].sum() == 0:
        return None
    satisfied = happy["stayed"].sum() / happy["customers"].sum()
    dissatisfied = unhappy["stayed"].sum() / unhappy["customers"].sum()
    return {"satisfied": float(satisfied), "dissatisfied": float(dissatisfied),
            "satisfied_customers": int(happy["customers"].sum()),
            "dissatisfied_customers": int(unhappy["customers"].sum()),
            "points": 100.0 * float(satisfied - dissatisfied)}


def loyalty_sentence(frame: pd.DataFrame, follow_days: int) -> str:
    """The trainer's sentence: satisfied customers stay, and by how much in this data."""
    parts = []
    for basis, what in (("survey", "rated us 4-5 in a survey"), ("ticket", "rated their support 4-5")):
        gap = loyalty_gap(frame, basis)
        if gap is None:
            continue
        word = "more" if gap["points"] >= 0 else "fewer"
        parts.append(f"customers who {what} bought again within {follow_days} days {gap['satisfied']:.0%} of the "
                     f"time, against {gap['dissatisfied']:.0%} of those who gave 1-2: "
                     f"{abs(gap['points']):.0f} points {word}")
    if not parts:
        return "Not enough survey answers or rated tickets yet to compare satisfied and dissatisfied customers."
    text = "; ".join(parts)
    return "Satisfied customers stay: " + text + "." if all(
        (loyalty_gap(frame, b) or {"points": 0})["points"] >= 0 for b in ("survey", "ticket")) \
        else text[0].upper() + text[1:] + "."


@register("satisfaction")
def satisfaction_report(cur, as_of=None, **options) -> pd.DataFrame:
    """Retention and repeat purchase by latest CSAT grade and by latest support rating, as the Satisfaction
    page shows (follow-up 180 days, all history up to ``as_of``). Grain: one row per (basis, grade)."""
    if as_of is None:
        as_of = data_span(cur)[1]
        if as_of is None:
            return pd.DataFrame()
    return loyalty(cur, as_of, None, options.pop("filters", None))
