"""Signing in and out, what needs a login, CSRF, rate limits and cookie settings."""

import re

import pytest

from assistant.web import create_app


def test_login_page_is_public_and_everything_else_needs_a_login(client, people):
    assert client.get("/login").status_code == 200
    assert client.get("/api/health").status_code in (200, 503)
    page = client.get("/chat")
    assert page.status_code == 302 and "/login?next=/chat" in page.headers["Location"]
    api = client.post("/api/search", json={"q": "定投"})
    assert api.status_code == 401 and api.get_json()["error"]["code"] == "login_required"
    assert "登录" in api.get_json()["error"]["message"]


def test_right_password_signs_in_and_goes_where_the_user_wanted(client, people):
    response = client.post("/login?next=/kb", data={"username": "staff_a", "password": "correct-horse-1"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/kb")
    assert "李柜员" in client.get("/kb").get_data(as_text=True)


def test_next_cannot_point_to_another_site(client, people):
    response = client.post("/login?next=//evil.example/x", data={"username": "staff_a", "password": "correct-horse-1"})
    assert response.headers["Location"] == "/chat"


@pytest.mark.parametrize("username, password", [("staff_a", "wrong-password"), ("nobody", "correct-horse-1"), ("", "")])
def test_wrong_login_gives_no_hint_which_part_was_wrong(client, people, username, password):
    response = client.post("/login", data={"username": username, "password": password})
    body = response.get_data(as_text=True)
    assert response.status_code == 401 and "用户名或密码不正确" in body
    assert "不存在" not in body and client.get("/chat").status_code == 302


def test_passwords_are_stored_hashed(people):
    from sqlalchemy import select

    from assistant.db import Database, User

    with Database.get().session() as session:
        stored = session.scalars(select(User.password_hash).where(User.username == "staff_a")).one()
    assert "correct-horse-1" not in stored and stored.startswith(("scrypt:", "pbkdf2:"))


def test_logout_ends_the_session(client, auth):
    auth.login("staff_a")
    assert client.get("/chat").status_code == 200
    auth.logout()
    assert client.get("/chat").status_code == 302


def test_deactivated_user_can_no_longer_sign_in_or_use_an_open_session(client, people):
    from assistant.services import accounts

    account = accounts.create_user("leaver", "correct-horse-1", "staff", "城东支行", "离职员工")
    client.post("/login", data={"username": "leaver", "password": "correct-horse-1"})
    assert client.get("/chat").status_code == 200
    accounts.deactivate(account.id)
    assert client.get("/chat").status_code == 302
    assert client.post("/login", data={"username": "leaver", "password": "correct-horse-1"}).status_code == 401


@pytest.fixture()
def strict_app(isolated_var, people):
    """CSRF and rate limits on, as deployed."""
    return create_app({"TESTING": True})


def csrf_token(page: str) -> str:
    return re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)


def test_forms_and_json_writes_need_the_csrf_token(strict_app):
    client = strict_app.test_client()
    login = client.post("/login", data={"username": "staff_a", "password": "correct-horse-1"})
    assert login.status_code == 400 and "页面已过期" in login.get_data(as_text=True)
    token = csrf_token(client.get("/login").get_data(as_text=True))
    login = client.post("/login", data={"username": "staff_a", "password": "correct-horse-1", "csrf_token": token})
    assert login.status_code == 302
    refused = client.post("/api/search", json={"q": "定投"})
    assert refused.status_code == 400 and refused.get_json()["error"]["code"] == "csrf"
    token = csrf_token(client.get("/chat").get_data(as_text=True))
    accepted = client.post("/api/search", json={"q": "定投"}, headers={"X-CSRFToken": token})
    assert accepted.status_code == 200


def test_login_is_rate_limited(strict_app):
    client = strict_app.test_client()
    token = csrf_token(client.get("/login").get_data(as_text=True))
    statuses = [
        client.post(
            "/login",
            data={"username": "staff_b", "password": "guess-%d" % n, "csrf_token": token},
            environ_base={"REMOTE_ADDR": "10.9.9.9"},
        ).status_code
        for n in range(12)
    ]
    assert statuses[:10] == [401] * 10 and statuses[10:] == [429, 429]
    blocked = client.post(
        "/login",
        data={"username": "staff_b", "password": "correct-horse-1", "csrf_token": token},
        environ_base={"REMOTE_ADDR": "10.9.9.9"},
    )
    assert blocked.status_code == 429 and "太频繁" in blocked.get_data(as_text=True)
    other = client.post(
        "/login",
        data={"username": "staff_b", "password": "correct-horse-1", "csrf_token": token},
        environ_base={"REMOTE_ADDR": "10.9.9.10"},
    )
    assert other.status_code == 302


def test_session_cookie_is_http_only_and_secure_when_configured(isolated_var, people, monkeypatch):
    monkeypatch.setenv("ASSISTANT_SECURE_COOKIES", "1")
    app = create_app({"TESTING": True, "WTF_CSRF_ENABLED": False})
    response = app.test_client().post("/login", data={"username": "staff_a", "password": "correct-horse-1"})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "Secure" in cookie and "SameSite=Lax" in cookie


def test_pages_send_security_headers(client, auth):
    auth.login("staff_a")
    headers = client.get("/chat").headers
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Frame-Options"] == "DENY" and headers["X-Content-Type-Options"] == "nosniff"
