"""What changed and why: a headline KPI's change against the comparison period, split over the groups of a
dimension so that the groups' contributions add up exactly to the change, and revenue's change split further into
its three factors (revenue = customers x orders per customer x order value).

The pieces come from ``sql/kpi_drivers.sql`` (one row per side, group and customer type); everything here is
arithmetic on them, so it is tested on hand-worked pieces without a database.

How each KPI is split (``after`` and ``before`` are the period and the comparison period):

- revenue, active customers, new customers are sums over groups: a group contributes its own change. Customers
  count once, in the group of their first order in the period (a sales channel or product category is a property
  of an order; a region of a customer).
- AOV (revenue / orders) and retention (retained / last period's buyers) are ratios: a group contributes
  ``part_after / total_after - part_before / total_before``, its share of the KPI on each side, which also adds
  up exactly to the change (a group that gains orders at an average value moves AOV through the mix).
- Revenue's factor split, for the whole and for every group, is the Shapley value of the three factors: each
  factor's effect averaged over the six orders in which the factors could change (Shorrocks 2013, "Decomposition
  procedures for distributional analysis: a unified framework based on the Shapley value", J. Econ. Inequality
  11(1)). It is exact (the three effects add up to the change) and symmetric; a group absent on one side changes
  through its customers alone.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from crm_metrics import db
from crm_metrics.catalog import BY_KEY
from crm_metrics.filters import Filters
from crm_metrics.formatting import count, money_exact, money_short, rate_points
from crm_metrics.kpis import DEFAULT_DAYS, Period, data_span, default_period
from crm_metrics.reports import register

# the KPIs whose change is explained, and what each adds up over the groups: (numerator, denominator or None)
KPI_PARTS: dict[str, tuple[str, str | None]] = {
    "revenue": ("revenue", None),
    "active_customers": ("members", None),
    "new_customers": ("new_members", None),
    "aov": ("revenue", "orders"),
    "retention_rate": ("retained", "base_customers"),
}
DRIVER_KPIS: tuple[str, ...] = tuple(KPI_PARTS)

DRIVER_DIMENSIONS: dict[str, str] = {
    "region": "Region",
    "channel": "Sales channel",
    "acquisition_channel": "Acquisition channel",
    "product_category": "Product category",
    "segment": "Segment (RFM, latest)",
    "customer_type": "New vs returning",
}
COMPARISONS: dict[str, str] = {"previous": "the previous period", "year": "a year earlier"}
FACTORS: dict[str, tuple[str, str]] = {  # effect column: (words when it adds, words when it takes away)
    "customers_effect": ("more customers", "fewer customers"),
    "frequency_effect": ("more orders per customer", "fewer orders per customer"),
    "value_effect": ("larger orders", "smaller orders"),
}
# the dimensions a sentence may name as the driver: who the customers are and how they buy. The RFM segment is
# left out because it is an outcome of the period's buying (a customer who bought more this quarter is "now in
# Champions"), so it would always look like the cause; its waterfall is still shown. New vs returning qualifies
# the named group instead.
SENTENCE_DIMENSIONS: tuple[str, ...] = ("region", "channel", "acquisition_channel", "product_category")
PIECE_COLUMNS = ("revenue", "orders", "customers", "members", "new_members", "base_customers", "retained")


def comparison_period(period: Period, compare: str) -> Period:
    """The period the change is measured against: the previous one of equal length, or the same dates a year
    earlier."""
    if compare not in COMPARISONS:
        raise ValueError(f"compare must be one of {sorted(COMPARISONS)}")
    return period.previous() if compare == "previous" else period.year_earlier()


def pieces(cur, period: Period, filters: Filters, dimension: str, compare: str = "previous") -> pd.DataFrame:
    """The pieces of the headline KPIs per group of ``dimension`` on both sides.

    Grain: one row per (side, grp, customer_type); side is "after" (``period``) or "before" (the comparison
    period); grp None where the attribute was not recorded. Columns: see ``sql/kpi_drivers.sql``.
    """
    return pieces_by_dimension(cur, period, filters, (dimension,), compare)[dimension]


def pieces_by_dimension(cur, period: Period, filters: Filters, dimensions=tuple(DRIVER_DIMENSIONS),
                        compare: str = "previous") -> dict[str, pd.DataFrame]:
    """:func:`pieces` of several dimensions from one query (the orders are read once for all of them)."""
    unknown = [d for d in dimensions if d not in DRIVER_DIMENSIONS]
    if unknown:
        raise ValueError(f"no drivers by {unknown[0]!r}; one of {sorted(DRIVER_DIMENSIONS)}")
    base = comparison_period(period, compare)
    frame = db.query_df(cur, "kpi_drivers", {
        "dimensions": list(dimensions), "start": period.start, "end": period.end,
        "prev_start": period.previous().start, "base_start": base.start, "base_end": base.end,
        "base_prev_start": base.previous().start, **filters.params()})
    frame["grp"] = frame["grp"].astype(object).where(frame["grp"].notna(), None)
    for column in PIECE_COLUMNS:
        frame[column] = frame[column].astype(float)
    return {d: frame[frame["dimension"] == d].drop(columns="dimension").reset_index(drop=True)
            for d in dimensions}


def totals(frame: pd.DataFrame, kpi: str) -> tuple[float | None, float | None]:
    """The KPI on each side (before, after), from the pieces of any one dimension (None: undefined, as a
    ratio over nothing)."""
    return _side_value(frame, kpi, "before"), _side_value(frame, kpi, "after")


def _side_value(frame: pd.DataFrame, kpi: str, side: str) -> float | None:
    numerator, denominator = KPI_PARTS[kpi]
    rows = frame[frame["side"] == side]
    if denominator is None:
        return float(rows[numerator].sum())
    below = float(rows[denominator].sum())
    return float(rows[numerator].sum()) / below if below else None


def contributions(frame: pd.DataFrame, kpi: str, by: tuple[str, ...] = ("grp",)) -> pd.DataFrame:
    """Each group's part of the KPI on both sides and its contribution to the change.

    Grain: one row per value of ``by`` (grp, or grp and customer_type). Columns: ``by``, before, after, change
    (after - before; over all rows it adds up to the KPI's change), share (of the change; NaN when nothing
    changed), and for revenue customers_effect, frequency_effect, value_effect (adding up to change). Sorted by
    the size of the change, largest first. Empty when the KPI is undefined on a side (a ratio over nothing).
    """
    if kpi not in KPI_PARTS:
        raise ValueError(f"no drivers for {kpi!r}; one of {DRIVER_KPIS}")
    numerator, denominator = KPI_PARTS[kpi]
    by = list(by)
    wide = _sides(frame, by)
    for side in ("before", "after"):
        scale = 1.0
        if denominator is not None:
            total = float(wide[f"{denominator}_{side}"].sum())
            if not total:
                return pd.DataFrame(columns=[*by, "before", "after", "change", "share"])
            scale = total
        wide[side] = wide[f"{numerator}_{side}"] / scale
    wide["change"] = wide["after"] - wide["before"]
    whole = float(wide["change"].sum())
    wide["share"] = wide["change"] / whole if whole else math.nan
    columns = [*by, "before", "after", "change", "share"]
    if kpi == "revenue":
        effects = [factor_effects(*row) for row in wide[[f"{c}_{s}" for s in ("before", "after")
                                                         for c in ("customers", "orders", "revenue")]].to_numpy()]
        wide[list(FACTORS)] = pd.DataFrame(effects, index=wide.index)
        columns += list(FACTORS)
    order = wide["change"].abs().sort_values(ascending=False, kind="stable").index
    return wide.loc[order, columns].reset_index(drop=True)


def _sides(frame: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """The pieces summed per ``by`` with one column per piece and side (revenue_before, ...); NULL groups kept."""
    keyed = frame.assign(**{c: frame[c].astype(object).where(frame[c].notna(), "\0none") for c in by})
    summed = keyed.groupby([*by, "side"], dropna=False)[list(PIECE_COLUMNS)].sum()
    wide = summed.unstack("side", fill_value=0.0)
    for side in ("before", "after"):
        if side not in wide.columns.get_level_values("side"):
            for column in PIECE_COLUMNS:
                wide[(column, side)] = 0.0
    wide.columns = [f"{piece}_{side}" for piece, side in wide.columns]
    wide = wide.reset_index()
    for c in by:
        column = wide[c].astype(object)  # pandas' text dtype would read None back as NaN
        wide[c] = column.where(column != "\0none", None)
    return wide


def factor_effects(customers_0: float, orders_0: float, revenue_0: float, customers_1: float, orders_1: float,
                   revenue_1: float) -> tuple[float, float, float]:
    """The change of revenue = customers x orders per customer x order value split into the three factors'
    effects (customers, frequency, value): their Shapley values, which add up to ``revenue_1 - revenue_0``.

    A side without customers has no frequency or order value: the whole change is then the customers' effect
    (a group that appeared or vanished).
    """
    if not customers_0 or not customers_1 or not orders_0 or not orders_1:
        return revenue_1 - revenue_0, 0.0, 0.0
    a = (customers_0, orders_0 / customers_0, revenue_0 / orders_0)
    b = (customers_1, orders_1 / customers_1, revenue_1 / orders_1)
    effects = []
    for i in range(3):
        j, k = (n for n in range(3) if n != i)
        # the factor's change, weighted over the orders in which it can change: 1/3 when the other two are
        # both still before or both already after, 1/6 for each of the two mixed cases
        weight = (a[j] * a[k] + b[j] * b[k]) / 3 + (a[j] * b[k] + b[j] * a[k]) / 6
        effects.append((b[i] - a[i]) * weight)
    return effects[0], effects[1], effects[2]


@dataclass(frozen=True)
class Driver:
    """The group that moved a KPI most in the direction of its change."""

    dimension: str
    group: str | None
    customer_type: str | None  # "New" or "Returning" when one of them made most of the group's change
    change: float
    factor: str | None  # revenue only: the effect column that made most of the change


@dataclass(frozen=True)
class Explanation:
    kpi: str
    compare: str
    before: float | None
    after: float | None
    driver: Driver | None

    @property
    def sentence(self) -> str:
        """The explanation in words, group names as written (see :func:`sentence` to quote them)."""
        return sentence(self)

    @property
    def change(self) -> float | None:
        return None if self.before is None or self.after is None else self.after - self.before


def explain(kpi: str, compare: str, by_dimension: dict[str, pd.DataFrame], reaches_back: bool = True
            ) -> Explanation:
    """The KPI's change in one sentence naming the group that moved it most, from the pieces of each dimension
    (``{dimension: pieces(...)}``). The group is the one with the largest contribution in the direction of the
    change over :data:`SENTENCE_DIMENSIONS`; new vs returning qualifies it ("returning customers in Europe")
    when one customer type made at least two thirds of the group's change. ``reaches_back`` False (the data
    starts after the comparison period, see :func:`reaches`) leaves ``before`` None: nothing is compared."""
    any_frame = next(iter(by_dimension.values()))
    before, after = totals(any_frame, kpi)
    if not reaches_back:
        return Explanation(kpi, compare, None, after, None)
    driver = _main_driver(kpi, by_dimension, before, after)
    return Explanation(kpi, compare, before, after, driver)


def _main_driver(kpi: str, by_dimension: dict[str, pd.DataFrame], before, after) -> Driver | None:
    if before is None or after is None or after == before:
        return None
    direction = 1.0 if after > before else -1.0
    best: tuple[float, str, pd.Series] | None = None
    for dimension, frame in by_dimension.items():
        if dimension not in SENTENCE_DIMENSIONS or frame["grp"].isna().all():
            continue  # a dimension never recorded says nothing about who moved the KPI
        table = contributions(frame, kpi)
        if table.empty:
            continue
        top = table.loc[(table["change"] * direction).idxmax()]
        if top["change"] * direction > 0 and (best is None or top["change"] * direction > best[0]):
            best = (top["change"] * direction, dimension, top)
    if best is None:
        return None
    _, dimension, top = best
    customer_type, cell = _qualifying_type(kpi, by_dimension[dimension], dimension, top)
    factor = None
    if kpi == "revenue":
        effects = cell[list(FACTORS)].astype(float) * direction
        if effects.max() >= 0.5 * abs(float(cell["change"])):
            factor = str(effects.idxmax())
    return Driver(dimension, top["grp"], customer_type, float(cell["change"]), factor)


def _qualifying_type(kpi: str, frame: pd.DataFrame, dimension: str, top: pd.Series):
    """("New" or "Returning", that cell's row) when one customer type made two thirds of the group's change;
    (None, the group's row) otherwise."""
    cells = contributions(frame, kpi, by=("grp", "customer_type"))
    mine = cells[cells["grp"].map(lambda g: g == top["grp"])]
    for _, cell in mine.iterrows():
        if top["change"] and cell["change"] / top["change"] >= 2 / 3:
            return cell["customer_type"], cell
    return None, top


def group_phrase(dimension: str, group: str | None, customer_type: str | None = None) -> str:
    """Who a group is, in words ("returning customers in Europe", "customers buying Shoes"); the group's name is
    user text and comes back as written, for the caller to make inert where it is shown."""
    who = f"{customer_type.lower()} customers" if customer_type else "customers"
    if dimension == "customer_type":
        return f"{str(group).lower()} customers"
    if group is None:
        return f"{who} with no {DRIVER_DIMENSIONS[dimension].lower()} recorded"
    return {
        "region": f"{who} in {group}",
        "country": f"{who} in {group}",
        "acquisition_channel": f"{who} won through {group}",
        "channel": f"{who} buying through {group}",
        "product_category": f"{who} buying {group}",
        "segment": f"{who} now in {group}",
    }[dimension]


def amount_text(kpi: str, value: float | None, signed: bool = False) -> str:
    """A KPI amount or change in its unit: money, a count, or rate points ("+3.2 pts")."""
    if value is None:
        return "–"
    unit = BY_KEY[kpi].unit
    if unit == "ratio":
        return f"{rate_points(value)} pts" if signed else f"{value * 100:.1f}%"
    # an order value moves by cents and a revenue by thousands
    money = money_exact if kpi == "aov" else money_short
    text = money(abs(value)) if unit == "money" else count(round(abs(value)))
    if not signed:
        return money(value) if unit == "money" else count(round(value))
    return ("+" if value >= 0 else "-") + text


def sentence(explanation: Explanation, quote: Callable[[str], str] = str) -> str:
    """"Revenue rose $17.0k (+6.9%) against the previous period: returning customers in Europe +$12.0k, mostly
    larger orders." ``quote`` makes the group's name (user text) safe where the sentence is shown (Markdown,
    a chart title)."""
    kpi, compare, before, after, driver = (explanation.kpi, explanation.compare, explanation.before,
                                           explanation.after, explanation.driver)
    label = BY_KEY[kpi].label
    against = COMPARISONS.get(compare, compare)  # or what a caller of versus() names the other data set
    if before is None or after is None:
        return f"{label} cannot be compared with {against}: there is nothing to measure it on in one of the periods."
    if after == before:
        return f"{label} did not change against {against} ({amount_text(kpi, after)})."
    verb = "rose" if after > before else "fell"
    relative = ""
    if BY_KEY[kpi].unit != "ratio" and before:
        relative = f" ({(after - before) / abs(before) * 100:+.1f}%)"
    change = amount_text(kpi, after - before, signed=True).lstrip("+-")
    text = f"{label} {verb} {change}{relative} against {against}"
    if driver is None:
        return text + "."
    who = group_phrase(driver.dimension, quote(driver.group) if driver.group is not None else None,
                       driver.customer_type)
    text += f": {who} {amount_text(kpi, driver.change, signed=True)}"
    if driver.factor:
        up, down = FACTORS[driver.factor]
        text += f", mostly {up if (after > before) else down}"
    return text + "."


def explain_period(cur, period: Period, filters: Filters, kpi: str = "revenue", compare: str = "previous"
                   ) -> tuple[Explanation, dict[str, pd.DataFrame]]:
    """:func:`explain` with the pieces read for every dimension; also returns the pieces. When the data does not
    reach back to the comparison period, the explanation says so (its ``before`` is None)."""
    by_dimension = pieces_by_dimension(cur, period, filters, tuple(DRIVER_DIMENSIONS), compare)
    return explain(kpi, compare, by_dimension, reaches(cur, period, compare)), by_dimension


def recorded(by_dimension: dict[str, pd.DataFrame]) -> list[str]:
    """The dimensions with at least one group recorded (a column the data never filled splits nothing)."""
    return [d for d, frame in by_dimension.items() if not frame["grp"].isna().all()]


def reaches(cur, period: Period, compare: str) -> bool:
    """Whether the orders reach back to the comparison period (before it, a zero would read as growth)."""
    first, _ = data_span(cur)
    return first is not None and first <= comparison_period(period, compare).end


@register("kpi-drivers")
def drivers_report(cur, as_of=None, days: int = DEFAULT_DAYS, kpi: str = "revenue", compare: str = "previous",
                   filters: Filters | None = None) -> pd.DataFrame:
    """Which groups moved a headline KPI (revenue, active_customers, new_customers, aov, retention_rate) over the
    ``days`` days to ``as_of`` (default: the last order date) against the previous period or a year earlier.

    Grain: one row per (dimension, group). Columns: dimension, group, before, after, change, share (of the
    change), customers_effect, frequency_effect, value_effect (revenue only, else empty), period_start,
    period_end, compare_start, compare_end. Per dimension, change adds up to the KPI's change.
    """
    columns = ["dimension", "group", "before", "after", "change", "share", *FACTORS, "period_start", "period_end",
               "compare_start", "compare_end"]
    period = default_period(cur, as_of, days)
    if period is None:
        return pd.DataFrame(columns=columns)
    base = comparison_period(period, compare)
    frames = []
    by_dimension = pieces_by_dimension(cur, period, filters or Filters(), tuple(DRIVER_DIMENSIONS), compare)
    for dimension in DRIVER_DIMENSIONS:
        table = contributions(by_dimension[dimension], kpi)
        frames.append(table.rename(columns={"grp": "group"}).assign(dimension=dimension))
    out = pd.concat(frames, ignore_index=True).reindex(columns=columns)
    out["period_start"], out["period_end"] = period.start, period.end
    out["compare_start"], out["compare_end"] = base.start, base.end
    if not reaches(cur, period, compare):
        out[["before", "change", "share", *FACTORS]] = math.nan
    return out


def top_groups(table: pd.DataFrame, top: int = 8) -> pd.DataFrame:
    """The ``top`` groups that moved the KPI most (``contributions``' order) and one row for the rest.

    Grain: one row per shown group, then at most one row with ``others`` = how many groups it sums (0 on the
    named rows). Every numeric column of the rest is summed, so the rows still add up to the change.
    """
    shown = table.head(top).assign(others=0)
    rest = table.iloc[top:]
    if rest.empty:
        return shown.reset_index(drop=True)
    summed = rest.drop(columns=[c for c in ("grp", "customer_type", "share") if c in rest]).sum()
    whole = float(table["change"].sum())
    summed["share"] = float(summed["change"]) / whole if whole else math.nan
    summed["grp"], summed["others"] = None, len(rest)
    return pd.concat([shown, summed.to_frame().T], ignore_index=True)


def factor_table(shown: pd.DataFrame, dimension_label: str) -> pd.DataFrame:
    """Revenue's change per shown group and its three factors' effects, labelled for a table. Grain: one row per
    row of ``top_groups``."""
    names = [f"{int(r['others'])} other groups" if r.get("others") else
             (r["grp"] if r["grp"] is not None else f"No {dimension_label.lower()} recorded")
             for _, r in shown.iterrows()]
    return pd.DataFrame({dimension_label: names, "Change": shown["change"].astype(float),
                         "More or fewer customers": shown["customers_effect"].astype(float),
                         "Orders per customer": shown["frequency_effect"].astype(float),
                         "Order value": shown["value_effect"].astype(float)})


def versus(before: dict[str, pd.DataFrame], after: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The pieces of two data sets over the same period set against each other: ``before``'s period becomes the
    comparison side, ``after``'s the period (a workshop scenario against the sample it changes: what the
    scenario moved, and through whom). Both are ``{dimension: pieces(...)}`` of one period."""
    return {d: pd.concat([before[d][before[d]["side"] == "after"].assign(side="before"),
                          after[d][after[d]["side"] == "after"]], ignore_index=True)
            for d in before if d in after}
