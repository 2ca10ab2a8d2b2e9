"""Cached access to the one process-wide database connection and to reports.

The connection is a ``st.cache_resource`` shared by every session; each report runs on its own cursor
(``crm_metrics.report`` opens one). Cached results are keyed by the data version, which changes with
every import or undo, so nobody sees stale numbers after an import.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pandas as pd
import streamlit as st

import crm_metrics
from crm_metrics import db
from crm_metrics.importer import import_file
from crm_metrics.reports import data_version
from crm_metrics.schema import TABLE_ORDER

SAMPLE_DIR = Path(__file__).resolve().parent.parent / "sample_data"


def connection():
    """The process-wide connection to the database ``CRM_DB`` names (default ``data/crm.duckdb``)."""
    return _connection(str(db.default_path().resolve()))


@st.cache_resource(show_spinner="Opening the database…")
def _connection(path: str):
    # On the very first start (no database file yet) the workshop sample is imported, so the first
    # screen a new user sees is full. Keyed by path: one connection per database file.
    first_start = not os.path.exists(path)
    con = db.connect(path)
    if first_start:
        load_sample_files(con)
    return con


def load_sample_files(con, progress=None) -> list[str]:
    """Import the shipped workshop CSVs through the normal import pipeline."""
    summaries = []
    for i, table in enumerate(TABLE_ORDER):
        if progress:
            progress(i / len(TABLE_ORDER), f"Importing sample {table}…")
        result = import_file(con, table, SAMPLE_DIR / f"{table}.csv", file_name=f"sample_data/{table}.csv")
        summaries.append(result.summary())
    return summaries


def version() -> int:
    return data_version(connection())


@st.cache_data(max_entries=256, show_spinner=False)
def _report(path: str, name: str, as_of: dt.date | None, version_key: int, options: tuple) -> pd.DataFrame:
    return crm_metrics.report(_connection(path), name, as_of=as_of, **dict(options))


def report(name: str, as_of: dt.date | None = None, **options) -> pd.DataFrame:
    """A report from crm_metrics, cached until the data changes (keyed by database and data version)."""
    path = str(db.default_path().resolve())
    return _report(path, name, as_of, version(), tuple(sorted(options.items())))


def is_empty() -> bool:
    return int(report("tables")["row_count"].sum()) == 0
