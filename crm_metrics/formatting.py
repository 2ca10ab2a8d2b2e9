"""How numbers are written: short money in headlines ($1.2M, in the currency of the data: crm_metrics.currency),
one decimal for percentages, points for differences of rates. Shared by sentences computed in crm_metrics and by
the pages."""

from __future__ import annotations

import math
import re

from crm_metrics import currency


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def money_short(value) -> str:
    """$1.2M, $48.3k, $950 (£1.2M, R$950: the currency of the data)."""
    if _missing(value):
        return "–"
    value = float(value)
    sign = "-" if value < 0 else ""
    value = abs(value)
    for limit, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if value >= limit:
            return f"{sign}{currency.symbol()}{value / limit:.1f}{suffix}"
    return f"{sign}{currency.symbol()}{value:,.0f}"


def money_exact(value) -> str:
    if _missing(value):
        return "–"
    value = float(value)
    return f"{'-' if value < 0 else ''}{currency.symbol()}{abs(value):,.2f}"


def sign() -> str:
    """The currency's symbol for labels ("$", "£", "CHF")."""
    return currency.symbol().strip()


def money_whole(value) -> str:
    """$1,235: to the unit, for labels on charts."""
    if _missing(value):
        return "–"
    value = float(value)
    return f"{'-' if value < 0 else ''}{currency.symbol()}{abs(value):,.0f}"


def money_interval(low, high, exact: bool = False) -> str:
    """"95% interval $1.2k to $3.4k", or why there is none (a model's uncertainty could not be estimated)."""
    if _missing(low) or _missing(high):
        return "No interval: the models' uncertainty could not be estimated"
    show = money_exact if exact else money_short
    return f"95% interval {show(low)} to {show(high)}"


def count(value) -> str:
    return "–" if _missing(value) else f"{int(value):,}"


def percent(value) -> str:
    """A share as a percentage with one decimal (0.123 -> 12.3%)."""
    return "–" if _missing(value) else f"{float(value) * 100:.1f}%"


def number(value) -> str:
    return "–" if _missing(value) else f"{float(value):,.2f}"


def points(value) -> str:
    return "–" if _missing(value) else f"{float(value):+.1f}"


def rate_points(value) -> str:
    """A difference of two rates in percentage points (0.032 -> +3.2)."""
    return "–" if _missing(value) else f"{float(value) * 100:+.1f}"


def by_unit(unit: str, value) -> str:
    """A metric value as shown on a KPI card."""
    return {"money": money_short, "count": count, "ratio": percent, "points": lambda v: "–" if _missing(v)
            else f"{float(v):.0f}", "number": number, "multiple": multiple}[unit](value)


def multiple(value) -> str:
    return "–" if _missing(value) else f"{float(value):.1f}×"


def change_text(unit: str, change) -> str | None:
    """A change as shown under a KPI: +3.2% for amounts and counts, +1.4 pts for rates and NPS."""
    if _missing(change):
        return None
    if unit == "ratio":
        return f"{change * 100:+.1f} pts"
    if unit == "points":
        return f"{change:+.1f} pts"
    if unit == "multiple":
        return f"{change:+.1f}×"
    return f"{change * 100:+.1f}%"


_MARKDOWN_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")


def inert(text) -> str:
    """``text`` made safe to place inside Markdown: every ASCII punctuation character is backslash-escaped
    (CommonMark treats an escaped character as itself), so user text never becomes a link, an image,
    emphasis, a Streamlit directive such as ``:red[...]``, LaTeX or HTML; line breaks become spaces."""
    if text is None:
        return ""
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", " ".join(str(text).split()))


def chart_text(text) -> str:
    """``text`` made literal for a chart's labels and titles: plotly reads ``<b>``, ``<a href=..>`` and ``<br>``
    in them as markup, and decodes ``&lt;`` ``&gt;`` ``&amp;`` back to the characters, so these three are written
    as entities (an imported city or channel is shown as written, never as a link or bold)."""
    if text is None:
        return ""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
