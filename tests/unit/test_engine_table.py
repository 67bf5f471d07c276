"""The drill engine on hand-built analyses: no encoder, no model, no database, so each case runs in milliseconds and
says exactly which decision a kind of staff turn leads to. (test_customer.py covers the same behaviour through the
real understanding, in the team's own wording.)"""

from dataclasses import replace

import pytest

from assistant.drill import engine
from assistant.drill.scenarios import get_scenario, rubric
from assistant.drill.understanding import TurnAnalysis, Violation


def turn(
    text="……", moves=(), sure=None, personal=(), requests=(), question=False, topics=(), violation=None, asked=None
):
    """A staff turn as the understanding would describe it; `sure` defaults to the moves themselves, `asked` (the
    topics and requests asked plainly) to all of them."""
    violations = [Violation(violation[0], text, "note", violation[1])] if violation else []
    return TurnAnalysis(
        text=text,
        moves=set(moves),
        sure_moves=set(moves if sure is None else sure),
        sure_asked=set([*personal, *requests] if asked is None else asked),
        personal=list(personal),
        requests=list(requests),
        is_question=question,
        question_text=text if question else "",
        topics=set(topics),
        violations=violations,
    )


def play(scenario_id, turns, difficulty="normal", seed=3):
    scenario, level = get_scenario(scenario_id), rubric().difficulties[difficulty]
    state, _ = engine.start(scenario, difficulty, seed, level)
    events = []
    for analysis in turns:
        events.append(engine.respond(scenario, state, level, analysis)[1])
    return state, events


GREETING = turn("您好,欢迎光临。", moves=["greeting"])


@pytest.mark.parametrize(
    "case, turns, expected",
    [
        ("a personal question gets the fact", [turn(personal=["age"], question=True)], ["fact:age"]),
        ("asked the amount, it tells it", [turn(requests=["amount"], question=True)], ["fact:amount"]),
        ("asked to sign, it signs", [turn(requests=["sign"])], ["request:sign"]),
        (
            "a hand-back is not a request to hand over",
            [turn(moves=["reminder"], requests=["hand_over"])],
            ["handed_back"],
        ),
        (
            "asked to decide before anything: not ready",
            [turn(requests=["decide"], question=True)],
            ["closing_not_ready"],
        ),
        ("a plain early pitch is too early", [turn(moves=["presentation"])], ["pitch_too_early"]),
        ("a plain slip makes it wary", [turn(violation=("promise", 0.95))], ["violation"]),
        (
            "a slip the model barely flags does not",
            [turn(moves=["small_talk"], violation=("promise", 0.82))],
            ["small_talk"],
        ),
    ],
)
def test_one_staff_turn_after_a_greeting(case, turns, expected):
    _, events = play("fund_sip_young_worker", [GREETING, *turns])
    assert events[-1] == expected, case


def test_a_needs_question_taken_for_a_pitch_raises_no_worry():
    revealed = turn("您工资每个月能存下多少?", moves=["needs_question"], question=True)
    unsure_pitch = turn(
        "您攒钱主要想干啥?", moves=["needs_question", "presentation"], sure=["needs_question"], question=True
    )
    _, events = play("fund_sip_young_worker", [GREETING, revealed, unsure_pitch])
    assert not any(e.startswith("objection:") for e in events[-1])


def test_a_second_push_to_decide_costs_patience_like_a_second_early_pitch():
    decide = turn(requests=["decide"], question=True)
    state, events = play("fund_sip_young_worker", [GREETING, decide, decide])
    assert events[1:] == [["closing_not_ready"], ["closing_not_ready"]]
    assert state.offences == {"ignored": 1}


def test_asked_once_what_comes_next_after_agreeing_then_it_takes_in_what_it_is_told():
    state, _ = play("counter_7step_withdrawal", [GREETING])
    scenario, level = get_scenario("counter_7step_withdrawal"), rubric().difficulties["normal"]
    state.accepted = True
    state.asked = [q.id for q in scenario.questions]  # its own questions already asked
    first = engine.respond(scenario, state, level, turn("好的。", moves=["presentation"]))[1]
    second = engine.respond(scenario, state, level, turn("这张卡您平时也能用。", moves=["presentation"]))[1]
    assert "after_accept" in first and "after_accept" not in second


