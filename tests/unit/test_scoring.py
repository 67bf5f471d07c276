"""The scorer: each dimension moves the right way when one thing changes; bad transcripts are refused clearly."""

import json
import subprocess

import pytest

from assistant.config import ROOT
from assistant.errors import InputError, NotFound
from assistant.scoring import score_transcript

GREETING = "您好,欢迎光临,我是理财经理小李,请坐。"
NEEDS = "方便问一下,工资到账以后您一般怎么安排?每个月能存下多少?以后有什么用钱的计划吗?"
PITCH = "给您介绍一下基金定投:每个月固定金额自动扣款,分批买入,摊低平均成本,积少成多,就像每月少喝几杯奶茶。"
BENEFIT = "这样您每个月先把钱攒下来,到时候您结婚就有一笔准备金。"
RISK = "基金有风险,净值会有波动,可能亏损,我们先做风险测评,选和您风险等级匹配的。"
FAREWELL = "这是您的身份证和银行卡,请收好。麻烦您对我的服务做个评价,谢谢,再见,请慢走!"


def transcript(*staff: str) -> dict:
    customer = [
        "你好,我来办张工资卡。",
        "我每个月都花光,一分钱都攒不下来。其实我两三年后要结婚,得攒点钱。",
        "听起来不错。",
        "那会不会亏啊?",
        "行,那就开通吧。",
        "好的,谢谢。",
        "嗯。",
        "好。",
    ]
    turns = []
    for n, line in enumerate(staff):
        turns.append({"speaker": "customer", "text": customer[min(n, len(customer) - 1)]})
        turns.append({"speaker": "staff", "text": line})
    return {"scenario": "fund_sip_young_worker", "turns": turns}


BASE = (GREETING, NEEDS, PITCH + BENEFIT, RISK, "那我现在就帮您开通,先做个风险测评好吗?", FAREWELL)


def dims(report: dict) -> dict:
    return report["dimensions"]


def test_a_good_conversation_passes_with_evidence():
    report = score_transcript(transcript(*BASE))
    assert report["passed"] and report["total"] >= 80
    hits = [f for f in report["findings"] if f["status"] == "hit"]
    assert hits and all(isinstance(f["evidence_turn"], int) and "“" in f["note"] for f in hits)
    assert report["feedback"]["praise"]


@pytest.mark.parametrize("removed, dimension", [(GREETING, "service"), (NEEDS, "concept"), (FAREWELL, "service")])
def test_removing_a_step_lowers_its_dimension(removed, dimension):
    base = score_transcript(transcript(*BASE))
    without = score_transcript(transcript(*[line for line in BASE if line != removed]))
    assert dims(without)[dimension] < dims(base)[dimension]
    assert without["total"] < base["total"]


def test_benefit_must_be_tied_to_the_customers_own_need():
    tied = score_transcript(transcript(*BASE))
    recited = score_transcript(transcript(*[PITCH if line == PITCH + BENEFIT else line for line in BASE]))
    assert dims(recited)["script"] < dims(tied)["script"]
    missed = {f["checkpoint"] for f in recited["findings"] if f["status"] == "miss"}
    assert "benefit_in_customer_terms" in missed


def test_a_promise_is_a_violation_and_fails_the_drill_whatever_the_total():
    slipped = score_transcript(transcript(*BASE[:3], "这个基金是保本的,您放心买,稳赚不赔。", *BASE[4:]))
    assert not slipped["passed"]
    violations = [f for f in slipped["findings"] if f["status"] == "violation"]
    assert violations and violations[0]["evidence_turn"] == 7 and "保本" in violations[0]["note"]
    assert any("合规红线" in line for line in slipped["feedback"]["improve"])


@pytest.mark.xfail(
    strict=True,
    reason="known gap (issue 13): a promise after a full disclosure in the same turn is judged with the turn's "
    "embedding, at half weight since stop 33, and still scores just under the threshold (0.78)",
)
def test_a_disclosure_taken_back_in_the_same_turn_is_a_violation():
    slipped = score_transcript(transcript(*BASE[:3], RISK + "不过这个基金是保本的,您放心。", *BASE[4:]))
    assert [f for f in slipped["findings"] if f["status"] == "violation"]


