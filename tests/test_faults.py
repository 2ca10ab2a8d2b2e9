"""Faults and concurrency through the real data-access code.

- Eight threads on one process-wide connection: two importing (the same table, overlapping keys, one file
  twice) and six reading KPIs in a loop. No thread fails; a reader's snapshot always holds exactly the rows
  the ledger says were inserted (never part of an import); the final counts equal the ledger's sums.
- kill -9 of an import process at random moments: the database opens again, the earlier data is intact,
  and the import is either wholly present (and in the ledger) or wholly absent; and at each named point
  (before the transaction, after the load, before the merge, before the commit, after the commit, during
  the checkpoint), where what must be stored is known.
- A script stopped or rerun by Streamlit mid-import rolls back; the next import lands.
- A disk that fills up mid-import (a real 30 MB tmpfs) and one nearly full before it: clear errors,
  nothing changed, the database opens again.
- A 2M-row import with DuckDB held to 200 MB stays within a bounded memory.

The quick tier runs in CI; the longer tier repeats the kill ``CRM_FAULT_ITERATIONS`` times:

    CRM_FAULT_ITERATIONS=20 python -m pytest tests/test_faults.py
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from crm_metrics import db, reporting
from crm_metrics.filters import Filters
from crm_metrics.importing import import_file
from crm_metrics.kpis import Period, kpi_values
from crm_metrics.sample import SampleParams, load_sample

ROOT = Path(__file__).resolve().parents[1]
ITERATIONS = int(os.environ.get("CRM_FAULT_ITERATIONS", "3"))


def _orders_csv(path: Path, ids: range, prefix: str, customers: list[str], amount: float) -> Path:
    lines = ["order_id,customer_id,order_date,amount,status"]
    lines += [f"{prefix}{i},{customers[i % len(customers)]},2026-09-{1 + i % 28:02d},{amount:.2f},completed"
              for i in ids]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _orders_and_ledger(cur) -> tuple[int, int]:
    """Orders, and rows the ledger says were inserted into orders, read in one snapshot."""
    cur.execute("BEGIN TRANSACTION")
    try:
        orders = cur.execute("SELECT count(*) FROM orders").fetchone()[0]
        inserted = cur.execute("SELECT coalesce(sum(rows_inserted), 0) FROM import_ledger "
                               "WHERE table_name = 'orders' AND undone_at IS NULL").fetchone()[0]
    finally:
        cur.execute("COMMIT")
    return int(orders), int(inserted)


def test_imports_and_readers_at_once(tmp_path):
    con = db.connect(tmp_path / "busy.duckdb")
    load_sample(con, SampleParams(customers=600, seed=5))
    customers = [r[0] for r in con.execute("SELECT customer_id FROM customers ORDER BY 1").fetchall()]
    first = _orders_csv(tmp_path / "a.csv", range(0, 3000), "NA", customers, 10)
    overlapping = _orders_csv(tmp_path / "b.csv", range(1500, 4500), "NA", customers, 20)  # 1,500 shared keys
    other = _orders_csv(tmp_path / "c.csv", range(0, 2000), "NC", customers, 30)
    before, _ = _orders_and_ledger(con.cursor())
    period = Period(dt.date(2026, 7, 1), dt.date(2026, 9, 30))
    done, failures, snapshots = threading.Event(), [], []

    def importer(files: list[Path]) -> None:
        try:
            for path in files:
                import_file(con, "orders", path)
        except BaseException as exc:  # noqa: BLE001 - any failure of the thread fails the test
            failures.append(exc)

    def reader() -> None:
        cur = con.cursor()
        try:
            while not done.is_set():
                reporting.ensure_current(cur)  # as every entry point does: readers race to rebuild after imports
                kpi_values(cur, period, Filters())
                snapshots.append(_orders_and_ledger(cur))
        except BaseException as exc:  # noqa: BLE001
            failures.append(exc)
        finally:
            cur.close()

    writers = [threading.Thread(target=importer, args=([first, other],)),
               threading.Thread(target=importer, args=([overlapping, first],))]  # `first` twice: a no-op
    readers = [threading.Thread(target=reader) for _ in range(6)]
    for t in readers + writers:
        t.start()
    for t in writers:
        t.join(timeout=300)
    done.set()
    for t in readers:
        t.join(timeout=120)

    assert not failures, failures
    assert snapshots and all(orders == inserted for orders, inserted in snapshots)  # never part of an import
    orders, inserted = _orders_and_ledger(con.cursor())
    assert orders == inserted == before + 4500 + 2000  # NA0..NA4499 once each, NC0..NC1999
    amounts = dict(con.execute("SELECT order_id, CAST(amount AS DOUBLE) FROM orders WHERE order_id IN "
                               "('NA0', 'NA2000', 'NA4000')").fetchall())
    assert amounts["NA0"] == 10.0 and amounts["NA4000"] == 20.0 and amounts["NA2000"] in (10.0, 20.0)
    con.close()


_CHILD = """
import sys
from crm_metrics import db
from crm_metrics.importing import import_file
con = db.connect(sys.argv[1])
import_file(con, "orders", sys.argv[2])
con.close()
"""


def test_kill_9_during_an_import_leaves_all_or_nothing(tmp_path):
    path = tmp_path / "killed.duckdb"
    con = db.connect(path)
    load_sample(con, SampleParams(customers=800, seed=9))
    customers = [r[0] for r in con.execute("SELECT customer_id FROM customers ORDER BY 1").fetchall()]
    base_orders, _ = _orders_and_ledger(con.cursor())
    base_customers = con.execute("SELECT count(*) FROM customers").fetchone()[0]
    con.close()
    rows = 200_000
    env = {**os.environ, "PYTHONPATH": str(ROOT)}

    def run_child(csv: Path) -> subprocess.Popen:
        return subprocess.Popen([sys.executable, "-c", _CHILD, str(path), str(csv)], env=env, cwd=ROOT,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    # how long a whole import takes here, so that the kills land before, during and after it
    started = time.monotonic()
    assert run_child(_orders_csv(tmp_path / "full.csv", range(rows), "FULL", customers, 5)).wait(timeout=300) == 0
    duration = time.monotonic() - started
    expected_orders = base_orders + rows
    rng = random.Random(2026)
    outcomes = []
    for i in range(ITERATIONS):
        csv = _orders_csv(tmp_path / f"k{i}.csv", range(rows), f"K{i}_", customers, 7)
        child = run_child(csv)
        time.sleep(rng.uniform(0.05, 1.2) * duration)
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=60)
        con = db.connect(path)  # opens again after the kill
        orders, inserted = _orders_and_ledger(con.cursor())
        assert orders == inserted, "the table and the ledger disagree"
        landed = con.execute("SELECT count(*) FROM orders WHERE starts_with(order_id, ?)", [f"K{i}_"]).fetchone()[0]
        assert landed in (0, rows), f"part of an import is stored: {landed:,} of {rows:,} rows"
        in_ledger = con.execute("SELECT count(*) FROM import_ledger WHERE file_name = ?", [csv.name]).fetchone()[0]
        assert in_ledger == (1 if landed else 0)
        expected_orders += landed
        assert orders == expected_orders
        assert con.execute("SELECT count(*) FROM customers").fetchone()[0] == base_customers
        outcomes.append(bool(landed))
        con.close()
    if ITERATIONS >= 10:  # the longer tier must have seen both outcomes
        assert any(outcomes) and not all(outcomes)


_PAUSING_CHILD = """
import sys, time
from crm_metrics import db
from crm_metrics.importing import import_file
target, pause = sys.argv[3], sys.argv[4] == "pause"


