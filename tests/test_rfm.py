"""RFM measures, scores and segments against numbers worked out by hand.

as_of = 31 Mar 2024. Orders (completed unless said):
  A: 30 Mar $10, 30 Mar $20 (same day), 1 Mar $30  -> recency 1, 2 purchase days, 3 orders, $60, avg $20
  B: 1 Jan $100                                    -> recency 90, 1 day, 1 order, $100
  C: 15 Feb $5, 20 Mar $5                          -> recency 11, 2 days, 2 orders, $10, avg $5
  D: 31 Mar $50                                    -> recency 0, 1 day, 1 order, $50
  E: 5 Apr $999 (after as_of: left out)  F: 10 Mar $70 returned (left out)
Quintile scores = 1 + floor(5 (rank - 1) / n), ties sharing the lower rank, n = 4:
  recency (most days first): B 1, C 2, A 3, D 4
  frequency (days): B, D tie at rank 1 -> 1; A, C tie at rank 3 -> 3
  monetary (total): C 1, D 2, A 3, B 4
  FM = floor((F + M) / 2): A 3, B 2, C 2, D 1
  segments: A (R3, FM3) Need Attention; B (R1, FM2) Lost; C (R2, FM2) Hibernating; D (R4, FM1) Promising
"""

from __future__ import annotations

import datetime as dt
import itertools

import pandas as pd
import pytest

from crm_metrics import report, reporting, scope
from crm_metrics.filters import Filters
from crm_metrics.importing import import_file
from crm_metrics.kpis import Period, kpi_values
from crm_metrics.rfm import RFMOptions, cutoffs, months_before, rf_grid, rfm_scores, segment_summary
from crm_metrics.segments import DEFAULT_RULES, SegmentRule

AS_OF = dt.date(2024, 3, 31)


@pytest.fixture
def tiny(con, write):
    import_file(con, "orders", write("o.csv", "order_id,customer_id,order_date,amount,status\n"
                                     "a1,A,2024-03-30,10,\na2,A,2024-03-30,20,\na3,A,2024-03-01,30,\n"
                                     "b1,B,2024-01-01,100,\nc1,C,2024-02-15,5,\nc2,C,2024-03-20,5,\n"
                                     "d1,D,2024-03-31,50,\ne1,E,2024-04-05,999,\nf1,F,2024-03-10,70,returned\n"))
    reporting.ensure_current(con)  # what an entry point does after an import
    return con


def scores(con, **kwargs):
    cur = con.cursor()
    try:
        return rfm_scores(cur, AS_OF, Filters(), RFMOptions(**kwargs) if kwargs else None).set_index("customer_id")
    finally:
        cur.close()


def test_measures_by_hand(tiny):
    s = scores(tiny)
    assert list(s.index) == ["A", "B", "C", "D"]  # E bought after as_of, F only returned
    assert s["recency_days"].tolist() == [1, 90, 11, 0]
    assert s["purchase_days"].tolist() == [2, 1, 2, 1] and s["orders"].tolist() == [3, 1, 2, 1]
    assert [float(v) for v in s["revenue"]] == [60, 100, 10, 50]
    assert [float(v) for v in s["average_order"]] == [20, 100, 5, 50]


def test_quintile_scores_with_ties_by_hand(tiny):
    s = scores(tiny)
    assert s["r_score"].tolist() == [3, 1, 2, 4]
    assert s["f_score"].tolist() == [3, 1, 3, 1]
    assert s["m_score"].tolist() == [3, 4, 1, 2]
    assert s["fm_score"].tolist() == [3, 2, 2, 1]
    assert s["rfm_cell"].tolist() == [333, 114, 231, 412]
    assert s["segment"].tolist() == ["Need Attention", "Lost", "Hibernating", "Promising"]


def test_orders_and_average_spend_by_hand(tiny):
    s = scores(tiny, frequency="orders", monetary="average")
    assert s["frequency"].tolist() == [3, 1, 2, 1] and s["f_score"].tolist() == [4, 1, 3, 1]
    assert s["m_score"].tolist() == [2, 4, 1, 3]


