"""Targets and alerts against numbers worked out by hand on the tiny data set of test_drivers (February 2024:
revenue 320 from o4 30 on 5 Feb, o6 200 on 10 Feb, o7 20 on 11 Feb, o5 70 on 20 Feb; January 190; churn in
February 2/3: of January's buyers A, B, D only A came back)."""

from __future__ import annotations

import datetime as dt

import pytest
from test_drivers import FEB, tiny  # noqa: F401  (the fixture)

from crm_metrics import targets
from crm_metrics.access import AccessDenied, Principal
from crm_metrics.importing import import_file
from crm_metrics.kpis import Period

AT = dt.datetime(2024, 3, 1, 9, 0)
EDITOR, VIEWER = Principal("eve", "editor"), Principal("vic", "viewer")


def stored(con):
    cur = con.cursor()
    try:
        return targets.targets(cur)
    finally:
        cur.close()


def test_a_target_over_its_whole_period_and_over_part_of_it(tiny):  # noqa: F811
    targets.set_target(tiny, "revenue", dt.date(2024, 2, 1), dt.date(2024, 2, 29), 500, AT, EDITOR)
    frame = stored(tiny)
    whole = targets.progress(frame, "revenue", FEB, 320)
    assert (whole.due, whole.share, whole.on_track, whole.bar) == (500, pytest.approx(0.64), False, pytest.approx(0.64))
    assert whole.sentence() == "64% of the $500 target for 01 Feb 2024 – 29 Feb 2024 (missed)"
    # the first 10 days (230 of revenue: 46% of the target) are held to 10/29 of it (172.41): on track
    part = targets.progress(frame, "revenue", Period(dt.date(2024, 2, 1), dt.date(2024, 2, 10)), 230)
    assert part.due == pytest.approx(500 * 10 / 29) and part.on_track
    assert part.sentence() == "46% of the $500 target for 01 Feb 2024 – 29 Feb 2024 (on track: 34% of its days gone)"
    # a period that does not start with the target's has none
    assert targets.progress(frame, "revenue", Period(dt.date(2024, 2, 2), dt.date(2024, 2, 10)), 230) is None
    assert targets.progress(frame, "orders", FEB, 4) is None


def test_a_ratio_target_where_lower_is_better_and_the_shortest_period_wins(tiny):  # noqa: F811
    targets.set_target(tiny, "churn_rate", dt.date(2024, 2, 1), dt.date(2024, 12, 31), 0.8, AT)
    targets.set_target(tiny, "churn_rate", dt.date(2024, 2, 1), dt.date(2024, 2, 29), 0.5, AT)
    found = targets.progress(stored(tiny), "churn_rate", FEB, 2 / 3)
    assert found.target == 0.5 and found.due == 0.5 and found.on_track is False  # 66.7% churn > 50%
    assert found.sentence() == "50.0% target for 01 Feb 2024 – 29 Feb 2024: not met"
    assert found.bar == pytest.approx(0.5 / (2 / 3))  # lower is better: the bar is the target over the value
    # setting the same KPI and period again replaces the target
    targets.set_target(tiny, "churn_rate", dt.date(2024, 2, 1), dt.date(2024, 2, 29), 0.7, AT)
    assert targets.progress(stored(tiny), "churn_rate", FEB, 2 / 3).on_track is True
    assert len(stored(tiny)) == 2
    targets.remove_target(tiny, "churn_rate", dt.date(2024, 2, 1), dt.date(2024, 2, 29))
    assert targets.progress(stored(tiny), "churn_rate", FEB, 2 / 3).target == 0.8


def test_only_editors_set_targets_and_alerts(tiny):  # noqa: F811
    with pytest.raises(AccessDenied):
        targets.set_target(tiny, "revenue", dt.date(2024, 2, 1), dt.date(2024, 2, 29), 1, AT, VIEWER)
    with pytest.raises(AccessDenied):
        targets.add_alert(tiny, "revenue", "value", "below", 1, 30, AT, VIEWER)
    with pytest.raises(ValueError, match="unknown KPI"):
        targets.set_target(tiny, "profit", dt.date(2024, 2, 1), dt.date(2024, 2, 29), 1, AT)
    with pytest.raises(ValueError, match="ends"):
        targets.set_target(tiny, "revenue", dt.date(2024, 2, 29), dt.date(2024, 2, 1), 1, AT)


def test_a_targets_file_is_imported_whole_or_not_at_all(tiny, write):  # noqa: F811
    good = write("t.csv", "KPI,period_start,period_end,target\nrevenue,2024-02-01,2024-02-29,\"1,200\"\n"
                          "churn_rate,2024-02-01,2024-02-29,35%\n")
    assert targets.import_targets(tiny, good, AT, EDITOR) == 2
    frame = stored(tiny).set_index("kpi")
    assert frame.loc["revenue", "target"] == 1200 and frame.loc["churn_rate", "target"] == pytest.approx(0.35)
    assert frame.loc["revenue", "set_by"] == "eve"
    bad = write("bad.csv", "kpi,period_start,period_end,target\norders,2024-03-01,2024-03-31,10\n"
                           "revenu,2024-03-01,2024-03-31,10\nrevenue,2024-31-03,2024-03-31,ten\n"
                           "aov,2024-03-31,2024-03-01,50\n")
    with pytest.raises(targets.TargetsRejected) as rejected:
        targets.import_targets(tiny, bad, AT)
    assert rejected.value.problems == [
        "bad.csv:3: column kpi: unknown KPI 'revenu'; one of " + ", ".join(targets.TARGET_KPIS),
        "bad.csv:4: column period_start: not a date (YYYY-MM-DD): '2024-31-03'",
        "bad.csv:4: column target: not a number: 'ten'",
        "bad.csv:5: column period_end: before period_start",
    ]
    assert len(stored(tiny)) == 2  # the good first line was not stored either
    with pytest.raises(targets.TargetsRejected, match="missing column"):
        targets.import_targets(tiny, write("x.csv", "kpi,target\nrevenue,1\n"), AT)


