""""How is this computed?": every number's definition, formula, inputs and the SQL that produced it,
for workshop trainers to project. Everything comes from the metric catalog and the query files."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from crm_metrics import db
from crm_metrics.catalog import BY_KEY, CAMPAIGN_METRICS, VALUE_METRICS
from crm_metrics.filters import Filters
from crm_metrics.formatting import by_unit, change_text


def how_computed(table: pd.DataFrame, period, filters: Filters) -> None:
    with st.expander("How is this computed?", icon=":material/school:"):
        previous = period.previous()
        st.markdown(f"**Period** {period.label()} ({period.days} days). **Previous period** {previous.label()}. "
                    "Only completed orders count as revenue; returned and cancelled orders are left out.")
        for row in table.itertuples():
            metric = BY_KEY[row.key]
            st.markdown(f"**{metric.label}**: {by_unit(row.unit, row.value)}"
                        + (f" ({change_text(row.unit, row.change)} vs previous period)" if row.change is not None
                           else ""))
            st.caption(f"{metric.definition}  \nFormula: {metric.formula}  \nReads: {metric.inputs}")
        st.markdown("**The SQL** (`crm_metrics/sql/kpis.sql`, run once for the period and once for each "
                    "comparison) with these parameters:")
        params = {"start": period.start, "end": period.end, "prev_start": previous.start,
                  "prev_end": previous.end, **filters.params()}
        st.code("\n".join(f"${k} = {v!r}" for k, v in params.items()), language="text")
        st.code(db.load_sql("kpis"), language="sql")


def _definitions(intro: str, metrics, sql_note: str, sql_name: str, params: dict) -> None:
    """An expander with the concept, each metric's definition from the catalog, and the SQL with its
    parameters."""
    with st.expander("How is this computed?", icon=":material/school:"):
        st.markdown(intro)
        for metric in metrics:
            st.markdown(f"**{metric.label}** ({metric.unit})")
            st.caption(f"{metric.definition}  \nFormula: {metric.formula}  \nReads: {metric.inputs}")
        st.markdown(sql_note)
        st.code("\n".join(f"${k} = {v!r}" for k, v in params.items()), language="text")
        st.code(db.load_sql(sql_name), language="sql")


def how_campaigns_computed(params: dict) -> None:
    """The Campaigns page's definitions (from the catalog), the statistics and the SQL with its parameters."""
    _definitions(
        "**Attributed** results count what followed a campaign; **incremental** results compare the customers it "
        "reached (treatment) with the customers held out (control), so they count only what it caused. Only "
        "completed orders count.", CAMPAIGN_METRICS,
        "**The SQL** (`crm_metrics/sql/campaign_stats.sql` with the shared CTEs of `campaign_base.sql`; the "
        "reporting layer pairs every contact with the orders of the 90 days after it) with these parameters:",
        "campaign_stats", params)


def how_value_computed(params: dict) -> None:
    """The Customer value page's definitions (from the catalog), the models and the summary SQL."""
    _definitions(
        "Each customer is summarised by **x** (repeat purchase days), **tₓ** (time from the first to the last "
        "purchase), **T** (time from the first purchase to the calibration end) and the mean spend of the repeat "
        "purchases. **BG/NBD** (Fader, Hardie & Lee 2005) models how often they buy while alive and the chance "
        "they leave after each purchase; **Gamma-Gamma** (Fader & Hardie 2013) models what a purchase is worth. "
        "Both are fitted by maximum likelihood; the tests reproduce the published CDNOW parameters.",
        VALUE_METRICS, "**The summary SQL** (`crm_metrics/sql/clv_summary.sql`) with these parameters:",
        "clv_summary", params)


def how_service_computed(params: dict, metrics) -> None:
    """The Satisfaction page's definitions (from the catalog) and the loyalty SQL with its parameters."""
    _definitions(
        "**CSAT** asks how satisfied a customer is (1-5); **NPS** asks how likely they are to recommend us (0-10). "
        "Support tickets carry their own rating (1-5). The loyalty link groups each customer by their latest "
        "grade and follows whether they bought again afterwards.", metrics,
        "**The loyalty SQL** (`crm_metrics/sql/loyalty_by_satisfaction.sql`; the other tables come from "
        "`satisfaction_grades.sql`, `nps_trend.sql` and `ticket_service.sql`) with these parameters:",
        "loyalty_by_satisfaction", params)
