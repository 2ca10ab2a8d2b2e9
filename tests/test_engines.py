"""The same reports on both engines: DuckDB (embedded) and Spark (local[2]) reading the same data from
Parquet, through the same .sql files (transpiled by sqlglot for Spark). Counts, text and dates must be
equal; floats (money comes back as float on both, from exact decimal sums) within 1e-9 relative."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from db_helpers import write_lake

import crm_metrics
from crm_metrics import clv, db
from crm_metrics import spark as spark_engine
from crm_metrics.export import public
from crm_metrics.importing import import_file
from crm_metrics.reports import data_version
from crm_metrics.schema import TABLE_ORDER

ROOT = Path(__file__).resolve().parent.parent

# every report but the import ledger, which only the embedded database keeps (the lake is not imported into)
ENGINE_REPORTS = sorted(set(crm_metrics.REPORTS) - {"imports"})


@pytest.fixture(scope="module")
def engines(tmp_path_factory):
    """(DuckDB connection, Spark connection, the lake's table mapping) over the shipped workshop sample."""
    duck = db.connect(":memory:")
    for table in TABLE_ORDER:
        import_file(duck, table, ROOT / "sample_data" / f"{table}.csv")
    mapping = write_lake(duck, tmp_path_factory.mktemp("lake"))
    spark = spark_engine.connect("local[2]", mapping)
    spark.spark.sparkContext.setLogLevel("ERROR")
    yield duck, spark, mapping
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
    duck, spark, _ = engines
    ours, theirs = crm_metrics.report(duck, name), crm_metrics.report(spark, name)
    if name == "tables":
        # the import ledger's columns say how the embedded database was filled; the lake was not imported into
        assert (theirs["imports"] == 0).all() and theirs["last_imported_at"].isna().all()
        ours, theirs = ours[["table_name", "row_count"]], theirs[["table_name", "row_count"]]
    assert_same(ours, theirs)


def test_the_command_line_reports_from_the_lake(engines, monkeypatch, tmp_path, capsys):
    from crm_metrics.__main__ import main

    duck, _, mapping = engines
    monkeypatch.setenv("CRM_ENGINE", "spark")
    monkeypatch.setenv("CRM_SPARK", "local[2]")
    monkeypatch.setenv("CRM_SPARK_TABLES", json.dumps(mapping))
    assert main(["report", "segments", "--format", "csv"]) == 0
    printed = pd.read_csv(io.StringIO(capsys.readouterr().out))
    expected = crm_metrics.report(duck, "segments")
    assert printed["segment"].tolist() == expected["segment"].tolist()
    assert printed["customers"].tolist() == expected["customers"].tolist()
    np.testing.assert_allclose(printed["revenue"], expected["revenue"], rtol=1e-12)
    assert main(["import", "orders", str(tmp_path / "orders.csv")]) == 2
    assert "only `report` and `predict` run on Spark" in capsys.readouterr().err


def test_customers_are_scored_part_by_part_from_the_lake(engines, monkeypatch, tmp_path, capsys):
    """The CLV models fitted on a sample of the lake's customers (every k-th) and every customer scored
    part by part: the same file as the embedded engine writes."""
    from crm_metrics.__main__ import main

    duck, _, mapping = engines
    out = {"duck": tmp_path / "duck.parquet", "spark": tmp_path / "spark.parquet"}
    args = ["predict", "--parts", "3", "--fit-customers", "2000"]
    assert main(["--db", ":memory:", *args, "--out", str(out["duck"])]) == 1  # an empty database: nothing
    capsys.readouterr()
    monkeypatch.setenv("CRM_ENGINE", "spark")
    monkeypatch.setenv("CRM_SPARK", "local[2]")
    monkeypatch.setenv("CRM_SPARK_TABLES", json.dumps(mapping))
    assert main([*args, "--out", str(out["spark"])]) == 0
    assert "read one customer in 3 and were fitted on" in capsys.readouterr().err
    expected = clv.fit_models(duck.cursor(), None, None, clv.CLVOptions(fit_customers=2000))
    assert expected.sample_every == 3
    expected = public(pd.concat(clv.score_parts(duck.cursor(), expected, 3)))  # the file leaves the key out
    assert_same(expected.reset_index(drop=True), pd.read_parquet(out["spark"]))


def test_reading_the_lake_again_shows_what_it_gained(engines, tmp_path):
    """The lake keeps no import ledger: the reporting layer is the lake as it was when read, until it is
    read again (a new customer with an order shows in the segments then, not before)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    duck, spark, _ = engines
    folder = tmp_path / "lake"
    mapping = write_lake(duck, folder)
    lake = spark_engine.connect(None, mapping, spark=spark.spark)  # the session's views now read this lake
    try:
        scored = lambda: int(crm_metrics.report(lake, "segments")["customers"].sum())  # noqa: E731
        before, version = scored(), data_version(lake)
        for table, key in (("customers", "customer_id"), ("orders", "order_id")):
            rows = pq.read_table(folder / f"{table}.parquet")
            last = rows.slice(rows.num_rows - 1, 1)
            extra = last.set_column(last.schema.get_field_index(key), key, pa.array(["LATECOMER"]))
            if table == "orders":  # a completed order of the new customer
                for column, value in (("customer_id", "LATECOMER"), ("status", "completed")):
                    extra = extra.set_column(extra.schema.get_field_index(column), column, pa.array([value]))
            pq.write_table(pa.concat_tables([rows, extra]), folder / f"{table}.parquet")
        assert scored() == before  # the layer as it was read
        lake.refresh()
        assert data_version(lake) != version
        assert scored() == before + 1
    finally:
        spark.refresh()  # the module's connection reads its own lake again
