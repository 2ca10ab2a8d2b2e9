"""The dimensions a user can filter and drill by, and their hierarchy, described as data.

Clicking a bar for a dimension adds its value to the filters, and the breakdown moves to the child
dimension (region -> country -> city). Every dimension binds as the SQL list parameter of the same
name (``$region`` ...), empty meaning "all" (see ``sql/scoped_orders.sql``).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Dimension:
    key: str
    label: str
    level: str  # "customer" (applies to customers and all they do) or "order"
    parent: str | None = None
    breakdown: bool = True  # whether revenue can be broken down by it (a campaign's reach overlaps others)


DIMENSIONS: dict[str, Dimension] = {d.key: d for d in (
    Dimension("region", "Region", "customer"),
    Dimension("country", "Country", "customer", parent="region"),
    Dimension("city", "City", "customer", parent="country"),
    Dimension("acquisition_channel", "Acquisition channel", "customer"),
    Dimension("channel", "Sales channel", "order"),
    Dimension("product_category", "Product category", "order"),
    # the customers a campaign reached (its treatment group)
    Dimension("campaign", "Campaign", "customer", breakdown=False),
    # the month of a customer's first completed order ("2024-03"): a cohort of the Retention page
    Dimension("cohort", "Cohort (first purchase)", "customer", breakdown=False),
    # the customers whose RFM segment, as of the last order date with the default rules, is this one
    Dimension("segment", "Segment (RFM, latest)", "customer", breakdown=False),
)}

# the customer attributes among them (columns of rpt_customers); the other customer-level dimensions are sets
# of customers (a campaign's reach, a cohort, a segment)
ATTRIBUTES: tuple[str, ...] = ("region", "country", "city", "acquisition_channel")


def child(key: str) -> str | None:
    """The dimension one level below ``key`` (None at the bottom)."""
    for dim in DIMENSIONS.values():
        if dim.parent == key:
            return dim.key
    return None


def drill_level(key: str, selected: dict[str, tuple[str, ...]]) -> str:
    """The level a breakdown rooted at ``key`` shows: one below the deepest level with exactly one value
    selected (a region chosen -> its countries), or the deepest level if that has no child."""
    level = key
    while len(selected.get(level, ())) == 1 and child(level) is not None:
        level = child(level)
    return level
