"""The shared filters: created once in the router so they keep their value across pages, bound to the
URL so that a drilled-down view can be shared as a link, and changed by clicks on charts through
:func:`drill` (applied before the widgets are created on the next run, as Streamlit requires).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from crm_metrics import periods
from crm_metrics.dimensions import DIMENSIONS, child
from crm_metrics.filters import Filters
from crm_metrics.kpis import DEFAULT_DAYS, Period
from ui import data
from ui import format as fmt

PERIOD_KEY = "period"
DEFAULT_PERIOD_KEY = "_period_default"  # the default period of the data last seen (see _follow_the_data)
KEYS = {key: key for key in DIMENSIONS}  # widget keys double as URL parameter names: ?region=Europe
PENDING = "_filters_pending"
MAIN = ("region", "channel")  # shown directly; the others sit under "More filters"


def sidebar() -> Filters:
    """Draw the filters in the sidebar and return their value (also kept in session state)."""
    options = data.app().report("filter-options")
    first, last = data.app().data_span()
    _apply_pending(first, last)
    with st.sidebar:
        st.subheader("Filters")
        if first is None:
            st.caption("No orders yet: the filters appear once data is loaded.")
            value = Filters()
        else:
            value = _widgets(options, first, last)
    st.session_state["filters"] = value
    return value


def _widgets(options: pd.DataFrame, first: dt.date, last: dt.date) -> Filters:
    default = (max(first, last - dt.timedelta(days=DEFAULT_DAYS - 1)), last)
    _period_from_the_link()
    _follow_the_data(default)
    _keep_valid(PERIOD_KEY, lambda v: isinstance(v, (tuple, list)) and len(v) == 2
                and all(isinstance(d, dt.date) and first <= d <= last for d in v), default)
    period = st.date_input("Period", key=PERIOD_KEY, min_value=first, max_value=last,
                           help="The reporting period (inclusive). Changes are compared with the period of equal "
                                "length just before it. Default: the last 90 days of data.")
    start, end = (period if isinstance(period, (tuple, list)) and len(period) == 2 else default)
    _preset_pills(first, last, (start, end))
    _period_to_the_link((start, end), default)
    chosen: dict[str, list[str]] = {}
    for key in MAIN:
        chosen[key] = _multiselect(options, key, chosen)
    extra = [k for k in DIMENSIONS if k not in MAIN]
    # open when one of its filters is set, also by a shared link (the URL holds it before the widget does)
    with st.expander("More filters", expanded=any(st.session_state.get(KEYS[k]) or st.query_params.get(KEYS[k])
                                                  for k in extra)):
        for key in extra:
            chosen[key] = _multiselect(options, key, chosen)
    filters = Filters(start, end, tuple((k, tuple(v)) for k, v in sorted(chosen.items()) if v))
    if st.button("Clear filters", width="stretch", disabled=not filters.selected and (start, end) == default,
                 key="clear_filters"):
        st.session_state[PENDING] = [("clear", None, None)]
        st.rerun()
    return filters


PRESET_KEY = "period_preset"


def _preset_pills(first: dt.date, last: dt.date, chosen: tuple[dt.date, dt.date]) -> None:
    """The period presets (this month, last quarter, year to date ...) under the date field, counted back from the
    last day of data; the one the period equals is shown selected, and a click sets the period."""
    offered = periods.available(last, first)
    showing = [name for name in offered if periods.preset(name, last, first).as_tuple() == tuple(chosen)]
    st.session_state[PRESET_KEY] = showing[0] if showing else None
    st.pills("Quick periods", list(offered), format_func=offered.get, key=PRESET_KEY, on_change=_use_preset,
             args=(first, last), label_visibility="collapsed")


def _use_preset(first: dt.date, last: dt.date) -> None:
    name = st.session_state.get(PRESET_KEY)
    if name:  # a click on the selected one only deselects it: the period stays
        st.session_state[PERIOD_KEY] = periods.preset(name, last, first).as_tuple()


def _period_from_the_link() -> None:
    """A shared link's period (``?period=2024-01-01..2024-03-31``), read once, when the session starts."""
    if PERIOD_KEY in st.session_state or PERIOD_KEY not in st.query_params:
        return
    try:
        start, end = (dt.date.fromisoformat(d) for d in st.query_params[PERIOD_KEY].split(".."))
    except ValueError:
        return  # a hand-edited link: the default period
    st.session_state[PERIOD_KEY] = (start, end)


def _period_to_the_link(period: tuple[dt.date, dt.date], default: tuple[dt.date, dt.date]) -> None:
    """The period in the URL whenever it is not the default, however it was chosen (the date field, a click on
    the trend): the link then shares it. Written by hand because Streamlit's own binding of a date range to the
    URL does not follow a value set by the app."""
    text = f"{period[0].isoformat()}..{period[1].isoformat()}"
    if tuple(period) == tuple(default):
        if PERIOD_KEY in st.query_params:
            del st.query_params[PERIOD_KEY]
    elif st.query_params.get(PERIOD_KEY) != text:
        st.query_params[PERIOD_KEY] = text


