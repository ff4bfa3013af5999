"""The words a board paper opens with: its executive summary and its recommendations.

Both are written from the gathered facts, in plain English that names actions: "3 actions are
Red: P2.5, P3.1 and P5.4." rather than "a number of actions require attention". Long lists are
cut after a dozen references ("... and 30 more") so a large register cannot swamp a summary.
Recommendations follow "The Board is asked to:" (the renderer prints that), so each starts with
a verb; which ones appear depends on what the data shows and on the paper's purpose (a paper for
noting asks the board to *note* revised due dates, one for assurance or decision to *agree*
them). Nothing here touches the database.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from tracker.papers.model import EscalationLine, Level, Movement, Purpose
from tracker.papers.movement import Baseline
from tracker.papers.text import count_phrase, format_date, format_long_date
from tracker.rules import on_track_share

REFERENCE_LIMIT = 12


@dataclass(frozen=True, slots=True)
class PaperFacts:
    """What the summary and recommendations are written from."""

    level: Level
    purpose: Purpose
    board_name: str
    parent_board: str | None
    scope_words: str  # "in the SEND strategy" or "overseen by the ... and the bodies below it"
    paper_deadline: date
    counts: Mapping[
        str, int
    ]  # rating code or "not_rated" -> open and closed actions, not withdrawn
    rag_labels: Mapping[str, str]
    withdrawn: int
    reds: tuple[str, ...]
    ambers: tuple[str, ...]
    overdue: tuple[tuple[str, int], ...]  # (reference, days overdue), most overdue first
    slipped: tuple[tuple[str, date | None], ...]  # (reference, new due date)
    movement: Movement
    baseline: Baseline
    escalations: tuple[EscalationLine, ...]
    not_updated: tuple[str, ...]
    window_opens: date | None
    measures_total: int = 0
    red_measures: tuple[str, ...] = ()
    measures_without_value: int = 0
    draft_as_at: date | None = None  # the day a paper generated before its deadline speaks for
    # Impact, apart from delivery: how many actions reported any impact rating, how many an
    # evident one, how many are delivered (complete or Blue), and the delivered ones whose
    # latest impact rating is not an evident one; the evident ratings' words.
    impact_reported: int = 0
    impact_evident: int = 0
    delivered: int = 0
    no_impact: tuple[str, ...] = ()
    evident_words: str = "Impact evident"
    # "You said, we did" entries in the paper, by status words ("Done" -> 4), in order.
    feedback: tuple[tuple[str, int], ...] = ()

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def as_at(self) -> date:
        return self.draft_as_at or self.paper_deadline

    @property
    def as_at_words(self) -> str:
        """``at the paper deadline`` or, for a draft, ``as at Saturday 28 November 2026``."""
        if self.draft_as_at is None:
            return "at the paper deadline"
        return f"as at {format_long_date(self.draft_as_at)}"


def list_references(references: Sequence[str], limit: int = REFERENCE_LIMIT) -> str:
    """``P2.5, P3.1 and P5.4``; after ``limit`` references, ``... and 30 more``."""
    shown = list(references[:limit])
    hidden = len(references) - len(shown)
    if hidden:
        return f"{', '.join(shown)} and {hidden} more"
    if len(shown) <= 1:
        return "".join(shown)
    return f"{', '.join(shown[:-1])} and {shown[-1]}"


def _is(count: int) -> str:
    return "is" if count == 1 else "are"


def _has(count: int) -> str:
    return "has" if count == 1 else "have"


def _label(facts: PaperFacts, code: str) -> str:
    return facts.rag_labels.get(code, code.replace("_", " ").capitalize())


def _position(facts: PaperFacts) -> str:
    total = facts.total
    if facts.draft_as_at is None:
        when = f"as at the paper deadline, {format_long_date(facts.paper_deadline)}."
    else:
        when = (
            f"as at {format_long_date(facts.draft_as_at)}. It is a draft: the paper deadline is "
            f"{format_long_date(facts.paper_deadline)}, and owners may update before then."
        )
    opening = (
        f"This paper reports the position of the {count_phrase(total, 'action')} "
        f"{facts.scope_words} {when}"
    )
    if total == 0:
        return f"{opening} There are no actions to report."
    blue, green = facts.counts.get("blue", 0), facts.counts.get("green", 0)
    amber, red = facts.counts.get("amber", 0), facts.counts.get("red", 0)
    unrated = facts.counts.get("not_rated", 0)
    share = on_track_share(facts.counts)
    on_track = share.on_track
    text = (
        f"{opening} Of the {count_phrase(share.rated, 'action')} rated, {on_track} "
        f"({share.percent or 0}%) {_is(on_track)} on track or complete "
        f"({blue} {_label(facts, 'blue')}, {green} {_label(facts, 'green')}); "
        f"{amber} {_is(amber)} {_label(facts, 'amber')}, {red} {_is(red)} {_label(facts, 'red')}"
        f" and {unrated} {_has(unrated)} not yet been rated."
    )
    if facts.withdrawn:
        text += f" {count_phrase(facts.withdrawn, 'withdrawn action')} {_is(facts.withdrawn)} "
        text += "not counted."
    return text


def _exceptions(facts: PaperFacts) -> str:
    red_label = _label(facts, "red")
    parts = [
        f"{count_phrase(len(facts.reds), 'action')} {_is(len(facts.reds))} {red_label}: "
        f"{list_references(facts.reds)}."
        if facts.reds
        else f"No actions are {red_label}."
    ]
    if facts.level != "strategic" and facts.ambers:
        amber = _label(facts, "amber")
        parts.append(f"{len(facts.ambers)} {_is(len(facts.ambers))} {amber}: ")
        parts[-1] += f"{list_references(facts.ambers)}."
    if facts.overdue:
        named = [f"{ref} ({count_phrase(days, 'day')})" for ref, days in facts.overdue]
        count = len(facts.overdue)
        parts.append(
            f"{count_phrase(count, 'action')} {_is(count)} overdue {facts.as_at_words}: "
            f"{list_references(named)}."
        )
    else:
        parts.append(f"No actions are overdue {facts.as_at_words}.")
    return " ".join(parts)


def _movement(facts: PaperFacts) -> str:
    baseline, movement = facts.baseline, facts.movement
    if baseline.kind == "none" or baseline.meeting_date is None:
        return (
            f"This is the first paper for the {facts.board_name}, so no movement since an "
            "earlier meeting is reported."
        )
    if baseline.kind == "paper":
        since = f"Since the paper for the meeting on {format_long_date(baseline.meeting_date)}"
        opening = ""
    else:
        deadline = baseline.paper_deadline or baseline.meeting_date
        opening = (
            f"No paper was stored for the previous meeting on "
            f"{format_long_date(baseline.meeting_date)}, so movement is measured against the "
            f"position at that meeting's paper deadline, {format_long_date(deadline)}. "
        )
        since = "Since then"
    completed = "was completed" if len(movement.completed) == 1 else "were completed"
    kinds = (
        (movement.improved, "improved in rating"),
        (movement.deteriorated, "deteriorated"),
        (movement.new_reds, f"became {_label(facts, 'red')}"),
        (movement.slipped, "had the due date moved later"),
        (movement.completed, completed),
    )
    parts = [
        f"{count_phrase(len(items), 'action')} {words} "
        f"({list_references([item.reference for item in items])})"
        for items, words in kinds
        if items
    ]
    if not parts:
        return f"{opening}{since}, no action has changed its rating, due date or status."
    body = parts[0] if len(parts) == 1 else f"{'; '.join(parts[:-1])}; and {parts[-1]}"
    return f"{opening}{since}: {body}."


def _attention(facts: PaperFacts) -> str | None:
    parts = []
    if facts.escalations:
        named = [f"{e.reference} from the {e.from_body}" for e in facts.escalations]
        count = len(facts.escalations)
        parts.append(
            f"{count_phrase(count, 'matter')} {_has(count)} been escalated to the Board: "
            f"{list_references(named)}."
        )
    if facts.not_updated:
        count = len(facts.not_updated)
        since = (
            f" since the update window opened on {format_long_date(facts.window_opens)}"
            if facts.window_opens
            else ""
        )
        tense = "had" if facts.draft_as_at is None else _has(count)
        parts.append(
            f"{count_phrase(count, 'open action')} {tense} not been updated{since}: "
            f"{list_references(facts.not_updated)}."
        )
    if facts.measures_total:
        red = len(facts.red_measures)
        sentence = f"Of the {count_phrase(facts.measures_total, 'success measure')}, "
        sentence += (
            f"{red} {_is(red)} rated {_label(facts, 'red')}: {list_references(facts.red_measures)}."
            if red
            else f"none is rated {_label(facts, 'red')}."
        )
        if facts.measures_without_value:
            gap = facts.measures_without_value
            sentence += f" {gap} {_has(gap)} no value reported yet."
        parts.append(sentence)
    return " ".join(parts) if parts else None


def _impact(facts: PaperFacts) -> str | None:
    """What delivery changed: impact reported and evident, and delivery without it yet."""
    if not facts.total:
        return None
    parts = []
    if facts.impact_reported:
        parts.append(
            f"Impact is reported apart from delivery: {facts.impact_reported} of the "
            f"{count_phrase(facts.total, 'action')} {_has(facts.impact_reported)} reported "
            f"{'its' if facts.impact_reported == 1 else 'their'} impact, and "
            f"{facts.impact_evident} {_is(facts.impact_evident)} rated {facts.evident_words}."
        )
    else:
        parts.append(
            "No action has yet reported its impact for children, young people and families."
        )
    if facts.delivered:
        missing = len(facts.no_impact)
        delivered = count_phrase(facts.delivered, "action")
        if missing:
            parts.append(
                f"Of the {delivered} delivered, {missing} {_has(missing)} no impact evident "
                f"yet: {list_references(facts.no_impact)}."
            )
        else:
            parts.append(f"Each of the {delivered} delivered reports impact evident.")
    if facts.feedback:
        total = sum(n for _, n in facts.feedback)
        by_status = ", ".join(f"{n} {words.lower()}" for words, n in facts.feedback if n)
        parts.append(
            f"“You said, we did” holds {count_phrase(total, 'entry', 'entries')} for this "
            f"paper ({by_status})."
        )
    return " ".join(parts)


def write_executive_summary(facts: PaperFacts) -> tuple[str, ...]:
    """Four to six short paragraphs: position, exceptions, movement, impact, what needs
    attention."""
    paragraphs = [_position(facts), _exceptions(facts), _movement(facts)]
    impact = _impact(facts)
    if impact:
        paragraphs.append(impact)
    attention = _attention(facts)
    if attention:
        paragraphs.append(attention)
    return tuple(paragraphs)


def _opening_recommendation(facts: PaperFacts) -> str:
    what = (
        f"the position of the {count_phrase(facts.total, 'action')} reported in this paper, "
        f"as at {format_long_date(facts.as_at)}"
    )
    if facts.purpose == "assurance":
        return f"note {what}, and consider the level of assurance it gives on delivery."
    if facts.purpose == "decision":
        return f"note {what}, and make the decisions asked of it below."
    return f"note {what}."


def _the(count: int, singular: str, plural: str | None = None) -> str:
    """``the action`` for one, ``the 3 actions`` for more."""
    return f"the {singular}" if count == 1 else f"the {count} {plural or singular + 's'}"


def write_recommendations(facts: PaperFacts) -> tuple[str, ...]:
    """What the Board is asked to do, most general first."""
    items = [_opening_recommendation(facts)]
    red_label = _label(facts, "red")
    if facts.reds:
        paths = (
            "the path to green its owner proposes"
            if len(facts.reds) == 1
            else "the paths to green their owners propose"
        )
        items.append(
            f"consider {_the(len(facts.reds), 'action')} rated {red_label} "
            f"({list_references(facts.reds)}) and {paths}."
        )
    if facts.escalations:
        count = len(facts.escalations)
        refs = list_references([e.reference for e in facts.escalations])
        items.append(
            f"consider {_the(count, 'matter')} escalated to it ({refs}) and decide how "
            f"{'it' if count == 1 else 'each'} will be resolved."
        )
    if facts.slipped:
        verb = "note" if facts.purpose == "noting" else "agree"
        named = [f"{ref} (now {format_date(due)})" for ref, due in facts.slipped]
        dates = "date" if len(named) == 1 else "dates"
        items.append(f"{verb} the revised due {dates} of {list_references(named)}.")
    if facts.overdue:
        count = len(facts.overdue)
        refs = list_references([ref for ref, _ in facts.overdue])
        items.append(
            f"note {_the(count, 'overdue action')} ({refs}) and ask "
            f"{'its owner' if count == 1 else 'their owners'} for the date by which "
            f"{'it' if count == 1 else 'each'} will be completed."
        )
    if facts.not_updated:
        count = len(facts.not_updated)
        items.append(
            f"ask the {'owner' if count == 1 else 'owners'} of {_the(count, 'action')} not "
            f"updated this cycle to update {'it' if count == 1 else 'them'} before the next "
            "meeting."
        )
    if facts.no_impact:
        count = len(facts.no_impact)
        items.append(
            f"ask the {'owner' if count == 1 else 'owners'} of {_the(count, 'action')} "
            f"delivered but with no impact evident yet ({list_references(facts.no_impact)}) "
            f"how and when {'its' if count == 1 else 'their'} difference for families will "
            "be evidenced."
        )
    if facts.red_measures:
        items.append(
            f"consider {_the(len(facts.red_measures), 'success measure')} rated {red_label} "
            f"({list_references(facts.red_measures)})."
        )
    if facts.reds and facts.parent_board:
        items.append(
            f"consider whether any action rated {red_label} should be escalated to the "
            f"{facts.parent_board}."
        )
    return tuple(items)
