"""Coach work through the pages: overrides (audited), leaderboard, 易错点, evening sessions with CSV, daily activity."""

import csv
import io
import re

import pytest

from assistant.errors import InputError
from assistant.services import accounts, coaching, drills, evening

STRONG = [
    "您好,欢迎光临!请问今天想了解点什么?",
    "方便问一下您平时工资发下来一般怎么安排吗?有没有存钱的打算?",
    "理解,很多年轻人都是月光。基金定投就是每月固定扣一小笔,比如三五百元,强制储蓄,积少成多。",
    "定投分批买入,摊低成本,不用挑时点;但基金有波动,不保本,收益不确定,要按您的风险承受能力来。",
    "您看先每月定投 500 元试试,可以吗?",
]


def run_drill(owner: str, lines: list[str], scenario: str = "fund_sip_young_worker") -> int:
    drill = drills.start_drill(owner, scenario, seed=11)
    for line in lines:
        if drills.take_turn(drill["id"], line, owner=owner).done:
            break
    drills.finish_drill(drill["id"], owner=owner)
    return drill["id"]


@pytest.fixture(scope="module")
def branch_c():
    """A branch of its own, so counts in this module are exact."""
    made = {
        name: accounts.create_user(name, "correct-horse-1", role, "城南支行", display)
        for name, role, display in [
            ("coach_c", "coach", "孙教练"),
            ("staff_c1", "staff", "吴柜员"),
            ("staff_c2", "staff", "郑大堂"),
        ]
    }
    return made


def test_override_is_audited_and_changes_the_leaderboard(client, auth, branch_c):
    drill_id = run_drill(branch_c["staff_c1"].owner, STRONG[:1])
    before = coaching.drill_detail(drill_id, branch_c["coach_c"])["report"]["total"]
    auth.login("coach_c")
    response = client.post(
        f"/drills/{drill_id}/override",
        data={"field": "total", "value": "88", "comment": "<b>第 1 轮</b>语气很好", "once": "t-1"},
    )
    assert response.status_code == 302
    page = client.get(f"/drills/{drill_id}").get_data(as_text=True)
    assert re.search(r'id="total">88<', page)
    assert "&lt;b&gt;第 1 轮&lt;/b&gt;" in page and "<b>第 1 轮</b>" not in page  # escaped on display
    audit = coaching.drill_detail(drill_id, branch_c["coach_c"])["overrides"]
    assert [(o["field"], o["before"], o["after"], o["coach"]) for o in audit] == [("total", before, 88, "孙教练")]
    assert audit[0]["at"]
    board = coaching.leaderboard(branch_c["coach_c"].branch_id)
    assert board[0]["name"] == "吴柜员" and board[0]["best"] == 88


def test_double_submitted_override_is_applied_once(client, auth, branch_c):
    drill_id = run_drill(branch_c["staff_c2"].owner, STRONG[:2])
    auth.login("coach_c")
    form = {"field": "script", "value": "70", "comment": "补充说明", "once": "same-token"}
    client.post(f"/drills/{drill_id}/override", data=form)
    second = client.post(f"/drills/{drill_id}/override", data=form, follow_redirects=True)
    assert "已经提交过" in second.get_data(as_text=True)
    assert len(coaching.drill_detail(drill_id, branch_c["coach_c"])["overrides"]) == 1


@pytest.mark.parametrize(
    "form, message",
    [
        ({"field": "total", "value": "120", "comment": "x"}, "0 到 100"),
        ({"field": "total", "value": "abc", "comment": "x"}, "0 到 100"),
        ({"field": "total", "value": "50", "comment": " "}, "写明理由"),
        ({"field": "speed", "value": "50", "comment": "x"}, "只能调整"),
    ],
)
def test_bad_override_is_refused_with_a_reason(client, auth, branch_c, form, message):
    drill_id = coaching.scored_drills(branch_id=branch_c["coach_c"].branch_id)[0]["id"]
    auth.login("coach_c")
    page = client.post(f"/drills/{drill_id}/override", data=form, follow_redirects=True).get_data(as_text=True)
    assert message in page


def test_findings_are_highlighted_on_their_turns(client, auth, branch_c):
    drill_id = run_drill(branch_c["staff_c1"].owner, STRONG + ["这个肯定赚钱,保本的,您放心"])
    auth.login("staff_c1")
    page = client.get(f"/drills/{drill_id}").get_data(as_text=True)
    assert 'class="turn staff has-hit' in page
    assert "has-violation" in page and "不得说" in page


def test_missed_points_name_the_standard_wording(client, auth, branch_c):
    run_drill(branch_c["staff_c2"].owner, ["你好"])
    rows = coaching.missed_points(branch_c["coach_c"].branch_id)
    assert rows and rows[0]["missed"] >= 1 and rows[0]["of"] >= 1
    assert any(r["standard"].startswith("标准话术") for r in rows)
    auth.login("coach_c")
    page = client.get("/coach/missed").get_data(as_text=True)
    assert rows[0]["text"] in page and "标准话术" in page


