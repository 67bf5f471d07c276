"""Understanding staff turns (issue 13): the corpus is validated with file, line and field; odd input never crashes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assistant.config import ROOT
from assistant.nlu.corpus import CorpusError, load_corpus

CORPUS = ROOT / "scripts_kb" / "understanding"


def small_corpus(tmp_path: Path, body: str) -> Path:
    root = tmp_path / "understanding"
    (root / "corpus" / "w01").mkdir(parents=True)
    shutil.copy(CORPUS / "labels.yaml", root)
    shutil.copy(CORPUS / "writers.yaml", root)
    (root / "corpus" / "w01" / "general.yaml").write_text(body, encoding="utf-8")
    return root


def test_the_shipped_corpus_is_valid_and_large_enough():
    corpus = load_corpus(CORPUS)
    assert len(corpus.utterances) >= 6000
    assert len({u.writer for u in corpus.utterances}) >= 8
    kinds = {u.violation for u in corpus.utterances if u.violation}
    assert kinds == set(corpus.labels.violations)
    assert {u.hard_negative for u in corpus.utterances if u.hard_negative} == kinds
    acts = {a for u in corpus.utterances for a in u.acts}
    assert acts == set(corpus.labels.act_labels())  # every checkpoint act of every scenario has lines


@pytest.mark.parametrize(
    "line, field",
    [
        ('  - {text: "您好", moves: [greetng], acts: []}', "moves"),
        ('  - {text: "您好", moves: [], acts: [fab_feature]}', "acts"),
        ('  - {text: "这个稳赚", moves: [], acts: [], violation: promise, span: "保本"}', "span"),
        ('  - {text: "这个稳赚", moves: [], acts: [], violation: guarantee, span: "稳赚"}', "violation"),
        ('  - {txt: "您好"}', "txt"),
    ],
)
def test_a_malformed_line_names_file_line_and_field(tmp_path, line, field):
    root = small_corpus(
        tmp_path, f'writer: w01\nscenario: general\nutterances:\n  - {{text: "您好", moves: [greeting]}}\n{line}\n'
    )
    with pytest.raises(CorpusError) as info:
        load_corpus(root)
    message = str(info.value)
    assert "general.yaml:5" in message and field in message


def test_broken_yaml_names_the_line(tmp_path):
    root = small_corpus(tmp_path, 'writer: w01\nscenario: general\nutterances:\n  - {text: "您好", moves: [greeting]\n')
    with pytest.raises(CorpusError, match=r"general\.yaml:\d+: not valid YAML"):
        load_corpus(root)


def test_a_writer_not_registered_is_refused(tmp_path):
    root = small_corpus(tmp_path, 'writer: w99\nscenario: general\nutterances:\n  - {text: "您好"}\n')
    with pytest.raises(CorpusError, match="writer"):
        load_corpus(root)


@pytest.fixture(scope="module")
def understanding(searcher):
    from assistant.drill.understanding import get_understanding

    return get_understanding()


@pytest.mark.parametrize(
    "text, move",
    [
        ("您好,歡迎光臨,請問今天辦理什麼業務?", "greeting"),  # traditional characters
        ("您好欢迎光临请问今天办理什么业务", "greeting"),  # speech-to-text, no punctuation
        ("您好😊欢迎光临🎉 请问办什么业务", "greeting"),  # emoji
        ("这是您的身份证和银行卡请收好 cash 也点一下 ok", "reminder"),  # a little English
    ],
)
def test_odd_input_still_gets_a_sensible_analysis(understanding, text, move):
    assert move in understanding.analyse(text, "counter_7step_withdrawal").moves


def test_a_3000_character_turn_is_analysed_without_error(understanding):
    analysis = understanding.analyse("您好," + "我们的服务非常好。" * 330, "fund_sip_young_worker")
    assert len(analysis.text) > 2900 and isinstance(analysis.moves, set)


def test_clean_content_and_slips_are_told_apart(understanding):
    slip = understanding.analyse("这个基金是保本的,您放心买,稳赚不赔。", "fund_sip_young_worker")
    disclosure = understanding.analyse("基金不保本,净值会有波动,可能亏损,我们先做风险测评。", "fund_sip_young_worker")
    assert [v.kind for v in slip.violations] == ["promise"]
    assert not disclosure.violations and "risk_disclosure" in disclosure.moves


def test_acts_are_only_those_of_the_scenario(understanding):
    labels = understanding.labels
    analysis = understanding.analyse("您每个月工资到手一般怎么安排?以后有没有结婚买房的打算?", "fund_sip_young_worker")
    assert analysis.acts <= set(labels.scenario_acts("fund_sip_young_worker"))
    assert not understanding.analyse("您好", None).acts


def test_an_act_late_in_a_long_turn_is_found(understanding):
    """The benefit comes in a sentence past what the turn's embedding saw; it is read with its own."""
    turn = (
        "卡片工本费和U盾的费用都按我行公布的收费标准收取,价目表上写得清清楚楚,没有其他隐藏收费。"
        "另外跟您说一句,结算卡对您开饭店特别方便,晚上关门后营业款直接在自助机存进对公账户,不用等第二天带着公章来柜台。"
    )
    assert {"fee_truthful", "card_fab", "benefit_tied"} <= understanding.analyse(turn, "sme_settlement_card").acts


