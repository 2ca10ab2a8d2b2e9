"""The application layer (crm_metrics.workbench), without Streamlit: each page-level result it composes from
the whole-base models and a filter's selection must equal the same result computed directly for the selected
customers (the slow, obvious way)."""

from __future__ import annotations

import threading
import time

import pandas as pd
import pytest

from crm_metrics import churn, clv, db, reporting, rfm, scope, worth
from crm_metrics.filters import Filters
from crm_metrics.importing import import_file
from crm_metrics.workbench import CONTACT_FIELDS, Workbench


@pytest.fixture(scope="module")
def bench(sample_con):
    return Workbench(sample_con)


@pytest.fixture(scope="module")
def as_of(bench):
    return bench.data_span()[1]


@pytest.fixture(scope="module")
def region(sample_con):
    options = db.query_df(sample_con.cursor(), "filter_options")
    return sorted(options.loc[options["dimension"] == "region", "value"])[0]


def _region(name: str) -> Filters:
    return Filters(selections=(("region", (name,)),))


def test_the_at_risk_list_of_a_selection_is_the_ranking_of_the_selected_customers(bench, as_of, region, sample_con):
    """Picked from the whole base's ranking, it must equal ranking the selected customers themselves: their
    churn scores, their CLV and the segment each has in the whole base."""
    options, chosen = churn.ChurnOptions(), _region(region)
    picked, count = bench.at_risk_list(as_of, chosen, options, limit=10**9)
    top, same_count = bench.at_risk_list(as_of, chosen, options, limit=50)
    assert count == same_count == len(picked) and len(top) == 50
    pd.testing.assert_frame_equal(top, picked.head(50))

    cur = sample_con.cursor()
    keys = scope.customer_keys(cur, chosen)
    scored = churn.for_customers(churn.fit_whole_base(cur, as_of, options), keys).scored
    predictions = clv.for_customers(clv.forecast_base(cur, as_of, clv.CLVOptions()), keys)[0]
    segments = rfm.rfm_scores(cur, as_of)[["customer_id", "segment"]]
    ranked = churn.at_risk(scored, predictions, segments)
    assert 0 < len(picked) < bench.at_risk_list(as_of, Filters(), options)[1]
    pd.testing.assert_frame_equal(picked.reset_index(drop=True), ranked.reset_index(drop=True))
    assert (picked["value_at_risk"].diff().dropna() <= 1e-9).all()  # the most value at risk first


def test_value_tiers_of_a_selection_are_read_within_the_selection(bench, as_of, region, sample_con):
    """A customer filter picks the whole base's worth rows; the tiers are then cut within the selected customers,
    as if their worth had been computed on their own."""
    chosen = _region(region)
    value = bench.customer_value(as_of, chosen, clv.CLVOptions())
    cur = sample_con.cursor()
    direct = worth.customer_worth(cur, as_of, chosen).drop(columns=list(CONTACT_FIELDS))
    predictions = clv.forecast_base(cur, as_of, clv.CLVOptions()).predictions
    direct = worth.with_predictions(direct, predictions[predictions["customer_id"].isin(direct["customer_id"])])
    assert sorted(value.customers["customer_id"]) == sorted(direct["customer_id"])
    pd.testing.assert_frame_equal(value.matrix, worth.value_matrix(direct))
    in_region = cur.execute(
        "SELECT count(DISTINCT o.customer_id) FROM orders o JOIN customers c USING (customer_id) "
        "WHERE c.region = ? AND o.status = 'completed' AND o.order_date <= ?", [region, as_of]).fetchone()[0]
    assert value.matrix["customers"].sum() == in_region
    whole = bench.customer_value(as_of, Filters(), clv.CLVOptions())
    assert whole.matrix["customers"].sum() > in_region


