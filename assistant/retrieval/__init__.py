from assistant.retrieval.searcher import Searcher, SearchResult, get_searcher  # noqa: F401