def test_alerts_fire_on_the_value_or_the_change(tiny):  # noqa: F811
    ids = [targets.add_alert(tiny, *spec, at=AT) for spec in (
        ("revenue", "change", "below", -0.10, 29),  # +68.4%: quiet
        ("revenue", "value", "above", 300, 29),  # 320: fires
        ("churn_rate", "value", "above", 0.5, 29),  # 66.7%: fires
        ("retention_rate", "change", "below", -0.10, 29),  # 1/3 against January's 1: -66.7 pts, fires
        ("csat", "value", "below", 0.5, 29),  # no surveys: cannot tell
    )]
    assert ids == [1, 2, 3, 4, 5]
    cur = tiny.cursor()
    try:
        checked = targets.check_alerts(cur, targets.alerts(cur), as_of=dt.date(2024, 2, 29))
    finally:
        cur.close()
    assert checked["fired"].tolist() == [False, True, True, True, None]
    assert checked["message"].tolist()[:4] == [
        "Revenue change below -10.0%: +68.4% over 01 Feb 2024 – 29 Feb 2024",
        "Revenue above $300: $320 over 01 Feb 2024 – 29 Feb 2024",
        "Churn above 50.0%: 66.7% over 01 Feb 2024 – 29 Feb 2024",
        "Customer retention change below -10.0 pts: -66.7 pts over 01 Feb 2024 – 29 Feb 2024",
    ]
    assert targets.remove_alert(tiny, 2) and not targets.remove_alert(tiny, 2)


def test_the_cards_short_line(tiny):  # noqa: F811
    targets.set_target(tiny, "revenue", dt.date(2024, 2, 1), dt.date(2024, 2, 29), 500, AT)
    targets.set_target(tiny, "churn_rate", dt.date(2024, 2, 1), dt.date(2024, 2, 29), 0.5, AT)
    frame = stored(tiny)
    assert targets.progress(frame, "revenue", FEB, 320).short() == "64% of $500 · missed"
    early = Period(dt.date(2024, 2, 1), dt.date(2024, 2, 10))
    assert targets.progress(frame, "revenue", early, 230).short() == "46% of $500 · on track"
    assert targets.progress(frame, "churn_rate", FEB, 2 / 3).short() == "Target 50.0% · not met"
    assert targets.progress(frame, "churn_rate", early, 0.4).short() == "Target 50.0% · on track"


def test_the_target_pace_per_trend_bucket(tiny):  # noqa: F811
    targets.set_target(tiny, "revenue", dt.date(2024, 2, 1), dt.date(2024, 2, 29), 580, AT)  # 20 a day
    frame = stored(tiny)
    weeks = [dt.date(2024, 1, 29), dt.date(2024, 2, 5), dt.date(2024, 2, 26), dt.date(2024, 3, 4)]
    pace = targets.goal_series(frame, "revenue", weeks, "week")
    # a week that begins in February asks for 7 x 20, even the one that ends in March
    assert pace.to_dict("records") == [{"bucket": dt.date(2024, 2, 5), "goal": 140.0},
                                       {"bucket": dt.date(2024, 2, 26), "goal": 140.0}]
    assert targets.goal_series(frame, "revenue", [dt.date(2024, 2, 1)], "month")["goal"].tolist() == [580.0]
    assert targets.goal_series(frame, "revenue", [dt.date(2024, 2, 10)], "day")["goal"].tolist() == [20.0]
    # a target of a KPI that does not add up over days draws no pace
    targets.set_target(tiny, "aov", dt.date(2024, 2, 1), dt.date(2024, 2, 29), 90, AT)
    assert targets.goal_series(stored(tiny), "aov", weeks, "week").empty


def test_campaign_starts_for_the_trend_follow_the_campaign_filter(con, write):
    from crm_metrics.filters import Filters
    from crm_metrics.kpis import campaign_starts

    import_file(con, "campaigns", write("k.csv", "campaign_id,name,channel,start_date,cost\n"
                                        "K1,Spring,Email,2024-02-01,50\nK2,Summer,Push,2024-06-01,20\n"
                                        "K3,Winter,Email,2023-12-01,10\n"))
    cur = con.cursor()
    try:
        window = Period(dt.date(2024, 1, 1), dt.date(2024, 6, 30))
        assert campaign_starts(cur, window, Filters())["campaign_id"].tolist() == ["K1", "K2"]
        chosen = Filters().with_values("campaign", ["K2"])
        assert campaign_starts(cur, window, chosen)[["name", "start_date"]].values.tolist() == \
            [["Summer", dt.date(2024, 6, 1)]]
    finally:
        cur.close()


def test_a_threshold_is_typed_in_the_unit_the_alert_reads_it_in():
    # a ratio's value and any relative change in percent; an NPS change in points, as the cards show it
    assert targets.threshold_from_shown("churn_rate", "value", 40) == pytest.approx(0.4)
    assert targets.threshold_from_shown("revenue", "change", -10) == pytest.approx(-0.1)
    assert targets.threshold_from_shown("retention_rate", "change", -3) == pytest.approx(-0.03)
    assert targets.threshold_from_shown("nps", "change", -5) == -5
    assert targets.threshold_from_shown("nps", "value", 20) == 20
    assert targets.threshold_from_shown("revenue", "value", 5000) == 5000
    assert not targets.threshold_in_percent("marketing_roi", "change")
