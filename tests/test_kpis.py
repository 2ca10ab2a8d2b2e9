"""Every catalog KPI against numbers worked out by hand on a tiny data set.

The data (all 2024; period = February, 29 days; previous period = 3-31 January):

  customers  A North cost 10 | B South cost 20 | C North no cost
  orders     o1 A 10 Jan 100 | o2 B 20 Jan 50           (previous period)
             o3 A 05 Feb 30 web, carries campaign K1    (period)
             o4 A 20 Feb 70 store | o5 C 10 Feb 200 web | o6 B 12 Feb 999 returned (left out)
  campaign   K1 starts 1 Feb, cost 50; contacts: C treatment 1 Feb, B control 1 Feb
  surveys    Feb: A csat 5 nps 10 | B csat 4 nps 8 | C csat 2 nps 3
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crm_metrics import report, reporting
from crm_metrics.catalog import METRICS
from crm_metrics.filters import Filters
from crm_metrics.importing import import_file
from crm_metrics.kpis import Period, breakdown, kpi_table, kpi_values, trend

FEB = Period(dt.date(2024, 2, 1), dt.date(2024, 2, 29))


@pytest.fixture
def tiny(con, write):
    import_file(con, "customers", write("c.csv", "customer_id,region,acquisition_cost,signup_date\n"
                                        "A,North,10,2024-01-01\nB,South,20,2024-01-01\nC,North,,2024-02-01\n"))
    import_file(con, "campaigns", write("k.csv", "campaign_id,name,channel,start_date,cost\nK1,Spring,Email,2024-02-01,50\n"))
    import_file(con, "orders", write("o.csv", "order_id,customer_id,order_date,amount,channel,campaign_id,status\n"
                                     "o1,A,2024-01-10,100,web,,completed\no2,B,2024-01-20,50,web,,completed\n"
                                     "o3,A,2024-02-05,30,web,K1,completed\no4,A,2024-02-20,70,store,,completed\n"
                                     "o5,C,2024-02-10,200,web,,completed\no6,B,2024-02-12,999,web,,returned\n"))
    import_file(con, "contacts", write("t.csv", "campaign_id,customer_id,contact_date,group\n"
                                       "K1,C,2024-02-01,treatment\nK1,B,2024-02-01,control\n"))
    import_file(con, "surveys", write("s.csv", "customer_id,survey_date,csat,nps\nA,2024-02-03,5,10\n"
                                      "B,2024-02-04,4,8\nC,2024-02-05,2,3\n"))
    reporting.ensure_current(con)  # what an entry point does after an import
    return con


def values(con, period=FEB, filters=Filters()):
    cur = con.cursor()
    try:
        return kpi_values(cur, period, filters)
    finally:
        cur.close()


def test_every_kpi_by_hand(tiny):
    v = values(tiny)
    expected = {
        "revenue": 300, "orders": 3, "active_customers": 2, "new_customers": 1, "returning_customers": 1,
        "aov": 100.0, "purchase_frequency": 1.5, "repeat_rate": 0.5, "retention_rate": 0.5, "churn_rate": 0.5,
        "revenue_retention": 100 / 150, "avg_clv": 450 / 3, "cac": 50.0, "marketing_roi": (230 - 50) / 50,
        "csat": 2 / 3, "nps": 0.0, "top20_share": 200 / 300,
    }
    assert set(expected) == {m.key for m in METRICS}, "a catalog metric has no hand-worked test"
    for key, want in expected.items():
        assert float(v[key]) == pytest.approx(want), key


def test_region_filter_by_hand(tiny):
    v = values(tiny, filters=Filters().with_values("region", ["North"]))
    assert float(v["revenue"]) == 300 and v["retention_rate"] == 1.0 and v["revenue_retention"] == 1.0
    assert v["avg_clv"] == pytest.approx(200.0) and v["cac"] == pytest.approx(50.0)
    assert v["csat"] == pytest.approx(0.5) and v["nps"] == pytest.approx(0.0)


def test_single_customer(tiny):
    v = values(tiny, filters=Filters().with_values("region", ["South"]))  # B: only a returned order in Feb
    assert float(v["revenue"]) == 0 and v["active_customers"] == 0 and v["aov"] is None
    assert v["retention_rate"] == 0.0 and v["churn_rate"] == 1.0 and v["revenue_retention"] == 0.0


def test_empty_period(tiny):
    v = values(tiny, period=Period(dt.date(2025, 1, 1), dt.date(2025, 1, 31)))
    assert float(v["revenue"]) == 0 and v["orders"] == 0 and v["active_customers"] == 0
    for key in ("aov", "purchase_frequency", "repeat_rate", "retention_rate", "churn_rate", "csat", "nps",
                "top20_share", "marketing_roi"):
        assert v[key] is None, key


def test_no_previous_period(tiny):
    cur = tiny.cursor()
    table = kpi_table(cur, Period(dt.date(2024, 1, 1), dt.date(2024, 1, 31)), Filters()).set_index("key")
    cur.close()
    assert float(table.loc["revenue", "value"]) == 150
    assert table["previous"].isna().all() and table["change"].isna().all() and table["year_ago"].isna().all()


def test_changes_are_relative_for_amounts_and_points_for_ratios(tiny):
    cur = tiny.cursor()
    table = kpi_table(cur, FEB, Filters()).set_index("key")
    cur.close()
    # previous period 3-31 Jan: revenue 150 from A and B (no one before them: retention undefined)
    assert table.loc["revenue", "change"] == pytest.approx((300 - 150) / 150)
    assert table.loc["aov", "previous"] == pytest.approx(75.0)
    assert table.loc["repeat_rate", "change"] == pytest.approx(0.5 - 0.0)


def test_kpis_report_serves_the_page_numbers(tiny):
    frame = report(tiny, "kpis", as_of=dt.date(2024, 2, 29), days=29).set_index("key")
    assert float(frame.loc["revenue", "value"]) == 300 and float(frame.loc["revenue", "previous"]) == 150
    assert frame.loc["revenue", "period_start"] == dt.date(2024, 2, 1)


def test_trend_and_breakdown_by_hand(tiny):
    cur = tiny.cursor()
    months = trend(cur, Period(dt.date(2024, 1, 1), dt.date(2024, 2, 29)), Filters(), "month")
    assert months["revenue"].astype(float).tolist() == [150.0, 300.0]
    assert months["new_customers"].tolist() == [2, 1] and months["returning_customers"].tolist() == [0, 1]
    regions = breakdown(cur, FEB, Filters(), "region").set_index("value")
    assert float(regions.loc["North", "revenue"]) == 300 and "South" not in regions.index
    channels = breakdown(cur, FEB, Filters(), "channel").set_index("value")
    assert float(channels.loc["web", "revenue"]) == 230 and float(channels.loc["store", "revenue"]) == 70
    cur.close()


SAMPLE_PERIOD = Period(dt.date(2025, 4, 1), dt.date(2025, 9, 30))
DIMS = {"region": ["North America", "Europe", "Asia Pacific", "Latin America"],
        "channel": ["web", "app", "store", "phone"],
        "product_category": ["Electronics", "Home", "Apparel", "Beauty"]}
COUNTS_AND_SUMS = ("revenue", "orders", "active_customers", "new_customers", "returning_customers")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(dim=st.sampled_from(sorted(DIMS)), data=st.data())
def test_narrowing_a_filter_never_increases_a_count_or_sum(sample_con, dim, data):
    wide = data.draw(st.lists(st.sampled_from(DIMS[dim]), min_size=2, unique=True))
    narrow = data.draw(st.lists(st.sampled_from(wide), min_size=1, max_size=len(wide) - 1, unique=True))
    broad = values(sample_con, SAMPLE_PERIOD, Filters().with_values(dim, wide))
    small = values(sample_con, SAMPLE_PERIOD, Filters().with_values(dim, narrow))
    everything = values(sample_con, SAMPLE_PERIOD)
    for key in COUNTS_AND_SUMS:
        assert float(small[key]) <= float(broad[key]) <= float(everything[key]), key


@pytest.mark.parametrize("dim", ["region", "country", "channel", "acquisition_channel", "product_category"])
def test_revenue_over_a_breakdown_equals_total_revenue(sample_con, dim):
    cur = sample_con.cursor()
    parts = breakdown(cur, SAMPLE_PERIOD, Filters(), dim)
    total = kpi_values(cur, SAMPLE_PERIOD, Filters())["revenue"]
    cur.close()
    assert round(parts["revenue"].sum(), 2) == total  # to the cent: the parts are floats
    assert parts["orders"].sum() == values(sample_con, SAMPLE_PERIOD)["orders"]


def test_segment_filter_keeps_that_segments_customers_on_every_query(sample_con):
    """The shared segment filter: the customers whose RFM segment (default options, as of the last order
    date) is chosen. Revenue and active customers are checked against the orders of those customers,
    summed here in pandas."""
    from crm_metrics.rfm import rfm_scores

    cur = sample_con.cursor()
    scores = rfm_scores(cur)  # default options, as of the last order date: what the filter means
    champions = set(scores.loc[scores["segment"] == "Champions", "customer_id"])
    orders = cur.execute("SELECT customer_id, order_date, amount FROM orders WHERE status = 'completed'").df()
    orders["order_date"] = orders["order_date"].dt.date
    mine = orders[orders["customer_id"].isin(champions)
                  & orders["order_date"].between(SAMPLE_PERIOD.start, SAMPLE_PERIOD.end)]
    got = kpi_values(cur, SAMPLE_PERIOD, Filters().with_values("segment", ["Champions"]))
    assert float(got["revenue"]) == pytest.approx(float(mine["amount"].sum()), abs=0.005)
    assert got["active_customers"] == mine["customer_id"].nunique()
    both = kpi_values(cur, SAMPLE_PERIOD, Filters().with_values("segment", ["Champions", "Loyal"]))
    assert float(both["revenue"]) > float(got["revenue"])
    options = report(sample_con, "filter-options")
    assert set(options.loc[options["dimension"] == "segment", "value"]) == set(scores["segment"])


@pytest.mark.parametrize("grain", ["day", "week", "month"])
@pytest.mark.parametrize("order_filter", [False, True])
def test_trend_customers_match_a_count_distinct(sample_con, grain, order_filter):
    """Active and new customers per bucket come from precomputed first-order flags (or, under an order-level
    filter, an exact count); both must equal pandas counting distinct customers per bucket."""
    cur = sample_con.cursor()
    filters = Filters().with_values("channel", ["store"]) if order_filter else Filters()
    got = trend(cur, SAMPLE_PERIOD, filters, grain).set_index("bucket")
    orders = cur.execute("SELECT o.customer_id, o.order_date, o.channel, f.first_date FROM orders AS o JOIN "
                         "(SELECT customer_id, min(order_date) AS first_date FROM orders WHERE status = 'completed' "
                         "GROUP BY customer_id) AS f USING (customer_id) WHERE o.status = 'completed'").df()
    if order_filter:
        orders = orders[orders["channel"] == "store"]
    orders = orders[(orders["order_date"].dt.date >= SAMPLE_PERIOD.start)
                    & (orders["order_date"].dt.date <= SAMPLE_PERIOD.end)]
    freq = {"day": "D", "week": "W-SUN", "month": "M"}[grain]
    orders["bucket"] = orders["order_date"].dt.to_period(freq).dt.start_time
    orders["new"] = orders["first_date"].dt.to_period(freq).dt.start_time == orders["bucket"]
    expected = orders.groupby("bucket").agg(active=("customer_id", "nunique"))
    expected["new"] = orders[orders["new"]].groupby("bucket")["customer_id"].nunique()
    expected = expected.fillna(0).astype(int)
    got.index = pd.to_datetime(got.index)
    assert list(got["active_customers"]) == list(expected["active"])
    assert list(got["new_customers"]) == list(expected["new"])


@pytest.mark.parametrize("filters", [Filters(), Filters().with_values("channel", ["store"]),
                                     Filters().with_values("region", ["Europe"]),
                                     Filters().with_values("product_category", ["Home", "Beauty"])],
                         ids=["none", "channel", "region", "category"])
def test_customer_counts_match_pandas_per_customer(sample_con, filters):
    """Active, new, repeat, previous-period and retained customers and the revenue behind retention come
    from previous-order dates (or, under a channel or category filter, from the previous period's buyers);
    pandas groups the filtered orders by customer to check them."""
    cur = sample_con.cursor()
    got = kpi_values(cur, SAMPLE_PERIOD, filters)
    orders = cur.execute("SELECT o.customer_id, o.order_date, o.amount, o.channel, o.product_category, c.region "
                         "FROM orders AS o JOIN customers AS c USING (customer_id) "
                         "WHERE o.status = 'completed'").df()
    cur.close()
    orders["order_date"] = orders["order_date"].dt.date
    orders["amount"] = orders["amount"].astype(float)
    first = orders.groupby("customer_id")["order_date"].min()
    for dim, values_ in filters.selected.items():
        orders = orders[orders[dim].isin(values_)]
    previous = SAMPLE_PERIOD.previous()
    now = orders[orders["order_date"].between(SAMPLE_PERIOD.start, SAMPLE_PERIOD.end)].groupby("customer_id")
    before = orders[orders["order_date"].between(previous.start, previous.end)]
    per = now.agg(orders=("amount", "size"), revenue=("amount", "sum"))
    retained = per[per.index.isin(before["customer_id"])]
    top = per["revenue"].sort_values(ascending=False).head(int(np.ceil(0.2 * len(per))))
    assert got["active_customers"] == len(per)
    assert got["new_customers"] == int((first.loc[per.index] >= SAMPLE_PERIOD.start).sum())
    assert got["repeat_rate"] == pytest.approx((per["orders"] >= 2).mean())
    assert got["previous_customers"] == before["customer_id"].nunique()
    assert got["retention_rate"] == pytest.approx(len(retained) / before["customer_id"].nunique())
    assert got["revenue_retention"] == pytest.approx(retained["revenue"].sum() / before["amount"].sum())
    assert got["top20_share"] == pytest.approx(top.sum() / per["revenue"].sum())


@pytest.mark.parametrize("dim", ["region", "country", "channel", "acquisition_channel"])
@pytest.mark.parametrize("order_filter", [False, True])
def test_breakdown_customers_match_a_count_distinct(sample_con, dim, order_filter):
    """Customers per value: first orders in the period for customer attributes, a count distinct under an
    order-level filter or for order attributes. pandas counts distinct customers per value."""
    filters = Filters().with_values("product_category", ["Home"]) if order_filter else Filters()
    cur = sample_con.cursor()
    got = breakdown(cur, SAMPLE_PERIOD, filters, dim).set_index("value")["customers"]
    orders = cur.execute("SELECT o.customer_id, o.order_date, o.channel, o.product_category, c.region, c.country, "
                         "c.acquisition_channel FROM orders AS o JOIN customers AS c USING (customer_id) "
                         "WHERE o.status = 'completed'").df()
    cur.close()
    orders = orders[orders["order_date"].dt.date.between(SAMPLE_PERIOD.start, SAMPLE_PERIOD.end)]
    if order_filter:
        orders = orders[orders["product_category"] == "Home"]
    expected = orders.groupby(dim)["customer_id"].nunique()
    assert got.sort_index().to_dict() == expected.sort_index().to_dict()


def test_breakdown_names_an_unrecorded_value_none(con, write):
    # a channel recorded on one order and not on the other: pandas reads the NULL as NaN, callers test for None
    import_file(con, "orders", write("o.csv", "order_id,customer_id,order_date,amount,channel\n"
                                     "o1,A,2024-02-05,30,web\no2,B,2024-02-06,20,\n"))
    reporting.ensure_current(con)  # what an entry point does after an import
    frame = breakdown(con.cursor(), FEB, Filters(), "channel")
    assert frame["value"].tolist() == ["web", None]
    assert frame["revenue"].astype(float).tolist() == [30.0, 20.0]