def _follow_the_data(default: tuple[dt.date, dt.date]) -> None:
    """A period left at its default follows the data: when an import (or undo) moves the last order date, the
    default period moves with it, so a new data set is not hidden behind the previous one's dates. A period the
    user chose stays."""
    before = st.session_state.get(DEFAULT_PERIOD_KEY)
    if before is not None and before != default and tuple(st.session_state.get(PERIOD_KEY) or ()) == before:
        st.session_state[PERIOD_KEY] = default
    st.session_state[DEFAULT_PERIOD_KEY] = default


def _multiselect(options: pd.DataFrame, key: str, chosen: dict[str, list[str]]) -> list[str]:
    dim = DIMENSIONS[key]
    values = options[options["dimension"] == key]
    parent_choice = chosen.get(dim.parent or "", [])
    if parent_choice:  # countries of the chosen regions, cities of the chosen countries
        values = values[values["parent"].isin(parent_choice)]
    allowed = values["value"].tolist()
    labels = dict(zip(values["value"], values["label"], strict=True))
    _keep_valid(KEYS[key], lambda v: isinstance(v, list) and set(v) <= set(allowed), [],
                repair=lambda v: [x for x in v if x in allowed] if isinstance(v, list) else [])
    return st.multiselect(dim.label, allowed, key=KEYS[key], bind="query-params",
                          format_func=lambda v: labels.get(v, v),
                          placeholder=f"All {dim.label.lower()}s" if not dim.label.endswith("y")
                          else f"All {dim.label.lower()[:-1]}ies")


def current() -> Filters:
    """The filters the router drew on this run."""
    return st.session_state.get("filters", Filters())


def current_period() -> Period | None:
    value = current()
    return Period(value.start, value.end) if value.start and value.end else None


def drill(dimension: str, value: str) -> None:
    """Add ``value`` to the filters (from a chart or table click) and rerun."""
    st.session_state[PENDING] = [("set", dimension, value)]
    st.rerun()


def drill_period(start: dt.date, end: dt.date) -> None:
    """Set the reporting period (from a click on a trend point) and rerun."""
    st.session_state[PENDING] = [("period", start, end)]
    st.rerun()


def remove(dimension: str, value: str | None = None) -> None:
    """Remove one value (or the whole dimension) and everything below it in the hierarchy; rerun."""
    st.session_state[PENDING] = [("remove", dimension, value)]
    st.rerun()


def _apply_pending(first: dt.date | None, last: dt.date | None) -> None:
    for action, dimension, value in st.session_state.pop(PENDING, []):
        if action == "clear":
            for key in DIMENSIONS:
                st.session_state[KEYS[key]] = []
            if first and last:
                st.session_state[PERIOD_KEY] = (max(first, last - dt.timedelta(days=DEFAULT_DAYS - 1)), last)
        elif action == "set":
            st.session_state[KEYS[dimension]] = [value]
        elif action == "period" and first and last:
            st.session_state[PERIOD_KEY] = (max(first, dimension), min(last, value))
        elif action == "remove":
            current_values = list(st.session_state.get(KEYS[dimension], []))
            st.session_state[KEYS[dimension]] = [v for v in current_values if value is not None and v != value]
            below = child(dimension)
            while below:
                st.session_state[KEYS[below]] = []
                below = child(below)


def _keep_valid(key, valid, default, repair=None) -> None:
    # New data (or a hand-edited URL) can invalidate a remembered value: fix it before the widget exists.
    if key not in st.session_state:
        st.session_state[key] = default
    elif not valid(st.session_state[key]):
        st.session_state[key] = repair(st.session_state[key]) if repair else default


def breadcrumb(filters: Filters, period: Period | None) -> None:
    """What the page is looking at: the period, then each active filter as a removable chip."""
    chips = [(k, v) for k, values in filters.selected.items() for v in values]
    options = data.app().report("filter-options")
    labels = {(d, v): label for d, v, label in zip(options["dimension"], options["value"], options["label"],
                                                     strict=True)}
    text = f"**{period.label()}**" if period else "All dates"
    if not chips:
        st.markdown(f":material/filter_alt: {text} · all customers")
        return
    cols = st.columns([3] + [2] * min(len(chips), 4) + [max(1, 8 - 2 * len(chips))], vertical_alignment="center")
    cols[0].markdown(f":material/filter_alt: {text}")
    for col, (key, value) in zip(cols[1:], chips[:4], strict=False):
        if col.button(f"{fmt.inert(labels.get((key, value), value))} ✕", key=f"crumb_{key}_{value}",
                      help=f"Remove the {DIMENSIONS[key].label} filter",
                      width="stretch", type="tertiary"):
            remove(key, value)
