# ruff: noqa: E402
"""Server time and query count of the pages that must stay fast at a million cases.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/closeout_bench \
        .venv/bin/python bench/pages.py [--iterations 200] [--warmup 20] [--show-queries]

Run bench/seed.py first. Each page is requested through Django's test Client inside this
process (the whole middleware stack, sessions in the database, templates rendered), first once
to count its queries, then `--warmup` times untimed and `--iterations` times timed with
time.perf_counter. DEBUG is switched off at request time (no query log, no template debug),
as in production. Targets (DESIGN.md "Quality bars"): a case page in ≤ 20 ms, the staff list,
a filtered list and a search in ≤ 50 ms, the public directory and provider pages in ≤ 30 ms,
at p95.

Staff pages are requested as users request them: a support agent (and, for the admin, the
bench superuser) signed in through the staff sign-in page with a password and a TOTP code, with
the second factor required (STAFF_MFA_REQUIRED), so the middleware's checks are timed too.
Every page must answer 200 and show what it is for (a case's reference, a result row): an
empty or broken page cannot pass as a fast one. Beside p50/p95 it prints where the median
request's time goes: SQL (every query, through an execute wrapper), templates (the outermost
Template.render, less the SQL run inside it) and the rest (middleware, views, the ORM building
queries and instances).

--show-queries prints each page's SQL with its time; --explain adds EXPLAIN (ANALYZE,
BUFFERS) of every query slower than 1 ms.
"""

import argparse
import re
import statistics
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from html import unescape

from common import ADMIN_EMAIL, HEAVY_EMAIL, machine, setup_django

setup_django()

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.conf import settings
from django.db import connection
from django.template import base as template_base
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts import roles
from accounts.models import User
from cases import stats
from cases.models import Case, CaseStep, ProviderStats, StatsSnapshot
from providers.models import StepKind

CASE_PAGE_MS = 20
LIST_MS = 50
PUBLIC_MS = 30
AGENT_EMAIL = "bench-agent@bench.example"
STAFF_PASSWORD = "bench staff password"
ROW = "data-row-link"  # on every row of the staff lists


@dataclass(frozen=True)
class Page:
    name: str
    target_ms: int
    client: Client
    url: str
    expect: str  # text the page must contain, or it is not the page we meant to time
    headers: dict = field(default_factory=dict)


def client_for(user: User) -> Client:
    """A customer's browser: customers sign in by an emailed code, so the session is made."""
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    return client


def staff_client(user: User) -> Client:
    """A staff member's browser, signed in as they are: password, then a TOTP code."""
    user.set_password(STAFF_PASSWORD)
    user.save(update_fields=["password"])
    Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).delete()
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    client = Client(HTTP_HOST="127.0.0.1")
    response = client.post(
        "/accounts/staff/sign-in/", {"login": user.email, "password": STAFF_PASSWORD}
    )
    if response.status_code != 302 or "/2fa/authenticate/" not in response.headers["Location"]:
        sys.exit(f"staff sign-in of {user.email} did not ask for the second factor")
    code = format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))
    response = client.post(response.headers["Location"], {"code": code})
    if response.status_code != 302 or client.get("/staff/").status_code != 200:
        sys.exit(f"staff sign-in of {user.email} did not pass the second factor")
    return client


def bench_agent() -> User:
    """A support agent with open cases of their own, so that "Mine" has rows to show."""
    agent = User.objects.filter(email=AGENT_EMAIL).first()
    if agent is None:
        agent = User.objects.create_user(AGENT_EMAIL, display_name="Bench Agent", is_staff=True)
    roles.make_support_agent(agent)
    if not Case.objects.filter(assigned_agent=agent).exists():
        open_cases = Case.objects.filter(status=Case.Status.AWAITING_OPERATOR, assigned_agent=None)
        ids = list(open_cases.order_by("-id").values_list("id", flat=True)[:30])
        Case.objects.filter(id__in=ids).update(assigned_agent=agent)
    return agent


@dataclass
class Split:
    """Where one request's time went, in seconds."""

    sql: float = 0.0
    templates: float = 0.0
    sql_in_templates: float = 0.0
    depth: int = 0


