"""Rate limits live in the shared cache, so every web process sees the same count."""

import os

import pytest
import redis
from django.core.cache import cache
from django.urls import reverse

from cases.models import Case

pytestmark = [pytest.mark.django_db, pytest.mark.redis]


@pytest.fixture
def redis_cache(settings):
    url = os.environ["REDIS_URL"]
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "closeout-test-ratelimit",
        }
    }
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "start_case": "2/h/ip"}
    cache.clear()
    yield redis.Redis.from_url(url)
    cache.clear()


def test_the_count_lives_in_redis_where_every_web_process_reads_it(client, redis_cache):
    def start():
        client.cookies.clear()  # a new visitor each time, from the same address
        return client.post(reverse("cases:start"), {"service_kind": "virtual"})

    assert [start().status_code for _ in range(3)] == [302, 302, 429]

    # Forget the count in Redis alone: if any process-local state held it, this would not help.
    keys = list(redis_cache.scan_iter(match="closeout-test-ratelimit*"))
    assert keys
    redis_cache.delete(*keys)

    assert start().status_code == 302
    assert Case.objects.count() == 3
