"""The pages' one way to their data: :func:`app`, the application layer of the current data version.

The connection is a ``st.cache_resource`` shared by every session, and so is the
:class:`crm_metrics.workbench.Workbench` of the current data version (which holds the whole-base models).
Its ``read`` methods are cached here per role with ``st.cache_data``, keyed by database, data version and
arguments, so that nobody sees stale numbers after an import and one role's results are never served to
another. Everything that decides what a number is lives in ``crm_metrics``; this module caches and opens.
"""

from __future__ import annotations

import functools
import logging
import os
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import streamlit as st

from crm_metrics import access, currency, db, reporting
from crm_metrics.access import Principal
from crm_metrics.formatting import inert as fmt_inert
from crm_metrics.importing import import_file
from crm_metrics.reports import data_version
from crm_metrics.schema import TABLE_ORDER
from crm_metrics.workbench import (  # noqa: F401 (the pages read the first and the last)
    DEFAULT_TICKET_COST,
    Workbench,
    order_level_filtered,
    without_period,
)
from ui import auth

SAMPLE_DIR = Path(__file__).resolve().parent.parent / "sample_data"
LOG = logging.getLogger("crm_dashboard")


def connection():
    """The process-wide connection to the database ``CRM_DB`` names (default ``data/crm.duckdb``)."""
    return _connection(_path())


def _path() -> str:
    return str(db.default_path().resolve())


def open_or_explain() -> None:
    """Open the database before any page runs; one that cannot be opened (damaged, not a DuckDB file, not
    writable, in use) is said in a sentence, with the details in the server's log, and nothing else runs."""
    try:
        connection()
    except db.DatabaseUnavailable as exc:
        LOG.error("the database cannot be opened: %s", exc, exc_info=exc)
        st.title("The database cannot be opened")
        st.error(fmt_inert(str(exc)), icon=":material/database_off:")
        st.stop()


def on_spark() -> bool:
    """Whether the reports run on Spark (``CRM_ENGINE=spark``): the data is the lake's, read only."""
    return db.engine_name() == "spark"


def lake_tables() -> pd.DataFrame:
    """On Spark: each canonical table, where the lake holds it, and its rows. Grain: one row per table."""
    from crm_metrics import spark

    counts = app().report("tables").set_index("table_name")["row_count"]
    places = spark.sources()
    return pd.DataFrame({"table": list(counts.index),
                         "location": [places[t].location if t in places else "(not mapped: empty)"
                                      for t in counts.index],
                         "rows": counts.to_numpy()})


def refresh_lake() -> None:
    """On Spark: read the lake again and rebuild the reporting layer (the data version moves on, and with it
    every cached result); the default models are fitted again for the new data."""
    connection().refresh()
    ensure_reports()


@st.cache_resource(show_spinner="Opening the database…")
def _connection(path: str):
    if on_spark():
        from crm_metrics import spark

        return spark.connect()  # the lake's tables, as CRM_SPARK_TABLES maps them: nothing to create or load
    # A new database file starts empty, unless the start asked for the workshop sample (CRM_FIRST_START=sample:
    # scripts/run.sh does, for its default database, so that a first-time user's first screen is full). A user's
    # own database never gets fictional customers they did not choose. Keyed by path: one connection per file.
    first_start = not os.path.exists(path)
    con = db.connect(path)
    if first_start and sample_on_first_start():
        load_sample_files(con)
    return con


def sample_on_first_start() -> bool:
    """Whether a new database file gets the workshop sample (``CRM_FIRST_START=sample``; default: it starts
    empty)."""
    return os.environ.get("CRM_FIRST_START", "empty").strip().lower() == "sample"


def load_sample_files(con, progress=None, actor: Principal = access.LOCAL_ADMIN) -> list[str]:
    """Import the shipped workshop CSVs through the normal import pipeline (on the very first start,
    as the local admin: the app itself sets the database up)."""
    summaries = []
    for i, table in enumerate(TABLE_ORDER):
        if progress:
            progress(i / len(TABLE_ORDER), f"Importing sample {table}…")
        result = import_file(con, table, SAMPLE_DIR / f"{table}.csv", file_name=f"sample_data/{table}.csv",
                             actor=actor)
        summaries.append(result.summary())
    return summaries


