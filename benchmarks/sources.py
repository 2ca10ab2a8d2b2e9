"""Importing a file as a tool exports it, beside DuckDB reading the same file; results in docs/benchmarks-sources.md.

    python benchmarks/sources.py                      # a 1,000,000-line Shopify export, 3 repeats
    python benchmarks/sources.py --lines 100000 --repeat 1

The file is Shopify's orders export written by us: about 2.5 line items per order (so about 400,000 orders),
order fields on each order's first line only, emails in mixed case, some guest checkouts and pending orders.
Ours: recognise the layout, read it, check every value, turn it into canonical customers and orders, and import
both (every check of the canonical import, the ledger, a checkpoint). Baseline: DuckDB's own read_csv of the same
file into a table (no recognition, no validation, nothing canonical). A measurement, not a test.
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

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import duckdb  # noqa: E402
from test_sources import SHOPIFY  # noqa: E402  (the published column layout, as the tests write it)

from crm_metrics import db  # noqa: E402
from crm_metrics.importing.sources import import_source  # noqa: E402

TARGET_SECONDS = 15.0  # the import issue's target for a 1,000,000-line export


def shopify_export(path: Path, lines: int, seed: int = 7) -> int:
    """Write a Shopify orders export of ``lines`` line items; returns the number of orders."""
    rng = np.random.default_rng(seed)
    items = rng.integers(1, 5, size=lines)  # line items per order, 2.5 on average
    starts = np.cumsum(items) - items
    orders = int(np.searchsorted(np.cumsum(items), lines, side="left")) + 1
    order_of_line = np.repeat(np.arange(orders), items[:orders])[:lines]
    first = np.zeros(lines, dtype=bool)
    first[starts[:orders][starts[:orders] < lines]] = True
    customers = rng.integers(0, max(orders // 3, 1), size=orders)
    created = pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 700 * 86400, size=orders), unit="s")
    status = rng.choice(["paid", "paid", "paid", "partially_refunded", "refunded", "pending"], size=orders)
    guest = rng.random(orders) < 0.03
    frame = pd.DataFrame("", index=range(lines), columns=SHOPIFY)
    frame["Name"] = [f"#{1001 + o}" for o in order_of_line]
    frame["Lineitem quantity"] = rng.integers(1, 4, size=lines).astype(str)
    frame["Lineitem price"] = (rng.integers(100, 9000, size=lines) / 100).round(2).astype(str)
    frame["Lineitem name"] = "Item"
    o = order_of_line[first]
    frame.loc[first, "Email"] = np.where(guest[o], "", [f"Buyer{c}@Example.com" for c in customers[o]])
    frame.loc[first, "Financial Status"] = status[o]
    frame.loc[first, "Created at"] = created[o].strftime("%Y-%m-%d %H:%M:%S +0100")
    frame.loc[first, "Total"] = (rng.integers(500, 30000, size=len(o)) / 100).round(2).astype(str)
    frame.loc[first, "Currency"] = "EUR"
    frame.loc[first, "Billing Name"] = [f"Buyer {c}" for c in customers[o]]
    frame.loc[first, "Billing City"] = "Lyon"
    frame.loc[first, "Billing Country"] = "FR"
    frame.to_csv(path, index=False)
    return orders


def timed(work) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", default=str(ROOT / "docs" / "benchmarks-sources.md"))
    args = parser.parse_args()
    ours, baseline = [], []
    with tempfile.TemporaryDirectory(prefix="crm-bench-sources-") as tmp:
        folder = Path(tmp)
        export = folder / "orders_export_1.csv"
        orders = shopify_export(export, args.lines)
        size_mb = export.stat().st_size / 1e6
        print(f"{args.lines:,} lines, {orders:,} orders, {size_mb:,.0f} MB", flush=True)
        for i in range(args.repeat):
            con = db.connect(folder / f"ours{i}.duckdb")
            ours.append(timed(lambda con=con: import_source(con, export)))
            written = con.execute("SELECT count(*) FROM orders").fetchone()[0]
            con.close()
            other = duckdb.connect(str(folder / f"bare{i}.duckdb"))
            baseline.append(timed(lambda other=other: other.execute(
                "CREATE TABLE export AS SELECT * FROM read_csv($p, header = true)", {"p": str(export)}).fetchall()))
            other.close()
            print(f"  repeat {i + 1}: ours {ours[-1]:.2f} s ({written:,} orders written), DuckDB read_csv "
                  f"{baseline[-1]:.2f} s", flush=True)
    ours_median, base_median = statistics.median(ours), statistics.median(baseline)
    met = "met" if ours_median <= TARGET_SECONDS else "NOT met"
    row = (f"| recognise, read, check, make canonical customers and orders, import both | {min(ours):.2f} / "
           f"{ours_median:.2f} | {min(baseline):.2f} / {base_median:.2f} | {ours_median / base_median:.1f}x | "
           f"under {TARGET_SECONDS:.0f} s: {met} |")
    command = "python benchmarks/sources.py" + ("" if sys.argv[1:] == [] else " " + " ".join(sys.argv[1:]))
    text = f"""# Importing a Shopify export, beside DuckDB reading it

`{command}` on {platform.platform()}, Python {platform.python_version()}, DuckDB {duckdb.__version__},
{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC. {args.repeat} repeats; min / median seconds.

A Shopify orders export written by the benchmark (benchmarks/sources.py): {args.lines:,} line items of
{orders:,} orders, {size_mb:,.0f} MB, order fields on each order's first line only.

| what | ours (min / median) | DuckDB read_csv into a table (min / median) | ratio ours / DuckDB | target |
|---|---|---|---|---|
{row}

Ours does what the baseline does not: it finds the layout from the header, checks every value it reads (naming
file, line and column), groups the line items into orders, compares emails case-insensitively, maps the payment
statuses, and writes two canonical tables through the import (types, keys, references, the ledger, a checkpoint).
"""
    Path(args.out).write_text(text, encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
