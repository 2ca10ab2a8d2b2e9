"""The three limits of issue 28, each measured beside its baseline in one run; the table goes to docs/benchmarks.md.

    python benchmarks/limits.py                                  # 1M customers, 10M orders, 2 repeats
    python benchmarks/limits.py --customers 20000 --orders 200000 --repeat 1

1. The strict import of ``--orders`` order rows (the seeded sample's orders file, its rows repeated under new
   order ids up to that count) beside DuckDB's bare ``read_csv`` of the same file into a table of a database
   file, checkpointed: stored durably, as the import stores it (target: within 3x). For reference, also beside
   ``read_csv`` into a table of an in-memory database, which writes nothing to disk.
2. The reporting layer rebuilt after an import of ``--customers`` customers (target: under 5 s), and refreshed
   after an append-only import of a week of orders (1% of the customers, and some new ones) beside the full
   rebuild of the same data (target: under 5 s; only the new orders' customers recomputed).
3. BG/NBD + Gamma-Gamma at ``--customers`` beside Lifetimes fitting the same models on the same summary
   (target: 10x faster, parameters within 1e-4; benchmarks/run.py's ``bench_clv``).

These are measurements, not tests: nothing here fails a build.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import CAMPAIGNS, Result, bench_clv, fresh_db, machine, side_by_side, timed  # noqa: E402

from crm_metrics import db, reporting  # noqa: E402
from crm_metrics.importing import import_file  # noqa: E402
from crm_metrics.sample import SampleParams, load_sample, write_csvs  # noqa: E402

IMPORT_WITHIN = 3.0  # the strict import's time at most this many times DuckDB's read_csv into a stored table
REBUILD_UNDER = 5.0  # seconds


def orders_file(source: Path, target: Path, rows: int) -> int:
    """Write ``rows`` order rows to ``target``: the rows of ``source`` in turn, each pass after the first under
    order ids of its own (R1..., R2...), so that every id stays unique. Returns the rows written."""
    con = duckdb.connect()
    try:
        per_pass = con.execute("SELECT count(*) FROM read_csv($p, header = true, all_varchar = true)",
                               {"p": str(source)}).fetchall()[0][0]
        repeated = con.sql("""
            SELECT CASE WHEN pass = 0 THEN order_id ELSE 'R' || pass || '-' || order_id END AS order_id,
                   * EXCLUDE (order_id, pass)
            FROM (SELECT *, range AS pass FROM read_csv($p, header = true, all_varchar = true)
                  CROSS JOIN range(CAST(ceil($rows / $per_pass) AS BIGINT)))
            ORDER BY pass
            LIMIT $rows""", params={"p": str(source), "rows": rows, "per_pass": per_pass})
        repeated.write_csv(str(target), header=True)
        return con.execute("SELECT count(*) FROM read_csv($p, header = true)", {"p": str(target)}).fetchall()[0][0]
    finally:
        con.close()


def bench_import_limit(folder: Path, orders_csv: Path, rows: int, repeat: int) -> list[Result]:
    """The strict import beside DuckDB's read_csv into a database file (and, for reference, into memory)."""
    name = "import orders CSV (strict, validated)"
    stored = Result(name, 0, rows, baseline_name="DuckDB read_csv into a table of a database file, checkpointed")
    memory = Result(name, 0, rows, baseline_name="DuckDB read_csv into a table in memory (nothing written)")

    def ours() -> None:
        con = db.connect(fresh_db(folder, "strict"))
        try:
            import_file(con, "orders", orders_csv)
        finally:
            con.close()

    def read_csv(path: str) -> None:
        con = duckdb.connect(path)
        try:
            con.execute("CREATE TABLE orders AS SELECT * FROM read_csv($p, header = true)",
                        {"p": str(orders_csv)}).fetchall()
            con.execute("CHECKPOINT").fetchall()
        finally:
            con.close()

    side_by_side(stored, ours, lambda: read_csv(str(fresh_db(folder, "native"))), repeat)
    memory.ours = list(stored.ours)
    memory.baseline = [timed(lambda: read_csv(":memory:")) for _ in range(repeat)]
    times = statistics.median(stored.ours) / statistics.median(stored.baseline)
    stored.note = f"within {IMPORT_WITHIN:g}x: {'met' if times <= IMPORT_WITHIN else '**not met**'} ({times:.2f}x)"
    memory.note = "for reference"
    return [stored, memory]


def bench_rebuild(database: Path, customers: int, repeat: int) -> Result:
    """The reporting layer rebuilt from scratch, as after an import (every table of sql/layer/)."""
    con = db.connect(database)
    cur = con.cursor()
    result = Result("reporting layer rebuild (after an import)", customers,
                    cur.execute("SELECT count(*) FROM orders").fetchall()[0][0], target=REBUILD_UNDER)
    try:
        for _ in range(repeat):
            cur.execute("DELETE FROM rpt_state").fetchall()
            result.ours.append(timed(lambda cur=cur: reporting.ensure_current(cur)))
    finally:
        cur.close()
        con.close()
    return result


