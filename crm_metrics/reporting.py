"""The reporting layer: derived tables the reports read (``rpt_orders``, ``rpt_customers``).

They are rebuilt from the canonical tables whenever the data version (``import_ledger``) moves past
the version they were built for: in one transaction, under the write lock, by the first report that
notices. Imports therefore stay as fast as they are, and every report sees a consistent layer.
"""

from __future__ import annotations

import datetime as dt
from contextlib import suppress

import duckdb

from crm_metrics import db

# Bump when the layer's tables change shape: databases built by an older release then rebuild too.
LAYER_VERSION = 18


class ReportsNotRebuilt(RuntimeError):
    """The rebuild could not be written (the disk is full); the layer built before is intact and still read."""


def _version(cur) -> tuple[int, int | None]:
    """(what the layer should be built for, what it was built for): data version and layer format."""
    current = int(db.scalar(cur, "data_version")) * 100 + LAYER_VERSION
    built = db.scalar(cur, "reporting_version")
    return current, (None if built is None else int(built))


def is_current(cur) -> bool:
    """Whether the reporting layer matches the data (two one-row queries)."""
    current, built = _version(cur)
    return current == built


def ensure_current(cur) -> bool:
    """Rebuild the reporting layer if the data changed since it was built. Returns True if it rebuilt.

    Takes any cursor of the database; the rebuild runs on a cursor of its own.
    """
    current, built = _version(cur)
    if current == built:
        return False
    with db.WRITE_LOCK:
        writer = cur.cursor()
        try:
            current, built = _version(writer)
            if current == built:  # another session rebuilt it while we waited for the lock
                return False
            writer.execute("BEGIN TRANSACTION")
            committed = False
            try:
                db.execute(writer, "build_reporting", {"data_version": current})
                _build_segments(writer)
                writer.execute("COMMIT")
                committed = True
            except duckdb.Error as exc:
                if _disk_full(exc):
                    raise ReportsNotRebuilt(
                        "The disk that holds the database is full, so the reports could not be brought up to date "
                        "with the latest import: they show the data as it was before it. Free some space and "
                        "reload.") from exc
                raise
            finally:
                if not committed:
                    with suppress(duckdb.TransactionException):  # a failed COMMIT has rolled back already
                        writer.execute("ROLLBACK")
        finally:
            writer.close()
    return True


def _disk_full(exc: Exception) -> bool:
    text = str(exc).lower()
    return "no space left" in text or "disk is full" in text or "disk full" in text


def _build_segments(writer) -> None:
    """Fill rpt_customer_segments (inside the rebuild's transaction): RFM with the default options as of
    the last order date, no filters."""
    from crm_metrics.filters import Filters
    from crm_metrics.segments import RFMOptions

    as_of = writer.execute("SELECT max(order_date) FROM rpt_orders").fetchone()[0]
    if as_of is None:
        return
    db.execute(writer, "build_segments", {"as_of": as_of, "before": None, "from_totals": True, **Filters().params(),
                                          **RFMOptions().params()})


def data_span(cur) -> tuple[dt.date | None, dt.date | None]:
    """First and last completed order dates (None, None when there are none)."""
    ensure_current(cur)
    first, last = db.run(cur, "data_span").fetchall()[0]
    return first, last
