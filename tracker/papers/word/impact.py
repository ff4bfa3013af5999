"""The impact and "you said, we did" sections of a board paper.

*Impact* prints the impact key (governance.yaml's scale, apart from the RAG key), the actions
delivered (complete or Blue) with no impact evident yet, which is what a board should ask
about, and then every action that reported impact with its evidence in words and whose voices
it reflects, strongest rating first. *You said, we did* prints the entries the gatherer chose
for the board (those speaking to its priorities, or all) with what was done and the status.
Every list that is empty says so in a sentence.
"""

from __future__ import annotations

import tracker.papers.model as model
from tracker.papers.text import count_phrase, format_date
from tracker.papers.word.docxml import CellValue, Column, Segment
from tracker.papers.word.sections import PaperContext, owner_label


def write_impact(ctx: PaperContext) -> None:
    paper = ctx.paper
    ctx.heading(model.IMPACT)
    ctx.say(
        "Impact is reported by action owners apart from delivery: the RAG rating says whether "
        "an action is delivered, the impact rating what difference it has made."
    )
    if paper.impact_key:
        columns = [Column("Impact rating", "words"), Column("Meaning", "text", 6.0)]
        rows: list[list[CellValue]] = [
            [
                entry.label,
                entry.definition + (" Counts as impact evident." if entry.evident else ""),
            ]
            for entry in paper.impact_key
        ]
        ctx.table(columns, rows)
    ctx.subheading("Delivered but no impact evident yet")
    if paper.no_impact:
        ctx.say(
            f"{count_phrase(len(paper.no_impact), 'action')} delivered (complete or Blue) "
            f"{'does' if len(paper.no_impact) == 1 else 'do'} not yet report impact evident."
        )
        columns = [
            Column("Ref", "fixed"),
            Column("Action", "text", 3.3),
            Column("Owner", "words"),
            Column("RAG", "fixed"),
            Column("Impact", "words"),
            Column("Expected impact", "text", 4.5),
        ]
        ctx.table(
            columns,
            [
                [
                    line.reference,
                    line.title,
                    owner_label(line),
                    ctx.palette.cell(line.rag),
                    line.impact or "Not reported",
                    line.expected_impact or "Not recorded.",
                ]
                for line in paper.no_impact
            ],
        )
    else:
        ctx.say("Every delivered action in scope reports impact evident.")
    ctx.subheading("Impact reported")
    if not paper.impact_reported:
        ctx.say("No action in scope has reported its impact yet.")
        return
    columns = [
        Column("Ref", "fixed"),
        Column("Action", "text", 3.0),
        Column("RAG", "fixed"),
        Column("Impact", "words"),
        Column("Evidence of impact", "text", 5.5),
    ]
    ctx.table(
        columns,
        [
            [
                line.reference,
                line.title,
                ctx.palette.line_cell(line),
                line.impact,
                _evidence(line),
            ]
            for line in paper.impact_reported
        ],
    )


def _evidence(line: model.ActionLine) -> tuple[Segment, ...]:
    segments = [Segment(line.impact_evidence or "No evidence in words given.")]
    if line.impact_voices:
        segments += [Segment("\nVoices: ", bold=True), Segment(line.impact_voices)]
    return tuple(segments)


def write_feedback(ctx: PaperContext) -> None:
    lines = ctx.paper.feedback
    ctx.heading(model.FEEDBACK)
    if not lines:
        ctx.say(
            "No “you said, we did” entries are recorded for the priorities this Board oversees."
        )
        return
    ctx.say(
        f"What families, children and young people told the partnership, and what it did: "
        f"{count_phrase(len(lines), 'entry', 'entries')}."
    )
    columns = [
        Column("Ref", "fixed"),
        Column("You said", "text", 4.0),
        Column("We did", "text", 4.0),
        Column("Impact", "text", 3.0),
        Column("Status", "words"),
    ]
    ctx.table(columns, [_feedback_row(line) for line in lines])


def _feedback_row(line: model.FeedbackLine) -> list[CellValue]:
    heard = f", {format_date(line.heard_on)}" if line.heard_on else ""
    said = (
        Segment(line.said + "\n"),
        Segment("From: ", bold=True),
        Segment(f"{line.source}{heard}"),
    )
    links = [f"Priority {n}" for n in line.priorities] + list(line.actions)
    status = line.status + (f"\n{'; '.join(links)}" if links else "")
    return [
        line.reference,
        said,
        line.we_did or "Nothing recorded yet.",
        line.impact or "Not yet known.",
        status,
    ]


IMPACT_WRITERS = {model.IMPACT: write_impact, model.FEEDBACK: write_feedback}
