"""The administrator's panel for local accounts (CRM_AUTH=local): who may sign in, and with which role."""

from __future__ import annotations

import streamlit as st

from crm_metrics import accounts
from crm_metrics.access import ROLES, permission_table
from ui import auth


def users_panel() -> None:
    """Users and roles; shown to admins of a deployment with local accounts."""
    if accounts.auth_mode() != "local" or not auth.allowed("manage_users"):
        return
    st.subheader("Users")
    st.caption(f"Local accounts, stored with hashed passwords in {accounts.users_path()}. What each role may do:")
    st.dataframe(permission_table(), hide_index=True, width="stretch",
                 column_config={"action": "Action", **{r: st.column_config.CheckboxColumn(r.capitalize())
                                                       for r in ROLES}})
    people = accounts.list_users()
    st.dataframe(people, hide_index=True, width="content", column_config={"user": "User", "role": "Role"})
    with st.form("add_user", clear_on_submit=True):
        st.markdown("**Add a user, or set a new password**")
        left, middle, right = st.columns(3)
        name = left.text_input("User name")
        role = middle.selectbox("Role", ROLES)
        password = right.text_input("Password", type="password",
                                    help=f"At least {accounts.MIN_PASSWORD_LENGTH} characters.")
        if st.form_submit_button("Save user"):
            _apply(lambda: accounts.add_user(name, role, password), f"{name.strip()} can sign in as {role}.")
    names = [p["user"] for p in people if p["user"] != auth.current().user]  # never lock yourself out
    if not names:
        return
    left, middle, right = st.columns([2, 1, 1], vertical_alignment="bottom")
    who = left.selectbox("Change a user", names, key="user_change")
    new_role = middle.selectbox("New role", ROLES, key="user_new_role")
    if middle.button("Set role", key="user_set_role"):
        _apply(lambda: accounts.set_role(who, new_role), f"{who} is now {new_role}.")
    if right.button("Remove user", key="user_remove"):
        _apply(lambda: accounts.remove_user(who), f"{who} was removed.")


def _apply(action, message: str) -> None:
    try:
        action()
    except accounts.AccountError as exc:
        st.error(str(exc))
        return
    st.success(message)
