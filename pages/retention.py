"""Retention: how long customers keep buying, cohort by cohort."""

import streamlit as st

from ui.routing import ensure_router

ensure_router()

from crm_metrics.cohorts import GRAINS, GROUPINGS, average_curve, headline  # noqa: E402
from crm_metrics.export import to_safe_csv
from ui import columns as col
from ui import data, filters
from ui import retention_charts as rc
from ui.empty import empty_state

st.title("How long do customers keep buying?")
if data.is_empty():
    empty_state()
    st.stop()

chosen, period = filters.current(), filters.current_period()
as_of = period.end
answer = st.container()
c1, c2, c3 = st.columns([1, 1, 2])
grain = c1.segmented_control("Cohorts by", GRAINS, default="month", required=True, key="cohort_grain",
                             format_func=str.capitalize)
by = c2.selectbox("Grouped by", list(GROUPINGS), format_func=GROUPINGS.get, key="cohort_by")
measure = c3.segmented_control("Show", list(rc.MEASURES), default="active_share", required=True,
                               key="cohort_measure", format_func=lambda m: rc.MEASURES[m][0])
matrix = data.report("cohorts", as_of=as_of, grain=grain, by=by, filters=chosen)
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
average = average_curve(matrix)
cohorts = list(dict.fromkeys(matrix["cohort"]))
default = [cohorts[0], cohorts[len(cohorts) // 2]] if len(cohorts) > 1 else cohorts
picked = st.multiselect("Compare cohorts", cohorts, default=default, key=f"cohort_pick_{grain}_{by}",
                        max_selections=6)
st.plotly_chart(rc.retention_curves(matrix, average, picked, grain, "Retention curves: the chosen cohorts against "
                                                                    "the average"), key="cohort_curves")
with st.expander("The cohort table"):
    st.dataframe(matrix, hide_index=True, width="stretch",
                 column_config={"cohort": "Cohort", "period": st.column_config.NumberColumn(grain.capitalize()),
                                "customers": col.count("Customers"), "active": col.count("Buying"),
                                "revenue": col.money("Revenue"), "active_share": col.share("Still buying"),
                                "revenue_retained": st.column_config.NumberColumn("Revenue kept", format="percent"),
                                "cumulative_revenue_per_customer": col.money("Cumulative revenue per customer")})
    st.download_button("Download the cohort table (CSV)", to_safe_csv(matrix), mime="text/csv",
                       file_name=f"cohorts_{grain}_{by}_{as_of}.csv", icon=":material/download:", key="export_cohorts")
