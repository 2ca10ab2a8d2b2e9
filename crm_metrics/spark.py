"""The Spark engine: the same reports on Apache Spark, computed where the data lives.

There is no second copy of any query. :func:`crm_metrics.db.run` hands each statement of a
``sql/<name>.sql`` file to the cursor it is given; a :class:`SparkCursor` transpiles the statement from
DuckDB's dialect to Spark SQL with sqlglot (once per statement text) and runs it with its ``$named``
parameters passed as Spark named parameters (``spark.sql(text, args=...)``). A construct that does not
transpile is rewritten in the one .sql file so that it runs on both engines.

Configuration (environment variables; see the README, "Running on Spark"):

``CRM_ENGINE=spark``
    Use this engine (the default, ``duckdb``, is the embedded database).
``CRM_SPARK``
    A Spark Connect URL (``sc://host:15002``) or a master (``local[2]``, the default).
``CRM_SPARK_TABLES``
    A JSON object, or the path of a JSON file holding one, mapping each canonical table to a Spark table
    (``"lake.crm.orders"``) or to files with their format (``"parquet:s3a://bucket/crm/orders"``,
    ``"delta:/lake/orders"``). A table left out is empty. Columns are read by their canonical names
    and cast to the canonical types; a column the source lacks is NULL.

What the engine maps, statement by statement:

- a query runs as Spark SQL and its result comes back through Arrow, converted exactly as DuckDB
  converts its own results (so a report's pandas types are the same on both engines);
- ``CREATE TABLE ... AS`` (the reporting layer, ``rpt_*``) becomes a temporary view over a locally
  checkpointed DataFrame of the Spark session: computed once on the cluster and held there;
  ``CREATE TEMP TABLE`` (the scratch tables of one unit of work) the same under a name private to the
  cursor; ``INSERT`` appends by a union, ``DELETE`` without a condition empties, ``DROP`` drops;
- ``BEGIN`` / ``COMMIT`` / ``ROLLBACK`` / ``CHECKPOINT`` do nothing: the lake is read, never written
  (imports stay on DuckDB);
- the masked views (``sql/create_schema.sql``) are transpiled too, and a cursor restricted to masked
  personal data reads them in place of ``customers`` and ``surveys``.

The lake keeps no import ledger, so its data version is fixed for a connection: the reporting layer is
built once per connection (once per server start in the app); restart to read what the lake gained since.
"""

from __future__ import annotations

import itertools
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa
import sqlglot
from sqlglot import exp

from crm_metrics.schema import TABLES

SPARK_ENV = "CRM_SPARK"
TABLES_ENV = "CRM_SPARK_TABLES"
DEFAULT_MASTER = "local[2]"
MASKED = ("customers", "surveys")
_NO_OPS = {"BEGIN", "BEGIN TRANSACTION", "COMMIT", "ROLLBACK", "CHECKPOINT"}
_SEARCH_PATH = re.compile(r"^SET\s+search_path\s*=\s*'([^']*)'$", re.IGNORECASE)
# the support tables the reports read besides the canonical six (their shapes come from create_schema.sql); the
# lake keeps no targets or alerts, so they are empty there
SUPPORT_TABLES = ("import_ledger", "rpt_state", "crm_targets", "crm_alerts")


@dataclass(frozen=True)
class Source:
    """Where one canonical table lives in the lake: a Spark table name, or ``format:path``."""

    table: str
    location: str

    def read(self, spark):
        kind, sep, path = self.location.partition(":")
        if sep and kind.lower() in ("parquet", "delta", "orc", "json"):
            return spark.read.format(kind.lower()).load(path)
        return spark.table(self.location)


def sources(mapping: Mapping[str, str] | str | None = None) -> dict[str, Source]:
    """The table mapping: ``mapping`` itself, or ``CRM_SPARK_TABLES`` (JSON text or a JSON file's path)."""
    if mapping is None:
        mapping = os.environ.get(TABLES_ENV, "")
    if isinstance(mapping, str):
        text = mapping.strip()
        if text and not text.startswith("{"):
            text = Path(text).read_text(encoding="utf-8")
        mapping = json.loads(text) if text else {}
    unknown = sorted(set(mapping) - set(TABLES))
    if unknown:
        raise ValueError(f"{TABLES_ENV} names tables that do not exist: {', '.join(unknown)}; the canonical tables "
                         f"are {', '.join(TABLES)}")
    return {table: Source(table, str(location)) for table, location in mapping.items()}


