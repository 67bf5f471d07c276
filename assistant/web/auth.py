"""Sign in and out. Failed sign-ins say nothing about which part was wrong and are rate limited per address."""

from __future__ import annotations

import logging
from urllib.parse import urlparse

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from assistant.services import accounts

log = logging.getLogger(__name__)
auth = Blueprint("auth", __name__)
LOGIN_LIMIT = "10 per minute;50 per hour"
LIMIT_MESSAGE = "登录尝试太频繁了,请一分钟后再试。"
WRONG_LOGIN = "用户名或密码不正确。"


def limit_login(app) -> None:
    """Per-address limit on sign-in attempts; one limiter per app, its storage shared by workers via
    RATELIMIT_STORAGE_URI (Redis when there are several machines)."""
    from flask_limiter import Limiter
    from flask_limiter.util import get_remote_address

    limiter = Limiter(get_remote_address, app=app, default_limits=[])
    app.extensions["login_limiter"] = limiter  # Flask-Limiter only keeps a weak reference
    app.view_functions["auth.login"] = limiter.limit(LOGIN_LIMIT, methods=["POST"], error_message=LIMIT_MESSAGE)(
        app.view_functions["auth.login"]
    )


def _safe_next(target: str | None) -> str:
    """Only paths on this site: a crafted ?next= cannot send staff elsewhere after signing in."""
    if target and target.startswith("/") and not target.startswith("//") and not urlparse(target).netloc:
        return target
    return url_for("pages.chat")


@auth.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated and request.method == "GET":
        return redirect(_safe_next(request.args.get("next")))
    if request.method == "POST":
        account = accounts.authenticate(request.form.get("username", ""), request.form.get("password", ""))
        if account is None:
            log.info("failed sign-in for %r from %s", request.form.get("username", "")[:64], request.remote_addr)
            flash(WRONG_LOGIN, "error")
            return render_template("login.html", username=request.form.get("username", "")), 401
        session.clear()
        session.permanent = True
        login_user(account)
        log.info("user %s signed in", account.id)
        return redirect(_safe_next(request.form.get("next") or request.args.get("next")))
    return render_template("login.html", username="")


@auth.post("/logout")
def logout():
    logout_user()
    session.clear()
    flash("您已退出登录。", "info")
    return redirect(url_for("auth.login"))
