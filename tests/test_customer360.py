"""Customer 360 on a tiny hand-made data set: every field matches the rows it came from, a customer with a
single order has no gaps, search ranks and escapes, and the next action follows its rules."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from crm_metrics import customer360 as c360
from crm_metrics import reporting
from crm_metrics.importing import import_file

AS_OF = dt.date(2024, 6, 30)
CUSTOMERS = """customer_id,name,email,signup_date,region,country,city,acquisition_channel,acquisition_cost,referred_by,birth_year,gender
C001,Ann Lee,ann@example.com,2024-01-02,Europe,France,Paris,Social,30.00,,1980,F
C002,Bob 100%_sure,bob@example.com,2024-02-01,Europe,Spain,Madrid,Referral,5.00,C001,1990,M
C003,Cy Single,cy@example.com,2024-03-01,Asia Pacific,Japan,Tokyo,Email,2.50,C001,,
C004,Dee Later,dee@example.com,2024-08-01,Europe,France,Lyon,Email,1.00,C001,,
"""
ORDERS = """order_id,customer_id,order_date,amount,channel,product_category,quantity,cost,campaign_id,status
O1,C001,2024-01-05,100.00,web,Books,2,60.00,,completed
O2,C001,2024-02-10,50.00,store,Home,1,20.00,K1,completed
O3,C001,2024-03-01,30.00,web,Books,1,10.00,,returned
O4,C001,2024-03-15,20.00,web,Books,1,5.00,,completed
O5,C001,2024-07-15,999.00,web,Books,1,1.00,,completed
O6,C002,2024-02-03,40.00,app,Home,1,30.00,,completed
O7,C002,2024-04-01,60.00,app,Home,1,,,completed
O8,C003,2024-03-02,25.00,web,Grocery,1,10.00,,completed
"""
CAMPAIGNS = "campaign_id,name,channel,start_date,cost\nK1,Spring <b>sale</b>,Email,2024-02-01,100\n"
CONTACTS = """campaign_id,customer_id,contact_date,group,opened,clicked
K1,C001,2024-02-01,treatment,true,true
K1,C002,2024-02-01,control,,
"""
TICKETS = """ticket_id,customer_id,opened_at,closed_at,category,channel,satisfaction
T1,C001,2024-02-12 09:00,2024-02-12 15:30,Delivery,Phone,2
T2,C001,2024-06-29 10:00,2024-07-02 10:00,Billing,Email,5
"""
SURVEYS = """customer_id,survey_date,csat,nps,comment
C001,2024-03-01,4,9,Good
C001,2024-05-01,2,5,Late again
"""


@pytest.fixture
def tiny(con, write):
    for table, text in (("customers", CUSTOMERS), ("campaigns", CAMPAIGNS), ("orders", ORDERS),
                        ("contacts", CONTACTS), ("tickets", TICKETS), ("surveys", SURVEYS)):
        import_file(con, table, write(f"{table}.csv", text))
    reporting.ensure_current(con)  # what an entry point does after an import
    return con.cursor()


def test_profile_matches_the_rows_field_by_field(tiny):
    p = c360.profile(tiny, "C001", AS_OF)
    # the record, as imported
    assert (p["name"], p["email"], p["region"], p["country"], p["city"]) == \
        ("Ann Lee", "ann@example.com", "Europe", "France", "Paris")
    assert (p["acquisition_channel"], p["acquisition_cost"], p["birth_year"], p["gender"]) == ("Social", 30.0, 1980, "F")
    assert pd.Timestamp(p["signup_date"]).date() == dt.date(2024, 1, 2) and p["referred_by"] is None
    # orders up to 30 Jun: O1, O2, O4 completed (O3 returned; O5 is after as_of)
    assert p["orders"] == 3 and p["purchase_days"] == 3 and p["returned_orders"] == 1 and p["cancelled_orders"] == 0
    assert p["revenue"] == pytest.approx(170.0) and p["margin"] == pytest.approx(40 + 30 + 15)
    assert p["average_order"] == pytest.approx(170 / 3)
    assert pd.Timestamp(p["first_order"]).date() == dt.date(2024, 1, 5)
    assert pd.Timestamp(p["last_order"]).date() == dt.date(2024, 3, 15)
    assert p["days_since_last_order"] == (AS_OF - dt.date(2024, 3, 15)).days
    # T2 is open on 30 Jun (closed 2 Jul), so its rating is not known yet: only T1's 2 counts
    assert p["tickets"] == 2 and p["open_tickets"] == 1 and p["ticket_satisfaction"] == pytest.approx(2.0)
    assert p["surveys"] == 2 and p["latest_csat"] == 2 and p["latest_nps"] == 5
    assert p["referrals"] == 2  # C002 and C003; C004 signed up after as_of


def test_timeline_holds_every_touchpoint_once(tiny):
    events = c360.timeline(tiny, "C001", AS_OF)
    assert events["kind"].value_counts().to_dict() == {"Order": 4, "Campaign": 1, "Ticket": 2, "Survey": 2}
    assert set(events.loc[events["kind"] == "Order", "reference"]) == {"O1", "O2", "O3", "O4"}
    assert events["happened_at"].is_monotonic_decreasing
    o2 = events.set_index("reference").loc["O2"]
    assert (o2["amount"], o2["status"]) == (50.0, "completed") and "campaign K1" in o2["detail"]
    k1 = events[events["kind"] == "Campaign"].iloc[0]
    assert k1["title"] == "Spring <b>sale</b>" and "opened" in k1["detail"] and "clicked" in k1["detail"]
    t1, t2 = events.set_index("reference").loc["T1"], events.set_index("reference").loc["T2"]
    assert t1["score"] == 2 and "resolved in 6.5 h" in t1["detail"] and t2["status"] == "open"
    assert pd.isna(t2["score"])
    assert set(events.loc[events["kind"] == "Survey", "detail"]) == {"Good", "Late again"}
    only_orders = c360.timeline(tiny, "C001", AS_OF, ("Order",))
    assert set(only_orders["kind"]) == {"Order"} and len(only_orders) == 4
    control = c360.timeline(tiny, "C002", AS_OF)
    assert "held out (control group)" in control.loc[control["kind"] == "Campaign", "detail"].iloc[0]


def test_routes_and_referrals(tiny):
    routes = c360.routes(tiny, "C001", AS_OF).set_index(["route", "channel"])
    assert routes.loc[("Buys through", "web"), "times"] == 2  # O1, O4 (O3 returned)
    assert routes.loc[("Buys through", "web"), "revenue"] == pytest.approx(120.0)
    assert routes.loc[("Buys through", "store"), "times"] == 1
    assert routes.loc[("Hears from us by", "Email"), "times"] == 1
    assert routes.loc[("Asks for help by", "Phone"), "times"] == 1
    assert routes.loc[("Asks for help by", "Email"), "times"] == 1
    assert c360.routes(tiny, "C002", AS_OF).query("route == 'Hears from us by'").empty  # control: not reached
    referred = c360.referrals(tiny, "C001", AS_OF)
    assert list(referred["customer_id"]) == ["C002", "C003"]  # most revenue first
    assert list(referred["revenue"]) == [100.0, 25.0] and c360.referred_revenue(referred) == 125.0


def test_a_customer_with_one_order_has_no_gaps(tiny):
    p = c360.profile(tiny, "C003", AS_OF)
    assert p["orders"] == 1 and p["revenue"] == 25.0 and p["margin"] == 15.0
    assert p["tickets"] == 0 and p["open_tickets"] == 0 and p["surveys"] == 0 and p["referrals"] == 0
    assert p["ticket_satisfaction"] is None and p["latest_csat"] is None
    fields = c360.profile_fields(p)
    assert fields["value"].map(lambda v: isinstance(v, str) and v != "").all()
    assert fields.set_index("field").loc["Referred by", "value"] == "C001 (Ann Lee)"
    assert len(c360.timeline(tiny, "C003", AS_OF)) == 1


def test_margin_is_unknown_when_an_order_has_no_cost(tiny):
    assert c360.profile(tiny, "C002", AS_OF)["margin"] is None  # O7 has no cost


def test_unknown_customer(tiny):
    assert c360.profile(tiny, "NOPE", AS_OF) is None


def test_search_ranks_and_treats_wildcards_literally(tiny):
    assert list(c360.search(tiny, "c00")["customer_id"]) == ["C001", "C002", "C003", "C004"]
    assert c360.search(tiny, "C002")["customer_id"].iloc[0] == "C002"
    assert list(c360.search(tiny, "ANN@EXAMPLE.COM")["customer_id"]) == ["C001"]
    assert list(c360.search(tiny, "100%_")["customer_id"]) == ["C002"]
    # literal, not wildcards: only the name holding them matches, not everyone
    assert list(c360.search(tiny, "%")["customer_id"]) == list(c360.search(tiny, "_")["customer_id"]) == ["C002"]
    assert c360.search(tiny, "   ").empty


def test_segment_path_and_model_view():
    day1, day2 = dt.date(2024, 1, 1), dt.date(2024, 4, 1)
    scores = {day2: pd.DataFrame({"customer_id": ["A"], "segment": ["Champions"], "r_score": [5], "f_score": [4],
                                  "m_score": [3]}),
              day1: pd.DataFrame(columns=["customer_id", "segment", "r_score", "f_score", "m_score"])}
    assert c360.segment_dates(dt.date(2024, 12, 31)) == [dt.date(2024, 1, 6), dt.date(2024, 4, 5),
                                                          dt.date(2024, 7, 4), dt.date(2024, 10, 2),
                                                          dt.date(2024, 12, 31)]
    path = c360.segment_path(scores, "A")
    assert list(path["segment"]) == ["Not yet a customer", "Champions"] and path["rfm"].iloc[-1] == "5-4-3"
    predictions = pd.DataFrame({"customer_id": list("ABCDEFGHIJ"), "clv": [10.0 * i for i in range(10, 0, -1)],
                                "clv_low": 0.0, "clv_high": 200.0, "p_alive": 0.9, "expected_purchases": 1.0})
    scored = pd.DataFrame({"customer_id": ["A", "B"], "churn_probability": [0.7, None]})
    view = c360.model_view("A", predictions, scored)
    assert view["clv"] == 100.0 and view["value_tier"] == "High" and view["churn_probability"] == 0.7
    assert c360.model_view("C", predictions, scored)["value_tier"] == "Medium"  # ranks 3-5 of 10
    assert c360.model_view("J", predictions, scored)["value_tier"] == "Low"
    assert not c360.model_view("B", predictions, scored)["churn_scored"]
    assert c360.model_view("Z", predictions, scored)["clv"] is None


@pytest.mark.parametrize(("person", "segment", "risk", "tier", "starts"), [
    ({"orders": 0}, None, None, None, "Send a welcome offer"),
    ({"orders": 3, "open_tickets": 1}, "Champions", 0.9, "High", "Resolve the open support ticket"),
    ({"orders": 3, "open_tickets": 0, "ticket_satisfaction": 2.0}, "Champions", 0.9, "High", "Call to repair"),
    ({"orders": 3, "open_tickets": 0}, "At Risk", 0.8, "High", "Reach out personally"),
    ({"orders": 3, "open_tickets": 0}, "At Risk", 0.8, "Low", "Include in the next win-back"),
    ({"orders": 3, "open_tickets": 0}, "Champions", 0.1, "High", "Reward them"),
    ({"orders": 1, "open_tickets": 0}, "New", 0.2, "Low", "Encourage the next purchase"),
    ({"orders": 2, "open_tickets": 0}, "Hibernating", 0.3, "Low", "Reactivate"),
    ({"orders": 2, "open_tickets": 0}, None, None, None, "Keep in the regular programme"),
])
def test_next_action_rules(person, segment, risk, tier, starts):
    action, reason = c360.next_action(person, segment, risk, tier)
    assert action.startswith(starts) and reason.endswith(".")


def test_timeline_chart_draws_refunds_and_zero_orders():
    from ui.customer_charts import timeline

    events = pd.DataFrame({"kind": ["Order", "Order", "Order", "Ticket"],
                           "happened_at": pd.to_datetime(["2025-01-01", "2025-02-01", "2025-03-01", "2025-03-02"]),
                           "amount": [40.0, -12.0, 0.0, None], "title": ["a", "b", "c", "d"],
                           "detail": ["", "", "", ""], "status": ["completed"] * 3 + ["open"]})
    fig = timeline(events, "Timeline")
    orders = next(t for t in fig.data if t.name == "Order")
    assert list(orders.marker.symbol) == ["circle", "circle-open", "circle"]
    assert orders.marker.size[1] == pytest.approx(6 + 14 * (12 / 40) ** 0.5)  # sized by the refund's size
