"""The rendered paper, read back from .docx bytes: sections, RAG cells, headers, orientation."""

from __future__ import annotations

from datetime import date

import pytest
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph

from tests.papers.factories import KEY_FILL, action_line, board_paper, replace
from tests.papers.readback import (
    after_heading,
    column,
    fill,
    font_colour,
    headings,
    is_section_break,
    reopen,
    repeats_header,
    table_after,
)
from tracker.papers import Movement, render_board_paper
from tracker.papers.model import (
    ACTION_DETAIL,
    APPENDIX_REGISTER,
    MOVEMENT,
    OVERDUE,
    RECOMMENDATIONS,
    RiskPicture,
)

EXPECTED_HEADINGS = {
    "action": [
        "Recommendations",
        "Executive summary",
        "RAG rating key",
        "Summary by workstream",
        "Movement since the last meeting",
        "Exceptions: actions rated Red or Amber",
        "Impact: what has changed for children, young people and families",
        "Overdue actions",
        "Actions completed since the last meeting",
        "Actions due before the next meeting",
        "Escalations",
        "Risks",
        "Action detail",
        "Appendix A: Full action register",
    ],
    "workstream": [
        "Recommendations",
        "Executive summary",
        "RAG rating key",
        "Summary by workstream",
        "Movement since the last meeting",
        "Exceptions: actions rated Red or Amber",
        "Impact: what has changed for children, young people and families",
        "Overdue actions",
        "Actions completed since the last meeting",
        "Actions due before the next meeting",
        "Escalations",
        "Risks",
    ],
    "strategic": [
        "Recommendations",
        "Executive summary",
        "RAG rating key",
        "Summary by priority",
        "Exceptions: actions rated Red or overdue",
        "Impact: what has changed for children, young people and families",
        "Success measures",
        "You said, we did",
        "Escalations",
        "Risks",
    ],
}


@pytest.mark.parametrize("level", ["action", "workstream", "strategic"])
def test_each_level_prints_its_sections_in_order(level):
    document = reopen(board_paper(level))

    assert headings(document) == EXPECTED_HEADINGS[level]


def test_a_board_can_choose_its_own_sections_and_order():
    paper = board_paper("workstream", sections=(OVERDUE, RECOMMENDATIONS))

    assert headings(reopen(paper)) == ["Overdue actions", "Recommendations"]


def test_cover_says_meeting_title_report_of_author_purpose_and_marking():
    document = reopen(board_paper("strategic", purpose="decision", marking="OFFICIAL-SENSITIVE"))
    text = [p.text for p in document.paragraphs[:12]]

    assert text[:4] == [
        "Lancashire SEND Partnership",
        "SEND Improvement Board",
        "Wednesday 17 June 2026",
        "SEND Strategy 2025-2028: progress report",
    ]
    assert document.paragraphs[3].style.name == "Title"
    assert "Report of: Head of SEND Service" in text
    assert "Author: SEND Programme Management Office" in text
    assert "Purpose: For decision" in text
    assert "Protective marking: OFFICIAL-SENSITIVE" in text


def test_recommendations_are_numbered_after_the_board_is_asked_to():
    body = after_heading(reopen(board_paper()), "Recommendations")

    assert [b.text for b in body] == [
        "The Board is asked to:",
        "note the progress reported.",
        "agree the escalation of P2.3.",
    ]
    assert [b.style.name for b in body[1:]] == ["List Number", "List Number"]


@pytest.mark.parametrize(
    ("code", "label", "text_colour"),
    [
        ("blue", "Blue", "FFFFFF"),
        ("green", "Green", None),
        ("amber", "Amber", None),
        ("red", "Red", "FFFFFF"),
    ],
)
def test_summary_rag_headers_are_shaded_with_the_key_colour_and_carry_the_word(
    code, label, text_colour
):
    table = table_after(reopen(board_paper("strategic")), "Summary by priority")
    header = next(cell for cell in table.rows[0].cells if cell.text == label)

    assert fill(header) == KEY_FILL[code]
    # White on the dark fills; the default (black) text on the light ones.
    assert font_colour(header) == text_colour


