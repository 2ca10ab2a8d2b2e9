"""RFM: recency, frequency and monetary value per customer, scored 1-5 and named by segment rules.

All computation is SQL (``sql/rfm_base.sql``): the per-customer measures, the scores (quintiles of the
rank, ties sharing a score, or user-set cut points) and the segment rules (:mod:`crm_metrics.segments`).
``as_of`` is passed in: only orders on or before it count, and recency is measured to it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from crm_metrics import db
from crm_metrics.contacts import with_contacts
from crm_metrics.dimensions import DIMENSIONS
from crm_metrics.filters import Filters
from crm_metrics.reporting import data_span
from crm_metrics.reports import register
from crm_metrics.scope import id_table, ids_of
from crm_metrics.segments import RFMOptions, describe, rule_text  # noqa: F401  (RFMOptions: re-exported)

ORDER_LEVEL = tuple(k for k, d in DIMENSIONS.items() if d.level == "order")


def rfm_params(cur, as_of: dt.date | None, filters: Filters | None, options: RFMOptions | None) -> dict | None:
    """The named parameters of the RFM queries (None when there are no orders yet)."""
    first, last = data_span(cur)
    if last is None:
        return None
    as_of = as_of or last
    filters = filters or Filters()
    # without an order-level filter each customer's measures are their whole-history totals less the orders
    # after the date (sql/rfm_base.sql): fewer orders to read than those up to it when the date is in the later
    # half of the history, and none at all on or after the last order date
    from_totals = as_of - first >= last - as_of and selects_whole_customers(filters)
    return {"as_of": as_of, "before": None, "from_totals": from_totals, **filters.params(),
            **(options or RFMOptions()).params()}


def selects_whole_customers(filters: Filters | None) -> bool:
    """Whether ``filters`` only choose customers (no order-level filter): RFM measures are then each
    customer's own, the same under any such filter, and :func:`movements_of` can score them."""
    return not any((filters or Filters()).selected.get(d) for d in ORDER_LEVEL)


def _score(cur, as_of, filters, options) -> dict | None:
    """Score the customers into the cursor's temporary ``rfm_scored`` table (sql/rfm_scored.sql); the
    parameters it was scored with, or None when there are no orders yet."""
    params = rfm_params(cur, as_of, filters, options)
    if params is not None:
        db.execute(cur, "rfm_scored", params)
    return params


def segments_by_key(cur, as_of=None, filters=None, options=None) -> np.ndarray:
    """Every customer's segment as of ``as_of``: an array indexed by customer_key, None for customers not
    scored (no order by then), "Unassigned" where no rule holds a customer's cell. Read as rule priorities
    (``sql/segment_priorities.sql``) and named here: a million customers' segments without a million texts."""
    options = options or RFMOptions()
    if _score(cur, as_of, filters, options) is None:
        return np.full(0, None, dtype=object)
    scored = db.query_df(cur, "segment_priorities")
    keys = scored["customer_key"].to_numpy(dtype="int64")
    names = {rule.priority: rule.name for rule in options.rules}
    labels = np.full(int(keys.max(initial=0)) + 1, None, dtype=object)
    labels[keys] = [names.get(p, "Unassigned") for p in scored["priority"].fillna(-1).astype("int64")]
    return labels


def _run(cur, name: str, as_of, filters, options, columns: list[str]) -> pd.DataFrame:
    params = _score(cur, as_of, filters, options)
    if params is None:
        return pd.DataFrame(columns=columns)
    return db.query_df(cur, name, params)


SCORE_COLUMNS = ["customer_id", "recency_days", "frequency", "monetary", "purchase_days", "orders", "revenue",
                 "average_order", "first_order", "last_order", "r_score", "f_score", "m_score", "fm_score",
                 "rfm_cell", "segment"]


SUMMARY_COLUMNS = ["segment", "customers", "customer_share", "orders", "revenue", "average_order_value",
                   "average_recency_days", "average_frequency", "revenue_share"]
GRID_COLUMNS = ["r_score", "f_score", "customers", "revenue"]
CUTOFF_COLUMNS = ["measure", "score", "low", "high", "customers"]


def rfm_scores(cur, as_of=None, filters=None, options=None) -> pd.DataFrame:
    """Grain: one row per customer with a completed order on or before ``as_of``. Columns: SCORE_COLUMNS."""
    return _run(cur, "rfm_scores", as_of, filters, options, SCORE_COLUMNS)


