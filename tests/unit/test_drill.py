"""The drill engine and service on the real scenarios, the real understanding (embedder + spaCy) and SQLite."""

import glob
import json
from pathlib import Path

import pytest
import yaml

from assistant.config import ROOT
from assistant.drill.scenarios import all_scenarios, scenario_list
from assistant.errors import InputError, NotFound
from assistant.services import drills

SCRIPTS = {
    Path(p).stem: yaml.safe_load(Path(p).read_text(encoding="utf-8"))
    for p in glob.glob(str(ROOT / "tests" / "data" / "drills" / "*.yaml"))
}
CONTRACT_IDS = {
    "counter_7step_withdrawal",
    "fund_sip_young_worker",
    "retiree_maturing_deposit",
    "vip_lobby_referral",
    "angry_queue_complaint",
    "sme_settlement_card",
}


def play(owner: str, scenario: str, lines: list[str], seed: int = 11, difficulty: str = "normal") -> tuple[dict, dict]:
    drill = drills.start_drill(owner, scenario, seed=seed, difficulty=difficulty)
    for line in lines:
        if drills.take_turn(drill["id"], line).done:
            break
    report = drills.finish_drill(drill["id"])
    return drills.get_drill(drill["id"]), report


def test_scenarios_list_matches_the_contract():
    listed = scenario_list()
    assert {s["id"] for s in listed} >= set(SCRIPTS)
    for s in listed:
        assert set(s) == {"id", "title", "role", "persona", "difficulties"}
        assert s["difficulties"] == ["easy", "normal", "hard"]


def test_every_contract_scenario_exists():
    assert CONTRACT_IDS <= set(all_scenarios())


@pytest.mark.parametrize("scenario", sorted(SCRIPTS))
def test_strong_performance_passes_and_weak_fails(scenario, request):
    owner = request.node.name
    strong_drill, strong = play(owner + "-strong", scenario, SCRIPTS[scenario]["strong"])
    weak_drill, weak = play(owner + "-weak", scenario, SCRIPTS[scenario]["weak"])
    assert strong["passed"], json.dumps(strong, ensure_ascii=False)[:2000]
    assert strong_drill["outcome"] == "accepted"
    assert not weak["passed"] and weak["total"] < strong["total"] - 30
    assert weak_drill["outcome"] != "accepted"


def test_same_seed_and_lines_give_the_same_drill():
    lines = SCRIPTS["fund_sip_young_worker"]["strong"]
    first, _ = play("seed-a", "fund_sip_young_worker", lines, seed=5)
    again, _ = play("seed-b", "fund_sip_young_worker", lines, seed=5)
    other, _ = play("seed-c", "fund_sip_young_worker", lines, seed=6)
    assert first["turns"] == again["turns"]
    customer = lambda d: [t["text"] for t in d["turns"] if t["speaker"] == "customer"]  # noqa: E731
    assert customer(first) != customer(other)


def test_customer_presses_again_when_the_objection_is_dodged():
    drill = drills.start_drill("dodger", "fund_sip_young_worker", seed=3, difficulty="easy")  # no temptation on easy
    drills.take_turn(drill["id"], "您好,欢迎光临")
    drills.take_turn(drill["id"], "您平时每个月工资怎么安排,能存下多少?")
    raised = drills.take_turn(drill["id"], "给您推荐一下基金定投,挺适合刚工作几年的年轻人").customer
    dodged = drills.take_turn(drill["id"], "这个产品特别好,很多客户都买了,我给您介绍一下它的特点").customer
    answered = drills.take_turn(drill["id"], "每月几百块就能起投,金额您自己定,发工资后自动扣款").customer
    scenario = all_scenarios()["fund_sip_young_worker"]
    objection = scenario.objections[0]
    assert raised in objection.lines
    assert dodged in objection.repeat_lines
    assert answered.split(" ")[0] in objection.accepted_lines


