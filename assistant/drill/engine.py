"""The customer in a role-play: decides what the customer does in answer to what the staff member actually said.

Pure functions over a serialisable state: the same scenario, seed and staff lines always give the same conversation,
and a drill resumes from its stored state after a restart. The engine only decides (a list of CustomerAct); the
realiser words the decision (assistant/drill/realiser.py).

How the customer behaves, in order of a turn:
- a violation or rudeness is answered first (the customer turns wary or offended); called by the wrong name, or
  told a figure of its own wrongly ("本金二十万" to a customer with eighty), it puts that right before anything else;
- a worry it voiced is settled by a real answer, acknowledged when addressed in part (and settled by a second try),
  and pressed again only when the staff pitches on past it;
- a question about itself is answered from the persona's facts, the same fact each time; a question that reaches a
  hidden need gets the need; a question its facts do not cover gets an in-character, non-committal answer;
- a pitch may prompt its next worry or one of its own questions, whose answer it remembers;
- a service act (handing back the card, telling the wait, asking for an evaluation...) gets its fitting reaction;
- told there is no rush, a customer not ready (or, `persona.takes_time`, one wary of being sold to) takes the time;
- it walks out only after real neglect, rudeness or pressure, and says why.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, fields, replace
from functools import cached_property

from assistant.content.scenario import CustomerQuestion, Difficulty, Objection, Persona, Scenario
from assistant.drill.address import misaddressed, surname_of
from assistant.drill.asking import (
    KIN,
    Choice,
    asks_a_proposal,
    asks_again,
    asks_anything_else,
    asks_for_concerns,
    asks_if_brought,
    asks_if_so,
    asks_whether_so,
    asks_yes_or_no,
    ends_asking,
    gives_answer,
    gives_time,
    invites_concerns,
    invites_to_speak,
    last_question,
    offered_choice,
    relatives_asked,
    wanted_answer,
    yes_to,
)
from assistant.drill.figures import misstated
from assistant.drill.realiser import CustomerAct, Realiser, TemplateRealiser
from assistant.drill.understanding import TurnAnalysis, any_evidence
from assistant.nlu.features import ACTION_REQUESTS
from assistant.vocabulary import LEVELS, names_risk_product

MAX_STAFF_TURNS = 40
PITCH_MOVES = {"presentation", "benefit"}
DECISION_MOVES = {"closing", "referral"}
OFFER_MOVES = DECISION_MOVES | {"diversion"}  # the staff offers what to do now: decide, go with a colleague, a machine
ANSWER_MOVES = {"objection_answer", "risk_disclosure"}
# Requests (understanding/labels.yaml) the customer goes along with (reactions.requests); "decide" asks for a decision
# (a closing) and a request with a persona fact ("amount") is answered with the fact.
SURE_VIOLATION = 0.9  # a slip the customer reacts to (the scorer counts from the model's own threshold)
MAX_FACTS_A_TURN = 2
MAX_ACTS_A_REPLY = 2  # a new worry or question waits for the next turn when the reply already says this much
SHORT_TURN_CHARS = 30
ADDRESSED = re.compile("[您你]|麻烦|请")  # a line addressed to the customer, as opposed to talk in the air
ADDRESSED_REQUEST = re.compile("麻烦|请您|您先|给我")  # asking the customer to do or hand over something
STALE_AFTER = 3  # staff turns after which an open worry never pressed is let go
MAX_PRESSES = 2  # a worry pressed again at most this often
FORGIVEN_DODGES = 2  # worries pitched past that cost no patience yet (the understanding may have missed an answer)
# A service act the customer reacts to when nothing weightier was said, first match wins.
SERVICE_REACTIONS = (
    ("evaluation_request", "evaluation"),  # asked last of all, after the hand-back it often comes with
    ("reminder", "handed_back"),
    ("wait_time", "wait_time"),
    ("confirm_business", "confirm"),
    ("apology", "apology"),
    ("small_talk", "small_talk"),
    ("presentation", "explanation"),
    ("benefit", "explanation"),
    ("diversion", "explanation"),
    ("risk_disclosure", "explanation"),
    ("objection_answer", "explanation"),
    ("referral", "explanation"),
    ("off_topic", "off_topic"),
)
# facts with nothing beside them to ask about: asked plainly again ("您贵姓?" at the complaint form), they are asked
# again, and told again ("刚说了,张立新")
RETOLD_WHEN_ASKED = {"name", "contact"}
# personal topics that, asked about a relative ("老爷子多大岁数了?"), are answered by what it says of its family
ABOUT_A_RELATIVE = {"name", "age", "job", "home", "income", "schedule"}
# reactions that say nothing to a question like "带齐了没?", which then gets its short yes
YES_OVERRIDES = {None, "confirm", "explanation", "small_talk", "wait_time", "apology"}
# the direction of a hand-over, which the moves model can miss: "身份证给我一下" asks for it, "给您,收好" hands it back
# ("给我打个分" / "给我评个价" ask a favour: 给 is "for" there, nothing changes hands)
# ("拿出来我看看", "出示一下": the staff is the one who looks at it)
TO_STAFF = re.compile("[递拿交]给我|给我(?:看|一下|吧|[,。!!,;;]|$)|拿出来|出示|我(?:看看|看一下|瞧瞧|核对一下)")
# a card or passbook put into a machine ("卡插这儿,选转账", "存折翻开塞进去", "身份证放感应区"): the customer does it
# there itself. Heard as a hand-over, "喏,都在这儿,你看吧" was judged bad 25 times in 55 at a machine, rounds 10-18
# (37 in 206 elsewhere)
INTO_A_MACHINE = re.compile("插(?!队|话|嘴|一句)|塞进|塞到|塞这|感应区|读卡器|读卡区")
# something done on a screen or a form ("平板上点一下", "评价器上点个满意", "这张表填一下"): "点一下" there is a tap. Said of
# what was just handed back ("(递还证件)您点一下收好"), it is a count: heard as a tap, "我来弄,搞快点" or "弄好了,你看
# 对不对" was judged bad 10 times in 17, rounds 8-19, and lost 12-4 and 12-3 to checking them (ab_42), except at a
# machine ("插卡。选转账……存折放下面那个口": 0-6, now left as it was)
ON_A_SCREEN = re.compile("屏|平板|评价器|密码器|机器|机子|手机|扫码|二维码|题|表格|申请表|这张表|单子上|[Aa][Pp][Pp]")
TAKING_IN = {"explanation", "continue", "confirm", "agree", "acknowledge"}  # reactions that only take in what was said
# characters that carry no content: an option sharing only these with the persona's words is not grounded in them
_FUNCTION_CHARS = frozenset("我你您他她它们的了是在有要还和就都也不吗呢吧啊呀嘛这那个一些点")
GENERIC_PITCH = {"presentation", "benefit", "closing"}  # moves that say a pitch is made, not what it is about
# A worry, a question of its own or a push-back comes before doing what it is asked: said beside going along
# ("这么多钱都放你们一家,安全吗? 好,我慢慢弄"; "别急着推销。 嗯,核过了,对的") the reply reads as two stitched
# together (rounds 10-14: 12 of 17 such replies judged bad). The staff answers, then asks again. Done first and then
# asked ("我瞅瞅……嗯,没毛病。 限额能不能改?") it reads well: both judges of ab_21 preferred that order kept.
HOLDS_OFF = ("objection", "dodged", "ask", "ask_again", "pitch_too_early", "pushed_after_asking")
NOTE_EVENTS = ("preempted:", "need_in_fact:", "let_go:")  # events recorded with a turn that the customer did not say
_REALISER: Realiser = TemplateRealiser()


@dataclass
class DrillState:
    scenario: str
    difficulty: str
    seed: int
    patience: int
    turn: int = 0  # staff turns so far
    trust: int = 0
    greeted: bool = False
    revealed: list[str] = field(default_factory=list)  # need ids, in the order the customer told them
    raised: list[str] = field(default_factory=list)  # objection ids raised (or settled before being raised)
    open_objection: str | None = None
    objection_turn: int = 0  # staff turn at which the open worry was voiced (or last pressed)
    presses: dict[str, int] = field(default_factory=dict)  # times each worry was pressed again
    answered: list[str] = field(default_factory=list)
    partial: list[str] = field(default_factory=list)  # objections addressed in part once
    dodges: int = 0
    accepted: bool = False
    done: bool = False
    outcome: str = "in_progress"  # accepted | walked_away | left | turn_limit
    told: list[str] = field(default_factory=list)  # persona fact topics told so far
    asked: list[str] = field(default_factory=list)  # the customer's own questions, asked so far
    open_question: str | None = None
    question_turn: int = 0  # staff turn at which the open question was asked
    pressed: list[str] = field(default_factory=list)  # own questions asked a second time
    answered_questions: list[str] = field(default_factory=list)
    covered: list[str] = field(default_factory=list)  # own questions the staff answered before they were asked
    handed_back: bool = False  # card, cash or documents returned
    handed_over: bool = False  # it gave the staff its card or papers (asked for them back at a goodbye before)
    corrected_address: bool = False  # it has said how it is called (once a drill)
    early_pitches: int = 0
    situation_asked: bool = False  # the staff has asked about its situation (whether or not a need came out)
    waited_after_accept: bool = False  # "接下来怎么弄?" said once: later it just goes along
    objection_on_offer: bool = False  # the open worry was voiced when asked to decide or offered a way (it stands)
    disclosed: bool = False  # the staff has said plainly that a product is not guaranteed
    risk_named: bool = False  # the staff has named a non-deposit product (fund, wealth product...)
    idle: int = 0  # staff turns that did nothing for the customer
    offences: dict[str, int] = field(default_factory=dict)  # rude / pressure / ignored: why patience was lost
    said: list[str] = field(default_factory=list)  # keys of the lines said so far (no verbatim repeats)
    recent: list[str] = field(default_factory=list)  # the customer's last replies (RECENT_REPLIES), not to restate

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "DrillState":
        """A stored state; fields added since it was stored take their defaults."""
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})

    @property
    def unanswered_questions(self) -> list[str]:
        """The customer's questions the staff had a turn to answer and did not."""
        just_asked = self.open_question if self.question_turn == self.turn else None
        return [q for q in self.asked if q not in self.answered_questions and q != just_asked]


