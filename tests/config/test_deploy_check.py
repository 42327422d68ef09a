"""`manage.py check --deploy` with production variables reports nothing: DEBUG=0 is enough."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def production_env(tmp_path: Path) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        # The browser tests set DJANGO_ALLOW_ASYNC_UNSAFE for live_server; production never does.
        if not key.startswith(("SECURE_", "SILENCED_"))
        and key not in {"DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="closeout.example",
        CSRF_TRUSTED_ORIGINS="https://closeout.example",
        SITE_URL="https://closeout.example",
        VAR_DIR=str(tmp_path / "var"),
    )
    return env


def test_check_deploy_with_production_variables_prints_no_issues(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("System check identified no issues"), result.stdout
    assert "WARNINGS" not in result.stderr, result.stderr
    assert "ERRORS" not in result.stderr, result.stderr


def test_production_settings_are_hardened(tmp_path):
    script = (
        "from django.conf import settings as s; "
        "print(s.DEBUG, s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
        "s.SECURE_HSTS_SECONDS >= 31536000, s.SECURE_HSTS_PRELOAD)"
    )
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {script}"],
        cwd=ROOT,
        env=production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    # HSTS preload stays off unless an operator opts in: it is hard to undo for a whole domain.
    assert result.stdout.split() == ["False", "True", "True", "True", "True", "False"]
