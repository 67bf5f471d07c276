"""The scorer on hand-built analyses, one rule of the coach's grading (design/GRADING.md) per row or small test.

No encoder, index or database is reachable (the autouse fixture makes any path to them fail), so the file runs in
seconds and a broken rule names itself. Expected figures are worked out here from scripts_kb/rubric.yaml and the
scenario's own checkpoints, never copied from a scorer run, so they move with the content and catch broken arithmetic.
(test_scoring.py checks the same rules end to end, through the real understanding.)
"""

import pytest

from assistant.content import get_content
from assistant.drill.scenarios import get_scenario, rubric
from assistant.drill.understanding import TurnAnalysis, Violation, evidence_matches
from assistant.errors import InputError
from assistant.scoring import scorer
from assistant.scoring.scorer import score_transcript
from assistant.vocabulary import DIMENSIONS

FUND, COUNTER = "fund_sip_young_worker", "counter_7step_withdrawal"
CUSTOMER = "嗯。"
PLAIN = "好的。"  # a staff line that does nothing a checkpoint asks for
RISK_PRODUCT = "给您介绍一下基金定投。"  # names a non-deposit product: a risk disclosure is now due
PROMISE = Violation("promise", "这个基金保本", "承诺保本保收益", 0.99)


@pytest.fixture(autouse=True)
def no_encoder_index_or_database(monkeypatch):
    """Any path to the sentence encoder, the retrieval index or the database fails the test loudly."""

    def refuse(*args, **kwargs):
        raise AssertionError("a fast scorer test reached the encoder, the index or the database")

    for target in (
        "assistant.drill.understanding.get_understanding",
        "assistant.scoring.scorer.get_understanding",
        "assistant.retrieval.get_searcher",
        "assistant.retrieval.searcher.get_searcher",
        "assistant.retrieval.searcher.open_searcher",
        "assistant.retrieval.searcher.load_embedder",
        "assistant.db.Database.get",
    ):
        monkeypatch.setattr(target, refuse)


# -- building drills -------------------------------------------------------------------------------------------
def checkpoint(scenario, checkpoint_id):
    return next(c for c in scenario.checkpoints if c.id == checkpoint_id)


def met(scenario, analysis: TurnAnalysis) -> set[str]:
    """The checkpoints an analysed turn is evidence for, asked of the understanding layer, not of the scorer."""
    return {c.id for c in scenario.checkpoints if any(evidence_matches(e, analysis) for e in c.evidence)}


def doing(scenario, *checkpoint_ids: str, text: str = PLAIN, violation: Violation | None = None) -> TurnAnalysis:
    """A staff turn as the understanding would describe one that does exactly these checkpoints (each by its first
    evidence alternative), and nothing else."""
    moves, acts, words = set(), set(), ""
    for checkpoint_id in checkpoint_ids:
        evidence = checkpoint(scenario, checkpoint_id).evidence[0]
        moves.update(evidence.moves[:1])
        acts.update(evidence.acts[:1])
        words += "".join(group[0] for group in evidence.all_of)
    analysis = TurnAnalysis(
        text=text + words,
        moves=moves,
        sure_moves=set(moves),
        acts=acts,
        question_text=text + words,
        violations=[violation] if violation else [],
    )
    assert met(scenario, analysis) == set(checkpoint_ids), f"the hand-built turn should do exactly {checkpoint_ids}"
    return analysis


def in_order(scenario) -> list[str]:
    """Every checkpoint id, each after the ones it must follow (`after`)."""
    order: list[str] = []
    pending = list(scenario.checkpoints)
    while pending:
        ready = next(c for c in pending if set(c.after) <= set(order))
        order.append(ready.id)
        pending.remove(ready)
    return order


def without(ids: list[str], *dropped: str) -> list[str]:
    return [i for i in ids if i not in dropped]


def before(ids: list[str], moved: str, anchor: str) -> list[str]:
    """`ids` with `moved` taken out and put just before `anchor`."""
    rest = without(ids, moved)
    at = rest.index(anchor)
    return [*rest[:at], moved, *rest[at:]]


def drill(scenario, staff: list[TurnAnalysis]) -> tuple[dict, dict[int, TurnAnalysis]]:
    """The transcript and the analyses keyed by turn: the customer speaks first, staff turn k is turn 2k + 1."""
    turns: list[dict] = []
    analyses: dict[int, TurnAnalysis] = {}
    for analysis in staff:
        turns.append({"speaker": "customer", "text": CUSTOMER})
        analyses[len(turns)] = analysis
        turns.append({"speaker": "staff", "text": analysis.text})
    return {"scenario": scenario.id, "turns": turns}, analyses


def score(scenario, staff: list[TurnAnalysis], **kwargs) -> dict:
    transcript, analyses = drill(scenario, staff)
    return score_transcript(transcript, analyses, **kwargs)


