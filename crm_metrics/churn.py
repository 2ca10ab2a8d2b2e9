"""Churn risk: which active customers will stop buying, evaluated honestly, and the at-risk list.

- **Definition**: a customer active at a cut-off (bought in the ``active_days`` before it) has churned when
  they place no completed order in the ``horizon_days`` after it. The default horizon is read from the data:
  the 90th percentile of the days between a customer's consecutive purchases (nine in ten repeat
  purchases come sooner), rounded up to a week.
- **Features** (``sql/churn_features.sql``) read only what was known at the cut-off.
- **Time split, no leakage**: the model trains at cut-off ``as_of - 2 x horizon`` (labels from the horizon
  after it, which ends at the evaluation cut-off) and is evaluated at ``as_of - horizon`` (labels up to
  ``as_of``); today's customers are scored at ``as_of``.
- **Models**: scikit-learn gradient boosting (``HistGradientBoostingClassifier``), with logistic regression
  as the transparent baseline, both against the rule "no purchase for a long time" (recency as the score).
- **Honest on small data**: too few churners or stayers to learn from is said in words, and the rule is
  shown instead.
- **One model for the whole base**: the models learn from every customer (:func:`fit_whole_base`, once per
  data version); the shared filters choose which customers are evaluated and listed (:func:`for_customers`).
  A model refitted on each slice would learn from a thinner history and take a minute per filter change at a
  million customers. The drivers are those of the whole base.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from sklearn.calibration import calibration_curve
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from crm_metrics import db, scope
from crm_metrics.filters import Filters
from crm_metrics.reporting import data_span  # noqa: F401  (re-exported for callers and tests)
from crm_metrics.reports import register

FEATURES: dict[str, str] = {
    "recency_days": "days since the last order",
    "tenure_days": "days since the first order",
    "purchase_days": "number of purchase days",
    "orders": "number of orders",
    "revenue": "total spend",
    "average_order": "average order value",
    "revenue_last_90": "spend in the last 90 days",
    "revenue_prior_90": "spend in the 90 days before that",
    "channels_used": "sales channels used",
    "mean_gap": "usual days between purchases",
    "gap_variation": "how irregular the purchases are",
    "campaigns_received": "campaigns received",
    "campaigns_answered": "campaigns answered with an order",
    "tickets": "support tickets",
    "ticket_satisfaction": "satisfaction with support",
    "open_tickets": "open support tickets",
    "last_ticket_satisfaction": "satisfaction with the latest rated support ticket",
    "days_since_ticket": "days since the latest support ticket",
    "survey_csat": "survey satisfaction (CSAT)",
    "survey_nps": "likelihood to recommend (NPS answer)",
    "referrals": "customers referred",
    "satisfaction": "satisfaction (support ratings and surveys, 1-5)",
    "tickets_per_order": "support tickets per order",
}
MIN_CLASS = 50  # churners and stayers needed, each, to learn from
# Shuffles per feature for its permutation importance: three keep the 1M-customer run inside its minute;
# themes, read first, get five.
DRIVER_REPEATS = 3
# Test customers the drivers are measured on (a random sample above this size): 10,000 put the standard
# error of an AUC drop near 0.003, enough to order the drivers, and keep the 1M run well inside a minute.
DRIVER_SAMPLE = 10_000
# Training customers the models are fitted on (a random sample above this size, stratified by the label):
# beyond 100,000 the test AUC moves in the third decimal while the fit takes five times as long.
MAX_TRAIN = 100_000
# Churners and stayers of a selection, each, needed to measure the model on it: below this its AUC and
# precision are noise, and the page says so instead of showing them.
MIN_EVALUATE = 20


@dataclass(frozen=True)
class ChurnOptions:
    """horizon_days : days without an order that count as churn (None: from the data).
    active_days : a customer counts as active at a cut-off when they bought in this many days before it.
    list_share : the share of customers a retention team can act on (precision and recall are read there).
    random_state : seed of the models and the permutation importance.
    fit_customers : above this many customers, the training and test cut-offs read a systematic sample
        (every k-th customer in id order; the models fit on at most MAX_TRAIN of it anyway) and today's
        customers are scored part by part (:func:`score_parts`): no step holds every customer's features.
    """

    horizon_days: int | None = None
    active_days: int = 365
    list_share: float = 0.1
    random_state: int = 0
    fit_customers: int = 2_000_000


def default_horizon(cur, as_of: dt.date, filters: Filters | None = None) -> tuple[int, str]:
    """The churn horizon read from the data, and the sentence that explains it."""
    row = db.query_df(cur, "churn_gaps", {"as_of": as_of, **(filters or Filters()).params()}).iloc[0]
    if pd.isna(row["p90"]) or row["gaps"] < 20:
        return 90, "Too few repeat purchases to read a horizon from the data; 90 days is used."
    days = int(min(max(7 * math.ceil(row["p90"] / 7), 14), 365))
    return days, (f"Nine in ten repeat purchases come within {row['p90']:.0f} days of the previous one, so a "
                  f"customer with no order for {days} days (rounded up to whole weeks) counts as churned.")


def features(cur, cutoff: dt.date, horizon_days: int, filters: Filters | None = None,
             active_days: int = 365, part: tuple[int, int] = (0, 1)) -> pd.DataFrame:
    """Grain: one row per customer active at ``cutoff``: FEATURES, and ``churned`` (no order in the
    ``horizon_days`` after it; meaningless for a cut-off whose horizon reaches past the data). With
    ``part`` = (p, k), only the customers whose customer_key % k = p."""
    return db.query_df(cur, "churn_features", {"cutoff": cutoff, "horizon": horizon_days, "active_days": active_days,
                                               "part": part[0], "part_count": part[1],
                                               **(filters or Filters()).params()})


def _matrix(frame: pd.DataFrame, columns: list[str] | None = None) -> np.ndarray:
    return frame[columns or list(FEATURES)].astype("float64").to_numpy()


def informative(frame: pd.DataFrame) -> list[str]:
    """The FEATURES that tell the training customers apart: at least two distinct recorded values. A data set
    with no tickets, surveys or campaigns leaves those columns empty or constant; they carry nothing to learn
    from (and an empty column breaks the gradient-boosting binning), so they are left out."""
    X = _matrix(frame)
    keep = []
    for i, name in enumerate(FEATURES):
        known = X[:, i][~np.isnan(X[:, i])]
        if len(known) and known.min() < known.max():
            keep.append(name)
    return keep


class ChurnModel:
    """A churn classifier with scikit-learn's conventions (``fit`` returns self; fitted attributes end in
    ``_``). ``kind``: "gradient_boosting" (missing values handled natively) or "logistic" (standardised,
    missing values filled with the training median, a transparent baseline)."""

    def __init__(self, kind: str = "gradient_boosting", random_state: int = 0):
        if kind not in ("gradient_boosting", "logistic"):
            raise ValueError("kind is 'gradient_boosting' or 'logistic'")
        self.kind = kind
        self.random_state = random_state

    def fit(self, frame: pd.DataFrame) -> ChurnModel:
        self.features_ = informative(frame)
        if not self.features_:
            raise ValueError("no feature has two distinct values among the training customers")
        self.left_out_ = [f for f in FEATURES if f not in self.features_]
        X, y = _matrix(frame, self.features_), frame["churned"].astype(int).to_numpy()
        if self.kind == "gradient_boosting":
            self.estimator_ = HistGradientBoostingClassifier(max_iter=200, learning_rate=0.08,
                                                             random_state=self.random_state)
            self.fill_ = None
        else:
            self.fill_ = np.nanmedian(X, axis=0)
            self.fill_ = np.where(np.isnan(self.fill_), 0.0, self.fill_)
            self.estimator_ = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
            X = self._filled(X)
        self.estimator_.fit(X, y)
        self.n_train_ = len(y)
        return self

    def _filled(self, X: np.ndarray) -> np.ndarray:
        if self.fill_ is None:
            return X
        return np.where(np.isnan(X), self.fill_, X)

    def predict_proba(self, frame: pd.DataFrame) -> np.ndarray:
        """Probability of churn for each row."""
        return self.estimator_.predict_proba(self._filled(_matrix(frame, self.features_)))[:, 1]


def rank_auc(y: np.ndarray, score: np.ndarray) -> float:
    """ROC AUC as the Mann-Whitney statistic: the chance that a random positive scores above a random
    negative, ties counting one half (average ranks). The same number as scikit-learn's roc_auc_score, from
    one sort, without its input validation (which costs more than the sum on a filter change)."""
    order = ranking(score)
    return _ranked_auc(np.asarray(y)[order], np.asarray(score)[order])


def evaluate(churned: np.ndarray, score: np.ndarray, list_share: float) -> dict:
    """ROC AUC; precision and recall when the top ``list_share`` by score is called; the gains curve (share
    of churners found against share of customers contacted) and lift at the list share."""
    order = ranking(score)
    return evaluate_ranked(churned[order], score[order], list_share)


def ranking(score: np.ndarray) -> np.ndarray:
    """The positions of ``score`` from the highest score down, ties in their own order: the order a list
    is worked in."""
    return np.argsort(-score, kind="stable")


def evaluate_ranked(churned: np.ndarray, score: np.ndarray, list_share: float) -> dict:
    """:func:`evaluate` of customers already in :func:`ranking` order (``churned`` and ``score`` both in it):
    a selection of a ranked base keeps the base's order, so its evaluation needs no sort of its own."""
    y = churned.astype(int)
    found = np.cumsum(y)
    k = max(1, int(round(list_share * len(y))))
    base = y.mean()
    steps = np.linspace(0, 1, 21)
    idx = np.clip((steps * len(y)).astype(int) - 1, 0, len(y) - 1)
    gains = np.where(steps == 0, 0.0, found[idx] / max(found[-1], 1))
    return {
        "auc": _ranked_auc(y, score) if 0 < found[-1] < len(y) else math.nan,
        "precision_at_k": float(found[k - 1] / k),
        "recall_at_k": float(found[k - 1] / max(found[-1], 1)),
        "lift_at_k": float(found[k - 1] / k / base) if base else math.nan,
        "gains": pd.DataFrame({"contacted": steps, "churners_found": gains}),
        "base_rate": float(base),
    }


