"""Files in the layouts marketers' tools export, imported as exported: recognised from the header, checked line by
line, turned into canonical rows, all or nothing. Expected figures come from pandas on the same file."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from db_helpers import snapshot

from crm_metrics.__main__ import main
from crm_metrics.importing import ImportRejected
from crm_metrics.importing.sources import import_batch, import_source, preview, recognise, sources

ROOT = Path(__file__).resolve().parent.parent

ONLINE_RETAIL = ["InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice", "CustomerID",
                 "Country"]


def online_retail_lines(n_invoices: int = 120, seed: int = 4) -> pd.DataFrame:
    """Our own rows in the published Online Retail layout: several lines per invoice, US dates with times
    (single-digit months and days), C-prefixed returns with negative quantities, guest lines without a customer,
    ids written as 17850.0 by a spreadsheet, one customer who bought in two countries."""
    rng = np.random.default_rng(seed)
    rows = []
    start = dt.datetime(2010, 12, 1, 8, 26)
    for i in range(n_invoices):
        when = start + dt.timedelta(days=int(rng.integers(0, 370)), minutes=int(rng.integers(0, 600)))
        customer = "" if i % 17 == 0 else str(12000 + int(rng.integers(0, 25)))
        if customer and i % 5 == 0:
            customer += ".0"
        returned = i % 11 == 0 and customer
        number = f"{'C' if returned else ''}{536365 + i}"
        country = "France" if customer.startswith("12003") and when.month > 6 else "United Kingdom"
        for line in range(int(rng.integers(1, 5))):
            quantity = int(rng.integers(1, 25)) * (-1 if returned else 1)
            price = f"{rng.integers(10, 2000) / 100:.2f}"
            rows.append([number, f"2{line}{i:03d}", "WHITE HANGING HEART T-LIGHT HOLDER", str(quantity),
                         f"{when.month}/{when.day}/{when.year} {when.hour}:{when.minute:02d}", price, customer,
                         country])
    return pd.DataFrame(rows, columns=ONLINE_RETAIL)


def _expected(lines: pd.DataFrame) -> dict:
    """Orders, completed revenue and returns worked out with pandas from the file's own rows."""
    known = lines[lines["CustomerID"] != ""].copy()
    known["line_amount"] = known["Quantity"].astype(int) * known["UnitPrice"].astype(float)
    invoices = known.groupby("InvoiceNo")["line_amount"].sum().round(2)
    completed = invoices[~invoices.index.str.startswith("C")]
    return {"orders": len(invoices), "revenue": round(float(completed.sum()), 2),
            "returns": int(invoices.index.str.startswith("C").sum()),
            "customers": known["CustomerID"].str.replace(".0", "", regex=False).nunique(),
            "guest_lines": int((lines["CustomerID"] == "").sum())}


def test_an_online_retail_file_imports_with_no_flag(con, tmp_path):
    lines = online_retail_lines()
    path = tmp_path / "Online Retail.csv"
    lines.to_csv(path, index=False)
    result = import_source(con, path)
    expected = _expected(lines)
    assert result.source.name == "online_retail" and result.date_format == "%m/%d/%Y"
    orders = con.execute("SELECT count(*), sum(amount) FILTER (WHERE status = 'completed'), "
                         "count(*) FILTER (WHERE status = 'returned') FROM orders").fetchone()
    assert orders == (expected["orders"], Decimal(f"{expected['revenue']:.2f}"), expected["returns"])
    assert con.execute("SELECT count(*) FROM customers").fetchone()[0] == expected["customers"]
    assert any(f"guest sales): {expected['guest_lines']}" in w for w in result.left_out)
    # the customer seen in two countries has the country of their latest invoice
    two = lines[lines["CustomerID"].str.startswith("12003")]
    latest = two.assign(day=pd.to_datetime(two["InvoiceDate"], format="%m/%d/%Y %H:%M")).sort_values("day")
    assert set(two["Country"]) == {"France", "United Kingdom"}
    assert con.execute("SELECT country FROM customers WHERE customer_id = '12003'").fetchone()[0] == \
        latest["Country"].iloc[-1]
    # dates as written: the earliest invoice day of the file
    first = pd.to_datetime(lines["InvoiceDate"], format="%m/%d/%Y %H:%M").min().date()
    assert con.execute("SELECT min(order_date) FROM orders").fetchone()[0] == first
    again = import_source(con, path)  # the same file again changes nothing
    assert all(r.already_imported_at is not None for r in again.imports)


def test_the_online_retail_ii_spelling_is_the_same_source(con, tmp_path):
    lines = online_retail_lines(30).rename(columns={"InvoiceNo": "Invoice", "UnitPrice": "Price",
                                                    "CustomerID": "Customer ID"})
    path = tmp_path / "online_retail_II.csv"
    lines.to_csv(path, index=False)
    assert import_source(con, path).source.name == "online_retail"
    assert con.execute("SELECT count(*) FROM orders").fetchone()[0] == _expected(
        lines.rename(columns={"Invoice": "InvoiceNo", "Price": "UnitPrice", "Customer ID": "CustomerID"}))["orders"]


def test_recognition_is_exact_never_a_guess():
    assert recognise(ONLINE_RETAIL).name == "online_retail"
    assert recognise([h.lower().replace("id", " ID") for h in ONLINE_RETAIL]).name == "online_retail"
    assert recognise(["order_id", "customer_id", "order_date", "amount"]) is None
    assert recognise([h for h in ONLINE_RETAIL if h != "UnitPrice"]) is None  # a column short: not recognised


def test_a_bad_value_is_named_by_file_line_and_column_and_nothing_changes(seeded, tmp_path):
    lines = online_retail_lines(20)
    lines.loc[7, "Quantity"] = "six"
    lines.loc[9, "InvoiceDate"] = "13/45/2011 10:00"
    path = tmp_path / "retail.csv"
    lines.to_csv(path, index=False)
    before = snapshot(seeded)
    with pytest.raises(ImportRejected) as rejected:
        import_source(seeded, path)
    problems = [str(p) for p in rejected.value.problems]
    assert problems == ["retail.csv:9: column Quantity: not a whole number 'six'",
                        "retail.csv:11: column InvoiceDate: not a date in the format %m/%d/%Y '13/45/2011 10:00'"]
    assert snapshot(seeded) == before


