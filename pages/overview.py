"""Overview: how the business stands with its customers, what changed, and where (click to drill)."""

import datetime as dt

import streamlit as st

from ui.routing import ensure_router

ensure_router()

from crm_metrics import drivers, targets  # noqa: E402
from crm_metrics.catalog import BY_KEY, GROUPS, METRICS, SCOPE_NOTE
from crm_metrics.dimensions import DIMENSIONS
from crm_metrics.kpis import bucket_period, headline, trend_window
from ui import charts, columns, data, driver_charts, filters, goals, layout, report_document
from ui import format as fmt
from ui.empty import stop_without_orders
from ui.explain import how_computed
from ui.kpi_cards import card
from ui.report_document import DocumentUnavailable

st.title("How are we doing with our customers?")
stop_without_orders()

period, chosen = filters.current_period(), filters.current()
grain = st.session_state.get("trend_grain") or "week"
ROOTS = ("region", "channel", "acquisition_channel", "product_category")
table, spark, series, parts = data.app().overview(period, chosen, grain, ROOTS)
charts.use_colors(data.app().report("filter-options"))

st.markdown(headline(table, period))
filters.breadcrumb(chosen, period)
stored_goals, stored_alerts = goals.stored()
goal_table, alert_table = goals.for_view(stored_goals, stored_alerts, chosen)
goals.flag_alerts(alert_table, table, period)

# KPI cards by family: change against the previous period of equal length and a year earlier, and the target
SPARK = ("revenue", "orders", "active_customers", "new_customers", "returning_customers")
rows = {row["key"]: row for row in table.to_dict("records")}
for group in GROUPS:
    members = [m for m in METRICS if m.group == group]
    st.markdown(f"**{group}**")
    cards = layout.grid(st, "cards", group.lower().replace(" ", "-"))
    for metric in members:
        card(cards, metric, rows[metric.key],
             spark[metric.key].astype(float).tolist() if metric.key in SPARK and len(spark) > 1 else None,
             targets.progress(goal_table, metric.key, period, rows[metric.key]["value"]))
st.caption(f"Changes compare with the {period.days} days before the period and with the same dates a year earlier; "
           f"lines show the last 12 months by week. {SCOPE_NOTE}")

# What changed and why: the change of one headline KPI, group by group, adding up exactly
st.subheader("What changed, and why?")
controls = st.container(horizontal=True, wrap=True, gap="large")
why_kpi = controls.segmented_control("Explain", drivers.DRIVER_KPIS, key="why_kpi", default="revenue", required=True,
                                 format_func=lambda k: BY_KEY[k].label)
compare = controls.segmented_control("Against", list(drivers.COMPARISONS), key="why_compare", default="previous",
                                  required=True, format_func={"previous": f"Previous {period.days} days",
                                                              "year": "A year earlier"}.get)
by_dimension, reaches = data.app().kpi_drivers(period, chosen, compare)
explanation = drivers.explain(why_kpi, compare, by_dimension, reaches)
st.markdown(drivers.sentence(explanation, quote=fmt.inert))
if explanation.before is not None and explanation.after is not None:
    recorded = drivers.recorded(by_dimension)
    suggested = explanation.driver.dimension if explanation.driver else recorded[0] if recorded else "customer_type"
    # one choice per KPI and comparison, starting at the sentence's dimension so that chart and sentence agree
    by = st.segmented_control("Split by", recorded, key=f"why_by_{why_kpi}_{compare}", default=suggested, required=True,
                              format_func=drivers.DRIVER_DIMENSIONS.get)
    dim_label = drivers.DRIVER_DIMENSIONS[by]
    shown = drivers.top_groups(drivers.contributions(by_dimension[by], why_kpi))
    base = drivers.comparison_period(period, compare)
    clickable = by in DIMENSIONS
    fig = driver_charts.waterfall(
        shown, why_kpi, explanation.before, explanation.after, dim_label, f"{base.start:%d %b} – {base.end:%d %b %Y}",
        f"{period.start:%d %b} – {period.end:%d %b %Y}", f"{BY_KEY[why_kpi].label}: what each {dim_label.lower()} "
        "added or took away", clickable)
    event = st.plotly_chart(fig, on_select="rerun", selection_mode="points",
                            key=f"why_{why_kpi}_{compare}_{by}_{hash((period, chosen))}")
    points = event.selection.points if event and event.selection else []
    if clickable and points and points[0].get("customdata") and points[0]["customdata"][0]:
        filters.drill(by, points[0]["customdata"][0])
    st.caption(("Click a group's bar to filter every page to it. " if clickable else "")
               + "The steps add up exactly to the change; customers count once, in the group of their first order "
               "in the period."
               + (f" {BY_KEY[why_kpi].label} is a ratio: a group's step is its share of the ratio now minus its "
                  "share then." if why_kpi in ("aov", "retention_rate") else ""))
    if why_kpi == "revenue":
        st.dataframe(drivers.factor_table(shown, dim_label), hide_index=True, width="stretch", column_config={
            "Change": columns.money("Change"), "More or fewer customers": columns.money("More or fewer customers"),
            "Orders per customer": columns.money("Orders per customer"),
            "Order value": columns.money("Order value")})
        st.caption("Revenue = customers × orders per customer × order value: each group's change split over the "
                   "three factors (Shapley values: each factor's effect averaged over every order in which the "
                   "factors could change), so a row adds up to its change.")