def _ranked_auc(y: np.ndarray, score: np.ndarray) -> float:
    """:func:`rank_auc` of customers in :func:`ranking` order: the customers tied on a score at positions
    i..j-1 from the top share the average ascending rank (2n - i - j + 1) / 2."""
    n = len(y)
    starts = np.flatnonzero(np.r_[True, score[1:] != score[:-1]])
    ends = np.r_[starts[1:], n]
    positives = int(y.sum())
    rank_sum = float(np.dot(np.add.reduceat(y, starts), (2 * n - starts - ends + 1) / 2))
    return (rank_sum - positives * (positives + 1) / 2) / (positives * (n - positives))


@dataclass
class ChurnResult:
    """Everything the Retention page shows about churn."""

    horizon_days: int
    horizon_text: str
    train_cutoff: dt.date
    test_cutoff: dt.date
    as_of: dt.date
    problems: list[str] = field(default_factory=list)  # what stands in the way of a model, in words
    # why the customers evaluated cannot measure the model (too few churners or stayers), if they cannot
    evaluation_problem: str | None = None
    metrics: dict[str, dict] = field(default_factory=dict)  # "gradient_boosting", "logistic", "rule"
    calibration: pd.DataFrame | None = None
    drivers: pd.DataFrame | None = None
    themes: pd.DataFrame | None = None
    scored: pd.DataFrame | None = None  # today's active customers with churn_probability
    # the evaluation cut-off's customers: customer_id, customer_key, churned and each model's score ("rule":
    # recency)
    test_scores: pd.DataFrame | None = None
    # each score column's ranking of test_scores' rows (churn.ranking): a selection keeps it, unsorted
    test_ranking: dict[str, np.ndarray] = field(default_factory=dict)
    list_share: float = 0.1
    selected: int | None = None  # customers the filters select (None: every customer)
    n_train: int = 0
    n_fit: int = 0  # training customers the models were fitted on (all of n_train up to MAX_TRAIN)
    sample_every: int = 1  # the cut-offs read every k-th customer (1: all of them; see ChurnOptions.fit_customers)
    active_days: int = 365  # the activity window the model was trained with (score_parts scores with it)
    model: ChurnModel | None = None  # the gradient-boosting model that scores (None: the rule scores)
    left_out: list[str] = field(default_factory=list)  # FEATURES with no information in this data (not used)
    n_test: int = 0
    train_churn_rate: float = math.nan

    @property
    def messages(self) -> list[str]:
        """Everything the page should say in words before the numbers."""
        return self.problems + ([self.evaluation_problem] if self.evaluation_problem else [])

    @property
    def learned(self) -> bool:
        return "gradient_boosting" in self.metrics


