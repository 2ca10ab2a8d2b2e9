"""Campaign results against numbers worked out by hand, and incrementality against the planted truth.

Tiny data (as_of = 31 Mar 2024, window 14 days: contact day .. contact day + 13, margin rate 40%):
  customers A, B North; C, D, E South.
  K1 Email  2024-01-01 cost $100: A treatment 01-01 and again 01-10 (contacted twice), B treatment 01-01,
                                   C control 01-01, D control 01-01.
  K2 Social 2024-01-05 cost $0:   A treatment 01-08, E treatment 01-05.            (zero spend)
  K3 Mail   2024-01-01 cost $50:  no contacts.                                     (no conversions)
  K4 SMS    2024-01-02 cost $10:  A treatment 01-12.
  Orders (completed unless said; margin = amount - cost, else 40% of amount):
  o7 A 2023-12-01 $20 cost 5     A's first order; before every window.
  o1 A 2024-01-14 $100 cost 60   K1 windows: from 01-01 day 13 (last day in), from 01-10 day 4 -> 4;
                                 K2 day 6; K4 day 2. Touches by latest contact: K2, K1, K4.
  o2 B 2024-01-15 $50            K1 day 14: just outside.
  o3 B 2024-01-01 $30 cost 10    K1 day 0: inside. B's first order -> a new customer.
  o4 C 2024-01-05 $40 cost 20    inside K1's window, but C is control: converts, never credited.
  o5 E 2024-03-01 $80 cost 30 campaign_id K2: direct, outside any window.
  o6 D 2024-01-03 $70 cancelled  never counts.
  o8 E 2024-01-06 $25            K2 day 1. E's first order -> a new customer. margin 40% = $10.
Credited revenue (o1 = $100 shared by K2, K1, K4; o3 -> K1; o8, o5 -> K2):
  last touch:  K1 30,  K2 105, K4 100        first touch: K1 30, K2 205, K4 0
  linear:      K1 30 + 100/3, K2 105 + 100/3, K4 100/3
  position:    K1 30 + 20,    K2 105 + 40,    K4 40
Total attributed revenue under every model: 100 + 30 + 25 + 80 = 235.
"""

from __future__ import annotations

import datetime as dt
import json
import math

import pandas as pd
import pytest

from crm_metrics import campaigns as cm
from crm_metrics import report, reporting
from crm_metrics.__main__ import main
from crm_metrics.filters import Filters
from crm_metrics.importing import import_file

AS_OF = dt.date(2024, 3, 31)


@pytest.fixture
def tiny(con, write):
    import_file(con, "customers", write("c.csv", "customer_id,region\nA,North\nB,North\nC,South\nD,South\nE,South\n"))
    import_file(con, "campaigns", write("k.csv", "campaign_id,name,channel,start_date,cost\n"
                                        "K1,One,Email,2024-01-01,100\nK2,Two,Social,2024-01-05,0\n"
                                        "K3,Three,Mail,2024-01-01,50\nK4,Four,SMS,2024-01-02,10\n"))
    import_file(con, "contacts", write("t.csv", "campaign_id,customer_id,contact_date,group\n"
                                       "K1,A,2024-01-01,treatment\nK1,A,2024-01-10,treatment\n"
                                       "K1,B,2024-01-01,treatment\nK1,C,2024-01-01,control\n"
                                       "K1,D,2024-01-01,control\nK2,A,2024-01-08,treatment\n"
                                       "K2,E,2024-01-05,treatment\nK4,A,2024-01-12,treatment\n"))
    import_file(con, "orders", write("o.csv", "order_id,customer_id,order_date,amount,cost,campaign_id,status\n"
                                     "o7,A,2023-12-01,20,5,,\no1,A,2024-01-14,100,60,,\no2,B,2024-01-15,50,,,\n"
                                     "o3,B,2024-01-01,30,10,,\no4,C,2024-01-05,40,20,,\no5,E,2024-03-01,80,30,K2,\n"
                                     "o6,D,2024-01-03,70,,,cancelled\no8,E,2024-01-06,25,,,\n"))
    reporting.ensure_current(con)  # what an entry point does after an import
    return con


