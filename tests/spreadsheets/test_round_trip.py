"""What we export as a register reads back through ``read_plan`` exactly as it went out."""

from __future__ import annotations

import unicodedata
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracker.spreadsheets import (
    REGISTER_COLUMNS,
    PlanRow,
    build_register_sheet,
    read_plan,
    write_csv,
    write_xlsx,
)

SAMPLE = Path(__file__).resolve().parent.parent / "fixtures" / "send-action-plan-sample.xlsx"
WRITERS = {
    "xlsx": lambda rows: write_xlsx([build_register_sheet(rows)]),
    "csv": lambda rows: write_csv(build_register_sheet(rows)),
}


@pytest.fixture(scope="module")
def sample_rows() -> tuple[PlanRow, ...]:
    return read_plan(SAMPLE, filename=SAMPLE.name).rows


def test_register_has_the_columns_teams_use() -> None:
    assert [column.header for column in REGISTER_COLUMNS] == [
        "Ref",
        "Priority",
        "Action",
        "Lead Officer",
        "Lead Officer Email",
        "Lead Organisation",
        "Workstream",
        "Governance Board",
        "Start Date",
        "Target Date",
        "Status",
        "RAG",
        "Latest Update",
        "Update Date",
        "Rating Inconsistent",
        "Expected Impact",
        "Latest Impact",
    ]


@pytest.mark.parametrize("kind", list(WRITERS))
def test_sample_plan_round_trips(kind: str, sample_rows: tuple[PlanRow, ...]) -> None:
    back = read_plan(WRITERS[kind](sample_rows), filename=f"register.{kind}")
    assert back.errors == ()
    assert back.ignored_columns == ()
    assert back.rows == sample_rows


@pytest.mark.parametrize("kind", list(WRITERS))
def test_neutralised_text_round_trips(kind: str) -> None:
    texts = ['=HYPERLINK("http://evil.example","x")', "+1", "-2", "@SUM(A1)", "'kept quote"]
    rows = tuple(
        PlanRow(
            row=n + 2,
            reference=f"P1.{n + 1}",
            priority=1,
            title=text,
            owner_name="=Owner",
            owner_email="owner@example.org",
            status="withdrawn",
            rag="red",
            commentary=text,
            due_date=date(2026, 12, 31),
        )
        for n, text in enumerate(texts)
    )
    back = read_plan(WRITERS[kind](rows), filename=f"register.{kind}")
    assert back.errors == ()
    assert back.rows == rows


_TEXT = (
    st.text(
        alphabet=st.characters(
            blacklist_categories=("Cs", "Cc"),
            blacklist_characters="\ufffe\uffff",
            whitelist_characters="\n\t",
        ),
        max_size=60,
    )
    .map(lambda text: unicodedata.normalize("NFC", text).strip())
    .filter(bool)
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=_TEXT, commentary=_TEXT | st.sampled_from(["'=x", "''+1", "'-", "'\tx", "'a"]))
def test_any_clean_text_round_trips(title: str, commentary: str) -> None:
    row = PlanRow(row=2, reference="P3.4", priority=3, title=title, commentary=commentary)
    for kind, write in WRITERS.items():
        back = read_plan(write((row,)), filename=f"register.{kind}")
        assert back.errors == ()
        assert back.rows == (row,)