def _about_risk_product(objection: Objection) -> bool:
    """A plea for a promise, or a worry every line of which names a fund, a wealth product...: said only of one."""
    return objection.kind == "temptation" or all(names_risk_product(line) for line in objection.lines)


def planned_objections(scenario: Scenario, difficulty: str, level: Difficulty) -> list[Objection]:
    """What the customer will raise at this difficulty, in order: a temptation first (pressed for at the first pitch,
    before any worry), then its worries."""
    allowed = LEVELS[: LEVELS.index(difficulty) + 1]
    eligible = [o for o in scenario.objections if o.min_difficulty in allowed]
    worries = [o for o in eligible if o.kind == "worry"][: level.objections]
    return [o for o in eligible if o.kind == "temptation"] + worries


def start(
    scenario: Scenario, difficulty: str, seed: int, level: Difficulty, realiser: Realiser = _REALISER
) -> tuple[DrillState, str]:
    state = DrillState(scenario=scenario.id, difficulty=difficulty, seed=seed, patience=level.patience)
    return state, realiser.realise([CustomerAct("opening")], scenario, state)


class _Turn:
    """One staff turn being answered: the customer's acts so far, and what the turn changed."""

    def __init__(self, scenario: Scenario, state: DrillState, level: Difficulty, analysis: TurnAnalysis):
        self.scenario, self.state, self.level, self.analysis = scenario, state, level, analysis
        self.plan = planned_objections(scenario, state.difficulty, level)
        self.acts: list[CustomerAct] = []
        self.notes: list[str] = []  # events that say nothing (NOTE_EVENTS: a worry settled before it was voiced...)
        self.moves = set(analysis.moves)
        if "decide" in analysis.requests:
            self.moves.add("closing")  # "您看今天开一个?" / "存三年还是五年?": asked to decide
        # the customer turns wary only at a plain slip; reviewers found it offended by lines the model barely flagged
        self.violated = any(v.p >= SURE_VIOLATION for v in analysis.violations)
        asked = [r for r in analysis.requests if r in ACTION_REQUESTS] if not self.violated else []
        if "reminder" in self.moves and not TO_STAFF.search(analysis.text):
            # "证件和卡都还给您": handed back, not asked for; what it is asked to do with them comes next ("核对一下")
            asked = [r for r in asked if r != "hand_over"]
        self.asked_to_do = asked[0] if asked else None
        if self.asked_to_do is None and not self.violated and asks_if_brought(analysis.question_text) and not self.yes:
            self.asked_to_do = "hand_over"  # "卡和身份证带着吧?存折在身上不?": it shows them
        if (
            self.asked_to_do == "hand_over"
            and INTO_A_MACHINE.search(analysis.text)
            and not TO_STAFF.search(analysis.text)
        ):
            self.asked_to_do = "at_the_machine"
        if (
            self.asked_to_do == "fill_in"
            and "reminder" in self.moves
            and not ON_A_SCREEN.search(analysis.text)
            and not INTO_A_MACHINE.search(analysis.text)
        ):
            self.asked_to_do = "check"  # "(递还执照和章)您点一下": count what came back
        if self.asked_to_do in ("check", "fill_in") and "evaluation_request" in self.moves:
            # "您对完没问题的话,麻烦给我打个分" / "评价器上帮我点一下": the rating is what is asked now
            self.asked_to_do = None
        # the options of a choice it is asked to make ("今天办,还是回去商量?", "要一百的,还是零钱?"), answered by
        # picking one
        self.choice: Choice | None = offered_choice(analysis.text)
        # an open worry or its own question settled this turn: the next worry waits for the staff's next pitch or
        # proposal (a worry voiced right after one just settled was judged bad 8 times in 16, rounds 10-13: "你实话实说,
        # 我觉得挺靠谱的。 基金不是会亏吗?")
        self.settled_now = False
        self.preempted_now = False  # a worry answered this turn before the customer voiced it
        self.pressing = False  # an open worry pressed again this turn

    def act(self, kind: str, ref: str = "", again: bool = False) -> None:
        self.acts.append(CustomerAct(kind, ref, again))

    def acts_of(self, *kinds: str) -> bool:
        """Whether the reply so far does one of these kinds of act."""
        return any(a.kind in kinds for a in self.acts)

    def room(self) -> bool:
        """Whether the reply can take one more thing: a real customer says one or two things at a time."""
        return len(self.replying) < MAX_ACTS_A_REPLY

    @property
    def replying(self) -> list[CustomerAct]:
        """The acts that reply to the turn: all but how it is called, which is said before them."""
        return [a for a in self.acts if a.kind != "misaddressed"]

    @cached_property
    def yes(self) -> str | None:
        """The short yes the turn's last question expects ("带齐了"), or None: read once, jieba tags it."""
        return yes_to(self.analysis.text)

    @cached_property
    def whether_so(self) -> bool:
        """ "店就是执照上这个地址吗?": asked to confirm how its own affairs stand (read once: two steps ask)."""
        return asks_whether_so(self.analysis.text)

    @cached_property
    def given_the_word(self) -> bool:
        """ "好好,您说。": the staff hands it the word (read once: two steps ask)."""
        return invites_to_speak(self.analysis.text)

    @cached_property
    def given_time(self) -> bool:
        """ "不用今天定,回去想想": the staff leaves the decision for later (read once: two steps ask)."""
        return gives_time(self.analysis.text)

    @cached_property
    def winding_up(self) -> bool:
        """ "还有别的要办吗?": the staff winds up (read once: three steps of a turn ask)."""
        return asks_anything_else(self.analysis.text)

    @cached_property
    def asks_for_concerns(self) -> bool:
        """ "还有什么不放心的?": invited to say what still worries it."""
        return self.winding_up and asks_for_concerns(self.analysis.text)

    @cached_property
    def invited_to_worry(self) -> bool:
        """ "有哪里不放心的您直说", or "还有什么不放心的?": asked what holds it back now, not what it dislikes."""
        return self.asks_for_concerns or invites_concerns(self.analysis.text)

    @property
    def asks_about_customer(self) -> bool:
        """A question about the customer's own situation (a personal topic or a needs question)."""
        return self.analysis.is_question and bool(self.analysis.personal or "needs_question" in self.moves)

    @property
    def names_product(self) -> bool:
        """Tells (not asks) about a product the drill is about."""
        return bool(self.analysis.topics & set(self.scenario.products)) and not self.analysis.is_question

    @property
    def said_something(self) -> bool:
        return bool(self.replying)

    @property
    def said_something_new(self) -> bool:
        """Anything but a follow-up on its own question (which goes beside a reaction to this turn)."""
        return any(a.kind not in ("ask_again", "answer_thanks") for a in self.replying)

    def offend(self, cause: str, cost: int) -> None:
        self.state.patience -= cost
        self.state.offences[cause] = self.state.offences.get(cause, 0) + cost

    def objection(self, objection_id: str) -> Objection:
        return next(o for o in self.scenario.objections if o.id == objection_id)

    def question(self, question_id: str) -> CustomerQuestion:
        return next(q for q in self.scenario.questions if q.id == question_id)

    def next_objection(
        self, kinds: tuple[str, ...] = ("temptation", "worry"), skip: tuple[str, ...] = ()
    ) -> Objection | None:
        return next(
            (o for o in self.plan if o.id not in self.state.raised and o.kind in kinds and o.id not in skip), None
        )

    def product_named_for(self, objection: Objection) -> bool:
        """A worry about a risk product may come once the staff has named one; a plea for a promise only on a turn
        that speaks of one: "理财保不保本?" pressed on a plan of deposits and bonds, after the staff had named 理财
        only to set it aside, was judged bad by every reviewer of round 18 who met it."""
        if objection.kind == "temptation":
            return names_risk_product(self.analysis.text)
        return self.state.risk_named

    def waiting_for_a_risk_product(self) -> tuple[str, ...]:
        """Objections that are never said while the staff has named no risk product (they hold nobody back)."""
        if self.state.risk_named:
            return ()
        return tuple(o.id for o in self.plan if _about_risk_product(o))

    def raise_next(self, moves: set[str] | None = None, kinds: tuple[str, ...] = ("temptation", "worry")) -> bool:
        """The customer voices its next worry: when the staff's moves prompt it, or straight away (moves=None). A plea
        for a promise, or a worry that always speaks of a fund or a wealth product, waits until the staff has named
        one: reviewers found "理财保不保本?" pressed on staff who had spoken of deposits only. Whatever waits still
        holds back the worries after it until a move that would have raised it."""
        skip: tuple[str, ...] = ()
        upcoming = self.next_objection(kinds)
        while upcoming is not None and _about_risk_product(upcoming) and not self.product_named_for(upcoming):
            if moves is not None and not moves.intersection(upcoming.raise_on):
                return False
            skip += (upcoming.id,)
            upcoming = self.next_objection(kinds, skip)
        if upcoming is None or (moves is not None and not moves.intersection(upcoming.raise_on)):
            return False
        named = self.analysis.topics
        if moves is not None and upcoming.topics:
            if named and not named & set(upcoming.topics):
                return False  # the pitch is about something else: this worry waits for its own subject
            if not named and not (moves & set(upcoming.raise_on)) - GENERIC_PITCH:
                # a pitch that names nothing ("年化三点多,比活期高") is about no subject in particular: a worry about
                # the machines waits for the staff to steer it there (diversion) or name them
                return False
        self.state.raised.append(upcoming.id)
        self.state.open_objection, self.state.objection_turn = upcoming.id, self.state.turn
        self.state.objection_on_offer = bool(self.moves & OFFER_MOVES)
        self.act("objection", upcoming.id)
        return True

    def ask_own_question(self, moves: set[str]) -> bool:
        """Now and then the customer asks what a real customer asks (fees, minimum, early withdrawal)."""
        s = self.state
        if s.open_question or s.open_objection or len(s.asked) >= self.level.questions:
            return False
        upcoming = next(
            (
                q
                for q in self.scenario.questions
                if q.id not in s.asked and q.id not in s.covered and moves & set(q.ask_on)
            ),
            None,
        )
        if upcoming is None:
            return False
        s.asked.append(upcoming.id)
        s.open_question, s.question_turn = upcoming.id, s.turn
        self.act("ask", upcoming.id)
        return True

    def ready(self) -> bool:
        s = self.state
        # a temptation never pressed for does not hold the customer back; an open one does
        return (
            len(s.revealed) >= self.scenario.needs_to_accept
            and s.open_objection is None
            and self.next_objection(("worry",), self.waiting_for_a_risk_product()) is None
            and s.trust >= self.level.trust_to_accept
            and not (self.given_time and self.scenario.persona.takes_time)
        )

    def accept(self, quietly: bool = False) -> None:
        self.state.accepted = True
        if quietly:
            return
        if self.choice:
            self.act("choose", self.decided(self.choice))
        else:
            self.act("accept")

    def pick(self, choice: Choice, among: Sequence[str] = ()) -> str:
        """Between options neither of which puts the decision off: the one nearest to what the persona says of
        itself ("图稳当,还是多挣点?" to a customer who wants its money safe), else one of the nearest by seed and turn
        (a drill replays). Reviewers found a seed-picked option contradicting the persona."""
        options = list(among or choice.options)
        near = [grounding((choice.subject if o == choice.first else "") + o, self.scenario.persona) for o in options]
        nearest = [o for o, n in zip(options, near, strict=True) if n == max(near)]
        if len(nearest) == 1:
            return nearest[0]
        # the same list put again gets the same pick ("三只里您指一个" after "选哪个?")
        key = self.state.turn if not choice.more else "/".join(choice.options)
        return random.Random(f"{self.state.seed}|{key}|choice").choice(nearest)

    def answer(self, choice: Choice) -> str:
        """The option it takes: decided, the one that decides now; not yet, the one that puts it off, else one."""
        if self.state.accepted:
            return self.decided(choice)
        return choice.deferring() or self.pick(choice)

    def decided(self, choice: Choice) -> str:
        """The option a customer who has decided takes: the one that decides now, else one by seed."""
        off = choice.deferring()
        return choice.committing() or self.pick(choice, [o for o in choice.options if o != off])


