"""Targets and alerts: what a KPI should reach over a period, and thresholds whose breach someone should hear
about. Both are stored with the data (``crm_targets``, ``crm_alerts`` in ``sql/create_schema.sql``); editors set
them on the Overview or import targets from a CSV file; ``python -m crm_metrics alerts`` checks the alerts for a
cron job (exit status 1 when one fires).

Units are the catalog's: money and counts as they are, ratios as fractions (a 40% churn alert is 0.4), NPS in
points. A change is what the KPI cards show: relative for money and counts (-0.1 = down 10%), a difference in
points for ratios (-0.03 = down 3 points).

Targets and alerts are set for the whole business: a filtered view shows none (:func:`apply_to`).

A target applies to a period that starts on the target's first day and ends on or before its last: the period
itself, or the part of it so far ("this month" halfway through the month). Over a part, a KPI that adds up over
days (revenue, orders, new customers) is measured against the target's pro-rata share of the elapsed days; any
other KPI against the target itself.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from crm_metrics import db
from crm_metrics.access import LOCAL_ADMIN, Principal, require
from crm_metrics.catalog import BY_KEY, METRICS
from crm_metrics.filters import Filters
from crm_metrics.formatting import by_unit, change_text
from crm_metrics.kpis import Period, change, default_period, kpi_table

TARGET_KPIS: tuple[str, ...] = tuple(m.key for m in METRICS)
# KPIs that add up over the days of a period: a part of the period is held to its share of the target
ADDITIVE: frozenset[str] = frozenset({"revenue", "orders", "new_customers"})
MEASURES: dict[str, str] = {"value": "value", "change": "change against the previous period"}
DIRECTIONS: tuple[str, ...] = ("below", "above")
TARGET_COLUMNS = ("kpi", "period_start", "period_end", "target")


class TargetsRejected(ValueError):
    """A targets file with problems; ``problems`` lists them as ``FILE:LINE: column COL: problem``. Nothing was
    stored."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


def apply_to(filters: Filters) -> bool:
    """Whether targets and alerts apply to a view: they are set for the whole business, so a view filtered to a
    region, channel, campaign ... is held to none of them (a company target under "Europe" would read as missed)."""
    return not filters.selected


def from_shown(kpi: str, number: float) -> float:
    """A number as a person types it (a ratio in percent: 35 for 35%) in the catalog's unit (0.35)."""
    return float(number) / 100 if BY_KEY[kpi].unit == "ratio" else float(number)


def _check_kpi(kpi: str) -> None:
    if kpi not in TARGET_KPIS:
        raise ValueError(f"unknown KPI {kpi!r}; one of {', '.join(TARGET_KPIS)}")


def set_target(con, kpi: str, start: dt.date, end: dt.date, value: float, at: dt.datetime,
               actor: Principal = LOCAL_ADMIN) -> None:
    """Store the target ``value`` of ``kpi`` over [start, end], replacing the one for the same KPI and period."""
    require(actor, "set_targets")
    _check_target(kpi, start, end, value)
    with db.WRITE_LOCK:
        cur = con.cursor()
        try:
            db.execute(cur, "save_target", {"kpi": kpi, "period_start": start, "period_end": end,
                                            "target": float(value), "set_by": actor.user, "set_at": at})
        finally:
            cur.close()


def _check_target(kpi: str, start: dt.date, end: dt.date, value: float) -> None:
    _check_kpi(kpi)
    if end < start:
        raise ValueError(f"the period ends ({end}) before it starts ({start})")
    if not math.isfinite(float(value)):
        raise ValueError("a target is a finite number")


def remove_target(con, kpi: str, start: dt.date, end: dt.date, actor: Principal = LOCAL_ADMIN) -> None:
    require(actor, "set_targets")
    with db.WRITE_LOCK:
        cur = con.cursor()
        try:
            db.execute(cur, "remove_target", {"kpi": kpi, "period_start": start, "period_end": end})
        finally:
            cur.close()


def targets(cur) -> pd.DataFrame:
    """Every target. Grain: one row per (kpi, period). Columns: kpi, period_start, period_end, target, set_by,
    set_at."""
    frame = db.query_df(cur, "kpi_targets")
    for column in ("period_start", "period_end"):
        frame[column] = pd.to_datetime(frame[column]).dt.date
    return frame


