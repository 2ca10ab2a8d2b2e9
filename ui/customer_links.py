"""Customer lists that open a customer: click a row, land on Customer 360 with that customer."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ui import data


def customer_table(frame: pd.DataFrame, key: str, **dataframe_options) -> None:
    """``st.dataframe`` of ``frame`` (with a customer_id column) where selecting a row opens that customer."""
    event = st.dataframe(blank_missing_text(frame), key=key, on_select="rerun", selection_mode="single-row",
                         **dataframe_options)
    rows = event.selection.rows if event else []
    if rows:
        data.open_customer(frame.iloc[rows[0]]["customer_id"])


def blank_missing_text(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with missing text shown as an empty cell (a table writes "None" for it: a name or region the
    data does not record is not the word None). Numbers and dates keep their missing values."""
    missing = [c for c in frame.columns if frame[c].isna().any() and _is_text(frame[c])]
    if not missing:
        return frame
    return frame.assign(**{c: frame[c].fillna("") for c in missing})


def _is_text(column: pd.Series) -> bool:
    if column.dtype != object:
        return pd.api.types.is_string_dtype(column)
    return bool(column.dropna().map(lambda v: isinstance(v, str)).all())
