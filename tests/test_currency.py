"""The currency of the amounts: stored with the data, read by the app and the CLI, written everywhere money is."""

from __future__ import annotations

import plotly.graph_objects as go
import pytest

from crm_metrics import currency, db
from crm_metrics.__main__ import main
from crm_metrics.formatting import money_exact, money_interval, money_short, money_whole


def test_money_is_written_in_the_currency_in_use():
    assert (money_short(1234.5), money_exact(-12.5), money_whole(99.6)) == ("$1.2k", "-$12.50", "$100")
    currency.use("gbp")
    assert (money_short(1234.5), money_exact(-12.5), money_whole(99.6)) == ("£1.2k", "-£12.50", "£100")
    currency.use("BRL")
    assert money_short(2_500_000) == "R$2.5M" and money_interval(10, 20) == "95% interval R$10 to R$20"
    currency.use("CHF")
    assert money_exact(5) == "CHF 5.00"
    with pytest.raises(ValueError, match="unknown currency"):
        currency.use("XYZ")


def test_the_currency_is_stored_with_the_data(con, monkeypatch):
    monkeypatch.delenv("CRM_CURRENCY", raising=False)
    cur = con.cursor()
    assert currency.stored(cur) == "USD"
    monkeypatch.setenv("CRM_CURRENCY", "EUR")
    assert currency.stored(cur) == "EUR"  # the environment's, while the data has none
    currency.store(con, "GBP")
    assert currency.stored(cur) == "GBP" and currency.code() == "GBP"
    currency.use("USD")
    assert currency.load(cur) == "GBP" and currency.symbol() == "£"


def test_charts_write_the_currency_in_use():
    import pandas as pd

    from ui.charts import breakdown_bar, in_currency

    frame = pd.DataFrame({"value": ["Europe"], "revenue": [100.0], "orders": [2], "customers": [1], "share": [1.0]})
    dollars = breakdown_bar(frame, "Revenue", "Region")
    assert dollars.layout.xaxis.tickprefix == "$" and "$%{x" in dollars.data[0].hovertemplate
    currency.use("GBP")
    pounds = breakdown_bar(frame, "Revenue", "Region")
    assert pounds.layout.xaxis.tickprefix == "£" and pounds.layout.xaxis.title.text == "Revenue (£)"
    assert "£%{x" in pounds.data[0].hovertemplate and "$" not in pounds.data[0].hovertemplate
    plain = in_currency(go.Figure(go.Bar(x=[1], y=[2], hovertemplate="%{y} orders")))
    assert plain.data[0].hovertemplate == "%{y} orders"


def test_cli_sets_and_prints_the_currency(tmp_path, capsys):
    path = tmp_path / "c.duckdb"
    assert main(["--db", str(path), "currency", "gbp"]) == 0
    assert "Amounts are in GBP (£)." in capsys.readouterr().out
    assert main(["--db", str(path), "currency", "XYZ"]) == 2
    assert main(["--db", str(path), "currency"]) == 0
    assert "GBP" in capsys.readouterr().out
    con = db.connect(path)
    try:
        assert currency.stored(con.cursor()) == "GBP"
    finally:
        con.close()
