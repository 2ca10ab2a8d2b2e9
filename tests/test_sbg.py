"""The sBG retention model against Fader & Hardie (2007), "How to project customer retention": fitted on
the first seven years of their two cohorts of 1,000 customers, alpha and beta as published, and the
projection of years 8-12 close to what happened."""

from __future__ import annotations

import numpy as np
import pytest

from crm_metrics.sbg import ShiftedBetaGeometric

REGULAR = [1000, 631, 468, 382, 326, 289, 262, 241, 223, 207, 194, 183, 173]
HIGH_END = [1000, 869, 743, 653, 593, 551, 517, 491, 468, 445, 427, 409, 394]


@pytest.mark.parametrize(("survivors", "alpha", "beta", "log_likelihood"),
                         [(REGULAR, 0.704, 1.182, -1680.3), (HIGH_END, 0.668, 3.806, -1611.2)])
def test_published_parameters(survivors, alpha, beta, log_likelihood):
    model = ShiftedBetaGeometric().fit(survivors[:8])
    assert model.alpha_ == pytest.approx(alpha, abs=0.005)
    assert model.beta_ == pytest.approx(beta, abs=0.005)
    assert model.log_likelihood_ == pytest.approx(log_likelihood, abs=0.5)
    projected = model.project(12)
    # the paper's point: seven years project the next five well (within a few percent)
    assert np.max(np.abs(projected[8:] / np.array(survivors[8:]) - 1)) < 0.06


def test_survival_and_retention_by_hand():
    model = ShiftedBetaGeometric()
    model.alpha_, model.beta_, model.n0_ = 1.0, 1.0, 100.0
    # alpha = beta = 1: P(T=1) = 1/2, P(T=2) = 1/2 x 1/3 = 1/6, S = 1, 1/2, 1/3, 1/4
    assert model.survival(3) == pytest.approx([1, 1 / 2, 1 / 3, 1 / 4])
    assert model.retention_rates(3) == pytest.approx([1 / 2, 2 / 3, 3 / 4])  # retention rises with tenure
    with pytest.raises(ValueError):
        ShiftedBetaGeometric().fit([100, 120, 90])
