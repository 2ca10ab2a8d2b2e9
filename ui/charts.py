"""Chart builders on one plotly template, so every chart in the app reads the same way.

- One colour per meaning: each region, channel, category ... keeps its colour on every page
  (:func:`color_for`), from the colour-blind-safe Okabe-Ito palette.
- Titles say what to notice; axis titles carry units; money is $1.2M on axes and exact in hover.
- Drill-down ids travel in ``customdata`` (a bar's label may be shortened, its id never is).
"""

from __future__ import annotations

import hashlib

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from crm_metrics import currency
from crm_metrics.formatting import chart_text, money_exact

# Okabe & Ito (2008), colour-blind safe; grey last for "not recorded".
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
NEUTRAL = "#9AA0A6"
ACCENT = PALETTE[0]
FIXED = {
    # regions
    "North America": "#0072B2", "Europe": "#E69F00", "Asia Pacific": "#009E73", "Latin America": "#CC79A7",
    # order channels
    "web": "#0072B2", "app": "#56B4E9", "store": "#E69F00", "phone": "#D55E00",
    # customer kinds
    "New customers": "#E69F00", "Returning customers": "#0072B2",
}

pio.templates["crm"] = go.layout.Template(layout=go.Layout(
    font=dict(family="Source Sans Pro, Segoe UI, Helvetica, Arial, sans-serif", size=13, color="#31333F"),
    title=dict(font=dict(size=16), x=0, xanchor="left"),
    colorway=PALETTE,
    paper_bgcolor="rgba(0,0,0,0)", plot_bgcolor="rgba(0,0,0,0)",
    margin=dict(l=10, r=10, t=50, b=10),
    xaxis=dict(gridcolor="#E6E9EF", zerolinecolor="#C9CED6", automargin=True),
    yaxis=dict(gridcolor="#E6E9EF", zerolinecolor="#C9CED6", automargin=True),
    hoverlabel=dict(bgcolor="white", font_size=13),
    legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="right", x=1),
))
TEMPLATE = "crm"


_ASSIGNED: dict[str, str] = {}


def finish(fig: go.Figure) -> go.Figure:
    """Every builder returns through here: the data's labels made literal, money in the data's currency, a long
    title folded onto lines that a phone's width holds."""
    return wrapped_title(in_currency(literal_labels(fig)))


TITLE_LINE = 56  # characters: a phone-wide chart (about 350 px) holds this at the phone's title size


def wrapped_title(fig: go.Figure) -> go.Figure:
    """``fig`` with a title longer than :data:`TITLE_LINE` characters broken at spaces onto lines of at most that
    many (a title is a sentence that says what to notice; cut off at the chart's edge it says nothing), the top
    margin grown to hold them."""
    title = fig.layout.title.text if fig.layout.title else None
    if not title or len(title) <= TITLE_LINE or "<br>" in title:
        return fig
    lines, line = [], ""
    for word in title.split(" "):
        if line and len(line) + 1 + len(word) > TITLE_LINE:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    lines.append(line)
    top = fig.layout.margin.t if fig.layout.margin and fig.layout.margin.t is not None else 50
    fig.update_layout(title_text="<br>".join(lines), margin_t=top + 20 * (len(lines) - 1))
    return fig


_LABEL_FIELDS = ("x", "y", "labels", "ids", "parents", "name")


def literal_labels(fig: go.Figure) -> go.Figure:
    """``fig`` with every text label drawn from the data (categories on an axis, treemap labels, trace names)
    made literal (:func:`crm_metrics.formatting.chart_text`). ``customdata`` is left as it is: drill-downs read
    their ids from it, and a builder that shows a customdata text in its hover escapes that text itself."""
    for trace in fig.data:
        for field in _LABEL_FIELDS:
            if field not in trace:
                continue
            values = trace[field]
            if isinstance(values, str):
                trace[field] = chart_text(values)
            elif values is not None and any(isinstance(v, str) for v in values):
                trace[field] = [chart_text(v) if isinstance(v, str) else v for v in values]
    return fig


