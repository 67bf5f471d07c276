"""Checks that Rasa and the action server refuse callers without the secret, and work with it (issue 16).

Shared by the `make run` test (loopback) and the scale-out test (a replica listening on every interface).
"""

from __future__ import annotations

import requests

from assistant.rasa_client import RasaClient


def check_rasa_refuses_strangers(rasa_url: str, token: str) -> None:
    sender = "user:1"
    # the REST channel: speaking as a staff member
    assert (
        requests.post(
            f"{rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": "你好"}, timeout=30
        ).status_code
        == 401
    )
    assert (
        requests.post(
            f"{rasa_url}/webhooks/rest/webhook",
            json={"sender": sender, "message": "你好"},
            headers={"Authorization": "Bearer wrong"},
            timeout=30,
        ).status_code
        == 401
    )
    # the HTTP API: reading a conversation, writing into one, replacing the model
    assert requests.get(f"{rasa_url}/conversations/{sender}/tracker", timeout=30).status_code == 401
    assert (
        requests.post(
            f"{rasa_url}/conversations/{sender}/messages", json={"text": "你好", "sender": "user"}, timeout=30
        ).status_code
        == 401
    )
    assert requests.put(f"{rasa_url}/model", json={"model_file": "/tmp/other.tar.gz"}, timeout=30).status_code == 401
    assert requests.delete(f"{rasa_url}/model", timeout=30).status_code == 401
    # with the secret the same calls work (PUT /model gets as far as the missing file)
    client = RasaClient(rasa_url, token)
    assert client.say(sender, "你好")
    assert client.tracker(sender)["sender_id"] == sender
    ok = requests.post(
        f"{rasa_url}/conversations/{sender}/messages",
        json={"text": "你好", "sender": "user"},
        params={"token": token},
        timeout=30,
    )
    assert ok.status_code == 200, ok.text
    bad_model = requests.put(
        f"{rasa_url}/model", json={"model_file": "/nonexistent/model.tar.gz"}, params={"token": token}, timeout=60
    )
    assert bad_model.status_code not in (401, 403), bad_model.text


def check_actions_refuse_strangers(actions_url: str, token: str) -> None:
    call = {
        "next_action": "action_drill_turn",
        "sender_id": "user:1",
        "version": "3.6.2",
        "tracker": {"sender_id": "user:1", "slots": {}, "latest_message": {"text": "你好"}, "events": []},
        "domain": {},
    }
    assert requests.post(f"{actions_url}/webhook", json=call, timeout=30).status_code == 401
    assert requests.get(f"{actions_url}/actions", timeout=30).status_code == 401
    assert requests.get(f"{actions_url}/health", timeout=30).status_code == 200  # probes stay open
    listed = requests.get(f"{actions_url}/actions", headers={"Authorization": f"Bearer {token}"}, timeout=30)
    assert listed.status_code == 200 and {"name": "action_drill_turn"} in listed.json()
