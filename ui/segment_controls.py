"""The Segments page's controls: how customers are scored, and the editable segment rules."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from crm_metrics.rfm import RFMOptions
from crm_metrics.segments import DEFAULT_RULES, SegmentRule
from ui import format as fmt


def scoring_options() -> RFMOptions:
    with st.expander("How customers are scored", icon=":material/tune:"):
        a, b, c = st.columns(3)
        frequency = a.radio("Frequency counts", ["days", "orders"], key="rfm_frequency", horizontal=True,
                            format_func={"days": "purchase days", "orders": "orders"}.get,
                            help="Purchase days count several orders on one day once.")
        monetary = b.radio("Monetary value is", ["total", "average"], key="rfm_monetary", horizontal=True,
                           format_func={"total": "total spend", "average": "average order"}.get)
        method = c.radio("Scores by", ["quintile", "cuts"], key="rfm_method", horizontal=True,
                         format_func={"quintile": "quintiles", "cuts": "my cut points"}.get,
                         help="Quintiles: the 20% with the lowest values score 1 ... the highest 20% score 5; "
                              "customers with equal values share a score. Cut points: you set the thresholds.")
        cuts = {}
        if method == "cuts":
            defaults = RFMOptions()
            for col, (key, label, values) in zip(st.columns(3), [
                    ("r_cuts", "Recency: days since the last order", defaults.r_cuts),
                    ("f_cuts", "Frequency", defaults.f_cuts), ("m_cuts", f"Monetary ({fmt.sign()})", defaults.m_cuts)],
                    strict=True):
                col.caption(label + " — four ascending thresholds")
                cuts[key] = tuple(col.number_input(f"{label} {i + 1}", value=float(v), key=f"{key}_{i}",
                                                   label_visibility="collapsed", min_value=0.0)
                                  for i, v in enumerate(values))
        rules = _rules_editor()
    try:
        return RFMOptions(frequency=frequency, monetary=monetary, method=method, rules=rules, **cuts)
    except ValueError as exc:
        st.error(f"{exc}; using the default cut points.")
        return RFMOptions(frequency=frequency, monetary=monetary, method="quintile", rules=rules)


def _rules_editor() -> tuple[SegmentRule, ...]:
    st.markdown("**Segment rules** — tried from the top; the first whose ranges hold the customer names them "
                "(FM = the average of the F and M scores, rounded down). Edit them to fit your business.")
    frame = pd.DataFrame([r.__dict__ for r in DEFAULT_RULES]).drop(columns="priority")
    edited = st.data_editor(
        frame, key="segment_rules", hide_index=True, width="stretch", num_rows="dynamic",
        column_config={
            "name": st.column_config.TextColumn("Segment", required=True),
            **{c: st.column_config.NumberColumn(c.replace("_", " ").upper().replace("FM ", "FM ").replace("R ", "R "),
                                                min_value=1, max_value=5, step=1, required=True)
               for c in ("r_min", "r_max", "fm_min", "fm_max")},
            "description": "What it means", "action": "Recommended action"})
    rules = []
    for priority, row in enumerate(edited.dropna(subset=["name"]).itertuples(index=False), start=1):
        rules.append(SegmentRule(str(row.name), priority, int(row.r_min), int(row.r_max), int(row.fm_min),
                                 int(row.fm_max), str(row.description or ""), str(row.action or "")))
    return tuple(rules)
