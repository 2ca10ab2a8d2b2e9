"""The application layer the pages call: one object per database and data version.

A :class:`Workbench` composes the concept modules into what a page shows. It holds the whole-base
prediction models (fitted on every customer once per data version and options, a minute at a million
customers), the selections the shared filters make from them, and the per-page results built on both.
Filters choose whom a page shows, never what a model learns from (:mod:`crm_metrics.scope`).

Its methods come in three kinds, which a caching front end (``ui/data.py``) tells apart by the ``kind``
attribute the decorators set:

- ``shared``: computed once per argument tuple and kept here, process-wide (a million predictions are not
  copied per reader); no personal field, computed on a viewer's masked cursor so that it cannot hold one.
  Callers must not modify what they get.
- ``read``: a pure function of the data version and its arguments, run on a cursor of the ``role`` given
  (personal fields masked unless the role may see them): safe for a caller to cache per role.
- ``live``: run on every call (its argument is a frame, or the answer must be fresh).

Constructing a workbench is an entry point: it brings the reporting layer up to date
(:func:`crm_metrics.reporting.ensure_current`), and no method below rebuilds it.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

import pandas as pd

from crm_metrics import (
    access,
    campaigns,
    churn,
    clusters,
    clv,
    cohorts,
    contacts,
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
from crm_metrics.reports import data_version, report

LOG = logging.getLogger(__name__)

MODEL_ROLE = "viewer"  # the whole-base results are computed on a masked cursor: they cannot hold personal data
DEFAULT_TICKET_COST = 15.0  # the Customer value page's default cost per support ticket ($)
CONTACT_FIELDS = ("name", "email", "region")  # what customer_worth carries and with_contacts adds again
ADDED_FIELDS = ("name", "email", "region", "country", "city")  # what with_contacts adds
FIT_THREAD = "crm-fit-models"


class _Memo:
    """A bounded map computed once per key: a second caller of a key being computed waits for it rather
    than computing it again (a model fit takes a minute at a million customers)."""

    def __init__(self, max_entries: int) -> None:
        self.max_entries = max_entries
        self._values: OrderedDict[tuple, Any] = OrderedDict()
        self._lock = threading.Lock()
        self._computing: dict[tuple, threading.Lock] = {}

    def get(self, key: tuple, compute: Callable[[], Any]) -> Any:
        with self._lock:
            if key in self._values:
                self._values.move_to_end(key)
                return self._values[key]
            key_lock = self._computing.setdefault(key, threading.Lock())
        with key_lock:
            with self._lock:
                if key in self._values:
                    return self._values[key]
            try:
                value = compute()
            finally:
                with self._lock:
                    self._computing.pop(key, None)
            with self._lock:
                self._values[key] = value
                while len(self._values) > self.max_entries:
                    self._values.popitem(last=False)
            return value

    def __contains__(self, key: tuple) -> bool:
        with self._lock:
            return key in self._values


def without_period(args: tuple) -> tuple:
    """``args`` with each Filters reduced to its dimensions (:func:`dimensions_only`)."""
    return tuple(dimensions_only(a) if isinstance(a, Filters) else a for a in args)


def shared(max_entries: int):
    """Mark a method whose result is kept here per argument tuple (keyword arguments bound to positions). These
    are model views: they read the filters' dimensions, never their period (as_of is passed on its own), so the
    filters are keyed, and passed on, without it: every period ending on the same day shares them, and so do
    the views fitted after an import."""

    def decorate(method):
        signature = inspect.signature(method)

        @functools.wraps(method)
        def memoized(self, *args, **kwargs):
            bound = signature.bind(self, *args, **kwargs)
            bound.apply_defaults()
            key = without_period(tuple(bound.arguments.values())[1:])
            return self._memo(method.__name__, max_entries).get(key, lambda: method(self, *key))

        memoized.kind = "shared"
        return memoized

    return decorate


def read(method=None, *, large: bool = False, period_free: bool = False):
    """Mark a pure read taking the reader's ``role`` first: a front end may cache it per role and version.
    ``large``: its result holds a row per customer (a front end keeps few of them). ``period_free``: it reads
    the filters' dimensions only (a front end keys it on :func:`without_period` of its arguments)."""

    def mark(function):
        function.kind = "read"
        function.large = large
        function.period_free = period_free
        return function

    return mark(method) if method is not None else mark


