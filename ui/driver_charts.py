"""The waterfall of a KPI's change: the comparison period's value, what each group added or took away, and the
period's value; a click on a group's bar drills to it."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from crm_metrics.catalog import BY_KEY
from crm_metrics.drivers import amount_text
from crm_metrics.formatting import chart_text
from ui.charts import PALETTE, TEMPLATE, finish

UP, DOWN, TOTAL = "#009E73", "#D55E00", PALETTE[0]


def group_label(row: pd.Series, dimension_label: str) -> str:
    if row.get("others"):
        return f"{int(row['others'])} other groups"
    if row["grp"] is None:
        return f"No {dimension_label.lower()} recorded"
    return chart_text(row["grp"])


def waterfall(shown: pd.DataFrame, kpi: str, before: float, after: float, dimension_label: str,
              before_label: str, after_label: str, title: str, clickable: bool) -> go.Figure:
    """The KPI on the comparison side, one step per group (``drivers.top_groups``), the KPI now.

    ``customdata`` holds each step's group (empty on the totals and on "other groups") for the drill-down.
    """
    unit = BY_KEY[kpi].unit
    labels = [before_label, *[group_label(r, dimension_label) for _, r in shown.iterrows()], after_label]
    values = [before, *shown["change"].astype(float), after]
    ids = ["", *["" if r.get("others") or r["grp"] is None else r["grp"] for _, r in shown.iterrows()], ""]
    text = [amount_text(kpi, before), *[amount_text(kpi, c, signed=True) for c in shown["change"].astype(float)],
            amount_text(kpi, after)]
    hint = "<br><i>Click to filter every page to it</i>" if clickable else ""
    fig = go.Figure(go.Waterfall(
        x=labels, y=values, measure=["absolute", *["relative"] * len(shown), "total"],
        text=text, textposition="outside", customdata=[[i] for i in ids],
        increasing=dict(marker=dict(color=UP)), decreasing=dict(marker=dict(color=DOWN)),
        totals=dict(marker=dict(color=TOTAL)), connector=dict(line=dict(color="#C9CED6", width=1)),
        hovertext=[f"{label}: {t}" for label, t in zip(labels, text, strict=True)],
        hovertemplate="%{hovertext}" + hint + "<extra></extra>",
    ))
    axis = dict(title=BY_KEY[kpi].label + (" ($)" if unit == "money" else ""), automargin=True)
    if unit == "money":
        axis.update(tickprefix="$", tickformat="~s")
    elif unit == "ratio":
        axis.update(tickformat=".0%")
    low, high = min(before, after, *_running(before, values[1:-1])), max(before, after, *_running(before, values[1:-1]))
    pad = (high - low) * 0.25 or abs(high) * 0.1 or 1
    # a waterfall's steps are read against each other: start the axis near the lowest level, not at zero
    axis["range"] = [max(0.0, low - pad) if low >= 0 else low - pad, high + pad]
    fig.update_layout(template=TEMPLATE, title=title, height=380, yaxis=axis, xaxis=dict(title=None, tickangle=0),
                      showlegend=False, clickmode="event+select", dragmode=False, uniformtext_minsize=10)
    return finish(fig)


def _running(start: float, steps) -> list[float]:
    levels, level = [], start
    for step in steps:
        level += float(step)
        levels.append(level)
    return levels
