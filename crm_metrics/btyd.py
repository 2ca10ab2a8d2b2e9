"""Customer-base models ("buy till you die"): BG/NBD, Pareto/NBD and the Gamma-Gamma spend model.

scikit-learn conventions: hyper-parameters in ``__init__``, ``fit`` returns self, fitted attributes end in
``_``. Every model takes the per-customer summary of :func:`crm_metrics.clv.customer_summary` (columns
``x`` repeat purchases, ``t_x`` time of the last purchase, ``T`` age, ``monetary`` mean repeat spend), all
times in the one unit named by ``time_unit`` ("day" or "week"), which the model keeps and checks.

Fitting is maximum likelihood on log parameters. BG/NBD and Gamma-Gamma have analytic gradients and
Hessians; BG/NBD compresses customers with identical (x, t_x, T) into weighted rows. Both fit in two
stages: scipy's L-BFGS-B on a thinned sample of about SAMPLE_CUSTOMERS customers gives a start close to the
maximum, and a few Newton steps on every row finish it, so a million customers fit in well under a second.
Pareto/NBD (no analytic gradient) is fitted by L-BFGS-B alone. Standard errors come from the inverse
Hessian of the log-likelihood (the observed information: analytic for BG/NBD and Gamma-Gamma, numerical
differences of the gradient for Pareto/NBD), carried to the parameters by the delta method.

Sources: Fader, Hardie & Lee (2005), "Counting your customers the easy way: an alternative to the
Pareto/NBD model", Marketing Science 24(2), equations 6, 10 and 13 (BG/NBD likelihood, conditional
expectation, probability alive); Fader, Hardie & Lee (2005), "A note on deriving the Pareto/NBD model
and related expressions" (Pareto/NBD likelihood and probability alive); Schmittlein, Morrison & Colombo
(1987) (Pareto/NBD conditional expectation); Fader & Hardie (2013), "The Gamma-Gamma model of monetary
value" (spend likelihood and conditional expected spend).
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.linalg import cho_factor, cho_solve
from scipy.optimize import minimize
from scipy.special import digamma, gammaln, hyp2f1, logsumexp, polygamma

TIME_UNITS = {"day": 1.0, "week": 7.0}
LOG_BOUND = 20.0  # log parameters stay within +-20 (a parameter beyond e^20 or below e^-20 is on a boundary)
SAMPLE_CUSTOMERS = 50_000  # customers of the thinned sample whose fit starts Newton's method on every row
NEWTON_TOLERANCE = 1e-7  # a Newton step below this in every log parameter is the last one
PARALLEL_ROWS = 100_000  # repeat-buyer rows from which BG/NBD splits its evaluation over threads


def _columns(frame: pd.DataFrame, names: tuple[str, ...]) -> list[np.ndarray]:
    missing = [n for n in names if n not in frame.columns]
    if missing:
        raise ValueError(f"the summary lacks column(s) {', '.join(missing)}")
    return [frame[n].to_numpy(dtype="float64") for n in names]


def _check_summary(x: np.ndarray, t_x: np.ndarray, T: np.ndarray) -> None:
    if len(x) == 0:
        raise ValueError("no customers to fit")
    if np.any(x < 0) or np.any(x != np.round(x)):
        raise ValueError("x (repeat purchases) must be whole numbers of at least 0")
    if np.any(t_x < 0) or np.any(t_x > T + 1e-9):
        raise ValueError("t_x must lie between 0 and T")
    if np.any((x == 0) & (t_x > 0)):
        raise ValueError("a customer without repeat purchases has t_x = 0")


def compress(x: np.ndarray, t_x: np.ndarray, T: np.ndarray) -> tuple[np.ndarray, ...]:
    """Customers with identical (x, t_x, T) as one weighted row: (x, t_x, T, weight).

    Times computed from dates are whole days divided by the unit, so rows are keyed on integers (fast);
    other times fall back to a sort of the float triples.
    """
    days = [np.round(v * 7.0 * 8.0) for v in (t_x, T)]  # whole days, in days or weeks alike, x8 for slack
    if all(np.allclose(d / 56.0, v, rtol=0, atol=1e-9) for d, v in zip(days, (t_x, T), strict=True)) and \
            len(x) and max(days[0].max(), days[1].max()) < 2**24 and x.max() < 2**14:
        key = (x.astype(np.int64) << 48) | (days[0].astype(np.int64) << 24) | days[1].astype(np.int64)
        unique, first, counts = np.unique(key, return_index=True, return_counts=True)
        return x[first], t_x[first], T[first], counts.astype("float64")
    keys = np.stack([x, t_x, T], axis=1)
    unique, counts = np.unique(keys, axis=0, return_counts=True)
    return unique[:, 0], unique[:, 1], unique[:, 2], counts.astype("float64")


class _BGNBDData:
    """The BG/NBD likelihood on weighted rows, evaluated cheaply: every special function (log-gamma,
    digamma, trigamma) depends on x alone and is computed once per distinct x; logarithms of alpha + T and
    alpha + t_x once per distinct time; only a few array operations run per row, on as many threads as
    ``workers`` (numpy lets go of the GIL inside each operation, so the halves of the rows run on two cores at
    once). The Hessian is analytic too: one pass over the rows gives value, gradient and Hessian."""

    def __init__(self, x, t_x, T, w, workers: int = 1):
        self.ux, ix = np.unique(x, return_inverse=True)
        self.n_x = np.bincount(ix, weights=w)
        # customers without repeat purchases contribute through T alone: one weighted row per distinct T
        zero = x == 0
        self.uT0, iT0 = np.unique(T[zero], return_inverse=True)
        self.n_T0 = np.bincount(iT0, weights=w[zero]) if zero.any() else np.zeros(0)
        keep = ~zero
        self.ix = ix[keep]
        self.uT, self.iT = np.unique(T[keep], return_inverse=True)
        self.utx, self.itx = np.unique(t_x[keep], return_inverse=True)
        self.w = w[keep]
        self.xr = x[keep]
        parts = workers if len(self.w) >= PARALLEL_ROWS else 1
        bounds = np.linspace(0, len(self.w), parts + 1).astype(int)
        self.parts = [slice(lo, hi) for lo, hi in zip(bounds[:-1], bounds[1:], strict=True)]
        self.pool = ThreadPoolExecutor(parts, thread_name_prefix="bgnbd") if parts > 1 else None

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown()

    def objective(self, log_params, hessian: bool = False):
        """(- log-likelihood, - gradient in the log parameters[, - Hessian in the log parameters])."""
        r, alpha, a, b = params = np.exp(log_params)
        ux, n_x, uT0, n_T0 = self.ux, self.n_x, self.uT0, self.n_T0
        n = n_x.sum()
        # per distinct x
        a12 = (gammaln(r + ux) - gammaln(r) + r * np.log(alpha) + gammaln(a + b) + gammaln(b + ux) - gammaln(b)
               - gammaln(a + b + ux))
        b_x1 = np.where(ux > 0, b + ux - 1, 1.0)
        ib = np.where(ux > 0, 1.0 / b_x1, 0.0)
        log_c = np.where(ux > 0, np.log(a) - np.log(b_x1), 0.0)
        # customers without repeats: log-likelihood A12(0) - r log(alpha + T)
        log_T0, inv_T0 = np.log(alpha + uT0), 1.0 / (alpha + uT0)
        # repeat buyers, per row
        shared = (r, log_c, np.log(alpha + self.uT), np.log(alpha + self.utx), 1.0 / (alpha + self.uT),
                  1.0 / (alpha + self.utx), len(ux), hessian)
        if self.pool is None:
            sums = self._repeaters(self.parts[0], *shared)
        else:
            sums = sum(self.pool.map(lambda part: self._repeaters(part, *shared), self.parts))
        ll_rows, d_r, d_alpha, q1, q2, h_rr, h_ra, h_aa = sums[:8]
        w4_x, v_x, vr_x, va_x = sums[8:].reshape(4, len(ux))
        ll = n_x @ a12 - r * (n_T0 @ log_T0) + ll_rows
        gradient = np.array([
            n_x @ (digamma(r + ux) - digamma(r) + np.log(alpha)) - n_T0 @ log_T0 - d_r,
            n * r / alpha - r * (n_T0 @ inv_T0) - d_alpha,
            n_x @ (digamma(a + b) - digamma(a + b + ux)) + w4_x.sum() / a,
            n_x @ (digamma(a + b) + digamma(b + ux) - digamma(b) - digamma(a + b + ux)) - w4_x @ ib])
        if not hessian:
            return -float(ll), -gradient * params
        t_ab = n_x @ (polygamma(1, a + b) - polygamma(1, a + b + ux))
        h = np.empty((4, 4))
        h[0, 0] = n_x @ (polygamma(1, r + ux) - polygamma(1, r)) + h_rr
        h[0, 1] = n / alpha - n_T0 @ inv_T0 - q1 + h_ra
        h[1, 1] = -n * r / alpha**2 + r * (n_T0 @ inv_T0**2) + q2 + h_aa
        h[0, 2] = -vr_x.sum() / a
        h[0, 3] = vr_x @ ib
        h[1, 2] = -va_x.sum() / a
        h[1, 3] = va_x @ ib
        h[2, 2] = t_ab + (v_x.sum() - w4_x.sum()) / a**2
        h[2, 3] = t_ab - (v_x @ ib) / a
        h[3, 3] = t_ab + n_x @ (polygamma(1, b + ux) - polygamma(1, b)) + (w4_x + v_x) @ ib**2
        h = np.triu(h) + np.triu(h, 1).T
        return -float(ll), -gradient * params, _log_scale_hessian(-h, -gradient, params)

    def _repeaters(self, part, r, log_c, log_T, log_tx, inv_T, inv_tx, n_ux: int, hessian: bool) -> np.ndarray:
        """The repeat buyers' rows ``part``, summed: the log-likelihood; the weighted derivatives of its
        logaddexp term in r and alpha; with ``hessian``, the second-derivative sums (r, alpha) and the cross
        terms w w3 w4 (d3 - d4)(d3 - d4)' of the two terms' derivatives d3, d4; and per distinct x, the weight
        of the dropout term w4 and (with ``hessian``) the sums of v = w w3 w4, v (d3 - d4)_r, v (d3 - d4)_alpha.
        """
        x, w, ix, iT, itx = self.xr[part], self.w[part], self.ix[part], self.iT[part], self.itx[part]
        rx = r + x
        lT, ltx, inv_t, inv_s = log_T[iT], log_tx[itx], inv_T[iT], inv_tx[itx]
        a3 = -rx * lT
        both = np.logaddexp(a3, log_c[ix] - rx * ltx)
        w3 = np.exp(a3 - both)
        ww3 = w * w3
        ww4 = w - ww3
        u3, u4 = ww3 * rx * inv_t, ww4 * rx * inv_s
        head = [w @ both, ww3 @ lT + ww4 @ ltx, u3.sum() + u4.sum()]
        w4_x = np.bincount(ix, ww4, minlength=n_ux)
        if not hessian:
            return np.concatenate([head, np.zeros(5), w4_x, np.zeros(3 * n_ux)])
        v = ww3 * (1.0 - w3)
        dr = ltx - lT
        da = rx * (inv_s - inv_t)
        vr, va = v * dr, v * da
        second = [ww3 @ inv_t + ww4 @ inv_s, u3 @ inv_t + u4 @ inv_s, vr @ dr, vr @ da, va @ da]
        per_x = [np.bincount(ix, weights, minlength=n_ux) for weights in (v, vr, va)]
        return np.concatenate([head, second, w4_x, *per_x])


def _log_scale_hessian(h: np.ndarray, gradient: np.ndarray, params: np.ndarray) -> np.ndarray:
    """The Hessian of a function of theta = log(params) from its Hessian ``h`` and ``gradient`` in params:
    d2f/dtheta_i dtheta_j = p_i p_j h_ij + [i == j] p_i g_i."""
    return h * np.outer(params, params) + np.diag(params * gradient)


class _Fitted:
    """What every fitted model keeps: parameters, standard errors, log-likelihood, convergence."""

    param_names: tuple[str, ...] = ()
    time_unit: str

    def _finish(self, result, objective, log_start_scale: np.ndarray, n: int) -> None:
        """Fitted attributes from an L-BFGS-B result, the Hessian by numerical differences of the gradient."""
        log_params = result.x + log_start_scale
        value, gradient = objective(log_params)
        self._keep(_Solution(log_params, value, gradient, _numerical_hessian(objective, log_params),
                             int(result.nit), bool(result.success), str(result.message)), n)

    def _keep(self, solution: _Solution, n: int) -> None:
        self.n_iter_ = solution.nit
        self.message_ = solution.message
        self.params_ = dict(zip(self.param_names, np.exp(solution.x).tolist(), strict=True))
        self.log_likelihood_ = float(-solution.value)
        # L-BFGS-B may stop on "abnormal termination in line search" at the optimum itself, when rounding
        # hides any further improvement: a vanishing gradient counts as converged too.
        self.converged_ = solution.success or bool(np.max(np.abs(solution.gradient)) < 1e-3)
        self.n_customers_ = int(n)
        self.covariance_log_ = _covariance(solution.hessian)

    def _check_unit(self, time_unit: str | None) -> None:
        if time_unit is not None and time_unit != self.time_unit:
            raise ValueError(f"the model was fitted in {self.time_unit}s; the data is in {time_unit}s")

    def summary(self) -> pd.DataFrame:
        """Grain: one row per parameter: name, estimate, standard error, 95% interval (delta method)."""
        est = np.array([self.params_[p] for p in self.param_names])
        se = np.array([self.se_[p] for p in self.param_names])
        # the interval is symmetric on the log scale (parameters are positive)
        sd_log = np.sqrt(np.diag(self.covariance_log_)) if self.covariance_log_ is not None else np.full(len(est),
                                                                                                         np.nan)
        return pd.DataFrame({"parameter": self.param_names, "estimate": est, "std_error": se,
                             "low": est * np.exp(-1.959964 * sd_log), "high": est * np.exp(1.959964 * sd_log)})


def _numerical_hessian(objective, log_params: np.ndarray) -> np.ndarray:
    """Central differences of the gradient of the negative log-likelihood, on the log scale."""
    k = len(log_params)
    hessian = np.zeros((k, k))
    for i in range(k):
        step = 1e-5 * max(1.0, abs(log_params[i]))
        up, down = log_params.copy(), log_params.copy()
        up[i] += step
        down[i] -= step
        hessian[:, i] = (objective(up)[1] - objective(down)[1]) / (2 * step)
    return (hessian + hessian.T) / 2


def _covariance(hessian: np.ndarray) -> np.ndarray | None:
    """The inverse of the observed information (the negative log-likelihood's Hessian on the log scale):
    the covariance of the log parameters, from which SE(theta) = theta x SD(log theta) (delta method).
    None when the likelihood is flat in some direction (no finite variance)."""
    try:
        cov = np.linalg.inv(hessian)
        if np.any(np.diag(cov) < 0) or not np.all(np.isfinite(cov)):
            raise np.linalg.LinAlgError
    except np.linalg.LinAlgError:
        return None
    return cov


def _with_se(model: _Fitted) -> None:
    if model.covariance_log_ is None:
        model.se_ = dict.fromkeys(model.param_names, float("nan"))
        return
    sd = np.sqrt(np.diag(model.covariance_log_))
    model.se_ = {p: model.params_[p] * s for p, s in zip(model.param_names, sd, strict=True)}


def _fit(objective, start: np.ndarray, max_iter: int):
    return minimize(objective, start, jac=True, method="L-BFGS-B", options={"maxiter": max_iter, "gtol": 1e-9,
                                                                             "ftol": 1e-14},
                    bounds=[(-LOG_BOUND, LOG_BOUND)] * len(start))


@dataclass
class _Solution:
    """A maximum of the likelihood: log parameters, the negative log-likelihood there, its gradient and
    Hessian on the log scale, iterations taken, whether the optimiser converged and its message."""

    x: np.ndarray
    value: float
    gradient: np.ndarray
    hessian: np.ndarray
    nit: int
    success: bool
    message: str


def _newton(objective, start: np.ndarray, max_steps: int = 20) -> _Solution | None:
    """Newton's method on ``objective(log_params, hessian=True)``, each step halved until the value falls.

    Near the maximum Newton's steps shrink quadratically (each step's error is about the square of the one
    before), so once a step moves no log parameter by more than NEWTON_TOLERANCE it is taken without another
    pass over the rows: what it leaves is below rounding. None when the Hessian is not positive definite
    (the start is too far away), a step heads beyond the bounds (the maximum is on one), or no step lowers
    the value; the caller then keeps to L-BFGS-B.
    """
    point = np.asarray(start, dtype="float64")
    value, gradient, hessian = objective(point, hessian=True)
    for step_number in range(1, max_steps + 1):
        try:
            step = -cho_solve(cho_factor(hessian), gradient)
        except (np.linalg.LinAlgError, ValueError):  # not positive definite, or not finite
            return None
        if np.max(np.abs(step)) < NEWTON_TOLERANCE:
            return _Solution(point + step, value, gradient, hessian, step_number, True,
                             "converged (Newton steps on every row)")
        if np.any(np.abs(point + step) > LOG_BOUND):
            return None  # heading for a boundary, where L-BFGS-B's bounds hold the parameter
        for _ in range(30):
            trial = point + step
            evaluated = objective(trial, hessian=True)
            if evaluated[0] <= value + 1e-12 * abs(value):
                break
            step = step / 2
        else:
            return None
        point, (value, gradient, hessian) = trial, evaluated
    return None


def _maximise(objective, start: np.ndarray, max_iter: int, sample=None) -> _Solution:
    """The maximum likelihood in two stages: L-BFGS-B from ``start`` on ``sample`` (the same likelihood on a
    thinned sample of the customers; on all of them when None), then Newton's method with the analytic
    Hessian on every row from there. The sample's maximum is close to the full one, so a few passes over all
    rows finish the fit where L-BFGS-B would take twenty; they end with the Hessian the standard errors
    need. Where Newton's method cannot proceed, L-BFGS-B finishes on every row."""
    first = _fit(sample or objective, start, max_iter)
    solution = _newton(objective, first.x)
    if solution is not None:
        solution.nit += int(first.nit)
        return solution
    steps = int(first.nit)
    if sample is not None:
        first = _fit(objective, first.x, max_iter)
        steps += int(first.nit)
    value, gradient, hessian = objective(first.x, hessian=True)
    return _Solution(first.x, value, gradient, hessian, steps, bool(first.success), str(first.message))


