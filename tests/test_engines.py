"""The same reports on both engines: DuckDB (embedded) and Spark (local[2]) reading the same data from
Parquet, through the same .sql files (transpiled by sqlglot for Spark). Counts, text and dates must be
equal; floats (money comes back as float on both, from exact decimal sums) within 1e-9 relative."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

import crm_metrics
from crm_metrics import db
from crm_metrics import spark as spark_engine
from crm_metrics.sample import SampleParams, load_sample
from crm_metrics.schema import TABLES

# every report but the import ledger, which only the embedded database keeps (the lake is not imported into)
ENGINE_REPORTS = sorted(set(crm_metrics.REPORTS) - {"imports"})


@pytest.fixture(scope="module")
def engines(tmp_path_factory):
    """(DuckDB connection, Spark connection) over the same seeded sample."""
    duck = db.connect(":memory:")
    load_sample(duck, SampleParams(customers=400, seed=21))
    folder = tmp_path_factory.mktemp("lake")
    mapping = {}
    for table in TABLES:
        # a fixed tuple of table names in test code
        pq.write_table(duck.sql(f'SELECT * FROM "{table}"').to_arrow_table(), folder / f"{table}.parquet")
        mapping[table] = f"parquet:{folder / table}.parquet"
    spark = spark_engine.connect("local[2]", mapping)
    spark.spark.sparkContext.setLogLevel("ERROR")
    yield duck, spark
    duck.close()


def normalised(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows in one order (ties may come back in either), NULLs as None."""
    frame = frame.reset_index(drop=True)
    key = frame.apply(lambda column: column.map(str)).agg("|".join, axis=1)
    return frame.iloc[np.argsort(key.to_numpy(), kind="stable")].reset_index(drop=True)


def assert_same(duck: pd.DataFrame, spark: pd.DataFrame) -> None:
    assert list(spark.columns) == list(duck.columns)
    assert len(spark) == len(duck)
    duck, spark = normalised(duck), normalised(spark)
    for column in duck.columns:
        a, b = duck[column], spark[column]
        if pd.api.types.is_float_dtype(a) or pd.api.types.is_float_dtype(b):
            np.testing.assert_allclose(b.astype(float), a.astype(float), rtol=1e-9, equal_nan=True,
                                       err_msg=column)
        else:
            assert b.astype(object).where(b.notna(), None).tolist() == \
                a.astype(object).where(a.notna(), None).tolist(), column


@pytest.mark.parametrize("name", ENGINE_REPORTS)
def test_every_report_is_the_same_on_spark(engines, name):
    duck, spark = engines
    ours, theirs = crm_metrics.report(duck, name), crm_metrics.report(spark, name)
    if name == "tables":
        # the import ledger's columns say how the embedded database was filled; the lake was not imported into
        assert (theirs["imports"] == 0).all() and theirs["last_imported_at"].isna().all()
        ours, theirs = ours[["table_name", "row_count"]], theirs[["table_name", "row_count"]]
    assert_same(ours, theirs)
