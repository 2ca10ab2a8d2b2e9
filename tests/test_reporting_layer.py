"""The reporting layer's files: each declares the layer tables it reads, the build order is derived from those
declarations, and the layer's version follows the text of its SQL."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from crm_metrics import db, reporting
from crm_metrics.importing import import_file
from crm_metrics.importing.ledger import undo_import

LAYER_NAME = re.compile(r"\b(rpt_\w+|contact_pairs)\b")


def _referenced(name: str) -> set[str]:
    """The layer tables a layer file's SQL (its includes expanded, comments left out) reads, besides its own."""
    code = "\n".join(line.split("--", 1)[0] for line in db.load_sql(reporting.steps()[name].query).splitlines())
    return set(LAYER_NAME.findall(code)) - {name, "rpt_state"}


def test_every_layer_file_declares_exactly_the_layer_tables_it_reads():
    for name, step in reporting.steps().items():
        assert set(step.requires) == _referenced(name), name


def test_the_build_order_puts_every_table_after_the_tables_it_reads():
    order = [step.name for step in reporting.build_order()]
    assert sorted(order) == sorted(reporting.steps())
    for position, step in enumerate(reporting.build_order()):
        assert set(step.requires) <= set(order[:position]), step.name
    assert order[0] in ("contact_pairs", "rpt_customers")
    assert [s.name for s in reporting.build_order() if s.temporary] == ["contact_pairs"]


def test_every_layer_table_a_query_reads_is_built_by_a_layer_file():
    built = set(reporting.steps())
    for path in db.SQL_DIR.glob("*.sql"):
        code = "\n".join(line.split("--", 1)[0] for line in path.read_text(encoding="utf-8").splitlines())
        assert set(LAYER_NAME.findall(code)) - {"rpt_state"} <= built, path.name


@pytest.fixture
def layer_copy(tmp_path, monkeypatch):
    """The query files copied to a folder a test may edit, read from there with every cache cleared."""
    folder = tmp_path / "sql"
    shutil.copytree(db.SQL_DIR, folder)

    def clear():
        db.load_sql.cache_clear()
        reporting.build_order.cache_clear()
        reporting.fingerprint.cache_clear()

    monkeypatch.setattr(db, "SQL_DIR", folder)
    monkeypatch.setattr(reporting, "LAYER_DIR", folder / "layer")
    clear()
    yield folder
    monkeypatch.undo()
    clear()


def test_a_change_to_a_layer_file_rebuilds_the_layer_of_a_database_built_before(seeded, layer_copy):
    cur = seeded.cursor()
    assert reporting.is_current(cur)
    before = reporting.fingerprint()
    path = layer_copy / "layer" / "rpt_order_months.sql"
    path.write_text(path.read_text(encoding="utf-8").replace("count(*) AS orders", "count(order_id) AS orders"))
    db.load_sql.cache_clear()
    reporting.build_order.cache_clear()
    reporting.fingerprint.cache_clear()
    assert reporting.fingerprint() != before
    assert not reporting.is_current(cur)
    assert reporting.ensure_current(cur) and reporting.is_current(cur)


def test_a_loop_or_a_missing_table_in_the_declarations_is_refused(layer_copy):
    path = layer_copy / "layer" / "rpt_customers.sql"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("-- requires: (the canonical tables only)", "-- requires: rpt_orders"))
    reporting.build_order.cache_clear()
    with pytest.raises(ValueError, match="loop"):
        reporting.build_order()
    path.write_text(text.replace("-- requires: (the canonical tables only)", "-- requires: rpt_nowhere"))
    reporting.build_order.cache_clear()
    with pytest.raises(ValueError, match="rpt_nowhere"):
        reporting.build_order()


