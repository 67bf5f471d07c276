"""Wording the customer's decisions: the engine decides what the customer does (a CustomerAct), a realiser says it.

The engine never picks text. That seam lets another realiser (for example a language model served on the bank's own
machines, prompted with the persona and the act) replace the authored lines without touching the decisions, the
state or the scoring: it receives the same acts and the same state, and must keep the same promises (a fact is said as
the persona's facts say it; nothing the act does not carry is added).
"""

from __future__ import annotations

import hashlib
import random
import re
import string
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, Sequence

from assistant.content.scenario import Scenario

if TYPE_CHECKING:
    from assistant.drill.engine import DrillState

# Acts worded from scenario.reactions of the same name ("continue" is stored as continue_).
REACTIONS = {
    "greeting",
    "continue",
    "probe_more",
    "pitch_too_early",
    "pushed_after_asking",
    "off_topic",
    "rude",
    "violation",
    "closing_not_ready",
    "accept",
    "after_accept",
    "farewell",
    "walk_away",
    "handed_back",
    "wait_time",
    "confirm",
    "explanation",
    "small_talk",
    "apology",
    "thanks",
    "evaluation",
    "acknowledge",
    "no_answer",
    "waiting_to_leave",
    "comply",
    "choose",
    "agree",
    "nothing_else",
    "no_concerns",
    "affirm",
    "not_returned",
    "misaddressed",
    "take_time",
}
# When every phrasing of an act has been said in a drill, a fresh line of a reaction that does the same job is said
# rather than a line again word for word (a long drill asks for the papers to be checked five times).
KIN = {
    "request": ("comply",),
    "handed_back": ("request:check", "comply"),
    "comply": ("agree", "confirm"),
    "agree": ("comply", "confirm"),
    "confirm": ("agree",),
    "wait_time": ("comply",),
    "evaluation": ("thanks",),
    "after_accept": ("comply",),
    "waiting_to_leave": ("nothing_else",),
    "nothing_else": ("waiting_to_leave",),
    "pushed_after_asking": ("off_topic",),  # "not now" said out: "咱先办正事吧"
}
# An optional reaction a scenario may leave out is worded as the reaction it refines.
STANDS_IN = {
    "pushed_after_asking": "pitch_too_early",
    "no_concerns": "nothing_else",
    "take_time": "closing_not_ready",
}
FILLERS = {"continue", "probe_more"}  # replies that say nothing: counted by the customer bench (at most 10%)


@dataclass(frozen=True)
class CustomerAct:
    """One thing the customer does in a reply.

    kind: a reaction name (REACTIONS; "choose" carries the option picked as ref, "affirm" the short yes), or opening | fact | unknown | reveal | objection | dodged | answered | ask |
    ask_again | answer_thanks | request | wrong_figure | walk_out. ref: the fact topic, need, objection, question, request or
    walk-out cause.
    again: a fact the customer has already told in this drill.
    """

    kind: str
    ref: str = ""
    again: bool = False

    @property
    def event(self) -> str:
        """The act as recorded with the staff turn (and read by benches and tests)."""
        return f"{self.kind}:{self.ref}" if self.ref else self.kind


class Realiser(Protocol):
    def realise(self, acts: Sequence[CustomerAct], scenario: Scenario, state: "DrillState") -> str:
        """The customer's reply for these acts. May record what it said in state.said (to avoid repeats)."""