def stats(con, filters=None, **options):
    cur = con.cursor()
    try:
        return cm.campaign_stats(cur, AS_OF, filters, cm.CampaignOptions(**options)).set_index("campaign_id")
    finally:
        cur.close()


def credited(con, **options) -> pd.DataFrame:
    cur = con.cursor()
    try:
        frame = cm.attribution(cur, AS_OF, None, cm.CampaignOptions(**options))
    finally:
        cur.close()
    return frame.pivot(index="campaign_id", columns="model", values="credited_revenue")


def test_funnel_and_attributed_results_by_hand(tiny):
    s = stats(tiny)
    assert s.loc["K1", ["contacted", "control", "converted", "control_converted"]].tolist() == [2, 2, 2, 1]
    assert s.loc["K1", "attributed_revenue"] == pytest.approx(30)  # o1 goes to K4, the last touch
    assert s.loc["K1", "attributed_margin"] == pytest.approx(20)
    assert s.loc["K1", "roi"] == pytest.approx((20 - 100) / 100)
    assert s.loc["K1", "roas"] == pytest.approx(0.3)
    assert s.loc["K1", "cost_per_conversion"] == pytest.approx(50)
    assert s.loc["K1", "new_customers"] == 1 and s.loc["K1", "cost_per_new_customer"] == pytest.approx(100)
    # K2: zero spend, one direct order outside every window, one window order without a cost
    assert s.loc["K2", ["contacted", "converted"]].tolist() == [2, 2]
    assert s.loc["K2", "attributed_revenue"] == pytest.approx(25 + 80)
    assert s.loc["K2", "attributed_margin"] == pytest.approx(10 + 50)
    assert math.isnan(s.loc["K2", "roi"]) and math.isnan(s.loc["K2", "roas"])
    # K3: spend and nothing else
    assert s.loc["K3", ["contacted", "converted", "attributed_orders"]].tolist() == [0, 0, 0]
    assert s.loc["K3", "roi"] == pytest.approx(-1.0)
    assert math.isnan(s.loc["K3", "conversion_rate"]) and math.isnan(s.loc["K3", "cost_per_conversion"])
    assert s.loc["K4", "attributed_revenue"] == pytest.approx(100)
    assert s.loc["K4", "roi"] == pytest.approx((40 - 10) / 10)


def test_window_edges_follow_the_option(tiny):
    s = stats(tiny, window_days=15)  # o2 (day 14) now inside K1's window
    assert s.loc["K1", "treated_revenue"] == pytest.approx(100 + 30 + 50)
    s = stats(tiny, window_days=1)  # only contact-day orders: o3 for B
    assert s.loc["K1", "converted"] == 1 and s.loc["K1", "treated_revenue"] == pytest.approx(30)


def test_margin_rate_applies_only_without_cost(tiny):
    s = stats(tiny, margin_rate=0.5)
    assert s.loc["K2", "attributed_margin"] == pytest.approx(12.5 + 50)