def train_and_evaluate(cur, as_of: dt.date | None = None, filters: Filters | None = None,
                       options: ChurnOptions | None = None) -> ChurnResult | None:
    """The whole-base model (:func:`fit_whole_base`) seen on the customers ``filters`` select."""
    options = options or ChurnOptions()
    base = fit_whole_base(cur, as_of, options)
    if base is None:
        return None
    return for_customers(base, scope.customer_keys(cur, filters), options.list_share)


def fit_whole_base(cur, as_of: dt.date | None = None, options: ChurnOptions | None = None) -> ChurnResult | None:
    """Train at ``as_of - 2 horizon``, evaluate at ``as_of - horizon``, score today's active customers: every
    customer, no filter. None when there are no orders."""
    options = options or ChurnOptions()
    if as_of is None:
        as_of = data_span(cur)[1]
        if as_of is None:
            return None
    if options.horizon_days:
        horizon, text = options.horizon_days, f"A customer with no order for {options.horizon_days} days counts as " \
                                              "churned (your setting)."
    else:
        horizon, text = default_horizon(cur, as_of)
    test_cut = as_of - dt.timedelta(days=horizon)
    train_cut = test_cut - dt.timedelta(days=horizon)
    result = ChurnResult(horizon, text, train_cut, test_cut, as_of, list_share=options.list_share,
                         active_days=options.active_days)
    every = scope.sample_every(cur, as_of, options.fit_customers)
    result.sample_every = every
    train = features(cur, train_cut, horizon, None, options.active_days, (0, every))
    test = features(cur, test_cut, horizon, None, options.active_days, (0, every))
    now = features(cur, as_of, horizon, None, options.active_days) if every == 1 else \
        pd.concat(features(cur, as_of, horizon, None, options.active_days, (p, every)) for p in range(every))
    result.n_train = len(train)
    result.test_scores = pd.DataFrame({"customer_id": test["customer_id"].astype(str),
                                       "customer_key": test["customer_key"].to_numpy(dtype="int64"),
                                       "churned": test["churned"].astype(bool),
                                       "rule": test["recency_days"].to_numpy(dtype="float64")})
    churners = int(train["churned"].sum()) if len(train) else 0
    result.train_churn_rate = churners / len(train) if len(train) else math.nan
    if min(churners, len(train) - churners) < MIN_CLASS or len(test) < 2 * MIN_CLASS:
        result.problems.append(
            f"Too little history to learn churn from: the training cut-off ({train_cut:%d %b %Y}) has {churners:,} "
            f"churners and {len(train) - churners:,} customers who stayed; at least {MIN_CLASS} of each are needed. "
            "The rule below (longest without an order first) is shown instead; more order history would let a "
            "model learn.")
        result.scored = _score_rule(now)
        _evaluate(result, result.test_scores)
        return result
    fit_on = training_sample(train, MAX_TRAIN, options.random_state)
    result.n_fit = len(fit_on)
    models = {kind: ChurnModel(kind, options.random_state).fit(fit_on) for kind in ("gradient_boosting", "logistic")}
    for kind, model in models.items():
        result.test_scores[kind] = model.predict_proba(test)
    best = models["gradient_boosting"]
    result.model = best
    result.left_out = best.left_out_
    result.drivers = drivers(best, test, options.random_state)
    result.themes = driver_themes(best, test, options.random_state)
    scored = now.drop(columns=["churned"]).copy()
    scored["churn_probability"] = best.predict_proba(now) if len(now) else []
    result.scored = scored
    _evaluate(result, result.test_scores)
    return result