def progress(step, fraction):
    if step == target:
        print(step, flush=True)
        if pause:
            time.sleep(60)


con = db.connect(sys.argv[1])
import_file(con, "orders", sys.argv[2], progress=progress)
"""

# (the import's progress step, whether the child waits there, what must be stored after the kill)
KILL_POINTS = [
    ("Reading the file", True, "nothing"),  # before the transaction
    ("Loading into a staging table", True, "nothing"),
    ("Checking every value", True, "nothing"),  # loaded into the stage, inside the transaction
    ("Writing the rows", True, "nothing"),  # the merge is next
    ("Saving", False, "all or nothing"),  # the merge done; the commit races the kill
    ("Writing the database file", True, "everything"),  # committed, before the checkpoint
    ("Writing the database file", False, "everything"),  # killed while the checkpoint runs
]


def test_kill_9_at_each_named_point_of_an_import(tmp_path):
    path = tmp_path / "named.duckdb"
    con = db.connect(path)
    load_sample(con, SampleParams(customers=500, seed=4))
    customers = [r[0] for r in con.execute("SELECT customer_id FROM customers ORDER BY 1").fetchall()]
    con.close()
    rows = 100_000
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for i, (step, pause, expected) in enumerate(KILL_POINTS * max(1, ITERATIONS // 3)):
        con = db.connect(path)
        before, _ = _orders_and_ledger(con.cursor())
        con.close()
        csv = _orders_csv(tmp_path / f"n{i}.csv", range(rows), f"N{i}_", customers, 3)
        child = subprocess.Popen([sys.executable, "-c", _PAUSING_CHILD, str(path), str(csv), step,
                                  "pause" if pause else "go"], env=env, cwd=ROOT, stdout=subprocess.PIPE,
                                 stderr=subprocess.DEVNULL, text=True)
        assert child.stdout.readline().strip() == step
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=60)
        con = db.connect(path)  # opens again after the kill
        orders, inserted = _orders_and_ledger(con.cursor())
        landed = con.execute("SELECT count(*) FROM orders WHERE starts_with(order_id, ?)", [f"N{i}_"]).fetchone()[0]
        in_ledger = con.execute("SELECT count(*) FROM import_ledger WHERE file_name = ?", [csv.name]).fetchone()[0]
        con.close()
        assert orders == inserted and orders == before + landed, step
        assert landed in (0, rows) and in_ledger == (1 if landed else 0), step
        if expected == "nothing":
            assert landed == 0, f"killed at {step!r}: nothing may be stored"
        elif expected == "everything":
            assert landed == rows, f"killed at {step!r}: the committed import must survive"


_MEASURED_IMPORT = """
import resource, sys, time
from crm_metrics import db
from crm_metrics.importing import import_file
con = db.connect(sys.argv[1])
start = time.perf_counter()
result = import_file(con, "orders", sys.argv[2])
print(result.inserted, time.perf_counter() - start, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
"""


def _measured(script: str, database: Path, csv_path: Path) -> tuple[int, str]:
    """Run ``script`` on the database and file in a process whose DuckDB is held to 200 MB: the peak memory of
    the interpreter with the import loaded (the baseline, in MB), and what the script printed."""
    env = {**os.environ, "CRM_MEMORY_LIMIT": "200MB", "PYTHONPATH": str(ROOT)}
    baseline = subprocess.run([sys.executable, "-c", "import resource, crm_metrics.importing; "
                               "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)"],
                              env=env, cwd=ROOT, capture_output=True, text=True, check=True)
    run = subprocess.run([sys.executable, "-c", script, str(database), str(csv_path)],
                         env=env, cwd=ROOT, capture_output=True, text=True, check=True)
    return int(baseline.stdout), run.stdout


def test_a_two_million_row_file_imports_in_bounded_memory(tmp_path):
    """bad-inputs.md: a 2M-row file (134 MB) imports within the benchmark budget while DuckDB is held to
    200 MB: the import spills rather than grows with the file."""
    csv_path = tmp_path / "orders2m.csv"
    db.connect(":memory:").execute("""
        COPY (SELECT 'O' || lpad(i::VARCHAR, 9, '0') AS order_id, 'C' || lpad((i % 200000)::VARCHAR, 7, '0') AS customer_id,
                     DATE '2022-01-01' + (i % 1000)::INTEGER AS order_date, round(5 + (i % 9973) / 10.0, 2) AS amount,
                     ['web', 'store', 'app'][1 + i % 3] AS channel, 1 + i % 5 AS quantity, 'completed' AS status
              FROM range(2000000) t(i)) TO '""" + str(csv_path) + "' (HEADER)")
    baseline_mb, output = _measured(_MEASURED_IMPORT, tmp_path / "m.duckdb", csv_path)
    inserted, seconds, peak_mb = output.split()
    assert int(inserted) == 2_000_000
    assert float(seconds) < 10, "the budget for a 10M-row file"
    # the interpreter with its libraries, DuckDB's 200 MB, and room for the Python side's 16 MB chunks
    assert int(peak_mb) - baseline_mb < 400, (peak_mb, baseline_mb)


def _counts(con) -> dict:
    return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]  # noqa: S608 - fixed table names
            for t in ("customers", "orders", "import_ledger")}


