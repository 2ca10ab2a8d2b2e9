"""Charts of one customer (Customer 360), on the shared template. User text reaches plotly HTML-escaped:
plotly reads a few tags (links among them) in hover text, and a customer's name or a survey comment must
stay text."""

from __future__ import annotations

import html

import pandas as pd
import plotly.graph_objects as go

from ui.charts import PALETTE, TEMPLATE, finish

KIND_COLORS = {"Order": PALETTE[0], "Campaign": PALETTE[1], "Ticket": PALETTE[5], "Survey": PALETTE[2]}


def _safe(values: pd.Series) -> list[str]:
    return [html.escape(str(v)) if v is not None and not pd.isna(v) else "" for v in values]


def timeline(events: pd.DataFrame, title: str) -> go.Figure:
    """One row per touchpoint type, a dot per touchpoint over time; order dots sized by the amount's size (a
    refund written as a negative amount is an open circle of its size)."""
    fig = go.Figure()
    largest = max(float(events["amount"].astype(float).abs().max()) if "amount" in events else 0.0, 1.0)
    for kind, part in events.groupby("kind", sort=False):
        amount = part["amount"].astype(float).fillna(0.0)
        size = 8.0 if kind != "Order" else (6 + 14 * (amount.abs() / largest) ** 0.5)
        symbol = "circle" if kind != "Order" else ["circle-open" if a < 0 else "circle" for a in amount]
        fig.add_trace(go.Scatter(
            x=part["happened_at"], y=[kind] * len(part), mode="markers", name=kind,
            marker=dict(color=KIND_COLORS.get(kind, PALETTE[3]), size=size, symbol=symbol, opacity=0.75,
                        line=dict(width=0.5, color="white")),
            customdata=list(zip(_safe(part["title"]), _safe(part["detail"]), _safe(part["status"]), strict=True)),
            hovertemplate="%{x|%d %b %Y}: %{customdata[0]}<br>%{customdata[1]}<br>%{customdata[2]}<extra></extra>"))
    # a week either side, so that a single touchpoint sits on a readable date axis
    pad = pd.Timedelta(days=7)
    present = [k for k in ("Survey", "Ticket", "Campaign", "Order") if k in set(events["kind"])]
    fig.update_layout(template=TEMPLATE, title=title, height=120 + 36 * len(present), showlegend=False,
                      xaxis=dict(title=None,
                                 range=[events["happened_at"].min() - pad, events["happened_at"].max() + pad]),
                      yaxis=dict(title=None, categoryorder="array", categoryarray=present))
    return finish(fig)


def routes(frame: pd.DataFrame, title: str) -> go.Figure:
    """Horizontal bars: how often each channel was used, grouped by route (buys / hears / asks)."""
    labels = [f"{r}: {c}" for r, c in zip(frame["route"], frame["channel"], strict=True)]  # made literal in finish
    colors = frame["route"].map({"Buys through": PALETTE[0], "Hears from us by": PALETTE[1],
                                 "Asks for help by": PALETTE[5]}).fillna(PALETTE[3])
    fig = go.Figure(go.Bar(x=frame["times"][::-1], y=labels[::-1], orientation="h", marker_color=colors[::-1],
                           hovertemplate="%{y}: %{x:,} times<extra></extra>"))
    fig.update_layout(template=TEMPLATE, title=title, height=max(200, 60 + 26 * len(frame)), showlegend=False,
                      xaxis=dict(title="Times used", rangemode="tozero"), yaxis=dict(title=None))
    return finish(fig)
