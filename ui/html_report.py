"""The overview as one self-contained HTML file: interactive charts (plotly.js inlined once), the KPI
table, the period and the active filters, readable with no server. Every text is HTML-escaped."""

from __future__ import annotations

import datetime as dt
import html

import pandas as pd
import plotly.graph_objects as go

from crm_metrics.catalog import BY_KEY
from crm_metrics.formatting import by_unit, change_text

STYLE = """
body{font-family:Segoe UI,Helvetica,Arial,sans-serif;color:#31333F;max-width:1100px;margin:2rem auto;padding:0 1rem}
h1{font-size:1.7rem;margin-bottom:.2rem} .meta{color:#6b7280;margin-bottom:1.2rem}
table{border-collapse:collapse;width:100%;margin:1rem 0}
th,td{border-bottom:1px solid #e5e7eb;padding:.45rem;text-align:left}
td.num{text-align:right;font-variant-numeric:tabular-nums} .def{color:#6b7280;font-size:.85rem}
.chart{margin:1.5rem 0}
"""


def overview_html(title: str, headline: str, period_label: str, filters: list[str], table: pd.DataFrame,
                  figures: list[go.Figure], generated: dt.datetime) -> str:
    """The report as a string (UTF-8 HTML)."""
    esc = html.escape
    rows = []
    for r in table.itertuples():
        metric = BY_KEY[r.key]
        rows.append(
            f"<tr><td>{esc(metric.label)}<div class='def'>{esc(metric.definition)}</div></td>"
            f"<td class='num'>{esc(by_unit(r.unit, r.value))}</td>"
            f"<td class='num'>{esc(change_text(r.unit, r.change) or '–')}</td>"
            f"<td class='num'>{esc(change_text(r.unit, r.year_change) or '–')}</td></tr>")
    charts = [f"<div class='chart'>{fig.to_html(full_html=False, include_plotlyjs=(i == 0))}</div>"
              for i, fig in enumerate(figures)]
    scope = "; ".join(filters) if filters else "all customers"
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{esc(title)}</title><style>{STYLE}</style></head><body>"
        f"<h1>{esc(title)}</h1>"
        f"<div class='meta'>Period: {esc(period_label)} · Filters: {esc(scope)} · "
        f"Generated {esc(generated.strftime('%Y-%m-%d %H:%M'))} UTC</div>"
        f"<p>{esc(headline)}</p>"
        "<table><thead><tr><th>Metric</th><th>Value</th><th>vs previous period</th><th>vs a year earlier</th>"
        f"</tr></thead><tbody>{''.join(rows)}</tbody></table>"
        f"{''.join(charts)}</body></html>"
    )
