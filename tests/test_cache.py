"""The shared cache: with REDIS_URL every process (app servers, workers) sees the same cache;
without it each keeps its own in memory, and nothing else is needed to run or test LPA."""

import os
import uuid

import pytest
from django.conf import settings

from tests.processes import django_in_a_fresh_process

# CI starts Redis and names it here, so that an unreachable Redis fails instead of skipping.
REDIS_URL = os.environ.get("LPA_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def redis_reachable() -> bool:
    import redis

    try:
        return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False


def test_without_redis_the_cache_is_the_process_s_own_memory():
    assert settings.CACHES["default"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"


def test_with_redis_url_a_value_cached_by_one_process_is_read_by_another():
    if not redis_reachable():
        if "LPA_TEST_REDIS_URL" in os.environ:
            pytest.fail(f"Redis is not reachable at {REDIS_URL}")
        pytest.skip(f"no Redis at {REDIS_URL} (CI starts one)")
    key = f"test-{uuid.uuid4().hex}"

    django_in_a_fresh_process("from django.core.cache import cache\n" f"cache.set({key!r}, 'ค่าที่แชร์', 60)", REDIS_URL=REDIS_URL)
    read = django_in_a_fresh_process("from django.core.cache import cache\n" f"print(cache.get({key!r})); cache.delete({key!r})", REDIS_URL=REDIS_URL)
    gone = django_in_a_fresh_process("from django.core.cache import cache\n" f"print(cache.get({key!r}))", REDIS_URL=REDIS_URL)

    assert (read, gone) == ("ค่าที่แชร์", "None")
