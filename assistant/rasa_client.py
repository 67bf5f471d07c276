"""The one client that talks to the Rasa server and checks how exposed Rasa and the action server are.

Every request carries the shared bearer token (RASA_TOKEN): the REST channel (rasa_addons/secure_rest.py) refuses
requests without it, and Rasa's HTTP API (started with --auth-token by rasa_addons/serve.py) wants it as `?token=`.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import requests

from assistant.config import get_settings


@dataclass(frozen=True)
class RasaClient:
    url: str
    token: str

    def _headers(self) -> dict:
        return {"Authorization": f"Bearer {self.token}"}

    def say(self, sender: str, message: str, timeout: float = 30) -> list[dict]:
        """The bot's replies to one message from `sender` (the REST channel)."""
        response = requests.post(
            f"{self.url}/webhooks/rest/webhook",
            json={"sender": sender, "message": message},
            headers=self._headers(),
            timeout=timeout,
        )
        response.raise_for_status()
        return response.json()

    def replies(self, sender: str, message: str, timeout: float = 30) -> list[dict]:
        """The bot's replies as the channels show them: {text, buttons, data} each (see merge_messages)."""
        return merge_messages(self.say(sender, message, timeout))

    def tracker(self, sender: str, timeout: float = 30) -> dict:
        response = requests.get(
            f"{self.url}/conversations/{sender}/tracker", params={"token": self.token}, timeout=timeout
        )
        response.raise_for_status()
        return response.json()

    def parse(self, text: str, timeout: float = 30) -> dict:
        response = requests.post(
            f"{self.url}/model/parse", json={"text": text}, params={"token": self.token}, timeout=timeout
        )
        response.raise_for_status()
        return response.json()


def merge_messages(messages: list[dict]) -> list[dict]:
    """Rasa's REST channel sends an action's JSON payload as a message of its own: fold it into the text before it."""
    replies: list[dict] = []
    for message in messages:
        if "text" not in message and replies:
            replies[-1]["data"].update(message.get("custom") or {})
            replies[-1]["buttons"] += message.get("buttons") or []
            continue
        replies.append(
            {
                "text": message.get("text", ""),
                "buttons": list(message.get("buttons") or []),
                "data": dict(message.get("custom") or {}),
            }
        )
    return replies


def probe(url: str) -> dict:
    """A server's health for /api/health: ok, error (with the HTTP status) or down."""
    try:
        response = requests.get(url, timeout=2)
        return {"status": "ok" if response.ok else "error", "http": response.status_code}
    except requests.RequestException as exc:
        return {"status": "down", "detail": type(exc).__name__}


def client() -> RasaClient:
    settings = get_settings()
    return RasaClient(settings.rasa_url, settings.rasa_token)


# --- exposure, for /api/health -------------------------------------------------------------------------------------


def _is_loopback(host: str) -> bool:
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _listen_addresses(port: int, proc: Path = Path("/proc/net")) -> list[str]:
    """Local addresses a TCP socket on this machine listens on for `port` (Linux /proc/net/tcp{,6}); [] elsewhere."""
    found = []
    for name, width in (("tcp", 8), ("tcp6", 32)):
        try:
            lines = (proc / name).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if len(fields) < 4 or fields[3] != "0A":  # 0A = LISTEN
                continue
            address, port_hex = fields[1].rsplit(":", 1)
            if int(port_hex, 16) != port or len(address) != width:
                continue
            raw = bytes.fromhex(address)
            # the kernel prints each 32-bit word in host (little-endian) order
            raw = b"".join(raw[i : i + 4][::-1] for i in range(0, len(raw), 4))
            found.append(str(ipaddress.ip_address(raw)))
    return found


def reachable_beyond_loopback(url: str) -> bool:
    """Whether other machines could reach the server at `url`: a non-loopback URL, or a local socket bound wider."""
    parts = urlsplit(url)
    if not _is_loopback(parts.hostname or ""):
        return True
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return any(not ipaddress.ip_address(a).is_loopback for a in _listen_addresses(port))


def refuses_strangers(url: str, kind: str) -> bool | None:
    """Whether a request without the secret is refused (401/403); None when the server cannot be reached.

    Non-destructive: a body-less POST, which a guarded server refuses before reading and an open one rejects as bad input.
    """
    paths = {"rasa": ["/webhooks/rest/webhook", "/conversations/health-probe/tracker"], "actions": ["/webhook"]}[kind]
    try:
        for path in paths:
            method = requests.get if path.endswith("/tracker") else requests.post
            if method(f"{url}{path}", timeout=2).status_code not in (401, 403):
                return False
        return True
    except requests.RequestException:
        return None


def exposure_problem(url: str, kind: str) -> str | None:
    """A Chinese sentence for the health page when the server is open to anyone beyond this machine, else None."""
    if refuses_strangers(url, kind) is not False:
        return None
    if not reachable_beyond_loopback(url):
        return None
    name = {"rasa": "Rasa 服务", "actions": "动作服务"}[kind]
    return f"{name}对本机以外开放且不需要密钥:任何人都可以读写员工的对话。请设置 RASA_TOKEN / ACTIONS_TOKEN 或只监听 127.0.0.1。"
