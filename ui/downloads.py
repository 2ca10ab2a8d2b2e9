"""Download buttons whose files are built only when clicked.

Streamlit runs a callable ``data`` when the button is pressed, not on every rerun, so a page showing a
million-row target list does not encode it as CSV each time a filter moves. What a role may export is
decided here, in the script's context; the callable only encodes.
"""

from __future__ import annotations

import streamlit as st

from crm_metrics.access import for_export
from crm_metrics.export import safe_frame, to_safe_csv
from ui import auth


def csv_button(label: str, frame, file_name: str, *, key: str, where=st, **kwargs) -> None:
    """A formula-safe CSV of ``frame`` as this session may export it. ``frame`` may be a function that makes
    the frame: it then runs only when the button is pressed (a million rows joined to their contact fields)."""
    who = auth.current()
    rows = frame if callable(frame) else (lambda: frame)
    where.download_button(label, lambda: to_safe_csv(for_export(rows(), who)), file_name=file_name, mime="text/csv",
                          key=key, icon=kwargs.pop("icon", ":material/download:"), on_click="ignore", **kwargs)


def parquet_button(label: str, frame, file_name: str, *, key: str, where=st, **kwargs) -> None:
    """The same rows as Parquet (types kept), text cells made formula-safe as in the CSV. ``frame`` may be a
    function that makes the frame, run only when the button is pressed."""
    who = auth.current()
    rows = frame if callable(frame) else (lambda: frame)
    where.download_button(label, lambda: safe_frame(for_export(rows(), who)).to_parquet(index=False),
                          file_name=file_name, mime="application/octet-stream", key=key, on_click="ignore", **kwargs)
