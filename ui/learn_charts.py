"""Charts of the Learn page, on the shared template."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from ui.charts import PALETTE, TEMPLATE, finish


def ladder(frame: pd.DataFrame, title: str) -> go.Figure:
    """The loyalty ladder as horizontal bars, the top rung on top."""
    shown = frame.iloc[::-1]
    fig = go.Figure(go.Bar(
        x=shown["customers"], y=shown["rung"], orientation="h", marker_color=PALETTE[0],
        text=[f"{c:,} ({s:.0%})" for c, s in zip(shown["customers"], shown["share"].fillna(0), strict=True)],
        textposition="auto", hovertemplate="%{y}: %{x:,} customers<extra></extra>"))
    fig.update_layout(template=TEMPLATE, title=title, height=320, showlegend=False,
                      xaxis=dict(title="Customers", rangemode="tozero"), yaxis=dict(title=None))
    return finish(fig)
