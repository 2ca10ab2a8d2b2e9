"""The shifted-beta-geometric (sBG) model of contractual retention (Fader & Hardie 2007, "How to project
customer retention", Journal of Interactive Marketing 21(1)).

Each customer cancels at the end of any period with a constant personal probability theta, theta ~
Beta(alpha, beta) across customers. With P(T = t) the chance a customer's tenure ends at period t:
P(T = 1) = alpha / (alpha + beta); P(T = t) = (beta + t - 2) / (alpha + beta + t - 1) x P(T = t - 1);
survival S(t) = 1 - sum of P(T = i) for i <= t. Fitted by maximum likelihood on a cohort's survivor
counts n_0 >= n_1 >= ... >= n_T: LL = sum over t of (n_(t-1) - n_t) ln P(T = t) + n_T ln S(T).
Retention rises with tenure because the customers prone to leave leave first.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize


def _probabilities(alpha: float, beta: float, periods: int) -> tuple[np.ndarray, np.ndarray]:
    """P(T = t) and S(t) for t = 1..periods."""
    t = np.arange(1, periods + 1)
    ratios = np.ones(periods)
    ratios[0] = alpha / (alpha + beta)
    ratios[1:] = (beta + t[1:] - 2) / (alpha + beta + t[1:] - 1)
    p = np.cumprod(ratios)
    return p, 1.0 - np.cumsum(p)


class ShiftedBetaGeometric:
    """sBG retention model, scikit-learn style: ``fit(survivors)`` returns self; ``alpha_``, ``beta_``,
    ``log_likelihood_`` after fitting. ``survivors``: the cohort's size at period 0, 1, 2, ... (not
    increasing)."""

    def __init__(self, max_iter: int = 500):
        self.max_iter = max_iter

    def fit(self, survivors) -> ShiftedBetaGeometric:
        n = np.asarray(survivors, dtype="float64")
        if n.ndim != 1 or len(n) < 3 or n[0] <= 0 or np.any(np.diff(n) > 0) or np.any(n < 0):
            raise ValueError("survivors: at least three counts, the first positive, none above the one before")
        lost = n[:-1] - n[1:]

        def negative_ll(log_params):
            alpha, beta = np.exp(log_params)
            p, s = _probabilities(alpha, beta, len(lost))
            return -float(lost @ np.log(p) + n[-1] * np.log(s[-1]))

        result = minimize(negative_ll, np.zeros(2), method="Nelder-Mead",
                          options={"maxiter": self.max_iter, "xatol": 1e-8, "fatol": 1e-10})
        self.alpha_, self.beta_ = (float(v) for v in np.exp(result.x))
        self.log_likelihood_ = -float(result.fun)
        self.converged_ = bool(result.success)
        self.n0_ = float(n[0])
        return self

    def survival(self, periods: int) -> np.ndarray:
        """S(t) for t = 0..periods (S(0) = 1)."""
        return np.concatenate([[1.0], _probabilities(self.alpha_, self.beta_, periods)[1]])

    def project(self, periods: int) -> np.ndarray:
        """Expected survivors of the fitted cohort at t = 0..periods."""
        return self.n0_ * self.survival(periods)

    def retention_rates(self, periods: int) -> np.ndarray:
        """r_t = S(t) / S(t - 1) = (beta + t - 1) / (alpha + beta + t - 1), t = 1..periods."""
        t = np.arange(1, periods + 1)
        return (self.beta_ + t - 1) / (self.alpha_ + self.beta_ + t - 1)
