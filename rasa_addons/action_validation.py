"""Validate action server responses with one prepared validator.

Rasa 3.6 calls `jsonschema.validate` on every custom action's response, and that re-checks the response schema against
the JSON Schema meta-schema each time: under load it was half of Rasa's CPU per drill turn (py-spy, bench/load.py).
The schema never changes, so it is checked once here; the same responses pass and fail, with Rasa's own message.
Imported by `rasa_addons/__init__.py`, so it is active whenever the Rasa server loads this project's components.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Dict

from jsonschema import validators
from jsonschema.exceptions import best_match
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL


@lru_cache(maxsize=1)
def response_validator():
    schema = RemoteAction.action_response_format_spec()
    validator_class = validators.validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


def validate_action_result(self: RemoteAction, result: Dict[str, Any]) -> bool:
    # as jsonschema.validate does, minus the meta-schema check: report the best-matching error
    error = best_match(response_validator().iter_errors(result))
    if error is None:
        return True
    error.message += (
        ". Failed to validate Action server response from API, make sure your response from the Action endpoint is "
        f"valid. For more information about the format visit {DOCS_BASE_URL}/custom-actions"
    )
    raise error


RemoteAction._validate_action_result = validate_action_result
