"""The app in a real browser: it starts, every page renders without an exception on the sample data and
on an empty database (screenshots at 1400 and 800 px in screenshots/), a CSV uploaded through the real
Data page is counted, and a click on a chart drills every page down, with the view shareable as a URL."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from browser_helpers import HOSTILE, SHOTS, settle, shoot
from conftest import MARKUP, start_app, stop_app
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from crm_metrics import db, reporting
from crm_metrics.filters import Filters
from crm_metrics.formatting import money_short
from crm_metrics.importing import import_file
from crm_metrics.kpis import Period, kpi_values
from crm_metrics.schema import TABLE_ORDER

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
PAGES = {"home": "/", "overview": "/overview", "customer": "/customer", "segments": "/segments", "campaigns": "/campaigns",
         "retention": "/retention", "satisfaction": "/satisfaction", "value": "/value", "data": "/data",
         "learn": "/learn"}


def _no_exception(page) -> None:
    assert page.locator('[data-testid="stException"]').count() == 0


def _click_until_the_url_has(page, target, part: str) -> None:
    """Click the centre of a chart's ``target`` (a bar or point) until the URL holds ``part``: plotly binds its
    click handler a moment after drawing, and a transparent layer covers the marks."""
    target.wait_for(state="visible")
    for _ in range(5):
        page.wait_for_timeout(700)
        target.scroll_into_view_if_needed()  # a click at coordinates outside the viewport lands nowhere
        box = target.bounding_box()
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        try:
            page.wait_for_url(f"**{part}**", timeout=15000)
            break
        except PlaywrightTimeout:
            settle(page)
            if part in page.url:
                break
    settle(page)


def _metric(page, label: str) -> str:
    card = page.get_by_test_id("stMetric").filter(has=page.get_by_text(label, exact=True)).first
    return card.get_by_test_id("stMetricValue").inner_text()


@pytest.mark.parametrize("width", [1920, 1400, 390])
def test_every_page_renders_on_the_sample(browser_instance, app_url, width):
    page = browser_instance.new_page(viewport={"width": width, "height": 2600})
    for name, path in PAGES.items():
        page.goto(app_url + path)
        settle(page)
        _no_exception(page)
        shoot(page, f"{name}-sample-{width}")
    page.close()


def _empty_beside_cards(page) -> list[float]:
    """Per grid of KPI cards, the most pixels any of its rows leaves between its last card and the grid's right
    edge."""
    return page.evaluate("""() => [...document.querySelectorAll('[class*="st-key-grid-cards-"]')].map(grid => {
        const box = grid.getBoundingClientRect();
        const rows = {};
        for (const card of grid.children) {
            const r = card.getBoundingClientRect();
            if (r.width === 0) continue;
            const top = Math.round(r.top);
            rows[top] = Math.max(rows[top] ?? 0, r.right);
        }
        return Math.max(...Object.values(rows).map(right => box.right - right)); })""")


def test_the_overview_uses_the_width_of_the_screen(browser_instance, app_url):
    """Cards fill the row on a wide screen (no page leaves a fifth of a 1,400 px screen empty beside them) and fold
    to two a row on a phone; the chart toolbar is hidden there."""
    page = browser_instance.new_page(viewport={"width": 1400, "height": 1200})
    for path in ("/campaigns", "/segments", "/value", "/satisfaction", "/retention", "/data", "/learn"):
        page.goto(app_url + path)
        settle(page)
        try:
            page.wait_for_selector('[class*="st-key-grid-cards-"]', timeout=30_000)
        except PlaywrightTimeout as missing:
            raise AssertionError(f"{path}: no row of cards") from missing
        gaps = _empty_beside_cards(page)
        assert gaps and max(gaps) <= 1400 / 5, (path, gaps)
    page.goto(app_url + "/overview")
    settle(page)
    page.wait_for_selector('[class*="st-key-kpi-card-revenue"]')
    gaps = _empty_beside_cards(page)
    assert len(gaps) == 4 and max(gaps) <= 1400 / 5, gaps
    cards = page.locator('[class*="st-key-kpi-card-"]')
    assert cards.nth(0).bounding_box()["width"] > 140
    page.set_viewport_size({"width": 390, "height": 1200})
    page.wait_for_timeout(800)
    first, second, third = (cards.nth(i).bounding_box() for i in range(3))
    assert first["y"] == second["y"] and third["y"] > first["y"]  # two a row
    assert first["x"] >= 0 and second["x"] + second["width"] <= 390
    modebars = page.locator(".modebar-container")
    assert all(not modebars.nth(i).is_visible() for i in range(modebars.count()))
    page.close()


def test_any_view_prints_and_the_overview_makes_a_pdf(browser_instance, app_url):
    import pypdfium2 as pdfium

    page = browser_instance.new_page(viewport={"width": 1400, "height": 3000}, accept_downloads=True)
    page.goto(app_url + "/segments")
    settle(page)
    page.wait_for_selector("button.crm-print")
    # (a trailing value: playwright calls a function the expression evaluates to)
    page.evaluate("window.printed = 0; window.print = () => { window.printed += 1; }; 0")
    page.locator("button.crm-print").click()
    page.wait_for_timeout(300)
    assert page.evaluate("window.printed") == 1
    page.goto(app_url + "/overview")
    settle(page)
    page.get_by_role("button", name="Prepare a PDF of this overview").click()
    download = page.get_by_role("button", name="Download the PDF")
    download.wait_for(timeout=120_000)
    with page.expect_download(timeout=60_000) as info:
        download.click()
    body = Path(info.value.path()).read_bytes()
    assert body.startswith(b"%PDF") and info.value.suggested_filename.endswith(".pdf")
    pdf = pdfium.PdfDocument(body)
    try:
        assert 2 <= len(pdf) <= 6
        assert "all customers" in pdf[0].get_textpage().get_text_range()
        for n in range(len(pdf)):
            pdf[n].render(scale=1.2).to_pil().save(SHOTS / f"overview-pdf-page-{n + 1}.png")
    finally:
        pdf.close()
    _no_exception(page)
    page.close()


def test_every_page_renders_on_an_empty_database(browser_instance, empty_app_url):
    page = browser_instance.new_page(viewport={"width": 1400, "height": 1400})
    for name, path in PAGES.items():
        page.goto(empty_app_url + path)
        settle(page)
        _no_exception(page)
        assert page.get_by_role("button", name="Load the sample data").is_visible()
        shoot(page, f"{name}-empty-1400")
    page.close()


def test_uploaded_csv_is_counted(browser_instance, empty_app_url, tmp_path):
    csv_file = tmp_path / "new_customers.csv"
    csv_file.write_text("Customer ID,Name,E-mail\nN1,Ann,ann@example.com\nN2,Bob,bob@example.com\n"
                        "N3,<script>alert(1)</script>,c@example.com\n", encoding="utf-8")
    page = browser_instance.new_page(viewport={"width": 1400, "height": 1400})
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(empty_app_url + "/data")
    settle(page)
    page.get_by_test_id("stFileUploaderDropzoneInput").first.set_input_files(str(csv_file))
    settle(page)
    page.get_by_role("button", name="Import", exact=True).click()
    settle(page)
    _no_exception(page)
    assert page.get_by_text("3 inserted").first.is_visible()
    assert _metric(page, "Customers") == "3"
    shoot(page, "data-after-upload-1400")
    assert not dialogs


def _expected_region_revenue(tmp_path, region: str) -> str:
    """The region's revenue for the default period, computed on a separate copy of the sample data."""
    con = db.connect(tmp_path / "expected.duckdb")
    for table in TABLE_ORDER:
        import_file(con, table, ROOT / "sample_data" / f"{table}.csv")
    reporting.ensure_current(con)  # what an entry point does after an import
    end = con.execute("SELECT max(order_date) FROM orders WHERE status = 'completed'").fetchall()[0][0]
    cur = con.cursor()
    value = kpi_values(cur, Period(end - dt.timedelta(days=89), end), Filters().with_values("region", [region]))
    cur.close()
    con.close()
    return money_short(value["revenue"])


