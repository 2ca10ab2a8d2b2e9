"""Customer clusters: k-means on standardised log-RFM (plus optional features), following
scikit-learn's conventions: hyper-parameters in ``__init__``, ``fit`` returns self, fitted attributes end
in ``_``.

k is chosen by the silhouette score on a sample (the curve is kept in ``silhouette_``) unless given. The
model is fitted on a sample and assigns every customer, so a million customers take seconds. Fixed
``random_state``: the same data gives the same clusters.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_score
from sklearn.preprocessing import StandardScaler

from crm_metrics import db
from crm_metrics.contacts import with_contacts  # noqa: F401  (re-exported)
from crm_metrics.filters import Filters

RFM_FEATURES = ("recency_days", "frequency", "monetary")
OPTIONAL_FEATURES = ("tenure_days", "average_order", "tickets")


class CustomerClusters:
    """k-means on log(1 + feature), standardised.

    Parameters
    ----------
    n_clusters : k, or None to choose it by silhouette over ``k_range``.
    k_range : the k tried when choosing (inclusive).
    features : columns of the feature table to cluster on (RFM by default).
    sample_size : customers the model is fitted on (all when fewer).
    silhouette_size : customers the silhouette is measured on.
    random_state : seed of the sampling and of k-means.
    """

    def __init__(self, n_clusters: int | None = None, k_range: tuple[int, int] = (2, 8),
                 features: tuple[str, ...] = RFM_FEATURES, sample_size: int = 50_000,
                 silhouette_size: int = 5_000, random_state: int = 42):
        self.n_clusters = n_clusters
        self.k_range = k_range
        self.features = features
        self.sample_size = sample_size
        self.silhouette_size = silhouette_size
        self.random_state = random_state

    def _matrix(self, frame: pd.DataFrame) -> np.ndarray:
        return np.log1p(frame[list(self.features)].astype(float).clip(lower=0).to_numpy())

    def fit(self, frame: pd.DataFrame) -> CustomerClusters:
        if len(frame) < 3:
            raise ValueError("at least three customers are needed to form clusters")
        rng = np.random.default_rng(self.random_state)
        sample = frame.iloc[rng.choice(len(frame), min(len(frame), self.sample_size), replace=False)]
        self.scaler_ = StandardScaler().fit(self._matrix(sample))
        x = self.scaler_.transform(self._matrix(sample))
        probe = x[rng.choice(len(x), min(len(x), self.silhouette_size), replace=False)]
        self.silhouette_ = {}
        low, high = self.k_range
        candidates = [self.n_clusters] if self.n_clusters else list(range(low, min(high, len(x) - 1) + 1))
        models = {}
        for k in candidates:
            model = KMeans(n_clusters=k, n_init=10, random_state=self.random_state).fit(x)
            models[k] = model
            labels = model.predict(probe)
            self.silhouette_[k] = (float(silhouette_score(probe, labels)) if len(set(labels)) > 1 else float("nan"))
        self.k_ = self.n_clusters or max(self.silhouette_, key=lambda k: self.silhouette_[k])
        self.kmeans_ = models[self.k_]
        centers = np.expm1(self.scaler_.inverse_transform(self.kmeans_.cluster_centers_))
        self.centers_ = pd.DataFrame(centers, columns=list(self.features))
        self.names_ = name_clusters(self.centers_, frame[list(self.features)].median())
        return self

    def predict(self, frame: pd.DataFrame) -> np.ndarray:
        return self.kmeans_.predict(self.scaler_.transform(self._matrix(frame)))


def name_clusters(centers: pd.DataFrame, medians: pd.Series) -> list[str]:
    """A descriptive name per centroid from how it compares with the median customer."""
    names = []
    for _, c in centers.iterrows():
        recency = "Recent" if c["recency_days"] < 0.6 * medians["recency_days"] else (
            "Lapsed" if c["recency_days"] > 1.5 * medians["recency_days"] else "Mid-recency")
        frequency = "frequent" if c["frequency"] > 1.5 * medians["frequency"] else (
            "one-off" if c["frequency"] <= 1.5 else "occasional")
        spend = "high-spending" if c["monetary"] > 1.5 * medians["monetary"] else (
            "low-spending" if c["monetary"] < 0.6 * medians["monetary"] else "mid-spending")
        names.append(f"{recency}, {frequency}, {spend}")
    seen: dict[str, int] = {}
    unique = []
    for n in names:
        seen[n] = seen.get(n, 0) + 1
        unique.append(n if seen[n] == 1 else f"{n} ({seen[n]})")
    return unique


def features(cur, as_of: dt.date | None = None, filters: Filters | None = None, options=None) -> pd.DataFrame:
    """The feature table. Grain: one row per customer with a completed order on or before ``as_of``."""
    from crm_metrics.rfm import rfm_params

    params = rfm_params(cur, as_of, filters, options)
    if params is None:
        return pd.DataFrame(columns=["customer_id", *RFM_FEATURES, *OPTIONAL_FEATURES, "revenue"])
    return db.query_df(cur, "cluster_features", params)


def cluster_customers(cur, as_of=None, filters=None, options=None, model: CustomerClusters | None = None):
    """Fit ``model`` on the feature table and assign every customer.

    Returns (model, assigned, profile): ``assigned`` has one row per customer with its cluster number and
    name; ``profile`` one row per cluster (sizes and average features, aggregated in DuckDB).
    """
    frame = features(cur, as_of, filters, options)
    model = (model or CustomerClusters()).fit(frame)
    assigned = frame.assign(cluster=model.predict(frame))
    cur.register("assigned", assigned)
    try:
        profile = db.query_df(cur, "cluster_profile")
    finally:
        cur.unregister("assigned")
    profile.insert(1, "name", [model.names_[c] for c in profile["cluster"]])
    assigned["cluster_name"] = [model.names_[c] for c in assigned["cluster"]]
    return model, assigned, profile


def scatter_sample(assigned: pd.DataFrame, n: int = 3000, random_state: int = 42) -> pd.DataFrame:
    """A reproducible sample of assigned customers for a scatter plot (all when fewer than ``n``)."""
    return assigned.sample(n=min(n, len(assigned)), random_state=random_state) if len(assigned) else assigned


def members_of(assigned: pd.DataFrame, cluster_name: str) -> pd.DataFrame:
    """The assigned customers of one cluster, most revenue first."""
    members = assigned[assigned["cluster_name"] == cluster_name]
    if "revenue" in members.columns:
        members = members.sort_values(["revenue", "customer_id"], ascending=[False, True])
    return members
