"""The benchmarks run on a small seed, so a new column or a changed page cannot break them
unseen. Their figures are not checked here (timings belong in the benchmarks): only that each
script runs to the end and measured the pages and rows it names."""

import os
import re
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


@pytest.fixture(scope="module")
def bench_env():
    """A throwaway PostgreSQL database whose name says "bench" (the scripts refuse others),
    seeded with 600 cases."""
    db = settings.DATABASES["default"]
    if "postgresql" not in db["ENGINE"]:
        pytest.skip("the benchmarks need PostgreSQL")  # the postgres mark fails it under CI
    name = f"closeout_bench_test_{uuid.uuid4().hex[:8]}"
    params = {
        "user": db.get("USER") or "postgres",
        "password": db.get("PASSWORD") or None,
        "host": db.get("HOST") or "127.0.0.1",
        "port": db.get("PORT") or 5432,
    }
    admin = {k: v for k, v in params.items() if v is not None}
    with psycopg.connect(dbname="postgres", autocommit=True, **admin) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    auth = params["user"] + (f":{params['password']}" if params["password"] else "")
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DJANGO_ALLOW_ASYNC_UNSAFE", "CELERY_BROKER_URL", "CACHE_URL"}
    }
    env["DATABASE_URL"] = f"postgres://{auth}@{params['host']}:{params['port']}/{name}"
    env["BENCH_REDIS_URL"] = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/7")
    try:
        seeded = run(env, "seed.py", "--cases", "600", "--customers", "80")
        assert "cases by status" in seeded
        yield env
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **admin) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run(env: dict, script: str, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / script), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, f"bench/{script} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def test_pages_bench_times_every_page_as_a_signed_in_agent(bench_env):
    out = run(bench_env, "pages.py", "--iterations", "2", "--warmup", "0")

    rows = re.findall(
        r"^(\S.*?)\s{2,}(\d+)\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+≤ \d+ (ok|MISS)", out, re.M
    )
    names = [name for name, _queries, _verdict in rows]
    for page in [
        "case page (heavy case)",
        "admin case list",
        "staff: needs attention",
        "staff: queue mine",
        "staff: search email prefix",
        "staff: case page (150 events)",
    ]:
        assert page in names, out
    # Each row carries where its median request's time went, then its CPU time.
    split = r"staff: needs attention .* [\d.]+ / +[\d.]+ / +[\d.]+ +[\d.]+$"
    assert re.search(split, out, re.M), out


def test_sweep_bench_adds_due_rows_and_sweeps_them(bench_env):
    out = run(
        bench_env,
        "sweep.py",
        "--due-fraction",
        "0.2",
        "--repeat",
        "1",
        "--claims",
        "2",
        "--now",
        "2026-12-02T13:00:00+00:00",
    )

    due = int(re.search(r"--due-fraction 0.2: ([\d,]+) reminders due now", out)[1].replace(",", ""))
    assert due == 120  # 0.2 × 600 cases, most of them rows the bench had to add
    swept = re.search(
        r"sweep 1: .* — ([\d,]+) queued, ([\d,]+) rescheduled, ([\d,]+) cancelled", out
    )
    assert sum(int(n.replace(",", "")) for n in swept.groups()) == due, out


def test_stats_bench_runs_the_task(bench_env):
    out = run(bench_env, "stats.py", "--runs", "1")

    assert "never stronger than AccessShareLock" in out, out
    assert "EXPLAIN ANALYZE of the slowest:" in out
