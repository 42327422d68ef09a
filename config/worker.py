"""Celery worker bootsteps that keep a worker consuming through broker faults.

Registered in config/celery.py. See docs/worker-broker-crash.md, "A consumer that stops
consuming", for the fault this works around.
"""

import logging
from collections.abc import Iterable
from typing import Any

from celery import bootsteps
from celery.worker import state

log = logging.getLogger(__name__)

# How often the consumer's prefetch window is checked for lost acknowledgements. A delivery must
# look lost at two checks in a row before its acknowledgement is retried.
LOST_ACK_CHECK_SECONDS = 5.0


def lost_deliveries(delivered: Iterable[Any], in_hand: set[Any]) -> list[Any]:
    """Messages the channel still counts against its prefetch window although the worker no
    longer holds them and their acknowledgement never reached the broker."""
    return [message for message in delivered if message not in in_hand and not message.acknowledged]


class LostAckStep(bootsteps.StartStopStep):
    """Retry acknowledgements that failed while the broker was down.

    With acks_late, a task is acknowledged when it ends. If Redis is down at that moment, kombu
    logs "Couldn't ack …" and swallows the error, and the message stays in the channel's QoS as
    delivered: one prefetch slot is taken for good. When nothing else noticed the outage (the
    BRPOP socket is not polled while the window is full, and the next command reconnects to the
    restarted Redis on its own), no reconnection follows, so the slot is never given back. Once
    every slot is lost this way (at once with the solo pool and a prefetch of one), the worker
    takes no more tasks and never exits, so no supervisor restarts it.

    Every few seconds this step compares the channel's delivered messages with the requests the
    worker still holds (reserved or running). A message that is neither held nor acknowledged at
    two checks in a row lost its acknowledgement: it is acknowledged again, which frees its slot.
    Its task has ended; a redelivery by the broker, if any, is handled by the task's own lease.
    """

    requires = ("celery.worker.consumer.tasks:Tasks",)

    def __init__(self, parent, **kwargs) -> None:
        super().__init__(parent, **kwargs)
        self.timer_entry = None
        self.suspects: set[Any] = set()

    def start(self, parent) -> None:
        self.suspects = set()
        self.timer_entry = parent.timer.call_repeatedly(
            LOST_ACK_CHECK_SECONDS, self.check, (parent,), priority=10
        )

    def stop(self, parent) -> None:
        if self.timer_entry is not None:
            self.timer_entry.cancel()
            self.timer_entry = None

    shutdown = stop

    def check(self, consumer) -> None:
        task_consumer = getattr(consumer, "task_consumer", None)
        qos = getattr(getattr(task_consumer, "channel", None), "qos", None)
        # kombu's virtual transports (Redis among them) keep delivered, unacknowledged messages
        # in QoS._delivered: there is no public accessor.
        delivered = getattr(qos, "_delivered", None)
        if delivered is None:
            return
        in_hand = {
            request.message for request in (*state.reserved_requests, *state.active_requests)
        }
        lost = lost_deliveries(list(delivered.values()), in_hand)
        confirmed = [message for message in lost if message in self.suspects]
        self.suspects = {message for message in lost if message not in confirmed}
        for message in confirmed:
            try:
                message.ack()
            except consumer.connection_errors:
                log.warning("The broker is still unreachable; the acknowledgement waits")
                self.suspects.add(message)
                return
            log.warning(
                "Acknowledged %s again: its acknowledgement was lost while the broker was down",
                message.delivery_tag,
            )
