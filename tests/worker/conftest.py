"""A real Celery worker process for the reminder integration tests.

`worker_env` gives each test its own queue, mail folder and Redis database; the test process
publishes there too (the sweep runs here, under time-machine), and `worker_env.start()` runs
`celery -A config worker --pool=solo` against the test database. Everything stops after the test.
"""

import email
import email.policy
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import kombu.pools
import pytest
import redis
from django.conf import settings
from kombu import Queue

from config.celery import app as celery_app

ROOT = Path(__file__).resolve().parents[2]
CELERY = str(Path(sys.executable).with_name("celery"))
WORKER_REDIS_URL = os.environ.get("WORKER_REDIS_URL", "redis://127.0.0.1:6379/15")


def wait_for(
    predicate: Callable[[], object], *, timeout: float, what: str | Callable[[], str]
) -> object:
    """Poll another process's progress (not the clock: time-machine moves only this one).
    `what` may be a callable, to describe the state at the timeout (a log read then)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    described = what() if callable(what) else what
    raise AssertionError(f"Timed out after {timeout}s waiting for {described}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def private_redis_port() -> int:
    """A port for a test's own redis-server: the first free one in PRIVATE_REDIS_PORTS
    ("6390-6399", for a machine shared with other test runs), else any free port."""
    span = os.environ.get("PRIVATE_REDIS_PORTS", "")
    if not span:
        return free_port()
    first, last = (int(port) for port in span.split("-"))
    for port in range(first, last + 1):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise AssertionError(f"No free port in PRIVATE_REDIS_PORTS={span}")


def database_url() -> str:
    """The test database pytest-django created, as a URL for the worker's settings."""
    db = settings.DATABASES["default"]
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return (
        f"postgres://{db.get('USER') or 'postgres'}{password}@{db.get('HOST') or '127.0.0.1'}"
        f":{db.get('PORT') or 5432}/{db['NAME']}"
    )


