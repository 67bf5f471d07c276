"""What coaches work with: the branch's drills, a transcript with its findings, audited score overrides, the
leaderboard, the most-missed checkpoints (易错点) and highlight cards. Scoping is decided here, once: staff see their own
drills, a coach their branch's, an admin every branch's."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from assistant.config import local_zone
from assistant.db import Database, Drill, DrillTurn, ScoreOverride, User, as_utc, utcnow
from assistant.drill.scenarios import get_scenario, rubric
from assistant.errors import InputError, NotFound
from assistant.scoring.scorer import standard_wording
from assistant.vocabulary import DIMENSION_NAMES

FIELD_NAMES = {"total": "总分", **DIMENSION_NAMES}  # what a coach may override
MAX_COMMENT = 1000


def day_start(day: date) -> datetime:
    """Midnight of a branch-local day, as an aware datetime (stored times are UTC)."""
    return datetime.combine(day, time.min, tzinfo=local_zone())


def local_today() -> date:
    return datetime.now(local_zone()).date()


def local_time(moment: datetime) -> str:
    return as_utc(moment).astimezone(local_zone()).strftime("%Y-%m-%d %H:%M")


def name_of(user_id: int | None) -> str:
    if user_id is None:
        return "未登录用户"
    with Database.get().session() as session:
        user = session.get(User, user_id)
        return user.display_name if user else f"用户{user_id}"


def _visible(viewer, drill: Drill, owner: User | None) -> bool:
    if viewer.role == "admin":
        return True
    if viewer.role == "coach":
        return owner is not None and owner.branch_id == viewer.branch_id
    return drill.user_id == viewer.id


def effective(report: dict | None, overrides: list[ScoreOverride], pass_total: float) -> dict | None:
    """The report with the coaches' latest overrides applied; `passed` follows the overridden total, and a coach who
    overrides compliance has judged the violation, so it no longer fails the drill on its own."""
    if report is None:
        return None
    result = {**report, "dimensions": dict(report["dimensions"])}
    latest = {o.field: o.after for o in sorted(overrides, key=lambda o: o.id)}
    for field, value in latest.items():
        if field == "total":
            result["total"] = value
        else:
            result["dimensions"][field] = value
    violated = any(f["status"] == "violation" for f in report.get("findings", [])) and "compliance" not in latest
    result["passed"] = result["total"] >= pass_total and not violated
    return result


def _overrides(session, drill_ids: list[int]) -> dict[int, list[ScoreOverride]]:
    found: dict[int, list[ScoreOverride]] = {i: [] for i in drill_ids}
    if drill_ids:
        for row in session.scalars(select(ScoreOverride).where(ScoreOverride.drill_id.in_(drill_ids))):
            found[row.drill_id].append(row)
    return found


def _row(drill: Drill, owner: User | None, overrides: list[ScoreOverride], pass_total: float) -> dict:
    report = effective(drill.report, overrides, pass_total)
    return {
        "id": drill.id,
        "user_id": drill.user_id,
        "name": owner.display_name if owner else name_of(None),
        "scenario": drill.scenario,
        "title": get_scenario(drill.scenario).title,
        "difficulty": drill.difficulty,
        "status": drill.status,
        "session_id": drill.session_id,
        "created_at": local_time(drill.created_at),
        "total": report["total"] if report else None,
        "passed": bool(report and report["passed"]),
        "dimensions": report["dimensions"] if report else {},
        "overridden": bool(overrides),
        "praise": (drill.report or {}).get("feedback", {}).get("praise", []),
    }


def _pass_total() -> float:
    return rubric().pass_total


def scored_drills(
    branch_id: int | None = None,
    user_id: int | None = None,
    scenario: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    session_id: int | None = None,
    finished_only: bool = True,
    limit: int = 500,
) -> list[dict]:
    """Drills with their effective scores, newest first. branch_id None means every branch (admin)."""
    query = select(Drill, User).outerjoin(User, Drill.user_id == User.id).order_by(Drill.id.desc()).limit(limit)
    if branch_id is not None:
        query = query.where(User.branch_id == branch_id)
    if user_id is not None:
        query = query.where(Drill.user_id == user_id)
    if scenario:
        query = query.where(Drill.scenario == scenario)
    if date_from:
        query = query.where(Drill.created_at >= day_start(date_from))
    if date_to:
        query = query.where(Drill.created_at < day_start(date_to + timedelta(days=1)))
    if session_id is not None:
        query = query.where(Drill.session_id == session_id)
    if finished_only:
        query = query.where(Drill.report.is_not(None))
    pass_total = _pass_total()
    with Database.get().session() as session:
        pairs = list(session.execute(query))
        overrides = _overrides(session, [d.id for d, _ in pairs])
        return [_row(d, u, overrides[d.id], pass_total) for d, u in pairs]


def drill_detail(drill_id: int, viewer) -> dict:
    """The transcript with each finding attached to the turn it quotes, the report and the override history.
    Out of scope looks the same as missing (404), so ids of other branches reveal nothing."""
    pass_total = _pass_total()
    with Database.get().session() as session:
        drill = session.get(Drill, drill_id)
        owner = session.get(User, drill.user_id) if drill and drill.user_id else None
        if drill is None or not _visible(viewer, drill, owner):
            raise NotFound(f"drill {drill_id} not visible to user {viewer.id}", "没有找到这场演练。", "drill_not_found")
        overrides = _overrides(session, [drill.id])[drill.id]
        turns = list(
            session.scalars(select(DrillTurn).where(DrillTurn.drill_id == drill.id).order_by(DrillTurn.position))
        )
        coaches = {o.coach_id: name_of(o.coach_id) for o in overrides}
        view = _row(drill, owner, overrides, pass_total)
    by_turn: dict[int, list[dict]] = {}
    for finding in (drill.report or {}).get("findings", []):
        if finding.get("evidence_turn") is not None:
            by_turn.setdefault(finding["evidence_turn"], []).append(finding)
    view["turns"] = [
        {"position": t.position, "speaker": t.speaker, "text": t.text, "findings": by_turn.get(t.position, [])}
        for t in turns
    ]
    view["misses"] = [f for f in (drill.report or {}).get("findings", []) if f["status"] == "miss"]
    view["original"] = drill.report
    view["report"] = effective(drill.report, overrides, pass_total)
    view["overrides"] = [
        {
            "field": o.field,
            "field_name": FIELD_NAMES[o.field],
            "before": o.before,
            "after": o.after,
            "comment": o.comment,
            "coach": coaches[o.coach_id],
            "at": local_time(o.created_at),
        }
        for o in sorted(overrides, key=lambda o: o.id)
    ]
    return view


def override_score(drill_id: int, coach, field: str, value: object, comment: object) -> dict:
    """Record a coach's override (who, when, before, after, why) and return the drill as it now reads."""
    if not coach.can_coach():
        raise NotFound(f"user {coach.id} is not a coach", "没有找到这场演练。", "drill_not_found")
    if field not in FIELD_NAMES:
        raise InputError(f"bad field {field!r}", "只能调整总分或某一维度的分数。", "bad_field")
    try:
        after = int(str(value).strip())
    except ValueError:
        after = -1
    if not 0 <= after <= 100:
        raise InputError(f"bad value {value!r}", "分数必须是 0 到 100 之间的整数。", "bad_score")
    comment = (comment or "").strip() if isinstance(comment, str) else ""
    if not comment:
        raise InputError("comment missing", "调整分数时请写明理由。", "comment_required")
    if len(comment) > MAX_COMMENT:
        raise InputError("comment too long", f"理由最多 {MAX_COMMENT} 字。", "comment_too_long")
    current = drill_detail(drill_id, coach)  # raises 404 outside the coach's branch
    if current["report"] is None:
        raise InputError(f"drill {drill_id} not scored", "这场演练还没有评分,结束后才能调整。", "not_scored")
    before = current["report"]["total"] if field == "total" else current["report"]["dimensions"][field]
    with Database.get().session() as session:
        session.add(
            ScoreOverride(
                drill_id=drill_id, coach_id=coach.id, field=field, before=before, after=after, comment=comment
            )
        )
        session.flush()
        drill = session.get(Drill, drill_id)
        overrides = _overrides(session, [drill_id])[drill_id]
        report = effective(drill.report, overrides, _pass_total())
        drill.total, drill.passed = report["total"], report["passed"]
    return drill_detail(drill_id, coach)


