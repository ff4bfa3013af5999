"""Benchmark the board paper renderer on a large action-level paper.

Builds action-level BoardPapers with 1,000 and 10,000 actions of realistic text lengths and
times three things, each in a fresh subprocess so peak memory (ru_maxrss) is per case:

* ``full``: the default action-level paper (every section, action detail and the landscape
  register appendix), rendered and saved to .docx bytes;
* ``appendix``: a paper holding only the register appendix;
* ``naive``: the same register table built the plain python-docx way
  (``table.add_row()`` then ``cell.text = ...`` for every cell), saved to bytes.

Columns: build and save seconds; the Python-heap peak under tracemalloc (a separate run, as
tracemalloc slows allocation); peak resident memory of the process (ru_maxrss, which includes
lxml's C allocations) and, in brackets, what it was before the case started (interpreter,
imports and the generated actions).

Run ``.venv/bin/python bench/paper_render.py`` (``--sizes 1000`` for a quick run). Targets at
10,000 actions: full paper (with its two RAG charts and every row kept whole on a page) under
3 s and 400 MB, and the appendix no slower than naive.
"""

from __future__ import annotations

import argparse
import io
import json
import random
import resource
import subprocess
import sys
import time
import tracemalloc
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import docx
from docx.document import Document

from tracker.papers import model
from tracker.papers.model import ActionLine, BoardPaper, RagHistoryPoint, RagKeyEntry, SummaryRow
from tracker.papers.text import format_date, format_status
from tracker.papers.word.render import render_paper, save_document_bytes

RAG_KEY = (
    RagKeyEntry("blue", "Blue", "#2E75B6", "Complete. The action has been delivered."),
    RagKeyEntry("green", "Green", "#70AD47", "On track. Delivery is progressing to plan."),
    RagKeyEntry("amber", "Amber", "#FFC000", "At risk. Some slippage; mitigation in place."),
    RagKeyEntry("red", "Red", "#C00000", "Off track. The due date will be missed."),
)
WORKSTREAMS = (
    "Data dashboard",
    "EHCP Improvement",
    "ND Pathway",
    "Communication and Engagement",
    "Preparation for Adulthood and Transitions",
    "Workforce Development and Training",
)
OWNERS = (
    "Head of SEND Service",
    "ND Pathway Programme Manager",
    "Participation Lead",
    "Preparation for Adulthood Lead",
    "SEND Data and Performance Lead",
    "Designated Clinical Officer",
)
ORGANISATIONS = ("LCC", "LSC ICB", "LPCF", "Lancashire Teaching Hospitals")
VOCABULARY = (
    "review assessment capacity partners schools families timeliness plan pathway support "
    "children young people health education care consultation training workforce data "
    "quality assurance dashboard transition adulthood provision sufficiency outcomes panel "
    "co-production forum evidence monitoring commissioning specialist therapy waiting list"
)
WORDS = VOCABULARY.split()


def _sentence(rng: random.Random, low: int, high: int) -> str:
    words = rng.choices(WORDS, k=rng.randint(low, high))
    return " ".join(words).capitalize() + "."


def _paragraph(rng: random.Random, sentences: int) -> str:
    return " ".join(_sentence(rng, 8, 18) for _ in range(sentences))


def make_actions(count: int, seed: int = 20260617) -> tuple[ActionLine, ...]:
    """Actions with text as long as owners really write: 1-2 line titles, a few sentences of
    commentary over two paragraphs, a path to green for Red and Amber."""
    rng = random.Random(seed)
    rags = ("blue", "green", "green", "amber", "red", None)
    actions = []
    for index in range(count):
        rag = rng.choice(rags)
        due = date(2025, 9, 1) + timedelta(days=rng.randint(0, 1000))
        overdue = (date(2026, 6, 12) - due).days if rag != "blue" else 0
        actions.append(
            ActionLine(
                reference=f"P{index % 5 + 1}.{index // 5 + 1}",
                title=_sentence(rng, 10, 22),
                owner=rng.choice(OWNERS),
                lead_organisation=rng.choice(ORGANISATIONS),
                workstream=WORKSTREAMS[index % len(WORKSTREAMS)],
                priority_number=index % 5 + 1,
                due_date=due,
                status="complete" if rag == "blue" else "in_progress",
                rag=rag,
                commentary=_paragraph(rng, 3) + "\n" + _paragraph(rng, 2),
                path_to_green=_paragraph(rng, 2) if rag in ("red", "amber") else "",
                next_steps=_sentence(rng, 8, 16),
                days_overdue=overdue if overdue > 0 else None,
                last_updated=date(2026, 6, 1) + timedelta(days=rng.randint(0, 10)),
            )
        )
    return tuple(actions)


