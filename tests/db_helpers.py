"""Helpers shared by the database tests."""

from __future__ import annotations

ALL_TABLES = ("customers", "orders", "campaigns", "contacts", "tickets", "surveys", "import_ledger",
              "customers_history", "orders_history", "campaigns_history", "contacts_history",
              "tickets_history", "surveys_history")


def snapshot(con) -> dict[str, tuple]:
    """Row count and an order-independent content checksum of every table."""
    cur = con.cursor()
    try:
        out = {}
        for table in ALL_TABLES:
            # identifiers from a fixed tuple in test code
            out[table] = cur.execute(f'SELECT count(*), sum(hash(t)) FROM "{table}" AS t').fetchall()[0]
        out["temp"] = cur.execute("SELECT count(*) FROM duckdb_tables() WHERE temporary").fetchall()[0]
        return out
    finally:
        cur.close()
