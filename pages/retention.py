"""Retention: how long customers keep buying, cohort by cohort."""

import streamlit as st

from ui.routing import ensure_router

ensure_router()

from crm_metrics.churn import ChurnOptions  # noqa: E402
from crm_metrics.churn import headline as churn_headline
from crm_metrics.churn import left_out_sentence as churn_left_out
from crm_metrics.cohorts import GRAINS, GROUPINGS, average_curve, headline, project_cohort
from ui import columns as col
from ui import data, downloads, filters, layout
from ui import format as fmt
from ui import retention_charts as rc
from ui.customer_links import customer_table
from ui.empty import stop_without_orders

st.title("How long do customers keep buying?")
stop_without_orders()

chosen, period = filters.current(), filters.current_period()
as_of = period.end
answer = st.container()
c1, c2, c3 = st.columns([1, 1, 2])
grain = c1.segmented_control("Cohorts by", GRAINS, default="month", required=True, key="cohort_grain",
                             format_func=str.capitalize)
by = c2.selectbox("Grouped by", list(GROUPINGS), format_func=GROUPINGS.get, key="cohort_by")
measure = c3.segmented_control("Show", list(rc.MEASURES), default="active_share", required=True,
                               key="cohort_measure", format_func=lambda m: rc.MEASURES[m][0])
matrix = data.app().report("cohorts", as_of=as_of, grain=grain, by=by, filters=chosen)
with answer:
    st.markdown(headline(matrix, grain))
    filters.breadcrumb(chosen, period)
    st.caption(f"Every completed order up to {as_of:%d %b %Y} (the end of the period). A cohort is the customers "
               f"whose first order fell in the same {grain}" + (" (or who came through the same acquisition "
                                                                   "channel)" if by != "first_purchase" else "")
               + f"; period 0 is the {grain} of each customer's first order, so it is always 100%.")
if matrix.empty:
    st.info("No customer bought on or before this date under these filters.")
    st.stop()

st.plotly_chart(rc.cohort_heatmap(matrix, measure, grain, "Each row a cohort, each column a "
                                                          f"{grain} later: darker is better"),
                key=f"cohort_heatmap_{grain}_{by}_{measure}")
if by == "acquisition_channel" or grain == "month":
    f1, f2 = st.columns([2, 1], vertical_alignment="bottom")
    choices = list(dict.fromkeys(matrix["cohort"]))
    focus = f1.selectbox("Follow one cohort on every page", choices, key=f"cohort_focus_{grain}_{by}")
    if f2.button("Show every page only this cohort", icon=":material/filter_alt:", key="cohort_filter_all"):
        if by == "acquisition_channel":
            filters.drill("acquisition_channel", focus)
        else:
            filters.drill("cohort", focus[:7])  # "2024-03-01" -> the month "2024-03"
