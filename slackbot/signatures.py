"""The request signature Slack and Zoom both use: `v0=` + hex HMAC-SHA256(secret, `v0:{timestamp}:{body}`).

Checked over the raw bytes received (re-serialising JSON, or decoding a body that is not UTF-8, would
change them or raise), compared in constant time, and refused when the timestamp is more than five
minutes from our clock (Slack documents that window; Zoom documents none, so the same is used).
"""

from __future__ import annotations

import hashlib
import hmac
import time

MAX_SKEW = 300


def sign(secret: str, timestamp: str, body: bytes) -> str:
    return "v0=" + hmac.new(secret.encode(), b"v0:" + timestamp.encode() + b":" + body, hashlib.sha256).hexdigest()


def problem(secret: str, body: bytes, timestamp: str, signature: str, now: float | None = None) -> str:
    """Why a request is refused ("missing or malformed timestamp", "stale …", "invalid signature"), or ""."""
    if not timestamp.isdigit() or len(timestamp) > 12:
        return "missing or malformed timestamp"
    if abs((time.time() if now is None else now) - int(timestamp)) > MAX_SKEW:
        return "stale or future timestamp"
    if not hmac.compare_digest(sign(secret, timestamp, body).encode(), signature.encode("utf-8", "replace")):
        return "invalid signature"
    return ""