def test_a_file_recognised_as_nothing_and_a_missing_column_are_said(con, tmp_path):
    plain = tmp_path / "export.csv"
    plain.write_text("Order,Buyer,When\n1,Ann,2024-01-01\n")
    with pytest.raises(ImportRejected, match="export.csv:1: not a layout the dashboard knows"):
        import_source(con, plain)
    short = tmp_path / "short.csv"
    online_retail_lines(5).drop(columns=["UnitPrice"]).to_csv(short, index=False)
    with pytest.raises(ImportRejected, match="short.csv:1: column UnitPrice: a column the Line items"):
        import_source(con, short, "online_retail")


def test_a_batch_with_one_bad_file_changes_nothing(seeded, tmp_path):
    good, bad = tmp_path / "good.csv", tmp_path / "bad.csv"
    online_retail_lines(15, seed=1).to_csv(good, index=False)
    broken = online_retail_lines(15, seed=2)
    broken.loc[3, "UnitPrice"] = "abc"
    broken.to_csv(bad, index=False)
    before = snapshot(seeded)
    with pytest.raises(ImportRejected, match="bad.csv:5: column UnitPrice"):
        import_batch(seeded, [good, bad])
    assert snapshot(seeded)["orders"] == before["orders"] and snapshot(seeded)["customers"] == before["customers"]


def test_cli_recognises_lists_and_refuses(tmp_path, capsys):
    database = str(tmp_path / "cli.duckdb")
    path = tmp_path / "Online Retail.csv"
    online_retail_lines(25).to_csv(path, index=False)
    assert main(["--db", database, "sources"]) == 0
    assert "online_retail: Line items in the Online Retail layout" in capsys.readouterr().out
    assert main(["--db", database, "import", str(path)]) == 0
    out = capsys.readouterr().out
    assert "recognised as Line items in the Online Retail layout" in out and "-> orders" in out
    unknown = tmp_path / "mystery.csv"
    unknown.write_text("a,b\n1,2\n")
    assert main(["--db", database, "import", str(unknown)]) == 1
    assert "not a layout the dashboard knows" in capsys.readouterr().err


# the columns of Shopify's orders export, in its order (help.shopify.com, "Exporting orders")
SHOPIFY = ["Name", "Email", "Financial Status", "Paid at", "Fulfillment Status", "Fulfilled at", "Accepts Marketing",
           "Currency", "Subtotal", "Shipping", "Taxes", "Total", "Discount Code", "Discount Amount", "Shipping Method",
           "Created at", "Lineitem quantity", "Lineitem name", "Lineitem price", "Lineitem compare at price",
           "Lineitem sku", "Lineitem requires shipping", "Lineitem taxable", "Lineitem fulfillment status",
           "Billing Name", "Billing Street", "Billing Address1", "Billing Address2", "Billing Company", "Billing City",
           "Billing Zip", "Billing Province", "Billing Country", "Billing Phone", "Shipping Name", "Shipping Street",
           "Shipping City", "Shipping Zip", "Shipping Country", "Notes", "Note Attributes", "Cancelled at",
           "Payment Method", "Payment Reference", "Refunded Amount", "Vendor", "Id", "Tags", "Risk Level", "Source"]


def shopify_orders() -> pd.DataFrame:
    """Our own orders in Shopify's layout: order fields on the first line item only, an email written in two
    cases, a guest checkout, a refund, a voided and a cancelled order, a pending one, offsets after the time."""
    orders = [  # name, email, status, created at, total, cancelled at, [(qty, price)], billing name, city, country
        ("#1001", "Ann@Example.com", "paid", "2024-05-01 23:58:12 -0500", "54.00", "", [(2, "12.00"), (1, "30.00")],
         "Ann Lee", "Leeds", "GB"),
        ("#1002", "bob@example.com", "partially_refunded", "2024-05-02 09:00:00 +0200", "20.50", "", [(1, "20.50")],
         "Bob Roy", "Paris", "FR"),
        ("#1003", " ann@example.com ", "paid", "2024-06-10 10:15:00 +0100", "99.99", "", [(3, "33.33")],
         "Ann Lee", "York", "GB"),
        ("#1004", "", "paid", "2024-06-11 11:00:00 +0100", "15.00", "", [(1, "15.00")], "", "", ""),
        ("#1005", "cy@example.com", "refunded", "2024-06-12 12:00:00 +0100", "40.00", "", [(1, "40.00")],
         "Cy Fox", "Bath", "GB"),
        ("#1006", "cy@example.com", "voided", "2024-06-13 12:00:00 +0100", "10.00", "", [(1, "10.00")],
         "Cy Fox", "Bath", "GB"),
        ("#1007", "bob@example.com", "paid", "2024-06-14 08:00:00 +0200", "70.00", "2024-06-15 09:00:00 +0200",
         [(7, "10.00")], "Bob Roy", "Lyon", "FR"),
        ("#1008", "dee@example.com", "pending", "2024-06-15 08:00:00 +0000", "25.00", "", [(1, "25.00")],
         "Dee Kim", "Hull", "GB"),
    ]
    rows = []
    for name, email, status, created, total, cancelled, items, billing, city, country in orders:
        for i, (qty, price) in enumerate(items):
            row = dict.fromkeys(SHOPIFY, "")
            row.update({"Name": name, "Lineitem quantity": str(qty), "Lineitem price": price,
                        "Lineitem name": f"Item {i}", "Id": str(5_000_000 + len(rows))})
            if i == 0:  # the order's own fields stand on its first line only
                row.update({"Email": email, "Financial Status": status, "Created at": created, "Total": total,
                            "Currency": "GBP", "Cancelled at": cancelled, "Billing Name": billing,
                            "Billing City": city, "Billing Country": country, "Source": "web"})
            rows.append(row)
    return pd.DataFrame(rows, columns=SHOPIFY)


