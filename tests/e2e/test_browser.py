"""End to end in headless Chromium against the real app, Rasa and action servers: sign in, ask for a script, run a
drill inside an evening session to its report, the coach overrides a score and closes the session's leaderboard."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from assistant.services import accounts

ROOT = Path(__file__).resolve().parents[2]
STRONG = yaml.safe_load((ROOT / "tests/data/drills/fund_sip_young_worker.yaml").read_text(encoding="utf-8"))["strong"]


@pytest.fixture(scope="module")
def north(people):
    return {
        name: accounts.create_user(name, "correct-horse-1", role, "城北支行", display)
        for name, role, display in [("coach_n", "coach", "韩教练"), ("staff_n", "staff", "杨理财")]
    }


def bot_replies(page):
    """The bot's answers and error notices (locators only: the page's CSP forbids evaluated script)."""
    return page.locator(".msg.bot .bubble, .msg.error .bubble")


def say(page, text: str, expect: str | None = None) -> str:
    """Type a line, send it with Enter, wait for the bot's answer, return it."""
    before = bot_replies(page).count()
    page.fill("#message", text)
    page.press("#message", "Enter")
    bot_replies(page).nth(before).wait_for()
    # One answer may come as several bubbles (Rasa splits text at blank lines); they are added together.
    answer = "\n\n".join(bot_replies(page).all_inner_texts()[before:])
    if expect:
        assert expect in answer, answer
    return answer


def test_wrong_password_then_login(open_page, north, screens):
    page = open_page("staff_n", password="not-the-password")
    assert "用户名或密码不正确" in page.inner_text("main")
    screens.save(page, "01-login-wrong-password")


def test_staff_script_then_drill_in_evening_session_then_coach_review(open_page, live_server, north, screens):
    coach = open_page("coach_n")
    coach.goto(f"{live_server}/coach/sessions")
    coach.check("input[value=fund_sip_young_worker]")
    coach.fill("input[name=title]", "周一夕会")
    coach.click("#session-form button[type=submit]")
    assert "夕会演练已开始" in coach.inner_text("main")
    screens.save(coach, "02-coach-session-open")

    staff = open_page("staff_n", phone=True)
    assert staff.url.endswith("/chat")
    answer = say(staff, "基金定投怎么介绍")
    assert "定投" in answer
    objection_buttons = staff.locator(".msg.bot").last.locator("button.chip")
    assert objection_buttons.count() >= 1
    assert staff.locator(".msg.bot").last.locator("button.copy").count() == 1
    screens.save(staff, "03-chat-script-phone")

    say(staff, "<b>加粗</b><img src=x onerror=alert(1)>定投适合谁")
    assert staff.locator(".messages b, .messages img").count() == 0
    assert "<b>加粗</b>" in staff.locator(".msg.me .bubble").last.inner_text()

    banner = staff.locator("#session-banner button.chip").first
    before = bot_replies(staff).count()
    banner.click()
    bot_replies(staff).nth(before).wait_for()
    assert "演练开始" in bot_replies(staff).last.inner_text()
    for line in STRONG:
        answer = say(staff, line)
        assert answer.startswith("客户:"), answer
        if "演练评分" in answer:
            break
    else:
        answer = say(staff, "结束演练")
    assert "情景通关" in answer and "演练评分" in answer
    screens.save(staff, "04-drill-report")
    staff.click("a.report-link")
    staff.wait_for_selector(".transcript")
    assert staff.locator(".turn.has-hit").count() >= 1
    screens.save(staff, "05-drill-transcript")
    staff.goto(f"{live_server}/drills")
    screens.save(staff, "06-my-drills")

    coach.goto(f"{live_server}/coach/")
    assert "杨理财" in coach.inner_text("#drill-table")
    screens.save(coach, "07-coach-dashboard")
    coach.click("#drill-table a")
    coach.wait_for_selector("#override-form")
    original = int(coach.inner_text("#total"))
    coach.select_option("#override-field", "total")
    coach.fill("#override-value", "95")
    coach.fill("#override-comment", "第 4 轮风险提示完整,系统少计")
    coach.click("#override-form button[type=submit]")
    coach.wait_for_selector("#overrides")
    assert coach.inner_text("#total") == "95"
    row = coach.inner_text("#overrides tbody tr")
    assert "韩教练" in row and str(original) in row and "95" in row and "系统少计" in row
    screens.save(coach, "08-coach-override")

    coach.goto(f"{live_server}/coach/sessions")
    coach.click("text=周一夕会")
    coach.wait_for_selector("#progress")
    assert "杨理财" in coach.inner_text("#progress")
    coach.click("#close-session")
    coach.wait_for_selector("text=已结束")
    board = coach.inner_text(".leaderboard")
    assert "杨理财" in board and "95" in board
    assert re.search(r"\d+%", coach.inner_text("#pass-rate"))
    screens.save(coach, "09-session-results")


def test_other_pages_render(open_page, live_server, screens, north):
    admin = open_page("admin")
    for path, name, marker in [
        ("/kb?q=客户说没闲钱", "10-kb-search", "话术库"),
        ("/activity", "11-activity", "今日营销"),
        ("/coach/activity", "12-coach-activity", "日统计"),
        ("/coach/missed", "13-missed", "易错点"),
        ("/admin/users", "14-admin-users", "全部用户"),
    ]:
        admin.goto(live_server + path)
        assert marker in admin.inner_text("main")
        screens.save(admin, name)
