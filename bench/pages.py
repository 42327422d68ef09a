# ruff: noqa: E402
"""Server time and query count of the pages that must stay fast at a million cases.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/closeout_bench \
        .venv/bin/python bench/pages.py [--iterations 200] [--warmup 20] [--show-queries]

Run bench/seed.py first. Each page is requested through Django's test Client inside this
process (the whole middleware stack, sessions in the database, templates rendered), first once
to count its queries, then `--warmup` times untimed and `--iterations` times timed with
time.perf_counter. DEBUG is switched off at request time (no query log, no template debug),
as in production. Targets (DESIGN.md "Quality bars"): a case page in ≤ 20 ms, the staff list,
a filtered list and a search in ≤ 50 ms, at p95.

--show-queries prints each page's SQL with its time; --explain adds EXPLAIN (ANALYZE,
BUFFERS) of every query slower than 1 ms.
"""

import argparse
import re
import statistics
import sys
import time
from html import unescape

from common import ADMIN_EMAIL, HEAVY_EMAIL, machine, setup_django

setup_django()

from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from cases import stats
from cases.models import Case, CaseStep, ProviderStats, StatsSnapshot
from providers.models import StepKind

CASE_PAGE_MS = 20
LIST_MS = 50


def client_for(user: User) -> Client:
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    return client


def action_step_number(case: Case) -> int:
    """The number of the first step still to do (as the customer sees it), else 1."""
    steps = list(
        CaseStep.objects.filter(case=case).exclude(kind=StepKind.CHECKLIST).order_by("position")
    )
    return next((n for n, s in enumerate(steps, 1) if s.state == CaseStep.State.TODO), 1)


def pages() -> list[tuple[str, int, Client, str, dict]]:
    heavy = User.objects.get(email=HEAVY_EMAIL)
    admin = User.objects.get(email=ADMIN_EMAIL)
    mine = Case.objects.filter(owner=heavy)
    case = mine.exclude(status=Case.Status.DRAFT).order_by("-created_at", "-id").first()
    draft = mine.filter(status=Case.Status.DRAFT).order_by("-created_at").first()
    if case is None or draft is None:
        sys.exit("No bench data: run bench/seed.py first.")
    # An ordinary customer's closed case (with steps: one closed case in ten has them).
    typical = (
        Case.objects.filter(status=Case.Status.COMPLETED, id__gt=500_000, owner__isnull=False)
        .filter(id__in=CaseStep.objects.filter(case_id__gt=500_000).values("case_id")[:1])
        .select_related("owner")
        .first()
    )
    customer, staff = client_for(heavy), client_for(admin)
    first = customer.get("/my-cases/")
    match = re.search(r'href="\?after=([^"]+)"', first.content.decode())
    if match is None:
        sys.exit("My cases has no next page: the heavy customer needs more than 20 cases.")
    after = unescape(match.group(1))
    hx = {"HTTP_HX_REQUEST": "true"}
    changelist = "/admin/cases/case/"
    rows = [
        ("case page (heavy case)", CASE_PAGE_MS, customer, f"/cases/{case.reference}/", {}),
        (
            "step page (heavy case)",
            CASE_PAGE_MS,
            customer,
            f"/cases/{case.reference}/steps/{action_step_number(case)}/",
            {},
        ),
    ]
    rows.append(
        (
            "timeline page (heavy case)",
            CASE_PAGE_MS,
            customer,
            f"/cases/{case.reference}/timeline/",
            {},
        )
    )
    if typical is not None:
        rows.append(
            (
                "case page (typical case)",
                CASE_PAGE_MS,
                client_for(typical.owner),
                f"/cases/{typical.reference}/",
                {},
            )
        )
    rows += [
        ("my cases, first page", LIST_MS, customer, "/my-cases/", {}),
        ("my cases, next page (keyset)", LIST_MS, customer, f"/my-cases/?after={after}", {}),
        (
            "provider search (HTMX)",
            LIST_MS,
            customer,
            f"/cases/{draft.reference}/provider/?q=mo",
            hx,
        ),
        ("admin case list", LIST_MS, staff, changelist, {}),
        (
            "admin list, status filter",
            LIST_MS,
            staff,
            f"{changelist}?status__exact=needs_action",
            {},
        ),
        ("admin list, stalled filter", LIST_MS, staff, f"{changelist}?is_stalled__exact=1", {}),
        ("admin search, reference", LIST_MS, staff, f"{changelist}?q={case.reference}", {}),
        ("admin search, phone last 4", LIST_MS, staff, f"{changelist}?q={case.phone_last4}", {}),
    ]
    rows += staff_pages(staff, case, typical)
    return rows


