"""Whole-base models seen on a selection: which customers the filters select, and that the churn
evaluation and the CLV totals of a selection are those of its customers alone, worked out another way."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from crm_metrics import churn, clv, reporting, scope
from crm_metrics.filters import Filters
from crm_metrics.importing import import_file


def test_customer_keys_by_hand(con, write):
    import_file(con, "customers", write("c.csv", "customer_id,region,acquisition_channel\nA,North,Search\n"
                                                 "B,South,Search\nC,North,Social\nD,North,Search\n"))
    import_file(con, "orders", write("o.csv", "order_id,customer_id,order_date,amount,channel,status\n"
                                              "1,A,2024-01-10,10,web,completed\n2,B,2024-01-11,10,store,completed\n"
                                              "3,C,2024-01-12,10,store,completed\n4,A,2024-02-01,5,store,completed\n"
                                              "5,D,2024-02-02,7,store,returned\n"))
    reporting.ensure_current(con)  # what an entry point does after an import
    cur = con.cursor()
    assert scope.customer_keys(cur, Filters()) is None
    assert scope.customer_keys(cur, None) is None
    # a customer-level filter: every customer with that attribute, buyer or not
    assert scope.customer_keys(cur, Filters().with_values("region", ["North"])).tolist() == [1, 3, 4]
    # the reporting layer numbers the customers in id order: A 1, B 2, C 3, D 4
    assert cur.execute("SELECT customer_id, customer_key FROM rpt_customers ORDER BY 1").fetchall() == \
        [("A", 1), ("B", 2), ("C", 3), ("D", 4)]
    # an order-level filter: customers with a completed order through that channel (D's was returned)
    assert scope.customer_keys(cur, Filters().with_values("channel", ["store"])).tolist() == [1, 2, 3]
    both = Filters().with_values("channel", ["web"]).with_values("acquisition_channel", ["Search"])
    assert scope.customer_keys(cur, both).tolist() == [1]
    assert scope.customer_keys(cur, Filters().with_values("region", ["East"])).tolist() == []


@pytest.fixture(scope="module")
def churn_base(sample_con):
    return churn.fit_whole_base(sample_con.cursor())


def _region_ids(cur, region):
    return set(cur.execute("SELECT customer_id FROM customers WHERE region = ?", [region]).df()["customer_id"])


def _keys_of(cur, ids) -> np.ndarray:
    """The customer keys of ``ids``, read from the reporting layer."""
    table = cur.execute("SELECT customer_id, customer_key FROM rpt_customers ORDER BY customer_key").df()
    return table.loc[table["customer_id"].isin(set(ids)), "customer_key"].to_numpy(dtype="int64")


def test_churn_on_a_selection_is_the_whole_base_model_evaluated_on_its_customers(sample_con, churn_base):
    cur = sample_con.cursor()
    assert churn_base.learned
    region = cur.execute("SELECT region FROM customers GROUP BY 1 ORDER BY count(*) DESC LIMIT 1").fetchall()[0][0]
    view = churn.train_and_evaluate(cur, filters=Filters().with_values("region", [region]))
    # independently: the base's test scores of that region's customers, evaluated by scikit-learn
    ids = _region_ids(cur, region)
    test = churn_base.test_scores[churn_base.test_scores["customer_id"].isin(ids)]
    assert view.n_test == len(test) < churn_base.n_test
    assert view.metrics["gradient_boosting"]["auc"] == pytest.approx(
        roc_auc_score(test["churned"], test["gradient_boosting"]))
    k = round(0.1 * len(test))
    top = test.sort_values("gradient_boosting", ascending=False, kind="stable").head(k)
    assert view.metrics["gradient_boosting"]["precision_at_k"] == pytest.approx(top["churned"].mean())
    # the list holds that region's active customers only, with the base's probabilities
    assert set(view.scored["customer_id"]) <= ids
    base_scores = churn_base.scored.set_index("customer_id")["churn_probability"]
    assert np.allclose(view.scored.set_index("customer_id")["churn_probability"],
                       base_scores.loc[view.scored["customer_id"]])
    # training and drivers are the whole base's; the base itself is untouched
    assert view.n_train == churn_base.n_train
    pd.testing.assert_frame_equal(view.drivers, churn_base.drivers)
    assert churn_base.selected is None and len(churn_base.test_scores) == churn_base.n_test
    # without the scored rows: the same evaluation, no list
    bare = churn.for_customers(churn_base, _keys_of(cur, ids), with_scored=False)
    assert bare.scored is None and bare.n_test == view.n_test
    assert all(bare.metrics["gradient_boosting"][k] == view.metrics["gradient_boosting"][k]
               for k in ("auc", "precision_at_k", "recall_at_k"))


def test_churn_evaluation_of_a_selection_reads_the_base_ranking(churn_base):
    """A selection is evaluated in the order its rows have in the whole base's ranking (no sort of its own):
    every model's metrics equal evaluating the selected rows afresh, ties (the rule's whole days) in row order,
    for selections of every size, and a selection of a selection."""
    rng = np.random.default_rng(11)
    keys = np.sort(churn_base.test_scores["customer_key"].to_numpy())
    assert churn_base.test_scores["rule"].duplicated().any()  # ties, broken by row order
    for share in (0.9, 0.5, 0.1):
        chosen = np.sort(rng.choice(keys, int(share * len(keys)), replace=False))
        view = churn.for_customers(churn_base, chosen, 0.2)
        rows = churn_base.test_scores[churn_base.test_scores["customer_key"].isin(chosen)]
        assert view.n_test == len(rows) and view.metrics.keys() == churn_base.metrics.keys()
        for kind, got in view.metrics.items():
            expected = churn.evaluate(rows["churned"].to_numpy(), rows[kind].to_numpy(dtype="float64"), 0.2)
            assert got["auc"] == pytest.approx(expected["auc"], rel=1e-12)
            assert got["auc"] == pytest.approx(roc_auc_score(rows["churned"], rows[kind]), rel=1e-12)
            assert [got[k] for k in ("precision_at_k", "recall_at_k", "lift_at_k")] == \
                [expected[k] for k in ("precision_at_k", "recall_at_k", "lift_at_k")]
            pd.testing.assert_frame_equal(got["gains"], expected["gains"])
        narrower = churn.for_customers(view, chosen[::2], 0.2)
        again = churn.for_customers(churn_base, chosen[::2], 0.2)
        for kind in again.metrics:
            assert narrower.metrics[kind]["precision_at_k"] == again.metrics[kind]["precision_at_k"]
            assert narrower.metrics[kind]["auc"] == pytest.approx(again.metrics[kind]["auc"], rel=1e-12)


def test_churn_list_share_reads_precision_elsewhere(churn_base):
    wider = churn.for_customers(churn_base, None, 0.3)
    test = churn_base.test_scores
    k = round(0.3 * len(test))
    top = test.sort_values("gradient_boosting", ascending=False, kind="stable").head(k)
    assert wider.metrics["gradient_boosting"]["precision_at_k"] == pytest.approx(top["churned"].mean())
    assert churn.for_customers(churn_base, None, churn_base.list_share) is churn_base


def test_churn_on_a_tiny_selection_says_it_cannot_be_measured(churn_base):
    few = np.sort(churn_base.test_scores["customer_key"].head(15).to_numpy())
    view = churn.for_customers(churn_base, few)
    assert not view.learned and "rule" in view.metrics
    assert "too few to measure the model" in view.evaluation_problem
    assert view.evaluation_problem in view.messages and churn_base.evaluation_problem is None
    wider = churn.for_customers(churn_base, np.sort(churn_base.test_scores["customer_key"].to_numpy()))
    assert wider.learned and wider.evaluation_problem is None


@pytest.fixture(scope="module")
def forecast(sample_con):
    return clv.forecast_base(sample_con.cursor(), None, clv.CLVOptions())


def test_clv_total_of_a_selection_is_the_sum_of_its_customers(sample_con, forecast):
    cur = sample_con.cursor()
    ids = _region_ids(cur, "Europe")
    predictions, totals = clv.for_customers(forecast, _keys_of(cur, ids))
    assert set(predictions["customer_id"]) <= set(ids)
    assert totals["customers"] == len(predictions) > 0
    assert totals["clv"] == pytest.approx(predictions["clv"].sum())
    assert totals["expected_purchases"] == pytest.approx(predictions["expected_purchases"].sum())
    assert totals["alive_share"] == pytest.approx((predictions["p_alive"] >= 0.5).mean())
    # every customer: the whole base's totals
    everyone, all_totals = clv.for_customers(forecast, None)
    assert everyone is forecast.predictions and all_totals == clv.totals(forecast.fit)


def test_clv_interval_of_one_customer_is_that_customers_interval(forecast):
    """The delta method on a sum of one is the customer's own interval (computed row by row in predict)."""
    row = forecast.predictions.iloc[3]
    _, totals = clv.for_customers(forecast, np.array([row["customer_key"]]))
    assert totals["customers"] == 1
    assert totals["clv"] == pytest.approx(row["clv"])
    assert totals["high"] == pytest.approx(row["clv_high"])
    assert totals["low"] == pytest.approx(row["clv_low"])


