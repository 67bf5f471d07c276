"""Servers killed mid-drill (SIGKILL, as a crash): the user is told what is wrong and no turn is lost.

One real Rasa server and action server for the module, with the session's SQLite database shared with this process.
"""

from __future__ import annotations

import uuid

import pytest

from assistant import chat
from assistant.db import Database, Drill
from assistant.services import drills
from bench.servers import RasaStack

pytestmark = pytest.mark.integration
LINES = [
    "王老师您好,欢迎光临,今天想办点什么业务?",
    "您这笔钱以后有什么打算,最看重哪一点?",
    "明白了,那您平时要不要留一部分随时能取?",
]
START = "开始演练 退休客户"


@pytest.fixture(scope="module")
def stack(tmp_path_factory, isolated_var, searcher):
    with RasaStack(tmp_path_factory.mktemp("faults-rasa")) as stack:  # its own: these tests kill its servers
        yield stack


@pytest.fixture()
def running(stack):
    stack.ensure_running()
    return stack


@pytest.fixture()
def web(running, client, monkeypatch):
    """The app fixture's client signed in as a new staff member (no drill of anyone else's), chatting via this Rasa."""
    from assistant.services import accounts

    for name, value in running.web_env().items():
        monkeypatch.setenv(name, value)
    name = f"fault{uuid.uuid4().hex[:8]}"
    accounts.create_user(name, "fault-password-1", "staff", "故障演练支行")
    assert client.post("/login", data={"username": name, "password": "fault-password-1"}).status_code == 302
    return client


def staff_lines(drill_id: int) -> list[str]:
    """The staff turns stored for the drill, checking that every customer reply is there and in order."""
    turns = drills.get_drill(drill_id)["turns"]
    assert [t["speaker"] for t in turns] == ["customer"] + ["staff", "customer"] * ((len(turns) - 1) // 2)
    return [t["text"] for t in turns if t["speaker"] == "staff"]


def customer_said(messages: list[dict]) -> bool:
    return bool(messages) and messages[0].get("text", "").startswith("客户:")


def test_action_server_killed_mid_drill_then_restarted_loses_no_turn(running):
    sender = f"fault-{uuid.uuid4().hex[:8]}"
    assert "演练开始" in running.say(sender, START)[0]["text"]
    drill_id = drills.active_drill(sender).id
    assert customer_said(running.say(sender, LINES[0]))
    running.kill("actions")
    try:
        # What Rasa 3.6 does: HTTP 200 with no message at all; the action's events are dropped, nothing is stored.
        assert running.say(sender, LINES[1]) == []
        assert staff_lines(drill_id) == LINES[:1]
    finally:
        running.start_actions()
    assert running.tracker(sender)["slots"]["drill_active"] is True
    assert customer_said(running.say(sender, LINES[1]))  # said again after the restart: taken once
    assert customer_said(running.say(sender, LINES[2]))
    assert staff_lines(drill_id) == LINES


def test_web_chat_says_the_service_is_interrupted_when_the_action_server_dies(web, running):
    say = lambda text: web.post("/api/chat", json={"message": text}).get_json()  # noqa: E731
    drill_id = say(START)["replies"][0]["data"]["drill_id"]
    assert say(LINES[0])["replies"][0]["text"].startswith("客户:")
    running.kill("actions")
    try:
        interrupted = say(LINES[1])
    finally:
        running.start_actions()
    assert staff_lines(drill_id) == LINES[:1]
    assert "暂时中断" in interrupted["replies"][0]["text"] and "没有记录" in interrupted["replies"][0]["text"]
    assert say(LINES[1])["replies"][0]["text"].startswith("客户:")
    assert staff_lines(drill_id) == LINES[:2]


def test_rasa_killed_mid_drill_the_library_carries_the_same_drill_on(web, running):
    """Runs last in this module: it leaves the Rasa server dead (a later test would start it again)."""
    say = lambda text: web.post("/api/chat", json={"message": text}).get_json()  # noqa: E731
    started = say(START)
    assert started["source"] == "rasa"
    drill_id = started["replies"][0]["data"]["drill_id"]
    assert say(LINES[0])["replies"][0]["text"].startswith("客户:")
    running.kill("rasa")

    answer = say(LINES[1])
    assert answer["source"] == "library" and "暂时不可用" in answer["replies"][0]["text"]
    assert answer["replies"][1]["text"].startswith("客户:")
    with Database.get().session() as session:  # the owner the web used, for the library called directly
        owner = session.get(Drill, drill_id).owner
    assert chat.reply_without_bot(owner, LINES[2]).text.startswith("客户:")
    assert staff_lines(drill_id) == LINES

    report = say("结束演练")["replies"][1]
    assert "演练评分" in report["text"] and report["data"]["drill_id"] == drill_id
    script = say("信用卡怎么推荐")
    assert script["source"] == "library" and script["replies"][1]["data"]["product"] == "credit_card"
