"""DuckDB and Spark (local) side by side on the same data: which engine is the right choice where.

    python benchmarks/engines.py [--customers 1250000] [--repeat 2] [--master local[2]]
                                 [--out docs/benchmarks-engines.md]

The seeded sample (about eight orders per customer: 1.25M customers is ten million orders) is written as
Parquet files, the lake; DuckDB reads the same rows from its own database file. Both engines then build the
reporting layer and run the reports the pages show, through the same .sql files (crm_metrics.spark
transpiles them for Spark). Times are min / median over the repeats, each after one untimed run; the
Spark session's start is timed once on its own.
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import crm_metrics  # noqa: E402
from crm_metrics import db, reporting  # noqa: E402
from crm_metrics import spark as spark_engine  # noqa: E402
from crm_metrics.sample import SampleParams, load_sample  # noqa: E402

# the reports timed: what the Overview, Segments, Retention and Campaigns pages read
REPORTS = ("kpis", "kpi-trend", "segments", "segment-migration", "cohorts", "campaigns", "loyalty-ladder")


def timed(func) -> float:
    start = time.perf_counter()
    func()
    return time.perf_counter() - start


def runs(func, repeat: int) -> list[float]:
    func()
    return [timed(func) for _ in range(repeat)]


def rebuild(con) -> None:
    """The reporting layer built afresh (as after an import): its state row removed, then brought current."""
    cur = con.cursor()
    try:
        cur.execute("DELETE FROM rpt_state").fetchall()
        reporting.ensure_current(cur)
    finally:
        cur.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=1_250_000)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--out", default=str(ROOT / "docs" / "benchmarks-engines.md"))
    args = parser.parse_args()
    from db_helpers import write_lake

    folder = Path(tempfile.mkdtemp(prefix="crm-engines-"))
    duck = db.connect(folder / "crm.duckdb")
    counts = load_sample(duck, SampleParams(customers=args.customers))
    start = time.perf_counter()
    mapping = write_lake(duck, folder / "lake")
    lake_write = time.perf_counter() - start
    start = time.perf_counter()
    lake = spark_engine.connect(args.master, mapping)
    lake.spark.sparkContext.setLogLevel("ERROR")
    spark_start = time.perf_counter() - start

    rows = [("reporting layer build", runs(lambda: rebuild(duck), args.repeat),
             runs(lambda: rebuild(lake), args.repeat))]
    for name in REPORTS:
        rows.append((f"report {name}", runs(lambda n=name: crm_metrics.report(duck, n), args.repeat),
                     runs(lambda n=name: crm_metrics.report(lake, n), args.repeat)))
    total = [sum(r[1][i] for r in rows[1:]) for i in range(args.repeat)], \
        [sum(r[2][i] for r in rows[1:]) for i in range(args.repeat)]
    rows.append(("all seven reports", *total))

    def cell(times: list[float]) -> str:
        return f"{min(times):.2f} / {statistics.median(times):.2f}"

    lines = [
        "# DuckDB and Spark side by side",
        "",
        f"Produced by `python benchmarks/engines.py --customers {args.customers} --repeat {args.repeat}` on "
        f"{dt.date.today()} ({platform.system()} {platform.machine()}, 2 cores, Python "
        f"{platform.python_version()}, Spark {lake.spark.version}, master `{args.master}`): "
        f"{args.customers:,} customers, {counts['orders']:,} orders, {counts.get('contacts', 0):,} contacts. "
        "The same rows on both engines: DuckDB reads its database file, Spark the same tables written as "
        f"Parquet ({lake_write:.1f} s to write). Times in seconds, min / median over {args.repeat} runs after "
        "one untimed run; ratio = Spark median / DuckDB median. Spark's session started in "
        f"{spark_start:.1f} s (once per server).",
        "",
        "| work | DuckDB | Spark | Spark / DuckDB |",
        "|---|---|---|---|",
    ]
    for name, ours, theirs in rows:
        lines.append(f"| {name} | {cell(ours)} | {cell(theirs)} | "
                     f"{statistics.median(theirs) / statistics.median(ours):.1f}x |")
    text = "\n".join(lines) + "\n\n" + verdict(rows, spark_start) + "\n"
    Path(args.out).write_text(text, encoding="utf-8")
    print(text)


def verdict(rows: list[tuple[str, list[float], list[float]]], spark_start: float) -> str:
    """Where each engine is the right choice, with this run's numbers."""
    by_name = {name: (statistics.median(ours), statistics.median(theirs)) for name, ours, theirs in rows}
    layer, reports = by_name["reporting layer build"], by_name["all seven reports"]
    fastest = min((t / d, n) for n, (d, t) in by_name.items() if n.startswith("report "))
    return "\n".join([
        "## Which engine where",
        "",
        f"- **One machine: DuckDB.** On these two cores DuckDB built the reporting layer in {layer[0]:.0f} s against "
        f"Spark's {layer[1]:.0f} s, and ran the seven reports in {reports[0]:.1f} s against {reports[1]:.0f} s "
        f"({reports[1] / reports[0]:.0f}x; the closest, {fastest[1].removeprefix('report ')}, was still "
        f"{fastest[0]:.0f}x slower on Spark). A local Spark pays for a JVM ({spark_start:.0f} s to start), a plan and "
        "a scheduled job per query, and shuffles through local disk; DuckDB runs each query as vectorised "
        "scans of one columnar file, in the app's own process. While the data fits one machine's disk (DuckDB "
        "spills to disk beyond RAM), the embedded engine is the one to use, and the pages' speed targets are "
        "met only there.",
        "- **A lake on a cluster: Spark.** Spark keeps its fixed cost per query (a plan, a scheduled job), "
        "but its work spreads over as many executors as the cluster has; DuckDB's is bounded by one "
        "machine's cores, memory and disk, "
        "and it would first have to copy the lake's files to that machine. When the orders live in Parquet or "
        "Delta on object storage, in volumes one machine cannot hold or scan in time (hundreds of millions of "
        "rows), or governance keeps them in place, point the dashboard at the cluster: the numbers are the "
        "same (tests/test_engines.py) and are computed where the data lives. Expect pages to take seconds "
        "rather than fractions of one (here, on two local cores, the KPI report alone took "
        f"{by_name['report kpis'][1]:.0f} s); the reporting layer is built once per server start.",
        "- **In between**, copying a lake extract into DuckDB (`python -m crm_metrics import`, or Parquet "
        "files read by DuckDB) remains the faster way to explore interactively.",
    ])


if __name__ == "__main__":
    main()
