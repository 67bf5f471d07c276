"""Form helpers shared by the views: one-time tokens against double submission, and role checks."""

from __future__ import annotations

import uuid
from functools import wraps

from flask import abort, flash, request
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from assistant.db import Database, FormSubmission

DUPLICATE_MESSAGE = "这个表单已经提交过了,没有重复处理。"


def form_once() -> str:
    """A fresh token for a form's hidden `once` field (templates call it)."""
    return uuid.uuid4().hex


def first_submission() -> bool:
    """True the first time a form's token arrives; a double click or a resent form gets False and a notice."""
    token = request.form.get("once", "")
    if not token or len(token) > 64:
        return True  # forms without a token (none of ours) are not deduplicated
    try:
        with Database.get().session() as session:
            session.add(FormSubmission(token=token, user_id=getattr(current_user, "id", None)))
    except IntegrityError:
        flash(DUPLICATE_MESSAGE, "info")
        return False
    return True


def roles_required(*roles: str):
    """403 for anyone signed in without one of the roles (login itself is checked for every request)."""

    def decorate(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorate


def branch_scope() -> int | None:
    """The branch a coach works in; None for an admin, who sees every branch."""
    return None if current_user.role == "admin" else current_user.branch_id
