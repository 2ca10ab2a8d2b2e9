"""Segments: who the customers are (RFM scores and named segments), and a target list to take away."""


import streamlit as st

from ui.routing import ensure_router

ensure_router()

from crm_metrics.clusters import members_of
from crm_metrics.rfm import (
    DEFAULT_MIGRATION_MONTHS,
    MIGRATION_MONTHS,
    headline,
    highlights,
    migration_headline,
    months_before,
)
from crm_metrics.segments import describe
from ui import charts, data, downloads, filters, layout
from ui import columns as col
from ui import format as fmt
from ui.customer_links import customer_table
from ui.empty import stop_without_orders
from ui.segment_controls import scoring_options

st.title("Who are our customers, and who is slipping away?")
stop_without_orders()

chosen, period = filters.current(), filters.current_period()
as_of = period.end
answer = st.container()  # the answer comes first; the scoring options it depends on sit below it
options = scoring_options()
summary, grid, cutoffs = data.app().segment_board(as_of, chosen, options)
with answer:
    st.markdown(headline(summary))
    filters.breadcrumb(chosen, period)
st.caption(f"Scored as of {as_of:%d %b %Y} (the end of the period) on every completed order up to that day. "
           "Recency: days since the last order; frequency: how often; monetary: how much (RFM).")
if summary.empty:
    st.info("No customer bought on or before this date under these filters.")
    st.stop()

numbers = highlights(summary)
cards = layout.grid(st, "cards", "segments-1")
cards.metric("Customers scored", fmt.count(numbers["customers"]), border=True)
cards.metric("Segments in use", fmt.count(numbers["segments"]), border=True)
if numbers["champions"]:
    cards.metric("Champions' share of revenue", fmt.percent(numbers["champions"]["revenue_share"]), border=True,
                 help="Bought recently, buy often and spend the most.")
cards.metric("Valuable customers slipping away", fmt.count(numbers["slipping_customers"]), border=True,
             help="At Risk and Can't Lose Them: they spent well, but not recently.")

board = layout.grid(st, "charts", "segments-board-1")
with board.container():
    largest = numbers["largest"]
    event = st.plotly_chart(
        charts.segment_treemap(summary, f"{largest['segment']} is the largest segment "
                                        f"({fmt.percent(largest['customer_share'])} of customers)"),
        on_select="rerun", key=f"treemap_{hash((as_of, chosen, options))}")
    points = event.selection.points if event and event.selection else []
    if points and points[0].get("id"):  # a click picks the list below (set before that widget is drawn)
        st.session_state["segment_pick"] = points[0]["id"]
with board.container():
    st.plotly_chart(charts.rf_heatmap(grid, "Recent and frequent buyers sit top right"), key="rf_heatmap")

st.subheader("The segments")
st.dataframe(
    summary, hide_index=True, width="stretch",
    column_config={
        "segment": "Segment",
        "customers": col.count("Customers"),
        "customer_share": col.share("Share of customers"),
        "orders": col.count("Orders"),
        "revenue": col.money("Revenue"),
        "average_order_value": col.money("Average order"),
        "average_recency_days": col.number("Days since last order (avg)"),
        "average_frequency": col.number("Frequency (avg)", 1),
        "revenue_share": col.share("Share of revenue"),
    })
with st.expander("Cut-off table: the values behind each score"):
    st.dataframe(cutoffs, hide_index=True, width="stretch",
                 column_config={"measure": "Measure", "score": "Score", "low": "From", "high": "To",
                                "customers": col.count("Customers")})

st.subheader("Take a list away")
names = summary["segment"].tolist()
if st.session_state.get("segment_pick") not in names:
    st.session_state["segment_pick"] = names[0]
segment = st.selectbox("Segment", names, key="segment_pick")
rule = describe(segment, options.rules)
if rule:
    st.markdown(f"**{segment}**: {rule.description} *Recommended:* {rule.action}")
members = data.app().segment_members(segment, as_of, chosen, options)
customer_table(data.app().with_contacts(members.head(1000), first=True), "segment_members_table", hide_index=True,
               width="stretch",
             column_config={"revenue": col.money("Revenue"),
                            "monetary": col.money("Monetary"),
                            "last_order": st.column_config.DateColumn("Last order", format="YYYY-MM-DD")})
st.caption(f"{fmt.count(len(members))} customers" + (", the 1,000 with the most revenue shown" if len(members) > 1000
                                                     else "") + ". Exports hold them all; click a row to open "
                                                                      "the customer.")
buttons = st.container(horizontal=True)
contacts = data.app().with_contacts  # bound to this role now: the export runs after this script run
listed = lambda: contacts(members, first=True)  # noqa: E731
downloads.csv_button("Download CSV", listed, f"segment_{segment}_{as_of}.csv".replace(" ", "_"), key="export_csv",
                     where=buttons)
downloads.parquet_button("Download Parquet", listed, f"segment_{segment}_{as_of}.parquet".replace(" ", "_"),
                         key="export_parquet", where=buttons)
