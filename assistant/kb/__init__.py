from assistant.kb.loader import KnowledgeBase, load_kb  # noqa: F401
