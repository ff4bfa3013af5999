"""A partnership's spring 2026 told in updates: two rounds, before two meetings of each board.

Round one is recorded on 24 February 2026, before the paper deadline of each board's first
spring meeting; round two on 27 April 2026, after those deadlines and before the next ones.
Between them P2.3 goes Green -> Red, P1.1 Amber -> Green, P4.1's due date moves from 31 March to
30 September, P5.1 is completed; P1.2 stays Green and passes its due date of 31 March.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import Engine

from tests.conftest import GOVERNANCE_FILE
from tests.factories import OPERATOR, actor, add_update
from tracker.db import session_scope
from tracker.governance import GovernanceConfig, load_governance
from tracker.papers.gather import GatheredPaper
from tracker.services.papers import GeneratedPaper, generate_paper, preview_paper

ROUND_ONE = datetime(2026, 2, 24, 10, 0, tzinfo=UTC)
ROUND_TWO = datetime(2026, 4, 27, 10, 0, tzinfo=UTC)

# Each board's first and second spring meetings (the second after round two).
MEETINGS = {
    "SIB": (date(2026, 3, 17), date(2026, 5, 19)),
    "STB": (date(2026, 3, 5), date(2026, 5, 7)),
    "SOB": (date(2026, 3, 18), date(2026, 5, 20)),
}
DEADLINES = {
    "SIB": (date(2026, 3, 6), date(2026, 5, 8)),
    "STB": (date(2026, 2, 26), date(2026, 4, 29)),
    "SOB": (date(2026, 3, 13), date(2026, 5, 15)),
}
BOARD_NAMES = {
    "SIB": "SEND Improvement Board",
    "STB": "SEND Transformation Board",
    "SOB": "SEND Operations Board",
}
DUE_IN_MARCH = ("P1.2", "P2.4", "P3.3", "P4.1", "P4.9")  # due 31 March 2026
NEW_DUE = date(2026, 9, 30)


def governance() -> GovernanceConfig:
    return load_governance(GOVERNANCE_FILE)


def record_round_one(engine: Engine) -> None:
    add_update(engine, "P2.3", rag="green", at=ROUND_ONE)
    add_update(engine, "P1.1", rag="amber", commentary="Training dates slipped.", at=ROUND_ONE)
    add_update(engine, "P3.1", rag="red", commentary="No provider yet.", at=ROUND_ONE)
    add_update(engine, "P4.1", rag="green", at=ROUND_ONE)
    add_update(engine, "P1.2", rag="green", at=ROUND_ONE)
    add_update(engine, "P5.1", rag="amber", commentary="Awaiting sign-off.", at=ROUND_ONE)


def record_round_two(engine: Engine) -> None:
    add_update(
        engine,
        "P2.3",
        rag="red",
        commentary="Two EP vacancies; assessments behind.",
        path_to_green="Locum EPs start in June.",
        at=ROUND_TWO,
    )
    add_update(engine, "P1.1", rag="green", at=ROUND_TWO)
    add_update(
        engine,
        "P4.1",
        rag="green",
        revised_due_date=NEW_DUE,
        due_date_reason="Consultation extended by the Forum.",
        at=ROUND_TWO,
    )
    add_update(
        engine,
        "P5.1",
        rag="blue",
        status="complete",
        commentary="Signed off by the Board.",
        at=ROUND_TWO,
    )


def generate(
    engine: Engine,
    board: str,
    meeting: date | None,
    *,
    by: str | None = None,
    config: GovernanceConfig | None = None,
    governance_file: Path = GOVERNANCE_FILE,
    now: datetime | None = None,
) -> GeneratedPaper:
    """Generate and store a paper, as ``by`` (an e-mail) or as the command line."""
    with session_scope(engine, write=True) as session:
        return generate_paper(
            session,
            actor=actor(session, by) if by else OPERATOR,
            governance=config or governance(),
            governance_file=governance_file,
            board_ref=board,
            meeting_date=meeting,
            now=now,
        )


def gather(
    engine: Engine, board: str, meeting: date, *, by: str = "send.pmo@example.org"
) -> GatheredPaper:
    """What the paper would say now, without storing it."""
    with session_scope(engine) as session:
        return preview_paper(
            session,
            actor=actor(session, by),
            governance=governance(),
            board_ref=board,
            meeting_date=meeting,
        )