def ensure_reports() -> None:
    """The app's entry point to the data, run before every page: bring the reporting layer up to date after an
    import, showing progress (a few seconds on millions of orders), then fit the default models once for the
    new data; a no-op costing two tiny queries when nothing changed."""
    with session_cursor() as cur:
        if reporting.is_current(cur):
            workbench().fit_defaults_later()
            return
        with st.status("Updating the reports for the new data…", expanded=False) as status:
            try:
                reporting.ensure_current(cur)
            except reporting.ReportsNotRebuilt as exc:  # a full disk: the pages serve the layer built before
                LOG.warning("%s", exc, exc_info=exc)
                status.update(label=str(exc), state="error")
                return
            # the prediction models are fitted here, once, rather than by whichever page a user opens next
            workbench().fit_defaults(lambda text: status.update(label=text))
            status.update(label="Reports and models updated.", state="complete")


@contextmanager
def session_cursor():
    """A cursor for this session's role, for a small uncached read (targets and alerts), always closed."""
    cur = access.restrict(connection().cursor(), Principal("session", auth.role()))
    try:
        yield cur
    finally:
        cur.close()


def version() -> int:
    return data_version(connection())


@st.cache_resource(max_entries=2, show_spinner=False)
def _workbench(path: str, version_key: int) -> Workbench:
    return Workbench(_connection(path))


def workbench() -> Workbench:
    """The application layer of the current data version, shared by every session (its models included)."""
    return _workbench(_path(), version())


@st.cache_data(max_entries=512, show_spinner=False)
def _read(path: str, version_key: int, role: str, method: str, args: tuple, kwargs: tuple):
    return getattr(_workbench(path, version_key), method)(role, *args, **dict(kwargs))


@st.cache_data(max_entries=16, show_spinner=False)
def _read_large(path: str, version_key: int, role: str, method: str, args: tuple, kwargs: tuple):
    """:func:`_read` for the reads that hold a row per customer: few are kept."""
    return getattr(_workbench(path, version_key), method)(role, *args, **dict(kwargs))


class App:
    """This session's view of the workbench: ``app().segment_board(as_of, filters, options)`` and so on for
    every method of :class:`crm_metrics.workbench.Workbench`. A ``read`` is cached per role and data version
    (each reader gets a copy); a ``live`` method runs as this session's role; a ``shared`` result is the
    process-wide one (do not modify it)."""

    def __getattr__(self, name: str):
        declared = getattr(Workbench, name, None)
        kind = getattr(declared, "kind", None)
        if kind is None:
            raise AttributeError(f"Workbench has no page data called {name!r}")
        path, key = _path(), version()
        if kind == "read":
            cached, keyed = (_read_large if declared.large else _read), (without_period if declared.period_free
                                                                           else tuple)
            return lambda *args, **kwargs: cached(path, key, auth.role(), name, keyed(args),
                                                  tuple(sorted(kwargs.items())))
        method = getattr(_workbench(path, key), name)
        return functools.partial(method, auth.role()) if kind == "live" else method

    def call(self, function, *args, **kwargs):
        """``function(cur, *args, **kwargs)`` of crm_metrics on a cursor of this session's role, cached per role
        and data version (keyed by the function's name: arguments must be hashable or picklable)."""
        return self.__getattr__("call")(f"{function.__module__}.{function.__qualname__}", *args, **kwargs)

    def is_empty(self) -> bool:
        return not any(self.stored().values())

    def stored_rows(self, table: str) -> int:
        """Rows stored in a canonical table (every row, whatever the filters)."""
        return self.stored().get(table, 0)


def app() -> App:
    """The pages' one way to their data."""
    return App()


def use_currency() -> str:
    """Write amounts in the currency stored with the data (read on every run: a tiny query, and an editor's
    change on the Data page reaches every session on its next run). On Spark, ``CRM_CURRENCY``."""
    if on_spark():
        return currency.load(None)
    with session_cursor() as cur:
        return currency.load(cur)


def set_currency(code: str) -> None:
    """Record the currency of the amounts (an editor's or admin's choice on the Data page)."""
    currency.store(connection(), code, auth.current())


def open_customer(customer_id: str) -> None:
    """Go to the Customer 360 page showing ``customer_id`` (from any list or chart)."""
    st.session_state["customer_360_pending"] = str(customer_id)
    st.switch_page("pages/customer.py")
