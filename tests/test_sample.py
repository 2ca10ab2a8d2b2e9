"""The seeded sample generator: deterministic, realistic in the ways the analyses rely on."""

import datetime as dt

import numpy as np
import pytest

from crm_metrics import report
from crm_metrics.sample import NotEmpty, SampleParams, generate, load_sample


@pytest.fixture(scope="module")
def sample():
    return generate(SampleParams(customers=3000, seed=7))


def test_same_seed_same_data():
    a, b = generate(SampleParams(customers=500, seed=1)), generate(SampleParams(customers=500, seed=1))
    assert a.orders.equals(b.orders) and a.contacts.equals(b.contacts) and a.customers.equals(b.customers)
    assert not a.orders.equals(generate(SampleParams(customers=500, seed=2)).orders)


def test_about_ten_orders_per_customer_with_a_long_tail(sample):
    per_customer = len(sample.orders) / len(sample.customers)
    assert 7 <= per_customer <= 13
    revenue = sample.orders.groupby("customer")["amount"].sum().sort_values(ascending=False)
    top = revenue.iloc[: len(revenue) // 5].sum() / revenue.sum()
    assert 0.5 < top < 0.85, "the top 20% should bring most revenue"


def test_orders_lie_in_the_window_and_after_signup(sample):
    days = (SampleParams().end - SampleParams().start).days + 1
    assert sample.orders["day"].between(0, days - 1).all()
    signup = sample.customers["signup_date"].to_numpy()
    order_date = np.datetime64(SampleParams().start, "D") + sample.orders["day"].to_numpy()
    assert (order_date >= signup[sample.orders["customer"].to_numpy()]).all()


def test_november_and_december_are_busier(sample):
    month = (np.datetime64(SampleParams().start, "D") + sample.orders["day"].to_numpy()).astype("datetime64[M]")
    per_month = np.unique(month, return_counts=True)
    counts = dict(zip(per_month[0].astype(str), per_month[1], strict=True))
    assert counts["2024-12"] > counts["2024-10"] and counts["2025-11"] > counts["2025-09"]


def test_control_groups_and_planted_lift(sample):
    groups = sample.contacts.groupby("campaign_no")["group"].apply(lambda g: (g == "control").mean())
    with_control = sample.truth[sample.truth["has_control"]]["campaign_no"]
    assert (groups.loc[with_control] > 0.05).all()
    assert (sample.truth.loc[sample.truth["planted_probability"] == 0, "true_lift"] == 0).all()
    assert sample.truth["true_lift"].max() > 0.02


def test_low_satisfaction_means_more_churn():
    scenario = generate(SampleParams(customers=4000, seed=3))
    csat = scenario.surveys.groupby("customer")["csat"].mean()
    last = scenario.orders.groupby("customer")["day"].max()
    days = (SampleParams().end - SampleParams().start).days
    lapsed = (last < days - 180).reindex(csat.index)
    assert lapsed[csat <= 2].mean() > lapsed[csat >= 4].mean() + 0.1


def test_scenarios_move_the_numbers():
    base = generate(SampleParams(customers=2000, seed=5))
    churny = generate(SampleParams(customers=2000, seed=5, churn_multiplier=3.0))
    assert len(churny.orders) < 0.8 * len(base.orders)
    flat = generate(SampleParams(customers=2000, seed=5, lift_multiplier=0.0))
    assert flat.truth["true_lift"].max() == 0


def test_load_refuses_to_overwrite_then_replaces(con):
    counts = load_sample(con, SampleParams(customers=300, seed=1))
    tables = report(con, "tables").set_index("table_name")["row_count"].to_dict()
    assert tables == counts
    with pytest.raises(NotEmpty):
        load_sample(con, SampleParams(customers=300, seed=1))
    load_sample(con, SampleParams(customers=200, seed=1), replace=True)
    assert report(con, "tables").set_index("table_name")["row_count"]["customers"] == 200
    ids = con.execute("SELECT min(customer_id), max(customer_id) FROM customers").fetchall()[0]
    assert ids == ("C000001", "C000200")
    assert con.execute("SELECT count(*) FROM orders WHERE customer_id NOT IN (SELECT customer_id FROM customers)"
                       ).fetchall() == [(0,)]
    assert con.execute("SELECT min(order_date) >= DATE '2023-10-01' FROM orders").fetchall() == [(True,)]
    assert isinstance(SampleParams().end, dt.date)


def test_emptying_the_database_removes_every_row_and_needs_an_admin():
    from crm_metrics import db
    from crm_metrics.access import AccessDenied, Principal
    from crm_metrics.sample import empty_database

    con = db.connect(":memory:")
    load_sample(con, SampleParams(customers=200, seed=3))
    with pytest.raises(AccessDenied):
        empty_database(con, Principal("ed", "editor"))
    assert con.execute("SELECT count(*) FROM orders").fetchone()[0] > 0
    empty_database(con)
    counts = [con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]  # noqa: S608 - fixed names
              for t in ("customers", "orders", "campaigns", "contacts", "tickets", "surveys", "import_ledger",
                        "orders_history")]
    assert counts == [0] * 8