def _thinned_rows(x, t_x, T, w, customers: int, seed: int = 0):
    """About ``customers`` of the weighted rows' customers, each kept with the same probability (a binomial
    thinning of the weights; seeded, so a fit is reproducible); None when there are not twice as many."""
    total = float(w.sum())
    if total < 2 * customers:
        return None
    kept = np.random.default_rng(seed).binomial(w.astype(np.int64), customers / total).astype("float64")
    rows = kept > 0
    return x[rows], t_x[rows], T[rows], kept[rows]


# --------------------------------------------------------------------------------------------------- BG/NBD
def bgnbd_log_likelihood(params, x, t_x, T):
    """Per-customer BG/NBD log-likelihood (Fader, Hardie & Lee 2005, equation 6) and its gradient with
    respect to (r, alpha, a, b): returns (ll, gradient of shape (4, n))."""
    r, alpha, a, b = params
    a1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    a2 = gammaln(a + b) + gammaln(b + x) - gammaln(b) - gammaln(a + b + x)
    a3 = -(r + x) * np.log(alpha + T)
    repeat = x > 0
    b_x1 = np.where(repeat, b + x - 1, 1.0)
    a4 = np.where(repeat, np.log(a) - np.log(b_x1) - (r + x) * np.log(alpha + t_x), -np.inf)
    both = np.logaddexp(a3, a4)
    w3 = np.exp(a3 - both)
    w4 = np.where(repeat, 1.0 - w3, 0.0)
    d_r = digamma(r + x) - digamma(r) + np.log(alpha) - w3 * np.log(alpha + T) - w4 * np.log(alpha + t_x)
    d_alpha = r / alpha - w3 * (r + x) / (alpha + T) - w4 * (r + x) / (alpha + t_x)
    d_a = digamma(a + b) - digamma(a + b + x) + w4 / a
    d_b = digamma(a + b) + digamma(b + x) - digamma(b) - digamma(a + b + x) - w4 / b_x1
    return a1 + a2 + both, np.stack([d_r, d_alpha, d_a, d_b])


