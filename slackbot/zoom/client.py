"""Zoom's chatbot API: a client-credentials token, cached, and messages sent, edited and deleted.

The token (`POST {oauth}/oauth/token?grant_type=client_credentials`, Basic auth) lasts an hour and has
no refresh token: it is reused until a minute before it expires (one fetch at a time), and fetched
again once if the API answers 401. 429 and 5xx are retried with backoff (Retry-After when given), a
bounded number of times. Base URLs come from configuration, so tests point them at a local fake.
"""

from __future__ import annotations

import base64
import json
import logging
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

from slackbot.errors import SignodeError

log = logging.getLogger("signode.zoom")
EARLY_REFRESH_S = 60
RETRIES = 3


class ZoomError(SignodeError):
    """Zoom refused a request (after retries): the status and Zoom's code/message."""


@dataclass(frozen=True)
class ZoomSettings:
    client_id: str
    client_secret: str
    bot_jid: str
    secret_token: str
    api_url: str = "https://api.zoom.us/v2"
    oauth_url: str = "https://zoom.us"


class ZoomClient:
    def __init__(self, settings: ZoomSettings, timeout: float = 10.0, sleep: Any = time.sleep) -> None:
        self.settings = settings
        self.timeout = timeout
        self.sleep = sleep
        self._token = ""
        self._expires = 0.0
        self._lock = threading.Lock()

    # -- token ----------------------------------------------------------------------------------
    def token(self, renew: bool = False) -> str:
        with self._lock:  # one fetch at a time: Zoom may invalidate tokens minted too often
            if renew or not self._token or time.monotonic() > self._expires - EARLY_REFRESH_S:
                self._token, self._expires = self._fetch_token()
            return self._token

    def _fetch_token(self) -> tuple[str, float]:
        basic = base64.b64encode(f"{self.settings.client_id}:{self.settings.client_secret}".encode()).decode()
        url = self.settings.oauth_url.rstrip("/") + "/oauth/token?grant_type=client_credentials"
        status, body = self._http("POST", url, b"", {"Authorization": f"Basic {basic}",
                                                     "Content-Type": "application/x-www-form-urlencoded"})
        if status != 200 or not isinstance(body.get("access_token"), str):
            raise ZoomError(f"Zoom did not grant a chatbot token (HTTP {status}): check ZOOM_CLIENT_ID and "
                            "ZOOM_CLIENT_SECRET")
        return body["access_token"], time.monotonic() + float(body.get("expires_in") or 3600)

    # -- messages -------------------------------------------------------------------------------
    def send(self, to_jid: str, account_id: str, content: dict[str, Any], user_jid: str = "",
             reply_to: str = "") -> str:
        """Post a card; returns the message ID when Zoom gives one (any 2xx is success)."""
        body: dict[str, Any] = {"robot_jid": self.settings.bot_jid, "to_jid": to_jid, "account_id": account_id,
                                "content": content}
        if user_jid:
            body["user_jid"] = user_jid
        if reply_to:
            body["reply_to"] = reply_to
        answer = self._api("POST", "/im/chat/messages", body)
        return str(answer.get("message_id", ""))

    def edit(self, message_id: str, account_id: str, content: dict[str, Any], user_jid: str = "") -> None:
        body: dict[str, Any] = {"robot_jid": self.settings.bot_jid, "account_id": account_id, "content": content}
        if user_jid:
            body["user_jid"] = user_jid
        self._api("PUT", f"/im/chat/messages/{urllib.parse.quote(message_id, safe='')}", body)

    def _api(self, method: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
        url = self.settings.api_url.rstrip("/") + path
        data = json.dumps(body, ensure_ascii=False).encode()
        renewed = False
        for attempt in range(RETRIES + 1):
            headers = {"Authorization": f"Bearer {self.token()}", "Content-Type": "application/json"}
            status, answer = self._http(method, url, data, headers)
            if 200 <= status < 300:
                return answer
            if status == 401 and not renewed:
                renewed = True
                self.token(renew=True)
                continue
            if (status == 429 or status >= 500) and attempt < RETRIES:
                wait = float(answer.get("_retry_after") or 2 ** attempt)
                log.warning("zoom %s %s answered %s; retrying in %.0f s", method, path, status, wait)
                self.sleep(min(wait, 30.0))
                continue
            raise ZoomError(f"Zoom refused {method} {path}: HTTP {status} {answer.get('code', '')} "
                            f"{answer.get('message', '')}".rstrip())
        raise ZoomError(f"Zoom refused {method} {path} after {RETRIES} retries")

    def _http(self, method: str, url: str, data: bytes, headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
        request = urllib.request.Request(url, data=data or None, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return response.status, _json(response.read())
        except urllib.error.HTTPError as exc:
            body = _json(exc.read())
            if exc.headers.get("Retry-After", "").isdigit():
                body["_retry_after"] = exc.headers["Retry-After"]
            return exc.code, body
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            return 599, {"message": f"cannot reach Zoom: {exc}"}


def _json(raw: bytes) -> dict[str, Any]:
    try:
        value = json.loads(raw.decode("utf-8")) if raw.strip() else {}
    except (UnicodeDecodeError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}