def test_a_shopify_orders_export_imports_with_no_flag(con, tmp_path):
    from crm_metrics import currency

    path = tmp_path / "orders_export_1.csv"
    shopify_orders().to_csv(path, index=False)
    result = import_source(con, path)
    assert result.source.name == "shopify_orders" and result.currency == "GBP"
    got = con.execute("SELECT order_id, customer_id, CAST(order_date AS VARCHAR), amount, quantity, status "
                      "FROM orders ORDER BY order_id").fetchall()
    assert got == [
        ("#1001", "ann@example.com", "2024-05-01", Decimal("54.00"), 3, "completed"),  # the shop's day, not UTC's
        ("#1002", "bob@example.com", "2024-05-02", Decimal("20.50"), 1, "completed"),
        ("#1003", "ann@example.com", "2024-06-10", Decimal("99.99"), 3, "completed"),  # one customer, two spellings
        ("#1005", "cy@example.com", "2024-06-12", Decimal("40.00"), 1, "returned"),
        ("#1006", "cy@example.com", "2024-06-13", Decimal("10.00"), 1, "cancelled"),
        ("#1007", "bob@example.com", "2024-06-14", Decimal("70.00"), 7, "cancelled"),
    ]
    assert con.execute("SELECT customer_id, name, city, country FROM customers ORDER BY 1").fetchall() == [
        ("ann@example.com", "Ann Lee", "York", "GB"), ("bob@example.com", "Bob Roy", "Lyon", "FR"),
        ("cy@example.com", "Cy Fox", "Bath", "GB")]
    assert result.left_out == ["orders whose status is not an order (not paid yet: pending, authorized): 1, worth 25.00",
                               "orders without an email (guest or point-of-sale checkouts): 1, worth 15.00"]
    assert currency.code() == "GBP"


def test_a_shopify_status_the_map_does_not_know_stops_the_import(seeded, tmp_path):
    orders = shopify_orders()
    orders.loc[orders["Name"] == "#1002", "Financial Status"] = "expired"
    path = tmp_path / "orders_export.csv"
    orders.to_csv(path, index=False)
    before = snapshot(seeded)
    with pytest.raises(ImportRejected) as rejected:
        import_source(seeded, path)
    assert [str(p) for p in rejected.value.problems] == [
        "orders_export.csv:4: column Financial Status: a payment status the status map does not know: map it to "
        "completed, returned, cancelled or not an order 'expired'"]
    assert snapshot(seeded) == before
    # the map, as shown before the import: each status the file writes, its orders, what it imports as
    seen = preview(seeded, path, statuses={"expired": "not an order"})
    assert seen.statuses == [("paid", 4, "completed"), ("expired", 1, "not an order"),
                             ("pending", 1, "not an order"), ("refunded", 1, "returned"), ("voided", 1, "cancelled")]
    # mapped by the user, the status imports: an expired checkout is not an order
    result = import_source(seeded, path, statuses={"Expired": "not an order"})
    assert "#1002" not in {r[0] for r in seeded.execute("SELECT order_id FROM orders").fetchall()}
    assert result.left_out[0] == "orders whose status is not an order (not paid yet: pending, authorized): 2, worth 45.50"


def test_a_source_of_your_own_from_the_folder_crm_sources_names(con, tmp_path, monkeypatch):
    folder = tmp_path / "sources"
    folder.mkdir()
    (folder / "my_shop.sql").write_text((ROOT / "docs" / "example_source.sql").read_text())
    monkeypatch.setenv("CRM_SOURCES", str(folder))
    path = tmp_path / "june.csv"
    path.write_text("Order Ref,Buyer Email,Placed,Paid,Note\nR1,Ann@Example.com,14/06/2024,20.00,gift\n"
                    "R2,,15/06/2024,5.00,\nR3,bob@example.com,16/06/2024,7.50,\n")
    result = import_source(con, path)
    assert result.source.name == "my_shop_orders" and result.date_format == "%d/%m/%Y"
    assert con.execute("SELECT order_id, customer_id, CAST(order_date AS VARCHAR), amount FROM orders ORDER BY 1"
                       ).fetchall() == [("R1", "ann@example.com", "2024-06-14", Decimal("20.00")),
                                        ("R3", "bob@example.com", "2024-06-16", Decimal("7.50"))]
    assert result.left_out == ["orders without a buyer email: 1, worth 5.00"]


# the first columns of Stripe's payments export ("unified payments"), in its order; older exports say Created (UTC)
STRIPE = ["id", "Created date (UTC)", "Amount", "Amount Refunded", "Currency", "Captured", "Converted Amount",
          "Converted Amount Refunded", "Converted Currency", "Decline Reason", "Description", "Fee",
          "Refunded date (UTC)", "Statement Descriptor", "Status", "Seller Message", "Taxes On Fee", "Card ID",
          "Customer ID", "Customer Description", "Customer Email"]


def stripe_payments() -> pd.DataFrame:
    """Our own payments in Stripe's layout: paid, refunded, failed, by a customer object or an email only, anonymous."""
    rows = [  # id, created, amount, currency, status, customer id, email
        ("py_1", "2024-03-01 10:00", "25.00", "eur", "Paid", "cus_A", "ann@example.com"),
        ("py_2", "2024-03-02 11:30", "40.00", "eur", "Refunded", "cus_A", "ann@example.com"),
        ("py_3", "2024-03-03 12:00", "12.50", "eur", "Failed", "cus_B", "bob@example.com"),
        ("py_4", "2024-03-04 13:00", "9.99", "eur", "Paid", "", "Cy@Example.com"),
        ("py_5", "2024-03-05 14:00", "5.00", "eur", "Paid", "", ""),
    ]
    frame = pd.DataFrame([dict(dict.fromkeys(STRIPE, ""), **{"id": i, "Created date (UTC)": c, "Amount": a,
                                                            "Currency": cur, "Status": s, "Customer ID": cid,
                                                            "Customer Email": e, "Captured": "true"})
                          for i, c, a, cur, s, cid, e in rows], columns=STRIPE)
    return frame


