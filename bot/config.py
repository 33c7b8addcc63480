"""Configuration, read from environment variables only (see .env.example)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

DEFAULT_API_BASE = "https://api.weixin.qq.com/cgi-bin/"
MAX_BODY_BYTES = 64 * 1024


class ConfigError(RuntimeError):
    """Raised at start-up when the environment cannot run the service safely."""


def _flag(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def load_config(instance_path: str, env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Builds the Flask config mapping from the environment."""
    env = os.environ if env is None else env
    app_env = env.get("APP_ENV", "development").strip().lower()
    production = app_env == "production"
    default_db = "sqlite:///" + str(Path(instance_path) / "bot.sqlite3")
    config: dict[str, Any] = {
        "APP_ENV": app_env,
        "SECRET_KEY": env.get("SECRET_KEY", ""),
        "WECHAT_TOKEN": env.get("WECHAT_TOKEN", ""),
        "WECHAT_APPID": env.get("WECHAT_APPID", ""),
        "WECHAT_SECRET": env.get("WECHAT_SECRET", ""),
        "WECHAT_AES_KEY": env.get("WECHAT_AES_KEY", ""),
        "WECHAT_API_BASE": env.get("WECHAT_API_BASE", "") or DEFAULT_API_BASE,
        "WECHAT_MAX_CLOCK_SKEW": int(env.get("WECHAT_MAX_CLOCK_SKEW", "300") or 0),
        "WECHAT_TEMPLATE_ID": env.get("WECHAT_TEMPLATE_ID", "").strip(),
        "WECHAT_API_TIMEOUT": float(env.get("WECHAT_API_TIMEOUT", "5") or 5),
        "DATABASE_URL": env.get("DATABASE_URL", "") or default_db,
        "REDIS_URL": env.get("REDIS_URL", ""),
        "SIMULATOR_ENABLED": _flag(env.get("SIMULATOR_ENABLED"), default=not production),
        "MAX_CONTENT_LENGTH": MAX_BODY_BYTES,
    }
    if not config["SECRET_KEY"]:
        if production:
            raise ConfigError("SECRET_KEY must be set when APP_ENV=production")
        config["SECRET_KEY"] = "development-only-secret"
    if production and not config["WECHAT_TOKEN"]:
        raise ConfigError("WECHAT_TOKEN must be set when APP_ENV=production")
    aes_key = config["WECHAT_AES_KEY"]
    if aes_key and len(aes_key) != 43:
        raise ConfigError("WECHAT_AES_KEY must be the 43-character EncodingAESKey")
    if aes_key and not config["WECHAT_APPID"]:
        raise ConfigError("WECHAT_APPID is needed to decrypt safe-mode messages")
    if not config["WECHAT_API_BASE"].endswith("/"):
        config["WECHAT_API_BASE"] += "/"
    return config