@contextmanager
def timed_parts(split: Split):
    """Add SQL and outermost-template time of the requests inside the block to `split`."""

    def timed(render):
        def wrapper(template, context):
            split.depth += 1
            started = time.perf_counter()
            try:
                return render(template, context)
            finally:
                split.depth -= 1
                if split.depth == 0:
                    split.templates += time.perf_counter() - started

        return wrapper

    def execute(run, sql, params, many, context):
        started = time.perf_counter()
        try:
            return run(sql, params, many, context)
        finally:
            elapsed = time.perf_counter() - started
            split.sql += elapsed
            if split.depth:
                split.sql_in_templates += elapsed

    # A whole page is a Template; an HTMX fragment ("page.html#part") a PartialTemplate.
    classes = (template_base.Template, template_base.PartialTemplate)
    originals = [cls.render for cls in classes]
    for cls, render in zip(classes, originals, strict=True):
        cls.render = timed(render)
    try:
        with connection.execute_wrapper(execute):
            yield
    finally:
        for cls, render in zip(classes, originals, strict=True):
            cls.render = render


def action_step_number(case: Case) -> int:
    """The number of the first step still to do (as the customer sees it), else 1."""
    steps = list(
        CaseStep.objects.filter(case=case).exclude(kind=StepKind.CHECKLIST).order_by("position")
    )
    return next((n for n, s in enumerate(steps, 1) if s.state == CaseStep.State.TODO), 1)


def pages() -> list[Page]:
    heavy = User.objects.get(email=HEAVY_EMAIL)
    admin = User.objects.get(email=ADMIN_EMAIL)
    mine = Case.objects.filter(owner=heavy)
    case = mine.exclude(status=Case.Status.DRAFT).order_by("-created_at", "-id").first()
    draft = mine.filter(status=Case.Status.DRAFT).order_by("-created_at").first()
    if case is None or draft is None:
        sys.exit("No bench data: run bench/seed.py first.")
    # An ordinary customer's closed case with steps (one closed case in ten has them), from
    # the later half of the ids, away from the heavy customer's.
    half = (Case.objects.order_by("-id").values_list("id", flat=True).first() or 0) // 2
    with_steps = CaseStep.objects.filter(
        case_id__gt=half, case__status=Case.Status.COMPLETED, case__owner__isnull=False
    ).exclude(case__owner=heavy)
    typical = (
        Case.objects.filter(id__in=with_steps.values("case_id")[:1]).select_related("owner").first()
    )
    customer = client_for(heavy)
    first = customer.get("/my-cases/")
    match = re.search(r'href="\?after=([^"]+)"', first.content.decode())
    if match is None:
        sys.exit("My cases has no next page: the heavy customer needs more than 20 cases.")
    after = unescape(match.group(1))
    hx = {"HTTP_HX_REQUEST": "true"}
    ref = case.reference
    rows = [
        Page("case page (heavy case)", CASE_PAGE_MS, customer, f"/cases/{ref}/", ref),
        Page(
            "step page (heavy case)",
            CASE_PAGE_MS,
            customer,
            f"/cases/{ref}/steps/{action_step_number(case)}/",
            ref,
        ),
        Page("timeline page (heavy case)", CASE_PAGE_MS, customer, f"/cases/{ref}/timeline/", ref),
    ]
    if typical is not None:
        rows.append(
            Page(
                "case page (typical case)",
                CASE_PAGE_MS,
                client_for(typical.owner),
                f"/cases/{typical.reference}/",
                typical.reference,
            )
        )
    rows += [
        Page("my cases, first page", LIST_MS, customer, "/my-cases/", "?after="),
        Page("my cases, next page (keyset)", LIST_MS, customer, f"/my-cases/?after={after}", "CX-"),
        Page(
            "provider search (HTMX)",
            LIST_MS,
            customer,
            f"/cases/{draft.reference}/provider/?q=mo",
            'name="provider"',
            hx,
        ),
    ]
    settings.STAFF_MFA_REQUIRED = True  # as in production: every staff request checks it
    staff = staff_client(admin)
    changelist = "/admin/cases/case/"
    result = 'class="field-reference"'
    rows += [
        Page("admin case list", LIST_MS, staff, changelist, result),
        Page(
            "admin list, status filter",
            LIST_MS,
            staff,
            f"{changelist}?status__exact=needs_action",
            result,
        ),
        Page(
            "admin list, stalled filter",
            LIST_MS,
            staff,
            f"{changelist}?is_stalled__exact=1",
            result,
        ),
        Page("admin search, reference", LIST_MS, staff, f"{changelist}?q={ref}", ref),
        Page(
            "admin search, phone last 4",
            LIST_MS,
            staff,
            f"{changelist}?q={case.phone_last4}",
            result,
        ),
        # The heavy case (150 events): DESIGN.md's bar for an admin change page is 100 ms.
        Page("admin change page (heavy case)", 100, staff, f"{changelist}{case.pk}/change/", ref),
    ]
    rows += staff_pages(staff_client(bench_agent()), case, typical)
    rows += public_pages()
    return rows