def in_currency(fig: go.Figure) -> go.Figure:
    """``fig`` with money written in the currency of the data: the builders write dollars ("$%{y:,.2f}" in
    hover text, tickprefix "$", "Revenue ($)" on axes), and every builder returns through here."""
    sign = currency.symbol()
    if sign == "$":
        return fig
    for trace in fig.data:
        template = getattr(trace, "hovertemplate", None)
        if isinstance(template, str) and "$" in template:
            trace.hovertemplate = template.replace("$%{", sign + "%{")

    def axis_in_currency(axis) -> None:
        if axis.tickprefix == "$":
            axis.tickprefix = sign
        if axis.title.text and "($" in axis.title.text:
            axis.title.text = axis.title.text.replace("($", "(" + sign.strip())

    fig.for_each_xaxis(axis_in_currency)
    fig.for_each_yaxis(axis_in_currency)
    return fig


def use_colors(options: pd.DataFrame) -> None:
    """Give every known value of every dimension its colour, in the dimension's own order, so that values
    shown together differ and each keeps its colour on every page. ``options``: the filter-options report."""
    for _, values in options.groupby("dimension", sort=False)["value"]:
        for i, value in enumerate(values):
            _ASSIGNED.setdefault(value, PALETTE[i % (len(PALETTE) - 1)])


def color_for(value: str | None) -> str:
    """The colour of a category value: fixed for the main ones, then as assigned by :func:`use_colors`,
    else stable by hash."""
    if value is None or pd.isna(value):
        return NEUTRAL
    if value in FIXED:
        return FIXED[value]
    if value in _ASSIGNED:
        return _ASSIGNED[value]
    digest = int(hashlib.md5(value.encode("utf-8")).hexdigest(), 16)  # noqa: S324 - a colour, not security
    return PALETTE[digest % (len(PALETTE) - 1)]


def breakdown_title(frame: pd.DataFrame, dimension_label: str) -> str:
    """"Region: Europe brings 31.2%": the value that brings the most revenue (``frame``: ``kpis.breakdown``)."""
    top = frame.iloc[0]
    name = top["value"] if isinstance(top["value"], str) and top["value"] else "(not recorded)"
    return f"{dimension_label}: {chart_text(name)} brings {top['share'] * 100:.1f}%"


def breakdown_bar(frame: pd.DataFrame, title: str, dimension_label: str, clickable: bool = True) -> go.Figure:
    """Horizontal bars of revenue per value, largest on top; ``customdata`` holds the value to drill into.

    ``frame`` columns: value, revenue, orders, customers, share.
    """
    frame = frame.sort_values("revenue", ascending=True)
    labels = [v if not pd.isna(v) else "(not recorded)" for v in frame["value"]]
    hint = "<br><i>Click to drill down</i>" if clickable else ""
    fig = go.Figure(go.Bar(
        x=frame["revenue"].astype(float), y=labels, orientation="h",
        marker_color=[color_for(v) for v in frame["value"]],
        customdata=list(zip(frame["value"].fillna(""), frame["orders"], frame["customers"], frame["share"],
                            strict=True)),
        text=[f"{s:.0%}" for s in frame["share"]], textposition="auto",
        hovertemplate=("<b>%{y}</b><br>Revenue $%{x:,.2f} (%{customdata[3]:.1%})"
                       "<br>%{customdata[1]:,} orders from %{customdata[2]:,} customers" + hint + "<extra></extra>"),
    ))
    fig.update_layout(template=TEMPLATE, title=title, height=max(220, 60 + 34 * len(frame)),
                      xaxis=dict(title="Revenue ($)", tickprefix="$", tickformat="~s"),
                      yaxis=dict(title=None), showlegend=False, clickmode="event+select", dragmode=False)
    return finish(fig)


METRIC_LABELS = {"revenue": ("Revenue", "Revenue ($)"), "orders": ("Orders", "Orders"),
                 "active_customers": ("Active customers", "Customers")}


