"""Customer worth in five views, and what keeping customers is worth.

1. Historical value: what they spent, with margin (``sql/customer_worth.sql``).
2. Potential value: predicted CLV (:mod:`crm_metrics.clv`).
3. Profitability: margin minus cost to serve (tickets x a cost per ticket, and acquisition cost).
4. Influence: the customers they referred, and those customers' revenue.
5. Distribution: the concentration curve ("the top X% bring Y% of revenue", from the revenue of 1.)
   and value tiers crossed with potential tiers.

Retention economics (:func:`retention_economics`) answer "if it costs $100 to win a customer and $20 a
year to keep one, what does losing one cost?" with the company's own numbers; every assumption is an
argument and the formulas are in the docstrings and the metric catalog.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from crm_metrics import db, scope
from crm_metrics.filters import Filters

TIERS = ("High", "Medium", "Low")
TIER_SHARES = (0.2, 0.3, 0.5)  # the best 20%, the next 30%, the rest


def customer_worth(cur, as_of: dt.date, filters: Filters | None = None, margin_rate: float = 0.4,
                   ticket_cost: float = 15.0) -> pd.DataFrame:
    """Grain: one row per customer with a completed order on or before ``as_of``. Columns: customer_id,
    customer_key, name, email, region, acquisition_channel, orders, revenue, margin, tickets, acquisition_cost,
    cost_to_serve, profit, referred, referred_revenue (see ``sql/customer_worth.sql``)."""
    params = {"as_of": as_of, "margin_rate": margin_rate, "ticket_cost": ticket_cost,
              **(filters or Filters()).params()}
    return db.query_df(cur, "customer_worth", params)


def with_predictions(worth: pd.DataFrame, predictions: pd.DataFrame) -> pd.DataFrame:
    """The five views in one table: ``worth`` (customer_worth) joined with the CLV predictions
    (:func:`crm_metrics.clv.predict`) on customer_key, highest predicted CLV first, then the customers
    without a prediction in id order; unchanged when there are none."""
    if predictions.empty:
        return worth
    # predictions come highest CLV first (ties by id): take worth's rows in that order rather than merging
    # and sorting a million keys again
    right = predictions.drop(columns=["total_spend", "total_margin"]).reset_index(drop=True)
    position = scope.positions(right["customer_key"], worth["customer_key"])
    found = position >= 0
    joined = pd.concat([worth.iloc[position[found]].reset_index(drop=True),
                        right.loc[found].drop(columns=["customer_id", "customer_key"]).reset_index(drop=True)],
                       axis=1)
    unpredicted = np.ones(len(worth), dtype=bool)
    unpredicted[position[found]] = False
    rest = worth.loc[unpredicted].sort_values("customer_key").reset_index(drop=True)
    return pd.concat([joined, rest.reindex(columns=joined.columns)], ignore_index=True) if len(rest) else joined


def pareto_curve(customers: pd.DataFrame) -> pd.DataFrame:
    """The revenue concentration curve of ``customers`` (:func:`customer_worth` rows, or a selection of
    them): customers ranked by revenue, best first. Grain: one row per percentile of customers (1..100;
    fewer with under 100 customers): percentile, revenue_share (of the best percentile% of customers) and
    customers (how many that is). Ties need no order: the revenue of the best r customers is the same
    whichever of two equal customers comes first."""
    revenue = np.sort(customers["revenue"].to_numpy(dtype="float64"))[::-1]
    n = len(revenue)
    if n == 0:
        return pd.DataFrame(columns=["percentile", "revenue_share", "customers"])
    running = np.cumsum(revenue)
    rank = np.arange(1, n + 1)
    percentile = (100 * rank + n - 1) // n  # ceil(100 r / n), exactly
    last = np.flatnonzero(np.diff(percentile, append=percentile[-1] + 1))  # the last rank of each percentile
    share = running[last] / running[-1] if running[-1] else np.full(len(last), np.nan)
    return pd.DataFrame({"percentile": percentile[last], "revenue_share": share, "customers": rank[last]})


def concentration(curve: pd.DataFrame, top_percent: int = 20) -> float | None:
    """The share of revenue the best ``top_percent``% of customers bring (None without customers)."""
    if curve.empty:
        return None
    reached = curve[curve["percentile"] >= top_percent]
    return float(reached.iloc[0]["revenue_share"]) if len(reached) else float(curve.iloc[-1]["revenue_share"])


def tier(values: pd.Series) -> pd.Series:
    """High (best 20%), Medium (next 30%) and Low (the rest) by rank of ``values`` (ties by position)."""
    return pd.Series(np.array(TIERS, dtype=object)[tier_codes(values.to_numpy(dtype="float64"))], index=values.index)


def tier_codes(numbers: np.ndarray) -> np.ndarray:
    """:func:`tier` as positions in TIERS (0 High, 1 Medium, 2 Low): rank 1 = highest, ties in order of
    appearance (a stable sort), missing values last of all, as pandas' rank(method="first", ascending=False)
    places them; a rank up to 20% of n is High, up to 50% Medium. Found without sorting: the values above
    each cut's order statistic, then the earliest of those equal to it."""
    n = len(numbers)
    cuts = np.floor(np.cumsum(TIER_SHARES) * n).astype("int64")  # rank <= x is rank <= floor(x)
    codes = np.full(n, 2, dtype="int8")
    codes[_first_by_rank(numbers, int(cuts[1]))] = 1
    codes[_first_by_rank(numbers, int(cuts[0]))] = 0
    return codes


