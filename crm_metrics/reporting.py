"""The reporting layer: derived tables the reports read (``rpt_orders``, ``rpt_customers``).

They are rebuilt from the canonical tables whenever the data version (``import_ledger``) moves past
the version they were built for: in one transaction, under the write lock, by the first report that
notices. Imports therefore stay as fast as they are, and every report sees a consistent layer.
"""

from __future__ import annotations

from crm_metrics import db

# Bump when the layer's tables change shape: databases built by an older release then rebuild too.
LAYER_VERSION = 18


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
            finally:
                if not committed:
                    writer.execute("ROLLBACK")
        finally:
            writer.close()
    return True


def _build_segments(writer) -> None:
    """Fill rpt_customer_segments (inside the rebuild's transaction): RFM with the default options as of
    the last order date, no filters."""
    from crm_metrics.filters import Filters
    from crm_metrics.rfm import RFMOptions

    as_of = writer.execute("SELECT max(order_date) FROM rpt_orders").fetchone()[0]
    if as_of is None:
        return
    db.execute(writer, "build_segments", {"as_of": as_of, "before": None, "from_totals": True, **Filters().params(),
                                          **RFMOptions().params()})