def test_click_a_region_drills_every_page_and_the_link_is_shareable(browser_instance, app_url, tmp_path):
    page = browser_instance.new_page(viewport={"width": 1400, "height": 2600})
    page.goto(app_url + "/")
    settle(page)
    before = _metric(page, "Revenue")
    region_chart = page.locator('[data-testid="stPlotlyChart"]').filter(has_text="Region:")
    bars = region_chart.locator("g.point path")
    _click_until_the_url_has(page, bars.first, "region=")  # bars are drawn smallest first
    _no_exception(page)
    assert "region=" in page.url
    region = page.url.split("region=")[1].split("&")[0].replace("+", " ")
    crumb = page.get_by_role("button", name=f"{region} ✕")
    assert crumb.is_visible()
    after = _metric(page, "Revenue")
    assert after != before and after == _expected_region_revenue(tmp_path, region)
    shoot(page, "overview-drilled-1400")
    shared_url = page.url

    page.get_by_role("link", name="Data").click()
    settle(page)
    sidebar = page.get_by_test_id("stSidebar")
    assert sidebar.get_by_text(region).first.is_visible(), "the filter did not follow to another page"

    other = browser_instance.new_context(viewport={"width": 1400, "height": 2600})
    fresh = other.new_page()
    fresh.goto(shared_url)
    settle(fresh)
    assert _metric(fresh, "Revenue") == after
    fresh.get_by_role("button", name=f"{region} ✕").wait_for(state="visible", timeout=15000)
    other.close()
    page.close()


