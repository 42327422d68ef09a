"""What every benchmark starts with: the project importable, Django set up on the bench database.

The scripts run as `python bench/<name>.py`, so this folder is on sys.path and they import
this module as `common`.
"""

import contextlib
import datetime as dt
import os
import platform
import sys
import time
from collections.abc import Iterator
from pathlib import Path

HEAVY_EMAIL = "bench-heavy@bench.example"
ADMIN_EMAIL = "bench-admin@bench.example"


def setup_django(**environ: str) -> None:
    """Set up Django on DATABASE_URL (default: the closeout_bench database); `environ` wins."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/closeout_bench")
    os.environ.update(environ)

    import django

    django.setup()


def core_speed_ms() -> float:
    """A fixed pure-Python loop's best time of three, in ms: "AMD EPYC" names many machines,
    and one core of them can be twice as fast as another's, so figures taken on two machines
    compare only beside this."""
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        sum(i * i for i in range(1_000_000))
        best = min(best, time.perf_counter() - start)
    return best * 1000


def machine() -> str:
    """When and where the figures were taken: date, CPU model, cores, its speed, load,
    PostgreSQL."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        load = " / ".join(f"{value:.2f}" for value in os.getloadavg())
    except OSError:
        load = "n/a"
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0].split()[0]
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (
        f"{when} · {cpu} · {os.cpu_count()} cores (Python loop {core_speed_ms():.0f} ms)"
        f" · load {load} · PostgreSQL {postgres}"
        f" · Python {platform.python_version()}"
    )


@contextlib.contextmanager
def model_defaults() -> Iterator[None]:
    """Give every NOT NULL column with a constant model default (or a blank text) that default
    in the database while the block runs.

    The benchmarks' INSERT … SELECTs name only the columns they vary, so a field added later
    (a flag, a blank text) does not break them; the defaults are dropped again afterwards, so
    the schema stays as the migrations made it.
    """
    from django.apps import apps
    from django.db import connection, models
    from django.db.models import NOT_PROVIDED

    added = []
    with connection.cursor() as cursor:
        try:
            for model in apps.get_models():
                table = model._meta.db_table
                for field in model._meta.concrete_fields:
                    if field.null or field.primary_key:
                        continue
                    if field.default is not NOT_PROVIDED:
                        if callable(field.default):
                            continue
                        value = field.get_db_prep_save(field.default, connection)
                    elif field.empty_strings_allowed and isinstance(
                        field, models.CharField | models.TextField
                    ):
                        value = ""
                    else:
                        continue
                    cursor.execute(
                        f'ALTER TABLE "{table}" ALTER COLUMN "{field.column}" SET DEFAULT %s',
                        [value],
                    )
                    added.append((table, field.column))
            yield
        finally:
            for table, column in added:
                cursor.execute(f'ALTER TABLE "{table}" ALTER COLUMN "{column}" DROP DEFAULT')
