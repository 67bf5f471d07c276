"""Words every layer shares: the scoring dimensions (with the names staff read) and the difficulty levels.

Defined once, at the bottom layer and without dependencies, so the content schema, engine, scorer, services, CLI and
web pages read the same list and cannot drift apart.
"""

from __future__ import annotations

from typing import Literal, get_args

# The rubric's four dimensions (scripts_kb/rubric.yaml weights), in the order reports list them.
Dimension = Literal["service", "script", "concept", "compliance"]
DIMENSIONS: tuple[Dimension, ...] = get_args(Dimension)
DIMENSION_NAMES: dict[Dimension, str] = {
    "service": "服务规范",
    "script": "销售话术",
    "concept": "营销理念",
    "compliance": "合规",
}

# Drill difficulty (scripts_kb/rubric.yaml difficulties), easiest first: an objection's min_difficulty counts up this order.
Level = Literal["easy", "normal", "hard"]
LEVELS: tuple[Level, ...] = get_args(Level)
DEFAULT_LEVEL: Level = "normal"

# Non-deposit investment products by name: a conversation that pitches one owes the customer a risk disclosure, and a
# guarantee said of one is a promise. Titles and schemes that contain such a word name no product ("理财经理",
# "存款保险").
RISK_PRODUCT_WORDS = ("基金", "理财", "定投", "保险", "股票", "净值", "债券", "信托")
_NOT_A_PRODUCT = ("存款保险", "理财经理")


def names_risk_product(text: str) -> bool:
    """Whether the text names a non-deposit investment product."""
    for name in _NOT_A_PRODUCT:
        text = text.replace(name, "")
    return any(word in text for word in RISK_PRODUCT_WORDS)