def one_per_turn(scenario, done: list[str], texts: dict[int, str] | None = None) -> list[TurnAnalysis]:
    """A turn for each checkpoint in `done`, in that order (`texts`: the line said at some of those turns)."""
    return [doing(scenario, cid, text=(texts or {}).get(n, PLAIN)) for n, cid in enumerate(done)]


def pitch(text: str) -> TurnAnalysis:
    """A turn that pitches (a presentation) and does no checkpoint of FUND: a risk product named there is pitched, and
    owes the customer a disclosure."""
    return TurnAnalysis(text=text, moves={"presentation"}, sure_moves={"presentation"})


# -- the coach's arithmetic (GRADING.md, scripts_kb/rubric.yaml) ---------------------------------------------------
def credit(scenario, done: list[str]) -> dict[str, float]:
    """The share of its weight each checkpoint earns when done once, one per turn, in this order: all of it when what
    it must follow was done earlier, rubric.out_of_order_credit otherwise."""
    return {
        cid: 1.0 if set(checkpoint(scenario, cid).after) <= set(done[:n]) else rubric().out_of_order_credit
        for n, cid in enumerate(done)
    }


def expected(scenario, credited: dict[str, float], risk_product=False, violation=False, weights=None) -> dict:
    """Dimensions, total and verdict as GRADING.md computes them."""
    rules = rubric()
    dimensions = {}
    for d in DIMENSIONS:
        checkpoints = [c for c in scenario.checkpoints if c.dimension == d]
        weight = sum(c.weight for c in checkpoints)
        earned = sum(c.weight * credited.get(c.id, 0.0) for c in checkpoints)
        if d == "compliance":
            if violation:
                value = 0.0
            elif not checkpoints or not risk_product:
                value = 100.0
            else:
                value = 100.0 - rules.disclosure_penalty * (1 - earned / weight)
        else:
            share = earned / weight if weight else 1.0
            value = rules.dimension_floor + (100 - rules.dimension_floor) * share**rules.dimension_curve
        dimensions[d] = round(value)
    weights = weights or scenario.weights or rules.weights
    total = round(sum(weights[d] * dimensions[d] for d in DIMENSIONS))
    return {"dimensions": dimensions, "total": total, "passed": total >= rules.pass_total and not violation}


def figures(report: dict) -> dict:
    return {key: report[key] for key in ("dimensions", "total", "passed")}


def finding(report: dict, checkpoint_id: str) -> dict:
    return next(f for f in report["findings"] if f["checkpoint"] == checkpoint_id)


# -- the tests ---------------------------------------------------------------------------------------------------
def test_a_staff_turn_without_an_analysis_would_need_the_encoder_and_here_fails_loudly():
    scenario = get_scenario(FUND)
    transcript, analyses = drill(scenario, [doing(scenario, "greeting"), doing(scenario)])
    del analyses[max(analyses)]
    with pytest.raises(AssertionError, match="encoder"):
        score_transcript(transcript, analyses)


@pytest.mark.parametrize("scenario_id", [FUND, COUNTER])
def test_everything_done_in_order_earns_full_marks_each_credited_to_its_turn(scenario_id):
    scenario = get_scenario(scenario_id)
    done = in_order(scenario)
    report = score(scenario, one_per_turn(scenario, done))
    assert figures(report) == expected(scenario, dict.fromkeys(done, 1.0))
    assert report["dimensions"] == dict.fromkeys(DIMENSIONS, 100) and report["total"] == 100 and report["passed"]
    for n, cid in enumerate(done):
        hit = finding(report, cid)
        assert hit["status"] == "hit" and hit["evidence_turn"] == 2 * n + 1, cid
        assert hit["note"].startswith(f"第 {2 * n + 2} 轮做到")
    assert report["feedback"]["improve"] == [] and 0 < len(report["feedback"]["praise"]) <= scorer.MAX_PRAISE


@pytest.mark.parametrize("scenario_id", [FUND, COUNTER])
def test_nothing_done_earns_the_floor_and_every_checkpoint_is_a_miss(scenario_id):
    scenario, rules = get_scenario(scenario_id), rubric()
    report = score(scenario, [doing(scenario)])
    assert figures(report) == expected(scenario, {})
    assert [report["dimensions"][d] for d in ("service", "script", "concept")] == [round(rules.dimension_floor)] * 3
    assert report["dimensions"]["compliance"] == 100 and not report["passed"]
    assert {f["checkpoint"] for f in report["findings"]} == {c.id for c in scenario.checkpoints}
    assert all(f["status"] == "miss" and f["evidence_turn"] is None for f in report["findings"])
    assert report["feedback"]["improve"][-1] == scorer.ENCOURAGEMENT


