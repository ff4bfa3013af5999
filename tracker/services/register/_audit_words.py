"""The audit trail worded for people: names for e-mail addresses, labels for codes, UK dates.

The audit log stores values as the database holds them (``not_started``, ``red``,
``2026-06-30``, ``head.of.send@example.org``) so it stays exact evidence. What a person reads is
worded here, in one place: a status or rating as its label, a date in UK form, a person by name,
and "—" for nothing. Field names read as words ("due date", "latest commentary").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date

from sqlmodel import Session, select

from tracker.formatting import MISSING, format_date
from tracker.models import Person
from tracker.permissions import Actor
from tracker.rules import RAG_LABELS, STATUS_LABELS
from tracker.services.register._queries import AuditEntry, audit_trail

FIELD_WORDS = {"latest_commentary": "commentary", "owner": "owner", "rag": "RAG rating"}


def word_audit_value(field: str, value: str | None, *, names: Mapping[str, str]) -> str:
    """One stored audit value as a person reads it."""
    if value is None or not value.strip():
        return MISSING
    text = value.strip()
    if field == "rag":
        return RAG_LABELS.get(text, text)
    if field == "status":
        return STATUS_LABELS.get(text, text.replace("_", " ").capitalize())
    if text.lower() in names:
        return names[text.lower()]
    try:
        return format_date(date.fromisoformat(text)) if len(text) == 10 else text
    except ValueError:
        return text


def word_field(field: str) -> str:
    return FIELD_WORDS.get(field, field.replace("_", " "))


def worded_audit_trail(
    session: Session, *, actor: Actor, entity: str, entity_id: int
) -> list[AuditEntry]:
    """``audit_trail`` (for those who may view audit trails) with every value, field and person
    worded for people."""
    names = {email.lower(): name for email, name in session.exec(select(Person.email, Person.name))}
    entries = audit_trail(session, actor=actor, entity=entity, entity_id=entity_id)
    return [
        replace(
            entry,
            actor=names.get(entry.actor.lower(), entry.actor),
            field=word_field(entry.field),
            old=word_audit_value(entry.field, entry.old, names=names),
            new=word_audit_value(entry.field, entry.new, names=names),
        )
        for entry in entries
    ]
