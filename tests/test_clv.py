"""Customer-base models against the published CDNOW results, against the Lifetimes package as an
independent implementation, and CLV, backtest and fitness checks on the sample data.

Published values (../shared/reference/clv-references.md): Fader, Hardie & Lee (2005) BG/NBD r = 0.243,
alpha = 4.414, a = 0.793, b = 2.426, LL = -9582.4; Pareto/NBD r = 0.553, alpha = 10.578, s = 0.606,
beta = 11.669, LL = -9595.0; Fader & Hardie (2013) Gamma-Gamma p = 6.25, q = 3.74, gamma = 15.44,
LL = -4055.9; worked example x = 2, t_x = 30.43, T = 38.86 -> 1.226 purchases in 39 weeks.
"""

from __future__ import annotations

import datetime as dt
import importlib.resources
import json
import threading

import numpy as np
import pandas as pd
import pytest

from crm_metrics import clv, db, reporting
from crm_metrics.__main__ import main
from crm_metrics.btyd import BetaGeoModel, GammaGammaModel, ParetoNBDModel
from crm_metrics.importing import import_file

lifetimes = pytest.importorskip("lifetimes")  # test-only dependency (requirements-dev.txt)
DATASETS = importlib.resources.files("lifetimes") / "datasets"


@pytest.fixture(scope="module")
def cdnow() -> pd.DataFrame:
    """The published per-customer summary (weeks): ID, x, t_x, T, zbar."""
    frame = pd.read_csv(DATASETS / "cdnow_customers_summary_with_transactions.csv")
    return frame.rename(columns={"zbar": "monetary"})


def test_bgnbd_reproduces_the_published_cdnow_fit(cdnow):
    bg = BetaGeoModel(time_unit="week").fit(cdnow)
    assert bg.converged_
    published = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
    for name, value in published.items():
        assert abs(bg.params_[name] - value) <= 0.005, name
    assert abs(bg.log_likelihood_ - -9582.4) <= 0.5
    worked = pd.DataFrame({"x": [2], "t_x": [30.43], "T": [38.86]})
    assert abs(bg.expected_purchases(39, worked)[0] - 1.226) <= 0.002
    assert all(0 < se < bg.params_[p] for p, se in bg.se_.items())


def test_compression_changes_nothing_but_speed(cdnow):
    plain = BetaGeoModel(compress_rows=False).fit(cdnow)
    packed = BetaGeoModel(compress_rows=True).fit(cdnow)
    assert plain.params_ == pytest.approx(packed.params_, rel=1e-5)
    assert plain.log_likelihood_ == pytest.approx(packed.log_likelihood_, abs=1e-6)


def test_threads_change_nothing_but_speed(cdnow, monkeypatch):
    """The rows split over threads (from PARALLEL_ROWS rows: lowered here so that CDNOW's are split) give the
    fit of one thread: the same published parameters and likelihood, to rounding."""
    from crm_metrics import btyd

    monkeypatch.setattr(btyd, "PARALLEL_ROWS", 10)
    one = BetaGeoModel(n_jobs=1).fit(cdnow)
    three = BetaGeoModel(n_jobs=3).fit(cdnow)
    assert one.params_ == pytest.approx(three.params_, rel=1e-6)
    assert one.log_likelihood_ == pytest.approx(three.log_likelihood_, abs=1e-8)
    assert three.params_["r"] == pytest.approx(0.243, abs=0.005)
    assert not [t for t in threading.enumerate() if t.name.startswith("bgnbd")]  # the pool is shut after the fit


def _differences_of_the_gradient(objective, point: np.ndarray) -> np.ndarray:
    """The Hessian by central differences of the analytic gradient: an independent check of the analytic one."""
    columns = []
    for i in range(len(point)):
        step = np.zeros(len(point))
        step[i] = 1e-6
        columns.append((objective(point + step)[1] - objective(point - step)[1]) / 2e-6)
    return np.stack(columns, axis=1)


