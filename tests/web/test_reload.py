"""The admin's reload in the running app: a scenario edit shows at once, a broken edit is refused naming the file and
the previous content keeps serving."""

from __future__ import annotations

from assistant.content import content_store
from tests.kbfiles import copy_kb, edit_yaml


def test_admin_reload_picks_up_a_scenario_edit_and_keeps_serving_after_a_broken_one(
    client, auth, tmp_path, monkeypatch
):
    kb = copy_kb(tmp_path)
    monkeypatch.setenv("ASSISTANT_KB", str(kb))
    monkeypatch.setattr(content_store(), "CHECK_EVERY", 3600.0)  # only the reload looks at the files here
    auth.login("admin")
    assert "月光族小张" not in client.get("/", follow_redirects=True).get_data(as_text=True)

    edit_yaml(kb / "scenarios" / "fund_sip_young_worker.yaml", lambda d: d.update(title="月光族小张开定投"))
    page = client.post("/admin/kb/reload", follow_redirects=True).get_data(as_text=True)
    assert "已重新加载" in page and "6 个演练场景" in page
    assert "月光族小张开定投" in client.get("/", follow_redirects=True).get_data(as_text=True)

    (kb / "rubric.yaml").write_text("weights: [\n", encoding="utf-8")
    page = client.post("/admin/kb/reload", follow_redirects=True).get_data(as_text=True)
    assert "仍在使用之前的版本" in page and "rubric.yaml" in page
    assert "Traceback" not in page
    assert "月光族小张开定投" in client.get("/", follow_redirects=True).get_data(as_text=True)


def test_staff_cannot_reload(client, auth):
    auth.login("staff_a")
    assert client.post("/admin/kb/reload").status_code == 403