def test_summary_counts_each_rating_and_totals_them():
    table = table_after(reopen(board_paper("strategic")), "Summary by priority")

    assert [c.text for c in table.rows[0].cells] == [
        "Priority",
        "Blue",
        "Green",
        "Amber",
        "Red",
        "Not rated",
        "Total",
        "Overdue",
        "Direction of travel",
    ]
    assert [c.text for c in table.rows[1].cells][1:] == [
        "1",
        "3",
        "2",
        "1",
        "1",
        "8",
        "2",
        "Improving",
    ]
    assert [c.text for c in table.rows[-1].cells] == [
        "All",
        "2",
        "6",
        "4",
        "2",
        "2",
        "16",
        "4",
        "",
    ]


def test_exception_rag_cells_are_shaded_and_worded_with_commentary_and_path_to_green():
    table = table_after(reopen(board_paper()), "Exceptions: actions rated Red or Amber")
    rag = column(table, "RAG")
    update = column(table, "Commentary and path to green")

    assert [(cell.text, fill(cell)) for cell in rag] == [
        ("Red", KEY_FILL["red"]),
        ("Amber", KEY_FILL["amber"]),
    ]
    assert update[0].text.splitlines() == [
        "Commentary: Recruitment of educational psychologists is behind plan.",
        "Agency cover agreed.",
        "Path to green: Two locum EPs start in July.",
        "Next steps: Review caseloads weekly.",
        "Last updated: 5 Jun 2026",
    ]
    assert update[0]._tc.findall(".//" + qn("w:br")), "newlines must be Word line breaks"


def test_an_unrated_action_and_an_unknown_code_still_print_a_word():
    paper = board_paper(overdue=(action_line(rag=None), action_line(rag="purple_ish")))
    cells = column(table_after(reopen(paper), "Overdue actions"), "RAG")

    assert [(cell.text, fill(cell)) for cell in cells] == [
        ("Not rated", "D9D9D9"),
        ("Purple ish", None),
    ]


def test_the_rag_key_lists_every_rating_with_its_meaning():
    table = table_after(reopen(board_paper()), "RAG rating key")

    assert [(r.cells[0].text, fill(r.cells[0])) for r in table.rows[1:]] == [
        ("Blue", KEY_FILL["blue"]),
        ("Green", KEY_FILL["green"]),
        ("Amber", KEY_FILL["amber"]),
        ("Red", KEY_FILL["red"]),
        ("Not rated", "D9D9D9"),
    ]
    assert table.rows[4].cells[1].text.startswith("Off track.")


@pytest.mark.parametrize("level", ["action", "workstream", "strategic"])
def test_every_table_repeats_its_header_row_on_each_page(level):
    document = reopen(board_paper(level))

    assert document.tables
    assert all(repeats_header(table) for table in document.tables)


@pytest.mark.parametrize("level", ["action", "workstream", "strategic"])
def test_marking_is_in_the_header_and_footer_of_every_section_with_page_x_of_y(level):
    document = reopen(board_paper(level, marking="OFFICIAL"))

    for section in document.sections:
        assert section.header.paragraphs[0].text == "OFFICIAL"
        footer = [p.text for p in section.footer.paragraphs]
        assert footer == ["Page 1 of 1", "OFFICIAL"]
        instructions = [
            node.text.strip() for node in section.footer._element.iter(qn("w:instrText"))
        ]
        assert instructions == ["PAGE", "NUMPAGES"]


