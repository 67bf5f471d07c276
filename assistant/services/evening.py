"""Evening drill sessions (夕会情景模拟通关): a coach opens one for the branch with a scenario list and a time box; the
drills the branch's staff start while it is open belong to it; at the end it gives the leaderboard, pass rate, the
most-missed checkpoints and highlight cards, and a CSV for the branch's records."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from sqlalchemy import select

from assistant.db import Database, Drill, DrillSession, User, as_utc, utcnow
from assistant.drill.scenarios import get_scenario
from assistant.errors import InputError, NotFound
from assistant.services import coaching
from assistant.vocabulary import DIMENSIONS

MAX_MINUTES = 240


def session_view(row: DrillSession) -> dict:
    ends = as_utc(row.opened_at) + timedelta(minutes=row.minutes)
    return {
        "id": row.id,
        "branch_id": row.branch_id,
        "title": row.title,
        "minutes": row.minutes,
        "status": row.status,
        "opened_at": as_utc(row.opened_at).isoformat(),
        "ends_at": ends.isoformat(),
        "overtime": row.status == "open" and utcnow() > ends,
        "scenarios": [
            {"id": s, "title": get_scenario(s).title, "alias": get_scenario(s).aliases[0]} for s in row.scenarios
        ],
    }


def open_session(coach, title: str, scenarios: list[str], minutes: int) -> dict:
    if not coach.can_coach() or coach.branch_id is None:
        raise InputError(f"user {coach.id} cannot open a session", "只有网点教练可以发起夕会演练。", "not_a_coach")
    title = (title or "").strip() or "夕会情景模拟通关"
    if len(title) > 100:
        raise InputError("title too long", "标题最多 100 个字。", "bad_title")
    if not scenarios:
        raise InputError("no scenarios", "请至少选择一个演练场景。", "no_scenarios")
    for scenario_id in scenarios:
        get_scenario(scenario_id)
    if not isinstance(minutes, int) or not 5 <= minutes <= MAX_MINUTES:
        raise InputError(f"bad minutes {minutes!r}", f"时长应在 5 到 {MAX_MINUTES} 分钟之间。", "bad_minutes")
    with Database.get().session() as session:
        running = session.scalars(
            select(DrillSession).where(DrillSession.branch_id == coach.branch_id, DrillSession.status == "open")
        ).first()
        if running is not None:
            raise InputError(
                f"branch {coach.branch_id} already has session {running.id}",
                "本网点已有一场进行中的夕会演练,请先结束它。",
                "session_running",
            )
        row = DrillSession(
            branch_id=coach.branch_id,
            coach_id=coach.id,
            title=title,
            scenarios=list(scenarios),
            minutes=minutes,
            status="open",
        )
        session.add(row)
        session.flush()
        return session_view(row)


def _get(session, session_id: int, branch_id: int | None) -> DrillSession:
    row = session.get(DrillSession, session_id)
    if row is None or (branch_id is not None and row.branch_id != branch_id):
        raise NotFound(f"session {session_id} not in branch {branch_id}", "没有找到这场夕会演练。", "session_not_found")
    return row


def close_session(session_id: int, branch_id: int | None) -> dict:
    with Database.get().session() as session:
        row = _get(session, session_id, branch_id)
        if row.status == "open":
            row.status, row.closed_at = "closed", utcnow()
        return session_view(row)


def open_session_of(branch_id: int | None) -> dict | None:
    if branch_id is None:
        return None
    with Database.get().session() as session:
        row = session.scalars(
            select(DrillSession).where(DrillSession.branch_id == branch_id, DrillSession.status == "open")
        ).first()
        return session_view(row) if row else None


def list_sessions(branch_id: int | None, limit: int = 30) -> list[dict]:
    with Database.get().session() as session:
        query = select(DrillSession).order_by(DrillSession.id.desc()).limit(limit)
        if branch_id is not None:
            query = query.where(DrillSession.branch_id == branch_id)
        return [session_view(row) for row in session.scalars(query)]


def session_for_new_drill(session, user_id: int | None, scenario_id: str) -> int | None:
    """The open session of the person's branch that lists this scenario, inside the caller's transaction."""
    if user_id is None:
        return None
    user = session.get(User, user_id)
    if user is None or user.branch_id is None:
        return None
    row = session.scalars(
        select(DrillSession).where(DrillSession.branch_id == user.branch_id, DrillSession.status == "open")
    ).first()
    return row.id if row is not None and scenario_id in row.scenarios else None


def progress(session_id: int, branch_id: int | None) -> dict:
    """Who is drilling, who has finished and how they did: what the coach watches during the session."""

    with Database.get().session() as session:
        row = _get(session, session_id, branch_id)
        view = session_view(row)
        people = {
            u.id: u for u in session.scalars(select(User).where(User.branch_id == row.branch_id, User.active.is_(True)))
        }
        drills = list(session.scalars(select(Drill).where(Drill.session_id == row.id).order_by(Drill.id)))
    rows = {}
    for user in people.values():
        if user.role == "staff" or any(d.user_id == user.id for d in drills):
            rows[user.id] = {
                "user_id": user.id,
                "name": user.display_name,
                "started": 0,
                "finished": 0,
                "passed": 0,
                "best": None,
                "active": False,
            }
    for drill in drills:
        entry = rows.setdefault(
            drill.user_id,
            {
                "user_id": drill.user_id,
                "name": coaching.name_of(drill.user_id),
                "started": 0,
                "finished": 0,
                "passed": 0,
                "best": None,
                "active": False,
            },
        )
        entry["started"] += 1
        if drill.status == "active":
            entry["active"] = True
        if drill.total is not None:
            entry["finished"] += 1
            entry["passed"] += int(bool(drill.passed))
            entry["best"] = max(entry["best"] or 0, drill.total)
    view["people"] = sorted(rows.values(), key=lambda r: (-(r["best"] or -1), r["name"]))
    return view


def results(session_id: int, branch_id: int | None) -> dict:
    """The review material: leaderboard, pass rate, top 易错点 and highlight cards (亮点时刻)."""

    view = progress(session_id, branch_id)
    drills = coaching.scored_drills(branch_id=view["branch_id"], session_id=session_id)
    view["drills"] = drills
    view["pass_rate"] = round(sum(d["passed"] for d in drills) / len(drills), 3) if drills else None
    view["leaderboard"] = coaching.leaderboard(view["branch_id"], session_id=session_id)
    view["missed"] = coaching.missed_points(view["branch_id"], session_id=session_id, top=5)
    view["highlights"] = coaching.highlights(drills, top=3)
    return view


CSV_HEADER = [
    "drill_id",
    "staff",
    "scenario",
    "difficulty",
    "started_at",
    "total",
    "passed",
    *DIMENSIONS,
    "overridden",
]


def results_csv(session_id: int, branch_id: int | None) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    for d in results(session_id, branch_id)["drills"]:
        writer.writerow(
            [
                d["id"],
                d["name"],
                d["title"],
                d["difficulty"],
                d["created_at"],
                d["total"],
                "通过" if d["passed"] else "未通过",
                *(d["dimensions"].get(k, "") for k in DIMENSIONS),
                "是" if d["overridden"] else "",
            ]
        )
    return "\ufeff" + out.getvalue()  # BOM: Excel on a branch PC opens the Chinese correctly