def test_an_import_is_refused_when_the_disk_is_nearly_full(tmp_path, monkeypatch):
    from crm_metrics.importing import ImportFailed, load

    con = db.connect(tmp_path / "crm.duckdb")
    load_sample(con, SampleParams(customers=300))
    before = _counts(con)
    csv_path = _orders_csv(tmp_path / "o.csv", range(50), "N", ["C0000001"], 5.0)
    real = load.shutil.disk_usage
    monkeypatch.setattr(load.shutil, "disk_usage",
                        lambda p: real(p)._replace(free=100 * 1024 * 1024))  # 100 MB left
    with pytest.raises(ImportFailed, match="Only 100 MB are free .*CRM_MIN_FREE_MB"):
        import_file(con, "orders", csv_path)
    assert _counts(con) == before
    monkeypatch.setenv("CRM_MIN_FREE_MB", "50")
    assert import_file(con, "orders", csv_path).inserted == 50  # the reserve is a setting


def _small_disk(folder: Path, megabytes: int) -> bool:
    folder.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={megabytes}m", "tmpfs", str(folder)],
                          capture_output=True)
    return done.returncode == 0


@contextlib.contextmanager
def _mounted_small_disk(tmp_path: Path, megabytes: int):
    """A real filesystem of ``megabytes`` (tmpfs), unmounted afterwards; the test is skipped where it cannot be
    mounted (mounting needs root)."""
    disk = tmp_path / "small"
    if not _small_disk(disk, megabytes):
        pytest.skip("mounting a small tmpfs needs root")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], capture_output=True)