def score_parts(cur, result: ChurnResult, parts: int) -> Iterator[pd.DataFrame]:
    """Today's active customers with their churn probability, one part of the base at a time
    (customer_key % parts): each part's features come from the engine and are scored here, so no step holds
    more than about 1 / ``parts`` of the customers. Yields frames like ``result.scored``."""
    if parts < 1:
        raise ValueError("parts is at least 1")
    for part in range(parts):
        now = features(cur, result.as_of, result.horizon_days, None, result.active_days, (part, parts))
        scored = now.drop(columns=["churned"])
        scored["churn_probability"] = result.model.predict_proba(now) if result.model and len(now) else np.nan
        yield scored


def _evaluate(result: ChurnResult, scores: pd.DataFrame, rankings: dict[str, np.ndarray] | None = None) -> None:
    """Fill ``result``'s metrics and calibration from the evaluation cut-off's ``scores``: the rule always
    (when anyone was active), the models when they were fitted and ``scores`` hold at least MIN_EVALUATE
    churners and as many stayers. ``rankings``: each score column's :func:`ranking` of ``scores``' rows,
    ranked here when not given; kept as ``result.test_ranking``."""
    result.n_test = len(scores)
    result.metrics, result.calibration, result.evaluation_problem = {}, None, None
    rankings = dict(rankings or {})
    for kind in ("rule", "gradient_boosting", "logistic"):
        if kind in scores and kind not in rankings:
            rankings[kind] = ranking(scores[kind].to_numpy(dtype="float64"))
    result.test_ranking = rankings
    if not len(scores):
        return
    y = scores["churned"].to_numpy()

    def measured(kind: str) -> dict:
        order = rankings[kind]
        return evaluate_ranked(y[order], scores[kind].to_numpy(dtype="float64")[order], result.list_share)

    result.metrics["rule"] = measured("rule")
    if "gradient_boosting" not in scores:
        return
    churners = int(y.sum())
    if min(churners, len(y) - churners) < MIN_EVALUATE:
        result.evaluation_problem = (
            f"Of the customers selected, {churners:,} churned and {len(y) - churners:,} stayed after the test "
            f"cut-off ({result.test_cutoff:%d %b %Y}): too few to measure the model on them (at least "
            f"{MIN_EVALUATE} of each). Their churn probabilities below come from the model trained on every "
            "customer.")
        return
    for kind in ("gradient_boosting", "logistic"):
        result.metrics[kind] = measured(kind)
    observed, predicted = calibration_curve(y.astype(int), scores["gradient_boosting"].to_numpy(), n_bins=10,
                                            strategy="quantile")
    result.calibration = pd.DataFrame({"predicted": predicted, "observed": observed})


