"""The store: one DuckDB file, one connection per process, one function that runs SQL.

Every query lives in ``sql/<name>.sql`` and runs through :func:`run`, which binds ``$named``
parameters. Identifiers cannot be bound; the few queries that work on several tables name them as
``{{placeholder}}`` and :func:`run` fills those only from :data:`IDENTIFIERS`, a fixed whitelist.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa

from crm_metrics.schema import TABLES

SQL_DIR = Path(__file__).parent / "sql"
DEFAULT_DB = Path("data") / "crm.duckdb"

# Identifiers a query may name through a {{placeholder}}: the canonical tables, their history tables
# and their columns.
IDENTIFIERS: frozenset[str] = frozenset(
    list(TABLES) + [f"{t}_history" for t in TABLES] + [c.name for t in TABLES.values() for c in t.columns]
    + [f"source_{t}" for t in TABLES]  # the canonical rows an import source declares (crm_metrics.importing.sources)
    + ["raw"] + [f"raw_{n}" for n in range(2, 6)]  # the files an import source reads, as text
    + [path.stem for path in (SQL_DIR / "layer").glob("*.sql")]  # the reporting layer's tables (one file each)
    + ["customer_key", "layer_keys"]  # a refresh of the layer: its changed customers, the column it finds them by
)

# Serialises writers inside this process (DuckDB would otherwise abort one of two conflicting
# transactions). Readers never take it: they see the last committed state.
WRITE_LOCK = threading.RLock()

_PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")


class DatabaseUnavailable(RuntimeError):
    """The database file cannot be opened (damaged, not a DuckDB file, not readable, in use); the message says
    which file and what to do."""


class DatabaseInUse(DatabaseUnavailable):
    """Another process holds the database file open."""


ENGINE_ENV = "CRM_ENGINE"


def engine_name() -> str:
    """``duckdb`` (the embedded database, the default) or ``spark`` (crm_metrics.spark), from ``CRM_ENGINE``."""
    name = os.environ.get(ENGINE_ENV, "duckdb").strip().lower() or "duckdb"
    if name not in ("duckdb", "spark"):
        raise ValueError(f"{ENGINE_ENV} must be duckdb or spark, not {name!r}")
    return name


def default_path() -> Path:
    """``CRM_DB`` if set, else ``data/crm.duckdb``."""
    return Path(os.environ.get("CRM_DB") or DEFAULT_DB)


def connect(path: str | os.PathLike[str] | None = None, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open (creating if needed) the CRM database and make sure the schema exists.

    Parameters
    ----------
    path : database file; ``":memory:"`` for a throw-away database. Defaults to :func:`default_path`.
    read_only : open without write access (the schema must already exist).
    """
    target = str(path) if path is not None else str(default_path())
    if target != ":memory:":
        Path(target).parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(target, read_only=read_only)
    except duckdb.Error as exc:
        if "lock" in str(exc).lower():
            raise DatabaseInUse(
                f"The database {target} is in use by another process (the app or another command). "
                "Stop it, or point this command at another file with --db or CRM_DB."
            ) from exc
        advice = ("make the file and its folder writable" if "read-only" in str(exc).lower()
                  else "restore it from a backup")
        raise DatabaseUnavailable(
            f"The database {target} cannot be opened ({str(exc).splitlines()[0]}). To use it, {advice}; or point "
            "the app at another file with CRM_DB (the command line: --db)."
        ) from exc
    try:
        return _prepared(con, read_only)
    except duckdb.Error as exc:  # a file DuckDB opens but cannot read or write (read-only, damaged inside)
        con.close()
        raise DatabaseUnavailable(f"The database {target} cannot be used ({str(exc).splitlines()[0]}). Check "
                                  "that the file and its folder are writable, or restore it from a backup.") from exc


def _prepared(con: duckdb.DuckDBPyConnection, read_only: bool) -> duckdb.DuckDBPyConnection:
    limit = os.environ.get("CRM_MEMORY_LIMIT")
    if limit:
        # DuckDB spills to disk beyond this (its default is 80% of RAM); a shared server sets it lower
        con.execute("SET memory_limit = $limit", {"limit": limit})
    if not read_only:
        cur = con.cursor()
        try:
            _ensure_schema(cur)
        finally:
            cur.close()
    return con