average = average_curve(matrix)
cohorts = list(dict.fromkeys(matrix["cohort"]))
default = [cohorts[0], cohorts[len(cohorts) // 2]] if len(cohorts) > 1 else cohorts
picked = st.multiselect("Compare cohorts", cohorts, default=default, key=f"cohort_pick_{grain}_{by}",
                        max_selections=6)
st.plotly_chart(rc.retention_curves(matrix, average, picked, grain, "Retention curves: the chosen cohorts against "
                                                                    "the average"), key="cohort_curves")
if grain == "month" and by == "first_purchase":
    with st.expander("Project a cohort like a subscription (shifted-beta-geometric)", icon=":material/trending_down:"):
        st.caption("Reads buying as a contract: a customer is lost after their last order. The sBG model (Fader & "
                   "Hardie 2007) lets every customer leave with their own constant monthly chance, so the ones prone "
                   "to leave go first and retention rises with tenure. The last three months are left out of the "
                   "fit: a customer who buys every few months looks lost until they buy again.")
        pick = st.selectbox("Cohort", cohorts, key="sbg_cohort")
        survivors = data.app().cohort_survivors(pick, as_of, chosen)
        projected = project_cohort(survivors)
        if projected is None:
            st.info("This cohort has too few months (or nobody lapsed yet) to fit the model.")
        else:
            model = projected["model"]
            end = projected["projection"].iloc[-1]
            st.markdown(f"alpha = {model.alpha_:.3f}, beta = {model.beta_:.3f}: the average customer's monthly "
                        f"chance of leaving is {model.alpha_ / (model.alpha_ + model.beta_):.1%}; of the "
                        f"{fmt.count(survivors['survivors'].iloc[0])} customers, about {end['expected']:,.0f} are "
                        f"expected not to have lapsed {int(end['period'])} months after their first purchase.")
            st.plotly_chart(rc.survival_projection(survivors, projected["projection"], projected["fitted_periods"],
                                                   f"Cohort {pick}: the next twelve months"), key="sbg_chart")
with st.expander("The cohort table"):
    st.dataframe(matrix, hide_index=True, width="stretch",
                 column_config={"cohort": "Cohort", "period": st.column_config.NumberColumn(grain.capitalize()),
                                "customers": col.count("Customers"), "active": col.count("Buying"),
                                "revenue": col.money("Revenue"), "active_share": col.share("Still buying"),
                                "revenue_retained": st.column_config.NumberColumn("Revenue kept", format="percent"),
                                "cumulative_revenue_per_customer": col.money("Cumulative revenue per customer")})
    downloads.csv_button("Download the cohort table (CSV)", matrix, f"cohorts_{grain}_{by}_{as_of}.csv",
                         key="export_cohorts")

st.subheader("Who is about to stop buying?")
h1, h2, h3 = st.columns(3)
auto = h1.toggle("Churn horizon from the data", value=True, key="churn_auto",
                 help="Read from the days between consecutive purchases (the 90th percentile).")
horizon = None if auto else h2.number_input("No order for (days)", 14, 365, 90, 7, key="churn_days")
list_share = h3.slider("List size the team can work", 1, 50, 10, format="%d%%", key="churn_list") / 100
options = ChurnOptions(horizon_days=horizon, list_share=list_share)
# a spinner: shown only while the model is really trained (it usually is already), where a status box always waits
with st.spinner("Training the churn model on an earlier cut-off and testing it on a later one…", show_time=True):
    result = data.app().churn_model(as_of, chosen, options)
if result is None:
    st.stop()
st.markdown(result.horizon_text)
for problem in result.messages:
    st.warning(problem, icon=":material/warning:")
if result.learned:
    gb, rule = result.metrics["gradient_boosting"], result.metrics["rule"]
    st.markdown(churn_headline(result))
    cards = layout.grid(st, "cards", "retention-1")
    for key, label in (("gradient_boosting", "Gradient boosting"), ("logistic", "Logistic regression"),
                       ("rule", "Rule (recency)")):
        m = result.metrics[key]
        cards.metric(f"{label}: AUC", f"{m['auc']:.3f}", border=True,
                     help="Area under the ROC curve on the later cut-off: the chance that a customer who churned "
                          "is ranked above one who stayed (0.5 = guessing, 1 = perfect).")
    cards.metric(f"Precision in the top {list_share:.0%}", fmt.percent(gb["precision_at_k"]), border=True,
                 help="Of the customers on the list, the share who did churn.")
    cards.metric(f"Recall in the top {list_share:.0%}", fmt.percent(gb["recall_at_k"]), border=True,
                 help="Of all who churned, the share the list catches.")
    trained_on = (f"the {fmt.count(result.n_train)} customers" if result.n_fit == result.n_train else
                  f"a random {fmt.count(result.n_fit)} of the {fmt.count(result.n_train)} customers")
    tested_on = (f"all {fmt.count(result.n_test)} customers" if result.selected is None else
                 f"the {fmt.count(result.n_test)} customers of your selection")
    if left_out := churn_left_out(result):
        st.caption(left_out)
    st.caption(f"Trained on {trained_on} active on {result.train_cutoff:%d %b %Y} "
               f"(whether they churned is known by {result.test_cutoff:%d %b %Y}); tested on {tested_on} "
               f"active on {result.test_cutoff:%d %b %Y}, churn known by {result.as_of:%d %b %Y}. The model never "
               "saw the test period. It learns from every customer; filters choose whom it is tested on and "
               "who is listed.")
    charts = layout.grid(st, "charts", "retention-charts-1")
    with charts.container():
        st.plotly_chart(rc.gains(result.metrics, "How many churners a list finds"), key="churn_gains")
    with charts.container():
        st.plotly_chart(rc.calibration(result.calibration, "Are the probabilities honest?"), key="churn_calibration")
    st.markdown("**What drives churn here**: how much the test AUC falls when a feature, or a whole theme of "
                "related features, is scrambled (measured on every customer, like the training). Related features "
                "share their importance, so read the themes first.")
    drivers = layout.grid(st, "charts", "retention-drivers-2")
    with drivers.container():
        st.plotly_chart(rc.driver_themes(result.themes, "Themes that predict churn"), key="churn_themes")
    with drivers.container():
        st.markdown("\n".join(f"{i}. {s}" for i, s in enumerate(result.drivers["sentence"].head(6), start=1)))

st.markdown("**The at-risk list**: today's active customers, the most value at risk first.")
ranked, active = data.app().at_risk_list(as_of, chosen, options, limit=5000)
customer_table(data.app().with_contacts(ranked.head(1000)), "at_risk_table", hide_index=True, width="stretch",
             column_order=["customer_id", "name", "email", "segment", "churn_probability", "value", "value_at_risk",
                           "last_purchase", "open_tickets", "satisfaction", "recommended_action"],
             column_config={"customer_id": "Customer", "name": "Name", "email": "Email",
                            "churn_probability": st.column_config.ProgressColumn(
                                "Churn probability", format="percent", min_value=0.0, max_value=1.0),
                            "value": col.money("Value"), "value_at_risk": col.money("Value at risk"),
                            "segment": "Segment",
                            "last_purchase": st.column_config.DateColumn("Last order", format="YYYY-MM-DD"),
                            "open_tickets": col.count("Open tickets"), "satisfaction": col.number("Satisfaction", 1),
                            "recommended_action": st.column_config.TextColumn("Recommended action", width="large")})
st.caption(f"{fmt.count(active)} active customers; value is "
           f"{ranked['value_basis'].iloc[0] if len(ranked) else 'historical revenue'}. The export holds the 5,000 "
           "with the most value at risk. Click a row to open the customer.")
contacts = data.app().with_contacts  # bound to this role now: the export runs after this script run
downloads.csv_button("Download the at-risk list (CSV)", lambda: contacts(ranked),
                     f"at_risk_{as_of}.csv", key="export_at_risk")
