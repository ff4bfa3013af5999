"""Spreadsheets the importer tests feed in: a messy plan as teams really keep them."""

from __future__ import annotations

from datetime import datetime

from tests.spreadsheets.workbooks import build_xlsx

MESSY_HEADER = (
    "Action No.",
    "What we will do",
    "Action Owner",
    "Owner Email",
    "Organisation",
    "Priority Workstream",
    "Reports To",
    "Due",
    "BRAG",
    "Progress",
    "Notes",
)
NEW_OWNER = "new.owner@example.org"
# Sheet row -> the column its problem is reported in, for every row that must be refused.
MESSY_PROBLEMS = {
    7: "Due",  # TBC
    8: "Action No.",  # duplicate reference
    9: "Owner Email",  # owner without an e-mail
    10: "Due",  # 31/02/2026
    11: "Progress",  # a formula Excel never calculated
    12: "Priority Workstream",  # 'EHCP Improvment'
}
MESSY_VALID = {"P1.1": 6, "P2.3": 13, "P2.4": 14, "P3.1": 15}
# Rows whose only problem is a due date naming no day ("TBC"): taken when problems are
# skipped, the action keeping its current due date.
MESSY_KEPT = {"P1.2": 7}


def messy_rows() -> list[tuple[object, ...]]:
    """Title rows, other header words, short RAG codes and every kind of mistake."""
    owner = ("Principal Educational Psychologist", "principal.ep@example.org")
    return [
        ("Lancashire SEND Partnership: action plan 2025/26",),
        ("Owners update their rows monthly; RAG key on the second sheet",),
        (),
        (),
        MESSY_HEADER,
        (
            "P1.1",
            "Support partners with OAP 👍",
            *owner,
            "LCC",
            "EHCP Improvement",
            "SIB",
            "30/06/2026",
            "G",
            "On track 🎉 three sessions delivered",
            "ok",
        ),
        (
            "P1.2",
            "Strengthen SEND training",
            *owner,
            "LCC",
            "ND Pathway",
            "SOB",
            "TBC",
            "A",
            "Waiting for dates",
            None,
        ),
        (
            "P1.1",
            "Duplicate of the first",
            *owner,
            "LCC",
            "ND Pathway",
            "SOB",
            "01/01/2027",
            "G",
            "Copied by mistake",
            None,
        ),
        (
            "P1.3",
            "Explore innovative approaches",
            "Head of Commissioning",
            None,
            "LCC",
            "ND Pathway",
            "SOB",
            "01/03/2026",
            "R",
            "Blocked",
            None,
        ),
        (
            "P1.4",
            "Family hubs offer",
            *owner,
            "LCC",
            "ND Pathway",
            "SOB",
            "31/02/2026",
            "G",
            "Fine",
            None,
        ),
        (
            "P2.1",
            "Joint commissioning",
            *owner,
            "LCC",
            "ND Pathway",
            "SOB",
            "01/09/2026",
            "G",
            '=CONCATENATE("on ","track")',
            None,
        ),
        (
            "P2.2",
            "EHCP timeliness",
            *owner,
            "LCC",
            "EHCP Improvment",
            "SOB",
            "01/09/2026",
            "G",
            "Improving",
            None,
        ),
        (
            "P2.3",
            "Quality assurance of EHCPs",
            *owner,
            "Lancashire CC",
            "ehcp improvement",
            "SEND Operations Board",
            datetime(2026, 9, 1),
            "a",
            "⚠️ Slipping: audit delayed",
            None,
        ),
        (
            "P2.4",
            "Annual review tracking",
            "New Owner",
            NEW_OWNER,
            "ICB",
            "Data dashboard",
            "STB",
            "2026-12-31",
            "R",
            "Off track: no analyst",
            None,
        ),
        (
            "P3.1",
            "Preparation for adulthood reviews",
            *owner,
            "LPCF",
            "Preparation for Adulthood and Transitions",
            "SIB",
            "3 March 2026",
            "B",
            "Complete",
            None,
        ),
    ]


def messy_workbook() -> bytes:
    return build_xlsx(messy_rows(), title="Plan")
