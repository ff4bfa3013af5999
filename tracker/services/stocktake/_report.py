"""Write a :class:`StocktakeReport` as a Word document: a one-page summary, then by priority.

It starts from the papers' packaged template and reuses their furniture (protective marking
and "Page X of Y" on every page, en-GB, headings kept with what follows) and their table
builder (columns sized to their content, header rows repeated, rows never split, RAG words on
the key's colours). Every string a person typed goes through the papers' sanitiser, so control
characters cannot break the file, and very long text is shortened with a note, so one pasted
document cannot turn a summary into hundreds of pages (the full text stays in the tracker).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from docx.document import Document
from docx.enum.text import WD_BREAK

from tracker.formatting import format_timestamp, plural
from tracker.papers.model import NOT_RATED
from tracker.papers.template import (
    COVER_STYLE,
    TABLE_HEADING_STYLE,
    TABLE_TEXT_STYLE,
    default_template,
)
from tracker.papers.text import (
    clean_text,
    format_date,
    format_due_date,
    format_status,
)
from tracker.papers.word.docxml import (
    CellValue,
    Column,
    RagCell,
    RowStore,
    Segment,
    TableStyles,
    add_paragraph,
    add_table,
    contrast_colour,
)
from tracker.papers.word.furniture import mark_every_page, set_flow, set_style_language
from tracker.papers.word.render import save_document_bytes
from tracker.papers.word.sections import RagPalette
from tracker.services.stocktake._model import (
    EvidenceFile,
    FeedbackLine,
    MeasureLine,
    PriorityPart,
    RiskLine,
    StocktakeReport,
    Summary,
)

MARKING = "OFFICIAL"
TITLE = "Stocktake report"
CELL_LIMIT = 2000  # characters of one person's text in one table cell
SHORTENED = " … (shortened here; the full text is in the tracker)"
RAG_ROWS = ("blue", "green", "amber", "red", NOT_RATED)
FEEDBACK_STATUS = {
    "open": "Open",
    "in_progress": "In progress",
    "done": "Done",
    "closed": "Closed",
}


def shorten(text: str | None, limit: int = CELL_LIMIT) -> str:
    """``text`` cleaned for XML, cut at ``limit`` characters with a note when longer."""
    cleaned = clean_text(text or "").strip()
    if len(cleaned) <= limit:
        return cleaned
    return cleaned[:limit].rstrip() + SHORTENED


def format_size(size: int) -> str:
    """``1.2 MB``, ``340 KB``, ``12 bytes``."""
    if size >= 1_000_000:
        return f"{size / 1_000_000:,.1f} MB"
    if size >= 1_000:
        return f"{size / 1_000:,.0f} KB"
    return plural(size, "byte")


class _Writer:
    def __init__(self, report: StocktakeReport) -> None:
        self.report = report
        self.document: Document = default_template().open()
        ids = {style.name: str(style.style_id) for style in self.document.styles}
        self.ids = ids
        self.tables = TableStyles(
            table_id=ids["Table Grid"],
            text_id=ids[TABLE_TEXT_STYLE],
            heading_id=ids[TABLE_HEADING_STYLE],
        )
        self.store = RowStore()
        self.palette = RagPalette(report.rag_key)

    # --- pieces -------------------------------------------------------------------------

    def para(self, value: str | tuple[Segment, ...], style: str = "Normal") -> None:
        add_paragraph(self.document, value, style_id=self.ids[style])

    def heading(self, text: str, level: int = 1) -> None:
        self.para(text, f"Heading {level}")

    def table(self, columns: Sequence[Column], rows: Sequence[Sequence[CellValue]]) -> None:
        add_table(self.document, columns, rows, styles=self.tables, store=self.store)
        self.para("")

    def rag(self, code: str | None) -> RagCell:
        return self.palette.cell(None if code in (None, NOT_RATED) else code)

    def moment(self, at: datetime) -> str:
        return format_timestamp(at, self.report.timezone)

    def page_break(self) -> None:
        self.document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    # --- the document -------------------------------------------------------------------

    def write(self) -> bytes:
        report = self.report
        document = self.document
        mark_every_page(document, MARKING, draft=False)
        props = document.core_properties
        props.title = clean_text(f"{TITLE}: {report.period.describe()}")[:255]
        props.subject = clean_text(f"{report.partnership} stocktake pack")[:255]
        props.author = clean_text(report.generated_by)[:255]
        props.language = "en-GB"
        props.keywords = "SEND; stocktake; DfE; NHS England"
        set_style_language(document)
        set_flow(document)
        self.cover()
        self.summary(report.summary)
        self.page_break()
        for part in report.priorities:
            self.priority(part)
        self.cross_cutting()
        self.evidence_appendix(report.evidence)
        self.rag_key()
        return save_document_bytes(document, self.store)

    def cover(self) -> None:
        report = self.report
        self.para(report.partnership, COVER_STYLE)
        if report.strategy:
            self.para(report.strategy, COVER_STYLE)
        self.para(f"{TITLE}: {report.period.describe()}", "Title")
        facts = [
            ("Prepared for: ", "the DfE and NHS England stocktake"),
            ("Period: ", f"{report.period.describe()} ({plural(report.period.days, 'day')})"),
            ("Protective marking: ", MARKING),
            ("Produced: ", f"{self.moment(report.generated_at)} by {report.generated_by}"),
        ]
        for label, value in facts:
            self.para((Segment(label, bold=True), Segment(value)))

    def summary(self, s: Summary) -> None:
        self.heading("Summary")
        if s.nothing_recorded:
            self.para(
                "Nothing was recorded in this period: no updates, no impact, no evidence "
                "files, no success measure values and no changes. The positions below are "
                "the plan as it stood."
            )
        very_high = s.very_high_band.lower()
        rows: list[tuple[str, str]] = [
            ("Period", self.report.period.describe()),
            ("Actions in the plan", f"{s.actions} (withdrawn actions left out)"),
            ("Delivery position at the start", self.position(s.counts_start)),
            ("Delivery position at the end", self.position(s.counts_end)),
            (
                "Movement over the period",
                f"{s.improved} improved, {s.deteriorated} deteriorated, {s.completed} "
                f"completed, {s.new_reds} newly Red, {s.slipped} with a later due date",
            ),
            ("Actions off track (Red)", str(s.off_track)),
            ("Updates recorded", str(s.updates)),
            (
                "Impact reported",
                f"{plural(s.impact_reports, 'update')} reporting impact; impact evident on "
                f"{plural(s.impact_evident, 'action')}",
            ),
            (
                "Evidence files in this pack",
                f"{s.evidence_files} ({format_size(s.evidence_bytes)})",
            ),
            (
                "Success measures",
                f"{s.measures_on_track} on track, {s.measures_off_track} off track, "
                f"{s.measures_not_rated} not rated; {plural(s.measure_values, 'value')} "
                "entered in the period",
            ),
            ("Open risks", f"{s.open_risks}, of which {s.very_high_risks} {very_high}"),
            (
                "You said, we did",
                f"{plural(s.feedback_entries, 'entry', 'entries')} reported; "
                f"{s.feedback_closed} closed in the period",
            ),
            ("Changes in the audit trail", str(s.audit_rows)),
        ]
        self.table(
            [Column("Figure", "words", 1.0), Column("In this period", "text", 2.0)],
            [(label, value) for label, value in rows],
        )
        self.para((Segment("Delivery position (number of actions)", bold=True),))
        self.rag_counts(s.counts_start, s.counts_end)

    def position(self, counts: dict[str, int]) -> str:
        labels = {entry.code: entry.label for entry in self.report.rag_key}
        labels[NOT_RATED] = "Not rated"
        return ", ".join(f"{labels.get(code, code)} {counts.get(code, 0)}" for code in RAG_ROWS)

    def rag_counts(self, start: dict[str, int], end: dict[str, int]) -> None:
        self.table(
            [Column("Rating", "fixed"), Column("Start", "fixed"), Column("End", "fixed")],
            [(self.rag(code), str(start.get(code, 0)), str(end.get(code, 0))) for code in RAG_ROWS],
        )

    def priority(self, part: PriorityPart) -> None:
        self.heading(f"Priority {part.number}: {part.title}")
        self.heading("Delivery position and movement", 2)
        self.rag_counts(part.counts_start, part.counts_end)
        self.movement(part)
        self.heading("Impact reported", 2)
        if part.impacts:
            self.table(
                [
                    Column("Ref", "fixed"),
                    Column("Rating", "words", 0.6),
                    Column("Evidence of impact", "text", 2.0),
                    Column("Whose voice", "words", 0.8),
                    Column("Reported", "words", 0.8),
                    Column("Evidence files", "text", 1.0),
                ],
                [
                    (
                        line.reference,
                        shorten(line.rating) or "Not rated",
                        shorten(line.evidence) or "No words given",
                        ", ".join(shorten(v, 80) for v in line.voices) or "Not said",
                        f"{format_date(line.at)} by {line.by}",
                        "\n".join(line.files) or "None attached",
                    )
                    for line in part.impacts
                ],
            )
        else:
            self.para("No impact was reported in this period.")
        if part.other_evidence:
            self.para((Segment("Other evidence added in the period", bold=True),))
            self.evidence_table(part.other_evidence)
        self.heading("Success measures", 2)
        self.measures(part.measures)
        self.heading("You said, we did", 2)
        self.feedback(part.feedback, empty="No entries for this priority in the period.")
        self.heading("Open risks", 2)
        self.risks(part.risks, empty="No open risks threaten this priority.")
        self.heading("Actions off track", 2)
        if part.off_track:
            self.table(
                [
                    Column("Ref", "fixed"),
                    Column("Action", "text", 1.2),
                    Column("Owner", "words", 0.6),
                    Column("Due", "fixed"),
                    Column("Path to green", "text", 1.6),
                ],
                [
                    (
                        line.reference,
                        shorten(line.title, 300),
                        line.owner,
                        format_due_date(line.due_date, confirmed=line.due_confirmed),
                        shorten(line.path_to_green) or "No path to green given",
                    )
                    for line in part.off_track
                ],
            )
        else:
            self.para("No action under this priority is off track at the end of the period.")

    def movement(self, part: PriorityPart) -> None:
        movement = part.movement
        kinds = (
            ("Improved", movement.improved),
            ("Deteriorated", movement.deteriorated),
            ("Newly Red", movement.new_reds),
            ("Due date later", movement.slipped),
            ("Completed", movement.completed),
        )
        rows: list[tuple[CellValue, ...]] = []
        for label, items in kinds:
            for item in items:
                due = ""
                if item.from_due != item.to_due and item.to_due is not None:
                    due = f"{format_date(item.from_due)} to {format_date(item.to_due)}"
                rows.append(
                    (
                        item.reference,
                        shorten(item.title, 300),
                        label,
                        self.rag(item.from_rag),
                        self.rag(item.to_rag),
                        due or shorten(item.note, 300),
                    )
                )
        if not rows:
            self.para("No action changed rating, completed or moved its due date in the period.")
            return
        self.table(
            [
                Column("Ref", "fixed"),
                Column("Action", "text", 1.6),
                Column("Movement", "words", 0.6),
                Column("Start", "fixed"),
                Column("End", "fixed"),
                Column("Due date / note", "text", 1.0),
            ],
            rows,
        )

    def evidence_table(self, files: Sequence[EvidenceFile]) -> None:
        self.table(
            [
                Column("Ref", "fixed"),
                Column("File", "text", 1.4),
                Column("Note", "text", 1.4),
                Column("Added", "words", 0.8),
                Column("Size", "fixed"),
            ],
            [
                (
                    f.reference,
                    f.path.rpartition("/")[2]
                    + (
                        f"\nSuperseded {format_date(f.superseded_at)}"
                        if f.superseded_at is not None
                        else ""
                    ),
                    shorten(f.note, 500),
                    f"{format_date(f.added_at)} by {f.added_by}",
                    format_size(f.size_bytes),
                )
                for f in files
            ],
        )

    def measures(self, lines: Sequence[MeasureLine]) -> None:
        if not lines:
            self.para("No success measures under this priority.")
            return
        self.table(
            [
                Column("Ref", "fixed"),
                Column("Measure", "text", 1.6),
                Column("Baseline and target", "text", 0.9),
                Column("Latest (trajectory)", "text", 0.9),
                Column("Travel", "words", 0.5),
                Column("Rating", "fixed"),
                Column("Comparators", "text", 1.0),
            ],
            [
                (
                    line.reference,
                    shorten(line.wording, 500),
                    f"{line.baseline}\nTarget {line.target}",
                    line.latest
                    + (f"\nTrajectory {line.expected}" if line.expected else "")
                    + (f"\nBefore: {line.previous}" if line.previous else "")
                    + f"\n{plural(line.values_in_period, 'value')} this period",
                    line.direction_of_travel,
                    self.rag(line.rag),
                    shorten(line.comparators, 500) or "None published",
                )
                for line in lines
            ],
        )

    def feedback(self, lines: Sequence[FeedbackLine], *, empty: str) -> None:
        if not lines:
            self.para(empty)
            return
        self.table(
            [
                Column("Ref", "fixed"),
                Column("You said", "text", 1.2),
                Column("We did", "text", 1.2),
                Column("Impact", "text", 1.0),
                Column("Status", "words", 0.5),
            ],
            [
                (
                    line.reference,
                    f"{shorten(line.said)}\n({shorten(line.source, 120)}"
                    + (f", {format_date(line.heard_on)}" if line.heard_on else "")
                    + ")",
                    shorten(line.we_did) or "Nothing recorded yet",
                    shorten(line.impact) or "Not yet known",
                    FEEDBACK_STATUS.get(line.status, format_status(line.status))
                    + (" (closed in this period)" if line.closed_in_period else "")
                    + (f"\nActions: {', '.join(line.actions)}" if line.actions else ""),
                )
                for line in lines
            ],
        )

    def risks(self, lines: Sequence[RiskLine], *, empty: str) -> None:
        if not lines:
            self.para(empty)
            return
        self.table(
            [
                Column("Ref", "fixed"),
                Column("Risk", "text", 1.2),
                Column("Score", "words", 0.5),
                Column("Movement", "words", 0.6),
                Column("Open mitigations", "text", 1.2),
                Column("Owner", "words", 0.6),
            ],
            [
                (
                    line.reference,
                    shorten(line.title, 300),
                    RagCell(
                        f"{line.score} {line.band}",
                        line.band_colour[1:].upper(),
                        contrast_colour(line.band_colour[1:].upper()),
                    ),
                    line.movement,
                    "\n".join(shorten(m, 400) for m in line.mitigations) or "None open",
                    line.owner,
                )
                for line in lines
            ],
        )

    def cross_cutting(self) -> None:
        report = self.report
        if not (report.unlinked_feedback or report.unlinked_risks):
            return
        self.heading("Across the plan")
        if report.unlinked_feedback:
            self.heading("You said, we did: not linked to a priority", 2)
            self.feedback(report.unlinked_feedback, empty="")
        if report.unlinked_risks:
            self.heading("Open risks not linked to a priority", 2)
            self.risks(report.unlinked_risks, empty="")

    def evidence_appendix(self, files: Sequence[EvidenceFile]) -> None:
        self.heading("Appendix: evidence files in this pack")
        if not files:
            self.para("No evidence files were added in this period.")
            return
        self.para(
            "Each file is in the pack's evidence folder under its action's reference; "
            "evidence-index.xlsx and evidence-index.csv give each file's SHA-256 checksum."
        )
        self.table(
            [
                Column("Ref", "fixed"),
                Column("File in the pack", "text", 2.0),
                Column("Added", "words", 0.8),
                Column("Size", "fixed"),
            ],
            [
                (
                    f.reference,
                    f.path
                    + (
                        f"\nSuperseded {format_date(f.superseded_at)}"
                        if f.superseded_at is not None
                        else ""
                    ),
                    f"{format_date(f.added_at)} by {f.added_by}",
                    format_size(f.size_bytes),
                )
                for f in files
            ],
        )

    def rag_key(self) -> None:
        self.heading("RAG key", 2)
        self.table(
            [Column("Rating", "fixed"), Column("Meaning", "text")],
            [(self.rag(entry.code), entry.definition) for entry in self.report.rag_key],
        )


def render_report(report: StocktakeReport) -> bytes:
    """The report as the bytes of a .docx file."""
    return _Writer(report).write()
