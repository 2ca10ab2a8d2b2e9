"""Column formats shared by every table in the app: counts with separators, exact money in the currency of the
data, shares as bars, days as whole numbers."""

from __future__ import annotations

import streamlit as st

from crm_metrics import currency


def count(label: str):
    return st.column_config.NumberColumn(label, format="localized")


def money(label: str):
    sign = currency.symbol()
    return st.column_config.NumberColumn(label, format="dollar" if sign == "$" else sign + "%,.2f")


def share(label: str):
    return st.column_config.ProgressColumn(label, format="percent", min_value=0.0, max_value=1.0)


def number(label: str, decimals: int = 0):
    return st.column_config.NumberColumn(label, format=f"%.{decimals}f")
