"""Customer value: what customers are worth (five views), what they will be worth (BG/NBD + Gamma-Gamma),
how well the model predicted the past, and what keeping customers is worth."""

import datetime as dt

import streamlit as st

from ui.routing import ensure_router

ensure_router()

from crm_metrics.catalog import BY_KEY  # noqa: E402
from crm_metrics.clv import CLVOptions, backtest_window, headline
from crm_metrics.worth import RetentionInputs, at_risk_summary, concentration, retention_economics
from ui import columns as col
from ui import data, downloads, filters, layout
from ui import format as fmt
from ui import value_charts as vc
from ui.customer_links import customer_table
from ui.empty import stop_without_orders
from ui.explain import how_value_computed

st.title("What are our customers worth, and what will they be worth?")
stop_without_orders()

chosen, period = filters.current(), filters.current_period()
as_of = period.end
answer = st.container()
with st.expander("Model settings", icon=":material/tune:"):
    s1, s2, s3, s4, s5 = st.columns(5)
    time_unit = s1.segmented_control("Time unit", ["week", "day"], default="week", required=True, key="clv_unit",
                                     help="The unit the models count time in. The numbers do not depend on it; "
                                          "the parameter alpha does (alpha in days = 7 × alpha in weeks).")
    horizon = s2.slider("Horizon (months)", 3, 60, 12, key="clv_horizon")
    discount = s3.slider("Yearly discount rate", 0, 30, 10, format="%d%%", key="clv_discount") / 100
    margin = s4.slider("Margin rate", 5, 100, 40, format="%d%%", key="clv_margin",
                       help="Gross margin on predicted spend (and on past orders without a cost).") / 100
    ticket_cost = s5.number_input(f"Cost per support ticket ({fmt.sign()})", 0.0, 500.0, data.DEFAULT_TICKET_COST, 5.0,
                                  key="clv_ticket_cost")
options = CLVOptions(time_unit=time_unit, horizon_months=horizon, annual_discount=discount, margin_rate=margin)

# a spinner: shown only while models are really fitted (they usually are already), where a status box always waits
with st.spinner("Fitting the purchase (BG/NBD) and spend (Gamma-Gamma) models…", show_time=True):
    value = data.app().customer_value(as_of, chosen, options, ticket_cost)
if value is None:
    st.info("No customer bought on or before this date under these filters.")
    st.stop()
fit, predictions, totals, customers = value.fit, value.predictions, value.totals, value.customers
if fit.usable and not totals["customers"]:
    st.info("No customer under these filters bought on or before this date.")
    st.stop()
top_share = concentration(value.curve, 20)
with answer:
    st.markdown(headline(totals, options, top_share))
    filters.breadcrumb(chosen, period)
    shown = ("" if not chosen.selected else
             f" The {fmt.count(totals['customers'])} customers your filters select are shown.")
    if data.order_level_filtered(chosen):
        shown += (" Revenue and margin so far count only the orders your sales channel or product category "
                  "filter keeps; predicted CLV is each customer's whole relationship.")
    fitted_on = (f"all {fmt.count(len(fit.summary))} customers" if fit.sample_every == 1 else
                 f"one in {fit.sample_every} of the {fmt.count(len(fit.summary))} customers (a systematic sample "
                 f"of {fmt.count(fit.bg.n_customers_)}; every customer is scored)")
    st.caption(f"Fitted on every completed order up to {as_of:%d %b %Y} (the end of the period) of "
               f"{fitted_on}; CLV is margin over the next {horizon} months at a "
               f"{discount:.0%} yearly discount rate. "
               + ("Intervals: delta method on both models' standard errors." if fit.interval_known else
                  "No intervals: a model's uncertainty could not be estimated.")
               + shown)
for problem in fit.problems:
    st.warning(problem, icon=":material/warning:")

if fit.usable:
    cards = layout.grid(st, "cards", "value-1")
    whose = "these customers" if chosen.selected else "all customers"
    cards.metric(f"Predicted CLV, {whose}", fmt.money_short(totals["clv"]), border=True,
                 help=BY_KEY["clv"].help + f"\n\n{fmt.money_interval(totals['low'], totals['high'])}.")
    cards.metric("Average predicted CLV", fmt.money_exact(totals["average_clv"]), border=True)
    cards.metric("Likely still customers", fmt.percent(totals["alive_share"]), border=True,
                 help=BY_KEY["p_alive"].help + "\n\nShare of customers with a probability alive of 50% or more.")
    cards.metric("Expected purchases", fmt.count(round(totals["expected_purchases"])), border=True,
                 help=BY_KEY["expected_purchases"].help)