def trend_chart(frame: pd.DataFrame, metric: str, grain: str, title: str, highlight=None,
                goals: pd.DataFrame | None = None, campaigns: pd.DataFrame | None = None) -> go.Figure:
    """A line of ``metric`` per bucket, or stacked bars of new and returning customers (metric "mix").
    ``highlight``: a period (start, end) to shade, the one the KPIs describe. ``goals`` (bucket, goal): the
    target's pace, drawn dashed. ``campaigns`` (``kpis.campaign_starts``): a marker where each started, whose
    ``customdata`` is ("campaign", id) for the drill-down."""
    x = pd.to_datetime(frame["bucket"])
    tick = "%b %Y" if grain == "month" else "%d %b %Y"
    if metric == "mix":
        fig = go.Figure([
            go.Bar(x=x, y=frame["returning_customers"], name="Returning customers",
                   marker_color=color_for("Returning customers"),
                   hovertemplate="%{x|" + tick + "}: %{y:,} returning<extra></extra>"),
            go.Bar(x=x, y=frame["new_customers"], name="New customers", marker_color=color_for("New customers"),
                   hovertemplate="%{x|" + tick + "}: %{y:,} new<extra></extra>"),
        ])
        fig.update_layout(barmode="stack", yaxis_title="Active customers")
    else:
        name, axis = METRIC_LABELS[metric]
        money = metric == "revenue"
        fig = go.Figure(go.Scatter(
            x=x, y=frame[metric].astype(float), mode="lines+markers",
            marker=dict(size=6 if len(frame) < 120 else 3), line=dict(color=ACCENT, width=2.5), name=name,
            customdata=list(zip(frame["orders"], x.dt.strftime("%Y-%m-%d"), strict=True)),
            hovertemplate=("%{x|" + tick + "}: " + ("$%{y:,.2f}" if money else "%{y:,}")
                           + " (%{customdata[0]:,} orders)<br><i>Click to make this " + grain
                           + " the period</i><extra></extra>"),
        ))
        fig.update_layout(yaxis=dict(title=axis, tickprefix="$" if money else "", tickformat="~s", rangemode="tozero"))
        if goals is not None and not goals.empty:
            fig.add_trace(go.Scatter(
                x=pd.to_datetime(goals["bucket"]), y=goals["goal"].astype(float), mode="lines", name="Target pace",
                line=dict(color="#6b7280", width=1.5, dash="dash", shape="hvh"),
                hovertemplate="%{x|" + tick + "}: target pace " + ("$%{y:,.0f}" if money else "%{y:,.0f}")
                              + "<extra></extra>"))
        top = float(frame[metric].astype(float).max()) if len(frame) else 0.0
        if goals is not None and not goals.empty:
            top = max(top, float(goals["goal"].max()))
        _campaign_marks(fig, campaigns, top * 1.08)
    fig.update_layout(template=TEMPLATE, title=title, height=340,
                      xaxis=dict(title=None, tickformat=tick, dtick="M1" if grain == "month" else None))
    if highlight is not None:
        fig.add_vrect(x0=highlight.start, x1=highlight.end, fillcolor=ACCENT, opacity=0.07, line_width=0,
                      annotation_text="selected period", annotation_position="bottom left",
                      annotation_font_color="#6b7280")
    return finish(fig)


def _campaign_marks(fig: go.Figure, campaigns: pd.DataFrame | None, level: float) -> None:
    """A small triangle above the line where each campaign started, its name in the hover; a click filters to it."""
    if campaigns is None or campaigns.empty:
        return
    names = [f"{chart_text(n) or chart_text(i)} ({chart_text(c) or 'no channel'})"
             for i, n, c in zip(campaigns["campaign_id"], campaigns["name"], campaigns["channel"], strict=True)]
    fig.add_trace(go.Scatter(
        x=pd.to_datetime(campaigns["start_date"]), y=[level] * len(campaigns), mode="markers", name="Campaign starts",
        marker=dict(symbol="triangle-down", size=9, color=PALETTE[1]), hovertext=names,
        customdata=[["campaign", i] for i in campaigns["campaign_id"]],
        hovertemplate="%{x|%d %b %Y}: %{hovertext} starts<br><i>Click to filter to its customers</i><extra></extra>"))