@dataclass
class Worker:
    process: subprocess.Popen
    log_path: Path

    @property
    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_ready(self, timeout: float = 60) -> None:
        def ready() -> bool:
            if self.process.poll() is not None:
                raise AssertionError(f"The worker exited early:\n{self.log}")
            return " ready." in self.log

        wait_for(ready, timeout=timeout, what=f"the worker to start:\n{self.log}")

    def kill(self) -> None:
        """SIGKILL: no shutdown, no acknowledgement, as when a machine dies."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


@dataclass
class WorkerEnv:
    tmp_path: Path
    queue: str = field(default_factory=lambda: f"closeout-test-{uuid.uuid4().hex[:12]}")
    broker_url: str = WORKER_REDIS_URL
    workers: list[Worker] = field(default_factory=list)

    @property
    def mail_dir(self) -> Path:
        return self.tmp_path / "mail"

    def use_broker(self, url: str) -> None:
        """Point this process's producer (the sweep) at `url` and this test's queue."""
        self.broker_url = url
        _configure_producer(broker_url=url, queue=self.queue)

    def start(
        self,
        *,
        wait: bool = True,
        pool: str = "solo",
        concurrency: int = 1,
        supervised: bool = False,
        **env: str,
    ) -> Worker:
        """A worker on this test's queue; `supervised` runs it as bin/run does, under
        bin/supervise (a crashed worker starts again; both write to the same log)."""
        environment = {
            key: value
            for key, value in os.environ.items()
            if key not in {"SMTP_URL", "CELERY_TASK_ALWAYS_EAGER", "REDIS_URL"}
        }
        environment.update(
            DATABASE_URL=database_url(),
            CONN_MAX_AGE="0",
            CELERY_BROKER_URL=self.broker_url,
            CELERY_QUEUE=self.queue,
            MAIL_DIR=str(self.mail_dir),
            SITE_URL="https://closeout.example",
            LOG_LEVEL="INFO",
            PYTHONUNBUFFERED="1",
            **env,
        )
        log_path = self.tmp_path / f"worker-{len(self.workers) + 1}.log"
        supervise = [sys.executable, str(ROOT / "bin" / "supervise"), "--"] if supervised else []
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                [
                    *supervise,
                    CELERY,
                    "-A",
                    "config",
                    "worker",
                    f"--pool={pool}",
                    f"--concurrency={concurrency}",
                    "--without-heartbeat",
                    "--without-gossip",
                    "--without-mingle",
                    "--loglevel=INFO",
                    "--hostname",
                    f"{self.queue}-{len(self.workers) + 1}@%h",
                ],
                cwd=ROOT,
                env=environment,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        worker = Worker(process=process, log_path=log_path)
        self.workers.append(worker)
        if wait:
            worker.wait_ready()
        return worker

    def emails(self) -> list[email.message.EmailMessage]:
        if not self.mail_dir.exists():
            return []
        return [
            email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            for path in sorted(self.mail_dir.glob("*.eml"))
        ]

    def wait_for_emails(self, count: int, timeout: float = 60) -> list[email.message.EmailMessage]:
        def enough() -> list | None:
            for worker in self.workers:
                if worker.process.poll() not in (None, -signal.SIGKILL):
                    raise AssertionError(f"A worker died:\n{worker.log}")
            found = self.emails()
            return found if len(found) >= count else None

        return wait_for(enough, timeout=timeout, what=f"{count} email(s)")


def _configure_producer(*, broker_url: str, queue: str) -> None:
    celery_app.conf.broker_url = broker_url
    # The worker derives the same two queues from CELERY_QUEUE (config/settings.py).
    celery_app.conf.task_default_queue = queue
    names = (queue, f"{queue}-sweep")
    celery_app.conf.task_queues = [Queue(name, routing_key=name) for name in names]
    celery_app.conf.task_routes = {"cases.tasks.sweep_reminders": {"queue": f"{queue}-sweep"}}
    for cached in ("queues", "default_queue", "router", "send_task_message"):
        celery_app.amqp.__dict__.pop(cached, None)
    celery_app.amqp._rtable = None
    # Producer pools (kombu's, shared per process, and the app's) keep connections to the broker
    # they were first given: start afresh.
    kombu.pools.reset()
    if celery_app._pool is not None:
        celery_app._pool.force_close_all()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def worker_env(django_db_setup, tmp_path):
    if shutil.which(CELERY) is None:
        pytest.fail(f"celery is not installed at {CELERY}")
    try:
        redis.Redis.from_url(WORKER_REDIS_URL).flushdb()
    except redis.ConnectionError:
        pytest.skip(f"needs Redis at {WORKER_REDIS_URL}")
    original = (celery_app.conf.broker_url, celery_app.conf.task_default_queue)
    env = WorkerEnv(tmp_path=tmp_path)
    env.use_broker(WORKER_REDIS_URL)
    yield env
    for worker in env.workers:
        worker.stop()
    _configure_producer(broker_url=original[0], queue=original[1])
    redis.Redis.from_url(WORKER_REDIS_URL).flushdb()


@dataclass
class PrivateRedis:
    """A redis-server of the test's own on a free port, to stop and start as an outage."""

    tmp_path: Path
    port: int = field(default_factory=private_redis_port)
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
                "--dir",
                str(self.tmp_path),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port, socket_connect_timeout=0.5)

        def up() -> bool:
            try:
                return client.ping()
            except redis.ConnectionError:
                return False

        wait_for(up, timeout=20, what="the private redis-server")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


@pytest.fixture
def private_redis(tmp_path):
    if shutil.which("redis-server") is None:
        pytest.skip("needs the redis-server binary")
    server = PrivateRedis(tmp_path=tmp_path)
    server.start()
    yield server
    server.stop()


class SilentSmtpServer:
    """Accepts SMTP connections and never answers: a send hangs until the worker is killed."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.port = self.sock.getsockname()[1]
        self.connected = threading.Event()
        self.connections: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self.sock.accept()
            except OSError:
                return
            self.connections.append(connection)
            self.connected.set()

    def close(self) -> None:
        for connection in self.connections:
            connection.close()
        self.sock.close()


@pytest.fixture
def silent_smtp():
    server = SilentSmtpServer()
    yield server
    server.close()