def week_of_orders(cur, target: Path, share: float = 0.01, new_customers: int = 500) -> int:
    """Write an append-only orders file: for every 1/share-th customer with orders, one order in the week after
    the last order date, and the first orders of ``new_customers`` customers no file named before."""
    every = max(1, round(1 / share))
    week = cur.sql("""
        SELECT 'W-' || customer_key AS order_id, customer_id,
               last.day + CAST(1 + customer_key % 7 AS INTEGER) AS order_date,
               CAST(round(10 + customer_key % 90 + 0.25, 2) AS DECIMAL(18, 2)) AS amount, 'web' AS channel,
               'Books' AS product_category, 1 AS quantity, CAST(5 AS DECIMAL(18, 2)) AS cost,
               NULL AS campaign_id, 'completed' AS status
        FROM rpt_customer_totals, (SELECT max(order_date) AS day FROM orders) AS last
        WHERE customer_key % $every = 0
        UNION ALL
        SELECT 'W-new-' || range, 'NEW-' || lpad(CAST(range AS VARCHAR), 6, '0'), last.day + 3,
               CAST(30 AS DECIMAL(18, 2)), 'web', 'Books', 1, CAST(5 AS DECIMAL(18, 2)), NULL, 'completed'
        FROM range($new), (SELECT max(order_date) AS day FROM orders) AS last""",
                   params={"every": every, "new": new_customers})
    week.write_csv(str(target), header=True)
    return cur.execute("SELECT count(*) FROM read_csv($p, header = true)", {"p": str(target)}).fetchall()[0][0]


def bench_refresh(folder: Path, database: Path, customers: int, repeat: int) -> Result:
    """The layer brought up to date after an append-only import of a week of orders: refreshed (only the new
    orders' customers recomputed) beside rebuilt whole, on the same data, taking turns."""
    result = Result("reporting layer refresh after appending a week of orders", customers, 0,
                    baseline_name="the whole layer rebuilt (same data)", target=REBUILD_UNDER)
    for _ in range(repeat):
        copy = fresh_db(folder, "append")
        shutil.copyfile(database, copy)
        con = db.connect(copy)
        cur = con.cursor()
        try:
            reporting.ensure_current(cur)
            week = folder / "week.csv"
            result.rows = week_of_orders(cur, week)
            import_file(con, "orders", week)
            since = reporting.appended_since(cur, db.scalar(cur, "reporting_version"))
            if since is None:
                raise RuntimeError("the week of orders was not an append: the refresh would not run")
            result.ours.append(timed(lambda cur=cur: reporting.ensure_current(cur)))
            cur.execute("DELETE FROM rpt_state").fetchall()
            result.baseline.append(timed(lambda cur=cur: reporting.ensure_current(cur)))
        finally:
            cur.close()
            con.close()
    result.note = "rows: the appended orders"
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--orders", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--only", nargs="+", choices=["import", "rebuild", "refresh", "clv"],
                        default=["import", "rebuild", "refresh", "clv"])
    args = parser.parse_args()
    results: list[Result] = []

    def show(result: Result) -> None:
        results.append(result)
        print("  ", result.line(), flush=True)

    with tempfile.TemporaryDirectory(prefix="crm-limits-") as tmp:
        folder = Path(tmp)
        source = fresh_db(folder, "source")
        con = db.connect(source)
        load_sample(con, SampleParams(customers=args.customers, campaigns=CAMPAIGNS))
        if "import" in args.only:
            write_csvs(con, folder / "csv")
        con.close()
        if "import" in args.only:
            big = folder / "orders-big.csv"
            rows = orders_file(folder / "csv" / "orders.csv", big, args.orders)
            for result in bench_import_limit(folder, big, rows, args.repeat):
                result.customers = args.customers
                show(result)
            big.unlink()
        if "rebuild" in args.only:
            show(bench_rebuild(source, args.customers, args.repeat))
        if "refresh" in args.only:
            show(bench_refresh(folder, source, args.customers, args.repeat))
        if "clv" in args.only:
            show(bench_clv(args.customers, args.repeat, source))
    command = "python benchmarks/limits.py" + ("" if sys.argv[1:] == [] else " " + " ".join(sys.argv[1:]))
    print(f"\n`{command}` ({machine()}):\n")
    print("| benchmark | customers | rows | ours (min / median) | baseline | baseline (min / median) | ratio "
          "| target |\n|---|---:|---:|---:|---|---:|---:|---|")
    for result in results:
        print(result.line())


if __name__ == "__main__":
    main()
