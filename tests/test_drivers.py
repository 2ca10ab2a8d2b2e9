"""What changed and why, against numbers worked out by hand on a tiny data set.

Period = February 2024 (29 days); comparison = the previous 29 days (3-31 January); the window before that,
whose buyers January's retention is measured on, is 5 December 2023 - 2 January 2024.

  customers  A North | B South | C North | D (no region) | E South
  December   oA0 A 15 Dec 60 store | oD0 D 20 Dec 40 web            (first orders of A and D)
  January    o1 A 10 Jan 100 web | o2 B 20 Jan 50 web (B's first) | o3 D 25 Jan 40 store
  February   o4 A 05 Feb 30 web | o5 A 20 Feb 70 store | o6 C 10 Feb 200 web (C's first)
             o7 E 11 Feb 20 app (E's first) | o8 B 12 Feb 999 returned (not revenue)

January: revenue 190 from 3 orders, customers A B D (B new); base A D, both came back: retention 1.
February: revenue 320 from 4 orders, customers A C E (C E new); base A B D, only A came back: retention 1/3.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crm_metrics import drivers, report, reporting
from crm_metrics.filters import Filters
from crm_metrics.importing import import_file
from crm_metrics.kpis import Period, kpi_values
from crm_metrics.reporting import ensure_current

FEB = Period(dt.date(2024, 2, 1), dt.date(2024, 2, 29))


@pytest.fixture
def tiny(con, write):
    import_file(con, "customers", write("c.csv", "customer_id,region,signup_date\nA,North,2023-12-01\n"
                                        "B,South,2024-01-01\nC,North,2024-02-01\nD,,2023-12-01\nE,South,2024-02-01\n"))
    import_file(con, "orders", write("o.csv", "order_id,customer_id,order_date,amount,channel,status\n"
                                     "oA0,A,2023-12-15,60,store,completed\noD0,D,2023-12-20,40,web,completed\n"
                                     "o1,A,2024-01-10,100,web,completed\no2,B,2024-01-20,50,web,completed\n"
                                     "o3,D,2024-01-25,40,store,completed\no4,A,2024-02-05,30,web,completed\n"
                                     "o5,A,2024-02-20,70,store,completed\no6,C,2024-02-10,200,web,completed\n"
                                     "o7,E,2024-02-11,20,app,completed\no8,B,2024-02-12,999,web,returned\n"))
    reporting.ensure_current(con)  # what an entry point does after an import
    return con


@pytest.fixture
def by_dimension(tiny):
    cur = tiny.cursor()
    try:
        ensure_current(cur)
        return {d: drivers.pieces(cur, FEB, Filters(), d) for d in drivers.DRIVER_DIMENSIONS}
    finally:
        cur.close()


def changes(frame: pd.DataFrame, kpi: str) -> dict:
    table = drivers.contributions(frame, kpi)
    return {g: pytest.approx(c) for g, c in zip(table["grp"], table["change"], strict=True)}


def test_totals_by_hand(by_dimension):
    frame = by_dimension["region"]
    assert drivers.totals(frame, "revenue") == (190, 320)
    assert drivers.totals(frame, "active_customers") == (3, 3)
    assert drivers.totals(frame, "new_customers") == (1, 2)
    assert drivers.totals(frame, "aov") == pytest.approx((190 / 3, 80))
    assert drivers.totals(frame, "retention_rate") == pytest.approx((1, 1 / 3))


def test_revenue_by_region_by_hand(by_dimension):
    table = drivers.contributions(by_dimension["region"], "revenue").set_index("grp")
    assert changes(by_dimension["region"], "revenue") == {"North": 200, None: -40, "South": -30}
    # North: 1 customer, 1 order, 100 -> 2 customers, 3 orders, 300; the order value stays at 100, so the change
    # splits between customers (1 x average frequency 1.25 x 100 = 125) and frequency (0.5 x 1.5 x 100 = 75)
    north = table.loc["North"]
    assert (north["customers_effect"], north["frequency_effect"], north["value_effect"]) == \
        pytest.approx((125, 75, 0))
    # South: one customer with one order either side, 50 -> 20: all in the order value
    south = table.loc["South"]
    assert (south["customers_effect"], south["frequency_effect"], south["value_effect"]) == \
        pytest.approx((0, 0, -30))
    # D, no region recorded, bought in January only: a group that vanished changes through its customers
    gone = table.loc[[g is None for g in table.index]].iloc[0]
    assert (gone["customers_effect"], gone["frequency_effect"], gone["value_effect"]) == pytest.approx((-40, 0, 0))


def test_every_kpi_by_sales_channel_by_hand(by_dimension):
    frame = by_dimension["channel"]
    assert changes(frame, "revenue") == {"web": 80, "store": 30, "app": 20}
    # customers count once, in the channel of their first order in the period (A: web both months)
    assert changes(frame, "active_customers") == {"store": -1, "app": 1, "web": 0}
    assert changes(frame, "new_customers") == {"app": 1, "web": 0, "store": 0}
    # January's base by first order there: A web, B web, D store, A back -> web 1/3, store 0;
    # December's: A store, D web, both back -> 1/2 each
    assert changes(frame, "retention_rate") == {"store": -1 / 2, "web": -1 / 6, "app": 0}
    # each channel's revenue over all orders: web 230/4 - 150/3, store 70/4 - 40/3, app 20/4
    assert changes(frame, "aov") == {"web": 7.5, "app": 5, "store": 70 / 4 - 40 / 3}


def test_new_vs_returning_by_hand(by_dimension):
    frame = by_dimension["customer_type"]
    assert changes(frame, "revenue") == {"New": 170, "Returning": -40}
    # January's base: A and D had bought before it (returning), B was new; in December's base both were new
    assert changes(frame, "retention_rate") == {"New": -1, "Returning": 1 / 3}


@pytest.mark.parametrize("kpi", drivers.DRIVER_KPIS)
def test_every_dimension_adds_up_to_the_kpis_own_change(tiny, by_dimension, kpi):
    cur = tiny.cursor()
    try:
        after, before = kpi_values(cur, FEB, Filters())[kpi], kpi_values(cur, FEB.previous(), Filters())[kpi]
    finally:
        cur.close()
    for dimension, frame in by_dimension.items():
        table = drivers.contributions(frame, kpi)
        assert table["change"].sum() == pytest.approx(after - before), dimension
        assert table["after"].sum() == pytest.approx(after), dimension
        if kpi == "revenue":
            effects = table[list(drivers.FACTORS)].sum(axis=1)
            assert effects.to_numpy() == pytest.approx(table["change"].to_numpy()), dimension


def test_the_sentence_names_the_group_the_customer_type_and_the_factor(by_dimension):
    explanation = drivers.explain("revenue", "previous", by_dimension)
    # North moved most (+200); all of it from C, a new customer (so: more customers)
    assert explanation.sentence == ("Revenue rose $130 (+68.4%) against the previous period: new customers in North "
                                    "+$200, mostly more customers.")
    retention = drivers.explain("retention_rate", "previous", by_dimension)
    assert retention.sentence.startswith("Customer retention fell 66.7 pts against the previous period: ")
    # by region: North 1/3 - 1/2, South 0 - 0, D's (none recorded) 0 - 1/2; the sales channel's store ties at
    # -1/2 and region comes first. D was new in December's base (first order 20 Dec), a returning one in January's
    assert retention.sentence.endswith(": new customers with no region recorded -50.0 pts.")


def test_a_group_name_is_quoted_where_it_is_shown(tiny, write):
    import_file(tiny, "customers", write("c2.csv", "customer_id,region\nC,**[x](http://e.com)**\n"))
    cur = tiny.cursor()
    try:
        ensure_current(cur)
        by = {d: drivers.pieces(cur, FEB, Filters(), d) for d in drivers.DRIVER_DIMENSIONS}
    finally:
        cur.close()
    explanation = drivers.explain("revenue", "previous", by)
    assert "**[x](http://e.com)**" in explanation.sentence
    assert "<<**[x](http://e.com)**>>" in drivers.sentence(explanation, quote=lambda s: f"<<{s}>>")


def brute_force_shapley(before: tuple, after: tuple) -> list[float]:
    """Each factor's marginal effect averaged over the 6 orders in which the factors switch to their new value."""
    effects = [0.0, 0.0, 0.0]
    for order in itertools.permutations(range(3)):
        current = list(before)
        for i in order:
            old = math.prod(current)
            current[i] = after[i]
            effects[i] += (math.prod(current) - old) / 6
    return effects


