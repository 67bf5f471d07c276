"""Normalising and checking what staff type before anything else sees it."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from assistant.errors import InputError

_SPACES = re.compile(r"\s+")
_HAS_WORD = re.compile(r"[\w\u4e00-\u9fff]")


@lru_cache(maxsize=1)
def _t2s():
    import opencc  # opencc-python-reimplemented: pure Python, no download

    return opencc.OpenCC("t2s")


@lru_cache(maxsize=8192)
def normalize(text: str) -> str:
    """Full-width to half-width, traditional to simplified, one space between words (cached: a turn's text is
    normalised again by every model that reads it).

    Traditional input is common on some IMEs; answering it like simplified keeps retrieval and scoring consistent.
    """
    text = unicodedata.normalize("NFKC", text or "")
    text = _SPACES.sub(" ", text).strip()
    return _t2s().convert(text) if text else text


def input_problem(text: object, max_chars: int) -> str | None:
    """Why a message cannot be handled ("bad_type", "empty", "too_long", "no_words"), or None.

    Standard library only: the Rasa environment's input guard imports this too, so both sides apply one rule.
    """
    if not isinstance(text, str):
        return "bad_type"
    stripped = _SPACES.sub(" ", unicodedata.normalize("NFKC", text)).strip()
    if not stripped:
        return "empty"
    if len(stripped) > max_chars:
        return "too_long"
    if not _HAS_WORD.search(stripped):
        return "no_words"
    return None


def problem_message(problem: str, max_chars: int, what: str = "消息") -> str:
    """The polite Chinese explanation for an input_problem code."""
    return {
        "bad_type": f"{what}格式不对,请输入文字。",
        "empty": f"{what}是空的,请输入您想问的内容。",
        "too_long": f"{what}太长了,请精简到{max_chars}字以内再发。",
        "no_words": f"没有看懂这条{what},请用文字描述您的问题,例如“基金定投怎么介绍”。",
    }[problem]


def check_message(text: object, max_chars: int, what: str = "消息") -> str:
    """Return the normalised message or raise InputError with a polite Chinese explanation."""
    problem = input_problem(text, max_chars)
    if problem:
        raise InputError(f"rejected message: {problem}", problem_message(problem, max_chars, what), problem)
    return normalize(text)


# a number as chinese_number reads it (a group): digits, or a Chinese numeral
NUMERAL = r"(\d+|[零〇一二两三四五六七八九十百]+)"
# an amount in 万 as staff say or type it ("八十万", "80万"): the numeral before 万
AMOUNT_IN_WAN = re.compile(NUMERAL + "万")
_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def chinese_number(text: str) -> int:
    """Arabic digits or a Chinese numeral up to 999 (五, 十二, 二十, 一百零五)."""
    if text.isdigit():
        return int(text)
    total, current = 0, 0
    for char in text:
        if char in _DIGITS:
            current = _DIGITS[char]
        elif char == "十":
            total += (current or 1) * 10
            current = 0
        elif char == "百":
            total += (current or 1) * 100
            current = 0
    return total + current
