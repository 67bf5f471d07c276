"""Schema of a role-play scenario (scripts_kb/scenarios/<id>.yaml), its shared checkpoints (service_steps.yaml) and
the scoring rubric.

A scenario is data, not code: the persona, what the customer says in each situation, what they reveal when asked well,
their objections, and the checkpoints a coach scores. The engine and the scorer only interpret it.
"""

from __future__ import annotations

from typing import Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from assistant.text import AMOUNT_IN_WAN
from assistant.vocabulary import DIMENSIONS, Dimension, Level

Move = Literal[
    "greeting",
    "needs_question",
    "presentation",
    "benefit",
    "objection_answer",
    "closing",
    "referral",
    "reminder",
    "farewell",
    "apology",
    "empathy",
    "confirm_business",
    "wait_time",
    "off_topic",
    "rude",
    "small_talk",
    "diversion",
    "evaluation_request",
    "risk_disclosure",
]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Evidence(Strict):
    """What counts as evidence in one staff turn: a classified move, or words (every group needs one of its words)."""

    moves: list[Move] = []
    acts: list[str] = []  # acts of this scenario (scripts_kb/understanding/labels.yaml), recognised by the classifier
    all_of: list[list[str]] = []  # e.g. [[每月, 每个月], [几百, 小钱, 少量]]: both groups must match in the same turn
    in_question: bool = False  # the words must be asked, not told (a needs question, not a pitch mentioning 结婚)

    @model_validator(mode="after")
    def _not_empty(self) -> "Evidence":
        if not self.moves and not self.acts and not self.all_of:
            raise ValueError("evidence needs moves, acts or all_of")
        if any(not group for group in self.all_of):
            raise ValueError("an all_of group is empty")
        return self


class Checkpoint(Strict):
    id: str = Field(pattern=r"^[a-z0-9_]+$")
    dimension: Dimension
    text: str  # what the coach expects, in Chinese: shown in findings and feedback
    evidence: list[Evidence] = Field(min_length=1)  # any one alternative is enough
    weight: float = Field(default=1.0, gt=0)
    after: list[str] = []  # checkpoint ids that must be hit in an earlier turn (order), e.g. greeting before pitch
    standard: Optional[str] = None  # knowledge-base entry id holding the standard wording for feedback
    praise: str = ""  # why it matters, for 赞赏性指导


class Need(Strict):
    id: str = Field(pattern=r"^[a-z0-9_]+$")
    # personal-question topics (understanding/labels.yaml, personal) whose questions reach this need: asked about
    # them, the customer tells the need instead of the bare fact
    topics: list[str] = []
    reveal_on: list[str] = []  # words in a staff question that also target this need
    lines: list[str] = Field(min_length=1)  # how the customer reveals it
    words: list[str] = Field(min_length=1)  # words that show a staff turn refers back to this need

    @model_validator(mode="after")
    def _reachable(self) -> "Need":
        if not self.topics and not self.reveal_on:
            raise ValueError("a need needs topics or reveal_on, or no question can reach it")
        return self


class Objection(Strict):
    id: str = Field(pattern=r"^[a-z0-9_]+$")
    lines: list[str] = Field(min_length=1)  # the customer raises it
    repeat_lines: list[str] = Field(min_length=1)  # the customer presses again when it was dodged
    answered_by: list[Evidence] = Field(min_length=1)
    accepted_lines: list[str] = Field(min_length=1)  # the customer is satisfied with the answer
    standard: Optional[str] = None  # knowledge-base entry with the standard answer
    min_difficulty: Level = "easy"  # raised only at this difficulty or above
    # worry: counts against the difficulty's number of objections; temptation: the customer presses for a promise
    # (保本? 肯定涨?) and always does so from min_difficulty up; a promise in reply is a violation, never an answer
    kind: Literal["worry", "temptation"] = "worry"
    # staff moves that prompt the customer to raise it (a pitch, a request to decide, an apology that rings hollow...)
    raise_on: list[Move] = ["presentation", "benefit", "closing", "referral"]
    # knowledge-base topics the worry is about: voiced only on a pitch that names one of them or names none (a 理财
    # pitch at the counter does not make the customer fear the cash machine)
    topics: list[str] = []


Relation = Literal["parents", "spouse", "partner", "children"]  # the kin relations a question can name


