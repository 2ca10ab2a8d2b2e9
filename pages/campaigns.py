"""Campaigns: what each campaign cost, what followed it, what it caused, who it converted, and where the
next dollar should go."""

import streamlit as st

from ui.routing import ensure_router

ensure_router()

from crm_metrics.campaigns import (
    MAX_WINDOW_DAYS,
    MODELS,
    CampaignOptions,
    attribution_table,
    best_split,
    by_segment,
    channel_title,
    headline,
    project_budget,
    table,
    wilson_interval,
)
from crm_metrics.catalog import BY_KEY
from ui import campaign_charts as cc
from ui import columns as col
from ui import data, downloads, filters, layout
from ui import format as fmt
from ui.empty import stop_without_orders
from ui.explain import how_campaigns_computed

st.title("What did our campaigns earn, and what did they cause?")
stop_without_orders()

chosen, period = filters.current(), filters.current_period()
as_of = data.app().data_span()[1]
answer = st.container()

with st.expander("Measurement settings", icon=":material/tune:"):
    s1, s2, s3, s4 = st.columns(4)
    window = s1.slider("Attribution window (days)", 1, MAX_WINDOW_DAYS, 14, key="campaign_window",
                       help="An order follows a contact when it is placed on the contact day or within this many "
                            "days minus one after it.")
    margin_rate = s2.slider("Margin where an order has no cost", 0, 100, 40, format="%d%%", key="campaign_margin",
                            help="Gross margin rate used for orders without a cost of goods.") / 100
    model = s3.selectbox("Attribution model", list(MODELS), format_func=MODELS.get, key="campaign_model",
                         help="How an order touched by several campaigns shares its credit. Orders that carry a "
                              "campaign_id (a coupon) always go wholly to that campaign.")
    min_lift = s4.slider("Smallest lift worth detecting", 1, 10, 2, format="%d pts", key="campaign_min_lift",
                         help="Used to size the holdout suggested for campaigns without a control group.") / 100
options = CampaignOptions(window_days=window, margin_rate=margin_rate, model=model)

with answer:
    scope = st.segmented_control("Campaigns", ["period", "all"], default="period", required=True,
                                 key="campaign_scope",
                                 format_func={"period": "Started in the period", "all": "All campaigns"}.get)
    scoped = chosen if scope == "period" else chosen.with_period(None, None)
    results = data.app().campaign_results(as_of, scoped, options, min_lift)
    stats, increments, totals = results["stats"], results["increments"], results["totals"]
    st.markdown(headline(totals))
    filters.breadcrumb(chosen, period if scope == "period" else None)
    st.caption(f"{'Campaigns that started in the period' if scope == 'period' else 'Every campaign'}; orders up to "
               f"{as_of:%d %b %Y}, the last day of data, inside a {window}-day window after each contact. "
               f"Attribution: {MODELS[model].lower()}.")

if stats.empty:
    if not data.app().stored_rows("campaigns"):
        st.info("No campaigns are loaded yet. Import your campaigns (name, channel, start date, cost) and the "
                "contacts they reached to see what they earned and what they caused.", icon=":material/campaign:")
    elif scope == "period":
        st.info("No campaign started in this period. Widen the period in the sidebar, or show all campaigns above.",
                icon=":material/campaign:")
    else:
        st.info("No campaign reached the customers these filters select. Clear a filter in the sidebar.",
                icon=":material/campaign:")
    st.page_link("pages/data.py", label="Import campaigns and contacts on the Data page", icon=":material/upload:")
    st.stop()

cards = layout.grid(st, "cards", "campaigns-1")
cards.metric("Spend", fmt.money_short(totals["spend"]), border=True, help=BY_KEY["spend"].help)
cards.metric("Attributed revenue", fmt.money_short(totals["attributed_revenue"]), border=True,
             help=BY_KEY["attributed_revenue"].help)
cards.metric("Campaign ROI", fmt.multiple(totals["roi"]), border=True, help=BY_KEY["roi"].help)
cards.metric("ROAS", fmt.multiple(totals["roas"]), border=True, help=BY_KEY["roas"].help)
if totals["controlled"]:
    cards.metric("Revenue caused", fmt.money_short(totals["incremental_revenue"]), border=True,
                 help=BY_KEY["incremental_revenue"].help
                 + f"\n\n95% interval: {fmt.money_short(totals['incremental_revenue_low'])} to "
                   f"{fmt.money_short(totals['incremental_revenue_high'])}, over {totals['controlled']} campaigns "
                   "with a control group (the others cannot tell).")
    cards.metric("Clear effect on conversion", f"{totals['with_effect']} of {totals['controlled']}", border=True,
                 help="Campaigns with a control group whose conversion lift's 95% interval lies above zero.")