def read_targets_file(path: str | Path) -> list[tuple[str, dt.date, dt.date, float]]:
    """The targets of a CSV file with the columns kpi, period_start, period_end, target (dates YYYY-MM-DD, ratios
    as fractions or with a % sign). Raises :class:`TargetsRejected` listing every problem by line and column."""
    path = Path(path)
    problems: list[str] = []
    rows: list[tuple[str, dt.date, dt.date, float]] = []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        header = [h.strip().lower() for h in reader.fieldnames or []]
        missing = [c for c in TARGET_COLUMNS if c not in header]
        if missing:
            raise TargetsRejected([f"{path.name}:1: missing column(s) {', '.join(missing)}; a targets file has "
                                   f"the columns {', '.join(TARGET_COLUMNS)}"])
        reader.fieldnames = header
        for line, raw in enumerate(reader, start=2):
            row = {k: (v or "").strip() for k, v in raw.items() if k}
            parsed = _parse_row(row, path.name, line, problems)
            if parsed:
                rows.append(parsed)
    if not rows and not problems:
        problems.append(f"{path.name}: no targets in the file")
    if problems:
        raise TargetsRejected(problems)
    return rows


def _parse_row(row: dict, name: str, line: int, problems: list[str]):
    found = len(problems)

    def problem(column: str, text: str) -> None:
        problems.append(f"{name}:{line}: column {column}: {text}")

    kpi = row["kpi"]
    if kpi not in TARGET_KPIS:
        problem("kpi", f"unknown KPI {kpi!r}; one of {', '.join(TARGET_KPIS)}")
    days = {}
    for column in ("period_start", "period_end"):
        try:
            days[column] = dt.date.fromisoformat(row[column])
        except ValueError:
            problem(column, f"not a date (YYYY-MM-DD): {row[column]!r}")
    try:
        text = row["target"].replace(",", "").replace(" ", "")
        value = float(text.rstrip("%")) / (100 if text.endswith("%") else 1)
        if not math.isfinite(value):
            raise ValueError
    except ValueError:
        problem("target", f"not a number: {row['target']!r}")
        value = math.nan
    if len(days) == 2 and days["period_end"] < days["period_start"]:
        problem("period_end", "before period_start")
    if len(problems) > found:
        return None
    return kpi, days["period_start"], days["period_end"], value


def import_targets(con, path: str | Path, at: dt.datetime, actor: Principal = LOCAL_ADMIN) -> int:
    """Store every target of a CSV file (see :func:`read_targets_file`) in one transaction: all or nothing.
    Returns how many were stored."""
    require(actor, "set_targets")
    rows = read_targets_file(path)
    with db.transaction(con) as cur:
        for kpi, start, end, value in rows:
            db.execute(cur, "save_target", {"kpi": kpi, "period_start": start, "period_end": end,
                                            "target": value, "set_by": actor.user, "set_at": at})
    return len(rows)


@dataclass(frozen=True)
class Progress:
    """A KPI against the target that applies to a period."""

    kpi: str
    target: float
    target_period: Period
    value: float | None
    due: float  # what the KPI should have reached by the period's end: the target, or its pro-rata part
    elapsed: float  # share of the target's days the period covers (1.0 over the whole period)

    @property
    def share(self) -> float | None:
        """The value as a share of the target (None when the target is 0 or there is no value); whether that is
        on track depends on the days gone (:attr:`on_track`)."""
        if self.value is None or not self.target:
            return None
        return float(self.value) / self.target

    @property
    def bar(self) -> float:
        """How far along a progress bar: the share of the target reached, or for a KPI where lower is better
        (churn, acquisition cost) the target as a share of the value; between 0 and 1."""
        if self.value is None or not self.target or not self.value:
            return 0.0
        better = BY_KEY[self.kpi].higher_is_better
        ratio = float(self.value) / self.target if better is not False else self.target / float(self.value)
        return max(0.0, min(ratio, 1.0))

    @property
    def on_track(self) -> bool | None:
        if self.value is None:
            return None
        better = BY_KEY[self.kpi].higher_is_better
        return float(self.value) >= self.due if better is not False else float(self.value) <= self.due

    def short(self) -> str:
        """A card's line: "46% of $500 · on track", "Target 50.0% · not met"."""
        unit = BY_KEY[self.kpi].unit
        goal = by_unit(unit, self.target)
        if self.value is None:
            return f"Target {goal}"
        done = self.elapsed >= 1
        state = ("met" if self.on_track else ("missed" if self.kpi in ADDITIVE else "not met")) if done else \
            ("on track" if self.on_track else "behind")
        if self.kpi in ADDITIVE and self.share is not None:
            return f"{self.share * 100:.0f}% of {goal} · {state}"
        return f"Target {goal} · {state}"

    def sentence(self) -> str:
        """"72% of the $300.0k target for 01 Jul – 30 Sep 2026 (on track: 50% of its days gone)"."""
        unit = BY_KEY[self.kpi].unit
        goal = f"{by_unit(unit, self.target)} target for {self.target_period.label()}"
        if self.value is None:
            return f"Target: {goal}"
        track = "on track" if self.on_track else "behind"
        if self.kpi in ADDITIVE:
            shown = f"{self.share * 100:.0f}% of the {goal}" if self.target else f"{goal}"
            if self.elapsed < 1:
                return f"{shown} ({track}: {self.elapsed * 100:.0f}% of its days gone)"
            return f"{shown} ({'met' if self.on_track else 'missed'})"
        return f"{goal}: {'met' if self.on_track else 'not met'}" if self.elapsed >= 1 else f"{goal} ({track})"