def test_cut_points_by_hand(tiny):
    s = scores(tiny, method="cuts")  # r (30, 90, 180, 365) f (1, 2, 4, 8) m (50, 150, 400, 1000)
    assert s["r_score"].tolist() == [5, 4, 5, 5]
    assert s["f_score"].tolist() == [2, 1, 2, 1]
    assert s["m_score"].tolist() == [2, 2, 1, 1]


def test_single_customer_and_empty(con, write):
    import_file(con, "orders", write("one.csv", "order_id,customer_id,order_date,amount\nx,Z,2024-03-01,5\n"))
    reporting.ensure_current(con)  # what an entry point does after an import
    s = scores(con)
    assert s["r_score"].tolist() == [1] and s["f_score"].tolist() == [1] and s["segment"].tolist() == ["Lost"]
    cur = con.cursor()
    assert rfm_scores(cur, dt.date(2020, 1, 1)).empty  # as_of before every order
    cur.close()


def test_segment_summary_grid_and_cutoffs_by_hand(tiny):
    cur = tiny.cursor()
    summary = segment_summary(cur, AS_OF).set_index("segment")
    grid = rf_grid(cur, AS_OF)
    cuts = cutoffs(cur, AS_OF).set_index(["measure", "score"])
    cur.close()
    assert summary["customers"].sum() == 4 and summary.loc["Lost", "orders"] == 1
    assert float(summary.loc["Need Attention", "revenue"]) == 60
    assert summary.loc["Lost", "revenue_share"] == pytest.approx(100 / 220)
    assert len(grid) == 4 and grid["customers"].sum() == 4
    assert cuts.loc[("frequency", 1), "low"] == 1 and cuts.loc[("frequency", 3), "high"] == 2
    assert cuts.loc[("recency_days", 1), "customers"] == 1


def test_default_rules_partition_every_cell():
    for r, fm in itertools.product(range(1, 6), repeat=2):
        hits = [x for x in DEFAULT_RULES if x.r_min <= r <= x.r_max and x.fm_min <= fm <= x.fm_max]
        assert hits, (r, fm)
    assert len({x.priority for x in DEFAULT_RULES}) == len(DEFAULT_RULES)


def test_edited_rules_and_unassigned(tiny):
    only = (SegmentRule("Everyone recent", 1, 3, 5, 1, 5, "", ""),)
    s = scores(tiny, rules=only)
    assert s["segment"].tolist() == ["Everyone recent", "Unassigned", "Unassigned", "Everyone recent"]


def test_reports_serve_the_same_numbers(tiny):
    assert report(tiny, "rfm", as_of=AS_OF)["segment"].tolist() == scores(tiny)["segment"].tolist()
    assert report(tiny, "segments", as_of=AS_OF)["customers"].sum() == 4


@pytest.mark.parametrize("options", [RFMOptions(), RFMOptions(frequency="orders", monetary="average"),
                                     RFMOptions(method="cuts")])
@pytest.mark.parametrize("as_of", [dt.date(2025, 6, 30), dt.date(2026, 9, 30)])
def test_properties_on_the_sample(sample_con, options, as_of):
    cur = sample_con.cursor()
    s = rfm_scores(cur, as_of, Filters(), options)
    again = rfm_scores(cur, as_of, Filters(), options)
    summary = segment_summary(cur, as_of, Filters(), options)
    revenue_to_date = kpi_values(cur, Period(dt.date(1900, 1, 1), as_of), Filters())["revenue"]
    cur.close()
    assert s["customer_id"].is_unique and s["segment"].notna().all() and (s["segment"] != "Unassigned").all()
    assert summary["customers"].sum() == len(s)
    # SQL sums exact decimals; the frames hold them as floats, so compare to the cent
    assert round(summary["revenue"].sum(), 2) == round(s["revenue"].sum(), 2) == round(float(revenue_to_date), 2)
    for col in ("r_score", "f_score", "m_score", "fm_score"):
        assert s[col].between(1, 5).all()
    assert s.equals(again)


