"""Admin pages: users and branches, and reloading the content after editing scripts_kb/."""

from __future__ import annotations

import logging

from flask import Blueprint, flash, redirect, render_template, request, url_for

from assistant.content import reload_content
from assistant.drill.understanding import get_understanding, understanding_error
from assistant.errors import AssistantError
from assistant.retrieval import get_searcher
from assistant.services import accounts
from assistant.web.forms import first_submission, roles_required

log = logging.getLogger(__name__)
admin = Blueprint("admin", __name__, url_prefix="/admin")


@admin.before_request
@roles_required("admin")
def _admins_only():
    return None


@admin.get("/users")
def users():
    return render_template(
        "admin/users.html", users=accounts.list_accounts(), branches=accounts.list_branches(), roles=accounts.ROLES
    )


def _apply(action, success: str):
    if first_submission():
        try:
            action()
            flash(success, "success")
        except AssistantError as exc:
            flash(exc.user_message, "error")
    return redirect(url_for("admin.users"))


@admin.post("/users")
def user_add():
    form = request.form
    return _apply(
        lambda: accounts.create_user(
            form.get("username", ""),
            form.get("password", ""),
            form.get("role", ""),
            form.get("branch", "").strip() or None,
            form.get("display_name"),
        ),
        "用户已创建。",
    )


@admin.post("/users/<int:user_id>/password")
def user_password(user_id: int):
    return _apply(lambda: accounts.set_password(user_id, request.form.get("password", "")), "密码已重置。")


@admin.post("/users/<int:user_id>/deactivate")
def user_deactivate(user_id: int):
    return _apply(lambda: accounts.deactivate(user_id), "账号已停用,其演练记录仍保留给教练查看。")


@admin.post("/users/<int:user_id>/anonymise")
def user_anonymise(user_id: int):
    return _apply(lambda: accounts.anonymise(user_id), "账号已注销并匿名化,演练记录以匿名方式保留。")


@admin.post("/kb/reload")
def kb_reload():
    """Re-read every content file (topics, scenarios, shared checkpoints, rubric, compliance notes, labels); the
    index and the understanding models follow. A broken edit keeps the previous content serving."""

    if first_submission():
        try:
            content = reload_content()
            get_searcher()  # rebuilt now when the topics changed, not on the next staff question
            get_understanding()
            if understanding_error() is not None:
                log.error("understanding corpus rejected: %s", understanding_error())
                flash(f"理解语料有错误,仍在使用之前的模型:{understanding_error()}", "error")
            flash(
                f"话术库已重新加载:{len(content.kb.entries)} 条条目,{len(content.scenarios)} 个演练场景。",
                "success",
            )
        except AssistantError as exc:
            log.error("content reload rejected: %s", exc)
            flash(f"话术库有错误,仍在使用之前的版本。{exc.user_message}", "error")
    return redirect(url_for("pages.kb"))