def _rankings_within(base: ChurnResult, member: np.ndarray) -> dict[str, np.ndarray]:
    """``base``'s rankings of its test rows, narrowed to the rows where ``member`` holds and numbered as
    those rows are in the selection (which keeps their order): ties stay in row order, as a sort would
    leave them."""
    position = np.cumsum(member) - 1
    return {kind: position[order[member[order]]] for kind, order in base.test_ranking.items()}


def for_customers(base: ChurnResult, keys: np.ndarray | None, list_share: float | None = None,
                  with_scored: bool = True) -> ChurnResult:
    """``base`` (the whole-base result) seen on the customers whose customer_key is one of ``keys`` (None:
    every customer), with its
    precision and recall read at ``list_share``: the at-risk list and the evaluation narrowed to them, the
    training and the drivers unchanged. ``base`` itself is not modified. ``with_scored=False`` leaves the
    view's ``scored`` out (None) for a caller that lists the customers from elsewhere: selecting half a
    million scored rows costs a tenth of a second it would not use."""
    share = base.list_share if list_share is None else list_share
    if keys is None and share == base.list_share:
        return base
    view = replace(base, list_share=share, selected=None if keys is None else len(keys))
    view.scored = None if base.scored is None or not with_scored else scope.select(base.scored, keys)
    if base.test_scores is not None:
        member = (np.ones(len(base.test_scores), dtype=bool) if keys is None
                  else scope.member_mask(base.test_scores["customer_key"], keys))
        view.test_scores = base.test_scores.loc[member].reset_index(drop=True)
        _evaluate(view, view.test_scores, _rankings_within(base, member))
    return view


def training_sample(train: pd.DataFrame, limit: int, random_state: int = 0) -> pd.DataFrame:
    """``train`` itself up to ``limit`` rows; above it a random sample of about ``limit`` rows drawn within
    each label, so the churn rate is kept, and a rare label keeps at least ten times MIN_CLASS rows."""
    if len(train) <= limit:
        return train
    share = limit / len(train)
    parts = []
    for _, group in train.groupby("churned", sort=True):
        n = min(len(group), max(round(share * len(group)), 10 * MIN_CLASS))
        parts.append(group.sample(n, random_state=random_state))
    return pd.concat(parts).sort_index()


