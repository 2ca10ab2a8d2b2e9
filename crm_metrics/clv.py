"""Predictive customer lifetime value: the per-customer summary (SQL), BG/NBD + Gamma-Gamma fitted on it
(:mod:`crm_metrics.btyd`), CLV as discounted expected margin, an honest fitness check, and a backtest.

``as_of`` (the calibration end) is always passed in; the time unit ("day" or "week") is explicit and
carried through every function. CLV over H months: sum over months i = 1..H of
(E[purchases by month i] - E[purchases by month i - 1]) x expected spend x margin rate / (1 + d)^i, with
d the monthly rate of the annual discount rate ((1 + annual)^(1/12) - 1) and a month 30.4375 days.
Intervals on CLV use the delta method: the gradient of CLV in the log parameters (numerical, per distinct
(x, t_x, T)) with both models' covariance, the inverse Hessian of the log-likelihood; the two fits are
independent. Stated wherever an interval is shown.

The models learn from every customer (:func:`forecast_base`, once per data version and options); the shared
filters choose the customers whose predictions and totals a page shows (:func:`for_customers`).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from crm_metrics import db, scope
from crm_metrics.btyd import TIME_UNITS, BetaGeoModel, GammaGammaModel, _bgnbd_alive, _bgnbd_expected
from crm_metrics.filters import Filters
from crm_metrics.reporting import data_span
from crm_metrics.reports import register

MONTH_DAYS = 30.4375
Z95 = 1.959964
MIN_REPEAT_BUYERS = 30
# Below this mean chance of leaving after a purchase, a / (a + b), BG/NBD is on its no-dropout boundary (clv.no_dropout)
NO_DROPOUT = 0.01


@dataclass(frozen=True)
class CLVOptions:
    """How lifetime value is predicted.

    time_unit : "day" or "week", the unit of the model's times.
    horizon_months : months of future value counted.
    annual_discount : yearly discount rate of future money (0.10 = 10%).
    margin_rate : gross margin on spend used for CLV (and for orders without a cost in historical margin).
    fit_customers : the most customers the models are fitted on. A larger base is fitted on a systematic
        sample of about this many (every k-th customer in id order, ``sql/clv_summary.sql``'s parts): the
        models have four and three population parameters whose standard errors shrink with the square root
        of the customers fitted (CDNOW's 5% at 2,357 customers is under 0.2% at two million), and hundreds
        of millions of summaries would not fit on one machine. Every customer is still scored
        (:func:`forecast_base`, :func:`score_parts`).
    """

    time_unit: str = "week"
    horizon_months: int = 12
    annual_discount: float = 0.10
    margin_rate: float = 0.4
    fit_customers: int = 2_000_000

    def __post_init__(self) -> None:
        if self.time_unit not in TIME_UNITS:
            raise ValueError("time_unit is 'day' or 'week'")
        if not 1 <= self.horizon_months <= 120:
            raise ValueError("horizon_months is between 1 and 120")
        if not 0 <= self.annual_discount < 1 or not 0 <= self.margin_rate <= 1:
            raise ValueError("annual_discount is in [0, 1) and margin_rate in [0, 1]")
        if self.fit_customers < 1000:
            raise ValueError("fit_customers is at least 1,000")

    @property
    def unit_days(self) -> float:
        return TIME_UNITS[self.time_unit]

    @property
    def monthly_discount(self) -> float:
        return (1 + self.annual_discount) ** (1 / 12) - 1


SUMMARY_COLUMNS = ["customer_id", "customer_key", "x", "t_x", "T", "monetary", "first_purchase", "last_purchase",
                   "total_spend", "total_margin"]


def customer_summary(cur, as_of: dt.date, filters: Filters | None = None,
                     options: CLVOptions | None = None, part: tuple[int, int] = (0, 1)) -> pd.DataFrame:
    """Grain: one row per customer with a completed order on or before ``as_of``; with ``part`` = (p, k),
    only those whose customer_key % k = p. Columns: SUMMARY_COLUMNS (see ``sql/clv_summary.sql``), times
    in ``options.time_unit``."""
    options = options or CLVOptions()
    params = {"as_of": as_of, "unit_days": options.unit_days, "margin_rate": options.margin_rate,
              "part": part[0], "part_count": part[1], **(filters or Filters()).params()}
    frame = db.query_df(cur, "clv_summary", params)
    return frame if len(frame) else pd.DataFrame(columns=SUMMARY_COLUMNS)




# --------------------------------------------------------------------------------------------------- fitness
def fitness(summary: pd.DataFrame, bg: BetaGeoModel | None, gg: GammaGammaModel | None) -> list[str]:
    """What stands between the data and a number worth trusting, in words (empty: nothing)."""
    problems = []
    repeaters = int((summary["x"] > 0).sum()) if len(summary) else 0
    if repeaters < MIN_REPEAT_BUYERS:
        who = "customer" if repeaters == 1 else "customers"
        problems.append(f"Only {repeaters} {who} bought more than once before the calibration end; the models "
                        f"need at least {MIN_REPEAT_BUYERS} (and are reliable with several hundred). Choose a later "
                        "date, widen the filters, or import more order history.")
    for name, model in (("purchase model (BG/NBD)", bg), ("spend model (Gamma-Gamma)", gg)):
        if model is None:
            continue
        if not model.converged_:
            problems.append(f"The {name} did not converge ({model.message_}); its numbers are not shown. More "
                            "history or fewer filters usually fixes it.")
        elif any(math.isnan(v) for v in model.se_.values()):
            problems.append(f"The {name} fitted, but its uncertainty could not be estimated (a flat likelihood): "
                            "treat its numbers as rough.")
    if bg is not None and bg.converged_ and no_dropout(bg):
        a, b = bg.params_["a"], bg.params_["b"]
        problems.append(
            f"The purchase model found almost no dropout: a customer leaves after a purchase with a chance of "
            f"{a / (a + b):.2%} on average (a = {a:.3g}, b = {b:.3g}). That is the edge where BG/NBD becomes a model "
            "in which nobody ever stops buying: probability alive is close to 100% for everyone, and CLV counts "
            "customers who have quietly left as if they stayed. It usually means the history is short against the "
            "time between purchases; read the CLV as an upper bound.")
    if bg is not None and bg.converged_ and bg.params_["a"] <= 1:
        problems.append("The dropout parameter a is at most 1, so the expected purchases of a new customer are "
                        "unbounded; predictions for long horizons are unreliable.")
    if gg is not None and gg.converged_ and gg.params_["q"] <= 1:
        problems.append("The spend model's q is at most 1, so the average spend is undefined; spend predictions "
                        "are unreliable.")
    return problems


def no_dropout(bg: BetaGeoModel) -> bool:
    """Whether the BG/NBD fit sits on its no-dropout boundary: the mean chance of leaving after a purchase,
    a / (a + b), under NO_DROPOUT (a -> 0, or b -> infinity), where the model degenerates to NBD and every
    customer looks alive."""
    a, b = bg.params_["a"], bg.params_["b"]
    return a / (a + b) < NO_DROPOUT


@dataclass
class CLVFit:
    """The fitted models and what was fitted on."""

    as_of: dt.date
    options: CLVOptions
    summary: pd.DataFrame  # the customers scored (every customer unless a caller passes one part)
    bg: BetaGeoModel | None
    gg: GammaGammaModel | None
    problems: list[str]
    sample_every: int = 1  # the models were fitted on every k-th customer (1: on all of them)

    @property
    def usable(self) -> bool:
        """Both models fitted on enough repeat buyers and converged: there are numbers to show."""
        return self.bg is not None and self.gg is not None and self.bg.converged_ and self.gg.converged_

    @property
    def interval_known(self) -> bool:
        """Both models' uncertainty was estimated: an interval that left one out would look narrower than the
        truth, so without both there is no interval."""
        return self.usable and self.bg.covariance_log_ is not None and self.gg.covariance_log_ is not None


def fit_models(cur, as_of: dt.date | None = None, filters: Filters | None = None,
               options: CLVOptions | None = None) -> CLVFit | None:
    """Fit BG/NBD and Gamma-Gamma on the summary as of ``as_of`` (default: the last order date). None when
    there are no orders."""
    options = options or CLVOptions()
    if as_of is None:
        as_of = data_span(cur)[1]
        if as_of is None:
            return None
    every = scope.sample_every(cur, as_of, options.fit_customers, filters)
    fitted_on = customer_summary(cur, as_of, filters, options, (0, every))
    bg = gg = None
    if int((fitted_on["x"] > 0).sum()) >= MIN_REPEAT_BUYERS:
        bg = BetaGeoModel(time_unit=options.time_unit).fit(fitted_on, time_unit=options.time_unit)
        gg = GammaGammaModel().fit(fitted_on)
    return CLVFit(as_of, options, fitted_on, bg, gg, fitness(fitted_on, bg, gg), every)


def with_every_customer(cur, fit: CLVFit, filters: Filters | None = None) -> CLVFit:
    """``fit`` scoring every customer: itself when it was fitted on all of them, else the same models with
    the whole summary (which then must fit in this process's memory; :func:`score_parts` does not)."""
    if fit.sample_every == 1:
        return fit
    return replace(fit, summary=customer_summary(cur, fit.as_of, filters, fit.options))


def score_parts(cur, fit: CLVFit, parts: int, filters: Filters | None = None) -> Iterator[pd.DataFrame]:
    """Every customer's prediction from ``fit``, one part of the base at a time (customer_key % parts):
    each part's summary is computed by the engine and scored here, so no step holds more than about
    1 / ``parts`` of the customers. Yields :func:`predict` frames (with intervals), one per part."""
    if parts < 1:
        raise ValueError("parts is at least 1")
    for part in range(parts):
        yield predict(replace(fit, summary=customer_summary(cur, fit.as_of, filters, fit.options, (part, parts))))


# ----------------------------------------------------------------------------------------------- prediction
def discounted_purchases(bg_params, x, t_x, T, options: CLVOptions) -> tuple[np.ndarray, np.ndarray]:
    """Per customer: the discounted expected purchases over the horizon (sum over months of the month's
    expected purchases / (1 + d)^month) and the undiscounted expected purchases by the horizon."""
    r, alpha, a, b = bg_params
    value = np.zeros(len(x))
    previous = np.zeros(len(x))
    for month in range(1, options.horizon_months + 1):
        t = month * MONTH_DAYS / options.unit_days
        expected = _bgnbd_expected(r, alpha, a, b, x, t_x, T, t)
        value += (expected - previous) / (1 + options.monthly_discount) ** month
        previous = expected
    return value, previous


def expected_spend(gg_params, x, m) -> np.ndarray:
    """E[spend per purchase | x, mean repeat spend m] (Fader & Hardie 2013, equation 5)."""
    p, q, g = gg_params
    m = np.where(x > 0, m, 0.0)
    return (p * (g + x * m)) / (p * x + q - 1)


def _log_step(params: tuple, k: int, h: float) -> tuple:
    return tuple(v * math.exp(h) if i == k else v for i, v in enumerate(params))


PREDICTION_COLUMNS = ["customer_id", "customer_key", "x", "t_x", "T", "monetary", "total_spend", "total_margin",
                      "p_alive", "expected_purchases", "expected_spend", "clv", "clv_low", "clv_high"]


@dataclass
class _Parts:
    """CLV_i = margin x spend_i x D_i, and the gradients of spend and D in the log parameters."""

    discounted: np.ndarray
    expected: np.ndarray
    spend: np.ndarray
    d_grad: np.ndarray  # (4, n): dD / dlog(r, alpha, a, b)
    s_grad: np.ndarray  # (3, n): dspend / dlog(p, q, gamma)
    alive: np.ndarray  # BG/NBD's probability alive


def _parts(fit: CLVFit, x, t_x, T, m, gradients: bool) -> _Parts:
    bg_params = tuple(fit.bg.params_[p] for p in fit.bg.param_names)
    gg_params = tuple(fit.gg.params_[p] for p in fit.gg.param_names)
    # D depends on (x, t_x, T) only: computed once per distinct triple
    triples, inverse = np.unique(np.stack([x, t_x, T], axis=1), axis=0, return_inverse=True)
    inverse = inverse.ravel()
    ux, utx, uT = triples.T
    d_unique, e_unique = discounted_purchases(bg_params, ux, utx, uT, fit.options)
    spend = expected_spend(gg_params, x, m)
    h = 1e-5
    d_grad = np.zeros((4, len(x)))
    s_grad = np.zeros((3, len(x)))
    if gradients:
        for k in range(4):
            stepped = discounted_purchases(_log_step(bg_params, k, h), ux, utx, uT, fit.options)[0]
            d_grad[k] = ((stepped - d_unique) / h)[inverse]
        for k in range(3):
            s_grad[k] = (expected_spend(_log_step(gg_params, k, h), x, m) - spend) / h
    alive = _bgnbd_alive(*bg_params, ux, utx, uT)[inverse]
    return _Parts(d_unique[inverse], e_unique[inverse], spend, d_grad, s_grad, alive)


def _variance(fit: CLVFit, d_grad: np.ndarray, s_grad: np.ndarray) -> np.ndarray:
    """Delta method: gradient' x covariance x gradient, the two models' estimates independent."""
    var = np.zeros(d_grad.shape[1])
    if fit.bg.covariance_log_ is not None:
        var += np.einsum("in,ij,jn->n", d_grad, fit.bg.covariance_log_, d_grad)
    if fit.gg.covariance_log_ is not None:
        var += np.einsum("in,ij,jn->n", s_grad, fit.gg.covariance_log_, s_grad)
    return var


def _summary_parts(fit: CLVFit, gradients: bool = True) -> _Parts:
    s = fit.summary
    x, t_x, T, m = (s[c].to_numpy(dtype="float64") for c in ("x", "t_x", "T", "monetary"))
    return _parts(fit, x, t_x, T, m, gradients)


def forecast(fit: CLVFit) -> tuple[pd.DataFrame, dict]:
    """:func:`predict` (with intervals) and :func:`totals` of every customer of ``fit`` together, the
    per-customer parts and their gradients (five model evaluations per horizon month) computed once."""
    return for_customers(forecast_of(fit), None)


def predict(fit: CLVFit, intervals: bool = True, parts: _Parts | None = None) -> pd.DataFrame:
    """Per customer: probability alive, expected purchases and spend over the horizon, CLV with its interval.

    Grain: one row per customer of the summary, highest CLV first. Columns: PREDICTION_COLUMNS. The 95%
    interval is the delta method on both models' inverse Hessians (CLV +/- 1.96 sd, at least 0).
    """
    if not fit.usable:
        return pd.DataFrame(columns=PREDICTION_COLUMNS)
    s = fit.summary
    x, t_x, T, m = (s[c].to_numpy(dtype="float64") for c in ("x", "t_x", "T", "monetary"))
    parts = parts if parts is not None and intervals else _parts(fit, x, t_x, T, m, intervals)
    margin = fit.options.margin_rate
    bg_params = tuple(fit.bg.params_[p] for p in fit.bg.param_names)
    out = s[["customer_id", "customer_key", "x", "t_x", "T", "monetary", "total_spend", "total_margin"]].copy()
    out["p_alive"] = _bgnbd_alive(*bg_params, x, t_x, T)
    out["expected_purchases"] = parts.expected
    out["expected_spend"] = parts.spend
    out["clv"] = margin * parts.spend * parts.discounted
    if intervals and fit.interval_known:
        sd = margin * np.sqrt(_variance(fit, parts.d_grad * parts.spend, parts.s_grad * parts.discounted))
        out["clv_low"] = np.maximum(out["clv"] - Z95 * sd, 0.0)
        out["clv_high"] = out["clv"] + Z95 * sd
    else:
        out["clv_low"] = out["clv_high"] = np.nan
    # ties by key, which sorts as the id does, several times faster than the text
    return out.sort_values(["clv", "customer_key"], ascending=[False, True]).reset_index(drop=True)


def totals(fit: CLVFit, parts: _Parts | None = None, mask: np.ndarray | None = None) -> dict:
    """Total predicted CLV of the customer base (or of the summary rows ``mask`` selects) with its 95%
    interval (delta method on the sum: the interval of the total is not the sum of the customers'
    intervals), the average CLV, the share of customers with a probability alive of 50% or more, and the
    expected purchases."""
    empty = {"customers": 0, "clv": math.nan, "low": math.nan, "high": math.nan, "average_clv": math.nan,
             "alive_share": math.nan, "expected_purchases": math.nan}
    if not fit.usable:
        return empty
    s = fit.summary
    if parts is None:
        parts = _parts(fit, *(s[c].to_numpy(dtype="float64") for c in ("x", "t_x", "T", "monetary")), True)
    # sums over the selection as products with its 0/1 weights: no copy of the whole base's rows
    weights = np.ones(len(s)) if mask is None else mask.astype("float64")
    customers = int(weights.sum())
    if not customers:
        return empty
    margin = fit.options.margin_rate
    total = float(margin * (parts.spend * parts.discounted) @ weights)
    d_total = (parts.d_grad @ (parts.spend * weights))[:, None]
    s_total = (parts.s_grad @ (parts.discounted * weights))[:, None]
    low = high = math.nan  # no interval when a model's uncertainty is unknown
    if fit.interval_known:
        sd = margin * math.sqrt(float(_variance(fit, d_total, s_total)[0]))
        low, high = max(total - Z95 * sd, 0.0), total + Z95 * sd
    return {"customers": customers, "clv": total, "low": low, "high": high,
            "average_clv": total / customers, "alive_share": float((parts.alive >= 0.5) @ weights / customers),
            "expected_purchases": float(parts.expected @ weights)}


@dataclass
class Forecast:
    """The whole-base models and every customer's prediction, with the per-customer parts (and their
    gradients) that the total of any selection of customers is summed from."""

    fit: CLVFit
    predictions: pd.DataFrame  # PREDICTION_COLUMNS, highest CLV first
    parts: _Parts | None  # aligned with fit.summary's rows; None when the fit is not usable


def forecast_of(fit: CLVFit) -> Forecast:
    """Every customer's prediction from ``fit``, with the parts their totals are summed from."""
    if not fit.usable:
        return Forecast(fit, predict(fit), None)
    parts = _summary_parts(fit)
    return Forecast(fit, predict(fit, parts=parts), parts)


def forecast_base(cur, as_of: dt.date | None = None, options: CLVOptions | None = None) -> Forecast | None:
    """Fit on every customer as of ``as_of`` (default: the last order date) and predict each one. None when
    there are no orders."""
    fit = fit_models(cur, as_of, None, options)
    return None if fit is None else forecast_of(with_every_customer(cur, fit))


def for_customers(forecast: Forecast, keys: np.ndarray | None) -> tuple[pd.DataFrame, dict]:
    """The predictions of the customers whose customer_key is one of ``keys`` (None: every customer),
    highest CLV first, and their totals with the interval of the sum (:func:`totals`)."""
    mask = None if keys is None else scope.member_mask(forecast.fit.summary["customer_key"], keys)
    return scope.select(forecast.predictions, keys), totals(forecast.fit, forecast.parts, mask)


def clv_bins(predictions: pd.DataFrame, bins: int = 20) -> pd.DataFrame:
    """Customers per CLV band: $0-$10, then bands spaced evenly on a log scale (most customers are worth
    little, a few a lot). Grain: one row per band with customers: low, high, customers, clv (the band's total)."""
    values = predictions["clv"].to_numpy(dtype="float64")
    if len(values) == 0 or values.max() <= 0:
        return pd.DataFrame(columns=["low", "high", "customers", "clv"])
    edges = np.unique(np.concatenate([[0.0], np.geomspace(10.0, max(values.max() * 1.0001, 11.0), bins)]))
    index = np.clip(np.searchsorted(edges, values, side="right") - 1, 0, len(edges) - 2)
    customers = np.bincount(index, minlength=len(edges) - 1)
    totals = np.bincount(index, weights=values, minlength=len(edges) - 1)
    frame = pd.DataFrame({"low": edges[:-1], "high": edges[1:], "customers": customers, "clv": totals})
    return frame[frame["customers"] > 0].reset_index(drop=True)


def headline(total: dict, options: CLVOptions, top_share: float | None) -> str:
    """One sentence: what the customer base is expected to be worth, and how concentrated value is."""
    from crm_metrics.formatting import count, money_short, percent

    if not total["customers"]:
        return "Not enough purchase history to predict what customers are worth."
    text = (f"{count(total['customers'])} customers are expected to bring {money_short(total['clv'])} of margin over "
            f"the next {options.horizon_months} months (between {money_short(total['low'])} and "
            f"{money_short(total['high'])})")
    if top_share is not None:
        text += f"; the best 20% of them brought {percent(top_share)} of revenue so far"
    return text + "."


# ------------------------------------------------------------------------------------------------- backtest
MIN_CALIBRATION_DAYS = 90  # a backtest fits on at least this much history ...
MIN_HOLDOUT_DAYS = 28  # ... and predicts at least this much


def backtest_window(first_order: dt.date, as_of: dt.date) -> tuple[dt.date, dt.date, dt.date] | None:
    """The calibration ends a backtest may choose, (earliest, default, latest), holding out the period up to
    ``as_of``: by default the last year (less when the data is shorter). None when the data is too short to
    hold any of it back."""
    earliest = first_order + dt.timedelta(days=MIN_CALIBRATION_DAYS)
    latest = as_of - dt.timedelta(days=MIN_HOLDOUT_DAYS)
    if latest <= earliest:
        return None
    return earliest, min(max(earliest, as_of - dt.timedelta(days=364)), latest), latest


def backtest(cur, calibration_end: dt.date, holdout_end: dt.date, filters: Filters | None = None,
             options: CLVOptions | None = None) -> dict | None:
    """Fit on orders up to ``calibration_end``, predict repeat purchases in (calibration_end, holdout_end]
    and compare with what happened.

    Returns None when the calibration data cannot carry the models; else a dict with
    ``by_x`` (grain: one row per x, 0..7 and "8+": customers, predicted and actual mean purchases),
    ``weekly`` (grain: one row per week of the holdout: cumulative predicted and actual repeat purchases of
    the calibration customers), and the error measures ``mae`` (per customer), ``total_error`` (predicted /
    actual - 1) and ``correlation``.
    """
    options = options or CLVOptions()
    fit = fit_models(cur, calibration_end, filters, options)
    if fit is None or not fit.usable:
        return None
    horizon = (holdout_end - calibration_end).days / options.unit_days
    s = fit.summary
    predicted = fit.bg.expected_purchases(horizon, s)
    params = {"as_of": calibration_end, "until": holdout_end, **(filters or Filters()).params()}
    counts = db.query_df(cur, "clv_holdout", params)
    actual = s[["customer_id"]].merge(counts, on="customer_id", how="left")["purchases"].fillna(0).to_numpy()
    frame = pd.DataFrame({"x": s["x"].to_numpy(), "predicted": predicted, "actual": actual})
    frame["group"] = np.where(frame["x"] >= 8, "8+", frame["x"].astype(int).astype(str))
    by_x = frame.groupby("group", sort=False).agg(customers=("x", "size"), predicted=("predicted", "mean"),
                                                  actual=("actual", "mean")).reset_index()
    order = [str(i) for i in range(8)] + ["8+"]
    by_x = by_x.set_index("group").reindex([g for g in order if g in set(by_x["group"])]).reset_index()
    weeks = max(1, math.ceil((holdout_end - calibration_end).days / 7))
    steps = np.arange(1, weeks + 1)
    week_units = 7 / options.unit_days
    cum_predicted = [float(fit.bg.expected_purchases(float(k * week_units), s).sum()) for k in steps]
    per_week = db.query_df(cur, "clv_holdout_weekly", params).set_index("week")["purchases"]
    cum_actual = per_week.reindex(steps, fill_value=0).cumsum().to_numpy()
    weekly = pd.DataFrame({"week": steps, "predicted": cum_predicted, "actual": cum_actual})
    total_actual = float(frame["actual"].sum())
    return {
        "fit": fit, "by_x": by_x, "weekly": weekly,
        "mae": float(np.mean(np.abs(frame["predicted"] - frame["actual"]))),
        "total_predicted": float(frame["predicted"].sum()), "total_actual": total_actual,
        "total_error": float(frame["predicted"].sum() / total_actual - 1) if total_actual else math.nan,
        "correlation": float(np.corrcoef(frame["predicted"], frame["actual"])[0, 1]) if frame["actual"].std() else
        math.nan,
    }


# -------------------------------------------------------------------------------------------------- reports
def _options(options: dict) -> CLVOptions:
    known = {k: options.pop(k) for k in list(options) if k in CLVOptions.__dataclass_fields__}
    if "horizon_months" in known:
        known["horizon_months"] = int(known["horizon_months"])
    return CLVOptions(**known)


@register("clv-model")
def clv_model_report(cur, as_of=None, **options) -> pd.DataFrame:
    """The fitted BG/NBD and Gamma-Gamma parameters with standard errors and 95% intervals, each model's
    log-likelihood, customers fitted and convergence. Grain: one row per (model, parameter)."""
    options.pop("filters", None)  # the models learn from every customer; filters only choose whom to show
    fit = fit_models(cur, as_of, None, _options(options))
    columns = ["model", "parameter", "estimate", "std_error", "low", "high", "log_likelihood", "customers",
               "converged", "time_unit", "as_of"]
    if fit is None or fit.bg is None:
        return pd.DataFrame(columns=columns)
    parts = []
    for name, model in (("BG/NBD", fit.bg), ("Gamma-Gamma", fit.gg)):
        part = model.summary()
        part.insert(0, "model", name)
        part["log_likelihood"] = model.log_likelihood_
        part["customers"] = model.n_customers_
        part["converged"] = model.converged_
        part["time_unit"] = fit.options.time_unit if name == "BG/NBD" else "any"
        part["as_of"] = fit.as_of
        parts.append(part)
    return pd.concat(parts, ignore_index=True)[columns]


@register("clv")
def clv_report(cur, as_of=None, **options) -> pd.DataFrame:
    """Per customer: the summary, probability alive, expected purchases and spend over the horizon, and
    predicted CLV with its 95% interval (delta method), the models fitted on every customer and the
    customers ``filters`` select listed. Highest CLV first."""
    filters = options.pop("filters", None)
    fit = fit_models(cur, as_of, None, _options(options))
    if fit is None:
        return pd.DataFrame(columns=PREDICTION_COLUMNS)
    return scope.select(predict(with_every_customer(cur, fit)), scope.customer_keys(cur, filters))
