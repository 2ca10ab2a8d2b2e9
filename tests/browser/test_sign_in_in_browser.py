"""Browser: sign in with a local account as a viewer and as an editor and see the difference (masked
contacts and no upload for the viewer; real contacts and the upload for the editor). A shared link
(here, a customer) asks for sign-in first and then opens where it points."""

from __future__ import annotations

import re

from browser_helpers import settle, shoot

CUSTOMER = "/customer?customer=C000001"  # Noah Jensen, noah.jensen1@example.org in the sample
UUID = re.compile(rb"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _sign_in(browser_instance, url: str, name: str, password: str):
    context = browser_instance.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.goto(url + CUSTOMER)
    settle(page)
    page.get_by_role("textbox", name="User name").fill(name)
    page.get_by_role("textbox", name="Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    settle(page)
    return context, page


def _open_data_page(page) -> str:
    page.get_by_role("link", name="Data").first.click()
    settle(page)
    return page.inner_text("body")


def test_viewer_and_editor_see_the_difference(browser_instance, signed_in_app_url):
    url = signed_in_app_url
    context, page = _sign_in(browser_instance, url, "vera", "wrong-password")
    assert "Sign-in failed" in page.inner_text("body")
    context.close()

    context, page = _sign_in(browser_instance, url, "vera", "viewer-password")
    page.get_by_text("n***@example.org").first.wait_for(timeout=90_000)
    body = page.inner_text("body")
    shoot(page, "signed_in_viewer_customer")
    assert "vera (viewer)" in body and "noah.jensen1@example.org" not in body
    body = _open_data_page(page)
    assert "a viewer may not import" in body
    assert page.get_by_test_id("stFileUploaderDropzoneInput").count() == 0
    context.close()

    context, page = _sign_in(browser_instance, url, "ed", "editor-password")
    page.get_by_text("noah.jensen1@example.org").first.wait_for(timeout=90_000)
    shoot(page, "signed_in_editor_customer")
    assert "ed (editor)" in page.inner_text("body")
    _open_data_page(page)
    page.get_by_test_id("stFileUploader").filter(has_text="CSV file (also .csv.gz)").wait_for()  # drawn under load
    assert page.get_by_test_id("stFileUploaderDropzoneInput").count() == 2  # one file, and a batch of several
    context.close()


def _session_and_upload(browser_instance, url: str, sign_in_as: tuple[str, str] | None) -> int:
    """Open the app (signing in when asked), learn the session's id from the server's first messages (a UUID in
    the protobuf frames), and PUT a file to Streamlit's upload route for that session, as any script could."""
    context = browser_instance.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    frames: list[bytes] = []
    page.on("websocket", lambda ws: ws.on("framereceived", lambda data: frames.append(
        data if isinstance(data, bytes) else data.encode())))
    page.goto(url)
    settle(page)
    if sign_in_as:
        page.get_by_role("textbox", name="User name").fill(sign_in_as[0])
        page.get_by_role("textbox", name="Password").fill(sign_in_as[1])
        page.get_by_role("button", name="Sign in").click()
        settle(page)
    ids = {m.group().decode() for f in frames for m in UUID.finditer(f)}
    xsrf = next(c["value"] for c in context.cookies() if c["name"] == "_streamlit_xsrf")
    statuses = {page.request.put(f"{url}/_stcore/upload_file/{sid}/probe", headers={"X-Xsrftoken": xsrf},
                                 multipart={"file": {"name": "o.csv", "mimeType": "text/csv",
                                                     "buffer": b"x" * 1_000_000}}).status for sid in ids}
    context.close()
    return min(statuses)  # 204 when one of the ids is the session's and it may upload


def test_before_sign_in_and_as_a_viewer_the_server_takes_no_file(browser_instance, signed_in_app_url):
    assert _session_and_upload(browser_instance, signed_in_app_url, None) == 400
    assert _session_and_upload(browser_instance, signed_in_app_url, ("vera", "viewer-password")) == 400
    assert _session_and_upload(browser_instance, signed_in_app_url, ("ed", "editor-password")) == 204


def test_a_reload_a_typed_url_and_a_shared_link_stay_signed_in_until_sign_out(browser_instance, signed_in_app_url):
    """Issue 25.4: local sign-in was lost on every reload, typed URL and shared link."""
    url = signed_in_app_url
    context, page = _sign_in(browser_instance, url, "ed", "editor-password")
    page.get_by_text("ed (editor)").first.wait_for(timeout=90_000)
    cookie = next(c for c in context.cookies() if c["name"] == "crm_session")
    assert cookie["sameSite"] == "Strict" and cookie["expires"] > 0
    page.reload()
    settle(page)
    assert "ed (editor)" in page.inner_text("body")
    page.goto(url + "/segments")  # a typed URL, a shared link
    settle(page)
    body = page.inner_text("body")
    assert "ed (editor)" in body and "Sign in to continue" not in body
    page.get_by_role("button", name="Sign out").click()
    settle(page)
    page.reload()
    settle(page)
    assert "Sign in to continue" in page.inner_text("body")
    assert not [c for c in context.cookies() if c["name"] == "crm_session" and c["value"]]
    context.close()
