"""Custom Rasa components (loaded by the Rasa server from the repository root), and one fix to Rasa's per-action cost
(`action_validation`), applied on import so every Rasa server that loads these components has it."""

from rasa_addons import action_validation  # noqa: F401
