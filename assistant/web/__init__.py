"""Flask app factory. Views are thin: they check who is asking, validate input and call the library.

Every page and API needs a signed-in user except the login page, /api/health and static files; that rule lives in
one place (`_require_login`), and branch scoping lives in the library (assistant.services.coaching), not in the views.
"""

from __future__ import annotations

import logging
import os
import secrets
from datetime import timedelta

from flask import Flask, flash, jsonify, redirect, render_template, request, url_for
from flask_login import LoginManager, current_user
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import HTTPException

from assistant.config import get_settings
from assistant.errors import AssistantError, error_body
from assistant.services.accounts import get_account
from assistant.web.admin import admin as admin_blueprint
from assistant.web.api import api as api_blueprint
from assistant.web.auth import auth as auth_blueprint
from assistant.web.auth import limit_login
from assistant.web.coach import coach as coach_blueprint
from assistant.web.forms import form_once
from assistant.web.pages import pages as pages_blueprint

log = logging.getLogger(__name__)

HTTP_MESSAGES = {
    400: "请求格式不正确。",
    401: "请先登录。",
    403: "您没有权限访问该内容。",
    404: "没有找到该页面或资源。",
    405: "不支持该请求方式。",
    413: "上传的内容太大了。",
    415: "请求内容类型不正确,请使用 JSON。",
    429: "操作太频繁了,请稍后再试。",
}
CSRF_MESSAGE = "页面已过期或来源无法确认,请刷新页面后重试。"
PUBLIC_ENDPOINTS = {"auth.login", "api.health", "static"}

csrf = CSRFProtect()
login_manager = LoginManager()


def secret_key() -> str:
    """ASSISTANT_SECRET_KEY, else a random key kept in var/ (shared by every worker, stable across restarts)."""
    settings = get_settings()
    if settings.secret_key:
        return settings.secret_key
    path = settings.var_dir / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    return path.read_text().strip()


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.is_json


def error_response(code: str, message: str, status: int):
    if wants_json():
        return jsonify(error_body(code, message)), status
    return render_template("error.html", message=message, status=status), status


@login_manager.user_loader
def _load_user(user_id: str):
    account = get_account(int(user_id)) if user_id.isdigit() else None
    return account if account and account.active else None


@login_manager.unauthorized_handler
def _unauthorized():
    if wants_json():
        return jsonify(error_body("login_required", "登录已过期或尚未登录,请重新登录。")), 401
    return redirect(url_for("auth.login", next=request.full_path if request.query_string else request.path))


def _require_login():
    if request.endpoint in PUBLIC_ENDPOINTS or request.endpoint is None:
        return None
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    return None


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__)
    settings = get_settings()
    app.config.update(
        MAX_CONTENT_LENGTH=8 * 1024 * 1024,
        SECRET_KEY=secret_key(),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        REMEMBER_COOKIE_SECURE=settings.secure_cookies,
        PERMANENT_SESSION_LIFETIME=timedelta(hours=settings.session_hours),
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the signed-in session
        RATELIMIT_STORAGE_URI=settings.ratelimit_storage_uri,
        RATELIMIT_ENABLED=settings.ratelimit_enabled,
        RATELIMIT_HEADERS_ENABLED=True,
    )
    if test_config:
        app.config.update(test_config)
    app.json.ensure_ascii = False

    csrf.init_app(app)
    login_manager.init_app(app)

    for blueprint in (auth_blueprint, pages_blueprint, coach_blueprint, admin_blueprint, api_blueprint):
        app.register_blueprint(blueprint)
    try:
        from assistant.web.voice import voice
    except ImportError:  # voice is optional: the chat works typed
        log.info("voice blueprint not available")
    else:
        app.register_blueprint(voice)
    app.before_request(_require_login)

    limit_login(app)

    app.jinja_env.globals.update(form_once=form_once)

    @app.after_request
    def _security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            "media-src 'self' blob:; frame-ancestors 'none'",
        )
        return response

    @app.errorhandler(AssistantError)
    def _assistant_error(exc: AssistantError):
        log.warning("%s: %s", exc.code, exc)
        if wants_json():
            return jsonify(exc.to_dict()), exc.status
        return render_template("error.html", message=exc.user_message, status=exc.status), exc.status

    @app.errorhandler(CSRFError)
    def _csrf_error(exc: CSRFError):
        log.warning("csrf rejected on %s: %s", request.path, exc.description)
        if not wants_json() and request.referrer:
            flash(CSRF_MESSAGE, "error")
        return error_response("csrf", CSRF_MESSAGE, 400)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        return error_response(f"http_{exc.code}", HTTP_MESSAGES.get(exc.code or 500, "请求无法处理。"), exc.code or 500)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        log.exception("unhandled error")
        return error_response("internal", "系统出了点问题,请稍后再试。", 500)

    return app