def progress(frame: pd.DataFrame, kpi: str, period: Period, value) -> Progress | None:
    """The target of ``kpi`` that applies to ``period`` (``frame``: :func:`targets`), against ``value``; None
    without one. Of several, the shortest target period wins (the month's before the year's)."""
    rows = frame[(frame["kpi"] == kpi) & (frame["period_start"] == period.start) & (frame["period_end"] >= period.end)]
    if rows.empty:
        return None
    row = rows.assign(length=rows["period_end"] - rows["period_start"]).sort_values("length").iloc[0]
    target_period = Period(row["period_start"], row["period_end"])
    elapsed = period.days / target_period.days
    target = float(row["target"])
    due = target * elapsed if kpi in ADDITIVE else target
    value = None if value is None or (isinstance(value, float) and math.isnan(value)) else float(value)
    return Progress(kpi, target, target_period, value, due, elapsed)


def goal_levels(frame: pd.DataFrame, kpi: str) -> pd.DataFrame:
    """What each target of an additive ``kpi`` asks of a day: the pace a trend should keep. Grain: one row per
    target. Columns: period_start, period_end, per_day (target / days), target."""
    rows = frame[frame["kpi"] == kpi].copy()
    if kpi not in ADDITIVE or rows.empty:
        return pd.DataFrame(columns=["period_start", "period_end", "per_day", "target"])
    days = [(e - s).days + 1 for s, e in zip(rows["period_start"], rows["period_end"], strict=True)]
    rows["per_day"] = rows["target"].astype(float) / days
    return rows[["period_start", "period_end", "per_day", "target"]].reset_index(drop=True)


def goal_series(frame: pd.DataFrame, kpi: str, buckets, grain: str) -> pd.DataFrame:
    """The target pace per trend bucket of an additive ``kpi``: each bucket whose first day falls in a target's
    period asks for its days' share of that target (the shortest target period wins). Grain: one row per such
    bucket. Columns: bucket, goal."""
    from crm_metrics.kpis import bucket_period

    levels = goal_levels(frame, kpi)
    rows = []
    if not levels.empty:
        levels = levels.assign(days=[(e - s).days for s, e in zip(levels["period_start"], levels["period_end"],
                                                                  strict=True)]).sort_values("days")
        for bucket in buckets:
            day = bucket.date() if isinstance(bucket, dt.datetime) else bucket
            covering = levels[(levels["period_start"] <= day) & (levels["period_end"] >= day)]
            if not covering.empty:
                rows.append({"bucket": bucket, "goal": float(covering.iloc[0]["per_day"])
                             * bucket_period(day, grain).days})
    return pd.DataFrame(rows, columns=["bucket", "goal"])


# --- alerts ---------------------------------------------------------------------------------------------------


def add_alert(con, kpi: str, measure: str, direction: str, threshold: float, days: int, at: dt.datetime,
              actor: Principal = LOCAL_ADMIN) -> int:
    """Store an alert: it fires when ``kpi``'s ``measure`` ("value" or "change") over the latest ``days`` days
    is ``direction`` ("below" or "above") ``threshold``. Returns its id."""
    require(actor, "set_targets")
    _check_kpi(kpi)
    if measure not in MEASURES or direction not in DIRECTIONS:
        raise ValueError(f"measure is one of {sorted(MEASURES)}, direction one of {DIRECTIONS}")
    if not 1 <= int(days) <= 3660 or not math.isfinite(float(threshold)):
        raise ValueError("an alert looks at 1 to 3,660 days and has a finite threshold")
    with db.WRITE_LOCK:
        cur = con.cursor()
        try:
            return int(db.scalar(cur, "save_alert", {"kpi": kpi, "measure": measure, "direction": direction,
                                                    "threshold": float(threshold), "days": int(days),
                                                    "set_by": actor.user, "set_at": at}))
        finally:
            cur.close()


