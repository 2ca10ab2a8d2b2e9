"""Make sure every page runs inside the router (app.py).

Streamlit keeps a relic of its first multipage design: while no session of a freshly started server has
called ``st.navigation`` yet, a request for ``/data`` runs ``pages/data.py`` on its own, without the
router's filters, page config or navigation. Each page calls :func:`ensure_router` first; if it was run
that way, the relic is switched off and the run restarts through the router.
"""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager


def ensure_router() -> None:
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()