@pytest.mark.parametrize("created", ["Created date (UTC)", "Created (UTC)"])
def test_a_stripe_payments_export_imports_with_no_flag(con, tmp_path, created):
    path = tmp_path / "unified_payments.csv"
    stripe_payments().rename(columns={"Created date (UTC)": created}).to_csv(path, index=False)
    result = import_source(con, path)
    assert result.source.name == "stripe_payments" and result.currency == "EUR"
    assert con.execute("SELECT order_id, customer_id, CAST(order_date AS VARCHAR), amount, status FROM orders "
                       "ORDER BY 1").fetchall() == [
        ("py_1", "cus_A", "2024-03-01", Decimal("25.00"), "completed"),
        ("py_2", "cus_A", "2024-03-02", Decimal("40.00"), "returned"),
        ("py_4", "cy@example.com", "2024-03-04", Decimal("9.99"), "completed")]
    assert result.left_out == ["failed payments: 1, worth 12.50", "payments without a customer or an email: 1, worth 5.00"]


# a Google Ads campaign report as downloaded: a title and the date range above the header, closing Total rows
GOOGLE_ADS = '''Campaign report
"February 1, 2024 - February 29, 2024"
Campaign status,Campaign,Budget,Budget name,Budget type,Status,Campaign type,Currency code,Impr.,Interactions,Cost,Conversions
Enabled,Spring sale,50.00,Spring,Daily,Eligible,Search,USD,"40,000","1,200","1,234.56",35.00
Paused,Brand,20.00,Brand,Daily,Paused,Search,USD,--,--, --,--
Enabled,Retarget,10.00,Retarget,Daily,Eligible,Display,USD,"8,000",90,300.10,3.00
Total: Account,,,,,,,USD,"48,000","1,290","1,534.66",38.00
Total: Search,,,,,,,USD,"40,000","1,200","1,234.56",35.00
'''


def test_a_google_ads_campaign_report_imports_with_no_flag(con, tmp_path):
    path = tmp_path / "Campaign report.csv"
    path.write_text(GOOGLE_ADS)
    result = import_source(con, path)
    assert result.source.name == "google_ads_campaigns" and result.currency == "USD"
    got = con.execute("SELECT campaign_id, channel, CAST(start_date AS VARCHAR), CAST(end_date AS VARCHAR), cost, "
                      "objective FROM campaigns ORDER BY 1").fetchall()
    assert got == [("Brand", "Google Ads", "2024-02-01", "2024-02-29", Decimal("0.00"), "Search"),
                   ("Retarget", "Google Ads", "2024-02-01", "2024-02-29", Decimal("300.10"), "Display"),
                   ("Spring sale", "Google Ads", "2024-02-01", "2024-02-29", Decimal("1234.56"), "Search")]
    # the campaigns' cost is the report's Total row, which itself is not a campaign
    assert con.execute("SELECT sum(cost) FROM campaigns").fetchone()[0] == Decimal("1534.66")
    assert result.left_out == ["Total rows of the report: 2"]


def test_a_google_ads_report_without_its_date_range_is_said(con, tmp_path):
    path = tmp_path / "report.csv"
    path.write_text(GOOGLE_ADS.replace('"February 1, 2024 - February 29, 2024"\n', ""))
    with pytest.raises(ImportRejected, match="date range .* is missing: campaigns need a start date"):
        import_source(con, path)


META_ADS = ("Campaign name,Campaign delivery,Results,Result indicator,Reach,Impressions,Cost per results,"
                "Amount spent (BRL),Ends,Reporting starts,Reporting ends\n"
                "Black Friday,inactive,120,actions:link_click,9000,15000,1.20,144.00,2024-11-30,2024-11-01,"
                "2024-11-15\n"
                "Black Friday,inactive,80,actions:link_click,7000,11000,1.10,88.50,2024-11-30,2024-11-16,"
                "2024-11-30\n"
                "Always on,active,40,actions:link_click,3000,5000,2.00,80.00,Ongoing,2024-11-01,2024-11-30\n")


def test_a_meta_ads_export_imports_with_its_currency_from_the_header(con, tmp_path):
    path = tmp_path / "Meta-Ads-Campaigns.csv"
    path.write_text(META_ADS)
    result = import_source(con, path)
    assert result.source.name == "meta_ads_campaigns" and result.currency == "BRL"
    assert con.execute("SELECT campaign_id, channel, CAST(start_date AS VARCHAR), CAST(end_date AS VARCHAR), cost "
                       "FROM campaigns ORDER BY 1").fetchall() == [
        ("Always on", "Meta Ads", "2024-11-01", "2024-11-30", Decimal("80.00")),
        ("Black Friday", "Meta Ads", "2024-11-01", "2024-11-30", Decimal("232.50"))]


MAILCHIMP_CAMPAIGNS = ("Title,Subject,List,Send Date,Send Weekday,Total Recipients,Successful Deliveries,Soft Bounces,"
                "Hard Bounces,Total Bounces,Times Forwarded,Forwarded Opens,Unique Opens,Open Rate,Total Opens,"
                "Unique Clicks,Click Rate,Total Clicks,Unsubscribes,Abuse Complaints,Times Liked on Facebook,"
                "Folder Id,Unique Id\n"
                'June news,"Summer is here, 20% off",Customers,"Jun 09, 2018 09:30 pm",Saturday,1200,1180,10,10,20,'
                '3,1,400,33.90%,650,80,6.78%,120,4,0,0,,a1b2c3\n'
                'Win-back,We miss you,Customers,"Dec 1, 2018 10:00 am",Saturday,300,295,2,3,5,0,0,90,30.51%,'
                '110,15,5.08%,20,2,0,0,,d4e5f6\n')


