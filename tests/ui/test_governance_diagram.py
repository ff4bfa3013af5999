"""The governance diagram is legible with the workstreams shown, and its key explains only what
is drawn: left to right (as wide as the structure is deep), a view centred on one body for a
phone, and a legend built from the drawing itself."""

from __future__ import annotations

import re

from tests.conftest import GOVERNANCE_FILE
from tests.factories import PARTNER
from tests.ui.conftest import OpenApp
from tests.ui.support import no_exception
from tracker.governance import load_governance
from tracker.ui.widgets.diagram import build_governance_dot, diagram_legend


def _graphviz(at) -> str:
    (chart,) = [n for n in at.main if getattr(n, "type", "") == "graphviz_chart"]
    return str(chart.proto.spec)


def _legend(at) -> str:
    return next(c.value for c in at.caption if "arrow" in c.value)


def _bodies(dot: str) -> set[str]:
    return set(re.findall(r'^  "body:([a-z_]+)" \[label', dot, flags=re.MULTILINE))


def test_the_legend_explains_only_what_the_diagram_draws(open_app: OpenApp) -> None:
    at = open_app(PARTNER, page="governance")
    no_exception(at)
    legend = _legend(at)
    assert "Solid arrow: reports to." in legend
    assert "Dashed arrow: also reports to." in legend  # the Improvement Board to the ICB Board
    assert "workstream" not in legend.lower()  # none drawn yet
    assert "stakeholder" in legend and "organisational lead" in legend

    at.toggle(key="gov.workstreams").set_value(True).run()
    legend = _legend(at)
    assert "Dotted arrow: a workstream reporting to its board." in legend
    assert "Rounded yellow box: a workstream" in legend


def test_centring_on_a_board_draws_it_with_those_above_and_below_it(open_app: OpenApp) -> None:
    at = open_app(PARTNER, page="governance")
    at.toggle(key="gov.workstreams").set_value(True).run()
    at.selectbox(key="gov.focus").set_value("send_transformation_board").run()
    no_exception(at)
    dot = _graphviz(at)
    assert _bodies(dot) == {
        "send_transformation_board",
        "send_improvement_board",
        "send_operations_board",
        "joint_commissioning_network",
    }
    assert "lcc_cabinet" not in _bodies(dot)  # two levels up: left out of the close-up
    assert '"workstream:ehcp_improvement" -> "body:send_transformation_board"' in dot
    legend = _legend(at)
    assert "Dashed arrow" not in legend  # the one dashed line is not in this view
    assert "stakeholder" not in legend  # nor any stakeholder body


def test_the_diagram_is_drawn_left_to_right_so_its_width_is_its_depth() -> None:
    config = load_governance(GOVERNANCE_FILE)
    dot = build_governance_dot(config, include_workstreams=True)
    assert "rankdir=LR;" in dot
    # Every line of every label is short, so no box is wider than a phone's column.
    labels = re.findall(r'label="((?:[^"\\]|\\.)*)"', dot)
    assert labels and all(len(line) <= 30 for text in labels for line in text.split("\\n"))


def test_a_structure_without_additional_lines_has_no_dashed_key() -> None:
    config = load_governance(GOVERNANCE_FILE)
    plain = config.model_copy(
        update={"bodies": [b.model_copy(update={"also_reports_to": []}) for b in config.bodies]}
    )
    assert not any("Dashed" in line for line in diagram_legend(plain))
    assert "[style=dashed]" not in build_governance_dot(plain)
