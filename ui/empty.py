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