def test_a_goodbye_ends_the_drill_and_the_same_lines_give_the_same_drill():
    lines = [GREETING, turn(personal=["name"], question=True), turn("慢走,再见!", moves=["farewell"])]
    first, events = play("retiree_maturing_deposit", lines)
    again, events_again = play("retiree_maturing_deposit", lines)
    assert first.done and first.outcome in ("left", "accepted") and events == events_again


def _accepted(scenario_id):
    """A drill whose customer has already decided (its own questions asked, so none comes in between)."""
    state, _ = play(scenario_id, [GREETING])
    scenario, level = get_scenario(scenario_id), rubric().difficulties["normal"]
    state.accepted = True
    state.asked = [q.id for q in scenario.questions]
    return scenario, level, state


def test_decided_it_answers_a_choice_with_an_option_and_a_proposal_with_yes():
    scenario, level, state = _accepted("sme_settlement_card")
    choice = turn("网银和结算卡两样都办,还是先只办网银?", requests=["decide"], question=True)
    reply, events = engine.respond(scenario, state, level, choice)
    picked = [e for e in events if e.startswith("choose:")]
    assert picked and picked[0].split(":", 1)[1] in ("网银和结算卡两样都办", "先只办网银")
    assert picked[0].split(":", 1)[1] in reply
    proposal = turn("那我就按这个给您办,这样行吗?", moves=["confirm_business"], question=True)
    assert "agree" in engine.respond(scenario, state, level, proposal)[1]


def test_not_convinced_it_takes_the_option_that_puts_the_decision_off():
    _, events = play(
        "retiree_maturing_deposit",
        [GREETING, turn("您看今天就办,还是回去再考虑考虑?", requests=["decide"], question=True)],
    )
    assert any(e.startswith("choose:") and "考虑" in e for e in events[-1])


def test_anything_else_gets_nothing_more():
    _, events = play("counter_7step_withdrawal", [GREETING, turn("好了。还有别的要办吗?", question=True)])
    assert events[-1] == ["nothing_else"]


def test_a_question_about_a_relative_gets_its_family_not_its_own_age():
    _, events = play(
        "angry_queue_complaint", [GREETING, turn("老爷子今年多大岁数了?", personal=["age"], question=True)]
    )
    assert "fact:family.parents" in events[-1] and "fact:age" not in events[-1]


def test_one_relative_asked_gets_that_relative_and_the_whole_family_after():
    _, events = play(
        "retiree_maturing_deposit",
        [
            GREETING,
            turn("您儿子在哪儿工作呀?", personal=["job"], question=True),
            turn("您老伴是做什么的?", personal=["job"], question=True),
            turn("家里几口人呀?", personal=["family"], question=True),
        ],
    )
    assert events[1] == ["fact:family.children"]
    assert events[2] == ["fact:family.spouse"]
    assert events[3] == ["fact:family"]


def test_a_relative_the_persona_does_not_have_apart_gets_the_whole_family():
    # the young worker is not married: asked about a wife, it says how things stand, girlfriend and all
    _, events = play("fund_sip_young_worker", [GREETING, turn("您爱人在哪上班?", personal=["job"], question=True)])
    assert events[-1] == ["fact:family"]


def test_asked_about_its_own_affairs_beyond_its_facts_it_does_not_say_it_is_no_banker():
    _, events = play("retiree_maturing_deposit", [GREETING, turn("您平常早上几点出门遛弯?", question=True)])
    assert events[-1] == ["unknown"]


def test_not_sure_is_said_only_when_nothing_else_is():
    # asked to type its PIN beside a detail its facts do not hold (the month of the bonus), it types it without "说不准"
    asked = turn(
        "你们公司几月发年终奖?你在密码器上输一下密码。", personal=["income"], requests=["enter_pin"], question=True
    )
    _, events = play("fund_sip_young_worker", [GREETING, asked])
    assert "unknown" not in events[-1] and "request:enter_pin" in events[-1]
    # asked only that, it says it is not sure
    _, events = play(
        "fund_sip_young_worker", [GREETING, turn("你们公司几月发年终奖?", personal=["income"], question=True)]
    )
    assert events[-1] == ["unknown"]