def test_a_mailchimp_campaign_report_imports_with_no_cost_stated(con, tmp_path):
    path = tmp_path / "campaigns.csv"
    path.write_text(MAILCHIMP_CAMPAIGNS)
    result = import_source(con, path)
    assert result.source.name == "mailchimp_campaigns" and result.date_format == "%b %d, %Y"
    assert con.execute("SELECT campaign_id, name, channel, CAST(start_date AS VARCHAR), cost, objective "
                       "FROM campaigns ORDER BY 1").fetchall() == [
        ("a1b2c3", "June news", "Email", "2018-06-09", Decimal("0.00"), "Summer is here, 20% off"),
        ("d4e5f6", "Win-back", "Email", "2018-12-01", Decimal("0.00"), "We miss you")]
    assert result.left_out[0].startswith("campaign costs (Mailchimp exports none")


CONTACT_EXPORTS = {  # source: (file text in the published layout, the customers it writes)
    "klaviyo_profiles": (
        "Email,Phone Number,First Name,Last Name,Organization,Title,Address,Address 2,City,State / Region,Country,"
        "Zip Code,Source,Klaviyo ID\n"
        "Ann@Example.com,,Ann,Lee,,,1 High St,,York,North Yorkshire,GB,YO1,Shopify,01ABC\n"
        "eve@example.com,,Eve,Ng,,,,,Leeds,,GB,,Form,01ABD\n"
        ",,No,Mail,,,,,,,,,Form,01ABE\n",
        [("ann@example.com", "Ann Lee", "York", "GB"), ("eve@example.com", "Eve Ng", "Leeds", "GB")]),
    "shopify_customers": (
        "First Name,Last Name,Email,Accepts Email Marketing,Default Address Company,Default Address Address1,"
        "Default Address City,Default Address Province Code,Default Address Country Code,Default Address Zip,"
        "Phone,Total Spent,Total Orders,Note,Tax Exempt,Tags\n"
        "Ann,Lee,Ann@Example.com,yes,,1 High St,York,,GB,YO1,,153.99,2,,no,\n"
        "Bob,Roy,bob@example.com,no,,2 Rue,Lyon,,FR,69001,,90.50,2,,no,\n"
        "No,Mail,,no,,,,,,,,0.00,0,,no,\n",
        [("ann@example.com", "Ann Lee", "York", "GB"), ("bob@example.com", "Bob Roy", "Lyon", "FR")]),
    "mailchimp_audience": (
        "Email Address,First Name,Last Name,Address,Phone Number,Birthday,MEMBER_RATING,OPTIN_TIME,OPTIN_IP,"
        "CONFIRM_TIME,CONFIRM_IP,LATITUDE,LONGITUDE,GMTOFF,DSTOFF,TIMEZONE,CC,REGION,LAST_CHANGED,LEID,EUID,NOTES,TAGS\n"
        "ANN@example.com,Ann,Lee,,,,4,2024-01-02 10:00:00,,,,,,,,,GB,,2024-01-02 10:00:00,111,abc,,\n"
        "cy@example.com,Cy,Fox,,,,2,2024-02-02 10:00:00,,,,,,,,,GB,,2024-02-02 10:00:00,112,abd,,\n",
        [("ann@example.com", "Ann Lee", None, None), ("cy@example.com", "Cy Fox", None, None)]),
    "hubspot_contacts": (
        "Record ID,First Name,Last Name,Email,Phone Number,Contact owner,Last Activity Date,Lead Status,"
        "Marketing contact status,Create Date\n"
        "501,Ann,Lee,ann@example.com,,Sam,,,Marketing contact,2023-11-05 09:12\n"
        "502,Dee,Kim,,,Sam,,,Non-marketing contact,2024-01-10 14:00\n",
        [("ann@example.com", "Ann Lee", None, None), ("hubspot-502", "Dee Kim", None, None)]),
}


@pytest.mark.parametrize("source", sorted(CONTACT_EXPORTS))
def test_contact_exports_land_on_the_customers_the_orders_know(con, tmp_path, source):
    orders = tmp_path / "orders_export_1.csv"
    shopify_orders().to_csv(orders, index=False)
    import_source(con, orders)  # the shop's customers, known by their email
    text, expected = CONTACT_EXPORTS[source]
    path = tmp_path / f"{source}.csv"
    path.write_text(text)
    result = import_source(con, path)
    assert result.source.name == source
    ids = [row[0] for row in expected]
    got = con.execute("SELECT customer_id, name, city, country FROM customers WHERE list_contains($ids, customer_id) "
                      "ORDER BY 1", {"ids": ids}).fetchall()
    shop = {"ann@example.com": ("York", "GB"), "bob@example.com": ("Lyon", "FR"), "cy@example.com": ("Bath", "GB")}
    # a file without a city or country leaves the stored ones alone (the orders export wrote them)
    assert got == [(i, n, c if c else shop.get(i, (None, None))[0], k if k else shop.get(i, (None, None))[1])
                   for i, n, c, k in expected]
    assert con.execute("SELECT count(*) FROM customers WHERE lower(customer_id) = 'ann@example.com'").fetchone()[0] == 1


WOO = ["order_id", "order_number", "order_number_formatted", "order_date", "status", "shipping_total", "tax_total",
       "discount_total", "order_total", "refunded_total", "order_currency", "payment_method", "customer_id",
       "billing_first_name", "billing_last_name", "billing_company", "billing_email", "billing_phone",
       "billing_address_1", "billing_postcode", "billing_city", "billing_state", "billing_country", "line_items"]


