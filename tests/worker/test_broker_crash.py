"""The kombu 5.7 crash behind docs/worker-broker-crash.md, replayed without a worker.

Celery's consumer, on a broker connection error, calls `connection.collect()` and then
`connection.close()`. With a second channel on that connection (remote control, gossip), a
Redis killed while the task channel waits in BRPOP makes the close fail with an AttributeError,
which ends the worker. Our workers open no second channel (tests/config/test_celery_config.py);
this guards that one channel is enough. `close_after_redis_dies(..., second_channel=True)`
replays the upstream bug by hand.
"""

import contextlib
import signal

import pytest
from kombu import Connection, Consumer, Exchange, Queue

pytestmark = [pytest.mark.redis, pytest.mark.worker]


def close_after_redis_dies(private_redis, *, second_channel: bool) -> Exception | None:
    connection = Connection(private_redis.url, transport_options={"visibility_timeout": 3600})
    connection.ensure_connection()
    work = Queue("work", Exchange("work"), "work")
    with connection.Producer() as producer:
        producer.publish({"n": 1}, exchange=work.exchange, routing_key="work", declare=[work])
    delivered = []
    consumer = Consumer(
        connection.default_channel, [work], callbacks=[lambda _b, m: delivered.append(m)]
    )
    consumer.consume()
    if second_channel:
        pidbox = connection.channel()
        fanout = Queue("pidbox", Exchange("control", type="fanout"), auto_delete=True)
        Consumer(pidbox, [fanout], no_ack=True).consume()
        pidbox.client  # noqa: B018 (cached now, as in a running worker)
    connection.drain_events(timeout=5)
    assert delivered, "the message was not delivered"
    connection.default_channel._brpop_start()  # a BRPOP outstanding, as in the event loop
    private_redis.process.send_signal(signal.SIGKILL)
    private_redis.process.wait()
    with contextlib.suppress(Exception):  # as celery does
        connection.collect(socket_timeout=1)
    try:
        connection.close()
    except connection.connection_errors:
        return None  # celery ignores these and reconnects
    except Exception as error:
        return error
    return None


def test_one_channel_closes_cleanly_when_redis_is_killed(private_redis):
    assert close_after_redis_dies(private_redis, second_channel=False) is None
