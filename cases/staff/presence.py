"""Who has a case open: "Ana is viewing", "Ana is editing" (DESIGN.md "Agents at work").

Kept in the shared cache (Redis in production), so every web process sees every agent: one
key per case holding each agent's entry with its own expiry. A page reads it once (a list
page reads all its rows' keys in one get_many); the case page then writes its own entry back.
Heartbeats every PING_SECONDS keep an entry alive; an agent who leaves drops out after
TTL_SECONDS. Two agents writing the same key at once may lose one entry until their next
heartbeat, which is fine for a hint.
"""

import time
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.cache import cache

TTL_SECONDS = 60
PING_SECONDS = 20
VIEWING = "viewing"
EDITING = "editing"
STATES = (VIEWING, EDITING)


@dataclass(frozen=True)
class Presence:
    agent_id: int
    name: str
    state: str

    @property
    def is_editing(self) -> bool:
        return self.state == EDITING


def _key(case_id: int) -> str:
    return f"staff:presence:{case_id}"


def _live(entries: dict | None, now: float) -> dict:
    return {
        agent_id: entry
        for agent_id, entry in (entries or {}).items()
        if isinstance(entry, dict) and entry.get("until", 0) > now
    }


def _others(entries: dict, agent_id: int) -> list[Presence]:
    return sorted(
        (
            Presence(agent_id=other, name=entry["name"], state=entry["state"])
            for other, entry in entries.items()
            if other != agent_id
        ),
        key=lambda presence: presence.name,
    )


def visit(*, case_id: int, agent, state: str = VIEWING) -> list[Presence]:
    """Mark `agent` as on the case (viewing or editing); return everyone else on it now."""
    now = time.time()
    key = _key(case_id)
    entries = _live(cache.get(key), now)
    others = _others(entries, agent.pk)
    entries[agent.pk] = {
        "name": agent.get_short_name(),
        "state": state if state in STATES else VIEWING,
        "until": now + TTL_SECONDS,
    }
    cache.set(key, entries, TTL_SECONDS)
    return others


def leave(*, case_id: int, agent) -> None:
    key = _key(case_id)
    entries = _live(cache.get(key), time.time())
    if entries.pop(agent.pk, None) is not None:
        cache.set(key, entries, TTL_SECONDS)


def on_cases(case_ids: Iterable[int], *, agent) -> dict[int, list[Presence]]:
    """Everyone but `agent` on each of `case_ids`: one cache read for the whole list."""
    ids = list(case_ids)
    if not ids:
        return {}
    now = time.time()
    found = cache.get_many([_key(case_id) for case_id in ids])
    result = {}
    for case_id in ids:
        others = _others(_live(found.get(_key(case_id)), now), agent.pk)
        if others:
            result[case_id] = others
    return result
