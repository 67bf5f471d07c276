"""The chat page and its API: polite refusals, a drill that survives an expired sign-in, the customers' voices."""

import json
import re

import pytest

from assistant.drill.scenarios import all_scenarios
from assistant.services import drills


@pytest.fixture()
def no_bot(monkeypatch):
    """Rasa not running: /api/chat answers from the library (the bot itself is exercised in tests/e2e)."""
    monkeypatch.setenv("RASA_URL", "http://127.0.0.1:9")


@pytest.mark.parametrize("message, code", [("字" * 5000, "too_long"), ("   ", "empty"), (None, "bad_type")])
def test_oversized_or_empty_message_is_refused_politely(client, auth, message, code):
    auth.login("staff_a")
    response = client.post("/api/chat", json={"message": message})
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == code and error["message"] and "Traceback" not in response.get_data(as_text=True)


def test_expired_session_mid_drill_loses_nothing(app, people, no_bot):
    from tests.conftest import Auth

    first = app.test_client()
    Auth(first).login("staff_a3")
    say = lambda client, text: client.post("/api/chat", json={"message": text})  # noqa: E731
    assert "演练开始" in say(first, "开始演练 基金定投").get_json()["replies"][1]["text"]
    say(first, "您好,欢迎光临,请问您想了解什么?")
    running = drills.active_drill(people["staff_a3"].owner)
    before = drills.get_drill(running.id)["turns"]

    later = app.test_client()  # the browser's session cookie has expired
    expired = say(later, "请问您平时怎么理财?")
    assert expired.status_code == 401 and "重新登录" in expired.get_json()["error"]["message"]
    assert drills.get_drill(running.id)["turns"] == before

    Auth(later).login("staff_a3")
    page = later.get("/chat").get_data(as_text=True)
    assert "正在进行的演练" in page and all(t["text"] in page for t in before)
    reply = say(later, "请问您平时怎么理财?").get_json()["replies"][1]
    assert reply["text"].startswith("客户:")
    assert len(drills.get_drill(running.id)["turns"]) == len(before) + 2
    say(later, "结束演练")


def test_script_answer_in_chat_carries_entry_and_buttons(client, auth, no_bot):
    auth.login("staff_a")
    reply = client.post("/api/chat", json={"message": "客户说没有闲钱怎么回应定投"}).get_json()["replies"][1]
    assert reply["data"]["product"] == "fund_sip" and reply["text"]


def test_chat_page_escapes_html_of_saved_turns(client, auth, people):
    owner = people["staff_a2"].owner
    drill = drills.start_drill(owner, "counter_7step_withdrawal", seed=5)
    try:
        drills.take_turn(drill["id"], "<script>alert('x')</script>您好", owner=owner)
        auth.login("staff_a2")
        page = client.get("/chat").get_data(as_text=True)
        assert "<script>alert" not in page and "&lt;script&gt;alert(" in page
    finally:
        drills.finish_drill(drill["id"], owner=owner)


def test_error_pages_are_chinese_and_hide_internals(client, auth, monkeypatch):
    auth.login("staff_a")
    assert "没有找到" in client.get("/no-such-page").get_data(as_text=True)
    import assistant.web.pages as pages

    monkeypatch.setattr(pages.coaching, "history", lambda user_id: 1 / 0)
    response = client.get("/drills")
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "系统出了点问题" in body and "ZeroDivisionError" not in body


def test_chat_page_carries_the_persona_voices_for_voice_js(client, auth):
    auth.login("staff_a")
    page = client.get("/chat").get_data(as_text=True)
    block = re.search(r'<script type="application/json" id="persona-voices">(.*?)</script>', page, re.S)
    assert block, "voice.js reads the customers' voices from #persona-voices"
    voices = json.loads(block.group(1))
    assert voices == {s.id: s.persona.voice.model_dump() for s in all_scenarios().values()}
    assert voices["fund_sip_young_worker"] == {"gender": "male", "pitch": 1.15, "rate": 1.15}
    assert voices["retiree_maturing_deposit"] == {"gender": "female", "pitch": 0.85, "rate": 0.8}
