"""Where the WeChat access token lives, shared by every worker (database or Redis).

WeChat invalidates the previous token each time a new one is fetched, so workers must
not refresh on their own: a short lock makes exactly one of them refresh while the others
wait and then read the new value.
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol

import redis
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from bot.db import Database, utcnow
from bot.models import CacheEntry


class TokenStore(Protocol):
    def get(self, key: str) -> str | None: ...
    def set(self, key: str, value: str, ttl_seconds: int) -> None: ...
    def delete(self, key: str) -> None: ...
    def acquire(self, lock: str, ttl_seconds: int) -> bool: ...
    def release(self, lock: str) -> None: ...


class DatabaseTokenStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def get(self, key: str) -> str | None:
        with self.db.transaction() as session:
            entry = session.get(CacheEntry, key)
            if entry is None or (entry.expires_at and entry.expires_at <= utcnow()):
                return None
            return entry.value

    def set(self, key: str, value: str, ttl_seconds: int) -> None:
        with self.db.transaction() as session:
            entry = session.get(CacheEntry, key) or CacheEntry(key=key)
            entry.value = value
            entry.expires_at = utcnow() + dt.timedelta(seconds=ttl_seconds)
            session.add(entry)

    def delete(self, key: str) -> None:
        with self.db.transaction() as session:
            session.execute(delete(CacheEntry).where(CacheEntry.key == key))

    def acquire(self, lock: str, ttl_seconds: int) -> bool:
        """Inserting the lock row is the lock; an expired one is cleared first."""
        with self.db.transaction() as session:
            session.execute(delete(CacheEntry).where(CacheEntry.key == lock,
                                                     CacheEntry.expires_at <= utcnow()))
        try:
            with self.db.transaction() as session:
                session.add(CacheEntry(key=lock, value="1", expires_at=utcnow()
                                       + dt.timedelta(seconds=ttl_seconds)))
        except IntegrityError:
            return False
        return True

    def release(self, lock: str) -> None:
        self.delete(lock)

    def keys(self) -> list[str]:
        with self.db.transaction() as session:
            return list(session.scalars(select(CacheEntry.key)))


class RedisTokenStore:
    def __init__(self, client: redis.Redis, prefix: str = "wx:") -> None:
        self.client = client
        self.prefix = prefix

    def get(self, key: str) -> str | None:
        value = self.client.get(self.prefix + key)
        return None if value is None else value.decode("utf-8")

    def set(self, key: str, value: str, ttl_seconds: int) -> None:
        self.client.set(self.prefix + key, value, ex=max(ttl_seconds, 1))

    def delete(self, key: str) -> None:
        self.client.delete(self.prefix + key)

    def acquire(self, lock: str, ttl_seconds: int) -> bool:
        return bool(self.client.set(self.prefix + lock, "1", nx=True, ex=ttl_seconds))

    def release(self, lock: str) -> None:
        self.client.delete(self.prefix + lock)