def make_paper(actions: tuple[ActionLine, ...], sections: tuple[str, ...] = ()) -> BoardPaper:
    reds = tuple(a for a in actions if a.rag in ("red", "amber"))
    overdue = tuple(a for a in actions if a.days_overdue)
    rows = tuple(
        SummaryRow(
            group=name,
            counts=tuple(
                (code, sum(1 for a in actions if a.workstream == name and a.rag == code))
                for code in ("blue", "green", "amber", "red")
            ),
            total=sum(1 for a in actions if a.workstream == name),
        )
        for name in WORKSTREAMS
    )
    counts = tuple(
        (code, sum(1 for a in actions if a.rag == code))
        for code in ("blue", "green", "amber", "red")
    )
    history = tuple(RagHistoryPoint(date(2026, month, 17), counts) for month in (1, 2, 3, 4, 5, 6))
    return BoardPaper(
        partnership_name="Lancashire SEND Partnership",
        board_name="SEND Operations Board",
        board_short_name="SOB",
        level="action",
        meeting_date=date(2026, 6, 17),
        paper_deadline=date(2026, 6, 12),
        previous_meeting_date=date(2026, 5, 20),
        next_meeting_date=date(2026, 7, 15),
        title="SEND Strategy 2025-2028: progress report",
        report_of="Head of SEND Service",
        author="SEND Programme Management Office",
        purpose="noting",
        marking="OFFICIAL",
        generated_at=datetime(2026, 6, 12, 14, 3),
        rag_key=RAG_KEY,
        recommendations=("note the progress reported.",),
        executive_summary=("A large register, for timing.",),
        summary_rows=rows,
        exceptions=reds,
        overdue=overdue,
        actions=actions,
        rag_history=history,
        sections=sections,
    )


def _naive_register(actions: tuple[ActionLine, ...]) -> Document:
    document = docx.Document()
    headings = ["Ref", "Action", "Owner", "Lead organisation", "Workstream", "Due", "Status"]
    headings += ["RAG", "Days overdue", "Last updated"]
    table = document.add_table(rows=1, cols=len(headings))
    for cell, heading in zip(table.rows[0].cells, headings, strict=True):
        cell.text = heading
    for line in actions:
        cells = table.add_row().cells
        values = [
            line.reference,
            line.title,
            line.owner,
            line.lead_organisation,
            line.workstream,
            format_date(line.due_date),
            format_status(line.status),
            line.rag or "Not rated",
            "" if line.days_overdue is None else str(line.days_overdue),
            format_date(line.last_updated),
        ]
        for cell, value in zip(cells, values, strict=True):
            cell.text = value
    return document


def run_case(case: str, size: int, *, trace: bool) -> dict[str, float]:
    """Run one case in this process and report its figures. Times are taken without
    tracemalloc (it slows allocation several-fold); ``trace`` runs it again under tracemalloc
    for the Python-heap peak. ru_maxrss covers lxml's C allocations too."""
    actions = make_actions(size)
    if trace:
        tracemalloc.start()
    baseline_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    if case == "naive":
        document = _naive_register(actions)
        built = time.perf_counter()
        buffer = io.BytesIO()
        document.save(buffer)
        data = buffer.getvalue()
    else:
        sections = (model.APPENDIX_REGISTER,) if case == "appendix" else ()
        rendered = render_paper(make_paper(actions, sections))
        built = time.perf_counter()
        data = save_document_bytes(rendered.document, rendered.rows)
    finished = time.perf_counter()
    traced_peak = tracemalloc.get_traced_memory()[1] if trace else 0
    tracemalloc.stop()
    return {
        "build_s": built - started,
        "save_s": finished - built,
        "total_s": finished - started,
        "traced_peak_mb": traced_peak / 2**20,
        "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "baseline_rss_mb": baseline_rss,
        "docx_mb": len(data) / 2**20,
    }


def _in_subprocess(case: str, size: int, *, trace: bool = False) -> dict[str, float]:
    command = [sys.executable, __file__, "--case", case, "--sizes", str(size)]
    output = subprocess.run(
        command + (["--trace"] if trace else []), check=True, capture_output=True, text=True
    ).stdout
    figures: dict[str, float] = json.loads(output)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated action counts")
    parser.add_argument("--case", choices=("full", "appendix", "naive"), help=argparse.SUPPRESS)
    parser.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    if args.case:  # child process: one case, figures as JSON
        print(json.dumps(run_case(args.case, sizes[0], trace=args.trace)))
        return
    print(
        f"{'actions':>8} {'case':>9} {'build s':>8} {'save s':>7} {'total s':>8} "
        f"{'py peak MB':>10} {'maxrss MB':>9} {'(before)':>8} {'docx MB':>8}"
    )
    for size in sizes:
        results = {case: _in_subprocess(case, size) for case in ("full", "appendix", "naive")}
        for case, figures in results.items():
            traced = _in_subprocess(case, size, trace=True)
            figures["traced_peak_mb"] = traced["traced_peak_mb"]
        for case, r in results.items():
            print(
                f"{size:>8} {case:>9} {r['build_s']:>8.2f} {r['save_s']:>7.2f} "
                f"{r['total_s']:>8.2f} {r['traced_peak_mb']:>10.0f} {r['maxrss_mb']:>9.0f} "
                f"{r['baseline_rss_mb']:>8.0f} {r['docx_mb']:>8.1f}"
            )
        ratio = results["appendix"]["total_s"] / results["naive"]["total_s"]
        print(f"{size:>8} appendix time / naive time = {ratio:.2f}")


if __name__ == "__main__":
    main()
