"""ui.serve: where the server listens and what it says at start, and the upload gate: Streamlit's own upload
route refuses the files of a session that may not import (before sign-in, or a viewer), before reading them."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest
from starlette.exceptions import HTTPException
from starlette.requests import Request
from streamlit import config
from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager
from streamlit.web.server.starlette import starlette_app

from ui import serve, upload_gate


class _Runtime:
    """Every session the test names is live, as far as Streamlit knows."""

    def is_active_session(self, session_id: str) -> bool:
        return session_id.startswith("live")


def _put(route, session_id: str, body: bytes = b"order_id\nO1\n") -> int:
    boundary = "crmboundary"
    payload = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"o.csv\"\r\n"
               f"Content-Type: text/csv\r\n\r\n").encode() + body + f"\r\n--{boundary}--\r\n".encode()
    scope = {"type": "http", "method": "PUT", "path": f"/_stcore/upload_file/{session_id}/f1", "query_string": b"",
             "headers": [(b"content-type", f"multipart/form-data; boundary={boundary}".encode()),
                         (b"content-length", str(len(payload)).encode())],
             "path_params": {"session_id": session_id, "file_id": "f1"}}
    sent = []

    async def receive():
        sent.append(True)
        return {"type": "http.request", "body": payload, "more_body": False}

    def put() -> int:
        try:
            return asyncio.run(route.endpoint(Request(scope, receive))).status_code
        except HTTPException as exc:
            return exc.status_code

    with ThreadPoolExecutor(1) as pool:  # a thread of its own: another test's event loop may run in this one
        return pool.submit(put).result()


@pytest.fixture
def upload_route(monkeypatch):
    monkeypatch.setattr(starlette_app, "create_upload_routes", starlette_app.create_upload_routes)  # restored after
    config.set_option("server.enableXsrfProtection", False)
    serve.gate_uploads()
    routes = starlette_app.create_upload_routes(_Runtime(), MemoryUploadedFileManager("/_stcore/upload_file"), None)
    yield next(r for r in routes if "PUT" in (r.methods or ()))
    config.set_option("server.enableXsrfProtection", True)


def test_only_a_session_that_may_import_can_upload(upload_route):
    upload_gate.note("live-editor", True)
    upload_gate.note("live-visitor", False)  # before sign-in, or a viewer
    assert _put(upload_route, "live-editor") == 204
    assert _put(upload_route, "live-visitor") == 400
    upload_gate.note("live-editor", False)  # signed out, or demoted
    assert _put(upload_route, "live-editor") == 400
    upload_gate.note("gone-session", True)
    assert _put(upload_route, "gone-session") == 400  # Streamlit no longer knows it


def test_the_router_tells_the_gate_who_may_import(monkeypatch, tmp_path):
    from streamlit.testing.v1 import AppTest

    from crm_metrics import accounts

    users = tmp_path / "users.json"
    accounts.add_user("ed", "editor", "editor-password", users)
    monkeypatch.setenv("CRM_DB", str(tmp_path / "crm.duckdb"))
    monkeypatch.setenv("CRM_AUTH", "local")
    monkeypatch.setenv("CRM_USERS", str(users))
    monkeypatch.setattr(upload_gate, "_may_upload", set())  # AppTest gives every session the same id
    at = AppTest.from_file(str(serve.APP), default_timeout=120).run()
    assert not upload_gate._may_upload  # the sign-in screen: no upload right
    at.text_input(key="sign_in_user").input("ed")
    at.text_input(key="sign_in_password").input("editor-password")
    at.button[0].click().run()
    assert not at.exception, at.exception
    assert len(upload_gate._may_upload) == 1  # the editor's session


@pytest.mark.parametrize(("args", "env", "address"), [
    ([], {}, "127.0.0.1"),
    (["--server.address", "0.0.0.0"], {}, "0.0.0.0"),
    (["--server.address=10.0.0.5"], {}, "10.0.0.5"),
    ([], {"STREAMLIT_SERVER_ADDRESS": "0.0.0.0"}, "0.0.0.0"),
])
def test_the_server_listens_on_this_machine_unless_told_otherwise(monkeypatch, args, env, address):
    monkeypatch.delenv("STREAMLIT_SERVER_ADDRESS", raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    assert serve.listening_address(args) == address


def test_the_start_notice_says_where_and_who_and_warns_when_open_without_sign_in():
    assert serve.start_notice("127.0.0.1", "none") == (
        "Customer dashboard: listening only on this machine (127.0.0.1); to serve your team, set --server.address "
        "0.0.0.0 with sign-in (CRM_AUTH=local or oidc), without sign-in: every visitor is admin.")
    assert "WARNING: anyone on the network can import" in serve.start_notice("0.0.0.0", "none")
    assert "WARNING" not in serve.start_notice("0.0.0.0", "local")