def grounding(option: str, persona: Persona) -> int:
    """How many of an option's two-character runs the persona's own description and facts contain."""
    said = " ".join(
        [persona.job, persona.segment or "", persona.assets or "", persona.risk_appetite or "", persona.mood or ""]
        + [fact.value for fact in persona.facts.values()]
    )
    pairs = {option[i : i + 2] for i in range(len(option) - 1)}
    return sum(1 for pair in pairs if not set(pair) & _FUNCTION_CHARS and pair.isalnum() and pair in said)


def _answer_personal(t: _Turn) -> bool:
    """Questions about the customer itself: a hidden need the question reaches, else the fact, else a polite
    non-answer. The same fact every time it is asked."""
    s, persona = t.state, t.scenario.persona
    if t.winding_up:
        return False  # "还有别的事吗?" winds up: not a question about its afternoon ("一点半得回去开会")
    if "farewell" in t.moves and not t.analysis.is_question:
        # a goodbye that asks nothing: "……我姓邓。慢走哈!" gives the staff's name, "今天让您等久了" apologises
        return False
    answered = False
    unknown_said = False
    relatives = relatives_asked(t.analysis.question_text)
    topics = _topics_asked(t, relatives)
    # one question about one topic that wants a time or a figure ("几号发工资?") the fact does not hold: a customer
    # without that fact says it is not sure, never the fact beside it ("到手九千左右")
    detail = wanted_answer(t.analysis.text) if len(topics) == 1 and len(t.analysis.question_text.split()) == 1 else None
    for topic in topics[:MAX_FACTS_A_TURN]:
        if not t.room():
            break  # a need told and a fact already: a third piece reads like a form being recited
        aspect = _one_aspect(
            topic, f"{t.analysis.question_text} {last_question(t.analysis.text)}", persona, t.analysis.text
        )
        # a question about one aspect of the fact ("这几十万转给谁?") asks about that, not about a hidden need
        reached = [n for n in t.scenario.needs if topic in n.topics and n.id not in s.revealed and not aspect]
        if reached and not s.accepted:
            for need in reached:
                s.revealed.append(need.id)
                s.trust += 1
                if topic in persona.facts:
                    t.notes.append(f"need_in_fact:{need.id}")  # the fact, told, is the need (its lines say so)
                else:
                    t.act("reveal", need.id)
            if topic not in persona.facts:
                answered = True
                continue
        ref = aspect or _one_relative(topic, relatives, persona)
        fact = persona.fact(ref)
        told = fact is not None and gives_answer(detail, fact.value, fact.lines) and _tell_fact(t, ref)
        # near a fact it has told, the question is something beside it: "not sure", unless the model barely heard
        # it, the reply already answers, or the turn asks for a decision ("按我刚说的存,还是……?"), which comes next
        beside_told = fact is not None and _was_told(s, ref)
        if beside_told and (topic not in t.analysis.sure_asked or t.said_something or _asks_to_decide(t)):
            continue
        if not told and not unknown_said and last_question(t.analysis.text):
            unknown_said = True  # "您放心,我给您记着呢" asks nothing
            # asked to confirm how its own affairs stand ("这两万是给老人的吧?"), it says so; "not sure" of its own
            # affairs was judged bad 21 times in 25 (rounds 8-15)
            t.act(*(("affirm", t.yes or "对") if t.whether_so else ("unknown",)))
        answered = True
    return answered


