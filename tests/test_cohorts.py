"""Cohort retention against a table worked out by hand.

as_of 2024-04-30, monthly. Orders (completed):
  A: Jan 5 $10, Jan 20 $20, Feb 10 $30, Apr 1 $40     B: Jan 15 $50, Mar 5 $60     C: Feb 1 $70, Mar 10 $80
  D: Mar 3 $5 returned (never a customer).   E: May 2 $9 (after as_of).
Cohort 2024-01 (A, B):  p0 2/2 $80, p1 1/2 $30 (A), p2 1/2 $60 (B), p3 1/2 $40 (A)
Cohort 2024-02 (C):     p0 1/1 $70, p1 1/1 $80, p2 0/1 $0
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from crm_metrics import report, reporting
from crm_metrics.cohorts import average_curve, cohort_matrix
from crm_metrics.importing import import_file

AS_OF = dt.date(2024, 4, 30)


@pytest.fixture
def tiny(con, write):
    import_file(con, "customers", write("c.csv", "customer_id,acquisition_channel\nA,Search\nB,Social\nC,Search\n"
                                                 "D,Search\nE,Social\n"))
    import_file(con, "orders", write("o.csv", "order_id,customer_id,order_date,amount,status\n"
                                     "1,A,2024-01-05,10,\n2,A,2024-01-20,20,\n3,A,2024-02-10,30,\n4,A,2024-04-01,40,\n"
                                     "5,B,2024-01-15,50,\n6,B,2024-03-05,60,\n7,C,2024-02-01,70,\n8,C,2024-03-10,80,\n"
                                     "9,D,2024-03-03,5,returned\n10,E,2024-05-02,9,\n"))
    reporting.ensure_current(con)  # what an entry point does after an import
    return con


def test_monthly_matrix_by_hand(tiny):
    m = cohort_matrix(tiny.cursor(), AS_OF).set_index(["cohort", "period"])
    jan, feb = "2024-01-01", "2024-02-01"
    assert m.loc[jan, "active"].tolist() == [2, 1, 1, 1] and m.loc[jan, "customers"].tolist() == [2, 2, 2, 2]
    assert m.loc[jan, "revenue"].tolist() == [80, 30, 60, 40]
    assert m.loc[feb, "active"].tolist() == [1, 1, 0]  # a triangle: Feb's cohort has reached period 2 only
    assert m.loc[(jan, 1), "revenue_retained"] == pytest.approx(30 / 80)
    assert m.loc[(jan, 3), "cumulative_revenue_per_customer"] == pytest.approx((80 + 30 + 60 + 40) / 2)
    assert (m.xs(0, level="period")["active_share"] == 1.0).all()
    assert m["active_share"].between(0, 1).all()


def test_average_curve_weights_by_customers(tiny):
    curve = average_curve(cohort_matrix(tiny.cursor(), AS_OF)).set_index("period")
    assert curve.loc[1, "active_share"] == pytest.approx((1 + 1) / (2 + 1))
    assert curve.loc[3, "cohorts"] == 1


def test_channel_cohorts_count_only_customers_who_reached_the_period(tiny):
    m = cohort_matrix(tiny.cursor(), AS_OF, by="acquisition_channel").set_index(["cohort", "period"])
    # Search: A (Jan) and C (Feb). Period 3 is reached by A only.
    assert m.loc[("Search", 0), "customers"] == 2 and m.loc[("Search", 3), "customers"] == 1
    assert m.loc[("Search", 1), "active"] == 2  # A in Feb, C in Mar


def test_weekly_and_quarterly_grains(tiny):
    q = cohort_matrix(tiny.cursor(), AS_OF, grain="quarter").set_index(["cohort", "period"])
    assert q.loc[("2024-01-01", 0), "customers"] == 3 and q.loc[("2024-01-01", 1), "active"] == 1  # A in April
    w = cohort_matrix(tiny.cursor(), AS_OF, grain="week")
    assert (w.groupby("cohort")["period"].min() == 0).all()
    assert w.groupby(["cohort", "period"]).size().max() == 1  # one cell per (cohort, period)
    with pytest.raises(ValueError):
        cohort_matrix(tiny.cursor(), AS_OF, grain="day")


def test_report_serves_the_matrix(tiny):
    frame = report(tiny, "cohorts", as_of=AS_OF)
    assert len(frame) == 7 and set(frame["cohort"]) == {"2024-01-01", "2024-02-01"}


def test_cohort_filter_keeps_the_customers_of_a_month(tiny):
    from crm_metrics.filters import Filters
    from crm_metrics.kpis import Period, kpi_values

    only_feb = Filters(selections=(("cohort", ("2024-02",)),))
    m = cohort_matrix(tiny.cursor(), AS_OF, only_feb)
    assert set(m["cohort"]) == {"2024-02-01"}
    values = kpi_values(tiny.cursor(), Period(dt.date(2024, 1, 1), dt.date(2024, 4, 30)), only_feb)
    assert values["revenue"] == 150 and values["active_customers"] == 1  # C: $70 + $80


def test_attribute_filters_at_the_data_end_by_hand(tiny):
    """As of 2 May 2024 (E's order closes the data) under acquisition channel Search (A, C; D never bought),
    summed from the cohort months: 2024-01 (A) p0 $30, p1 $30, p2 none, p3 $40, p4 none; 2024-02 (C) p0 $70,
    p1 $80, p2 and p3 none."""
    from crm_metrics.cohorts import _matrix_query
    from crm_metrics.filters import Filters

    cur = tiny.cursor()
    search = Filters().with_values("acquisition_channel", ["Search"])
    assert _matrix_query(cur, dt.date(2024, 5, 2), search, "month") == "cohort_matrix_attributes"
    m = cohort_matrix(cur, dt.date(2024, 5, 2), search).set_index(["cohort", "period"])
    jan, feb = "2024-01-01", "2024-02-01"
    assert m.loc[jan, "active"].tolist() == [1, 1, 0, 1, 0] and m.loc[jan, "customers"].tolist() == [1] * 5
    assert m.loc[jan, "revenue"].tolist() == [30, 30, 0, 40, 0]
    assert m.loc[feb, "active"].tolist() == [1, 1, 0, 0] and m.loc[feb, "revenue"].tolist() == [70, 80, 0, 0]
    assert set(m.index.get_level_values("cohort")) == {jan, feb}


def test_the_monthly_fast_paths_equal_the_general_query(sample_con):
    """At the data's end, monthly cohorts are counted from customer months, or under customer attributes
    alone from the months summed per attribute combination: both equal counting the orders, under no filter,
    a region, a country with an acquisition channel, a campaign, by first purchase and by channel."""
    from crm_metrics import db
    from crm_metrics.cohorts import _matrix_query
    from crm_metrics.filters import Filters

    cur = sample_con.cursor()
    end = cohort_matrix.__globals__["data_span"](cur)[1]
    region, country, channel = cur.execute(
        "SELECT region, country, acquisition_channel FROM customers GROUP BY ALL ORDER BY count(*) DESC LIMIT 1"
    ).fetchall()[0]
    campaign = cur.execute("SELECT min(campaign_id) FROM campaigns").fetchall()[0][0]
    choices = {"cohort_matrix_attributes": [Filters(), Filters().with_values("region", [region]),
                                            Filters().with_values("country", [country])
                                            .with_values("acquisition_channel", [channel])],
               "cohort_matrix_monthly": [Filters().with_values("campaign", [campaign])]}
    for query, filters_list in choices.items():
        for filters in filters_list:
            assert _matrix_query(cur, end, filters, "month") == query
            for by in ("first_purchase", "acquisition_channel"):
                params = {"as_of": end, "grain": "month", "by": by, **filters.params()}
                general = db.query_df(cur, "cohort_matrix", params)
                assert len(general) > 20
                pd.testing.assert_frame_equal(general, db.query_df(cur, query, params))
                if query != "cohort_matrix_monthly":
                    pd.testing.assert_frame_equal(general, db.query_df(cur, "cohort_matrix_monthly", params))
    assert _matrix_query(cur, end, Filters().with_values("channel", ["web"]), "month") == "cohort_matrix"
    assert _matrix_query(cur, end - dt.timedelta(days=1), Filters(), "month") == "cohort_matrix"
    fast = cohort_matrix(cur, end)
    assert len(fast) and (fast.groupby("cohort")["period"].min() == 0).all()


def test_cohort_survivors_by_hand(tiny):
    from crm_metrics.cohorts import cohort_survivors

    s = cohort_survivors(tiny.cursor(), "2024-01-01", AS_OF)
    # A last bought in April (period 3), B in March (period 2): 2, 2, 2, 1
    assert s["survivors"].tolist() == [2, 2, 2, 1]


def test_project_cohort_fits_the_sbg_model():
    from crm_metrics.cohorts import project_cohort

    survivors = pd.DataFrame({"period": range(11), "survivors": [1000, 631, 468, 382, 326, 289, 262, 241, 223,
                                                                 207, 194]})
    out = project_cohort(survivors, censored=3, ahead=2)
    assert out["fitted_periods"] == 8 and out["model"].alpha_ == pytest.approx(0.704, abs=0.005)
    assert len(out["projection"]) == 13
    assert project_cohort(survivors.head(4), censored=3) is None
