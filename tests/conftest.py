"""Shared fixtures. Tests needing PostgreSQL, Redis or Chromium are marked; with
REQUIRE_SERVICES=1 (CI) a missing service fails the test instead of skipping it."""

import os
import shutil
from pathlib import Path

import pytest
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.db import connection
from django.urls import reverse

from tests import factories

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


def pytest_configure(config: pytest.Config) -> None:
    from django.conf import settings

    # WhiteNoise warns on every request when STATIC_ROOT is missing, as in a fresh checkout.
    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)


def missing_service(reason: str) -> None:
    if REQUIRE_SERVICES:
        pytest.fail(f"{reason} (REQUIRE_SERVICES=1)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _require_marked_services(request: pytest.FixtureRequest) -> None:
    if request.node.get_closest_marker("postgres") and connection.vendor != "postgresql":
        missing_service("needs PostgreSQL: set DATABASE_URL=postgres://…")
    if request.node.get_closest_marker("redis"):
        redis_url = os.environ.get("REDIS_URL", "")
        if not redis_url:
            missing_service("needs Redis: set REDIS_URL=redis://…")
    if request.node.get_closest_marker("browser") and not shutil.which("chromium"):
        missing_service("needs Chromium: apt-get install chromium")


@pytest.fixture(autouse=True)
def _english_and_fast(settings, tmp_path) -> None:
    settings.LANGUAGE_CODE = "en"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "evidence": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "evidence"), "base_url": None},
        },
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _no_counts_from_earlier_tests():
    """Rate-limit counts live in the cache, and live_server shares this process's memory: a
    suite that starts more than 30 cases would otherwise refuse the next test's "Continue".
    Only the in-memory cache is cleared; a Redis one a test set up is that test's to clear."""
    yield
    if isinstance(default := caches["default"], LocMemCache):
        default.clear()


@pytest.fixture
def customer(db):
    return factories.UserFactory()


@pytest.fixture
def other_customer(db):
    return factories.UserFactory()


@pytest.fixture
def agent(db):
    return factories.AgentFactory()


@pytest.fixture
def provider(db):
    return factories.ProviderFactory()


@pytest.fixture
def admin_client(admin_client):
    """pytest-django's signed-in superuser, past the first page of its session (which also
    notes who they are: accounts/session_facts.py), so query counts are an ordinary page's."""
    admin_client.get(reverse("admin:index"))
    return admin_client
