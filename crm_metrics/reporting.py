"""The reporting layer: derived tables the reports read (``rpt_orders``, ``rpt_customers``).

They are rebuilt from the canonical tables whenever the data version (``import_ledger``) moves past
the version they were built for, or their SQL changed: in one transaction, under the write lock, by the
entry point that notices (a report by name, the application layer, the command line). Imports therefore
stay as fast as they are, and every report sees a consistent layer.

Each table is one file of ``sql/layer/`` stating its grain and, on a ``-- requires:`` line, the layer
tables it reads: the build order is derived from those declarations (:func:`build_order`), and the
layer's version is the fingerprint of the files' text (:func:`fingerprint`), so that a release that
changes a table's SQL rebuilds the layer of every database it opens.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from contextlib import suppress
from dataclasses import dataclass
from functools import cache

import duckdb

from crm_metrics import db

LAYER_DIR = db.SQL_DIR / "layer"
_REQUIRES = re.compile(r"^-- requires:(.*)$", re.MULTILINE)
_TEMPORARY = re.compile(r"^-- temporary:", re.MULTILINE)
FINGERPRINT_BITS = 20  # the layer's version is data version * 2**20 + the fingerprint of its SQL


@dataclass(frozen=True)
class Step:
    """One table of the layer: its file ``sql/layer/<name>.sql``, the layer tables it reads, and whether it is a
    scratch table dropped once the layer is built."""

    name: str
    requires: tuple[str, ...]
    temporary: bool
    query: str  # the name crm_metrics.db runs the file by ("layer/<name>")


def steps() -> dict[str, Step]:
    """Every table of the layer as its file declares it, by name."""
    found = {}
    for path in sorted(LAYER_DIR.glob("*.sql")):
        text = path.read_text(encoding="utf-8")
        declared = _REQUIRES.search(text)
        if declared is None:
            raise ValueError(f"sql/layer/{path.name} does not say which layer tables it requires (-- requires:)")
        requires = tuple(sorted(n for n in re.findall(r"\b(?:rpt_\w+|contact_pairs)\b", declared.group(1))))
        query = path.relative_to(db.SQL_DIR).with_suffix("").as_posix()
        found[path.stem] = Step(path.stem, requires, bool(_TEMPORARY.search(text)), query)
    return found


@cache
def build_order() -> tuple[Step, ...]:
    """The layer's tables in an order where each comes after the tables it requires (alphabetical among those
    ready at once, so that the order is the same on every machine)."""
    remaining = steps()
    unknown = {r for step in remaining.values() for r in step.requires} - remaining.keys()
    if unknown:
        raise ValueError(f"the layer requires tables no file builds: {', '.join(sorted(unknown))}")
    order: list[Step] = []
    while remaining:
        built = {step.name for step in order}
        ready = sorted(name for name, step in remaining.items() if set(step.requires) <= built)
        if not ready:
            raise ValueError(f"the layer's tables require each other in a loop: {', '.join(sorted(remaining))}")
        order.extend(remaining.pop(name) for name in ready)
    return tuple(order)


@cache
def fingerprint() -> int:
    """A number that changes when the text of any layer file (or a file one includes) changes."""
    digest = hashlib.sha256()
    for step in build_order():
        digest.update(step.name.encode() + b"\0" + db.load_sql(step.query).encode() + b"\0")
    return int.from_bytes(digest.digest()[:4], "big") % (1 << FINGERPRINT_BITS)


class ReportsNotRebuilt(RuntimeError):
    """The rebuild could not be written (the disk is full); the layer built before is intact and still read."""


def _version(cur) -> tuple[int, int | None]:
    """(what the layer should be built for, what it was built for): data version and layer format."""
    current = (int(db.scalar(cur, "data_version")) << FINGERPRINT_BITS) + fingerprint()
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
                build(writer, current)
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


def build(writer, version: int) -> None:
    """Build every table of the layer in :func:`build_order` on ``writer`` (inside the caller's transaction),
    drop the scratch tables and record ``version``."""
    from crm_metrics.filters import Filters
    from crm_metrics.segments import RFMOptions

    # rpt_customer_segments scores every customer with the default options, no filters, as of the last order
    params = {**Filters().params(), **RFMOptions().params(), "before": None, "from_totals": True}
    for step in build_order():
        if step.name == "rpt_customer_segments":
            params["as_of"] = writer.execute("SELECT max(order_date) FROM rpt_orders").fetchone()[0]
        db.execute(writer, step.query, params)
    for step in build_order():
        if step.temporary:
            db.execute(writer, "drop_scratch_table", idents={"table": step.name})
    db.execute(writer, "stamp_reporting", {"layer_version": version})


def data_span(cur) -> tuple[dt.date | None, dt.date | None]:
    """First and last completed order dates (None, None when there are none)."""
    first, last = db.run(cur, "data_span").fetchall()[0]
    return first, last