def test_clv_of_an_empty_selection(forecast):
    predictions, totals = clv.for_customers(forecast, np.array([], dtype="int64"))
    assert predictions.empty and totals["customers"] == 0


def test_membership_and_positions_by_hand():
    keys = np.array([2, 4])
    assert scope.member_mask(pd.Series([1, 2, 3, 4]), keys).tolist() == [False, True, False, True]
    assert scope.member_mask(pd.Series([9, 2]), keys).tolist() == [False, True]  # beyond every key
    assert scope.member_mask(pd.Series([], dtype="int64"), keys).tolist() == []
    assert scope.member_mask(pd.Series([1]), np.array([], dtype="int64")).tolist() == [False]
    assert scope.positions(pd.Series([4, 7, 2]), pd.Series([2, 3, 4])).tolist() == [2, -1, 0]
    assert scope.positions(pd.Series([1]), pd.Series([], dtype="int64")).tolist() == [-1]
    with pytest.raises(ValueError, match="never negative"):
        scope.positions(pd.Series([-1]), keys)
    assert scope.select(pd.DataFrame(columns=["customer_id", "customer_key", "x"]), keys).empty
    frame = pd.DataFrame({"customer_id": ["d", "a", "b"], "customer_key": [4, 1, 2], "x": [1, 2, 3]})
    assert scope.select(frame, keys)["x"].tolist() == [1, 3] and scope.select(frame, None) is frame


@pytest.mark.parametrize("dimension, value", [("region", "Europe"), ("acquisition_channel", "Referral")])
def test_worth_of_a_customer_selection_is_the_whole_bases_rows(sample_con, forecast, dimension, value):
    """What the Value page does under a customer-level filter: the whole base's worth table, kept to the
    selected customers, equals the worth computed in SQL for that filter (an order-level filter would not)."""
    from crm_metrics import worth

    cur = sample_con.cursor()
    as_of = forecast.fit.as_of
    chosen = Filters().with_values(dimension, [value])
    assert chosen.selects_customers_only and not Filters().with_values("channel", ["web"]).selects_customers_only
    keys = scope.customer_keys(cur, chosen)
    whole = worth.with_predictions(worth.customer_worth(cur, as_of), clv.for_customers(forecast, None)[0])
    direct = worth.with_predictions(worth.customer_worth(cur, as_of, chosen), clv.for_customers(forecast, keys)[0])
    cur.close()
    assert len(direct) > 0
    pd.testing.assert_frame_equal(scope.select(whole, keys), direct)
