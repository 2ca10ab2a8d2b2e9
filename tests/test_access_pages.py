"""AppTest, with local accounts (CRM_AUTH=local): sign-in, and each page and action as each role may see
it. A viewer's pages never carry a real email (the whole element tree is scanned, tables included); the
same pages for an editor do, so the scan can find one."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from crm_metrics import accounts, db

ROOT = Path(__file__).resolve().parent.parent
PAGES = ["pages/overview.py", "pages/customer.py", "pages/segments.py", "pages/campaigns.py", "pages/retention.py",
         "pages/satisfaction.py", "pages/value.py", "pages/data.py", "pages/learn.py"]
PASSWORDS = {"vera": "viewer-password", "ed": "editor-password", "ada": "admin-password"}


@pytest.fixture(scope="module")
def deployment(tmp_path_factory):
    """A database holding the shipped sample and a users file with one account per role."""
    folder = tmp_path_factory.mktemp("deployment")
    users = folder / "users.json"
    for (name, password), role in zip(PASSWORDS.items(), ("viewer", "editor", "admin"), strict=True):
        accounts.add_user(name, role, password, users)
    path = folder / "crm.duckdb"
    con = db.connect(path)
    from crm_metrics.importing import import_file
    from crm_metrics.schema import TABLE_ORDER

    for table in TABLE_ORDER:
        import_file(con, table, ROOT / "sample_data" / f"{table}.csv")
    real = {e for (e,) in con.execute("SELECT email FROM customers WHERE email IS NOT NULL").fetchall()}
    con.close()
    return path, users, real


def _signed_in(monkeypatch, deployment, name: str | None, password: str | None = None) -> AppTest:
    path, users, _ = deployment
    monkeypatch.setenv("CRM_DB", str(path))
    monkeypatch.setenv("CRM_AUTH", "local")
    monkeypatch.setenv("CRM_USERS", str(users))
    monkeypatch.chdir(ROOT)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.run()
    assert not at.exception, at.exception
    if name is not None:
        at.text_input(key="sign_in_user").input(name)
        at.text_input(key="sign_in_password").input(password or PASSWORDS[name])
        at.button[0].click().run()
        assert not at.exception, at.exception
    return at


def _page_bytes(at: AppTest) -> bytes:
    """Every element of the rendered page, serialised (text, tables as Arrow, charts as JSON)."""
    out = []

    def walk(node) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None:
            out.append(proto.SerializeToString())
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return b"\n".join(out)


def _emails_on_every_page(at: AppTest, real: set[str]) -> dict[str, set[str]]:
    seen = {}
    for page in PAGES:
        at.switch_page(page).run()
        assert not at.exception, (page, at.exception)
        blob = _page_bytes(at)  # Arrow packs strings end to end: look for each real email as a substring
        seen[page] = {e for e in real if e.encode() in blob}
    return seen


def test_a_viewer_never_receives_an_unmasked_email(monkeypatch, deployment):
    """The editor goes first, filling the process-wide result cache: the viewer's pages must not be
    served from it (results are cached per role)."""
    _, _, real = deployment
    editor = _emails_on_every_page(_signed_in(monkeypatch, deployment, "ed"), real)
    assert any(editor.values()), "an editor saw no email either: the viewer's scan would prove nothing"
    viewer = _emails_on_every_page(_signed_in(monkeypatch, deployment, "vera"), real)
    assert not any(viewer.values()), {p: sorted(e)[:3] for p, e in viewer.items() if e}


def test_the_customer_page_masks_for_a_viewer(monkeypatch, deployment):
    at = _signed_in(monkeypatch, deployment, "vera")
    at.query_params["customer"] = "C000001"
    at.switch_page("pages/customer.py").run()
    assert not at.exception
    text = _page_bytes(at)
    assert b"n***@example.org" in text and b"N***" in text  # Noah Jensen, noah.jensen1@example.org
    assert b"noah.jensen1" not in text and b"Noah Jensen" not in text and b"1973" not in text


def test_without_sign_in_nothing_is_shown_and_a_failed_sign_in_does_not_say_why(monkeypatch, deployment):
    at = _signed_in(monkeypatch, deployment, None)
    assert at.title[0].value == "Customer dashboard" and not at.metric
    at.text_input(key="sign_in_user").input("vera")
    at.text_input(key="sign_in_password").input("wrong password")
    at.button[0].click().run()
    wrong_password = at.error[0].value
    at.text_input(key="sign_in_user").input("nobody")
    at.text_input(key="sign_in_password").input(PASSWORDS["vera"])
    at.button[0].click().run()
    assert at.error[0].value == wrong_password and "do not match" in wrong_password
    assert not at.metric  # still signed out
    assert PASSWORDS["vera"].encode() not in _page_bytes(at)  # never echoed back to the browser


def test_a_viewer_reaching_the_data_page_cannot_import_undo_or_reset(monkeypatch, deployment):
    at = _signed_in(monkeypatch, deployment, "vera")
    at.switch_page("pages/data.py").run()
    assert not at.exception
    assert not at.get("file_uploader"), "a viewer was offered the upload"
    assert not [b for b in at.button if b.key in ("undo_button", "reset_sample")]
    assert any("viewer may not import" in i.value for i in at.info)


def test_an_editor_may_import_but_not_reset_and_an_admin_manages_users(monkeypatch, deployment):
    at = _signed_in(monkeypatch, deployment, "ed")
    at.switch_page("pages/data.py").run()
    assert at.get("file_uploader") and not [b for b in at.button if b.key == "reset_sample"]
    assert not [s for s in at.subheader if s.value == "Users"]
    at = _signed_in(monkeypatch, deployment, "ada")
    at.switch_page("pages/data.py").run()
    assert [b for b in at.button if b.key == "reset_sample"]
    assert [s for s in at.subheader if s.value == "Users"]


def test_a_role_change_reaches_a_session_already_signed_in(monkeypatch, deployment, tmp_path):
    """Issue 25.4: a demoted editor kept importing; a removed account stayed signed in."""
    import shutil

    path, users, real = deployment
    own = tmp_path / "users.json"
    shutil.copy(users, own)
    at = _signed_in(monkeypatch, (path, own, real), "ed")
    at.switch_page("pages/data.py").run()
    assert at.get("file_uploader"), "the editor may upload"
    accounts.set_role("ed", "viewer", own)
    at.run()
    assert not at.get("file_uploader") and any("viewer may not import" in i.value for i in at.info)
    accounts.remove_user("ed", own)
    at.run()
    assert at.title[0].value == "Customer dashboard" and not at.metric  # signed out: the sign-in screen


def test_the_sixth_wrong_password_in_a_row_is_not_even_checked(monkeypatch, deployment):
    monkeypatch.setattr(accounts, "LIMITS", accounts.SignInLimits())
    at = _signed_in(monkeypatch, deployment, None)
    for _ in range(5):
        at.text_input(key="sign_in_user").input("ada")
        at.text_input(key="sign_in_password").input("not the password")
        at.button[0].click().run()
        assert "do not match" in at.error[0].value
    at.text_input(key="sign_in_user").input("ada")
    at.text_input(key="sign_in_password").input(PASSWORDS["ada"])  # even the right one, for now
    at.button[0].click().run()
    assert at.error[0].value.startswith("Too many failed sign-ins: try again in 15 minutes") and not at.metric
