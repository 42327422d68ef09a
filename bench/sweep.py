# ruff: noqa: E402
"""Time the reminder sweep among a million cases' reminder history, and show its query plans.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/closeout_bench \
    REDIS_URL=redis://127.0.0.1:6379/7 \
        .venv/bin/python bench/sweep.py [--due-fraction 0.01] [--now 2026-01-01T12:00:00+00:00] \
            [--repeat 3] [--keep]

Run bench/seed.py first. `--due-fraction F` makes F × the number of cases reminders due (0.01
of a million: 10,000): surplus due rows of the seed are pushed past `now`, or billing checks
due in the last three hours are added to completed cases not yet verified (about one in twenty
of those has reminders stopped and is cancelled; the rest are sent or, outside the case's mail
hours, rescheduled); everything is put back at the end. Without it the seed's own due rows
(about 2,000) are swept. Prints EXPLAIN (ANALYZE, BUFFERS) of the two queries each sweep
batch starts with (the due reminders, the cases due to stall), exactly as cases.reminders
issues them, then times the bare claim query and whole `sweep(now=…)` runs. The
sweep queues its send tasks for real, on a throwaway broker: BENCH_REDIS_URL, else REDIS_URL,
else redis://127.0.0.1:6379/7 (never the configured CELERY_BROKER_URL). Nothing consumes
them: after each run the rows the sweep touched are put back as they were and the queue is
purged, so the benchmark can be repeated (--keep leaves the last run's changes in place, except
on the rows --due-fraction added, which are removed).
"""

import argparse
import datetime as dt
import os
import statistics
import sys
import time

from common import model_defaults, setup_django

BROKER = (
    os.environ.get("BENCH_REDIS_URL") or os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/7"
)
setup_django(CELERY_BROKER_URL=BROKER)

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from cases import tasks
from cases.models import Case, Reminder
from cases.reminders import sweep as reminder_sweep
from config.celery import app as celery_app


def claim_query(now: dt.datetime, claimable=None):
    """The sweep's batch query (cases.reminders.sweep): due rows, or with `claimable`, that."""
    claimable = Reminder.objects.due(now) if claimable is None else claimable
    return claimable.select_related("case").select_for_update(skip_locked=True, of=("self",))[
        : settings.REMINDER_SWEEP_BATCH
    ]


def stall_query(now: dt.datetime):
    """The stall batch query (cases.reminders.flag_stalled)."""
    return (
        Case.objects.due_to_stall(now)
        .order_by("stall_at")
        .select_for_update(skip_locked=True)[: settings.REMINDER_SWEEP_BATCH]
        .values_list("pk", flat=True)
    )


def show_plan(title: str, queryset) -> None:
    with transaction.atomic():
        sql = str(queryset.query)  # FOR UPDATE compiles only inside a transaction
        plan = queryset.explain(analyze=True, buffers=True)
        transaction.set_rollback(True)  # EXPLAIN ANALYZE of FOR UPDATE takes the row locks
    print(f"\n{title}\n  {sql}\n")
    print("\n".join(f"  {line}" for line in plan.splitlines()))


def time_claim(now: dt.datetime, times: int) -> list[float]:
    samples = []
    for _ in range(times):
        with transaction.atomic():
            started = time.perf_counter()
            list(claim_query(now))
            samples.append((time.perf_counter() - started) * 1000)
            transaction.set_rollback(True)
    return samples


def execute(sql: str, params: list | None = None) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def snapshot(now: dt.datetime) -> None:
    """Keep what the sweep may change: due or leased reminders, cases due to stall."""
    execute("DROP TABLE IF EXISTS bench_due, bench_stall")
    execute(
        "CREATE TEMP TABLE bench_due AS SELECT id, state, due_at, sending_since, attempts"
        " FROM cases_reminder WHERE state IN ('scheduled', 'sending') AND due_at <= %s",
        [now],
    )
    execute(
        "CREATE TEMP TABLE bench_stall AS SELECT id FROM cases_case WHERE status IN"
        " ('awaiting_review', 'awaiting_operator') AND stall_at <= %s AND NOT is_stalled",
        [now],
    )


def restore(started: dt.datetime) -> None:
    execute(
        "UPDATE cases_reminder r SET state = b.state, due_at = b.due_at,"
        " sending_since = b.sending_since, attempts = b.attempts FROM bench_due b WHERE r.id = b.id"
    )
    execute("UPDATE cases_case SET is_stalled = false WHERE id IN (SELECT id FROM bench_stall)")
    execute(
        "DELETE FROM cases_caseevent WHERE kind = 'stalled' AND created_at >= %s"
        " AND case_id IN (SELECT id FROM bench_stall)",
        [started],
    )


