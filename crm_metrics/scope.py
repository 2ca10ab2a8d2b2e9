"""Which customers the shared filters select, for the prediction models.

The churn and customer-value models learn from every customer (a model of a slice would see a thinner,
differently biased history, and refitting it on every filter change takes a minute at a million
customers). Filters then choose which customers a page shows: their scores, and the evaluation and totals
computed over them. This module turns the filters into that set of customers, in SQL.
"""

from __future__ import annotations

import pandas as pd

from crm_metrics import db
from crm_metrics.filters import Filters
from crm_metrics.reporting import ensure_current


def customer_ids(cur, filters: Filters | None) -> pd.Index | None:
    """The ids of the customers ``filters`` select (``sql/scoped_customer_ids.sql``); None when no
    dimension is filtered (every customer). The period does not narrow it: the models' own dates do."""
    if filters is None or not filters.selected:
        return None
    ensure_current(cur)
    return pd.Index(db.query_df(cur, "scoped_customer_ids", filters.params())["customer_id"], name="customer_id")


def select(frame: pd.DataFrame, ids: pd.Index | None) -> pd.DataFrame:
    """The rows of ``frame`` whose customer_id is in ``ids`` (all of them when ``ids`` is None), order kept."""
    if ids is None:
        return frame
    return frame[frame["customer_id"].isin(ids)].reset_index(drop=True)
