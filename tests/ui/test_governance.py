"""The governance page and the DOT text of its diagram."""

from __future__ import annotations

import re
from datetime import date

import pandas as pd
import pytest

from tests.conftest import GOVERNANCE_FILE
from tests.factories import PARTNER
from tests.ui.conftest import OpenApp
from tests.ui.support import no_exception, shown, titles
from tracker.governance import load_governance, parse_governance
from tracker.ui.widgets.diagram import build_governance_dot, dot_quote


def _graphviz(at) -> str:
    charts = [n for n in at.main if getattr(n, "type", "") == "graphviz_chart"]
    assert len(charts) == 1
    return str(charts[0].proto.spec)


def test_governance_page_draws_the_structure(open_app: OpenApp) -> None:
    at = open_app(PARTNER, page="governance")
    no_exception(at)
    assert titles(at) == ["Governance"]
    dot = _graphviz(at)
    assert '"body:send_operations_board" -> "body:send_transformation_board";' in dot
    assert '"body:send_improvement_board" -> "body:lsc_icb_board" [style=dashed];' in dot
    reporting = at.dataframe[0].value
    sob = reporting[reporting["Body"] == "SEND Operations Board"].iloc[0]
    assert sob["Reports to"] == "SEND Transformation Board"


def test_workstreams_can_be_shown_on_the_diagram(open_app: OpenApp) -> None:
    at = open_app(PARTNER, page="governance")
    assert "workstream:" not in _graphviz(at)
    at.toggle(key="gov.workstreams").set_value(True).run()
    assert '"workstream:ehcp_improvement" -> "body:send_transformation_board"' in _graphviz(at)


def test_next_meetings_with_deadlines_and_windows(open_app: OpenApp) -> None:
    at = open_app(PARTNER, page="governance")
    meetings = at.dataframe[1].value
    assert set(meetings["Board"]) == {
        "SEND Improvement Board",
        "SEND Transformation Board",
        "SEND Operations Board",
    }
    assert (meetings.groupby("Board").size() == 3).all()
    today = pd.Timestamp(date(2026, 10, 1))
    for column in ("Meeting", "Paper deadline", "Update window opens"):
        meetings[column] = pd.to_datetime(meetings[column])
    assert (meetings["Meeting"] >= today).all()
    assert (meetings["Update window opens"] < meetings["Paper deadline"]).all()
    assert (meetings["Paper deadline"] < meetings["Meeting"]).all()
    assert shown(at, "SEND Improvement Board: chair Executive Director of Education")


def test_workstreams_and_their_leads(open_app: OpenApp) -> None:
    at = open_app(PARTNER, page="governance")
    workstreams = at.dataframe[2].value
    assert len(workstreams) == 6
    ehcp = workstreams[workstreams["Workstream"] == "EHCP Improvement"].iloc[0]
    assert ehcp["Lead"] == "Head of SEND Service"
    assert ehcp["Reports to"] == "SEND Transformation Board"
    assert ehcp["Open actions"] > 0


@pytest.mark.parametrize(
    ("text", "quoted"),
    [
        ("Plain", '"Plain"'),
        ('The "Big" Board', '"The \\"Big\\" Board"'),
        ("Back\\slash", '"Back\\\\slash"'),
        ("Two\nlines", '"Two\\nlines"'),
        ('\\"', '"\\\\\\""'),
    ],
)
def test_dot_quote_escapes(text: str, quoted: str) -> None:
    assert dot_quote(text) == quoted


def test_names_cannot_break_out_of_their_labels() -> None:
    text = GOVERNANCE_FILE.read_text(encoding="utf-8").replace(
        "name: SEND Operations Board", 'name: SEND "Ops" Board ] ; evil -> x [label="'
    )
    config = parse_governance(text)
    dot = build_governance_dot(config)
    label_line = next(line for line in dot.splitlines() if "Ops" in line)
    # Every double quote inside the label is escaped: the attribute list is still whole.
    unescaped = re.findall(r'(?<!\\)"', label_line)
    assert len(unescaped) % 2 == 0
    assert '\\"Ops\\"' in label_line
    assert "evil -> x" not in [line.strip() for line in dot.splitlines()]


def test_every_body_is_drawn_once() -> None:
    config = load_governance(GOVERNANCE_FILE)
    dot = build_governance_dot(config, include_workstreams=True)
    for body in config.bodies:
        assert dot.count(f'"body:{body.key}" [label=') == 1
    assert dot.startswith("digraph governance {") and dot.endswith("}")


def test_meeting_calendar_can_be_downloaded(open_app: OpenApp) -> None:
    at = open_app(PARTNER, page="governance")
    assert [b.label for b in at.get("download_button")] == ["Download the meeting calendar (.ics)"]
