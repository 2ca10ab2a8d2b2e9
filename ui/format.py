"""Number formatting for pages: the same rules as sentences computed in crm_metrics."""

from crm_metrics.formatting import (
    by_unit,
    change_text,
    chart_text,
    count,
    inert,
    money_exact,
    money_interval,
    money_short,
    multiple,
    number,
    percent,
    points,
    rate_points,
    sign,
)

__all__ = ["by_unit", "change_text", "chart_text", "count", "inert", "money_exact", "money_interval", "money_short",
           "multiple", "number", "percent", "points", "rate_points", "sign"]