def _ensure_schema(cur: duckdb.DuckDBPyConnection) -> None:
    """Run the schema script when this database has not seen this version of it. Opening an up-to-date
    database writes nothing, so a database on a full disk still opens and serves its pages."""
    fingerprint = hashlib.sha256(load_sql("create_schema").encode("utf-8")).hexdigest()
    if scalar(cur, "schema_state_exists") and scalar(cur, "schema_state") == fingerprint:
        return
    cur.execute("BEGIN TRANSACTION")
    try:
        execute(cur, "create_schema")
        execute(cur, "save_schema_state", {"script_sha256": fingerprint})
        cur.execute("COMMIT")
    except BaseException:
        with suppress(duckdb.Error):
            cur.execute("ROLLBACK")
        raise


_INCLUDE = re.compile(r"^[ \t]*-- @include ([a-z0-9_]+)[ \t]*$", re.MULTILINE)


@cache
def load_sql(name: str, changed: bool = False) -> str:
    """The text of ``sql/<name>.sql``, with each ``-- @include other`` line replaced by ``sql/other.sql``
    (shared CTEs such as the filtered orders live in one file).

    ``-- @changed WHERE|AND COLUMN`` (COLUMN: ``[alias.]customer_id`` or ``[alias.]customer_key``) marks where a
    reporting layer file keeps to the customers an append of orders changed: with ``changed`` (a refresh of the
    layer, crm_metrics.reporting) it becomes ``WHERE|AND COLUMN IN (SELECT ... FROM layer_keys)``, otherwise
    (the full build) nothing.
    """
    if not re.fullmatch(r"(layer/)?[a-z0-9_]+", name):  # layer/: one file per table of the reporting layer
        raise ValueError(f"not a query name: {name!r}")
    text = (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")
    text = _FILTER.sub(_filter_condition, text)
    text = _CHANGED.sub(_CHANGED_CONDITION if changed else "", text)
    return _INCLUDE.sub(lambda m: load_sql(m.group(1)).strip(), text)


_CHANGED = re.compile(r"^([ \t]*)-- @changed (WHERE|AND) ((?:[a-z]\w*\.)?(customer_id|customer_key))[ \t]*$",
                      re.MULTILINE)
_CHANGED_CONDITION = r"\1\2 \3 IN (SELECT \4 FROM layer_keys)"


# "-- @filter attributes, order, sets [on ALIAS] [by customer_id] [with first_date]": the condition that keeps a
# table's rows inside the shared filters, written out from the dimensions' declarations (crm_metrics.dimensions)
_FILTER = re.compile(r"^([ \t]*)-- @filter ([a-z, ]+?)(?: on ([a-z]\w*))?(?: by (customer_id))?( with first_date)?"
                     r"[ \t]*$", re.MULTILINE)


def _filter_condition(match: re.Match[str]) -> str:
    from crm_metrics.dimensions import filter_sql

    groups = [g.strip() for g in match.group(2).split(",")]
    condition = filter_sql(groups, match.group(3), match.group(4) or "customer_key", bool(match.group(5)))
    return match.group(1) + condition


def render(name: str, idents: Mapping[str, str | Sequence[str]] | None = None) -> str:
    """The query text with its ``{{placeholders}}`` replaced by whitelisted, quoted identifiers.

    A placeholder's value is one identifier, or a sequence of them rendered as a comma-separated list
    (a composite key, a column list).
    """
    text = load_sql(name)
    idents = idents or {}

    def substitute(match: re.Match[str]) -> str:
        value = idents.get(match.group(1))
        names = [value] if isinstance(value, str) else list(value or [])
        if not names or any(n not in IDENTIFIERS for n in names):
            raise ValueError(f"identifier {value!r} for {{{{{match.group(1)}}}}} is not whitelisted")
        return ", ".join('"' + n + '"' for n in names)

    return _PLACEHOLDER.sub(substitute, text)


def run(
    cur: duckdb.DuckDBPyConnection,
    name: str,
    params: Mapping[str, Any] | None = None,
    idents: Mapping[str, str | Sequence[str]] | None = None,
) -> duckdb.DuckDBPyConnection:
    """Run ``sql/<name>.sql`` on ``cur`` with ``$named`` parameters; returns the cursor to fetch from.

    A file may hold several statements separated by ``;`` (only the last may return rows); parameters
    are bound to the statements that use them.
    """
    return run_script(cur, render(name, idents), params)


def run_script(cur: duckdb.DuckDBPyConnection, text: str, params: Mapping[str, Any] | None = None
               ) -> duckdb.DuckDBPyConnection:
    """Run the statements of a script held as text (a query file already rendered, or an import source's
    declaration: crm_metrics.importing.sources), binding each its ``$named`` parameters; returns the cursor."""
    statements = [s for s in _split(text) if s.strip()]
    for i, statement in enumerate(statements):
        cur.execute(statement, _used(params, statement))
        if i < len(statements) - 1:
            cur.fetchall()  # DuckDB 2.0: a result must be consumed before the next statement
    return cur


def execute(
    cur: duckdb.DuckDBPyConnection,
    name: str,
    params: Mapping[str, Any] | None = None,
    idents: Mapping[str, str | Sequence[str]] | None = None,
) -> None:
    """Run a query file for its effect (DDL, DML), consuming whatever it returns."""
    run(cur, name, params, idents).fetchall()


def query_arrow(cur: duckdb.DuckDBPyConnection, name: str, params: Mapping[str, Any] | None = None) -> pa.Table:
    """Run a one-statement query file and return its rows as an Arrow table (a million rows without
    Python objects; through the relational API, which hands DuckDB's result over without a copy)."""
    statement = render(name).strip().rstrip(";")
    return cur.sql(statement, params=_used(params, statement)).to_arrow_table()


def _used(params: Mapping[str, Any] | None, statement: str) -> dict[str, Any] | None:
    """The parameters ``statement`` names (DuckDB refuses unused ones); None when it names none."""
    used = {k: v for k, v in (params or {}).items() if re.search(r"\$" + re.escape(k) + r"\b", statement)}
    return used or None


def query_df(cur: duckdb.DuckDBPyConnection, name: str, params: Mapping[str, Any] | None = None,
             idents: Mapping[str, str | Sequence[str]] | None = None) -> pd.DataFrame:
    """Run a query file and return its rows as a DataFrame."""
    return run(cur, name, params, idents).df()


def _split(text: str) -> Iterator[str]:
    """Split a script on ``;`` outside quotes and comments."""
    buf: list[str] = []
    quote: str | None = None
    i = 0
    while i < len(text):
        ch = text[i]
        if quote:
            buf.append(ch)
            if ch == quote:
                quote = None
        elif ch in ("'", '"'):
            quote = ch
            buf.append(ch)
        elif text.startswith("--", i):
            end = text.find("\n", i)
            i = len(text) if end < 0 else end
            continue
        elif ch == ";":
            yield "".join(buf)
            buf = []
        else:
            buf.append(ch)
        i += 1
    yield "".join(buf)


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """A write transaction on a fresh cursor, serialised with :data:`WRITE_LOCK`.

    ``try/finally`` rather than ``except Exception``: Streamlit stops a script with a
    ``BaseException``, and the transaction must roll back then too.
    """
    with WRITE_LOCK:
        cur = con.cursor()
        cur.execute("BEGIN TRANSACTION")
        committed = False
        try:
            yield cur
            cur.execute("COMMIT")
            committed = True
        finally:
            if not committed:
                with suppress(duckdb.Error):
                    cur.execute("ROLLBACK")
            cur.close()


def checkpoint(con: duckdb.DuckDBPyConnection) -> None:
    """Write the WAL into the database file (after every import)."""
    with WRITE_LOCK:
        cur = con.cursor()
        try:
            cur.execute("CHECKPOINT")
        finally:
            cur.close()


def scalar(cur: duckdb.DuckDBPyConnection, name: str, params: Mapping[str, Any] | None = None,
           idents: Mapping[str, str | Sequence[str]] | None = None) -> Any:
    """The single value a query file returns (``None`` when it returns no row)."""
    rows = run(cur, name, params, idents).fetchall()
    return rows[0][0] if rows else None
