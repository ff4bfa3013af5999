"""Benchmark the stocktake pack: 150 actions, 300 evidence files totalling about 300 MB.

Target (issue 14): the pack in under 30 s and under 300 MB peak memory, on SQLite and
PostgreSQL. The script builds a database (the seeded strategy grown to 150 actions, two
updates each in the quarter, half of them reporting impact, 300 evidence files of random bytes
behind a PDF header, 0.2 to 1.8 MB each, stored as the evidence service stores them: rows of
``CHUNK_BYTES``), then makes the pack in a fresh process, so its peak RSS (``ru_maxrss``) is
the pack's alone, and checks it (every evidence file's SHA-256 against the stored one). The
report's PDF is made by LibreOffice, a separate process whose memory is not in that figure
(``--no-pdf`` leaves it out). With TRACKER_BENCH_PG_URL (a server URL; a scratch database is
created and dropped) it repeats the run on PostgreSQL. Exits 1 if a target is missed.

    .venv/bin/python bench/stocktake.py [--files 300] [--megabytes 300] [--no-pdf]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import uuid
import zipfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, insert, text
from sqlalchemy.engine import make_url
from sqlmodel import select

from tracker.db import make_engine, session_scope
from tracker.governance import load_governance
from tracker.models import Action, ActionUpdate, Evidence, EvidenceChunk, Person, Priority
from tracker.permissions import Actor
from tracker.seed import seed_strategy
from tracker.services.evidence import CHUNK_BYTES
from tracker.services.operations import initialise_database

GOVERNANCE = Path(__file__).resolve().parent.parent / "governance.yaml"
ACTIONS = 150
PERIOD = (date(2026, 9, 1), date(2026, 11, 30))
NOW = datetime(2026, 12, 1, 9, tzinfo=UTC)
TARGET_SECONDS = 30.0
TARGET_MB = 300.0
HEADER = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"


def _moment(rng: random.Random) -> datetime:
    start = datetime(2026, 9, 1, 8, tzinfo=UTC)
    return start + timedelta(minutes=rng.randrange(0, 88 * 24 * 60))


def build(url: str, *, files: int, megabytes: int) -> int:
    """The database the pack is made from; returns the evidence bytes stored."""
    engine = make_engine(url)
    initialise_database(engine, governance_file=GOVERNANCE, seed=seed_strategy)
    rng = random.Random(14)
    with session_scope(engine, write=True) as session:
        priorities = session.exec(select(Priority.id)).all()
        people = [p for p in session.exec(select(Person.id)).all() if p]
        count = len(session.exec(select(Action.id)).all())
        for number in range(count + 1, ACTIONS + 1):
            session.add(
                Action(
                    reference=f"P{number % 5 + 1}.{100 + number}",
                    title=f"Bench action {number}: joint commissioning of a local offer",
                    priority_id=priorities[number % len(priorities)] or 0,
                    owner_id=rng.choice(people),
                    due_date=date(2027, 3, 31),
                    status="in_progress",
                    rag="amber",
                )
            )
        session.flush()
        actions = [a for a in session.exec(select(Action.id)).all() if a]
        update_ids: list[int] = []
        for index, action in enumerate(actions):
            for round_ in range(2):
                update = ActionUpdate(
                    action_id=action,
                    rag=rng.choice(["green", "amber", "red"]),
                    status="in_progress",
                    commentary="Progress reported to the board; next steps agreed.",
                    path_to_green="Recovery plan with the workstream lead.",
                    impact_rating="Impact evident" if (index + round_) % 2 else None,
                    impact_evidence="Families report shorter waits."
                    if (index + round_) % 2
                    else None,
                    impact_voices=["families"],
                    created_by_id=rng.choice(people),
                    created_at=_moment(rng),
                )
                session.add(update)
                session.flush()
                update_ids.append(update.id or 0)
    average = megabytes * 1_000_000 // files
    stored = 0
    for number in range(files):
        size = rng.randint(average // 5, average * 9 // 5)
        data = HEADER + os.urandom(size - len(HEADER))
        stored += len(data)
        with session_scope(engine, write=True) as session:
            evidence = Evidence(
                action_id=actions[number % len(actions)],
                update_id=update_ids[number % len(update_ids)] if number % 3 == 0 else None,
                filename=f"evidence-{number % 40}.pdf",  # repeats: numbered in the pack
                content_type="application/pdf",
                kind="pdf",
                size_bytes=len(data),
                sha256=hashlib.sha256(data).hexdigest(),
                note=f"Evidence file {number}",
                added_by_id=rng.choice(people),
                added_at=_moment(rng),
            )
            session.add(evidence)
            session.flush()
            session.execute(
                insert(EvidenceChunk),
                [
                    {"evidence_id": evidence.id, "seq": seq, "data": data[i : i + CHUNK_BYTES]}
                    for seq, i in enumerate(range(0, len(data), CHUNK_BYTES))
                ],
            )
        del data
    engine.dispose()
    return stored


def make_pack(url: str, output: str, pdf: bool) -> None:
    """In its own process: make the pack, print seconds and peak RSS as JSON."""
    from tracker.services.stocktake import generate_stocktake

    class NoPdf:
        def convert(self, docx: bytes) -> bytes:
            from tracker.papers.pdf import PdfUnavailable

            raise PdfUnavailable("left out (--no-pdf)")

    engine = make_engine(url)
    started = time.perf_counter()
    pack = generate_stocktake(
        engine,
        actor=Actor.for_operator("bench"),
        governance=load_governance(GOVERNANCE),
        output=Path(output),
        period_from=PERIOD[0],
        period_to=PERIOD[1],
        now=NOW,
        pdf_converter=None if pdf else NoPdf(),
    )
    seconds = time.perf_counter() - started
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)  # LibreOffice
    figures = {
        "seconds": seconds,
        "cpu": own.ru_utime + own.ru_stime,
        "pdf_cpu": children.ru_utime + children.ru_stime,
        "rss_mb": own.ru_maxrss / 1024,
        "size": pack.size_bytes,
    }
    print(json.dumps(figures))


def check(output: Path, url: str) -> int:
    """Every evidence file in the pack matches the SHA-256 stored for it; returns the count."""
    manifest_files = 0
    with zipfile.ZipFile(output) as archive:
        index = archive.read("evidence-index.csv").decode("utf-8-sig").splitlines()[1:]
        manifest = json.loads(archive.read("manifest.json"))
        listed = {f["path"]: f["sha256"] for f in manifest["files"]}
        for name in archive.namelist():
            if not name.startswith("evidence/"):
                continue
            digest = hashlib.sha256()
            with archive.open(name) as member:
                while block := member.read(1 << 20):
                    digest.update(block)
            assert digest.hexdigest() == listed[name], name
            manifest_files += 1
    engine = make_engine(url)
    with session_scope(engine) as session:
        stored = {e.sha256 for e in session.exec(select(Evidence)).all()}
    engine.dispose()
    assert set(v for k, v in listed.items() if k.startswith("evidence/")) == stored
    assert len(index) == manifest_files
    return manifest_files


def run(url: str, label: str, *, files: int, megabytes: int, pdf: bool) -> bool:
    started = time.perf_counter()
    stored = build(url, files=files, megabytes=megabytes)
    print(
        f"\n{label}: {ACTIONS} actions, {files} evidence files, {stored / 1e6:.0f} MB "
        f"(built in {time.perf_counter() - started:.0f} s)"
    )
    with tempfile.TemporaryDirectory() as folder:
        output = Path(folder) / "pack.zip"
        child = subprocess.run(
            [sys.executable, __file__, "--pack", url, str(output), "--pdf" if pdf else "--no-pdf"],
            capture_output=True,
            text=True,
            check=True,
        )
        figures = json.loads(child.stdout.strip().splitlines()[-1])
        checked = check(output, url)
    ok = figures["seconds"] < TARGET_SECONDS and figures["rss_mb"] < TARGET_MB
    print(
        f"  pack: {figures['seconds']:.1f} s wall ({figures['cpu']:.1f} s CPU, LibreOffice "
        f"{figures['pdf_cpu']:.1f} s CPU), peak RSS {figures['rss_mb']:.0f} MB, zip "
        f"{figures['size'] / 1e6:.0f} MB, {checked} evidence files checked "
        f"({'within' if ok else 'OVER'} {TARGET_SECONDS:.0f} s / {TARGET_MB:.0f} MB)"
    )
    return ok


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--pack":
        make_pack(sys.argv[2], sys.argv[3], sys.argv[4] == "--pdf")
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=300)
    parser.add_argument("--megabytes", type=int, default=300)
    parser.add_argument("--no-pdf", action="store_true")
    args = parser.parse_args()
    options = {"files": args.files, "megabytes": args.megabytes, "pdf": not args.no_pdf}
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        results.append(run(f"sqlite:///{tmp}/bench.db", "SQLite", **options))  # type: ignore[arg-type]
    server = os.environ.get("TRACKER_BENCH_PG_URL")
    if server:
        name = f"tracker_bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(
            make_url(server).set(database="postgres"), isolation_level="AUTOCOMMIT"
        )
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            url = make_url(server).set(database=name).render_as_string(hide_password=False)
            results.append(run(url, "PostgreSQL", **options))  # type: ignore[arg-type]
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    else:
        print("\n(PostgreSQL skipped: set TRACKER_BENCH_PG_URL to include it)")
    sys.exit(0 if all(results) else 1)


if __name__ == "__main__":
    main()
