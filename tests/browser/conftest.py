"""Playwright against live_server in Debian's Chromium, at a 360 px phone viewport."""

import os

import pytest
from django.core.management import call_command

# live_server serves from a thread while Playwright's sync API runs an event loop here.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 360, "height": 740}}


@pytest.fixture
def shipped_data(transactional_db):
    """The shipped playbooks and demo providers, as a fresh install has them."""
    call_command("load_shipped_data", verbosity=0)
