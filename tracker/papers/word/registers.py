"""The long sections of a board paper: movement since the last meeting, action-level detail and
the full register appendix.

These can run to thousands of rows for a large partnership, so rows are produced by generators
and streamed into the table builder rather than collected first. The appendix is printed in a
landscape section (``render.py`` switches orientation); everything here just writes content.
"""

from __future__ import annotations

from collections.abc import Iterator

import tracker.papers.model as model
from tracker.papers.model import ActionLine, MovementItem
from tracker.papers.text import count_phrase, format_date, format_due_date, format_status
from tracker.papers.word.docxml import CellValue, Column
from tracker.papers.word.sections import PaperContext, SectionWriter, owner_label, update_segments

_MOVEMENT_KINDS: tuple[tuple[str, str, str, bool], ...] = (
    # (attribute of Movement, subheading, sentence when empty, compares due dates)
    ("improved", "Improved rating", "No actions improved their rating", False),
    ("deteriorated", "Deteriorated rating", "No actions deteriorated in rating", False),
    ("new_reds", "Newly rated Red", "No actions became Red", False),
    ("slipped", "Due date moved later", "No due dates were moved later", True),
    ("completed", "Completed", "No actions were completed", False),
)


def write_movement(ctx: PaperContext) -> None:
    ctx.heading(model.MOVEMENT)
    movement = ctx.paper.movement
    counts = {kind: len(getattr(movement, kind)) for kind, *_ in _MOVEMENT_KINDS}
    since = ctx.since_last()
    if not any(counts.values()):
        ctx.say(f"No action changed its rating or due date, or was completed, {since}.")
        return
    ctx.say(
        f"{since[0].upper()}{since[1:]}: {count_phrase(counts['improved'], 'action')} improved "
        f"in rating, {counts['deteriorated']} deteriorated, {counts['new_reds']} became Red, "
        f"{counts['slipped']} had the due date moved later and {counts['completed']} "
        f"{'was' if counts['completed'] == 1 else 'were'} completed."
    )
    for kind, subheading, _empty, by_due in _MOVEMENT_KINDS:
        items: tuple[MovementItem, ...] = getattr(movement, kind)
        if not items:
            continue  # the sentence above already says none; no heading over nothing
        ctx.subheading(subheading)
        change = ("Was due", "Now due") if by_due else ("From", "To")
        columns = [
            Column("Ref", "fixed"),
            Column("Action", "text", 4.2),
            Column("Owner", "words"),
            Column(change[0], "fixed"),
            Column(change[1], "fixed"),
            Column("Note", "text", 4.1),
        ]
        ctx.table(columns, _movement_rows(ctx, items, by_due=by_due))


def _movement_rows(
    ctx: PaperContext, items: tuple[MovementItem, ...], *, by_due: bool
) -> Iterator[list[CellValue]]:
    for item in items:
        before: CellValue
        after: CellValue
        if by_due:
            before, after = format_date(item.from_due), format_date(item.to_due)
        else:
            before, after = ctx.palette.cell(item.from_rag), ctx.palette.cell(item.to_rag)
        yield [item.reference, item.title, item.owner, before, after, item.note]


def write_action_detail(ctx: PaperContext) -> None:
    """Every action with its latest update, grouped by workstream in first-seen order."""
    ctx.heading(model.ACTION_DETAIL)
    actions = ctx.paper.actions
    if not actions:
        ctx.say("There are no actions in scope of this paper.")
        return
    groups: dict[str, list[ActionLine]] = {}
    never = [line for line in actions if line.last_updated is None]
    for line in actions:
        if line.last_updated is not None:
            groups.setdefault(line.workstream, []).append(line)
    if never:
        # One line rather than a table of rows that each say "No commentary provided".
        where = (
            "listed in the appendix"
            if model.APPENDIX_REGISTER in ctx.paper.sections
            else ", ".join(line.reference for line in never)
        )
        noun = "action has" if len(never) == 1 else "actions have"
        ctx.say(f"{len(never)} {noun} no update yet: {where}.")
    # Portrait: the action's title and its latest update share what the short columns leave.
    columns = [
        Column("Ref", "fixed"),
        Column("Action", "text", 4.8),
        Column("Owner", "words"),
        Column("Due", "fixed"),
        Column("Status", "fixed"),
        Column("RAG", "fixed"),
        Column("Latest update", "text", 5.5),
    ]
    for workstream, lines in groups.items():
        ctx.subheading(workstream or "Actions with no workstream")
        ctx.table(columns, _detail_rows(ctx, lines))


def _detail_rows(ctx: PaperContext, lines: list[ActionLine]) -> Iterator[list[CellValue]]:
    for line in lines:
        yield [
            line.reference,
            line.title,
            owner_label(line),
            format_due_date(line.due_date, confirmed=line.due_confirmed),
            format_status(line.status),
            ctx.palette.cell(line.rag),
            update_segments(line),
        ]


def write_appendix_register(ctx: PaperContext) -> None:
    ctx.heading(model.APPENDIX_REGISTER)
    actions = ctx.paper.actions
    if not actions:
        ctx.say("There are no actions in scope of this paper.")
        return
    ctx.say(f"All {count_phrase(len(actions), 'action')} in scope of this paper.")
    columns = [
        Column("Ref", "fixed"),
        Column("Action", "text", 5.5),
        Column("Owner", "words"),
        Column("Lead organisation", "words"),
        Column("Workstream", "words"),
        Column("Due", "fixed"),
        Column("Status", "fixed"),
        Column("RAG", "fixed"),
        Column("Impact", "words"),
        Column("Days overdue", "fixed"),
        Column("Last updated", "fixed"),
    ]
    ctx.table(columns, _register_rows(ctx, actions))


def _register_rows(ctx: PaperContext, lines: tuple[ActionLine, ...]) -> Iterator[list[CellValue]]:
    for line in lines:
        yield [
            line.reference,
            line.title,
            line.owner,
            line.lead_organisation,
            line.workstream,
            format_due_date(line.due_date, confirmed=line.due_confirmed),
            format_status(line.status),
            ctx.palette.cell(line.rag),
            line.impact,
            "" if line.days_overdue is None else str(line.days_overdue),
            format_date(line.last_updated, missing="Never"),
        ]


REGISTER_WRITERS: dict[str, SectionWriter] = {
    model.MOVEMENT: write_movement,
    model.ACTION_DETAIL: write_action_detail,
    model.APPENDIX_REGISTER: write_appendix_register,
}
