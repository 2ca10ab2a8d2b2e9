"""Satisfaction and service against numbers worked out by hand on a tiny data set (see the comments)."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from crm_metrics import reporting
from crm_metrics import satisfaction as sat
from crm_metrics.filters import Filters
from crm_metrics.importing import import_file

START, END = dt.date(2024, 1, 1), dt.date(2024, 12, 31)
CUSTOMERS = "customer_id,name,region\nA,Ann,North\nB,Bob,North\nC,Cy,North\nD,Dee,South\nE,Eve,South\n"
ORDERS = """order_id,customer_id,order_date,amount
1,A,2024-01-01,10
2,A,2024-04-01,10
3,B,2024-01-20,10
4,C,2024-01-05,10
5,C,2024-09-01,10
6,E,2024-05-01,10
7,E,2024-06-01,10
"""
SURVEYS = """customer_id,survey_date,csat,nps
A,2024-01-10,5,10
A,2024-03-01,4,9
B,2024-02-01,2,3
C,2024-02-15,5,8
D,2024-08-01,1,0
E,2024-05-01,3,7
"""
TICKETS = """ticket_id,customer_id,opened_at,closed_at,category,channel,satisfaction
T1,A,2024-02-01 10:00,2024-02-01 12:00,Delivery,Phone,1
T2,A,2024-02-05 09:00,2024-02-06 09:00,Delivery,Email,4
T3,B,2024-03-01 08:00,2024-03-01 20:00,Billing,Phone,2
T4,C,2024-10-01 08:00,,Billing,Chat,
"""


@pytest.fixture
def cur(con, write):
    for table, text in (("customers", CUSTOMERS), ("orders", ORDERS), ("surveys", SURVEYS), ("tickets", TICKETS)):
        import_file(con, table, write(f"{table}.csv", text))
    reporting.ensure_current(con)  # what an entry point does after an import
    return con.cursor()


def test_csat_grades_and_rate(cur):
    grades = sat.csat_grades(cur, START, END)
    # answers: 5, 4 (A), 2 (B), 5 (C), 1 (D), 3 (E)
    assert list(grades["answers"]) == [1, 1, 1, 1, 2]
    assert list(grades["label"]) == ["Very disappointed", "Disappointed", "Neutral", "Satisfied", "Very satisfied"]
    assert sat.csat_rate(grades) == pytest.approx(3 / 6)
    north = sat.csat_grades(cur, START, END, Filters().with_values("region", ["North"]))
    assert list(north["answers"]) == [0, 1, 0, 1, 2]  # D and E are South
    assert math.isnan(sat.csat_rate(sat.csat_grades(cur, dt.date(2030, 1, 1), dt.date(2030, 2, 1))))


def test_nps_by_month_and_over_the_period(cur):
    trend = sat.nps_trend(cur, START, END).set_index("month")
    # Jan: 10 -> promoter, NPS 100; Feb: 3 and 8 -> (0 - 1) / 2 = -50; Mar: 9 -> 100; May: 7 -> 0; Aug: 0 -> -100
    assert [m.month for m in trend.index] == [1, 2, 3, 5, 8]
    assert list(trend["nps"]) == [100.0, -50.0, 100.0, 0.0, -100.0]
    summary = sat.nps_summary(trend.reset_index())
    assert (summary["promoters"], summary["passives"], summary["detractors"], summary["answers"]) == (2, 2, 2, 6)
    assert summary["nps"] == 0.0


def test_ticket_service_by_category_and_channel(cur):
    by_category = sat.ticket_service(cur, START, END, "category").set_index("value")
    # Delivery: T1 (2 h) came back as T2 within 7 days, so only T2 was solved first time; ratings 1 and 4
    d = by_category.loc["Delivery"]
    assert (d["tickets"], d["closed"], d["open"], d["first_contact"]) == (2, 2, 0, 1)
    assert d["median_hours"] == pytest.approx(13.0) and d["first_contact_rate"] == 0.5 and d["satisfaction"] == 2.5
    # Billing: T3 closed in 12 h (T4 is seven months later), T4 still open and unrated
    b = by_category.loc["Billing"]
    assert (b["tickets"], b["closed"], b["open"], b["first_contact"], b["rated"]) == (2, 1, 1, 1, 1)
    assert b["median_hours"] == pytest.approx(12.0) and b["first_contact_rate"] == 1.0
    totals = sat.service_totals(by_category.reset_index())
    assert totals == {"tickets": 4, "open": 1, "first_contact_rate": pytest.approx(2 / 3),
                      "satisfaction": pytest.approx(7 / 3)}
    by_channel = sat.ticket_service(cur, START, END, "channel").set_index("value")
    assert by_channel.loc["Phone", "median_hours"] == pytest.approx(7.0)
    assert by_channel.loc["Phone", "first_contact_rate"] == 0.5
    assert math.isnan(by_channel.loc["Chat", "first_contact_rate"])  # nothing closed yet
    with pytest.raises(ValueError):
        sat.ticket_service(cur, START, END, "customer_id")


def test_loyalty_by_latest_grade(cur):
    out = sat.loyalty(cur, END, None, None, follow_days=180).set_index(["basis", "grade"])
    # answers at least 180 days before 31 Dec (on or before 4 Jul) count; D's August answer does not.
    # A: latest CSAT 4 (1 Mar), ordered 1 Apr -> stayed; repeat (2 days)
    # B: 2 (1 Feb), no order after -> not; one purchase day -> not repeat
    # C: 5 (15 Feb), next order 1 Sep, after the 180 days -> not; repeat
    # E: 3 (1 May), the same-day order does not count, 1 Jun does -> stayed; repeat
    survey = out.loc["survey"]
    assert list(survey.index) == [2, 3, 4, 5]
    assert list(survey["customers"]) == [1, 1, 1, 1]
    assert list(survey["stayed"]) == [0, 1, 1, 0]
    assert list(survey["repeat_buyers"]) == [0, 1, 1, 1]
    # tickets: A's latest rated is T2 (4) -> stayed; B's is T3 (2) -> not; C's T4 is unrated
    ticket = out.loc["ticket"]
    assert list(ticket.index) == [2, 4] and list(ticket["stayed"]) == [0, 1]
    frame = out.reset_index()
    assert sat.loyalty_gap(frame, "survey") == {"satisfied": 0.5, "dissatisfied": 0.0, "satisfied_customers": 2,
                                                "dissatisfied_customers": 1, "points": 50.0}
    assert sat.loyalty_gap(frame, "ticket")["points"] == 100.0
    sentence = sat.loyalty_sentence(frame, 180)
    assert sentence.startswith("Satisfied customers stay:") and "50 points more" in sentence


def test_wilson_interval_textbook_values():
    low, high = sat.wilson(1, 1)
    assert low == pytest.approx(0.2065, abs=1e-4) and high == pytest.approx(1.0)
    low, high = sat.wilson(0, 10)
    assert low == pytest.approx(0.0, abs=1e-12) and high == pytest.approx(0.2775, abs=1e-4)
    assert all(math.isnan(v) for v in sat.wilson(0, 0))


def test_report_serves_what_the_page_shows(con, cur):
    from crm_metrics import report

    served = report(con, "satisfaction")
    assert served.equals(sat.loyalty(cur, dt.date(2024, 9, 1)))  # as_of defaults to the last order date