def test_every_attribution_model_by_hand(tiny):
    c = credited(tiny)
    assert c.loc["K1"].to_dict() == pytest.approx({"last_touch": 30, "first_touch": 30, "linear": 30 + 100 / 3,
                                                   "position_based": 50, "time_decay": c.loc["K1", "time_decay"]})
    assert c.loc["K2", "first_touch"] == pytest.approx(205) and c.loc["K2", "last_touch"] == pytest.approx(105)
    assert c.loc["K2", "position_based"] == pytest.approx(145) and c.loc["K4", "position_based"] == pytest.approx(40)
    assert c.loc["K4", "linear"] == pytest.approx(100 / 3) and c.loc["K3"].sum() == 0
    # time decay, half-life 7 days: touches 6 (K2), 4 (K1) and 2 (K4) days before o1
    w = {k: 0.5 ** (d / 7) for k, d in (("K2", 6), ("K1", 4), ("K4", 2))}
    total = sum(w.values())
    assert c.loc["K1", "time_decay"] == pytest.approx(30 + 100 * w["K1"] / total)
    assert c.loc["K4", "time_decay"] == pytest.approx(100 * w["K4"] / total)
    assert c.sum().to_dict() == pytest.approx(dict.fromkeys(cm.MODELS, 235.0))
    faster = credited(tiny, half_life_days=1)
    assert faster.loc["K4", "time_decay"] > c.loc["K4", "time_decay"]


def test_chosen_model_drives_the_campaign_table(tiny):
    s = stats(tiny, model="first_touch")
    assert s.loc["K2", "attributed_revenue"] == pytest.approx(205) and s.loc["K4", "attributed_revenue"] == 0


def test_customer_filter_shares_out_spend(tiny):
    s = stats(tiny, Filters(selections=(("region", ("North",)),)))
    assert s.loc["K1", "spend"] == pytest.approx(100)  # both treated customers are in the North
    assert s.loc["K1", "control"] == 0  # C and D are not
    s = stats(tiny, Filters(selections=(("region", ("South",)),)))
    assert s.loc["K1", "spend"] == pytest.approx(0) and s.loc["K4", "spend"] == pytest.approx(0)
    assert s.loc["K2", "contacted"] == 1  # E only


def test_period_selects_campaigns_by_start(tiny):
    s = stats(tiny, Filters(dt.date(2024, 1, 2), dt.date(2024, 1, 31)))
    assert sorted(s.index) == ["K2", "K4"]


def test_incrementality_by_hand(tiny):
    row = cm.incrementality(stats(tiny).reset_index()).set_index("campaign_id").loc["K1"]
    assert row["lift"] == pytest.approx(1.0 - 0.5)
    # 2 of 2 vs 1 of 2: too few for the normal approximation, so Newcombe's interval
    assert (row["lift_low"], row["lift_high"]) == pytest.approx(cm.newcombe_interval(2, 2, 1, 2))
    # window revenue per customer: treated A 100, B 30 (mean 65, s^2 2450); control C 40, D 0 (20, 800)
    half = 1.959964 * math.sqrt(2450 / 2 + 800 / 2)
    assert row["incremental_revenue"] == pytest.approx(90)
    assert (row["incremental_revenue_low"], row["incremental_revenue_high"]) == pytest.approx(
        ((45 - half) * 2, (45 + half) * 2), rel=1e-5)
    # margin per customer: treated 40, 20 (mean 30); control 20, 0 (mean 10) -> 40 incremental margin
    assert row["incremental_margin"] == pytest.approx(40)
    assert row["incremental_roi"] == pytest.approx((40 - 100) / 100)
    assert row["attributed_roi"] == pytest.approx(-0.8)
    k2 = cm.incrementality(stats(tiny).reset_index()).set_index("campaign_id").loc["K2"]
    assert not k2["has_control"] and math.isnan(k2["lift"]) and k2["verdict"].startswith("No control group")


def test_published_interval_values():
    # Newcombe (1998) "Two-sided confidence intervals for the single proportion", example 81/263
    assert cm.wilson_interval(81, 263) == pytest.approx((0.2553, 0.3662), abs=5e-5)
    # Newcombe (1998) "Interval estimation for the difference between independent proportions",
    # example 56/70 - 48/80, method 10
    assert cm.newcombe_interval(56, 70, 48, 80) == pytest.approx((0.0524, 0.3339), abs=5e-5)
    assert cm.welch_interval(3, 4, 4, 1, 1, 4) == pytest.approx((2 - 1.959964 * math.sqrt(1.25),
                                                                  2 + 1.959964 * math.sqrt(1.25)))
    # no conversions anywhere: the normal interval would collapse to a point; Newcombe's does not
    low, high = cm.lift_interval(0, 200, 0, 40)
    assert low < 0 < high


