"""Browser: several sessions at once on one server (benchmarks/load.py, smaller): executives opening the
executive pages while marketers upload and import. No page shows an error, every uploaded row lands,
and the server's memory levels off from one round to the next (the data cache is bounded)."""

from __future__ import annotations

import sys
from pathlib import Path

from conftest import start_app, stop_app

from crm_metrics import db

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))

from load import run_load  # noqa: E402


def test_several_sessions_at_once(browser_instance, tmp_path):
    proc, url = start_app(tmp_path / "load.duckdb")
    try:
        report = run_load(url, proc.pid, tmp_path, executives=3, marketers=1, rounds=3, upload_rows=150)
    finally:
        stop_app(proc)
    assert not report.errors, report.errors
    assert all(len(times) == 3 * 3 for path, times in report.latencies.items() if path in ("/", "/value"))
    con = db.connect(tmp_path / "load.duckdb")
    landed = con.execute("SELECT count(*) FROM customers WHERE starts_with(customer_id, 'L')").fetchone()[0]
    ledger = con.execute("SELECT coalesce(sum(rows_inserted), 0) FROM import_ledger "
                         "WHERE starts_with(file_name, 'L')").fetchone()[0]
    con.close()
    report.landed_rows = landed
    print(report.markdown("3 executives and 1 marketer at once, 3 rounds"))
    assert landed == ledger == report.imported_rows == 3 * 150
    first, *later = report.memory_mb
    assert max(later) < first * 1.25, report.memory_mb  # levels off: no growth round after round