def test_asked_whether_something_is_done_it_says_so_in_the_questions_verb():
    _, events = play("sme_settlement_card", [GREETING, turn("营业执照和公章都带齐了没?", question=True)])
    assert events[-1] == ["affirm:带齐了"]


def test_sympathy_alone_does_not_count_as_an_answer_to_a_worry():
    scenario, level = get_scenario("fund_sip_young_worker"), rubric().difficulties["normal"]
    state, _ = play("fund_sip_young_worker", [GREETING])
    state.revealed = [scenario.needs[0].id]
    state.open_objection, state.objection_turn = scenario.objections[-1].id, state.turn
    events = engine.respond(scenario, state, level, turn("您的担心很正常。", moves=["empathy"]))[1]
    assert "acknowledge" not in events and state.open_objection


def test_a_reply_does_not_say_the_same_phrase_twice():
    from assistant.drill.realiser import TemplateRealiser

    state, _ = play("sme_settlement_card", [GREETING])
    line = TemplateRealiser().choose(["好,搞快点哈。", "要得。"], state, "x", said_now="你好,搞快点哈。")
    assert line == "要得。"


@pytest.mark.parametrize(
    "case, analysis, expected",
    [
        ("a rating asked with the hand-back", turn(moves=["reminder", "evaluation_request"]), ["evaluation"]),
        (
            "cash handed over, the model unsure it is a hand-back",
            turn("(递上现金)好了,五千,卡给您。", moves=["reminder", "confirm_business"], sure=["confirm_business"]),
            ["handed_back"],
        ),
        ("'this is yours' with nothing else", turn("这是您的东西。", moves=["reminder"], sure=[]), ["handed_back"]),
    ],
)
def test_what_it_is_handed_or_asked_last_is_what_it_reacts_to(case, analysis, expected):
    _, events = play("counter_7step_withdrawal", [GREETING, analysis])
    assert events[-1] == expected, case


def test_a_worry_about_one_subject_waits_for_a_pitch_about_it():
    scenario, level = get_scenario("counter_7step_withdrawal"), rubric().difficulties["normal"]
    state, _ = play("counter_7step_withdrawal", [GREETING])
    state.revealed = [n.id for n in scenario.needs]
    other = engine.respond(scenario, state, level, turn("理财利息高一点。", moves=["presentation"], topics=["wealth"]))[
        1
    ]
    assert not any(e.startswith("objection:") for e in other)
    own = turn("门口机器取更快。", moves=["presentation"], topics=["self_service"])
    assert any(e.startswith("objection:") for e in engine.respond(scenario, state, level, own)[1])


def test_a_turn_ending_on_whether_it_brought_its_papers_is_answered_beside_a_fact():
    # (the model heard the trade asked about in the first question; the turn ends asking about the seals)
    asked = replace(
        turn("您是做哪行的?财务章和法人章今天带了吗?", personal=["job"], question=True), question_text="您是做哪行的?"
    )
    _, events = play("sme_settlement_card", [GREETING, asked])
    assert events[-1][0] == "fact:job" and events[-1][1].startswith("affirm:带")
    # a yes that would only repeat what the fact said is not added ("有对象了吧?" → "……女朋友…… 有,哈哈")
    partner = turn("你是做什么工作的?有女朋友了吧?", personal=["job", "family"], question=True)
    _, events = play("fund_sip_young_worker", [GREETING, partner])
    assert not any(e.startswith("affirm:") for e in events[-1])