def test_holdout_size_matches_the_textbook_sample_size():
    # 10% -> 12% at 5% two-sided and 80% power needs 3,841 per group (pooled-variance formula)
    assert cm.holdout_size(7700, 0.10, 0.02) <= 3850
    assert cm.holdout_size(7600, 0.10, 0.02) is None  # 3,800 a side is not enough
    small = cm.holdout_size(100_000, 0.10, 0.02)
    assert 1_900 < small < 3_841  # a large treated group needs a smaller holdout
    assert cm.holdout_size(3, 0.1, 0.02) is None


def test_verdicts_read_plainly():
    base = {"control": 500, "incremental_conversions": 40.0, "incremental_conversions_low": 20.0,
            "incremental_conversions_high": 60.0, "incremental_revenue": 4000.0,
            "incremental_revenue_low": 1000.0, "incremental_revenue_high": 7000.0}
    assert cm.verdict(base) == ("Caused about 40 extra converting customers (between 20 and 60) and about "
                                "$4,000 of revenue (between $1,000 and $7,000).")
    none = {**base, "incremental_conversions_low": -5.0}
    assert cm.verdict(none).startswith("No detectable effect: between -5 and 60")


def test_rollup_recomputes_ratios(tiny):
    by = cm.rollup(stats(tiny).reset_index(), "channel").set_index("channel")
    assert by.loc["Email", "campaigns"] == 1 and by.loc["Email", "roi"] == pytest.approx(-0.8)
    assert len(by) == 4


def test_budget_projection_follows_the_stated_curve():
    returns = pd.DataFrame({"channel": ["Email", "Social"], "campaigns": [2, 1], "spend": [100.0, 400.0],
                            "incremental_revenue": [1000.0, 800.0], "incremental_revenue_se": [100.0, 200.0],
                            "incremental_margin": [400.0, 300.0], "incremental_margin_se": [40.0, 80.0]})
    p = cm.project_budget(returns, {"Email": 400.0, "Social": 100.0}, elasticity=0.5).set_index("channel")
    assert p.loc["Email", "incremental_revenue"] == pytest.approx(2000)  # 4x spend -> 2x return
    assert p.loc["Social", "incremental_revenue"] == pytest.approx(400)
    assert p.loc["Total", "incremental_revenue"] == pytest.approx(2400)
    se = math.sqrt(200**2 + 100**2)
    assert p.loc["Total", "low"] == pytest.approx(2400 - 1.959964 * se, rel=1e-6)
    assert p.loc["Email", "incremental_roi"] == pytest.approx((800 - 400) / 400)
    same = cm.project_budget(returns, {}, elasticity=0.5).set_index("channel")
    assert same.loc["Total", "incremental_revenue"] == pytest.approx(1800)


@pytest.fixture(scope="module")
def shipped(tmp_path_factory):
    """The shipped workshop sample (sample_data/), loaded as a user would."""
    from pathlib import Path

    from crm_metrics import db
    from crm_metrics.schema import TABLE_ORDER

    connection = db.connect(":memory:")
    folder = Path(__file__).resolve().parents[1] / "sample_data"
    for table in TABLE_ORDER:
        import_file(connection, table, folder / f"{table}.csv")
    yield connection
    connection.close()