def _first_by_rank(numbers: np.ndarray, k: int) -> np.ndarray:
    """Whether each value is among the ``k`` first from the highest (ties in order of appearance, missing
    values last and never counted)."""
    valid = ~np.isnan(numbers)
    present = int(valid.sum())
    if k <= 0:
        return np.zeros(len(numbers), dtype=bool)
    if k >= present:
        return valid
    present_values = numbers[valid]
    kth = np.partition(present_values, present - k)[present - k]  # the k-th highest
    chosen = numbers > kth
    tied = np.flatnonzero(numbers == kth)
    chosen[tied[:k - int(chosen.sum())]] = True
    return chosen


def value_matrix(worth: pd.DataFrame) -> pd.DataFrame:
    """Historical value tier crossed with potential (predicted CLV) tier. ``worth`` needs revenue and clv.

    Grain: one row per (value tier, potential tier): customers, revenue, clv. Customers in High value but
    Low potential are the ones slipping away; Low value, High potential the ones to grow.
    """
    revenue, clv = (worth[c].to_numpy(dtype="float64") for c in ("revenue", "clv"))
    cell = 3 * tier_codes(revenue).astype("int64") + tier_codes(clv)  # row-major over TIERS x TIERS

    def per_cell(weights=None) -> np.ndarray:
        return np.bincount(cell, weights=None if weights is None else np.nan_to_num(weights), minlength=9)

    return pd.DataFrame({"value_tier": np.repeat(TIERS, 3), "potential_tier": np.tile(TIERS, 3),
                         "customers": per_cell().astype("int64"), "revenue": per_cell(revenue), "clv": per_cell(clv)})


@dataclass(frozen=True)
class RetentionInputs:
    """The assumptions of the retention economics, each editable on the page.

    acquisition_cost : what winning one new customer costs ($).
    retention_cost : what keeping one customer costs per year ($).
    annual_margin : gross margin an active customer brings per year ($).
    retention_rate : share of customers who stay from one year to the next.
    annual_discount : yearly discount rate of future money.
    horizon_years : years counted.
    customers : active customers today.
    """

    acquisition_cost: float = 100.0
    retention_cost: float = 20.0
    annual_margin: float = 100.0
    retention_rate: float = 0.6
    annual_discount: float = 0.10
    horizon_years: int = 5
    customers: int = 1000

    def __post_init__(self) -> None:
        if not 0 <= self.retention_rate <= 1 or self.horizon_years < 1 or self.annual_discount < 0:
            raise ValueError("retention_rate in [0, 1], horizon_years >= 1, annual_discount >= 0")


def customer_value(inputs: RetentionInputs, retention_rate: float | None = None) -> float:
    """Expected discounted profit of one active customer over the horizon: year t (0-based) counts with the
    chance r^t that they are still a customer: sum over t of (margin - retention cost) x r^t / (1 + d)^t."""
    r = inputs.retention_rate if retention_rate is None else retention_rate
    yearly = inputs.annual_margin - inputs.retention_cost
    return float(sum(yearly * r**t / (1 + inputs.annual_discount) ** t for t in range(inputs.horizon_years)))


def retention_economics(inputs: RetentionInputs, at_risk_clv: float = 0.0, save_rate: float = 0.1) -> dict:
    """What losing a customer costs, what five more points of retention are worth, and the most worth
    spending to keep an at-risk customer.

    - lost_customer_cost = customer value + acquisition cost (their future profit is gone, and replacing
      them costs an acquisition).
    - five_point_gain = customers x (customer value at r + 0.05 - customer value at r).
    - break_even_save_spend = save_rate x (at_risk_clv + acquisition cost): spending more per at-risk
      customer than the value each one saves (the chance the action keeps them, times what keeping them
      is worth) loses money. at_risk_clv: the average predicted CLV of an at-risk customer if they stay.
    - keep_vs_win: acquisition cost / retention cost (how many years of keeping one customer one
      acquisition pays for).
    """
    value = customer_value(inputs)
    better = customer_value(inputs, min(1.0, inputs.retention_rate + 0.05))
    return {
        "customer_value": value,
        "lost_customer_cost": value + inputs.acquisition_cost,
        "five_point_gain": inputs.customers * (better - value),
        "five_point_gain_per_customer": better - value,
        "break_even_save_spend": save_rate * (at_risk_clv + inputs.acquisition_cost),
        "keep_vs_win": inputs.acquisition_cost / inputs.retention_cost if inputs.retention_cost else math.nan,
    }


def retention_defaults(cur, as_of: dt.date, filters: Filters | None = None, margin_rate: float = 0.4) -> dict:
    """The company's own figures for the retention economics, from the 365 days to ``as_of`` and the year
    before: yearly customer retention, margin per active customer (revenue per active customer x
    margin rate), acquisition cost (the catalog's CAC; None when the data cannot tell) and active customers.
    """
    from crm_metrics.kpis import Period, kpi_values

    values = kpi_values(cur, Period(as_of - dt.timedelta(days=364), as_of), filters or Filters())
    active = values.get("active_customers") or 0
    revenue = float(values.get("revenue") or 0)
    return {"retention_rate": values.get("retention_rate"), "customers": int(active),
            "annual_margin": revenue / active * margin_rate if active else None,
            "acquisition_cost": values.get("cac")}


def at_risk_summary(predictions: pd.DataFrame, threshold: float = 0.5) -> dict:
    """Customers whose probability alive is under ``threshold``, and what one of them would be worth if they
    stayed: the mean of CLV / probability alive (BG/NBD's expectation is P(alive) x the expectation given
    alive, so dividing removes the chance that they have already left)."""
    risky = predictions[(predictions["p_alive"] < threshold) & (predictions["p_alive"] > 0)]
    if risky.empty:
        return {"customers": 0, "clv_if_stay": 0.0}
    return {"customers": len(risky), "clv_if_stay": float((risky["clv"] / risky["p_alive"]).mean())}
