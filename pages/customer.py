"""Customer 360: find a customer, then everything known about them on one screen: who they are, what
they are worth now and later, their segment and how it moved, churn risk, every touchpoint, the routes
they take, whom they referred, and the next thing to do."""

import streamlit as st

from ui.routing import ensure_router

ensure_router()

from crm_metrics import customer360 as c360  # noqa: E402
from ui import columns as col
from ui import customer_charts as cc
from ui import data, downloads, filters, layout
from ui import format as fmt
from ui.empty import stop_without_orders

# above this many customers, the whole-base models run when asked, not on arrival (unless already fitted:
# they are, after every import)
LARGE_BASE = 200_000

st.title("Customer 360")
stop_without_orders()

period = filters.current_period()
as_of = period.end
pending = st.session_state.pop("customer_360_pending", None) or st.query_params.get("customer")
if pending:
    st.session_state["customer_360_id"] = pending

query = st.text_input("Find a customer", placeholder="Customer id, name or email", key="customer_query",
                      help="The exact id comes first, then ids starting with what you type, then names and "
                           "emails containing it. Lists on other pages open a customer here too.")
if query:
    matches = data.app().call(c360.search, query)
    if matches.empty:
        st.info("No customer's id, name or email contains that text.", icon=":material/search_off:")
    else:
        st.caption(f"{fmt.count(len(matches))} match{'es' if len(matches) != 1 else ''}"
                   f"{' (the first 50)' if len(matches) == c360.SEARCH_LIMIT else ''}; click a row to open it.")
        picked = st.dataframe(matches, hide_index=True, width="stretch", height=min(38 + 35 * len(matches), 320),
                              on_select="rerun", selection_mode="single-row", key="customer_matches",
                              column_config={"customer_id": "Customer", "name": "Name", "email": "Email",
                                             "city": "City", "country": "Country",
                                             "signup_date": st.column_config.DateColumn("Signed up"),
                                             "first_order": st.column_config.DateColumn("First order")})
        rows = picked.selection.rows if picked else []
        if rows:
            st.session_state["customer_360_id"] = matches.iloc[rows[0]]["customer_id"]

customer_id = st.session_state.get("customer_360_id")
if not customer_id:
    st.info("Search by id, name or email, or open a customer from a list on the Segments, Retention or "
            "Customer value pages.", icon=":material/person_search:")
    st.stop()
person = data.app().call(c360.profile, customer_id, as_of)
if person is None:
    st.warning(f"No customer with the id {fmt.inert(customer_id)}.", icon=":material/person_off:")
    st.stop()
st.query_params["customer"] = customer_id

# --- who they are --------------------------------------------------------------------------------------
st.subheader(f"{fmt.inert(person['name'] or 'No name on record')} · {fmt.inert(customer_id)}")
details = [person["email"], ", ".join(p for p in (person["city"], person["country"]) if p),
           f"signed up {person['signup_date']:%d %b %Y}" if person["signup_date"] else None,
           f"came through {person['acquisition_channel']}" if person["acquisition_channel"] else None]
st.text(" · ".join(d for d in details if d))  # personal data: plain text, no Markdown, no links
st.caption(f"As of {as_of:%d %b %Y} (the end of the period chosen in the sidebar).")
action_slot = st.container()

cards = layout.grid(st, "cards", "customer-1")
cards.metric("Revenue to date", fmt.money_exact(person["revenue"]), border=True,
             help="Completed orders only; returned and cancelled orders are counted apart.")
cards.metric("Orders", fmt.count(person["orders"] or 0), border=True,
             help=f"{fmt.count(person['returned_orders'] or 0)} returned and "
                  f"{fmt.count(person['cancelled_orders'] or 0)} cancelled, not counted.")
cards.metric("Average order", fmt.money_exact(person["average_order"]), border=True)
cards.metric("Last order", f"{person['days_since_last_order']} days ago" if person["last_order"] else "Never",
             border=True,
             help=f"{person['last_order']:%d %b %Y}" if person["last_order"] else "No completed order yet.")
cards.metric("Margin to date", fmt.money_exact(person["margin"]) if person["margin"] is not None else "n/a",
             border=True, help="Revenue minus cost of goods; n/a when an order has no cost.")

# --- segment, value and risk -----------------------------------------------------------------------------
customers_total = int(data.app().report("tables").set_index("table_name").loc["customers", "row_count"])
run_models = (customers_total <= LARGE_BASE or data.app().models_ready(as_of)
              or st.session_state.get("customer_360_models"))
if not run_models:
    st.info(f"Predicted value, segment history and churn risk come from models fitted on all "
            f"{fmt.count(customers_total)} customers; the first run takes a minute, later customers are instant.",
            icon=":material/model_training:")
    if st.button("Estimate value, segment and churn risk", key="customer_360_run"):
        st.session_state["customer_360_models"] = True
        st.rerun()
