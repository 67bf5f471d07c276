"""Two Rasa servers and two action servers on one PostgreSQL and one Redis: a conversation moves between replicas.

deploy/endpoints.postgres.yml as deployed: Rasa's tracker store in PostgreSQL (its own database), its lock store in
Redis, and both action servers on the same PostgreSQL app database through DATABASE_URL.
"""

from __future__ import annotations

import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import psutil
import psycopg
import pytest
import redis
from sqlalchemy.engine import make_url

from assistant.services import drills
from bench.servers import RasaStack
from tests.backdoors import check_actions_refuse_strangers, check_rasa_refuses_strangers

pytestmark = [pytest.mark.integration, pytest.mark.slow]
LINES = [
    "王老师您好,欢迎光临,今天想办点什么业务?",
    "您这笔钱以后有什么打算,最看重哪一点?",
    "明白了,那您平时要不要留一部分随时能取?",
    "您放心,大额存单本金和利息都有存款保险保障。",
]
TOGETHER = ["那您看三年期的大额存单合适吗?", "利率是锁定的,到期前利率下调也不影响您。"]


def tracker_env(postgres_url: str, redis_url: str) -> dict[str, str]:
    """The environment deploy/endpoints.postgres.yml reads, plus the app database for the action servers."""
    app_db = make_url(postgres_url)
    with psycopg.connect(
        host=app_db.host, port=app_db.port, user=app_db.username, dbname="postgres", autocommit=True
    ) as connection:
        connection.execute("CREATE DATABASE rasa_tracker")
    lock = redis.Redis.from_url(redis_url).connection_pool.connection_kwargs
    return {
        "DATABASE_URL": postgres_url,
        "RASA_DB_HOST": app_db.host,
        "RASA_DB_PORT": str(app_db.port),
        "RASA_DB_USER": app_db.username,
        "RASA_DB_PASSWORD": "",
        "RASA_DB_NAME": "rasa_tracker",
        "REDIS_HOST": lock["host"],
        "REDIS_PORT": str(lock["port"]),
        "REDIS_PASSWORD": "",
        "REDIS_LOCK_DB": "1",
    }


@pytest.fixture(scope="module")
def replicas(tmp_path_factory, postgres_url, redis_url, searcher):
    env = tracker_env(postgres_url, redis_url)  # RasaStack gives each Rasa server one TensorFlow thread
    # replica b listens on every interface, as a replica on its own machine must (RASA_INTERFACE/ACTIONS_INTERFACE):
    # the secrets are then all that keeps other machines out (test_replica_on_the_network_refuses_callers_without_the_secret)
    wide = {"RASA_INTERFACE": "0.0.0.0", "ACTIONS_INTERFACE": "0.0.0.0"}
    stacks = [
        RasaStack(
            tmp_path_factory.mktemp(f"replica-{name}"),
            "deploy/endpoints.postgres.yml",
            {**env, **(wide if name == "b" else {})},
        )
        for name in "ab"
    ]
    try:
        with ThreadPoolExecutor(2) as pool:  # each Rasa server takes a minute or more to load its model
            list(pool.map(RasaStack.start, stacks))
        yield stacks
    finally:
        with ThreadPoolExecutor(2) as pool:
            list(pool.map(RasaStack.close, stacks))


def lock_store_writes(redis_url: str) -> int:
    """How many SET commands Redis has served: Rasa's lock store saves each conversation lock with SET."""
    return redis.Redis.from_url(redis_url).info("commandstats").get("cmdstat_set", {}).get("calls", 0)


def user_texts(tracker: dict) -> list[str]:
    return [event["text"] for event in tracker["events"] if event["event"] == "user"]


def test_one_conversation_moves_between_replicas_without_losing_state(replicas, postgres_url, redis_url, monkeypatch):
    a, b = replicas
    sender = f"branch-7-staff-{uuid.uuid4().hex[:6]}"
    lock_writes = lock_store_writes(redis_url)

    assert "演练开始" in a.say(sender, "开始演练 退休客户")[0]["text"]
    seconds = []
    for stack, line in zip([b, a, b, a], LINES, strict=False):  # every turn on the other replica than the one before
        started = time.perf_counter()
        reply = stack.say(sender, line)
        seconds.append(time.perf_counter() - started)
        assert reply and reply[0]["text"].startswith("客户:"), (stack.rasa_url, reply)

    # Two messages of the same conversation at the same moment, one to each replica (a double send): the app
    # database takes both turns whole, one after the other (the drill row is locked per turn). Rasa 3.6's
    # RedisLockStore issues tickets with a non-atomic read-modify-write (RasaHQ/rasa#9213), so its tracker may keep
    # the events of only one of the two: docs/scale-out.md says why the load balancer should route by sender.
    with ThreadPoolExecutor(2) as pool:
        replies = list(pool.map(lambda pair: pair[0].say(sender, pair[1]), zip([a, b], TOGETHER, strict=False)))
    assert all(r and r[0]["text"].startswith("客户:") for r in replies), replies

    monkeypatch.setenv("DATABASE_URL", postgres_url)
    drill = drills.active_drill(sender)
    turns = drills.get_drill(drill.id)["turns"]
    assert [t["speaker"] for t in turns] == ["customer"] + ["staff", "customer"] * 6
    staff = [t["text"] for t in turns if t["speaker"] == "staff"]
    assert staff[:4] == LINES and sorted(staff[4:]) == sorted(TOGETHER)

    for stack in (a, b):  # either replica reads the same conversation from PostgreSQL
        tracker = stack.tracker(sender)
        assert tracker["slots"]["drill_active"] is True
        texts = user_texts(tracker)
        assert texts[:5] == ["开始演练 退休客户", *LINES]
        assert 1 <= len(texts[5:]) <= 2 and set(texts[5:]) <= set(TOGETHER)
    assert lock_store_writes(redis_url) >= lock_writes + 7  # at least the ticket issued for each message
    rss = {
        f"{name}-{label}": psutil.Process(process.pid).memory_info().rss // 2**20
        for label, stack in zip("ab", (a, b), strict=False)
        for name, process in stack.processes.items()
    }
    print(
        f"\nturns B,A,B,A: {', '.join(f'{s * 1000:.0f}' for s in seconds)} ms (the first on each replica loads "
        f"the action server's encoder); RSS MB: {rss}"
    )


def test_replica_on_the_network_refuses_callers_without_the_secret(replicas, app, monkeypatch):
    b = replicas[1]
    wide = [
        c.laddr
        for c in psutil.Process(b.processes["rasa"].pid).net_connections(kind="inet")
        if c.status == psutil.CONN_LISTEN
    ]
    assert any(addr.ip in ("0.0.0.0", "::") and addr.port == b.rasa_port for addr in wide), wide
    check_rasa_refuses_strangers(b.rasa_url, b.rasa_token)
    check_actions_refuse_strangers(b.actions_url, b.actions_token)
    for name, value in b.web_env().items():
        monkeypatch.setenv(name, value)
    health = app.test_client().get("/api/health").get_json()["components"]
    assert health["rasa"]["status"] == "ok" and health["actions"]["status"] == "ok", health  # exposed, but guarded