def public_pages() -> list[Page]:
    """The public directory and provider pages, signed out: they read the newest stats
    snapshot, never the cases table. A snapshot with public figures is computed first if there
    is none (untimed)."""
    if not ProviderStats.objects.filter(finished_cases__gt=0).exists():
        stats.compute(now=timezone.now())
    published = (
        ProviderStats.objects.filter(public_median_days__isnull=False)
        .order_by("-snapshot__computed_at", "-finished_cases")
        .select_related("provider")
        .first()
    )
    visitor = Client(HTTP_HOST="127.0.0.1")
    entry = 'class="card" id="provider-'
    rows = [
        Page("public: directory", PUBLIC_MS, visitor, "/providers/", entry),
        Page(
            "public: directory filtered",
            PUBLIC_MS,
            visitor,
            "/providers/?country=GB&kind=esim&sort=median",
            entry,
        ),
        Page("public: directory search", PUBLIC_MS, visitor, "/providers/?q=mobile", entry),
    ]
    if published is not None:
        provider = published.provider
        rows.append(
            Page(
                "public: provider page",
                PUBLIC_MS,
                visitor,
                f"/providers/{provider.slug}/",
                "distribution-chart",
            )
        )
    return rows


def staff_pages(staff: Client, heavy_case: Case, typical: Case | None) -> list[Page]:
    """The staff dashboard: each queue, the next page, a filtered list, each kind of search
    and the case page, as a support agent who passed the second factor."""
    base = "/staff/"
    first = staff.get(base)
    match = re.search(r'href="/staff/\?([^"]*after=[^"]+)"', first.content.decode())
    rows = [Page("staff: needs attention", LIST_MS, staff, base, ROW)]
    if match:
        rows.append(
            Page("staff: next page (keyset)", LIST_MS, staff, f"{base}?{unescape(match[1])}", ROW)
        )
    for slug in ("mine", "unassigned", "review", "operator", "completed", "all"):
        rows.append(Page(f"staff: queue {slug}", LIST_MS, staff, f"{base}?queue={slug}", ROW))
    waiting = Case.objects.filter(status=Case.Status.AWAITING_REVIEW).exclude(provider=None)
    sample = waiting.select_related("owner").order_by("-id").first()
    with_ref = Case.objects.exclude(provider_reference="").order_by("-id").first()
    if sample is not None and sample.owner is not None:
        local_part = sample.owner.email.split("@")[0]
        rows += [
            Page(
                "staff: filter status+provider",
                LIST_MS,
                staff,
                f"{base}?queue=all&status=awaiting_review&provider={sample.provider_id}",
                ROW,
            ),
            Page(
                "staff: search reference",
                LIST_MS,
                staff,
                f"{base}?q={sample.reference}",
                sample.reference,
            ),
            # The start of an address, with its "@" so that it is read as one whatever else the
            # search also tries for a bare word.
            Page("staff: search email prefix", LIST_MS, staff, f"{base}?q={local_part}@", ROW),
            Page(
                "staff: search last 4 digits", LIST_MS, staff, f"{base}?q={sample.phone_last4}", ROW
            ),
        ]
    if with_ref is not None:
        rows.append(
            Page(
                "staff: search provider ref",
                LIST_MS,
                staff,
                f"{base}?q={with_ref.provider_reference}",
                with_ref.reference,
            )
        )
    rows.append(
        Page(
            "staff: counts (HTMX)",
            LIST_MS,
            staff,
            f"{base}counts/",
            "queue",
            {"HTTP_HX_REQUEST": "true"},
        )
    )
    rows += directory_pages(staff)
    rows.append(
        Page(
            "staff: case page (150 events)",
            CASE_PAGE_MS,
            staff,
            f"{base}cases/{heavy_case.reference}/",
            heavy_case.reference,
        )
    )
    if typical is not None:
        rows.append(
            Page(
                "staff: case page (typical)",
                CASE_PAGE_MS,
                staff,
                f"{base}cases/{typical.reference}/",
                typical.reference,
            )
        )
    return rows