@settings(max_examples=200, deadline=None)
@given(st.tuples(*[st.integers(1, 50)] * 2, st.floats(-500, 5000)), st.tuples(*[st.integers(1, 50)] * 2,
                                                                            st.floats(-500, 5000)))
def test_factor_effects_equal_the_shapley_values_and_add_up(before, after):
    customers_0, extra_0, revenue_0 = before
    customers_1, extra_1, revenue_1 = after
    orders_0, orders_1 = customers_0 + extra_0, customers_1 + extra_1
    effects = drivers.factor_effects(customers_0, orders_0, revenue_0, customers_1, orders_1, revenue_1)
    expected = brute_force_shapley((customers_0, orders_0 / customers_0, revenue_0 / orders_0),
                                   (customers_1, orders_1 / customers_1, revenue_1 / orders_1))
    assert effects == pytest.approx(expected, abs=1e-6)
    assert sum(effects) == pytest.approx(revenue_1 - revenue_0, abs=1e-6)


def test_the_report_and_a_comparison_the_data_does_not_reach(tiny):
    table = report(tiny, "kpi-drivers", as_of=dt.date(2024, 2, 29), days=29)
    region = table[table["dimension"] == "region"]
    assert region["change"].sum() == pytest.approx(130)
    assert set(table["dimension"]) == set(drivers.DRIVER_DIMENSIONS)
    # a year earlier is before the first order: no "before", rather than growth from nothing
    yearly = report(tiny, "kpi-drivers", as_of=dt.date(2024, 2, 29), days=29, compare="year")
    assert yearly["before"].isna().all() and yearly["change"].isna().all()
    cur = tiny.cursor()
    try:
        explanation, _ = drivers.explain_period(cur, FEB, Filters(), "revenue", "year")
    finally:
        cur.close()
    assert explanation.before is None and explanation.after == 320
    assert "cannot be compared with a year earlier" in explanation.sentence