def leaderboard(branch_id: int | None, since: date | None = None, session_id: int | None = None) -> list[dict]:
    """Per person: drills scored, best and average total, passes; ranked by best, then average."""
    board: dict[int | None, dict] = {}
    for d in scored_drills(branch_id=branch_id, date_from=since, session_id=session_id):
        row = board.setdefault(
            d["user_id"], {"user_id": d["user_id"], "name": d["name"], "drills": 0, "passed": 0, "best": 0, "sum": 0}
        )
        row["drills"] += 1
        row["passed"] += int(d["passed"])
        row["best"] = max(row["best"], d["total"])
        row["sum"] += d["total"]
    rows = [{**r, "average": round(r.pop("sum") / r["drills"], 1)} for r in board.values()]
    rows.sort(key=lambda r: (-r["best"], -r["average"], r["name"]))
    for rank, row in enumerate(rows, 1):
        row["rank"] = rank
    return rows


def missed_points(
    branch_id: int | None, since: date | None = None, session_id: int | None = None, top: int = 10
) -> list[dict]:
    """易错点: the checkpoints most often missed in the team's scored drills, with the standard wording to review."""

    counts: dict[tuple[str, str], dict] = {}
    query = select(Drill, User).outerjoin(User, Drill.user_id == User.id).where(Drill.report.is_not(None))
    if branch_id is not None:
        query = query.where(User.branch_id == branch_id)
    if since:
        query = query.where(Drill.created_at >= day_start(since))
    if session_id is not None:
        query = query.where(Drill.session_id == session_id)
    with Database.get().session() as session:
        drills = [d for d, _ in session.execute(query)]
    for drill in drills:
        scenario = get_scenario(drill.scenario)
        checkpoints = {c.id: c for c in scenario.checkpoints}
        for finding in drill.report.get("findings", []):
            if finding["status"] not in ("miss", "violation"):
                continue
            key = (drill.scenario, finding["checkpoint"])
            checkpoint = checkpoints.get(finding["checkpoint"])
            row = counts.setdefault(
                key,
                {
                    "scenario": scenario.id,
                    "scenario_title": scenario.title,
                    "checkpoint": finding["checkpoint"],
                    "dimension": finding["dimension"],
                    "text": checkpoint.text if checkpoint else finding["note"],
                    "standard": standard_wording(checkpoint.standard) if checkpoint else "",
                    "missed": 0,
                    "people": set(),
                },
            )
            row["missed"] += 1
            row["people"].add(drill.user_id)
    of = {}
    for drill in drills:
        of[drill.scenario] = of.get(drill.scenario, 0) + 1
    rows = [{**r, "people": len(r["people"]), "of": of[r["scenario"]]} for r in counts.values()]
    rows.sort(key=lambda r: (-r["missed"] / r["of"], -r["missed"], r["checkpoint"]))
    return rows[:top]


def highlights(drills: list[dict], top: int = 3) -> list[dict]:
    """亮点时刻: the best scored drills of a session, each with the person's best moment as the scorer praised it."""
    best = sorted((d for d in drills if d["total"] is not None), key=lambda d: -d["total"])
    seen: set = set()
    cards = []
    for d in best:
        if d["user_id"] in seen or not d["praise"]:
            continue
        seen.add(d["user_id"])
        cards.append(
            {"name": d["name"], "title": d["title"], "total": d["total"], "drill_id": d["id"], "moment": d["praise"][0]}
        )
        if len(cards) == top:
            break
    return cards


def history(user_id: int, limit: int = 30) -> list[dict]:
    """A person's scored drills, oldest first: the points of their progress chart."""
    return list(reversed(scored_drills(user_id=user_id, limit=limit)))


def since_days(days: int) -> date:
    return (utcnow().astimezone(local_zone()) - timedelta(days=days - 1)).date()
