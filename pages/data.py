"""Data: what is loaded, importing files, the import history with undo, and data quality."""

import streamlit as st

from ui.routing import ensure_router

ensure_router()

from ui import auth, data, layout
from ui import columns as col
from ui import format as fmt
from ui.importing import batch_panel, currency_panel, upload_panel
from ui.ledger import history_panel, quality_panel, sample_panel
from ui.users import users_panel

st.title("What data is in the dashboard?")
tables = data.app().report("tables")
counts = dict(zip(tables["table_name"], tables["row_count"], strict=True))
if data.on_spark():
    st.markdown(f"**{fmt.count(counts['customers'])} customers** and **{fmt.count(counts['orders'])} orders**, "
                "read by Spark where the lake keeps them.")
    st.info("The data is managed in the lake: imports, undo and the workshop sample belong to the embedded "
            "database (start the app without CRM_ENGINE=spark to use them). These are the tables the reports read.",
            icon=":material/cloud:")
    st.dataframe(data.lake_tables(), hide_index=True, width="stretch",
                 column_config={"table": "Table", "location": "Where the lake keeps it", "rows": col.count("Rows")})
    st.caption("The lake is read when the app starts and when you read it again: what it gains meanwhile shows "
               "after that (the reporting layer is then rebuilt on Spark, which takes a while on a large lake).")
    if auth.allowed("import"):
        if st.button("Read the lake again", icon=":material/refresh:", key="lake_refresh"):
            data.refresh_lake()  # shows the rebuild's progress
            st.rerun()
    else:
        st.caption(auth.refusal("import"))
    st.subheader("Data quality")
    quality_panel()
    st.stop()
if data.app().is_empty():
    # a new database: the import first, the workshop sample as the other choice
    st.markdown("The database is **empty**. Import the CSV files your tools export (customers, orders, "
                "campaigns, contacts, tickets, surveys: orders alone are enough to start), or load the seeded "
                "workshop data set to explore the dashboard first.")
    if message := st.session_state.pop("last_import", None):
        st.success(message, icon=":material/check_circle:")
    st.subheader("Import a CSV file")
    currency_panel()
    upload_panel()
    batch_panel()
    sample_panel()
    st.subheader("Import history")
    history_panel()
    users_panel()
    st.stop()

last = tables["last_imported_at"].max()
st.markdown(f"**{fmt.count(counts['customers'])} customers** and **{fmt.count(counts['orders'])} orders** "
            f"from {int(tables['imports'].sum())} imports; last change {last:%Y-%m-%d %H:%M} UTC.")

cards = layout.grid(st, "cards", "data-1")
for table, rows in counts.items():
    cards.metric(table.capitalize(), fmt.count(rows), border=True)
st.caption("The sidebar filters do not apply here: this page shows everything stored.")

if message := st.session_state.pop("last_import", None):
    st.success(message, icon=":material/check_circle:")
    for warning in st.session_state.pop("last_import_warnings", []):
        st.warning(warning, icon=":material/info:")

st.subheader("Import a CSV file")
currency_panel()
upload_panel()
batch_panel()

st.subheader("Import history")
history_panel()

st.subheader("Data quality")
quality_panel()

sample_panel()

users_panel()
