"""The outbound WeChat API client: wechatpy, pointed at ``WECHAT_API_BASE``.

wechatpy 1.8.18 hard-codes the token URL, keeps the token's expiry in process memory,
fetches tokens without a timeout and retries 40001 without bound. This subclass fixes
all four: the token comes from the shared ``TokenStore`` under a lock, every request
has a timeout, and an invalid-token answer is retried exactly once.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

import redis
from flask import Flask
from wechatpy import WeChatClient
from wechatpy.exceptions import WeChatClientException

from bot.db import get_db
from bot.token_store import DatabaseTokenStore, RedisTokenStore, TokenStore

T = TypeVar("T")
TOKEN_ERRORS = {40001, 40014, 42001}
# Refresh this long before WeChat's stated expiry, so no call uses a dying token.
REFRESH_MARGIN = 300
LOCK_TTL = 15


class ApiClient(WeChatClient):
    def __init__(self, appid: str, secret: str, api_base: str, store: TokenStore,
                 timeout: float = 5.0) -> None:
        super().__init__(appid, secret, timeout=timeout, auto_retry=False)
        self.API_BASE_URL = api_base
        self.store = store

    @property
    def access_token(self) -> str:
        token = self.store.get(self.access_token_key)
        if token:
            return token
        lock = self.access_token_key + ":refresh"
        deadline = time.monotonic() + self.timeout * 2
        while time.monotonic() < deadline:
            if self.store.acquire(lock, LOCK_TTL):
                try:
                    return self.store.get(self.access_token_key) or self._refresh()
                finally:
                    self.store.release(lock)
            time.sleep(0.05)
            token = self.store.get(self.access_token_key)
            if token:
                return token
        raise WeChatClientException(None, "timed out waiting for another worker's token refresh")

    def _refresh(self) -> str:
        response = self._http.get(
            self.API_BASE_URL + "token", timeout=self.timeout,
            params={"grant_type": "client_credential", "appid": self.appid,
                    "secret": self.secret})
        response.raise_for_status()
        result = response.json()
        if result.get("errcode"):
            raise WeChatClientException(result["errcode"], result.get("errmsg"), client=self)
        expires_in = int(result.get("expires_in", 7200))
        self.store.set(self.access_token_key, result["access_token"],
                       max(expires_in - REFRESH_MARGIN, 60))
        return result["access_token"]

    def fetch_access_token(self) -> dict[str, Any]:
        return {"access_token": self._refresh()}

    def invalidate_token(self) -> None:
        self.store.delete(self.access_token_key)

    def call(self, operation: Callable[[ApiClient], T]) -> T:
        """Runs ``operation``; on an invalid/expired token, refreshes once and retries."""
        try:
            return operation(self)
        except WeChatClientException as exc:
            if exc.errcode not in TOKEN_ERRORS:
                raise
            self.invalidate_token()
            return operation(self)


def client_for(app: Flask) -> ApiClient:
    config = app.config
    if not (config["WECHAT_APPID"] and config["WECHAT_SECRET"]):
        raise RuntimeError("WECHAT_APPID and WECHAT_SECRET are needed to call the WeChat API")
    store: TokenStore
    if config["REDIS_URL"]:
        store = RedisTokenStore(redis.Redis.from_url(config["REDIS_URL"], socket_timeout=2))
    else:
        store = DatabaseTokenStore(get_db(app))
    return ApiClient(config["WECHAT_APPID"], config["WECHAT_SECRET"],
                     config["WECHAT_API_BASE"], store, timeout=config["WECHAT_API_TIMEOUT"])