class BetaGeoModel(_Fitted):
    """BG/NBD: purchases follow a Poisson process at a Gamma(r, alpha) distributed rate while the customer
    is alive; after each purchase they drop out with a Beta(a, b) distributed probability.

    Parameters
    ----------
    time_unit : "day" or "week": the unit of t_x and T (alpha is in this unit: alpha_days = 7 alpha_weeks).
    compress_rows : fit on customers grouped by identical (x, t_x, T), weighted (same estimates, faster).
    max_iter : iterations of the optimiser.
    n_jobs : threads that evaluate the likelihood's rows (from 100,000 distinct repeat-buyer rows; default: the
        machine's cores, at most 4).
    """

    param_names = ("r", "alpha", "a", "b")

    def __init__(self, time_unit: str = "week", compress_rows: bool = True, max_iter: int = 500,
                 n_jobs: int | None = None):
        if time_unit not in TIME_UNITS:
            raise ValueError("time_unit is 'day' or 'week'")
        self.time_unit = time_unit
        self.compress_rows = compress_rows
        self.max_iter = max_iter
        self.n_jobs = n_jobs

    def fit(self, summary: pd.DataFrame, time_unit: str | None = None) -> BetaGeoModel:
        self._check_unit(time_unit)
        x, t_x, T = _columns(summary, ("x", "t_x", "T"))
        _check_summary(x, t_x, T)
        if self.compress_rows:
            x, t_x, T, w = compress(x, t_x, T)
        else:
            w = np.ones_like(x)
        data = _BGNBDData(x, t_x, T, w, self.n_jobs or min(4, os.cpu_count() or 1))
        scale = float(np.max(T)) / 10.0 or 1.0  # alpha starts at a tenth of the longest age
        shift = np.array([0.0, np.log(scale), 0.0, 0.0])
        thinned = _thinned_rows(x, t_x, T, w, SAMPLE_CUSTOMERS)
        sample = _BGNBDData(*thinned) if thinned is not None else None
        try:
            solution = _maximise(lambda p, hessian=False: data.objective(p + shift, hessian), np.zeros(4),
                                 self.max_iter, sample and (lambda p: sample.objective(p + shift)))
        finally:
            data.close()
        solution.x = solution.x + shift
        self._keep(solution, len(summary))
        _with_se(self)
        return self

    def _p(self):
        return self.params_["r"], self.params_["alpha"], self.params_["a"], self.params_["b"]

    def expected_purchases(self, t: float, summary: pd.DataFrame) -> np.ndarray:
        """Expected purchases in the next ``t`` time units for each customer (equation 10)."""
        r, alpha, a, b = self._p()
        x, t_x, T = _columns(summary, ("x", "t_x", "T"))
        return _bgnbd_expected(r, alpha, a, b, x, t_x, T, t)

    def p_alive(self, summary: pd.DataFrame) -> np.ndarray:
        """Probability that each customer is still alive at T (equation 13)."""
        r, alpha, a, b = self._p()
        x, t_x, T = _columns(summary, ("x", "t_x", "T"))
        return _bgnbd_alive(r, alpha, a, b, x, t_x, T)

    def expected_new_customer(self, t: float) -> float:
        """Expected purchases of a new customer in ``t`` time units (equation 7)."""
        r, alpha, a, b = self._p()
        z = t / (alpha + t)
        return float((a + b - 1) / (a - 1) * (1 - (alpha / (alpha + t)) ** r * hyp2f1(r, b, a + b - 1, z)))