def _score_rule(now: pd.DataFrame) -> pd.DataFrame:
    scored = now.drop(columns=["churned"]).copy()
    scored["churn_probability"] = np.nan
    return scored


# Features that describe one side of the relationship; correlated features split a permutation
# importance between them, so each theme is also scrambled as a whole.
THEMES: dict[str, tuple[str, ...]] = {
    "Purchase rhythm": ("recency_days", "tenure_days", "purchase_days", "orders", "mean_gap", "gap_variation"),
    "Spend": ("revenue", "average_order", "revenue_last_90", "revenue_prior_90"),
    "Service and satisfaction": ("tickets", "ticket_satisfaction", "open_tickets", "last_ticket_satisfaction",
                                 "days_since_ticket", "survey_csat", "survey_nps", "satisfaction",
                                 "tickets_per_order"),
    "Campaigns": ("campaigns_received", "campaigns_answered"),
    "Channels": ("channels_used",),
    "Referrals": ("referrals",),
}


def _auc_drop(model: ChurnModel, X: np.ndarray, y: np.ndarray, columns: list[int], repeats: int,
              rng: np.random.Generator, base: float) -> float:
    """Mean fall from ``base`` (the AUC on ``X``) in ROC AUC when the rows of ``columns`` are shuffled
    together (Breiman's permutation importance, grouped so that correlated columns are scrambled as one)."""
    drops = []
    for _ in range(repeats):
        shuffled = X.copy()
        shuffled[:, columns] = X[rng.permutation(len(X))][:, columns]
        drops.append(base - roc_auc_score(y, model.estimator_.predict_proba(shuffled)[:, 1]))
    return float(np.mean(drops))


def _evaluation_sample(model: ChurnModel, test: pd.DataFrame, random_state: int, sample: int):
    part = test.sample(min(sample, len(test)), random_state=random_state) if len(test) > sample else test
    return model._filled(_matrix(part, model.features_)), part["churned"].astype(int).to_numpy()


def drivers(model: ChurnModel, test: pd.DataFrame, random_state: int = 0, sample: int = DRIVER_SAMPLE) -> pd.DataFrame:
    """Permutation importance on (a sample of) the evaluation cut-off: how much the AUC drops when a feature
    is shuffled, with the direction of its effect in words. Grain: one row per feature, strongest first."""
    X, y = _evaluation_sample(model, test, random_state, sample)
    rng = np.random.default_rng(random_state)
    prob = model.estimator_.predict_proba(X)[:, 1]
    base = roc_auc_score(y, prob)
    rows = []
    for i, name in enumerate(model.features_):
        words = FEATURES[name]
        column = X[:, i]
        known = ~np.isnan(column)
        corr = np.corrcoef(column[known], prob[known])[0, 1] if known.sum() > 2 and column[known].std() else 0.0
        direction = "more of it, more churn" if corr > 0.05 else ("more of it, less churn" if corr < -0.05
                                                                   else "no clear direction")
        importance = _auc_drop(model, X, y, [i], DRIVER_REPEATS, rng, base)
        rows.append({"feature": name, "meaning": words, "importance": importance,
                     "direction": direction})
    frame = pd.DataFrame(rows).sort_values("importance", ascending=False).reset_index(drop=True)
    frame["sentence"] = [f"{r.meaning.capitalize()}: {r.direction}." for r in frame.itertuples()]
    return frame


def driver_themes(model: ChurnModel, test: pd.DataFrame, random_state: int = 0,
                  sample: int = DRIVER_SAMPLE) -> pd.DataFrame:
    """Grouped permutation importance: the AUC drop when every feature of a theme is shuffled at once.
    Grain: one row per theme (THEMES), strongest first; columns theme, features, importance."""
    X, y = _evaluation_sample(model, test, random_state, sample)
    rng = np.random.default_rng(random_state)
    names = model.features_
    base = roc_auc_score(y, model.estimator_.predict_proba(X)[:, 1])
    used = {theme: [f for f in members if f in names] for theme, members in THEMES.items()}
    rows = [{"theme": theme, "features": ", ".join(FEATURES[f] for f in members),
             "importance": _auc_drop(model, X, y, [names.index(f) for f in members], 5, rng, base)}
            for theme, members in used.items() if members]
    return pd.DataFrame(rows).sort_values("importance", ascending=False).reset_index(drop=True)