def test_a_worry_voiced_comes_before_doing_what_it_is_asked():
    scenario, level = get_scenario("counter_7step_withdrawal"), rubric().difficulties["normal"]
    state, _ = play("counter_7step_withdrawal", [GREETING])
    state.revealed = [n.id for n in scenario.needs]
    steered = turn("门口那台插卡就能取,不用排队。您先在这儿输一下密码。", moves=["diversion"], requests=["enter_pin"])
    events = engine.respond(scenario, state, level, steered)[1]
    assert any(e.startswith("objection:") for e in events)
    assert "request:enter_pin" not in events  # not "机器我不会使…… 得嘞,按完了"
    state.open_objection = None  # its worry answered: asked again, it does it
    assert (
        "request:enter_pin" in engine.respond(scenario, state, level, turn("密码您输一下。", requests=["enter_pin"]))[1]
    )
    # done first, then its own question pressed again: that order reads well and stays
    scenario = get_scenario("angry_queue_complaint")
    state, _ = play("angry_queue_complaint", [GREETING])
    question = scenario.questions[0].id
    state.asked, state.open_question, state.question_turn = [question], question, state.turn - 1
    back = turn("卡和回单都还给您,您当面点一下。", moves=["reminder"], requests=["check"])
    assert engine.respond(scenario, state, level, back)[1] == ["request:check", f"ask_again:{question}"]


def test_a_pitch_that_names_no_subject_does_not_raise_a_worry_about_the_machines():
    scenario, level = get_scenario("counter_7step_withdrawal"), rubric().difficulties["normal"]
    state, _ = play("counter_7step_withdrawal", [GREETING])
    state.revealed = [n.id for n in scenario.needs]
    vague = engine.respond(scenario, state, level, turn("年化三点多,比活期高多了。", moves=["presentation"]))[1]
    assert not any(e.startswith("objection:") for e in vague), vague
    steered = turn("门口那台插卡就能取,不用排队。", moves=["diversion"])
    assert any(e.startswith("objection:") for e in engine.respond(scenario, state, level, steered)[1])


def test_papers_handed_back_to_check_get_checked():
    handed = turn("卡和回单给您,您核对一下。", moves=["reminder"], requests=["hand_over", "check"])
    _, events = play("counter_7step_withdrawal", [GREETING, handed])
    assert events[-1] == ["request:check"]


def test_a_detail_to_settle_gets_an_option_even_before_it_is_convinced():
    detail = turn("五千都给您一百的,还是要点零钱?", requests=["decide"], question=True)
    _, events = play("counter_7step_withdrawal", [GREETING, detail])
    assert len(events[-1]) == 1 and events[-1][0] in ("choose:五千都给我一百的", "choose:要点零钱")


def test_asked_for_its_papers_it_hands_them_over_even_when_the_model_also_hears_a_hand_back():
    asked = turn("那我给您办了?身份证和存单给我一下。", moves=["reminder"], requests=["hand_over"], question=True)
    _, events = play("retiree_maturing_deposit", [GREETING, asked])
    assert "request:hand_over" in events[-1]


def test_a_figure_already_said_in_the_reply_is_not_said_again():
    from assistant.drill.realiser import overlaps

    assert overlaps("工资到手九千左右。", "每月五百吧,到手才九千。")
    assert not overlaps("工资到手八千左右。", "每月五百吧。")


def test_a_choice_that_ends_the_turn_is_answered_whatever_else_the_turn_did():
    # no "decide" request heard, a hand-back heard: the question at the end is still what it answers
    detail = turn("钱点好了。要整的,还是拆点五十的?", moves=["reminder"], question=True)
    _, events = play("counter_7step_withdrawal", [GREETING, detail])
    assert len(events[-1]) == 1 and events[-1][0].startswith(("choose:", "affirm:"))


def test_a_choice_about_how_things_are_gets_a_plain_answer():
    # "走路来的,还是坐车来的?" asks for no decision: the option is the short answer, not "……,就这么定"
    scenario_id = "counter_7step_withdrawal"
    asked = turn("您今天是走路过来的,还是坐车过来的?", question=True)
    _, events = play(scenario_id, [GREETING, asked])
    said = [e for e in events[-1] if e.startswith("affirm:")]
    assert said and said[0].split(":", 1)[1] in ("走路过来的", "坐车过来的")
    assert not any(e.startswith("choose:") for e in events[-1])
    # (a decision asked for is answered with a decision made: test_decided_it_answers_a_choice_with_an_option...)


