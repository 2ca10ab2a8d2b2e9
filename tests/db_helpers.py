"""Helpers shared by the database tests."""

from __future__ import annotations

# the seeded fixture's data (conftest.py): two customers, one campaign, two orders
BASE_CUSTOMERS = "customer_id,name,email,signup_date,region\nC001,Ann,ann@example.com,2024-01-02,North\n" \
                 "C002,Bob,bob@example.com,2024-01-03,South\n"
BASE_CAMPAIGNS = "campaign_id,name,channel,start_date,cost\nK1,Spring,Email,2024-03-01,100\n"
BASE_ORDERS = "order_id,customer_id,order_date,amount\nO1,C001,2024-01-05,10.50\nO2,C002,2024-01-06,20\n"

# the import's warning for a completed order with a negative amount (sql/rule_warnings_orders.sql)
NEGATIVE = "negative amount on a completed order: it lowers revenue (give refunds the status returned to keep them out)"

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


def write_lake(con, folder) -> dict[str, str]:
    """The six canonical tables of ``con`` as Parquet files in ``folder``: a small data lake, and the
    CRM_SPARK_TABLES mapping that points the Spark engine at it."""
    import pyarrow.parquet as pq

    from crm_metrics.schema import TABLES

    folder.mkdir(parents=True, exist_ok=True)
    mapping = {}
    for table in TABLES:
        # identifiers from the canonical schema's fixed table names
        pq.write_table(con.sql(f'SELECT * FROM "{table}"').to_arrow_table(), folder / f"{table}.parquet")
        mapping[table] = f"parquet:{folder / table}.parquet"
    return mapping