if buttons.button("Show every page only this segment", icon=":material/filter_alt:", key="segment_filter_all",
                  help="Filters every page to the customers in this segment as of the last order date, scored "
                       "with the default options (the sidebar's Segment filter)."):
    filters.drill("segment", segment)

st.subheader("How did customers move between segments?")
months = st.segmented_control("Compared with", MIGRATION_MONTHS, default=DEFAULT_MIGRATION_MONTHS, required=True,
                              key="migration_months", format_func=lambda m: f"{m} month{'s' if m > 1 else ''} earlier")
before = months_before(as_of, months)
flows = data.app().migration(before, as_of, chosen, options)
summary_line = migration_headline(flows, before)
st.markdown(summary_line)
st.plotly_chart(charts.migration_sankey(flows, f"Segments on {before:%d %b %Y} (left) and {as_of:%d %b %Y}"),
                key="migration_sankey")
picked = st.plotly_chart(charts.moves_bar(flows, "The biggest moves between segments (click one to list them)"),
                         on_select="rerun", selection_mode="points",
                         key=f"moves_{hash((before, as_of, chosen, options))}")
points = picked.selection.points if picked and picked.selection else []
if points and points[0].get("customdata"):
    st.session_state["flow_pick"] = tuple(points[0]["customdata"][:2])
moved = flows[flows["moved"]]
choices = list(zip(moved["from_segment"], moved["to_segment"], strict=True))
if choices:
    if st.session_state.get("flow_pick") not in choices:
        st.session_state["flow_pick"] = choices[0]
    flow = st.selectbox("Customers who moved", choices, key="flow_pick", format_func=lambda f: f"{f[0]} → {f[1]}")
    movers = data.app().flow_members(flow[0], flow[1], before, as_of, chosen, options)
    customer_table(data.app().with_contacts(movers.head(1000)), "movers_table", hide_index=True, width="stretch",
                 column_config={"revenue": col.money("Revenue")})
    downloads.csv_button("Download these customers (CSV)", lambda: contacts(movers),
                         f"moved_{flow[0]}_to_{flow[1]}_{as_of}.csv".replace(" ", "_"), key="export_flow")

st.subheader("Which groups does the data find by itself?")
st.caption("k-means clustering on recency, frequency and spend (log-scaled and standardised), with optional "
           "extra features; the number of clusters (3 to 8) is chosen by the silhouette score unless you set it. "
           "Fitted on "
           "a sample of up to 50,000 customers, then every customer is assigned; the same data gives the same "
           "clusters.")
c1, c2, c3 = st.columns([1, 2, 1], vertical_alignment="bottom")
k_choice = c1.selectbox("Clusters", [None, 2, 3, 4, 5, 6, 7, 8], key="cluster_k",
                        format_func=lambda k: "choose by silhouette" if k is None else str(k))
extra = c2.multiselect("Extra features", ["tenure_days", "average_order", "tickets"], key="cluster_features",
                       format_func={"tenure_days": "tenure", "average_order": "average order value",
                                    "tickets": "support tickets"}.get)
if c3.button("Find clusters", key="find_clusters", type="primary"):
    st.session_state["clusters_on"] = True
if st.session_state.get("clusters_on"):
    with st.status("Fitting k-means…", expanded=False) as status:
        found = data.app().customer_clusters(as_of, chosen, options, k_choice, extra)
        status.update(label=f"{found['k']} clusters found.", state="complete")
    board = layout.grid(st, "charts", "segments-board-2")
    with board.container():
        st.plotly_chart(charts.silhouette_curve(found["silhouette"], found["k"],
                                                f"k = {found['k']} separates the customers best"),
                        key="silhouette")
    with board.container():
        st.plotly_chart(charts.cluster_scatter(found["sample"], "Each cluster's place in recency and spend"),
                        key="cluster_scatter")
    st.dataframe(found["profile"], hide_index=True, width="stretch",
                 column_config={"cluster": "#", "name": "Cluster",
                                "customers": col.count("Customers"),
                                "customer_share": col.share("Share"),
                                "recency_days": col.number("Days since last order"),
                                "frequency": col.number("Frequency", 1),
                                "monetary": col.money("Monetary"),
                                "tenure_days": col.number("Tenure (days)"),
                                "average_order": col.money("Average order"),
                                "tickets": col.number("Tickets", 2),
                                "revenue": col.money("Revenue"),
                                "revenue_share": col.share("Share of revenue")})
    names = found["profile"]["name"].tolist()
    pick = st.selectbox("Cluster to export", names, key="cluster_pick")
    members = data.app().with_contacts(members_of(found["assigned"], pick))
    downloads.csv_button(f"Download the {len(members):,} customers of this cluster (CSV)", members,
                         f"cluster_{pick}_{as_of}.csv".replace(" ", "_").replace(",", ""), key="export_cluster")
