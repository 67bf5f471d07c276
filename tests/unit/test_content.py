"""The one Content object: every kind of trainer edit is picked up by a reload or by watching the files, a broken edit
keeps the previous content serving and names file and field, shared checkpoints are defined once."""

from __future__ import annotations

import pytest
import yaml

from assistant.content import load_content
from assistant.content.scenario import Voice
from assistant.content.store import ContentStore
from assistant.errors import KBError
from tests.kbfiles import KB_DIR, copy_kb, edit_yaml

CONTRACT_TOPICS = {  # CONTRACTS.md section 1: fixed ids the taxonomy must keep
    "fund_sip",
    "wealth",
    "deposit",
    "insurance",
    "credit_card",
    "mobile_banking",
    "vip",
    "settlement_card",
    "corporate_ebank",
    "loan",
    "self_service",
    "appointment",
    "service_standard",
    "complaint",
    "customer_id",
    "referral",
    "sales_process",
    "meeting",
    "coaching",
}


@pytest.fixture()
def kb_copy(tmp_path, monkeypatch):
    kb_dir = copy_kb(tmp_path)
    monkeypatch.setenv("ASSISTANT_KB", str(kb_dir))
    return kb_dir


@pytest.fixture()
def store(kb_copy, monkeypatch):
    store = ContentStore()
    monkeypatch.setattr(store, "CHECK_EVERY", 0.0)
    return store


def test_the_taxonomy_lives_in_the_content_and_keeps_the_contract_ids():
    content = load_content(KB_DIR)
    assert set(content.taxonomy.names) == CONTRACT_TOPICS
    assert set(content.kb.topics) == CONTRACT_TOPICS
    assert {"fund_sip", "deposit", "settlement_card"} <= content.taxonomy.products
    assert "meeting" not in content.taxonomy.products


