"""The upload-and-import panel of the Data page: proposal, confirmation, progress, result."""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import replace
from pathlib import Path

import pandas as pd
import streamlit as st

from crm_metrics import currency
from crm_metrics.access import AccessDenied
from crm_metrics.importing import (
    DATE_FORMATS,
    ImportFailed,
    ImportOptions,
    ImportRejected,
    database_file_problem,
    free_space_problem,
    import_file,
    propose,
    saved_sources,
    sources,
)
from crm_metrics.schema import TABLE_ORDER, TABLES
from ui import auth, data
from ui import format as fmt
from ui.uploads import copy_upload, readable_upload, remove_upload

ENCODINGS = ["utf-8", "cp1252", "latin-1", "utf-16", "iso-8859-15", "cp1250", "mac-roman"]
DELIMITERS = {",": "Comma (,)", ";": "Semicolon (;)", "\t": "Tab", "|": "Pipe (|)"}
DECIMALS = {".": "Point: 1,234.56", ",": "Comma: 1.234,56"}
SKIP = "(skip this column)"
# the largest upload, in MB (CRM_MAX_UPLOAD_MB; Streamlit refuses larger files with its own message)
MAX_UPLOAD_MB = int(os.environ.get("CRM_MAX_UPLOAD_MB") or 1024)


def upload_panel() -> None:
    """Choose a table and a file, review the proposal, import."""
    if not auth.allowed("import"):
        st.info(auth.refusal("import"), icon=":material/lock:")
        return
    room = free_space_problem(data.connection()) or database_file_problem(data.connection())
    if room:
        st.error(room, icon=":material/hard_drive:")
        return
    left, right = st.columns([1, 2])
    table = left.selectbox("Import into", TABLE_ORDER, key="import_table",
                           format_func=lambda t: f"{t} — {TABLES[t].description}")
    required = ", ".join(c.name for c in TABLES[table].columns if c.required)
    left.caption(f"Required columns: **{required}**. Other canonical columns are optional; "
                 "header names such as “Customer ID” or “InvoiceDate” are recognised. "
                 f"Files up to {MAX_UPLOAD_MB:,} MB; a .csv.gz holds about five times more.")
    upload = right.file_uploader("CSV file (also .csv.gz)", type=["csv", "txt", "tsv", "gz"], key="upload",
                                 max_upload_size=MAX_UPLOAD_MB)
    if upload is None:
        _forget_upload()
        return
    path = _stored_upload(upload)
    try:
        # a .gz is unpacked once per upload; every rerun's proposal and preview read the unpacked copy
        readable = _once(("readable", upload.file_id), lambda: readable_upload(path, upload.name))
        known = _once(("recognised", upload.file_id),
                      lambda: sources.recognise_file(readable, file_name=upload.name))
        if known is not None:
            _source_panel(path, upload.name, known, readable)
            return
        # the mapping the user confirmed on the previous run: the date format is proposed from the columns it maps
        mapped = st.session_state.get("confirmed_mapping", {}).get((upload.file_id, table), {})
        proposal = propose(readable, table, file_name=upload.name, options=ImportOptions(mapping=mapped))
        if proposal.problems and not proposal.headers:  # the file cannot be read at all
            _show_problems(proposal.problems)
            return
        options = _confirm_dialect(proposal)
        proposal = propose(readable, table, file_name=upload.name, options=replace(options, mapping=mapped))
        if not proposal.headers:
            _show_problems(proposal.problems)
            return
        mapping = _confirm_mapping(proposal)
        st.session_state.setdefault("confirmed_mapping", {})[(upload.file_id, table)] = mapping
        options = replace(options, mapping=mapping)
        proposal = propose(readable, table, file_name=upload.name, options=options)
    except ImportRejected as exc:  # a damaged .gz, or one that unpacks beyond the limit
        _show_problems(exc.problems)
        return
    _preview(proposal)
    for warning in proposal.warnings:
        st.warning(warning, icon=":material/info:")
    if proposal.problems:
        # a required column the header does not name: the user maps it above (the import stays closed until then)
        st.warning("Map the columns above: " + "; ".join(fmt.inert(p.rule) for p in proposal.problems) + ".",
                   icon=":material/table_edit:")
    if options.date_format is None:
        st.info("Choose the date format above: the dates in this file can be read more than one way.")
    ready = options.date_format is not None and not proposal.problems
    if st.button("Import", type="primary", disabled=not ready, key="do_import"):
        _run_import(table, path, upload.name, options)
    if ready:
        _save_as_source_panel(table, upload.name, options)