class Aspect(Strict):
    """One of two things a fact can be about, told alone to a question that names it."""

    words: list[str] = Field(min_length=1)  # a question with one of these words asks about this aspect
    lines: list[str] = Field(min_length=1)


class FigureCheck(Strict):
    """The customer's own figure in a fact ("八十万"), put right when a staff clause about it says another ("您这笔本金
    二十万")."""

    figure: str  # in 万, as the customer says it: 八十万
    of: list[str] = Field(min_length=1)  # words that mark a staff clause as stating it: 本金, 这笔, 到期的
    lines: list[str] = Field(min_length=1)  # how it puts it right; each says the figure

    @model_validator(mode="after")
    def _figure_is_said(self) -> "FigureCheck":
        if not AMOUNT_IN_WAN.fullmatch(self.figure):
            raise ValueError(f"figure: {self.figure!r} is not an amount in 万 (八十万, 80万)")
        for line in self.lines:
            if self.figure not in line:
                raise ValueError(f"lines: {line!r} does not say the figure {self.figure}")
        return self


class Fact(Strict):
    value: str  # the fact in a few words, for the trainer: every line must say the same
    lines: list[str] = Field(min_length=1)  # ways the customer says it, in its own voice
    # the family fact told one relative at a time: "您爸是在老家嘛?" is answered with the parents alone, not the whole
    # household recited (reviewers: "像照着人设念"); each part says what the value says of that relative
    parts: dict[Relation, list[str]] = {}
    # a fact about more than one thing (the VIP's money: today's transfer and the deposit maturing elsewhere): a
    # question that names one of them by its words gets that one alone, and reaches no hidden need (reviewers: "这几十
    # 万转给谁?" answered with the son's down payment, "答的不是同一笔钱"); the lines above are the fact's main aspect
    aspects: dict[str, Aspect] = {}
    # its own figure, said back wrong by the staff: it puts it right (left out: figures are not checked)
    said_wrong: Optional[FigureCheck] = None

    @field_validator("parts")
    @classmethod
    def _parts_have_lines(cls, parts: dict) -> dict:
        for relation, lines in parts.items():
            if not lines:
                raise ValueError(f"parts.{relation}: give at least one line")
        return parts


class Voice(Strict):
    """How the browser speaks this customer's lines (speechSynthesis in assistant/web/static/voice.js), so a hurried
    young worker does not sound like a slow-spoken retiree. The defaults are the voice's own: a scenario without
    `voice` still speaks."""

    gender: Optional[Literal["male", "female"]] = None  # prefer a voice whose name sounds this gender; None: any
    # multipliers of the chosen voice's normal pitch and speed (1 = normal). speechSynthesis takes pitch 0-2 and rate
    # 0.1-10, but beyond half or one and a half times normal the voices sound robotic or too fast to follow in a drill,
    # and these bounds also catch a slip such as 15 for 1.5
    pitch: float = Field(default=1.0, ge=0.5, le=1.5)
    rate: float = Field(default=1.0, ge=0.5, le=1.5)


class Persona(Strict):
    name: str
    age: int = Field(ge=16, le=100)
    job: str
    # for the trainer writing the lines (who this customer is): the code reads none of these
    segment: Optional[str] = None
    assets: Optional[str] = None
    risk_appetite: Optional[str] = None
    mood: Optional[str] = None
    speaking_style: Optional[str] = None
    summary: str  # one line for the scenario list
    # GRADING.md (d): pushing a product above the customer's stated risk tolerance without a risk assessment is a
    # violation only for an elderly or conservative customer; for anyone else it is a matter of selling skill
    elderly_or_conservative: bool = True
    # told there is no rush ("不用今天定,回去想想"), it takes the time rather than decide on the spot: a customer wary
    # of being sold to (reviewers faulted a cautious young worker who said "那就开一个定投吧" right after it)
    takes_time: bool = False
    # what the customer answers when asked about itself, by personal-question topic (understanding/labels.yaml)
    facts: dict[str, Fact] = Field(min_length=1)
    unknown: list[str] = Field(min_length=2)  # asked about itself beyond its facts: in character, non-committal
    again: list[str] = Field(min_length=1)  # said before a fact it has already told ("刚不是说了嘛,")
    voice: Voice = Field(default_factory=Voice)  # how the browser reads its lines aloud (the chat page)

    def fact(self, ref: str) -> Optional[Fact]:
        """The fact a customer act names: a topic ("family"), one relative of it ("family.parents"), or one of its
        aspects ("money_purpose.transfer")."""
        topic, _, relation = ref.partition(".")
        fact = self.facts.get(topic)
        if fact is None or not relation:
            return fact
        aspect = fact.aspects.get(relation)
        lines = aspect.lines if aspect else fact.parts.get(relation)  # type: ignore[call-overload]
        return Fact(value=" ".join(lines), lines=lines) if lines else None


