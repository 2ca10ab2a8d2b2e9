"""The churn model: features read nothing past their cut-off, the split is in time, the evaluation is
hand-checked, small data is said in words, and on the shipped sample the model beats the rule."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from crm_metrics import churn, db, report, reporting
from crm_metrics.importing import import_file
from crm_metrics.schema import TABLE_ORDER

ROOT = Path(__file__).resolve().parent.parent


def test_features_read_nothing_after_the_cutoff(sample_con, tmp_path):
    cur = sample_con.cursor()
    end = churn.data_span(cur)[1]
    cutoff = end - dt.timedelta(days=200)
    before = churn.features(cur, cutoff, 60)
    # everything a customer could do after the cut-off: orders, tickets, surveys, campaign contacts
    someone = before["customer_id"].iloc[0]
    day = (cutoff + dt.timedelta(days=1)).isoformat()
    files = {
        "orders": f"order_id,customer_id,order_date,amount,channel\nLATE1,{someone},{day},999,phone\n",
        "tickets": f"ticket_id,customer_id,opened_at,closed_at,satisfaction\nLATE2,{someone},{day} 10:00,,1\n",
        "surveys": f"customer_id,survey_date,csat,nps\n{someone},{day},1,0\n",
        "campaigns": f"campaign_id,name,channel,start_date,cost\nLATE3,Late,Email,{day},10\n",
        "contacts": f"campaign_id,customer_id,contact_date\nLATE3,{someone},{day}\n",
    }
    # a ticket open at the cut-off and rated after it: its rating was not known on the day
    candidates = cur.execute("SELECT ticket_id, customer_id, opened_at, closed_at, satisfaction FROM tickets "
                             "WHERE CAST(opened_at AS DATE) <= ? AND CAST(closed_at AS DATE) > ? "
                             "ORDER BY ticket_id", [cutoff, cutoff]).fetchall()
    ticket = next(t for t in candidates if t[1] in set(before["customer_id"]))
    rerated = 1 if ticket[4] != 1 else 5
    files["tickets"] += f"{ticket[0]},{ticket[1]},{ticket[2]:%Y-%m-%d %H:%M:%S},{ticket[3]:%Y-%m-%d %H:%M:%S},{rerated}\n"
    for table, text in files.items():
        path = tmp_path / f"{table}.csv"
        path.write_text(text, encoding="utf-8")
        import_file(sample_con, table, path)
    reporting.ensure_current(sample_con)  # what an entry point does after an import
    after = churn.features(sample_con.cursor(), cutoff, 60)
    columns = list(churn.FEATURES)
    pd.testing.assert_frame_equal(before[["customer_id", *columns]], after[["customer_id", *columns]])
    # the label, and only the label, sees the future
    assert not after.set_index("customer_id").loc[someone, "churned"]


def test_label_and_activity_by_hand(con, write):
    import_file(con, "orders", write("o.csv", "order_id,customer_id,order_date,amount\n"
                                     "1,A,2024-01-10,10\n2,A,2024-02-15,10\n3,B,2024-01-20,10\n"
                                     "4,C,2023-01-05,10\n5,B,2024-03-05,10\n"))
    reporting.ensure_current(con)  # what an entry point does after an import
    f = churn.features(con.cursor(), dt.date(2024, 1, 31), 30, active_days=365).set_index("customer_id")
    assert sorted(f.index) == ["A", "B"]  # C last bought more than a year before the cut-off
    assert not f.loc["A", "churned"]  # ordered on 15 Feb, within 30 days
    assert f.loc["B", "churned"]  # next order 5 Mar: 34 days later
    assert f.loc["A", "recency_days"] == 21 and f.loc["B", "recency_days"] == 11


def test_purchase_rhythm_and_spend_by_hand(con, write):
    # A buys twice on 1 Jan, then 4 Jan and 10 Jan: 3 purchase days, 4 orders, gaps of 3 and 6 days
    import_file(con, "orders", write("o.csv", "order_id,customer_id,order_date,amount,channel\n"
                                     "1,A,2024-01-01,10,web\n2,A,2024-01-01,30,store\n3,A,2024-01-04,20,web\n"
                                     "4,A,2024-01-10,40,web\n5,A,2024-02-01,99,web\n"))
    reporting.ensure_current(con)  # what an entry point does after an import
    a = churn.features(con.cursor(), dt.date(2024, 1, 20), 30).set_index("customer_id").loc["A"]
    assert (a["purchase_days"], a["orders"], a["revenue"], a["average_order"]) == (3, 4, 100.0, 25.0)
    assert (a["recency_days"], a["tenure_days"], a["channels_used"]) == (10, 19, 2)
    assert a["mean_gap"] == 4.5
    assert a["gap_variation"] == pytest.approx(((3 - 4.5) ** 2 + (6 - 4.5) ** 2) ** 0.5 / 4.5)
    assert a["revenue_last_90"] == 100.0 and a["revenue_prior_90"] == 0.0 and not a["churned"]


def test_evaluation_by_hand():
    churned = np.array([1, 1, 0, 1, 0, 0, 0, 0, 1, 0])
    score = np.array([0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.0])
    out = churn.evaluate(churned, score, list_share=0.2)  # top 2: both churners
    assert out["precision_at_k"] == 1.0 and out["recall_at_k"] == 0.5 and out["lift_at_k"] == pytest.approx(2.5)
    # AUC: of the 4 x 6 pairs, churner above stayer in 3x6 (first three churners) + 0 (last) = 18 -> 0.75
    assert out["auc"] == pytest.approx(18 / 24)
    assert out["gains"]["churners_found"].iloc[-1] == 1.0 and out["gains"]["churners_found"].iloc[0] == 0.0


@pytest.fixture(scope="module")
def shipped_churn():
    con = db.connect(":memory:")
    for table in TABLE_ORDER:
        import_file(con, table, ROOT / "sample_data" / f"{table}.csv")
    reporting.ensure_current(con)  # what an entry point does after an import
    result = churn.train_and_evaluate(con.cursor())
    yield result
    con.close()


def test_split_is_in_time_and_the_model_beats_the_rule(shipped_churn):
    r = shipped_churn
    assert r.train_cutoff + dt.timedelta(days=r.horizon_days) == r.test_cutoff
    assert r.test_cutoff + dt.timedelta(days=r.horizon_days) == r.as_of
    assert r.learned and not r.problems
    assert r.metrics["gradient_boosting"]["auc"] > r.metrics["rule"]["auc"]
    assert r.horizon_text.startswith("Nine in ten repeat purchases come within")
    assert set(r.drivers["feature"]) == set(churn.FEATURES)
    assert r.scored["churn_probability"].between(0, 1).all()


def test_model_names_the_planted_driver(shipped_churn):
    """The generator makes unhappy customers leave (crm_metrics.sample: latent satisfaction raises the dropout
    rate, and a support ticket that went badly loses the customer with probability LEAVE_AFTER_BAD_TICKET).
    The model must name that side among the drivers the page lists, pointing the right way."""
    service = set(churn.THEMES["Service and satisfaction"])
    listed = shipped_churn.drivers.head(6)
    named = listed[listed["feature"].isin(service)]
    assert len(named), listed
    right_way = {"more of it, less churn"} if named.iloc[0]["feature"].endswith("satisfaction") or \
        named.iloc[0]["feature"] in ("survey_csat", "survey_nps") else {"more of it, more churn"}
    assert named.iloc[0]["direction"] in right_way
    themes = shipped_churn.themes.set_index("theme")["importance"]
    assert list(themes.index[:3]).count("Service and satisfaction") == 1
    assert themes["Service and satisfaction"] >= 0.01  # scrambling it costs at least a point of AUC
    assert set(sum(churn.THEMES.values(), ())) == set(churn.FEATURES)  # every feature in one theme


def test_at_risk_list_ranks_by_value_at_risk(shipped_churn):
    segments = pd.DataFrame({"customer_id": shipped_churn.scored["customer_id"], "segment": "Champions"})
    ranked = churn.at_risk(shipped_churn.scored, segments=segments)
    assert (ranked["segment"] == "Champions").all()
    assert (ranked["last_purchase"] <= pd.Timestamp(shipped_churn.as_of)).all()
    assert ranked["value_at_risk"].is_monotonic_decreasing
    assert (ranked["value_at_risk"] == ranked["churn_probability"] * ranked["revenue"]).all()
    assert ranked["recommended_action"].notna().all()


def test_too_little_history_falls_back_to_the_rule(con, write):
    import_file(con, "orders", write("o.csv", "order_id,customer_id,order_date,amount\n"
                                     "1,A,2024-01-10,10\n2,A,2024-02-15,10\n3,B,2024-01-20,10\n"))
    reporting.ensure_current(con)  # what an entry point does after an import
    r = churn.train_and_evaluate(con.cursor(), dt.date(2024, 6, 30), options=churn.ChurnOptions(horizon_days=30))
    assert not r.learned and r.problems[0].startswith("Too little history to learn churn from")


def test_report_serves_the_at_risk_list(sample_con):
    frame = report(sample_con, "churn")
    assert len(frame) and {"customer_id", "churn_probability", "value_at_risk", "recommended_action"} <= set(frame)


def test_contact_fields_keep_the_ranking(sample_con):
    from crm_metrics.clusters import with_contacts

    result = churn.train_and_evaluate(sample_con.cursor())
    ranked = churn.at_risk(result.scored).head(200)
    listed = with_contacts(sample_con.cursor(), ranked)
    assert listed["customer_id"].tolist() == ranked["customer_id"].tolist()
    assert {"name", "email"} <= set(listed.columns)


def test_training_sample_keeps_the_churn_rate_and_a_rare_label():
    frame = pd.DataFrame({"churned": [True] * 300 + [False] * 9_700, "x": range(10_000)})
    part = churn.training_sample(frame, 1_000, random_state=1)
    assert len(part) == 970 + 300  # 10% of the stayers; 10% of the churners is under 10 x MIN_CLASS: all kept
    assert part["churned"].sum() == 300 and part["x"].is_unique and part.index.is_monotonic_increasing
    even = pd.DataFrame({"churned": [True, False] * 5_000, "x": range(10_000)})
    assert churn.training_sample(even, 2_000)["churned"].sum() == 1_000
    assert churn.training_sample(even, 20_000) is even


def test_a_large_training_set_is_sampled_and_the_test_set_is_not(sample_con, monkeypatch):
    monkeypatch.setattr(churn, "MAX_TRAIN", 400)
    r = churn.train_and_evaluate(sample_con.cursor())
    assert r.n_train > 400 and 390 <= r.n_fit <= 400 + 10 * churn.MIN_CLASS
    assert r.metrics["gradient_boosting"]["auc"] > r.metrics["rule"]["auc"] - 0.02
    assert len(r.scored) > 0 and r.scored["churn_probability"].between(0, 1).all()


def test_at_risk_equals_merging_and_sorting():
    """Against the plain method: merge segment and CLV by id, value at risk = probability x CLV (0 without
    one), sorted most at risk first, ties by id, unscored customers last."""
    rng = np.random.default_rng(8)
    ids = [f"C{i:04d}" for i in range(300)]
    scored = pd.DataFrame({"customer_id": ids[::-1], "revenue": rng.gamma(2, 40, 300),
                           "churn_probability": np.where(rng.random(300) < 0.1, np.nan, np.round(rng.random(300), 1)),
                           "open_tickets": rng.integers(0, 2, 300), "ticket_satisfaction": rng.integers(1, 6, 300),
                           "campaigns_answered": rng.integers(0, 2, 300)})
    value = pd.DataFrame({"customer_id": ids[50:], "clv": np.round(rng.gamma(2, 10, 250), 0)})
    segments = pd.DataFrame({"customer_id": ids[:280], "segment": rng.choice(["Champions", "At Risk"], 280)})
    got = churn.at_risk(scored, value, segments)
    expected = scored.merge(segments, on="customer_id", how="left").merge(value, on="customer_id", how="left")
    expected["value_at_risk"] = expected["churn_probability"] * expected["clv"].fillna(0.0)
    expected = expected.sort_values(["value_at_risk", "customer_id"], ascending=[False, True], na_position="last")
    assert got["customer_id"].tolist() == expected["customer_id"].tolist()
    assert got["segment"].tolist() == expected["segment"].tolist()
    assert np.allclose(got["value_at_risk"], expected["value_at_risk"], equal_nan=True)
    by_revenue = churn.at_risk(scored)
    assert by_revenue["value_basis"].eq("historical revenue").all()
    assert np.allclose(by_revenue["value_at_risk"], (by_revenue["churn_probability"] * by_revenue["revenue"]),
                       equal_nan=True)


def test_rank_auc_is_scikit_learns_auc():
    from sklearn.metrics import roc_auc_score

    from crm_metrics.churn import rank_auc

    rng = np.random.default_rng(3)
    for n, levels in ((50, 3), (2000, 20), (10_000, 10_000)):
        y = rng.integers(0, 2, n)
        score = np.round(rng.random(n) * levels) / levels + 0.3 * y * rng.random(n)  # ties when levels are few
        assert rank_auc(y, score) == pytest.approx(roc_auc_score(y, score), rel=1e-12)
    assert rank_auc(np.array([0, 1]), np.array([0.2, 0.9])) == 1.0
    assert rank_auc(np.array([0, 1, 0, 1]), np.array([0.5, 0.5, 0.5, 0.5])) == 0.5


def test_a_large_base_is_read_in_parts(sample_con):
    """Above fit_customers the cut-offs read every k-th customer and today's customers are scored part by
    part: the parts are the whole table's rows (customer_key % k), and scoring them equals scoring at once."""
    cur = sample_con.cursor()
    as_of = churn.data_span(cur)[1]
    whole = churn.features(cur, as_of, 90, active_days=300)
    keys = sample_con.cursor().execute("SELECT customer_id, customer_key FROM rpt_customers").df()
    key_of = dict(zip(keys["customer_id"], keys["customer_key"], strict=True))
    part = churn.features(cur, as_of, 90, active_days=300, part=(1, 3))
    expected = whole[whole["customer_id"].map(key_of) % 3 == 1]
    pd.testing.assert_frame_equal(part.sort_values("customer_id").reset_index(drop=True),
                                  expected.sort_values("customer_id").reset_index(drop=True))
    sampled = churn.fit_whole_base(cur, as_of, churn.ChurnOptions(horizon_days=90, fit_customers=1000,
                                                                  active_days=300))
    assert sampled.sample_every == 2 and sampled.model is not None
    train = churn.features(cur, sampled.train_cutoff, 90, active_days=300)
    assert sampled.n_train == int((train["customer_id"].map(key_of) % 2 == 0).sum()) < len(train)
    assert sorted(sampled.scored["customer_id"]) == sorted(whole["customer_id"])  # every customer scored
    parts = pd.concat(churn.score_parts(cur, sampled, 3)).sort_values("customer_id").reset_index(drop=True)
    at_once = sampled.scored.sort_values("customer_id").reset_index(drop=True)
    np.testing.assert_allclose(parts["churn_probability"], at_once["churn_probability"], rtol=1e-12)