def _save_as_source_panel(table: str, name: str, options: ImportOptions) -> None:
    """Keep this reading (columns, decimal mark, date format) as a source: next month's file in the same layout is
    then recognised and imported with no question."""
    if not auth.allowed("save_source"):
        return
    with st.expander("Save this reading as a source for next month's file", icon=":material/bookmark_add:"):
        st.caption("The columns mapped above, the decimal mark and the date format are saved as a source: a file "
                   "with these columns is then recognised on upload (and by `python -m crm_metrics import FILE`) "
                   f"and read the same way. Saved in {sources.sources_folder()}.")
        left, right = st.columns(2)
        suggested = re.sub(r"[^a-z0-9]+", "_", Path(name).stem.lower()).strip("_")[:30] or "my_source"
        source_name = left.text_input("Name", value=f"{suggested}_{table}"[:40], key="source_name",
                                      help="Lower-case letters, digits and _.")
        title = right.text_input("What the file is", value=f"{Path(name).stem} ({table})", key="source_title")
        if st.button("Save as a source", icon=":material/save:", key="save_source"):
            try:
                text = saved_sources.mapping_source(source_name, title, table, options.mapping,
                                                    options.decimal or ".", options.date_format)
                saved = saved_sources.save(text, actor=auth.current())
            except (saved_sources.MappingNotSaved, ValueError, AccessDenied) as exc:
                st.error(fmt.inert(str(exc)), icon=":material/error:")
                return
            st.success(f"Saved as the source {fmt.inert(source_name)} ({fmt.inert(str(saved))}).",
                       icon=":material/check_circle:")


def _source_panel(path, name: str, source, readable=None) -> None:
    """A file in a known layout: what it was recognised as, what it will write (counts, totals, first rows, what
    is left out), one confirm."""
    st.success(f"Recognised as **{fmt.inert(source.title)}**: it writes {', '.join(source.writes)} (the table "
               "chosen on the left does not apply).", icon=":material/verified:")
    chosen_map = st.session_state.get(f"status_map_{source.name}", {})
    try:
        # read once per file, data version and status map: a widget's rerun does not read a large file again
        seen = _once(("preview", str(path), data.version(), tuple(sorted(chosen_map.items()))),
                     lambda: sources.preview(data.connection(), readable or path, source, file_name=name,
                                             statuses=chosen_map))
    except ImportRejected as exc:
        _show_problems(exc.problems)
        return
    if seen.statuses:
        _status_map_editor(source, seen.statuses, chosen_map)
    if seen.problems:
        _show_problems(seen.problems)
        return
    cards = st.container(horizontal=True, wrap=True)
    for table, rows in seen.rows.items():
        cards.metric(f"{table.capitalize()} to write", fmt.count(rows), border=True, width=180)
    if seen.orders:
        money = seen.currency or currency.code()
        cards.metric(f"Completed revenue ({money})", f"{float(seen.orders['revenue'] or 0):,.2f}", border=True,
                     width=220)
        cards.metric("First order", str(seen.orders["first_day"]), border=True, width=180)
        cards.metric("Last order", str(seen.orders["last_day"]), border=True, width=180)
    notes = [f"Dates read as {seen.date_format}." if seen.date_format else "",
             f"Amounts are in {seen.currency}; the dashboard will write them so." if seen.currency else ""]
    st.caption(" ".join(n for n in notes if n) + " Rows whose key is already stored are updated; the rest are added.")
    for line in seen.left_out:
        st.info(f"Left out, {fmt.inert(line)}.", icon=":material/filter_alt_off:")
    with st.expander("The first rows of each table, as they will be written", expanded=False):
        for table, head in seen.heads.items():
            st.markdown(f"**{table}**")
            st.dataframe(head, hide_index=True, width="stretch")
    if st.button("Import", type="primary", key="do_import_source"):
        _run_source_import(path, name, source, chosen_map)