by_channel = results["by_channel"]
with st.container():
    picked = st.plotly_chart(
        cc.channel_roi(by_channel, channel_title(by_channel)),
        on_select="rerun", selection_mode="points", key=f"channel_roi_{hash((scoped, options))}")
    points = picked.selection.points if picked and picked.selection else []
    if points and points[0].get("customdata"):  # a click picks the channel below (set before it is drawn)
        st.session_state["campaign_channel_pick"] = points[0]["customdata"][0]
with st.container():
    if totals["controlled"]:
        st.plotly_chart(cc.roi_comparison(increments, "ROI: what followed vs what it caused (95% interval)"),
                        key="roi_comparison")
    else:
        st.info("No campaign here had a control group, so what campaigns caused cannot be measured: only what "
                "followed them. The table suggests a holdout size for each.", icon=":material/science:")
st.caption("Grey diamonds count every attributed order as the campaign's doing; blue dots count only what treated "
           "customers bought beyond their control group. Where the blue interval crosses the dashed line, the "
           "campaign may not have paid for itself.")

st.subheader("The campaigns")
channels = ["All channels"] + sorted(stats["channel"].dropna().unique().tolist())
if st.session_state.get("campaign_channel_pick") not in channels:
    st.session_state["campaign_channel_pick"] = "All channels"
channel = st.selectbox("Channel", channels, key="campaign_channel_pick")
shown = table(stats, increments)
if channel != "All channels":
    shown = shown[shown["channel"] == channel]
columns = ["campaign_id", "name", "channel", "start_date", "spend", "contacted", "converted", "conversion_rate",
           "attributed_revenue", "roi", "roas", "cost_per_conversion", "cost_per_new_customer", "lift", "lift_low",
           "lift_high", "incremental_revenue", "incremental_roi", "verdict", "window_open"]
selection = st.dataframe(
    shown[columns], hide_index=True, width="stretch", on_select="rerun", selection_mode="single-row",
    key=f"campaign_table_{hash((scoped, options, channel))}",
    column_config={
        "campaign_id": "Campaign", "name": "Name", "channel": "Channel",
        "start_date": st.column_config.DateColumn("Started", format="YYYY-MM-DD"),
        "spend": col.money("Spend"), "contacted": col.count("Contacted"), "converted": col.count("Converted"),
        "conversion_rate": st.column_config.NumberColumn("Conversion", format="percent"),
        "attributed_revenue": col.money("Attributed revenue"),
        "roi": st.column_config.NumberColumn("ROI", format="%.2f×", help=BY_KEY["roi"].definition),
        "roas": st.column_config.NumberColumn("ROAS", format="%.2f×"),
        "cost_per_conversion": col.money("Cost / conversion"),
        "cost_per_new_customer": col.money("Cost / new customer"),
        "lift": st.column_config.NumberColumn("Lift", format="percent", help=BY_KEY["lift"].definition),
        "lift_low": st.column_config.NumberColumn("Lift from", format="percent"),
        "lift_high": st.column_config.NumberColumn("Lift to", format="percent"),
        "incremental_revenue": col.money("Revenue caused"),
        "incremental_roi": st.column_config.NumberColumn("Incremental ROI", format="%.2f×"),
        "verdict": st.column_config.TextColumn("What it caused", width="large"),
        "window_open": st.column_config.CheckboxColumn("Still running", help="Its window reaches past the last day "
                                                                             "of data: results may still grow."),
    })
rows = selection.selection.rows if selection and selection.selection else []
if rows:
    st.session_state["campaign_select"] = shown.iloc[rows[0]]["campaign_id"]
st.caption(f"{fmt.count(len(shown))} campaigns. Click a row to look at one campaign up close. Lift is in "
           "percentage points of conversion, treatment minus control, with its 95% interval.")
buttons = st.container(horizontal=True)
downloads.csv_button("Download the campaign table (CSV)", shown, f"campaigns_{as_of}.csv", key="export_campaigns",
                     where=buttons)
downloads.parquet_button("Download Parquet", shown, f"campaigns_{as_of}.parquet", key="export_parquet", where=buttons)
with st.expander("Rolled up by objective"):
    st.dataframe(results["by_objective"], hide_index=True, width="stretch",
                 column_order=["objective", "campaigns", "spend", "contacted", "converted", "conversion_rate",
                               "attributed_revenue", "attributed_margin", "roi", "roas", "cost_per_conversion"],
                 column_config={"objective": "Objective", "campaigns": col.count("Campaigns"),
                                "spend": col.money("Spend"), "contacted": col.count("Contacted"),
                                "converted": col.count("Converted"),
                                "conversion_rate": st.column_config.NumberColumn("Conversion", format="percent"),
                                "attributed_revenue": col.money("Attributed revenue"),
                                "attributed_margin": col.money("Attributed margin"),
                                "roi": st.column_config.NumberColumn("ROI", format="%.2f×"),
                                "roas": st.column_config.NumberColumn("ROAS", format="%.2f×"),
                                "cost_per_conversion": col.money("Cost / conversion")})