def _topics_asked(t: _Turn, relatives: set[str]) -> list[str]:
    """The persona topics the turn asks about, likeliest first."""
    asked = [r for r in t.analysis.requests if r in t.scenario.persona.facts]
    if not asks_if_brought(t.analysis.question_text):
        asked += t.analysis.personal
    if relatives:
        # "老爷子今年多大岁数了?" asks about the father: its family, not its own age
        asked = ["family" if a in ABOUT_A_RELATIVE else a for a in asked]
    topics = list(dict.fromkeys(asked))
    if t.invited_to_worry:
        topics = [topic for topic in topics if topic != "dislikes"]  # its worry now, not what it always dislikes
    if t.state.handed_back and len(topics) > 1:
        # its business done and its papers back, it does not say again what it came for beside another answer
        # (reviewers: "今天是步行来的。 今天满三年……来问问怎么续存" to "今天咋过来的?" at the goodbye)
        topics = [topic for topic in topics if topic != "reason"]
    return topics


def _one_relative(topic: str, relatives: set[str], persona: Persona) -> str:
    """The fact to tell: one relative's part of the family ("family.parents") when the question names that relative
    alone and the persona says it apart, else the topic."""
    if topic != "family" or len(relatives) != 1 or topic not in persona.facts:
        return topic
    relation = next(iter(relatives))
    return f"{topic}.{relation}" if relation in persona.facts[topic].parts else topic


def _one_aspect(topic: str, question: str, persona: Persona, turn: str = "") -> str:
    """The aspect of the fact the question names by one of its words ("money_purpose.transfer"), or "": also when it
    names two ("老家是哪儿的呀,离这儿远不远?" asks for the whole fact; `question` holds the last asking sentence whole,
    since "……的呀," is no question clause of its own). A question that names none asks about the one its turn speaks
    of, when the turn names exactly one and the fact is all aspects ("大额存单是保本的……您那笔大概多少?" is the money
    to place, not today's transfer as well: the VIP's two sums told together were judged bad five times in round 20).
    A fact with a single aspect beside its main lines (the son's money, and today's transfer) keeps its main lines."""
    fact = persona.facts.get(topic)
    aspects = fact.aspects if fact else {}
    for text in (question, turn) if len(aspects) > 1 else (question,):
        named = [name for name, aspect in aspects.items() if any(w in text for w in aspect.words)]
        if named:
            return f"{topic}.{named[0]}" if len(named) == 1 else ""
    return ""


