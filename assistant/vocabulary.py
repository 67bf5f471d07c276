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