def remove_alert(con, alert_id: int, actor: Principal = LOCAL_ADMIN) -> bool:
    """Remove an alert; False when there was none with this id."""
    require(actor, "set_targets")
    with db.WRITE_LOCK:
        cur = con.cursor()
        try:
            return bool(db.run(cur, "remove_alert", {"alert_id": int(alert_id)}).fetchall())
        finally:
            cur.close()


def alerts(cur) -> pd.DataFrame:
    """Every alert. Grain: one row per alert. Columns: alert_id, kpi, measure, direction, threshold, days,
    set_by, set_at."""
    return db.query_df(cur, "kpi_alerts")


def describe_alert(row) -> str:
    """"Churn above 40.0%", "Revenue change below -10.0%"."""
    unit = BY_KEY[row["kpi"]].unit
    label = BY_KEY[row["kpi"]].label
    if row["measure"] == "change":
        return f"{label} change {row['direction']} {change_text(unit, row['threshold'])}"
    return f"{label} {row['direction']} {by_unit(unit, row['threshold'])}"


def fires(row, value, before) -> bool | None:
    """Whether alert ``row`` fires for a KPI at ``value`` whose comparison value was ``before`` (None: cannot
    tell, the measure is undefined)."""
    unit = BY_KEY[row["kpi"]].unit
    measured = change(unit, value, before) if row["measure"] == "change" else value
    if measured is None or (isinstance(measured, float) and math.isnan(measured)):
        return None
    threshold = float(row["threshold"])
    return float(measured) < threshold if row["direction"] == "below" else float(measured) > threshold


def fired(checked: pd.DataFrame) -> list[str]:
    """The messages of the checked alerts (:func:`check_table`) that fire (None, "cannot tell", is not firing)."""
    return [m for m, f in zip(checked["message"], checked["fired"], strict=True) if f is True]


def threshold_in_percent(kpi: str, measure: str) -> bool:
    """Whether a person types this alert's threshold in percent: a ratio's value (40 for 40%), a relative change
    (-10 for down 10%) or a ratio's change in points of percent; not an NPS or a multiple, whose change is a
    difference in their own unit (:func:`crm_metrics.kpis.change`)."""
    unit = BY_KEY[kpi].unit
    return unit == "ratio" if measure == "value" else unit not in ("points", "multiple")


def threshold_from_shown(kpi: str, measure: str, number: float) -> float:
    """A threshold as typed, in the unit the alert is checked in."""
    return float(number) / 100 if threshold_in_percent(kpi, measure) else float(number)


def check_alerts(cur, frame: pd.DataFrame, as_of: dt.date | None = None, filters: Filters | None = None
                 ) -> pd.DataFrame:
    """Every alert of ``frame`` (:func:`alerts`) checked over its latest ``days`` days to ``as_of`` (default: the
    last order date). Columns: see :func:`check_table`; empty without orders."""
    checked = []
    for days, group in frame.groupby("days", sort=False):
        window = default_period(cur, as_of, int(days))
        if window is not None:
            table = kpi_table(cur, window, filters or Filters(), year_ago=False)
            checked.append(check_table(group, table, window))
    if not checked:
        return check_table(frame.iloc[0:0], pd.DataFrame(columns=["key", "value", "previous"]), None)
    return pd.concat(checked).sort_values("alert_id", kind="stable").reset_index(drop=True)


def check_table(frame: pd.DataFrame, table: pd.DataFrame, window: Period | None) -> pd.DataFrame:
    """Alerts (``frame``) checked against a KPI table (``kpis.kpi_table`` over ``window``), whatever their own
    ``days``: the Overview checks the period it shows.

    Grain: one row per alert. Columns: alert_id, kpi, alert (in words), period_start, period_end, value, previous,
    fired (True, False, or None when the measure is undefined), message.
    """
    columns = ["alert_id", "kpi", "alert", "period_start", "period_end", "value", "previous", "fired", "message"]
    kpis = table.set_index("key")
    rows = []
    for _, alert in frame.iterrows():
        value, before = kpis.loc[alert["kpi"], "value"], kpis.loc[alert["kpi"], "previous"]
        unit = BY_KEY[alert["kpi"]].unit
        now = change_text(unit, change(unit, value, before)) if alert["measure"] == "change" else by_unit(unit, value)
        rows.append({"alert_id": int(alert["alert_id"]), "kpi": alert["kpi"], "alert": describe_alert(alert),
                     "period_start": window.start, "period_end": window.end, "value": value, "previous": before,
                     "fired": fires(alert, value, before),
                     "message": f"{describe_alert(alert)}: {now or 'not measurable'} over {window.label()}"})
    return pd.DataFrame(rows, columns=columns)