def _was_told(state: DrillState, ref: str) -> bool:
    """Told in this drill, itself or as part of the whole fact (the family told, then a parent asked about); an
    aspect only itself (the son's down payment told says nothing of today's transfer)."""
    base, _, part = ref.partition(".")
    return ref in state.told or (base in state.told and (not part or part in KIN))


def _asks_if_brought_last(t: _Turn) -> bool:
    return asks_if_brought(last_question(t.analysis.text)) and not t.acts_of("affirm")


def _asks_to_decide(t: _Turn) -> bool:
    """The turn puts a choice or a proposal to the customer."""
    return bool(t.choice) or "decide" in t.analysis.requests or asks_yes_or_no(t.analysis.text)


def _tell_fact(t: _Turn, topic: str) -> bool:
    """A fact about itself, once a reply; told again ("我刚说了,……") only when the staff says it asks again, not
    when it asks something near it ("九千里头能剩多少?"), mentions the subject ("微信会用的话,手机银行上手也快") or
    the model barely hears the topic ("您号多少来着?" is no question about the amount)."""
    s, analysis = t.state, t.analysis
    if any(a.kind == "fact" and a.ref == topic for a in t.acts):
        return True
    told = _was_told(s, topic)
    base = topic.partition(".")[0]
    asked_again = base in RETOLD_WHEN_ASKED or asks_again(analysis.text)
    if told and not (analysis.is_question and base in analysis.sure_asked and asked_again):
        return False  # asked plainly about it again without saying so: something beside it, which it cannot say
    t.act("fact", topic, again=told)
    if topic not in s.told:
        s.told.append(topic)
    return True


def _without_need_topics(analysis: TurnAnalysis, scenario: Scenario, needs: list[str]) -> TurnAnalysis:
    """The analysis without the personal topics of needs just told: their fact would say the same again."""
    told = {topic for n in scenario.needs if n.id in needs for topic in n.topics}
    return replace(analysis, personal=[p for p in analysis.personal if p not in told])


def _reveal_by_words(t: _Turn, moves: set[str]) -> None:
    """A needs question that names a need's own words reaches it; a vague one reaches the next need only on easy
    levels (rubric: reveal_on_vague), and otherwise gets little."""
    s, analysis = t.state, t.analysis
    pending = [n for n in t.scenario.needs if n.id not in s.revealed]
    if not pending or not ("needs_question" in moves or analysis.is_question or t.given_the_word):
        return
    # a question about the customer itself ("您退休几年了?以前在哪儿教书?") reaches a need through its topic, or by
    # naming the need twice over, not by one stray word
    least = 2 if analysis.personal else 1
    hits = {n.id: sum(w in analysis.text for w in n.reveal_on) for n in pending}
    target = max((n for n in pending if hits[n.id] >= least), key=lambda n: hits[n.id], default=None)
    if target is None and not analysis.personal and "needs_question" in moves and t.level.reveal_on_vague:
        target = pending[0]
    if target is None and s.early_pitches and not s.revealed and t.given_the_word:
        # "先听听我怎么说嘛" said to an early pitch, then given the word ("好好,您说"): it says what it came for
        target = pending[0]
    if target is not None:
        s.revealed.append(target.id)
        s.trust += 1
        t.act("reveal", target.id)


def respond(
    scenario: Scenario, state: DrillState, level: Difficulty, analysis: TurnAnalysis, realiser: Realiser = _REALISER
) -> tuple[str, list[str]]:
    """Advance the customer by one staff turn; returns the customer's reply and what happened. The steps run in the
    order of the module's docstring; each reads and changes the turn (`_Turn`) and the drill's state."""
    if state.done:
        raise ValueError("drill already ended")
    state.turn += 1
    t = _Turn(scenario, state, level, analysis)
    _react_to_conduct(t)
    _correct_address(t)
    _correct_figure(t)
    _settle_before_voiced(t)
    _follow_up_own_question(t)
    _weigh_open_worry(t)
    if not t.pressing and not state.accepted:
        # a needs question that names a need reaches it, whether or not it also asks about the customer itself
        revealed_before = len(state.revealed)
        _reveal_by_words(t, t.moves)
        if len(state.revealed) > revealed_before:
            t.analysis = _without_need_topics(t.analysis, scenario, state.revealed[revealed_before:])
    _answer_personal(t)
    # A goodbye ends the drill; "谢谢您专程跑一趟" beside a welcome, or a farewell that still asks something, does not.
    # Nor does one that still asks it to do something ("……回单上签个字。路上注意点。").
    # Its business done and handed back, a goodbye the model is less sure of ("嗯,那就这样,慢走哦。(按下一个号)") is
    # one all the same: "要得,你接着说" to it was judged bad (round 13).
    said_goodbye = "farewell" in t.analysis.sure_moves or ("farewell" in t.moves and state.handed_back)
    # seen off with its card or papers still at the counter, it asks for them, never leaves without them
    holds_its_things = _still_holds_its_things(t)
    leaving = (
        said_goodbye
        and not holds_its_things
        and "greeting" not in t.moves
        and not ends_asking(t.analysis.text)
        and not t.asked_to_do
        and not t.given_the_word  # "哦哦好好,阿姨你说哈。" gives it the word (round 16: it left)
    )
    if not t.pressing and not state.accepted and not leaving:
        _pitch_or_decision(t)
    if leaving:
        _leave(t)
    elif holds_its_things:
        t.act("not_returned")  # "慢走。(按下一个号)" with its card and ID still on the counter: "我卡还没给我呢"
    if "reminder" in t.analysis.sure_moves and t.asked_to_do in (None, "check"):
        # documents handed back once the business is decided (or, at a counter, at any time) end the visit
        state.handed_back = state.handed_back or state.accepted or scenario.needs_to_accept == 0
    if t.asked_to_do and t.said_something_new and t.room() and not state.done:
        t.act("request", t.asked_to_do)  # "您贵姓?身份证给我一下": the name, and the card handed over
    elif not t.said_something_new and not state.done:
        _service_reaction(t)
    elif t.yes and t.room() and not state.done and ends_asking(t.analysis.text) and _asks_if_brought_last(t):
        # a fact told for an earlier question, a turn that ends asking whether it brought its papers still gets
        # "带了" ("您是做哪行的?两个章今天带了吗?"). Only that: any question a yes fits ("有对象了吧?", "受得了
        # 不?") got "嗯,有" beside the fact that already answered it (tried for ab_22), and an option picked by
        # seed may contradict the persona ("转给自己别的户" from a man paying a supplier)
        t.act("affirm", t.yes)
    _keep_patience(t)
    _finish_reply(t)
    reply = realiser.realise(t.acts, scenario, state)
    return reply, t.notes + [a.event for a in t.acts]


