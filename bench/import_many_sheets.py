"""Benchmark the dry run of a plan kept the way teams keep it, against today's single sheet.

"many": a workbook of ``--rows`` actions over 5 sheets named "Priority 1" to "Priority 5"
(the priority from the sheet's name and from a Priority cell merged down every 25 rows), plus
a cover sheet; a "No." column of bare numbers (1, 2, ...), RAG only as the fill colour of the
Progress cell (standard, theme and tinted fills), and due dates written as quarters and months.
"single": the same actions on one sheet, references P1.1 ... and RAG typed as words, no fills,
no merges: the shape the importer read before.

Each variant's dry run runs in a fresh process (so one does not warm the other), twice: once
timed, reporting the faster of two runs (wall clock, and the process's CPU time, which a
loaded machine disturbs less) and the process's peak resident memory (ru_maxrss),
and once under tracemalloc for the peak of Python allocations during the dry run. Run
``.venv/bin/python bench/import_many_sheets.py``. Target (issue 17): the many-sheet dry run
under 5 s, its peak memory comparable with the single sheet's.
"""

from __future__ import annotations

import argparse
import io
import json
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import openpyxl
from openpyxl.styles import Color, PatternFill

from tracker.db import make_engine, session_scope
from tracker.models import Priority
from tracker.seed import load_strategy
from tracker.services.operations import initialise_database
from tracker.services.people import actor_for_email
from tracker.services.plans import ImportReport, import_plan

ROOT = Path(__file__).resolve().parent.parent
GOVERNANCE_FILE = ROOT / "governance.yaml"
ADMIN = "send.pmo@example.org"
TARGET_SECONDS = 5.0
SHEETS = 5
MERGE_EVERY = 25
HEADER = ("Priority", "No.", "Action", "Lead Officer", "Lead Officer Email", "Due", "Progress")
FILLS = (
    PatternFill(fill_type="solid", fgColor=Color(rgb="00B050")),  # standard Green
    PatternFill(fill_type="solid", fgColor=Color(rgb="FFC000")),  # standard Orange
    PatternFill(fill_type="solid", fgColor=Color(theme=5, tint=0.5999)),  # accent 2, lighter
    PatternFill(fill_type="solid", fgColor=Color(theme=6)),  # accent 3 (green)
)
DUES = ("Q3 2025/26", "March 2026", "Sept 2026", "2026/27 Q1", "31/12/2026", "Mar-27")
WORDS = ("Green", "Amber", "Red", "Green")


def _owner(n: int) -> tuple[str, str]:
    return f"Owner {n % 400:03d}", f"owner{n % 400:03d}@example.org"