board = layout.grid(st, "charts", "value-board-1")
with board.container():
    st.plotly_chart(vc.pareto(value.curve, 20, "How concentrated revenue is" if top_share is None else
                              f"The best 20% of customers brought {fmt.percent(top_share)} of revenue"),
                    key="pareto")
with board.container():
    if fit.usable:
        st.plotly_chart(vc.value_matrix(value.matrix, "Value so far against predicted value"), key="value_matrix")
        st.caption("High value, low potential: customers slipping away. Low value, high potential: customers to "
                   "grow. Tiers: the best 20%, the next 30%, the rest.")
if fit.usable:
    st.plotly_chart(vc.clv_distribution(value.bins, "Most customers are worth little; a few are worth "
                                                               "a lot"), key="clv_bins")

st.subheader("Every customer's worth, five ways")
st.caption("Historical value (revenue and margin so far), potential value (predicted CLV with its interval), "
           "profitability (margin minus tickets and acquisition cost), influence (customers they referred) and "
           "where they stand in the distribution above. Click a row to open the customer.")
shown = data.app().with_contacts(customers.head(1000))
customer_table(shown, "worth_table", hide_index=True, width="stretch",
             column_order=["customer_id", "name", "region", "revenue", "margin", "profit", "referred",
                           "referred_revenue", "p_alive", "expected_purchases", "clv", "clv_low", "clv_high"],
             column_config={"customer_id": "Customer", "name": "Name", "region": "Region",
                            "revenue": col.money("Revenue so far"), "margin": col.money("Margin so far"),
                            "profit": col.money("Profit after service"), "referred": col.count("Referred"),
                            "referred_revenue": col.money("Referred revenue"),
                            "p_alive": st.column_config.ProgressColumn("Probability alive", format="percent",
                                                                       min_value=0.0, max_value=1.0),
                            "expected_purchases": col.number("Expected purchases", 1),
                            "clv": col.money("Predicted CLV"), "clv_low": col.money("CLV from"),
                            "clv_high": col.money("CLV to")})
st.caption(f"{fmt.count(len(customers))} customers" + (", the 1,000 with the highest predicted CLV shown"
                                                       if len(customers) > 1000 else "") + ". The export holds all.")
contacts = data.app().with_contacts  # bound to this role now: the export runs later
downloads.csv_button("Download every customer's worth (CSV)", lambda: contacts(customers),
                     f"customer_worth_{as_of}.csv", key="export_worth")

if fit.usable:
    st.subheader("Can the model be trusted? A backtest")
    window = backtest_window(data.app().data_span()[0], as_of)
    if window is None:
        st.info("The data is too short to hold some of it back: a backtest needs at least three months to fit on "
                "and four weeks to predict.")
    else:
        earliest, default_cut, latest = window
        cut = st.date_input("Fit on orders up to", value=default_cut, min_value=earliest, max_value=latest,
                            key="backtest_cut",
                            help=f"The model is fitted on every customer's orders up to this day and predicts "
                                 f"the repeat purchases from the next day to {as_of:%d %b %Y}; then it is compared "
                                 "with them. Like the model above, it ignores the filters: it learns from every "
                                 "customer.")
        with st.spinner("Fitting on the calibration period and predicting the holdout…"):
            result = data.app().backtest(cut, as_of, options)
        if result is None:
            st.info("The calibration period has too few repeat buyers to fit the models; choose a later date.")
        else:
            st.markdown(f"Over every customer, the model predicted {fmt.count(round(result['total_predicted']))} "
                        f"repeat purchases from "
                        f"{cut + dt.timedelta(days=1):%d %b %Y} to {as_of:%d %b %Y}; "
                        f"{fmt.count(result['total_actual'])} happened "
                        f"({fmt.rate_points(result['total_error'])}% off in total). Per customer the mean absolute "
                        f"error is {result['mae']:.2f} purchases and the correlation "
                        f"{result['correlation']:.2f}.")
            charts = layout.grid(st, "charts", "value-charts-2")
            with charts.container():
                st.plotly_chart(vc.backtest_by_x(result["by_x"], "Per customer, by purchases before the cut"),
                                key="backtest_x")
            with charts.container():
                st.plotly_chart(vc.backtest_weekly(result["weekly"], "Week by week after the cut"),
                                key="backtest_weekly")

    with st.expander("The fitted models: parameters, standard errors, log-likelihood"):
        for name, model in (("Purchases: BG/NBD", fit.bg), ("Spend: Gamma-Gamma", fit.gg)):
            st.markdown(f"**{name}**: log-likelihood {model.log_likelihood_:,.1f} on {model.n_customers_:,} "
                        f"customers, {'converged' if model.converged_ else 'did not converge'} in "
                        f"{model.n_iter_} iterations (time unit: {options.time_unit}).")
            st.dataframe(model.summary(), hide_index=True, width="stretch",
                         column_config={"parameter": "Parameter", "estimate": col.number("Estimate", 4),
                                        "std_error": col.number("Standard error", 4),
                                        "low": col.number("95% from", 4), "high": col.number("95% to", 4)})

