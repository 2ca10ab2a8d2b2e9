"""Learn: a workshop walk through analytical CRM on the data loaded now, each idea with its numbers and a
link to the page where it lives; and the trainer's controls to reset the sample or switch a scenario."""

import streamlit as st

from ui.routing import ensure_router

ensure_router()

from crm_metrics import learn  # noqa: E402
from crm_metrics import satisfaction as sat
from crm_metrics.campaigns import CampaignOptions
from crm_metrics.catalog import BY_KEY
from crm_metrics.kpis import headline as kpi_headline
from crm_metrics.rfm import RFMOptions
from crm_metrics.rfm import headline as rfm_headline
from ui import auth, data, filters, layout
from ui import format as fmt
from ui import learn_charts as lc
from ui.empty import stop_without_orders
from ui.kpi_cards import card

LEARN_KPIS = ("revenue", "active_customers", "retention_rate", "aov")

st.title("Learn: analytical CRM on your own data")
st.markdown("Analytical CRM turns customer records into decisions in three phases: **reporting** (what happened), "
            "**analysis** (who, and why) and **prediction** (what will happen, and what it is worth to act). Each "
            "tab below takes one phase (campaigns get their own): it explains the ideas with the numbers of the "
            "data loaded now, then links to the page where they live. Every number has its definition, formula "
            "and SQL under *How is this computed?* on its page.")


def trainer_panel() -> None:
    with st.container(border=True):
        st.markdown("**For trainers: the workshop data and its scenarios**")
        scenario = data.app().call(learn.current_scenario)
        user_data = data.app().call(learn.holds_user_data)
        now = learn.SCENARIOS[scenario].title if scenario else "your own data" if user_data else "a custom sample"
        st.markdown(f"Loaded now: **{now}**.")
        keys = list(learn.SCENARIOS)
        choice = st.radio("Switch to", keys, index=keys.index(scenario) if scenario else 0, key="learn_scenario",
                          format_func=lambda k: learn.SCENARIOS[k].title, horizontal=True)
        picked = learn.SCENARIOS[choice]
        st.caption(f"{picked.story} What to watch: {picked.watch} The sample is generated again under this "
                   "process (generator parameters, not edited numbers) and replaces every table.")
        if not auth.allowed("reset_sample"):
            st.caption(auth.refusal("reset_sample"))
            return
        agreed = True
        if user_data:
            agreed = st.checkbox("Replace my imported data with the workshop sample (it cannot be undone)",
                                 key="learn_replace_ok")
        label = "Reset to the workshop sample" if choice == "workshop" else f"Switch to: {picked.title}"
        if st.button(label, key="learn_apply", disabled=not agreed or choice == scenario,
                     icon=":material/restart_alt:"):
            with st.status(f"Generating {picked.title.lower()}…", expanded=True) as status:
                counts = learn.apply_scenario(data.connection(), choice, actor=auth.current())
                data.ensure_reports()
                status.update(label=f"Loaded {picked.title.lower()}: {fmt.count(counts['customers'])} customers, "
                                    f"{fmt.count(counts['orders'])} orders.", state="complete")
            st.rerun()


trainer_panel()
stop_without_orders()

chosen, period = filters.current(), filters.current_period()
as_of = period.end
filters.breadcrumb(chosen, period)

# one phase at a time, as a trainer walks a room through them; only the open tab is computed
PHASES = ["1. Reporting", "2. Analysis", "3. Campaigns", "4. Prediction"]
reporting, analysis, campaigns, prediction = st.tabs(PHASES, key="learn_phase", on_change="rerun")

