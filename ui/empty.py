"""The empty state every page shows when there is no data yet: a way forward, never a blank chart."""

from __future__ import annotations

import streamlit as st

from ui import auth, data


def empty_state() -> None:
    st.info("There is no data yet. Load the seeded workshop data set to explore the dashboard, or import your "
            "own CSV files on the Data page.", icon=":material/inbox:")
    left, right = st.columns([1, 3], vertical_alignment="center")
    if not auth.allowed("import"):
        left.caption(auth.refusal("import"))
    elif left.button("Load the sample data", type="primary", key="empty_load_sample"):
        with st.status("Loading the sample data…", expanded=True) as status:
            bar = st.progress(0.0)
            data.load_sample_files(data.connection(), progress=lambda f, text: bar.progress(f, text=text),
                                   actor=auth.current())
            status.update(label="Sample data loaded.", state="complete")
        st.rerun()
    right.page_link("pages/data.py", label="Import your own files on the Data page", icon=":material/upload:")


def stop_without_orders() -> None:
    """Stop the page with a helpful empty state when there is nothing it can compute from: an empty database
    (offer the sample), or customers without any completed order (every analysis reads orders: say so and
    point to the import)."""
    if data.app().is_empty():
        empty_state()
        st.stop()
    if data.app().data_span()[1] is None:
        no_orders_state()
        st.stop()


def no_orders_state() -> None:
    counts = data.app().report("tables").set_index("table_name")["row_count"]
    held = ", ".join(f"{int(n):,} {table}" for table, n in counts.items() if n and table != "orders")
    st.info(f"The database holds {held}, but no completed order yet. This page reads orders (who bought what, "
            "when, for how much), so there is nothing to show until an orders file is imported. Returned and "
            "cancelled orders alone do not count.", icon=":material/receipt_long:")
    st.page_link("pages/data.py", label="Import an orders file on the Data page", icon=":material/upload:")
