"""The one reader of the environment: paths, tokens and URLs, with their defaults.

Everything else receives a `Settings` (or a value from it), so tests can build one directly.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from slackbot.errors import ConfigError

if TYPE_CHECKING:
    from slackbot.zoom.client import ZoomSettings

REPO_ROOT = Path(__file__).resolve().parent.parent


def default_db(env: Mapping[str, str] | None = None) -> Path:
    """db/signode.db in a source checkout; else $XDG_DATA_HOME/signode/signode.db (made on first use).

    An installed wheel has no db/ folder beside it, and site-packages is no place for data.
    """
    env = os.environ if env is None else env
    if (REPO_ROOT / "pyproject.toml").is_file() and (REPO_ROOT / "db").is_dir():
        return REPO_ROOT / "db" / "signode.db"
    data = Path(env.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "signode"
    data.mkdir(parents=True, exist_ok=True)
    return data / "signode.db"


DEFAULT_DB = REPO_ROOT / "db" / "signode.db"
SLACK_API_URL = "https://slack.com/api/"
ZOOM_API_URL = "https://api.zoom.us/v2"
ZOOM_OAUTH_URL = "https://zoom.us"
ZOOM_REQUIRED = ("ZOOM_CLIENT_ID", "ZOOM_CLIENT_SECRET", "ZOOM_BOT_JID", "ZOOM_SECRET_TOKEN")


@dataclass(frozen=True)
class Settings:
    db_path: str = str(DEFAULT_DB)
    bot_token: str = ""
    app_token: str = ""
    signing_secret: str = ""
    api_url: str = SLACK_API_URL
    groups_file: str = ""
    zoom: dict[str, str] | None = None  # ZOOM_* variables as given (see require_zoom)

    def zoom_configured(self) -> bool:
        return bool(self.zoom and any(self.zoom.values()))

    def require_zoom(self) -> ZoomSettings:
        """Zoom's four credentials, or one line naming every missing one."""
        from slackbot.zoom.client import ZoomSettings

        given = self.zoom or {}
        missing = [name for name in ZOOM_REQUIRED if not given.get(name)]
        if missing:
            raise ConfigError(f"{', '.join(missing)} not set (Zoom needs {', '.join(ZOOM_REQUIRED)}; see the README)")
        return ZoomSettings(given["ZOOM_CLIENT_ID"], given["ZOOM_CLIENT_SECRET"], given["ZOOM_BOT_JID"],
                            given["ZOOM_SECRET_TOKEN"], given.get("ZOOM_API_URL") or ZOOM_API_URL,
                            given.get("ZOOM_OAUTH_URL") or ZOOM_OAUTH_URL)

    def require_bot_token(self) -> str:
        return _require("SLACK_BOT_TOKEN", self.bot_token, r"xoxb-[A-Za-z0-9-]+",
                        "a bot token starts with xoxb-", "does not look like a bot token (expected xoxb-…)")

    def require_app_token(self) -> str:
        return _require("SLACK_APP_TOKEN", self.app_token, r"xapp-[A-Za-z0-9-]+",
                        "Socket Mode needs an app-level token, xapp-…",
                        "does not look like an app-level token (expected xapp-…)")

    def require_signing_secret(self) -> str:
        return _require("SLACK_SIGNING_SECRET", self.signing_secret, r"[0-9a-fA-F]{16,128}",
                        "HTTP mode verifies every request with it",
                        "should be the hex string from the app's Basic Information page")


def _require(variable: str, value: str, pattern: str, why: str, shape: str) -> str:
    """The value of a required setting, or a ConfigError that says which and what is wrong."""
    if not value:
        raise ConfigError(f"{variable} is not set ({why})")
    if not re.fullmatch(pattern, value):
        raise ConfigError(f"{variable} {shape}")
    return value


def db_path(cli_value: str | None, env: Mapping[str, str] | None = None) -> str:
    """--db, else SIGNODE_DB, else db/signode.db in a checkout (see default_db)."""
    env = os.environ if env is None else env
    return cli_value or env.get("SIGNODE_DB") or str(default_db(env))


def load(db: str | None = None, env: Mapping[str, str] | None = None) -> Settings:
    env = os.environ if env is None else env
    api_url = env.get("SLACK_API_URL") or SLACK_API_URL
    if not api_url.endswith("/"):
        api_url += "/"
    return Settings(
        db_path=db_path(db, env),
        bot_token=env.get("SLACK_BOT_TOKEN", "").strip(),
        app_token=env.get("SLACK_APP_TOKEN", "").strip(),
        signing_secret=env.get("SLACK_SIGNING_SECRET", "").strip(),
        api_url=api_url,
        groups_file=env.get("SIGNODE_GROUPS", ""),
        zoom={k: env.get(k, "").strip() for k in (*ZOOM_REQUIRED, "ZOOM_API_URL", "ZOOM_OAUTH_URL")},
    )