@pytest.mark.parametrize("workers", [1, 2])
def test_the_analytic_hessians_agree_with_differences_of_the_gradient(cdnow, workers, monkeypatch):
    """Newton's steps and the standard errors use analytic second derivatives of both likelihoods (log scale);
    away from the maximum, where every term counts, they match differences of the gradient."""
    from crm_metrics import btyd

    monkeypatch.setattr(btyd, "PARALLEL_ROWS", 10)  # CDNOW's rows split over two threads too
    x, t_x, T = (cdnow[c].to_numpy(float) for c in ("x", "t_x", "T"))
    data = btyd._BGNBDData(*btyd.compress(x, t_x, T), workers=workers)
    point = np.log([0.3, 5.0, 0.9, 2.0])
    value, gradient, hessian = data.objective(point, hessian=True)
    assert (value, gradient.tolist()) == (data.objective(point)[0], data.objective(point)[1].tolist())
    numeric = _differences_of_the_gradient(data.objective, point)
    data.close()
    assert np.abs(hessian - numeric).max() <= 1e-6 * np.abs(numeric).max()
    repeat = cdnow[cdnow["x"] > 0]
    spend = btyd._GammaGammaData(repeat["x"].to_numpy(float), repeat["monetary"].to_numpy(float))
    point = np.log([6.0, 3.0, 20.0])
    value, _, hessian = spend.objective(point, hessian=True)
    per_customer, _ = btyd.gamma_gamma_log_likelihood(np.exp(point), repeat["x"].to_numpy(float),
                                                      repeat["monetary"].to_numpy(float))
    assert value == pytest.approx(-per_customer.sum(), rel=1e-12)
    numeric = _differences_of_the_gradient(spend.objective, point)
    assert np.abs(hessian - numeric).max() <= 1e-6 * np.abs(numeric).max()


def test_newton_from_a_sample_reaches_the_maximum_lbfgs_finds_on_every_row(cdnow, monkeypatch):
    """A base above SAMPLE_CUSTOMERS starts from a fit on a thinned sample and finishes with Newton's steps on
    every row (lowered here so that CDNOW takes that path). The maximum is the one L-BFGS-B alone reaches on
    every row, and where Newton's method gives up, L-BFGS-B finishes the fit to the same maximum."""
    from crm_metrics import btyd

    x, t_x, T = (cdnow[c].to_numpy(float) for c in ("x", "t_x", "T"))
    data = btyd._BGNBDData(*btyd.compress(x, t_x, T))
    shift = np.array([0.0, np.log(T.max() / 10), 0.0, 0.0])
    alone = np.exp(btyd._fit(lambda p: data.objective(p + shift), np.zeros(4), 500).x + shift)
    monkeypatch.setattr(btyd, "SAMPLE_CUSTOMERS", 400)
    bg = BetaGeoModel().fit(cdnow)
    assert bg.message_.startswith("converged (Newton")
    assert list(bg.params_.values()) == pytest.approx(alone.tolist(), rel=1e-6)
    gg = GammaGammaModel().fit(cdnow)
    assert gg.message_.startswith("converged (Newton")
    assert gg.params_ == pytest.approx({"p": 6.25, "q": 3.74, "gamma": 15.44}, abs=0.01)
    monkeypatch.setattr(btyd, "_newton", lambda *args, **kwargs: None)
    fallback = BetaGeoModel().fit(cdnow)
    assert not fallback.message_.startswith("converged (Newton") and fallback.converged_
    assert list(fallback.params_.values()) == pytest.approx(alone.tolist(), rel=1e-5)
    assert fallback.se_ == pytest.approx(bg.se_, rel=1e-4)


def test_pareto_nbd_reproduces_the_published_cdnow_fit(cdnow):
    pn = ParetoNBDModel(time_unit="week").fit(cdnow)
    published = {"r": 0.553, "alpha": 10.578, "s": 0.606, "beta": 11.669}
    for name, value in published.items():
        assert abs(pn.params_[name] - value) <= 0.005 * max(1.0, value), name
    assert abs(pn.log_likelihood_ - -9595.0) <= 0.5


