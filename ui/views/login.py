"""登录: the form shown before anything else when the workspace has accounts (ui.accounts). Nothing of the
workspace is read or drawn until the session has logged in."""

from __future__ import annotations

import secrets
from pathlib import Path

import streamlit as st

from tracegraph.ui import accounts
from tracegraph.ui import state as vs
from tracegraph.ui.views.common import md


def logged_in_user(workspace: str | Path) -> str | None:
    """The session's user; draws the login form and returns None while it has not logged in."""
    sess = vs.session()
    if sess.login_user:
        return sess.login_user
    if not sess.login_token:
        sess.login_token = secrets.token_hex(16)
    st.header("登录")
    st.caption("此工作区要求登录。账户由管理员用 tracegraph users add 添加。")
    with st.form("tg_login"):
        name = st.text_input("用户名", key="tg_login_name")
        password = st.text_input("密码", type="password", key="tg_login_password")
        submitted = st.form_submit_button("登录", type="primary")
    if submitted:
        result = accounts.login(workspace, name, password, sess.login_token)
        if result.ok:
            sess.login_user = result.user
            st.rerun()
        st.error(md(result.message))
    return None
