"""Rasa custom actions: thin adapters that pass the message to assistant.chat and send back its reply."""

from __future__ import annotations

import asyncio
import logging
from abc import ABCMeta, abstractmethod
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

log = logging.getLogger(__name__)

SORRY = "抱歉,系统暂时出了点问题,请稍后再试。"


def send(dispatcher: CollectingDispatcher, reply) -> None:
    dispatcher.utter_message(text=reply.text, buttons=reply.buttons or None, json_message=reply.data or None)


def entity(tracker: Tracker, name: str) -> str | None:
    return next(tracker.get_latest_entity_values(name), None)


class SafeAction(Action, metaclass=ABCMeta):
    """Any library failure becomes a polite Chinese reply; the stack trace goes to the log only.

    The library blocks (the sentence encoder, the database), and rasa_sdk runs a synchronous action on its event loop,
    so one drill being scored held every other member of staff's turn: each action runs in a worker thread instead.
    """

    @abstractmethod
    def handle(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> List[Dict[Text, Any]]:
        """The action's work; returns the events."""

    async def run(self, dispatcher, tracker, domain):
        return await asyncio.to_thread(self._run_blocking, dispatcher, tracker)

    def _run_blocking(self, dispatcher, tracker):
        from assistant.errors import AssistantError

        try:
            return self.handle(dispatcher, tracker)
        except AssistantError as exc:  # a known condition (database busy, ...): its own Chinese message
            log.warning("action %s: %s", self.name(), exc)
            dispatcher.utter_message(text=exc.user_message)
            return []
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


def drill_events(reply) -> List[Dict[Text, Any]]:
    events = [SlotSet("drill_active", bool(reply.data.get("drill_active")))]
    if reply.data.get("report"):
        # A drill just ended (its turns are in the app database): start a new Rasa session, so the tracker that every
        # later message loads, sends here and saves holds one drill, not the whole evening. Slots carry over.
        events.append(FollowupAction("action_session_start"))
    return events


class ActionListScenarios(SafeAction):
    def name(self) -> Text:
        return "action_list_scenarios"

    def handle(self, dispatcher, tracker):
        from assistant import chat

        send(dispatcher, chat.scenarios_reply())
        return []


class ActionStartDrill(SafeAction):
    def name(self) -> Text:
        return "action_start_drill"

    def handle(self, dispatcher, tracker):
        from assistant import chat

        text = tracker.latest_message.get("text") or ""
        named = entity(tracker, "scenario") or entity(tracker, "product") or text
        reply = chat.start_drill_reply(tracker.sender_id, named, text=text)
        send(dispatcher, reply)
        return drill_events(reply)


class ActionDrillTurn(SafeAction):
    def name(self) -> Text:
        return "action_drill_turn"

    def handle(self, dispatcher, tracker):
        from assistant import chat

        reply = chat.drill_turn_reply(tracker.sender_id, tracker.latest_message.get("text") or "")
        send(dispatcher, reply)
        return drill_events(reply)


class ActionStopDrill(SafeAction):
    def name(self) -> Text:
        return "action_stop_drill"

    def handle(self, dispatcher, tracker):
        from assistant import chat

        reply = chat.stop_drill_reply(tracker.sender_id)
        send(dispatcher, reply)
        return drill_events(reply)


class ActionLogActivity(SafeAction):
    def name(self) -> Text:
        return "action_log_activity"

    def handle(self, dispatcher, tracker):
        from assistant import chat
        from assistant.errors import AssistantError

        try:
            send(dispatcher, chat.activity_reply(tracker.sender_id, tracker.latest_message.get("text") or ""))
        except AssistantError as exc:  # no numbers heard, or a count out of range: say which
            dispatcher.utter_message(text=exc.user_message)
        return []
