"""Charts of the Campaigns page, on the shared template and colours of :mod:`ui.charts`.

Uncertainty is drawn: incremental results carry their 95% interval as error bars.
"""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go

from crm_metrics.campaigns import MODELS
from crm_metrics.formatting import chart_text
from ui.charts import ACCENT, NEUTRAL, PALETTE, SEGMENT_COLORS, TEMPLATE, color_for, finish

NAIVE = "#9AA0A6"
CAUSED = PALETTE[0]


def _height(rows: int, per_row: int = 30, base: int = 90, least: int = 240) -> int:
    return max(least, base + per_row * rows)


def channel_roi(by_channel: pd.DataFrame, title: str) -> go.Figure:
    """Spend and attributed margin per channel, side by side (ROI in the hover); click a channel to list
    its campaigns. ``by_channel``: :func:`crm_metrics.campaigns.rollup` by channel."""
    frame = by_channel.sort_values("attributed_margin", ascending=True)
    custom = list(zip(frame["channel"], frame["campaigns"], frame["roi"].fillna(float("nan")),
                      frame["attributed_revenue"], strict=True))
    hover = ("<b>%{y}</b>: %{customdata[1]} campaigns<br>%{meta} $%{x:,.2f}"
             "<br>Attributed revenue $%{customdata[3]:,.2f}<br>ROI on margin %{customdata[2]:.1f}×"
             "<br><i>Click to list its campaigns</i><extra></extra>")
    fig = go.Figure([
        go.Bar(y=frame["channel"], x=frame["spend"], orientation="h", name="Spend", marker_color=NEUTRAL,
               customdata=custom, meta="Spend", hovertemplate=hover),
        go.Bar(y=frame["channel"], x=frame["attributed_margin"], orientation="h", name="Attributed margin",
               marker_color=ACCENT, customdata=custom, meta="Attributed margin", hovertemplate=hover),
    ])
    fig.update_layout(template=TEMPLATE, title=title, barmode="group", height=_height(len(frame), 44, 120),
                      legend=dict(orientation="h", yanchor="top", y=-0.15, xanchor="left", x=0),
                      xaxis=dict(title=None, tickprefix="$", tickformat="~s"), yaxis=dict(title=None),
                      clickmode="event+select", dragmode=False)
    return finish(fig)


def roi_comparison(increments: pd.DataFrame, title: str) -> go.Figure:
    """For each campaign with a control group: ROI on attributed margin (grey) against incremental ROI with
    its 95% interval (blue). The dashed line is break-even."""
    frame = increments[increments["has_control"]].copy()
    frame = frame.sort_values("incremental_roi", ascending=True, na_position="first")
    label = frame["campaign_id"] + " · " + frame["name"].str.slice(0, 34)
    low = (frame["incremental_roi"] - frame["incremental_roi_low"]).fillna(0)
    high = (frame["incremental_roi_high"] - frame["incremental_roi"]).fillna(0)
    fig = go.Figure([
        go.Scatter(x=frame["attributed_roi"], y=label, mode="markers", name="Attributed ROI (what followed)",
                   marker=dict(color=NAIVE, size=9, symbol="diamond"),
                   hovertemplate="<b>%{y}</b><br>Attributed ROI %{x:.2f}×<extra></extra>"),
        go.Scatter(x=frame["incremental_roi"], y=label, mode="markers", name="Incremental ROI (what it caused)",
                   marker=dict(color=CAUSED, size=9),
                   error_x=dict(type="data", symmetric=False, array=high, arrayminus=low, color=CAUSED,
                                thickness=1.5, width=3),
                   customdata=list(zip(frame["incremental_roi_low"], frame["incremental_roi_high"], strict=True)),
                   hovertemplate=("<b>%{y}</b><br>Incremental ROI %{x:.2f}× (95% interval %{customdata[0]:.2f}× "
                                  "to %{customdata[1]:.2f}×)<extra></extra>")),
    ])
    fig.add_vline(x=0, line_dash="dash", line_color="#6b7280", annotation_text="break-even",
                  annotation_position="bottom right", annotation_font_color="#6b7280")
    fig.update_layout(template=TEMPLATE, title=title, height=_height(len(frame), 26, 150),
                      xaxis=dict(title="Return per dollar spent, beyond the dollar (×)", ticksuffix="×"),
                      yaxis=dict(title=None),
                      legend=dict(orientation="h", yanchor="top", y=-0.08, xanchor="left", x=0))
    return finish(fig)


def funnel(row: dict, title: str) -> go.Figure:
    """Contacted -> opened -> clicked -> converted for one campaign (opens and clicks only when its channel
    reports them)."""
    stages = [("Contacted", row["contacted"])]
    if row["engagement_known"]:
        stages += [("Opened", row["opened"]), ("Clicked", row["clicked"])]
    stages.append(("Bought within the window", row["converted"]))
    fig = go.Figure(go.Funnel(
        y=[s for s, _ in stages], x=[int(v) for _, v in stages], textinfo="value+percent initial",
        marker=dict(color=[PALETTE[0], PALETTE[4], PALETTE[2], PALETTE[1]][:len(stages) - 1] + [PALETTE[1]]),
        hovertemplate="%{y}: %{x:,} customers (%{percentInitial:.1%} of contacted)<extra></extra>",
    ))
    fig.update_layout(template=TEMPLATE, title=title, height=_height(len(stages), 50, 90, 230))
    return finish(fig)