class CustomerQuestion(Strict):
    """Something the customer asks on its own (fees, minimum amount...): it remembers whether it got an answer, and
    the score report notes one left unanswered."""

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    about: str  # what it asks, in a few words (shown in the report)
    lines: list[str] = Field(min_length=1)
    repeat: list[str] = Field(min_length=1)  # asked again when the staff went on without answering
    thanks: list[str] = Field(min_length=1)  # after an answer
    answered_by: list[Evidence] = Field(min_length=1)  # what in a staff turn answers it
    ask_on: list[Move] = ["presentation", "benefit", "closing", "referral", "diversion"]


# Requests the drill engine tells apart within one the model hears: a card or passbook to put into a machine
# ("卡插这儿,选转账") is a hand-over the customer does itself, not one to the staff.
DERIVED_REQUESTS = ("at_the_machine",)


class Reactions(Strict):
    """Several phrasings per situation, so two drills do not read the same."""

    greeting: list[str] = Field(min_length=2)  # staff greeted well
    continue_: list[str] = Field(min_length=2, alias="continue")  # neutral: the customer listens, waits for more
    probe_more: list[str] = Field(min_length=2)  # a vague needs question: the customer gives little
    pitch_too_early: list[str] = Field(min_length=2)  # a pitch before any need is known
    # the same after a needs question that reached no need: "not now", never "you have not asked" (else the above)
    pushed_after_asking: list[str] = []
    off_topic: list[str] = Field(min_length=2)
    rude: list[str] = Field(min_length=2)
    violation: list[str] = Field(min_length=2)  # a promise of returns or pressure: the customer turns wary
    closing_not_ready: list[str] = Field(min_length=2)  # asked to decide while needs or objections are open
    accept: list[str] = Field(min_length=2)  # the customer agrees (buys, books, is referred, is satisfied)
    after_accept: list[str] = Field(min_length=2)  # waiting for the staff to finish (documents, reminder)
    farewell: list[str] = Field(min_length=2)  # the customer leaves satisfied
    walk_away: list[str] = Field(min_length=2)  # patience ran out (no particular reason)
    walk_away_rude: list[str] = Field(min_length=1)  # leaves because the staff was rude, and says so
    walk_away_pressure: list[str] = Field(min_length=1)  # leaves because it was pushed or promised too much
    walk_away_ignored: list[str] = Field(min_length=1)  # leaves because what it said kept being ignored
    handed_back: list[str] = Field(min_length=2)  # card, cash or documents handed back
    wait_time: list[str] = Field(min_length=2)  # told how long it will take
    confirm: list[str] = Field(min_length=2)  # the business repeated back: confirms it
    explanation: list[str] = Field(min_length=2)  # something explained: takes it in
    small_talk: list[str] = Field(min_length=2)
    apology: list[str] = Field(min_length=2)
    thanks: list[str] = Field(min_length=2)  # thanked for waiting or for coming
    evaluation: list[str] = Field(min_length=2)  # asked to rate the service
    acknowledge: list[str] = Field(min_length=2)  # a worry addressed in part: reassured a little, still uneasy
    no_answer: list[str] = Field(min_length=2)  # asked something it cannot answer
    waiting_to_leave: list[str] = Field(min_length=2)  # all done and handed back: ready to go
    comply: list[str] = Field(min_length=2)  # asked to do something none of `requests` words: does it
    # asked to pick between two options ("今天办,还是回去商量?"): {choice} is the option, in the staff's words
    choose: list[str] = Field(min_length=2)
    agree: list[str] = Field(min_length=2)  # decided, and asked "这样行吗?" about a detail of the plan: says yes
    nothing_else: list[str] = Field(min_length=2)  # asked "还有别的要办吗?": nothing more
    no_concerns: list[str] = []  # asked "有哪里不放心的?" with no worry left: none (left out: worded as `nothing_else`)
    # asked "带齐了没?": {yes} is the short yes in the question's verb ("带齐了"); not named `yes`, which YAML reads as
    # true
    affirm: list[str] = Field(min_length=2)
    # how it goes along with a request (understanding/labels.yaml, requests): hand_over, enter_pin, sign, check, fill_in;
    # or at_the_machine (DERIVED_REQUESTS)
    requests: dict[str, list[str]] = {}
    # seen off while its card or papers are still with the staff: asks for them (left out: the customer says nothing)
    not_returned: list[str] = []
    # called by another surname or a term for the other sex ("李孃孃" to Liu, a man): says how it is called (left out:
    # lets it pass)
    misaddressed: list[str] = []
    # told there is no rush to decide while not ready (or, `persona.takes_time`, while ready): takes the time ("那我
    # 回去再想想"), never "别催我" to staff who did not press (left out: worded as `closing_not_ready`)
    take_time: list[str] = []

    @field_validator("choose", "affirm")
    @classmethod
    def _slot(cls, lines: list[str], info: ValidationInfo) -> list[str]:
        slot = {"choose": "{choice}", "affirm": "{yes}"}[info.field_name or ""]
        missing = [line for line in lines if slot not in line]
        if missing:
            raise ValueError(f"every line must say {slot}: {missing[0]!r}")
        return lines