# The waiting period of the billing checks --due-fraction adds: no real row has it, so they are
# unique per case and easy to find again.
ADDED_PERIOD = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def set_due_fraction(now: dt.datetime, fraction: float) -> int:
    """Make round(`fraction` × cases) reminders claimable at `now`. Returns that number."""
    remove_due_fraction()
    target = round(fraction * Case.objects.count())
    due = list(Reminder.objects.claimable(now).order_by("-due_at").values_list("pk", flat=True))
    execute("CREATE TEMP TABLE bench_pushed (id bigint PRIMARY KEY, due_at timestamptz)")
    if len(due) > target:
        execute(
            "INSERT INTO bench_pushed SELECT id, due_at FROM cases_reminder WHERE id = ANY(%s)",
            [due[: len(due) - target]],
        )
        execute(
            "UPDATE cases_reminder SET due_at = %s WHERE id IN (SELECT id FROM bench_pushed)",
            [now + dt.timedelta(days=1)],
        )
    elif len(due) < target:
        # Spread over the id range (and so over time zones and creation dates), not the first N.
        # Only the columns that matter here are named: the model's defaults fill the rest.
        with model_defaults():
            execute(
                "INSERT INTO cases_reminder (kind, period_started_at, sequence, due_at, state,"
                " created_at, case_id)"
                " SELECT 'billing_check', %s, 0, %s - (c.id %% 180) * interval '1 minute',"
                " 'scheduled', %s, c.id FROM cases_case c"
                " WHERE c.status = 'completed' AND c.billing_verified_at IS NULL"
                " ORDER BY (c.id * 2654435761) %% 1000003 LIMIT %s",
                [ADDED_PERIOD, now, now, target - len(due)],
            )
    execute("ANALYZE cases_reminder")
    return Reminder.objects.claimable(now).count()


def remove_due_fraction() -> None:
    """Undo set_due_fraction (also what a run that crashed left behind)."""
    execute(
        "DELETE FROM cases_reminder WHERE kind = 'billing_check' AND period_started_at = %s",
        [ADDED_PERIOD],
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('pg_temp.bench_pushed')")
        if cursor.fetchone()[0] is not None:
            execute(
                "UPDATE cases_reminder r SET due_at = p.due_at"
                " FROM bench_pushed p WHERE r.id = p.id"
            )
            execute("DROP TABLE bench_pushed")


def purge_queue() -> int:
    with celery_app.connection_for_write() as conn:
        return conn.default_channel.queue_purge(settings.CELERY_TASK_DEFAULT_QUEUE) or 0


def ms(samples: list[float]) -> str:
    p95 = statistics.quantiles(samples, n=100, method="inclusive")[94] if len(samples) > 1 else 0
    return f"p50 {statistics.median(samples):.1f} ms, p95 {p95:.1f} ms, max {max(samples):.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--now", type=dt.datetime.fromisoformat, help="the sweep's clock (UTC)")
    parser.add_argument(
        "--due-fraction",
        type=float,
        help="reminders due as a fraction of the cases (0.001, 0.01, 0.1); default: the seed's",
    )
    parser.add_argument("--repeat", type=int, default=3, help="whole sweeps to time")
    parser.add_argument("--claims", type=int, default=50, help="bare claim queries to time")
    parser.add_argument("--keep", action="store_true", help="leave the last sweep's changes")
    args = parser.parse_args()
    now = args.now or timezone.now()
    if timezone.is_naive(now):
        now = now.replace(tzinfo=dt.UTC)
    if "bench" not in settings.DATABASES["default"]["NAME"]:
        sys.exit("Refusing to sweep a database whose name lacks 'bench'.")

    print(f"now = {now.isoformat()}, broker = {BROKER}, batch = {settings.REMINDER_SWEEP_BATCH}")
    try:
        if args.due_fraction is not None:
            due = set_due_fraction(now, args.due_fraction)
            print(f"--due-fraction {args.due_fraction}: {due:,} reminders due now")
        bench(now, args)
    finally:
        if args.due_fraction is not None:
            remove_due_fraction()


def bench(now: dt.datetime, args: argparse.Namespace) -> None:
    print(
        f"{Case.objects.count():,} cases, {Reminder.objects.count():,} reminders, "
        f"{Reminder.objects.pending().count():,} pending, "
        f"{Reminder.objects.claimable(now).count():,} claimable now, "
        f"{Case.objects.due_to_stall(now).count():,} cases due to stall"
    )
    show_plan("EXPLAIN (ANALYZE, BUFFERS) — due reminders, first batch", claim_query(now))
    show_plan(
        "EXPLAIN (ANALYZE, BUFFERS) — expired leases, first batch",
        claim_query(now, Reminder.objects.lease_expired(now)),
    )
    show_plan("EXPLAIN (ANALYZE, BUFFERS) — cases due to stall, first batch", stall_query(now))

    print(f"\nbare claim query ({args.claims}×, rolled back): {ms(time_claim(now, args.claims))}")

    purge_queue()
    snapshot(now)
    durations = []
    for run in range(1, args.repeat + 1):
        started = timezone.now()
        clock, cpu = time.perf_counter(), time.process_time()
        result = reminder_sweep.sweep(send_queue=tasks.send_queue, now=now)
        seconds, cpu = time.perf_counter() - clock, time.process_time() - cpu
        durations.append(seconds * 1000)
        handled = len(result.queued) + result.rescheduled + result.cancelled
        per_row = seconds * 1000 / handled if handled else 0
        print(
            f"sweep {run}: {seconds * 1000:8.0f} ms (this process's CPU {cpu * 1000:.0f} ms) — "
            f"{len(result.queued):,} queued, "
            f"{result.rescheduled:,} rescheduled, {result.cancelled:,} cancelled, "
            f"{result.stalled:,} cases flagged stalled ({per_row:.2f} ms per reminder)"
            + (" — QUEUE FAILED" if result.queue_failed else "")
        )
        if args.keep and run == args.repeat:
            print("kept the last sweep's changes (rows left sending, tasks left in the queue)")
            break
        restore(started)
        purge_queue()
    print(f"sweeps: {ms(durations)}")


if __name__ == "__main__":
    main()
