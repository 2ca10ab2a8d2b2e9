"""Customer lists that open a customer: click a row, land on Customer 360 with that customer."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ui import data


def customer_table(frame: pd.DataFrame, key: str, **dataframe_options) -> None:
    """``st.dataframe`` of ``frame`` (with a customer_id column) where selecting a row opens that customer."""
    event = st.dataframe(frame, key=key, on_select="rerun", selection_mode="single-row", **dataframe_options)
    rows = event.selection.rows if event else []
    if rows:
        data.open_customer(frame.iloc[rows[0]]["customer_id"])