def _status_map_editor(source, found: list, chosen_map: dict) -> None:
    """The status map, shown and editable before the import: each status the file writes, its rows, and what it
    imports as (a status the map does not know must be chosen here; nothing is dropped silently)."""
    st.markdown("##### What each status in the file means")
    frame = pd.DataFrame({"Status in the file": [f[0] for f in found], "Rows": [f[1] for f in found],
                          "Imports as": [f[2] for f in found]})
    edited = st.data_editor(
        frame, hide_index=True, width="stretch", key=f"status_editor_{source.name}",
        disabled=["Status in the file", "Rows"],
        column_config={"Rows": st.column_config.NumberColumn(format="localized"),
                       "Imports as": st.column_config.SelectboxColumn(
                           options=list(sources.STATUS_TARGETS), required=False,
                           help="Completed orders are revenue; returned and cancelled orders are kept but never "
                                "revenue; 'not an order' leaves the rows out (counted).")})
    wanted = {status: target for status, target in zip(edited["Status in the file"], edited["Imports as"],
                                                       strict=True) if isinstance(target, str)}
    declared = {status: target for status, _, target in found if target}
    changed = {k: v for k, v in wanted.items() if declared.get(k) != v}
    if changed:
        st.session_state[f"status_map_{source.name}"] = {**chosen_map, **changed}
        st.rerun()


def _run_source_import(path, name: str, source, statuses: dict | None = None) -> None:
    result = _imported(f"Importing {fmt.inert(name)} as {fmt.inert(source.title)}…", fmt.inert(name), lambda: (
        sources.import_source(data.connection(), path, source, file_name=name, actor=auth.current(),
                              statuses=statuses)))
    if result is not None:
        _done([result])


def _imported(label: str, what: str, work):
    """``work()`` inside a status box; what went wrong said there (nothing was changed); None then."""
    with st.status(label, expanded=True) as status:
        try:
            result = work()
        except AccessDenied as exc:
            status.update(label=str(exc), state="error")
            return None
        except ImportRejected as exc:
            status.update(label=f"{what} was not imported: nothing was changed.", state="error", expanded=True)
            _show_problems(exc.problems)
            return None
        except ImportFailed as exc:
            status.update(label=f"{what} was not imported.", state="error", expanded=True)
            st.error(fmt.inert(str(exc)), icon=":material/hard_drive:")
            return None
        status.update(label="Imported.", state="complete")
    return result


def _done(results: list) -> None:
    """Rerun with the results of a source import shown at the top of the page."""
    st.session_state["last_import"] = fmt.inert(" ".join(r.summary().replace("\n", " ") for r in results))
    st.session_state["last_import_warnings"] = [fmt.inert(w) for r in results for i in r.imports for w in i.warnings]
    st.rerun()


def _once(key: tuple, compute):
    """``compute()`` once per ``key`` in this session (the latest key only: one upload at a time)."""
    kind = key[0]
    held = st.session_state.get(f"_once_{kind}")
    if held is None or held[0] != key:
        held = (key, compute())
        st.session_state[f"_once_{kind}"] = held
    return held[1]


def _forget_upload() -> None:
    """Delete this session's stored copy once the file leaves the uploader."""
    stored = st.session_state.pop("upload_file", None)
    if stored:
        remove_upload(stored[1])