st.subheader("One campaign up close")
ids = shown["campaign_id"].tolist() or stats["campaign_id"].tolist()
names = dict(zip(stats["campaign_id"], stats["name"], strict=True))
if st.session_state.get("campaign_select") not in ids:
    st.session_state["campaign_select"] = ids[0]
campaign_id = st.selectbox("Campaign", ids, key="campaign_select", format_func=lambda c: f"{c} · {names.get(c, '')}")
row = stats.set_index("campaign_id").loc[campaign_id].to_dict() | {"campaign_id": campaign_id}
inc = increments.set_index("campaign_id").loc[campaign_id].to_dict()
st.markdown(f"**{inc['verdict']}**")
if st.button("Show every page only the customers it reached", icon=":material/filter_alt:",
             key="campaign_filter_all"):
    filters.drill("campaign", campaign_id)
detail = layout.grid(st, "charts", "campaigns-detail-1")
with detail.container():
    st.plotly_chart(cc.funnel(row, f"{fmt.percent(row['conversion_rate'])} of those reached bought within "
                                   f"{window} days"), key="campaign_funnel")
with detail.container():
    if inc["has_control"]:
        st.plotly_chart(cc.treated_vs_control(row, wilson_interval,
                                              f"Lift: {fmt.rate_points(inc['lift'])} pts "
                                              f"({fmt.rate_points(inc['lift_low'])} to "
                                              f"{fmt.rate_points(inc['lift_high'])})"),
                        key="treated_control")
    else:
        st.info(inc["verdict"], icon=":material/science:")
facts = layout.grid(st, "cards", "campaigns-2")
facts.metric("Spend", fmt.money_exact(row["spend"]), border=True)
facts.metric("Attributed revenue", fmt.money_short(row["attributed_revenue"]), border=True)
facts.metric("Campaign ROI", fmt.multiple(row["roi"]), border=True, help=BY_KEY["roi"].help)
if inc["has_control"]:
    facts.metric("Revenue per customer reached", fmt.money_exact(inc["revenue_per_treated"]), border=True,
                 help=f"Control group: {fmt.money_exact(inc['revenue_per_control'])} per customer, in the same "
                      "window after their (withheld) contact.")
    facts.metric("Revenue caused", fmt.money_short(inc["incremental_revenue"]), border=True,
                 help=f"95% interval {fmt.money_short(inc['incremental_revenue_low'])} to "
                      f"{fmt.money_short(inc['incremental_revenue_high'])}")
    facts.metric("Incremental ROI", fmt.multiple(inc["incremental_roi"]), border=True,
                 help=f"95% interval {fmt.multiple(inc['incremental_roi_low'])} to "
                      f"{fmt.multiple(inc['incremental_roi_high'])}. " + BY_KEY["incremental_roi"].definition)

converted = data.app().converted_customers(campaign_id, as_of, scoped, options)
if converted.empty:
    st.caption("Nobody it reached bought within the window.")
else:
    segments = by_segment(converted)
    top = segments.iloc[0]
    seg_event = st.plotly_chart(
        cc.segment_bar(segments, f"Whom it converted: {top['segment']} before the campaign "
                                 f"({fmt.percent(top['share'])} of {fmt.count(len(converted))})"),
        on_select="rerun", selection_mode="points", key=f"converted_segments_{campaign_id}_{hash((scoped, options))}")
    seg_points = seg_event.selection.points if seg_event and seg_event.selection else []
    if seg_points and seg_points[0].get("customdata"):
        st.session_state["converted_segment_pick"] = seg_points[0]["customdata"][0]
    choices = ["All segments"] + segments["segment"].tolist()
    if st.session_state.get("converted_segment_pick") not in choices:
        st.session_state["converted_segment_pick"] = "All segments"
    segment = st.selectbox("Converted customers from", choices, key="converted_segment_pick")
    people = converted if segment == "All segments" else converted[converted["segment"] == segment]
    st.dataframe(people.head(1000), hide_index=True, width="stretch",
                 column_config={"customer_id": "Customer", "name": "Name", "email": "Email", "region": "Region",
                                "country": "Country", "city": "City", "segment": "Segment before",
                                "window_orders": col.count("Orders in window"),
                                "window_revenue": col.money("Revenue in window"),
                                "first_order_days": col.number("Days to first order")})
    st.caption(f"{fmt.count(len(people))} customers" + (", the 1,000 who spent most shown" if len(people) > 1000
                                                        else "") + ". Exports hold them all. Segment before: each "
               "customer's RFM segment the day before the campaign started, scored against every customer (as the "
               "Segment filter reads segments), whatever the filters.")
    downloads.csv_button("Download these customers (CSV)", people,
                         f"converted_{campaign_id}_{segment}.csv".replace(" ", "_"), key="export_converted")