def _finish_reply(t: _Turn) -> None:
    """What the reply keeps, in what order, and what the drill remembers of it; a filler only when it says nothing."""
    held = next((n for n, a in enumerate(t.acts) if a.kind in HOLDS_OFF), len(t.acts))
    t.acts = [a for n, a in enumerate(t.acts) if n < held or a.kind != "request"]  # done first, then asked: fine
    if len(t.acts) > 1 and t.acts_of("unknown"):
        # not sure of one thing while telling or doing another reads as a contradiction ("你问这个我一下答不上来。
        # 老家自贡的……"; "这个嘛,我也说不准。 喏,都在这儿"): 8 of rounds 10-14's 10 "not sure" replies were bad
        t.acts = [a for a in t.acts if a.kind != "unknown"]
    if t.given_time:
        # told there is no rush, "not ready yet" takes the time offered: "别催嘛" to staff who did not press was judged
        # bad 9 times in 11 (rounds 8-19)
        t.acts = [CustomerAct("take_time") if a.kind == "closing_not_ready" else a for a in t.acts]
    # a needs question, not small talk about its name or job, is asking about its situation
    t.state.situation_asked = t.state.situation_asked or ("needs_question" in t.moves and t.analysis.is_question)
    # its things are back once the staff hands anything back, even a hand-back the model is not sure of: asking for
    # a card it already has would be worse than not asking
    t.state.handed_over = "reminder" not in t.moves and (
        t.state.handed_over or any(a.kind == "request" and a.ref == "hand_over" for a in t.acts)
    )
    if not t.said_something and not t.acts_of("misaddressed"):
        t.act("greeting" if "greeting" in t.moves and t.state.turn == 1 else "continue")


def _correct_address(t: _Turn) -> None:
    """Called by another surname or as the other sex, it says how it is called, once a drill, before the rest of its
    reply ("我姓刘,叫我刘师傅就成。 得嘞,按完了。")."""
    s, persona = t.state, t.scenario.persona
    if s.corrected_address or not t.scenario.reactions.misaddressed or "name" in t.analysis.personal:
        return  # asked its name ("叔怎么称呼?"), the name it tells puts it right
    if misaddressed(t.analysis.text, surname_of(persona.name), persona.voice.gender):
        s.corrected_address = True
        t.act("misaddressed")


def _correct_figure(t: _Turn) -> None:
    """A figure of its own said back wrong ("您这笔本金二十万" to a customer with eighty): it puts it right first, each
    time ("不对吧,我那笔是八十万。 老伴身体不太好……")."""
    for topic, fact in t.scenario.persona.facts.items():
        if fact.said_wrong and misstated(t.analysis.text, fact.said_wrong):
            t.act("wrong_figure", topic)


def _still_holds_its_things(t: _Turn) -> bool:
    """Sent off, not quite said goodbye to ("行,没事了,下一位。"), while the card or papers it handed over have not
    come back, the business done and nothing asked ("卡给你办好了,你在密码器上设个六位密码" is no goodbye). A plain
    goodbye is taken as one: the papers often come back in words the model does not take for a hand-back, and
    "等下,我的身份证呢?" to "东西您都收好了……慢走" lost 21 of 26 judgments (ab_38)."""
    s = t.state
    return (
        bool(t.scenario.reactions.not_returned)
        and "farewell" in t.moves
        and "farewell" not in t.analysis.sure_moves
        and (s.accepted or t.scenario.needs_to_accept == 0)
        and not t.analysis.is_question
        and s.handed_over
        and not s.handed_back
        and "reminder" not in t.moves
        and not t.asked_to_do
    )


def _react_to_conduct(t: _Turn) -> None:
    """A violation or rudeness is answered first; a greeting, an apology or empathy earn trust."""
    s, moves = t.state, t.moves
    if t.violated:
        s.trust -= 1
        t.offend("pressure", 1)
        t.act("violation")
    if "rude" in t.analysis.sure_moves:
        t.offend("rude", 2)
        t.act("rude")
    if "greeting" in moves and not s.greeted:
        s.greeted = True
        s.trust += 1
    if moves & {"apology", "empathy"}:
        s.trust += 1


def _settle_before_voiced(t: _Turn) -> None:
    """A worry answered before the customer voices it is settled: it will not be raised any more. A bare needs
    question answers nothing yet; a temptation is only ever answered once pressed. Its own questions answered early
    are never asked."""
    s, moves, analysis = t.state, t.moves, t.analysis
    only_asking = "needs_question" in moves and not moves & (PITCH_MOVES | ANSWER_MOVES)
    if "risk_disclosure" in moves and not t.violated:
        s.disclosed = True
    s.risk_named = s.risk_named or names_risk_product(analysis.text)
    for upcoming in t.plan:
        if upcoming.id in s.raised or t.violated:
            continue
        # told plainly that nothing is guaranteed, the customer has no promise left to press for
        disclosed_already = upcoming.kind == "temptation" and s.disclosed
        answered = upcoming.kind == "worry" and not only_asking and any_evidence(upcoming.answered_by, analysis)
        if disclosed_already or answered:
            s.raised.append(upcoming.id)
            s.answered.append(upcoming.id)
            s.trust += 1
            t.notes.append(f"preempted:{upcoming.id}")
            t.preempted_now = True
    for question in t.scenario.questions:
        if question.id not in s.asked and question.id not in s.covered and any_evidence(question.answered_by, analysis):
            s.covered.append(question.id)


def _follow_up_own_question(t: _Turn) -> None:
    """The customer's own question: answered, or asked again once when the staff went on past it."""
    s = t.state
    if not s.open_question:
        return
    question = t.question(s.open_question)
    if not t.violated and any_evidence(question.answered_by, t.analysis):
        s.answered_questions.append(question.id)
        s.open_question = None
        t.act("answer_thanks", question.id)
        t.settled_now = True
    elif s.turn - s.question_turn >= 2 and question.id not in s.pressed and not t.analysis.personal:
        s.pressed.append(question.id)
        t.offend("ignored", 1)
        t.act("ask_again", question.id)
    elif s.turn - s.question_turn >= 2:
        s.open_question = None  # asked twice, let go (the report still notes it)


def _weigh_open_worry(t: _Turn) -> None:
    """The worry it voiced: settled by a real answer, acknowledged when addressed in part (and settled by a second
    try), pressed again only when the staff pitches on past it, let go when the staff moved on long ago."""
    s = t.state
    if s.open_objection and s.turn - s.objection_turn > STALE_AFTER and not s.presses.get(s.open_objection):
        # the staff moved on to solving its problem and it let the worry go: pressing it many turns later reads odd
        t.notes.append(f"let_go:{s.open_objection}")
        s.open_objection = None
    if not s.open_objection:
        return
    current = t.objection(s.open_objection)
    answered = not t.violated and any_evidence(current.answered_by, t.analysis)
    # only an answer addresses a worry: acknowledged on sympathy alone, "还有一点呢?" presumed an answer nobody gave
    addressed = not t.violated and bool(t.moves & ANSWER_MOVES)
    if answered or (addressed and current.id in s.partial):
        s.answered.append(current.id)
        s.open_objection = None
        s.trust += 1
        t.act("answered", current.id)
        t.settled_now = True
        if t.ready() and not s.accepted:
            # convinced, it says so when asked to decide, or when the worry was what it said to the proposal (that
            # proposal stands: "两样要不要办?" → a worry → its answer → "那就办上"); otherwise taking the answer is the
            # reply and the yes waits for the proposal ("投诉我给您登记上。您怎么称呼?": the name given, not "看你挺实在,
            # 就照你说的来"). Rounds 8-15: the answer taken alone judged bad 8 times in 46, with a yes beside it 58 in 131
            t.accept(quietly=not _asks_to_decide(t) and not s.objection_on_offer)
    elif addressed:
        s.partial.append(current.id)
        t.act("acknowledge")
    elif t.moves & (PITCH_MOVES | DECISION_MOVES) and not t.analysis.personal and "farewell" not in t.moves:
        # (a worry pressed on a goodbye, "您慢走,名片您收好", was judged bad 6 times in 6, rounds 8-16: the staff is
        # letting it go, not pitching past it)
        _press_worry(t, current)
    elif t.invited_to_worry:
        # "还有什么不放心的?" with a worry still open: it says it again (asked for it, no dodge to hold against anyone)
        t.pressing = True
        t.act("dodged", current.id)


