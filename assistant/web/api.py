"""JSON API (CONTRACTS section 6)."""

from __future__ import annotations

import logging

import requests
from flask import Blueprint, jsonify, request
from flask_login import current_user

from assistant import chat
from assistant.config import get_settings
from assistant.db import Database
from assistant.errors import InputError
from assistant.rasa_client import client as rasa_client
from assistant.rasa_client import exposure_problem, probe
from assistant.retrieval import get_searcher
from assistant.scoring import score_transcript
from assistant.services import activity, drills
from assistant.text import check_message
from assistant.vocabulary import DEFAULT_LEVEL

log = logging.getLogger(__name__)
api = Blueprint("api", __name__, url_prefix="/api")

RASA_TIMEOUT = 15


def json_body() -> dict:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise InputError("body is not a JSON object", "请求内容必须是 JSON 对象。", "bad_json")
    return data


@api.get("/health")
def health():
    settings = get_settings()
    components = {"rasa": probe(f"{settings.rasa_url}/"), "actions": probe(f"{settings.actions_url}/health")}
    for kind, url in (("rasa", settings.rasa_url), ("actions", settings.actions_url)):
        problem = exposure_problem(url, kind) if components[kind]["status"] == "ok" else None
        if problem:  # a server anyone on the network can drive is a fault, not a detail
            log.error("%s at %s is reachable beyond loopback without a secret", kind, url)
            components[kind] = {"status": "insecure", "problem": problem}
    try:
        Database.get().ping()
        components["database"] = {"status": "ok"}
    except Exception as exc:  # noqa: BLE001 - health reports, never raises
        log.warning("database health check failed: %s", exc)
        components["database"] = {"status": "down", "detail": type(exc).__name__}
    try:
        searcher = get_searcher()
        components["index"] = {
            "status": "ok",
            "entries": len(searcher.kb.entries),
            "fingerprint": searcher.index.fingerprint,
        }
    except Exception as exc:  # noqa: BLE001
        log.warning("index health check failed: %s", exc)
        components["index"] = {"status": "down", "detail": type(exc).__name__}
    healthy = all(c["status"] == "ok" for c in components.values())
    return jsonify({"status": "ok" if healthy else "degraded", "components": components}), 200 if healthy else 503


@api.post("/search")
def search():
    data = json_body()
    question = check_message(data.get("q"), get_settings().max_message_chars, "问题")
    top = data.get("top", 5)
    if not isinstance(top, int) or isinstance(top, bool) or not 1 <= top <= 50:
        raise InputError(f"bad top: {top!r}", "top 必须是 1 到 50 之间的整数。", "bad_top")
    return jsonify(get_searcher().search(question, top=top).to_dict())


def sender_id() -> str:
    """The Rasa conversation id and drill owner: the signed-in user (user:<id>), the same in every channel."""
    return current_user.owner


@api.post("/drills")
def drills_start():
    data = json_body()
    scenario = data.get("scenario")
    if not isinstance(scenario, str):
        raise InputError("scenario missing", "请指定演练场景(scenario)。", "bad_scenario")
    drill = drills.start_drill(
        sender_id(), scenario, seed=data.get("seed"), difficulty=data.get("difficulty", DEFAULT_LEVEL)
    )
    return jsonify(drill), 201


@api.post("/drills/<int:drill_id>/turns")
def drills_turn(drill_id: int):
    return jsonify(drills.take_turn(drill_id, json_body().get("text"), owner=sender_id()).to_dict())


@api.post("/drills/<int:drill_id>/finish")
def drills_finish(drill_id: int):
    return jsonify(drills.finish_drill(drill_id, owner=sender_id()))


@api.get("/drills/<int:drill_id>")
def drills_get(drill_id: int):
    return jsonify(drills.get_drill(drill_id, owner=sender_id()))


@api.post("/activity")
def activity_log():
    """Today's counts (员工销售行为日统计) from a script or a phone: {"identified", "recommended", "referred"}."""

    data = json_body()
    return jsonify(activity.record(current_user.id, {f: data[f] for f in activity.FIELDS if f in data}))


@api.post("/score")
def score():
    return jsonify(score_transcript(json_body().get("transcript")))


@api.post("/chat")
def chat_message():
    data = json_body()
    settings = get_settings()
    message = data.get("message")
    check_message(message, settings.max_message_chars)
    try:
        replies = rasa_client().replies(sender_id(), message, timeout=RASA_TIMEOUT)
        if not replies:  # Rasa 3.6 answers nothing (HTTP 200, []) when its action server is down
            log.error("rasa gave no reply for %s: action server down?", sender_id())
            replies = [
                {
                    "text": "演练和话术服务暂时中断,刚才这句话没有记录。请稍等片刻再发一次,之前的对话都已保存。",
                    "buttons": [],
                    "data": {"error": "actions_unavailable"},
                }
            ]
        return jsonify({"replies": replies, "source": "rasa"})
    except requests.RequestException as exc:
        # The bot is down: the library still answers scripts and runs drills, and says so.
        log.error("rasa unreachable: %s", exc)
        reply = chat.reply_without_bot(sender_id(), message)
        notice = {"text": "对话服务暂时不可用,以下由话术库和演练引擎直接回答。", "buttons": [], "data": {}}
        return jsonify({"replies": [notice, reply.to_dict()], "source": "library"})