def test_an_option_is_picked_by_what_the_persona_says_of_itself():
    # the restaurant owner came in the shop's van (its facts say so): it says so, whatever the seed
    choice = turn("您今天是坐地铁过来的,还是开车来的?", question=True)
    picked = {play("sme_settlement_card", [GREETING, choice], seed=seed)[1][-1][0] for seed in range(6)}
    assert picked == {"affirm:开车来的"}  # how it came is no decision: a plain answer (the test above)


def test_a_choice_followed_by_another_question_is_not_the_one_answered():
    from assistant.drill.asking import offered_choice

    assert offered_choice("您同事买的是股票型还是债券型?您自己怎么看?") is None
    assert offered_choice("您同事买的是股票型还是债券型?") is not None


def test_a_rating_asked_for_is_not_taken_for_operating_the_machine():
    rating = turn("麻烦在评价器上帮我点一下满意。", moves=["evaluation_request"], requests=["fill_in"])
    _, events = play("counter_7step_withdrawal", [GREETING, rating])
    assert events[-1] == ["evaluation"]


def test_a_question_about_what_it_brought_is_answered_not_taken_for_a_push_to_decide():
    # the moves model hears a referral in "我是理财经理"; the turn asks only whether the papers are here
    asked = turn("我是这儿的理财经理。您证件带了吗?", moves=["referral"], question=True)
    _, events = play("retiree_maturing_deposit", [GREETING, asked])
    assert events[-1] == ["affirm:带了"]


def test_asked_to_check_more_often_than_it_has_phrasings_it_never_says_a_line_twice():
    checks = [turn(f"第{n}张单子您核对一下。", requests=["check"]) for n in range(6)]
    state, events = play("sme_settlement_card", [GREETING, *checks])
    assert all(e == ["request:check"] for e in events[1:])
    assert len(state.said) == len(set(state.said))  # every line said is a different line


def test_a_goodbye_that_still_asks_it_to_sign_does_not_end_the_visit():
    bye = turn("回单这儿签个字,钱揣好,路上慢点。", moves=["reminder", "farewell"], requests=["sign"])
    state, events = play("counter_7step_withdrawal", [GREETING, bye])
    assert not state.done and events[-1] == ["request:sign"]


def test_asked_for_a_rating_on_the_way_out_it_rates_then_goes():
    bye = turn("走之前帮忙评个价,您慢走。", moves=["evaluation_request", "farewell"])
    state, events = play("counter_7step_withdrawal", [GREETING, bye])
    assert state.done and events[-1][0] == "evaluation" and events[-1][1] in ("farewell", "walk_away")


def test_a_fact_already_told_is_not_told_again_when_only_mentioned():
    asked = turn("您平时用手机银行吗?", personal=["mobile_banking"], question=True)
    mentioned = turn("会用微信的话,手机银行也好上手。", personal=["mobile_banking"])
    _, events = play("counter_7step_withdrawal", [GREETING, asked, mentioned])
    assert events[1] == ["fact:mobile_banking"]
    assert not any(e.startswith("fact:") for e in events[2])


def test_a_fact_with_a_figure_the_reply_has_not_said_is_still_said():
    from assistant.drill.realiser import adds_a_figure

    assert adds_a_figure("八十万定期今天到期,其中二十万给儿子", "儿子明年换房,我支援二十万。")
    assert not adds_a_figure("到手九千", "每月五百吧,到手才九千。")


def test_a_fact_is_worded_without_a_phrase_of_the_last_replies_where_a_phrasing_allows():
    from assistant.drill.realiser import CustomerAct, TemplateRealiser, restates

    scenario = get_scenario("retiree_maturing_deposit")
    for seed in range(8):
        state, _ = play("retiree_maturing_deposit", [GREETING], seed=seed)
        state.recent = ["剩下养老的钱,一分都不能动。"]
        lines = scenario.persona.fact("money_purpose").lines
        unsaid = [line for line in lines if not restates(line, state.recent[-1])]
        assert 0 < len(unsaid) < len(lines)
        reply = TemplateRealiser().realise([CustomerAct("fact", "money_purpose")], scenario, state)
        assert reply in unsaid
        assert state.recent[-1] == reply  # what it said is remembered for the next reply
    # every phrasing restating what it said a turn ago ("老伴看病"), it still answers
    state.recent = [lines[0]]
    assert all(restates(line, lines[0]) for line in lines)
    assert TemplateRealiser().realise([CustomerAct("fact", "money_purpose")], scenario, state) in lines
    # a shared number is no restatement across turns: "二十来分钟" and "二十多年"
    assert not restates("我在装修队干水电,二十多年了。", "排了二十来分钟,腿都站酸了。")
    assert restates("每月五百,到手九千。", "工资到手九千左右吧。")


