"""Contact fields for a list of customers: what a target list needs to be acted on (name, email, place). One
lookup for every list (segments, clusters, movers, campaigns), joined only to the rows shown or exported."""

from __future__ import annotations

import numpy as np
import pandas as pd

from crm_metrics import db


def with_contacts(cur, frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` (with customer_id) plus each customer's name, email, region, country and city, in the
    frame's own order."""
    cur.register("listed", frame.assign(_position=np.arange(len(frame))))
    try:
        return db.query_df(cur, "with_contacts").drop(columns="_position")
    finally:
        cur.unregister("listed")