def segment_summary(cur, as_of=None, filters=None, options=None) -> pd.DataFrame:
    """Grain: one row per segment: customers, share, orders, revenue, AOV, average recency, revenue share."""
    return _run(cur, "rfm_segments", as_of, filters, options, SUMMARY_COLUMNS)


def rf_grid(cur, as_of=None, filters=None, options=None) -> pd.DataFrame:
    """Grain: one row per (R score, F score) cell with customers: customers and revenue."""
    return _run(cur, "rfm_grid", as_of, filters, options, GRID_COLUMNS)


def cutoffs(cur, as_of=None, filters=None, options=None) -> pd.DataFrame:
    """Grain: one row per (measure, score): the lowest and highest value scored so, and how many."""
    return _run(cur, "rfm_cutoffs", as_of, filters, options, CUTOFF_COLUMNS)


def segment_overview(cur, as_of=None, filters=None, options=None) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """:func:`segment_summary`, :func:`rf_grid` and :func:`cutoffs` from one scoring of the customers."""
    params = _score(cur, as_of, filters, options)
    if params is None:
        return (pd.DataFrame(columns=SUMMARY_COLUMNS), pd.DataFrame(columns=GRID_COLUMNS),
                pd.DataFrame(columns=CUTOFF_COLUMNS))
    return tuple(db.query_df(cur, name, params) for name in ("rfm_segments", "rfm_grid", "rfm_cutoffs"))


def overview_of(cur, moves: pa.Table) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """:func:`segment_overview` read from a :func:`movements` list's later side (the same scoring): the same
    three queries over it, registered as ``rfm_scored`` on ``cur`` (a cursor that has not scored: a fresh
    one), instead of scoring the customers again."""
    if moves.num_rows == 0:
        return (pd.DataFrame(columns=SUMMARY_COLUMNS), pd.DataFrame(columns=GRID_COLUMNS),
                pd.DataFrame(columns=CUTOFF_COLUMNS))
    scored = moves.select(["to_segment", "priority", "orders", "revenue", "recency_days", "frequency", "monetary",
                           "r_score", "f_score", "m_score"]).rename_columns(
        ["segment", "priority", "orders", "revenue", "recency_days", "frequency", "monetary", "r_score", "f_score",
         "m_score"])
    cur.register("rfm_scored", scored)
    try:
        return tuple(db.query_df(cur, name) for name in ("rfm_segments", "rfm_grid", "rfm_cutoffs"))
    finally:
        cur.unregister("rfm_scored")


@register("rfm")
def rfm_report(cur, as_of=None, **options) -> pd.DataFrame:
    """RFM measures, scores and segment per customer as of ``as_of`` (default: the last order date)."""
    return rfm_scores(cur, as_of, options.pop("filters", None), RFMOptions(**options) if options else None)


@register("segments")
def segments_report(cur, as_of=None, **options) -> pd.DataFrame:
    """One row per RFM segment, as the Segments page shows it."""
    return segment_summary(cur, as_of, options.pop("filters", None), RFMOptions(**options) if options else None)


def segment_members(cur, segment: str, as_of=None, filters=None, options=None) -> pd.DataFrame:
    """Grain: one row per customer of ``segment``: scores, contact fields, recommended action, and the rule
    that defined the list (``segment_rule``, so an exported list says where it came from)."""
    options = options or RFMOptions()
    params = _score(cur, as_of, filters, options)
    if params is None:
        return pd.DataFrame()
    frame = db.query_df(cur, "rfm_members", {**params, "segment_name": segment})
    frame["segment_rule"] = segment_rule(segment, params["as_of"], options)
    return frame


def segment_rule(segment: str, as_of: dt.date, options: RFMOptions) -> str:
    """How a segment's list was drawn, in words: the rule, the date and the scoring options."""
    rule = describe(segment, options.rules)
    return ((f"{rule_text(rule)}; " if rule else "") + f"as of {as_of}; scores by {options.method}; "
            f"frequency = {options.frequency}; monetary = {options.monetary}")


MEMBER_COLUMNS = ["customer_id", "segment", "recommended_action", "r_score", "f_score", "m_score", "recency_days",
                  "frequency", "monetary", "orders", "revenue", "last_order"]


