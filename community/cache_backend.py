"""A Redis cache that a Redis outage cannot turn into an outage of the site.

Django's RedisCache raises on every call when Redis is gone, and every page reads
the cache, so a stopped Redis would answer 500 to every visitor. `TolerantRedisCache`
splits the cache's operations in two:

- **What a cache may lose** (get, get_many, has_key, set, set_many, delete,
  delete_many, touch, clear): an error is logged and counts as a miss, or as a
  write that did not happen. Pages are then rendered afresh, uncached.
- **What a limit or a lock relies on** (add, incr, decr): these claim or count
  something, and a caller that took a failure for "not there" or "zero" would let a
  limit open silently. They raise `CacheUnavailable` instead, which the callers
  decide about: the sign-in limits and the posting limits fail closed (the site's
  error handler answers 503 with Retry-After; community.limits refuses the post
  with the text kept), the content version makes a fresh one (community.cache).

After an error the backend does not ask Redis again for `RETRY_SECONDS` (each call
meanwhile fails at once, as above), so a dead Redis costs a request at most one
socket timeout, not one per cache call. The first call that succeeds after an
outage (a PING, before the call itself) sends `cache_recovered`: community.cache
then moves the content version on, so no page cached before a write made during
the outage is served again.

State about the outage is kept per process: it is an observation of this process's
connection, not shared data.
"""

from __future__ import annotations

import logging
import threading
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from django.dispatch import Signal

logger = logging.getLogger(__name__)

# Sent (sender: the backend's class, location=...) by the first successful call
# after calls to that Redis failed.
cache_recovered = Signal()

RETRY_SECONDS = 1.0


class CacheUnavailable(Exception):
    """The shared cache did not answer an operation that cannot be taken as a miss."""


class _Outages:
    """Per Redis location: until when not to ask again, and whether it was down."""

    def __init__(self):
        self.lock = threading.Lock()
        self.retry_at: dict[str, float] = {}
        self.down: set[str] = set()

    def skipping(self, location: str) -> bool:
        with self.lock:
            return self.retry_at.get(location, 0.0) > time.monotonic()

    def failed(self, location: str) -> bool:
        """Record a failure; True when it starts an outage (to log it once)."""
        with self.lock:
            self.retry_at[location] = time.monotonic() + RETRY_SECONDS
            started = location not in self.down
            self.down.add(location)
            return started

    def is_down(self, location: str) -> bool:
        with self.lock:
            return location in self.down

    def succeeded(self, location: str) -> bool:
        """Record a success; True when it ends an outage."""
        with self.lock:
            if location not in self.down:
                return False
            self.down.discard(location)
            self.retry_at.pop(location, None)
            return True

    def forget(self) -> None:
        with self.lock:
            self.retry_at.clear()
            self.down.clear()


outages = _Outages()


class TolerantRedisCache(RedisCache):
    """RedisCache whose failures are misses for reads and writes, and
    `CacheUnavailable` for add/incr/decr (see the module's docstring)."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._location = server if isinstance(server, str) else ",".join(server)

    def _errors(self) -> tuple[type[BaseException], ...]:
        import redis

        # A socket error that redis-py did not wrap counts too.
        return (redis.RedisError, OSError)

    def _probe(self) -> None:
        """After an outage, Redis is asked whether it is back before anything else:
        the recovery (the content version moved on) then comes before the call, so
        the call already reads what follows it."""
        self._cache.get_client(write=True).ping()
        if outages.succeeded(self._location):
            logger.warning("Redis cache available again.")
            cache_recovered.send(sender=type(self), location=self._location)

    def _run(self, operation: str, call, *, fallback=None, strict: bool = False):
        if outages.skipping(self._location):
            if strict:
                raise CacheUnavailable(f"cache {operation}: Redis is unavailable")
            return fallback
        try:
            if outages.is_down(self._location):
                self._probe()
                result = call()
            else:
                result = self._once_more_on_error(call)
        except self._errors() as error:
            if outages.failed(self._location):
                logger.warning(
                    "Redis cache unavailable (%s: %s); serving without it, limits closed.",
                    operation,
                    error,
                )
            if strict:
                raise CacheUnavailable(f"cache {operation}: {error}") from error
            return fallback
        return result

    def _once_more_on_error(self, call):
        """A connection pooled before Redis restarted fails on its first use even
        though Redis is back; redis-py drops it on that error, so one more try on a
        new connection tells a restart from an outage. Only outside an outage: during
        one, the probe above decides."""
        try:
            return call()
        except self._errors():
            return call()

    # What a limit or a lock relies on: failures raise CacheUnavailable.

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._run(
            "add",
            lambda: super(TolerantRedisCache, self).add(key, value, timeout, version),
            strict=True,
        )

    def incr(self, key, delta=1, version=None):
        return self._run(
            "incr", lambda: super(TolerantRedisCache, self).incr(key, delta, version), strict=True
        )

    # decr is Django's incr(-delta), so it raises the same way.

    def get_or_set(self, key, default, timeout=DEFAULT_TIMEOUT, version=None):
        # Django's get_or_set stores with add(); a value that could not be stored
        # is still the value asked for.
        value = self.get(key, self._missing_key, version=version)
        if value is self._missing_key:
            value = default() if callable(default) else default
            if value is not None:
                try:
                    self.add(key, value, timeout=timeout, version=version)
                except CacheUnavailable:
                    return value
                return self.get(key, value, version=version)
        return value

    # What a cache may lose: failures are misses, or writes that did not happen.

    def get(self, key, default=None, version=None):
        return self._run(
            "get",
            lambda: super(TolerantRedisCache, self).get(key, default, version),
            fallback=default,
        )

    def get_many(self, keys, version=None):
        return self._run(
            "get_many",
            lambda: super(TolerantRedisCache, self).get_many(keys, version),
            fallback={},
        )

    def has_key(self, key, version=None):
        return self._run(
            "has_key",
            lambda: super(TolerantRedisCache, self).has_key(key, version),
            fallback=False,
        )

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._run("set", lambda: super(TolerantRedisCache, self).set(key, value, timeout, version))

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        # Django's contract: the keys that could not be set.
        return self._run(
            "set_many",
            lambda: super(TolerantRedisCache, self).set_many(data, timeout, version),
            fallback=list(data),
        )

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._run(
            "touch",
            lambda: super(TolerantRedisCache, self).touch(key, timeout, version),
            fallback=False,
        )

    def delete(self, key, version=None):
        return self._run(
            "delete",
            lambda: super(TolerantRedisCache, self).delete(key, version),
            fallback=False,
        )

    def delete_many(self, keys, version=None):
        self._run("delete_many", lambda: super(TolerantRedisCache, self).delete_many(keys, version))

    def clear(self):
        return self._run("clear", lambda: super(TolerantRedisCache, self).clear(), fallback=False)
