"""Fuzzing the JSON API with hypothesis: any body, right keys with wrong values, odd ids — never a 500, always the
JSON error shape with a Chinese message."""

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=60),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
FIELDS = {
    "/api/search": ["q", "top"],
    "/api/chat": ["message"],
    "/api/drills": ["scenario", "seed", "difficulty"],
    "/api/score": ["transcript"],
    "/api/activity": ["identified", "recommended", "referred"],
    "/api/drills/1/turns": ["text"],
    "/api/drills/1/finish": [],
}
CJK = re.compile(r"[\u4e00-\u9fff]")


def bodies(path):
    keyed = st.fixed_dictionaries({}, optional={k: json_values for k in FIELDS[path]})
    return st.one_of(keyed, json_values)


@pytest.fixture()
def signed_in(client, auth, monkeypatch):
    monkeypatch.setenv("RASA_URL", "http://127.0.0.1:9")  # /api/chat answers from the library
    auth.login("staff_b")
    return client


def check(response):
    assert response.status_code < 500, response.get_data(as_text=True)[:300]
    if response.status_code >= 400:
        error = response.get_json()["error"]
        assert error["code"] and CJK.search(error["message"])


@pytest.mark.parametrize("path", sorted(FIELDS))
def test_api_never_fails_with_500(signed_in, people, path):
    from assistant.services import drills

    @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
    @given(body=bodies(path))
    def run(body):
        check(signed_in.post(path, json=body))

    try:
        run()
    finally:
        running = drills.active_drill(people["staff_b"].owner)  # a fuzzed body may have started one
        if running:
            drills.finish_drill(running.id)


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(raw=st.binary(max_size=200), kind=st.sampled_from(["application/json", "text/plain", "multipart/form-data"]))
def test_garbage_bodies_are_refused_cleanly(signed_in, raw, kind):
    check(signed_in.post("/api/search", data=raw, content_type=kind))


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(drill_id=st.integers(min_value=0, max_value=2**62))
def test_any_drill_id_is_404_or_own(signed_in, drill_id):
    response = signed_in.get(f"/api/drills/{drill_id}")
    check(response)
    assert response.status_code in (200, 404)
