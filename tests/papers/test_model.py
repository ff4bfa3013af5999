"""BoardPaper values: default sections per level and clear errors for bad configuration."""

from __future__ import annotations

import dataclasses

import pytest

from tests.papers.factories import board_paper
from tracker.papers import RagKeyEntry, SummaryRow, default_sections, model


@pytest.mark.parametrize(
    ("level", "must_have", "must_not_have"),
    [
        ("action", {model.ACTION_DETAIL, model.APPENDIX_REGISTER}, {model.MEASURES}),
        ("workstream", {model.MOVEMENT, model.ESCALATIONS}, {model.APPENDIX_REGISTER}),
        ("strategic", {model.MEASURES, model.RECOMMENDATIONS}, {model.ACTION_DETAIL}),
    ],
)
def test_each_level_has_its_default_sections(level, must_have, must_not_have):
    sections = set(default_sections(level))

    assert must_have <= sections
    assert not must_not_have & sections
    assert model.RAG_KEY in sections, "the RAG key is printed in every paper"


def test_a_paper_without_sections_takes_its_levels_defaults():
    assert board_paper("strategic").sections == default_sections("strategic")


def test_papers_are_frozen_and_use_tuples():
    paper = board_paper()

    with pytest.raises(dataclasses.FrozenInstanceError):
        paper.title = "changed"  # type: ignore[misc]
    assert isinstance(paper.actions, tuple) and isinstance(paper.sections, tuple)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"sections": ("overdue", "minutes")}, "unknown paper section.*'minutes'"),
        ({"sections": ("overdue", "overdue")}, "listed twice: overdue"),
        ({"level": "tactical"}, "unknown paper level 'tactical'"),
        ({"purpose": "information"}, "unknown paper purpose 'information'"),
        (
            {"rag_key": (RagKeyEntry("red", "Red", "#C00000", ""),) * 2},
            "RAG key lists a code twice",
        ),
    ],
)
def test_bad_paper_values_are_refused_with_a_message_naming_them(changes, message):
    paper = board_paper()

    with pytest.raises(ValueError, match=message):
        dataclasses.replace(paper, **changes)


def test_a_colour_not_in_hex_form_is_refused_naming_the_code():
    with pytest.raises(ValueError, match="'amber': colour 'orange'"):
        RagKeyEntry("amber", "Amber", "orange", "At risk")


def test_an_unknown_direction_of_travel_is_refused():
    with pytest.raises(ValueError, match=r"summary row 'ND Pathway'.*'sideways'"):
        SummaryRow("ND Pathway", (), 0, direction_of_travel="sideways")  # type: ignore[arg-type]


def test_summary_row_counts_by_code():
    row = SummaryRow("ND Pathway", (("red", 2), ("green", 3)), total=5)

    assert (row.count("red"), row.count("green"), row.count("blue")) == (2, 3, 0)
