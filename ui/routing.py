"""Make sure every page runs inside the router (app.py).

Streamlit keeps a relic of its first multipage design: while a ``pages/`` folder exists and no session of
a freshly started server has called ``st.navigation``, a request for ``/data`` runs ``pages/data.py`` on
its own, without the router's filters, page config or navigation (AppTest even does so on every run).
The router marks each run (:func:`mark_routed`); a page that finds no mark (:func:`ensure_router`)
switches the relic off, runs the router in its place within the same run (so a click that started the
run is not lost), and stops.
"""

from __future__ import annotations

import runpy
from pathlib import Path

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

_MARK = "_routed_this_run"
ROUTER = Path(__file__).resolve().parent.parent / "app.py"


def mark_routed() -> None:
    """Called by the router on every run, before the page runs."""
    st.session_state[_MARK] = True


def ensure_router() -> None:
    """Called first by every page."""
    if st.session_state.pop(_MARK, False):
        return
    PagesManager.uses_pages_directory = False
    runpy.run_path(str(ROUTER), run_name="__main__")
    st.stop()
