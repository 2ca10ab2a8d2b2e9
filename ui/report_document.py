"""The Overview as a document that travels: one static HTML file (charts as inline SVG, well under 1 MB, readable
with no server and no script) or a PDF of a few pages printed from it by headless Chromium, with the period and
the filters written on every copy.

Streamlit-free: the Overview's download buttons and ``python -m crm_metrics digest`` build the same document from
``crm_metrics`` on a cursor. Every text is HTML-escaped; SVG comes from plotly (through kaleido, which drives the
same Chromium), whose labels :func:`ui.charts.finish` has already made literal.
"""

from __future__ import annotations

import datetime as dt
import html
import os
import shutil
import subprocess
import tempfile
import threading
import warnings
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go

from crm_metrics import drivers, kpis, targets
from crm_metrics.catalog import BY_KEY
from crm_metrics.dimensions import DIMENSIONS
from crm_metrics.filters import Filters
from crm_metrics.formatting import by_unit, change_text
from crm_metrics.kpis import Period
from ui import charts, driver_charts

CHROMIUM_ENV = "CRM_CHROMIUM"
ROOTS = ("region", "channel", "acquisition_channel", "product_category")
CHART_WIDTH, CHART_HEIGHT = 900, 340
# kaleido keeps one browser per process: two sessions drawing at once take turns
_DRAWING = threading.Lock()

STYLE = """
@page { size: A4; margin: 14mm 12mm; }
body { font-family: "Source Sans Pro", "Segoe UI", Helvetica, Arial, sans-serif; color: #31333F; max-width: 960px;
       margin: 1.5rem auto; padding: 0 1rem; font-size: 14px; }
h1 { font-size: 1.6rem; margin: 0 0 .2rem; } h2 { font-size: 1.15rem; margin: 1.4rem 0 .4rem; }
.meta { color: #6b7280; margin-bottom: 1rem; } .alert { background: #fff8e1; padding: .5rem .7rem; margin: .3rem 0; }
table { border-collapse: collapse; width: 100%; margin: .6rem 0; }
th, td { border-bottom: 1px solid #e5e7eb; padding: .3rem .4rem; text-align: left; vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.def { color: #6b7280; font-size: .8rem; } .chart svg { width: 100%; height: auto; }
.chart, tr, .alert { break-inside: avoid; } h2 { break-after: avoid; }
"""


class DocumentUnavailable(RuntimeError):
    """The document cannot be drawn here (no Chromium to draw charts or print the PDF); the message says what to
    install."""


def chromium() -> str:
    """The Chromium (or Chrome) that prints PDFs: ``$CRM_CHROMIUM``, else the first one on the PATH."""
    for name in (os.environ.get(CHROMIUM_ENV), "chromium", "chromium-browser", "google-chrome", "chrome"):
        if name and (found := shutil.which(name)):
            return found
    raise DocumentUnavailable("A PDF is printed by Chromium, and none was found: install it (Debian/Ubuntu: "
                              f"apt-get install chromium) or set {CHROMIUM_ENV} to its path.")


@dataclass(frozen=True)
class Document:
    title: str
    period: Period
    scope: str
    html: str


def overview_document(cur, period: Period, filters: Filters, generated: dt.datetime,
                      title: str = "Customer overview") -> Document:
    """The Overview of ``period`` under ``filters`` as a static HTML document (see the module's docstring)."""
    table = kpis.kpi_table(cur, period, filters)
    goal_table, alert_table = targets.targets(cur), targets.alerts(cur)
    if not targets.apply_to(filters):
        goal_table, alert_table = goal_table.iloc[0:0], alert_table.iloc[0:0]
    fired = targets.check_table(alert_table, table, period)
    explanation, by_dimension = drivers.explain_period(cur, period, filters, "revenue", "previous")
    weekly = kpis.trend(cur, kpis.trend_window(period, "week"), filters, "week")
    figures = _figures(cur, period, filters, weekly, goal_table, explanation, by_dimension)
    scope = "; ".join(filters.describe()) or "all customers"
    esc = html.escape
    alerts = "".join(f"<div class='alert'>Alert: {esc(m)}</div>" for m in targets.fired(fired))
    body = (
        f"<h1>{esc(title)}</h1>"
        f"<div class='meta'>Period: {esc(period.label())} · Filters: {esc(scope)} · Changes against the previous "
        f"{period.days} days · Generated {esc(generated.strftime('%Y-%m-%d %H:%M'))} UTC</div>"
        f"<p>{esc(kpis.headline(table, period))}</p>{alerts}"
        f"<p><b>What changed:</b> {esc(explanation.sentence)}</p>"
        f"<h2>Key figures</h2>{_kpi_table(table, goal_table, period)}"
        + "".join(f"<h2>{esc(heading)}</h2><div class='chart'>{svg}</div>" for heading, svg in _svgs(figures))
    )
    page = (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{esc(title)} – "
            f"{esc(period.label())}</title><style>{STYLE}</style></head><body>{body}</body></html>")
    return Document(title, period, scope, page)


def for_session(period: Period, filters: Filters) -> tuple[bytes, str]:
    """The Overview as (PDF bytes, static HTML) for this session's role; not cached: it is made on request, and
    the targets on it may have changed since."""
    from ui import data  # the command line uses this module without Streamlit

    with data.session_cursor() as cur:
        document = overview_document(cur, period, filters, dt.datetime.now(dt.UTC))
    return to_pdf(document.html), document.html