def _stored_upload(upload):
    """The uploaded bytes in a private temporary file, kept for this upload only."""
    token = (upload.file_id, upload.name)
    stored = st.session_state.get("upload_file")
    if stored and stored[0] == token and stored[1].exists():
        return stored[1]
    _forget_upload()
    path = copy_upload(upload.getvalue(), upload.name)
    st.session_state["upload_file"] = (token, path)
    return path


def _confirm_dialect(proposal) -> ImportOptions:
    st.markdown("##### How to read the file")
    if proposal.needs_confirmation:
        st.info("Please check: " + "; ".join(c.text for c in proposal.needs_confirmation) + ".",
                icon=":material/fact_check:")
    proposed = proposal.options
    c1, c2, c3, c4 = st.columns(4)
    encodings = ENCODINGS if proposed.encoding in ENCODINGS else [proposed.encoding, *ENCODINGS]
    encoding = c1.selectbox("Text encoding", encodings, index=encodings.index(proposed.encoding), key="enc")
    delimiter = c2.selectbox("Columns separated by", list(DELIMITERS), format_func=DELIMITERS.get,
                             index=list(DELIMITERS).index(proposed.delimiter), key="delim")
    decimal = c3.selectbox("Decimal mark", list(DECIMALS), format_func=DECIMALS.get,
                           index=list(DECIMALS).index(proposed.decimal), key="dec")
    formats = list(DATE_FORMATS)
    example = dt.date(2024, 3, 1)
    date_format = c4.selectbox(
        "Date format", formats, key=f"datefmt_{proposed.date_format}",
        index=formats.index(proposed.date_format) if proposed.date_format in formats else None,
        format_func=lambda f: f"{example.strftime(f)}  ({f})", placeholder="Choose…",
        help="Shown as 1 March 2024 in each format. Ambiguous files (every day ≤ 12) must be chosen by you.")
    return ImportOptions(encoding, delimiter, decimal, date_format, {})


def _confirm_mapping(proposal) -> dict[str, str]:
    st.markdown("##### Which column is which")
    targets = [SKIP, *TABLES[proposal.table].column_names]
    frame = pd.DataFrame({"File column": proposal.headers,
                          "Imports as": [m or SKIP for m in proposal.mapping]})
    edited = st.data_editor(
        frame, hide_index=True, width="stretch", key=f"mapping_{proposal.table}",
        disabled=["File column"],
        column_config={"Imports as": st.column_config.SelectboxColumn(options=targets, required=True)})
    return {head: ("-" if target == SKIP else target)
            for head, target in zip(edited["File column"], edited["Imports as"], strict=True)}


def _preview(proposal) -> None:
    if not proposal.preview:
        return
    width = len(proposal.headers)
    rows = [(r + [""] * width)[:width] for r in proposal.preview[:10]]
    frame = pd.DataFrame(rows, columns=_unique(proposal.headers))
    with st.expander(f"Preview: the first {len(rows)} rows as read", expanded=False):
        st.dataframe(frame, hide_index=True, width="stretch")