# Trend
st.subheader("How did it develop?")
left, right = st.columns([3, 2])
metric = left.segmented_control("Show", ["revenue", "active_customers", "mix", "orders"], key="trend_metric",
                                default="revenue", required=True,
                                format_func={"revenue": "Revenue", "active_customers": "Active customers",
                                             "mix": "New vs returning", "orders": "Orders"}.get)
right.segmented_control("By", ["day", "week", "month"], key="trend_grain", default="week", required=True,
                        format_func=str.capitalize)
if series.empty:
    st.info("No orders in this period under these filters.")
else:
    pace = targets.goal_series(goal_table, metric, series["bucket"], grain) if metric in ("revenue", "orders") else None
    starts = None if metric == "mix" else data.app().campaign_starts(trend_window(period, grain), chosen)
    picked = st.plotly_chart(charts.trend_chart(series, metric, grain, charts.trend_title(series, metric, grain),
                                                highlight=period, goals=pace, campaigns=starts),
                             on_select="rerun", selection_mode="points",
                             key=f"trend_{metric}_{grain}_{hash((period, chosen))}")
    points = picked.selection.points if picked and picked.selection else []
    clicked = points[0].get("customdata") if points else None
    if clicked and clicked[0] == "campaign":
        filters.drill("campaign", clicked[1])
    elif clicked:
        chosen_bucket = bucket_period(dt.date.fromisoformat(clicked[1]), grain)
        filters.drill_period(chosen_bucket.start, chosen_bucket.end)
    st.caption(f"Complete {grain}s only" + ("" if grain == "day" else ", over at least the last 12 months")
               + f". Click a point to make that {grain} the period"
               + ("" if starts is None or starts.empty else "; triangles mark campaign starts (click one to see its "
                                                             "customers)")
               + ("" if pace is None or pace.empty else "; the dashed line is the pace the target asks for") + ".")

# Breakdowns: a click adds the value to the filters of every page
st.subheader("Where does the revenue come from?")
st.caption("Click a bar to filter every page to it; regions drill down to countries and cities.")
board = layout.grid(st, "charts", "breakdowns")
for root in ROOTS:
    col = board.container()
    level, frame = parts[root]
    dim = DIMENSIONS[level]
    if frame.empty:
        col.info(f"No revenue by {dim.label.lower()} in this selection.")
        continue
    if frame["value"].isna().all():
        col.info(f"{dim.label}: not recorded in this data, so revenue cannot be split by it. Import "
                 f"{'orders' if dim.level == 'order' else 'customers'} with a {dim.label.lower()} column to see it.",
                 icon=":material/visibility_off:")
        continue
    fig = charts.breakdown_bar(frame, charts.breakdown_title(frame, dim.label), dim.label, clickable=True)
    event = col.plotly_chart(fig, on_select="rerun", selection_mode="points",
                             key=f"bd_{level}_{hash(chosen)}")
    points = event.selection.points if event and event.selection else []
    if points and points[0].get("customdata") and points[0]["customdata"][0]:
        filters.drill(level, points[0]["customdata"][0])

how_computed(table, period, chosen)
goals.panel(stored_goals, stored_alerts, data.app().data_span()[1])

# The overview as a document that travels: a PDF of a few pages and a static HTML copy, filters written on them
document_key = (period, chosen, data.version())
prepare = st.container(horizontal=True, vertical_alignment="center")
if prepare.button("Prepare a PDF of this overview", key="prepare_document", icon=":material/picture_as_pdf:",
                  help="A few pages with the period and the filters written on them, and a static HTML copy under "
                       "1 MB: to attach to an email or print."):
    with st.status("Drawing the charts and printing the PDF…", expanded=False) as status:
        try:
            st.session_state["overview_document"] = (document_key, *report_document.for_session(period, chosen))
            status.update(label="The PDF is ready", state="complete")
        except DocumentUnavailable as problem:
            status.update(label="The PDF could not be made", state="error")
            st.error(str(problem))
ready = st.session_state.get("overview_document")
if ready and ready[0] == document_key:
    _, pdf, page_html = ready
    prepare.download_button("Download the PDF", pdf, f"overview_{period.start}_{period.end}.pdf",
                            mime="application/pdf", key="download_pdf", icon=":material/download:", on_click="ignore")
    prepare.download_button("Download as HTML", page_html, f"overview_{period.start}_{period.end}.html",
                            mime="text/html", key="download_html", icon=":material/download:", on_click="ignore")