view, path = c360.model_view(customer_id), None
if run_models:
    # a spinner, not a status box: it shows only when the work is not already done (a status always costs time)
    with st.spinner("Reading the customer's segment, predicted value and churn risk…", show_time=True):
        path = c360.segment_path({d: data.app().report("rfm", as_of=d) for d in c360.segment_dates(as_of)}, customer_id)
        predictions, scored = data.app().customer_models(as_of)
        view = c360.model_view(customer_id, predictions, scored)
    segment = path["segment"].iloc[-1]
    cards.metric("Segment", segment, border=True,
                 help=f"RFM scores {path['rfm'].iloc[-1] or 'none'} (recency-frequency-monetary, 1-5).")
    cards.metric("Predicted CLV, 12 months", fmt.money_exact(view["clv"]) if view["clv"] is not None else "n/a",
                 border=True,
                 help=(f"{fmt.money_interval(view['clv_low'], view['clv_high'], exact=True)}; "
                       f"{view['value_tier']} value tier." if view["clv"] is not None else
                       "No completed order before this date: nothing to predict from."))
    cards.metric("Probability alive", fmt.percent(view["p_alive"]) if view["p_alive"] is not None else "n/a",
                 border=True, help="BG/NBD: the chance they have not silently stopped buying.")
    cards.metric("Churn risk", fmt.percent(view["churn_probability"]) if view["churn_scored"] else "Not scored",
                 border=True,
                 help="The churn model's probability of no order over the churn horizon (Retention page). Not "
                      "scored: no order in the last year, or too little history for a model.")
else:
    segment = None
action, reason = c360.next_action(person, segment, view["churn_probability"], view["value_tier"])
action_slot.success(f"**Next best action:** {action} {reason}", icon=":material/assistant:")

# --- timeline ------------------------------------------------------------------------------------------------
st.subheader("Every touchpoint")
kinds = st.pills("Show", list(c360.TOUCHPOINTS), default=list(c360.TOUCHPOINTS), selection_mode="multi",
                 key="customer_kinds")
events = data.app().call(c360.timeline, customer_id, as_of, tuple(kinds or ()))
if events.empty:
    st.caption("Nothing of these kinds on record.")
else:
    st.plotly_chart(cc.timeline(events, "Orders, campaigns, tickets and surveys over time"), key="customer_timeline")
    st.caption("Each dot is one touchpoint; larger order dots are larger orders. Hover for the details.")
    st.dataframe(events, hide_index=True, width="stretch", height=min(38 + 35 * len(events), 420),
                 column_config={"happened_at": st.column_config.DatetimeColumn("When", format="YYYY-MM-DD HH:mm"),
                                "kind": "Type", "reference": "Reference", "title": "What",
                                "detail": st.column_config.TextColumn("Details", width="large"),
                                "amount": col.money("Amount"), "score": col.number("Score (1-5)"),
                                "status": "Status"})
    downloads.csv_button("Download the timeline (CSV)", events, f"timeline_{customer_id}_{as_of}.csv",
                         key="customer_timeline_csv")

# --- routes, segment path, referrals, profile -------------------------------------------------------------
left, right = st.columns(2, gap="large")
with left:
    st.subheader("Routes they take")
    routes = data.app().call(c360.routes, customer_id, as_of)
    if routes.empty:
        st.caption("No orders, campaign contacts or tickets yet.")
    else:
        st.plotly_chart(cc.routes(routes, "Channels, by how often they are used"), key="customer_routes")
    if path is not None:
        st.subheader("How the segment moved")
        st.dataframe(path, hide_index=True, width="stretch",
                     column_config={"as_of": st.column_config.DateColumn("On", format="YYYY-MM-DD"),
                                    "segment": "Segment", "rfm": "R-F-M scores"})
        st.caption("RFM segment every quarter over the last year, scored against all customers of that day.")
with right:
    st.subheader("Profile")
    fields = c360.profile_fields(person)
    st.dataframe(fields, hide_index=True, width="stretch", height=38 + 35 * len(fields),
                 column_config={"field": "Field", "value": "Value"})
    st.subheader("Customers they brought in")
    referred = data.app().call(c360.referrals, customer_id, as_of)
    if referred.empty:
        st.caption("No one names this customer as their referrer.")
    else:
        st.dataframe(referred, hide_index=True, width="stretch",
                     column_config={"customer_id": "Customer", "name": "Name",
                                    "signup_date": st.column_config.DateColumn("Signed up"),
                                    "orders": col.count("Orders"), "revenue": col.money("Revenue")})
        st.caption(f"{fmt.count(len(referred))} referred customers have spent "
                   f"{fmt.money_exact(c360.referred_revenue(referred))} so far.")
