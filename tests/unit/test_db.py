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
    from assistant.drill import service

    monkeypatch.setenv("DATABASE_URL", postgres_url)
    drill = service.start_drill("pg-user", "fund_sip_young_worker", seed=4)
    service.take_turn(drill["id"], "您好,欢迎光临")
    assert Database.get(postgres_url).engine.dialect.name == "postgresql"
    assert len(service.get_drill(drill["id"])["turns"]) == 3
    assert service.finish_drill(drill["id"])["scenario"] == "fund_sip_young_worker"
