"""From links between spellings to entities, as they were on every date.

A pure function of the spellings (each with the date it was first seen), the links
between them (the model's, and the analysts' 'same firm' corrections) and the analysts'
'different firms' corrections. Spellings are taken in the order they appeared; a link
counts from the day both of its spellings had been seen. So the entities on a date D are
built only from spellings seen by D: a spelling first seen later, even one that bridges
two earlier entities, does not change D's entities (it joins them from its own first
day).

Two groups of spellings join only when the model linked most of their pairs
(``MIN_LINKED_SHARE``): the spellings of one firm link to each other nearly all, while a
short spelling that fits two firms ('Sapphire Export' between 'Sapphire Alpine Export'
and 'Sapphire Union Export') links one group to the other through itself alone, and
joins only the group it links to most strongly.

Corrections win over the model: 'same firm' links are applied before the model's on each
date, and two groups are never joined, by any link, while an analyst has said that a
spelling of one and a spelling of the other are different firms.

When two entities join, the one founded first (by its earliest spelling) keeps its id;
the other's spellings move to it from that day, and its id stays in the history (the
entity as it was before).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable
    from datetime import date

MIN_LINKED_SHARE = 0.5
"""A model link joins two groups only if the model linked at least this share of the
pairs between them (a majority): one spelling that fits two firms does not bridge them."""


@dataclass(frozen=True)
class Spelling:
    key: int
    first_seen: date
    text: str


@dataclass(frozen=True)
class Link:
    a: int
    b: int
    strength: float
    """Match probability; an analyst's 'same firm' link ranks above every model link."""
    analyst: bool = False


@dataclass(frozen=True)
class Period:
    """Spelling ``key`` belonged to the entity founded by spelling ``founder`` from
    ``valid_from`` (inclusive) to ``valid_to`` (exclusive; None: still)."""

    key: int
    founder: int
    valid_from: date
    valid_to: date | None


def memberships(
    spellings: Iterable[Spelling],
    links: Iterable[Link],
    different: Iterable[tuple[int, int]] = (),
) -> list[Period]:
    """Every spelling's entities over time (see the module's docstring)."""
    by_key = {s.key: s for s in spellings}
    order = {key: (s.first_seen, s.text, key) for key, s in by_key.items()}
    apart: dict[int, set[int]] = defaultdict(set)
    for a, b in different:
        apart[a].add(b)
        apart[b].add(a)

    events: dict[date, list[Link]] = defaultdict(list)
    linked: dict[int, dict[int, date]] = defaultdict(dict)
    for link in links:
        if link.a in by_key and link.b in by_key and link.a != link.b:
            day = max(by_key[link.a].first_seen, by_key[link.b].first_seen)
            events[day].append(link)
            if not link.analyst:
                linked[link.a][link.b] = day
                linked[link.b][link.a] = day
    arrivals: dict[date, list[int]] = defaultdict(list)
    for key, s in by_key.items():
        arrivals[s.first_seen].append(key)

    parent: dict[int, int] = {}
    members: dict[int, list[int]] = {}
    founder: dict[int, int] = {}
    forbidden: dict[int, set[int]] = {}
    current: dict[int, tuple[int, date]] = {}
    periods: list[Period] = []

    def root(key: int) -> int:
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    def mostly_linked(ra: int, rb: int, day: date) -> bool:
        small, other = (ra, rb) if len(members[ra]) <= len(members[rb]) else (rb, ra)
        pairs = sum(
            1
            for key in members[small]
            for near, since in linked[key].items()
            if since <= day and root(near) == other
        )
        return pairs >= MIN_LINKED_SHARE * len(members[ra]) * len(members[rb])

    for day in sorted(set(arrivals) | set(events)):
        for key in sorted(arrivals.get(day, []), key=order.__getitem__):
            parent[key], members[key], founder[key] = key, [key], key
            forbidden[key] = set(apart.get(key, ()))
            current[key] = (key, day)
        ranked = sorted(
            events.get(day, []),
            key=lambda link: (not link.analyst, -link.strength, min(link.a, link.b)),
        )
        for link in ranked:
            ra, rb = root(link.a), root(link.b)
            if ra == rb or forbidden[ra] & set(members[rb]):
                continue
            if not link.analyst and not mostly_linked(ra, rb, day):
                continue
            survivor = min(founder[ra], founder[rb], key=order.__getitem__)
            absorbed = rb if founder[ra] == survivor else ra
            for key in members[absorbed]:
                was, since = current[key]
                if since < day:
                    periods.append(Period(key, was, since, day))
                current[key] = (survivor, day)
            big, small = (ra, rb) if len(members[ra]) >= len(members[rb]) else (rb, ra)
            parent[small] = big
            members[big].extend(members.pop(small))
            forbidden[big] |= forbidden.pop(small)
            founder[big] = survivor
    periods.extend(Period(key, was, since, None) for key, (was, since) in current.items())
    return sorted(periods, key=lambda p: (p.key, p.valid_from))
