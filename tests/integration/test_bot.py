"""The real Rasa server and action server, driven over HTTP as the web app drives them."""

import json
import re
import uuid
from collections import Counter

import pytest
import yaml

from assistant.config import ROOT

pytestmark = pytest.mark.integration
ANNOTATION = re.compile(r"\[([^\]]+)\](\([^)]*\)|\{[^}]*\})")
CJK = re.compile(r"[\u4e00-\u9fff]")


def held_out_examples() -> list[tuple[str, str, dict]]:
    """(text, intent, {entity: value}) from tests/data/nlu_test.yml, none of which is in the training data."""
    data = yaml.safe_load((ROOT / "tests" / "data" / "nlu_test.yml").read_text(encoding="utf-8"))
    examples = []
    for block in data["nlu"]:
        if "intent" not in block:
            continue
        for line in block["examples"].splitlines():
            raw = line.strip().removeprefix("- ").strip()
            if not raw:
                continue
            entities = {}
            for match in ANNOTATION.finditer(raw):
                spec = match.group(2)
                if spec.startswith("{"):
                    meta = json.loads(spec)
                    entities[meta["entity"]] = meta.get("value", match.group(1))
                else:
                    entities[spec[1:-1]] = match.group(1)
            examples.append((ANNOTATION.sub(lambda m: m.group(1), raw), block["intent"], entities))
    return examples


def test_intent_accuracy_on_held_out_phrases(rasa_stack):
    examples = held_out_examples()
    training = "".join(p.read_text(encoding="utf-8") for p in (ROOT / "training_data" / "nlu").glob("*.yml"))
    assert not [text for text, _, _ in examples if f"- {text}\n" in training], "test phrases leaked into training"
    wrong = Counter()
    correct = 0
    for text, intent, _ in examples:
        predicted = rasa_stack.parse(text)["intent"]["name"]
        correct += predicted == intent
        if predicted != intent:
            wrong[(intent, predicted)] += 1
    accuracy = correct / len(examples)
    print(f"\nNLU intent accuracy on {len(examples)} held-out phrases: {accuracy:.3f}; confusions: {dict(wrong)}")
    assert len(examples) >= 70
    assert accuracy >= 0.9, dict(wrong)


def test_product_entity_maps_to_the_taxonomy_id(rasa_stack):
    checked = hits = 0
    for text, intent, entities in held_out_examples():
        if intent == "ask_script" and "product" in entities:
            checked += 1
            found = {e["entity"]: e["value"] for e in rasa_stack.parse(text)["entities"]}
            hits += found.get("product") == entities["product"]
    print(f"\nproduct entity accuracy: {hits}/{checked}")
    assert checked >= 15 and hits / checked >= 0.8


def reply_text(messages: list[dict]) -> str:
    return "\n".join(m.get("text", "") for m in messages)


@pytest.mark.parametrize(
    "message, expected",
    [
        ("您好", "网点服务营销助手"),
        ("你都能帮我干啥", "我能做三件事"),
        ("谢谢啦", "不客气"),
        ("拜拜,下班了", "再见"),
        ("今天天气怎么样", "不在网点话术和演练的范围内"),
        ("开始演练 基金定投", "演练"),
        ("有哪些演练场景", "演练"),
        ("结束演练", "没有正在进行的演练"),
    ],
)
def test_each_intent_gets_its_reply(rasa_stack, message, expected):
    assert expected in reply_text(rasa_stack.say(uuid.uuid4().hex, message))


def test_script_question_goes_through_the_action_server(rasa_stack):
    messages = rasa_stack.say(uuid.uuid4().hex, "基金定投怎么跟月光族介绍")
    text = reply_text(messages)
    assert "来源:fund_sip-" in text and "一句话营销" in text
    buttons = [b for m in messages for b in m.get("buttons", [])]
    assert len(buttons) >= 2 and all(b["payload"].startswith("/ask_script") for b in buttons)
    follow = reply_text(rasa_stack.say(uuid.uuid4().hex, buttons[0]["payload"]))
    entry_id = json.loads(buttons[0]["payload"].removeprefix("/ask_script"))["entry_id"]
    assert f"来源:{entry_id}" in follow


@pytest.mark.parametrize(
    "message",
    [
        "",
        "   ",
        "定投" * 2500,
        "😀😀😀",
        "What is a fund SIP?",
        "VIP客户come了怎么say hello",
        "?!?!",
        "<script>alert(1)</script>",
    ],
)
def test_bad_input_gets_a_polite_chinese_reply(rasa_stack, message):
    messages = rasa_stack.say(uuid.uuid4().hex, message)
    text = reply_text(messages)
    assert messages and CJK.search(text), messages
    assert "Traceback" not in text


