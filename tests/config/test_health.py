"""The /healthz and /readyz probes that load balancers and orchestrators call."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from django.db.utils import ConnectionHandler

from config import middleware

ROOT = Path(__file__).resolve().parents[2]


def test_healthz_answers_without_touching_the_database(client):
    # No db fixture: pytest-django fails the test if the probe touches the database.
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_is_ok_when_the_database_answers(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


@pytest.fixture
def unreachable_database(monkeypatch, tmp_path):
    """A real connection, configured like ours, to a database that cannot be reached."""
    broken = dict(connection.settings_dict)
    if connection.vendor == "sqlite":
        broken["NAME"] = str(tmp_path / "no-such-folder" / "closeout.sqlite3")
    else:
        # Port 1 on loopback refuses at once: no waiting on a timeout.
        broken.update(HOST="127.0.0.1", PORT="1", OPTIONS={**broken["OPTIONS"]})
        broken["OPTIONS"]["connect_timeout"] = 2
    handler = ConnectionHandler({"default": broken})
    monkeypatch.setattr(middleware, "connection", handler["default"])
    yield
    handler.close_all()


def test_readyz_is_503_when_the_database_is_unreachable(client, unreachable_database):
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "unreachable"}


def test_probes_answer_any_host_header(client, settings):
    # Orchestrators probe by pod IP, which is never in ALLOWED_HOSTS.
    settings.ALLOWED_HOSTS = ["closeout.example"]
    assert client.get("/healthz", headers={"host": "10.1.2.3:8000"}).status_code == 200
    assert client.get("/", headers={"host": "10.1.2.3:8000"}).status_code == 400


def test_probes_are_not_redirected_to_https_while_pages_are(client, settings):
    settings.DEBUG = False
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["testserver"]
    assert client.get("/healthz").status_code == 200
    page = client.get("/")
    assert page.status_code == 301
    assert page["Location"].startswith("https://")


def test_production_settings_exempt_the_probes_from_the_https_redirect(tmp_path):
    """The real settings module with DEBUG=0, in a fresh process: not a test override."""
    script = """
import django
from django.test import Client
django.setup()
client = Client()
print(client.get("/healthz").status_code, client.get("/readyz").status_code,
      client.get("/").status_code)
"""
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"CACHE_URL", "SMTP_URL"}},
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "0",
        "SECRET_KEY": "x" * 64,
        "ALLOWED_HOSTS": "testserver",
        "SITE_URL": "https://closeout.example",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "VAR_DIR": str(tmp_path / "var"),
        "LOG_LEVEL": "CRITICAL",
    }
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["200", "200", "301"]


def test_readyz_body_is_json(client, unreachable_database):
    # Probes and humans both read it: keep it parseable.
    json.loads(client.get("/readyz").content)
