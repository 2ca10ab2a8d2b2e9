"""Named RFM segments: a rule table that is data, not code.

Each rule names the R score range and the FM score range (FM = floor((F + M) / 2)) it covers; rules are
tried by priority and the first that holds names the customer. The default table partitions all 25
(R, FM) cells, so every customer lands in exactly one segment; users may edit it (a customer no edited
rule covers is "Unassigned"). Descriptions and actions follow the usual RFM segment map.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class SegmentRule:
    name: str
    priority: int
    r_min: int
    r_max: int
    fm_min: int
    fm_max: int
    description: str
    action: str


DEFAULT_RULES: tuple[SegmentRule, ...] = (
    SegmentRule("Champions", 1, 4, 5, 4, 5, "Bought recently, buy often and spend the most.",
                "Reward them; ask for reviews and referrals; early access to new products."),
    SegmentRule("Loyal", 2, 3, 3, 4, 5, "Buy often and spend well; a little while since the last order.",
                "Upsell higher-value products; loyalty programme; keep them engaged."),
    SegmentRule("Can't Lose Them", 3, 1, 2, 5, 5, "Used to buy the most, often; not for a long time.",
                "Win them back with a personal offer or call; find out what went wrong."),
    SegmentRule("At Risk", 4, 1, 2, 3, 4, "Spent well, over several orders or in one large one, but long ago.",
                "Send a personal win-back campaign; offer renewals and helpful resources."),
    SegmentRule("Potential Loyalists", 5, 4, 5, 2, 3,
                "Recent customers with middling spend: a few orders, or one larger first order.",
                "Offer membership or a loyalty programme; recommend related products."),
    SegmentRule("New", 6, 5, 5, 1, 1, "Bought very recently, for the first time or almost.",
                "Onboard them well; early support; build the relationship."),
    SegmentRule("Promising", 7, 4, 4, 1, 1, "Recent shoppers who have not spent much yet.",
                "Create brand awareness; free trials; a reason to come back."),
    SegmentRule("Need Attention", 8, 3, 3, 3, 3,
                "Middling recency and spend, over a few orders or one larger one; drifting.",
                "Limited-time offers based on past purchases; reactivate them."),
    SegmentRule("About to Sleep", 9, 3, 3, 1, 2, "Below-average recency, frequency and spend.",
                "Share popular products and discounts; reconnect before they go."),
    SegmentRule("Hibernating", 10, 2, 2, 1, 2, "Last bought long ago, few orders, low spend.",
                "Offer relevant products and special discounts; recreate brand value."),
    SegmentRule("Lost", 11, 1, 1, 1, 2, "Lowest recency, frequency and spend.",
                "Revive interest with an outreach campaign; otherwise let them go."),
)

SEGMENT_ORDER = tuple(r.name for r in DEFAULT_RULES)


def rules_param(rules=DEFAULT_RULES) -> list[dict]:
    """The rules as the list of records ``$rules`` binds to (the SQL reads name, priority, ranges)."""
    keys = ("name", "priority", "r_min", "r_max", "fm_min", "fm_max", "action")
    return [{k: asdict(r)[k] for k in keys} for r in rules]


def describe(name: str, rules=DEFAULT_RULES) -> SegmentRule | None:
    return next((r for r in rules if r.name == name), None)


def rule_text(rule: SegmentRule) -> str:
    """The rule in words, as exported with a list: "R 4-5 and FM 4-5"."""
    return f"R {rule.r_min}-{rule.r_max} and FM {rule.fm_min}-{rule.fm_max}"


@dataclass(frozen=True)
class RFMOptions:
    """How RFM is measured and scored.

    frequency : "days" (distinct purchase days) or "orders".
    monetary : "total" spend or "average" order value.
    method : "quintile" or "cuts"; with "cuts", each of r_cuts, f_cuts, m_cuts holds four ascending
        thresholds (recency in days: more days, lower score).
    rules : the segment rules, tried by priority.
    """

    frequency: str = "days"
    monetary: str = "total"
    method: str = "quintile"
    r_cuts: tuple[float, ...] = (30, 90, 180, 365)
    f_cuts: tuple[float, ...] = (1, 2, 4, 8)
    m_cuts: tuple[float, ...] = (50, 150, 400, 1000)
    rules: tuple[SegmentRule, ...] = field(default=DEFAULT_RULES)

    def __post_init__(self) -> None:
        if self.frequency not in ("days", "orders") or self.monetary not in ("total", "average"):
            raise ValueError("frequency is 'days' or 'orders'; monetary is 'total' or 'average'")
        if self.method not in ("quintile", "cuts"):
            raise ValueError("method is 'quintile' or 'cuts'")
        for cuts in (self.r_cuts, self.f_cuts, self.m_cuts):
            if len(cuts) != 4 or list(cuts) != sorted(cuts):
                raise ValueError("cut points are four ascending numbers")

    def params(self) -> dict:
        return {"frequency": self.frequency, "monetary": self.monetary, "method": self.method,
                "r_cuts": list(map(float, self.r_cuts)), "f_cuts": list(map(float, self.f_cuts)),
                "m_cuts": list(map(float, self.m_cuts)), "rules": rules_param(self.rules)}
