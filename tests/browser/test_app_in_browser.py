"""The app in a real browser: it starts, every page renders without an exception on the sample data and
on an empty database (screenshots at 1400 and 800 px in screenshots/), and a CSV uploaded through the
real Data page is counted in the tables."""

from __future__ import annotations

import pytest
from browser_helpers import settle, shoot

pytestmark = pytest.mark.browser

PAGES = {"data": "/data"}


def _no_exception(page) -> None:
    assert page.locator('[data-testid="stException"]').count() == 0


@pytest.mark.parametrize("width", [1400, 800])
def test_every_page_renders_on_the_sample(browser_instance, app_url, width):
    page = browser_instance.new_page(viewport={"width": width, "height": 1100})
    for name, path in PAGES.items():
        page.goto(app_url + path)
        settle(page)
        _no_exception(page)
        assert page.get_by_text("5,000").first.is_visible()
        shoot(page, f"{name}-sample-{width}")
    page.close()


def test_every_page_renders_on_an_empty_database(browser_instance, empty_app_url):
    page = browser_instance.new_page(viewport={"width": 1400, "height": 1100})
    for name, path in PAGES.items():
        page.goto(empty_app_url + path)
        settle(page)
        _no_exception(page)
        shoot(page, f"{name}-empty-1400")
    assert page.get_by_role("button", name="Load the sample data").is_visible()
    page.close()


def test_uploaded_csv_is_counted(browser_instance, empty_app_url, tmp_path):
    csv_file = tmp_path / "new_customers.csv"
    csv_file.write_text("Customer ID,Name,E-mail\nN1,Ann,ann@example.com\nN2,Bob,bob@example.com\n"
                        "N3,<script>alert(1)</script>,c@example.com\n", encoding="utf-8")
    page = browser_instance.new_page(viewport={"width": 1400, "height": 1100})
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(empty_app_url + "/data")
    settle(page)
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(csv_file))
    settle(page)
    page.get_by_role("button", name="Import", exact=True).click()
    settle(page)
    _no_exception(page)
    assert page.get_by_text("3 inserted").first.is_visible()
    customers = page.get_by_test_id("stMetric").filter(has_text="Customers")
    assert customers.get_by_test_id("stMetricValue").inner_text() == "3"
    shoot(page, "data-after-upload-1400")
    assert not dialogs