def test_segment_movement_lists_match_the_lists_scored_in_sql(bench, as_of, region, sample_con):
    """The Segments page's movers and members are read from the whole base's measures scored in numpy; the
    SQL path scores the selected customers' orders directly: the two lists must agree row for row."""
    chosen, options = _region(region), rfm.RFMOptions()
    before = rfm.months_before(as_of, rfm.DEFAULT_MIGRATION_MONTHS)
    cur = sample_con.cursor()
    flows = rfm.migration(cur, before, as_of, chosen, options)
    pd.testing.assert_frame_equal(bench.migration("viewer", before, as_of, chosen, options), flows)
    busiest = flows[flows["from_segment"] != flows["to_segment"]].sort_values("customers").iloc[-1]
    movers = bench.flow_members(busiest["from_segment"], busiest["to_segment"], before, as_of, chosen, options)
    expected = rfm.flow_members(cur, busiest["from_segment"], busiest["to_segment"], before, as_of, chosen, options)
    assert len(movers) == busiest["customers"] > 0
    assert movers["customer_id"].tolist() == expected["customer_id"].tolist()
    for column in ("r_score", "f_score", "m_score", "orders", "recommended_action"):
        assert movers[column].tolist() == expected[column].tolist(), column
    assert movers["revenue"].astype(float).tolist() == pytest.approx(expected["revenue"].astype(float).tolist())
    members = bench.segment_members("Champions", as_of, chosen, options)
    direct = rfm.segment_members(cur, "Champions", as_of, chosen, options)
    assert len(members) > 0
    assert members["customer_id"].tolist() == direct["customer_id"].tolist()


def test_the_model_views_are_shared_by_every_period_ending_on_the_same_day(bench, as_of):
    """A page passes its filters with the period; the models read only their dimensions and are kept once."""
    dated = Filters().with_period(as_of.replace(day=1), as_of)
    assert bench.customer_value(as_of, dated, clv.CLVOptions()) is bench.customer_value(as_of, Filters(),
                                                                                         clv.CLVOptions())
    assert bench.at_risk_list(as_of, dated, churn.ChurnOptions()) is bench.at_risk_list(as_of, Filters(),
                                                                                        churn.ChurnOptions())


def test_a_result_is_computed_once_while_other_callers_wait(sample_con, as_of, monkeypatch):
    bench = Workbench(sample_con)
    calls = []
    real = clv.forecast_base

    def slow(cur, day, options):
        calls.append(day)
        time.sleep(0.3)
        return real(cur, day, options)

    monkeypatch.setattr(clv, "forecast_base", slow)
    results = []
    threads = [threading.Thread(target=lambda: results.append(bench.clv_base(as_of, clv.CLVOptions())))
               for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert calls == [as_of] and len(results) == 3 and results[0] is results[1] is results[2]
    assert not bench.models_ready(as_of)  # churn not fitted yet
    bench.fit_defaults()
    assert bench.models_ready(as_of)


def test_the_default_models_are_fitted_once_in_the_background(sample_con, as_of):
    bench = Workbench(sample_con)
    thread = bench.fit_defaults_later()
    assert thread is not None and bench.fit_defaults_later() is None  # one fit, however many runs ask
    thread.join(timeout=120)
    assert bench.models_ready(as_of) and bench.fit_defaults_later() is None


def test_a_workbench_is_where_the_layer_is_brought_up_to_date(con, write):
    """An import leaves the layer stale; the reads do not rebuild it, the workbench (an entry point) does."""
    import_file(con, "orders", write("o.csv", "order_id,customer_id,order_date,amount\nO1,C1,2024-01-01,10\n"))
    cur = con.cursor()
    assert not reporting.is_current(cur)
    bench = Workbench(con)
    assert reporting.is_current(cur)
    assert bench.data_span() == (pd.Timestamp("2024-01-01").date(),) * 2
    assert bench.stored()["orders"] == 1


def test_a_layer_that_cannot_be_rebuilt_is_read_as_it_was_built(sample_con, as_of, monkeypatch):
    """A full disk stops the rebuild after an import: the workbench says why and serves the layer built before."""
    def full_disk(cur):
        raise reporting.ReportsNotRebuilt("The disk that holds the database is full")

    monkeypatch.setattr(reporting, "ensure_current", full_disk)
    bench = Workbench(sample_con)
    assert bench.not_rebuilt.startswith("The disk") and bench.data_span()[1] == as_of