def members_of(moves: pa.Table, segment: str, as_of: dt.date, ids: pa.Array,
               options: RFMOptions | None = None) -> pd.DataFrame:
    """The customers of ``segment`` as of the later date of a :func:`movements` list (computed with the
    same ``as_of``, filters and ``options``): :func:`segment_members`' rows and order without the contact
    fields, read from a list the page holds already instead of scoring the customers again; their ids from
    ``ids`` (the :func:`crm_metrics.scope.id_table`)."""
    named = pc.fill_null(moves["to_segment"], "Unassigned")
    picked = moves.filter(pc.equal(named, segment))
    picked = picked.sort_by([("revenue", "descending"), ("customer_key", "ascending")])  # keys sort as ids do
    # money as floats and dates as datetimes, as the members query returns them (not Python objects)
    picked = picked.cast(pa.schema([pa.field(f.name, pa.float64()) if pa.types.is_decimal(f.type) else f
                                    for f in picked.schema]))
    options = options or RFMOptions()
    frame = picked.to_pandas(date_as_object=False).rename(columns={"to_segment": "segment"})
    frame["customer_id"] = ids_of(ids, frame["customer_key"]).to_pandas()
    frame["recommended_action"] = cell_actions(frame, options.rules)
    frame = frame[MEMBER_COLUMNS]
    frame["segment_rule"] = segment_rule(segment, as_of, options)
    return frame


SLIPPING = ("At Risk", "Can't Lose Them")


def highlights(summary: pd.DataFrame) -> dict:
    """The numbers the Segments page leads with, from the segment summary (one small frame)."""
    rows = summary.set_index("segment")
    slipping = rows.loc[rows.index.intersection(SLIPPING)]
    largest = summary.sort_values("customers", ascending=False).iloc[0] if len(summary) else None
    return {
        "customers": int(rows["customers"].sum()) if len(rows) else 0,
        "segments": len(rows),
        "champions": rows.loc["Champions"].to_dict() if "Champions" in rows.index else None,
        "slipping_customers": int(slipping["customers"].sum()),
        "slipping_revenue": float(slipping["revenue"].sum()),
        "largest": None if largest is None else largest.to_dict(),
    }


def headline(summary: pd.DataFrame) -> str:
    """One sentence about who the customers are, computed from the segment summary."""
    from crm_metrics.formatting import count, money_short, percent

    if summary.empty:
        return "No customer has bought yet."
    h = highlights(summary)
    parts = []
    if h["champions"]:
        c = h["champions"]
        parts.append(f"{count(c['customers'])} Champions ({percent(c['customer_share'])} of customers) bring "
                     f"{percent(c['revenue_share'])} of revenue")
    if h["slipping_customers"]:
        parts.append(f"{count(h['slipping_customers'])} valuable customers are slipping away (At Risk or "
                     f"Can't Lose Them); they have spent {money_short(h['slipping_revenue'])} with us")
    return ("; ".join(parts) + ".") if parts else f"{count(h['customers'])} customers scored."


MIGRATION_COLUMNS = ["from_segment", "to_segment", "customers", "revenue", "revenue_between", "moved"]
MIGRATION_MONTHS = (1, 3, 6, 12)  # the comparisons the Segments page offers
DEFAULT_MIGRATION_MONTHS = 3


def months_before(as_of: dt.date, months: int) -> dt.date:
    """The date ``months`` average months (30.44 days) before ``as_of``: the earlier date of a migration."""
    return as_of - dt.timedelta(days=round(30.44 * months))


MOVE_COLUMNS = ["customer_key", "from_segment", "to_segment", "r_score", "f_score", "m_score", "recency_days", "orders",
                "revenue", "revenue_before", "last_order", "frequency", "monetary", "priority"]


def movements(cur, before: dt.date, as_of=None, filters=None, options=None) -> pa.Table:
    """Each customer's segment as of ``before`` and as of ``as_of``. Grain: one row per customer scored as of
    ``as_of`` (by customer_key: :func:`members_of` and :func:`movers_of` add the ids of the customers they
    list), in no order; columns MOVE_COLUMNS, no personal data (``flow_members`` adds it). An Arrow table: a
    million customers stay columnar, and :func:`flows_of` and :func:`movers_of` read them in place.

    Customers who had not bought by ``before`` come from "Not yet a customer". Quintiles are taken within
    each date's own customers, so a move means a customer's standing changed, not just the calendar.
    """
    params = rfm_params(cur, as_of, filters, options)
    if params is None:
        return pa.table({c: pa.array([], pa.string()) for c in MOVE_COLUMNS})
    if before >= params["as_of"]:
        raise ValueError("the earlier date must come before as_of")
    return db.query_arrow(cur, "rfm_movements", {**params, "before": before})