def session(url: str | None = None):
    """A Spark session: Spark Connect for ``sc://`` URLs, else a classic session on the given master."""
    from pyspark.sql import SparkSession

    url = url or os.environ.get(SPARK_ENV) or DEFAULT_MASTER
    builder = SparkSession.builder.appName("crm-dashboard")
    if url.startswith("sc://"):
        return builder.remote(url).getOrCreate()
    return (builder.master(url)
            # a local master runs in this process's JVM: its memory is the driver's (CRM_SPARK_MEMORY, default 4g)
            .config("spark.driver.memory", os.environ.get("CRM_SPARK_MEMORY", "4g"))
            .config("spark.ui.enabled", "false")
            .config("spark.sql.shuffle.partitions", "8")
            .config("spark.sql.session.timeZone", "UTC")
            .getOrCreate())


def connect(url: str | None = None, tables: Mapping[str, str] | str | None = None,
            spark=None) -> SparkConnection:
    """A connection to the lake: the canonical tables as temporary views of a Spark session."""
    return SparkConnection(spark or session(url), sources(tables))


# --------------------------------------------------------------------------------------------------
# Shapes, from the embedded schema (one definition of every table: sql/create_schema.sql)


@cache
def _shapes() -> dict[str, list[tuple[str, str]]]:
    """Every table of the embedded schema: its columns and their Spark SQL types, in order."""
    from crm_metrics import db

    con = db.connect(":memory:")
    try:
        rows = db.run(con.cursor(), "table_columns").fetchall()
    finally:
        con.close()
    shapes: dict[str, list[tuple[str, str]]] = {}
    for table, column, data_type in rows:
        spark_type = exp.DataType.build(data_type, dialect="duckdb").sql(dialect="spark")
        shapes.setdefault(table, []).append((column, spark_type))
    return shapes


@cache
def _masked_view_queries() -> dict[str, str]:
    """The masked views of sql/create_schema.sql as Spark SQL queries over the plain tables."""
    from crm_metrics import db

    queries = {}
    for statement in sqlglot.parse(db.load_sql("create_schema"), read="duckdb"):
        if isinstance(statement, exp.Create) and statement.args.get("kind") == "VIEW":
            target = statement.this
            if target.db == "masked" and target.name in MASKED:
                query = statement.expression.copy()
                for table in query.find_all(exp.Table):
                    table.set("db", None)
                queries[target.name] = query.sql(dialect="spark")
    return queries


# --------------------------------------------------------------------------------------------------
# Statements


@cache
def _parse(text: str) -> exp.Expression:
    return sqlglot.parse_one(text, read="duckdb")


def _spark_args(params: Mapping[str, Any] | None) -> dict[str, Any]:
    """Parameters as Spark accepts them: literals and lists as they are; records (the RFM rules) as structs,
    built with constructor functions, the only expressions Spark takes as arguments."""
    from pyspark.sql import functions as F

    def record(value: Mapping) -> Any:
        return F.struct(*[F.lit(v).alias(k) for k, v in value.items()])

    def convert(value: Any) -> Any:
        if isinstance(value, Mapping):
            return record(value)
        if isinstance(value, (list, tuple)):
            return F.array(*map(record, value)) if any(isinstance(v, Mapping) for v in value) else list(value)
        return value

    return {name: convert(value) for name, value in (params or {}).items()}


def _naive_timestamps(table: pa.Table) -> pa.Table:
    """Timestamps as DuckDB returns them: without a time zone (the session's is UTC)."""
    for i, field in enumerate(table.schema):
        if pa.types.is_timestamp(field.type) and field.type.tz is not None:
            table = table.set_column(i, field.name, table.column(i).cast(pa.timestamp(field.type.unit)))
    return table