st.subheader("Who gets the credit? Five attribution models")
credit = attribution_table(results["attribution"])
leaders = credit.sort_values("spread", ascending=False).head(8)["campaign_id"].tolist()
st.plotly_chart(cc.attribution_models(results["attribution"], leaders,
                                      "Where the models disagree most: the 8 campaigns with the widest spread"),
                key="attribution_models")
st.caption("Each model splits every attributed order's revenue among the campaigns that touched it, so every "
           "model's column adds up to the same total. Last touch favours closers, first touch openers.")
with st.expander("Credited revenue of every campaign under each model"):
    st.dataframe(credit, hide_index=True, width="stretch",
                 column_config={"campaign_id": "Campaign", "name": "Name", "channel": "Channel",
                                **{m: col.money(label) for m, label in MODELS.items()},
                                "spread": col.money("Spread")})

st.subheader("What if we moved the budget?")
returns = results["returns"]
if returns.empty:
    st.info("A projection needs channels with at least one campaign that had a control group.",
            icon=":material/science:")
else:
    st.caption("Each channel's observed incremental return (from its campaigns with a control group) carried to a "
               "new spend along a diminishing-returns curve: caused revenue ∝ spend^elasticity. With 0.5, doubling "
               "a channel's spend adds about 41% more, not 100%. The 95% band carries each channel's measured "
               "uncertainty through.")
    elasticity = st.slider("Elasticity (how fast returns diminish; 1 = no diminishing)", 0.1, 0.95, 0.5, 0.05,
                           key="budget_elasticity")
    # the spends start from the selection's campaigns: keyed by the selection, so another filter starts afresh
    selection = hash((scoped, as_of))
    for channel_name, value in st.session_state.pop("budget_pending", {}).items():
        st.session_state[f"budget_{channel_name}_{selection}"] = value  # a suggested split, set before the inputs
    sliders = st.container(horizontal=True, wrap=True, vertical_alignment="bottom")
    new_spend = {}
    ceiling = float(max(returns["spend"].sum() * 3, 1000.0))  # room to move the whole budget into one channel
    for r in returns.itertuples():
        new_spend[r.channel] = sliders.number_input(
            f"{r.channel} spend ({fmt.sign()})", min_value=0.0, max_value=ceiling,
            value=float(r.spend), step=float(max(round(r.spend / 20, -1), 10)), format="%.0f",
            key=f"budget_{r.channel}_{selection}", width=190)
    if sliders.button("Suggest the best split of this total", key="budget_suggest", icon=":material/auto_awesome:",
                      help="Shares the same total out so that the margin caused is largest under the curve above "
                           "(channels whose measured effect is not positive get nothing)."):
        st.session_state["budget_pending"] = best_split(returns, sum(new_spend.values()), elasticity)
        st.rerun()
    projection = project_budget(returns, new_spend, elasticity)
    total = projection[projection["channel"] == "Total"].iloc[0]
    current = project_budget(returns, {}, elasticity)
    now = current[current["channel"] == "Total"].iloc[0]
    st.markdown(f"At {fmt.money_short(total['new_spend'])} (now {fmt.money_short(now['new_spend'])}), these channels "
                f"would cause about **{fmt.money_short(total['incremental_revenue'])}** of revenue (95%: "
                f"{fmt.money_short(total['low'])} to {fmt.money_short(total['high'])}), an incremental ROI of "
                f"{fmt.multiple(total['incremental_roi'])} ({fmt.multiple(total['roi_low'])} to "
                f"{fmt.multiple(total['roi_high'])}).")
    st.plotly_chart(cc.budget_projection(projection, returns, "Revenue caused per channel: today and at the new "
                                                              "spend"), key="budget_chart")
    st.dataframe(projection, hide_index=True, width="stretch",
                 column_config={"channel": "Channel", "spend": col.money("Spend today"),
                                "new_spend": col.money("New spend"),
                                "incremental_revenue": col.money("Revenue caused"), "low": col.money("95% from"),
                                "high": col.money("95% to"), "incremental_margin": col.money("Margin caused"),
                                "incremental_roi": st.column_config.NumberColumn("Incremental ROI", format="%.2f×"),
                                "roi_low": st.column_config.NumberColumn("ROI from", format="%.2f×"),
                                "roi_high": st.column_config.NumberColumn("ROI to", format="%.2f×")})

how_campaigns_computed({"until": as_of, "start": scoped.start, "end": scoped.end, **options.params(),
                        **scoped.params()})
