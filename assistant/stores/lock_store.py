"""Lock stores: one turn at a time per conversation (in-process by default, Redis across workers)."""

from __future__ import annotations

import contextlib
import threading
import uuid
from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import contextmanager


class LockTimeout(TimeoutError):
    """The conversation stayed busy longer than the lock timeout."""


class LockStore(ABC):
    @abstractmethod
    @contextmanager
    def lock(self, conversation_id: str) -> Iterator[None]: ...

    def ping(self) -> None:
        pass

    def close(self) -> None:
        pass


class InMemoryLockStore(LockStore):
    def __init__(self, timeout_s: float = 30.0) -> None:
        self.timeout_s = timeout_s
        self._locks: dict[str, tuple[threading.Lock, int]] = {}
        self._guard = threading.Lock()

    @contextmanager
    def lock(self, conversation_id: str) -> Iterator[None]:
        with self._guard:
            lock, users = self._locks.get(conversation_id, (threading.Lock(), 0))
            self._locks[conversation_id] = (lock, users + 1)
        try:
            if not lock.acquire(timeout=self.timeout_s):
                raise LockTimeout(conversation_id)
            try:
                yield
            finally:
                lock.release()
        finally:
            with self._guard:
                lock, users = self._locks[conversation_id]
                if users <= 1:
                    del self._locks[conversation_id]
                else:
                    self._locks[conversation_id] = (lock, users - 1)


class RedisLockStore(LockStore):
    """A Redis lock per conversation, shared by every API worker that uses the same Redis."""

    def __init__(self, url: str, timeout_s: float = 30.0, prefix: str = "vha:lock:") -> None:
        import redis

        self.client = redis.Redis.from_url(url)
        self.timeout_s = timeout_s
        self.prefix = prefix

    @contextmanager
    def lock(self, conversation_id: str) -> Iterator[None]:
        # The lock expires after timeout_s so a crashed worker cannot block a conversation forever.
        lock = self.client.lock(
            self.prefix + conversation_id,
            timeout=self.timeout_s,
            blocking_timeout=self.timeout_s,
            sleep=0.005,
        )
        # A unique token per holder, so only the holder can release.
        if not lock.acquire(token=uuid.uuid4().hex):
            raise LockTimeout(conversation_id)
        try:
            yield
        finally:
            with contextlib.suppress(Exception):  # an expired lock has already been released
                lock.release()

    def ping(self) -> None:
        self.client.ping()

    def close(self) -> None:
        self.client.close()


def create_lock_store(url: str, timeout_s: float = 30.0) -> LockStore:
    if url in ("memory://", "memory", ""):
        return InMemoryLockStore(timeout_s)
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisLockStore(url, timeout_s)
    raise ValueError(f"unsupported lock store URL: {url!r} (use memory:// or redis://…)")