def test_planted_lift_recovered_on_the_shipped_sample(shipped):
    """A 95% interval misses one time in twenty: of the shipped sample's controlled campaigns at most one in
    twenty may miss the planted lift, and no estimate lies further from it than its interval is wide."""
    truth = pd.read_csv("sample_data/campaign_truth.csv").set_index("campaign_id")
    inc = report(shipped, "campaigns").set_index("campaign_id")
    controlled = inc[inc["has_control"]]
    assert len(controlled) == int(truth["has_control"].sum()) >= 20
    true = truth.loc[controlled.index, "true_lift"]
    inside = (controlled["lift_low"] <= true) & (true <= controlled["lift_high"])
    assert (~inside).sum() <= len(controlled) // 20
    assert ((controlled["lift"] - true).abs() <= controlled["lift_high"] - controlled["lift_low"]).all()
    assert inc.loc[~inc["has_control"], "verdict"].str.startswith("No control group").all()


def test_interval_coverage_on_fresh_seeds():
    """Calibration, not luck: over fresh samples about 95% of intervals hold the planted lift."""
    from crm_metrics import db
    from crm_metrics.sample import SampleParams, generate, load_sample

    hits = total = 0
    for seed in (101, 202, 303):
        params = SampleParams(customers=4000, seed=seed)
        connection = db.connect(":memory:")
        load_sample(connection, params)
        inc = report(connection, "campaigns").set_index("campaign_id")
        truth = generate(params).truth
        truth.index = ["K" + str(n).zfill(3) for n in truth["campaign_no"]]
        controlled = inc[inc["has_control"]]
        inside = (controlled["lift_low"] <= truth.loc[controlled.index, "true_lift"]) & (
            truth.loc[controlled.index, "true_lift"] <= controlled["lift_high"])
        hits, total = hits + int(inside.sum()), total + len(controlled)
        connection.close()
    assert total >= 60 and hits / total >= 0.88


def test_credited_revenue_sums_to_attributed_under_every_model(shipped):
    attr = report(shipped, "campaign-attribution")
    totals = attr.groupby("model")["credited_revenue"].sum()
    attributed = report(shipped, "campaigns")["attributed_revenue"].sum()
    assert totals.to_dict() == pytest.approx(dict.fromkeys(cm.MODELS, attributed))
    assert (attr["shared_orders"] > 0).any()  # the sample does have overlapping campaigns