def woocommerce_orders() -> pd.DataFrame:
    rows = [("101", "2024-04-01 10:00:00", "wc-completed", "30.00", "0", "Ann", "ann@example.com"),
            ("102", "2024-04-02 11:00:00", "processing", "45.50", "7", "Bob", "Bob@Example.com"),
            ("103", "2024-04-03 12:00:00", "refunded", "12.00", "7", "Bob", "bob@example.com"),
            ("104", "2024-04-04 13:00:00", "on-hold", "99.00", "0", "Cy", "cy@example.com"),
            ("105", "2024-04-05 14:00:00", "completed", "8.00", "0", "Dee", "")]
    return pd.DataFrame([dict(dict.fromkeys(WOO, ""), order_id=f"9{n}", order_number=n, order_date=d, status=s,
                              order_total=t, order_currency="EUR", customer_id=c, billing_first_name=f,
                              billing_email=e, billing_city="Porto", billing_country="PT")
                         for n, d, s, t, c, f, e in rows], columns=WOO)


def test_woocommerce_orders_import_and_the_analytics_download_is_refused_with_the_reason(con, tmp_path):
    path = tmp_path / "orders-export.csv"
    woocommerce_orders().to_csv(path, index=False)
    result = import_source(con, path)
    assert result.source.name == "woocommerce_orders" and result.currency == "EUR"
    assert con.execute("SELECT order_id, customer_id, amount, status FROM orders ORDER BY 1").fetchall() == [
        ("101", "ann@example.com", Decimal("30.00"), "completed"), ("102", "bob@example.com", Decimal("45.50"), "completed"),
        ("103", "bob@example.com", Decimal("12.00"), "returned")]
    assert result.left_out == ["orders not paid (pending, on-hold, failed): 1, worth 99.00",
                               "orders without a billing email: 1, worth 8.00"]
    analytics = tmp_path / "wc-orders-report-export.csv"
    analytics.write_text('Date,Order #,N. Revenue (formatted),Status,Customer,Customer type,Product(s),Items sold,'
                         'Coupon(s),Net Sales,Attribution\n2024-04-01,101,"€30,00",Completed,Ann Lee,new,Mug,1,,30,Direct\n')
    with pytest.raises(ImportRejected, match="wc-orders-report-export.csv:1: column Customer: WooCommerce's Analytics"):
        import_source(con, analytics)


def _marketplace(folder) -> list:
    """Three files of a marketplace dump in the public data sets' layout, with our own rows: an order paid in two
    instalments, a person who ordered twice under two per-order customer ids, an order without payment."""
    orders = folder / "marketplace_orders_dataset.csv"
    orders.write_text("order_id,customer_id,order_status,order_purchase_timestamp,order_approved_at,"
                      "order_delivered_customer_date,order_estimated_delivery_date\n"
                      "o1,c1,delivered,2018-01-05 10:00:00,2018-01-05 10:10:00,2018-01-10 12:00:00,2018-01-20 00:00:00\n"
                      "o2,c2,delivered,2018-02-07 11:00:00,,,2018-02-20 00:00:00\n"
                      "o3,c3,canceled,2018-03-01 09:00:00,,,2018-03-20 00:00:00\n"
                      "o4,c4,created,2018-03-02 09:00:00,,,2018-03-20 00:00:00\n"
                      "o5,c5,delivered,2018-03-03 09:00:00,,,2018-03-20 00:00:00\n")
    payments = folder / "marketplace_order_payments_dataset.csv"
    payments.write_text("order_id,payment_sequential,payment_type,payment_installments,payment_value\n"
                        "o1,1,credit_card,3,100.00\no1,2,voucher,1,20.50\no2,1,boleto,1,35.00\n"
                        "o3,1,credit_card,1,10.00\no4,1,credit_card,1,99.00\n")
    customers = folder / "marketplace_customers_dataset.csv"
    customers.write_text("customer_id,customer_unique_id,customer_zip_code_prefix,customer_city,customer_state\n"
                         "c1,p1,01000,sao paulo,SP\nc2,p1,20000,rio de janeiro,RJ\nc3,p2,30000,belo horizonte,MG\n"
                         "c4,p3,40000,salvador,BA\nc5,p4,50000,recife,PE\n")
    return [customers, orders, payments]  # in any order


def test_a_marketplace_dump_of_three_files_imports_as_one_batch_through_a_source_of_your_own(con, tmp_path,
                                                                                              monkeypatch):
    folder = tmp_path / "sources"
    folder.mkdir()
    (folder / "marketplace.sql").write_text((ROOT / "docs" / "example_marketplace.sql").read_text())
    monkeypatch.setenv("CRM_SOURCES", str(folder))
    before = snapshot(con)
    files = _marketplace(tmp_path)
    with pytest.raises(ImportRejected, match="reads 3 files together; the batch lacks the file with the columns "
                                             "order_id, payment_sequential"):
        import_batch(con, files[:2])
    assert snapshot(con) == before
    [result] = import_batch(con, files)
    assert result.source.name == "marketplace_dump"
    assert con.execute("SELECT order_id, customer_id, CAST(order_date AS VARCHAR), amount, status FROM orders "
                       "ORDER BY 1").fetchall() == [
        ("o1", "p1", "2018-01-05", Decimal("120.50"), "completed"),  # two payments summed
        ("o2", "p1", "2018-02-07", Decimal("35.00"), "completed"),  # the same person
        ("o3", "p2", "2018-03-01", Decimal("10.00"), "cancelled")]
    assert con.execute("SELECT customer_id, city, region FROM customers ORDER BY 1").fetchall() == [
        ("p1", "rio de janeiro", "RJ"), ("p2", "belo horizonte", "MG")]
    assert result.left_out == ["orders not placed yet (created): 1, worth 99.00", "orders without a payment: 1"]


def test_cli_maps_a_status_the_map_does_not_know(tmp_path, capsys):
    orders = shopify_orders()
    orders.loc[orders["Name"] == "#1002", "Financial Status"] = "expired"
    path = tmp_path / "orders_export.csv"
    orders.to_csv(path, index=False)
    database = str(tmp_path / "cli.duckdb")
    assert main(["--db", database, "import", str(path)]) == 1
    assert "column Financial Status: a payment status the status map does not know" in capsys.readouterr().err
    assert main(["--db", database, "import", str(path), "--status", "expired=cancelled"]) == 0
    assert main(["--db", database, "sources"]) == 0
    assert "statuses: paid = completed, partially_paid = completed" in capsys.readouterr().out


