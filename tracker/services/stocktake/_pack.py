"""Build a stocktake pack: one zip written entry by entry, then recorded and audited.

Nothing is held whole in memory: each entry is written through ``ZipFile.open(name, "w")``,
evidence files are copied a chunk at a time from their store (``iter_content``), and the audit
extract is written row by row. Evidence is stored uncompressed (PDFs, Office files and images
are compressed already, and deflating 300 MB would only cost time); the generated files are
deflated. Every evidence file is checked on the way through against the checksum and size
recorded at upload: a file that no longer matches stops the pack, naming it, for a pack must
never carry something other than what was uploaded.

The zip is written to a temporary file beside the destination and renamed over it only when
complete and recorded, so a failure at any point leaves no half pack (and no record of one).
The report's PDF is made by LibreOffice, in its own process, while the evidence is copied.
The database is read in one transaction (repeatable read on PostgreSQL), so every figure in
the report, the index and the manifest comes from the same moment.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import zipfile
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import Engine
from sqlmodel import Session

from tracker import clock
from tracker.db import session_scope
from tracker.errors import InvalidInput, OperationFailed, TrackerError
from tracker.formatting import local_time
from tracker.governance import GovernanceConfig
from tracker.models import Stocktake
from tracker.papers.pdf import LibreOfficeConverter, PdfConverter
from tracker.permissions import Actor, Operation, PermissionDenied, can
from tracker.services.audit import record_event
from tracker.services.evidence import iter_content
from tracker.services.measures import latest_comparators, list_measure_summaries
from tracker.services.stocktake._gather import gather_report
from tracker.services.stocktake._model import EvidenceFile, StocktakeReport
from tracker.services.stocktake._period import resolve_period
from tracker.services.stocktake._report import render_report
from tracker.services.stocktake._sources import (
    iter_audit_rows,
    iter_measure_values,
    load_evidence,
    people_names,
)
from tracker.services.stocktake._tables import (
    evidence_index_csv,
    evidence_index_xlsx,
    measures_xlsx,
    write_audit_csv,
)

AUDIT_ENTITY = "stocktake"
REPORT_DOCX = "stocktake-report.docx"
REPORT_PDF = "stocktake-report.pdf"
MANIFEST = "manifest.json"
HASH_BLOCK = 1 << 20
EVIDENCE_POLICY = (
    "Every evidence file added in the period is included, byte for byte as uploaded, under "
    "evidence/<action reference>/. Files since marked superseded are included too and marked "
    "so in the evidence index (they were the evidence at the time); files deleted by an "
    "administrator are not. Two files of one name in one folder are numbered: name (2).pdf."
)


@dataclass(frozen=True)
class PackEntry:
    path: str
    sha256: str
    size_bytes: int


@dataclass(frozen=True)
class StocktakeInfo:
    """A stocktake as lists show it."""

    id: int
    period_from: date
    period_to: date
    filename: str
    sha256: str
    size_bytes: int
    counts: dict[str, Any]
    generated_by: str
    generated_at: datetime


@dataclass(frozen=True)
class GeneratedPack(StocktakeInfo):
    path: Path
    entries: tuple[PackEntry, ...]  # every file in the zip, the manifest last
    pdf_note: str | None  # why the PDF is missing, when it is


def require_stocktake(actor: Actor) -> None:
    """Administrators and board secretaries make stocktake packs (and operators)."""
    if not can(actor, Operation.GENERATE_STOCKTAKE):
        raise PermissionDenied(
            f"{actor.name} may not make or download stocktake packs: that is for "
            "administrators and board secretaries"
            + ("" if actor.active else " (account inactive)"),
            actor=actor,
            operation=Operation.GENERATE_STOCKTAKE.value,
        )


def check_output(output: Path) -> None:
    """Refuse a destination the pack could not be written to, before any work is done."""
    if output.is_dir():
        raise _output_error(f"{output} is a folder; give the pack's file name, e.g. pack.zip")
    folder = output.parent
    if not folder.is_dir():
        raise _output_error(f"the folder {folder} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise _output_error(f"the folder {folder} cannot be written to")
    if output.exists() and not os.access(output, os.W_OK):
        raise _output_error(f"{output} exists and cannot be replaced")


def _output_error(message: str) -> InvalidInput:
    error = InvalidInput(message)
    error.fields = {"output": message}
    return error


class _Pack:
    """The zip being written, recording each entry's checksum and size for the manifest."""

    def __init__(self, archive: zipfile.ZipFile, moment: datetime) -> None:
        self.archive = archive
        stamp = moment.timetuple()[:6]
        self.date_time = (max(stamp[0], 1980), *stamp[1:])
        self.entries: list[PackEntry] = []

    def _info(self, path: str, *, compress: bool) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(path, date_time=self.date_time)
        info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
        info.external_attr = 0o600 << 16
        return info

    def add(self, path: str, data: bytes) -> None:
        self.add_chunks(path, [data], compress=True)

    def add_chunks(
        self, path: str, chunks: Iterable[bytes], *, compress: bool, large: bool = False
    ) -> PackEntry:
        digest, size = hashlib.sha256(), 0
        with self.archive.open(self._info(path, compress=compress), "w", force_zip64=large) as out:
            for chunk in chunks:
                digest.update(chunk)
                size += len(chunk)
                out.write(chunk)
        entry = PackEntry(path, digest.hexdigest(), size)
        self.entries.append(entry)
        return entry

    def add_written(self, path: str, write: Callable[[IO[bytes]], None]) -> None:
        """An entry written by ``write`` to a stream, hashed on the way through."""
        info = self._info(path, compress=True)
        with self.archive.open(info, "w", force_zip64=True) as out:
            hashing = _Hashing(out)
            write(cast(IO[bytes], hashing))
        self.entries.append(PackEntry(path, hashing.digest.hexdigest(), hashing.size))


