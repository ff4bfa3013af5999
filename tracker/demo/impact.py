"""Impact reports for the demonstration's updates: a rating, its evidence, whose voices, and now
and then a summary written for families.

Invented, as all demonstration data is, but in the shape Lancashire's boards asked for: early
updates say it is too early to tell, later ones report early signs (a survey, the Parent Carer
Forum's feedback, a dip sample) and completed actions mostly report impact evident, while a few
stay "not yet evident" so the overview's "delivered but no impact evident yet" list has
something in it. Each action draws from its own random stream, so the rest of the
demonstration is the same with or without these reports.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

from tracker.formatting import MONTHS

EVIDENCE: dict[str, tuple[str, ...]] = {
    "too_early": (
        "Delivery started in {month}; the first family survey that could show a difference is "
        "due in {month2}.",
        "Too soon to see a change for families: the new process has run for {n} weeks.",
        "Baseline gathered with the Parent Carer Forum in {month}; we will compare in six months.",
    ),
    "not_yet_evident": (
        "Delivered to plan, but the Parent Carer Forum's {month} survey shows no change yet in "
        "how families rate communication ({pct2}% satisfied, as before).",
        "Practitioners report the new guidance is in use; families at the {month} listening "
        "event had not yet noticed a difference.",
        "Figures have not moved since the baseline: {pct2}% against a baseline of {pct2}%.",
    ),
    "early_signs": (
        "{n} of the {n2} families in the {month} dip sample said they knew who to contact, up "
        "from the baseline; POWAR members said the new leaflet was easier to read.",
        "Early signs: {pct}% of parents responding to the {month} pulse survey felt listened to, "
        "up from {pct2}% in the spring.",
        "The Parent Carer Forum reports fewer calls about this since {month}; we are checking "
        "this against the complaints log.",
        "Practitioners in {n} settings say referrals are clearer; families' feedback is mixed so "
        "far.",
    ),
    "evident": (
        "The {month} family survey ({count} responses) shows {pct}% satisfied, against "
        "{pct2}% at the baseline; the Parent Carer Forum confirmed this at its {month} meeting.",
        "Young people from POWAR tested the new offer and {n2} of {n3} said it helped them plan "
        "for adulthood; the case file audit found plans improved in {pct}% of cases.",
        "Complaints on this theme fell from {n2} to {n} a quarter; families quoted in the "
        "{month} listening event describe quicker, clearer answers.",
        "Timeliness improved to {pct}% and parents' feedback on the new letters is positive "
        "({n} compliments logged since {month}).",
    ),
}
VOICES: dict[str, tuple[tuple[str, ...], ...]] = {
    "too_early": (("data",), ("practitioners",), ()),
    "not_yet_evident": (("families",), ("families", "data"), ("practitioners",)),
    "early_signs": (
        ("families", "practitioners"),
        ("children_young_people",),
        ("families", "data"),
    ),
    "evident": (
        ("families", "data"),
        ("children_young_people", "families"),
        ("families", "practitioners", "data"),
    ),
}
PUBLIC: tuple[str, ...] = (
    "We have changed how we work on this after listening to families. Parents tell us it is "
    "starting to make a difference, and we will keep checking with the Parent Carer Forum.",
    "This work is on track. We have started the changes families asked for and will report "
    "back on what has changed in the spring.",
    "This is now in place. Families and young people helped us design it, and most of those "
    "we asked say it is better than before.",
    "We have finished this piece of work. We know it has not yet made enough difference for "
    "families, so we are looking at what else needs to change.",
    "Young people from POWAR helped us test this. They told us what worked and what did not, "
    "and we changed it before we launched it.",
)


# What each kind of action is expected to change, as a partnership would write it (invented).
EXPECTED: dict[str, str] = {
    "ehcp": "Families receive a good-quality EHC plan within 20 weeks and know at each stage "
    "what happens next.",
    "nd": "Families waiting for a neurodevelopmental assessment get support before a "
    "diagnosis, and children's needs are met whether or not they have one.",
    "pfa": "Young people with SEND leave school with a plan for work, study and independent "
    "living that they helped to write.",
    "workforce": "Staff in schools, health and care feel confident to identify and meet needs "
    "early, so fewer families have to fight for support.",
    "local_offer": "Parents and young people can find the information and services they need "
    "without having to ask.",
    "coproduction": "Families and young people can see how their views changed what the "
    "partnership does.",
    "sufficiency": "More children with SEND go to a good school close to home.",
    "commissioning": "Services are bought for the needs children actually have, and families "
    "notice fewer gaps between them.",
    "early_help": "Families get practical help at the first sign of need, close to home.",
    "inclusion": "Fewer children with SEND are excluded or miss school, and more say they feel "
    "they belong.",
    "data": "Decisions about services are made on up-to-date figures, and families are told "
    "what the figures show.",
}


@dataclass(frozen=True)
class ImpactReport:
    rating: str | None
    evidence: str | None
    voices: tuple[str, ...]
    public_summary: str | None


NO_IMPACT = ImpactReport(None, None, (), None)


def _fill(rng: random.Random, text: str, when: date) -> str:
    names = MONTHS
    later = names[when.month % 12]
    return text.format(
        month=names[when.month - 1],
        month2=later,
        n=rng.randint(3, 14),
        n2=rng.randint(15, 30),
        n3=rng.randint(31, 45),
        count=rng.randint(180, 1900),
        pct=rng.randint(62, 88),
        pct2=rng.randint(35, 55),
    )


def reports_impact(rng: random.Random) -> bool:
    """Whether an action's owner reports impact at all (some never do, as in life)."""
    return rng.random() < 0.85


def report_impact(
    rng: random.Random, *, rag: str | None, status: str, position: int, steps: int, when: date
) -> ImpactReport:
    """The impact an update at ``position`` (0-based) of ``steps`` reports, if any."""
    progress = (position + 1) / max(steps, 1)
    if status == "not_started" or (position == 0 and rng.random() < 0.6):
        return ImpactReport(None, None, (), None)
    if status == "complete":
        rating = rng.choices(["evident", "early_signs", "not_yet_evident"], [6, 2, 2])[0]
    elif progress < 0.4:
        rating = rng.choice(["too_early", "too_early", "not_yet_evident"])
    elif rag == "green":
        rating = rng.choices(["early_signs", "not_yet_evident", "evident"], [5, 2, 1])[0]
    else:
        rating = rng.choices(["early_signs", "not_yet_evident", "too_early"], [3, 3, 1])[0]
    evidence = _fill(rng, rng.choice(EVIDENCE[rating]), when)
    voices = rng.choice(VOICES[rating])
    summary = rng.choice(PUBLIC) if rng.random() < 0.45 and rating != "too_early" else None
    return ImpactReport(rating, evidence, voices, summary)