class SparkConnection:
    """The lake as the reports see it: the six canonical tables (and empty support tables) as temporary
    views of one Spark session. Cursors share the session; each keeps its scratch tables private."""

    def __init__(self, spark, table_sources: Mapping[str, Source]):
        self.spark = spark
        self.sources = dict(table_sources)
        self._ids = itertools.count(1)
        self.generation = 0  # how many times the lake was read again (see refresh)
        self._register()

    def _register(self) -> None:
        shapes = _shapes()
        for table in TABLES:
            self._register_canonical(table, shapes[table])
        for table in SUPPORT_TABLES:  # empty: the reporting layer is built afresh for each reading of the lake
            self._empty_view(table, shapes[table])
        for name, query in _masked_view_queries().items():
            self.spark.sql(query).createOrReplaceTempView(f"masked_{name}")

    def refresh(self) -> None:
        """Read the lake again: the canonical views over what it holds now (new files of a Parquet folder, a
        Delta table's latest version) and an empty reporting layer, which the next report builds afresh.
        The lake keeps no import ledger to say that it changed, so this is the user's (or a schedule's) call;
        ``generation`` counts the readings and is part of the data version that keys cached results."""
        self.generation += 1
        self._register()

    def _register_canonical(self, table: str, shape: list[tuple[str, str]]) -> None:
        source = self.sources.get(table)
        if source is None:
            self._empty_view(table, shape)
            return
        frame = source.read(self.spark)
        present = {c.lower(): c for c in frame.columns}
        from pyspark.sql import functions as F

        columns = [(F.col(f"`{present[name.lower()]}`") if name.lower() in present else F.lit(None))
                   .cast(spark_type).alias(name) for name, spark_type in shape]
        frame.select(*columns).createOrReplaceTempView(table)

    def _empty_view(self, table: str, shape: list[tuple[str, str]]) -> None:
        schema = ", ".join(f"`{name}` {spark_type}" for name, spark_type in shape)
        self.spark.createDataFrame([], schema).createOrReplaceTempView(table)

    def next_id(self) -> int:
        return next(self._ids)

    def cursor(self) -> SparkCursor:
        return SparkCursor(self)

    def execute(self, statement: str, params: Mapping[str, Any] | None = None) -> SparkCursor:
        return self.cursor().execute(statement, params)

    def close(self) -> None:
        """Nothing to release: the Spark session outlives a connection (it is the cluster's)."""


