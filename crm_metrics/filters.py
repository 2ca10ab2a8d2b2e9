"""The shared filters every report accepts: one frozen value, bound to SQL as named parameters.

Empty lists mean "all": queries use ``(len($regions) = 0 OR list_contains($regions, region))``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Filters:
    """Date range (inclusive), regions and order channels. ``None`` dates mean open-ended."""

    start: dt.date | None = None
    end: dt.date | None = None
    regions: tuple[str, ...] = field(default_factory=tuple)
    channels: tuple[str, ...] = field(default_factory=tuple)

    def params(self) -> dict:
        """Named SQL parameters: $start, $end (NULL = open), $regions, $channels (empty = all)."""
        return {"start": self.start, "end": self.end, "regions": list(self.regions),
                "channels": list(self.channels)}

    def is_default(self) -> bool:
        return not (self.regions or self.channels)

    def describe(self) -> list[str]:
        """The active filters as short labels (for the breadcrumb and report headers)."""
        parts = []
        if self.start or self.end:
            parts.append(f"{self.start or '…'} to {self.end or '…'}")
        parts += [f"Region: {r}" for r in self.regions]
        parts += [f"Channel: {c}" for c in self.channels]
        return parts
