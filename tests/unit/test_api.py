"""The JSON API through Flask's test client: contract shapes and polite errors, never a stack trace."""

import pytest


@pytest.fixture()
def client(client, auth):
    """Every API call here is made by a signed-in member of staff (access rules are tested in tests/web)."""
    auth.login("staff_a3")
    return client


def test_search_contract(client):
    response = client.post("/api/search", json={"q": "大额存单怎么介绍", "top": 2})
    assert response.status_code == 200
    data = response.get_json()
    assert data["in_scope"] and len(data["hits"]) == 2 and data["hits"][0]["product"] == "deposit"


@pytest.mark.parametrize(
    "body, code",
    [
        ({"q": ""}, "empty"),
        ({"q": "字" * 2000}, "too_long"),
        ({"q": 5}, "bad_type"),
        ({}, "bad_type"),
        ({"q": "定投", "top": 0}, "bad_top"),
        ({"q": "定投", "top": "3"}, "bad_top"),
    ],
)
def test_search_bad_input(client, body, code):
    response = client.post("/api/search", json=body)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == code and error["message"]


def test_non_json_body_is_refused(client):
    response = client.post("/api/search", data="q=定投", content_type="text/plain")
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "bad_json"


def test_unknown_route_is_json_404_in_chinese(client):
    response = client.get("/api/nothing-here")
    assert response.status_code == 404
    assert response.get_json()["error"]["message"] == "没有找到该页面或资源。"


def test_health_reports_each_component(client, monkeypatch):
    monkeypatch.setenv("RASA_URL", "http://127.0.0.1:9")  # nothing listens on the discard port
    monkeypatch.setenv("ACTIONS_URL", "http://127.0.0.1:9")
    response = client.get("/api/health")
    data = response.get_json()
    assert response.status_code == 503 and data["status"] == "degraded"
    assert data["components"]["database"]["status"] == "ok"
    assert data["components"]["index"]["status"] == "ok"
    assert data["components"]["rasa"]["status"] == "down" and data["components"]["actions"]["status"] == "down"


def test_chat_without_rasa_still_answers_scripts_from_the_library(client, monkeypatch):
    monkeypatch.setenv("RASA_URL", "http://127.0.0.1:9")
    response = client.post("/api/chat", json={"message": "信用卡怎么推荐"})
    assert response.status_code == 200
    data = response.get_json()
    assert data["source"] == "library"
    assert "暂时不可用" in data["replies"][0]["text"]
    assert data["replies"][1]["data"]["product"] == "credit_card"


def test_drills_still_run_in_chat_when_rasa_is_down(client, monkeypatch):
    monkeypatch.setenv("RASA_URL", "http://127.0.0.1:9")
    say = lambda text: client.post("/api/chat", json={"message": text}).get_json()["replies"][1]  # noqa: E731
    assert "演练开始" in say("开始演练 基金定投")["text"]
    assert say("您好,欢迎光临")["text"].startswith("客户:")
    assert "演练评分" in say("结束演练")["text"]


def test_unexpected_error_hides_the_stack_trace(client, monkeypatch):
    from assistant.retrieval import searcher

    def boom():
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(searcher._cache, "get", boom)
    response = client.post("/api/search", json={"q": "定投"})
    assert response.status_code == 500
    assert "secret" not in response.get_data(as_text=True)
    assert response.get_json()["error"]["code"] == "internal"


def test_rasa_payloads_are_folded_into_their_text():
    from assistant.rasa_client import merge_messages as merge_rasa_messages

    merged = merge_rasa_messages(
        [
            {
                "recipient_id": "u",
                "text": "【基金定投FAB话术】……",
                "buttons": [{"title": "怕亏", "payload": "/ask_script"}],
            },
            {"recipient_id": "u", "custom": {"entry_id": "fund_sip-fab"}},
            {"recipient_id": "u", "text": "第二条"},
        ]
    )
    assert [m["text"] for m in merged] == ["【基金定投FAB话术】……", "第二条"]
    assert merged[0]["data"] == {"entry_id": "fund_sip-fab"} and len(merged[0]["buttons"]) == 1
