"""Branches, users and roles. Passwords are stored as werkzeug hashes only; accounts are deactivated, never deleted,
so a person's drills stay with the branch (and can be anonymised on request)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from assistant.db import Branch, Database, User, utcnow
from assistant.errors import InputError, NotFound

ROLES = {"staff": "员工", "coach": "教练", "admin": "管理员"}
MIN_PASSWORD = 8
# Checked against when the username is unknown, so a wrong name and a wrong password take the same time.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


@dataclass(frozen=True)
class Account:
    """A signed-in person as the app sees them (also the Flask-Login user object)."""

    id: int
    username: str
    display_name: str
    role: str
    branch_id: int | None
    branch_name: str
    active: bool = True

    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        return str(self.id)

    @property
    def owner(self) -> str:
        """The drill owner and Rasa sender id of this person."""
        return f"user:{self.id}"

    @property
    def role_name(self) -> str:
        return ROLES[self.role]

    def can_coach(self) -> bool:
        return self.role in ("coach", "admin")


def user_id_of(owner: str) -> int | None:
    """The user id inside an owner / sender id of the form user:<id>, else None (a terminal or anonymous chat)."""
    prefix, _, rest = owner.partition(":")
    return int(rest) if prefix == "user" and rest.isdigit() else None


def _account(user: User, branch: Branch | None) -> Account:
    return Account(
        id=user.id,
        username=user.username,
        display_name=user.display_name,
        role=user.role,
        branch_id=user.branch_id,
        branch_name=branch.name if branch else "",
        active=user.active,
    )


def ensure_branch(name: str) -> int:
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise InputError(f"bad branch name {name!r}", "网点名称不能为空,且不超过 100 个字。", "bad_branch")
    with Database.get().session() as session:
        branch = session.scalars(select(Branch).where(Branch.name == name)).first()
        if branch is None:
            branch = Branch(name=name)
            session.add(branch)
            session.flush()
        return branch.id


def list_branches() -> list[dict]:
    with Database.get().session() as session:
        return [{"id": b.id, "name": b.name} for b in session.scalars(select(Branch).order_by(Branch.name))]


def check_password(password: object) -> str:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD or len(password) > 128:
        raise InputError("password too short or too long", f"密码至少 {MIN_PASSWORD} 位(最多 128 位)。", "bad_password")
    return password


def create_user(
    username: str, password: str, role: str, branch: str | None, display_name: str | None = None
) -> Account:
    username = (username or "").strip()
    if not username or len(username) > 64 or not username.replace("_", "").replace("-", "").replace(".", "").isalnum():
        raise InputError(
            f"bad username {username!r}", "用户名只能由字母、数字、点、下划线或连字符组成,最长 64 位。", "bad_username"
        )
    if role not in ROLES:
        raise InputError(f"bad role {role!r}", "角色只能是 staff(员工)、coach(教练)或 admin(管理员)。", "bad_role")
    if role != "admin" and not branch:
        raise InputError("branch missing", "员工和教练必须属于一个网点。", "branch_required")
    check_password(password)
    branch_id = ensure_branch(branch) if branch else None
    with Database.get().session() as session:
        if session.scalars(select(User).where(User.username == username)).first() is not None:
            raise InputError(f"user {username} exists", f"用户名“{username}”已被使用。", "user_exists")
        user = User(
            username=username,
            display_name=(display_name or username).strip()[:100],
            role=role,
            password_hash=generate_password_hash(password),
            branch_id=branch_id,
        )
        session.add(user)
        session.flush()
        return _account(user, session.get(Branch, branch_id) if branch_id else None)


def authenticate(username: str, password: str) -> Account | None:
    """The account if the name and password match an active user; None otherwise, without saying which part was wrong."""
    with Database.get().session() as session:
        user = session.scalars(select(User).where(User.username == (username or "").strip())).first()
        if user is None or not user.active:
            check_password_hash(_DUMMY_HASH, password or "")
            return None
        if not check_password_hash(user.password_hash, password or ""):
            return None
        return _account(user, session.get(Branch, user.branch_id) if user.branch_id else None)


def get_account(user_id: int) -> Account | None:
    with Database.get().session() as session:
        user = session.get(User, user_id)
        if user is None:
            return None
        return _account(user, session.get(Branch, user.branch_id) if user.branch_id else None)


def list_accounts(branch_id: int | None = None) -> list[Account]:
    """Everyone (admin) or one branch's people, deactivated accounts included."""
    with Database.get().session() as session:
        query = select(User, Branch).outerjoin(Branch, User.branch_id == Branch.id).order_by(User.id)
        if branch_id is not None:
            query = query.where(User.branch_id == branch_id)
        return [_account(user, branch) for user, branch in session.execute(query)]


def _user(session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"user {user_id} not found", "没有找到该用户。", "user_not_found")
    return user


def set_password(user_id: int, password: str) -> None:
    check_password(password)
    with Database.get().session() as session:
        _user(session, user_id).password_hash = generate_password_hash(password)


def deactivate(user_id: int) -> None:
    """Sign-in is refused from now on; the person's drills stay visible to their coach."""
    with Database.get().session() as session:
        user = _user(session, user_id)
        user.active, user.deleted_at = False, user.deleted_at or utcnow()


def anonymise(user_id: int) -> None:
    """On request: the name is removed everywhere it is shown; drills and scores stay for the branch's statistics."""
    with Database.get().session() as session:
        user = _user(session, user_id)
        user.active, user.deleted_at = False, user.deleted_at or utcnow()
        user.username, user.display_name = f"deleted-{user.id}", f"已注销员工{user.id}"
        user.password_hash = "!"  # matches no password