st.subheader("What is keeping a customer worth?")
defaults = value.defaults
st.caption("Every assumption below starts from this data where it can (the 365 days to the end of the period "
           "and the year before) and can be changed.")
# the inputs read from the data are keyed by the selection: another filter starts them from its own customers
selection = hash((chosen, as_of))
e1, e2, e3, e4 = st.columns(4)
acquisition = e1.number_input(f"Cost to win a customer ({fmt.sign()})", 0.0, 10_000.0,
                              float(round(defaults["acquisition_cost"] or 100.0, 2)), 5.0,
                              key=f"econ_acquisition_{selection}")
keeping = e2.number_input(f"Cost to keep a customer a year ({fmt.sign()})", 0.0, 10_000.0, 20.0, 5.0,
                          key="econ_retention")
annual_margin = e3.number_input(f"Margin per customer a year ({fmt.sign()})", 0.0, 100_000.0,
                                float(round(defaults["annual_margin"] or 100.0, 2)), 5.0,
                                key=f"econ_margin_{selection}")
retention = e4.slider("Customers who stay a year", 0, 100, int(round(100 * (defaults["retention_rate"] or 0.6))),
                      format="%d%%", key=f"econ_rate_{selection}") / 100
e5, e6, e7 = st.columns(3)
years = e5.slider("Horizon (years)", 1, 10, 5, key="econ_years")
save_rate = e6.slider("Chance a retention action keeps an at-risk customer", 1, 50, 10, format="%d%%",
                      key="econ_save") / 100
customers_now = e7.number_input("Active customers", 0, 100_000_000, int(defaults["customers"] or 0), 100,
                                key=f"econ_customers_{selection}")
inputs = RetentionInputs(acquisition_cost=acquisition, retention_cost=keeping, annual_margin=annual_margin,
                         retention_rate=retention, annual_discount=discount, horizon_years=years,
                         customers=customers_now)
risk = at_risk_summary(predictions) if fit.usable else {"customers": 0, "clv_if_stay": 0.0}
econ = retention_economics(inputs, risk["clv_if_stay"], save_rate)
cards = layout.grid(st, "cards", "value-2")
cards.metric("Cost of a lost customer", fmt.money_exact(econ["lost_customer_cost"]), border=True,
             help=BY_KEY["lost_customer_cost"].help)
cards.metric("Five points more retention", fmt.money_short(econ["five_point_gain"]), border=True,
             help=BY_KEY["five_point_gain"].help)
cards.metric("Break-even spend per at-risk customer", fmt.money_exact(econ["break_even_save_spend"]),
             border=True, help=BY_KEY["break_even_save_spend"].help)
st.markdown(
    f"Winning a customer costs as much as keeping one for **{econ['keep_vs_win']:.1f} years**. A customer who stays "
    f"is worth {fmt.money_exact(econ['customer_value'])} over {years} years (margin minus the cost of keeping them, "
    f"weighted by the {retention:.0%} chance of staying each year, discounted), so losing one costs that plus "
    f"{fmt.money_exact(acquisition)} to replace them. "
    + (f"{fmt.count(risk['customers'])} customers are at risk (probability alive under 50%); kept, each would be "
       f"worth about {fmt.money_exact(risk['clv_if_stay'])}." if risk["customers"] else ""))

how_value_computed({"as_of": as_of, "unit_days": options.unit_days, "margin_rate": margin, **chosen.params()})
