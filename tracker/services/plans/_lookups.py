"""The names an imported plan uses, matched to the rows of the database.

A spreadsheet names organisations, workstreams and governance bodies the way people write them:
"LCC", "Lancashire CC", "SEND Operations Board", "ehcp improvement". :class:`NameIndex` matches a
name, a short name, a key or an alias (organisations carry the aliases of governance.yaml)
without regard to case, spacing, punctuation or "&" for "and"; a name it does not know is an
error that names the nearest known names (difflib), so a typo such as "EHCP Improvment" is fixed
in one go. :func:`load_lookups` reads everything an import needs in a handful of queries, as
plain values, so planning ten thousand rows costs no further round trips.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass

from sqlmodel import Session, select

from tracker.errors import NotFound
from tracker.models import GovernanceBody, Organisation, Person, Priority, Workstream

MAX_SUGGESTIONS = 3
SIMILAR = 0.6  # difflib's usual cut-off for "close"
NEARLY_AS_CLOSE = 0.08
MAX_LISTED = 20


class UnknownName(NotFound):
    """A name that matches nothing (or more than one thing); the message says what to write."""


def normalise_name(text: str) -> str:
    """Names compared loosely: 'Communication & Engagement' = 'communication and engagement'."""
    folded = text.casefold().replace("&", " and ")
    return " ".join(re.sub(r"[^0-9a-z]+", " ", folded).split())


@dataclass(frozen=True)
class Named:
    """One organisation, workstream or body: its id, the name people read, whether in use."""

    id: int
    name: str
    active: bool = True


class NameIndex:
    """Every way of writing each entity of one kind -> the entity."""

    def __init__(self, kind: str, entries: Iterable[tuple[Named, Iterable[str | None]]]) -> None:
        self.kind = kind
        self._by_key: dict[str, Named | None] = {}  # None: the words name two different things
        self._display: dict[str, str] = {}
        self.by_id: dict[int, Named] = {}
        for entity, names in entries:
            self.by_id[entity.id] = entity
            for name in (entity.name, *names):
                key = normalise_name(name or "")
                if not key:
                    continue
                known = self._by_key.get(key, entity)
                self._by_key[key] = entity if known is not None and known.id == entity.id else None
                self._display.setdefault(key, entity.name)

    def find(self, text: str) -> Named:
        """The entity ``text`` names, or UnknownName naming the nearest known names."""
        key = normalise_name(text)
        if key not in self._by_key:
            raise UnknownName(self._suggest(key))
        found = self._by_key[key]
        if found is None:
            raise UnknownName(f"could mean more than one {self.kind}: write its full name")
        return found

    def _suggest(self, key: str) -> str:
        suggestions = self._nearest(key)
        if suggestions:
            names = " or ".join(f"'{name}'" for name in suggestions[:MAX_SUGGESTIONS])
            return f"unknown {self.kind}: did you mean {names}?"
        known = sorted({entity.name for entity in self.by_id.values() if entity.active})
        if not known:
            return f"unknown {self.kind}: there are none yet (add them to governance.yaml)"
        listed = ", ".join(f"'{name}'" for name in known[:MAX_LISTED])
        more = f" and {len(known) - MAX_LISTED} more" if len(known) > MAX_LISTED else ""
        return f"unknown {self.kind}: use one of {listed}{more}"

    def _nearest(self, key: str) -> list[str]:
        """Names spelt like ``key``: the closest, and any nearly as close (not every name that
        shares a word, which "Lancashire ..." would make all of them)."""
        scored: dict[str, float] = {}
        for known, name in self._display.items():
            matcher = difflib.SequenceMatcher(None, key, known)
            if matcher.real_quick_ratio() >= SIMILAR and matcher.quick_ratio() >= SIMILAR:
                score = matcher.ratio()
                if score >= SIMILAR:
                    scored[name] = max(score, scored.get(name, 0.0))
        if not scored:
            return []
        best = max(scored.values())
        ranked = sorted(scored, key=lambda name: -scored[name])
        return [name for name in ranked if scored[name] >= best - NEARLY_AS_CLOSE]

    def name_of(self, entity_id: int | None) -> str | None:
        entity = self.by_id.get(entity_id) if entity_id is not None else None
        return entity.name if entity else None


@dataclass(frozen=True)
class KnownPerson:
    id: int
    name: str
    email: str
    active: bool


@dataclass(frozen=True)
class Lookups:
    """Everything an import matches against, read once."""

    organisations: NameIndex
    workstreams: NameIndex
    bodies: NameIndex
    priorities: dict[int, int]  # priority number -> id
    priority_numbers: dict[int, int]  # id -> number
    people: dict[str, KnownPerson]  # lower-case e-mail -> person
    people_by_id: dict[int, KnownPerson]


def load_lookups(session: Session) -> Lookups:
    organisations = NameIndex(
        "organisation",
        (
            (Named(o.id or 0, o.name, o.active), (o.short_name, *o.aliases))
            for o in session.exec(select(Organisation)).all()
        ),
    )
    workstreams = NameIndex(
        "workstream",
        (
            (Named(w.id or 0, w.name, w.active), (w.key, w.key.replace("_", " ")))
            for w in session.exec(select(Workstream)).all()
        ),
    )
    bodies = NameIndex(
        "governance body",
        (
            (Named(b.id or 0, b.name, b.active), (b.short_name, b.key, b.key.replace("_", " ")))
            for b in session.exec(select(GovernanceBody)).all()
        ),
    )
    priorities = {p.number: p.id or 0 for p in session.exec(select(Priority)).all()}
    people = [
        KnownPerson(p.id or 0, p.name, p.email.lower(), p.active)
        for p in session.exec(select(Person)).all()
    ]
    return Lookups(
        organisations=organisations,
        workstreams=workstreams,
        bodies=bodies,
        priorities=priorities,
        priority_numbers={pid: number for number, pid in priorities.items()},
        people={p.email: p for p in people},
        people_by_id={p.id: p for p in people},
    )
