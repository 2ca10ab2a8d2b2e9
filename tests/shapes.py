"""Database shapes that real data takes: partial, sparse, odd. Each is built through the normal import from
CSV files derived from a small seeded sample (or written by hand), so the pages meet them as a user's data.

Shapes (``SHAPES``):
- ``empty``: no rows at all.
- ``customers_only``: a customers file and nothing else (the Data page says to start there).
- ``orders_only``: an orders file alone (customers created from it, no campaigns, tickets or surveys).
- ``orders_minimal``: orders with only the four required columns, customers with only id and name.
- ``partial_attributes``: every table, but region, country, city, channels and category recorded for some rows.
- ``negative_zero``: orders with refunds written as negative amounts, zero amounts, returned and cancelled.
- ``one_customer``: one customer with a handful of orders.
- ``span_15y``: orders from 1997 to 2011 (a long history, orders only).
- ``cdnow``: the CDNOW sample (2,357 customers' CD purchases 1997-1998, whitespace separated, shipped with the
  Lifetimes package) converted to an orders file: real, sparse, most customers buying once.
- ``sample``: the seeded sample, every table filled.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

from crm_metrics import db
from crm_metrics.importing import ImportOptions, import_file
from crm_metrics.sample import SampleParams, load_sample, write_csvs
from crm_metrics.schema import TABLE_ORDER

SHAPES = ["empty", "customers_only", "orders_only", "orders_minimal", "partial_attributes", "negative_zero",
          "one_customer", "span_15y", "cdnow", "sample"]
CDNOW = Path(__import__("lifetimes").__file__).parent / "datasets" / "CDNOW_sample.txt"


def cdnow_orders(source: Path = CDNOW) -> pd.DataFrame:
    """The CDNOW layout (customer id, customer index, date as YYYYMMDD, CDs bought, dollar amount; whitespace
    separated, no header) as an orders file: one order per line, ids kept as written (leading zeros)."""
    raw = pd.read_csv(source, sep=r"\s+", header=None, dtype=str,
                      names=["customer_id", "customer_index", "date", "cds", "amount"])
    return pd.DataFrame({"order_id": [f"T{i:05d}" for i in range(len(raw))], "customer_id": raw["customer_id"],
                         "order_date": pd.to_datetime(raw["date"], format="%Y%m%d").dt.strftime("%Y-%m-%d"),
                         "amount": raw["amount"], "quantity": raw["cds"]})


def sample_frames(folder: Path, customers: int = 400, seed: int = 5) -> dict[str, pd.DataFrame]:
    """The canonical tables of a small seeded sample, as the text a CSV export holds."""
    con = db.connect(":memory:")
    try:
        load_sample(con, SampleParams(customers=customers, seed=seed))
        paths = write_csvs(con, folder / "source")
    finally:
        con.close()
    return {p.stem: pd.read_csv(p, dtype=str, keep_default_na=False) for p in paths}


def _write(frames: dict[str, pd.DataFrame], folder: Path) -> list[tuple[str, Path]]:
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    for table in TABLE_ORDER:
        if table in frames:
            path = folder / f"{table}.csv"
            frames[table].to_csv(path, index=False)
            files.append((table, path))
    return files


def _blank_some(frame: pd.DataFrame, columns: list[str], share: float, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    out = frame.copy()
    for col in columns:
        out.loc[rng.random(len(out)) < share, col] = ""
    return out


def _shape_frames(shape: str, base: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    if shape == "empty":
        return {}
    if shape == "sample":
        return base
    if shape == "customers_only":
        return {"customers": base["customers"]}
    if shape == "orders_only":
        return {"orders": base["orders"]}
    if shape == "orders_minimal":
        return {"customers": base["customers"][["customer_id", "name"]],
                "orders": base["orders"][["order_id", "customer_id", "order_date", "amount"]]}
    if shape == "partial_attributes":
        out = dict(base)
        out["customers"] = _blank_some(base["customers"], ["region", "country", "city", "acquisition_channel",
                                                          "signup_date", "acquisition_cost"], 0.4, 1)
        out["orders"] = _blank_some(base["orders"], ["channel", "product_category", "cost", "quantity"], 0.4, 2)
        out["campaigns"] = _blank_some(base["campaigns"], ["objective", "end_date"], 0.5, 3)
        return out
    if shape == "negative_zero":
        orders = base["orders"].copy()
        idx = orders.index
        orders.loc[idx[::17], "amount"] = "-" + orders.loc[idx[::17], "amount"]
        orders.loc[idx[5::23], "amount"] = "0"
        orders.loc[idx[7::29], "status"] = "returned"
        orders.loc[idx[9::31], "status"] = "cancelled"
        return {"customers": base["customers"], "orders": orders}
    if shape == "one_customer":
        customers = base["customers"].head(1)
        cid = customers["customer_id"].iloc[0]
        orders = pd.DataFrame({
            "order_id": [f"X{i}" for i in range(5)], "customer_id": cid,
            "order_date": ["2025-01-10", "2025-03-02", "2025-05-20", "2025-08-11", "2025-11-30"],
            "amount": ["40.00", "55.50", "-12.00", "0", "80.25"]})
        return {"customers": customers, "orders": orders}
    if shape == "cdnow":
        return {"orders": cdnow_orders()}
    if shape == "span_15y":
        orders = base["orders"][["order_id", "customer_id", "order_date", "amount"]].copy()
        days = pd.to_datetime(orders["order_date"])
        t = (days - days.min()) / (days.max() - days.min())
        start, end = dt.date(1997, 1, 1), dt.date(2011, 12, 9)
        span = (end - start).days
        orders["order_date"] = [(start + dt.timedelta(days=int(x * span))).isoformat() for x in t]
        return {"orders": orders}
    raise ValueError(f"unknown shape {shape!r}")


def build(shape: str, path: Path, work: Path, base: dict[str, pd.DataFrame] | None = None) -> Path:
    """A database file at ``path`` holding ``shape``, imported from CSV files written under ``work``."""
    base = base if base is not None else sample_frames(work)
    con = db.connect(path)
    try:
        for table, file in _write(_shape_frames(shape, base), work / shape):
            import_file(con, table, file, ImportOptions(date_format="%Y-%m-%d"))
    finally:
        con.close()
    return path
