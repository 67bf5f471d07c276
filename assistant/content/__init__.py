"""Content a trainer edits (scripts_kb/): schemas, loader, and the one Content object every layer reads."""

from assistant.content.loader import KnowledgeBase, load_kb  # noqa: F401
from assistant.content.store import Content, content_store, get_content, load_content, reload_content  # noqa: F401