def test_action_level_appendix_is_a_landscape_section_holding_the_whole_register():
    paper = board_paper("action")
    document = reopen(paper)
    first, last = document.sections[0], document.sections[-1]

    assert len(document.sections) == 2
    assert first.orientation == WD_ORIENT.PORTRAIT and first.page_width < first.page_height
    assert last.orientation == WD_ORIENT.LANDSCAPE and last.page_width > last.page_height
    blocks = list(document.iter_inner_content())
    appendix = next(
        i
        for i, b in enumerate(blocks)
        if isinstance(b, Paragraph) and b.text == "Appendix A: Full action register"
    )
    break_at = next(i for i, b in enumerate(blocks) if is_section_break(b))
    assert break_at < appendix, "the appendix must start after the portrait section ends"
    register = table_after(document, "Appendix A: Full action register")
    assert [cell.text for cell in column(register, "Ref")] == [a.reference for a in paper.actions]


def test_action_detail_groups_actions_by_workstream():
    document = reopen(board_paper("action"))
    detail = after_heading(document, "Action detail")
    subheadings = [b.text for b in detail if isinstance(b, Paragraph)]
    tables = [b for b in detail if isinstance(b, Table)]

    assert subheadings == ["EHCP Improvement", "ND Pathway", "Data dashboard"]
    assert [c.text for c in column(tables[0], "Ref")] == ["P1.1", "P4.4", "P2.7"]


def test_workstream_and_strategic_papers_stay_portrait():
    for level in ("workstream", "strategic"):
        assert len(reopen(board_paper(level)).sections) == 1


EMPTY_CASES = [
    ("overdue", (), "Overdue actions", "No actions are overdue."),
    (
        "completed_since_last",
        (),
        "Actions completed since the last meeting",
        "No actions have been completed since the last meeting on Wednesday 20 May 2026.",
    ),
    (
        "due_before_next",
        (),
        "Actions due before the next meeting",
        "No actions are due before the next meeting on Wednesday 15 July 2026.",
    ),
    ("escalations", (), "Escalations", "No matters have been escalated to this Board."),
    (
        "risks",
        RiskPicture(),
        "Risks",
        "No open risks are recorded for this Board or the bodies reporting to it.",
    ),
    (
        "exceptions",
        (),
        "Exceptions: actions rated Red or Amber",
        "No actions are rated Red or Amber.",
    ),
    ("recommendations", (), "Recommendations", "There are no recommendations in this paper."),
    ("actions", (), "Action detail", "There are no actions in scope of this paper."),
    ("summary_rows", (), "Summary by workstream", "No actions are in scope of this paper."),
]


@pytest.mark.parametrize(("field", "value", "heading", "sentence"), EMPTY_CASES)
def test_an_empty_section_says_so_instead_of_vanishing(field, value, heading, sentence):
    document = reopen(replace(board_paper("action"), **{field: value}))
    body = after_heading(document, heading)

    assert [b.text for b in body] == [sentence]


def test_empty_measures_and_strategic_exceptions_say_so():
    paper = board_paper("strategic", measures=(), exceptions=())
    document = reopen(paper)

    assert [b.text for b in after_heading(document, "Success measures")] == [
        "No success measures are reported in this paper."
    ]
    exceptions = after_heading(document, "Exceptions: actions rated Red or overdue")
    assert [b.text for b in exceptions] == ["No actions are rated Red or overdue."]


def test_movement_lists_each_kind_of_change_and_leaves_out_empty_kinds():
    paper = board_paper("workstream", movement=replace(board_paper().movement, completed=()))
    document = reopen(paper)
    body = after_heading(document, "Movement since the last meeting")
    texts = [b.text for b in body if isinstance(b, Paragraph)]

    assert texts[0] == (
        "Since the last meeting on Wednesday 20 May 2026: 1 action improved in rating, "
        "1 deteriorated, 1 became Red, 1 had the due date moved later and 0 were completed."
    )
    assert texts[1:] == [
        "Improved rating",
        "Deteriorated rating",
        "Newly rated Red",
        "Due date moved later",
    ]
    slipped = [b for b in body if isinstance(b, Table)][3]
    assert [c.text for c in slipped.rows[1].cells] == [
        "P4.2",
        "Transition protocol",
        "PfA Lead",
        "30 Apr 2026",
        "30 Sep 2026",
        "Awaiting consultation.",
    ]
    improved = next(b for b in body if isinstance(b, Table))
    assert [(c.text, fill(c)) for c in improved.rows[1].cells[3:5]] == [
        ("Amber", KEY_FILL["amber"]),
        ("Green", KEY_FILL["green"]),
    ]


