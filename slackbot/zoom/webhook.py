"""Zoom's webhook rules beyond the signature (checked by signatures.py): the URL validation
challenge and the event body.

The signature is Slack's scheme with Zoom's headers and secret token (signatures.py): over the raw
bytes, constant-time, five minutes either way. Zoom does not retry 4xx, so a refused request gets 401.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any


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