@pytest.mark.parametrize(
    "case, missed, said, pitched, risk_product, violation, compliance",
    [
        ("no risk product came up: no disclosure due", ["risk_disclosure"], PLAIN, True, False, None, "clean"),
        ("a risk product with its disclosure", [], RISK_PRODUCT, True, True, None, "clean"),
        ("存款保险 is no risk product", ["risk_disclosure"], "存款受存款保险保障。", True, False, None, "clean"),
        ("理财经理 is a title", ["risk_disclosure"], "理财经理一会儿过来跟您聊。", True, False, None, "clean"),
        ("a risk product, no disclosure: lowered", ["risk_disclosure"], RISK_PRODUCT, True, True, None, "lowered"),
        ("a risk product named, never pitched", ["risk_disclosure"], RISK_PRODUCT, False, False, None, "clean"),
        ("a violation: 0 and failed whatever the total", [], RISK_PRODUCT, True, True, PROMISE, "zero"),
    ],
)
def test_compliance(case, missed, said, pitched, risk_product, violation, compliance):
    scenario, rules = get_scenario(FUND), rubric()
    done = without(in_order(scenario), *missed)
    staff = one_per_turn(scenario, done, {} if pitched else {0: said}) + ([pitch(said)] if pitched else [])
    if violation:
        staff[len(done) - 1] = doing(scenario, done[-1], violation=violation)
    report = score(scenario, staff)
    assert figures(report) == expected(scenario, credit(scenario, done), risk_product, bool(violation)), case
    want = {"clean": 100, "lowered": 100 - rules.disclosure_penalty, "zero": 0}[compliance]
    assert report["dimensions"]["compliance"] == want, case
    slips = [f for f in report["findings"] if f["status"] == "violation"]
    if violation:
        assert report["total"] >= rules.pass_total and not report["passed"]
        assert slips == [finding(report, f"compliance_{violation.kind}")]
        assert slips[0]["evidence_turn"] == 2 * len(done) - 1 and violation.phrase in slips[0]["note"]
        assert report["feedback"]["improve"][0].startswith("合规红线")
    else:
        assert slips == [] and report["passed"]
    for cid in missed:
        assert finding(report, cid)["status"] == "miss"


def test_credit_goes_to_the_turn_that_does_it_not_to_a_polite_line_nearby():
    scenario = get_scenario(FUND)
    courtesy = TurnAnalysis(text="您怎么称呼?", moves={"small_talk"}, personal=["name"], is_question=True)
    assert met(scenario, courtesy) == set()
    rest = without(in_order(scenario), "greeting", "needs_question")
    needs = doing(scenario, "needs_question")
    staff = [doing(scenario, "greeting"), courtesy, needs, *one_per_turn(scenario, rest), needs]
    report = score(scenario, staff)
    assert finding(report, "needs_question")["evidence_turn"] == 5  # the third staff turn, not the courtesy before it
    assert finding(report, "greeting")["evidence_turn"] == 1
    assert figures(report) == expected(scenario, credit(scenario, ["greeting", "needs_question", *rest]))


@pytest.mark.parametrize(
    "case, scenario_id, reorder",
    [
        ("a pitch before the needs question", FUND, lambda ids: before(ids, "fab_feature", "needs_question")),
        ("never greeted: what must follow the greeting", FUND, lambda ids: without(ids, "greeting")),
        ("greeted last: every step after the greeting", COUNTER, lambda ids: [*without(ids, "greet"), "greet"]),
    ],
)
def test_out_of_order_earns_partial_credit(case, scenario_id, reorder):
    scenario, rules = get_scenario(scenario_id), rubric()
    done = reorder(in_order(scenario))
    credited = credit(scenario, done)
    late = [cid for cid, share in credited.items() if share < 1]
    assert late and rules.out_of_order_credit < 1, case
    report = score(scenario, one_per_turn(scenario, done))
    assert figures(report) == expected(scenario, credited), case
    for cid in late:
        hit = finding(report, cid)
        assert hit["status"] == "hit" and hit["evidence_turn"] == 2 * done.index(cid) + 1
        assert "顺序不对" in hit["note"]
    full = score(scenario, one_per_turn(scenario, in_order(scenario)))
    assert report["total"] < full["total"]


def test_done_out_of_order_then_in_order_earns_full_credit_at_the_later_turn():
    scenario = get_scenario(FUND)
    done = in_order(scenario)
    report = score(scenario, [doing(scenario, "fab_feature"), *one_per_turn(scenario, done)])
    assert figures(report) == expected(scenario, dict.fromkeys(done, 1.0))
    assert finding(report, "fab_feature")["evidence_turn"] == 2 * (1 + done.index("fab_feature")) + 1


