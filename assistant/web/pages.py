"""Staff pages: chat (scripts and drills), my drills with a progress chart, a drill's transcript, the knowledge base,
and the daily activity form. Coaches reach the same transcript page, scoped by the library."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from assistant.config import get_settings
from assistant.drill.scenarios import persona_voices, scenario_list
from assistant.errors import AssistantError
from assistant.retrieval import get_searcher
from assistant.services import activity, coaching, drills, evening
from assistant.text import check_message
from assistant.vocabulary import DIMENSION_NAMES
from assistant.web.forms import first_submission

pages = Blueprint("pages", __name__)


@pages.get("/")
def home():
    return redirect(url_for("coach.dashboard") if current_user.can_coach() else url_for("pages.chat"))


@pages.get("/chat")
def chat():
    running = drills.active_drill(current_user.owner)
    drill = drills.get_drill(running.id, owner=current_user.owner) if running else None
    return render_template(
        "chat.html",
        drill=drill,
        scenarios=scenario_list(),
        session=evening.open_session_of(current_user.branch_id),
        max_chars=get_settings().max_message_chars,
        persona_voices=persona_voices(),
    )


def progress_chart(points: list[dict], width: int = 560, height: int = 180) -> dict:
    """Polylines per dimension for an inline SVG: a small chart without a JavaScript library."""
    pad = 24
    step = (width - 2 * pad) / max(1, len(points) - 1)
    lines = {}
    for dimension in ("total", *DIMENSION_NAMES):
        coords = []
        for n, point in enumerate(points):
            value = point["total"] if dimension == "total" else point["dimensions"].get(dimension, 0)
            coords.append(f"{pad + n * step:.1f},{height - pad - value * (height - 2 * pad) / 100:.1f}")
        lines[dimension] = " ".join(coords)
    return {"width": width, "height": height, "pad": pad, "lines": lines, "count": len(points)}


@pages.get("/drills")
def my_drills():
    points = coaching.history(current_user.id)
    drills = coaching.scored_drills(user_id=current_user.id, finished_only=False, limit=100)
    return render_template("drills.html", drills=drills, chart=progress_chart(points), names=DIMENSION_NAMES)


@pages.get("/drills/<int:drill_id>")
def drill(drill_id: int):
    return render_template(
        "drill.html",
        drill=coaching.drill_detail(drill_id, current_user),
        names=DIMENSION_NAMES,
        fields=coaching.FIELD_NAMES,
    )


@pages.post("/drills/<int:drill_id>/override")
def override(drill_id: int):
    if not current_user.can_coach():
        abort(403)
    if first_submission():
        try:
            coaching.override_score(
                drill_id,
                current_user,
                request.form.get("field", ""),
                request.form.get("value"),
                request.form.get("comment"),
            )
            flash("分数已调整,记录已保存。", "success")
        except AssistantError as exc:
            if exc.status == 404:
                raise
            flash(exc.user_message, "error")
    return redirect(url_for("pages.drill", drill_id=drill_id))


@pages.get("/kb")
def kb():
    searcher = get_searcher()
    max_chars = get_settings().max_message_chars
    query = request.args.get("q", "").strip()
    result, problem = None, None
    if query:
        try:
            result = searcher.search(check_message(query, max_chars, "问题"), top=8)
        except AssistantError as exc:
            problem = exc.user_message
    topics = [{"id": tid, "name": t.name, "count": len(t.entries)} for tid, t in searcher.kb.topics.items()]
    return render_template(
        "kb.html",
        query=query,
        result=result,
        problem=problem,
        topics=topics,
        topic=request.args.get("topic"),
        kb=searcher.kb,
        max_chars=max_chars,
    )


@pages.get("/kb/<entry_id>")
def kb_entry(entry_id: str):
    entry = get_searcher().kb.by_id(entry_id)
    if entry is None:
        abort(404)
    return render_template("kb_entry.html", entry=entry)


@pages.route("/activity", methods=["GET", "POST"])
def my_activity():
    if request.method == "POST":
        if first_submission():
            try:
                counts = activity.record(current_user.id, {f: request.form.get(f, "0") for f in activity.FIELDS})
                flash(f"已保存今天的记录:{activity.describe(counts)}。", "success")
            except AssistantError as exc:
                flash(exc.user_message, "error")
        return redirect(url_for("pages.my_activity"))
    days = activity.my_days(current_user.id)
    today = coaching.local_today().isoformat()
    return render_template(
        "activity.html", days=days, fields=activity.FIELDS, today=next((d for d in days if d["day"] == today), None)
    )
