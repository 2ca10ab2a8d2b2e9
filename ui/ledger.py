"""The import history (with undo), the data-quality summary and the sample-data controls."""

from __future__ import annotations

import streamlit as st

from crm_metrics.access import AccessDenied
from crm_metrics.importing import UndoRefused, undo_import
from crm_metrics.sample import SampleParams, empty_database, load_sample
from ui import auth, data
from ui import columns as col


def history_panel() -> None:
    frame = data.app().report("imports")
    if frame.empty:
        st.caption("No imports yet.")
        return
    frame = frame.assign(status=frame["undone_at"].map(lambda v: "undone" if v is not None and str(v) != "NaT"
                                                          else "active"))
    st.dataframe(
        frame[["import_id", "table_name", "file_name", "imported_at", "imported_by", "rows_in_file",
               "rows_inserted", "rows_updated", "rows_unchanged", "customers_created", "status"]],
        hide_index=True, width="stretch",
        column_config={
            "import_id": st.column_config.NumberColumn("Import #", format="%d"),
            "table_name": "Table", "file_name": "File",
            "imported_at": st.column_config.DatetimeColumn("Imported (UTC)", format="YYYY-MM-DD HH:mm"),
            "imported_by": "By",
            "rows_in_file": col.count("Rows"),
            "rows_inserted": col.count("Inserted"),
            "rows_updated": col.count("Updated"),
            "rows_unchanged": col.count("Unchanged"),
            "customers_created": col.count("Customers created"),
            "status": "Status",
        })
    if not auth.allowed("undo_own_import"):
        st.caption(auth.refusal("undo_own_import"))
        return
    active = frame[frame["status"] == "active"]
    if not auth.allowed("undo_any_import"):  # an editor undoes their own imports only
        active = active[active["imported_by"] == auth.current().user]
    if active.empty:
        return
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    newest_first = sorted(active["import_id"].tolist(), reverse=True)
    # keyed by the newest import: after another import the choice starts again at the newest, so one click
    # never undoes an older import chosen before
    choice = left.selectbox("Undo an import", newest_first, key=f"undo_choice_{int(frame['import_id'].max())}",
                            format_func=lambda i: _label(active, i),
                            help="Removes the rows the import added and restores the rows it replaced. "
                                 "Imports are undone newest first on each table.")
    if right.button("Undo", key="undo_button", width="stretch"):
        try:
            st.session_state["last_import"] = undo_import(data.connection(), int(choice), actor=auth.current())
        except (UndoRefused, AccessDenied) as exc:
            st.error(str(exc))
            return
        st.rerun()


def _label(frame, import_id) -> str:
    row = frame[frame["import_id"] == import_id].iloc[0]
    return f"#{import_id}: {row['file_name']} → {row['table_name']} ({row['rows_in_file']:,} rows)"


def quality_panel() -> None:
    frame = data.app().report("quality")
    if int(frame["total"].sum()) == 0:
        st.caption("Nothing to check yet.")
        return
    flagged = frame[frame["affected"] > 0]
    st.markdown(f"{len(flagged)} of {len(frame)} checks found something to look at." if len(flagged)
                else "All checks passed.")
    st.dataframe(
        frame, hide_index=True, width="stretch",
        column_config={
            "check_name": "Check", "table_name": "Table",
            "affected": col.count("Rows affected"),
            "total": col.count("Of"),
            "share": col.share("Share"),
            "meaning": "What it means",
        })


def sample_panel() -> None:
    st.subheader("Sample data")
    st.caption("The seeded workshop data set: 5,000 customers with orders, campaigns with control groups, "
               "tickets and surveys (see sample_data/README.md).")
    left, right = st.columns(2)
    if data.app().is_empty():
        if not auth.allowed("import"):
            st.caption(auth.refusal("import"))
        elif left.button("Load the sample data", type="primary", key="load_sample"):
            _load_sample_files()
        return
    if not auth.allowed("reset_sample"):
        st.caption(auth.refusal("reset_sample"))
        return
    confirm = right.checkbox("I understand this deletes all data and the import history", key="confirm_reset")
    if left.button("Reset to the sample data", disabled=not confirm, key="reset_sample"):
        with st.status("Resetting to the workshop sample…") as status:
            load_sample(data.connection(), SampleParams(), replace=True, actor=auth.current())
            status.update(label="Reset to the workshop sample data.", state="complete")
        st.session_state["last_import"] = "The database now holds the workshop sample data."
        st.rerun()
    if left.button("Empty the database", disabled=not confirm, key="empty_database",
                   help="Removes every customer, order, campaign, contact, ticket and survey and the import history: "
                        "the start for your own data."):
        empty_database(data.connection(), actor=auth.current())
        st.session_state["last_import"] = "The database is empty: import your own files."
        st.rerun()


def _load_sample_files() -> None:
    with st.status("Loading the sample data…", expanded=True) as status:
        bar = st.progress(0.0)
        data.load_sample_files(data.connection(), progress=lambda f, text: bar.progress(f, text=text),
                               actor=auth.current())
        status.update(label="Sample data loaded.", state="complete")
    st.session_state["last_import"] = "Sample data loaded: 6 tables imported from sample_data/."
    st.rerun()