class _Slots(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


# A fact or need is worded, where a phrasing allows, without a phrase of the last replies: reviewers flagged "到手九千"
# and "两三年后结婚" said again a turn or two later as reciting a profile (rounds 10-14). Only a preference: asked
# again, it answers again (dropping the answer lost every A/B pair where the staff had asked, ab_18).
RECENT_REPLIES = 2
RESTATED_KINDS = ("fact", "reveal")
OVERLAP_CHARS = 4  # a run this long of an earlier reply said again reads as reciting ("到手九千")
# two lines of one reply sharing a run this long read as stitched together ("搞快点" twice, "有人带着就好……有人带就行"):
# 32 of the 38 such replies were judged bad over rounds 8-19, against 35% of the other two-line replies
OVERLAP_CHARS_IN_REPLY = 3


NUMBER = re.compile("[0-9零一二两三四五六七八九十百千万]{2,}")  # "九千", "五十万": a figure said twice is a repeat


def overlaps(line: str, said: str) -> bool:
    """Within one reply: a phrase or a figure said twice."""
    shared = restates(line, re.sub(r"[^\w]", "", said), OVERLAP_CHARS_IN_REPLY)
    return shared or bool(set(NUMBER.findall(line)) & set(NUMBER.findall(said)))


def restates(line: str, said: str, run: int = OVERLAP_CHARS) -> bool:
    """A phrase of the line was said in an earlier reply ("到手九千"). Figures alone do not count across turns:
    "二十来分钟" and "二十多年" share only a number."""
    text = re.sub(r"[^\w]", "", line)
    return any(text[i : i + run] in said for i in range(len(text) - run + 1))


def adds_a_figure(fact: str, said: str) -> bool:
    """Whether a fact carries a figure the reply has not said ("八十万" beside "二十万给儿子"): then it is still news,
    and dropping it would leave the customer thinking it had told what it had not."""
    return bool(set(NUMBER.findall(fact)) - set(NUMBER.findall(said)))


# Spoken openers ("哈哈,", "那个,", "好,"): said twice in one reply they read as two lines glued together, which
# reviewers flagged on every round ("哈哈,……。 哈哈,给,你看一下。", "好,讲清楚了。 好,我签上")
_OPENER = re.compile("^(哈哈|那个|那啥|嗯嗯|嗯|好的|好嘞|好|行吧|行|哎|唔|哦|对头|对)[,,。!! ]+(?=.)")


def without_repeated_opener(line: str, said: str) -> str:
    """The line without its opener when the reply already said that opener."""
    match = _OPENER.match(line)
    if match and re.search(f"(?:^|[^\\w]){match.group(1)}[,,。!! ]", said):
        return line[match.end() :]
    return line


def line_key(line: str) -> str:
    return hashlib.sha1(line.encode("utf-8")).hexdigest()[:10]


class TemplateRealiser:
    """Authored lines from the scenario file, one chosen by seed, turn and act (a drill replays exactly), never a
    line already said in this drill while another is left (then the one said longest ago)."""

    def lines(self, act: CustomerAct, scenario: Scenario) -> list[str]:
        persona, reactions = scenario.persona, scenario.reactions
        if act.kind in REACTIONS:
            lines = getattr(reactions, "continue_" if act.kind == "continue" else act.kind)
            return lines or self.lines(CustomerAct(STANDS_IN[act.kind]), scenario)
        if act.kind == "opening":
            return scenario.opening
        if act.kind == "fact":
            return persona.fact(act.ref).lines  # type: ignore[union-attr]
        if act.kind == "unknown":
            return persona.unknown
        if act.kind == "reveal":
            return next(n for n in scenario.needs if n.id == act.ref).lines
        if act.kind in ("objection", "dodged", "answered"):
            objection = next(o for o in scenario.objections if o.id == act.ref)
            return {
                "objection": objection.lines,
                "dodged": objection.repeat_lines,
                "answered": objection.accepted_lines,
            }[act.kind]
        if act.kind in ("ask", "ask_again", "answer_thanks"):
            question = next(q for q in scenario.questions if q.id == act.ref)
            return {"ask": question.lines, "ask_again": question.repeat, "answer_thanks": question.thanks}[act.kind]
        if act.kind == "request":
            return reactions.requests.get(act.ref) or reactions.comply
        if act.kind == "wrong_figure":
            return persona.fact(act.ref).said_wrong.lines  # type: ignore[union-attr]
        if act.kind == "walk_out":
            return getattr(reactions, f"walk_away_{act.ref}", None) or reactions.walk_away
        raise ValueError(f"no wording for customer act {act.event!r}")

    def kin(self, act: CustomerAct, scenario: Scenario) -> list[str]:
        """Lines of the reactions that do the same job as the act (KIN), for when its own are all said."""
        lines: list[str] = []
        for name in KIN.get(act.kind, ()):
            kind, _, ref = name.partition(":")
            lines += self.lines(CustomerAct(kind, ref), scenario)
        return lines

    def choose(
        self,
        lines: list[str],
        state: "DrillState",
        situation: str,
        said_now: str = "",
        kin: Sequence[str] = (),
        said_before: str = "",
    ) -> str:
        """said_now: the reply so far; a line that repeats a phrase of it is taken only when every line does.
        said_before: the last replies, the same way, after said_now.
        kin: lines that do the same job, said when every one of `lines` has been said in this drill."""
        if said_now:
            lines = [line for line in lines if not overlaps(line, said_now)] or lines
        if said_before:
            lines = [line for line in lines if not restates(line, said_before)] or lines
        fresh = [line for line in lines if line_key(line) not in state.said]
        if not fresh:
            fresh = [line for line in kin if line_key(line) not in state.said and not overlaps(line, said_now)]
        if not fresh:  # every phrasing used: the one said longest ago
            last = {key: n for n, key in enumerate(state.said)}
            fresh = [min(lines, key=lambda line: last.get(line_key(line), -1))]
        line = random.Random(f"{state.seed}|{state.turn}|{situation}").choice(fresh)
        state.said.append(line_key(line))
        return line

    def realise(self, acts: Sequence[CustomerAct], scenario: Scenario, state: "DrillState") -> str:
        persona = scenario.persona
        slots = _Slots(name=persona.name, age=persona.age, job=persona.job)
        parts: list[str] = []
        said_before = " ".join(state.recent[-RECENT_REPLIES:])
        for act in acts:
            lines = self.lines(act, scenario)
            said_now = " ".join(parts)
            if act.kind == "fact" and said_now and all(overlaps(line, said_now) for line in lines):
                if not adds_a_figure(persona.fact(act.ref).value, said_now):  # type: ignore[union-attr]
                    continue  # the reply already says it ("到手九千" told with the savings): once is enough
            restated = act.kind in RESTATED_KINDS and not act.again
            text = self.choose(
                lines, state, act.event, said_now, self.kin(act, scenario), said_before if restated else ""
            )
            text = without_repeated_opener(text, said_now)
            if act.again:
                text = self.choose(persona.again, state, "again") + text
            if "{" in text:
                text = string.Formatter().vformat(text, (), _Slots(slots, choice=act.ref, yes=act.ref))
            parts.append(text)
        reply = " ".join(parts)
        state.recent = (state.recent + [reply])[-RECENT_REPLIES:]
        return reply
