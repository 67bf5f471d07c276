"""The database locked by another writer, or gone: a drill turn is retried or refused in Chinese, never half-written.

Real SQLite files locked by a real second process, a real PostgreSQL server stopped and started again.
"""

from __future__ import annotations

import logging
import shutil
import sqlite3
import subprocess
import sys

import pytest

from assistant import db as db_module
from assistant.db import Database, DatabaseBusy, DatabaseUnavailable, Drill
from assistant.services import drills
from bench.servers import PostgresServer, start_or_skip

LINES = [
    "王老师您好,欢迎光临,今天想办点什么业务?",
    "您这笔钱以后有什么打算,最看重哪一点?",
    "明白了,那您平时要不要留一部分随时能取?",
]
HOLD_LOCK = (
    "import sqlite3, sys\n"
    "connection = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
    "connection.execute('BEGIN EXCLUSIVE')\n"
    "print('locked', flush=True)\n"
    "sys.stdin.readline()\n"
    "connection.rollback()\n"
)


class WriteLock:
    """Another process holding SQLite's write lock until `release()`: a long backup, a stuck batch job."""

    def __init__(self, path):
        self.process = subprocess.Popen(
            [sys.executable, "-c", HOLD_LOCK, str(path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        assert self.process.stdout.readline().strip() == "locked"

    def release(self) -> None:
        if self.process.poll() is None:
            self.process.stdin.write("\n")
            self.process.stdin.flush()
            self.process.wait(10)


def stored(drill_id: int) -> tuple[list[tuple[int, str, str]], dict]:
    """The drill's turns (position, speaker, text) and state, straight from the database."""
    with Database.get().session() as session:
        drill = session.get(Drill, drill_id)
        turns = [(t.position, t.speaker, t.text) for t in drills._turns(session, drill_id)]
        return turns, dict(drill.state)


def assert_whole_turns(turns: list[tuple[int, str, str]], staff_lines: list[str]) -> None:
    assert [p for p, _, _ in turns] == list(range(len(turns)))
    assert [s for _, s, _ in turns] == ["customer"] + ["staff", "customer"] * len(staff_lines)
    assert [t for _, s, t in turns if s == "staff"] == staff_lines


@pytest.fixture()
def sqlite_drill(tmp_path, monkeypatch):
    """A drill with one turn taken, in its own SQLite file; SQLite waits 0.4 s for a lock instead of 5 s."""
    monkeypatch.setattr(db_module, "BUSY_TIMEOUT_MS", 400)
    path = tmp_path / "data" / "assistant.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{path}")
    drill = drills.start_drill("fault-user", "retiree_maturing_deposit", seed=3)
    drills.take_turn(drill["id"], LINES[0])
    return path, drill["id"]


def test_a_lock_released_during_the_wait_is_retried_and_the_turn_is_kept(sqlite_drill):
    path, drill_id = sqlite_drill
    lock = WriteLock(path)

    class ReleaseOnRetry(logging.Handler):
        def emit(self, record):
            if "trying again" in record.getMessage():
                lock.release()

    handler = ReleaseOnRetry()
    logging.getLogger("assistant.db").addHandler(handler)
    try:
        result = drills.take_turn(drill_id, LINES[1])
    finally:
        logging.getLogger("assistant.db").removeHandler(handler)
        lock.release()
    assert lock.process.returncode == 0, "the lock was released by the retry, not by the test's cleanup"
    assert result.customer
    assert_whole_turns(stored(drill_id)[0], LINES[:2])


def test_a_lock_held_too_long_refuses_the_turn_in_chinese_and_writes_nothing(sqlite_drill):
    path, drill_id = sqlite_drill
    before = stored(drill_id)
    lock = WriteLock(path)
    try:
        with pytest.raises(DatabaseBusy) as refused:
            drills.take_turn(drill_id, LINES[1])
    finally:
        lock.release()
    assert refused.value.code == "database_busy" and refused.value.status == 503
    assert "数据库正忙" in refused.value.user_message and "没有保存" in refused.value.user_message
    assert stored(drill_id) == before
    drills.take_turn(drill_id, LINES[1])  # said again once the lock is gone: taken once, in its place
    assert_whole_turns(stored(drill_id)[0], LINES[:2])


def test_a_deleted_database_is_refused_not_written_into_the_void(sqlite_drill, tmp_path):
    path, drill_id = sqlite_drill
    backup = tmp_path / "backup.db"
    with sqlite3.connect(path) as source, sqlite3.connect(backup) as target:
        source.backup(target)
    shutil.rmtree(path.parent)  # the data directory removed under the running process
    with pytest.raises(DatabaseUnavailable) as refused:
        drills.take_turn(drill_id, LINES[1])
    assert refused.value.code == "database_unavailable" and "数据库暂时无法访问" in refused.value.user_message
    with pytest.raises(DatabaseUnavailable):
        drills.active_drill("fault-user")
    path.parent.mkdir()
    shutil.copy(backup, path)  # restored from the backup: the refused line was not half-taken anywhere
    assert_whole_turns(stored(drill_id)[0], LINES[:1])
    drills.take_turn(drill_id, LINES[1])
    assert_whole_turns(stored(drill_id)[0], LINES[:2])


@pytest.fixture(scope="module")
def postgres():
    """A PostgreSQL server of the module's own: this test stops it, which the session's server must not be."""
    with start_or_skip(PostgresServer) as server:
        yield server


def test_postgresql_stopped_mid_drill_refuses_then_resumes_with_no_turn_lost(postgres, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", postgres.create_database("faults"))
    drill = drills.start_drill("pg-fault-user", "retiree_maturing_deposit", seed=5)
    drills.take_turn(drill["id"], LINES[0])
    postgres.stop("immediate")  # as a crash: no clean shutdown
    try:
        with pytest.raises(DatabaseUnavailable) as refused:
            drills.take_turn(drill["id"], LINES[1])
        assert "数据库暂时无法访问" in refused.value.user_message
    finally:
        postgres.start()
    assert_whole_turns(stored(drill["id"])[0], LINES[:1])
    drills.take_turn(drill["id"], LINES[1])
    drills.take_turn(drill["id"], LINES[2])
    assert_whole_turns(stored(drill["id"])[0], LINES)


def test_an_unreachable_database_server_is_refused_clearly_on_first_use():
    with pytest.raises(DatabaseUnavailable) as refused:
        Database.get("postgresql+psycopg://postgres@127.0.0.1:9/nothing")  # nothing listens on the discard port
    assert refused.value.code == "database_unavailable"
