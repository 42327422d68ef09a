# ruff: noqa: E402
"""The stats task over the bench data: how long it takes, that it never locks the cases table,
its queries and the EXPLAIN ANALYZE of the slowest.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/closeout_bench \\
        .venv/bin/python bench/stats.py [--runs 3]

Target: the task finishes in ≤ 60 s and only reads the cases table with plain
SELECTs (no FOR UPDATE, no write), so the journey keeps writing while it runs. While each run
goes, a second connection samples pg_locks for any lock on cases_case stronger than
AccessShareLock held by the task, and times an UPDATE of one case.
"""

import argparse
import statistics
import threading
import time

from common import machine, setup_django

setup_django()

import psycopg
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases import stats
from cases.models import Case, ProviderStats

TARGET_SECONDS = 60


def other_connection() -> psycopg.Connection:
    db = settings.DATABASES["default"]
    params = {
        "dbname": db["NAME"],
        "user": db.get("USER") or None,
        "password": db.get("PASSWORD") or None,
        "host": db.get("HOST") or None,
        "port": db.get("PORT") or None,
    }
    return psycopg.connect(**{k: v for k, v in params.items() if v}, autocommit=True)


def watch(pid: int, stop: threading.Event, found: dict) -> None:
    """Sample the task's locks on cases_case; time a write to one case meanwhile."""
    with other_connection() as conn:
        case_id = Case.objects.order_by("-id").values_list("id", flat=True).first()
        while not stop.is_set():
            rows = conn.execute(
                "SELECT mode FROM pg_locks WHERE pid = %s AND relation = 'cases_case'::regclass",
                [pid],
            ).fetchall()
            found["modes"].update(mode for (mode,) in rows)
            started = time.perf_counter()
            conn.execute("UPDATE cases_case SET version = version WHERE id = %s", [case_id])
            found["writes"].append((time.perf_counter() - started) * 1000)
            time.sleep(0.05)


def explain(sql: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
        return [row[0] for row in cursor.fetchall()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    settings.DEBUG = False
    print(machine())
    print(f"{Case.objects.count():,} cases")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    durations, queries = [], []
    found: dict = {"modes": set(), "writes": []}
    for _ in range(args.runs):
        stop = threading.Event()
        watcher = threading.Thread(target=watch, args=(pid, stop, found))
        watcher.start()
        try:
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                snapshot = stats.compute(now=timezone.now())
                durations.append(time.perf_counter() - started)
        finally:
            stop.set()
            watcher.join()
        queries = list(captured.captured_queries)
    rows = ProviderStats.objects.filter(snapshot=snapshot).count()
    worst = max(durations)
    print(
        f"stats task: {args.runs} runs, {statistics.median(durations):.2f} s median,"
        f" {worst:.2f} s slowest (target ≤ {TARGET_SECONDS} s) —"
        f" {'ok' if worst <= TARGET_SECONDS else 'MISS'}; {rows} provider rows"
    )
    strong = sorted(found["modes"] - {"AccessShareLock"})
    print(f"locks the task held on cases_case: {sorted(found['modes']) or 'none seen'}")
    print("  never stronger than AccessShareLock" if not strong else f"  STRONGER: {strong}")
    writes = found["writes"]
    if writes:
        print(
            f"a write to one case meanwhile: {len(writes)} samples, p50"
            f" {statistics.median(writes):.1f} ms, max {max(writes):.1f} ms"
        )
    locking = [q["sql"] for q in queries if "FOR UPDATE" in q["sql"]]
    print(f"FOR UPDATE queries: {len(locking)}")
    print(f"queries in the last run: {len(queries)}")
    for query in queries:
        print(f"  {float(query['time']) * 1000:9.1f} ms  {query['sql'][:160]}")
    reads = [query for query in queries if query["sql"].lstrip().upper().startswith("SELECT")]
    slowest = max(reads, key=lambda query: float(query["time"]))
    print("\nEXPLAIN ANALYZE of the slowest:")
    for line in explain(slowest["sql"]):
        print(f"  {line}")


if __name__ == "__main__":
    main()
