"""KPI cards: one catalog metric's value for the period, its change against the previous period and against a
year earlier, the progress towards its target when one applies, and its definition as help; the Overview shows
every metric so, the Learn page a few."""

from __future__ import annotations

import re

from crm_metrics.catalog import Metric
from crm_metrics.targets import Progress
from ui import format as fmt


def card(where, metric: Metric, row: dict, chart_data: list[float] | None = None, goal: Progress | None = None,
         year_line: bool = True) -> None:
    """``metric``'s card in ``where`` (a grid from ``ui.layout.grid``) from its row of the KPI table
    (``kpis.kpi_table``)."""
    box = where.container(border=True, gap="small", key=f"kpi-card-{re.sub(r'[^a-z0-9_]', '', metric.key)}")
    help_text = metric.help + ("" if goal is None else f"\n\nTarget: {goal.sentence()}")
    box.metric(
        metric.label, fmt.by_unit(row["unit"], row["value"]), fmt.change_text(row["unit"], row["change"]),
        delta_color="off" if metric.higher_is_better is None else
        ("normal" if metric.higher_is_better else "inverse"),
        help=help_text, chart_data=chart_data, chart_type="area")
    if year_line:
        year = fmt.change_text(row["unit"], row.get("year_change"))
        box.caption(f"{year} on a year earlier" if year else "No year-earlier data")
    if goal is not None:
        box.progress(goal.bar, text=goal.short())
