"""Word board papers: what a paper says (``model``), its template and the renderer.

``gather.py`` builds a :class:`BoardPaper` from the database; :func:`render_board_paper` turns it
into a python-docx document starting from a :class:`PaperTemplate`.
"""

from tracker.papers.model import (
    ActionLine,
    BoardPaper,
    EscalationLine,
    MeasureLine,
    MeasurePoint,
    MilestoneLine,
    Movement,
    MovementItem,
    RagHistoryPoint,
    RagKeyEntry,
    SummaryRow,
    default_sections,
)
from tracker.papers.template import PaperTemplate, TemplateError, load_template
from tracker.papers.word.render import render_board_paper, render_board_paper_bytes

__all__ = [
    "ActionLine",
    "BoardPaper",
    "EscalationLine",
    "MeasureLine",
    "MeasurePoint",
    "MilestoneLine",
    "Movement",
    "MovementItem",
    "PaperTemplate",
    "RagHistoryPoint",
    "RagKeyEntry",
    "SummaryRow",
    "TemplateError",
    "default_sections",
    "load_template",
    "render_board_paper",
    "render_board_paper_bytes",
]
