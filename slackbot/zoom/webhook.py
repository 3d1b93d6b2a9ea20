"""Zoom's webhook rules: the `x-zm-signature` over the raw body, the URL validation challenge.

The signature is `v0=` + hex HMAC-SHA256(secret token, `v0:{x-zm-request-timestamp}:{raw body}`),
compared in constant time over the bytes received (re-serialising JSON would change them). Zoom
documents no replay window; requests more than five minutes from our clock are refused anyway.
Zoom does not retry 4xx, so a refused request gets 401.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any

MAX_SKEW = 300


def signature(secret: str, timestamp: str, body: bytes) -> str:
    return "v0=" + hmac.new(secret.encode(), b"v0:" + timestamp.encode() + b":" + body, hashlib.sha256).hexdigest()


def problem(secret: str, body: bytes, timestamp: str, given: str, now: float | None = None) -> str:
    """Why a request is refused, or "" when Zoom signed it."""
    if not timestamp.isdigit() or len(timestamp) > 12:
        return "missing or malformed x-zm-request-timestamp"
    if abs((time.time() if now is None else now) - int(timestamp)) > MAX_SKEW:
        return "stale or future timestamp"
    if not hmac.compare_digest(signature(secret, timestamp, body).encode(), given.encode("utf-8", "replace")):
        return "invalid signature"
    return ""


def url_validation(secret: str, event: dict[str, Any]) -> dict[str, str] | None:
    """The answer to `endpoint.url_validation` (top-level plainToken and encryptedToken), else None."""
    if event.get("event") != "endpoint.url_validation":
        return None
    plain = str((event.get("payload") or {}).get("plainToken", ""))
    encrypted = hmac.new(secret.encode(), plain.encode(), hashlib.sha256).hexdigest()
    return {"plainToken": plain, "encryptedToken": encrypted}


def parse(body: bytes) -> dict[str, Any] | None:
    """The event as a dict, or None when the body is not a JSON object."""
    try:
        event = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    return event if isinstance(event, dict) else None