def test_disk_full_during_an_import_changes_nothing(tmp_path, monkeypatch):
    """A real 30 MB filesystem fills up while a 2M-row file is written: a clear error, the earlier data
    intact; the full disk's database opens again (opening writes nothing), and imports once space is freed."""
    from crm_metrics.importing import ImportFailed, load

    disk = tmp_path / "small"
    if not _small_disk(disk, 30):
        pytest.skip("mounting a small tmpfs needs root")
    con = None
    try:
        con = db.connect(disk / "crm.duckdb")
        load_sample(con, SampleParams(customers=500))
        before = _counts(con)
        big = tmp_path / "orders.csv"
        db.connect(":memory:").execute(
            "COPY (SELECT md5(i::VARCHAR) AS order_id, 'C' || lpad((i % 500 + 1)::VARCHAR, 7, '0') AS customer_id, "
            "DATE '2024-01-01' + (i % 300)::INTEGER AS order_date, CAST(random() * 1000 + 1 AS DECIMAL(10, 2)) AS amount, md5(i::VARCHAR || 'x') AS product_category "
            "FROM range(2000000) t(i)) TO '" + str(big) + "' (HEADER)")
        ballast = disk / "ballast"
        ballast.write_bytes(b"\0" * 4 * 1024 * 1024)  # space the user frees afterwards
        monkeypatch.setattr(load, "free_space_problem", lambda con, incoming=0: None)  # past the reserve
        with pytest.raises(ImportFailed, match="filled up.*intact"):
            import_file(con, "orders", big)  # 2M rows cannot fit in 30 MB
        assert _counts(con) == before
        con.close()
        con = db.connect(disk / "crm.duckdb")
        assert _counts(con) == before
        ballast.unlink()
        small = _orders_csv(tmp_path / "small.csv", range(20), "S", ["C0000001"], 2.0)
        assert import_file(con, "orders", small).inserted == 20  # works again once there is room
    finally:
        if con is not None:
            con.close()
        subprocess.run(["umount", "-l", str(disk)], capture_output=True)