class SparkCursor:
    """One unit of work on the Spark engine, with the DuckDB cursor methods the reports use."""

    def __init__(self, connection: SparkConnection):
        self.connection = connection
        self.spark = connection.spark
        self._id = connection.next_id()
        self._private: dict[str, str] = {}  # scratch table -> this cursor's view name
        self._masked = False
        self._result: pa.Table | None = None

    # DuckDB's cursor API ------------------------------------------------------------------------

    def cursor(self) -> SparkCursor:
        return self.connection.cursor()

    def execute(self, statement: str, params: Mapping[str, Any] | None = None) -> SparkCursor:
        self._result = None
        text = statement.strip().rstrip(";").strip()
        if " ".join(text.upper().split()) in _NO_OPS:
            return self
        search_path = _SEARCH_PATH.match(text)
        if search_path:
            self._masked = "masked" in search_path.group(1).split(",")
            return self
        tree = _parse(text).copy()
        if isinstance(tree, exp.Create):
            self._create(tree, params)
        elif isinstance(tree, exp.Insert):
            self._insert(tree, params)
        elif isinstance(tree, exp.Delete):
            self._delete(tree)
        elif isinstance(tree, exp.Drop):
            self._drop(tree)
        else:
            self._result = _naive_timestamps(self._query(tree, params).toArrow())
        return self

    def sql(self, statement: str, params: Mapping[str, Any] | None = None) -> SparkCursor:
        return self.execute(statement, params)

    def fetchall(self) -> list[tuple]:
        return [] if self._result is None else duckdb.from_arrow(self._result).fetchall()

    def fetchone(self) -> tuple | None:
        rows = self.fetchall()
        return rows[0] if rows else None

    def df(self) -> pd.DataFrame:
        """The result as DuckDB itself converts it (the same dtypes on both engines)."""
        return pd.DataFrame() if self._result is None else duckdb.from_arrow(self._result).df()

    fetchdf = df

    def to_arrow_table(self) -> pa.Table:
        return self._result if self._result is not None else pa.table({})

    def register(self, name: str, frame) -> None:
        table = frame if isinstance(frame, pa.Table) else pa.Table.from_pandas(frame, preserve_index=False)
        self.spark.createDataFrame(table).createOrReplaceTempView(self._private_name(name))

    def unregister(self, name: str) -> None:
        view = self._private.pop(name, None)
        if view:
            self.spark.catalog.dropTempView(view)

    def close(self) -> None:
        for view in self._private.values():
            self.spark.catalog.dropTempView(view)
        self._private.clear()

    # statements ---------------------------------------------------------------------------------

    def _private_name(self, name: str) -> str:
        self._private.setdefault(name, f"{name}__c{self._id}")
        return self._private[name]

    def _resolve(self, tree: exp.Expression) -> exp.Expression:
        """Table names as this cursor sees them: its scratch tables, and the masked views when restricted."""
        for node in list(tree.find_all(exp.PercentileCont)):
            # DuckDB's quantile_cont is Spark's exact percentile (linear interpolation), not percentile_cont
            node.replace(exp.Anonymous(this="PERCENTILE", expressions=[node.this, node.expression]))
        for node in list(tree.find_all(exp.Avg, exp.Div)):
            # DuckDB averages and divides exact decimals in floating point; Spark keeps them decimal and
            # rounds to six places. Floating point on both gives the same numbers.
            operand = node.this
            if not isinstance(operand, exp.Distinct) and not (isinstance(operand, exp.Cast)
                                                              and operand.to.is_type(exp.DataType.Type.DOUBLE)):
                operand.replace(exp.Cast(this=operand.copy(), to=exp.DataType.build("DOUBLE")))
        for cte in tree.find_all(exp.CTE):
            cte.set("materialized", None)  # a DuckDB planner hint; Spark decides for itself
        for table in tree.find_all(exp.Table):
            name, schema = table.name, table.db
            table.set("db", None)
            if name in self._private:
                table.set("this", exp.to_identifier(self._private[name]))
            elif name in MASKED and (schema == "masked" or (self._masked and schema != "main")):
                table.set("this", exp.to_identifier(f"masked_{name}"))
        return tree

    def _query(self, tree: exp.Expression, params: Mapping[str, Any] | None):
        text = self._resolve(tree).sql(dialect="spark")
        used = {k: v for k, v in (params or {}).items() if re.search(r":" + re.escape(k) + r"\b", text)}
        return self.spark.sql(text, args=_spark_args(used)) if used else self.spark.sql(text)

    def _target(self, tree: exp.Expression) -> str:
        table = tree.this if isinstance(tree.this, exp.Table) else tree.this.this
        return table.name

    def _view_name(self, name: str) -> str:
        return self._private.get(name, name)

    def _create(self, tree: exp.Create, params) -> None:
        kind = (tree.args.get("kind") or "").upper()
        properties = tree.args.get("properties")
        temporary = bool(properties and any(isinstance(p, exp.TemporaryProperty) for p in properties.expressions))
        name = self._target(tree)
        view = self._private_name(name) if temporary else name
        query = tree.expression
        if query is None:  # CREATE TABLE name (columns): an empty table of that shape
            columns = tree.this.expressions
            schema = ", ".join(f"`{c.name}` {c.args['kind'].sql(dialect='spark')}" for c in columns)
            self.spark.createDataFrame([], schema).createOrReplaceTempView(view)
            return
        frame = self._query(query, params)
        if kind == "TABLE":
            frame = frame.localCheckpoint()
        frame.createOrReplaceTempView(view)

    def _insert(self, tree: exp.Insert, params) -> None:
        name = self._target(tree)
        view = self._view_name(name)
        existing = self.spark.table(view)
        source = tree.expression
        if isinstance(source, exp.Values):
            source = exp.select("*").from_(exp.Subquery(this=source, alias=exp.TableAlias(this="v")))
        incoming = self._query(source, params)
        schema = tree.this if isinstance(tree.this, exp.Schema) else None
        names = [c.name for c in schema.expressions] if schema else existing.columns[:len(incoming.columns)]
        incoming = incoming.toDF(*names)
        from pyspark.sql import functions as F

        aligned = incoming.select(*[(F.col(f"`{c}`") if c in names else F.lit(None)).cast(t).alias(c)
                                    for c, t in existing.dtypes])
        existing.unionByName(aligned).localCheckpoint().createOrReplaceTempView(view)

    def _delete(self, tree: exp.Delete) -> None:
        if tree.args.get("where") is not None:
            raise NotImplementedError("the Spark engine reads the lake; it deletes only whole scratch tables")
        view = self._view_name(self._target(tree))
        self.spark.table(view).limit(0).localCheckpoint().createOrReplaceTempView(view)

    def _drop(self, tree: exp.Drop) -> None:
        for table in tree.args.get("tables") or [tree.this]:
            self.spark.catalog.dropTempView(self._private.pop(table.name, table.name))
