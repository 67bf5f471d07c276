"""Database access: SQLAlchemy engine and sessions, schema managed by Alembic migrations.

SQLite under var/ by default; PostgreSQL (or any SQLAlchemy URL) through DATABASE_URL.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from contextlib import contextmanager
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Iterator

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    create_engine,
    event,
    text,
)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

from assistant.config import get_settings
from assistant.errors import ServiceUnavailable

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
log = logging.getLogger(__name__)
# How long SQLite waits for another writer; then the unit of work is tried RETRIES more times, then refused.
BUSY_TIMEOUT_MS = 5000
RETRIES = 1
BUSY_MESSAGE = "数据库正忙,刚才的操作没有保存,请稍等几秒再试一次。"
DOWN_MESSAGE = "数据库暂时无法访问,刚才的操作没有保存。请稍后再试,或联系管理员。"


class DatabaseBusy(ServiceUnavailable):
    """Another writer held the database longer than we wait: nothing of this operation was written."""

    code = "database_busy"


class DatabaseUnavailable(ServiceUnavailable):
    """The database cannot be reached (server stopped, file gone): nothing of this operation was written."""

    code = "database_unavailable"


def unavailable(exc: Exception) -> ServiceUnavailable:
    """The user-facing error for a driver failure: busy (SQLite lock, PostgreSQL class 40 conflict) or down."""
    cause = getattr(exc, "orig", None) or exc
    sqlstate = getattr(cause, "sqlstate", None) or ""
    if "database is locked" in str(cause) or "database table is locked" in str(cause) or sqlstate.startswith("40"):
        return DatabaseBusy(f"database busy: {cause}", BUSY_MESSAGE)
    return DatabaseUnavailable(f"database unavailable: {cause}", DOWN_MESSAGE)


def retry_when_busy(function):
    """Run a unit of work again when the database was busy; each try is its own transaction, so none is half-done."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        for attempt in range(RETRIES + 1):
            try:
                return function(*args, **kwargs)
            except DatabaseBusy as exc:
                if attempt >= RETRIES:
                    raise
                log.warning("%s: %s; trying again", function.__name__, exc)
                time.sleep(0.1 * (attempt + 1))

    return wrapper


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def as_utc(moment: datetime) -> datetime:
    """Stored times are UTC; SQLite hands them back without a zone."""
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


class Base(DeclarativeBase):
    pass


class Branch(Base):
    __tablename__ = "branches"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))  # staff | coach | admin
    branch_id: Mapped[int | None] = mapped_column(ForeignKey("branches.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class DrillSession(Base):
    """An evening drill (夕会): a coach opens it for the branch; drills started while it is open belong to it."""

    __tablename__ = "drill_sessions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branches.id"), index=True)
    coach_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    title: Mapped[str] = mapped_column(String(100))
    scenarios: Mapped[list] = mapped_column(JSON)
    minutes: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))  # open | closed
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class Drill(Base):
    __tablename__ = "drills"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner: Mapped[str] = mapped_column(String(128), index=True)  # the chat sender or "user:<id>"
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True, index=True)
    session_id: Mapped[int | None] = mapped_column(ForeignKey("drill_sessions.id"), nullable=True)
    scenario: Mapped[str] = mapped_column(String(64))
    difficulty: Mapped[str] = mapped_column(String(16))
    seed: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))  # active | finished
    state: Mapped[dict] = mapped_column(JSON)
    report: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    total: Mapped[int | None] = mapped_column(Integer, nullable=True)
    passed: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class DrillTurn(Base):
    __tablename__ = "drill_turns"
    __table_args__ = (UniqueConstraint("drill_id", "position", name="uq_drill_turn_position"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    drill_id: Mapped[int] = mapped_column(ForeignKey("drills.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    speaker: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    analysis: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ScoreOverride(Base):
    """A coach's change to a score: who, when, before, after and why. Rows are only ever added."""

    __tablename__ = "score_overrides"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    drill_id: Mapped[int] = mapped_column(ForeignKey("drills.id"), index=True)
    coach_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    field: Mapped[str] = mapped_column(String(16))  # total | service | script | concept | compliance
    before: Mapped[int] = mapped_column(Integer)
    after: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class DailyActivity(Base):
    """员工销售行为日统计: one row per person and day."""

    __tablename__ = "daily_activity"
    __table_args__ = (UniqueConstraint("user_id", "day", name="uq_activity_user_day"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    day: Mapped[date] = mapped_column(Date)
    identified: Mapped[int] = mapped_column(Integer, default=0)
    recommended: Mapped[int] = mapped_column(Integer, default=0)
    referred: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class FormSubmission(Base):
    """One-time tokens of submitted forms: a double-clicked or re-sent form is applied once."""

    __tablename__ = "form_submissions"
    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # WAL lets the web app and the action server read while one writes; busy_timeout waits instead of failing.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_MS)}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


def upgrade(url: str | None = None) -> None:
    """Bring the schema to the newest migration (idempotent)."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url or get_settings().database_url)
    command.upgrade(config, "head")


class Database:
    """One engine and session factory per process and URL; the schema is migrated on first use."""

    _lock = threading.Lock()
    _instances: dict[str, "Database"] = {}

    def __init__(self, url: str):
        self.url = url
        self.engine = make_engine(url)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        file = url.removeprefix("sqlite:///") if url.startswith("sqlite:///") else ""
        self.file = Path(file) if file and file != ":memory:" else None

    @classmethod
    def get(cls, url: str | None = None) -> "Database":
        url = url or get_settings().database_url
        with cls._lock:
            if url not in cls._instances:
                try:
                    upgrade(url)
                except (OperationalError, InterfaceError) as exc:
                    raise unavailable(exc) from exc
                cls._instances[url] = cls(url)
            return cls._instances[url]

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A transaction: committed when the block ends, rolled back on any error (nothing half-written).

        A database locked too long or unreachable raises DatabaseBusy / DatabaseUnavailable, which say so in Chinese.
        """
        if self.file is not None and not self.file.exists():
            # Pooled connections would go on writing into the deleted file and every write would be lost.
            self.engine.dispose()
            raise DatabaseUnavailable(f"database file {self.file} is gone", DOWN_MESSAGE)
        with self.sessions() as session:
            try:
                yield session
                session.commit()
            except (OperationalError, InterfaceError) as exc:
                try:
                    session.rollback()
                except Exception as again:  # noqa: BLE001 - the connection may be gone too; the server rolls back
                    log.warning("rollback failed: %s", again)
                raise unavailable(exc) from exc
            except BaseException:
                session.rollback()
                raise

    def ping(self) -> bool:
        with self.engine.connect() as connection:
            return connection.execute(text("SELECT 1")).scalar() == 1
