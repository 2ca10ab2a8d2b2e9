"""AppTest: every page on every database shape real data takes (tests/shapes.py): partial, sparse and odd
databases render without an exception and say what they cannot show."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from shapes import SHAPES, build, sample_frames
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
PAGES = ["pages/overview.py", "pages/customer.py", "pages/segments.py", "pages/campaigns.py", "pages/retention.py",
         "pages/satisfaction.py", "pages/value.py", "pages/data.py", "pages/learn.py"]


@pytest.fixture(scope="module")
def databases(tmp_path_factory) -> dict[str, Path]:
    work = tmp_path_factory.mktemp("shapes")
    base = sample_frames(work)
    return {shape: build(shape, work / f"{shape}.duckdb", work, base) for shape in SHAPES}


def _app(monkeypatch, path: Path) -> AppTest:
    monkeypatch.setenv("CRM_DB", str(path))
    monkeypatch.chdir(ROOT)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.run()
    return at


def _errors(at: AppTest) -> list[str]:
    return [e.message for e in at.exception]


@pytest.mark.parametrize("shape", SHAPES)
def test_every_page_renders_on_the_shape(databases, monkeypatch, shape):
    at = _app(monkeypatch, databases[shape])
    assert not at.exception, _errors(at)
    for page in PAGES:
        at.switch_page(page).run()
        assert not at.exception, (page, _errors(at))
        assert at.title, page


def _customers_with_odd_orders(path: Path) -> list[str]:
    """Customers with an order of zero or negative amount, read from the orders file the shape imported."""
    orders = pd.read_csv(path.parent / path.stem / "orders.csv", dtype=str)
    odd = orders[orders["amount"].astype(float) <= 0]
    return sorted(odd["customer_id"].unique())[:3]


@pytest.mark.parametrize("shape", ["negative_zero", "one_customer"])
def test_customer_360_opens_customers_with_refunds_and_zero_orders(databases, monkeypatch, shape):
    ids = _customers_with_odd_orders(databases[shape])
    assert ids
    at = _app(monkeypatch, databases[shape])
    for customer_id in ids:
        at.session_state["customer_360_pending"] = customer_id
        at.switch_page("pages/customer.py").run()
        assert not at.exception, (customer_id, _errors(at))
        assert at.subheader[0].value.endswith(customer_id)


def test_customers_only_says_orders_are_needed(databases, monkeypatch):
    at = _app(monkeypatch, databases["customers_only"])
    for page in ["pages/overview.py", "pages/segments.py", "pages/retention.py", "pages/value.py"]:
        at.switch_page(page).run()
        assert any("no completed order yet" in i.value for i in at.info), page


def test_orders_only_churn_says_which_features_it_left_out(databases, monkeypatch):
    at = _app(monkeypatch, databases["orders_only"])
    at.switch_page("pages/retention.py").run()
    assert not at.exception, _errors(at)
    left_out = [c.value for c in at.caption if c.value.startswith("Left out of the model")]
    assert left_out and "support tickets" in left_out[0] and "campaigns received" in left_out[0]


def test_partly_recorded_attributes_show_as_not_recorded(databases, monkeypatch):
    at = _app(monkeypatch, databases["partial_attributes"])
    at.switch_page("pages/overview.py").run()
    assert not at.exception, _errors(at)
    bars = [c for c in at.get("plotly_chart") if '"orientation":"h"' in c.proto.spec]
    assert bars and any("(not recorded)" in c.proto.spec for c in bars)


def test_pages_without_campaigns_or_surveys_say_what_to_import_not_to_widen_the_period(databases, monkeypatch):
    at = _app(monkeypatch, databases["orders_only"])
    at.switch_page("pages/campaigns.py").run()
    assert any("No campaigns are loaded yet" in i.value for i in at.info)
    at.switch_page("pages/satisfaction.py").run()
    assert any("No survey answers or support tickets are loaded yet" in i.value for i in at.info)
    assert not any("Widen" in i.value for i in at.info)


def test_every_page_writes_money_in_the_currency_of_the_data(monkeypatch, tmp_path):
    from crm_metrics import currency, db

    path = build("negative_zero", tmp_path / "pounds.duckdb", tmp_path)
    con = db.connect(path)
    currency.store(con, "GBP")
    con.close()
    currency.use("USD")  # the app reads it from the data
    at = _app(monkeypatch, path)
    money = []
    for page in PAGES:
        at.switch_page(page).run()
        assert not at.exception, (page, _errors(at))
        money += [m.value for m in at.metric if m.value.startswith(("£", "-£", "$", "-$"))]
    assert money and not [m for m in money if "$" in m], money
    at.switch_page("pages/overview.py").run()
    layouts = [json.loads(c.proto.spec)["layout"] for c in at.get("plotly_chart")]
    prefixes = {layout[axis].get("tickprefix") for layout in layouts for axis in ("xaxis", "yaxis") if axis in layout}
    assert "£" in prefixes and "$" not in prefixes


def test_unrecorded_text_is_an_empty_cell_not_the_word_none():
    from decimal import Decimal

    from ui.customer_links import blank_missing_text

    frame = pd.DataFrame({"customer_id": ["C1", "C2"], "name": ["Ann", None],
                          "region": pd.Series(["Europe", None], dtype="str"), "revenue": [Decimal("1.50"), None],
                          "p_alive": [0.5, float("nan")]})
    shown = blank_missing_text(frame)
    assert shown["name"].tolist() == ["Ann", ""] and shown["region"].tolist() == ["Europe", ""]
    assert shown["revenue"].isna().tolist() == [False, True] and shown["p_alive"].isna().tolist() == [False, True]