class _Hashing:
    """A write-only stream that hashes and counts what passes through it."""

    def __init__(self, target: IO[bytes]) -> None:
        self.target = target
        self.digest = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> int:
        self.digest.update(data)
        self.size += len(data)
        self.target.write(data)
        return len(data)

    def writable(self) -> bool:
        return True

    def readable(self) -> bool:
        return False

    def seekable(self) -> bool:
        return False

    def flush(self) -> None:
        return None

    @property
    def closed(self) -> bool:
        return False


def _copy_evidence(
    session: Session, pack: _Pack, item: EvidenceFile, store_dir: Path | None
) -> None:
    evidence = load_evidence(session, item.id)
    try:
        entry = pack.add_chunks(
            item.path,
            iter_content(session, evidence, store_dir),
            compress=False,
            large=item.size_bytes >= 1 << 31,
        )
    except FileNotFoundError as error:
        raise OperationFailed(
            f"evidence file {item.filename!r} on {item.reference} cannot be read ({error}); "
            "no pack was written"
        ) from None
    finally:
        session.expunge(evidence)
    if entry.sha256 != item.sha256 or entry.size_bytes != item.size_bytes:
        raise OperationFailed(
            f"evidence file {item.filename!r} on {item.reference} (added "
            f"{item.added_at:%Y-%m-%d}) no longer matches the checksum recorded when it was "
            "uploaded; no pack was written. Ask an administrator to check the evidence store."
        )


def _comparator_rows(session: Session, as_of: date) -> list[tuple[Any, ...]]:
    summaries = list_measure_summaries(session, as_of=as_of)
    published = latest_comparators(session, [s.id for s in summaries], as_of=as_of)
    rows: list[tuple[Any, ...]] = []
    for summary in summaries:
        found = published.get(summary.id)
        if found is None:
            continue
        for figure in found.figures:
            rows.append(
                (
                    summary.reference,
                    found.period_label,
                    figure.area_name,
                    figure.area_kind,
                    "" if figure.value is None else f"{figure.value:g}",
                    figure.missing_reason or "",
                    found.dataset,
                )
            )
    return rows


def _pdf(converter: PdfConverter, docx: bytes) -> tuple[bytes | None, str | None]:
    try:
        return converter.convert(docx), None
    except TrackerError as error:  # LibreOffice missing, or it failed: the Word report stands
        return None, f"No PDF in this pack: {error}"


def _manifest(report: StocktakeReport, entries: list[PackEntry], pdf_note: str | None) -> bytes:
    start, end = report.period.start, report.period.end
    manifest = {
        "pack": "SEND stocktake pack",
        "partnership": report.partnership,
        "period": {"from": start.isoformat(), "to": end.isoformat(), "days": report.period.days},
        "timezone": report.timezone,
        "generated_at": local_time(report.generated_at, report.timezone).isoformat(),
        "generated_by": report.generated_by,
        "report": {
            "word": REPORT_DOCX,
            "pdf": None if pdf_note else REPORT_PDF,
            "pdf_note": pdf_note,
        },
        "evidence_policy": EVIDENCE_POLICY,
        "counts": report.summary.as_counts(),
        "files_note": "Every file in the pack except this manifest, with its SHA-256 and size.",
        "files": [
            {"path": e.path, "sha256": e.sha256, "size_bytes": e.size_bytes} for e in entries
        ],
    }
    return json.dumps(manifest, indent=2, ensure_ascii=False).encode("utf-8")