def test_a_new_topic_is_a_taxonomy_line_and_a_topic_file(kb_copy):
    edit_yaml(kb_copy / "taxonomy.yaml", lambda d: d["topics"].append({"id": "pension", "name": "个人养老金"}))
    data = yaml.safe_load((kb_copy / "topics" / "meeting.yaml").read_text(encoding="utf-8"))
    data["product"], data["name"] = "pension", "个人养老金"
    for n, entry in enumerate(data["entries"]):
        entry["id"] = f"pension-{n}"
    (kb_copy / "topics" / "pension.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    content = load_content(kb_copy)
    assert content.kb.topic_name("pension") == "个人养老金" and "pension" in content.kb.topics


def test_a_topic_file_outside_the_taxonomy_is_refused_naming_file_and_field(kb_copy):
    edit_yaml(kb_copy / "taxonomy.yaml", lambda d: d.update(topics=[t for t in d["topics"] if t["id"] != "meeting"]))
    with pytest.raises(KBError) as info:
        load_content(kb_copy)
    assert info.value.path.endswith("meeting.yaml") and info.value.field == "product"
    assert "taxonomy.yaml" in info.value.problem


def test_a_product_topic_marked_sells_needs_the_sales_kit(kb_copy):
    edit_yaml(
        kb_copy / "taxonomy.yaml",
        lambda d: next(t for t in d["topics"] if t["id"] == "meeting").update(sells=True),
    )
    with pytest.raises(KBError) as info:
        load_content(kb_copy)
    assert info.value.path.endswith("meeting.yaml") and "fab" in info.value.problem


def test_shared_checkpoints_are_defined_once_and_referenced():
    content = load_content(KB_DIR)
    shared = yaml.safe_load((KB_DIR / "service_steps.yaml").read_text(encoding="utf-8"))["checkpoints"]
    farewells = [c for s in content.scenarios.values() for c in s.checkpoints if c.id == "farewell"]
    assert len(farewells) == len(content.scenarios)
    assert all(
        [e.model_dump(exclude_defaults=True) for e in c.evidence] == shared["farewell"]["evidence"] for c in farewells
    )
    texts = {c.text for c in farewells}
    assert len(texts) > 1  # each scenario still words what the coach expects for its customer


def test_an_edit_to_a_shared_checkpoint_reaches_every_scenario_that_uses_it(kb_copy):
    edit_yaml(kb_copy / "service_steps.yaml", lambda d: d["checkpoints"]["wait_time"].update(weight=2.0))
    content = load_content(kb_copy)
    waits = [c for s in content.scenarios.values() for c in s.checkpoints if c.id == "wait_time"]
    assert len(waits) >= 3 and all(c.weight == 2.0 for c in waits)


def test_an_unknown_shared_checkpoint_is_refused_naming_file_and_field(kb_copy):
    path = kb_copy / "scenarios" / "fund_sip_young_worker.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("- use: wait_time", "- use: wait_tiem", 1), "utf-8")
    with pytest.raises(KBError) as info:
        load_content(kb_copy)
    assert info.value.path.endswith("fund_sip_young_worker.yaml") and info.value.field == "use"
    assert "wait_tiem" in info.value.problem and "service_steps.yaml" in info.value.problem


def test_a_broken_shared_checkpoint_names_the_shared_file(kb_copy):
    edit_yaml(kb_copy / "service_steps.yaml", lambda d: d["checkpoints"]["greeting"].update(dimension="manners"))
    with pytest.raises(KBError) as info:
        load_content(kb_copy)
    assert info.value.path.endswith("service_steps.yaml") and info.value.entry == "greeting"
    assert info.value.field == "dimension"


@pytest.mark.parametrize(
    "relative, change, read",
    [
        (
            "scenarios/fund_sip_young_worker.yaml",
            lambda d: d["reactions"]["greeting"].append("你好你好,我就随便看看。"),
            lambda c: c.scenarios["fund_sip_young_worker"].reactions.greeting[-1],
        ),
        ("rubric.yaml", lambda d: d.update(pass_total=75), lambda c: c.rubric.pass_total),
        (
            "compliance.yaml",
            lambda d: next(iter(d["kinds"].values())).update(note="新的合规说明。"),
            lambda c: next(iter(c.compliance_notes.values())),
        ),
        (
            "topics/loan.yaml",
            lambda d: d["entries"][0].update(title="贷款怎么介绍(新版)"),
            lambda c: c.kb.topics["loan"].entries[0].title,
        ),
    ],
)
def test_every_kind_of_edit_is_picked_up_by_reload(store, kb_copy, relative, change, read):
    before = read(store.get())
    edit_yaml(kb_copy / relative, change)
    after = read(store.reload())
    assert after != before
    assert store.get() is store.get()


def test_a_broken_edit_keeps_the_previous_content_serving_and_names_file_and_field(store, kb_copy):
    first = store.get()
    edit_yaml(kb_copy / "rubric.yaml", lambda d: d.update(pass_total="eighty"))
    with pytest.raises(KBError) as info:
        store.reload()
    assert info.value.path.endswith("rubric.yaml") and info.value.field == "pass_total"
    assert store.get() is first and store.get().rubric.pass_total == first.rubric.pass_total
    assert store.last_error is not None


def test_the_running_store_watches_the_files(store, kb_copy):
    first = store.get()
    edit_yaml(kb_copy / "rubric.yaml", lambda d: d.update(pass_total=75))
    changed = store.get()
    assert changed is not first and changed.rubric.pass_total == 75
    path = kb_copy / "scenarios" / "sme_settlement_card.yaml"
    path.write_text("id: sme_settlement_card\ntitle: [\n", encoding="utf-8")
    still = store.get()
    assert still.scenarios["sme_settlement_card"].title == changed.scenarios["sme_settlement_card"].title
    assert isinstance(store.last_error, KBError) and "sme_settlement_card.yaml" in str(store.last_error)
    assert store.get() is still  # the same broken files are not parsed again on every check


def test_each_customer_sounds_as_its_persona_voice_says_and_the_default_is_the_voice_s_own(kb_copy):
    scenarios = load_content(KB_DIR).scenarios
    young = scenarios["fund_sip_young_worker"].persona.voice
    retiree = scenarios["retiree_maturing_deposit"].persona.voice
    assert young.gender == "male" and retiree.gender == "female"  # the retired teacher (她) speaks with a woman's voice
    assert retiree.rate < 1 < young.rate and retiree.pitch < young.pitch  # slow and low, hurried and bright
    assert all(s.persona.voice != Voice() for s in scenarios.values())  # every scenario file sets its voice
    edit_yaml(kb_copy / "scenarios" / "retiree_maturing_deposit.yaml", lambda d: d["persona"].pop("voice"))
    plain = load_content(kb_copy).scenarios["retiree_maturing_deposit"].persona.voice
    assert plain == Voice() and (plain.gender, plain.pitch, plain.rate) == (None, 1.0, 1.0)


@pytest.mark.parametrize("field, value", [("pitch", 15), ("rate", 0.1), ("gender", "男")])
def test_a_bad_voice_is_refused_naming_file_and_field(kb_copy, field, value):
    path = kb_copy / "scenarios" / "fund_sip_young_worker.yaml"
    edit_yaml(path, lambda d: d["persona"]["voice"].update({field: value}))
    with pytest.raises(KBError) as info:
        load_content(kb_copy)
    assert info.value.path.endswith("fund_sip_young_worker.yaml")
    assert info.value.entry == "persona" and info.value.field == f"voice.{field}"


@pytest.mark.parametrize(
    "fact, key, value, field",
    [
        ("family", "parts", {"cousins": ["表哥在外地。"]}, "facts.family.parts.cousins"),
        ("family", "parts", {"parents": []}, "facts.family.parts"),
        (
            "money_purpose",
            "aspects",
            {"transfer": {"words": [], "lines": ["给供应商的。"]}},
            "facts.money_purpose.aspects.transfer.words",
        ),
        ("money_purpose", "aspects", {"transfer": {"words": ["转给"]}}, "facts.money_purpose.aspects.transfer.lines"),
    ],
)
def test_a_bad_part_or_aspect_of_a_fact_is_refused_naming_file_and_field(kb_copy, fact, key, value, field):
    path = kb_copy / "scenarios" / "vip_lobby_referral.yaml"
    edit_yaml(path, lambda d: d["persona"]["facts"][fact].update({key: value}))
    with pytest.raises(KBError) as info:
        load_content(kb_copy)
    assert info.value.path.endswith("vip_lobby_referral.yaml")
    assert info.value.entry == "persona" and info.value.field.startswith(field), info.value
