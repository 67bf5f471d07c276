"""Flask app factory. Views are thin: they validate input and call the library."""
from __future__ import annotations

import logging
import os
import secrets

from flask import Flask, jsonify
from werkzeug.exceptions import HTTPException

from assistant.errors import AssistantError

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


def secret_key() -> str:
    """ASSISTANT_SECRET_KEY, else a random key kept in var/ (shared by every worker, stable across restarts)."""
    if os.environ.get("ASSISTANT_SECRET_KEY"):
        return os.environ["ASSISTANT_SECRET_KEY"]
    from assistant.config import get_settings

    path = get_settings().var_dir / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    return path.read_text().strip()


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__)
    app.config.update(MAX_CONTENT_LENGTH=2 * 1024 * 1024, SECRET_KEY=secret_key(),
                      SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax")
    if test_config:
        app.config.update(test_config)
    app.json.ensure_ascii = False

    from assistant.web.api import api

    app.register_blueprint(api)

    @app.errorhandler(AssistantError)
    def _assistant_error(exc: AssistantError):
        log.warning("%s: %s", exc.code, exc)
        return jsonify(exc.to_dict()), exc.status

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        message = HTTP_MESSAGES.get(exc.code or 500, "请求无法处理。")
        return jsonify({"error": {"code": f"http_{exc.code}", "message": message}}), exc.code

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        log.exception("unhandled error")
        return jsonify({"error": {"code": "internal", "message": "系统出了点问题,请稍后再试。"}}), 500

    return app
