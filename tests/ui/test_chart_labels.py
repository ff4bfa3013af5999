"""The RAG bars' group names fit a phone: drawn above each bar, cut at a word with an ellipsis
when longer than a 390 px screen holds, and whole in the tooltip and the table."""

from __future__ import annotations

from sqlalchemy import Engine

from tests.conftest import GOVERNANCE_FILE
from tracker.db import session_scope
from tracker.governance import load_governance
from tracker.services.register import summarise_rag
from tracker.ui.widgets.charts import LABEL_CHARACTERS, rag_bars, short_label


def test_long_names_are_cut_at_a_word_with_an_ellipsis() -> None:
    name = "Priority 4: Working together, communication, collaboration, co-production"
    assert short_label(name) == "Priority 4: Working together…"
    assert short_label("Priority 1: Identifying needs") == "Priority 1: Identifying needs"


def test_every_priority_and_workstream_label_fits_and_the_tooltip_keeps_the_name(
    sqlite_engine: Engine,
) -> None:
    config = load_governance(GOVERNANCE_FILE)
    for by in ("priority", "workstream"):
        with session_scope(sqlite_engine) as session:
            summaries = summarise_rag(session, by=by)
        spec = rag_bars(summaries, config).to_dict()
        values = next(iter(spec["datasets"].values()))
        assert all(len(v["Label"]) <= LABEL_CHARACTERS for v in values)
        assert {v["Group"] for v in values} == {s.group for s in summaries}
        assert spec["encoding"]["y"]["field"] == "Label"
        assert {"field": "Group", "type": "nominal"} in spec["encoding"]["tooltip"]