def _press_worry(t: _Turn, current: Objection) -> None:
    """Pitching on past the worry: the customer presses again (twice at most, then it gives up on it); more than
    once wears its patience."""
    s = t.state
    s.dodges += 1
    if s.dodges > FORGIVEN_DODGES:
        t.offend("ignored", 1)
    s.presses[current.id] = s.presses.get(current.id, 0) + 1
    if s.presses[current.id] > MAX_PRESSES:
        t.notes.append(f"let_go:{current.id}")
        s.open_objection = None
    else:
        t.pressing = True
        s.objection_turn = s.turn
        t.act("dodged", current.id)


def _is_pitch(t: _Turn) -> bool:
    """A presentation move, or telling (not asking) about the product the drill is about (naming the product counts
    only in a turn that does nothing else: "把存折给我,查一下这笔定期" is no pitch)."""
    moves, analysis = t.moves, t.analysis
    pitched = bool(moves & PITCH_MOVES) or (
        t.names_product
        and not moves - PITCH_MOVES
        and not ADDRESSED_REQUEST.search(analysis.text)
        and not t.asked_to_do  # "印鉴卡这里盖公章": the business being done, not a product put to it
    )
    if pitched and analysis.personal and analysis.is_question and len(analysis.text) <= SHORT_TURN_CHARS:
        return False  # "您平时用手机银行吗?" asks about the customer; it does not push the product
    if pitched and t.asks_about_customer and not moves & PITCH_MOVES & analysis.sure_moves:
        return False  # a question about the customer's situation is a pitch only when it plainly presents one
    return pitched


def _plain_moves(t: _Turn) -> set[str]:
    """The turn's moves a worry may be voiced on: a pitch only when it is plain (a clear presentation that does not
    mainly ask about the customer, or the product named in a statement), a decision only when clearly asked for.
    Players found worries and pleas for a promise voiced on a needs question taken for a pitch."""
    analysis = t.analysis
    plain = t.moves - PITCH_MOVES - DECISION_MOVES
    for move in t.moves & PITCH_MOVES:
        if (move in analysis.sure_moves and not t.asks_about_customer) or t.names_product:
            plain.add(move)
    for move in t.moves & DECISION_MOVES:
        if move in analysis.sure_moves or (move == "closing" and "decide" in analysis.requests):
            plain.add(move)
    return plain


def _pushed_early(t: _Turn) -> None:
    """A pitch, or a request to decide, before the customer was asked anything: once is forgiven."""
    t.state.early_pitches += 1
    if t.state.early_pitches > 1:
        t.offend("ignored", 1)


def _too_early(state: DrillState) -> str:
    """A pitch or proposal before any need is known: "not now" once a needs question reached none ("你还没问我啥情况呢"
    only when nobody asked)."""
    return "pushed_after_asking" if state.situation_asked else "pitch_too_early"


def _pitch_or_decision(t: _Turn) -> None:
    """A pitch may be too early, or prompt the next worry or one of its own questions; asked to decide, the customer
    accepts when ready and otherwise says it is not."""
    s, scenario = t.state, t.scenario
    pitched = _is_pitch(t)
    if pitched:
        t.moves.add("presentation")
    if pitched and not s.revealed and scenario.needs_to_accept > 0:
        _pushed_early(t)
        t.act(_too_early(s))
    elif s.open_objection is None and not t.settled_now and t.room() and t.raise_next(_plain_moves(t)):
        pass
    elif t.preempted_now and t.moves & OFFER_MOVES and t.ready():
        # its last worry answered before it said it, with the way out offered ("我现在就陪您过去办"): as with a worry
        # answered once voiced, a convinced customer takes it
        t.accept()
    elif t.moves & DECISION_MOVES and not _asks_only_a_fact(t):
        if t.ready():
            t.accept()
        elif t.choice and not t.choice.deferring() and not t.said_something:
            # a detail to settle ("五千都给一百的,还是要点零钱?"): it picks, convinced or not
            t.act("choose", t.pick(t.choice))
        elif s.open_objection is None and not t.said_something and not t.asked_to_do:
            # (asked to sign as well, it goes along with that rather than say it is not ready)
            _not_ready(t)
    elif pitched and not t.said_something:
        t.ask_own_question(t.moves)


def _not_ready(t: _Turn) -> None:
    """Asked to decide and not convinced: it puts the choice off, says the worry that still holds it back (rather than
    "别催嘛": the next worry no longer follows the one just settled in the same reply, so it comes here), or says it
    is not ready. (Any worry still unsaid, not only one about the thing put to it: see ab_9 in docs/measurements.md.)"""
    s = t.state
    if not s.revealed and t.scenario.needs_to_accept > 0:
        _pushed_early(t)  # asked to decide before being asked anything
    later = t.choice.deferring() if t.choice else None
    if later:
        t.act("choose", later)  # "今天办,还是回去商量?": not convinced yet, it puts it off
    elif not (s.revealed and t.raise_next(None, ("worry",))):
        t.act("closing_not_ready")


def _asks_only_a_fact(t: _Turn) -> bool:
    """The turn ends on a question about a state of things ("身份证带了吗?") and asks for no decision: that question
    is what it answers, not a decision it was never asked for (reviewers found "我还没想好" to "带证件了吗")."""
    return "decide" not in t.analysis.requests and t.choice is None and t.yes is not None


def _leave(t: _Turn) -> None:
    s = t.state
    s.done = True
    s.outcome = "accepted" if s.accepted else "left"
    # a customer on its way out does not press its question again
    t.acts = [a for a in t.acts if a.kind != "ask_again"]
    if "evaluation_request" in t.moves and t.room():
        t.act("evaluation")  # "走之前给我们评个价,慢走": it rates, then goes
    # a warm goodbye for staff who won it over or never wronged it; a curt one to staff who did (reviewers judged
    # "算了,不听了" to a plain goodbye from staff who had done nothing wrong bad)
    # ("算了算了,不听了" answers a pitch, not a goodbye: judged bad even after a pushy pitch, round 13); only staff who
    # were rude or pressed it get the curt one
    offended = s.offences.get("rude", 0) or s.offences.get("pressure", 0)
    t.act("farewell" if s.accepted or s.trust >= t.level.trust_to_accept or not offended else "walk_away")


