"""Customer clusters: k chosen by silhouette, reproducible, every customer assigned, named from centroids."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from crm_metrics.clusters import CustomerClusters, cluster_customers, name_clusters


def blobs(seed: int = 0) -> pd.DataFrame:
    """Three groups far apart in log space: recent big spenders, mid, lapsed one-off buyers."""
    rng = np.random.default_rng(seed)
    groups = [(5, 30, 3000), (60, 6, 300), (600, 1, 30)]
    rows = []
    for recency, frequency, monetary in groups:
        for _ in range(200):
            rows.append((recency * rng.uniform(0.8, 1.25), frequency * rng.uniform(0.8, 1.25),
                         monetary * rng.uniform(0.8, 1.25)))
    return pd.DataFrame(rows, columns=["recency_days", "frequency", "monetary"])


def test_silhouette_finds_the_three_groups_and_is_reproducible():
    frame = blobs()
    model = CustomerClusters(k_range=(2, 6)).fit(frame)
    assert model.k_ == 3 and set(model.silhouette_) == {2, 3, 4, 5, 6}
    assert model.silhouette_[3] == max(model.silhouette_.values())
    labels = model.predict(frame)
    assert len(set(labels[:200])) == len(set(labels[200:400])) == len(set(labels[400:])) == 1
    again = CustomerClusters(k_range=(2, 6)).fit(frame).predict(frame)
    assert (labels == again).all()


def test_fit_on_a_sample_assigns_everyone():
    frame = blobs()
    model = CustomerClusters(n_clusters=3, sample_size=90).fit(frame)
    assert len(model.predict(frame)) == len(frame) and model.k_ == 3


def test_names_come_from_the_centroids():
    centers = pd.DataFrame({"recency_days": [5, 600], "frequency": [30, 1], "monetary": [3000, 30]})
    medians = pd.Series({"recency_days": 60, "frequency": 6, "monetary": 300})
    assert name_clusters(centers, medians) == ["Recent, frequent, high-spending", "Lapsed, one-off, low-spending"]
    same = pd.DataFrame({"recency_days": [60, 60], "frequency": [6, 6], "monetary": [300, 300]})
    assert name_clusters(same, medians) == ["Mid-recency, occasional, mid-spending",
                                            "Mid-recency, occasional, mid-spending (2)"]


def test_too_few_customers():
    with pytest.raises(ValueError):
        CustomerClusters().fit(blobs().head(2))


def test_cluster_the_sample(sample_con):
    cur = sample_con.cursor()
    model, assigned, profile = cluster_customers(cur, dt.date(2026, 9, 30),
                                                 model=CustomerClusters(k_range=(2, 5), sample_size=800))
    cur.close()
    assert assigned["customer_id"].is_unique and profile["customers"].sum() == len(assigned)
    assert round(profile["revenue"].sum(), 2) == round(assigned["revenue"].sum(), 2)
    assert profile["name"].is_unique and 2 <= model.k_ <= 5