def test_a_fact_is_told_a_second_time_only_when_plainly_asked_again():
    first = turn("您今天办多少?", requests=["amount"], question=True)
    barely = turn("您号多少来着?", requests=["amount"], question=True, asked=[])  # the model barely hears the amount
    plainly = turn("金额再跟我说一遍?", requests=["amount"], question=True)
    _, events = play("vip_lobby_referral", [GREETING, first, barely, plainly])
    assert "fact:amount" in events[1]
    assert "fact:amount" not in events[2]
    assert "fact:amount" in events[3]


def test_a_worry_answered_with_its_name_asked_gives_the_name_not_a_second_yes():
    apology = turn("让您久等了,实在对不起。", moves=["apology"])
    record = replace(
        turn("我马上给您登记投诉。您怎么称呼?", moves=["objection_answer"], personal=["name"], question=True),
        acts={"record"},
    )
    business = turn("您今天办什么业务?", moves=["needs_question"], question=True)
    state, events = play("angry_queue_complaint", [GREETING, business, apology, record], difficulty="easy")
    assert "objection:want_to_complain" in events[0] and "reveal:business" in events[1]
    assert events[3] == ["answered:want_to_complain", "fact:name"]
    assert state.accepted  # ready: the yes goes without saying, the next turn is about the business


def test_its_name_asked_again_plainly_is_told_again():
    asked = turn("您贵姓?", personal=["name"], question=True)
    _, events = play(
        "angry_queue_complaint", [GREETING, asked, turn("好的。登记一下,您贵姓?", personal=["name"], question=True)]
    )
    assert events[1] == ["fact:name"] and events[2] == ["fact:name"]


def test_a_proposal_is_answered_not_confirmed_or_taken_in():
    hundreds = turn("密码对的。都给您一百的可以吗?", moves=["confirm_business"], question=True)
    _, events = play("counter_7step_withdrawal", [GREETING, hundreds])
    assert events[-1] == ["agree"]  # not "对,就是这个事"
    wealth = turn("五千您点一下。对了,要不要看看我们的理财?", moves=["benefit"], question=True)
    _, events = play("counter_7step_withdrawal", [GREETING, wealth])
    assert events[-1] == ["pitch_too_early"]  # not "哦,这么回事,我记下了"


def test_it_presses_for_a_promise_only_about_a_product_that_may_lose():
    scenario, level = get_scenario("retiree_maturing_deposit"), rubric().difficulties["normal"]
    state, _ = play("retiree_maturing_deposit", [GREETING])
    state.revealed = [n.id for n in scenario.needs]
    state.raised = state.answered = [o.id for o in scenario.objections if o.kind == "worry"]  # only the plea is left
    deposit = turn("存三年大额存单,利率比定期高一点。", moves=["presentation", "benefit"])
    events = engine.respond(scenario, state, level, deposit)[1]
    assert "objection:promise_pressure" not in events
    product = turn("另外有款稳健的理财,业绩比较基准三点二。", moves=["presentation", "benefit"])
    assert "objection:promise_pressure" in engine.respond(scenario, state, level, product)[1]


def test_a_worry_that_speaks_of_a_wealth_product_does_not_hold_back_a_deposit_plan():
    scenario, level = get_scenario("retiree_maturing_deposit"), rubric().difficulties["normal"]
    state, _ = play("retiree_maturing_deposit", [GREETING])
    waiting = [o.id for o in engine.planned_objections(scenario, "normal", level) if engine._about_risk_product(o)]
    assert waiting, "the scenario has a worry about a wealth product"
    state.revealed = [n.id for n in scenario.needs]
    state.raised = [o.id for o in scenario.objections if o.id not in waiting]
    state.answered = list(state.raised)
    state.trust = level.trust_to_accept
    events = engine.respond(scenario, state, level, turn("您看就这么存,行吗?", moves=["closing"], question=True))[1]
    assert "accept" in events and not any(e.startswith("objection:") for e in events)


