"""The customer's mail hours, including a window that crosses midnight (CUSTOMER_MAIL_START_HOUR
20, CUSTOMER_MAIL_END_HOUR 8): reminders go out inside it and never wait for it forever."""

import contextlib
import datetime as dt
import itertools
import zoneinfo

import pytest

from cases.models import Reminder
from cases.reminders import schedule
from cases.reminders import sweep as reminder_sweep
from tests.cases.reminders.helpers import DAY, T0, ladder, waiting_case

LONDON = zoneinfo.ZoneInfo("Europe/London")
NIGHT = (20, 8)


def london(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=LONDON).astimezone(dt.UTC)


@pytest.fixture(autouse=True)
def _clock(time_machine):
    time_machine.move_to(T0, tick=False)


def local_hour(moment: dt.datetime, time_zone: str) -> int:
    return moment.astimezone(zoneinfo.ZoneInfo(time_zone)).hour


class TestNightWindow:
    @pytest.fixture(autouse=True)
    def _night(self, settings):
        settings.CUSTOMER_MAIL_HOURS = NIGHT

    @pytest.mark.parametrize("hour", [20, 21, 23, 0, 3, 7])
    def test_sends_inside_a_window_crossing_midnight(self, hour):
        moment = london(2031, 3, 4, hour, 30)
        assert schedule.within_customer_hours(moment, time_zone="Europe/London") == moment

    @pytest.mark.parametrize("hour", [8, 9, 12, 19])
    def test_holds_outside_it_until_that_evening(self, hour):
        moment = london(2031, 3, 4, hour, 0)
        opening = schedule.within_customer_hours(moment, time_zone="Europe/London")
        assert opening == london(2031, 3, 4, 20, 0)

    @pytest.mark.django_db
    def test_a_reminder_due_at_nine_waits_for_twenty_and_then_goes(
        self, django_capture_on_commit_callbacks
    ):
        case = waiting_case(time_zone="Europe/London")
        [first] = ladder(case)
        # Three days of typical review from Monday 10:00 falls outside the window: the evening.
        assert first.due_at == london(2031, 3, 6, 20, 0)
        nine = london(2031, 3, 7, 9, 0)  # a sweep that runs late, the next morning
        queued: list[int] = []

        @contextlib.contextmanager
        def send_queue():
            yield lambda reminder_id, lease: queued.append(reminder_id)

        with django_capture_on_commit_callbacks(execute=True):
            held = reminder_sweep.sweep(send_queue=send_queue, now=nine)
        first.refresh_from_db()
        assert (held.rescheduled, queued) == (1, [])
        assert (first.state, first.due_at) == (Reminder.State.SCHEDULED, london(2031, 3, 7, 20, 0))

        with django_capture_on_commit_callbacks(execute=True):
            reminder_sweep.sweep(send_queue=send_queue, now=london(2031, 3, 7, 21, 0))
        first.refresh_from_db()
        assert queued == [first.pk]
        assert first.state == Reminder.State.SENDING

    @pytest.mark.django_db
    def test_a_snooze_ends_at_the_first_mail_hour_of_its_day(self):
        case = waiting_case(time_zone="Asia/Shanghai")
        until = schedule.snooze_end(case=case, day=dt.date(2031, 3, 20))
        # Midnight in Shanghai: the window's first hours that day run from 00:00 to 08:00.
        assert until == dt.datetime(2031, 3, 19, 16, 0, tzinfo=dt.UTC)


@pytest.mark.django_db
def test_a_snooze_ends_at_the_morning_opening_by_default():
    case = waiting_case(time_zone="Europe/London")
    assert schedule.snooze_end(case=case, day=dt.date(2031, 3, 20)) == london(2031, 3, 20, 8, 0)


# Every window, every half hour of two days that change the clocks (London springs forward on
# 30 March 2031 and falls back on 26 October), in zones east and west of UTC.
WINDOWS = [(s, e) for s, e in itertools.product(range(24), repeat=2) if s != e]
ZONES = ["Europe/London", "Asia/Shanghai", "America/New_York"]
MOMENTS = [
    dt.datetime(2031, month, day, tzinfo=dt.UTC) + n * dt.timedelta(minutes=30)
    for month, day in ((3, 29), (10, 25))
    for n in range(96)
]


@pytest.mark.parametrize("time_zone", ZONES)
def test_no_setting_reschedules_a_reminder_forever(settings, time_zone):
    """The moment a reminder is moved to is itself a mail hour: the next sweep sends it
    instead of moving it again."""
    for window in WINDOWS:
        settings.CUSTOMER_MAIL_HOURS = window
        for moment in MOMENTS:
            opening = schedule.within_customer_hours(moment, time_zone=time_zone)
            # Within a day, or two when the clocks skip a one-hour window's only hour.
            assert moment <= opening < moment + 2 * DAY, (window, moment)
            assert schedule.within_customer_hours(opening, time_zone=time_zone) == opening, (
                window,
                moment,
                opening,
            )
            assert schedule.is_mail_hour(local_hour(opening, time_zone)), (window, opening)
