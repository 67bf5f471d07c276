"""Migrations and transactions on a real SQLite file."""

import pytest
import sqlalchemy as sa

from assistant.db import Branch, Database, User, upgrade


def test_migrations_create_the_schema_and_are_idempotent(tmp_path):
    url = f"sqlite:///{tmp_path / 'app.db'}"
    upgrade(url)
    upgrade(url)
    tables = set(sa.inspect(sa.create_engine(url)).get_table_names())
    assert {"branches", "users", "alembic_version"} <= tables


def test_failed_transaction_writes_nothing(tmp_path):
    db = Database.get(f"sqlite:///{tmp_path / 'app.db'}")
    with pytest.raises(RuntimeError):
        with db.session() as session:
            session.add(Branch(name="城东支行"))
            session.flush()
            raise RuntimeError("crash mid-write")
    with db.session() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Branch)) == 0
        session.add(Branch(name="城东支行"))
    with db.session() as session:
        branch = session.scalar(sa.select(Branch))
        session.add(User(username="li", display_name="李柜员", password_hash="x", role="staff", branch_id=branch.id))
    with db.session() as session:
        assert session.scalar(sa.select(User.display_name)) == "李柜员"


def test_postgresql_through_database_url(postgres_url, monkeypatch):
    """The same migrations and the same drill storage on a real PostgreSQL server."""
    from assistant.services import drills

    monkeypatch.setenv("DATABASE_URL", postgres_url)
    drill = drills.start_drill("pg-user", "fund_sip_young_worker", seed=4)
    drills.take_turn(drill["id"], "您好,欢迎光临")
    assert Database.get(postgres_url).engine.dialect.name == "postgresql"
    assert len(drills.get_drill(drill["id"])["turns"]) == 3
    assert drills.finish_drill(drill["id"])["scenario"] == "fund_sip_young_worker"


def test_postgresql_runs_the_web_features(postgres_url, monkeypatch):
    """Accounts, an evening session, an audited override and daily activity on PostgreSQL, as the web app uses them."""
    from assistant.services import accounts, activity, coaching, drills, evening

    monkeypatch.setenv("DATABASE_URL", postgres_url)
    coach = accounts.create_user("pg_coach", "correct-horse-1", "coach", "总行营业部", "PG 教练")
    staff = accounts.create_user("pg_staff", "correct-horse-1", "staff", "总行营业部", "PG 员工")
    assert accounts.authenticate("pg_staff", "correct-horse-1") == staff
    opened = evening.open_session(coach, "PG 夕会", ["fund_sip_young_worker"], 30)
    drill = drills.start_drill(staff.owner, "fund_sip_young_worker", seed=4)
    drills.take_turn(drill["id"], "您好,欢迎光临", owner=staff.owner)
    drills.finish_drill(drill["id"], owner=staff.owner)
    coaching.override_score(drill["id"], coach, "total", 81, "PostgreSQL 上的调整")
    results = evening.results(opened["id"], coach.branch_id)
    assert [r["best"] for r in results["leaderboard"]] == [81]
    assert [o["after"] for o in coaching.drill_detail(drill["id"], coach)["overrides"]] == [81]
    activity.record(staff.id, {"identified": 3})
    assert activity.branch_table(coach.branch_id)["totals"]["identified"] == 3
