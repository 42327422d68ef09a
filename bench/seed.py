# ruff: noqa: E402
"""Fill a dedicated PostgreSQL database with a million cases, fast, for the other benchmarks.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/closeout_bench \
        .venv/bin/python bench/seed.py [--cases 1000000] [--customers 200000] [--reset]

Creates the database if it is missing, migrates it and loads the shipped providers and
playbooks, then writes everything else with `INSERT … SELECT generate_series` in one
transaction (foreign-key triggers off for it: the rows are consistent by construction), and
finishes with VACUUM ANALYZE. What it writes, spread over two years of cases:

- customers (default 200,000), 20 agents, an admin (bench-admin@bench.example, password
  "bench"), and one heavy customer (bench-heavy@bench.example) with ~300 cases;
- cases: mostly completed or withdrawn; the last 30 days hold the open ones (drafts,
  preparing, in progress, waiting on the provider, needs action); a few old ones still wait
  and are stalled; a hundred or so are due to stall;
- steps copied from the shipped generic playbooks for every open case, one closed case in
  ten and all of the heavy customer's cases;
- 1 to 5 timeline events per case; the heavy customer's newest case has ~150 more;
- reminders: a billing check per completed case and ladder rungs for half of the closed
  cases (sent or cancelled history), a scheduled rung per waiting case (one in seven due
  now, a few with an expired lease) and billing checks still to come.

The benchmarks find their subjects by email: bench-heavy@… and bench-admin@…
"""

import argparse
import datetime as dt
import os
import re
import sys
import time

from common import ADMIN_EMAIL, HEAVY_EMAIL, model_defaults, setup_django

setup_django()

import psycopg
from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import User
from cases import services
from cases.models import REFERENCE_ALPHABET, Case

ADMIN_PASSWORD = "bench"
AGENTS = 20
HEAVY_CASES = 300
HEAVY_EXTRA_EVENTS = 150
SPAN_DAYS = 730
TIME_ZONES = ["Europe/London", "UTC", "Asia/Shanghai", "Asia/Hong_Kong", "America/New_York"]
REASONS = ["not_needed", "device_lost", "switching", "cost", "moving_abroad", "other"]
DEVICES = ["iPhone 15", "Pixel 8", "Galaxy S23", "", "iPhone 13", "Xiaomi 14"]

# A bijection of the case id onto 30**8 values (the multiplier is prime and not 2, 3 or 5),
# spelt in the reference alphabet: unique, unguessable-looking references without a lookup.
REF_SPACE = len(REFERENCE_ALPHABET) ** 8
REF_MULTIPLIER = 2_654_435_761


def reference_sql(x: str) -> str:
    chars = [
        f"substr('{REFERENCE_ALPHABET}', (({x} / {30**k}) % 30)::int + 1, 1)"
        for k in range(7, -1, -1)
    ]
    return f"'CX-' || {' || '.join(chars[:4])} || '-' || {' || '.join(chars[4:])}"


def sql_array(values: list[str]) -> str:
    return "ARRAY[" + ", ".join(f"'{value}'" for value in values) + "]"


def ensure_database() -> None:
    db = settings.DATABASES["default"]
    if "postgresql" not in db["ENGINE"] or "bench" not in db["NAME"]:
        sys.exit(f"Refusing to seed {db['ENGINE']} {db['NAME']!r}: use a PostgreSQL *bench* db.")
    params = {
        "dbname": "postgres",
        "user": db.get("USER") or None,
        "password": db.get("PASSWORD") or None,
        "host": db.get("HOST") or None,
        "port": db.get("PORT") or None,
    }
    with psycopg.connect(**{k: v for k, v in params.items() if v}, autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]]
        ).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{db["NAME"]}"')
            print(f"created database {db['NAME']}")


class Phases:
    def __init__(self) -> None:
        self.started = self.last = time.perf_counter()

    def done(self, what: str, rows: int | None = None) -> None:
        now = time.perf_counter()
        count = f"{rows:>12,}" if rows is not None else " " * 12
        print(f"  {what:<44}{count} rows {now - self.last:7.1f} s", flush=True)
        self.last = now


def literal(value) -> str:
    if isinstance(value, dt.datetime):
        return f"'{value.isoformat()}'::timestamptz"
    if isinstance(value, int | float):
        return repr(value)
    raise TypeError(value)


