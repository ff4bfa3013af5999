"""Build BoardPaper values for renderer tests: a full paper per level, with overrides."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from typing import Any

from tracker.papers.model import (
    ActionLine,
    BoardPaper,
    EscalationLine,
    Level,
    MeasureLine,
    Movement,
    MovementItem,
    RagKeyEntry,
    SummaryRow,
)

RAG_KEY = (
    RagKeyEntry("blue", "Blue", "#2E75B6", "Complete. The action has been delivered."),
    RagKeyEntry("green", "Green", "#70AD47", "On track. Delivery is progressing to plan."),
    RagKeyEntry("amber", "Amber", "#FFC000", "At risk. Some slippage; mitigation in place."),
    RagKeyEntry("red", "Red", "#C00000", "Off track. A path to green is required."),
)
KEY_FILL = {entry.code: entry.colour[1:] for entry in RAG_KEY}
KEY_LABEL = {entry.code: entry.label for entry in RAG_KEY}
WORKSTREAMS = ("EHCP Improvement", "ND Pathway", "Data dashboard")
MEETING = date(2026, 6, 17)


def action_line(**overrides: Any) -> ActionLine:
    values: dict[str, Any] = {
        "reference": "P2.3",
        "title": "Improve the timeliness of EHC needs assessments",
        "owner": "Head of SEND Service",
        "lead_organisation": "LCC",
        "workstream": "EHCP Improvement",
        "priority_number": 2,
        "due_date": date(2026, 3, 31),
        "status": "in_progress",
        "rag": "red",
        "commentary": "Recruitment of educational psychologists is behind plan.\n"
        "Agency cover agreed.",
        "path_to_green": "Two locum EPs start in July.",
        "next_steps": "Review caseloads weekly.",
        "days_overdue": 78,
        "last_updated": date(2026, 6, 5),
    }
    values.update(overrides)
    return ActionLine(**values)


def register(count: int = 9) -> tuple[ActionLine, ...]:
    """A register cycling through workstreams and ratings (one never rated)."""
    rags = ("blue", "green", "amber", "red", None)
    return tuple(
        action_line(
            reference=f"P{i % 5 + 1}.{i + 1}",
            title=f"Action number {i + 1}",
            owner=f"Owner {i + 1}",
            workstream=WORKSTREAMS[i % len(WORKSTREAMS)],
            rag=rags[i % len(rags)],
            status="complete" if rags[i % len(rags)] == "blue" else "in_progress",
            days_overdue=None,
        )
        for i in range(count)
    )


def summary_rows(level: Level) -> tuple[SummaryRow, ...]:
    if level == "strategic":
        groups = ("Priority 1: Identifying needs", "Priority 2: Assessing and meeting needs")
    else:
        groups = WORKSTREAMS
    return tuple(
        SummaryRow(
            group=group,
            counts=(("blue", 1), ("green", 3), ("amber", 2), ("red", 1), ("not_rated", 1)),
            total=8,
            overdue=2,
            direction_of_travel=("improving", "stable", "deteriorating")[i % 3],
        )
        for i, group in enumerate(groups)
    )


def board_paper(level: Level = "action", **overrides: Any) -> BoardPaper:
    """A paper with something in every section, for ``level``."""
    red = action_line()
    amber = action_line(reference="P1.2", rag="amber", days_overdue=None, title="Amber action")
    moved = MovementItem("P3.1", "Publish the ND pathway", "ND Lead", "amber", "green")
    values: dict[str, Any] = {
        "partnership_name": "Lancashire SEND Partnership",
        "board_name": {
            "action": "SEND Operations Board",
            "workstream": "SEND Transformation Board",
            "strategic": "SEND Improvement Board",
        }[level],
        "board_short_name": {"action": "SOB", "workstream": "STB", "strategic": "SIB"}[level],
        "level": level,
        "meeting_date": MEETING,
        "paper_deadline": date(2026, 6, 12),
        "previous_meeting_date": date(2026, 5, 20),
        "next_meeting_date": date(2026, 7, 15),
        "title": "SEND Strategy 2025-2028: progress report",
        "report_of": "Head of SEND Service",
        "author": "SEND Programme Management Office",
        "purpose": "assurance",
        "marking": "OFFICIAL",
        "generated_at": datetime(2026, 6, 12, 14, 3),
        "rag_key": RAG_KEY,
        "recommendations": ("note the progress reported.", "agree the escalation of P2.3."),
        "executive_summary": ("Progress is steady.", "Two actions are off track."),
        "summary_rows": summary_rows(level),
        "movement": Movement(
            improved=(moved,),
            deteriorated=(MovementItem("P2.3", "EHC timeliness", "Head of SEND", "amber", "red"),),
            new_reds=(MovementItem("P2.3", "EHC timeliness", "Head of SEND", "amber", "red"),),
            slipped=(
                MovementItem(
                    "P4.2",
                    "Transition protocol",
                    "PfA Lead",
                    from_due=date(2026, 4, 30),
                    to_due=date(2026, 9, 30),
                    note="Awaiting consultation.",
                ),
            ),
        ),
        "exceptions": (red, amber),
        "overdue": (red,),
        "completed_since_last": (action_line(reference="P1.1", rag="blue", status="complete"),),
        "due_before_next": (amber,),
        "escalations": (
            EscalationLine(
                "P2.3",
                "EP capacity",
                "SEND Operations Board",
                "Needs funding decision",
                "Head of SEND Service",
                date(2026, 5, 20),
            ),
        ),
        "measures": (
            MeasureLine(
                "M2.1",
                "% EHCPs finalised within 20 weeks",
                unit="%",
                baseline=38.0,
                target=60.0,
                latest=52.5,
                previous=47.0,
                latest_period="Q4 2025/26",
                direction_of_travel="improving",
                rag="amber",
                commentary="Improving month on month.",
            ),
        ),
        "actions": register(),
    }
    values.update(overrides)
    return BoardPaper(**values)


def replace(paper: BoardPaper, **changes: Any) -> BoardPaper:
    return dataclasses.replace(paper, **changes)
