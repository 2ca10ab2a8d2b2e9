"""The reporting layer's files: each declares the layer tables it reads, the build order is derived from those
declarations, and the layer's version follows the text of its SQL."""

from __future__ import annotations

import re
import shutil

import pytest

from crm_metrics import db, reporting

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