def run(sql: str, params: dict | None = None) -> int:
    """Execute `sql` with `$name` replaced by the literal of params[name].

    No driver placeholders, so `%` stays SQL's modulo; the values are our own numbers and times.
    """
    params = params or {}
    sql = re.sub(r"\$(\w+)", lambda match: literal(params[match.group(1)]), sql)
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.rowcount


def reset() -> None:
    run(
        "TRUNCATE cases_case, cases_casestep, cases_caseevent, cases_reminder, cases_evidence,"
        " cases_contactattempt, cases_agentdigest, django_session, django_admin_log,"
        " accounts_user RESTART IDENTITY CASCADE"
    )


def seed_people(customers: int, now) -> tuple[int, int, int, int]:
    """Customers by SQL; the heavy customer, agents and admin through the model."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(max(id), 0) + 1 FROM accounts_user")
        first_customer = cursor.fetchone()[0]
    run(
        f"""
        INSERT INTO accounts_user (id, password, last_login, is_superuser, email, display_name,
            preferred_language, time_zone, is_staff, is_active, date_joined)
        SELECT $first + g - 1, '!bench', NULL, false, 'customer' || g || '@bench.example', '',
            CASE WHEN g % 5 = 0 THEN 'zh-hans' ELSE 'en' END,
            ({sql_array(TIME_ZONES)})[1 + g % {len(TIME_ZONES)}], false, true,
            $now - make_interval(days => {SPAN_DAYS}) + g * make_interval(secs => $step)
        FROM generate_series(1, $customers) g
        """,
        {
            "first": first_customer,
            "customers": customers,
            "now": now,
            "step": SPAN_DAYS * 86400 / customers,
        },
    )
    run("SELECT setval(pg_get_serial_sequence('accounts_user', 'id'), max(id)) FROM accounts_user")
    heavy = User.objects.create_user(HEAVY_EMAIL, display_name="Heavy Customer")
    first_agent = None
    for n in range(AGENTS):
        agent = User.objects.create_user(f"agent{n + 1}@bench.example", is_staff=True)
        first_agent = first_agent or agent.pk
    User.objects.create_superuser(ADMIN_EMAIL, ADMIN_PASSWORD)
    return first_customer, heavy.pk, first_agent, AGENTS


def seed_cases(*, n: int, customers: int, first_customer: int, heavy: int, first_agent: int, now):
    """One INSERT … SELECT over generate_series: status by age, dates consistent with it."""
    every = max(n // HEAVY_CASES, 1)
    run(
        """
        CREATE TEMP TABLE bench_offer ON COMMIT DROP AS
        SELECT (row_number() OVER (ORDER BY p.id, k.kind) - 1)::int AS n, p.id AS provider_id,
               k.kind
        FROM providers_provider p
        JOIN (VALUES ('virtual'), ('esim'), ('physical_sim')) k(kind)
          ON (k.kind = 'virtual' AND p.offers_virtual) OR (k.kind = 'esim' AND p.offers_esim)
          OR (k.kind = 'physical_sim' AND p.offers_physical_sim)
        WHERE p.is_active AND NOT p.is_demo
        """
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM bench_offer")
        offers = cursor.fetchone()[0]
    waiting = "('awaiting_review', 'awaiting_operator')"
    rows = run(
        f"""
        INSERT INTO cases_case (id, reference, draft_token, provider_name, service_kind,
            phone_number, phone_last4, device_model, imei, eid, iccid, reason, reason_detail,
            status, provider_reference, needs_action_detail, language, time_zone, created_at,
            submitted_at, status_changed_at, waiting_since, expected_by, completed_at,
            last_activity_at, esim_profile_deleted_at, contract_ended_at, billing_verified_at,
            reminders_stopped_at, snoozed_until, stall_at, is_stalled, version,
            assigned_agent_id, owner_id, provider_id)
        SELECT i, {reference_sql("x")}, md5(i::text),
            CASE WHEN no_provider THEN '' WHEN unlisted THEN 'Local Mobile ' || (i % 97)
                 ELSE '' END,
            kind, phone, right(phone, 4),
            CASE WHEN status = 'draft' THEN '' ELSE ({sql_array(DEVICES)})[1 + i % {len(DEVICES)}]
                 END,
            CASE WHEN kind <> 'virtual' AND r3 < 0.3
                 THEN lpad((x % 1000000000000000)::text, 15, '0') ELSE '' END,
            CASE WHEN kind = 'esim' AND r3 < 0.3
                 THEN '8904' || lpad((x % 1000000000000000)::text, 28, '0') ELSE '' END,
            CASE WHEN kind = 'physical_sim' AND r3 < 0.3
                 THEN '8944' || lpad((x % 1000000000000000)::text, 15, '0') ELSE '' END,
            CASE WHEN phone = '' THEN '' ELSE ({sql_array(REASONS)})[1 + i % {len(REASONS)}] END,
            '', status,
            CASE WHEN status = 'completed' THEN 'REF-' || (x % 10000000) ELSE '' END,
            CASE WHEN status = 'needs_action'
                 THEN 'Send a copy of your ID and your last bill.' ELSE '' END,
            CASE WHEN r3 > 0.8 THEN 'zh-hans' ELSE 'en' END,
            ({sql_array(TIME_ZONES)})[1 + (x % {len(TIME_ZONES)})::int],
            created,
            CASE WHEN status = 'draft' THEN NULL ELSE created + interval '20 minutes' END,
            changed,
            CASE WHEN status IN {waiting} THEN changed END,
            CASE WHEN status IN {waiting} THEN changed + typical END,
            CASE WHEN status = 'completed' THEN changed END,
            changed,
            CASE WHEN status = 'completed' AND kind = 'esim' AND r4 < 0.5 THEN changed END,
            CASE WHEN status = 'completed' AND kind = 'physical_sim' AND r4 < 0.5 THEN changed END,
            CASE WHEN status = 'completed' AND changed < $now - interval '36 days'
                 AND r4 < 0.6 THEN changed + interval '36 days' END,
            CASE WHEN status <> 'draft' AND r4 > 0.98 THEN changed END,
            NULL,
            CASE WHEN status IN {waiting} THEN changed + 2 * typical END,
            status IN {waiting} AND changed + 2 * typical < $now - interval '6 hours',
            CASE WHEN status = 'draft' THEN 1 + i % 3 ELSE 3 + i % 9 END,
            CASE WHEN status = 'needs_action' OR (status IN {waiting}
                      AND changed + 2 * typical < $now - interval '6 hours')
                      OR (status NOT IN ('completed', 'withdrawn', 'draft') AND r4 < 0.1)
                      OR (status IN ('completed', 'withdrawn') AND r4 < 0.05)
                 THEN $first_agent + i % {AGENTS} END,
            CASE WHEN i % $every = 0 THEN $heavy
                 WHEN status = 'draft' AND r4 < 0.5 THEN NULL
                 ELSE $first_customer + x % $customers END,
            CASE WHEN no_provider OR unlisted THEN NULL ELSE provider_id END
        FROM (
            SELECT s.*,
                CASE WHEN status = 'completed'
                     THEN LEAST(created + (2 + r4 * 20) * interval '1 day',
                                $now - interval '1 hour')
                     WHEN status = 'withdrawn'
                     THEN LEAST(created + r4 * 10 * interval '1 day', $now - interval '1 hour')
                     ELSE created + ($now - created) * (0.2 + 0.6 * r4) END AS changed,
                CASE WHEN status = 'draft' AND r4 < 0.3 THEN ''
                     WHEN kind = 'virtual' THEN '+1646' || lpad((x % 10000000)::text, 7, '0')
                     ELSE '+447' || lpad((x % 1000000000)::text, 9, '0') END AS phone,
                status = 'draft' AND r3 < 0.5 AS no_provider
            FROM (
                SELECT b.*, o.provider_id, o.kind,
                    CASE WHEN o.kind = 'virtual' THEN interval '3 days'
                         ELSE interval '7 days' END AS typical,
                    CASE WHEN st = 'waiting' THEN
                        CASE WHEN o.kind = 'virtual' THEN 'awaiting_review'
                             ELSE 'awaiting_operator' END
                        ELSE st END AS status
                FROM (
                    SELECT a.*,
                        CASE WHEN age < 30 THEN
                            CASE WHEN r1 < 0.04 THEN 'draft' WHEN r1 < 0.08 THEN 'preparing'
                                 WHEN r1 < 0.16 THEN 'in_progress' WHEN r1 < 0.43 THEN 'waiting'
                                 WHEN r1 < 0.48 THEN 'needs_action' WHEN r1 < 0.88 THEN 'completed'
                                 ELSE 'withdrawn' END
                        ELSE
                            CASE WHEN r1 < 0.77 THEN 'completed' WHEN r1 < 0.993 THEN 'withdrawn'
                                 WHEN r1 < 0.996 THEN 'waiting' WHEN r1 < 0.998 THEN 'needs_action'
                                 ELSE 'in_progress' END
                        END AS st,
                        r3 < 0.03 AS unlisted
                    FROM (
                        SELECT g AS i, (g * {REF_MULTIPLIER}::bigint + 12345) % {REF_SPACE} AS x,
                            random() AS r1, random() AS r2, random() AS r3, random() AS r4,
                            $start + (g - 1 + random()) * $step * interval '1 second'
                                AS created,
                            ($n - g) * $step / 86400.0 AS age
                        FROM generate_series(1, $n) g
                    ) a
                ) b
                JOIN bench_offer o ON o.n = floor(b.r2 * $offers)::int
            ) s
        ) c
        ORDER BY i
        """,
        {
            "n": n,
            "now": now,
            "start": now - dt.timedelta(days=SPAN_DAYS),
            "step": SPAN_DAYS * 86400 / n,
            "offers": offers,
            "every": every,
            "heavy": heavy,
            "first_agent": first_agent,
            "first_customer": first_customer,
            "customers": customers,
        },
    )
    run("SELECT setval(pg_get_serial_sequence('cases_case', 'id'), max(id)) FROM cases_case")
    # The heavy customer's newest case waits on the operator: the case page's worst customer.
    heavy_case = n - n % every
    run(
        """
        UPDATE cases_case SET status = 'awaiting_operator', service_kind = 'physical_sim',
            provider_id = (SELECT id FROM providers_provider WHERE slug = 'ee'), provider_name = '',
            waiting_since = $now - interval '4 days', expected_by = $now + interval '3 days',
            stall_at = $now + interval '10 days', is_stalled = false, completed_at = NULL,
            status_changed_at = $now - interval '4 days',
            last_activity_at = $now - interval '1 hour', reminders_stopped_at = NULL,
            phone_number = '+447700900123', phone_last4 = '0123'
        WHERE id = $id
        """,
        {"id": heavy_case, "now": now},
    )
    return rows, heavy_case


def seed_steps(*, heavy: int, n: int) -> int:
    run(
        """
        CREATE TEMP TABLE bench_steps ON COMMIT DROP AS
        SELECT t.*, max(number) FILTER (WHERE starts_waiting)
                      OVER (PARTITION BY service_kind, country) AS wait_number,
                    count(*) FILTER (WHERE kind = 'checklist')
                      OVER (PARTITION BY service_kind, country) AS checklist_count
        FROM (
            SELECT pb.service_kind, c.country,
                row_number() OVER (PARTITION BY pb.service_kind, c.country
                                   ORDER BY ps.position)::int AS number,
                ps.kind, ps.title, ps.title_zh_hans, ps.instructions, ps.instructions_zh_hans,
                ps.evidence_kind, ps.starts_waiting
            FROM providers_playbook pb
            JOIN providers_playbookstep ps ON ps.playbook_id = pb.id
            CROSS JOIN (SELECT DISTINCT country FROM providers_provider UNION SELECT '') c
            WHERE pb.provider_id IS NULL AND pb.is_active
              AND (ps.region = '' OR ps.region = c.country)
        ) t
        """
    )
    return run(
        """
        INSERT INTO cases_casestep (position, kind, title, title_zh_hans, instructions,
            instructions_zh_hans, evidence_kind, starts_waiting, state, skip_acknowledged,
            done_at, note, data, case_id, done_by_id)
        SELECT s.number, s.kind, s.title, s.title_zh_hans, s.instructions, s.instructions_zh_hans,
            s.evidence_kind, s.starts_waiting,
            CASE WHEN s.number > d.upto THEN 'todo'
                 WHEN s.kind = 'checklist' AND (c.id + s.number) % 13 = 0 THEN 'skipped'
                 ELSE 'done' END,
            s.number <= d.upto AND s.kind = 'checklist' AND (c.id + s.number) % 13 = 0,
            CASE WHEN s.number <= d.upto
                 THEN LEAST(c.created_at + s.number * interval '30 minutes', c.last_activity_at)
                 END,
            '',
            CASE WHEN s.number <= d.upto AND s.starts_waiting
                 THEN jsonb_build_object('reference', 'REQ-' || c.id) ELSE '{}'::jsonb END,
            c.id,
            CASE WHEN s.number <= d.upto THEN c.owner_id END
        FROM cases_case c
        LEFT JOIN providers_provider p ON p.id = c.provider_id
        JOIN bench_steps s
          ON s.service_kind = c.service_kind AND s.country = COALESCE(p.country, '')
        CROSS JOIN LATERAL (
            SELECT CASE c.status
                WHEN 'completed' THEN 99
                WHEN 'awaiting_review' THEN s.wait_number
                WHEN 'awaiting_operator' THEN s.wait_number
                WHEN 'needs_action' THEN s.wait_number
                WHEN 'withdrawn' THEN s.checklist_count + 1
                WHEN 'in_progress' THEN s.checklist_count + 1
                WHEN 'preparing' THEN 2
                ELSE 0 END AS upto
        ) d
        WHERE c.status <> 'draft'
          AND (c.id % 10 = 0 OR c.status NOT IN ('completed', 'withdrawn') OR c.owner_id = $heavy)
        ORDER BY c.id, s.number
        """,
        {"heavy": heavy},
    )


def seed_events(*, heavy_case: int, now) -> int:
    rows = run(
        """
        INSERT INTO cases_caseevent (actor_role, kind, status_from, status_to, message, text,
            text_params, visibility, created_at, actor_id, case_id)
        SELECT
            CASE WHEN j IN (1, 2) AND c.owner_id IS NOT NULL THEN 'customer'
                 WHEN j = 5 AND c.assigned_agent_id IS NOT NULL THEN 'agent' ELSE 'system' END,
            CASE j WHEN 1 THEN 'created' WHEN 2 THEN 'details' WHEN 3 THEN 'status'
                   WHEN 4 THEN 'reminder' ELSE 'note' END,
            CASE WHEN j = 3 THEN 'in_progress' ELSE '' END,
            CASE WHEN j = 3 THEN c.status ELSE '' END,
            CASE WHEN j = 5 THEN 'Called the customer back; waiting on the provider.' ELSE '' END,
            CASE j WHEN 2 THEN 'Line details saved' WHEN 4 THEN 'Reminder email sent.'
                   ELSE '' END,
            '{}'::jsonb,
            CASE WHEN j = 5 THEN 'internal' ELSE 'customer' END,
            c.created_at + (c.last_activity_at - c.created_at) * (j - 1) / 5.0,
            CASE WHEN j IN (1, 2) THEN c.owner_id WHEN j = 5 THEN c.assigned_agent_id END,
            c.id
        FROM cases_case c
        CROSS JOIN LATERAL generate_series(
            1, CASE WHEN c.status = 'draft' THEN 1 ELSE 1 + ((c.id * 31) % 5)::int END) j
        ORDER BY c.id, j
        """
    )
    rows += run(
        """
        INSERT INTO cases_caseevent (actor_role, kind, status_from, status_to, message, text,
            text_params, visibility, created_at, actor_id, case_id)
        SELECT
            CASE WHEN j % 5 = 0 THEN 'agent' WHEN j % 3 = 0 THEN 'customer' ELSE 'system' END,
            CASE WHEN j % 5 = 0 THEN 'note' WHEN j % 3 = 0 THEN 'step' ELSE 'reminder' END,
            '', '',
            CASE WHEN j % 5 = 0 THEN 'Internal: checked with the provider, case ' || j
                 WHEN j % 3 = 0 THEN 'Uploaded the letter the shop gave me.' ELSE '' END,
            CASE WHEN j % 3 = 0 AND j % 5 <> 0 THEN 'Done: %(title)s'
                 WHEN j % 5 <> 0 THEN 'Reminder email sent.' ELSE '' END,
            CASE WHEN j % 3 = 0 AND j % 5 <> 0
                 THEN '{"title": "Request the cancellation", "title_zh_hans": "申请注销"}'::jsonb
                 ELSE '{}'::jsonb END,
            CASE WHEN j % 5 = 0 THEN 'internal' ELSE 'customer' END,
            $now - interval '30 days' + j * interval '4 hours',
            NULL, $id
        FROM generate_series(1, $extra) j
        """,
        {"now": now, "id": heavy_case, "extra": HEAVY_EXTRA_EVENTS},
    )
    return rows


def seed_reminders(*, now) -> int:
    rows = run(
        """
        INSERT INTO cases_reminder (kind, period_started_at, sequence, due_at, state,
            sending_since, attempts, sent_at, last_error, message_id, body, created_at, case_id)
        SELECT 'billing_check', c.completed_at, 0, c.completed_at + interval '35 days',
            CASE WHEN c.completed_at + interval '35 days' > $now THEN 'scheduled'
                 WHEN c.reminders_stopped_at IS NOT NULL THEN 'cancelled'
                 WHEN c.id % 1000 = 0 THEN 'failed' ELSE 'sent' END,
            NULL,
            CASE WHEN c.completed_at + interval '35 days' > $now THEN 0
                 WHEN c.id % 1000 = 0 THEN 5 ELSE 1 END,
            CASE WHEN c.completed_at + interval '35 days' <= $now
                      AND c.reminders_stopped_at IS NULL AND c.id % 1000 <> 0
                 THEN c.completed_at + interval '35 days' END,
            CASE WHEN c.id % 1000 = 0 THEN 'SMTPRecipientsRefused: mailbox unavailable' ELSE '' END,
            CASE WHEN c.completed_at + interval '35 days' <= $now
                 THEN '<reminder-' || c.id || '-billing@closeout.local>' ELSE '' END,
            '', c.completed_at, c.id
        FROM cases_case c
        WHERE c.status = 'completed'
        ORDER BY c.id
        """,
        {"now": now},
    )
    # Closed cases that waited: the rungs sent during the wait, the last one cancelled by it.
    rows += run(
        """
        INSERT INTO cases_reminder (kind, period_started_at, sequence, due_at, state,
            sending_since, attempts, sent_at, last_error, message_id, body, created_at, case_id)
        SELECT 'ladder', c.created_at + interval '1 day', s,
            c.created_at + interval '1 day' + (s + 1) * interval '3 days',
            CASE WHEN s = k THEN 'cancelled' ELSE 'sent' END, NULL,
            CASE WHEN s = k THEN 0 ELSE 1 END,
            CASE WHEN s < k THEN c.created_at + interval '1 day' + (s + 1) * interval '3 days' END,
            '',
            CASE WHEN s < k THEN '<reminder-' || c.id || '-' || s || '@closeout.local>'
                 ELSE '' END,
            '', c.created_at + interval '1 day', c.id
        FROM cases_case c
        CROSS JOIN LATERAL (SELECT (c.id % 3)::int AS k) kk
        CROSS JOIN LATERAL generate_series(0, kk.k) s
        WHERE c.status IN ('completed', 'withdrawn') AND c.id % 2 = 0
          AND c.created_at < $now - interval '11 days'
        ORDER BY c.id, s
        """,
        {"now": now},
    )
    # Waiting cases: rungs sent so far, then the scheduled one (one case in seven is due now).
    rows += run(
        """
        INSERT INTO cases_reminder (kind, period_started_at, sequence, due_at, state,
            sending_since, attempts, sent_at, last_error, message_id, body, created_at, case_id)
        SELECT 'ladder', c.waiting_since, s,
            CASE WHEN s < k THEN c.waiting_since + (s + 1) * interval '3 days'
                 WHEN c.id % 7 = 0 THEN $now - (c.id % 180) * interval '1 minute'
                 ELSE $now + (1 + c.id % 13) * interval '1 day' + (c.id % 24) * interval '1 hour'
                 END,
            CASE WHEN s < k THEN 'sent'
                 WHEN c.id % 7 = 0 AND c.id % 97 = 0 THEN 'sending' ELSE 'scheduled' END,
            CASE WHEN s = k AND c.id % 7 = 0 AND c.id % 97 = 0
                 THEN $now - interval '2 hours' END,
            CASE WHEN s < k OR (c.id % 7 = 0 AND c.id % 97 = 0) THEN 1 ELSE 0 END,
            CASE WHEN s < k THEN c.waiting_since + (s + 1) * interval '3 days' END,
            '',
            CASE WHEN s < k THEN '<reminder-' || c.id || '-' || s || '@closeout.local>'
                 ELSE '' END,
            '', c.waiting_since, c.id
        FROM cases_case c
        CROSS JOIN LATERAL (
            SELECT LEAST(floor(extract(epoch FROM $now - c.waiting_since) / 432000), 4)::int
                AS k
        ) kk
        CROSS JOIN LATERAL generate_series(0, kk.k) s
        WHERE c.status IN ('awaiting_review', 'awaiting_operator')
        ORDER BY c.id, s
        """,
        {"now": now},
    )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=200_000)
    parser.add_argument("--reset", action="store_true", help="empty the bench database first")
    args = parser.parse_args()

    ensure_database()
    phases = Phases()
    call_command("migrate", verbosity=0)
    call_command("load_shipped_data", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    phases.done("migrate + load_shipped_data")
    if Case.objects.exists() or User.objects.exists():
        if not args.reset:
            sys.exit("The bench database already holds cases or users: pass --reset to reseed.")
        reset()
        phases.done("reset")

    now = timezone.now()
    print(
        f"Seeding {args.cases:,} cases for {args.customers:,} customers"
        f" (now = {now:%Y-%m-%d %H:%M} UTC)"
    )
    with transaction.atomic():
        run(
            "SET LOCAL session_replication_role = replica"
        )  # no FK triggers: consistent by construction
        run("SET LOCAL synchronous_commit = off")
        run("SET LOCAL work_mem = '64MB'")
        run("SET LOCAL jit = off")  # compiling these one-off statements costs seconds
        run("SELECT setseed(0.42)")
        with model_defaults():
            first_customer, heavy, first_agent, _agents = seed_people(args.customers, now)
            phases.done("users", args.customers + AGENTS + 2)
            rows, heavy_case = seed_cases(
                n=args.cases,
                customers=args.customers,
                first_customer=first_customer,
                heavy=heavy,
                first_agent=first_agent,
                now=now,
            )
            phases.done("cases", rows)
            phases.done("case steps", seed_steps(heavy=heavy, n=args.cases))
            phases.done("case events", seed_events(heavy_case=heavy_case, now=now))
            phases.done("reminders", seed_reminders(now=now))
    # A draft for the provider search, started the way a customer starts one.
    services.start_case(service_kind="esim", owner=User.objects.get(pk=heavy))
    with connection.cursor() as cursor:
        for table in (
            "accounts_user",
            "cases_case",
            "cases_casestep",
            "cases_caseevent",
            "cases_reminder",
        ):
            cursor.execute(f"VACUUM (ANALYZE) {table}")
    phases.done("vacuum analyze")
    summary(phases)


def summary(phases: Phases) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT status, count(*), count(*) FILTER (WHERE is_stalled) FROM cases_case"
            " GROUP BY status ORDER BY 2 DESC"
        )
        print("\ncases by status (stalled):")
        for status, count, stalled in cursor.fetchall():
            print(f"  {status:<20}{count:>10,}  ({stalled:,})")
        cursor.execute(
            "SELECT state, count(*), count(*) FILTER (WHERE due_at <= now()) FROM cases_reminder"
            " GROUP BY state ORDER BY 2 DESC"
        )
        print("reminders by state (due now):")
        for state, count, due in cursor.fetchall():
            print(f"  {state:<20}{count:>10,}  ({due:,})")
        cursor.execute(
            "SELECT count(*) FROM cases_case WHERE status IN ('awaiting_review', "
            "'awaiting_operator') AND stall_at <= now() AND NOT is_stalled"
        )
        print(f"cases due to stall: {cursor.fetchone()[0]:,}")
        cursor.execute(
            "SELECT relname, pg_size_pretty(pg_total_relation_size(oid)) FROM pg_class"
            " WHERE relname IN ('cases_case', 'cases_casestep', 'cases_caseevent',"
            " 'cases_reminder', 'accounts_user') ORDER BY pg_total_relation_size(oid) DESC"
        )
        print("sizes (with indexes): " + ", ".join(f"{t} {s}" for t, s in cursor.fetchall()))
    print(f"total {time.perf_counter() - phases.started:.0f} s")


if __name__ == "__main__":
    main()