def test_a_script_stopped_mid_import_rolls_back_and_the_next_import_succeeds(tmp_path):
    """Streamlit stops or reruns a script by raising a BaseException from inside it (here from the
    progress callback, as st.progress would): every step of the import must roll back, release the write
    lock, and leave the next import (from another thread, as the next script run is) free to land."""
    from streamlit.runtime.scriptrunner_utils.exceptions import RerunException, StopException

    con = db.connect(tmp_path / "stopped.duckdb")
    load_sample(con, SampleParams(customers=200, seed=5))
    customers = [r[0] for r in con.execute("SELECT customer_id FROM customers ORDER BY 1").fetchall()]
    steps = ["Loading into a staging table", "Checking every value", "Writing the rows", "Saving"]
    for i, step in enumerate(steps):
        before = _orders_and_ledger(con.cursor())
        csv = _orders_csv(tmp_path / f"s{i}.csv", range(500), f"S{i}_", customers, 4)
        signal_class = StopException if i % 2 else RerunException

        def stop_at(name, fraction, step=step, signal_class=signal_class):
            if name == step:
                raise signal_class(None) if signal_class is RerunException else signal_class()

        with pytest.raises(signal_class):
            import_file(con, "orders", csv, progress=stop_at)
        assert _orders_and_ledger(con.cursor()) == before, f"stopped at {step!r}: something was stored"
        landed = []
        worker = threading.Thread(target=lambda csv=csv, landed=landed: landed.append(
            import_file(con, "orders", csv).inserted))
        worker.start()
        worker.join(timeout=60)
        assert landed == [500], f"the import after a stop at {step!r} did not land"
    con.close()


_MEASURED_REFUSAL = """
import resource, sys
from crm_metrics import db
from crm_metrics.importing import ImportRejected, import_file
con = db.connect(sys.argv[1])
try:
    import_file(con, "orders", sys.argv[2])
except ImportRejected as exc:
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
    print(exc.problems[0].rule)
"""


def test_a_file_repeating_one_key_is_refused_in_bounded_memory(tmp_path):
    """Issue 25.2: the duplicate-key check names the first lines and counts the rest, whatever the file: it never
    builds (or fetches into Python) the list of every record of a key repeated millions of times."""
    csv_path = tmp_path / "one_key.csv"
    db.connect(":memory:").execute("""
        COPY (SELECT 'SAME' AS order_id, 'C1' AS customer_id, DATE '2024-01-01' AS order_date, 5.0 AS amount
              FROM range(6000000)) TO '""" + str(csv_path) + "' (HEADER)")
    baseline_mb, output = _measured(_MEASURED_REFUSAL, tmp_path / "m.duckdb", csv_path)
    peak_mb, rule = output.strip().split("\n")
    assert rule == "the same order_id appears on lines 2, 3, 4, 5, 6 and 5,999,995 more (each must be unique in a file)"
    assert int(peak_mb) - baseline_mb < 400, (peak_mb, baseline_mb)


