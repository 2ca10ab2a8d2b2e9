"""A mapping the user confirmed, saved as a source: next month's file in the same layout is recognised and read the
same way, with every guarantee of a source; what cannot be a source is refused, saying why."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from db_helpers import snapshot

from crm_metrics.__main__ import main
from crm_metrics.access import AccessDenied, Principal
from crm_metrics.importing import ImportRejected
from crm_metrics.importing.saved_sources import MappingNotSaved, mapping_source, save
from crm_metrics.importing.sources import import_source, preview, recognise

TILL = {"Beleg": "order_id", "Kunde's Nr": "customer_id", "Datum": "order_date", "Betrag": "amount",
        "Kanal": "channel", "Notiz": "-"}
MARCH = "Beleg;Kunde's Nr;Datum;Betrag;Kanal;Notiz\nB-1;K1;03.04.2024;1.234,50;Laden;x\nB-2;K2;17.04.2024;12,00;Web;\n"
APRIL = "Notiz;Beleg;Kunde's Nr;Datum;Betrag;Kanal\n;B-3;K1;02.05.2024;7,25;Laden\n;B-4;K3;03.05.2024;-3,00;Web\n"


@pytest.fixture
def folder(tmp_path, monkeypatch):
    folder = tmp_path / "sources"
    monkeypatch.setenv("CRM_SOURCES", str(folder))
    return folder


def test_next_months_file_is_recognised_and_read_as_confirmed(con, tmp_path, folder):
    saved = save(mapping_source("till_orders", "Orders from the till", "orders", TILL, ",", "%d.%m.%Y"))
    assert saved == folder / "till_orders.sql"
    april = tmp_path / "kasse-2024-05.csv"
    april.write_text(APRIL)  # the columns in another order, as the next export may write them
    assert recognise(APRIL.splitlines()[0].split(";")).name == "till_orders"
    seen = preview(con, april)  # the orders have no status column: they are completed, as the import takes them
    assert (seen.orders["orders"], seen.orders["revenue"]) == (2, Decimal("4.25"))
    result = import_source(con, april)
    assert [r.table for r in result.imports] == ["orders"]
    assert con.execute("SELECT order_id, customer_id, CAST(order_date AS VARCHAR), amount, channel FROM orders "
                       "ORDER BY 1").fetchall() == [("B-3", "K1", "2024-05-02", Decimal("7.25"), "Laden"),
                                                    ("B-4", "K3", "2024-05-03", Decimal("-3.00"), "Web")]


def test_a_value_the_saved_reading_cannot_read_is_named_and_nothing_changes(seeded, tmp_path, folder):
    save(mapping_source("till_orders", "Orders from the till", "orders", TILL, ",", "%d.%m.%Y"))
    bad = tmp_path / "kasse.csv"
    bad.write_text(MARCH.replace("17.04.2024", "2024-04-17").replace("12,00", "12x"))
    before = snapshot(seeded)
    with pytest.raises(ImportRejected) as raised:
        import_source(seeded, bad)
    assert [(p.line, p.column, p.value) for p in raised.value.problems] == [(3, "Betrag", "12x"),
                                                                           (3, "Datum", "2024-04-17")]
    assert snapshot(seeded) == before


def test_the_cli_imports_through_a_saved_source(tmp_path, folder, capsys):
    save(mapping_source("till_orders", "Orders from the till", "orders", TILL, ",", "%d.%m.%Y"))
    march = tmp_path / "march.csv"
    march.write_text(MARCH)
    assert main(["--db", str(tmp_path / "cli.duckdb"), "import", str(march)]) == 0
    assert "recognised as Orders from the till (till_orders)" in capsys.readouterr().out


@pytest.mark.parametrize(("name", "mapping", "reason"), [
    ("Till", TILL, "lower-case letters"),
    ("shopify_orders", TILL, "a source named shopify_orders exists"),
    ("till", {**TILL, "Datum": "-"}, "the required column(s) order_date are not mapped"),
    ("till", {**TILL, "Notiz": "amount"}, "two file columns import as amount"),
    ("till", {"order_id": "order_id", "Customer ID": "customer_id", "Order Date": "order_date", "amount": "amount"},
     "it needs no source"),
    ("till", {**TILL, "Preis, brutto": "cost"}, "cannot be a source's header"),
])
def test_what_cannot_be_a_source_is_refused_saying_why(folder, name, mapping, reason):
    with pytest.raises(MappingNotSaved, match=re.escape(reason)):
        mapping_source(name, "Till", "orders", mapping, ",", "%d.%m.%Y")
    assert not folder.exists()


def test_header_text_stays_text_in_the_generated_sql(con, tmp_path, folder):
    mapping = {"Id'); DROP TABLE orders; --": "order_id", 'Who "x"': "customer_id", "When": "order_date",
               "Paid": "amount"}
    save(mapping_source("odd_orders", "Odd -- header: x\n-- writes: surveys", "orders", mapping))
    path = tmp_path / "odd.csv"
    path.write_text('"Id\'); DROP TABLE orders; --","Who ""x""",When,Paid\nO1,C1,2024-01-02,5\n')
    result = import_source(con, path)
    assert result.source.writes == ("orders",)
    assert con.execute("SELECT order_id, customer_id FROM orders").fetchall() == [("O1", "C1")]


def test_a_viewer_may_not_save_a_source(folder):
    text = mapping_source("till_orders", "Orders from the till", "orders", TILL, ",", "%d.%m.%Y")
    with pytest.raises(AccessDenied):
        save(text, actor=Principal("vera", "viewer"))
    assert not folder.exists()
