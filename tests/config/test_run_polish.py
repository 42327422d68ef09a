"""bin/run's polish: no kombu hostname warnings on the embedded broker, and a
one-line summary of the shipped data instead of "created 64"."""

import logging
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from kombu import Connection

from providers.importer import shipped_data_line

ROOT = Path(settings.BASE_DIR)


def test_the_embedded_broker_url_names_a_host(caplog):
    source = (ROOT / "config/settings.py").read_text()
    default = re.search(r'default=REDIS_URL or "([^"]+)"', source)
    assert default
    with caplog.at_level(logging.WARNING, logger="kombu.connection"):
        Connection(default.group(1))._info()

    assert "No hostname was supplied" not in caplog.text


@pytest.mark.django_db
def test_the_shipped_data_is_summed_up_in_one_line():
    call_command("load_shipped_data", verbosity=0)

    line = shipped_data_line()

    assert re.fullmatch(r"\d+ providers, \d+ official channels, \d+ playbooks", line)


def test_bin_run_prints_the_summary_line():
    script = (ROOT / "bin/run").read_text()

    assert "shipped_data_line()" in script
    assert 'call_command("load_shipped_data", verbosity=0)' in script
