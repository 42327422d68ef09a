"""Smoke test of the README's first command: bin/run on the embedded default, end to end."""

import contextlib
import os
import re
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MARKER = "CLOSEOUT_SMOKE_TEST"
# The service URLs CI exports must not leak in: this test is about the embedded default.
SERVICE_VARIABLES = [
    "REDIS_URL",
    "CELERY_BROKER_URL",
    "CACHE_URL",
    "SMTP_URL",
    "MAIL_DIR",
    "EVIDENCE_ROOT",
    "STATIC_ROOT",
    "SITE_URL",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
]

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def processes_with_marker(value: str) -> list[tuple[int, str]]:
    """Live processes whose environment carries our marker: everything bin/run started."""
    found = []
    needle = f"{MARKER}={value}".encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if needle not in (entry / "environ").read_bytes().split(b"\0"):
                continue
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:  # exited meanwhile, or not ours to read
            continue
        # A zombie has already exited; it is only waiting for its parent to reap it.
        if stat.rsplit(")", 1)[1].split()[0] != "Z":
            found.append((int(entry.name), cmdline.strip()))
    return found


def celery_processes(marker: str, kind: str) -> list[int]:
    """The Celery worker or beat processes bin/run started (not their bin/supervise)."""
    return [
        pid
        for pid, cmdline in processes_with_marker(marker)
        if "bin/supervise" not in cmdline and f"celery -A config {kind}" in cmdline
    ]


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (our own URL)
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def wait_for(predicate, *, timeout: float, what: str, proc: subprocess.Popen, log: Path):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        if proc.poll() is not None:
            pytest.fail(f"bin/run exited ({proc.returncode}) before {what}:\n{log.read_text()}")
        time.sleep(0.5)
    pytest.fail(f"timed out after {timeout}s waiting for {what}:\n{log.read_text()}")


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="needs Linux /proc")
def test_run_command_serves_the_app_and_stops_cleanly(tmp_path: Path) -> None:
    port = free_port()
    marker = uuid.uuid4().hex
    var_dir = tmp_path / "var"
    env = {key: value for key, value in os.environ.items() if key not in SERVICE_VARIABLES}
    env.update(
        {
            MARKER: marker,
            "PORT": str(port),
            "VAR_DIR": str(var_dir),
            "DATABASE_URL": f"sqlite:///{var_dir / 'closeout.sqlite3'}",
            "DEBUG": "1",
        }
    )
    log = tmp_path / "run.log"
    base = f"http://127.0.0.1:{port}"

    with log.open("wb") as output:
        proc = subprocess.Popen(
            [str(ROOT / "bin" / "run")],
            cwd=tmp_path,  # bin/run must not depend on the caller's directory
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, as a terminal would give it
        )
    try:

        def ready() -> bool:
            try:
                return get(f"{base}/readyz") == (200, '{"status": "ok", "database": "ok"}')
            except OSError:
                return False

        wait_for(ready, timeout=240, what="/readyz", proc=proc, log=log)

        # Each gunicorn worker answers /readyz on its own; on a busy machine the one that
        # takes the next request may still be starting. A page must come within a minute
        # of the first "ready", each request given its own five seconds.
        def home_page() -> tuple[int, str] | None:
            try:
                return get(f"{base}/")
            except OSError:
                return None

        status, body = wait_for(home_page, timeout=60, what="the home page", proc=proc, log=log)
        assert status == 200, body
        assert "<html" in body.lower()

        def all_started() -> bool:
            text = log.read_text(errors="replace")
            return bool(re.search(r"celery@\S+ ready", text)) and "beat: Starting" in text

        wait_for(all_started, timeout=120, what="worker and beat", proc=proc, log=log)
        text = log.read_text()
        assert "agent@demo.closeout.local" in text
        assert f"{base}/" in text
        # Everything it wrote went under VAR_DIR, nothing into the checkout.
        assert (var_dir / "closeout.sqlite3").exists()
        assert (var_dir / "celerybeat-schedule").exists() or list(
            var_dir.glob("celerybeat-schedule*")
        )

        # A worker that dies (here SIGKILL, as the kernel's OOM killer would) is started again,
        # and web and beat keep running meanwhile.
        [worker] = celery_processes(marker, "worker")
        [beat] = celery_processes(marker, "beat")
        os.kill(worker, signal.SIGKILL)

        def worker_restarted() -> bool:
            text = log.read_text(errors="replace")
            return len(re.findall(r"celery@\S+ ready", text)) >= 2

        wait_for(worker_restarted, timeout=60, what="a new worker", proc=proc, log=log)
        assert get(f"{base}/readyz")[0] == 200
        assert celery_processes(marker, "beat") == [beat]
        assert "exited with signal 9; restarting" in log.read_text()

        # Ctrl-C in a terminal sends SIGINT to the foreground process group.
        os.killpg(proc.pid, signal.SIGINT)
        proc.wait(timeout=60)

        deadline = time.monotonic() + 10
        while processes_with_marker(marker) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert processes_with_marker(marker) == [], log.read_text()
        assert "SIGKILL" not in log.read_text(), "a process had to be killed:\n" + log.read_text()
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        for pid, _ in processes_with_marker(marker):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
