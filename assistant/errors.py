"""Errors that carry a message for users (Chinese) and one for logs (English)."""

from __future__ import annotations


def error_body(code: str, message: str) -> dict:
    """The JSON body of every error the web API returns (a contract with its clients): a stable code and the
    message shown to staff."""
    return {"error": {"code": code, "message": message}}


class AssistantError(Exception):
    """Base error: `code` is stable for API clients, `user_message` is shown to staff, str(self) goes to logs."""

    code = "error"
    status = 400

    def __init__(self, log_message: str, user_message: str, code: str | None = None):
        super().__init__(log_message)
        self.user_message = user_message
        if code:
            self.code = code

    def to_dict(self) -> dict:
        return error_body(self.code, self.user_message)


class InputError(AssistantError):
    code = "bad_input"


class NotFound(AssistantError):
    code = "not_found"
    status = 404


class KBError(AssistantError):
    """A knowledge-base file is wrong: names the file, the entry and the field."""

    code = "kb_invalid"
    status = 500

    def __init__(self, path: str, entry: str | None, field: str | None, problem: str):
        where = f"{path}" + (f", entry '{entry}'" if entry else "") + (f", field '{field}'" if field else "")
        super().__init__(
            f"{where}: {problem}",
            f"知识库文件有误:{path}"
            + (f",条目 {entry}" if entry else "")
            + (f",字段 {field}" if field else "")
            + f"。{problem}",
        )
        self.path, self.entry, self.field, self.problem = path, entry, field, problem


class ServiceUnavailable(AssistantError):
    code = "unavailable"
    status = 503