def test_gamma_gamma_reproduces_the_published_cdnow_fit(cdnow):
    gg = GammaGammaModel().fit(cdnow)
    published = {"p": 6.25, "q": 3.74, "gamma": 15.44}
    for name, value in published.items():
        assert abs(gg.params_[name] - value) <= 0.01, name
    assert abs(gg.log_likelihood_ - -4055.9) <= 0.5
    assert gg.n_customers_ == 946


def test_predictions_agree_with_lifetimes(cdnow):
    bg = BetaGeoModel().fit(cdnow)
    theirs = lifetimes.BetaGeoFitter().fit(cdnow["x"], cdnow["t_x"], cdnow["T"])
    assert bg.params_ == pytest.approx(dict(theirs.params_), rel=1e-3)
    ours_e = bg.expected_purchases(52, cdnow)
    their_e = theirs.conditional_expected_number_of_purchases_up_to_time(52, cdnow["x"], cdnow["t_x"], cdnow["T"])
    assert ours_e == pytest.approx(np.asarray(their_e), rel=2e-3)
    their_alive = theirs.conditional_probability_alive(cdnow["x"], cdnow["t_x"], cdnow["T"])
    assert bg.p_alive(cdnow) == pytest.approx(np.asarray(their_alive), rel=2e-3)
    gg = GammaGammaModel().fit(cdnow)
    repeat = cdnow[cdnow["x"] > 0]
    their_gg = lifetimes.GammaGammaFitter().fit(repeat["x"], repeat["monetary"])
    their_spend = their_gg.conditional_expected_average_profit(repeat["x"], repeat["monetary"])
    assert gg.expected_spend(repeat) == pytest.approx(np.asarray(their_spend), rel=2e-3)
    pn = ParetoNBDModel().fit(cdnow)
    their_pn = lifetimes.ParetoNBDFitter().fit(cdnow["x"], cdnow["t_x"], cdnow["T"])
    their_pn_alive = their_pn.conditional_probability_alive(cdnow["x"], cdnow["t_x"], cdnow["T"])
    assert pn.p_alive(cdnow) == pytest.approx(np.asarray(their_pn_alive), rel=5e-3)


@pytest.fixture(scope="module")
def cdnow_db(tmp_path_factory):
    """The raw CDNOW sample transactions imported through the normal pipeline."""
    raw = pd.read_csv(DATASETS / "CDNOW_sample.txt", sep=r"\s+", header=None,
                      names=["original_id", "customer_id", "date", "cds", "amount"])
    orders = pd.DataFrame({"order_id": [f"T{i}" for i in range(len(raw))], "customer_id": raw["customer_id"],
                           "order_date": pd.to_datetime(raw["date"].astype(str)).dt.strftime("%Y-%m-%d"),
                           "amount": raw["amount"].map(lambda v: f"{v:.2f}"), "quantity": raw["cds"]})
    path = tmp_path_factory.mktemp("cdnow") / "orders.csv"
    orders.to_csv(path, index=False)
    con = db.connect(":memory:")
    import_file(con, "orders", path)
    reporting.ensure_current(con)  # what an entry point does after an import
    yield con
    con.close()


def test_summary_from_raw_cdnow_transactions_matches_the_published_one(cdnow_db, cdnow):
    cur = cdnow_db.cursor()
    ours = clv.customer_summary(cur, dt.date(1997, 9, 30), options=clv.CLVOptions(time_unit="week"))
    assert len(ours) == 2357
    assert int(ours["x"].sum()) == 2457 and int((ours["x"] == 0).sum()) == 1411
    ours = ours.assign(ID=ours["customer_id"].astype(int)).set_index("ID").sort_index()
    published = cdnow.set_index("ID").sort_index()
    assert (ours["x"] == published["x"]).all()
    assert np.abs(ours["t_x"] - published["t_x"]).max() <= 0.005 + 1e-9  # published to 2 decimals
    assert np.abs(ours["T"] - published["T"]).max() <= 0.005 + 1e-9
    assert np.abs(ours["monetary"] - published["monetary"]).max() <= 0.005 + 1e-9


