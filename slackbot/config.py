"""The one reader of the environment: paths, tokens and URLs, with their defaults.

Everything else receives a `Settings` (or a value from it), so tests can build one directly.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from slackbot.errors import ConfigError

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = REPO_ROOT / "db" / "signode.db"
SLACK_API_URL = "https://slack.com/api/"


@dataclass(frozen=True)
class Settings:
    db_path: str = str(DEFAULT_DB)
    bot_token: str = ""
    app_token: str = ""
    signing_secret: str = ""
    api_url: str = SLACK_API_URL
    groups_file: str = ""

    def require_bot_token(self) -> str:
        if not self.bot_token:
            raise ConfigError("SLACK_BOT_TOKEN is not set (a bot token starts with xoxb-)")
        if not re.fullmatch(r"xoxb-[A-Za-z0-9-]+", self.bot_token):
            raise ConfigError("SLACK_BOT_TOKEN does not look like a bot token (expected xoxb-…)")
        return self.bot_token

    def require_app_token(self) -> str:
        if not self.app_token:
            raise ConfigError("SLACK_APP_TOKEN is not set (Socket Mode needs an app-level token, xapp-…)")
        if not re.fullmatch(r"xapp-[A-Za-z0-9-]+", self.app_token):
            raise ConfigError("SLACK_APP_TOKEN does not look like an app-level token (expected xapp-…)")
        return self.app_token

    def require_signing_secret(self) -> str:
        if not self.signing_secret:
            raise ConfigError("SLACK_SIGNING_SECRET is not set (HTTP mode verifies every request with it)")
        if not re.fullmatch(r"[0-9a-fA-F]{16,128}", self.signing_secret):
            raise ConfigError("SLACK_SIGNING_SECRET should be the hex string from the app's Basic Information page")
        return self.signing_secret


def db_path(cli_value: str | None, env: Mapping[str, str] | None = None) -> str:
    """--db, else SIGNODE_DB, else db/signode.db in the repository."""
    env = os.environ if env is None else env
    return cli_value or env.get("SIGNODE_DB") or str(DEFAULT_DB)


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
    )