KLAVIYO_CAMPAIGNS = ("Campaign Name,Tags,Subject,List,Send Time,Send Weekday,Total Recipients,Unique Opens,Open Rate,"
                "Total Opens,Unique Clicks,Click Rate,Total Clicks,Unsubscribes,Spam Complaints,"
                "Successful Deliveries,Bounces,Campaign ID\n"
                "Spring drop,,New in,Newsletter,2024-03-05 09:00:00,Tuesday,900,300,33.3%,420,60,6.7%,75,3,0,"
                "890,10,01HQ1\n")


def test_a_klaviyo_campaign_export_imports_with_no_cost_stated(con, tmp_path):
    path = tmp_path / "klaviyo_campaigns.csv"
    path.write_text(KLAVIYO_CAMPAIGNS)
    result = import_source(con, path)
    assert result.source.name == "klaviyo_campaigns"
    assert con.execute("SELECT campaign_id, name, channel, CAST(start_date AS VARCHAR), cost FROM campaigns"
                       ).fetchall() == [("01HQ1", "Spring drop", "Email", "2024-03-05", Decimal("0.00"))]


HUBSPOT_DEALS = (  # a view exported with its associated records: the contact written "Name (email)"
    "Record ID,Deal Name,Deal Stage,Close Date,Deal owner,Amount,Pipeline,Create Date,Associated Contact,"
    "Associated Contact IDs\n"
    '9001,Ann renewal,Closed Won,2024-05-03 14:02,Sam Owner,"1,200.00",Sales Pipeline,2024-04-01 09:00,'
    "Ann Lee (Ann@Example.com),301\n"
    "9002,Bob upsell,Closed Lost,2024-05-06 10:00,Sam Owner,800,Sales Pipeline,2024-04-02 09:00,"
    "Bob Ray (bob@example.com),302\n"
    "9003,Cy pilot,Contract Sent,,Sam Owner,500,Sales Pipeline,2024-04-03 09:00,Cy Poe (cy@example.com),303\n"
    "9004,Ann add-on,Closed Won,2024-06-11 16:30,Sam Owner,300.50,Sales Pipeline,2024-05-10 09:00,"
    "Ann Lee (ann@example.com); Bob Ray (bob@example.com),301;302\n"
    "9005,Cy order,Closed Won,2024-06-02 09:00,Sam Owner,42.10,Sales Pipeline,2024-05-30 09:00,cy@example.com,303\n"
    "9006,Walk-in,Closed Won,2024-06-12 11:00,Sam Owner,99,Sales Pipeline,2024-06-12 09:00,Dee Nomail,304\n")


def _expected_deals(text: str) -> dict:
    """Won deals of contacts with an email, their revenue and customers, worked out with pandas and a regular
    expression from the fixture."""
    deals = pd.read_csv(io.StringIO(text), dtype=str)
    deals["email"] = deals["Associated Contact"].str.extract(r"([\w.]+@[\w.]+)")[0].str.lower()
    won = deals[(deals["Deal Stage"] == "Closed Won") & deals["email"].notna()]
    return {"orders": sorted(won["Record ID"]), "customers": sorted(won["email"].unique()),
            "revenue": Decimal(str(round(won["Amount"].str.replace(",", "").astype(float).sum(), 2)))}


def test_a_hubspot_deals_export_imports_won_deals_onto_the_contacts_emails(con, tmp_path):
    path = tmp_path / "hubspot-crm-exports-all-deals-2024-06-30.csv"
    path.write_text(HUBSPOT_DEALS)
    result = import_source(con, path)
    expected = _expected_deals(HUBSPOT_DEALS)
    assert result.source.name == "hubspot_deals"
    assert [r[0] for r in con.execute("SELECT order_id FROM orders ORDER BY 1").fetchall()] == expected["orders"]
    assert con.execute("SELECT sum(amount) FROM orders WHERE status = 'completed'").fetchone()[0] == expected["revenue"]
    assert [r[0] for r in con.execute("SELECT customer_id FROM customers ORDER BY 1").fetchall()] == expected[
        "customers"]
    assert con.execute("SELECT name FROM customers WHERE customer_id = 'ann@example.com'").fetchone()[0] == "Ann Lee"
    assert result.left_out == ["deals not won (lost or still open): 2, worth 1,300.00",
                               "won deals whose contact has no email: 1, worth 99.00"]


def test_a_deal_stage_of_your_own_pipeline_stops_the_import_to_be_mapped(seeded, tmp_path):
    path = tmp_path / "deals.csv"
    path.write_text(HUBSPOT_DEALS.replace("Contract Sent", "Pilot running"))
    before = snapshot(seeded)
    with pytest.raises(ImportRejected, match="deals.csv:4: column Deal Stage: a deal stage the status map does not "
                                             "know") as raised:
        import_source(seeded, path)
    assert snapshot(seeded) == before and raised.value.problems[0].value == "pilot running"
    import_source(seeded, path, statuses={"Pilot running": "not an order"})
    assert seeded.execute("SELECT count(*) FROM orders WHERE order_id LIKE '900%'").fetchone()[0] == 3


