"""The catalog is the one description of every number; the README's table and the HTML report follow it."""

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from crm_metrics.catalog import ALL_METRICS, METRICS, markdown_table
from crm_metrics.dimensions import drill_level
from crm_metrics.filters import Filters
from crm_metrics.formatting import by_unit, change_text
from crm_metrics.kpis import Period, change, headline, trend_window

ROOT = Path(__file__).resolve().parent.parent


def test_readme_metric_table_is_the_catalog():
    assert markdown_table() in (ROOT / "README.md").read_text(encoding="utf-8"), \
        "README metric table is stale: paste the output of `python -m crm_metrics catalog`"


def test_every_metric_is_fully_described():
    assert len({m.key for m in ALL_METRICS}) == len(ALL_METRICS), "two metrics share a key"
    for m in ALL_METRICS:
        assert m.label and m.definition.endswith(".") and m.formula and m.inputs and m.group, m.key


def test_kpis_report_json_from_the_cli(tmp_path):
    database = tmp_path / "k.duckdb"
    run = [sys.executable, "-m", "crm_metrics", "--db", str(database)]
    assert subprocess.run(run + ["sample", "--customers", "800"], capture_output=True, cwd=ROOT).returncode == 0
    out = subprocess.run(run + ["report", "kpis", "--as-of", "2026-06-30", "--format", "json"],
                         capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    rows = {r["key"]: r for r in json.loads(out.stdout)}
    assert set(rows) == {m.key for m in METRICS}
    assert rows["revenue"]["value"] > 0 and rows["revenue"]["previous"] > 0
    assert rows["revenue"]["period_end"].startswith("2026-06-30")
    assert rows["revenue"]["period_start"].startswith("2026-04-02")  # 90 days inclusive


def test_change_is_relative_for_money_and_points_for_rates():
    assert change("money", 110, 100) == pytest.approx(0.10)
    assert change("ratio", 0.44, 0.40) == pytest.approx(0.04)
    assert change("count", 5, 0) is None and change("money", None, 3) is None
    assert change_text("ratio", 0.04) == "+4.0 pts" and change_text("money", -0.123) == "-12.3%"
    assert by_unit("money", 1234567) == "$1.2M" and by_unit("ratio", 0.1234) == "12.3%"
    assert by_unit("multiple", 2.345) == "2.3×"


def test_periods():
    p = Period(dt.date(2024, 3, 1), dt.date(2024, 3, 31))
    assert p.days == 31 and p.previous() == Period(dt.date(2024, 1, 30), dt.date(2024, 2, 29))
    assert Period(dt.date(2024, 2, 29), dt.date(2024, 2, 29)).year_earlier().start == dt.date(2023, 2, 28)
    weeks = trend_window(Period(dt.date(2026, 7, 3), dt.date(2026, 9, 30)), "week")
    assert weeks.start.weekday() == 0 and weeks.end.weekday() == 6 and weeks.end <= dt.date(2026, 9, 30)
    months = trend_window(Period(dt.date(2026, 7, 3), dt.date(2026, 9, 30)), "month")
    assert months == Period(dt.date(2025, 10, 1), dt.date(2026, 9, 30))


def test_drill_levels_follow_the_hierarchy():
    assert drill_level("region", {}) == "region"
    assert drill_level("region", {"region": ("Europe",)}) == "country"
    assert drill_level("region", {"region": ("Europe",), "country": ("France",)}) == "city"
    assert drill_level("region", {"region": ("Europe", "Asia Pacific")}) == "region"
    assert drill_level("channel", {"channel": ("web",)}) == "channel"
    assert Filters().with_values("region", ["A"]).with_values("region", []).selected == {}
    with pytest.raises(ValueError):
        Filters(selections=(("nonsense", ("x",)),))


def test_headline_states_the_answer():
    table = pd.DataFrame([
        {"key": "revenue", "value": 1500.0, "change": 0.5}, {"key": "active_customers", "value": 12, "change": None},
        {"key": "new_customers", "value": 3, "change": None}, {"key": "churn_rate", "value": 0.25, "change": None}])
    text = headline(table, Period(dt.date(2024, 2, 1), dt.date(2024, 2, 29)))
    assert text == ("Revenue was $1.5k in the 29 days to 29 Feb 2024, up 50.0% on the previous 29 days, from 12 "
                    "active customers (3 new). 25.0% of the previous period's customers did not buy again.")


def test_a_clicked_trend_point_becomes_its_whole_bucket():
    from crm_metrics.kpis import bucket_period

    assert bucket_period(dt.date(2026, 8, 17), "week") == Period(dt.date(2026, 8, 17), dt.date(2026, 8, 23))
    assert bucket_period(dt.date(2024, 2, 1), "month") == Period(dt.date(2024, 2, 1), dt.date(2024, 2, 29))
    assert bucket_period(dt.date(2024, 12, 1), "month") == Period(dt.date(2024, 12, 1), dt.date(2024, 12, 31))
    assert bucket_period(dt.date(2024, 5, 5), "day") == Period(dt.date(2024, 5, 5), dt.date(2024, 5, 5))
