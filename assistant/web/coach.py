"""Coach pages: the branch's drills, leaderboard, 易错点, evening drill sessions (夕会) and the daily activity table.
An admin sees every branch; a coach only their own (the library applies the scope)."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from assistant.drill.scenarios import scenario_list
from assistant.errors import AssistantError, InputError
from assistant.services import accounts, activity, coaching, evening
from assistant.vocabulary import DIMENSION_NAMES
from assistant.web.forms import branch_scope, first_submission, roles_required

coach = Blueprint("coach", __name__, url_prefix="/coach")


@coach.before_request
@roles_required("coach", "admin")
def _coaches_only():
    return None


def _date_arg(name: str) -> date | None:
    value = request.args.get(name, "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputError(f"bad date {value!r}", "日期格式应为 年-月-日,例如 2026-11-22。", "bad_date") from None


def _days_arg() -> int:
    value = request.args.get("days", "7")
    return int(value) if value.isdigit() and 1 <= int(value) <= 366 else 7


@coach.get("/")
def dashboard():
    scope = branch_scope()
    people = [a for a in accounts.list_accounts(scope) if a.role in ("staff", "coach")]
    user_id = request.args.get("user", "")
    filters = {
        "user_id": int(user_id) if user_id.isdigit() else None,
        "scenario": request.args.get("scenario") or None,
        "date_from": _date_arg("from"),
        "date_to": _date_arg("to"),
    }
    drills = coaching.scored_drills(branch_id=scope, finished_only=False, limit=300, **filters)

    days = _days_arg()
    return render_template(
        "coach/dashboard.html",
        drills=drills,
        names=DIMENSION_NAMES,
        people=people,
        scenarios=scenario_list(),
        args=request.args,
        days=days,
        leaderboard=coaching.leaderboard(scope, since=coaching.since_days(days))[:5],
        missed=coaching.missed_points(scope, since=coaching.since_days(days), top=3),
        session=evening.open_session_of(current_user.branch_id),
    )


@coach.get("/leaderboard")
def leaderboard():
    days = _days_arg()
    return render_template(
        "coach/leaderboard.html", days=days, rows=coaching.leaderboard(branch_scope(), since=coaching.since_days(days))
    )


@coach.get("/missed")
def missed():
    days = _days_arg()
    return render_template(
        "coach/missed.html",
        days=days,
        rows=coaching.missed_points(branch_scope(), since=coaching.since_days(days), top=15),
    )


@coach.route("/sessions", methods=["GET", "POST"])
def sessions():
    if request.method == "POST":
        if first_submission():
            try:
                minutes = request.form.get("minutes", "")
                opened = evening.open_session(
                    current_user,
                    request.form.get("title", ""),
                    request.form.getlist("scenarios"),
                    int(minutes) if minutes.isdigit() else -1,
                )
                flash("夕会演练已开始,员工在聊天页即可看到并参加。", "success")
                return redirect(url_for("coach.session_page", session_id=opened["id"]))
            except AssistantError as exc:
                flash(exc.user_message, "error")
        return redirect(url_for("coach.sessions"))
    return render_template(
        "coach/sessions.html",
        sessions=evening.list_sessions(branch_scope()),
        scenarios=scenario_list(),
        can_open=current_user.branch_id is not None,
    )


@coach.get("/sessions/<int:session_id>")
def session_page(session_id: int):
    return render_template("coach/session.html", s=evening.results(session_id, branch_scope()))


@coach.get("/sessions/<int:session_id>/progress")
def session_progress(session_id: int):
    """JSON the session page polls while the drills run."""
    return jsonify(evening.progress(session_id, branch_scope()))


@coach.post("/sessions/<int:session_id>/close")
def session_close(session_id: int):
    if first_submission():
        evening.close_session(session_id, branch_scope())
        flash("夕会演练已结束,下面是复盘材料。", "success")
    return redirect(url_for("coach.session_page", session_id=session_id))


@coach.get("/sessions/<int:session_id>/export.csv")
def session_csv(session_id: int):
    body = evening.results_csv(session_id, branch_scope())
    return Response(
        body,
        mimetype="text/csv; charset=utf-8",
        headers={"Content-Disposition": f"attachment; filename=session-{session_id}.csv"},
    )


@coach.get("/activity")
def activity_table():
    branch_id = current_user.branch_id
    if branch_id is None:  # an admin picks a branch
        choice = request.args.get("branch", "")
        branches = accounts.list_branches()
        branch_id = int(choice) if choice.isdigit() else (branches[0]["id"] if branches else None)
    table = activity.branch_table(branch_id, _date_arg("day")) if branch_id is not None else None
    return render_template(
        "coach/activity.html",
        table=table,
        fields=activity.FIELDS,
        branches=accounts.list_branches() if current_user.role == "admin" else [],
    )