def test_time_unit_is_carried_through(cdnow_db):
    cur = cdnow_db.cursor()
    weeks = clv.customer_summary(cur, dt.date(1997, 9, 30), options=clv.CLVOptions(time_unit="week"))
    days = clv.customer_summary(cur, dt.date(1997, 9, 30), options=clv.CLVOptions(time_unit="day"))
    in_weeks = BetaGeoModel(time_unit="week").fit(weeks)
    in_days = BetaGeoModel(time_unit="day").fit(days)
    assert in_days.params_["alpha"] == pytest.approx(7 * in_weeks.params_["alpha"], rel=1e-3)
    for name in ("r", "a", "b"):
        assert in_days.params_[name] == pytest.approx(in_weeks.params_[name], rel=1e-3)
    # the same 39 weeks asked in each unit give the same expectation
    assert in_days.expected_purchases(273, days) == pytest.approx(in_weeks.expected_purchases(39, weeks), rel=1e-3)
    with pytest.raises(ValueError, match="fitted in weeks"):
        BetaGeoModel(time_unit="week").fit(days, time_unit="day")


@pytest.fixture(scope="module")
def sample_fit(sample_con):
    cur = sample_con.cursor()
    return clv.fit_models(cur, None, None, clv.CLVOptions(time_unit="week", horizon_months=12))


def test_clv_is_discounted_expected_margin(sample_fit):
    pred = clv.predict(sample_fit).set_index("customer_id")
    one_month = clv.CLVOptions(time_unit="week", horizon_months=1, annual_discount=0.0, margin_rate=0.5)
    short = clv.predict(clv.CLVFit(sample_fit.as_of, one_month, sample_fit.summary, sample_fit.bg,
                                   sample_fit.gg, [])).set_index("customer_id")
    month_weeks = clv.MONTH_DAYS / 7
    expected = sample_fit.bg.expected_purchases(month_weeks, sample_fit.summary.set_index("customer_id")
                                                .loc[short.index].reset_index())
    assert short["clv"].to_numpy() == pytest.approx(0.5 * short["expected_spend"].to_numpy() * expected)
    assert (pred["clv_low"] <= pred["clv"]).all() and (pred["clv"] <= pred["clv_high"]).all()
    assert pred["p_alive"].between(0, 1).all()


def test_delta_interval_of_the_total_agrees_with_simulation(sample_fit):
    """The delta method against an independent method: draw both models' parameters from their
    asymptotic normal distribution and recompute the total."""
    total = clv.totals(sample_fit)
    rng = np.random.default_rng(3)
    s = sample_fit.summary
    x, t_x, T, m = (s[c].to_numpy(dtype="float64") for c in ("x", "t_x", "T", "monetary"))
    sums = []
    bg_mean = np.log([sample_fit.bg.params_[p] for p in sample_fit.bg.param_names])
    gg_mean = np.log([sample_fit.gg.params_[p] for p in sample_fit.gg.param_names])
    for _ in range(150):
        bgp = np.exp(rng.multivariate_normal(bg_mean, sample_fit.bg.covariance_log_))
        ggp = np.exp(rng.multivariate_normal(gg_mean, sample_fit.gg.covariance_log_))
        d, _ = clv.discounted_purchases(tuple(bgp), x, t_x, T, sample_fit.options)
        sums.append(sample_fit.options.margin_rate * float(clv.expected_spend(tuple(ggp), x, m) @ d))
    sim_low, sim_high = np.percentile(sums, [2.5, 97.5])
    delta_width = total["high"] - total["low"]
    assert delta_width == pytest.approx(sim_high - sim_low, rel=0.35)
    assert total["low"] < total["clv"] < total["high"]


def test_backtest_predicts_the_holdout(sample_con):
    cur = sample_con.cursor()
    end = clv.data_span(cur)[1]
    calibration = end - dt.timedelta(days=364)
    result = clv.backtest(cur, calibration, end, options=clv.CLVOptions(time_unit="week"))
    assert result is not None
    assert abs(result["total_error"]) < 0.10  # the generator follows the BG/NBD story
    assert result["correlation"] > 0.5
    assert result["weekly"]["actual"].is_monotonic_increasing
    assert result["by_x"]["customers"].sum() == len(result["fit"].summary)


