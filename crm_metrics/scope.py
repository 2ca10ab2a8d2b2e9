"""Which customers the shared filters select, for the prediction models.

The churn and customer-value models learn from every customer (a model of a slice would see a thinner,
differently biased history, and refitting it on every filter change takes a minute at a million
customers). Filters then choose which customers a page shows: their scores, and the evaluation and totals
computed over them. This module turns the filters into that set of customers, in SQL, as their integer
customer_keys (the reporting layer numbers the customers in id order): the whole-base frames carry the
key, so a selection is an array lookup, and a list scored on the key reads its ids from a key-ordered table.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from crm_metrics import db
from crm_metrics.filters import Filters


def customer_keys(cur, filters: Filters | None) -> np.ndarray | None:
    """The customer_keys of the customers ``filters`` select, ascending (``sql/customer_keys.sql``); None
    when no dimension is filtered (every customer). The period does not narrow it: the models' own dates do.
    Keys, not ids: the whole-base frames carry each customer's integer key, so selecting from them is an
    array lookup (picking a third of a million customers by text id cost a tenth of a second per frame)."""
    if filters is None or not filters.selected:
        return None
    return db.query_df(cur, "customer_keys", filters.params())["customer_key"].to_numpy(dtype="int64")


def select(frame: pd.DataFrame, keys: np.ndarray | None) -> pd.DataFrame:
    """The rows of ``frame`` whose customer_key is one of ``keys`` (all of them when ``keys`` is None),
    order kept."""
    if keys is None:
        return frame
    return frame.loc[member_mask(frame["customer_key"], keys)].reset_index(drop=True)


def head(frame: pd.DataFrame, keys: np.ndarray | None, n: int) -> tuple[pd.DataFrame, int]:
    """The first ``n`` rows of ``frame`` whose customer_key is one of ``keys`` (None: any), order kept, and
    how many rows there are in all: the top of a ranked list without copying the whole selection."""
    if keys is None:
        return frame.head(n).reset_index(drop=True), len(frame)
    rows = np.flatnonzero(member_mask(frame["customer_key"], keys))
    return frame.iloc[rows[:n]].reset_index(drop=True), len(rows)


def member_mask(values, keys: np.ndarray) -> np.ndarray:
    """Whether each of ``values`` (customer keys) is one of ``keys``: a boolean array aligned with
    ``values``, read from a lookup table indexed by key."""
    return positions(values, keys) >= 0


def positions(values, keys) -> np.ndarray:
    """For each of ``values`` (customer keys), its position in ``keys`` (unique customer keys), or -1 when
    it is not there."""
    values = np.asarray(values, dtype="int64")
    keys = np.asarray(keys, dtype="int64")
    size = int(max(values.max(initial=-1), keys.max(initial=-1))) + 1
    if (values.min(initial=0) < 0) or (keys.min(initial=0) < 0):
        raise ValueError("customer keys are never negative")
    table = np.full(size, -1, dtype="int64")
    table[keys] = np.arange(len(keys))
    return table[values]


def id_table(cur) -> pa.Array:
    """Every customer's id at position customer_key - 1 (``sql/customer_id_table.sql``): the ids of any keys
    are then one gather (:func:`ids_of`). Valid for one build of the reporting layer."""
    return db.query_arrow(cur, "customer_id_table")["customer_id"].combine_chunks()


def ids_of(table: pa.Array, keys) -> pa.Array:
    """The customer ids of ``keys`` (customer keys), read from an :func:`id_table`."""
    return table.take(pa.array(np.asarray(keys, dtype="int64") - 1))


def sample_every(cur, as_of, limit: int, filters: Filters | None = None) -> int:
    """k such that every k-th customer (customer_key % k = 0) is at most about ``limit`` customers: 1 when
    the customers who had bought by ``as_of`` are no more than that (``sql/clv_customers.sql``)."""
    customers = int(db.scalar(cur, "clv_customers", {"as_of": as_of, **(filters or Filters()).params()}) or 0)
    return max(1, -(-customers // limit))