def trend_title(series: pd.DataFrame, metric: str, grain: str) -> str:
    """A title that says what to notice in the trend chart."""
    if metric == "revenue":
        best = series.loc[series["revenue"].astype(float).idxmax(), "bucket"]
        return f"Revenue per {grain}: the strongest {grain} began {best:%d %b %Y}"
    return {"active_customers": f"Customers who bought, per {grain}",
            "mix": f"New and returning customers per {grain}",
            "orders": f"Orders per {grain}"}[metric]


# RFM segments: greens for the best, blues for the new, warm colours for those slipping away.
SEGMENT_COLORS = {
    "Champions": "#1B7837", "Loyal": "#5AAE61", "Potential Loyalists": "#A6DBA0", "New": "#0072B2",
    "Promising": "#56B4E9", "Need Attention": "#F0E442", "About to Sleep": "#E69F00", "At Risk": "#D55E00",
    "Can't Lose Them": "#B2182B", "Hibernating": "#9AA0A6", "Lost": "#4D4D4D", "Unassigned": "#D9D9D9",
}
FIXED.update(SEGMENT_COLORS)


def segment_treemap(summary: pd.DataFrame, title: str) -> go.Figure:
    """Tiles sized by customers and coloured by segment; ``ids`` are the segment names (click to select).

    ``summary`` columns: segment, customers, customer_share, revenue, revenue_share.
    """
    fig = go.Figure(go.Treemap(
        labels=summary["segment"], parents=[""] * len(summary), ids=summary["segment"],
        values=summary["customers"], marker=dict(colors=[color_for(s) for s in summary["segment"]]),
        customdata=list(zip(summary["customer_share"], summary["revenue"].astype(float), summary["revenue_share"],
                            strict=True)),
        texttemplate="<b>%{label}</b><br>%{value:,} customers<br>%{customdata[2]:.0%} of revenue",
        hovertemplate=("<b>%{label}</b><br>%{value:,} customers (%{customdata[0]:.1%})"
                       "<br>Revenue $%{customdata[1]:,.2f} (%{customdata[2]:.1%})"
                       "<br><i>Click to see these customers</i><extra></extra>"),
        branchvalues="total", sort=False,
    ))
    fig.update_layout(template=TEMPLATE, title=title, height=430, margin=dict(l=0, r=0, t=50, b=0))
    return finish(fig)


def rf_heatmap(grid: pd.DataFrame, title: str) -> go.Figure:
    """Customers per (R score, F score) cell, annotated with the count; revenue in the hover."""
    cells = grid.set_index(["r_score", "f_score"])
    z, text, hover = [], [], []
    for f in range(1, 6):  # plotly draws the first row at the bottom: F 5 ends up on top
        row_z, row_t, row_h = [], [], []
        for r in range(1, 6):
            if (r, f) in cells.index:
                n, revenue = int(cells.loc[(r, f), "customers"]), float(cells.loc[(r, f), "revenue"])
            else:
                n, revenue = 0, 0.0
            row_z.append(n)
            row_t.append(f"{n:,}" if n else "")
            row_h.append(f"R {r}, F {f}: {n:,} customers, revenue {money_exact(revenue)}")
        z.append(row_z)
        text.append(row_t)
        hover.append(row_h)
    fig = go.Figure(go.Heatmap(
        z=z, x=[f"R {r}" for r in range(1, 6)], y=[f"F {f}" for f in range(1, 6)], text=text,
        texttemplate="%{text}", hovertext=hover, hoverinfo="text", colorscale="Blues",
        colorbar=dict(title="Customers"),
    ))
    fig.update_layout(template=TEMPLATE, title=title, height=430,
                      xaxis=dict(title="Recency score (5 = bought most recently)", side="bottom"),
                      yaxis=dict(title="Frequency score (5 = buys most often)", categoryorder="array",
                                 categoryarray=[f"F {f}" for f in range(1, 6)], autorange=True))
    return finish(fig)


