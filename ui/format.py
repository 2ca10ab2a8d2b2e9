"""Number formatting shared by every page: money short in headlines, exact in tables."""

from __future__ import annotations

import math


def money_short(value: float | None) -> str:
    """$1.2M, $48.3k, $950."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    sign = "-" if value < 0 else ""
    value = abs(float(value))
    for limit, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if value >= limit:
            return f"{sign}${value / limit:.1f}{suffix}"
    return f"{sign}${value:,.0f}"


def count(value: int | float | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{int(value):,}"


def percent(value: float | None) -> str:
    """Share as a percentage with one decimal (0.123 -> 12.3%)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value * 100:.1f}%"