def _bgnbd_alive(r, alpha, a, b, x, t_x, T):
    b_x1 = np.where(x > 0, b + x - 1, 1.0)
    odds = np.where(x > 0, a / b_x1 * np.exp((r + x) * (np.log(alpha + T) - np.log(alpha + t_x))), 0.0)
    return 1.0 / (1.0 + odds)


def _bgnbd_expected(r, alpha, a, b, x, t_x, T, t):
    z = t / (alpha + T + t)
    head = (a + b + x - 1) / (a - 1)
    tail = 1 - np.exp((r + x) * (np.log(alpha + T) - np.log(alpha + T + t))) * hyp2f1(r + x, b + x, a + b + x - 1, z)
    return head * tail * _bgnbd_alive(r, alpha, a, b, x, t_x, T)


# ----------------------------------------------------------------------------------------------- Pareto/NBD
def _pareto_log_a0(r, alpha, s, beta, x, t_x, T):
    if alpha >= beta:
        low, high, t = beta, alpha, s + 1
    else:
        low, high, t = alpha, beta, r + x
    rsx = r + s + x
    diff = high - low
    p1 = hyp2f1(rsx, t, rsx + 1, diff / (high + t_x))
    p2 = hyp2f1(rsx, t, rsx + 1, diff / (high + T))
    q1, q2 = high + t_x, high + T
    terms = np.stack([np.log(p1) + rsx * np.log(q2), np.log(p2) + rsx * np.log(q1)])
    signs = np.stack([np.ones_like(p1), -np.ones_like(p2)])
    return logsumexp(terms, axis=0, b=signs) - rsx * np.log(q1 * q2)


