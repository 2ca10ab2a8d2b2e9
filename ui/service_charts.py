"""Charts of the Satisfaction and service page, on the shared template."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from ui.charts import NEUTRAL, PALETTE, TEMPLATE, finish

# From very disappointed to very satisfied: vermillion to bluish green (Okabe-Ito), grey in the middle.
GRADE_COLORS = {1: "#D55E00", 2: "#E69F00", 3: NEUTRAL, 4: "#56B4E9", 5: "#009E73"}


def csat_bars(grades: pd.DataFrame, title: str) -> go.Figure:
    """Survey answers per CSAT grade, very disappointed to very satisfied."""
    fig = go.Figure(go.Bar(
        x=grades["label"], y=grades["answers"], marker_color=[GRADE_COLORS[g] for g in grades["grade"]],
        customdata=grades["share"], text=[f"{s:.0%}" if pd.notna(s) else "" for s in grades["share"]],
        textposition="outside", hovertemplate="%{x}: %{y:,} answers (%{customdata:.1%})<extra></extra>"))
    fig.update_layout(template=TEMPLATE, title=title, height=340, showlegend=False,
                      xaxis=dict(title=None), yaxis=dict(title="Survey answers", rangemode="tozero"))
    return finish(fig)


def nps_trend(trend: pd.DataFrame, title: str) -> go.Figure:
    """Promoters, passives and detractors per month (stacked shares) and the NPS line on its own axis."""
    fig = go.Figure()
    groups = (("detractors", "Detractors (0-6)", GRADE_COLORS[1]), ("passives", "Passives (7-8)", NEUTRAL),
              ("promoters", "Promoters (9-10)", GRADE_COLORS[5]))
    for key, name, color in groups:
        fig.add_trace(go.Bar(x=trend["month"], y=trend[key] / trend["answers"], name=name, marker_color=color,
                             opacity=0.55, customdata=trend[key],
                             hovertemplate="%{x|%b %Y}: %{y:.0%} (%{customdata:,} answers)<extra>" + name + "</extra>"))
    fig.add_trace(go.Scatter(x=trend["month"], y=trend["nps"], name="NPS", yaxis="y2", mode="lines+markers",
                             line=dict(color=PALETTE[7], width=2), customdata=trend["answers"],
                             hovertemplate="%{x|%b %Y}: NPS %{y:.0f} from %{customdata:,} answers<extra></extra>"))
    fig.update_layout(template=TEMPLATE, title=title, height=360, barmode="stack",
                      xaxis=dict(title=None), yaxis=dict(title="Share of answers", tickformat=".0%"),
                      yaxis2=dict(title="NPS (points)", overlaying="y", side="right", range=[-100, 100], dtick=50,
                                  showgrid=False, zeroline=True),
                      legend=dict(orientation="h", yanchor="top", y=-0.12, xanchor="left", x=0))
    return finish(fig)


def loyalty_bars(frame: pd.DataFrame, basis: str, title: str) -> go.Figure:
    """Share who bought again after their latest grade, per grade, with 95% intervals."""
    part = frame[frame["basis"] == basis]
    fig = go.Figure(go.Bar(
        x=part["label"], y=part["retention"], marker_color=[GRADE_COLORS[g] for g in part["grade"]],
        error_y=dict(type="data", symmetric=False, array=part["retention_high"] - part["retention"],
                     arrayminus=part["retention"] - part["retention_low"], color="#6b7280"),
        customdata=list(zip(part["stayed"], part["customers"], part["repeat_rate"], strict=True)),
        hovertemplate="%{x}: %{y:.0%} bought again (%{customdata[0]:,} of %{customdata[1]:,})<br>"
                      "repeat buyers: %{customdata[2]:.0%}<extra></extra>"))
    fig.update_layout(template=TEMPLATE, title=title, height=340, showlegend=False,
                      xaxis=dict(title=None), yaxis=dict(title="Bought again", tickformat=".0%", range=[0, 1]))
    return finish(fig)