def test_cli_predict_scores_churn_to_parquet(tmp_path, capsys):
    from crm_metrics.__main__ import main
    from crm_metrics.sample import SampleParams, load_sample

    path = tmp_path / "c.duckdb"
    con = db.connect(str(path))
    load_sample(con, SampleParams(customers=1500, seed=5))
    reporting.ensure_current(con)  # what an entry point does after an import
    expected = churn.fit_whole_base(con.cursor()).scored.sort_values("customer_id").reset_index(drop=True)
    con.close()
    out = tmp_path / "churn.parquet"
    assert main(["--db", str(path), "predict", "--model", "churn", "--out", str(out), "--parts", "2"]) == 0
    assert f"{len(expected):,} customers scored" in capsys.readouterr().err
    written = pd.read_parquet(out).sort_values("customer_id").reset_index(drop=True)
    assert written["customer_id"].tolist() == expected["customer_id"].tolist()
    np.testing.assert_allclose(written["churn_probability"], expected["churn_probability"], rtol=1e-12)


def test_features_without_information_are_left_out_and_said():
    # an orders-only data set: no tickets, surveys or campaigns, so those features are empty or constant
    rng = np.random.default_rng(3)
    n = 400
    frame = pd.DataFrame({f: np.nan for f in churn.FEATURES}, index=range(n))
    frame["recency_days"] = rng.integers(1, 300, n).astype(float)
    frame["orders"] = rng.integers(1, 9, n).astype(float)
    frame["campaigns_received"] = 0.0  # constant: no campaign was ever sent
    frame["churned"] = frame["recency_days"] + rng.normal(0, 40, n) > 150
    model = churn.ChurnModel("gradient_boosting").fit(frame)
    assert model.features_ == ["recency_days", "orders"]
    assert "tickets" in model.left_out_ and "campaigns_received" in model.left_out_
    assert model.predict_proba(frame).shape == (n,)
    baseline = churn.ChurnModel("logistic").fit(frame)
    assert np.all(np.isfinite(baseline.predict_proba(frame)))
    drivers = churn.drivers(model, frame)
    assert sorted(drivers["feature"]) == ["orders", "recency_days"]
    assert churn.driver_themes(model, frame)["theme"].tolist() == ["Purchase rhythm"]


def test_orders_only_data_trains_and_names_the_features_left_out(con, write):
    rng = np.random.default_rng(7)
    rows, order_id = [], 0
    start = dt.date(2023, 1, 1)
    for c in range(600):
        day = start + dt.timedelta(days=int(rng.integers(0, 120)))
        gap = int(rng.integers(10, 120))
        while day < dt.date(2024, 12, 31):
            order_id += 1
            rows.append(f"O{order_id},C{c},{day.isoformat()},{rng.integers(5, 200)}")
            day += dt.timedelta(days=gap)
            if rng.random() < 0.08:  # stops buying
                break
    import_file(con, "orders", write("o.csv", "order_id,customer_id,order_date,amount\n" + "\n".join(rows) + "\n"))
    reporting.ensure_current(con)  # what an entry point does after an import
    result = churn.fit_whole_base(con.cursor(), dt.date(2024, 12, 31))
    assert result.learned, result.problems
    assert {"tickets", "survey_csat", "campaigns_received", "channels_used"} <= set(result.left_out)
    assert "support tickets" in churn.left_out_sentence(result)
