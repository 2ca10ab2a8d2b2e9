"""Browser: sign in with a local account as a viewer and as an editor and see the difference (masked
contacts and no upload for the viewer; real contacts and the upload for the editor)."""

from __future__ import annotations

from browser_helpers import settle, shoot


def _sign_in(browser_instance, url: str, name: str, password: str):
    context = browser_instance.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.goto(url)
    settle(page)
    page.get_by_label("User name").fill(name)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    settle(page)
    return context, page


def _customer_page(page, url: str) -> str:
    page.goto(url + "/customer?customer=C000001")
    settle(page)
    return page.inner_text("body")


def test_viewer_and_editor_see_the_difference(browser_instance, signed_in_app_url):
    url = signed_in_app_url
    context, page = _sign_in(browser_instance, url, "vera", "wrong-password")
    assert "Sign-in failed" in page.inner_text("body")
    context.close()

    context, page = _sign_in(browser_instance, url, "vera", "viewer-password")
    body = _customer_page(page, url)
    shoot(page, "signed_in_viewer_customer")
    assert "vera (viewer)" in body
    assert "n***@example.org" in body and "noah.jensen1@example.org" not in body
    page.goto(url + "/data")
    settle(page)
    body = page.inner_text("body")
    assert "a viewer may not import" in body
    assert page.get_by_test_id("stFileUploaderDropzoneInput").count() == 0
    context.close()

    context, page = _sign_in(browser_instance, url, "ed", "editor-password")
    body = _customer_page(page, url)
    shoot(page, "signed_in_editor_customer")
    assert "ed (editor)" in body and "noah.jensen1@example.org" in body
    page.goto(url + "/data")
    settle(page)
    assert page.get_by_test_id("stFileUploaderDropzoneInput").count() == 1
    context.close()