def build_many(rows: int) -> bytes:
    book = openpyxl.Workbook()
    cover = book.active
    assert cover is not None
    cover.title = "Cover"
    cover.append(["SEND delivery plan"])
    per_sheet = -(-rows // SHEETS)
    for priority in range(1, SHEETS + 1):
        sheet = book.create_sheet(f"Priority {priority}")
        sheet.append([f"Priority {priority}: delivery plan"])
        sheet.append(list(HEADER))
        first = 3
        count = min(per_sheet, rows - (priority - 1) * per_sheet)
        for number in range(1, count + 1):
            n = (priority - 1) * per_sheet + number
            label = f"Priority {priority}" if (number - 1) % MERGE_EVERY == 0 else None
            sheet.append(
                [
                    label,
                    number,
                    f"Deliver improvement {n} to the SEND local offer, with partners",
                    *_owner(n),
                    DUES[n % len(DUES)],
                    f"Progress note {n}: milestones reviewed at the board.",
                ]
            )
            sheet.cell(row=sheet.max_row, column=len(HEADER)).fill = FILLS[n % len(FILLS)]
        for start in range(first, first + count, MERGE_EVERY):
            end = min(start + MERGE_EVERY - 1, first + count - 1)
            if end > start:
                sheet.merge_cells(start_row=start, start_column=1, end_row=end, end_column=1)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def build_single(rows: int) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Action Plan"
    sheet.append(["Ref", "Action", "Lead Officer", "Lead Officer Email", "Due", "RAG", "Progress"])
    per_sheet = -(-rows // SHEETS)
    for n in range(1, rows + 1):
        priority, number = (n - 1) // per_sheet + 1, (n - 1) % per_sheet + 1
        sheet.append(
            [
                f"P{priority}.{number}",
                f"Deliver improvement {n} to the SEND local offer, with partners",
                *_owner(n),
                "31/12/2026",
                WORDS[n % len(WORDS)],
                f"Progress note {n}: milestones reviewed at the board.",
            ]
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def prepare_database(url: str) -> None:
    """Governance and the strategy's five priorities, no actions: a new partnership."""
    engine = make_engine(url)
    initialise_database(engine, governance_file=GOVERNANCE_FILE, seed=None)
    with session_scope(engine, write=True) as session:
        for item in load_strategy()["priorities"]:
            session.add(Priority(number=int(item["number"]), title=item["title"]))
    engine.dispose()


def dry_run(url: str, data: bytes) -> ImportReport:
    engine = make_engine(url)
    try:
        with session_scope(engine) as session:
            return import_plan(
                session, actor=actor_for_email(session, ADMIN), source=data, filename="plan.xlsx"
            )
    finally:
        engine.dispose()


def measure(url: str, path: Path, *, traced: bool) -> dict[str, float | int]:
    """One variant in this process: the faster of two dry runs, or the tracemalloc peak."""
    data = path.read_bytes()
    if traced:
        tracemalloc.start()
        report = dry_run(url, data)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return {"traced_peak_mb": peak / 1024 / 1024, "actions": len(report.actions)}
    times, cpu = [], []
    for _ in range(2):
        started, started_cpu = time.perf_counter(), time.process_time()
        report = dry_run(url, data)
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return {
        "seconds": min(times),
        "cpu_seconds": min(cpu),
        "first_seconds": times[0],
        "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "actions": len(report.actions),
        "problems": len(report.problems),
        "notes": len(report.notes),
        "sheets": len(report.sheets),
    }


def _child(url: str, path: Path, traced: bool) -> dict[str, float | int]:
    command = [sys.executable, __file__, "--child", url, str(path)] + (
        ["--traced"] if traced else []
    )
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    result: dict[str, float | int] = json.loads(output.strip().splitlines()[-1])
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--child", nargs=2, metavar=("URL", "FILE"), help=argparse.SUPPRESS)
    parser.add_argument("--traced", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.child[0], Path(args.child[1]), traced=args.traced)))
        return 0
    with tempfile.TemporaryDirectory() as scratch:
        url = f"sqlite:///{scratch}/plan.db"
        prepare_database(url)
        results = {}
        for name, build in (("single", build_single), ("many", build_many)):
            path = Path(scratch) / f"{name}.xlsx"
            path.write_bytes(build(args.rows))
            timed = _child(url, path, traced=False)
            traced = _child(url, path, traced=True)
            results[name] = {**timed, **traced, "file_mb": path.stat().st_size / 1024 / 1024}
            r = results[name]
            print(
                f"{name:<6} {r['actions']:>6} actions on {r['sheets']} sheet(s), "
                f"{r['file_mb']:.1f} MB: dry run {r['seconds']:.2f} s "
                f"(first {r['first_seconds']:.2f} s, CPU {r['cpu_seconds']:.2f} s), "
                f"peak RSS {r['maxrss_mb']:.0f} MB, traced peak {r['traced_peak_mb']:.0f} MB, "
                f"{r['problems']} problems, {r['notes']} notes",
                flush=True,
            )
    many = results["many"]
    ok = float(many["seconds"]) < TARGET_SECONDS
    print("many-sheet dry run under 5 s" if ok else f"OVER {TARGET_SECONDS:.0f} s")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