def test_an_act_in_one_clause_of_a_long_comma_joined_sentence_is_found(understanding):
    """The reminder is the last clause of a sentence about documents: read two clauses at a time, it is seen."""
    turn = "营业执照、法人身份证和三个章都在这个袋子里了,开户回执也放进去了,您回去前再点一遍,网银的密码和U盾千万别交给外人。"
    assert "safety_reminder" in understanding.analyse(turn, "sme_settlement_card").acts


def test_clause_windows_are_two_neighbouring_clauses_of_a_long_sentence():
    from assistant.nlu.features import clause_windows

    assert clause_windows("您收好,密码别告诉别人。") == []
    assert clause_windows("东西都在这儿,您点一下,密码别告诉别人。") == [
        "东西都在这儿,您点一下,",
        "您点一下,密码别告诉别人。",
    ]


def test_composed_turns_join_one_writers_compliant_lines_of_one_scenario():
    """The held-out test of long turns: each turn is two or three lines of one writer and scenario, joined by commas,
    labelled with their acts; no slip is in one, and the same seed composes the same turns."""
    from assistant.nlu.evaluate import composed_turns

    corpus = load_corpus(CORPUS)
    turns = composed_turns(corpus)
    assert len(turns) > 1000 and turns == composed_turns(corpus)
    for writer, scenario, turn, lines in turns[:200]:
        assert 2 <= len(lines) <= 3 and turn.endswith("。") and turn.count(",") >= len(lines) - 1
        assert all((u.writer, u.scenario) == (writer, scenario) and not u.violation for u in lines)
        assert all(u.text[:2] in turn for u in lines)


def test_a_request_file_with_an_unknown_label_names_file_line_and_field(tmp_path):
    root = small_corpus(
        tmp_path, 'writer: w01\nscenario: general\nutterances:\n  - {text: "您好", moves: [greeting]}\n'
    )
    (root / "requests").mkdir()
    (root / "requests" / "r01.yaml").write_text(
        'writer: r01\nitems:\n  - {text: "签个字", labels: [sign]}\n  - {text: "盖个章", labels: [stamp]}\n',
        encoding="utf-8",
    )
    with pytest.raises(CorpusError) as info:
        load_corpus(root)
    message = str(info.value)
    assert "r01.yaml:4" in message and "labels" in message and "stamp" in message


@pytest.mark.parametrize(
    "clause, customer_does",
    [
        ("麻烦您自己在键盘上输一下密码", True),
        ("您再按一遍新密码", True),
        ("您把密码念给我,我替您按", False),
        ("密码我先帮您设一个", False),
        ("您输完告诉我一声,我帮您输后面的", False),
    ],
)
def test_a_customer_asked_to_type_its_own_pin_is_no_proxy(clause, customer_does):
    from assistant.nlu.model import customer_does_it

    assert customer_does_it(clause) is customer_does


