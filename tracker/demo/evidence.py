"""The demonstration's evidence files: the minutes, survey results and data extracts that a
partnership attaches to its actions, made in code (a PDF, a Word document, a CSV).

Each file is written the way the people who own those actions would have written it, attached
through the evidence service by the action's owner (so the checks, the checksum and the audit
trail are those of a real upload) to its latest update before the day it was added, and some
are marked shareable so a partner representative sees them too. A file whose action the
database does not hold is left out.
"""

from __future__ import annotations

import csv
import io
import random
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from docx import Document
from sqlmodel import Session, col, select

from tracker.models import Action, ActionUpdate
from tracker.permissions import Actor
from tracker.services.evidence import add_evidence, supersede_evidence
from tracker.services.people import actor_by_id


def make_pdf(title: str, lines: list[str]) -> bytes:
    """A small, valid one-page PDF (Helvetica text), built byte by byte."""

    def escape(text: str) -> str:
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    body = ["BT", "/F1 16 Tf", "56 780 Td", f"({escape(title)}) Tj", "/F1 11 Tf", "0 -28 Td"]
    for line in lines:
        body += [f"({escape(line)}) Tj", "0 -16 Td"]
    body.append("ET")
    stream = "\n".join(body).encode("cp1252", errors="replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, content in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + content + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def make_docx(title: str, paragraphs: list[str], *, written: date | None = None) -> bytes:
    """A Word document; the same words and day give the same bytes (so the same checksum)."""
    document = Document()
    moment = datetime.combine(written or date(2026, 1, 1), time(9), UTC).replace(tzinfo=None)
    properties = document.core_properties
    properties.title, properties.author = title, "Lancashire SEND Partnership"
    properties.created = properties.modified = properties.last_printed = moment
    document.add_heading(title, level=1)
    for text in paragraphs:
        document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    # python-docx stamps each part with the time of saving: fix them to the day written.
    fixed = io.BytesIO()
    stamp = (moment.year, moment.month, moment.day, 9, 0, 0)
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(fixed, "w") as target:
        for info in source.infolist():
            part = zipfile.ZipInfo(info.filename, date_time=stamp)
            part.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(part, source.read(info))
    return fixed.getvalue()


def make_csv(header: list[str], rows: list[list[object]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def _day(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def _ehcp_extract(rng: random.Random, today: date) -> bytes:
    rows: list[list[object]] = []
    for back in range(12, 0, -1):
        month = (today.replace(day=1) - timedelta(days=30 * back)).strftime("%Y-%m")
        issued = rng.randint(140, 210)
        rows.append([month, issued, round(issued * rng.uniform(0.38, 0.66)), "Lancashire"])
    for row in rows:
        row.append(f"{100 * int(str(row[2])) / int(str(row[1])):.1f}")
    return make_csv(["month", "plans_issued", "within_20_weeks", "area", "percent"], rows)


@dataclass(frozen=True)
class DemoFile:
    reference: str
    filename: str
    note: str
    days_ago: int
    shareable: bool
    make: Callable[[random.Random, date], bytes]


FILES: tuple[DemoFile, ...] = (
    DemoFile(
        "P2.3",
        "EHCP timeliness extract.csv",
        "Monthly EHCPs issued and the number finalised within 20 weeks, from the case system.",
        20,
        False,
        _ehcp_extract,
    ),
    DemoFile(
        "P2.3",
        "EP service recruitment update.pdf",
        "Recruitment position reported to the Operations Board.",
        45,
        True,
        lambda _rng, today: make_pdf(
            "Educational Psychology service: recruitment update",
            [
                f"Position at {_day(today - timedelta(days=45))}.",
                "Two trainee educational psychologists started in September.",
                "Vacancy rate 24%, down from 28% in the spring.",
                "Statutory advice returned within 6 weeks in 71% of cases.",
            ],
        ),
    ),
    DemoFile(
        "P1.1",
        "Parent Carer Forum workshop notes.docx",
        "Notes of the co-production workshop with the Parent Carer Forum.",
        60,
        True,
        lambda _rng, today: make_docx(
            "Co-production workshop with the Lancashire Parent Carer Forum",
            [
                f"Held on {_day(today - timedelta(days=61))} with 23 parents and carers.",
                "Families asked for one named contact while a plan is being written.",
                "The draft communication charter was agreed, with two changes.",
                "Actions: publish the charter; report back to the Forum in three months.",
            ],
            written=today - timedelta(days=60),
        ),
    ),
    DemoFile(
        "P3.1",
        "Neurodevelopmental pathway waiting list.csv",
        "Waiting list by age band at the month end, from the ICB's provider returns.",
        30,
        False,
        lambda rng, _today: make_csv(
            ["age_band", "waiting", "waiting_over_52_weeks"],
            [
                [band, rng.randint(300, 1400), rng.randint(40, 400)]
                for band in ("0-4", "5-11", "12-18")
            ],
        ),
    ),
    DemoFile(
        "P2.1",
        "Annual review audit summary.pdf",
        "Quality assurance audit of 40 annual reviews (first draft; replaced below).",
        90,
        False,
        lambda _rng, _today: make_pdf(
            "Annual review audit: draft summary",
            ["40 annual reviews audited.", "Draft for discussion: figures to be checked."],
        ),
    ),
    DemoFile(
        "P2.1",
        "Annual review audit summary (final).pdf",
        "Quality assurance audit of 40 annual reviews, as agreed by the Operations Board.",
        75,
        True,
        lambda _rng, _today: make_pdf(
            "Annual review audit: summary",
            [
                "40 annual reviews audited across the three localities.",
                "31 (78%) were rated good or better, up from 58% a year earlier.",
                "The child's voice was recorded in 36 of the 40 reviews.",
            ],
        ),
    ),
)
SUPERSEDED = (("Annual review audit summary.pdf", "Replaced by the final summary"),)


def _latest_update(session: Session, action_id: int, before: datetime) -> int | None:
    return session.exec(
        select(ActionUpdate.id)
        .where(ActionUpdate.action_id == action_id, col(ActionUpdate.created_at) <= before)
        .order_by(col(ActionUpdate.created_at).desc())
    ).first()


def add_demo_evidence(session: Session, *, rng: random.Random, today: date, fallback: Actor) -> int:
    """Attach the demonstration's files to their actions; returns how many were added."""
    added: dict[str, int] = {}
    for demo in FILES:
        action = session.exec(select(Action).where(Action.reference == demo.reference)).first()
        if action is None or action.id is None:
            continue
        actor = actor_by_id(session, action.owner_id) if action.owner_id else fallback
        if not actor.active:
            actor = fallback
        moment = datetime.combine(today - timedelta(days=demo.days_ago), time(10, 30), UTC)
        evidence = add_evidence(
            session,
            actor,
            demo.reference,
            io.BytesIO(demo.make(rng, today)),
            demo.filename,
            note=demo.note,
            update_id=_latest_update(session, action.id, moment),
            shareable=demo.shareable,
            now=moment,
        )
        assert evidence.id is not None
        added[demo.filename] = evidence.id
    for filename, reason in SUPERSEDED:
        if filename in added:
            evidence_id = added[filename]
            supersede_evidence(
                session,
                fallback,
                evidence_id,
                reason,
                now=datetime.combine(today - timedelta(days=75), time(11), UTC),
            )
    return len(added)