@dataclass(frozen=True)
class RFMMeasures:
    """Every customer's RFM measures as of one date, unscored (:func:`measures`): the part of a
    :func:`movements` list that depends neither on which customers are selected nor on how they are scored.

    ``table`` holds one row per customer who had bought by ``as_of`` (customer_key, recency_days,
    purchase_days, orders, revenue, average_order, last_order), in no order; ``rows`` gives each
    customer_key's row in it (-1: none).
    """

    as_of: dt.date | None
    table: pa.Table
    rows: np.ndarray

    def rows_of(self, keys: np.ndarray) -> np.ndarray:
        """The rows of ``keys`` (customer keys) in :attr:`table`, -1 where a customer has none."""
        keys = np.asarray(keys, dtype="int64")
        inside = keys < len(self.rows)
        found = np.full(len(keys), -1, dtype="int64")
        found[inside] = self.rows[keys[inside]]
        return found


def measures(cur, as_of=None) -> RFMMeasures:
    """Every customer's RFM measures as of ``as_of`` (``sql/rfm_measures.sql``): read once, then scored for
    any selection of customers and any scoring options (:func:`movements_of`)."""
    params = rfm_params(cur, as_of, None, None)
    if params is None:
        return RFMMeasures(as_of, pa.table({"customer_key": pa.array([], pa.int32())}), np.full(0, -1))
    table = db.query_arrow(cur, "rfm_measures", params)
    keys = table["customer_key"].to_numpy()
    rows = np.full(int(keys.max(initial=-1)) + 1, -1, dtype="int64")
    rows[keys] = np.arange(len(keys))
    return RFMMeasures(params["as_of"], table, rows)


