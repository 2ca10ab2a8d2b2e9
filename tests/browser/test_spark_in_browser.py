"""The app on the Spark engine in a real browser: the lake (Parquet files of the workshop sample) read by
Spark local[2], no embedded database file created, the Overview's revenue the same as DuckDB computes it
from the same data, and the Data page showing where the lake keeps each table."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from browser_helpers import shoot
from conftest import start_app, stop_app
from db_helpers import write_lake

from crm_metrics import db, reporting
from crm_metrics.filters import Filters
from crm_metrics.formatting import money_short
from crm_metrics.importing import import_file
from crm_metrics.kpis import Period, kpi_values
from crm_metrics.schema import TABLE_ORDER

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'


@pytest.fixture
def lake(tmp_path):
    """(CRM_SPARK_TABLES file, the Overview's default revenue as DuckDB computes it) for the workshop sample."""
    con = db.connect(tmp_path / "source.duckdb")
    for table in TABLE_ORDER:
        import_file(con, table, ROOT / "sample_data" / f"{table}.csv")
    reporting.ensure_current(con)  # what an entry point does after an import
    mapping = write_lake(con, tmp_path / "lake")
    end = con.execute("SELECT max(order_date) FROM orders WHERE status = 'completed'").fetchall()[0][0]
    cur = con.cursor()
    revenue = kpi_values(cur, Period(end - dt.timedelta(days=89), end), Filters())["revenue"]
    cur.close()
    con.close()
    tables = tmp_path / "tables.json"
    tables.write_text(json.dumps(mapping), encoding="utf-8")
    return tables, money_short(revenue)


def _settle(page) -> None:
    # the first run starts Spark and builds the reporting layer on it: minutes on a slow machine
    page.wait_for_selector(IDLE, timeout=300_000)
    page.wait_for_timeout(500)
    page.wait_for_selector(IDLE, timeout=300_000)


def test_the_app_runs_on_spark(browser_instance, lake, tmp_path):
    tables, revenue = lake
    unused = tmp_path / "never-created.duckdb"
    proc, url = start_app(unused, CRM_ENGINE="spark", CRM_SPARK="local[2]", CRM_SPARK_TABLES=str(tables))
    try:
        page = browser_instance.new_page(viewport={"width": 1400, "height": 2200})
        page.goto(url + "/")
        _settle(page)
        assert page.locator('[data-testid="stException"]').count() == 0
        card = page.get_by_test_id("stMetric").filter(has=page.get_by_text("Revenue", exact=True)).first
        assert card.get_by_test_id("stMetricValue").inner_text() == revenue
        shoot(page, "overview-spark-1400")
        page.goto(url + "/data")
        _settle(page)
        assert page.locator('[data-testid="stException"]').count() == 0
        assert page.get_by_text("read by Spark where the lake keeps them", exact=False).is_visible()
        assert page.get_by_text("Import a CSV file").count() == 0
        shoot(page, "data-spark-1400")
        page.close()
    finally:
        stop_app(proc)
    assert not unused.exists()
