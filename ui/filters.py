"""The shared sidebar filters, created once in the router so they keep their value across pages."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from crm_metrics.filters import Filters
from ui import data

KEYS = {"dates": "filter_dates", "regions": "filter_regions", "channels": "filter_channels"}


def sidebar() -> Filters:
    """Draw the filters in the sidebar and return their value (also kept in session state)."""
    options = data.report("filter-options").iloc[0]
    first, last = options["first_order"], options["last_order"]
    regions, channels = list(options["regions"]), list(options["channels"])
    with st.sidebar:
        st.subheader("Filters")
        if pd.isna(first) or pd.isna(last):
            st.caption("No orders yet: filters appear once data is loaded.")
            value = Filters()
        else:
            first, last = _as_date(first), _as_date(last)
            _keep_valid(KEYS["dates"], lambda v: isinstance(v, tuple) and len(v) == 2
                        and first <= v[0] <= last and first <= v[1] <= last, (first, last))
            _keep_valid(KEYS["regions"], lambda v: set(v) <= set(regions), [])
            _keep_valid(KEYS["channels"], lambda v: set(v) <= set(channels), [])
            dates = st.date_input("Order dates", key=KEYS["dates"], min_value=first, max_value=last,
                                  help="Orders placed between these dates (inclusive).")
            chosen_regions = st.multiselect("Region", regions, key=KEYS["regions"], placeholder="All regions")
            chosen_channels = st.multiselect("Sales channel", channels, key=KEYS["channels"],
                                             placeholder="All channels")
            start, end = (dates if isinstance(dates, tuple) and len(dates) == 2 else (first, last))
            value = Filters(start, end, tuple(chosen_regions), tuple(chosen_channels))
            if st.button("Clear filters", width="stretch", disabled=value == Filters(first, last)):
                clear(first, last)
                st.rerun()
    st.session_state["filters"] = value
    return value


def current() -> Filters:
    """The filters the router drew on this run."""
    return st.session_state.get("filters", Filters())


def clear(first: dt.date, last: dt.date) -> None:
    st.session_state[KEYS["dates"]] = (first, last)
    st.session_state[KEYS["regions"]] = []
    st.session_state[KEYS["channels"]] = []


def _keep_valid(key, valid, default) -> None:
    # New data can invalidate a remembered value: assign before the widget is created.
    if key not in st.session_state or not valid(st.session_state[key]):
        st.session_state[key] = default


def _as_date(value) -> dt.date:
    # pandas Timestamps are datetimes (and so dates): compare as plain dates.
    return value.date() if isinstance(value, dt.datetime) else value