def at_risk(scored: pd.DataFrame, value: pd.DataFrame | None = None,
            segments: pd.DataFrame | None = None) -> pd.DataFrame:
    """Today's active customers ranked by value at risk = churn probability x value (predicted CLV when
    ``value`` (customer_id, clv) is given, else historical revenue), with their RFM segment when
    ``segments`` (customer_id, segment) is given. Grain: one row per customer."""
    frame = scored.copy()
    # lookups by Arrow's hash kernel: pandas merges on half a million text ids cost a second here (once per
    # whole base: selections of the ranking are made by customer_key)
    if segments is not None and len(segments):
        frame["segment"] = _looked_up(frame["customer_id"], segments, "segment")
    if value is not None and len(value):
        frame["clv"] = _looked_up(frame["customer_id"], value, "clv")
        frame["value"] = frame["clv"].fillna(0.0)
        frame["value_basis"] = "predicted CLV"
    else:
        frame["value"] = frame["revenue"]
        frame["value_basis"] = "historical revenue"
    frame["value_at_risk"] = frame["churn_probability"] * frame["value"]
    frame["recommended_action"] = np.select(
        [frame["open_tickets"] > 0, frame["ticket_satisfaction"] < 3, frame["campaigns_answered"] > 0],
        ["Resolve the open ticket first, then reach out personally.",
         "Call to repair the service experience before any offer.",
         "Send a win-back offer: they have answered campaigns before."],
        default="Reach out with a personal check-in and a reason to come back.")
    # most value at risk first, ties by id, unscored last: a stable sort on value after one by id (sorting
    # on the text id as a second key costs several times more)
    if not frame["customer_id"].is_monotonic_increasing:
        frame = frame.sort_values("customer_id", kind="stable")
    order = np.argsort(-frame["value_at_risk"].to_numpy(dtype="float64"), kind="stable")
    return frame.iloc[order].reset_index(drop=True)


def _looked_up(ids: pd.Series, table: pd.DataFrame, column: str) -> pd.Series:
    """``table[column]`` for each of ``ids`` (by customer_id), missing where ``table`` has no row."""
    position = pc.index_in(_text(ids), value_set=_text(table["customer_id"])).fill_null(-1) \
        .to_numpy(zero_copy_only=False)
    values = table[column].reset_index(drop=True).reindex(position)  # -1 is no label: missing
    return pd.Series(values.to_numpy(), index=ids.index, name=column)


def _text(values) -> pa.Array:
    # one text type on both sides (an empty or object column would otherwise be Arrow's null type)
    array = getattr(values, "array", None)
    arrow = pa.array(array) if isinstance(array, pd.arrays.ArrowStringArray) else \
        pa.array(np.asarray(values, dtype=object), type=pa.large_string())
    return arrow.cast(pa.large_string())


def headline(result: ChurnResult) -> str:
    """One sentence: how much better than the rule the model ranks, and what its list catches."""
    from crm_metrics.formatting import percent

    gb, rule = result.metrics["gradient_boosting"], result.metrics["rule"]
    better = "better than" if gb["auc"] > rule["auc"] else "no better than"
    return (f"The model ranks churners {better} the simple rule (AUC {gb['auc']:.3f} against {rule['auc']:.3f}); "
            f"its top list is {percent(gb['precision_at_k'])} churners, against {percent(gb['base_rate'])} of all "
            "active customers.")


def left_out_sentence(result: ChurnResult) -> str | None:
    """What the model could not learn from because this data never records it, in words (None: nothing)."""
    if not result.left_out:
        return None
    words = ", ".join(FEATURES[f] for f in result.left_out)
    return (f"Left out of the model, because this data gives every customer the same value or none: {words} "
            "(importing tickets, surveys or campaign contacts lets the model learn from them).")


@register("churn")
def churn_report(cur, as_of=None, **options) -> pd.DataFrame:
    """Today's active customers with their churn probability and value at risk (historical revenue), the
    model trained and evaluated as the Retention page does. Grain: one row per customer."""
    filters = options.pop("filters", None)
    known = {k: options[k] for k in ("horizon_days", "active_days", "list_share") if k in options}
    result = train_and_evaluate(cur, as_of, filters, ChurnOptions(**known))
    if result is None or result.scored is None:
        return pd.DataFrame()
    return at_risk(result.scored)