def test_the_filter_conditions_are_written_from_the_dimension_declarations():
    """Every dimension a query filters on is tested once, as its declaration says; no query file writes a
    filter condition by hand (kpis.sql's share of campaign spend is a sum, not a filter)."""
    from crm_metrics.dimensions import DIMENSIONS, FILTER_GROUPS, filter_sql

    every = filter_sql(["attributes", "order", "sets"], "o", "customer_id")
    for key in DIMENSIONS:
        assert every.count(f"array_length(${key}) = 0 OR") == 1, key
    assert "o.customer_id IN (SELECT customer_id FROM rpt_customer_segments" in every
    assert "strftime(first_date" in every and "o.first_date" not in every
    assert "strftime(first_date, '%Y-%m')" in filter_sql(["sets"], own_first_date=True)
    assert sorted(k for keys in FILTER_GROUPS.values() for k in keys) == sorted(DIMENSIONS)
    with pytest.raises(ValueError):
        filter_sql(["attributes"], "o; DROP TABLE orders", "customer_id")
    for path in db.SQL_DIR.glob("*.sql"):
        if path.name != "kpis.sql":
            assert "array_length($region) = 0 OR" not in path.read_text(encoding="utf-8"), path.name
    assert "list_contains($segment, segment)" in db.load_sql("scoped_orders")


def test_a_filtered_query_keeps_only_the_rows_inside_every_filter(sample_con):
    """The generated conditions at work: the customers a region and a channel select, counted by the
    filtered-orders CTE, against the same count written out by hand."""
    from crm_metrics.filters import Filters

    cur = sample_con.cursor()
    region, channel = cur.execute(
        "SELECT region, channel FROM rpt_orders GROUP BY ALL ORDER BY count(*) DESC LIMIT 1").fetchone()
    chosen = Filters(selections=(("region", (region,)), ("channel", (channel,))))
    keys = db.query_df(cur, "customer_keys", chosen.params())["customer_key"]
    expected = cur.execute("SELECT count(DISTINCT customer_key) FROM rpt_orders WHERE region = ? AND channel = ?",
                           [region, channel]).fetchone()[0]
    assert len(keys) == expected > 0  # an order-level filter keeps the customers with such an order
    orders = cur.execute("SELECT count(*) FROM rpt_orders WHERE region = ? AND channel = ?",
                         [region, channel]).fetchone()[0]
    scoped = db.run_script(cur, "WITH " + db.load_sql("scoped_orders").strip().rstrip(",") + " SELECT count(*) FROM scoped",
                           chosen.params()).fetchone()[0]
    assert scoped == orders > 0


# ------------------------------------------------------------------------- refresh after appended orders
@pytest.fixture
def appendable():
    """A small seeded sample whose layer is built, in a database of its own (each test appends to it)."""
    from crm_metrics.sample import SampleParams, load_sample

    connection = db.connect(":memory:")
    load_sample(connection, SampleParams(customers=400, seed=5))
    reporting.ensure_current(connection)
    yield connection
    connection.close()


def _layer_tables(cur) -> dict[str, pd.DataFrame]:
    """Every kept table of the layer, its rows sorted (their order means nothing but speed)."""
    tables = {}
    for step in reporting.build_order():
        if not step.temporary:
            frame = cur.table(step.name).df()
            tables[step.name] = frame.sort_values(list(frame.columns)).reset_index(drop=True)
    return tables


def _appended_orders(cur, write) -> Path:
    """Orders an export of the next weeks would bring: later orders of known customers, one dated before its
    customer's first order, a returned one, an order on a campaign's contact (treatment group), and the first
    orders of two new customers, one of whose ids sorts before every known id."""
    known = [r[0] for r in cur.execute("SELECT customer_id FROM rpt_customer_totals ORDER BY customer_id LIMIT 3")
             .fetchall()]
    first = cur.execute("SELECT min(first_order) FROM rpt_customer_totals WHERE customer_id = $c",
                        {"c": known[1]}).fetchall()[0][0]
    last = cur.execute("SELECT max(order_date) FROM orders").fetchall()[0][0]
    campaign, contacted, day = cur.execute(
        "SELECT campaign_id, customer_id, contact_date FROM contacts WHERE \"group\" = 'treatment' "
        "ORDER BY contact_date DESC, customer_id LIMIT 1").fetchall()[0]
    rows = [("N1", known[0], last + dt.timedelta(days=3), "80.00", "completed"),
            ("N2", known[0], last + dt.timedelta(days=3), "15.50", "completed"),
            ("N3", known[1], first - dt.timedelta(days=40), "42.00", "completed"),
            ("N4", known[2], last + dt.timedelta(days=9), "60.00", "returned"),
            ("N5", contacted, day + dt.timedelta(days=2), "33.00", "completed"),
            ("N6", "A-000-new", last + dt.timedelta(days=1), "25.00", "completed"),
            ("N7", "Z-999-new", last + dt.timedelta(days=2), "99.00", "completed")]
    lines = ["order_id,customer_id,order_date,amount,status"]
    lines += [f"APPENDED-{o},{c},{d:%Y-%m-%d},{a},{s}" for o, c, d, a, s in rows]
    assert campaign is not None
    return write("next_weeks_orders.csv", "\n".join(lines) + "\n")


