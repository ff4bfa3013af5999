"""The demonstration's risk register: the risks a SEND partnership under a Priority Action Plan
actually carries, each first assessed months ago and rescored through the year.

Each risk names its owner by e-mail (as in the shipped governance.yaml); a risk whose owner or
actions the database does not hold is left out, so a partnership's own governance file still
builds a demonstration. Scorings move the way such risks move: recruitment eases slowly, the
capital programme slips and then recovers, waiting lists stay stubborn. Every write goes
through the risks service, so the history and audit trail are those the app itself would keep.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import Session, select

from tracker.governance import GovernanceConfig
from tracker.models import Action, Person
from tracker.permissions import Actor
from tracker.services.people import actor_for_email
from tracker.services.risks import NewRisk, Rescore, add_risk, score_risk


@dataclass(frozen=True)
class DemoRisk:
    title: str
    description: str
    owner: str
    priorities: tuple[int, ...]
    actions: tuple[str, ...]
    scores: tuple[tuple[int, int], ...]  # the first assessment, then each rescoring
    commentary: tuple[str, ...]  # one per rescoring
    mitigations: tuple[str, ...]
    target: int


RISKS: tuple[DemoRisk, ...] = (
    DemoRisk(
        "Educational psychologist recruitment does not keep pace with demand",
        "National shortage of EPs and locum costs (cause) mean statutory advice is late (event), "
        "so EHCPs miss the 20-week timescale and families wait (effect).",
        "principal.ep@example.org",
        (2,),
        ("P2.3",),
        ((5, 5), (4, 5), (4, 5), (4, 4)),
        (
            "Two trainee EPs start in September; locum use still above budget.",
            "Market supplement approved; vacancy rate unchanged at 28%.",
            "Four posts filled since the summer; advice returned in 6 weeks in 71% of cases.",
        ),
        (
            "Grow-your-own trainee EP scheme with two universities",
            "Market supplement for senior and specialist EPs",
            "Assistant EP roles to take on non-statutory work",
        ),
        8,
    ),
    DemoRisk(
        "Capital programme slippage delays new special school and unit places",
        "Contractor availability and planning conditions (cause) delay the new special school "
        "and resourced provision (event), so children are placed out of county (effect).",
        "inclusion.lead@example.org",
        (2, 5),
        ("P2.5", "P5.1"),
        ((3, 4), (4, 4), (4, 4), (3, 4)),
        (
            "Planning decision deferred to the next committee; opening moved a term.",
            "Groundworks started; cost plan within the contingency.",
            "Steel frame complete; 40 of 60 places on track for September.",
        ),
        (
            "Monthly capital board with the contractor's director",
            "Interim places agreed with two academy trusts",
        ),
        6,
    ),
    DemoRisk(
        "Data quality in the EHCP hub undermines timeliness reporting",
        "Cases recorded late or twice in the case management system (cause) give wrong 20-week "
        "figures (event), so boards and advisers cannot trust reported progress (effect).",
        "send.data@example.org",
        (1, 2),
        ("P1.3",),
        ((4, 3), (3, 3), (2, 3)),
        (
            "Weekly data cleanse found 112 duplicate records; fixed.",
            "Validation rules live; monthly reconciliation with the DfE return.",
        ),
        ("Weekly data cleanse by the business support team", "Validation rules at case entry"),
        4,
    ),
    DemoRisk(
        "Neurodevelopmental pathway waiting lists keep growing",
        "Referrals rising faster than assessment capacity (cause) lengthen waits for autism "
        "and ADHD assessment (event), so needs go unmet in school (effect).",
        "nd.pathway@example.nhs.uk",
        (5,),
        ("P5.6", "P5.7"),
        ((5, 4), (5, 4), (5, 4), (4, 4)),
        (
            "Referrals up 18% on last year; waiting list 6,140.",
            "Additional provider contract signed; starts in January.",
            "Needs-led support offer live in 3 districts; list growth has slowed.",
        ),
        (
            "Needs-led support without a diagnosis in every district",
            "Additional assessment capacity commissioned from an independent provider",
        ),
        9,
    ),
    DemoRisk(
        "Parent carer confidence does not improve despite delivery",
        "Improvements not yet felt by families (cause) mean survey confidence stays low "
        "(event), eroding trust and co-production (effect).",
        "participation@example.org",
        (4,),
        ("P4.1", "P4.11"),
        ((4, 3), (4, 3), (3, 3)),
        (
            "Survey response rate up, confidence flat at 31%.",
            "You said, we did published; roadshow attendance doubled.",
        ),
        ("'You said, we did' updates every term", "SEND roadshows with family hubs"),
        4,
    ),
    DemoRisk(
        "High needs block deficit forces cuts to the inclusion offer",
        "Rising EHCP numbers and independent placement costs (cause) grow the high needs "
        "deficit (event), putting early help and outreach at risk (effect).",
        "exec.director.education@example.org",
        (1, 5),
        ("P1.1", "P5.4"),
        ((4, 5), (4, 5), (4, 5)),
        (
            "Deficit forecast revised up by 4%; safety valve talks continue.",
            "Recovery plan agreed by Schools Forum; forecast stable.",
        ),
        ("Deficit recovery plan with the Schools Forum",),
        12,
    ),
)


def plan_risk_events(
    session: Session,
    *,
    governance: GovernanceConfig,
    rng: random.Random,
    today: date,
    actor: Actor,
    history_days: int,
) -> Iterator[tuple[datetime, Callable[[Session, datetime], None]]]:
    """(moment, write) for each risk's first assessment and rescorings, oldest first."""
    people = {p.email: p for p in session.exec(select(Person)).all()}
    actions = set(session.exec(select(Action.reference)).all())
    references: dict[str, str] = {}
    for index, risk in enumerate(RISKS):
        if risk.owner not in people or not set(risk.actions) <= actions:
            continue
        first = today - timedelta(days=history_days - 20 - index * 9)
        # The last scoring is a week or two ago, so the next review is ahead; one risk's owner
        # has let it lapse, so the register shows a risk past its review date.
        last = today - timedelta(days=45 if index == 2 else 8 + index)
        span = (last - first).days
        for n, (likelihood, impact) in enumerate(risk.scores):
            offset = span * n // max(1, len(risk.scores) - 1)
            day = first + timedelta(days=offset - (rng.randint(0, 4) if n > 0 else 0))
            if day >= today:
                break
            moment = datetime.combine(day, time(10, rng.randint(0, 59)), tzinfo=UTC)
            yield moment, _write(risk, n, likelihood, impact, governance, actor, references)


def _write(
    risk: DemoRisk,
    n: int,
    likelihood: int,
    impact: int,
    governance: GovernanceConfig,
    actor: Actor,
    references: dict[str, str],
) -> Callable[[Session, datetime], None]:
    def run(session: Session, moment: datetime) -> None:
        if n == 0:
            added = add_risk(
                session,
                actor=actor,
                form=NewRisk(
                    title=risk.title,
                    owner_email=risk.owner,
                    likelihood=likelihood,
                    impact=impact,
                    description=risk.description,
                    priorities=risk.priorities,
                    actions=risk.actions,
                    target_score=risk.target,
                    mitigations=risk.mitigations,
                    commentary="First assessment at the risk workshop.",
                    shareable=True,
                ),
                governance=governance,
                today=moment.date(),
                now=moment,
            )
            references[risk.title] = added.reference
            return
        score_risk(
            session,
            actor=actor_for_email(session, risk.owner),
            reference=references[risk.title],
            form=Rescore(likelihood, impact, risk.commentary[n - 1]),
            scale=governance.risks,
            today=moment.date(),
            now=moment,
        )

    return run