def live(method):
    """Mark a method run on every call, taking the reader's ``role`` first."""
    method.kind = "live"
    return method


def dimensions_only(filters: Filters) -> Filters:
    """``filters`` without their period: the model views read the filters' dimensions, never their period
    (as_of is passed on its own), so every period ending on the same day shares them."""
    return Filters(selections=filters.selections)


def order_level_filtered(filters: Filters) -> bool:
    """Whether ``filters`` narrow the orders themselves (sales channel, product category), not only the
    customers."""
    return any(DIMENSIONS[key].level == "order" for key in filters.selected)


@dataclass
class CustomerValue:
    """The Customer value page's data: the whole-base fit, the predictions and totals of the selected
    customers, their five views of worth (no contact fields), the concentration curve, the value tiers,
    the CLV bins and the company's own retention figures."""

    fit: clv.CLVFit
    predictions: pd.DataFrame
    totals: dict
    customers: pd.DataFrame
    curve: pd.DataFrame
    matrix: pd.DataFrame | None
    bins: pd.DataFrame | None
    defaults: dict


class Workbench:
    """Every page's data for one database (``con``: its process-wide connection) at one data version.

    Construct one per data version (the version is read once, here); a front end keeps the current one.
    """

    def __init__(self, con) -> None:
        self.con = con
        self.not_rebuilt: str | None = None  # why the layer could not be brought up to date, if it could not
        cur = con.cursor()
        try:
            reporting.ensure_current(cur)  # an entry point: the layer is brought up to date here, never in a read
        except reporting.ReportsNotRebuilt as exc:  # a full disk: the layer built before is intact, and read
            LOG.warning("%s", exc)
            self.not_rebuilt = str(exc)
        finally:
            cur.close()
        self.version = data_version(con)
        self._memos: dict[str, _Memo] = {}
        self._memos_lock = threading.Lock()
        self._fitting = threading.Lock()
        self._fit_thread: threading.Thread | None = None

    # -- plumbing ---------------------------------------------------------------------------------------------

    def _memo(self, name: str, max_entries: int) -> _Memo:
        with self._memos_lock:
            return self._memos.setdefault(name, _Memo(max_entries))

    @contextmanager
    def cursor(self, role: str = MODEL_ROLE) -> Iterator:
        """A cursor for one unit of work, reading masked personal data unless ``role`` may see it; closed after."""
        cur = access.restrict(self.con.cursor(), Principal("session", role))
        try:
            yield cur
        finally:
            cur.close()

    # -- reports and small reads ------------------------------------------------------------------------------

    @read
    def report(self, role: str, name: str, as_of=None, **options) -> pd.DataFrame:
        """A report of :data:`crm_metrics.reports.REPORTS` as ``role`` may read it."""
        return report(self.con, name, as_of=as_of, principal=Principal("session", role), **options)

    @read
    def call(self, role: str, function: Callable | str, *args, **kwargs):
        """``function(cur, *args, **kwargs)`` of a concept module, on a cursor of ``role``; ``function`` may be
        named "crm_metrics.module.name" (a cache key holds a name, not a function)."""
        if isinstance(function, str):
            module, _, name = function.rpartition(".")
            if not module.startswith("crm_metrics."):
                raise ValueError(f"not a function of crm_metrics: {function!r}")
            function = getattr(importlib.import_module(module), name)
        with self.cursor(role) as cur:
            return function(cur, *args, **kwargs)

    @shared(1)
    def data_span(self):
        """First and last completed order dates, as dates (None, None without orders)."""
        with self.cursor() as cur:
            return reporting.data_span(cur)

    @shared(1)
    def stored(self) -> dict[str, int]:
        """Rows stored per canonical table (every row, whatever the filters)."""
        tables = self.report(MODEL_ROLE, "tables")
        return dict(zip(tables["table_name"], tables["row_count"].astype(int), strict=True))

    @live
    def with_contacts(self, role: str, frame: pd.DataFrame, first: bool = False) -> pd.DataFrame:
        """``frame`` (with customer_id) plus name, email, region, country and city as ``role`` may see them, in
        the frame's order; ``first`` puts them right after customer_id."""
        with self.cursor(role) as cur:
            listed = contacts.with_contacts(cur, frame)
        if not first:
            return listed
        rest = [c for c in listed.columns if c not in ("customer_id", *ADDED_FIELDS)]
        return listed[["customer_id", *ADDED_FIELDS, *rest]]

    # -- reporting pages --------------------------------------------------------------------------------------

    @read
    def overview(self, role: str, period, filters: Filters, grain: str, root_dims: tuple[str, ...]):
        """KPI table, weekly 12-month sparkline series, the trend at ``grain`` (see ``kpis.trend_window``) and one
        breakdown per root dimension at its current drill level: (table, spark, series, {root: (level, frame)})."""
        with self.cursor(role) as cur:
            table = kpis.kpi_table(cur, period, filters)
            # the sparklines are the weekly trend of the last 12 months: one query serves both when possible
            weekly = kpis.trend(cur, kpis.trend_window(period, "week"), filters, "week")
            series = weekly if grain == "week" else kpis.trend(cur, kpis.trend_window(period, grain), filters, grain)
            spark = weekly[weekly["bucket"] > pd.Timestamp(period.end) - pd.Timedelta(days=365)]
            parts = {}
            for root in root_dims:
                level = drill_level(root, filters.selected)
                parts[root] = (level, kpis.breakdown(cur, period, filters, level))
            return table, spark, series, parts

    @read
    def kpi_summary(self, role: str, period, filters: Filters) -> pd.DataFrame:
        """The KPI table against the previous period only (no year-ago column, no trends)."""
        with self.cursor(role) as cur:
            return kpis.kpi_table(cur, period, filters, year_ago=False)

    @read
    def kpi_drivers(self, role: str, period, filters: Filters, compare: str) -> tuple[dict, bool]:
        """The pieces of the headline KPIs per group of every driver dimension (``drivers.pieces``) and whether
        the data reaches the comparison period."""
        with self.cursor(role) as cur:
            by_dimension = drivers.pieces_by_dimension(cur, period, filters, tuple(drivers.DRIVER_DIMENSIONS), compare)
            return by_dimension, drivers.reaches(cur, period, compare)

    @read
    def campaign_starts(self, role: str, window, filters: Filters) -> pd.DataFrame:
        """The campaigns that started in a trend's window (its annotations)."""
        with self.cursor(role) as cur:
            return kpis.campaign_starts(cur, window, filters)

    @read
    def cohort_survivors(self, role: str, cohort: str, as_of, filters: Filters) -> pd.DataFrame:
        """A monthly cohort's customers not yet lapsed, per month."""
        with self.cursor(role) as cur:
            return cohorts.cohort_survivors(cur, cohort, as_of, filters)

    # -- campaigns --------------------------------------------------------------------------------------------

    @read
    def campaign_core(self, role: str, as_of, filters: Filters, options, min_lift: float) -> dict:
        """Per-campaign statistics, the increments against the control groups and their totals: what the
        Campaigns page and the Learn page's campaign tab share."""
        with self.cursor(role) as cur:
            stats = campaigns.campaign_stats(cur, as_of, filters, options)
        increments = campaigns.incrementality(stats, min_lift)
        return {"stats": stats, "increments": increments, "totals": campaigns.totals(stats, increments)}

    @read
    def campaign_results(self, role: str, as_of, filters: Filters, options, min_lift: float) -> dict:
        """Everything the Campaigns page shows: :meth:`campaign_totals` plus roll-ups, attribution and the
        return per channel."""
        core = self.campaign_core(role, as_of, filters, options, min_lift)
        with self.cursor(role) as cur:
            attribution = campaigns.attribution(cur, as_of, filters, options)
        return {**core, "by_channel": campaigns.rollup(core["stats"], "channel"),
                "by_objective": campaigns.rollup(core["stats"], "objective"), "attribution": attribution,
                "returns": campaigns.channel_returns(core["increments"])}

    @read
    def converted_customers(self, role: str, campaign_id: str, as_of, filters: Filters, options) -> pd.DataFrame:
        """The customers a campaign converted, with the segment each was in before it."""
        with self.cursor(role) as cur:
            day = campaigns.segment_day(cur, campaign_id)
            # the whole base's segments on that day, shared by every filter (a filter change only picks customers)
            segments = self.segments_on(day) if day is not None else None
            return campaigns.converted_customers(cur, campaign_id, as_of, filters, options, segments=segments)

    @shared(8)
    def segments_on(self, day):
        """Every customer's RFM segment as of ``day`` in the whole base, by customer_key."""
        with self.cursor() as cur:
            return rfm.segments_by_key(cur, day)

    # -- segments ---------------------------------------------------------------------------------------------

    @shared(2)
    def ids(self):
        """Every customer's id by customer_key (:func:`crm_metrics.scope.id_table`)."""
        with self.cursor() as cur:
            return scope.id_table(cur)

    @shared(64)
    def scope(self, filters: Filters):
        """The customer_keys ``filters`` select (None: every customer), ascending."""
        with self.cursor() as cur:
            return scope.customer_keys(cur, filters)

    @shared(3)
    def rfm_measures(self, as_of):
        """Every customer's RFM measures as of ``as_of`` (~50 MB at a million customers)."""
        with self.cursor() as cur:
            return rfm.measures(cur, as_of)

    @shared(8)
    def movements(self, before, as_of, filters: Filters, options):
        """Every scored customer's segment at both dates. Unless an order-level filter changes the measures
        themselves, scored from the whole base's measures at the two dates, which every filter shares: a filter
        change picks and ranks customers without reading the orders."""
        if rfm.selects_whole_customers(filters):
            return rfm.movements_of(self.rfm_measures(as_of), self.rfm_measures(before), self.scope(filters), options)
        with self.cursor() as cur:
            return rfm.movements(cur, before, as_of, filters, options)

    def _default_movements(self, as_of, filters: Filters, options):
        return self.movements(rfm.months_before(as_of, rfm.DEFAULT_MIGRATION_MONTHS), as_of, filters, options)

    @read(period_free=True)
    def segments(self, role: str, as_of, filters: Filters, options):
        """Segment summary, R x F grid and cut-off table from one scoring (no personal field)."""
        with self.cursor(MODEL_ROLE) as cur:
            return rfm.segment_overview(cur, as_of, dimensions_only(filters), options)

    @read(period_free=True)
    def segment_board(self, role: str, as_of, filters: Filters, options):
        """:meth:`segments`' three frames read from the default comparison's movement list, which the Segments
        page needs for its migration section and member lists anyway: one scoring serves the whole page."""
        moves = self._default_movements(as_of, filters, options)
        with self.cursor(MODEL_ROLE) as cur:
            return rfm.overview_of(cur, moves)

    @shared(32)
    def segment_members(self, segment: str, as_of, filters: Filters, options) -> pd.DataFrame:
        """The customers of one segment as of ``as_of``, most revenue first, with the rule that drew the list,
        without contact fields (read from the default comparison's movement list: not scored again)."""
        moves = self._default_movements(as_of, filters, options)
        return rfm.members_of(moves, segment, as_of, self.ids(), options)

    @read(period_free=True)
    def migration(self, role: str, before, as_of, filters: Filters, options) -> pd.DataFrame:
        """Segment flows between two dates."""
        moves = self.movements(before, as_of, filters, options)
        with self.cursor(MODEL_ROLE) as cur:
            return rfm.flows_of(cur, moves)

    def flow_members(self, from_segment: str, to_segment: str, before, as_of, filters: Filters,
                     options) -> pd.DataFrame:
        """The customers who moved between two segments, most revenue first, without contact fields."""
        moves = self.movements(before, as_of, filters, options)
        return rfm.movers_of(moves, from_segment, to_segment, self.ids(), options)

    flow_members.kind = "shared"  # built from shared parts on each call: a filter of a held list

    @read(large=True)
    def customer_clusters(self, role: str, as_of, filters: Filters, options, n_clusters,
                          extra_features: tuple[str, ...]) -> dict:
        """The fitted clusters: k, silhouette curve, profile, a scatter sample and every assignment."""
        with self.cursor(role) as cur:
            # at least three groups: a two-way split (often the silhouette's favourite) rarely helps a marketer
            model = clusters.CustomerClusters(n_clusters=n_clusters, k_range=(3, 8),
                                              features=clusters.RFM_FEATURES + tuple(extra_features))
            model, assigned, profile = clusters.cluster_customers(cur, as_of, filters, options, model)
            return {"k": model.k_, "silhouette": model.silhouette_, "profile": profile,
                    "sample": clusters.scatter_sample(assigned), "assigned": assigned}

    # -- prediction: the whole-base models --------------------------------------------------------------------

    @shared(4)
    def clv_base(self, as_of, options: clv.CLVOptions):
        """BG/NBD + Gamma-Gamma fitted on every customer, each one's prediction; None without orders."""
        with self.cursor() as cur:
            return clv.forecast_base(cur, as_of, options)

    @shared(4)
    def churn_base(self, as_of, options: churn.ChurnOptions):
        """The churn models trained on every customer; None without enough history."""
        with self.cursor() as cur:
            return churn.fit_whole_base(cur, as_of, options)

    @shared(16)
    def selection(self, as_of, filters: Filters, options: clv.CLVOptions):
        """The CLV predictions and totals of the customers ``filters`` select; None without orders."""
        forecast = self.clv_base(as_of, options)
        return None if forecast is None else clv.for_customers(forecast, self.scope(filters))

    def customer_models(self, as_of):
        """Every customer's CLV prediction and churn score from the default models: (predictions, scored),
        either None when there is nothing to predict from."""
        forecast = self.clv_base(as_of, clv.CLVOptions())
        risk = self.churn_base(as_of, churn.ChurnOptions())
        return (forecast.predictions if forecast is not None and forecast.fit.usable else None,
                risk.scored if risk is not None else None)

    customer_models.kind = "shared"

    @shared(8)
    def customer_value(self, as_of, filters: Filters, options: clv.CLVOptions,
                       ticket_cost: float = DEFAULT_TICKET_COST) -> CustomerValue | None:
        """The CLV models fitted on every customer, the predictions and totals of the customers ``filters``
        select, the five views of worth per customer (without contact fields), the concentration curve, the
        value tiers and the company's own retention figures; None without orders."""
        forecast = self.clv_base(as_of, options)
        if forecast is None:
            return None
        with self.cursor() as cur, ThreadPoolExecutor(max_workers=1) as pool:
            # the company's retention figures are one SQL query, during which DuckDB lets go of the GIL: it runs
            # on its own cursor while this thread selects the customers and computes their tiers
            defaults = pool.submit(worth.retention_defaults, cur, as_of, filters, options.margin_rate)
            predictions, totals = self.selection(as_of, filters, options)
            customers = self._worth(as_of, filters, options, ticket_cost, predictions)
            usable = forecast.fit.usable
            return CustomerValue(fit=forecast.fit, predictions=predictions, totals=totals, customers=customers,
                                 curve=worth.pareto_curve(customers),
                                 matrix=worth.value_matrix(customers) if usable else None,
                                 bins=clv.clv_bins(predictions) if usable else None, defaults=defaults.result())

    def _worth(self, as_of, filters: Filters, options, ticket_cost: float, predictions) -> pd.DataFrame:
        if filters.selected and filters.selects_customers_only:
            # a customer's worth does not depend on who else is selected: the whole base's rows, kept in order
            whole = self.customer_value(as_of, Filters(), options, ticket_cost).customers
            return scope.select(whole, self.scope(filters))
        with self.cursor() as cur:
            return worth.with_predictions(
                worth.customer_worth(cur, as_of, filters, options.margin_rate, ticket_cost)
                .drop(columns=list(CONTACT_FIELDS)), predictions)

    @read(period_free=True)
    def value_summary(self, role: str, as_of, filters: Filters) -> dict | None:
        """The default CLV totals of the customers ``filters`` select (None when the models cannot be fitted)
        and the company's own retention figures, without the per-customer tables; None without orders."""
        filters = dimensions_only(filters)
        forecast = self.clv_base(as_of, clv.CLVOptions())
        if forecast is None:
            return None
        totals = self.selection(as_of, filters, clv.CLVOptions())[1] if forecast.fit.usable else None
        with self.cursor() as cur:  # sums only: no personal field to mask
            defaults = worth.retention_defaults(cur, as_of, filters, clv.CLVOptions().margin_rate)
        return {"totals": totals, "defaults": defaults}

    @shared(4)
    def backtest(self, calibration_end, holdout_end, options: clv.CLVOptions):
        """The whole-base model fitted up to ``calibration_end`` against what happened up to ``holdout_end``."""
        with self.cursor() as cur:
            return clv.backtest(cur, calibration_end, holdout_end, None, options)

    @shared(16)
    def churn_model(self, as_of, filters: Filters, options: churn.ChurnOptions):
        """The churn model trained on every customer, evaluated on the customers ``filters`` select, precision
        and recall read at ``options.list_share`` (no scored rows: the list is :meth:`at_risk_list`)."""
        base = self.churn_base(as_of, replace(options, list_share=churn.ChurnOptions().list_share))
        if base is None:
            return None
        return churn.for_customers(base, self.scope(filters), options.list_share, with_scored=False)

    @shared(4)
    def base_segments(self, as_of) -> pd.DataFrame:
        """Every customer's RFM segment scored against the whole base (customer_id, segment): the label a
        customer carries whatever the filters, as the segment filter reads it."""
        with self.cursor() as cur:
            return rfm.rfm_scores(cur, as_of)[["customer_id", "segment"]]

    @shared(4)
    def at_risk_base(self, as_of, options: churn.ChurnOptions) -> pd.DataFrame | None:
        """Every active customer ranked by value at risk (:func:`crm_metrics.churn.at_risk`: predicted CLV as
        the value, the whole-base segment): each selection's list is this one's rows, order kept."""
        base = self.churn_base(as_of, options)
        if base is None or base.scored is None:
            return None
        predictions = self.customer_models(as_of)[0]
        return churn.at_risk(base.scored, predictions if predictions is not None and len(predictions) else None,
                             self.base_segments(as_of))

    @shared(16)
    def at_risk_list(self, as_of, filters: Filters, options: churn.ChurnOptions, limit: int = 5000):
        """The churn model's active customers among those ``filters`` select, the most value at risk first,
        without contact fields: (the first ``limit`` of them, how many there are), or None without a churn
        result."""
        ranked = self.at_risk_base(as_of, replace(options, list_share=churn.ChurnOptions().list_share))
        return None if ranked is None else scope.head(ranked, self.scope(filters), limit)

    # -- fitting the default models once per data version -----------------------------------------------------

    def models_ready(self, as_of) -> bool:
        """Whether the default churn and customer-value models as of ``as_of`` are fitted (reading is instant)."""
        return ((as_of, clv.CLVOptions()) in self._memo("clv_base", 4)
                and (as_of, churn.ChurnOptions()) in self._memo("churn_base", 4))

    models_ready.kind = "shared"

    def fit_defaults(self, progress: Callable[[str], None] | None = None) -> None:
        """Fit the models with their default options as of the last order date (what every page opens with),
        and the default views built on them, so that no page waits: called after an import."""
        first, as_of = self.data_span()
        if as_of is None:
            return
        say = progress or (lambda text: None)
        say("Fitting the customer-value models (BG/NBD and Gamma-Gamma) on every customer…")
        self.clv_base(as_of, clv.CLVOptions())
        self.customer_value(as_of, Filters(), clv.CLVOptions(), DEFAULT_TICKET_COST)
        say("Training the churn model on every customer…")
        self.churn_base(as_of, churn.ChurnOptions())
        self.at_risk_list(as_of, Filters(), churn.ChurnOptions(), 5000)
        say("Scoring customer segments now and three months ago…")
        self._default_movements(as_of, Filters(), rfm.RFMOptions())
        window = clv.backtest_window(first, as_of)
        if window is not None:
            say("Backtesting the customer-value models…")
            self.backtest(window[1], as_of, clv.CLVOptions())

    def fit_defaults_later(self) -> threading.Thread | None:
        """When the default models are not fitted (a restarted server), fit them on one background thread: the
        first page a user opens is not held up by models it does not show, and a page that needs them waits for
        that fit instead of starting its own. Returns the thread when one started."""
        with self._fitting:
            first, as_of = self.data_span()
            if as_of is None or self.models_ready(as_of) or self._fit_thread is not None:
                return None
            self._fit_thread = threading.Thread(target=self._fit_quietly, name=FIT_THREAD, daemon=True)
            self._fit_thread.start()
            return self._fit_thread

    def _fit_quietly(self) -> None:
        try:
            self.fit_defaults()
        except Exception:  # a closed database or changed data: the page that needs the models fits them
            LOG.exception("fitting the prediction models in the background failed")