def test_a_damaged_database_is_said_by_the_command_line_and_the_app(tmp_path, monkeypatch, capsys):
    """Issue 25.9: a damaged (or not-a-DuckDB) file gave a traceback in the CLI and the app."""
    from streamlit.testing.v1 import AppTest

    from crm_metrics.__main__ import main

    damaged = tmp_path / "crm.duckdb"
    damaged.write_bytes(b"not a database " * 4000)
    with pytest.raises(db.DatabaseUnavailable, match="cannot be opened"):
        db.connect(damaged)
    assert main(["--db", str(damaged), "report", "kpis"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: The database {damaged} cannot be opened") and "Traceback" not in err
    monkeypatch.setenv("CRM_DB", str(damaged))
    monkeypatch.chdir(ROOT)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.title[0].value == "The database cannot be opened" and "restore it from a backup" in at.error[0].value


def test_an_import_into_a_database_deleted_under_the_app_is_refused(tmp_path):
    """Issue 25.9: the import reported success and the rows were gone at the next start."""
    from crm_metrics.importing import ImportFailed

    path = tmp_path / "crm.duckdb"
    con = db.connect(path)
    csv_path = tmp_path / "c.csv"
    csv_path.write_text("customer_id,name\nC1,Ann\n")
    path.unlink()
    with pytest.raises(ImportFailed, match="was removed or moved while the app was running"):
        import_file(con, "customers", csv_path)


def test_errors_show_a_message_and_leave_the_traceback_to_the_log():
    from ui.serve import config_flags

    flags = config_flags(["--server.port", "8502"])
    assert flags[flags.index("--client.showErrorDetails") + 1] == "none"
    assert "--server.port" not in flags and flags[flags.index("--server.maxUploadSize") + 1] == "1024"
    assert "--theme.base" not in config_flags(["--theme.base", "dark"])  # the command line wins


def test_reports_on_a_full_disk_serve_the_layer_built_before(tmp_path, monkeypatch):
    """Issue 25.9: the reporting rebuild on a full disk ended in a traceback (its ROLLBACK after the failed COMMIT
    hid the cause); now it says the disk is full and the pages read the layer built before the import."""
    from crm_metrics import reporting

    with _mounted_small_disk(tmp_path, 40) as disk, contextlib.closing(db.connect(disk / "crm.duckdb")) as con:
        load_sample(con, SampleParams(customers=3000))
        reporting.ensure_current(con.cursor())
        before = con.execute("SELECT count(*) FROM rpt_orders").fetchone()[0]
        monkeypatch.setenv("CRM_MIN_FREE_MB", "1")  # a 40 MB disk is below the usual reserve
        import_file(con, "orders", _orders_csv(tmp_path / "new.csv", range(50), "F", ["C0000001"], 3.0))
        with (disk / "ballast").open("wb") as ballast, contextlib.suppress(OSError):
            while True:
                ballast.write(b"\0" * 1024 * 1024)
        with pytest.raises(reporting.ReportsNotRebuilt, match="The disk that holds the database is full"):
            reporting.ensure_current(con.cursor())
        assert con.execute("SELECT count(*) FROM rpt_orders").fetchone()[0] == before  # still served
        (disk / "ballast").unlink()
        assert reporting.ensure_current(con.cursor())  # rebuilt once there is room
        assert con.execute("SELECT count(*) FROM rpt_orders").fetchone()[0] == before + 50


def test_a_database_on_a_read_only_disk_is_said(tmp_path, capsys):
    from crm_metrics.__main__ import main

    with _mounted_small_disk(tmp_path, 20) as disk:
        db.connect(disk / "crm.duckdb").close()
        subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
        assert main(["--db", str(disk / "crm.duckdb"), "report", "kpis"]) == 2
        err = capsys.readouterr().err
        assert "Read-only file system" in err and "make the file and its folder writable" in err