def test_after_appended_orders_the_refreshed_layer_equals_a_full_build(appendable, write, monkeypatch):
    """Only the changed customers' rows are recomputed, and every table of the layer ends as a build from scratch
    makes it: the same rows, the same customer keys (the created customers take the next ones)."""
    cur = appendable.cursor()
    customers = cur.execute("SELECT count(*) FROM rpt_customers").fetchall()[0][0]
    result = import_file(appendable, "orders", _appended_orders(cur, write))
    assert (result.inserted, result.updated, result.customers_created) == (7, 0, 2)
    refreshed = []
    monkeypatch.setattr(reporting, "refresh", _spy(reporting.refresh, refreshed))
    assert reporting.ensure_current(cur) and refreshed == [True]
    after_refresh = _layer_tables(cur)
    keys = after_refresh["rpt_customers"].set_index("customer_id")["customer_key"]
    assert (keys["A-000-new"], keys["Z-999-new"]) == (customers + 1, customers + 2)
    cur.execute("DELETE FROM rpt_state").fetchall()
    assert reporting.ensure_current(cur) and refreshed == [True]  # a layer never built: built whole
    for name, table in _layer_tables(cur).items():
        pd.testing.assert_frame_equal(after_refresh[name], table, obj=name)


def _spy(function, calls: list):
    def spied(*args, **kwargs):
        calls.append(function(*args, **kwargs))
        return calls[-1]
    return spied


def test_an_update_an_undo_or_another_table_rebuilds_the_whole_layer(appendable, write):
    """Only imports that appended orders (no row updated, nothing undone since) are refreshed."""
    cur = appendable.cursor()
    built = db.scalar(cur, "reporting_version")
    assert reporting.appended_since(cur, built) is None  # nothing since
    appended = import_file(appendable, "orders", _appended_orders(cur, write))
    assert reporting.appended_since(cur, built) == appended.import_id - 1
    order = cur.execute("SELECT order_id, customer_id, order_date FROM orders WHERE order_id NOT LIKE 'APPENDED-%' "
                        "LIMIT 1").fetchall()[0]
    changed = write("changed.csv", f"order_id,customer_id,order_date,amount\n{order[0]},{order[1]},"
                                   f"{order[2]:%Y-%m-%d},1.00\n")
    update = import_file(appendable, "orders", changed)
    assert update.updated == 1 and reporting.appended_since(cur, built) is None  # an order's amount updated
    reporting.ensure_current(cur)
    built = db.scalar(cur, "reporting_version")
    undo_import(appendable, update.import_id)
    assert reporting.appended_since(cur, built) is None
    reporting.ensure_current(cur)
    built = db.scalar(cur, "reporting_version")
    import_file(appendable, "customers", write("more.csv", "customer_id,region\nnew-1,Europe\n"))
    assert reporting.appended_since(cur, built) is None


def test_an_append_of_many_customers_is_built_whole(appendable, write, monkeypatch):
    cur = appendable.cursor()
    import_file(appendable, "orders", _appended_orders(cur, write))
    monkeypatch.setattr(reporting, "REFRESH_SHARE", 0.001)  # the 6 of 400 customers count as many
    calls = []
    monkeypatch.setattr(reporting, "build", _spy(reporting.build, calls))
    assert reporting.ensure_current(cur) and calls == [None]
    assert cur.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'layer_keys'").fetchall() == [(0,)]


def test_every_layer_file_says_what_a_refresh_does_with_it():
    for name, step in reporting.steps().items():
        assert step.after_append in ("kept", "rebuilt", "refreshed"), name
        if step.after_append == "refreshed" and not step.temporary:
            assert step.refresh_by in ("customer_id", "customer_key") or step.refresh_by.startswith("refresh_"), name
        if step.refresh_by in ("customer_id", "customer_key"):
            assert "-- @changed" in (db.SQL_DIR / f"{step.query}.sql").read_text(encoding="utf-8") or \
                "contact_pairs" in step.requires, name