def test_evening_session_from_opening_to_csv(client, auth, branch_c):
    auth.login("coach_c")
    opened = client.post(
        "/coach/sessions",
        data={"title": "周三夕会", "scenarios": ["fund_sip_young_worker"], "minutes": "30", "once": "open-1"},
    )
    session_id = int(opened.headers["Location"].rsplit("/", 1)[1])
    auth.login("staff_c1")
    assert "夕会演练进行中" in client.get("/chat").get_data(as_text=True)
    in_session = run_drill(branch_c["staff_c1"].owner, STRONG)
    outside = run_drill(branch_c["staff_c1"].owner, ["您好"], scenario="counter_7step_withdrawal")  # not listed
    progress = evening.progress(session_id, branch_c["coach_c"].branch_id)
    row = next(p for p in progress["people"] if p["name"] == "吴柜员")
    assert row["started"] == 1 and row["finished"] == 1
    assert any(p["name"] == "郑大堂" and p["started"] == 0 for p in progress["people"])
    auth.login("coach_c")
    client.post(f"/coach/sessions/{session_id}/close", data={"once": "close-1"})
    page = client.get(f"/coach/sessions/{session_id}").get_data(as_text=True)
    assert "已结束" in page and "亮点时刻" in page and "吴柜员" in page
    export = client.get(f"/coach/sessions/{session_id}/export.csv")
    assert export.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(export.get_data(as_text=True).lstrip("\ufeff"))))
    assert [int(r["drill_id"]) for r in rows] == [in_session] and outside != in_session
    assert rows[0]["staff"] == "吴柜员" and rows[0]["total"].isdigit()


def test_one_open_session_per_branch(branch_c):
    first = evening.open_session(branch_c["coach_c"], "", ["fund_sip_young_worker"], 20)
    try:
        with pytest.raises(InputError) as refused:
            evening.open_session(branch_c["coach_c"], "", ["fund_sip_young_worker"], 20)
        assert "进行中" in refused.value.user_message
    finally:
        evening.close_session(first["id"], branch_c["coach_c"].branch_id)


@pytest.mark.parametrize(
    "form, message",
    [
        ({"scenarios": [], "minutes": "30"}, "至少选择一个"),
        ({"scenarios": ["fund_sip_young_worker"], "minutes": "2"}, "5 到 240"),
        ({"scenarios": ["nope"], "minutes": "30"}, "没有找到演练场景"),
    ],
)
def test_bad_session_form_is_refused(client, auth, branch_c, form, message):
    auth.login("coach_c")
    page = client.post("/coach/sessions", data=form, follow_redirects=True).get_data(as_text=True)
    assert message in page


def test_activity_by_form_by_api_and_the_coach_table(client, auth, branch_c):
    auth.login("staff_c1")
    client.post("/activity", data={"identified": "6", "recommended": "2", "referred": "1", "once": "a-1"})
    auth.login("staff_c2")
    response = client.post("/api/activity", json={"identified": 4, "recommended": 3})
    assert response.status_code == 200 and response.get_json()["referred"] == 0
    bad = client.post("/api/activity", json={"identified": -1})
    assert bad.status_code == 400 and "0 到 500" in bad.get_json()["error"]["message"]
    auth.login("coach_c")
    page = client.get("/coach/activity").get_data(as_text=True)
    assert re.search(r"<th>合计</th><th>10</th><th>5</th><th>1</th>", page)


def test_activity_told_in_chat_without_the_bot(client, auth, branch_c, monkeypatch):
    accounts.create_user("staff_d4", "correct-horse-1", "staff", "城中支行", "何柜员")  # counts of its own branch
    monkeypatch.setenv("RASA_URL", "http://127.0.0.1:9")
    auth.login("staff_d4")
    client.post("/api/activity", json={"identified": 1, "recommended": 3})
    reply = client.post("/api/chat", json={"message": "今天识别了十二个客户,转介了2个"}).get_json()["replies"][1]
    assert reply["data"]["activity"] == {
        "day": reply["data"]["activity"]["day"],
        "identified": 12,
        "recommended": 3,
        "referred": 2,
    }


def test_my_drills_shows_the_progress_chart(client, auth, branch_c):
    learner = accounts.create_user("staff_d5", "correct-horse-1", "staff", "城中支行", "林柜员")
    for lines in (STRONG[:1], STRONG[:2]):  # its own two drills (a chart needs two): not another test's
        run_drill(learner.owner, lines)
    auth.login("staff_d5")
    page = client.get("/drills").get_data(as_text=True)
    assert 'id="progress-chart"' in page and page.count("<polyline") == 5


def test_deleted_user_drills_stay_for_the_coach_anonymised_on_request(client, auth, branch_c):
    leaver = accounts.create_user("leaver_c", "correct-horse-1", "staff", "城南支行", "冯离职")
    drill_id = run_drill(leaver.owner, STRONG[:2])
    auth.login("admin")
    client.post(f"/admin/users/{leaver.id}/deactivate", data={"once": "d-1"})
    auth.login("coach_c")
    assert "冯离职" in client.get(f"/drills/{drill_id}").get_data(as_text=True)
    auth.login("admin")
    client.post(f"/admin/users/{leaver.id}/anonymise", data={"once": "d-2"})
    auth.login("coach_c")
    page = client.get(f"/drills/{drill_id}").get_data(as_text=True)
    assert "冯离职" not in page and f"已注销员工{leaver.id}" in page
    assert "冯离职" not in client.get("/coach/").get_data(as_text=True)