def _write_zip(
    session: Session,
    handle: IO[bytes],
    report: StocktakeReport,
    *,
    converter: PdfConverter,
    store_dir: Path | None,
) -> tuple[list[PackEntry], str | None]:
    zone = report.timezone
    start, end = report.period.moments(zone)
    with zipfile.ZipFile(handle, "w", allowZip64=True) as archive:
        pack = _Pack(archive, local_time(report.generated_at, zone))
        docx = render_report(report)
        pack.add(REPORT_DOCX, docx)
        # LibreOffice converts in its own process while the evidence is copied.
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="stocktake-pdf") as pool:
            converting = pool.submit(_pdf, converter, docx)
            del docx
            try:
                for item in report.evidence:
                    _copy_evidence(session, pack, item, store_dir)
            except BaseException:
                converting.cancel()
                raise
            pdf, pdf_note = converting.result()
        if pdf is not None:
            pack.add(REPORT_PDF, pdf)
            del pdf
        pack.add("evidence-index.xlsx", evidence_index_xlsx(report.evidence, zone))
        pack.add("evidence-index.csv", evidence_index_csv(report.evidence, zone))
        names = people_names(session)
        pack.add(
            "measures.xlsx",
            measures_xlsx(
                iter_measure_values(session, start=start, end=end, names=names),
                _comparator_rows(session, report.period.end),
                zone,
            ),
        )
        pack.add_written(
            "audit-extract.csv",
            lambda out: write_audit_csv(out, iter_audit_rows(session, start=start, end=end), zone),
        )
        pack.add(MANIFEST, _manifest(report, list(pack.entries), pdf_note))
    return list(pack.entries), pdf_note


def _file_sha256(path: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with path.open("rb") as handle:
        while block := handle.read(HASH_BLOCK):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size


def _consistent_reads(session: Session) -> None:
    """One snapshot for the whole pack on PostgreSQL (SQLite's read transaction is one)."""
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})


def generate_stocktake(
    engine: Engine,
    *,
    actor: Actor,
    governance: GovernanceConfig,
    output: Path,
    period_from: date | None = None,
    period_to: date | None = None,
    now: datetime | None = None,
    evidence_dir: Path | None = None,
    pdf_converter: PdfConverter | None = None,
) -> GeneratedPack:
    """Write the stocktake pack for the period (by default since the last stocktake) to
        ``output``, record it and audit it. Administrators and secretaries (and operators).

        The report's PDF is made by LibreOffice, in its own process, while the evidence is copied.
    The database is read in one transaction and the record written in a second, short one,
        so a pack of hundreds of megabytes never holds the write lock while it is copied."""
    zone = governance.partnership.timezone
    # On the pinned day when TRACKER_TODAY is set (a demonstration, a test).
    now = now or clock.local_now(ZoneInfo(zone))
    today = local_time(now, zone).date()
    output = output.absolute()
    check_output(output)
    converter = pdf_converter or LibreOfficeConverter()
    try:
        # mkstemp: mode 0600, a name nobody guessed, beside the destination (same file system,
        # so the final rename is atomic).
        descriptor, temp_name = tempfile.mkstemp(dir=output.parent, prefix=f".{output.name}.")
    except OSError as error:
        raise _output_error(f"the folder {output.parent} cannot be written to: {error}") from None
    temp = Path(temp_name)
    handle = os.fdopen(descriptor, "wb")
    placed = False
    try:
        with session_scope(engine) as session:
            _consistent_reads(session)
            require_stocktake(actor)
            period = resolve_period(
                session, period_from=period_from, period_to=period_to, today=today
            )
            report = gather_report(
                session, governance=governance, period=period, now=now, generated_by=actor.name
            )
            with handle:
                entries, pdf_note = _write_zip(
                    session, handle, report, converter=converter, store_dir=evidence_dir
                )
                handle.flush()
                os.fsync(handle.fileno())
        sha256, size = _file_sha256(temp)
        counts = report.summary.as_counts() | {"files": len(entries), "pdf": not pdf_note}
        with session_scope(engine, write=True) as session:
            row = Stocktake(
                period_from=period.start,
                period_to=period.end,
                filename=output.name[:300],
                sha256=sha256,
                size_bytes=size,
                counts=counts,
                generated_by_id=actor.person_id,
                generated_at=now,
            )
            session.add(row)
            session.flush()
            record_event(
                session,
                actor=actor,
                entity=AUDIT_ENTITY,
                entity_id=row.id,
                entity_label=output.name,
                field="generated",
                detail=(
                    f"{period.start.isoformat()} to {period.end.isoformat()}: "
                    f"{len(entries)} files, {size} bytes, sha256 {sha256}"
                ),
            )
            os.replace(temp, output)
            placed = True
            row_id = row.id or 0
    except BaseException:
        handle.close()
        if placed:
            output.unlink(missing_ok=True)  # recorded nowhere: not a pack anyone should send
        temp.unlink(missing_ok=True)
        raise
    return GeneratedPack(
        id=row_id,
        period_from=period.start,
        period_to=period.end,
        filename=output.name,
        sha256=sha256,
        size_bytes=size,
        counts=counts,
        generated_by=actor.name,
        generated_at=now,
        path=output,
        entries=tuple(entries),
        pdf_note=pdf_note,
    )