def test_hard_is_harder_than_easy_for_the_same_weak_lines():
    lines = ["你好", "给您推荐基金定投", "这个产品特别好", "买一个吧", "真的很好", "您考虑一下", "买吧"]
    easy, _ = play("easy-1", "fund_sip_young_worker", lines, difficulty="easy")
    hard, _ = play("hard-1", "fund_sip_young_worker", lines, difficulty="hard")
    staff_turns = lambda d: sum(t["speaker"] == "staff" for t in d["turns"])  # noqa: E731
    assert hard["outcome"] == "walked_away"
    assert staff_turns(hard) < staff_turns(easy) or easy["outcome"] != "walked_away"


def test_every_turn_is_stored_and_the_drill_resumes_after_a_restart():
    from assistant.db import Database

    drill = drills.start_drill("crashy", "fund_sip_young_worker", seed=9)
    drills.take_turn(drill["id"], "您好,欢迎光临")
    drills.take_turn(drill["id"], "请问您平时工资怎么安排?")
    Database._instances.clear()  # what a process restart does: a fresh engine over the same file
    resumed = drills.get_drill(drill["id"])
    assert [t["speaker"] for t in resumed["turns"]] == ["customer", "staff", "customer", "staff", "customer"]
    assert drills.active_drill("crashy").id == drill["id"]
    drills.take_turn(drill["id"], "那您以后有什么用钱的打算吗?")
    assert len(drills.get_drill(drill["id"])["turns"]) == 7


def test_bad_input_is_refused_politely_and_nothing_is_lost():
    with pytest.raises(NotFound) as unknown:
        drills.start_drill("bad", "no_such_scenario")
    assert "fund_sip_young_worker" in unknown.value.user_message
    drill = drills.start_drill("bad", "fund_sip_young_worker", seed=1)
    for text, code in (("", "empty"), ("   ", "empty"), ("字" * 3000, "too_long")):
        with pytest.raises(InputError) as info:
            drills.take_turn(drill["id"], text)
        assert info.value.code == code
    with pytest.raises(InputError) as twice:
        drills.start_drill("bad", "fund_sip_young_worker")
    assert twice.value.code == "drill_running" and "一次只能" in twice.value.user_message
    assert len(drills.get_drill(drill["id"])["turns"]) == 1
    drills.finish_drill(drill["id"])
    with pytest.raises(InputError) as ended:
        drills.take_turn(drill["id"], "您好")
    assert ended.value.code == "drill_ended"
    with pytest.raises(NotFound):
        drills.take_turn(drill["id"], "您好", owner="someone-else")


def test_chat_replies_for_drills():
    from assistant import chat

    assert "当前没有正在进行的演练" in chat.stop_drill_reply("chat-user").text
    listing = chat.start_drill_reply("chat-user", None)
    assert len(listing.buttons) == len(all_scenarios()) and not listing.data["drill_active"]
    started = chat.start_drill_reply("chat-user", "基金定投")
    assert started.data["drill_active"] and "客户:" in started.text
    assert "一次只能练一场" in chat.start_drill_reply("chat-user", "定投", text="开始演练 定投").text
    mistaken = chat.start_drill_reply("chat-user", "fund_sip", text="我给您介绍一下基金定投")
    assert mistaken.text.startswith("客户:")  # a staff line the bot took for "start a drill" is still a turn
    turn = chat.drill_turn_reply("chat-user", "您好,欢迎光临")
    assert turn.text.startswith("客户:") and turn.data["drill_active"]
    stopped = chat.stop_drill_reply("chat-user")
    assert "演练评分" in stopped.text and "情景通关" in stopped.text and not stopped.data["drill_active"]


def test_finishing_scores_from_the_stored_analyses_the_same_as_scoring_afresh():
    from assistant.scoring import score_transcript

    drill, report = play("stored-analyses", "fund_sip_young_worker", SCRIPTS["fund_sip_young_worker"]["strong"])
    fresh = score_transcript(
        {"scenario": drill["scenario"], "turns": drill["turns"]}, unanswered=report["customer_questions"]["unanswered"]
    )
    assert {k: v for k, v in report.items() if k not in ("outcome", "drill_id", "customer_questions")} == fresh