def treated_vs_control(row: dict, wilson, title: str) -> go.Figure:
    """Conversion rate of the treatment and control groups with their 95% Wilson intervals."""
    groups = [("Treatment (reached)", int(row["converted"]), int(row["contacted"]), CAUSED),
              ("Control (held out)", int(row["control_converted"]), int(row["control"]), NAIVE)]
    rates, lows, highs = [], [], []
    for _, x, n, _ in groups:
        lo, hi = wilson(x, n)
        rate = x / n if n else math.nan
        rates.append(rate)
        lows.append(rate - lo)
        highs.append(hi - rate)
    fig = go.Figure(go.Bar(
        x=[g[0] for g in groups], y=rates, marker_color=[g[3] for g in groups],
        error_y=dict(type="data", symmetric=False, array=highs, arrayminus=lows, color="#31333F", thickness=1.5),
        customdata=[(g[1], g[2]) for g in groups], text=[f"{r:.1%}" for r in rates], textposition="inside",
        insidetextanchor="start", textfont=dict(color="white"),
        hovertemplate="%{x}: %{y:.1%} bought (%{customdata[0]:,} of %{customdata[1]:,})<extra></extra>",
    ))
    fig.update_layout(template=TEMPLATE, title=title, height=300, showlegend=False,
                      yaxis=dict(title="Bought within the window", tickformat=".0%", rangemode="tozero"),
                      xaxis=dict(title=None))
    return finish(fig)


def segment_bar(by_segment: pd.DataFrame, title: str) -> go.Figure:
    """Converted customers per segment they were in before the campaign; click a bar to list them."""
    frame = by_segment.sort_values("customers", ascending=True)
    fig = go.Figure(go.Bar(
        x=frame["customers"], y=frame["segment"], orientation="h",
        marker_color=[SEGMENT_COLORS.get(s, color_for(s)) for s in frame["segment"]],
        customdata=list(zip(frame["segment"], frame["share"], frame["window_revenue"], strict=True)),
        text=[f"{s:.0%}" for s in frame["share"]], textposition="auto",
        hovertemplate=("<b>%{y}</b>: %{x:,} customers (%{customdata[1]:.1%})<br>Window revenue "
                       "$%{customdata[2]:,.2f}<br><i>Click to list them</i><extra></extra>"),
    ))
    fig.update_layout(template=TEMPLATE, title=title, height=_height(len(frame), 30), showlegend=False,
                      xaxis=dict(title="Converted customers"), yaxis=dict(title=None),
                      clickmode="event+select", dragmode=False)
    return finish(fig)


def attribution_models(attribution: pd.DataFrame, campaign_ids: list[str], title: str) -> go.Figure:
    """Credited revenue of the given campaigns under each attribution model, grouped by campaign."""
    frame = attribution[attribution["campaign_id"].isin(campaign_ids)]
    colors = dict(zip(MODELS, [PALETTE[0], PALETTE[1], PALETTE[2], PALETTE[3], PALETTE[5]], strict=True))
    bars = []
    for model, label in MODELS.items():
        part = frame[frame["model"] == model].set_index("campaign_id").reindex(campaign_ids)
        bars.append(go.Bar(
            x=part.index, y=part["credited_revenue"], name=label, marker_color=colors[model],
            customdata=[chart_text(n) for n in part["name"]],
            hovertemplate="<b>%{x} · %{customdata}</b><br>" + label + ": $%{y:,.2f}<extra></extra>"))
    fig = go.Figure(bars)
    fig.update_layout(template=TEMPLATE, title=title, barmode="group", height=420,
                      yaxis=dict(title="Credited revenue ($)", tickprefix="$", tickformat="~s"),
                      xaxis=dict(title=None, tickangle=0),
                      legend=dict(orientation="h", yanchor="top", y=-0.18, xanchor="left", x=0))
    return finish(fig)


def budget_projection(projection: pd.DataFrame, returns: pd.DataFrame, title: str) -> go.Figure:
    """Incremental revenue per channel: observed (grey) and projected at the new spend (blue, 95% band)."""
    rows = projection[projection["channel"] != "Total"]
    observed = returns.set_index("channel").reindex(rows["channel"])
    fig = go.Figure([
        go.Bar(x=rows["channel"], y=observed["incremental_revenue"], name="Observed at today's spend",
               marker_color=NAIVE,
               error_y=dict(type="data", array=1.959964 * observed["incremental_revenue_se"], color="#6b7280"),
               hovertemplate="%{x}: $%{y:,.0f} caused at today's spend<extra></extra>"),
        go.Bar(x=rows["channel"], y=rows["incremental_revenue"], name="Projected at the new spend",
               marker_color=CAUSED,
               error_y=dict(type="data", symmetric=False, array=rows["high"] - rows["incremental_revenue"],
                            arrayminus=rows["incremental_revenue"] - rows["low"], color="#31333F"),
               customdata=list(zip(rows["new_spend"], rows["low"], rows["high"], strict=True)),
               hovertemplate=("%{x}: about $%{y:,.0f} at $%{customdata[0]:,.0f} spend (95%: $%{customdata[1]:,.0f}"
                              " to $%{customdata[2]:,.0f})<extra></extra>")),
    ])
    fig.add_hline(y=0, line_color="#6b7280", line_width=1)
    fig.update_layout(template=TEMPLATE, title=title, barmode="group", height=360,
                      yaxis=dict(title="Incremental revenue ($)", tickprefix="$", tickformat="~s"),
                      xaxis=dict(title=None))
    return finish(fig)