class Scenario(Strict):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, populate_by_name=True)

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    title: str
    role: str  # the staff role practised (柜员, 理财经理, 大堂经理...)
    products: list[str] = []  # knowledge-base topics the drill is about (also names it by topic)
    aliases: list[str] = Field(min_length=1)  # what staff call it: 开始演练 <alias>
    persona: Persona
    opening: list[str] = Field(min_length=2)
    needs: list[Need] = Field(min_length=1)
    objections: list[Objection] = []
    questions: list[CustomerQuestion] = []
    reactions: Reactions
    outcome: str  # what acceptance means here: 开通定投, 预约理财经理, 平息投诉...
    needs_to_accept: int = Field(default=1, ge=0)  # needs revealed before the customer can accept
    checkpoints: list[Checkpoint] = Field(min_length=4)
    weights: Optional[dict[Dimension, float]] = None  # overrides the rubric's dimension weights

    @model_validator(mode="after")
    def _references(self) -> "Scenario":
        ids = [c.id for c in self.checkpoints]
        if len(set(ids)) != len(ids):
            raise ValueError("duplicate checkpoint id")
        for checkpoint in self.checkpoints:
            unknown = [a for a in checkpoint.after if a not in ids]
            if unknown:
                raise ValueError(f"checkpoint '{checkpoint.id}' is after unknown checkpoint(s) {unknown}")
        if self.needs_to_accept > len(self.needs):
            raise ValueError("needs_to_accept is larger than the number of needs")
        missing = [d for d in DIMENSIONS if d != "compliance" and not any(c.dimension == d for c in self.checkpoints)]
        if missing:
            raise ValueError(f"no checkpoint for dimension(s) {missing}")
        return self


class Difficulty(Strict):
    patience: int = Field(ge=1)  # bad turns the customer tolerates before walking away
    objections: int = Field(ge=0)  # how many objections the customer raises at most
    reveal_on_vague: bool  # a vague needs question still reveals the next need
    trust_to_accept: int  # trust the customer needs before agreeing
    questions: int = Field(default=1, ge=0)  # questions of its own the customer asks at most


class Rubric(Strict):
    weights: dict[Dimension, float]
    pass_total: float = 80
    # GRADING.md: compliance is 100 when clean, 0 with any violation; a risk product discussed without its disclosure
    # loses at most this much (100 -> 70)
    disclosure_penalty: float = Field(default=30, ge=0, le=100)
    dimension_floor: float = Field(default=30, ge=0, lt=100)  # service/script/concept score with no checkpoint met
    dimension_curve: float = Field(default=1.0, gt=0, le=1)  # < 1: most of a dimension done scores near a coach's grade
    out_of_order_credit: float = Field(ge=0, le=1)  # share of a checkpoint's weight when hit out of order
    difficulties: dict[Level, Difficulty]

    @model_validator(mode="after")
    def _weights(self) -> "Rubric":
        if set(self.weights) != set(DIMENSIONS) or abs(sum(self.weights.values()) - 1) > 1e-6:
            raise ValueError("weights must give all four dimensions and sum to 1")
        return self
