"""Charts of the Customer value page, on the shared template of :mod:`ui.charts`."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from crm_metrics.formatting import money_short, money_whole
from crm_metrics.worth import TIERS
from ui.charts import ACCENT, NEUTRAL, PALETTE, TEMPLATE, finish

PREDICTED = PALETTE[0]
ACTUAL = PALETTE[1]


def pareto(curve: pd.DataFrame, mark: int, title: str) -> go.Figure:
    """Cumulative share of revenue against the share of customers, best first, with a marker at ``mark``%."""
    x = np.concatenate([[0.0], curve["percentile"].to_numpy() / 100])
    y = np.concatenate([[0.0], curve["revenue_share"].to_numpy()])
    fig = go.Figure([
        go.Scatter(x=x, y=y, mode="lines", line=dict(color=ACCENT, width=3), name="Our customers",
                   hovertemplate="The best %{x:.0%} of customers bring %{y:.1%} of revenue<extra></extra>"),
        go.Scatter(x=[0, 1], y=[0, 1], mode="lines", line=dict(color=NEUTRAL, dash="dot"), name="Everyone equal",
                   hoverinfo="skip"),
    ])
    reached = curve[curve["percentile"] >= mark]
    if len(reached):
        share = float(reached.iloc[0]["revenue_share"])
        fig.add_trace(go.Scatter(x=[mark / 100], y=[share], mode="markers+text", marker=dict(size=11, color=ACTUAL),
                                 text=[f"{mark}% → {share:.0%}"], textposition="middle right", showlegend=False,
                                 hoverinfo="skip"))
    fig.update_layout(template=TEMPLATE, title=title, height=340,
                      xaxis=dict(title="Share of customers, best first", tickformat=".0%", range=[0, 1]),
                      yaxis=dict(title="Share of revenue", tickformat=".0%", range=[0, 1.02]),
                      legend=dict(orientation="h", yanchor="top", y=-0.2, xanchor="left", x=0))
    return finish(fig)


def value_matrix(grid: pd.DataFrame, title: str) -> go.Figure:
    """Customers per (value tier, potential tier), annotated with count and predicted CLV."""
    counts = grid.pivot(index="value_tier", columns="potential_tier", values="customers").reindex(
        index=list(TIERS), columns=list(TIERS[::-1]))
    clv = grid.pivot(index="value_tier", columns="potential_tier", values="clv").reindex(
        index=list(TIERS), columns=list(TIERS[::-1]))
    text = [[f"{int(n):,} customers<br>{money_short(v)} CLV" for n, v in zip(row_n, row_v, strict=True)]
            for row_n, row_v in zip(counts.to_numpy(), clv.to_numpy(), strict=True)]
    fig = go.Figure(go.Heatmap(
        z=counts.to_numpy(), x=[f"{t} potential" for t in counts.columns], y=[f"{t} value" for t in counts.index],
        text=text, texttemplate="%{text}", colorscale="Blues", showscale=False,
        hovertemplate="%{y}, %{x}: %{text}<extra></extra>"))
    fig.update_layout(template=TEMPLATE, title=title, height=340, xaxis=dict(title="Predicted CLV tier", side="bottom"),
                      yaxis=dict(title="Historical value tier", autorange="reversed"))
    return finish(fig)


def backtest_by_x(by_x: pd.DataFrame, title: str) -> go.Figure:
    """Mean holdout purchases per customer, predicted against actual, by repeat purchases in calibration."""
    fig = go.Figure([
        go.Bar(x=by_x["group"], y=by_x["actual"], name="Actual", marker_color=ACTUAL,
               customdata=by_x["customers"],
               hovertemplate="x = %{x}: %{y:.2f} actual purchases per customer (%{customdata:,} customers)"
                             "<extra></extra>"),
        go.Bar(x=by_x["group"], y=by_x["predicted"], name="Predicted", marker_color=PREDICTED,
               hovertemplate="x = %{x}: %{y:.2f} predicted<extra></extra>"),
    ])
    fig.update_layout(template=TEMPLATE, title=title, barmode="group", height=340,
                      xaxis=dict(title="Repeat purchases in the calibration period (x)", type="category"),
                      yaxis=dict(title="Purchases per customer in the holdout"))
    return finish(fig)


def backtest_weekly(weekly: pd.DataFrame, title: str) -> go.Figure:
    """Cumulative repeat purchases over the holdout, week by week: predicted against actual."""
    fig = go.Figure([
        go.Scatter(x=weekly["week"], y=weekly["actual"], name="Actual", mode="lines",
                   line=dict(color=ACTUAL, width=3), hovertemplate="Week %{x}: %{y:,} actual<extra></extra>"),
        go.Scatter(x=weekly["week"], y=weekly["predicted"], name="Predicted", mode="lines",
                   line=dict(color=PREDICTED, width=2, dash="dash"),
                   hovertemplate="Week %{x}: %{y:,.0f} predicted<extra></extra>"),
    ])
    fig.update_layout(template=TEMPLATE, title=title, height=340,
                      xaxis=dict(title="Weeks after the calibration end"),
                      yaxis=dict(title="Cumulative repeat purchases", rangemode="tozero"))
    return finish(fig)


def clv_distribution(bins: pd.DataFrame, title: str) -> go.Figure:
    """How predicted CLV is spread over customers (``bins`` from :func:`crm_metrics.clv.clv_bins`)."""
    labels = [f"{money_whole(lo)}–{money_whole(hi)}" for lo, hi in zip(bins["low"], bins["high"], strict=True)]
    fig = go.Figure(go.Bar(x=labels, y=bins["customers"], marker_color=ACCENT, customdata=bins["clv"],
                           hovertemplate="CLV %{x}: %{y:,} customers, $%{customdata:,.0f} in all<extra></extra>"))
    fig.update_layout(template=TEMPLATE, title=title, height=320, xaxis=dict(title="Predicted CLV", tickangle=-35),
                      yaxis=dict(title="Customers"))
    return finish(fig)
