"""bin/assistant as outside checks drive it (CONTRACTS section 2), run as a real subprocess."""

import json
import os
import subprocess

import yaml

from assistant.config import ROOT
from tests.kbfiles import copy_kb, edit_yaml

CLI = str(ROOT / "bin" / "assistant")


def run(*args, check=True, env=None):
    result = subprocess.run(
        [CLI, *args], capture_output=True, text=True, timeout=300, env={**os.environ, **(env or {})}
    )
    if check:
        assert result.returncode == 0, result.stderr
    return result


def test_help_lists_the_contract_commands():
    out = run("--help").stdout
    for command in ("search", "scenarios", "drill", "score", "kb"):
        assert command in out


def test_search_json_matches_the_contract():
    data = json.loads(run("search", "定投客户说没闲钱怎么回", "--top", "3", "--json").stdout)
    assert data["query"] == "定投客户说没闲钱怎么回" and data["in_scope"] is True
    assert len(data["hits"]) == 3
    for hit in data["hits"]:
        assert set(hit) >= {"id", "product", "kind", "title", "text", "score"}
        assert isinstance(hit["score"], float)
    assert data["hits"][0]["product"] == "fund_sip"


def test_search_batch_answers_every_line_in_order(tmp_path):
    questions = ["信用卡怎么推荐", "今天天气怎么样", "", "投诉怎么处理", "字" * 2000]
    batch = tmp_path / "questions.txt"
    batch.write_text("\n".join(questions) + "\n", encoding="utf-8")
    lines = run("search", "--batch", str(batch), "--json").stdout.splitlines()
    results = [json.loads(line) for line in lines]
    assert [r["query"] for r in results] == questions
    assert [r["in_scope"] for r in results] == [True, False, False, True, False]
    assert results[0]["hits"][0]["product"] == "credit_card"
    assert results[3]["hits"][0]["product"] == "complaint"
    assert results[2]["error"]["code"] == "empty" and results[4]["error"]["code"] == "too_long"


def test_empty_question_is_refused_in_chinese():
    result = run("search", "", "--json", check=False)
    assert result.returncode == 2
    assert "空" in json.loads(result.stdout)["error"]["message"]


def test_kb_validate_names_file_entry_and_field(tmp_path):
    kb_dir = copy_kb(tmp_path)
    edit_yaml(kb_dir / "topics" / "vip.yaml", lambda d: d["entries"][0].update({"kind": "poem"}))
    data = yaml.safe_load((kb_dir / "topics" / "vip.yaml").read_text(encoding="utf-8"))
    good = run("kb", "validate")
    assert "校验通过" in good.stdout
    bad = run("kb", "validate", "--dir", str(kb_dir), check=False)
    assert bad.returncode == 2
    assert "vip.yaml" in bad.stderr and data["entries"][0]["id"] in bad.stderr and "kind" in bad.stderr


def test_kb_validate_checks_scenarios_too(tmp_path):
    kb_dir = copy_kb(tmp_path)
    edit_yaml(
        kb_dir / "scenarios" / "fund_sip_young_worker.yaml",
        lambda d: d["checkpoints"][0].update({"standard": "no-such-entry"}),
    )
    bad = run("kb", "validate", "--dir", str(kb_dir), check=False)
    assert bad.returncode == 2
    assert "fund_sip_young_worker.yaml" in bad.stderr and "standard" in bad.stderr and "no-such-entry" in bad.stderr


def test_users_add_creates_the_first_admin_who_can_sign_in(isolated_var):
    import sys

    from assistant.services import accounts

    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "assistant.cli",
            "users",
            "add",
            "first_admin",
            "--role",
            "admin",
            "--name",
            "管理员",
            "--password-stdin",
        ],
        input="a-long-password\n",
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0 and "已创建用户 first_admin" in done.stdout
    assert accounts.authenticate("first_admin", "a-long-password").role == "admin"
    short = subprocess.run(
        [
            sys.executable,
            "-m",
            "assistant.cli",
            "users",
            "add",
            "second",
            "--role",
            "staff",
            "--branch",
            "城东支行",
            "--password-stdin",
        ],
        input="short\n",
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert short.returncode == 2 and "至少 8 位" in short.stderr


def test_kb_try_shows_what_the_assistant_makes_of_a_line():
    out = run("kb", "try", "counter_7step_withdrawal", "师傅,取钱要验一下身份证,麻烦您拿出来。").stdout
    assert "请客户配合/表态 (requests):hand_over" in out
    assert "客户的反应(作为第一句):" in out and "request:hand_over" in out
    slip = run("kb", "try", "fund_sip_young_worker", "这个基金您放心,保证不亏,稳赚的。").stdout
    assert "合规:promise" in slip


def test_kb_try_refuses_an_unknown_scenario_and_an_empty_line_in_chinese():
    unknown = run("kb", "try", "no_such_scenario", "您好", check=False)
    assert unknown.returncode == 2 and "没有找到演练场景" in unknown.stderr and "Traceback" not in unknown.stderr
    empty = run("kb", "try", "fund_sip_young_worker", "  ", check=False)
    assert empty.returncode == 2 and "是空的" in empty.stderr
