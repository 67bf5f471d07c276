"""Rasa NLU component: messages that cannot be understood get the intent `invalid_input`.

Runs last in the pipeline so nothing downstream can pick a confident intent for an empty, oversized or emoji-only
message; a rule answers it with a polite explanation (action_reject_input).
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from assistant.config import get_settings
from assistant.text import input_problem

INVALID_INTENT = "invalid_input"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class InputGuard(GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        # None: the web app's limit, Settings.max_message_chars (ASSISTANT_MAX_MESSAGE_CHARS), read when Rasa starts
        return {"max_chars": None}

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "InputGuard":
        return cls(config)

    def __init__(self, config: Optional[Dict[Text, Any]] = None) -> None:
        configured = (config or {}).get("max_chars")
        self.max_chars = int(configured) if configured else get_settings().max_message_chars

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            if input_problem(message.get(TEXT) or "", self.max_chars):
                intent = {INTENT_NAME_KEY: INVALID_INTENT, PREDICTED_CONFIDENCE_KEY: 1.0}
                message.set(INTENT, intent, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [intent], add_to_output=True)
        return messages