def directory_pages(staff: Client) -> list[Page]:
    """The provider directory and the numbers. The stats page reads the table the periodic
    task fills; one snapshot is computed first if there is none (untimed)."""
    if not StatsSnapshot.objects.exists():
        stats.compute(now=timezone.now())
    busiest = (
        ProviderStats.objects.order_by("-snapshot__computed_at", "-open_cases")
        .select_related("provider")
        .first()
    )
    rows = [
        Page("staff: provider directory", LIST_MS, staff, "/staff/providers/", "/staff/providers/"),
        Page(
            "staff: provider search",
            LIST_MS,
            staff,
            "/staff/providers/?q=mobile",
            "/staff/providers/",
        ),
        Page("staff: stats page", LIST_MS, staff, "/staff/stats/", "<table"),
        Page("staff: stats CSV", LIST_MS, staff, "/staff/stats/providers.csv", ","),
    ]
    if busiest is not None:
        provider = busiest.provider
        rows.insert(
            2,
            Page(
                "staff: provider page",
                LIST_MS,
                staff,
                f"/staff/providers/{provider.slug}/",
                provider.name,
            ),
        )
    return rows


def percentile(samples: list[float], p: int) -> float:
    return statistics.quantiles(samples, n=100, method="inclusive")[p - 1]


def explain(sql: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
        return [row[0] for row in cursor.fetchall()]


def time_requests(page: Page, iterations: int) -> tuple[list[tuple[float, Split]], list[float]]:
    """Each request's wall time in ms with its split, and its CPU time in ms."""
    samples: list[tuple[float, Split]] = []
    cpu: list[float] = []
    for _ in range(iterations):
        split = Split()
        with timed_parts(split):
            started, cpu_started = time.perf_counter(), time.thread_time()
            page.client.get(page.url, **page.headers)
            elapsed = time.perf_counter() - started
        cpu.append((time.thread_time() - cpu_started) * 1000)
        samples.append((elapsed * 1000, split))
    return samples, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--iterations", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--show-queries", action="store_true")
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--debug", action="store_true", help="keep DEBUG on (slower)")
    parser.add_argument(
        "--only", action="append", default=[], metavar="TEXT", help="time only pages named so"
    )
    args = parser.parse_args()
    if not args.debug:
        settings.DEBUG = False

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM cases_case")
        total = cursor.fetchone()[0]
    print(machine())
    print(f"{total:,} cases; {args.iterations} timed requests per page after {args.warmup} warm-up")
    print(
        f"{'page':<32}{'queries':>8}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'target':>9}"
        f"    {'median request: SQL / templates / other ms':>44}{'CPU p50':>9}"
    )
    misses = []
    for page in pages():
        if args.only and not any(text in page.name for text in args.only):
            continue
        with CaptureQueriesContext(connection) as captured:
            response = page.client.get(page.url, **page.headers)
        # Copy now: every later request starts by clearing the connection's query log.
        queries = list(captured.captured_queries)
        if response.status_code != 200:
            sys.exit(f"{page.name}: {page.url} answered {response.status_code}")
        if page.expect not in response.content.decode():
            sys.exit(f"{page.name}: {page.url} does not show {page.expect!r}: nothing to time")
        for _ in range(args.warmup):
            page.client.get(page.url, **page.headers)
        samples, cpu = time_requests(page, args.iterations)
        times = [ms for ms, _ in samples]
        p95 = percentile(times, 95)
        verdict = "ok" if p95 <= page.target_ms else "MISS"
        if verdict == "MISS":
            misses.append(page.name)
        median_ms, median_split = sorted(samples, key=lambda sample: sample[0])[len(samples) // 2]
        sql = median_split.sql * 1000
        rendering = (median_split.templates - median_split.sql_in_templates) * 1000
        other = median_ms - sql - rendering
        print(
            f"{page.name:<32}{len(queries):>8}{percentile(times, 50):>9.1f}{p95:>9.1f}"
            f"{max(times):>9.1f}{'≤ ' + str(page.target_ms):>7} {verdict:<4}"
            f"    {sql:>10.1f} / {rendering:>9.1f} / {other:>9.1f}"
            f"{percentile(cpu, 50):>9.1f}",
            flush=True,
        )
        if args.show_queries or args.explain:
            print(f"    GET {page.url}")
            for query in queries:
                print(f"    {float(query['time']) * 1000:6.2f} ms  {query['sql'][:300]}")
                if args.explain and float(query["time"]) > 0.001:
                    for line in explain(query["sql"]):
                        print(f"               {line}")
    print("all pages within target" if not misses else f"missed target: {', '.join(misses)}")


if __name__ == "__main__":
    main()
