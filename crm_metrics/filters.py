"""The shared filters every report accepts: one frozen value, bound to SQL as named parameters.

Empty selections mean "all": queries use ``(len($region) = 0 OR list_contains($region, region))``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from crm_metrics.dimensions import DIMENSIONS


@dataclass(frozen=True)
class Filters:
    """The reporting period (inclusive) and the selected values per dimension.

    ``selections`` is a tuple of (dimension key, values) pairs, so that the value is hashable (a cache
    key); use :meth:`selected` to read it and :meth:`with_values` to change it.
    """

    start: dt.date | None = None
    end: dt.date | None = None
    selections: tuple[tuple[str, tuple[str, ...]], ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        unknown = [k for k, _ in self.selections if k not in DIMENSIONS]
        if unknown:
            raise ValueError(f"unknown filter dimension(s): {', '.join(unknown)}")

    @property
    def selected(self) -> dict[str, tuple[str, ...]]:
        return {k: v for k, v in self.selections if v}

    @property
    def selects_customers_only(self) -> bool:
        """Whether every active filter picks whole customers (a region, a cohort, ...) and none picks orders
        (a sales channel, a product category): a per-customer figure is then the same as without filters,
        for the customers kept."""
        return all(DIMENSIONS[k].level == "customer" for k in self.selected)

    def with_values(self, key: str, values) -> Filters:
        """A copy with ``key`` set to ``values`` (empty removes the filter)."""
        kept = {**self.selected, key: tuple(values)}
        return Filters(self.start, self.end, tuple((k, v) for k, v in sorted(kept.items()) if v))

    def with_period(self, start: dt.date | None, end: dt.date | None) -> Filters:
        return Filters(start, end, self.selections)

    def params(self) -> dict:
        """Named SQL parameters: one list per dimension ($region, $channel, ...), empty = all."""
        chosen = self.selected
        return {key: list(chosen.get(key, ())) for key in DIMENSIONS}

    def describe(self) -> list[str]:
        """The active dimension filters as short labels (for breadcrumbs and report headers)."""
        return [f"{DIMENSIONS[k].label}: {', '.join(v)}" for k, v in self.selected.items()]
