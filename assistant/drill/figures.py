"""A figure of the customer's own said back wrong: "您这笔定期本金二十万" to a retiree who has eighty. A customer who
lets that pass reads as not listening (reviewers faulted it twice in round 19); it puts it right."""

from __future__ import annotations

import re

from assistant.content.scenario import FigureCheck
from assistant.text import AMOUNT_IN_WAN, chinese_number

# a staff clause, at its marks (or, typed by voice without marks, at its spaces)
_CLAUSE = re.compile(r"[^,,。;;!!??::、\s()()]+")
# the staff putting itself right ("我看错了,不是二十万"), naming a part of the money ("这笔里头二十万给儿子"), or a
# limit ("本金加利息五十万以内全额赔付", "二十万起存")
_NOT_A_STATEMENT_OF_IT = re.compile(
    "不是|说成|说错|看错|看岔|记错|里头|里面|其中|拿出|分出|留|给|一块|一部分|以内|以上|以下|最高|最多|最低|起存|赔|保险|限额|超过"
)
# the figure with its interest ("本息一共八十二万出头") is still the figure
INTEREST_MARGIN = 1.15


def misstated(text: str, check: FigureCheck) -> str | None:
    """The figure a staff clause states for the customer's own (one with a word of `check.of`) when it is not the
    customer's, as said ("二十万"); None when every such figure is right."""
    own = chinese_number(check.figure.removesuffix("万"))
    for clause in _CLAUSE.findall(text):
        if not any(word in clause for word in check.of) or _NOT_A_STATEMENT_OF_IT.search(clause):
            continue
        for match in AMOUNT_IN_WAN.finditer(clause):
            said = chinese_number(match.group(1))
            if said and not own <= said <= own * INTEREST_MARGIN:
                return match.group(0)
    return None
