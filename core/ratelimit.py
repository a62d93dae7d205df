"""Allowances of failed attempts in Redis, taken atomically before each check so parallel tries pass no limit.

A slot is taken on every counter at once before an attempt is checked and given back when the attempt succeeds.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.core.exceptions import ImproperlyConfigured
from redis import Redis

# Reading the counters and incrementing them in one script: Redis runs it alone, so no other attempt can read
# a counter between this one's check and its increment (a read followed by a separate increment let 40 parallel
# wrong codes make 12 to 14 checks where 10 were allowed). The window starts with the first slot taken; a counter
# found without an expiry gets one, so none can outlive its window.
_TAKE = """
for i, key in ipairs(KEYS) do
    if tonumber(redis.call('GET', key) or '0') >= tonumber(ARGV[i + 1]) then
        return 0
    end
end
for _, key in ipairs(KEYS) do
    if redis.call('INCR', key) == 1 or redis.call('TTL', key) < 0 then
        redis.call('EXPIRE', key, ARGV[1])
    end
end
return 1
"""

# A success was no failure: its slots go back, never below zero (a counter that expired meanwhile stays gone).
_GIVE_BACK = """
for _, key in ipairs(KEYS) do
    if tonumber(redis.call('GET', key) or '0') > 0 then
        redis.call('DECR', key)
    end
end
return 1
"""


def _redis() -> tuple[RedisCache, Redis]:
    backend = caches["default"]
    if not isinstance(backend, RedisCache):
        raise ImproperlyConfigured("Attempt limits need the default cache to be Redis (settings.CACHES).")
    # The cache's own connection pool and key prefix, so the counters live (and are cleared) with the cache.
    return backend, backend._cache.get_client(write=True)


def failure_slots_take(limits: Mapping[str, int], *, window_seconds: int) -> bool:
    """Take one slot on each counter named in `limits` (name → failures allowed per window), all or none.

    False, taking nothing, when any counter is already at its limit. Give the slots back with
    `failure_slots_return` when the attempt succeeds; a failed attempt keeps them until the window ends.
    """
    backend, client = _redis()
    keys = [backend.make_and_validate_key(name) for name in limits]
    taken = client.eval(_TAKE, len(keys), *keys, window_seconds, *limits.values())
    return bool(taken)


def failure_slots_return(names: list[str]) -> None:
    """Give back the slots an attempt took, once it turned out right."""
    backend, client = _redis()
    keys = [backend.make_and_validate_key(name) for name in names]
    client.eval(_GIVE_BACK, len(keys), *keys)
