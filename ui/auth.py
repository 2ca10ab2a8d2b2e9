"""Who is using this session: sign-in (none, local accounts, or OpenID Connect) and their role.

``CRM_AUTH`` chooses the mode (see ``crm_metrics/accounts.py``). Without sign-in the session is the local
admin. With sign-in, a session that has not signed in acts as an anonymous viewer (least privilege)
until the gate in ``app.py`` lets it through; the data layer masks and refuses by the role returned here.
"""

from __future__ import annotations

import time

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from crm_metrics import accounts
from crm_metrics.access import LOCAL_ADMIN, PERMISSIONS, Principal, can, for_export
from ui import upload_gate

ANONYMOUS = Principal("anonymous", "viewer")
_KEY = "signed_in_principal"


def current() -> Principal:
    """The principal of this session, with the role its account has now (a role change or a removal reaches
    a session already signed in at its next action)."""
    mode = accounts.auth_mode()
    if mode == "none":
        return LOCAL_ADMIN
    if mode == "local":
        return _local_principal()
    if not st.user.is_logged_in:
        return ANONYMOUS
    email = st.user.get("email") or st.user.get("sub") or "unknown"
    return Principal(str(email), accounts.role_for_email(str(email)))


COOKIE = "crm_session"


def _local_principal() -> Principal:
    """The signed-in account: this session's, else the one the browser's session cookie names (a reload, a typed
    URL or a shared link opens signed in until the cookie expires)."""
    signed = st.session_state.get(_KEY)
    if signed is None and not st.session_state.get("_signed_out"):
        signed = accounts.principal_from_token(st.context.cookies.get(COOKIE))
    if signed is None:
        return ANONYMOUS
    now = accounts.current_principal(signed.user)
    if now is None:  # the account was removed
        st.session_state.pop(_KEY, None)
        return ANONYMOUS
    st.session_state[_KEY] = now
    return now


def _address() -> str:
    return st.context.ip_address or "unknown address"


def _cookie_script() -> None:
    """Set or clear the session cookie in the browser, on the run after sign-in or sign-out (a script sent just
    before a rerun would be dropped with the page it was on)."""
    token = st.session_state.pop("_set_cookie", None)
    clear = st.session_state.pop("_clear_cookie", False)
    if token is None and not clear:
        return
    value, age = (token, int(accounts.session_hours() * 3600)) if token else ("", 0)
    # the token is base64url and digits: nothing in it can end the string
    st.html(f"<script>document.cookie = '{COOKIE}={value}; Max-Age={age}; Path=/; SameSite=Strict'"
            " + (location.protocol === 'https:' ? '; Secure' : '');</script>", unsafe_allow_javascript=True)


def note_upload_right() -> None:
    """Tell the upload gate whether this session may send files (it may import), on every run."""
    ctx = get_script_run_ctx()
    if ctx is not None:
        upload_gate.note(ctx.session_id, allowed("import"))


def signed_in() -> bool:
    """Whether this session may see the app (always, without sign-in)."""
    return accounts.auth_mode() == "none" or current() is not ANONYMOUS


def role() -> str:
    return current().role


def allowed(action: str) -> bool:
    return can(current(), action)


def refusal(action: str) -> str:
    """A sentence saying this role may not do ``action`` (shown where the control would be)."""
    who = current()
    return f"Signed in as {who.role}: a {who.role} may not {PERMISSIONS[action][0]}."


def sign_in_gate() -> None:
    """Before any page: in a deployment with sign-in, show the sign-in screen and stop until signed in."""
    mode = accounts.auth_mode()
    if mode == "local":
        _cookie_script()
    if signed_in():
        return
    st.title("Customer dashboard")
    if mode == "oidc":
        st.write("Sign in with your company account to continue.")
        st.button("Sign in", on_click=st.login, type="primary")
        st.stop()
    _local_form()
    st.stop()


def _local_form() -> None:
    st.write("Sign in to continue. Your administrator gives you a user name and password.")
    narrow, _ = st.columns([2, 3])  # a sign-in form reads best at the width of a name, not the screen
    with narrow.form("sign_in", clear_on_submit=True):
        name = st.text_input("User name", key="sign_in_user")
        password = st.text_input("Password", type="password", key="sign_in_password")
        submitted = st.form_submit_button("Sign in", type="primary")
    if not submitted:
        return
    wait = accounts.LIMITS.wait_seconds(name, _address())
    if wait:
        narrow.error(f"Too many failed sign-ins: try again in {max(1, round(wait / 60))} minutes.")
        return
    principal = accounts.authenticate(name, password)
    if principal is None:
        accounts.LIMITS.failed(name, _address())
        time.sleep(0.5)  # slows guessing; the message does not say which part was wrong
        narrow.error("Sign-in failed: that user name and password do not match an account.")
        return
    accounts.LIMITS.succeeded(name, _address())
    st.session_state[_KEY] = principal
    st.session_state["_signed_out"] = False
    st.session_state["_set_cookie"] = accounts.session_token(principal.user)
    st.rerun()


def sidebar_identity() -> None:
    """Who is signed in, with their role, and a sign-out button (nothing without sign-in)."""
    mode = accounts.auth_mode()
    if mode == "none":
        return
    who = current()
    with st.sidebar:
        st.caption("Signed in")
        st.text(f"{who.user} ({who.role})")
        if st.button("Sign out", key="sign_out"):
            if mode == "oidc":
                st.logout()
            st.session_state.pop(_KEY, None)
            st.session_state["_signed_out"] = True  # the cookie this session started with no longer counts
            st.session_state["_clear_cookie"] = True
            st.rerun()


def exportable(frame):
    """``frame`` as this session may download it: without personal columns unless its role may export
    contact fields."""
    return for_export(frame, current())