def test_an_empty_movement_is_one_sentence():
    paper = board_paper("workstream", sections=(MOVEMENT,), movement=Movement())
    texts = [p.text for p in after_heading(reopen(paper), "Movement since the last meeting")]

    assert texts == [
        "No action changed its rating or due date, or was completed, since the last meeting "
        "on Wednesday 20 May 2026."
    ]


@pytest.mark.parametrize(
    ("sections", "expected"),
    [
        (
            (ACTION_DETAIL, APPENDIX_REGISTER),
            "2 actions have no update yet: listed in the appendix.",
        ),
        ((ACTION_DETAIL,), "2 actions have no update yet: P1.8, P1.9."),
    ],
)
def test_actions_with_no_update_yet_are_one_line_not_a_table(sections, expected):
    updated = action_line(reference="P1.1")
    never = [action_line(reference=f"P1.{n}", last_updated=None, commentary="") for n in (8, 9)]
    paper = board_paper("action", sections=sections, actions=(updated, *never))
    body = after_heading(reopen(paper), "Action detail")
    texts = [b.text for b in body if isinstance(b, Paragraph)]
    assert expected in texts
    tables = [b for b in body if isinstance(b, Table)]
    assert [row.cells[0].text for t in tables for row in t.rows[1:]] == ["P1.1"]


def test_measures_show_baseline_target_latest_previous_direction_and_rating():
    table = table_after(reopen(board_paper("strategic")), "Success measures")

    assert [c.text for c in table.rows[1].cells] == [
        "M2.1",
        "% EHCPs finalised within 20 weeks\nImproving month on month.",
        "38%",
        "60%",
        "52.5% (Q4 2025/26)",
        "47%",
        "Improving",
        "Amber",
    ]
    assert fill(table.rows[1].cells[-1]) == KEY_FILL["amber"]


def test_overdue_shows_days_overdue():
    table = table_after(reopen(board_paper()), "Overdue actions")

    assert [c.text for c in column(table, "Days overdue")] == ["78"]
    assert [c.text for c in column(table, "Due")] == ["31 Mar 2026"]


def test_user_text_is_kept_as_typed_apart_from_characters_xml_forbids():
    typed = "<script>alert('x')</script> & Ünïcødé 😀 مرحبا بكم\tend"
    line = action_line(commentary=typed + "\x00\x0b\ufffe", title="Title\x07 with bell")
    document = reopen(board_paper(exceptions=(line,)))
    row = table_after(document, "Exceptions: actions rated Red or Amber").rows[1]

    assert row.cells[1].text == "Title with bell"
    assert row.cells[6].text.startswith(f"Commentary: {typed}\nPath to green:")


def test_rendering_twice_from_one_template_gives_independent_documents():
    first = render_board_paper(board_paper(title="First"))
    second = render_board_paper(board_paper(title="Second"))

    assert first.paragraphs[3].text == "First"
    assert second.paragraphs[3].text == "Second"
    assert first.sections[0].header.paragraphs[0].text == "OFFICIAL"
    assert [p.text for p in second.sections[0].header.paragraphs] == ["OFFICIAL"]


def test_without_meeting_dates_the_paper_speaks_of_the_last_and_next_meeting():
    paper = board_paper(previous_meeting_date=None, next_meeting_date=None, completed_since_last=())
    body = after_heading(reopen(paper), "Actions completed since the last meeting")

    assert [b.text for b in body] == ["No actions have been completed since the last meeting."]
    assert paper.meeting_date == date(2026, 6, 17)
