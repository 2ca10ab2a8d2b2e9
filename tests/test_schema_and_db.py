"""The canonical model is described twice (DDL and schema.py): they must agree. The SQL runner
binds parameters and only ever names whitelisted identifiers."""

import pytest

from crm_metrics import db
from crm_metrics.schema import TABLES, match_column, normalise_header


def _columns(con, schema: str, table: str) -> list[str]:
    return [r[0] for r in con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = $s AND table_name = $t "
        "ORDER BY ordinal_position", {"s": schema, "t": table}).fetchall()]


def test_ddl_matches_schema(con):
    for name, table in TABLES.items():
        columns = _columns(con, "main", name)
        assert columns == table.column_names + ["_import_id"], name
        assert _columns(con, "main", f"{name}_history") == columns + ["_replaced_by"]
        masked = _columns(con, "masked", name)  # a viewer's view of the table, where there is one
        assert masked in ([], columns), f"masked.{name} is out of step with {name}"


def test_money_is_decimal_and_ids_are_text(con):
    types = dict(con.execute("SELECT table_name || '.' || column_name, data_type FROM information_schema.columns"
                             " WHERE table_schema = 'main'").fetchall())
    assert types["orders.amount"] == "DECIMAL(18,2)" and types["customers.acquisition_cost"] == "DECIMAL(18,2)"
    assert types["orders.order_id"] == "VARCHAR" and types["customers.customer_id"] == "VARCHAR"


def test_connect_is_idempotent(tmp_path):
    path = tmp_path / "x.duckdb"
    db.connect(path).close()
    con = db.connect(path)
    assert con.execute("SELECT count(*) FROM customers").fetchall() == [(0,)]
    con.close()


def test_identifiers_only_from_the_whitelist():
    with pytest.raises(ValueError, match="not whitelisted"):
        db.render("wipe_table", {"table": 'customers"; DROP TABLE orders; --', "history": "customers_history"})
    with pytest.raises(ValueError, match="not whitelisted"):
        db.render("wipe_table", {"table": "customers"})  # a placeholder left unfilled
    assert '"orders"' in db.render("wipe_table", {"table": "orders", "history": "orders_history"})


def test_query_names_are_plain():
    with pytest.raises(ValueError):
        db.load_sql("../secrets")


def test_script_splitting_keeps_quoted_semicolons():
    parts = [p.strip() for p in db._split("SELECT ';' AS a; -- c;\nSELECT 2;") if p.strip()]
    assert parts == ["SELECT ';' AS a", "SELECT 2"]


@pytest.mark.parametrize(("header", "expected"), [
    ("Customer ID", "customer_id"), ("CustomerID", "customer_id"), ("cust_id", "customer_id"),
    ("InvoiceDate", "order_date"), ("  E-Mail ", "email"), ("channel", "acquisition_channel"),
    ("Favourite colour", None),
])
def test_header_synonyms(header, expected):
    table = "orders" if header == "InvoiceDate" else "customers"
    assert match_column(TABLES[table], header) == expected


def test_canonical_names_win_over_synonyms():
    assert match_column(TABLES["orders"], "channel") == "channel"
    assert normalise_header("\ufeffOrder\u200b Date") == "order_date"


def test_database_in_use_by_another_process(tmp_path):
    import subprocess
    import sys

    path = tmp_path / "locked.duckdb"
    holder = db.connect(path)
    try:
        result = subprocess.run([sys.executable, "-m", "crm_metrics", "--db", str(path), "report", "tables"],
                                capture_output=True, text=True, timeout=60)
        assert result.returncode == 2 and "in use by another process" in result.stderr
    finally:
        holder.close()


def test_no_query_reuses_a_filter_name_for_another_parameter():
    """Every query binds the shared filters as lists named after the dimensions ($region, $segment ...);
    a query that used one of those names for a single value would be handed the list instead."""
    import re
    from pathlib import Path

    from crm_metrics.dimensions import DIMENSIONS

    names = "|".join(DIMENSIONS)
    scalar_use = re.compile(r"(=|<>|\bIN)\s*\$(" + names + r")\b|\$(" + names + r")\s*(=|<>)")
    for path in (Path(__file__).resolve().parents[1] / "crm_metrics" / "sql").glob("*.sql"):
        assert not scalar_use.search(path.read_text(encoding="utf-8")), path.name