def test_exported_list_neutralises_formulas(con, write):
    from crm_metrics.export import to_safe_csv
    from crm_metrics.rfm import segment_members

    import_file(con, "customers", write("c.csv", 'customer_id,name,email\nH1,"=HYPERLINK(""http://x"",""y"")",'
                                        "h@example.com\nH2,Ann,@evil\n"))
    import_file(con, "orders", write("o.csv", "order_id,customer_id,order_date,amount\nx1,H1,2024-03-01,5\n"
                                     "x2,H2,2024-03-02,6\n"))
    reporting.ensure_current(con)  # what an entry point does after an import
    cur = con.cursor()
    members = pd.concat([segment_members(cur, name, AS_OF) for name in scores(con)["segment"].unique()])
    cur.close()
    text = to_safe_csv(members).decode("utf-8-sig")
    assert "\'=HYPERLINK" in text and ",\'@evil," in text
    assert "=HYPERLINK" not in text.replace("\'=HYPERLINK", "")
    assert members["segment_rule"].str.contains("as of 2024-03-31").all()
    assert set(members["recommended_action"]) <= {r.action for r in DEFAULT_RULES}


def test_migration_by_hand(tiny):
    """As of 29 Feb only B (1 Jan, $100) and C (15 Feb, $5) had bought. Recency 59 and 14 days -> R 1 and 3;
    frequency 1 and 1 (a tie) -> F 1 and 1; spend 100 and 5 -> M 3 and 1; FM 2 and 1.
    B (R1, FM2) Lost, C (R3, FM1) About to Sleep. As of 31 Mar: A Need Attention, B Lost, C Hibernating,
    D Promising (see the module docstring)."""
    from crm_metrics.rfm import flow_members, migration

    cur = tiny.cursor()
    flows = migration(cur, dt.date(2024, 2, 29), AS_OF).set_index(["from_segment", "to_segment"])
    movers = flow_members(cur, "About to Sleep", "Hibernating", dt.date(2024, 2, 29), AS_OF)
    cur.close()
    assert set(flows.index) == {("Not yet a customer", "Need Attention"), ("Lost", "Lost"),
                                ("About to Sleep", "Hibernating"), ("Not yet a customer", "Promising")}
    assert flows["customers"].sum() == 4 and not flows.loc[("Lost", "Lost"), "moved"]
    assert float(flows.loc[("Not yet a customer", "Need Attention"), "revenue_between"]) == 60
    assert float(flows.loc[("About to Sleep", "Hibernating"), "revenue_between"]) == 5
    assert movers["customer_id"].tolist() == ["C"]


def test_migration_flows_cover_every_customer(sample_con):
    from crm_metrics.rfm import migration

    cur = sample_con.cursor()
    flows = migration(cur, dt.date(2026, 3, 31), dt.date(2026, 6, 30))
    now = rfm_scores(cur, dt.date(2026, 6, 30))
    cur.close()
    assert flows["customers"].sum() == len(now)
    with pytest.raises(ValueError):
        migration(sample_con.cursor(), dt.date(2026, 7, 1), dt.date(2026, 6, 30))


@pytest.mark.parametrize("region", [None, "Europe"])
def test_rfm_from_customer_totals_equals_rfm_from_orders(sample_con, region):
    """As of the last order, with no order-level filter, RFM reads per-customer totals of the reporting
    layer; an order-level filter that keeps every order forces the path through the orders, and the two
    must agree to the last row."""
    from crm_metrics.filters import Filters
    from crm_metrics.rfm import rfm_params, rfm_scores

    cur = sample_con.cursor()
    channels = [r[0] for r in cur.execute("SELECT DISTINCT channel FROM orders").fetchall()]
    assert None not in channels  # otherwise the channel filter would drop orders
    base = Filters().with_values("region", [region]) if region else Filters()
    fast_params = rfm_params(cur, None, base, None)
    slow_filters = base.with_values("channel", channels)
    assert fast_params["from_totals"] and not rfm_params(cur, None, slow_filters, None)["from_totals"]
    fast, slow = rfm_scores(cur, None, base), rfm_scores(cur, None, slow_filters)
    pd.testing.assert_frame_equal(fast, slow)