def test_click_a_channel_lists_its_campaigns(browser_instance, app_url):
    import re

    page = browser_instance.new_page(viewport={"width": 1400, "height": 2600})
    page.goto(app_url + "/campaigns")
    settle(page)
    _no_exception(page)
    listed = page.get_by_text(re.compile(r"^\d+ campaigns\. Click a row"))

    def count() -> int:
        return int(listed.first.inner_text().split(" ")[0])

    before = count()
    bars = page.locator('[data-testid="stPlotlyChart"]').first.locator("g.point path")
    bars.first.wait_for(state="visible")
    for _ in range(5):  # plotly binds its click handler a moment after drawing
        page.wait_for_timeout(700)
        box = max((bars.nth(i).bounding_box() for i in range(bars.count())), key=lambda b: b["width"])
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        settle(page)
        if count() < before:
            break
    _no_exception(page)
    assert 0 < count() < before
    shoot(page, "campaigns-channel-drilled-1400")
    page.close()


def test_click_a_segment_tile_lists_its_customers(browser_instance, app_url):
    page = browser_instance.new_page(viewport={"width": 1400, "height": 2600})
    page.goto(app_url + "/segments")
    settle(page)
    rule = page.get_by_test_id("stMarkdownContainer").filter(has_text="Recommended:").first
    before = rule.inner_text()
    tiles = page.locator('[data-testid="stPlotlyChart"]').first.locator("g.slice")
    tiles.first.wait_for(state="visible")
    for _ in range(5):  # plotly binds its click handler a moment after drawing
        page.wait_for_timeout(700)
        boxes = [tiles.nth(i).bounding_box() for i in range(tiles.count())]
        boxes = sorted((b for b in boxes if b), key=lambda b: b["width"] * b["height"])
        box = boxes[len(boxes) // 2]  # a mid-sized segment, not the root
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        settle(page)
        if rule.inner_text() != before:
            break
    _no_exception(page)
    assert rule.inner_text() != before, "the click did not pick the segment's list"
    page.close()


@pytest.mark.parametrize("customer_id", list(HOSTILE))
def test_personal_data_shows_as_literal_text(browser_instance, hostile_app_url, customer_id):
    page = browser_instance.new_page(viewport={"width": 1400, "height": 2400})
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(f"{hostile_app_url}/customer?customer={customer_id}")
    settle(page)
    _no_exception(page)
    heading = page.get_by_role("heading", level=3).filter(has_text=customer_id).first
    assert heading.inner_text().startswith(HOSTILE[customer_id])  # the markup, as text
    page.locator('[data-testid="stPlotlyChart"]').first.hover()  # hover text of the timeline
    page.wait_for_timeout(300)
    assert page.locator('a[href^="javascript"]').count() == 0
    assert page.locator("main script, main img[src='x']").count() == 0
    shoot(page, f"customer-hostile-{customer_id}")
    page.close()
    assert not dialogs


def test_click_an_at_risk_row_opens_the_customer(browser_instance, app_url):
    page = browser_instance.new_page(viewport={"width": 1400, "height": 3000})
    page.goto(app_url + "/retention")
    settle(page)
    table = page.locator(".st-key-at_risk_table")
    table.scroll_into_view_if_needed()
    box = table.bounding_box()
    page.mouse.click(box["x"] + 12, box["y"] + 35 + 17)  # the first row's selection cell
    settle(page)
    _no_exception(page)
    assert "/customer?customer=" in page.url
    customer_id = page.url.rsplit("=", 1)[1]
    heading = page.locator('[data-testid="stMain"]').get_by_role("heading", level=3).first.inner_text()
    assert heading.endswith(customer_id)
    # the action follows the whole-base models (segment, CLV, churn), which the page reads after the header
    page.get_by_text("Next best action:").first.wait_for(state="visible", timeout=90_000)
    page.close()


def test_a_file_over_the_upload_limit_is_refused_by_streamlit(browser_instance, tmp_path):
    """bad-inputs.md: a file just over the upload limit gets Streamlit's own message; nothing is stored."""
    db.connect(tmp_path / "limit.duckdb").close()
    proc, url = start_app(tmp_path / "limit.duckdb", CRM_MAX_UPLOAD_MB="1")
    try:
        big = tmp_path / "customers.csv"
        rows = "".join(f"C{i:07d},Customer {i},c{i}@example.com\n" for i in range(40_000))
        big.write_text("customer_id,name,email\n" + rows, encoding="utf-8")
        assert 1024 * 1024 < big.stat().st_size < 2 * 1024 * 1024
        page = browser_instance.new_page(viewport={"width": 1400, "height": 1400})
        page.goto(url + "/data")
        settle(page)
        page.get_by_test_id("stFileUploaderDropzoneInput").first.set_input_files(str(big))
        settle(page)
        _no_exception(page)
        assert page.get_by_text("File must be 1.0MB or smaller").first.is_visible()
        assert page.get_by_text("Files up to 1 MB").first.is_visible()
        assert not page.get_by_role("button", name="Import", exact=True).is_visible()
        shoot(page, "data-upload-over-limit-1400")
        page.close()
    finally:
        stop_app(proc)
    con = db.connect(tmp_path / "limit.duckdb")
    assert con.execute("SELECT count(*) FROM customers").fetchall() == [(0,)]
    con.close()


def _download(page, url: str, button_name: str):
    """(suggested file name, the file's bytes) of the export ``button_name`` on the page at ``url``."""
    page.goto(url)
    settle(page)
    button = page.get_by_role("button", name=button_name)
    button.scroll_into_view_if_needed()
    with page.expect_download(timeout=60_000) as info:
        button.click()
    body = Path(info.value.path()).read_bytes()
    settle(page)
    _no_exception(page)
    return info.value.suggested_filename, body


def test_a_download_is_built_when_clicked(browser_instance, app_url):
    """Export files are made on click (callable data), not on every rerun: the file still arrives whole."""
    page = browser_instance.new_page(viewport={"width": 1400, "height": 3000}, accept_downloads=True)
    name, body = _download(page, app_url + "/retention", "Download the at-risk list (CSV)")
    assert name.startswith("at_risk_") and body.startswith(b"\xef\xbb\xbf")
    lines = body.decode("utf-8-sig").splitlines()
    assert "customer_id" in lines[0] and len(lines) > 10
    # a segment's whole list, joined to the contact fields only when the export is asked for
    _, body = _download(page, app_url + "/segments", "Download CSV")
    lines = body.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("customer_id,name,email,region,country,city,segment,recommended_action")
    listed = page.get_by_text("customers", exact=False).filter(has_text="Exports hold them all").first.inner_text()
    assert len(lines) - 1 == int(listed.split(" ")[0].replace(",", ""))
    page.close()


def test_a_click_on_a_step_of_what_changed_drills_to_its_group(browser_instance, app_url):
    """The waterfall of "What changed, and why?" splits revenue's change by the sentence's dimension (on the sample:
    acquisition channel); a click on a group's step filters every page to that group."""
    page = browser_instance.new_page(viewport={"width": 1400, "height": 2600})
    page.goto(app_url + "/overview")
    settle(page)
    waterfall = page.locator('[data-testid="stPlotlyChart"]').filter(has_text="added or took")
    steps = waterfall.locator("g.point path")
    steps.first.wait_for(state="visible")
    _click_until_the_url_has(page, steps.nth(1), "acquisition_channel=")  # the step that moved revenue most
    _no_exception(page)
    group = page.url.split("acquisition_channel=")[1].split("&")[0].replace("+", " ")
    assert page.get_by_role("button", name=f"{group} ✕").is_visible()
    page.close()


def test_a_click_on_the_trend_puts_the_period_in_the_shared_link(browser_instance, app_url):
    page = browser_instance.new_page(viewport={"width": 1400, "height": 2600})
    page.goto(app_url + "/overview")
    settle(page)
    trend = page.locator('[data-testid="stPlotlyChart"]').filter(has_text="Revenue per week")
    points = trend.locator("g.scatterlayer g.trace").first.locator("g.points path")
    points.first.wait_for(state="visible")
    _click_until_the_url_has(page, points.nth(points.count() - 6), "period=")
    _no_exception(page)
    start, end = page.url.split("period=")[1].split("&")[0].split("..")
    label = f"{dt.date.fromisoformat(start):%d %b %Y} – {dt.date.fromisoformat(end):%d %b %Y}"
    assert page.get_by_text(label).first.is_visible()
    shared_url = page.url
    page.get_by_role("link", name="Segments").click()  # another page keeps the period in its link
    settle(page)
    assert f"period={start}..{end}" in page.url
    other = browser_instance.new_context(viewport={"width": 1400, "height": 2600})
    fresh = other.new_page()
    fresh.goto(shared_url)
    settle(fresh)
    _no_exception(fresh)
    assert fresh.get_by_text(label).first.is_visible()
    other.close()
    page.close()


def test_every_page_renders_on_the_cdnow_orders(browser_instance, tmp_path):
    """Real, sparse data: the CDNOW sample's whitespace-separated layout converted to an orders file (no
    customers file, no campaigns, tickets or surveys; most customers bought once)."""
    from shapes import build

    proc, url = start_app(build("cdnow", tmp_path / "cdnow.duckdb", tmp_path))
    try:
        page = browser_instance.new_page(viewport={"width": 1400, "height": 2600})
        for name, path in PAGES.items():
            page.goto(url + path)
            settle(page)
            _no_exception(page)
            assert page.get_by_text("Page not found").count() == 0
            shoot(page, f"{name}-cdnow-1400")
        page.goto(url + "/campaigns")
        settle(page)
        assert page.get_by_text("No campaigns are loaded yet").first.is_visible()
        page.close()
    finally:
        stop_app(proc)


def test_a_shopify_export_is_recognised_imported_and_undone(browser_instance, empty_app_url, tmp_path):
    from test_sources import shopify_orders

    export = tmp_path / "orders_export_1.csv"
    shopify_orders().to_csv(export, index=False)
    page = browser_instance.new_page(viewport={"width": 1400, "height": 2000})
    page.goto(empty_app_url + "/")  # an empty database opens on the import
    settle(page)
    page.get_by_test_id("stFileUploaderDropzoneInput").first.set_input_files(str(export))
    settle(page)
    _no_exception(page)
    assert page.get_by_text("Recognised as Shopify orders export").first.is_visible()
    assert _metric(page, "Orders to write") == "6" and _metric(page, "Completed revenue (GBP)") == "174.49"
    shoot(page, "data-shopify-preview-1400")
    page.get_by_role("button", name="Import", exact=True).click()
    settle(page)
    _no_exception(page)
    assert _metric(page, "Orders") == "6" and _metric(page, "Customers") == "3"
    assert page.get_by_text("recognised as Shopify orders export").first.is_visible()
    shoot(page, "data-shopify-imported-1400")
    page.goto(empty_app_url + "/overview")
    settle(page)
    assert _metric(page, "Revenue").startswith("£")
    page.goto(empty_app_url + "/data")
    settle(page)
    undo = page.get_by_role("button", name="Undo", exact=True)
    for left in (1, 0):  # the orders, then the customers the same file wrote (newest first)
        undo.first.click()
        settle(page)
        # under load a rerun can start after settle() returned: wait for the undone import's button to go
        page.wait_for_function("n => [...document.querySelectorAll('button')].filter(b => b.innerText.trim() === "
                               "'Undo').length === n", arg=left, timeout=30_000)
    _no_exception(page)
    page.get_by_text("The database is empty").first.wait_for(timeout=30_000)
    page.close()


def test_a_google_ads_report_is_recognised_below_its_title_and_imported(browser_instance, empty_app_url, tmp_path):
    from test_sources import GOOGLE_ADS

    report = tmp_path / "Campaign report.csv"
    report.write_text(GOOGLE_ADS, encoding="utf-8")
    page = browser_instance.new_page(viewport={"width": 1400, "height": 2000})
    page.goto(empty_app_url + "/data")
    settle(page)
    page.get_by_test_id("stFileUploaderDropzoneInput").first.set_input_files(str(report))
    settle(page)
    _no_exception(page)
    assert page.get_by_text("Recognised as Google Ads campaign report").first.is_visible()
    assert _metric(page, "Campaigns to write") == "3"
    assert page.get_by_text("Left out, Total rows of the report: 2").first.is_visible()
    shoot(page, "data-google-ads-preview-1400")
    page.get_by_role("button", name="Import", exact=True).click()
    settle(page)
    _no_exception(page)
    assert _metric(page, "Campaigns") == "3"
    page.close()


def test_imported_markup_stays_text_on_every_page(browser_instance, markup_app_url):
    """Issue 25.5: a city that is a Markdown image, a channel that is a link, a category in <b>: shown as written in
    chips, labels, titles and hover text; nothing is fetched from or links to the hosts they name."""
    from urllib.parse import quote, urlparse

    page = browser_instance.new_page(viewport={"width": 1400, "height": 2600})
    fetched = []
    page.on("request", lambda r: fetched.append(r.url) if urlparse(r.url).hostname == "evil.example" else None)
    city = quote(MARKUP["image"])
    for name, path in PAGES.items():
        page.goto(f"{markup_app_url}{path}?city={city}&region={quote(MARKUP['bold'])}&period=2023-06-01..2024-06-30")
        settle(page)
        _no_exception(page)
        for chart in page.locator('[data-testid="stPlotlyChart"]').all()[:3]:
            chart.hover()  # hover labels are drawn from the same text
            page.wait_for_timeout(150)
        assert page.locator('a[href*="evil.example"], img[src*="evil.example"]').count() == 0, name
        # <b> read as markup leaves a bold "boldcat"; shown as text, the tags stay (our own bold may wrap them)
        assert page.locator("svg tspan").filter(has_text=re.compile(r"^boldcat$")).count() == 0, name
        if name == "overview":
            page.locator("button").filter(has_text=MARKUP["image"]).first.wait_for(timeout=30_000)  # the chip, as written
            # a category, as written (plotly draws its charts a moment after the page's elements arrive)
            page.locator("svg text").filter(has_text="<b>boldcat</b>").first.wait_for(timeout=30_000)
            shoot(page, "overview-markup")
    assert not fetched
    page.close()