def _unique(headers: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for h in headers:
        label = h.lstrip("\ufeff") or "(no name)"
        seen[label] = seen.get(label, 0) + 1
        out.append(label if seen[label] == 1 else f"{label} ({seen[label]})")
    return out


def _run_import(table: str, path, name: str, options: ImportOptions) -> None:
    with st.status(f"Importing {fmt.inert(name)} into {table}…", expanded=True) as status:
        bar = st.progress(0.0)

        def progress(step: str, fraction: float) -> None:
            bar.progress(min(max(fraction, 0.0), 1.0), text=step)

        try:
            result = import_file(data.connection(), table, path, options, file_name=name, progress=progress,
                                 actor=auth.current())
        except AccessDenied as exc:
            status.update(label=str(exc), state="error")
            return
        except ImportRejected as exc:
            status.update(label=f"{fmt.inert(name)} was not imported: nothing was changed.", state="error",
                          expanded=True)
            _show_problems(exc.problems)
            return
        except ImportFailed as exc:
            status.update(label=f"{fmt.inert(name)} was not imported.", state="error", expanded=True)
            st.error(fmt.inert(str(exc)), icon=":material/hard_drive:")
            return
        if result.already_imported_at is not None:
            status.update(label=fmt.inert(result.summary()), state="complete")
            return
        status.update(label=fmt.inert(result.summary()), state="complete")
    # Rerun so that every count on the page includes the new rows; the result is shown at the top.
    st.session_state["last_import"] = fmt.inert(result.summary())
    st.session_state["last_import_warnings"] = [fmt.inert(w) for w in result.warnings]
    st.rerun()


def _show_problems(problems) -> None:
    st.error(f"{len(problems)} problem(s) found; the file was not imported and nothing was changed.",
             icon=":material/error:")
    frame = pd.DataFrame([{"Line": p.line, "Column": p.column, "Value": p.value, "Problem": p.rule}
                          for p in problems])
    st.dataframe(frame, hide_index=True, width="stretch",
                 column_config={"Line": st.column_config.NumberColumn(format="%d")})


def currency_panel() -> None:
    """The currency the amounts are in, stored with the data: every page, export and sentence writes it."""
    names = sorted(currency.SYMBOLS)
    if not auth.allowed("import"):
        st.caption(f"Amounts are in {currency.code()} ({currency.symbol().strip()}).")
        return
    # the field shows what is stored (an import may have just recorded a file's currency); a change is stored
    # by the callback, before the next run reads it
    st.session_state["data_currency"] = currency.code()
    st.selectbox("Currency of the amounts", names, key="data_currency", width=320,
                 format_func=lambda c: f"{c} ({currency.SYMBOLS[c].strip()})",
                 on_change=lambda: data.set_currency(st.session_state["data_currency"]),
                 help="What the amounts in your files are in. Every page, chart, export and sentence writes money "
                      "in it; nothing is converted.")


def batch_panel() -> None:
    """Several files exported together, imported as one batch (all or nothing): each file's recognised layout
    listed first, then one confirm."""
    if not auth.allowed("import"):
        return
    with st.expander("Several files at once: a batch, all or nothing", icon=":material/library_add:"):
        uploads = st.file_uploader("CSV files in known layouts", type=["csv", "txt", "tsv", "gz"], key="batch_upload",
                                   accept_multiple_files=True, max_upload_size=MAX_UPLOAD_MB)
        if not uploads:
            return
        paths = _stored_batch(uploads)
        found = [sources.recognise_part(path, file_name=u.name) for u, path in zip(uploads, paths, strict=True)]
        st.dataframe(pd.DataFrame({
            "File": [u.name for u in uploads],
            "Recognised as": [_part_label(f) for f in found]}), hide_index=True, width="stretch")
        if any(f is None for f in found):
            st.error("A file of the batch is in no layout the dashboard knows: import it on its own above, into a "
                     "table, or leave it out of the batch.", icon=":material/error:")
            return
        if st.button("Import the batch", type="primary", key="do_import_batch"):
            _run_batch(paths)


def _part_label(found) -> str:
    if found is None:
        return "not a known layout"
    source, number = found
    return source.title if not source.more else f"{source.title}: file {number} of {len(source.more) + 1}"


def _stored_batch(uploads) -> list:
    """The batch's files in a private temporary folder, kept while the same files stay in the uploader."""
    token = tuple((u.file_id, u.name) for u in uploads)
    stored = st.session_state.get("batch_files")
    if stored and stored[0] == token and all(p.exists() for p in stored[1]):
        return stored[1]
    first = copy_upload(uploads[0].getvalue(), uploads[0].name)
    paths = [first] + [copy_upload(u.getvalue(), u.name, first.parent) for u in uploads[1:]]
    st.session_state["batch_files"] = (token, paths)
    return paths


def _run_batch(paths) -> None:
    results = _imported(f"Importing {len(paths)} files as one batch…", "The batch",
                        lambda: sources.import_batch(data.connection(), paths, actor=auth.current()))
    if results is not None:
        _done(results)
