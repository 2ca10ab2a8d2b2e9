"""Router: page config, the shared sidebar filters, and the pages grouped by analytical CRM phase."""

import runpy
from pathlib import Path

import streamlit as st

from ui import auth, data, filters, layout, routing

st.set_page_config(page_title="Customer dashboard", page_icon=":material/monitoring:", layout="wide")
layout.apply()  # the responsive grid of cards and charts (ui/layout.py)


def home() -> None:
    """The root URL shows the Overview, or the Data page's import while the database is empty (for the rest of
    that session: the import's result stays in view); it runs that page in place (a switch would have to
    rewrite the URL, whose filters are bound to widgets). The Overview keeps its own address, /overview."""
    if "_home" not in st.session_state:
        st.session_state["_home"] = "pages/data.py" if data.app().is_empty() else "pages/overview.py"
    runpy.run_path(str(Path(__file__).parent / st.session_state["_home"]), run_name="__main__")


pages = {
    "Reporting": [
        st.Page(home, title="Home", icon=":material/home:", url_path="home", default=True, visibility="hidden"),
        st.Page("pages/overview.py", title="Overview", icon=":material/monitoring:", url_path="overview"),
        st.Page("pages/customer.py", title="Customer 360", icon=":material/person_search:", url_path="customer"),
    ],
    "Analysis": [
        st.Page("pages/segments.py", title="Segments", icon=":material/groups:", url_path="segments"),
        st.Page("pages/campaigns.py", title="Campaigns", icon=":material/campaign:", url_path="campaigns"),
        st.Page("pages/retention.py", title="Retention", icon=":material/autorenew:", url_path="retention"),
        st.Page("pages/satisfaction.py", title="Satisfaction", icon=":material/sentiment_satisfied:",
                url_path="satisfaction"),
    ],
    "Prediction": [
        st.Page("pages/value.py", title="Customer value", icon=":material/diamond:", url_path="value"),
    ],
    "Data": [
        st.Page("pages/data.py", title="Data", icon=":material/database:", url_path="data"),
        st.Page("pages/learn.py", title="Learn", icon=":material/school:", url_path="learn"),
    ],
}
# The page comes from the URL before sign-in, so that a shared link opens where it points once signed in.
page = st.navigation(pages, position="sidebar" if auth.signed_in() else "hidden")
auth.note_upload_right()  # the server takes files only from a session that may import (ui/upload_gate.py)
auth.sign_in_gate()  # with sign-in configured (CRM_AUTH), nothing below runs until the user signs in

data.open_or_explain()  # opens (and on the very first start, fills) the database before any page runs
data.use_currency()  # amounts are written in the currency stored with the data
data.ensure_reports()  # after an import: rebuild the reporting layer once, with a progress message
filters.sidebar()
auth.sidebar_identity()
layout.print_button(st.sidebar)
routing.mark_routed()
page.run()