@pytest.mark.parametrize(
    "turn, deposit",
    [
        ("那也是存款,到期本息一分不少。", True),
        ("大额存单属于存款,有存款保险,理财经理那边也是这么说。", True),  # a title and a scheme name no product
        ("您就当是存款,利息高一点而已。", False),  # treated as one: a comparison
        ("这个理财就是存款,保本的。", False),  # a risk product named
        ("它跟存款差不多,放心。", False),
    ],
)
def test_a_turn_that_speaks_of_a_deposit(turn, deposit):
    from assistant.nlu.model import speaks_of_a_deposit

    assert speaks_of_a_deposit(turn) is deposit


def test_asking_the_customer_to_enter_the_pin_is_not_flagged(understanding):
    analysis = understanding.analyse("好,卡插好了。麻烦您自己在键盘上输一下密码,手挡一挡。", "counter_7step_withdrawal")
    assert not [v for v in analysis.violations if v.kind == "proxy"]
    slip = understanding.analyse("您把密码念给我,我替您按,快一点。", "counter_7step_withdrawal")
    assert [v for v in slip.violations if v.kind == "proxy"]


def test_a_violation_is_quoted_from_the_clause_that_makes_it(understanding, monkeypatch):
    """One finding per kind, on its most probable clause: a reassurance before the promise is not what is quoted."""
    findings = [("promise", "放心吧", 0.84), ("promise", "定投坚持三年肯定赚", 0.99), ("promise", "亏不了", 0.97)]
    monkeypatch.setattr(understanding.model.compliance, "findings", lambda text, embedding: findings)
    analysis = understanding.analyse("放心吧,定投坚持三年肯定赚,亏不了。", "fund_sip_young_worker")
    assert [(v.kind, v.phrase, v.p) for v in analysis.violations] == [("promise", "定投坚持三年肯定赚", 0.99)]


def test_an_unsuitable_push_is_a_violation_only_for_an_elderly_or_conservative_customer(understanding):
    """GRADING.md (d): the same push is a slip with the retiree and selling skill with the young worker."""
    push = "别存定期了,直接买这只股票型基金,每个月扣三千,不用做测评。"
    retiree = {v.kind for v in understanding.analyse(push, "retiree_maturing_deposit").violations}
    young = {v.kind for v in understanding.analyse(push, "fund_sip_young_worker").violations}
    assert "unsuitable" in retiree and "unsuitable" not in young


@pytest.mark.parametrize(
    "turn, kept",
    [
        # a request made now stays whole, also with a polite condition or a "就好了"
        ("没问题的话,您在这儿签个字就好了。", "没问题的话,您在这儿签个字就好了"),
        ("麻烦把身份证递给我,我这边给您登记。", "麻烦把身份证递给我"),
        # a step told for later, with the rest of its sentence; what is asked now after it stays
        ("等卡寄到了您再激活,到时候再设密码。您先在这儿签名。", "您先在这儿签名"),
        # a procedure told as steps, the staff doing it, a stage direction
        ("下回取钱插卡、输密码、选取款就行了。", ""),
        ("我帮您把回单打出来,(打印回单)", ""),
        # a step asked and done in the same turn: what comes after the "done" is what it is asked now
        ("密码在键盘上输两遍……好,设好了。回单您核对一下。", "设好了,回单您核对一下"),
        # speech-to-text, no marks: cut at the spaces
        ("存折给我 我帮您插进去", "存折给我"),
    ],
)
def test_what_a_turn_asks_the_customer_to_do_now(turn, kept):
    from assistant.nlu.features import asking_now

    assert asking_now(turn) == kept


@pytest.mark.parametrize(
    "turn, pieces",
    [
        ("好的,名字我记下了。电话号码您说一下,我登记上。", ["电话号码您说一下"]),
        ("还缺您的联系方式没填,您告诉我一下", ["还缺您的联系方式没填,您告诉我一下"]),
        ("卡办好了 您收好 您平时用手机银行吗 我给您开通一下", ["您平时用手机银行吗"]),
        ("您收好,慢走。", []),
    ],
)
def test_the_parts_of_a_turn_that_ask_the_customer_something(turn, pieces):
    from assistant.drill.understanding import asking_pieces

    assert asking_pieces(turn) == pieces


def test_a_plain_request_to_be_told_a_fact_is_heard_inside_a_long_turn(understanding):
    turn = "好 我都记上了 您的手机号说一下 我写在登记本上 今天下午主任一定给您回电话"
    assert "contact" in understanding.analyse(turn, "angry_queue_complaint").personal
