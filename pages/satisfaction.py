"""Satisfaction and service: how satisfied customers say they are (CSAT, NPS), how support performs,
and how much satisfaction keeps customers buying, in this data."""

import streamlit as st

from ui.routing import ensure_router

ensure_router()

from crm_metrics import satisfaction as sat  # noqa: E402
from crm_metrics.catalog import SERVICE_METRICS
from ui import columns as col
from ui import data, filters, layout
from ui import format as fmt
from ui import service_charts as sc
from ui.empty import stop_without_orders
from ui.explain import how_service_computed

st.title("Are customers satisfied, and does it keep them?")
stop_without_orders()

chosen, period = filters.current(), filters.current_period()
follow_days = 180
surveys_stored, tickets_stored = data.app().stored_rows("surveys"), data.app().stored_rows("tickets")
if not surveys_stored and not tickets_stored:
    st.info("No survey answers or support tickets are loaded yet: this page reads them. Import survey answers "
            "(CSAT 1-5, NPS 0-10) or support tickets (opened, closed, rating) to see how satisfied customers are "
            "and whether satisfied customers stay.", icon=":material/sentiment_satisfied:")
    st.page_link("pages/data.py", label="Import surveys and tickets on the Data page", icon=":material/upload:")
    st.stop()
answer = st.container()
grades = data.app().call(sat.csat_grades, period.start, period.end, chosen)
trend = data.app().call(sat.nps_trend, period.start, period.end, chosen)
nps = sat.nps_summary(trend)
loyalty = data.app().call(sat.loyalty, period.end, None, chosen, follow_days)
with answer:
    st.markdown(sat.loyalty_sentence(loyalty, follow_days))
    filters.breadcrumb(chosen, period)

cards = layout.grid(st, "cards", "satisfaction-1")
cards.metric("CSAT", fmt.percent(sat.csat_rate(grades)), border=True,
             help="Share of survey answers in the period that were satisfied or very satisfied (4-5 of 5).")
cards.metric("NPS", fmt.points(nps["nps"]), border=True,
             help="Promoters (9-10) minus detractors (0-6), in points of all answers (-100 to 100).")
cards.metric("Survey answers", fmt.count(int(grades["answers"].sum())), border=True)

st.subheader("What customers say")
if grades["answers"].sum() == 0:
    st.info("No survey answers in this period. Widen the period in the sidebar." if surveys_stored else
            "No survey answers are loaded; import them on the Data page to see CSAT and NPS.", icon=":material/inbox:")
else:
    left, right = st.columns(2, gap="large")
    with left:
        st.plotly_chart(sc.csat_bars(grades, "How satisfied customers say they are"), key="csat_bars")
        st.caption(f"{fmt.percent(sat.csat_rate(grades))} answered 4 or 5; the bars run from very disappointed "
                   "to very satisfied.")
    with right:
        st.plotly_chart(sc.nps_trend(trend, "Promoters and detractors, month by month"), key="nps_trend")
        st.caption(f"Over the period: {fmt.count(nps['promoters'])} promoters, {fmt.count(nps['passives'])} passives "
                   f"and {fmt.count(nps['detractors'])} detractors, an NPS of {fmt.points(nps['nps'])}. Months with "
                   "few answers swing; read the line together with the bars.")

st.subheader("Satisfied customers stay: by how much, here")
if loyalty.empty:
    st.info(f"No survey answer or rated ticket is at least {follow_days} days old yet, so whether customers "
            "bought again after it cannot be measured.", icon=":material/hourglass_empty:")
else:
    left, right = st.columns(2, gap="large")
    with left:
        st.plotly_chart(sc.loyalty_bars(loyalty, "survey", "Bought again after their latest survey answer"),
                        key="loyalty_survey")
    with right:
        st.plotly_chart(sc.loyalty_bars(loyalty, "ticket", "Bought again after their latest support rating"),
                        key="loyalty_ticket")
    st.caption(f"Each customer counts once, by their latest answer (left) or latest rated ticket (right) dated "
               f"at least {follow_days} days before {period.end:%d %b %Y}; the bar is the share with a completed "
               f"order in the {follow_days} days after it, the whisker its 95% interval. This is association, not "
               "proof of cause: it shows where satisfaction and loyalty go together in your data.")

st.subheader("How support performs")
dimension = st.segmented_control("Tickets by", ["category", "channel"], default="category", required=True,
                                 format_func=str.capitalize, key="ticket_dimension")
service = data.app().call(sat.ticket_service, period.start, period.end, dimension, chosen)
if service.empty:
    st.info("No support tickets were opened in this period." if tickets_stored else
            "No support tickets are loaded; import them on the Data page to see how support performs.",
            icon=":material/inbox:")
else:
    totals = sat.service_totals(service)
    cards = layout.grid(st, "cards", "satisfaction-2")
    cards.metric("Tickets opened", fmt.count(totals["tickets"]), border=True)
    cards.metric("Still open", fmt.count(totals["open"]), border=True)
    cards.metric("First-contact resolution", fmt.percent(totals["first_contact_rate"]), border=True,
                 help="Closed tickets the customer did not come back about (no ticket of the same category within "
                      "7 days); the data has no contact count, so this is the usual proxy.")
    cards.metric("Support rating", fmt.number(totals["satisfaction"]), border=True,
                 help="Mean rating of the rated tickets, 1 (very disappointed) to 5 (very satisfied).")
    st.dataframe(service, hide_index=True, width="stretch",
                 column_config={"value": dimension.capitalize(), "tickets": col.count("Tickets"),
                                "closed": col.count("Closed"), "open": col.count("Open"),
                                "median_hours": col.number("Median hours to resolve", 1),
                                "first_contact": col.count("Resolved first time"),
                                "first_contact_rate": col.share("First-contact resolution"),
                                "rated": col.count("Rated"), "satisfaction": col.number("Rating (1-5)", 2)})
how_service_computed({"start": period.start, "end": period.end, "as_of": period.end, "follow_days": follow_days,
                      **chosen.params()}, SERVICE_METRICS)