def _kpi_table(table: pd.DataFrame, goal_table: pd.DataFrame, period: Period) -> str:
    esc = html.escape
    rows = []
    for r in table.itertuples():
        metric = BY_KEY[r.key]
        goal = targets.progress(goal_table, r.key, period, r.value)
        rows.append(
            f"<tr><td>{esc(metric.label)}<div class='def'>{esc(metric.definition)}</div></td>"
            f"<td class='num'>{esc(by_unit(r.unit, r.value))}</td>"
            f"<td class='num'>{esc(change_text(r.unit, r.change) or '–')}</td>"
            f"<td class='num'>{esc(change_text(r.unit, r.year_change) or '–')}</td>"
            + (f"<td>{esc(goal.short() if goal else '')}</td>" if not goal_table.empty else "") + "</tr>")
    target_head = "" if goal_table.empty else "<th>Target</th>"
    return ("<table><thead><tr><th>Metric</th><th>Value</th><th>vs previous period</th><th>vs a year earlier</th>"
            f"{target_head}</tr></thead><tbody>{''.join(rows)}</tbody></table>")


def _figures(cur, period, filters, weekly, goal_table, explanation, by_dimension) -> list[tuple[str, go.Figure]]:
    figures = []
    if not weekly.empty:
        pace = targets.goal_series(goal_table, "revenue", weekly["bucket"], "week")
        starts = kpis.campaign_starts(cur, kpis.trend_window(period, "week"), filters)
        figures.append(("How did revenue develop?", charts.trend_chart(
            weekly, "revenue", "week", charts.trend_title(weekly, "revenue", "week"), highlight=period, goals=pace,
            campaigns=starts)))
    if explanation.driver is not None:
        dimension = explanation.driver.dimension
        label = drivers.DRIVER_DIMENSIONS[dimension]
        shown = drivers.top_groups(drivers.contributions(by_dimension[dimension], "revenue"))
        base = drivers.comparison_period(period, "previous")
        figures.append(("What changed, and why?", driver_charts.waterfall(
            shown, "revenue", explanation.before, explanation.after, label, f"{base.start:%d %b} – {base.end:%d %b}",
            f"{period.start:%d %b} – {period.end:%d %b}", f"Revenue: what each {label.lower()} added or took away",
            clickable=False)))
    for root in ROOTS:
        frame = kpis.breakdown(cur, period, filters, root)
        if frame.empty or frame["value"].isna().all():
            continue
        label = DIMENSIONS[root].label
        figures.append((f"Revenue by {label.lower()}", charts.breakdown_bar(
            frame, charts.breakdown_title(frame, label), label, clickable=False)))
    return figures


def _svgs(figures: list[tuple[str, go.Figure]]) -> list[tuple[str, str]]:
    """Each figure as inline SVG, drawn by kaleido in one Chromium session."""
    if not figures:
        return []
    try:
        import kaleido
    except ImportError as exc:  # pragma: no cover - a runtime requirement
        raise DocumentUnavailable("Charts are drawn by kaleido: pip install -r requirements.txt") from exc
    chromium()  # kaleido drives the same browser: say what to install before it fails obscurely
    with _DRAWING:
        kaleido.start_sync_server(silence_warnings=True)
        try:
            out = []
            with warnings.catch_warnings():  # plotly notes that a running server ignores per-call options
                warnings.simplefilter("ignore", UserWarning)
                for heading, fig in figures:
                    fig.update_layout(paper_bgcolor="white", dragmode=False)
                    svg = fig.to_image(format="svg", width=CHART_WIDTH, height=fig.layout.height or CHART_HEIGHT)
                    out.append((heading, svg.decode("utf-8")))
            return out
        finally:
            kaleido.stop_sync_server(silence_warnings=True)


def write(document: Document, out: str | Path) -> Path:
    """Write the document as HTML (``.html``) or PDF (``.pdf``), by the file's extension."""
    out = Path(out)
    if out.suffix.lower() == ".html":
        out.write_text(document.html, encoding="utf-8")
    elif out.suffix.lower() == ".pdf":
        out.write_bytes(to_pdf(document.html))
    else:
        raise ValueError(f"{out.name}: the digest is written as .pdf or .html")
    return out


def to_pdf(page: str) -> bytes:
    """The HTML printed to PDF (A4) by headless Chromium."""
    browser = chromium()
    with tempfile.TemporaryDirectory(prefix="crm-pdf-") as folder:
        source, target = Path(folder) / "report.html", Path(folder) / "report.pdf"
        source.write_text(page, encoding="utf-8")
        command = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                   "--no-first-run", "--disable-background-networking", "--disable-component-update",
                   "--no-pdf-header-footer", f"--user-data-dir={Path(folder) / 'profile'}",
                   f"--print-to-pdf={target}", source.as_uri()]
        done = subprocess.run(command, capture_output=True, timeout=120, check=False)
        if not target.exists() or target.stat().st_size == 0:
            raise DocumentUnavailable(f"Chromium did not print the PDF: {done.stderr.decode(errors='replace')[-300:]}")
        return target.read_bytes()
