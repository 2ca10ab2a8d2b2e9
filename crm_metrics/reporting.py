"""The reporting layer: derived tables the reports read (``rpt_orders``, ``rpt_customers``).

They are rebuilt from the canonical tables whenever the data version (``import_ledger``) moves past
the version they were built for, or their SQL changed: in one transaction, under the write lock, by the
entry point that notices (a report by name, the application layer, the command line). Imports therefore
stay as fast as they are, and every report sees a consistent layer.

Each table is one file of ``sql/layer/`` stating its grain and, on a ``-- requires:`` line, the layer
tables it reads: the build order is derived from those declarations (:func:`build_order`), and the
layer's version is the fingerprint of the files' text (:func:`fingerprint`), so that a release that
changes a table's SQL rebuilds the layer of every database it opens.

After imports that only appended orders, the layer is refreshed instead of rebuilt (:func:`refresh`): only
the rows of the customers whose orders arrived are recomputed, as each file's ``-- after appended orders:``
line says, and the result equals a full build (tests/test_reporting_layer.py).
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
_AFTER_APPEND = re.compile(r"^-- after appended orders: (kept|rebuilt|refreshed)(?: by ([a-z_]+))?", re.MULTILINE)
FINGERPRINT_BITS = 20  # the layer's version is data version * 2**20 + the fingerprint of its SQL
IMPORT_STEP = 1000003  # sql/data_version.sql: data version = last import id * IMPORT_STEP + imports undone
REFRESH_SHARE = 0.25  # above this share of the customers changed by an append, the whole layer is rebuilt


@dataclass(frozen=True)
class Step:
    """One table of the layer: its file ``sql/layer/<name>.sql``, the layer tables it reads, and whether it is a
    scratch table dropped once the layer is built."""

    name: str
    requires: tuple[str, ...]
    temporary: bool
    query: str  # the name crm_metrics.db runs the file by ("layer/<name>")
    after_append: str = "rebuilt"  # after an append of orders: "kept", "rebuilt" or "refreshed" (changed rows only)
    refresh_by: str | None = None  # refreshed: the column its changed rows are found by, or the query that does it


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
        after = _AFTER_APPEND.search(text)
        if after is None:
            raise ValueError(f"sql/layer/{path.name} does not say what a refresh after appended orders does with it "
                             "(-- after appended orders:)")
        found[path.stem] = Step(path.stem, requires, bool(_TEMPORARY.search(text)), query, *after.groups())
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
        refresh = db.load_sql(step.refresh_by) if step.refresh_by and step.refresh_by.startswith("refresh_") else ""
        for text in (step.name, db.load_sql(step.query), db.load_sql(step.query, changed=True), refresh):
            digest.update(text.encode() + b"\0")
    digest.update(db.load_sql("layer_changed").encode())
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
    """Bring the reporting layer up to date if the data changed since it was built: refreshed after imports
    that only appended orders (:func:`refresh`), rebuilt otherwise. Returns True if it did either.

    Takes any cursor of the database; the work runs on a cursor of its own.
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
                since = appended_since(writer, built)
                if since is None or not refresh(writer, since, current):
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
    params = _build_params()
    for step in build_order():
        _build_step(writer, step, params)
    _finish_build(writer, version)


def _build_params() -> dict:
    from crm_metrics.filters import Filters
    from crm_metrics.segments import RFMOptions

    # rpt_customer_segments scores every customer with the default options, no filters, as of the last order
    return {**Filters().params(), **RFMOptions().params(), "before": None, "from_totals": True}


def _build_step(writer, step: Step, params: dict, changed: bool = False) -> None:
    if step.name == "rpt_customer_segments":
        params["as_of"] = db.scalar(writer, "layer_as_of")
    db.run_script(writer, db.load_sql(step.query, changed=changed), params).fetchall()


def _finish_build(writer, version: int, scratch: list[str] | None = None) -> None:
    """Drop the scratch tables and record the version the layer was built for."""
    for name in [step.name for step in build_order() if step.temporary] + (scratch or []):
        db.execute(writer, "drop_scratch_table", idents={"table": name})
    db.execute(writer, "stamp_reporting", {"layer_version": version})


def appended_since(cur, built: int | None) -> int | None:
    """The last import the layer was built for, when every import since appended orders and nothing else (no
    row updated, none undone, the layer's SQL unchanged); None when the whole layer must be rebuilt."""
    if built is None or built % (1 << FINGERPRINT_BITS) != fingerprint():
        return None
    since, undone = divmod(built >> FINGERPRINT_BITS, IMPORT_STEP)
    if db.scalar(cur, "undone_imports") != undone:
        return None
    imports, appended = db.run(cur, "appended_imports", {"since": since}).fetchall()[0]
    return since if imports and appended else None


def refresh(writer, since: int, version: int) -> bool:
    """Bring the layer up to date after imports that appended orders (those after import ``since``): only the
    rows of the customers whose orders arrived are recomputed, as each table's file declares ("-- after
    appended orders:"): refreshed by those customers' rows (the file's "-- @changed" lines keep it to them) or by
    a refresh query of its own (sums updated by the appended orders); rebuilt whole (the segments, whose
    quintiles rank every customer); or kept (an append cannot change it). Inside the caller's transaction.
    Returns False, having changed nothing, when the append touched so many customers (REFRESH_SHARE) that a
    full build is as quick.

    The result equals a full build (tests/test_reporting_layer.py), except that rpt_orders holds the
    refreshed rows after the others instead of in date order until the next full build.
    """
    changed, customers = db.run(writer, "layer_changed", {"since": since}).fetchall()[0]
    if changed > REFRESH_SHARE * max(customers, 1):
        db.execute(writer, "drop_scratch_table", idents={"table": "layer_keys"})
        return False
    params = _build_params()
    for step in build_order():
        if step.after_append == "kept":
            continue
        if step.after_append == "rebuilt" or step.temporary:
            _build_step(writer, step, params, changed=step.after_append == "refreshed")
        elif step.refresh_by.startswith("refresh_"):
            db.execute(writer, step.refresh_by, {"since": since})
        else:
            db.execute(writer, "forget_changed_rows", idents={"table": step.name, "column": step.refresh_by})
            text = db.load_sql(step.query, changed=True)
            insert, replaced = _CREATE.subn(r"INSERT INTO \1", text)
            if replaced != 1:
                raise ValueError(f"sql/layer/{step.name}.sql: a refreshed table is built by one CREATE OR REPLACE "
                                 "TABLE ... AS")
            db.run_script(writer, insert).fetchall()
    _finish_build(writer, version, ["layer_keys"])
    return True


_CREATE = re.compile(r"^CREATE OR REPLACE TABLE (rpt_\w+) AS", re.MULTILINE)


def data_span(cur) -> tuple[dt.date | None, dt.date | None]:
    """First and last completed order dates (None, None when there are none)."""
    first, last = db.run(cur, "data_span").fetchall()[0]
    return first, last
