"""Rasa custom actions: thin adapters that pass the message to assistant.chat and send back its reply."""
from __future__ import annotations

import logging
from abc import ABCMeta, abstractmethod
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

log = logging.getLogger(__name__)

SORRY = "抱歉,系统暂时出了点问题,请稍后再试。"


def send(dispatcher: CollectingDispatcher, reply) -> None:
    dispatcher.utter_message(text=reply.text, buttons=reply.buttons or None, json_message=reply.data or None)


def entity(tracker: Tracker, name: str) -> str | None:
    return next(tracker.get_latest_entity_values(name), None)


class SafeAction(Action, metaclass=ABCMeta):
    """Any library failure becomes a polite Chinese reply; the stack trace goes to the log only."""

    @abstractmethod
    def handle(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> List[Dict[Text, Any]]:
        """The action's work; returns the events."""

    def run(self, dispatcher, tracker, domain):
        try:
            return self.handle(dispatcher, tracker)
        except Exception:  # noqa: BLE001
            log.exception("action %s failed", self.name())
            dispatcher.utter_message(text=SORRY)
            return []


class ActionAnswerScript(SafeAction):
    def name(self) -> Text:
        return "action_answer_script"

    def handle(self, dispatcher, tracker):
        from assistant import chat

        text = tracker.latest_message.get("text") or ""
        entry_id = entity(tracker, "entry_id")
        product = entity(tracker, "product")
        reply = None
        if not entry_id and product and text.startswith("/"):
            reply = chat.answer_topic(product)  # a topic button
        send(dispatcher, reply or chat.answer_script(text, entry_id=entry_id))
        return []


class ActionRejectInput(SafeAction):
    def name(self) -> Text:
        return "action_reject_input"

    def handle(self, dispatcher, tracker):
        from assistant import chat

        send(dispatcher, chat.reject_input(tracker.latest_message.get("text")))
        return []


class ActionListScenarios(SafeAction):
    def name(self) -> Text:
        return "action_list_scenarios"

    def handle(self, dispatcher, tracker):
        from assistant import chat

        dispatcher.utter_message(text=chat.DRILLS_NOT_READY)
        return []


class ActionStartDrill(ActionListScenarios):
    def name(self) -> Text:
        return "action_start_drill"


class ActionStopDrill(SafeAction):
    def name(self) -> Text:
        return "action_stop_drill"

    def handle(self, dispatcher, tracker):
        dispatcher.utter_message(text="当前没有正在进行的演练。")
        return [SlotSet("drill_active", False)]


class ActionDrillTurn(ActionStopDrill):
    def name(self) -> Text:
        return "action_drill_turn"