def staff_pages(staff: Client, heavy_case: Case, typical: Case | None) -> list:
    """The staff dashboard: each queue, the next page, a filtered list, each kind of
    search and the case page, as a signed-in agent (the bench admin is a superuser)."""
    base = "/staff/"
    first = staff.get(base)
    match = re.search(r'href="/staff/\?([^"]*after=[^"]+)"', first.content.decode())
    rows = [("staff: needs attention", LIST_MS, staff, base, {})]
    if match:
        rows.append(
            ("staff: next page (keyset)", LIST_MS, staff, f"{base}?{unescape(match[1])}", {})
        )
    for slug in ("mine", "unassigned", "review", "operator", "completed", "all"):
        rows.append((f"staff: queue {slug}", LIST_MS, staff, f"{base}?queue={slug}", {}))
    waiting = Case.objects.filter(status=Case.Status.AWAITING_REVIEW).exclude(provider=None)
    sample = waiting.select_related("owner").order_by("-id").first()
    with_ref = Case.objects.exclude(provider_reference="").order_by("-id").first()
    if sample is not None:
        rows.append(
            (
                "staff: filter status+provider",
                LIST_MS,
                staff,
                f"{base}?queue=all&status=awaiting_review&provider={sample.provider_id}",
                {},
            )
        )
        rows += [
            ("staff: search reference", LIST_MS, staff, f"{base}?q={sample.reference}", {}),
            (
                "staff: search email prefix",
                LIST_MS,
                staff,
                f"{base}?q={sample.owner.email[:8]}",
                {},
            ),
            ("staff: search last 4 digits", LIST_MS, staff, f"{base}?q={sample.phone_last4}", {}),
        ]
    if with_ref is not None:
        rows.append(
            (
                "staff: search provider ref",
                LIST_MS,
                staff,
                f"{base}?q={with_ref.provider_reference}",
                {},
            )
        )
    rows.append(
        ("staff: counts (HTMX)", LIST_MS, staff, f"{base}counts/", {"HTTP_HX_REQUEST": "true"})
    )
    rows += directory_pages(staff)
    rows.append(
        (
            "staff: case page (150 events)",
            CASE_PAGE_MS,
            staff,
            f"{base}cases/{heavy_case.reference}/",
            {},
        )
    )
    if typical is not None:
        rows.append(
            (
                "staff: case page (typical)",
                CASE_PAGE_MS,
                staff,
                f"{base}cases/{typical.reference}/",
                {},
            )
        )
    return rows


def directory_pages(staff: Client) -> list:
    """The provider directory and the numbers. The stats page reads the table the
    periodic task fills; one snapshot is computed first if there is none (untimed)."""
    if not StatsSnapshot.objects.exists():
        stats.compute(now=timezone.now())
    busiest = (
        ProviderStats.objects.order_by("-snapshot__computed_at", "-open_cases")
        .select_related("provider")
        .first()
    )
    rows = [
        ("staff: provider directory", LIST_MS, staff, "/staff/providers/", {}),
        ("staff: provider search", LIST_MS, staff, "/staff/providers/?q=mobile", {}),
        ("staff: stats page", LIST_MS, staff, "/staff/stats/", {}),
        ("staff: stats CSV", LIST_MS, staff, "/staff/stats/providers.csv", {}),
    ]
    if busiest is not None:
        slug = busiest.provider.slug
        rows.insert(2, ("staff: provider page", LIST_MS, staff, f"/staff/providers/{slug}/", {}))
    return rows


def percentile(samples: list[float], p: int) -> float:
    return statistics.quantiles(samples, n=100, method="inclusive")[p - 1]


def explain(sql: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
        return [row[0] for row in cursor.fetchall()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--iterations", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--show-queries", action="store_true")
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--debug", action="store_true", help="keep DEBUG on (slower)")
    args = parser.parse_args()
    if not args.debug:
        settings.DEBUG = False

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM cases_case")
        total = cursor.fetchone()[0]
    print(machine())
    print(f"{total:,} cases; {args.iterations} timed requests per page after {args.warmup} warm-up")
    print(f"{'page':<32}{'queries':>8}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'target':>9}")
    misses = []
    for name, target, client, url, headers in pages():
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url, **headers)
        # Copy now: every later request starts by clearing the connection's query log.
        queries = list(captured.captured_queries)
        if response.status_code != 200:
            sys.exit(f"{name}: {url} answered {response.status_code}")
        for _ in range(args.warmup):
            client.get(url, **headers)
        samples = []
        for _ in range(args.iterations):
            started = time.perf_counter()
            client.get(url, **headers)
            samples.append((time.perf_counter() - started) * 1000)
        p95 = percentile(samples, 95)
        verdict = "ok" if p95 <= target else "MISS"
        if verdict == "MISS":
            misses.append(name)
        print(
            f"{name:<32}{len(queries):>8}{percentile(samples, 50):>9.1f}{p95:>9.1f}"
            f"{max(samples):>9.1f}{'≤ ' + str(target):>7} {verdict}",
            flush=True,
        )
        if args.show_queries or args.explain:
            print(f"    GET {url}")
            for query in queries:
                print(f"    {float(query['time']) * 1000:6.2f} ms  {query['sql'][:300]}")
                if args.explain and float(query["time"]) > 0.001:
                    for line in explain(query["sql"]):
                        print(f"               {line}")
    print("all pages within target" if not misses else f"missed target: {', '.join(misses)}")


if __name__ == "__main__":
    main()