def test_too_little_history_is_said_in_words(con, write):
    import_file(con, "orders", write("o.csv", "order_id,customer_id,order_date,amount\n"
                                     "1,A,2024-01-01,10\n2,A,2024-02-01,10\n3,B,2024-01-05,20\n"))
    reporting.ensure_current(con)  # what an entry point does after an import
    cur = con.cursor()
    fit = clv.fit_models(cur, dt.date(2024, 3, 1))
    assert not fit.usable and fit.bg is None
    assert "Only 1 customer bought more than once" in fit.problems[0]
    assert clv.predict(fit).empty


def test_cli_prints_the_model_and_the_per_customer_table(tmp_path, capsys):
    path = tmp_path / "s.duckdb"
    from crm_metrics.sample import SampleParams, load_sample

    con = db.connect(str(path))
    load_sample(con, SampleParams(customers=1500, seed=5))
    con.close()
    assert main(["--db", str(path), "report", "clv-model", "--as-of", "2026-06-30", "--time-unit", "week",
                 "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    params = {(r["model"], r["parameter"]): r for r in rows}
    assert set(params) == {("BG/NBD", p) for p in ("r", "alpha", "a", "b")} | {
        ("Gamma-Gamma", p) for p in ("p", "q", "gamma")}
    assert all(r["std_error"] > 0 and r["log_likelihood"] < 0 and r["time_unit"] in ("week", "any") for r in rows)
    assert all(r["as_of"].startswith("2026-06-30") for r in rows)
    assert main(["--db", str(path), "report", "clv", "--as-of", "2026-06-30", "--time-unit", "day",
                 "--format", "json"]) == 0
    table = json.loads(capsys.readouterr().out)
    assert table and {"customer_id", "clv", "clv_low", "clv_high", "p_alive"} <= set(table[0])
    assert table[0]["clv"] >= table[-1]["clv"]


def test_totals_carry_the_average_and_the_alive_share(sample_fit):
    total, pred = clv.totals(sample_fit), clv.predict(sample_fit)
    assert total["average_clv"] == pytest.approx(pred["clv"].mean())
    assert total["alive_share"] == pytest.approx((pred["p_alive"] >= 0.5).mean())


def test_forecast_is_predict_and_totals_computed_once(sample_fit):
    predictions, totals = clv.forecast(sample_fit)
    pd.testing.assert_frame_equal(predictions, clv.predict(sample_fit))
    assert totals == clv.totals(sample_fit)


def test_a_base_above_fit_customers_is_fitted_on_every_kth_customer(sample_con):
    cur = sample_con.cursor()
    as_of = sample_con.cursor().execute("SELECT max(order_date) FROM orders").fetchall()[0][0]
    whole = clv.customer_summary(cur, as_of)
    fit = clv.fit_models(cur, as_of, None, clv.CLVOptions(fit_customers=1000))
    every = -(-len(whole) // 1000)
    assert fit.sample_every == every >= 2
    # independently: the whole summary's rows whose customer key is a multiple of k
    keys = sample_con.cursor().execute("SELECT customer_id, customer_key FROM rpt_customers").df()
    kept = set(keys.loc[keys["customer_key"] % every == 0, "customer_id"])
    expected = whole[whole["customer_id"].isin(kept)].reset_index(drop=True)
    pd.testing.assert_frame_equal(fit.summary.reset_index(drop=True), expected)
    assert fit.bg.n_customers_ == len(expected) <= 1000
    direct = BetaGeoModel(time_unit="week").fit(expected, time_unit="week")
    assert fit.bg.params_ == pytest.approx(direct.params_, rel=1e-9)
    # every customer is still scored, by the sample's models
    scored = clv.with_every_customer(cur, fit)
    assert len(scored.summary) == len(whole) and scored.bg is fit.bg
    assert len(clv.forecast_base(cur, as_of, clv.CLVOptions(fit_customers=1000)).predictions) == len(whole)


def test_scoring_part_by_part_equals_scoring_at_once(sample_con, sample_fit):
    cur = sample_con.cursor()
    parts = list(clv.score_parts(cur, sample_fit, 3))
    assert len(parts) == 3 and all(len(p) for p in parts)
    ids = [set(p["customer_id"]) for p in parts]
    assert not (ids[0] & ids[1] or ids[0] & ids[2] or ids[1] & ids[2])
    together = pd.concat(parts).sort_values("customer_id").reset_index(drop=True)
    at_once = clv.predict(sample_fit).sort_values("customer_id").reset_index(drop=True)
    pd.testing.assert_frame_equal(together, at_once, rtol=1e-12)


def test_cli_predict_writes_every_customer_to_parquet(tmp_path, capsys):
    from crm_metrics.sample import SampleParams, load_sample

    path = tmp_path / "p.duckdb"
    con = db.connect(str(path))
    load_sample(con, SampleParams(customers=1500, seed=5))
    reporting.ensure_current(con)  # what an entry point does after an import
    expected = clv.predict(clv.fit_models(con.cursor(), dt.date(2026, 6, 30)))
    con.close()
    out = tmp_path / "clv.parquet"
    assert main(["--db", str(path), "predict", "--out", str(out), "--as-of", "2026-06-30", "--parts", "4"]) == 0
    assert f"{len(expected):,} customers scored" in capsys.readouterr().err
    written = pd.read_parquet(out).sort_values("customer_id").reset_index(drop=True)
    expected = expected.sort_values("customer_id").reset_index(drop=True)
    assert written["customer_id"].tolist() == expected["customer_id"].tolist()
    np.testing.assert_allclose(written["clv"], expected["clv"], rtol=1e-12)
    assert main(["--db", str(path), "predict", "--out", str(out), "--parts", "0"]) == 2


def _no_dropout_summary(n: int = 500, weeks: float = 52.0, seed: int = 1) -> pd.DataFrame:
    """Customers buying at steady Poisson rates for a year, none ever leaving: BG/NBD's no-dropout boundary."""
    rng = np.random.default_rng(seed)
    rows = []
    for _ in range(n):
        times = np.cumsum(rng.exponential(1 / rng.gamma(2.0, 0.1), 200))
        times = times[times < weeks]
        rows.append((len(times), times[-1] if len(times) else 0.0, weeks))
    return pd.DataFrame(rows, columns=["x", "t_x", "T"])


def test_a_fit_on_the_no_dropout_boundary_is_said(sample_fit):
    summary = _no_dropout_summary()
    bg = BetaGeoModel(time_unit="week").fit(summary, time_unit="week")
    assert bg.converged_ and clv.no_dropout(bg)
    said = [p for p in clv.fitness(summary.assign(monetary=10.0), bg, None) if "almost no dropout" in p]
    assert said and "upper bound" in said[0]
    assert not clv.no_dropout(sample_fit.bg)  # the sample's customers do leave
    assert not any("almost no dropout" in p for p in sample_fit.problems)


def test_no_interval_when_a_models_uncertainty_is_unknown(sample_fit):
    from copy import copy

    flat = copy(sample_fit.bg)
    flat.covariance_log_ = None  # a flat likelihood: standard errors could not be estimated
    fit = clv.CLVFit(sample_fit.as_of, sample_fit.options, sample_fit.summary, flat, sample_fit.gg, [])
    assert fit.usable and not fit.interval_known
    predictions = clv.predict(fit)
    assert predictions["clv"].notna().all()
    assert predictions["clv_low"].isna().all() and predictions["clv_high"].isna().all()
    total = clv.totals(fit)
    assert total["clv"] > 0 and np.isnan(total["low"]) and np.isnan(total["high"])
    assert clv.totals(sample_fit)["low"] < clv.totals(sample_fit)["clv"] < clv.totals(sample_fit)["high"]