def test_a_negated_promise_is_compliant():
    honest = score_transcript(transcript(*BASE[:3], "基金不保本,我不能保证收益。" + RISK, *BASE[4:]))
    assert honest["passed"]
    assert not [f for f in honest["findings"] if f["status"] == "violation"]


def test_order_matters_pitch_before_needs_earns_less():
    ordered = score_transcript(transcript(*BASE))
    pitch_first = score_transcript(transcript(GREETING, PITCH, NEEDS, BENEFIT, RISK, BASE[4], FAREWELL))
    assert dims(pitch_first)["script"] < dims(ordered)["script"]
    assert any("顺序不对" in f["note"] for f in pitch_first["findings"])


def test_long_but_empty_answers_do_not_score_well():
    filler = (
        "您好,我们银行的服务一直都是非常好的,我们始终坚持以客户为中心,用心服务每一位客户,"
        "您有任何需要都可以跟我说,我们一定会尽心尽力为您提供最优质、最贴心、最专业的服务。"
    ) * 3
    report = score_transcript(transcript(filler, filler, filler, filler))
    assert report["total"] < 40 and not report["passed"]


def test_the_report_is_stable_for_the_same_input():
    assert score_transcript(transcript(*BASE)) == score_transcript(transcript(*BASE))


def test_misses_point_to_the_standard_wording():
    report = score_transcript(transcript(GREETING, PITCH))
    assert any("标准话术(" in line for line in report["feedback"]["improve"])


@pytest.mark.parametrize(
    "bad, code",
    [
        ([], "bad_transcript"),
        ({"turns": []}, "bad_transcript"),
        ({"scenario": "fund_sip_young_worker", "turns": "hello"}, "bad_transcript"),
        ({"scenario": "fund_sip_young_worker", "turns": [{"speaker": "staff"}]}, "bad_turn"),
        ({"scenario": "fund_sip_young_worker", "turns": [{"speaker": "manager", "text": "您好"}]}, "bad_speaker"),
        ({"scenario": "fund_sip_young_worker", "turns": [{"speaker": "customer", "text": "你好"}]}, "no_staff_turns"),
        (
            {"scenario": "fund_sip_young_worker", "turns": [{"speaker": "staff", "text": "您好"}] * 500},
            "too_many_turns",
        ),
    ],
)
def test_bad_transcripts_name_what_is_wrong(bad, code):
    with pytest.raises(InputError) as info:
        score_transcript(bad)
    assert info.value.code == code and info.value.user_message


def test_unknown_scenario_lists_the_known_ones():
    with pytest.raises(NotFound) as info:
        score_transcript({"scenario": "nope", "turns": [{"speaker": "staff", "text": "您好"}]})
    assert "fund_sip_young_worker" in info.value.user_message


def test_cli_scores_several_files_as_json_lines(tmp_path):
    good, bad = tmp_path / "good.json", tmp_path / "bad.json"
    good.write_text(json.dumps(transcript(*BASE), ensure_ascii=False), encoding="utf-8")
    bad.write_text("{not json", encoding="utf-8")
    result = subprocess.run(
        [str(ROOT / "bin" / "assistant"), "score", str(good), str(bad), "--json"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["file"] for line in lines] == [str(good), str(bad)]
    assert lines[0]["passed"] and lines[1]["error"]["code"] == "bad_file"
    assert result.returncode == 2


def test_api_score_and_errors(client, auth):
    auth.login("coach_a")
    ok = client.post("/api/score", json={"transcript": transcript(*BASE)})
    assert ok.status_code == 200 and ok.get_json()["passed"]
    wrong = client.post("/api/score", json={"transcript": {"scenario": "fund_sip_young_worker", "turns": [1]}})
    assert wrong.status_code == 400 and "第 1 轮" in wrong.get_json()["error"]["message"]
