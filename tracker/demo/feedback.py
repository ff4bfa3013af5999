""" "You said, we did" for the demonstration: what Lancashire's families and young people said
through the Parent Carer Forum, POWAR, surveys and complaints, and what the partnership did.

Invented, in the shape of the reporting the Lancashire board asked for in January 2026: each
entry is entered by the forum representative or the participation lead on the day after it was
heard, linked to the priorities and actions it concerns, and moved on as the partnership acts,
so the log holds open, in-progress, done and closed entries.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import Session, select

from tracker.models import Person
from tracker.permissions import Actor
from tracker.services.feedback import FeedbackForm, add_feedback, edit_feedback, list_feedback
from tracker.services.people import build_actor


@dataclass(frozen=True)
class _Entry:
    days_ago: int  # when it was heard, before the demonstration's today
    source: str
    said: str
    by: str  # who enters it
    priorities: tuple[int, ...] = ()
    actions: tuple[str, ...] = ()
    we_did: str | None = None
    impact: str | None = None
    status: str = "open"
    done_after: int = 30  # days from hearing to the status above


ENTRIES: tuple[_Entry, ...] = (
    _Entry(
        250,
        "Lancashire Parent Carer Forum",
        "Parents told us they did not know who to contact while waiting for an EHC needs "
        "assessment, and heard nothing for weeks at a time.",
        "cochair@example-lpcf.org.uk",
        (2,),
        ("P2.3",),
        "Every family now has a named SEND officer from the first week, and a letter at each "
        "stage of the 20 weeks saying what happens next.",
        "Calls to the service asking 'where is my assessment' fell by a third in three months.",
        "done",
        90,
    ),
    _Entry(
        230,
        "POWAR SEND Youth Forum",
        "Young people said their EHCP reviews are about them but they are not asked what they "
        "want to talk about, and meetings are held in school time in front of teachers.",
        "powar@example.org",
        (3, 4),
        ("P3.6", "P4.4"),
        "A one-page 'my review, my way' form co-produced with POWAR is sent before every "
        "annual review from Year 9.",
        "In the pilot districts, 7 in 10 young people said they felt listened to at their review.",
        "done",
        120,
    ),
    _Entry(
        200,
        "Family survey",
        "Over half of parents who answered the SEND survey said the Local Offer website is hard "
        "to find things on, especially on a phone.",
        "participation@example.org",
        (4,),
        ("P4.3",),
        "The Local Offer is being rebuilt with parents testing each section; the new search "
        "went live in the autumn.",
        None,
        "in_progress",
        60,
    ),
    _Entry(
        180,
        "Complaint",
        "A parent complained that their child's transport was cancelled at the start of term "
        "with two days' notice and no alternative offered.",
        "participation@example.org",
        (5,),
        (),
        "Closed: transport is outside this plan; the complaint was passed to the Home to School "
        "Transport team, who replied to the family within ten working days.",
        None,
        "closed",
        14,
    ),
    _Entry(
        160,
        "Lancashire Parent Carer Forum",
        "Families waiting for a neurodevelopmental assessment said there is nothing for them "
        "until a diagnosis, and they feel left on their own.",
        "cochair@example-lpcf.org.uk",
        (5,),
        ("P2.7", "P5.7"),
        "Pre-diagnostic support sessions now run monthly in every district with the Parent "
        "Carer Forum, and families on the waiting list are told about them by letter.",
        "Early signs: 140 families attended in the first quarter; feedback is mostly positive "
        "but evening sessions are asked for.",
        "in_progress",
        75,
    ),
    _Entry(
        140,
        "Young people's survey",
        "Young people with SEND aged 16 to 19 said they do not know what jobs or courses are "
        "open to them after school.",
        "powar@example.org",
        (3,),
        ("P3.2", "P3.5"),
        "A directory of supported internships, apprenticeships and volunteering, with short "
        "videos made by young people, is being produced with POWAR.",
        None,
        "in_progress",
        40,
    ),
    _Entry(
        110,
        "SENDIASS",
        "Parents contacting SENDIASS said schools tell them different things about what "
        "support their child can have without an EHCP.",
        "participation@example.org",
        (1,),
        ("P1.1",),
        "The ordinarily available provision guidance was relaunched with training for SENCOs in "
        "every district, with parents' questions used as case studies.",
        None,
        "in_progress",
        50,
    ),
    _Entry(
        80,
        "Listening event",
        "At the Preston family hub roadshow, parents asked for 'Let's talk' sessions at times "
        "working parents can get to.",
        "cochair@example-lpcf.org.uk",
        (4,),
        ("P4.9",),
        "Two evening and one Saturday 'Let's talk' session are now in each term's programme.",
        "Attendance by working parents doubled in the first term of the new times.",
        "done",
        45,
    ),
    _Entry(
        45,
        "POWAR SEND Youth Forum",
        "Young people in East Lancashire said there are few after-school activities where they "
        "feel welcome and staff understand their needs.",
        "powar@example.org",
        (5,),
        ("P5.5",),
    ),
    _Entry(
        20,
        "Lancashire Parent Carer Forum",
        "Parents of children moving from primary to secondary school said transition plans were "
        "agreed too late in Year 6 for them to prepare their child.",
        "cochair@example-lpcf.org.uk",
        (2, 3),
        (),
    ),
)


def _actor(session: Session, email: str, fallback: Actor) -> Actor:
    person = session.exec(select(Person).where(Person.email == email)).first()
    return build_actor(session, person) if person is not None and person.active else fallback


def _noon(day: date) -> datetime:
    return datetime.combine(day, time(12, 0), tzinfo=UTC)


def plan_feedback_events(
    *, today: date, admin: Actor
) -> Iterator[tuple[datetime, Callable[[Session, datetime], None]]]:
    """When each entry is entered (the day after it was heard) and when it moves on."""
    references: dict[int, str] = {}
    for index, entry in enumerate(ENTRIES):
        heard = today - timedelta(days=entry.days_ago)

        def add(
            session: Session, moment: datetime, entry: _Entry = entry, index: int = index
        ) -> None:
            actor = _actor(session, entry.by, admin)
            started = entry.status != "open" and entry.we_did is not None
            form = FeedbackForm(
                said=entry.said,
                source=entry.source,
                heard_on=moment.date() - timedelta(days=1),
                status="in_progress" if started else "open",
                priorities=entry.priorities,
                actions=entry.actions,
            )
            created = add_feedback(session, actor=actor, form=form, today=moment.date(), now=moment)
            references[index] = created.reference

        yield _noon(heard + timedelta(days=1)), add
        if entry.status == "open":
            continue
        moved = min(heard + timedelta(days=entry.done_after), today)

        def move(
            session: Session, moment: datetime, entry: _Entry = entry, index: int = index
        ) -> None:
            reference = references[index]
            row = next(r for r in list_feedback(session, actor=admin) if r.reference == reference)
            form = row.form()
            edit_feedback(
                session,
                actor=admin,
                reference=reference,
                seen_version=row.version,
                form=FeedbackForm(
                    said=form.said,
                    source=form.source,
                    heard_on=form.heard_on,
                    we_did=entry.we_did,
                    impact=entry.impact,
                    status=entry.status,
                    owner_id=form.owner_id,
                    priorities=form.priorities,
                    actions=form.actions,
                ),
                today=moment.date(),
            )

        yield _noon(moved), move
