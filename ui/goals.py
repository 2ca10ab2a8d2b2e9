"""Targets and alerts on the Overview: reading them for the cards and the trend, flagging the alerts that fire,
and the panel where editors set them (crm_metrics.targets does the work)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from crm_metrics import periods, targets
from crm_metrics.catalog import BY_KEY
from crm_metrics.kpis import Period
from ui import auth, data, uploads
from ui import format as fmt

TARGET_PERIODS = ("this_month", "next_month", "this_quarter", "next_quarter", "this_year", "custom")


def stored() -> tuple[pd.DataFrame, pd.DataFrame]:
    """(targets, alerts) as stored now: two tiny reads on every run, so that an editor's change reaches every
    session at once (they are not part of the data version that keys the cached results)."""
    with data.session_cursor() as cur:
        return targets.targets(cur), targets.alerts(cur)


def for_view(goal_table: pd.DataFrame, alert_table: pd.DataFrame, filters) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The targets and alerts a view is held to: all of them, or none under a filter (``targets.apply_to``)."""
    if targets.apply_to(filters):
        return goal_table, alert_table
    return goal_table.iloc[0:0], alert_table.iloc[0:0]


def flag_alerts(alerts: pd.DataFrame, table: pd.DataFrame, period: Period) -> None:
    """A warning per alert that fires over the period shown."""
    if alerts.empty:
        return
    for message in targets.fired(targets.check_table(alerts, table, period)):
        st.warning(f"Alert: {message}", icon=":material/notifications_active:")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _ratio(kpi: str) -> bool:
    return BY_KEY[kpi].unit == "ratio"


def panel(goals: pd.DataFrame, alerts: pd.DataFrame, last: dt.date) -> None:
    """The editors' panel: set or remove a target, import targets from CSV, add or remove an alert."""
    with st.expander("Targets and alerts", icon=":material/flag:"):
        st.caption("Targets and alerts are set for the whole business: the cards, the trend and the warnings show "
                   "them when no filter is active. `python -m crm_metrics alerts` checks the alerts over their latest "
                   "days for a cron job.")
        if data.on_spark():
            st.info("Targets and alerts are stored with the embedded database; on Spark the lake has none.")
            return
        if not auth.allowed("set_targets"):
            st.caption(auth.refusal("set_targets"))
            _listing(goals, alerts, editable=False)
            return
        left, right = st.columns(2, gap="large")
        with left:
            _target_form(last)
            _target_upload()
        with right:
            _alert_form()
        _listing(goals, alerts, editable=True)


def _target_form(last: dt.date) -> None:
    st.markdown("**Set a target**")
    kpi = st.selectbox("KPI", targets.TARGET_KPIS, key="target_kpi", format_func=lambda k: BY_KEY[k].label)
    when = st.selectbox("Period", TARGET_PERIODS, key="target_period",
                        format_func=lambda p: "Dates of my choice" if p == "custom" else periods.calendar_label(p))
    if when == "custom":
        chosen = st.date_input("From – to", value=(last.replace(day=1), last), key="target_dates")
        span = chosen if isinstance(chosen, tuple) and len(chosen) == 2 else None
    else:
        span = periods.calendar(when, last)
    unit = BY_KEY[kpi].unit
    label = "Target (%)" if _ratio(kpi) else f"Target ({fmt.sign()})" if unit == "money" else "Target"
    value = st.number_input(label, key="target_value", min_value=None, step=1.0, format="%.2f")
    if span is not None:
        st.caption(f"{span[0]:%d %b %Y} – {span[1]:%d %b %Y}")
    if st.button("Save the target", key="save_target", disabled=span is None, icon=":material/flag:"):
        try:
            targets.set_target(data.connection(), kpi, span[0], span[1], targets.from_shown(kpi, value), _now(),
                               auth.current())
        except ValueError as problem:
            st.error(str(problem))
        else:
            st.toast("Target saved.")
            st.rerun()


def _target_upload() -> None:
    upload = st.file_uploader("Or import targets (CSV: kpi, period_start, period_end, target)", type=["csv"],
                              key="targets_upload")
    if upload is not None and st.button("Import these targets", key="import_targets"):
        path = uploads.copy_upload(upload.getvalue(), upload.name)
        try:
            stored_count = targets.import_targets(data.connection(), path, _now(), auth.current())
        except targets.TargetsRejected as rejected:
            st.error("Nothing was stored:\n\n" + "\n".join(f"- {fmt.inert(p)}" for p in rejected.problems))
        else:
            st.toast(f"{stored_count:,} targets stored.")
            st.rerun()
        finally:
            uploads.remove_upload(path)


def _alert_form() -> None:
    st.markdown("**Add an alert**")
    kpi = st.selectbox("When", targets.TARGET_KPIS, key="alert_kpi", format_func=lambda k: BY_KEY[k].label)
    measure = st.segmented_control("Of its", list(targets.MEASURES), key="alert_measure", default="value",
                                   required=True, format_func={"value": "value",
                                                               "change": "change on the previous period"}.get)
    direction = st.segmented_control("Is", list(targets.DIRECTIONS), key="alert_direction", default="below",
                                     required=True)
    label = "Threshold (%)" if targets.threshold_in_percent(kpi, measure) else "Threshold"
    threshold = st.number_input(label, key="alert_threshold", step=1.0,
                                format="%.2f")
    days = st.number_input("Over the latest days (for the command line; the Overview checks its period)",
                           min_value=1, max_value=3660, value=30, key="alert_days")
    if st.button("Add the alert", key="add_alert", icon=":material/notifications:"):
        targets.add_alert(data.connection(), kpi, measure, direction,
                          targets.threshold_from_shown(kpi, measure, threshold), int(days), _now(),
                          auth.current())
        st.toast("Alert added.")
        st.rerun()


def _listing(goals: pd.DataFrame, alerts: pd.DataFrame, editable: bool) -> None:
    if goals.empty and alerts.empty:
        st.caption("No targets or alerts yet.")
        return
    for row in goals.itertuples():
        line = st.container(horizontal=True, vertical_alignment="center")
        line.markdown(f"Target: {BY_KEY[row.kpi].label} {fmt.by_unit(BY_KEY[row.kpi].unit, row.target)} over "
                      f"{row.period_start:%d %b %Y} – {row.period_end:%d %b %Y}")
        if editable and line.button("Remove", key=f"rm_target_{row.kpi}_{row.period_start}_{row.period_end}",
                                    type="tertiary", icon=":material/delete:"):
            targets.remove_target(data.connection(), row.kpi, row.period_start, row.period_end, auth.current())
            st.rerun()
    for _, row in alerts.iterrows():
        line = st.container(horizontal=True, vertical_alignment="center")
        line.markdown(f"Alert {int(row['alert_id'])}: {targets.describe_alert(row)} (latest {int(row['days'])} days)")
        if editable and line.button("Remove", key=f"rm_alert_{int(row['alert_id'])}", type="tertiary",
                                    icon=":material/delete:"):
            targets.remove_alert(data.connection(), int(row["alert_id"]), auth.current())
            st.rerun()
