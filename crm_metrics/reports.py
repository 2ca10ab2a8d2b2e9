"""Every report the pages show, by name: the contract of ``python -m crm_metrics report NAME`` and
of :func:`crm_metrics.report`.

A report is a function ``(con, as_of, **options) -> pandas.DataFrame``. ``as_of`` is passed in by the
caller; no report reads the clock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pandas as pd

from crm_metrics import db
from crm_metrics.access import LOCAL_ADMIN, Principal, restrict
from crm_metrics.export import public
from crm_metrics.reporting import ensure_current

Report = Callable[..., pd.DataFrame]
REPORTS: dict[str, Report] = {}


def register(name: str) -> Callable[[Report], Report]:
    def decorator(func: Report) -> Report:
        REPORTS[name] = func
        return func

    return decorator


def report(con, name: str, as_of: dt.date | None = None, *, principal: Principal = LOCAL_ADMIN,
           **options) -> pd.DataFrame:
    """Run the report ``name`` (see :data:`REPORTS`) on a fresh cursor, for ``principal`` (personal
    fields come back masked unless their role may see them; the command line acts as the local admin),
    without the internal columns (:func:`crm_metrics.export.public`)."""
    if name not in REPORTS:
        raise KeyError(f"unknown report {name!r}; available: {', '.join(sorted(REPORTS))}")
    cur = restrict(con.cursor(), principal)
    try:
        ensure_current(cur)
        return public(REPORTS[name](cur, as_of, **options))
    finally:
        cur.close()


@register("tables")
def tables(cur, as_of=None) -> pd.DataFrame:
    """Rows per canonical table, how many imports built it, and when it last changed.

    Grain: one row per table. Columns: table_name, row_count, imports, last_imported_at.
    """
    return db.query_df(cur, "report_tables")


@register("quality")
def quality(cur, as_of=None) -> pd.DataFrame:
    """Data-quality checks. Grain: one row per check.

    Columns: check_name, table_name, affected, total, share (affected / total, NULL when total is 0),
    meaning.
    """
    frame = db.query_df(cur, "report_quality")
    frame["share"] = (frame["affected"] / frame["total"].where(frame["total"] > 0)).astype("Float64")
    return frame[["check_name", "table_name", "affected", "total", "share", "meaning"]]


@register("imports")
def imports(cur, as_of=None) -> pd.DataFrame:
    """The import ledger, newest first. Grain: one row per import."""
    return db.query_df(cur, "import_ledger")


@register("filter-options")
def filter_options(cur, as_of=None) -> pd.DataFrame:
    """The values each shared filter can offer. Grain: one row per (dimension, value).

    Columns: dimension, value, parent (the value one level up: a country's region, a city's country).
    """
    return db.query_df(cur, "filter_options")


@register("data-span")
def span_report(cur, as_of=None) -> pd.DataFrame:
    """First and last completed order dates. Grain: one row (NULLs when there are no orders)."""
    return db.query_df(cur, "data_span")


def data_version(con) -> int:
    """A number that changes whenever an import lands or is undone, or the Spark engine reads the lake again
    (the key of cached results)."""
    cur = con.cursor()
    try:
        return int(db.scalar(cur, "data_version")) + (1 << 40) * getattr(con, "generation", 0)
    finally:
        cur.close()