with reporting:
    if reporting.open:
        st.subheader("What happened?")
        table = data.app().kpi_summary(period, chosen)
        st.markdown(kpi_headline(table, period))
        rows = {row["key"]: row for row in table.to_dict("records")}
        cards = layout.grid(st, "cards", "learn")
        for key in LEARN_KPIS:
            card(cards, BY_KEY[key], rows[key], year_line=False)
        st.markdown("Executives start from a handful of KPIs, each compared with the period before, then click a "
                    "chart to drill down to the cause: a region, a channel, a campaign, a cohort. Hover a card's "
                    "question mark for its definition; the Overview has every KPI and how each is computed.")
        st.page_link("pages/overview.py", label="Open the Overview", icon=":material/monitoring:")

with analysis:
    if analysis.open:
        st.subheader("Who are our customers?")
        st.markdown(f"**RFM** scores each customer 1-5 on **recency** (days since the last purchase), **frequency** "
                    f"(purchase days) and **monetary** value (spend), against the other customers; rules then name "
                    f"segments such as Champions or At Risk. "
                    f"{rfm_headline(data.app().segments(as_of, chosen, RFMOptions())[0])}")
        st.page_link("pages/segments.py", label="Open Segments", icon=":material/groups:")
        st.subheader("The loyalty ladder")
        ladder = data.app().call(learn.loyalty_ladder, as_of, chosen)
        left, right = st.columns([3, 2], gap="large")
        with left:
            st.plotly_chart(lc.ladder(ladder, "Where customers stand on the loyalty ladder"), key="learn_ladder")
        with right:
            st.markdown(learn.ladder_sentence(ladder))
            st.caption("Prospect: signed up, not bought. Customer: bought on one day. Client: bought on two or more "
                       "days. Supporter: a client who last rated us 4-5. Advocate: referred someone, or last answered "
                       "9-10 to \"would you recommend us?\" (Christopher, Payne & Ballantyne 1991).")
        st.page_link("pages/customer.py", label="Look at one customer in Customer 360", icon=":material/person_search:")
        st.subheader("Satisfaction and loyalty")
        loyalty = data.app().call(sat.loyalty, as_of, None, chosen, 180)
        st.markdown(sat.loyalty_sentence(loyalty, 180))
        st.page_link("pages/satisfaction.py", label="Open Satisfaction", icon=":material/sentiment_satisfied:")

with campaigns:
    if campaigns.open:
        st.subheader("Why attributed revenue is not what a campaign caused")
        core = data.app().campaign_core(as_of, chosen, CampaignOptions(), 0.0)
        st.markdown(learn.incrementality_sentence(core["totals"]))
        st.markdown(f"**{BY_KEY['attributed_revenue'].label}**: {BY_KEY['attributed_revenue'].definition} "
                    f"**{BY_KEY['incremental_revenue'].label}**: {BY_KEY['incremental_revenue'].definition}")
        st.page_link("pages/campaigns.py", label="Open Campaigns", icon=":material/campaign:")

with prediction:
    if prediction.open:
        st.subheader("What will customers be worth?")
        with st.spinner("Fitting the customer-value models…", show_time=True):  # shown only when they are fitted
            value = data.app().value_summary(as_of, chosen)
        if value and value["totals"] and value["totals"]["customers"]:
            totals = value["totals"]
            st.markdown(f"**Historical** value is what a customer has spent so far; **predicted CLV** is the margin "
                        f"they are expected to bring over the next 12 months. BG/NBD models how often each customer "
                        f"buys and the chance they have quietly left; Gamma-Gamma models what a purchase is worth. "
                        f"Here the average customer is expected to bring {fmt.money_exact(totals['average_clv'])}, "
                        f"and {fmt.percent(totals['alive_share'])} of customers are more likely alive than not.")
        else:
            st.markdown("Predicted CLV needs customers with repeat purchases; the Customer value page says what is "
                        "missing.")
        st.page_link("pages/value.py", label="Open Customer value", icon=":material/diamond:")
        st.subheader("Keeping a customer against winning a new one")
        if value:
            st.markdown(learn.acquisition_vs_retention(value["defaults"]))
        st.page_link("pages/retention.py", label="Open Retention: who is about to leave",
                     icon=":material/autorenew:")
