"""The metric catalog: the one place every number on the dashboard is described.

Pages take their help texts from here, the Learn page quotes it, and the README's metric table is
generated from it (``python -m crm_metrics catalog`` prints the table; a test checks the README holds
it). The values themselves are computed in SQL (``sql/kpis.sql``), one column per metric key.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Unit = Literal["money", "count", "ratio", "points", "number", "multiple"]


@dataclass(frozen=True)
class Metric:
    """One metric.

    Parameters
    ----------
    key : column name in ``kpis.sql`` and in reports.
    label : short name on the screen.
    unit : money (in the currency of the data), count, ratio (shown as %), points (NPS, -100..100), number,
        multiple (ROI as 2.5×).
    definition : what it means, in plain words (plain language first, the term second).
    formula : how it is computed, in symbols a trainer can write on a board.
    inputs : the tables and columns it reads.
    higher_is_better : whether a rise is good news (None: neither).
    group : the family it belongs to (on the overview: Revenue, Customers, Loyalty, Marketing and service;
        elsewhere the page's own: Campaigns, Customer value, Satisfaction and service).
    """

    key: str
    label: str
    unit: Unit
    definition: str
    formula: str
    inputs: str
    higher_is_better: bool | None = True
    group: str = "Revenue"

    @property
    def help(self) -> str:
        """The tooltip: definition, then formula."""
        return f"{self.definition}\n\nFormula: {self.formula}\n\nReads: {self.inputs}"


_ORDERS = "orders (completed only: returned and cancelled orders are left out)"

METRICS: tuple[Metric, ...] = (
    Metric("revenue", "Revenue", "money",
           "Money customers paid for completed orders in the period.",
           "Σ amount over completed orders dated in the period", f"{_ORDERS}.amount, order_date",
           group="Revenue"),
    Metric("orders", "Orders", "count",
           "Completed orders placed in the period.",
           "count of completed orders dated in the period", f"{_ORDERS}.order_date",
           group="Revenue"),
    Metric("active_customers", "Active customers", "count",
           "Customers who bought at least once in the period.",
           "count of distinct customer_id with a completed order in the period", f"{_ORDERS}.customer_id",
           group="Customers"),
    Metric("new_customers", "New customers", "count",
           "Active customers whose first completed order ever falls in the period.",
           "count of active customers with first order date ≥ period start", f"{_ORDERS}.customer_id, order_date",
           group="Customers"),
    Metric("returning_customers", "Returning customers", "count",
           "Active customers who had bought before the period began.",
           "active customers − new customers", f"{_ORDERS}.customer_id, order_date",
           group="Customers"),
    Metric("aov", "Average order value", "money",
           "What an order is worth on average (AOV).",
           "revenue ÷ orders", f"{_ORDERS}.amount",
           group="Revenue"),
    Metric("purchase_frequency", "Purchase frequency", "number",
           "How many orders an active customer placed in the period, on average.",
           "orders ÷ active customers", f"{_ORDERS}.customer_id",
           group="Customers"),
    Metric("repeat_rate", "Repeat-purchase rate", "ratio",
           "Share of active customers who bought two or more times in the period.",
           "active customers with ≥ 2 orders ÷ active customers", f"{_ORDERS}.customer_id",
           group="Customers"),
    Metric("retention_rate", "Customer retention", "ratio",
           "Customers who bought in the previous period of equal length and bought again in this one "
           "(customer retention rate).",
           "|active in previous period ∩ active in period| ÷ |active in previous period|",
           f"{_ORDERS}.customer_id, order_date",
           group="Loyalty"),
    Metric("churn_rate", "Churn", "ratio",
           "Customers who bought in the previous period but not in this one (customers who stopped buying: "
           "churn).",
           "1 − customer retention", f"{_ORDERS}.customer_id, order_date", higher_is_better=False,
           group="Loyalty"),
    Metric("revenue_retention", "Revenue retention", "ratio",
           "This period's revenue from the previous period's customers, as a share of what they spent then "
           "(net revenue retention: above 100% means they spend more).",
           "revenue in period from previous-period customers ÷ revenue in previous period",
           f"{_ORDERS}.customer_id, amount",
           group="Loyalty"),
    Metric("avg_clv", "Average historical CLV", "money",
           "What a customer has spent with us so far, on average, up to the end of the period (historical "
           "customer lifetime value; the predictive CLV is on the Customer value page).",
           "Σ amount up to period end ÷ customers (within the customer filters) whose first order is on or "
           "before the period end", f"{_ORDERS}.amount",
           group="Loyalty"),
    Metric("cac", "Acquisition cost", "money",
           "What it cost to win a new customer (CAC): their recorded acquisition cost when the data has it, "
           "else campaign spend divided by new customers.",
           "mean acquisition_cost of new customers; if none recorded: campaign spend ÷ new customers",
           "customers.acquisition_cost; campaigns.cost, start_date", higher_is_better=False,
           group="Marketing and service"),
    Metric("marketing_roi", "Marketing ROI", "multiple",
           "Revenue that followed campaigns, against what they cost (revenue-based return on investment; the "
           "Campaigns page separates what campaigns caused from what merely followed them).",
           "(attributed revenue − campaign spend) ÷ campaign spend (2.0× = twice its cost back on top of the "
           "cost); attributed = the order carries the campaign "
           "or follows a treatment contact within 14 days; spend = campaigns started in the period, shared "
           "out by their treated contacts within the filters",
           "orders.campaign_id; contacts; campaigns.cost, start_date",
           group="Marketing and service"),
    Metric("csat", "Customer satisfaction", "ratio",
           "Share of survey answers that were satisfied or very satisfied (CSAT: 4 or 5 on the 1-5 scale).",
           "answers with csat ≥ 4 ÷ answers with a csat, surveys dated in the period", "surveys.csat, survey_date",
           group="Marketing and service"),
    Metric("nps", "Net Promoter Score", "points",
           "How many more customers would recommend us than would warn against us (NPS): promoters answer 9-10, "
           "detractors 0-6, on a scale from -100 to 100.",
           "100 × (promoters − detractors) ÷ answers, surveys dated in the period", "surveys.nps, survey_date",
           group="Marketing and service"),
    Metric("top20_share", "Top-20% revenue share", "ratio",
           "Share of the period's revenue that came from its 20% best customers (how concentrated revenue is).",
           "revenue of the top ⌈20% × active customers⌉ customers by revenue ÷ revenue",
           f"{_ORDERS}.customer_id, amount", higher_is_better=None,
           group="Revenue"),
)

_WINDOW = ("an order follows a contact when it is dated from the contact day to window − 1 days after it "
           "(default window 14 days)")

CAMPAIGN_METRICS: tuple[Metric, ...] = (
    Metric("spend", "Spend", "money",
           "What the campaign cost; with customer filters, the share of its treated customers inside them.",
           "campaigns.cost × treated customers inside the filters ÷ all treated customers",
           "campaigns.cost; contacts", higher_is_better=None, group="Campaigns"),
    Metric("contacted", "Customers contacted", "count",
           "Customers the campaign reached (its treatment group; the control group is counted apart).",
           "count of distinct customers with a treatment contact", "contacts.customer_id, group",
           group="Campaigns"),
    Metric("conversion_rate", "Conversion rate", "ratio",
           f"Share of contacted customers who bought within the attribution window ({_WINDOW}).",
           "contacted customers with a completed order in a window ÷ contacted customers",
           f"contacts.contact_date; {_ORDERS}.order_date", group="Campaigns"),
    Metric("attributed_revenue", "Attributed revenue", "money",
           "Revenue credited to the campaign: orders carrying its campaign_id, plus its share of orders "
           f"that followed its treatment contacts ({_WINDOW}), shared by the chosen attribution model.",
           "Σ credit × amount, credit = 1 for the order's own campaign, else the model's share (last touch: "
           "all to the latest contact; first touch; linear 1/n; time decay ∝ 0.5^(days before ÷ half-life); "
           "position-based 40/20/40)", f"{_ORDERS}.amount, campaign_id; contacts", group="Campaigns"),
    Metric("attributed_margin", "Attributed margin", "money",
           "Gross margin of the attributed revenue: amount minus cost of goods, or amount × the margin rate "
           "you set where an order has no cost.",
           "Σ credit × (amount − cost, or amount × margin rate)", f"{_ORDERS}.amount, cost", group="Campaigns"),
    Metric("roi", "Campaign ROI", "multiple",
           "What the campaign returned in margin beyond its cost (margin-based return on investment; the "
           "overview's marketing ROI uses revenue instead).",
           "(attributed margin − spend) ÷ spend", "see attributed margin; campaigns.cost", group="Campaigns"),
    Metric("roas", "ROAS", "multiple",
           "Revenue per unit of money spent (return on ad spend).", "attributed revenue ÷ spend",
           "see attributed revenue; campaigns.cost", group="Campaigns"),
    Metric("cost_per_conversion", "Cost per conversion", "money",
           "What each converting customer cost.", "spend ÷ converted contacted customers",
           "campaigns.cost; contacts; orders", higher_is_better=False, group="Campaigns"),
    Metric("cost_per_new_customer", "Cost per new customer", "money",
           "What each new customer cost: customers whose first ever order is credited to the campaign.",
           "spend ÷ Σ credit of first orders", "campaigns.cost; orders", higher_is_better=False, group="Campaigns"),
    Metric("lift", "Conversion lift", "ratio",
           "How many more customers converted because of the campaign, per customer reached: the treatment "
           "group's conversion rate minus the control group's (incrementality).",
           "treated converted ÷ treated − control converted ÷ control; 95% interval: estimate ± 1.96 × "
           "√(s²ₜ/nₜ + s²꜀/n꜀) (Welch), or Newcombe's hybrid score interval when a group has under 5 "
           "converters or non-converters", "contacts.group; orders", group="Campaigns"),
    Metric("incremental_revenue", "Incremental revenue", "money",
           "Revenue the campaign caused: what treated customers spent in the window beyond what the control "
           "group's spending says they would have spent anyway.",
           "(mean window revenue per treated − per control customer) × treated; 95% interval by Welch",
           "contacts.group; orders.amount", group="Campaigns"),
    Metric("incremental_roi", "Incremental ROI", "multiple",
           "Return on what the campaign caused, not on what merely followed it.",
           "(incremental margin − spend) ÷ spend, interval carried from the margin's",
           "contacts.group; orders.amount, cost; campaigns.cost", group="Campaigns"),
    Metric("suggested_holdout", "Suggested holdout", "count",
           "For a campaign without a control group: how many of its customers to hold out next time to detect "
           "the smallest lift worth knowing (default 2 points).",
           "smallest n꜀ with z₀.₉₇₅·√(p̄(1−p̄)(1/nₜ+1/n꜀)) + z₀.₈·√(pₜ(1−pₜ)/nₜ + p꜀(1−p꜀)/n꜀) ≤ lift, "
           "p꜀ = observed conversion rate, nₜ = audience − n꜀", "contacts; orders", higher_is_better=None,
           group="Campaigns"),
)

VALUE_METRICS: tuple[Metric, ...] = (
    Metric("clv", "Predicted CLV", "money",
           "The margin a customer is expected to bring over the horizon (default 12 months), in today's money "
           "(predictive customer lifetime value).",
           "Σ over months i of (E[purchases by month i] − E[purchases by month i − 1]) × E[spend per purchase] × "
           "margin rate ÷ (1 + d)^i; purchases from BG/NBD, spend from Gamma-Gamma, d the monthly discount rate; "
           "95% interval by the delta method on both models' inverse Hessians",
           f"{_ORDERS}.customer_id, order_date, amount", group="Customer value"),
    Metric("p_alive", "Probability alive", "ratio",
           "How likely the customer is still a customer (has not silently stopped buying), given how often and "
           "how recently they bought.",
           "BG/NBD: 1 ÷ (1 + a ÷ (b + x − 1) × ((α + T) ÷ (α + tₓ))^(r + x)) for x > 0, else 1",
           f"{_ORDERS}.customer_id, order_date", group="Customer value"),
    Metric("expected_purchases", "Expected purchases", "number",
           "Purchase days the customer is expected to have over the horizon.",
           "BG/NBD conditional expectation (Fader, Hardie & Lee 2005, equation 10)",
           f"{_ORDERS}.customer_id, order_date", group="Customer value"),
    Metric("expected_spend", "Expected spend per purchase", "money",
           "What a purchase of this customer is expected to be worth: their own average pulled towards the "
           "population's, the more so the fewer purchases they have made.",
           "Gamma-Gamma: p (γ + x m) ÷ (p x + q − 1) (Fader & Hardie 2013)", f"{_ORDERS}.amount",
           group="Customer value"),
    Metric("profit", "Customer profitability", "money",
           "What the customer has earned us so far after the cost of serving them.",
           "margin − tickets × cost per ticket − acquisition cost",
           f"{_ORDERS}.amount, cost; tickets; customers.acquisition_cost", group="Customer value"),
    Metric("referred_revenue", "Referred revenue", "money",
           "Revenue of the customers this customer brought in (influence).",
           "Σ revenue of customers whose referred_by is this customer", "customers.referred_by; orders.amount",
           group="Customer value"),
    Metric("lost_customer_cost", "Cost of a lost customer", "money",
           "What losing one customer costs: the profit they would have brought plus what replacing them costs.",
           "Σ over years t < H of (annual margin − retention cost) × retention^t ÷ (1 + discount)^t + acquisition "
           "cost", "entered or from the data: retention, margin, acquisition cost", higher_is_better=None,
           group="Customer value"),
    Metric("five_point_gain", "Five points more retention", "money",
           "What keeping five more customers in a hundred each year would be worth over the horizon.",
           "customers × (customer value at retention + 0.05 − customer value at retention)",
           "as the cost of a lost customer", group="Customer value"),
    Metric("break_even_save_spend", "Break-even spend to keep an at-risk customer", "money",
           "The most worth spending on an at-risk customer (probability alive under 50%): beyond it, keeping "
           "them costs more than it saves.",
           "chance the action keeps them × (their average predicted CLV if they stay + acquisition cost)",
           "predicted CLV, probability alive; entered save rate", higher_is_better=None, group="Customer value"),
)

SERVICE_METRICS: tuple[Metric, ...] = (
    Metric("csat_grade", "CSAT grade", "count",
           "How satisfied customers say they are, on a five-step scale: 1 very disappointed, 2 disappointed, "
           "3 neutral, 4 satisfied, 5 very satisfied (customer satisfaction score).",
           "survey answers per grade; the CSAT rate is answers graded 4 or 5 ÷ answers",
           "surveys.csat, survey_date", higher_is_better=None, group="Satisfaction and service"),
    Metric("nps_group", "Promoters, passives, detractors", "count",
           "Who would recommend us: promoters answer 9-10, passives 7-8, detractors 0-6 to \"how likely are you "
           "to recommend us?\" (Net Promoter Score, Reichheld 2003).",
           "NPS = 100 × (promoters − detractors) ÷ answers, per month and over the period",
           "surveys.nps, survey_date", higher_is_better=None, group="Satisfaction and service"),
    Metric("median_hours_to_resolve", "Median time to resolve", "number",
           "How long half of the closed support tickets took, at most, from opening to closing, in hours.",
           "median of (closed_at − opened_at) in hours over closed tickets opened in the period",
           "tickets.opened_at, closed_at", higher_is_better=False, group="Satisfaction and service"),
    Metric("first_contact_rate", "First-contact resolution", "ratio",
           "Share of closed tickets that solved the problem the first time: the customer did not come back "
           "with another ticket of the same category within 7 days (a proxy: the data has no contact count).",
           "closed tickets with no same-category ticket from the customer in the 7 days after ÷ closed tickets",
           "tickets.customer_id, category, opened_at, closed_at", group="Satisfaction and service"),
    Metric("support_rating", "Support rating", "number",
           "How customers rated the help they got, 1 (very disappointed) to 5 (very satisfied).",
           "mean of tickets.satisfaction over rated tickets opened in the period", "tickets.satisfaction",
           group="Satisfaction and service"),
    Metric("retention_by_grade", "Bought again, by satisfaction", "ratio",
           "Of the customers whose latest survey answer (or latest support rating) was a given grade, the share "
           "who bought again within 180 days after it: how much satisfaction keeps customers in this data.",
           "customers with a completed order in the 180 days after their latest graded answer ÷ customers with "
           "that grade; 95% Wilson interval; only answers at least 180 days old count",
           f"surveys.csat; tickets.satisfaction; {_ORDERS}.order_date", group="Satisfaction and service"),
)

ALL_METRICS: tuple[Metric, ...] = METRICS + CAMPAIGN_METRICS + VALUE_METRICS + SERVICE_METRICS
BY_KEY: dict[str, Metric] = {m.key: m for m in ALL_METRICS}
GROUPS: tuple[str, ...] = ("Revenue", "Customers", "Loyalty", "Marketing and service")

SCOPE_NOTE = ("Region, country, city and acquisition channel filters apply to every metric. Sales channel and "
              "product category describe orders, so surveys and campaign spend ignore them.")


def markdown_table() -> str:
    """The README's metric table."""
    rows = ["| page | metric | unit | what it means | formula |", "|---|---|---|---|---|"]
    for m in ALL_METRICS:
        page = {"Campaigns": "Campaigns", "Customer value": "Customer value",
                "Satisfaction and service": "Satisfaction"}.get(m.group, "Overview")
        rows.append(f"| {page} | {m.label} | {m.unit} | {m.definition} | {m.formula.replace('|', '∣')} |")
    return "\n".join(rows)