@pytest.mark.parametrize("dimension", DIMENSIONS)
def test_missing_a_whole_dimension_costs_its_weight(dimension):
    scenario, rules = get_scenario(FUND), rubric()
    dropped = [c.id for c in scenario.checkpoints if c.dimension == dimension]
    done = without(in_order(scenario), *dropped)
    report = score(scenario, [*one_per_turn(scenario, done), pitch(RISK_PRODUCT)])
    want = expected(scenario, credit(scenario, done), risk_product=True)
    assert figures(report) == want
    if dimension == "compliance":
        assert report["dimensions"][dimension] == 100 - rules.disclosure_penalty
    else:
        assert report["dimensions"][dimension] == round(rules.dimension_floor)
    assert want["total"] == round(sum(rules.weights[d] * want["dimensions"][d] for d in DIMENSIONS))


def test_a_scenario_may_weigh_the_dimensions_its_own_way(monkeypatch):
    scenario, rules = get_scenario(FUND), rubric()
    own = {"service": 0.1, "script": 0.1, "concept": 0.1, "compliance": 0.7}
    weighted = scenario.model_copy(update={"weights": own})
    monkeypatch.setattr(scorer, "get_scenario", lambda scenario_id: weighted)
    done = [c.id for c in scenario.checkpoints if c.dimension == "service"]
    report = score(weighted, one_per_turn(weighted, done))
    assert figures(report) == expected(weighted, credit(weighted, done), weights=own)
    assert report["total"] != expected(scenario, credit(scenario, done), weights=rules.weights)["total"]


@pytest.mark.parametrize("scenario_id", [FUND, COUNTER])
def test_passed_is_the_pass_mark_and_no_violation(scenario_id):
    """Leave out checkpoints from the end, one at a time: the verdict turns exactly where the total drops below
    rubric.pass_total."""
    scenario, rules = get_scenario(scenario_id), rubric()
    done = in_order(scenario)
    verdicts = []
    while done:
        report = score(scenario, one_per_turn(scenario, done))
        assert figures(report) == expected(scenario, credit(scenario, done))
        assert report["passed"] == (report["total"] >= rules.pass_total)
        verdicts.append(report["passed"])
        done = done[:-1]
    assert verdicts[0] and not verdicts[-1]
    assert verdicts == sorted(verdicts, reverse=True)  # once below the mark, it stays failed


def test_a_customer_question_left_unanswered_costs_service():
    scenario = get_scenario(FUND)
    asked = [q.id for q in scenario.questions[:2]]
    report = score(scenario, one_per_turn(scenario, in_order(scenario)), unanswered=asked)
    assert report["dimensions"]["service"] == 100 - scorer.UNANSWERED_COST * len(asked)
    assert [f["checkpoint"] for f in report["findings"] if f["status"] == "miss"] == [
        f"customer_question_{q}" for q in asked
    ]


@pytest.mark.parametrize(
    "case, transcript, code",
    [
        ("no turns", {"scenario": FUND, "turns": []}, "no_staff_turns"),
        ("only the customer", {"scenario": FUND, "turns": [{"speaker": "customer", "text": "你好"}]}, "no_staff_turns"),
        ("staff said nothing", {"scenario": FUND, "turns": [{"speaker": "staff", "text": "  "}]}, "no_staff_turns"),
        ("no scenario", {"turns": [{"speaker": "staff", "text": "您好"}]}, "bad_transcript"),
        ("not an object", [], "bad_transcript"),
    ],
)
def test_an_unscorable_transcript_is_a_clear_input_error(case, transcript, code):
    with pytest.raises(InputError) as info:
        score_transcript(transcript, {})
    assert info.value.code == code and info.value.user_message, case
    if code == "no_staff_turns":
        assert "员工" in info.value.user_message


@pytest.mark.parametrize("scenario_id", [FUND, COUNTER])
def test_the_standard_wording_addresses_the_customer_at_hand(scenario_id):
    """A miss points to the knowledge base's standard wording, with its sample address ("王先生") replaced by this
    drill's customer."""
    scenario = get_scenario(scenario_id)
    kb = get_content().kb
    name = scenario.persona.name
    for cp in scenario.checkpoints:
        entry = kb.by_id(cp.standard) if cp.standard else None
        wording = (" / ".join(entry.wording[:2]) if entry.wording else entry.text) if entry else ""
        addresses = [a for a in scorer._ADDRESS.findall(wording[: scorer.QUOTE_CHARS]) if a != name]
        if entry and addresses:
            break
    else:
        pytest.fail(f"no standard wording of {scenario_id} addresses a customer by name")
    report = score(scenario, one_per_turn(scenario, without(in_order(scenario), cp.id)))
    line = next(line for line in report["feedback"]["improve"] if line.startswith(cp.text))
    wording_shown = line.split(f"标准话术({entry.id}):")[1]
    assert name in wording_shown and not any(address in wording_shown for address in addresses)
