"""KPI cards: one catalog metric's value for the period, its change against the previous period, and its
definition as help; the Overview shows every metric so, the Learn page a few."""

from __future__ import annotations

from crm_metrics.catalog import Metric
from ui import format as fmt


def card(where, metric: Metric, row: dict, chart_data: list[float] | None = None, width: int = 196) -> None:
    """``metric``'s card in ``where`` (a container) from its row of the KPI table (``kpis.kpi_table``)."""
    year = "" if row.get("year_change") is None else \
        f"\n\nAgainst a year earlier: {fmt.change_text(row['unit'], row['year_change'])}"
    where.metric(
        metric.label, fmt.by_unit(row["unit"], row["value"]), fmt.change_text(row["unit"], row["change"]),
        border=True, delta_color="off" if metric.higher_is_better is None else
        ("normal" if metric.higher_is_better else "inverse"),
        help=metric.help + year, chart_data=chart_data, chart_type="area", width=width)
