"""Jieba tokens for the lexical half of retrieval, with the knowledge base's own product words in the dictionary."""

from __future__ import annotations

import logging
import re
import threading
from typing import Iterable

import jieba

jieba.setLogLevel(logging.WARNING)
_lock = threading.Lock()
_added: set[str] = set()

# Function words that carry no topic; kept short on purpose, BM25's IDF handles the rest.
STOPWORDS = frozenset(
    "的 了 吗 呢 啊 吧 呀 么 嘛 哦 我 你 您 他 她 它 我们 你们 这 那 这个 那个 怎么 怎样 如何 咋 啥 什么 是 有 在 要 和 与 及 跟 给 "
    "对 把 被 就 都 也 还 又 很 能 会 可以 一下 一个 请问 请 问 说 讲 应该 该 时候 如果 然后 所以 因为 但是".split()
)
_TOKEN = re.compile(r"[\w\u4e00-\u9fff]")
_HAN_RUN = re.compile(r"[\u4e00-\u9fff]{2,}")


def add_words(words: Iterable[str]) -> None:
    """Teach jieba the product names and synonyms so 定投 stays one token."""
    with _lock:
        for word in words:
            word = word.strip()
            if len(word) >= 2 and word not in _added:
                jieba.add_word(word, freq=200000)
                _added.add(word)


def tokenize(text: str) -> list[str]:
    """Jieba words plus character bigrams (prefixed "~"): the bigrams keep 大额纯单 (a typo) close to 大额存单."""
    text = text.lower()
    tokens = []
    for token in jieba.cut_for_search(text):
        token = token.strip()
        if token and token not in STOPWORDS and _TOKEN.search(token):
            tokens.append(token)
    for run in _HAN_RUN.findall(text):
        tokens.extend("~" + run[i : i + 2] for i in range(len(run) - 1))
    return tokens