def test_a_customer_in_two_groups_on_their_first_day_is_a_member_of_their_first_orders_group(con, write):
    """X buys twice on 3 February, in store (order "o9") and on the web ("o10"). As a customer X counts in both
    sales channels; as a member (counted once) X belongs to the group of the first order, by date and then order
    id: "o10" sorts before "o9", so the web. By hand: web revenue 20, orders 1, customers 1, members 1; store
    revenue 10, orders 1, customers 1, members 0."""
    import_file(con, "orders", write("x.csv", "order_id,customer_id,order_date,amount,channel\n"
                                     "o9,X,2024-02-03,10,store\no10,X,2024-02-03,20,web\n"))
    reporting.ensure_current(con)
    cur = con.cursor()
    frame = drivers.pieces(cur, FEB, Filters(), "channel")
    after = frame[frame["side"] == "after"].set_index("grp")
    assert after.loc["web", ["revenue", "orders", "customers", "members", "new_members"]].tolist() == [20, 1, 1, 1, 1]
    assert after.loc["store", ["revenue", "orders", "customers", "members", "new_members"]].tolist() == [10, 1, 1, 0, 0]


def test_a_filter_applies_to_both_sides(tiny):
    cur = tiny.cursor()
    try:
        ensure_current(cur)
        frame = drivers.pieces(cur, FEB, Filters().with_values("region", ["North"]), "channel")
    finally:
        cur.close()
    # North is A and C: January 100 (o1 web), February 30 + 200 web, 70 store
    assert drivers.totals(frame, "revenue") == (100, 300)
    assert changes(frame, "revenue") == {"web": 130, "store": 70}


@pytest.mark.slow
def test_the_higher_churn_scenario_shows_up_as_fewer_returning_customers():
    """The workshop's "Higher churn" scenario (every customer twice as likely to stop after each purchase) against
    the workshop sample, over the same last 90 days: the revenue it loses is lost through returning customers,
    and mostly because there are fewer of them, which is what the generator planted."""
    from crm_metrics import db
    from crm_metrics.learn import SCENARIOS
    from crm_metrics.sample import load_sample

    period = Period(dt.date(2026, 7, 3), dt.date(2026, 9, 30))
    by_scenario = {}
    for key in ("workshop", "higher_churn"):
        con = db.connect(":memory:")
        try:
            load_sample(con, SCENARIOS[key].params)
            cur = con.cursor()
            ensure_current(cur)
            by_scenario[key] = {d: drivers.pieces(cur, period, Filters(), d) for d in drivers.DRIVER_DIMENSIONS}
        finally:
            con.close()
    both = drivers.versus(by_scenario["workshop"], by_scenario["higher_churn"])
    kinds = drivers.contributions(both["customer_type"], "revenue").set_index("grp")
    assert kinds["change"].sum() < 0
    assert kinds.loc["Returning", "share"] > 0.8  # returning customers carry the loss
    returning = kinds.loc["Returning"]
    assert returning["customers_effect"] / returning["change"] > 0.6  # mostly fewer of them, not smaller orders
    explanation = drivers.explain("revenue", "the workshop sample", both)
    assert explanation.driver.customer_type == "Returning" and explanation.driver.factor == "customers_effect"
    assert explanation.sentence.startswith("Revenue fell ") and "against the workshop sample: returning customers " \
        in explanation.sentence and explanation.sentence.endswith(", mostly fewer customers.")
    retention = drivers.explain("retention_rate", "previous", both)
    assert retention.after < retention.before