def movements_of(now: RFMMeasures, earlier: RFMMeasures, keys: np.ndarray | None,
                 options: RFMOptions | None = None) -> pa.Table:
    """:func:`movements` between ``earlier.as_of`` and ``now.as_of``, scored from the two dates'
    :func:`measures` for the customers ``keys`` (customer keys, as :func:`crm_metrics.scope.customer_keys`
    gives them; None: every customer): the same rows, columns and types, for any filter that selects whole
    customers (not an order-level filter, which changes the measures themselves).

    The scores are those of ``sql/rfm_base.sql``: a quintile score is 1 + the number of the four cut points
    (the values at positions ceil(k n / 5) of the selected customers' values in order) that a customer's value
    passes, which is 1 + floor(5 (rank - 1) / n) with ties sharing a rank; the segment is that of the first rule
    by priority holding the (R, FM) cell.
    """
    options = options or RFMOptions()
    if now.table.num_rows == 0:
        return pa.table({c: pa.array([], pa.string()) for c in MOVE_COLUMNS})
    if earlier.as_of >= now.as_of:
        raise ValueError("the earlier date must come before as_of")
    rows = np.arange(now.table.num_rows) if keys is None else now.rows_of(keys)
    scored = now.table if keys is None else now.table.take(pa.array(rows[rows >= 0]))
    earlier_rows = earlier.rows_of(scored["customer_key"].to_numpy())
    was = earlier_rows >= 0
    before = earlier.table.take(pa.array(earlier_rows[was]))
    r, f, m = _scores(scored, options)
    r_before, f_before, m_before = _scores(before, options)
    labels = np.array([rule.name for rule in options.rules] + ["Unassigned", "Not yet a customer"], dtype=object)
    position = {label: code for code, label in reversed(list(enumerate(labels)))}
    cell_code = np.array([[position[label or "Unassigned"] for label in row]  # each (R, FM) cell's label
                          for row in _cell_table(options.rules, "name")], dtype="int32")
    from_code = np.full(scored.num_rows, len(labels) - 1, dtype="int32")  # "Not yet a customer"
    from_code[was] = cell_code[r_before, (f_before + m_before) // 2]
    priority = _cell_table(options.rules, "priority")[r, (f + m) // 2]
    return pa.table({
        "customer_key": scored["customer_key"],
        "from_segment": _labelled(from_code, labels),
        "to_segment": _labelled(cell_code[r, (f + m) // 2], labels),
        "r_score": r, "f_score": f, "m_score": m,
        "recency_days": pc.cast(scored["recency_days"], pa.int64()),
        "orders": pc.cast(scored["orders"], pa.int64()),
        "revenue": _money(scored["revenue"]),
        "revenue_before": _spread(before["revenue"], was),
        "last_order": scored["last_order"],
        "frequency": pc.cast(_frequency(scored, options), pa.int64()),
        "monetary": _money(_monetary(scored, options)),
        "priority": pa.array(priority.astype("int32"), mask=priority < 0),
    })


def _frequency(table: pa.Table, options: RFMOptions):
    return table["orders" if options.frequency == "orders" else "purchase_days"]


def _monetary(table: pa.Table, options: RFMOptions):
    return table["average_order" if options.monetary == "average" else "revenue"]


def _money(values) -> pa.ChunkedArray:
    return pc.cast(values, pa.decimal128(38, 2))


def _spread(values, present: np.ndarray) -> pa.Array:
    """``values`` (money) placed in order at the rows where ``present`` holds, zero elsewhere."""
    positions = np.cumsum(present) - 1
    taken = pa.chunked_array(values).combine_chunks().take(pa.array(positions.clip(min=0), mask=~present))
    return pc.fill_null(_money(taken), pa.scalar(0, pa.decimal128(38, 2)))


def _labelled(codes: np.ndarray, labels: np.ndarray) -> pa.Array:
    """The text of each code (a position in ``labels``), built in Arrow: a million Python strings are slow."""
    return pa.DictionaryArray.from_arrays(pa.array(codes, pa.int32()), pa.array(labels, pa.string())) \
        .dictionary_decode()


def _scores(table: pa.Table, options: RFMOptions) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """R, F and M scores (1-5) of the customers of a measures table, among themselves."""
    recency = table["recency_days"].to_numpy().astype("int64")
    frequency = _frequency(table, options).to_numpy().astype("int64")
    monetary = pc.cast(_monetary(table, options), pa.float64()).to_numpy()
    if options.method == "quintile":
        return _quintile(-recency), _quintile(frequency), _quintile(monetary)
    # user cut points: recency at or under the k-th cut scores 5 - (cuts below it); F and M 1 + (cuts below)
    return (5 - np.searchsorted(np.asarray(options.r_cuts, dtype=float), recency, side="left"),
            1 + np.searchsorted(np.asarray(options.f_cuts, dtype=float), frequency, side="left"),
            1 + np.searchsorted(np.asarray(options.m_cuts, dtype=float), monetary, side="left"))


def _quintile(values: np.ndarray) -> np.ndarray:
    """1 + floor(5 (rank - 1) / n), rank = 1 + how many values are smaller: 1 + how many of the four cut
    points (the values at positions ceil(k n / 5), k = 1..4, of the values in order) are smaller."""
    if len(values) == 0:
        return np.zeros(0, dtype="int64")
    cuts = _order_statistics(values, (np.arange(1, 5) * len(values) + 4) // 5 - 1)
    return 1 + sum((values > cut).astype("int64") for cut in cuts)


def _order_statistics(values: np.ndarray, at: np.ndarray) -> np.ndarray:
    """The values at positions ``at`` (0-based, ascending) of ``values`` in order. Whole numbers in a short
    range (days, counts) are counted rather than partitioned: a tenth of the time."""
    if values.dtype.kind == "i":
        low, high = int(values.min()), int(values.max())
        if high - low < 4 * len(values):
            below_or_at = np.cumsum(np.bincount(values - low))  # how many values are at most low + i
            return low + np.searchsorted(below_or_at, at + 1, side="left")
    return np.partition(values, at)[at]


def _cell_table(rules, attribute: str) -> np.ndarray:
    """A 6 x 6 table (R score, FM score; row and column 0 unused) of ``attribute`` of the first rule by
    priority holding each cell: None (priority: -1) where no rule does."""
    table = np.full((6, 6), -1 if attribute == "priority" else None, dtype="int64" if attribute == "priority"
                    else object)
    for rule in sorted(rules, key=lambda r: r.priority, reverse=True):  # the first by priority is written last
        table[rule.r_min:rule.r_max + 1, rule.fm_min:rule.fm_max + 1] = getattr(rule, attribute)
    return table


def flows_of(cur, moves: pa.Table) -> pd.DataFrame:
    """Segment flows of a :func:`movements` list. Grain: one row per (from, to) pair with customers."""
    if moves.num_rows == 0:
        return pd.DataFrame(columns=MIGRATION_COLUMNS)
    cur.register("moves", moves)
    try:
        return db.query_df(cur, "migration_flows")
    finally:
        cur.unregister("moves")


def movers_of(moves: pa.Table, from_segment: str, to_segment: str, ids: pa.Array,
              options: RFMOptions | None = None) -> pd.DataFrame:
    """The customers of one flow of a :func:`movements` list (computed with ``options``), most revenue first,
    with their ids (from ``ids``, the :func:`crm_metrics.scope.id_table`) and the recommended action of the
    segment they are in now."""
    picked = moves.filter(pc.and_(pc.equal(moves["from_segment"], from_segment),
                                  pc.equal(moves["to_segment"], to_segment)))
    picked = picked.sort_by([("revenue", "descending"), ("customer_key", "ascending")])  # keys sort as ids do
    frame = picked.drop_columns(["revenue_before", "frequency", "monetary", "priority"]).to_pandas()
    frame.insert(0, "customer_id", ids_of(ids, frame.pop("customer_key")).to_pandas())
    frame.insert(3, "recommended_action", cell_actions(frame, (options or RFMOptions()).rules))
    return frame


def cell_actions(scored: pd.DataFrame, rules) -> np.ndarray:
    """The recommended action of each customer of ``scored`` (r_score, f_score, m_score): that of the first
    rule by priority whose R and FM ranges hold the customer's cell (FM = floor((F + M) / 2)), None when no
    rule does: what ``sql/rfm_base.sql`` assigns, read from a 5 x 5 table."""
    table = _cell_table(rules, "action")
    r = scored["r_score"].to_numpy(dtype="int64")
    fm = (scored["f_score"].to_numpy(dtype="int64") + scored["m_score"].to_numpy(dtype="int64")) // 2
    return table[r, fm]


def migration(cur, before: dt.date, as_of=None, filters=None, options=None) -> pd.DataFrame:
    """Segment flows between ``before`` and ``as_of``. Grain: one row per (from, to) pair with customers."""
    return flows_of(cur, movements(cur, before, as_of, filters, options))


def flow_members(cur, from_segment: str, to_segment: str, before: dt.date, as_of=None, filters=None,
                 options=None) -> pd.DataFrame:
    """Grain: one row per customer who moved from ``from_segment`` (as of ``before``) to ``to_segment``,
    with contact fields."""
    moves = movements(cur, before, as_of, filters, options)
    return with_contacts(cur, movers_of(moves, from_segment, to_segment, id_table(cur), options))


@register("segment-migration")
def migration_report(cur, as_of=None, before=None, **options) -> pd.DataFrame:
    """Segment flows between ``before`` (default: 90 days before ``as_of``) and ``as_of``."""
    if as_of is None:
        as_of = data_span(cur)[1]
        if as_of is None:
            return pd.DataFrame(columns=MIGRATION_COLUMNS)
    before = before or as_of - dt.timedelta(days=90)
    return migration(cur, before, as_of, options.pop("filters", None), RFMOptions(**options) if options else None)


def migration_headline(flows: pd.DataFrame, before: dt.date) -> str:
    """One sentence on the most telling moves since ``before``: valuable customers slipping, and gains."""
    from crm_metrics.formatting import count, money_short

    if flows.empty:
        return "No customers to compare."
    good = ("Champions", "Loyal")
    slipped = flows[flows["from_segment"].isin(good) & flows["to_segment"].isin(SLIPPING + ("Lost", "Hibernating"))]
    new = flows[flows["from_segment"] == "Not yet a customer"]
    moved = flows[flows["moved"]]
    parts = [f"Since {before:%d %b %Y}, {count(moved['customers'].sum())} customers changed segment"]
    if len(slipped):
        parts.append(f"{count(slipped['customers'].sum())} Champions or Loyal customers slipped to At Risk or "
                     f"worse (they have spent {money_short(slipped['revenue'].sum())} with us)")
    if len(new):
        parts.append(f"{count(new['customers'].sum())} customers bought for the first time")
    return "; ".join(parts) + "."
