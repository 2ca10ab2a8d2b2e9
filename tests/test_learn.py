"""Workshop mode: the loyalty ladder by hand, where the data came from, and scenarios that regenerate the
sample under other generator parameters."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from crm_metrics import learn, reporting
from crm_metrics.importing import import_file
from crm_metrics.sample import SampleParams, generate, load_sample

AS_OF = dt.date(2024, 6, 30)


def test_loyalty_ladder_by_hand(con, write):
    import_file(con, "customers", write("c.csv", "customer_id,signup_date,referred_by\n"
                                        "P,2024-01-01,\nC,2024-01-01,\nK,2024-01-01,\nS,2024-01-01,\n"
                                        "A,2024-01-01,\nN,2024-01-01,\nR,2024-02-01,A\nLATE,2024-08-01,C\n"))
    import_file(con, "orders", write("o.csv", "order_id,customer_id,order_date,amount,status\n"
                                     "1,C,2024-02-01,10,completed\n2,C,2024-02-01,10,completed\n"
                                     "3,K,2024-02-01,10,completed\n4,K,2024-03-01,10,completed\n"
                                     "5,S,2024-02-01,10,completed\n6,S,2024-03-01,10,completed\n"
                                     "7,A,2024-02-01,10,completed\n8,N,2024-02-01,10,completed\n"
                                     "9,N,2024-03-01,10,returned\n10,R,2024-02-02,10,completed\n"
                                     "11,P,2024-07-05,10,completed\n"))
    import_file(con, "surveys", write("s.csv", "customer_id,survey_date,csat,nps\n"
                                      "S,2024-01-15,2,5\nS,2024-04-01,5,8\nN,2024-04-01,3,10\nK,2024-07-01,5,10\n"))
    reporting.ensure_current(con)  # what an entry point does after an import
    ladder = learn.loyalty_ladder(con.cursor(), AS_OF).set_index("rung")
    # P: no order by 30 Jun -> Prospect. C: two orders, one day -> Customer. K: two days (its 9-10 answer is in
    # July) -> Client. S: two days, latest CSAT 5 -> Supporter. A: referred R -> Advocate. N: latest NPS 10 ->
    # Advocate. R: one day -> Customer. LATE signed up after as_of and is not counted; C's referral of LATE
    # does not count either.
    assert ladder["customers"].to_dict() == {"Prospect": 1, "Customer": 2, "Client": 1, "Supporter": 1, "Advocate": 2}
    assert ladder["share"].sum() == pytest.approx(1.0)
    assert learn.ladder_sentence(ladder.reset_index()).startswith("Of 7 people who signed up, 6 bought at least once "
                                                                  "and 4 came back (66.7% of buyers)")


def test_provenance_names_the_scenario(con, write):
    assert learn.current_scenario(con.cursor()) is None  # nothing loaded
    load_sample(con, SampleParams(customers=300, lift_multiplier=0.0))
    assert learn.current_scenario(con.cursor()) is None  # a sample, but not one of the scenarios (300 customers)
    load_sample(con, learn.SCENARIOS["no_lift"].params, replace=True)
    assert learn.current_scenario(con.cursor()) == "no_lift" and not learn.holds_user_data(con.cursor())
    import_file(con, "customers", write("mine.csv", "customer_id\nMINE1\n"))
    assert learn.current_scenario(con.cursor()) is None and learn.holds_user_data(con.cursor())


def test_scenarios_change_the_process_not_the_numbers():
    base, no_lift = generate(learn.SCENARIOS["workshop"].params), generate(learn.SCENARIOS["no_lift"].params)
    assert (no_lift.truth["planted_probability"] == 0).all() and (no_lift.truth["true_lift"] == 0).all()
    assert (base.truth["planted_probability"] > 0).any()
    churny = generate(learn.SCENARIOS["higher_churn"].params)
    per_customer = [len(d.orders) / d.customers.shape[0] for d in (base, churny)]
    assert per_customer[1] < 0.75 * per_customer[0]  # twice the dropout: far fewer orders per customer


def test_apply_scenario_replaces_everything(con):
    counts = learn.apply_scenario(con, "no_lift")
    assert counts["customers"] == 5000
    assert learn.current_scenario(con.cursor()) == "no_lift"
    with pytest.raises(ValueError):
        learn.apply_scenario(con, "nonsense")


def test_sentences_speak_plainly():
    assert learn.incrementality_sentence({"campaigns": 0}) == "No campaigns in the data yet."
    text = learn.acquisition_vs_retention({"acquisition_cost": 30.0, "retention_rate": 0.5, "annual_margin": 40.0,
                                           "customers": 100})
    assert text.startswith("Winning a new customer costs about $30 here, and 50.0% of last year's")
    impossible = {"acquisition_cost": 30.0, "retention_rate": 1.5, "annual_margin": 40.0, "customers": 100}
    assert learn.acquisition_vs_retention(impossible).startswith("The retention economics cannot be worked out")
    assert learn.acquisition_vs_retention({"acquisition_cost": None}).startswith("The data does not yet tell")


def test_report_serves_the_ladder(con):
    from crm_metrics import report

    load_sample(con, SampleParams(customers=400, seed=3))
    end = pd.Timestamp(report(con, "data-span").iloc[0]["last_order"]).date()
    assert report(con, "loyalty-ladder").equals(learn.loyalty_ladder(con.cursor(), end))


def _ladder_by_pandas(con, as_of: dt.date, channels: tuple[str, ...] = ()) -> dict[str, int]:
    """The ladder worked out in pandas from the canonical tables (an independent method): purchase days
    counted from the orders themselves, within ``channels`` when given."""
    customers = con.sql("SELECT customer_id, signup_date, referred_by FROM customers").df()
    orders = con.sql("SELECT customer_id, order_date, channel FROM orders WHERE status = 'completed'").df()
    surveys = con.sql("SELECT customer_id, survey_date, csat, nps FROM surveys").df()
    day = pd.Timestamp(as_of)
    first = orders.groupby("customer_id")["order_date"].min()
    kept = orders[orders["order_date"] <= day]
    if channels:
        kept = kept[kept["channel"].isin(channels)]
    days = kept.groupby("customer_id")["order_date"].nunique()
    latest = surveys[surveys["survey_date"] <= day].sort_values("survey_date").groupby("customer_id").last()
    signed = customers[customers["signup_date"].isna() | (customers["signup_date"] <= day)]
    referrers = set(signed["referred_by"].dropna())
    base = customers[(customers["signup_date"] <= day) | (customers["customer_id"].map(first) <= day)]
    counts = dict.fromkeys(["Prospect", "Customer", "Client", "Supporter", "Advocate"], 0)
    for cid in base["customer_id"]:
        n = days.get(cid, 0)
        csat = latest["csat"].get(cid) if cid in latest.index else None
        nps = latest["nps"].get(cid) if cid in latest.index else None
        if cid in referrers or (nps is not None and nps >= 9):
            rung = "Advocate"
        elif n >= 2 and csat is not None and csat >= 4:
            rung = "Supporter"
        else:
            rung = "Client" if n >= 2 else "Customer" if n == 1 else "Prospect"
        counts[rung] += 1
    return counts


def test_ladder_agrees_with_pandas_with_and_without_an_order_filter(sample_con):
    from crm_metrics.filters import Filters

    def one(sql: str):
        return sample_con.cursor().execute(sql).fetchall()[0][0]

    tied = one("SELECT count(*) FROM (SELECT customer_id, survey_date FROM surveys GROUP BY ALL HAVING count(*) > 1)")
    assert tied == 0  # one answer per customer and day: "the latest answer" is well defined
    as_of = one("SELECT max(order_date) - 200 FROM orders")
    channel = one("SELECT min(channel) FROM orders")
    cur = sample_con.cursor()
    whole = learn.loyalty_ladder(cur, as_of).set_index("rung")["customers"].to_dict()
    assert whole == _ladder_by_pandas(sample_con, as_of)
    # a sales channel keeps only some orders: the purchase days are counted from the orders it keeps
    narrowed = learn.loyalty_ladder(cur, as_of, Filters(selections=(("channel", (channel,)),)))
    assert narrowed.set_index("rung")["customers"].to_dict() == _ladder_by_pandas(sample_con, as_of, (channel,))
    assert narrowed["customers"].sum() == sum(whole.values()) and not narrowed["customers"].equals(
        learn.loyalty_ladder(cur, as_of)["customers"])
