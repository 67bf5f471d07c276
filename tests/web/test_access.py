"""Every route, every role: who may see what. A coach of branch A gets 404 for branch B's drill (its existence is
not revealed), staff get 403 on coach and admin pages, and nothing is served without a login."""

import pytest

from assistant.services import coaching, evening
from assistant.services import drills as drill_service

STAFF_PAGES = ["/chat", "/drills", "/kb", "/kb?q=定投怎么介绍", "/kb/fund_sip-fab", "/activity"]
COACH_PAGES = [
    "/coach/",
    "/coach/leaderboard",
    "/coach/missed",
    "/coach/sessions",
    "/coach/activity",
    "/coach/?from=2026-01-01&to=2030-01-01",
]
ADMIN_PAGES = ["/admin/users"]


@pytest.fixture(scope="module")
def drills(people):
    """One finished drill in each branch."""
    made = {}
    for name in ("staff_a2", "staff_b"):
        owner = people[name].owner
        drill = drill_service.start_drill(owner, "fund_sip_young_worker", seed=3)
        drill_service.take_turn(drill["id"], "您好,欢迎光临,请问今天办理什么业务?", owner=owner)
        drill_service.finish_drill(drill["id"], owner=owner)
        made[name] = drill["id"]
    return made


def test_every_route_is_listed_here(app):
    """A new route must be added to these lists (and so to the access checks) before it ships."""
    known = set(STAFF_PAGES + COACH_PAGES + ADMIN_PAGES)
    rules = {r.rule for r in app.url_map.iter_rules() if "GET" in r.methods and "<" not in r.rule}
    listed = {p.split("?")[0] for p in known} | {"/", "/login", "/api/health"}
    assert rules - listed == set()


@pytest.mark.parametrize("path", STAFF_PAGES + COACH_PAGES + ADMIN_PAGES)
def test_nothing_is_served_without_login(client, path):
    response = client.get(path)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("user", ["staff_a", "coach_a", "admin"])
@pytest.mark.parametrize("path", STAFF_PAGES)
def test_staff_pages_open_for_every_role(client, auth, user, path):
    auth.login(user)
    assert client.get(path).status_code == 200


@pytest.mark.parametrize("path", COACH_PAGES + ADMIN_PAGES)
def test_staff_get_403_on_coach_and_admin_pages(client, auth, path):
    auth.login("staff_a")
    response = client.get(path)
    assert response.status_code == 403 and "没有权限" in response.get_data(as_text=True)


@pytest.mark.parametrize("path", COACH_PAGES)
def test_coach_pages_open_for_coach_and_admin(client, auth, path):
    for user in ("coach_a", "admin"):
        auth.login(user)
        assert client.get(path).status_code == 200, user


def test_coach_gets_403_on_admin_pages(client, auth):
    auth.login("coach_a")
    assert client.get("/admin/users").status_code == 403
    assert client.post("/admin/kb/reload").status_code == 403
    assert (
        client.post("/admin/users", data={"username": "x", "password": "12345678", "role": "admin"}).status_code == 403
    )


def test_coach_sees_own_branch_drill_but_404_on_the_other_branch(client, auth, drills):
    auth.login("coach_a")
    assert client.get(f"/drills/{drills['staff_a2']}").status_code == 200
    other = client.get(f"/drills/{drills['staff_b']}")
    assert other.status_code == 404 and "周柜员" not in other.get_data(as_text=True)
    override = client.post(
        f"/drills/{drills['staff_b']}/override", data={"field": "total", "value": "90", "comment": "越权"}
    )
    assert override.status_code == 404
    dashboard = client.get("/coach/").get_data(as_text=True)
    assert "赵大堂" in dashboard and "周柜员" not in dashboard


def test_staff_see_only_their_own_drills(client, auth, drills):
    auth.login("staff_a")
    assert client.get(f"/drills/{drills['staff_a2']}").status_code == 404
    assert client.get(f"/api/drills/{drills['staff_a2']}").status_code == 404
    assert (
        client.post(
            f"/drills/{drills['staff_a2']}/override", data={"field": "total", "value": "90", "comment": "x"}
        ).status_code
        == 403
    )
    auth.login("staff_a2")
    assert client.get(f"/drills/{drills['staff_a2']}").status_code == 200


def test_admin_sees_every_branch(client, auth, drills):
    auth.login("admin")
    for drill_id in drills.values():
        assert client.get(f"/drills/{drill_id}").status_code == 200
    page = client.get("/coach/").get_data(as_text=True)
    assert "赵大堂" in page and "周柜员" in page


def test_sessions_are_scoped_to_the_branch(client, auth, people):
    opened = evening.open_session(people["coach_b"], "城西夕会", ["counter_7step_withdrawal"], 30)
    try:
        auth.login("coach_a")
        assert client.get(f"/coach/sessions/{opened['id']}").status_code == 404
        assert client.get(f"/coach/sessions/{opened['id']}/export.csv").status_code == 404
        assert client.get(f"/coach/sessions/{opened['id']}/progress").status_code == 404
        assert client.post(f"/coach/sessions/{opened['id']}/close").status_code == 404
        auth.login("coach_b")
        assert client.get(f"/coach/sessions/{opened['id']}").status_code == 200
    finally:
        evening.close_session(opened["id"], people["coach_b"].branch_id)


def test_library_scoping_matches_the_pages(people, drills):
    rows = coaching.scored_drills(branch_id=people["coach_a"].branch_id)
    assert {r["id"] for r in rows} >= {drills["staff_a2"]} and drills["staff_b"] not in {r["id"] for r in rows}


def test_every_route_and_method_needs_a_login(app):
    """The automated pass: each URL rule with each method, ids filled in, without a session: sign-in or 401, never data."""
    client = app.test_client()
    public = {"/login", "/api/health"}
    checked = 0
    for rule in app.url_map.iter_rules():
        if rule.rule in public or rule.endpoint == "static":
            continue
        path = rule.rule.replace("<int:drill_id>", "1").replace("<int:session_id>", "1").replace("<int:user_id>", "1")
        path = path.replace("<entry_id>", "fund_sip-fab")
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(path, method=method, json={} if method == "POST" else None)
            assert response.status_code in (302, 401), (method, path, response.status_code)
            if response.status_code == 302:
                assert "/login" in response.headers["Location"]
            checked += 1
    assert checked >= 30
