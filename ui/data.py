"""Cached access to the one process-wide database connection and to reports.

The connection is a ``st.cache_resource`` shared by every session; each report runs on its own cursor
(``crm_metrics.report`` opens one). Cached results are keyed by the data version, which changes with
every import or undo, so nobody sees stale numbers after an import.
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import pandas as pd
import streamlit as st

import crm_metrics
from crm_metrics import (
    access,
    campaigns,
    churn,
    clusters,
    clv,
    cohorts,
    contacts,
    currency,
    db,
    drivers,
    kpis,
    reporting,
    rfm,
    scope,
    worth,
)
from crm_metrics.access import Principal
from crm_metrics.dimensions import DIMENSIONS, drill_level
from crm_metrics.filters import Filters
from crm_metrics.formatting import inert as fmt_inert
from crm_metrics.importing import import_file
from crm_metrics.reports import data_version
from crm_metrics.schema import TABLE_ORDER
from ui import auth

SAMPLE_DIR = Path(__file__).resolve().parent.parent / "sample_data"
LOG = logging.getLogger("crm_dashboard")


def connection():
    """The process-wide connection to the database ``CRM_DB`` names (default ``data/crm.duckdb``)."""
    return _connection(str(db.default_path().resolve()))


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

    counts = report("tables").set_index("table_name")["row_count"]
    places = spark.sources()
    return pd.DataFrame({"table": list(counts.index),
                         "location": [places[t].location if t in places else "(not mapped: empty)"
                                      for t in counts.index],
                         "rows": counts.to_numpy()})


def refresh_lake() -> None:
    """On Spark: read the lake again and rebuild the reporting layer (every cached result is keyed by the data
    version, which the reading moves on); the default models are fitted again for the new data."""
    con = connection()
    con.refresh()
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
    """Bring the reporting layer up to date after an import, showing progress (it takes a few seconds on
    millions of orders); a no-op costing two tiny queries when nothing changed."""
    with _cursor(None, auth.role()) as cur:
        if reporting.is_current(cur):
            warm_models_later()
            return
        with st.status("Updating the reports for the new data…", expanded=False) as status:
            try:
                reporting.ensure_current(cur)
            except reporting.ReportsNotRebuilt as exc:  # a full disk: the pages serve the layer built before
                LOG.warning("%s", exc, exc_info=exc)
                status.update(label=str(exc), state="error")
                return
            # the prediction models are refitted here, once, rather than by whichever page a user opens next
            warm_models(lambda text: status.update(label=text))
            status.update(label="Reports and models updated.", state="complete")


@contextmanager
def _cursor(path: str | None, role: str):
    """A cursor of the process-wide connection for one unit of work, always closed. It reads masked
    personal data unless ``role`` may see it (every cached function takes the role as part of its key,
    so one role's results are never served to another)."""
    cur = (_connection(path) if path else connection()).cursor()
    access.restrict(cur, Principal("session", role))
    try:
        yield cur
    finally:
        cur.close()


@contextmanager
def session_cursor():
    """A cursor for this session's role, for a small uncached read (targets and alerts)."""
    with _cursor(None, auth.role()) as cur:
        yield cur


def version() -> int:
    return data_version(connection())


@st.cache_data(max_entries=256, show_spinner=False)
def _report(path: str, role: str, name: str, as_of: dt.date | None, version_key: int, options: tuple) -> pd.DataFrame:
    return crm_metrics.report(_connection(path), name, as_of=as_of, principal=Principal("session", role),
                              **dict(options))


def report(name: str, as_of: dt.date | None = None, **options) -> pd.DataFrame:
    """A report from crm_metrics, cached until the data changes (keyed by database and data version)."""
    path = str(db.default_path().resolve())
    return _report(path, auth.role(), name, as_of, version(), tuple(sorted(options.items())))


def use_currency() -> str:
    """Write amounts in the currency stored with the data (read on every run: a tiny query, and an editor's
    change on the Data page reaches every session on its next run). On Spark, ``CRM_CURRENCY``."""
    if on_spark():
        return currency.load(None)
    with _cursor(None, auth.role()) as cur:
        return currency.load(cur)


def set_currency(code: str) -> None:
    """Record the currency of the amounts (an editor's or admin's choice on the Data page)."""
    currency.store(connection(), code, auth.current())


def is_empty() -> bool:
    return int(report("tables")["row_count"].sum()) == 0


def stored_rows(table: str) -> int:
    """Rows stored in a canonical table (every row, whatever the filters)."""
    tables = report("tables")
    return int(tables.loc[tables["table_name"] == table, "row_count"].sum())


def data_span() -> tuple[dt.date | None, dt.date | None]:
    """First and last completed order dates."""
    row = report("data-span").iloc[0]
    first, last = row["first_order"], row["last_order"]
    return (None, None) if pd.isna(first) else (_as_date(first), _as_date(last))


def _as_date(value) -> dt.date:
    # pandas Timestamps are datetimes (and so dates): compare as plain dates.
    return value.date() if isinstance(value, dt.datetime) else value


@st.cache_data(max_entries=256, show_spinner=False)
def _overview(path: str, role: str, version_key: int, period, filters, grain: str, root_dims: tuple[str, ...]):
    with _cursor(path, role) as cur:
        table = kpis.kpi_table(cur, period, filters)
        # the sparklines are the weekly trend of the last 12 months: one query serves both when possible
        weekly = kpis.trend(cur, kpis.trend_window(period, "week"), filters, "week")
        series = weekly if grain == "week" else kpis.trend(cur, kpis.trend_window(period, grain), filters, grain)
        spark = weekly[weekly["bucket"] > pd.Timestamp(period.end - dt.timedelta(days=365))]
        parts = {}
        for root in root_dims:
            level = drill_level(root, filters.selected)
            parts[root] = (level, kpis.breakdown(cur, period, filters, level))
        return table, spark, series, parts


def overview(period, filters, grain: str, root_dims: tuple[str, ...]):
    """KPI table, weekly 12-month sparkline series, the trend at ``grain`` (see ``kpis.trend_window``) and one
    breakdown per root dimension (at its current drill level), cached until the data or filters change."""
    return _overview(str(db.default_path().resolve()), auth.role(), version(), period, filters, grain, root_dims)


@st.cache_data(max_entries=64, show_spinner=False)
def _kpi_drivers(path: str, role: str, version_key: int, period, filters, compare: str):
    with _cursor(path, role) as cur:
        by_dimension = {d: drivers.pieces(cur, period, filters, d, compare) for d in drivers.DRIVER_DIMENSIONS}
        return by_dimension, drivers.reaches(cur, period, compare)


def kpi_drivers(period, filters, compare: str) -> tuple[dict, bool]:
    """The pieces of the headline KPIs per group of every driver dimension (``drivers.pieces``) and whether the
    data reaches the comparison period, cached until the data or filters change."""
    return _kpi_drivers(str(db.default_path().resolve()), auth.role(), version(), period, filters, compare)


@st.cache_data(max_entries=64, show_spinner=False)
def _campaign_starts(path: str, role: str, version_key: int, window, filters):
    with _cursor(path, role) as cur:
        return kpis.campaign_starts(cur, window, filters)


def campaign_starts(window, filters):
    """The campaigns that started in a trend's window (its annotations), cached until the data changes."""
    return _campaign_starts(str(db.default_path().resolve()), auth.role(), version(), window, filters)


def overview_document(period, filters) -> tuple[bytes, str]:
    """The Overview as (PDF bytes, static HTML) for this session's role (``ui.report_document``); not cached:
    it is made on request, and the targets on it may have changed since."""
    from ui import report_document

    with _cursor(None, auth.role()) as cur:
        document = report_document.overview_document(cur, period, filters, dt.datetime.now(dt.UTC))
    return report_document.to_pdf(document.html), document.html


@st.cache_data(max_entries=64, show_spinner=False)
def _kpi_summary(path: str, role: str, version_key: int, period, filters):
    with _cursor(path, role) as cur:
        return kpis.kpi_table(cur, period, filters, year_ago=False)


def kpi_summary(period, filters):
    """The KPI table against the previous period only (no year-ago column, no trends): for a page that
    states the headline and links to the Overview; cached until the data or filters change."""
    return _kpi_summary(str(db.default_path().resolve()), auth.role(), version(), period, filters)


@st.cache_data(max_entries=128, show_spinner=False)
def _segments(path: str, version_key: int, as_of, filters, options):
    with _cursor(path, MODEL_ROLE) as cur:  # sums and score ranges only: no personal field to mask
        return rfm.segment_overview(cur, as_of, filters, options)


def segments(as_of, filters, options):
    """Segment summary, R x F grid and cut-off table from one scoring, cached until the data, filters or
    options change (for a page that shows the segments alone)."""
    return _segments(str(db.default_path().resolve()), version(), as_of, _dimensions(filters), options)


@st.cache_data(max_entries=128, show_spinner=False)
def _segment_board(path: str, version_key: int, as_of, filters, options):
    moves = _movements(path, version_key, rfm.months_before(as_of, rfm.DEFAULT_MIGRATION_MONTHS), as_of, filters,
                       options)
    with _cursor(path, MODEL_ROLE) as cur:
        return rfm.overview_of(cur, moves)


def segment_board(as_of, filters, options):
    """:func:`segments`' three frames read from the default comparison's movement list, which the Segments
    page needs for its migration section and its member lists anyway: one scoring serves the whole page."""
    return _segment_board(str(db.default_path().resolve()), version(), as_of, _dimensions(filters), options)


@st.cache_resource(max_entries=32, show_spinner=False)
def _members(path: str, version_key: int, segment: str, as_of, filters, options):
    # the default comparison's movement list holds every customer's scoring as of as_of (its later side):
    # the page's migration section has it already, so the members are read from it, not scored again
    moves = _movements(path, version_key, rfm.months_before(as_of, rfm.DEFAULT_MIGRATION_MONTHS), as_of, filters,
                       options)
    return rfm.members_of(moves, segment, as_of, _ids(path, version_key), options)


def segment_members(segment: str, as_of, filters, options):
    """The customers of one segment as of ``as_of``, most revenue first, with the rule that drew the list
    (:func:`crm_metrics.rfm.members_of`), without contact fields: add them with :func:`with_contacts` to the
    rows shown, and to the whole list only when it is exported. Shared by every session: do not modify."""
    return _members(str(db.default_path().resolve()), version(), segment, as_of, _dimensions(filters), options)


@st.cache_resource(max_entries=2, show_spinner=False)
def _ids(path: str, version_key: int):
    """Every customer's id by customer_key (:func:`crm_metrics.scope.id_table`): lists scored on the key
    look their ids up in it. Process-wide and read-only."""
    with _cursor(path, MODEL_ROLE) as cur:
        return scope.id_table(cur)


@st.cache_resource(max_entries=8, ttl=3600, show_spinner=False)
def _movements(path: str, version_key: int, before, as_of, filters, options):
    """Every scored customer's segment at both dates (a million rows at the largest size: a process-wide
    resource, read without copying; no personal field, so one list serves every role). Unless an order-level
    filter changes the measures themselves, scored from the whole base's measures at the two dates, which
    every filter shares: a filter change picks and ranks customers without reading the orders."""
    if rfm.selects_whole_customers(filters):
        return rfm.movements_of(_rfm_measures(path, version_key, as_of), _rfm_measures(path, version_key, before),
                                _scope(path, version_key, filters), options)
    with _cursor(path, MODEL_ROLE) as cur:
        return rfm.movements(cur, before, as_of, filters, options)


@st.cache_resource(max_entries=3, ttl=3600, show_spinner=False)
def _rfm_measures(path: str, version_key: int, as_of):
    """Every customer's RFM measures as of ``as_of`` (:func:`crm_metrics.rfm.measures`; ~50 MB at a million
    customers): the dates of the default comparison, and one more."""
    with _cursor(path, MODEL_ROLE) as cur:
        return rfm.measures(cur, as_of)


@st.cache_data(max_entries=64, show_spinner=False)
def _migration(path: str, version_key: int, before, as_of, filters, options):
    moves = _movements(path, version_key, before, as_of, filters, options)
    with _cursor(path, MODEL_ROLE) as cur:
        return rfm.flows_of(cur, moves)


def migration(before, as_of, filters, options):
    """Segment flows between two dates, cached until the data, filters or options change."""
    return _migration(str(db.default_path().resolve()), version(), before, as_of, _dimensions(filters), options)


def flow_members(from_segment: str, to_segment: str, before, as_of, filters, options):
    """The customers who moved between two segments, most revenue first, without contact fields: add them
    with :func:`with_contacts` to the rows shown, and to the whole list only when it is exported."""
    path, key = str(db.default_path().resolve()), version()
    moves = _movements(path, key, before, as_of, _dimensions(filters), options)
    return rfm.movers_of(moves, from_segment, to_segment, _ids(path, key), options)


@st.cache_data(max_entries=16, show_spinner=False)
def _clusters(path: str, role: str, version_key: int, as_of, filters, options, n_clusters, extra_features):
    with _cursor(path, role) as cur:
        # at least three groups: a two-way split (often the silhouette's favourite) rarely helps a marketer
        model = clusters.CustomerClusters(n_clusters=n_clusters, k_range=(3, 8),
                                          features=clusters.RFM_FEATURES + tuple(extra_features))
        model, assigned, profile = clusters.cluster_customers(cur, as_of, filters, options, model)
        return {"k": model.k_, "silhouette": model.silhouette_, "profile": profile,
                "sample": clusters.scatter_sample(assigned), "assigned": assigned}


def customer_clusters(as_of, filters, options, n_clusters, extra_features):
    """The fitted clusters (k, silhouette curve, profile, a scatter sample, every assignment), cached."""
    return _clusters(str(db.default_path().resolve()), auth.role(), version(), as_of, filters, options, n_clusters,
                     tuple(extra_features))


CONTACT_FIELDS = ("name", "email", "region")  # what customer_worth carries and with_contacts adds again
ADDED_FIELDS = ("name", "email", "region", "country", "city")  # what with_contacts adds


def with_contacts(frame, role: str | None = None, first: bool = False):
    """``frame`` (with customer_id) plus name, email, region, country and city as ``role`` (default: this
    session's) may see them, in the frame's order; ``first`` puts them right after customer_id."""
    with _cursor(None, role or auth.role()) as cur:
        listed = contacts.with_contacts(cur, frame)
    if not first:
        return listed
    rest = [c for c in listed.columns if c not in ("customer_id", *ADDED_FIELDS)]
    return listed[["customer_id", *ADDED_FIELDS, *rest]]


@st.cache_data(max_entries=64, show_spinner=False)
def _campaign_core(path: str, role: str, version_key: int, as_of, filters, options, min_lift: float):
    """Per-campaign statistics, the increments against the control groups and their totals: what the Campaigns
    page and the Learn page's campaign tab share."""
    with _cursor(path, role) as cur:
        stats = campaigns.campaign_stats(cur, as_of, filters, options)
    increments = campaigns.incrementality(stats, min_lift)
    return {"stats": stats, "increments": increments, "totals": campaigns.totals(stats, increments)}


@st.cache_data(max_entries=64, show_spinner=False)
def _campaigns(path: str, role: str, version_key: int, as_of, filters, options, min_lift: float):
    core = _campaign_core(path, role, version_key, as_of, filters, options, min_lift)
    with _cursor(path, role) as cur:
        attribution = campaigns.attribution(cur, as_of, filters, options)
    return {**core, "by_channel": campaigns.rollup(core["stats"], "channel"),
            "by_objective": campaigns.rollup(core["stats"], "objective"), "attribution": attribution,
            "returns": campaigns.channel_returns(core["increments"])}


def campaign_results(as_of, filters, options, min_lift: float):
    """Everything the Campaigns page shows (per campaign, increments, totals, roll-ups, attribution, channel
    returns), cached until the data, filters or options change."""
    return _campaigns(str(db.default_path().resolve()), auth.role(), version(), as_of, filters, options, min_lift)


def campaign_totals(as_of, filters, options, min_lift: float):
    """The Campaigns page's totals alone (spend, attributed and incremental revenue), without the per-model
    attribution; cached until the data, filters or options change."""
    return _campaign_core(str(db.default_path().resolve()), auth.role(), version(), as_of, filters, options,
                          min_lift)["totals"]


@st.cache_data(max_entries=64, show_spinner=False)
def _converted(path: str, role: str, version_key: int, campaign_id: str, as_of, filters, options):
    with _cursor(path, role) as cur:
        day = campaigns.segment_day(cur, campaign_id)
        # the whole base's segments on that day, shared by every filter (a filter change only picks customers)
        segments = _segments_on(path, version_key, day) if day is not None else None
        return campaigns.converted_customers(cur, campaign_id, as_of, filters, options, segments=segments)


@st.cache_resource(max_entries=8, show_spinner=False)
def _segments_on(path: str, version_key: int, day):
    """Every customer's RFM segment as of ``day`` in the whole base, by customer_key
    (:func:`crm_metrics.rfm.segments_by_key`); process-wide, no personal data."""
    with _cursor(path, MODEL_ROLE) as cur:
        return rfm.segments_by_key(cur, day)


def converted_customers(campaign_id: str, as_of, filters, options):
    """The customers a campaign converted, with the segment they were in before it, cached."""
    return _converted(str(db.default_path().resolve()), auth.role(), version(), campaign_id, as_of, filters, options)


# The prediction models learn from every customer, once per data version and model options (a minute at a
# million customers), and filters only choose whom a page shows (crm_metrics.scope). Their results are
# process-wide resources, not copies per session: st.cache_data would pickle and copy a million predictions on
# every read. They hold no personal data, and are computed on a viewer's (masked) cursor so that they cannot.
# Callers must not modify them (crm_metrics' selections return new frames).
MODEL_ROLE = "viewer"
DEFAULT_TICKET_COST = 15.0  # the Customer value page's default cost per support ticket ($)


_FITTED: set[tuple] = set()  # (path, version, as_of) whose default models are fitted: see models_ready


def _whole_base(kind: str, fit, defaults, path: str, version_key: int, as_of, options):
    with _cursor(path, MODEL_ROLE) as cur:
        result = fit(cur, as_of, options)
    if options == defaults:
        _FITTED.add((kind, path, version_key, as_of))
    return result


@st.cache_resource(max_entries=4, show_spinner=False)
def _clv_base(path: str, version_key: int, as_of, options):
    return _whole_base("clv", clv.forecast_base, clv.CLVOptions(), path, version_key, as_of, options)


@st.cache_resource(max_entries=4, show_spinner=False)
def _churn_base(path: str, version_key: int, as_of, options):
    return _whole_base("churn", churn.fit_whole_base, churn.ChurnOptions(), path, version_key, as_of, options)


@st.cache_resource(max_entries=16, show_spinner=False)
def _selection(path: str, version_key: int, as_of, filters, options):
    """The CLV predictions and totals of the customers ``filters`` select; None without orders."""
    forecast = _clv_base(path, version_key, as_of, options)
    return None if forecast is None else clv.for_customers(forecast, _scope(path, version_key, filters))


def models_ready(as_of) -> bool:
    """Whether the default churn and customer-value models as of ``as_of`` are fitted for this data (reading
    them is then instant)."""
    key = (str(db.default_path().resolve()), version(), as_of)
    return ("clv", *key) in _FITTED and ("churn", *key) in _FITTED


def customer_models(as_of):
    """Every customer's CLV prediction and churn score from the default whole-base models: (predictions,
    scored), either None when there is nothing to predict from."""
    path, key = str(db.default_path().resolve()), version()
    forecast = _clv_base(path, key, as_of, clv.CLVOptions())
    risk = _churn_base(path, key, as_of, churn.ChurnOptions())
    return (forecast.predictions if forecast is not None and forecast.fit.usable else None,
            risk.scored if risk is not None else None)


# a process-wide resource: the keys are read-only, and st.cache_data would copy them on every read
@st.cache_resource(max_entries=64, show_spinner=False)
def _scope(path: str, version_key: int, filters):
    with _cursor(path, MODEL_ROLE) as cur:
        return scope.customer_keys(cur, filters)


def warm_models(progress=None) -> None:
    """Fit the churn and customer-value models with their default options as of the last order date (what
    every page opens with), so that no page waits for them: called after an import."""
    first, last = data_span()
    if last is not None:
        _fit_defaults(str(db.default_path().resolve()), version(), first, last, progress)


def _fit_defaults(path: str, version_key: int, first_order, as_of, progress=None) -> None:
    def say(text: str) -> None:
        if progress:
            progress(text)

    say("Fitting the customer-value models (BG/NBD and Gamma-Gamma) on every customer…")
    _clv_base(path, version_key, as_of, clv.CLVOptions())
    _value(path, version_key, as_of, Filters(), clv.CLVOptions(), DEFAULT_TICKET_COST)
    say("Training the churn model on every customer…")
    _churn_base(path, version_key, as_of, churn.ChurnOptions())
    _at_risk(path, version_key, as_of, Filters(), churn.ChurnOptions(), 5000)
    say("Scoring customer segments now and three months ago…")
    _movements(path, version_key, rfm.months_before(as_of, rfm.DEFAULT_MIGRATION_MONTHS), as_of,
               _dimensions(Filters()), rfm.RFMOptions())
    window = clv.backtest_window(first_order, as_of)
    if window is not None:
        say("Backtesting the customer-value models…")
        _backtest(path, version_key, window[1], as_of, clv.CLVOptions())


_WARMING: set[tuple[str, int]] = set()


def warm_models_later() -> None:
    """When this process has not fitted the default models for the current data (a restarted server), fit
    them on a background thread, once: the first page a user opens is not held up by models it does not
    show, and a page that needs them waits for that one fit instead of starting its own (Streamlit computes a
    cached value once per key while other callers wait)."""
    first, last = data_span()
    path, key = str(db.default_path().resolve()), version()
    if last is None or models_ready(last) or (path, key) in _WARMING:
        return
    _WARMING.add((path, key))

    def fit() -> None:
        try:
            _fit_defaults(path, key, first, last)
        except Exception:  # a closed database or changed data: the page that needs the models fits them
            logging.getLogger(__name__).exception("fitting the prediction models in the background failed")

    threading.Thread(target=fit, name="crm-fit-models", daemon=True).start()


# a process-wide resource too: a million customers' worth, pickled and copied on every read as st.cache_data
# does, cost seconds per page run. It holds no contact fields (pages add them for the rows they show, as the
# session's role may see them: with_contacts), so one copy serves every role.
@st.cache_resource(max_entries=8, show_spinner=False)
def _value(path: str, version_key: int, as_of, filters, options, ticket_cost: float):
    forecast = _clv_base(path, version_key, as_of, options)
    if forecast is None:
        return None
    with _cursor(path, MODEL_ROLE) as cur, ThreadPoolExecutor(max_workers=1) as pool:
        # the company's retention figures are one SQL query, during which DuckDB lets go of the GIL: it runs on
        # its own cursor while this thread selects the customers and computes their tiers
        defaults = pool.submit(worth.retention_defaults, cur, as_of, filters, options.margin_rate)
        predictions, totals = _selection(path, version_key, as_of, filters, options)
        if filters.selected and filters.selects_customers_only:
            # a customer's worth does not depend on who else is selected: the whole base's rows, kept in order
            whole = _value(path, version_key, as_of, Filters(), options, ticket_cost)["customers"]
            customers = scope.select(whole, _scope(path, version_key, filters))
        else:
            with _cursor(path, MODEL_ROLE) as own:
                customers = worth.with_predictions(
                    worth.customer_worth(own, as_of, filters, options.margin_rate, ticket_cost)
                    .drop(columns=list(CONTACT_FIELDS)), predictions)
        fit = forecast.fit
        result = {"fit": fit, "predictions": predictions, "totals": totals, "customers": customers,
                  "curve": worth.pareto_curve(customers),
                  # per-customer tiers and bins over up to a million rows: computed once, with the predictions
                  "matrix": worth.value_matrix(customers) if fit.usable else None,
                  "bins": clv.clv_bins(predictions) if fit.usable else None}
        return {**result, "defaults": defaults.result()}


@st.cache_data(max_entries=32, show_spinner=False)
def _value_summary(path: str, version_key: int, as_of, filters):
    forecast = _clv_base(path, version_key, as_of, clv.CLVOptions())
    if forecast is None:
        return None
    totals = _selection(path, version_key, as_of, filters, clv.CLVOptions())[1] if forecast.fit.usable else None
    with _cursor(path, MODEL_ROLE) as cur:  # sums only: no personal field to mask
        defaults = worth.retention_defaults(cur, as_of, filters, clv.CLVOptions().margin_rate)
    return {"totals": totals, "defaults": defaults}


def value_summary(as_of, filters):
    """The default CLV totals of the customers ``filters`` select (None when the models cannot be fitted) and
    the company's own retention figures, without the per-customer tables; None without orders."""
    return _value_summary(str(db.default_path().resolve()), version(), as_of, _dimensions(filters))


def customer_value(as_of, filters, options, ticket_cost: float):
    """The CLV models fitted on every customer, the predictions and totals of the customers ``filters``
    select, the five views of worth per customer (without contact fields: see with_contacts), the
    concentration curve and the company's own retention figures, cached until the data, filters or options
    change."""
    return _value(str(db.default_path().resolve()), version(), as_of, _dimensions(filters), options, ticket_cost)


def order_level_filtered(filters: Filters) -> bool:
    """Whether ``filters`` narrow the orders themselves (sales channel, product category), not only the
    customers."""
    return any(DIMENSIONS[key].level == "order" for key in filters.selected)


def _dimensions(filters: Filters) -> Filters:
    # the model views read the filters' dimensions, never their period (as_of is passed on its own): keyed
    # without it, every period ending on the same day shares them, and so do the models fitted after an import
    return Filters(selections=filters.selections)


def backtest(calibration_end, holdout_end, options):
    """The whole-base model fitted up to ``calibration_end`` against what happened up to ``holdout_end``
    (the model the pages use is fitted on every customer, so it is tested on every customer)."""
    return _backtest(str(db.default_path().resolve()), version(), calibration_end, holdout_end, options)


@st.cache_resource(max_entries=4, show_spinner=False)
def _backtest(path: str, version_key: int, calibration_end, holdout_end, options):
    with _cursor(path, MODEL_ROLE) as cur:
        return clv.backtest(cur, calibration_end, holdout_end, None, options)


@st.cache_resource(max_entries=16, show_spinner=False)
def _churn(path: str, version_key: int, as_of, filters, options):
    base = _churn_base(path, version_key, as_of, replace(options, list_share=churn.ChurnOptions().list_share))
    if base is None:
        return None
    # the page lists customers from _at_risk: the view needs no scored rows
    return churn.for_customers(base, _scope(path, version_key, filters), options.list_share, with_scored=False)


@st.cache_resource(max_entries=4, show_spinner=False)
def _at_risk_base(path: str, version_key: int, as_of, options):
    """Every active customer ranked by value at risk, from the whole-base models: each selection's list is
    this one's rows (its order kept), so a filter change only picks rows."""
    base = _churn_base(path, version_key, as_of, options)
    if base is None or base.scored is None:
        return None
    forecast = _clv_base(path, version_key, as_of, clv.CLVOptions())
    predictions = forecast.predictions if forecast is not None and forecast.fit.usable else None
    return churn.at_risk(base.scored, predictions if predictions is not None and len(predictions) else None,
                         _base_segments(path, version_key, as_of))


@st.cache_resource(max_entries=16, show_spinner=False)
def _at_risk(path: str, version_key: int, as_of, filters, options, limit: int):
    ranked = _at_risk_base(path, version_key, as_of, replace(options, list_share=churn.ChurnOptions().list_share))
    return None if ranked is None else scope.head(ranked, _scope(path, version_key, filters), limit)


@st.cache_resource(max_entries=4, show_spinner=False)
def _base_segments(path: str, version_key: int, as_of):
    """Every customer's RFM segment scored against the whole base (customer_id, segment): the label a
    customer carries whatever the filters, as the segment filter reads it; process-wide, built once."""
    with _cursor(path, MODEL_ROLE) as cur:
        return rfm.rfm_scores(cur, as_of)[["customer_id", "segment"]]


def at_risk_list(as_of, filters, options, limit: int = 5000):
    """The churn model's active customers among those ``filters`` select, the most value at risk first
    (:func:`crm_metrics.churn.at_risk`: predicted CLV as the value; the RFM segment each customer has in the
    whole base, like the models, so that a segment filter and the list's segment column agree), without
    contact fields: (the first ``limit`` of them, how many there are), or None without a churn result. Shared
    by every session: do not modify."""
    return _at_risk(str(db.default_path().resolve()), version(), as_of, _dimensions(filters), options, limit)


def churn_model(as_of, filters, options):
    """The churn model trained on every customer, evaluated on the customers ``filters`` select, with
    precision and recall read at ``options.list_share`` (its ``scored`` is None under a filter: the list is
    :func:`at_risk_list`); cached until the data changes."""
    return _churn(str(db.default_path().resolve()), version(), as_of, _dimensions(filters), options)


@st.cache_data(max_entries=32, show_spinner=False)
def _survivors(path: str, role: str, version_key: int, cohort: str, as_of, filters):
    with _cursor(path, role) as cur:
        return cohorts.cohort_survivors(cur, cohort, as_of, filters)


def cohort_survivors(cohort: str, as_of, filters):
    """A monthly cohort's customers not yet lapsed, per month, cached until the data changes."""
    return _survivors(str(db.default_path().resolve()), auth.role(), version(), cohort, as_of, filters)


@st.cache_data(max_entries=256, show_spinner=False)
def _call(path: str, role: str, version_key: int, function: str, args: tuple, kwargs: tuple):
    module, name = function.rsplit(".", 1)
    with _cursor(path, role) as cur:
        return getattr(importlib.import_module(module), name)(cur, *args, **dict(kwargs))


def cached(function, *args, **kwargs):
    """``function(cur, *args, **kwargs)`` of crm_metrics on its own cursor, cached until the data changes
    (keyed by database, data version, function and arguments; arguments must be hashable or picklable)."""
    return _call(str(db.default_path().resolve()), auth.role(), version(),
                 f"{function.__module__}.{function.__qualname__}", args, tuple(sorted(kwargs.items())))


def open_customer(customer_id: str) -> None:
    """Go to the Customer 360 page showing ``customer_id`` (from any list or chart)."""
    st.session_state["customer_360_pending"] = str(customer_id)
    st.switch_page("pages/customer.py")
