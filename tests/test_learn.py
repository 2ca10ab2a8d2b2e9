"""Workshop mode: the loyalty ladder by hand, where the data came from, and scenarios that regenerate the
sample under other generator parameters."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from crm_metrics import learn
from crm_metrics.importer import import_file
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
