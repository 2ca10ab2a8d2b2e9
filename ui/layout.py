"""The page grid: KPI cards and charts fill the width on a wide screen and fold on a phone.

Streamlit lays a horizontal container out as a flex row of fixed-width children, which leaves a wide screen
half empty and a phone with one narrow card per row. A container created by :func:`grid` is a CSS grid
instead (our own stylesheet, selected by the container's key; no user text goes into it): as many columns of
at least ``min_width`` pixels as fit, each stretched to an equal share of the row.
"""

from __future__ import annotations

import streamlit as st

# cards: at least 140 px wide and at most six a row; charts: at least 440 px and at most two a row; a row with
# fewer stretches them to the full width (the stylesheet below)
KINDS = ("cards", "charts")

STYLE = """
<style>
[class*="st-key-grid-cards-"] { display: grid !important; gap: 0.75rem !important;
    grid-template-columns: repeat(auto-fit, minmax(max(140px, calc((100% - 3.75rem) / 6)), 1fr)); }
[class*="st-key-grid-charts-"] { display: grid !important; gap: 1rem !important;
    grid-template-columns: repeat(auto-fit, minmax(min(100%, max(440px, calc((100% - 1rem) / 2))), 1fr)); }
[class*="st-key-grid-"] > div { width: auto !important; min-width: 0; }
/* a row of cards is as tall as its tallest: every card fills its cell */
[class*="st-key-grid-cards-"] { align-items: stretch !important; }
[class*="st-key-grid-cards-"] > div { align-self: stretch !important; height: auto !important; }
[class*="st-key-grid-cards-"] > div > [data-testid="stMetric"],
[class*="st-key-grid-cards-"] > div > [data-testid="stVerticalBlock"] { height: 100% !important; }
.crm-print { font: inherit; font-size: .875rem; background: transparent; border: 1px solid rgba(49,51,63,.2);
    border-radius: .5rem; padding: .3rem .7rem; cursor: pointer; color: inherit; }
.crm-print:hover { border-color: #0072B2; color: #0072B2; }
[class*="st-key-grid-cards-"] [data-testid="stMetricValue"] { font-size: 1.75rem; }
/* a KPI's whole name, on two lines if need be, rather than "Customer satisfact..." */
[class*="st-key-grid-cards-"] [data-testid="stMetricLabel"] * { white-space: normal !important;
    overflow: visible !important; text-overflow: clip !important; }
@page { size: A4 landscape; margin: 10mm; }
@media print {
    /* "Print this view": the page and its breadcrumb of filters, without the app around it; landscape, so that a
       chart drawn for the screen's width fits the paper's */
    [data-testid="stSidebar"], [data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stDecoration"],
    .modebar-container, [data-testid="stFileUploader"], [data-testid="stBaseButton-secondary"] {
        display: none !important; }
    [data-testid="stMainBlockContainer"] { padding: 0 !important; max-width: 100% !important; }
    .stPlotlyChart, [class*="st-key-kpi-card-"] { break-inside: avoid; }
}
@media (max-width: 640px) {
    /* a phone: two cards a row, smaller figures, no chart toolbar over the titles */
    [class*="st-key-grid-cards-"] { grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 0.5rem !important; }
    [class*="st-key-kpi-card-"] [data-testid="stMetricValue"] { font-size: 1.35rem; }
    [class*="st-key-kpi-card-"] { padding: 0.6rem !important; }
    .modebar-container { display: none !important; }
    .js-plotly-plot .gtitle { font-size: 13px !important; }
}
</style>
"""


def apply() -> None:
    """Add the grid's stylesheet to the page (once per run, from the router)."""
    st.html(STYLE)


def print_button(where) -> None:
    """A button that prints the page as shown (the browser's "Save as PDF" makes a PDF of any page's current view,
    its filters written in the breadcrumb); the print stylesheet above leaves the sidebar and toolbars out."""
    # the sanitiser drops inline handlers: one listener on the document, attached once (our own text, no user text)
    where.html('<button type="button" class="crm-print">Print this view or save it as PDF</button>'
               "<script>if (!window.crmPrint) { window.crmPrint = true; document.addEventListener('click', (e) => {"
               " if (e.target.closest('button.crm-print')) { window.print(); } }); }</script>",
               unsafe_allow_javascript=True)


def grid(where, kind: str, name: str):
    """A container in ``where`` whose children flow as a grid of cards or charts (``kind``); ``name`` tells it
    from the page's other grids."""
    if kind not in KINDS:
        raise ValueError(f"kind is one of {KINDS}")
    return where.container(key=f"grid-{kind}-{name}")
