"""The dimensions a user can filter and drill by, and their hierarchy, described as data.

Clicking a bar for a dimension adds its value to the filters, and the breakdown moves to the child
dimension (region -> country -> city). Every dimension binds as the SQL list parameter of the same
name (``$region`` ...), empty meaning "all". Each declares the SQL test of a row's membership
(``member``); a query file asks for the filter of its table with a line
``-- @filter GROUPS [on ALIAS] [by customer_id]`` (GROUPS among ``attributes``, ``order``, ``sets``), which
:func:`filter_sql` writes out from these declarations (``sql/scoped_orders.sql``).
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
    # the SQL test a row passes when the dimension is filtered: {a} is the table's alias and a dot (or nothing),
    # {who} the column that names the customer (customer_key, or customer_id where a table has no key)
    member: str = ""


DIMENSIONS: dict[str, Dimension] = {d.key: d for d in (
    Dimension("region", "Region", "customer", member="list_contains($region, {a}region)"),
    Dimension("country", "Country", "customer", parent="region", member="list_contains($country, {a}country)"),
    Dimension("city", "City", "customer", parent="country", member="list_contains($city, {a}city)"),
    Dimension("acquisition_channel", "Acquisition channel", "customer",
              member="list_contains($acquisition_channel, {a}acquisition_channel)"),
    Dimension("channel", "Sales channel", "order", member="list_contains($channel, {a}channel)"),
    Dimension("product_category", "Product category", "order",
              member="list_contains($product_category, {a}product_category)"),
    # the customers a campaign reached (its treatment group)
    Dimension("campaign", "Campaign", "customer", breakdown=False,
              member="{a}{who} IN (SELECT {who} FROM rpt_campaign_members "
                     "WHERE member_group = 'treatment' AND list_contains($campaign, campaign_id))"),
    # the month of a customer's first completed order ("2024-03"): a cohort of the Retention page
    Dimension("cohort", "Cohort (first purchase)", "customer", breakdown=False,
              member="{a}{who} IN (SELECT {who} FROM rpt_customers WHERE list_contains($cohort, strftime(first_date, "
                     "'%Y-%m')))"),
    # the customers whose RFM segment, as of the last order date with the default rules, is this one
    Dimension("segment", "Segment (RFM, latest)", "customer", breakdown=False,
              member="{a}{who} IN (SELECT {who} FROM rpt_customer_segments WHERE list_contains($segment, segment))"),
)}

# the customer attributes among them (columns of rpt_customers); the other customer-level dimensions are sets
# of customers (a campaign's reach, a cohort, a segment)
ATTRIBUTES: tuple[str, ...] = ("region", "country", "city", "acquisition_channel")


# the dimensions each group of a "-- @filter" line names
FILTER_GROUPS: dict[str, tuple[str, ...]] = {
    "attributes": ATTRIBUTES,
    "order": tuple(k for k, d in DIMENSIONS.items() if d.level == "order"),
    "sets": ("campaign", "cohort", "segment"),
}
# a table that carries first_date tests a cohort on its own column rather than through rpt_customers
_OWN_COHORT = "list_contains($cohort, strftime({a}first_date, '%Y-%m'))"


def filter_sql(groups: list[str], alias: str | None = None, who: str = "customer_key",
               own_first_date: bool = False) -> str:
    """The WHERE condition that keeps the rows inside the filters of ``groups`` (see :data:`FILTER_GROUPS`): one
    ``(array_length($key) = 0 OR member)`` per dimension, joined by AND. Written from the declarations above,
    never from user text (the values are bound as parameters)."""
    if who not in ("customer_key", "customer_id") or (alias is not None and not alias.isidentifier()):
        raise ValueError(f"not a filter target: {alias!r} by {who!r}")
    prefix = alias + "." if alias else ""
    clauses = []
    for group in groups:
        for key in FILTER_GROUPS[group]:
            member = _OWN_COHORT if key == "cohort" and own_first_date else DIMENSIONS[key].member
            member = member.replace("{a}", prefix).replace("{who}", who)
            clauses.append("(array_length($" + key + ") = 0 OR " + member + ")")
    return "\n      AND ".join(clauses)


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