def _service_reaction(t: _Turn) -> None:
    """Nothing weightier was said: the fitting reaction to a service act (a hand-back, the wait, a request...), put
    before a question asked again."""
    s, moves, analysis = t.state, t.moves, t.analysis
    reaction = next(
        (
            name
            for move, name in SERVICE_REACTIONS
            if move in moves and (move != "reminder" or move in analysis.sure_moves)
        ),
        None,
    )
    reaction = _reaction_to_what_is_asked(t, reaction)
    greet_back = s.turn == 1 and "greeting" in moves and reaction not in (None, "small_talk")
    if s.turn == 1 and reaction in (None, "small_talk"):
        reaction = "greeting"
    if s.accepted and reaction in (None, "explanation"):
        # decided: the practical question a customer asks now (fees, minimum...), else waiting for the staff
        if not s.handed_back and t.ask_own_question(moves | {"closing"}):
            reaction = ""
        elif s.handed_back:
            reaction = "waiting_to_leave"
        elif not s.waited_after_accept and not t.acts_of("answer_thanks"):
            # (its own question just answered, the thanks is the reply: "行,心里有数了。 还要我签什么吗?" read
            # stitched on, 6 of 8 times over rounds 10-12)
            reaction, s.waited_after_accept = "after_accept", True
        # asked once what comes next, it then takes in what it is told like any customer
    if reaction is None:
        reaction = _reaction_to_a_plain_turn(t)
    if reaction in TAKING_IN and t.acts_of("answer_thanks", "answered"):
        reaction = None  # "好,这下明白了。" already takes it in: a second "哦,明白了" reads stitched on
    if reaction:
        # thanks for an answer first ("好,明白了。"), then the reaction, then a question asked again
        thanked = sum(1 for a in t.acts if a.kind == "answer_thanks")
        ref = {
            "request": t.asked_to_do or "",
            "choose": t.choice and t.answer(t.choice),
            "affirm": t.yes or (t.choice and t.pick(t.choice)) or "对",
        }
        t.acts.insert(thanked, CustomerAct(reaction, ref.get(reaction) or ""))
    if greet_back:
        t.acts.insert(0, CustomerAct("greeting"))  # greets back, then reacts ("你好。对,就取五千。")


def _reaction_to_what_is_asked(t: _Turn, reaction: str | None) -> str | None:
    """What the turn asks of the customer overrides the act it reacts to: a request, "anything else?", and, once it
    has decided, a detail to settle or the plan to agree to."""
    s, analysis = t.state, t.analysis
    if t.asked_to_do:
        return "request"  # asked to sign, type the PIN, hand over the card: it goes along
    winding_up = _winding_up(t)
    if winding_up is not None:
        return winding_up
    if t.choice:
        # a choice put to it ends the turn: it takes an option, whatever else the turn did ("密码对了。五千都要一百
        # 的,还是换点零钱?" is not answered by taking the cash). One that asks how things are, not for a decision
        # ("这五千是自己用,还是给别人的?"), gets the option as a plain answer: reviewers read "转给自己的账户,就这么定"
        # as a decision nobody asked for
        return "choose" if "decide" in analysis.requests or t.choice.deferring() else "affirm"
    if s.accepted and ("decide" in analysis.requests or asks_yes_or_no(analysis.text)):
        return "agree"  # decided, and asked to agree to the plan ("这样行吗?")
    if reaction in YES_OVERRIDES and t.yes:
        return "affirm"  # "财务章带了没?": "带了", not "对头,就是这个"
    if reaction == "confirm" and "reminder" in t.moves:
        return "handed_back"  # "(递上现金和卡)好了,五千,卡给您": it takes them, it does not confirm its business
    if reaction == "confirm" and (s.accepted or asks_yes_or_no(analysis.text)):
        # the plan repeated back, or a proposal put ("都给您一百的可以吗?"): it agrees to it (reviewers: "对,就是
        # 这个事" answers whether it came for this, which nobody asked)
        return "agree"
    if reaction == "explanation" and asks_a_proposal(analysis.text):
        # an explanation that ends on a proposal ("要不要看看理财?") is answered, not taken in (reviewers: "哦,这样啊,
        # 明白了" said neither yes nor no)
        if s.accepted:
            return "agree"
        if not s.revealed:
            return _too_early(s)
        return "closing_not_ready"
    if reaction == "confirm" and not asks_if_so(analysis.question_text):
        # "是挪进来还是往外转?", "您是哪一点还没弄懂?": a question that is not "is it so?" is not answered by "对", nor a
        # statement ("这是对公结算卡……代发协议麻烦签个字" → "对头,就是这个": rounds 8-15, 7 of 9 such judged bad)
        return None
    return reaction


def _winding_up(t: _Turn) -> str | None:
    """ "还有别的要办吗?": nothing else. "有哪里不放心的您直说": its next worry, if one is left to say before it decides
    (said here: "" is the reaction), else that it has none. None: neither, or a choice or a worry still open, which are
    answered elsewhere."""
    if t.invited_to_worry and not t.choice and not t.state.open_objection:
        return "" if not t.state.accepted and t.raise_next() else "no_concerns"
    return "nothing_else" if t.winding_up and not t.invited_to_worry else None


def _reaction_to_a_plain_turn(t: _Turn) -> str | None:
    pending = [n for n in t.scenario.needs if n.id not in t.state.revealed]
    if "needs_question" in t.moves and pending and not t.state.accepted:
        return "probe_more"  # a needs question that reached no need: it gives little
    if t.analysis.is_question and t.whether_so:
        return "affirm"  # "店就是执照上这个地址吗?": "对", not "这个我真不晓得"
    if t.analysis.is_question and last_question(t.analysis.text):
        # asked about its own affairs beyond its facts, an in-character non-answer; asked something only a banker
        # would know, it says it does not know ("有啥意见跟我说" has a question word but asks nothing)
        return "unknown" if ADDRESSED.search(t.analysis.question_text) else "no_answer"
    if "reminder" in t.moves:
        return "handed_back"  # "办完了,这是您的东西": the hand-back, even when the model is not sure of it
    if ADDRESSED.search(t.analysis.text):
        return "comply"  # told something or asked to do something (输密码, 签字): it goes along
    return None


def _keep_patience(t: _Turn) -> None:
    """Talk that does nothing for the customer wears its patience after the first time; it walks out only when
    patience is gone (and says why), and never beyond MAX_STAFF_TURNS."""
    s, analysis = t.state, t.analysis
    if not t.moves and not analysis.is_question and not analysis.personal and not analysis.requests:
        s.idle += 1
        if s.idle > 1:
            t.offend("ignored", 1)
    if not s.done and s.patience <= 0 and not t.acts_of("accept"):
        s.done, s.outcome = True, "walked_away"
        cause = max(s.offences, key=lambda k: s.offences[k]) if s.offences else ""
        t.act("walk_out", cause if cause in ("rude", "pressure", "ignored") else "")
    if not s.done and s.turn >= MAX_STAFF_TURNS:
        s.done, s.outcome = True, "turn_limit"
        t.act("walk_away")
