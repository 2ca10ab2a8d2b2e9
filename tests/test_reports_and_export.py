"""Reports on hand-built data, and the formula-safe export."""

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from crm_metrics import report
from crm_metrics.export import neutralise, safe_frame, to_safe_csv
from crm_metrics.importing import import_file


def test_tables_report(seeded):
    counts = report(seeded, "tables").set_index("table_name")["row_count"].to_dict()
    assert counts == {"customers": 2, "orders": 2, "campaigns": 1, "contacts": 0, "tickets": 0, "surveys": 0}


def test_quality_report_by_hand(seeded, write):
    import_file(seeded, "orders", write("q.csv", "order_id,customer_id,order_date,amount,status\n"
                                        "O3,C001,2024-01-07,0,completed\nO4,C001,2023-12-01,-3,returned\n"
                                        "O5,C009,2024-01-08,7,cancelled\n"))
    import_file(seeded, "customers", write("dupe.csv", "customer_id,email\nC010,ANN@example.com\n"))
    q = report(seeded, "quality").set_index("check_name")
    assert q.loc["Zero amounts", "affected"] == 1 and q.loc["Negative amounts", "affected"] == 1
    assert q.loc["Returned orders", "affected"] == 1 and q.loc["Cancelled orders", "affected"] == 1
    assert q.loc["Orders before signup", "affected"] == 1  # O4 before C001's signup 2024-01-02
    assert q.loc["Customers without a profile", "affected"] == 1  # C009 created from orders
    assert q.loc["Duplicate customers", "affected"] == 2  # ann@example.com twice, ignoring case
    assert q.loc["Customers without orders", "affected"] == 1  # C010
    assert q.loc["Orders without customers", "affected"] == 0
    assert q.loc["Zero amounts", "total"] == 5 and abs(q.loc["Zero amounts", "share"] - 0.2) < 1e-12
    # a customer row removed behind the importer's back: their order is left without a customer
    seeded.execute("DELETE FROM customers WHERE customer_id = 'C009'")
    q = report(seeded, "quality").set_index("check_name")
    assert q.loc["Orders without customers", "affected"] == 1  # O5
    assert q.loc["Customers without orders", "affected"] == 1  # still C010 alone (C001 has three orders)
    assert q.loc["Orders before signup", "affected"] == 1


def test_quality_report_on_empty_database(con):
    q = report(con, "quality")
    assert (q["affected"] == 0).all() and q["share"].isna().all()


def test_hyperlink_name_is_neutralised_in_exports():
    frame = pd.DataFrame({"name": ['=HYPERLINK("http://x","y")', "+SUM(A1)", "@cmd", "-1+2", "\tx", "Ann"],
                          "amount": [-1.5, 2, 3, 4, 5, 6]})
    text = to_safe_csv(frame).decode("utf-8-sig")
    assert "'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")" in text
    assert "\n'+SUM(A1)," in text and "\n'@cmd," in text and "\n'-1+2," in text and "\nAnn,6" in text
    assert "-1.5" in text and "'-1.5" not in text  # numbers stay numbers
    assert neutralise(None) is None


@settings(max_examples=60, deadline=None)
@given(cells=st.lists(st.one_of(st.none(), st.integers(), st.floats(allow_nan=False),
                                st.text(alphabet="=+-@\t\rab1 '", max_size=5)), min_size=1, max_size=12))
def test_vectorised_neutralising_matches_the_per_cell_rule(cells):
    mixed = pd.DataFrame({"cell": pd.Series(cells, dtype=object)})
    texts = pd.DataFrame({"cell": pd.Series([c for c in cells if isinstance(c, str)] or ["x"], dtype="string")})
    for frame in (mixed, texts):
        before = frame["cell"].tolist()
        expected = [neutralise(v) for v in before]
        got = safe_frame(frame)["cell"].tolist()
        assert [None if pd.isna(v) else v for v in got] == [None if pd.isna(v) else v for v in expected]
        assert frame["cell"].tolist() == before  # the input is left alone


def test_the_internal_customer_key_is_never_handed_out(sample_con):
    """The whole-base frames carry the reporting layer's customer_key (selections are made by it); reports
    and exported files leave it out: it numbers one build of the layer and means nothing outside it."""
    from crm_metrics import churn, clv

    forecast = clv.forecast_base(sample_con.cursor())
    assert "customer_key" in forecast.predictions and "customer_key" in churn.fit_whole_base(sample_con.cursor()).scored
    for name in ("clv", "churn", "rfm"):
        frame = report(sample_con, name)
        assert len(frame) and "customer_id" in frame and "customer_key" not in frame, name
    exported = safe_frame(forecast.predictions)
    assert "customer_key" not in exported and len(exported) == len(forecast.predictions)
    assert to_safe_csv(forecast.predictions.head(3)).decode("utf-8-sig").splitlines()[0].startswith("customer_id,x,")


def test_exported_numbers_carry_no_binary_noise():
    revenue = 13599.71 + 2e-12  # a sum of amounts that picked up binary noise
    assert repr(revenue) != "13599.71"
    frame = pd.DataFrame({"customer_id": ["C1", "C2"], "revenue": [revenue, -0.1 - 0.2],
                          "p_alive": [0.123456789012345, 1e-12]})
    lines = to_safe_csv(frame).decode("utf-8-sig").splitlines()
    assert lines == ["customer_id,revenue,p_alive", "C1,13599.71,0.123456789012345", "C2,-0.3,1e-12"]
