"""Charts of the Retention page, on the shared template of :mod:`ui.charts`."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from crm_metrics.formatting import money_whole
from ui.charts import NEUTRAL, PALETTE, TEMPLATE, finish

MEASURES = {"active_share": ("Still buying", ".0%"), "active": ("Customers buying", ",d"),
            "revenue_retained": ("Revenue kept (vs period 0)", ".0%"),
            "cumulative_revenue_per_customer": ("Cumulative revenue per customer", "$,.0f")}


def cohort_heatmap(matrix: pd.DataFrame, measure: str, grain: str, title: str) -> go.Figure:
    """Cohorts down, periods across, cells annotated; cells not yet reached stay empty (a triangle)."""
    label, fmt = MEASURES[measure]
    grid = matrix.pivot(index="cohort", columns="period", values=measure)
    sizes = matrix.groupby("cohort")["customers"].first().reindex(grid.index)
    text = grid.map(lambda v: "" if pd.isna(v) else format(v, fmt.replace("$", "")) if "$" not in fmt
                    else money_whole(v))
    later = grid.drop(columns=[0], errors="ignore").to_numpy(dtype="float64")
    # period 0 is 100% by construction: leave it out of the colour scale so later periods show contrast
    top = float(pd.Series(later.ravel()).dropna().quantile(0.99)) if later.size and measure != "active" else None
    fig = go.Figure(go.Heatmap(
        z=grid.to_numpy(dtype="float64"), x=[str(p) for p in grid.columns], zmin=0 if top else None, zmax=top,
        y=[f"{c} ({int(n):,})" for c, n in zip(grid.index, sizes, strict=True)],
        text=text.to_numpy(), texttemplate="%{text}" if grid.shape[1] <= 24 else None,
        colorscale="Blues", colorbar=dict(title=label, tickformat=fmt.replace("$", "").replace("d", "")),
        hovertemplate=f"Cohort %{{y}}, {grain} %{{x}}: %{{text}} {label.lower()}<extra></extra>",
        hoverongaps=False,
    ))
    fig.update_layout(template=TEMPLATE, title=title, height=max(320, 90 + 22 * len(grid)),
                      xaxis=dict(title=f"{grain.capitalize()}s since the first purchase", side="bottom",
                                 dtick=1 if grid.shape[1] <= 24 else None),
                      yaxis=dict(title=None, autorange="reversed", type="category"))
    return finish(fig)


def retention_curves(matrix: pd.DataFrame, average: pd.DataFrame, cohorts: list[str], grain: str,
                     title: str) -> go.Figure:
    """Share still buying by period for the chosen cohorts, over the customer-weighted average."""
    traces = [go.Scatter(x=average["period"], y=average["active_share"], name="Average of all cohorts",
                         mode="lines", line=dict(color=NEUTRAL, width=4),
                         hovertemplate=f"Average, {grain} %{{x}}: %{{y:.1%}}<extra></extra>")]
    for i, cohort in enumerate(cohorts):
        part = matrix[matrix["cohort"] == cohort]
        traces.append(go.Scatter(x=part["period"], y=part["active_share"], name=str(cohort), mode="lines+markers",
                                 line=dict(color=PALETTE[i % (len(PALETTE) - 1)], width=2), marker=dict(size=5),
                                 customdata=part["active"],
                                 hovertemplate=f"{cohort}, {grain} %{{x}}: %{{y:.1%}} (%{{customdata:,}} customers)"
                                               "<extra></extra>"))
    fig = go.Figure(traces)
    fig.update_layout(template=TEMPLATE, title=title, height=360,
                      xaxis=dict(title=f"{grain.capitalize()}s since the first purchase"),
                      yaxis=dict(title="Still buying", tickformat=".0%", rangemode="tozero"))
    return finish(fig)


MODEL_NAMES = {"gradient_boosting": "Gradient boosting", "logistic": "Logistic regression",
               "rule": "Rule: longest without an order"}
MODEL_COLORS = {"gradient_boosting": PALETTE[0], "logistic": PALETTE[2], "rule": NEUTRAL}


def gains(metrics: dict, title: str) -> go.Figure:
    """Share of churners found against share of customers contacted, per model, over random choice."""
    traces = [go.Scatter(x=[0, 1], y=[0, 1], mode="lines", name="Random list", line=dict(color="#C9CED6",
                                                                                         dash="dot"),
                         hoverinfo="skip")]
    for key, m in metrics.items():
        g = m["gains"]
        traces.append(go.Scatter(x=g["contacted"], y=g["churners_found"], mode="lines", name=MODEL_NAMES[key],
                                 line=dict(color=MODEL_COLORS[key], width=3 if key == "gradient_boosting" else 2),
                                 hovertemplate="Contacting %{x:.0%} finds %{y:.0%} of churners<extra></extra>"))
    fig = go.Figure(traces)
    fig.update_layout(template=TEMPLATE, title=title, height=360,
                      xaxis=dict(title="Customers contacted, riskiest first", tickformat=".0%"),
                      yaxis=dict(title="Churners found", tickformat=".0%"),
                      # inside, bottom right: the curves run above the diagonal, and four names below the
                      # plot would run into the axis title
                      legend=dict(yanchor="bottom", y=0.02, xanchor="right", x=0.98, bgcolor="rgba(255,255,255,0.85)"))
    return finish(fig)


def calibration(frame: pd.DataFrame, title: str) -> go.Figure:
    """Observed churn rate against predicted probability, in ten groups; the diagonal is perfect."""
    fig = go.Figure([
        go.Scatter(x=[0, 1], y=[0, 1], mode="lines", line=dict(color="#C9CED6", dash="dot"), name="Perfect",
                   hoverinfo="skip"),
        go.Scatter(x=frame["predicted"], y=frame["observed"], mode="lines+markers", name="Gradient boosting",
                   line=dict(color=PALETTE[0], width=2),
                   hovertemplate="Predicted %{x:.0%}: %{y:.0%} churned<extra></extra>"),
    ])
    fig.update_layout(template=TEMPLATE, title=title, height=360,
                      xaxis=dict(title="Predicted churn probability", tickformat=".0%", range=[0, 1]),
                      yaxis=dict(title="Share who churned", tickformat=".0%", range=[0, 1]),
                      legend=dict(orientation="h", yanchor="top", y=-0.2, xanchor="left", x=0))
    return finish(fig)


def survival_projection(survivors: pd.DataFrame, projection: pd.DataFrame, fitted: int, title: str) -> go.Figure:
    """A cohort's survivors (dots: fitted; hollow: left out), the sBG curve and its projection."""
    used, held = survivors.iloc[:fitted], survivors.iloc[fitted:]
    fig = go.Figure([
        go.Scatter(x=projection["period"], y=projection["expected"], mode="lines", name="sBG model",
                   line=dict(color=PALETTE[0], width=2),
                   hovertemplate="Month %{x}: about %{y:,.0f} expected<extra></extra>"),
        go.Scatter(x=used["period"], y=used["survivors"], mode="markers", name="Not yet lapsed (fitted)",
                   marker=dict(color=PALETTE[1], size=8),
                   hovertemplate="Month %{x}: %{y:,} customers<extra></extra>"),
        go.Scatter(x=held["period"], y=held["survivors"], mode="markers", name="Recent months (left out)",
                   marker=dict(color=PALETTE[1], size=8, symbol="circle-open"),
                   hovertemplate="Month %{x}: %{y:,} customers so far<extra></extra>"),
    ])
    fig.add_vline(x=len(survivors) - 1, line_dash="dot", line_color="#6b7280", annotation_text="today",
                  annotation_position="top right", annotation_font_color="#6b7280")
    fig.update_layout(template=TEMPLATE, title=title, height=360,
                      xaxis=dict(title="Months since the first purchase"),
                      yaxis=dict(title="Customers not yet lapsed", rangemode="tozero"),
                      legend=dict(orientation="h", yanchor="top", y=-0.2, xanchor="left", x=0))
    return finish(fig)


def driver_themes(themes: pd.DataFrame, title: str) -> go.Figure:
    """How much the test AUC falls when each theme's features are scrambled together, strongest on top."""
    shown = themes.iloc[::-1]
    fig = go.Figure(go.Bar(
        x=shown["importance"].clip(lower=0), y=shown["theme"], orientation="h", marker_color=PALETTE[0],
        customdata=shown["features"],
        hovertemplate="%{y}: the AUC falls by %{x:.3f}<br>%{customdata}<extra></extra>"))
    fig.update_layout(template=TEMPLATE, title=title, height=300, showlegend=False,
                      xaxis=dict(title="Fall in AUC when scrambled", tickformat=".2f", rangemode="tozero"),
                      yaxis=dict(title=None))
    return finish(fig)