def line_item_rows(n_orders: int = 60, seed: int = 9) -> pd.DataFrame:
    """Our own rows in the generic line-item layout a shop system writes: the order number on each product line,
    US dates with 12-hour times, emails in mixed case, guest orders, a return written as negative quantities."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n_orders):
        when = dt.datetime(2024, 1, 1, 9) + dt.timedelta(days=int(rng.integers(0, 200)), hours=int(rng.integers(0, 9)))
        email = "" if i % 13 == 0 else f"{'Guest' if i % 2 else 'guest'}{int(rng.integers(0, 12))}@Shop.example"
        sign = -1 if i % 10 == 9 else 1
        for line in range(int(rng.integers(1, 4))):
            rows.append([f"SO-{1000 + i}", when.strftime("%-m/%-d/%Y %-I:%M %p"), email, f"SKU{line}",
                         str(sign * int(rng.integers(1, 6))), f"{rng.integers(100, 5000) / 100:.2f}"])
    return pd.DataFrame(rows, columns=["Order Number", "Order Date", "Customer Email", "SKU", "Quantity",
                                       "Unit Price"])


def test_a_generic_line_item_file_becomes_one_order_per_order_number(con, tmp_path):
    lines = line_item_rows()
    path = tmp_path / "sales_lines.csv"
    lines.to_csv(path, index=False)
    result = import_source(con, path)
    known = lines[lines["Customer Email"] != ""].copy()
    known["amount"] = known["Quantity"].astype(int) * known["Unit Price"].astype(float)
    orders = known.groupby("Order Number")["amount"].sum().round(2)
    assert result.source.name == "line_items"
    assert con.execute("SELECT count(*), count(*) FILTER (status = 'returned') FROM orders").fetchone() == (
        len(orders), int((orders < 0).sum()))
    assert float(con.execute("SELECT sum(amount) FROM orders WHERE status = 'completed'").fetchone()[0]) == \
        pytest.approx(float(orders[orders >= 0].sum()), abs=0.005)
    assert con.execute("SELECT count(*) FROM customers").fetchone()[0] == known["Customer Email"].str.lower().nunique()
    assert result.left_out[0].startswith(f"lines without a customer (guest sales): "
                                         f"{(lines['Customer Email'] == '').sum()}")


EMAIL_ACTIVITY = ("Email,Campaign ID,Event,Timestamp\n"
                  "Ann@Example.com,01HQ1,Received Email,2024-03-05 09:00:12\n"
                  "ann@example.com,01HQ1,Opened Email,2024-03-05 11:02:00\n"
                  "ann@example.com,01HQ1,Clicked Email,2024-03-06 08:00:00\n"
                  "bob@example.com,01HQ1,Received Email,2024-03-05 09:00:13\n"
                  "cy@example.com,01HQ1,Bounced Email,2024-03-05 09:00:14\n"
                  "dee@example.com,01HQ1,Received Email,2024-03-06 09:00:00\n"
                  "dee@example.com,01HQ1,Opened Email,2024-03-07 20:00:00\n")


def test_per_recipient_activity_becomes_contacts_in_a_batch_given_in_any_order(seeded, tmp_path):
    activity, campaigns = tmp_path / "campaign_activity.csv", tmp_path / "klaviyo_campaigns.csv"
    activity.write_text(EMAIL_ACTIVITY)
    campaigns.write_text(KLAVIYO_CAMPAIGNS)
    results = import_batch(seeded, [activity, campaigns])  # the activity names a campaign the other file brings
    assert [r.source.name for r in results] == ["klaviyo_campaigns", "email_activity"]
    assert seeded.execute("SELECT customer_id, CAST(contact_date AS VARCHAR), \"group\", opened, clicked FROM contacts "
                          "WHERE campaign_id = '01HQ1' ORDER BY 1").fetchall() == [
        ("ann@example.com", "2024-03-05", "treatment", True, True),
        ("bob@example.com", "2024-03-05", "treatment", False, False),
        ("cy@example.com", "2024-03-05", "treatment", False, False),
        ("dee@example.com", "2024-03-06", "treatment", True, False)]
    before = snapshot(seeded)
    activity.write_text(EMAIL_ACTIVITY.replace("Bounced Email", "Forwarded Email"))
    with pytest.raises(ImportRejected, match="campaign_activity.csv:6: column Event: an event this layout does not "
                                             "know"):
        import_batch(seeded, [activity, campaigns])
    assert snapshot(seeded) == before


def _fixtures(folder) -> dict:
    """Every shipped source's fixture (our own rows in its published layout) as files, by source name (the
    activity export with the campaigns it names)."""
    texts = {"google_ads_campaigns": GOOGLE_ADS, "meta_ads_campaigns": META_ADS,
             "mailchimp_campaigns": MAILCHIMP_CAMPAIGNS, "klaviyo_campaigns": KLAVIYO_CAMPAIGNS,
             "hubspot_deals": HUBSPOT_DEALS, "email_activity": EMAIL_ACTIVITY,
             **{source: text for source, (text, _) in CONTACT_EXPORTS.items()}}
    frames = {"online_retail": online_retail_lines(30), "shopify_orders": shopify_orders(),
              "stripe_payments": stripe_payments(), "woocommerce_orders": woocommerce_orders(),
              "line_items": line_item_rows(20)}
    files = {}
    for name, content in {**texts, **frames}.items():
        files[name] = [folder / f"{name}.csv"]
        if isinstance(content, str):
            files[name][0].write_text(content)
        else:
            content.to_csv(files[name][0], index=False)
    files["email_activity"].append(folder / "klaviyo_campaigns.csv")
    return files


def test_every_fixture_imports_through_the_cli_with_no_flag(tmp_path, capsys):
    files = _fixtures(tmp_path)
    shipped = {s.name for s in sources() if s.name != "woocommerce_analytics"}  # refused with the reason, above
    assert set(files) == shipped
    for name, paths in files.items():
        database = str(tmp_path / f"{name}.duckdb")
        assert main(["--db", database, "import", *map(str, paths)]) == 0, (name, capsys.readouterr().err)
        assert f"({name})." in capsys.readouterr().out


def test_one_file_of_a_source_that_reads_several_is_refused_saying_how(con, tmp_path, monkeypatch):
    folder = tmp_path / "sources"
    folder.mkdir()
    (folder / "marketplace.sql").write_text((ROOT / "docs" / "example_marketplace.sql").read_text())
    monkeypatch.setenv("CRM_SOURCES", str(folder))
    _, orders, _ = _marketplace(tmp_path)
    for attempt in (import_source, preview):
        with pytest.raises(ImportRejected, match="one of the 3 files the Marketplace dump .* reads together"):
            attempt(con, orders)