DRILL_SCRIPTS = sorted((ROOT / "tests" / "data" / "drills").glob("*.yaml"))


@pytest.mark.parametrize("script", DRILL_SCRIPTS, ids=[p.stem for p in DRILL_SCRIPTS])
def test_strong_drill_through_rasa_passes_and_weak_fails(rasa_stack, script):
    """Start by name, play the scripted lines through the real bot; every staff line must reach the customer."""
    lines = yaml.safe_load(script.read_text(encoding="utf-8"))
    scenario = yaml.safe_load((ROOT / "scripts_kb" / "scenarios" / script.name).read_text(encoding="utf-8"))
    reports = {}
    for kind in ("strong", "weak"):
        sender = uuid.uuid4().hex
        opening = reply_text(rasa_stack.say(sender, f"开始演练 {scenario['aliases'][0]}"))
        assert f"【演练开始】{scenario['title']}" in opening and "客户:" in opening
        texts = []
        for line in lines[kind]:
            texts.append(reply_text(rasa_stack.say(sender, line)))
            if "演练评分" in texts[-1]:
                break
        assert all(t.startswith("客户:") for t in texts), texts
        if "演练评分" not in texts[-1]:
            texts.append(reply_text(rasa_stack.say(sender, "结束演练")))
        reports[kind] = texts[-1]
        assert "网点服务营销助手" in reply_text(rasa_stack.say(sender, "您好"))  # back to normal chat
    assert "情景通关:通过" in reports["strong"]
    assert "情景通关:未通过" in reports["weak"]


def test_one_drill_at_a_time_in_chat(rasa_stack):
    sender = uuid.uuid4().hex
    assert "演练开始" in reply_text(rasa_stack.say(sender, "开始演练 基金定投"))
    assert "一次只能练一场" in reply_text(rasa_stack.say(sender, "开始演练 投诉处理"))
    assert "演练评分" in reply_text(rasa_stack.say(sender, "结束演练"))
    assert "没有正在进行的演练" in reply_text(rasa_stack.say(sender, "结束演练"))


def test_each_drill_ends_its_rasa_session_so_trackers_stay_short(rasa_stack):
    """Rasa loads, ships to the action server and saves the current session's events on every message: a finished
    drill starts a new session, and the next drill still runs and is scored."""
    sender = uuid.uuid4().hex
    for _ in range(2):
        assert "演练开始" in reply_text(rasa_stack.say(sender, "开始演练 基金定投"))
        assert reply_text(rasa_stack.say(sender, "您好,欢迎光临,请问办理什么业务?")).startswith("客户:")
        assert "演练评分" in reply_text(rasa_stack.say(sender, "结束演练"))
        tracker = rasa_stack.tracker(sender)
        assert tracker["slots"]["drill_active"] is False
        assert tracker["latest_action_name"] == "action_listen"
    events = rasa_stack.tracker(sender)["events"]
    starts = [i for i, event in enumerate(events) if event["event"] == "session_started"]
    assert len(starts) >= 3  # the first message's session, then one after each drill
    assert not [e for e in events[starts[-1] :] if e["event"] == "user"]  # nothing of the finished drills after it
    assert "网点服务营销助手" in reply_text(rasa_stack.say(sender, "您好"))


def test_stopping_a_weak_drill_reports_a_fail(rasa_stack):
    sender = uuid.uuid4().hex
    rasa_stack.say(sender, "我要练定投")
    rasa_stack.say(sender, "这个基金保本的,稳赚不赔,你买吧")
    report = reply_text(rasa_stack.say(sender, "结束演练"))
    assert "情景通关:未通过" in report and "合规问题" in report


def test_daily_activity_told_to_the_bot_is_logged_for_the_signed_in_user(rasa_stack, people):
    from assistant.services import activity

    staff = people["staff_a"]
    text = reply_text(rasa_stack.say(staff.owner, "今天识别了7个客户，推荐了两个"))
    assert "已记录" in text and "识别客户 7" in text and "推荐产品 2" in text
    row = next(r for r in activity.branch_table(staff.branch_id)["rows"] if r["name"] == staff.display_name)
    assert (row["identified"], row["recommended"]) == (7, 2)
    anonymous = reply_text(rasa_stack.say(uuid.uuid4().hex, "今天识别了3个客户"))
    assert "先登录" in anonymous