def test_a_plain_goodbye_from_staff_who_did_no_wrong_is_answered_warmly():
    lines = [GREETING, turn("您的五千,请点一下。", moves=["reminder"]), turn("慢走,再见!", moves=["farewell"])]
    state, events = play("counter_7step_withdrawal", lines)
    assert state.done and "farewell" in events[-1] and "walk_away" not in events[-1]


def test_its_business_done_it_does_not_say_again_what_it_came_for():
    scenario, level, state = _accepted("retiree_maturing_deposit")
    state.handed_back = True
    asked = turn("您今天咋过来的?", personal=["commute", "reason"], question=True)
    events = engine.respond(scenario, state, level, asked)[1]
    assert "fact:commute" in events and "fact:reason" not in events


def test_decided_with_its_own_question_just_answered_the_thanks_is_the_reply():
    scenario, level, state = _accepted("fund_sip_young_worker")
    state.open_question, state.question_turn = "min_amount", state.turn
    events = engine.respond(scenario, state, level, turn("每月最少一百块起投。", moves=["presentation"]))[1]
    assert events == ["answer_thanks:min_amount"]


def test_a_goodbye_after_a_pushy_pitch_is_a_goodbye_and_a_rude_one_gets_the_curt_one():
    pushed = turn(requests=["decide"], question=True)  # pushed to decide twice before anything: neglect
    bye = turn("那您慢走。", moves=["farewell"])
    state, events = play("fund_sip_young_worker", [GREETING, pushed, pushed, bye])
    assert state.offences and state.done and "farewell" in events[-1], (state.offences, events)
    rude = turn("你到底取不取?磨磨唧唧的。", moves=["rude"])
    state, events = play("fund_sip_young_worker", [GREETING, rude, bye])
    assert state.offences.get("rude") and ("walk_away" in events[-1] or state.outcome == "walked_away"), events


def test_a_goodbye_ends_the_visit_unless_its_last_sentence_asks():
    # "辛苦啥呢" has a question particle but asks nothing at the end
    bye = turn("辛苦啥呢,应该的。您慢走,再见!", moves=["farewell", "small_talk"], question=True)
    state, _ = play("counter_7step_withdrawal", [GREETING, bye])
    assert state.done
    asks = turn("您慢走。对了,您电话还是原来那个吗?", moves=["farewell"], personal=["contact"], question=True)
    state, _ = play("counter_7step_withdrawal", [GREETING, asks])
    assert not state.done


def test_a_goodbye_the_model_is_unsure_of_ends_the_visit_once_its_things_are_handed_back():
    handed = turn("(递回卡和现金)您的五千和卡,收好。", moves=["reminder"])
    unsure_bye = turn("嗯,那就这样。(按下一位)", moves=["farewell"], sure=[])
    state, _ = play("counter_7step_withdrawal", [GREETING, handed, unsure_bye])
    assert state.done
    state, _ = play("counter_7step_withdrawal", [GREETING, unsure_bye])
    assert not state.done  # mid-business, an unsure goodbye is not taken for one


def test_a_question_about_one_aspect_of_a_fact_gets_that_aspect_and_reaches_no_need():
    # the VIP customer's money is two sums: asked what today's transfer is for, it says the supplier's payment,
    # not the son's down payment from the deposit maturing elsewhere (its hidden need stays hidden)
    transfer = turn("这几十万是转给谁的呀?", personal=["money_purpose"], question=True)
    _, events = play("vip_lobby_referral", [GREETING, transfer])
    assert events[-1] == ["fact:money_purpose.transfer"]
    # asked plainly what the money is for, the fact itself (and the need it is) as before
    plain = turn("这笔钱以后有什么用处?", personal=["money_purpose"], question=True)
    _, events = play("vip_lobby_referral", [GREETING, plain])
    assert not any(e.startswith("fact:money_purpose.") for e in events[-1])