def pareto_log_likelihood(params, x, t_x, T):
    """Per-customer Pareto/NBD log-likelihood (Fader, Hardie & Lee 2005, "A note on deriving ...")."""
    r, alpha, s, beta = params
    a1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha) + s * np.log(beta)
    log_a0 = _pareto_log_a0(r, alpha, s, beta, x, t_x, T)
    a2 = np.logaddexp(-(r + x) * np.log(alpha + T) - s * np.log(beta + T), np.log(s) + log_a0 - np.log(r + s + x))
    return a1 + a2


class ParetoNBDModel(_Fitted):
    """Pareto/NBD: Poisson purchases at a Gamma(r, alpha) rate, an exponential lifetime at a Gamma(s, beta)
    rate. Fitted on compressed rows with a numerical gradient (its likelihood holds a hypergeometric term).

    Parameters
    ----------
    time_unit : "day" or "week".
    max_iter : iterations of the optimiser.
    """

    param_names = ("r", "alpha", "s", "beta")

    def __init__(self, time_unit: str = "week", max_iter: int = 500):
        if time_unit not in TIME_UNITS:
            raise ValueError("time_unit is 'day' or 'week'")
        self.time_unit = time_unit
        self.max_iter = max_iter

    def fit(self, summary: pd.DataFrame, time_unit: str | None = None) -> ParetoNBDModel:
        self._check_unit(time_unit)
        x, t_x, T = _columns(summary, ("x", "t_x", "T"))
        _check_summary(x, t_x, T)
        x, t_x, T, w = compress(x, t_x, T)

        def value(log_params):
            return -float(w @ pareto_log_likelihood(np.exp(log_params), x, t_x, T))

        def objective(log_params):
            grad = np.zeros(4)
            for i in range(4):
                step = 1e-6 * max(1.0, abs(log_params[i]))
                up, down = log_params.copy(), log_params.copy()
                up[i] += step
                down[i] -= step
                grad[i] = (value(up) - value(down)) / (2 * step)
            return value(log_params), grad

        scale = float(np.max(T)) / 10.0 or 1.0
        shift = np.array([0.0, np.log(scale), 0.0, np.log(scale)])
        result = _fit(lambda p: objective(p + shift), np.zeros(4), self.max_iter)
        self._finish(result, objective, shift, len(summary))
        _with_se(self)
        return self

    def p_alive(self, summary: pd.DataFrame) -> np.ndarray:
        r, alpha, s, beta = (self.params_[p] for p in self.param_names)
        x, t_x, T = _columns(summary, ("x", "t_x", "T"))
        log_a0 = _pareto_log_a0(r, alpha, s, beta, x, t_x, T)
        log_odds = (np.log(s) - np.log(r + s + x) + (r + x) * np.log(alpha + T) + s * np.log(beta + T) + log_a0)
        return 1.0 / (1.0 + np.exp(log_odds))

    def expected_purchases(self, t: float, summary: pd.DataFrame) -> np.ndarray:
        """Expected purchases in the next ``t`` time units (Schmittlein, Morrison & Colombo 1987)."""
        r, alpha, s, beta = (self.params_[p] for p in self.param_names)
        x, _, T = _columns(summary, ("x", "t_x", "T"))
        head = (r + x) * (beta + T) / ((alpha + T) * (s - 1))
        return head * (1 - ((beta + T) / (beta + T + t)) ** (s - 1)) * self.p_alive(summary)


