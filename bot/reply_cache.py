"""Redis-backed claims and replies for retried deliveries (used when REDIS_URL is set).

Redis only spares the database the polling of waiting retries; the journal's unique key
stays the authority, so a Redis outage degrades to database-only de-duplication.
"""

from __future__ import annotations

import logging

import redis

log = logging.getLogger(__name__)


class RedisReplyCache:
    def __init__(self, client: redis.Redis, ttl_seconds: int = 600, prefix: str = "wx:") -> None:
        self.client = client
        self.ttl = ttl_seconds
        self.prefix = prefix

    @classmethod
    def from_url(cls, url: str) -> RedisReplyCache:
        return cls(redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1))

    def try_claim(self, key: str) -> bool:
        try:
            return bool(self.client.set(f"{self.prefix}claim:{key}", "1", nx=True, ex=self.ttl))
        except redis.RedisError as exc:
            log.warning("redis unavailable, de-duplicating in the database: %s", exc)
            return True

    def publish(self, key: str, reply_xml: str) -> None:
        try:
            self.client.set(f"{self.prefix}reply:{key}", reply_xml, ex=self.ttl)
        except redis.RedisError as exc:
            log.warning("redis unavailable, reply not cached: %s", exc)

    def reply(self, key: str) -> str | None:
        try:
            value = self.client.get(f"{self.prefix}reply:{key}")
        except redis.RedisError:
            return None
        return None if value is None else value.decode("utf-8")
