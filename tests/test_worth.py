"""Customer worth and retention economics against numbers worked out by hand.

as_of 2024-03-31, ticket cost $15, margin rate 40% where an order has no cost:
  A: orders $100 (cost 60) and $50 (no cost: margin 20) -> revenue 150, margin 60; 2 tickets; acquisition $30
     -> cost to serve 2 x 15 + 30 = 60, profit 0. Referred B and C.
  B: order $200 (cost 50) -> margin 150; no tickets; referred by A; acquisition $0 -> profit 150.
  C: order $10 (no cost) -> margin 4; 1 ticket (15) -> profit -11; referred by A.
  D: order $40 dated 2024-04-02, after as_of: not a customer yet (left out); a ticket of D is ignored.
  A's influence: 2 referred customers with revenue 200 + 10 = 210.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math

import numpy as np
import pandas as pd
import pytest

from crm_metrics import reporting, worth
from crm_metrics.filters import Filters
from crm_metrics.importing import import_file

AS_OF = dt.date(2024, 3, 31)


@pytest.fixture
def tiny(con, write):
    import_file(con, "customers", write("c.csv", "customer_id,acquisition_cost,referred_by\nA,30,\nB,0,A\nC,,A\n"
                                                 "D,5,\n"))
    import_file(con, "orders", write("o.csv", "order_id,customer_id,order_date,amount,cost\n"
                                     "1,A,2024-01-05,100,60\n2,A,2024-02-05,50,\n3,B,2024-03-01,200,50\n"
                                     "4,C,2024-03-10,10,\n5,D,2024-04-02,40,\n"))
    import_file(con, "tickets", write("t.csv", "ticket_id,customer_id,opened_at\nT1,A,2024-01-06 10:00\n"
                                      "T2,A,2024-02-10 09:00\nT3,C,2024-03-11 12:00\nT4,D,2024-03-01 08:00\n"))
    reporting.ensure_current(con)  # what an entry point does after an import
    return con


def test_worth_views_by_hand(tiny):
    w = worth.customer_worth(tiny.cursor(), AS_OF, ticket_cost=15.0).set_index("customer_id")
    assert list(w.index) == ["A", "B", "C"]
    assert w.loc["A", ["revenue", "margin", "tickets", "cost_to_serve", "profit"]].tolist() == [150, 60, 2, 60, 0]
    assert w.loc["B", "profit"] == 150 and w.loc["C", "profit"] == pytest.approx(-11)
    assert w.loc["A", "referred"] == 2 and w.loc["A", "referred_revenue"] == 210
    assert w.loc["B", "referred"] == 0


def test_pareto_curve_by_hand(tiny):
    curve = worth.pareto_curve(worth.customer_worth(tiny.cursor(), AS_OF))  # revenues 200, 150, 10 of 360
    assert curve["percentile"].tolist() == [34, 67, 100]
    assert curve["revenue_share"].tolist() == pytest.approx([200 / 360, 350 / 360, 1.0])
    assert worth.concentration(curve, 20) == pytest.approx(200 / 360)
    assert worth.concentration(curve, 50) == pytest.approx(350 / 360)


def test_pareto_curve_of_a_region_equals_a_count_from_the_orders(sample_con):
    """Independently: each customer's completed revenue to the date from the orders table, ranked, and the
    share of the best ceil(100 r / n) percent read at the last rank of every percentile."""
    cur = sample_con.cursor()
    as_of = cur.execute("SELECT max(order_date) FROM orders").fetchall()[0][0] - dt.timedelta(days=100)
    chosen = Filters().with_values("region", ["Europe"])
    curve = worth.pareto_curve(worth.customer_worth(cur, as_of, chosen))
    orders = cur.execute("SELECT o.customer_id, o.amount FROM orders AS o JOIN customers AS c USING (customer_id) "
                         "WHERE o.status = 'completed' AND o.order_date <= ? AND c.region = 'Europe'",
                         [as_of]).df()
    revenue = sorted(orders.groupby("customer_id")["amount"].sum().astype(float), reverse=True)
    n, total = len(revenue), sum(revenue)
    expected = {}  # percentile -> (share, rank) of its last rank
    for rank, running in enumerate(itertools.accumulate(revenue), start=1):
        expected[math.ceil(100 * rank / n)] = (running / total, rank)
    assert n > 100 and curve["percentile"].tolist() == list(expected)
    assert curve["customers"].tolist() == [rank for _, rank in expected.values()]
    assert curve["revenue_share"].tolist() == pytest.approx([share for share, _ in expected.values()], rel=1e-9)
    assert worth.pareto_curve(worth.customer_worth(cur, as_of).iloc[0:0]).empty


def test_tiers_and_the_value_matrix():
    values = pd.Series([50.0, 40, 30, 20, 10, 9, 8, 7, 6, 5])
    assert worth.tier(values).tolist() == ["High", "High", "Medium", "Medium", "Medium", "Low", "Low", "Low", "Low",
                                           "Low"]
    frame = pd.DataFrame({"revenue": values, "clv": values[::-1].to_numpy()})
    grid = worth.value_matrix(frame).set_index(["value_tier", "potential_tier"])
    assert len(grid) == 9 and grid["customers"].sum() == 10
    assert grid.loc[("High", "Low"), "customers"] == 2  # best spenders, least potential
    assert grid.loc[("High", "Low"), "revenue"] == 90


def test_retention_economics_by_hand():
    inputs = worth.RetentionInputs(acquisition_cost=100, retention_cost=20, annual_margin=120, retention_rate=0.5,
                                   annual_discount=0.0, horizon_years=3, customers=1000)
    # (120 - 20) x (1 + 0.5 + 0.25) = 175; at 55%: 100 x (1 + 0.55 + 0.3025) = 185.25
    assert worth.customer_value(inputs) == pytest.approx(175)
    out = worth.retention_economics(inputs, at_risk_clv=200, save_rate=0.1)
    assert out["lost_customer_cost"] == pytest.approx(275)
    assert out["five_point_gain_per_customer"] == pytest.approx(10.25)
    assert out["five_point_gain"] == pytest.approx(10_250)
    assert out["break_even_save_spend"] == pytest.approx(0.1 * (200 + 100))
    assert out["keep_vs_win"] == pytest.approx(5)
    discounted = worth.RetentionInputs(annual_margin=120, retention_cost=20, retention_rate=1.0, annual_discount=0.1,
                                       horizon_years=2)
    assert worth.customer_value(discounted) == pytest.approx(100 + 100 / 1.1)


def test_worth_joins_predictions_highest_clv_first():
    w = pd.DataFrame({"customer_id": ["A", "B"], "customer_key": [1, 2], "revenue": [10.0, 20.0]})
    p = pd.DataFrame({"customer_id": ["A", "B"], "customer_key": [1, 2], "clv": [5.0, 1.0], "total_spend": [0, 0],
                      "total_margin": [0, 0]})
    joined = worth.with_predictions(w, p)
    assert joined["customer_id"].tolist() == ["A", "B"] and "total_spend" not in joined
    assert worth.with_predictions(w, p.iloc[0:0]) is w


def test_with_predictions_equals_a_merge_sorted_by_clv():
    """Against the plain method: merge on the id, then sort by predicted CLV (highest first, ties and the
    unpredicted by id); customers without a prediction come last, the predicted ones missing from worth drop.
    Keys number the ids in order, as the reporting layer does."""
    rng = np.random.default_rng(5)
    ids = [f"C{i:03d}" for i in range(200)]
    w = pd.DataFrame({"customer_id": ids, "customer_key": range(1, 201), "revenue": rng.gamma(2, 50, 200),
                      "name": [f"n{i}" for i in range(200)]})
    p = pd.DataFrame({"customer_id": ids[20:] + ["Z999"], "customer_key": [*range(21, 201), 201],
                      "clv": np.round(rng.gamma(2, 20, 181), 0), "p_alive": rng.random(181), "total_spend": 1.0,
                      "total_margin": 1.0})
    p = p.sort_values(["clv", "customer_id"], ascending=[False, True]).reset_index(drop=True)
    expected = w.merge(p.drop(columns=["total_spend", "total_margin"]), on=["customer_id", "customer_key"], how="left") \
        .sort_values(["clv", "customer_id"], ascending=[False, True]).reset_index(drop=True)
    pd.testing.assert_frame_equal(worth.with_predictions(w, p), expected)


def test_value_matrix_equals_a_groupby_of_the_tiers():
    """The 3 x 3 matrix counted by cell number equals pandas' groupby of the tier labels (every cell, empty
    ones as zeros), customers without a prediction (missing CLV) Low and adding nothing to the CLV sums."""
    rng = np.random.default_rng(9)
    for n in (1, 7, 2000):
        frame = pd.DataFrame({"revenue": np.round(rng.gamma(2, 50, n), 0), "clv": rng.gamma(1, 30, n)})
        frame.loc[rng.random(n) < 0.15, "clv"] = np.nan
        labelled = frame.assign(value_tier=worth.tier(frame["revenue"]), potential_tier=worth.tier(frame["clv"]))
        expected = labelled.groupby(["value_tier", "potential_tier"]).agg(
            customers=("revenue", "size"), revenue=("revenue", "sum"), clv=("clv", "sum"))
        expected = expected.reindex(pd.MultiIndex.from_product([worth.TIERS, worth.TIERS]), fill_value=0)
        got = worth.value_matrix(frame).set_index(["value_tier", "potential_tier"])
        assert got["customers"].tolist() == expected["customers"].tolist()
        assert np.allclose(got[["revenue", "clv"]], expected[["revenue", "clv"]], rtol=1e-12)


def test_tiers_rank_as_pandas_does():
    """High, Medium and Low by rank, ties in order of appearance, missing values Low: as pandas'
    rank(method="first") would place them."""
    rng = np.random.default_rng(7)
    for n, levels in ((1, 1), (2, 1), (10, 3), (1000, 5), (5000, 5000)):
        values = pd.Series(np.round(rng.random(n) * levels))
        values[rng.random(n) < 0.1] = np.nan
        rank = values.rank(method="first", ascending=False).to_numpy()
        cuts = np.cumsum(worth.TIER_SHARES) * n
        expected = np.where(rank <= cuts[0], worth.TIERS[0], np.where(rank <= cuts[1], worth.TIERS[1], worth.TIERS[2]))
        assert worth.tier(values).tolist() == expected.tolist()