def test_cli_json_carries_the_page_numbers(tmp_path, capsys):
    path = tmp_path / "s.duckdb"
    from crm_metrics import db
    from crm_metrics.schema import TABLE_ORDER

    connection = db.connect(str(path))
    from pathlib import Path
    folder = Path(__file__).resolve().parents[1] / "sample_data"
    for table in TABLE_ORDER:
        import_file(connection, table, folder / f"{table}.csv")
    expected = report(connection, "campaigns").set_index("campaign_id")
    connection.close()
    assert main(["--db", str(path), "report", "campaigns", "--format", "json"]) == 0
    rows = {r["campaign_id"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows.keys() == set(expected.index)
    for cid, row in expected.iterrows():
        for key in ("spend", "attributed_revenue", "roi", "lift", "lift_low", "lift_high",
                    "incremental_revenue_low", "incremental_revenue_high"):
            if pd.isna(row[key]):
                assert rows[cid][key] is None
            else:
                assert rows[cid][key] == pytest.approx(row[key], rel=1e-9), (cid, key)


def test_campaign_filter_keeps_the_customers_it_reached(tiny):
    only_k4 = Filters(selections=(("campaign", ("K4",)),))  # K4 reached A alone
    s = stats(tiny, only_k4)
    assert s.loc["K1", "contacted"] == 1 and s.loc["K1", "spend"] == pytest.approx(50)  # A is 1 of K1's 2
    assert s.loc["K2", "contacted"] == 1 and s.loc["K4", "spend"] == pytest.approx(10)
    from crm_metrics.kpis import Period, kpi_values

    cur = tiny.cursor()
    values = kpi_values(cur, Period(dt.date(2023, 12, 1), dt.date(2024, 1, 31)), only_k4)
    assert values["revenue"] == pytest.approx(20 + 100)  # A's o7 and o1
    assert values["active_customers"] == 1
    control_only = kpi_values(cur, Period(dt.date(2023, 12, 1), dt.date(2024, 1, 31)),
                              Filters(selections=(("campaign", ("K3",)),)))  # K3 reached nobody
    assert control_only["active_customers"] == 0


def test_no_breakdown_by_campaign(tiny):
    from crm_metrics.kpis import Period, breakdown

    with pytest.raises(ValueError):
        breakdown(tiny.cursor(), Period(dt.date(2024, 1, 1), dt.date(2024, 1, 31)), Filters(), "campaign")


def test_converted_customers_carry_their_segment_before_the_campaign(tiny):
    cur = tiny.cursor()
    v = cm.converted_customers(cur, "K1", AS_OF).set_index("customer_id")
    assert list(v.index) == ["A", "B"]  # most window revenue first
    assert v.loc["A", "window_revenue"] == pytest.approx(100) and v.loc["A", "first_order_days"] == 4
    assert v.loc["B", "segment"] == "New"  # B had not bought before K1 started
    assert v.loc["A", "segment"] not in ("New", "Unassigned")
    seg = cm.by_segment(v.reset_index()).set_index("segment")
    assert seg["customers"].sum() == 2 and seg.loc["New", "share"] == pytest.approx(0.5)
    assert cm.converted_customers(cur, "nope", AS_OF).empty


def test_best_split_equalises_marginal_returns():
    returns = pd.DataFrame({"channel": ["A", "B", "C"], "spend": [100.0, 100.0, 100.0],
                            "incremental_revenue": [0.0, 0.0, 0.0], "incremental_revenue_se": [0.0, 0.0, 0.0],
                            "incremental_margin": [200.0, 100.0, -50.0], "incremental_margin_se": [0.0, 0.0, 0.0]})
    split = cm.best_split(returns, 300.0, elasticity=0.5)
    # m_A = 200 / 10 = 20, m_B = 10: s ∝ m^2 -> 4 : 1 of 300; C (negative) gets nothing
    assert split == pytest.approx({"A": 240.0, "B": 60.0, "C": 0.0})
    e = 0.5
    marginal = {c: e * (m / 100**e) * split[c] ** (e - 1) for c, m in (("A", 200.0), ("B", 100.0))}
    assert marginal["A"] == pytest.approx(marginal["B"])
    projected = cm.project_budget(returns, split, e).set_index("channel")
    even = cm.project_budget(returns, {}, e).set_index("channel")
    assert projected.loc["Total", "incremental_margin"] > even.loc["Total", "incremental_margin"]


def test_converted_customers_of_a_region_keep_their_whole_base_segment(sample_con):
    """Filters choose whom the list holds, not the label: a region's converted customers are the whole list's
    customers of that region, each with the segment it has when the whole base is scored the day before the
    campaign started (as the segment filter reads segments); and the segments a caller holds give the same."""
    from crm_metrics.rfm import rfm_scores, segments_by_key

    cur = sample_con.cursor()
    stats = cm.campaign_stats(cur, None, Filters())
    campaign_id = stats.sort_values("converted", ascending=False)["campaign_id"].iloc[0]
    everyone = cm.converted_customers(cur, campaign_id)
    europe = cm.converted_customers(cur, campaign_id, filters=Filters().with_values("region", ["Europe"]))
    assert 0 < len(europe) < len(everyone) and (europe["region"] == "Europe").all()
    expected = everyone[everyone["region"] == "Europe"].reset_index(drop=True)
    pd.testing.assert_frame_equal(europe, expected)
    day = cm.segment_day(cur, campaign_id)
    whole = rfm_scores(cur, day).set_index("customer_id")["segment"]
    assert (everyone["segment"] == whole.reindex(everyone["customer_id"]).fillna("New").to_numpy()).all()
    assert {"New"} < set(everyone["segment"])
    held = cm.converted_customers(cur, campaign_id, segments=segments_by_key(cur, day))
    pd.testing.assert_frame_equal(held, everyone)