# ---------------------------------------------------------------------------------------------- Gamma-Gamma
def gamma_gamma_log_likelihood(params, x, m):
    """Per-customer Gamma-Gamma log-likelihood of the mean repeat spend m over x repeat purchases (Fader &
    Hardie 2013), up to the term that holds no parameter, and its gradient in (p, q, gamma)."""
    p, q, g = params
    px = p * x
    ll = (gammaln(px + q) - gammaln(px) - gammaln(q) + q * np.log(g) + (px - 1) * np.log(m) + px * np.log(x)
          - (px + q) * np.log(g + m * x))
    d_p = x * (digamma(px + q) - digamma(px) + np.log(m) + np.log(x) - np.log(g + m * x))
    d_q = digamma(px + q) - digamma(q) + np.log(g) - np.log(g + m * x)
    d_g = q / g - (px + q) / (g + m * x)
    return ll, np.stack([d_p, d_q, d_g])


class _GammaGammaData:
    """The Gamma-Gamma likelihood of repeat buyers (x > 0, m > 0), evaluated cheaply: the special functions
    once per distinct x; per customer only g + m x, its logarithm and reciprocal (and the reciprocal's square
    for the Hessian), summed per distinct x over the customers sorted by x."""

    def __init__(self, x: np.ndarray, m: np.ndarray):
        order = np.argsort(x, kind="stable")
        x, m = x[order], m[order]
        self.ux, starts, counts = np.unique(x, return_index=True, return_counts=True)
        self.starts = starts
        self.n_x = counts.astype("float64")
        self.n = float(len(x))
        self.constant_p = float(x @ np.log(m) + x @ np.log(x))  # sum of x (ln m + ln x): no parameter in it
        self.sum_log_m = float(np.log(m).sum())
        self.mx = m * x

    def objective(self, log_params, hessian: bool = False):
        """(- log-likelihood, - gradient[, - Hessian]) in the log parameters (Fader & Hardie 2013)."""
        p, q, g = params = np.exp(log_params)
        ux, n_x, n = self.ux, self.n_x, self.n
        pux = p * ux
        shifted = g + self.mx
        log_x = np.add.reduceat(np.log(shifted), self.starts)  # per distinct x: sum of ln(g + m x)
        np.reciprocal(shifted, out=shifted)
        inv_x = np.add.reduceat(shifted, self.starts)  # per distinct x: sum of 1 / (g + m x)
        ll = (n_x @ (gammaln(pux + q) - gammaln(pux) - gammaln(q)) + n * q * np.log(g) + p * self.constant_p
              - self.sum_log_m - p * (ux @ log_x) - q * log_x.sum())
        gradient = np.array([n_x @ (ux * (digamma(pux + q) - digamma(pux))) + self.constant_p - ux @ log_x,
                             n_x @ (digamma(pux + q) - digamma(q)) + n * np.log(g) - log_x.sum(),
                             n * q / g - (p * (ux @ inv_x) + q * inv_x.sum())])
        if not hessian:
            return -float(ll), -gradient * params
        np.square(shifted, out=shifted)
        inv2_x = np.add.reduceat(shifted, self.starts)  # per distinct x: sum of 1 / (g + m x)^2
        t_pq = polygamma(1, pux + q)
        h = np.empty((3, 3))
        h[0, 0] = n_x @ (ux**2 * (t_pq - polygamma(1, pux)))
        h[0, 1] = n_x @ (ux * t_pq)
        h[1, 1] = n_x @ (t_pq - polygamma(1, q))
        h[0, 2] = -(ux @ inv_x)
        h[1, 2] = n / g - inv_x.sum()
        h[2, 2] = -n * q / g**2 + p * (ux @ inv2_x) + q * inv2_x.sum()
        h = np.triu(h) + np.triu(h, 1).T
        return -float(ll), -gradient * params, _log_scale_hessian(-h, -gradient, params)