def test_one_scoring_serves_summary_grid_and_cutoffs(sample_con):
    """The page's segment_overview scores once; each part equals its own report (each scoring afresh), also
    when an earlier scoring on the same cursor used other filters and options."""
    from crm_metrics.rfm import RFMOptions, cutoffs, rf_grid, segment_overview, segment_summary

    cur = sample_con.cursor()
    europe = Filters(selections=(("region", ("Europe",)),))
    segment_overview(cur, dt.date(2026, 3, 31), europe, RFMOptions(frequency="orders"))
    parts = segment_overview(cur, dt.date(2026, 6, 30), None, None)
    separate = (segment_summary(cur, dt.date(2026, 6, 30)), rf_grid(cur, dt.date(2026, 6, 30)),
                cutoffs(cur, dt.date(2026, 6, 30)))
    cur.close()
    for part, alone in zip(parts, separate, strict=True):
        pd.testing.assert_frame_equal(part, alone)
    assert parts[0]["customers"].sum() == parts[1]["customers"].sum() == parts[2]["customers"].sum() / 3


def test_flow_members_are_the_flow_customers_most_revenue_first(sample_con):
    from crm_metrics.rfm import flow_members, migration, rfm_scores

    cur = sample_con.cursor()
    before, as_of = dt.date(2026, 3, 31), dt.date(2026, 6, 30)
    flows = migration(cur, before, as_of)
    moved = flows[flows["moved"]].iloc[0]
    members = flow_members(cur, moved["from_segment"], moved["to_segment"], before, as_of)
    now, then = rfm_scores(cur, as_of).set_index("customer_id"), rfm_scores(cur, before).set_index("customer_id")
    cur.close()
    assert len(members) == moved["customers"]
    assert (now.loc[members["customer_id"], "segment"] == moved["to_segment"]).all()
    was = then["segment"].reindex(members["customer_id"]).fillna("Not yet a customer")
    assert (was == moved["from_segment"]).all()
    assert members["revenue"].is_monotonic_decreasing
    assert {"name", "email"} <= set(members.columns) and "revenue_before" not in members.columns


@pytest.mark.parametrize("options", [RFMOptions(), RFMOptions(frequency="orders", monetary="average", method="cuts")])
def test_members_read_from_a_movement_list_are_the_segment_members(sample_con, options):
    """The Segments page lists a segment from the movement list it holds (no second scoring): the same
    customers, order, scores and rule as the members query, for every segment, under a filter."""
    from crm_metrics import rfm

    cur = sample_con.cursor()
    as_of = cur.execute("SELECT max(order_date) FROM orders").fetchall()[0][0]
    region = cur.execute("SELECT min(region) FROM customers").fetchall()[0][0]
    chosen = Filters().with_values("region", [region])
    moves = rfm.movements(cur, rfm.months_before(as_of, 3), as_of, chosen, options)
    segments = segment_summary(cur, as_of, chosen, options)["segment"].fillna("Unassigned")
    assert len(segments) >= 3
    for segment in segments:
        expected = rfm.segment_members(cur, segment, as_of, chosen, options)
        expected = expected.drop(columns=["name", "email", "region", "country", "city"])
        got = rfm.members_of(moves, segment, as_of, scope.id_table(cur), options)
        assert len(got) and list(got.columns) == list(expected.columns)
        pd.testing.assert_frame_equal(got, expected, check_dtype=False)


@pytest.mark.parametrize("options", [RFMOptions(), RFMOptions(frequency="orders", monetary="average", method="cuts")])
def test_overview_read_from_a_movement_list_is_the_scored_overview(sample_con, options):
    """The Segments page reads its summary, grid and cut-offs from the movement list it holds: the same
    frames as scoring the customers directly."""
    from crm_metrics import rfm

    cur = sample_con.cursor()
    as_of = cur.execute("SELECT max(order_date) FROM orders").fetchall()[0][0] - dt.timedelta(days=40)
    region = cur.execute("SELECT max(region) FROM customers").fetchall()[0][0]
    for chosen in (Filters(), Filters().with_values("region", [region])):
        moves = rfm.movements(cur, rfm.months_before(as_of, 6), as_of, chosen, options)
        for got, expected in zip(rfm.overview_of(sample_con.cursor(), moves),
                                 rfm.segment_overview(sample_con.cursor(), as_of, chosen, options),
                                 strict=True):
            assert len(got)
            pd.testing.assert_frame_equal(got, expected)