def migration_sankey(flows: pd.DataFrame, title: str, top: int = 30) -> go.Figure:
    """Where each segment's customers were before (left) and are now (right); the ``top`` largest flows."""
    shown = flows.nlargest(top, "customers")
    left = list(dict.fromkeys(shown["from_segment"]))
    right = list(dict.fromkeys(shown["to_segment"]))
    labels = [f"{s} (before)" for s in left] + [f"{s} (now)" for s in right]
    fig = go.Figure(go.Sankey(
        arrangement="snap",
        node=dict(label=labels, pad=12, thickness=14,
                  color=[color_for(s) for s in left] + [color_for(s) for s in right]),
        link=dict(source=[left.index(s) for s in shown["from_segment"]],
                  target=[len(left) + right.index(s) for s in shown["to_segment"]],
                  value=shown["customers"], color="rgba(120,130,140,0.25)",
                  customdata=shown["revenue"].astype(float),
                  hovertemplate="%{source.label} → %{target.label}<br>%{value:,} customers, "
                                "$%{customdata:,.2f} spent to date<extra></extra>"),
    ))
    fig.update_layout(template=TEMPLATE, title=title, height=520)
    return finish(fig)


def moves_bar(flows: pd.DataFrame, title: str, top: int = 12) -> go.Figure:
    """The largest moves between different segments; ``customdata`` holds (from, to) to list them."""
    moved = flows[flows["moved"]].nlargest(top, "customers").sort_values("customers")
    labels = [f"{a} → {b}" for a, b in zip(moved["from_segment"], moved["to_segment"], strict=True)]
    fig = go.Figure(go.Bar(
        x=moved["customers"], y=labels, orientation="h",
        marker_color=[color_for(s) for s in moved["to_segment"]],
        customdata=list(zip(moved["from_segment"], moved["to_segment"], moved["revenue"].astype(float), strict=True)),
        hovertemplate="<b>%{y}</b><br>%{x:,} customers, $%{customdata[2]:,.2f} spent to date"
                      "<br><i>Click to list them</i><extra></extra>",
    ))
    fig.update_layout(template=TEMPLATE, title=title, height=max(260, 60 + 30 * len(moved)),
                      xaxis=dict(title="Customers"), yaxis=dict(title=None), dragmode=False)
    return finish(fig)


def silhouette_curve(scores: dict, chosen: int, title: str) -> go.Figure:
    """Silhouette per k (higher: better separated clusters), the chosen k marked."""
    ks = sorted(scores)
    fig = go.Figure(go.Scatter(x=ks, y=[scores[k] for k in ks], mode="lines+markers", line=dict(color=ACCENT),
                               hovertemplate="k = %{x}: silhouette %{y:.3f}<extra></extra>"))
    fig.add_vline(x=chosen, line_dash="dot", line_color=NEUTRAL, annotation_text=f"k = {chosen}")
    fig.update_layout(template=TEMPLATE, title=title, height=300, xaxis=dict(title="Clusters (k)", dtick=1),
                      yaxis=dict(title="Silhouette (-1 to 1)"))
    return finish(fig)


def cluster_scatter(sample: pd.DataFrame, title: str) -> go.Figure:
    """Recency against spend (log scales) for a sample of customers, coloured by cluster."""
    fig = go.Figure()
    for i, (name, part) in enumerate(sample.groupby("cluster_name", sort=True)):
        fig.add_trace(go.Scattergl(
            x=part["recency_days"] + 1, y=part["monetary"].astype(float), mode="markers", name=name,
            marker=dict(size=5, opacity=0.6, color=PALETTE[i % len(PALETTE)]),
            customdata=part["frequency"],
            hovertemplate="%{x:,.0f} days since last order, $%{y:,.2f}, frequency %{customdata}<extra>"
                          + name + "</extra>"))
    fig.update_layout(template=TEMPLATE, title=title, height=440,
                      xaxis=dict(title="Days since the last order (+1, log scale)", type="log"),
                      yaxis=dict(title="Monetary value ($, log scale)", type="log"),
                      legend=dict(orientation="v", x=1.02, y=1, xanchor="left", yanchor="top"))
    return finish(fig)