class GammaGammaModel(_Fitted):
    """Gamma-Gamma: each customer's spend per purchase is Gamma(p, nu) with nu ~ Gamma(q, gamma); fitted on
    repeat buyers (x > 0, monetary > 0) only. Spend is assumed independent of purchase frequency.

    Parameters
    ----------
    max_iter : iterations of the optimiser.
    """

    param_names = ("p", "q", "gamma")
    time_unit = "any"

    def __init__(self, max_iter: int = 500):
        self.max_iter = max_iter

    def fit(self, summary: pd.DataFrame) -> GammaGammaModel:
        x, m = _columns(summary, ("x", "monetary"))
        keep = (x > 0) & (m > 0)
        x, m = x[keep], m[keep]
        if len(x) == 0:
            raise ValueError("no repeat buyers with spend to fit the spend model")
        scale = float(np.mean(m)) or 1.0  # gamma starts at the mean spend
        shift = np.array([0.0, 0.0, np.log(scale)])
        data = _GammaGammaData(x, m)
        every = len(x) // SAMPLE_CUSTOMERS
        sample = _GammaGammaData(x[::every], m[::every]) if every >= 2 else None
        solution = _maximise(lambda p, hessian=False: data.objective(p + shift, hessian), np.zeros(3),
                             self.max_iter, sample and (lambda p: sample.objective(p + shift)))
        solution.x = solution.x + shift
        self._keep(solution, len(x))
        _with_se(self)
        return self

    def expected_spend(self, summary: pd.DataFrame) -> np.ndarray:
        """E[spend per purchase | x, monetary]: a weighted mean of the population mean p gamma / (q - 1) and
        the customer's own mean (Fader & Hardie 2013, equation 5). Customers without repeat purchases get
        the population mean."""
        p, q, g = (self.params_[k] for k in self.param_names)
        x, m = _columns(summary, ("x", "monetary"))
        m = np.where(x > 0, m, 0.0)
        return (p * (g + x * m)) / (p * x + q - 1)

    def population_mean(self) -> float:
        p, q, g = (self.params_[k] for k in self.param_names)
        return p * g / (q - 1) if q > 1 else float("nan")