def _scored_from_orders(cur, as_of, filters, options) -> pd.DataFrame:
    """RFM scores read from the orders up to ``as_of`` (not from the per-customer totals)."""
    from crm_metrics import db, rfm

    params = {**rfm.rfm_params(cur, as_of, filters, options), "from_totals": False}
    db.execute(cur, "rfm_scored", params)
    return db.query_df(cur, "rfm_scores", params)


@pytest.mark.parametrize("options", [RFMOptions(), RFMOptions(frequency="orders", monetary="average", method="cuts")])
@pytest.mark.parametrize("region", [None, "Europe"])
def test_scores_read_from_the_totals_are_the_scores_from_the_orders(sample_con, options, region):
    """In the later half of the history (no order-level filter) a customer's measures are their whole-history
    totals less the orders after the date; every score, measure and segment equals reading the orders up to
    the date. A movement list's earlier side likewise (quintiles and cut-offs depend on every measure)."""
    from crm_metrics import rfm

    cur = sample_con.cursor()
    first, last = cur.execute("SELECT min(order_date), max(order_date) FROM orders WHERE status = 'completed'") \
        .fetchall()[0]
    chosen = Filters().with_values("region", [region]) if region else Filters()
    for as_of in (last, last - dt.timedelta(days=45), first + (last - first) * 3 // 4):
        assert rfm.rfm_params(cur, as_of, chosen, options)["from_totals"]
        got = rfm_scores(cur, as_of, chosen, options)
        assert len(got) > 300
        pd.testing.assert_frame_equal(got, _scored_from_orders(cur, as_of, chosen, options))
    assert not rfm.rfm_params(cur, first + (last - first) // 3, chosen, options)["from_totals"]
    before = rfm.months_before(last, 6)
    moves = rfm.movements(cur, before, last, chosen, options).to_pandas()
    moves = moves.set_index(scope.ids_of(scope.id_table(cur), moves["customer_key"]).to_pandas())
    then = _scored_from_orders(cur, before, chosen, options).set_index("customer_id")
    cur.close()
    earlier = moves[moves["from_segment"] != "Not yet a customer"]
    assigned = then[then["segment"] != "Unassigned"]
    assert len(assigned) > 300 and set(earlier.index) == set(assigned.index)
    assert (earlier.loc[assigned.index, "from_segment"] == assigned["segment"]).all()
    assert (earlier.loc[assigned.index, "revenue_before"].astype(float) == assigned["revenue"].astype(float)).all()


def _both_ways(cur, before, as_of, filters, options):
    """A movement list from the SQL (rfm_movements.sql) and scored from the two dates' measures, by key."""
    from crm_metrics import rfm

    expected = rfm.movements(cur, before, as_of, filters, options).sort_by("customer_key")
    got = rfm.movements_of(rfm.measures(cur, as_of), rfm.measures(cur, before), scope.customer_keys(cur, filters),
                           options).sort_by("customer_key")
    return got, expected


def test_edited_rules_leave_customers_unassigned_on_both_sides_of_a_migration(tiny):
    """Rule "Everyone recent" holds R 3-5 only. As of 29 Feb B is R1 (Unassigned) and C R3; as of 31 Mar A
    (R3) and D (R4) are recent, B (R1) and C (R2) not (see test_migration_by_hand for the scores). B was a
    customer then: it moves from "Unassigned", not from "Not yet a customer"."""
    options = RFMOptions(rules=(SegmentRule("Everyone recent", 1, 3, 5, 1, 5, "", ""),))
    cur = tiny.cursor()
    for moves in _both_ways(cur, dt.date(2024, 2, 29), AS_OF, Filters(), options):
        ids = scope.ids_of(scope.id_table(cur), moves["customer_key"]).to_pylist()
        pairs = dict(zip(ids, zip(moves["from_segment"].to_pylist(), moves["to_segment"].to_pylist(), strict=True),
                         strict=True))
        assert pairs == {"A": ("Not yet a customer", "Everyone recent"), "B": ("Unassigned", "Unassigned"),
                         "C": ("Everyone recent", "Unassigned"), "D": ("Not yet a customer", "Everyone recent")}
        assert dict(zip(ids, moves["priority"].to_pylist(), strict=True)) == {"A": 1, "B": None, "C": None, "D": 1}
    cur.close()


def test_quintile_scores_by_hand_and_against_ranks():
    """[5, 1, 3, 3, 9]: in order 1, 3, 3, 5, 9; rank = 1 + how many are smaller: 4, 1, 2, 2, 5; score =
    1 + floor(5 (rank - 1) / 5) = rank. Then any values against 1 + floor(5 (rank - 1) / n) counted directly,
    whole numbers in a short range (counted) and a wide one or money (partitioned)."""
    import numpy as np

    from crm_metrics.rfm import _quintile

    assert _quintile(np.array([5, 1, 3, 3, 9])).tolist() == [4, 1, 2, 2, 5]
    assert _quintile(np.array([5.5, 1.0, 3.25, 3.25, 9.0])).tolist() == [4, 1, 2, 2, 5]
    assert _quintile(np.array([7])).tolist() == [1] and _quintile(np.array([], dtype="int64")).tolist() == []
    rng = np.random.default_rng(7)
    for n in range(1, 60):
        for values in (rng.integers(0, 6, n), rng.integers(-10**12, 10**12, n), rng.integers(0, 400, n) / 4):
            smaller = (values[None, :] < values[:, None]).sum(axis=1)
            assert _quintile(values).tolist() == (1 + (5 * smaller) // n).tolist()


@pytest.mark.parametrize("options", [
    RFMOptions(), RFMOptions(frequency="orders", monetary="average", method="cuts"),
    RFMOptions(monetary="average"),
    RFMOptions(rules=(SegmentRule("Recent", 2, 4, 5, 1, 5, "", ""), SegmentRule("Top", 1, 3, 5, 4, 5, "", "")))])
def test_movements_scored_from_measures_are_the_movements_query(sample_con, options):
    """A filter change on the Segments page scores the customers it selects from the whole base's measures
    at the two dates: every row, column and type equal to the movements query, under customer-level filters,
    at dates in both halves of the history (measures from the totals and from the orders)."""
    cur = sample_con.cursor()
    first, last = cur.execute("SELECT min(order_date), max(order_date) FROM orders WHERE status = 'completed'") \
        .fetchall()[0]
    region, channel = cur.execute("SELECT min(region), max(acquisition_channel) FROM customers").fetchall()[0]
    cohort = cur.execute("SELECT strftime(min(order_date), '%Y-%m') FROM orders").fetchall()[0][0]
    choices = [Filters(), Filters().with_values("region", [region]),
               Filters().with_values("acquisition_channel", [channel]).with_values("cohort", [cohort])]
    for filters in choices:
        for as_of, months in ((last, 3), (last - dt.timedelta(days=200), 12), (first + (last - first) // 3, 1)):
            got, expected = _both_ways(cur, months_before(as_of, months), as_of, filters, options)
            assert expected.num_rows > 20 and got.schema == expected.schema
            assert got.equals(expected), (filters, as_of, months)
    cur.close()


def test_no_segment_says_often_of_a_customer_who_bought_once(con, tmp_path):
    # the CDNOW sample: most customers bought once, so one large order can lift FM to 3
    from shapes import cdnow_orders

    path = tmp_path / "cdnow.csv"
    cdnow_orders().to_csv(path, index=False)
    import_file(con, "orders", path)
    scored = report(con, "rfm")
    once = scored[scored["frequency"] == 1]
    assert len(once) > 1000
    for rule in DEFAULT_RULES:
        members = once[once["segment"] == rule.name]
        if len(members):
            assert "often" not in rule.description, (rule.name, len(members))
