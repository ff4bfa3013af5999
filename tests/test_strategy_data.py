"""Checks the packaged strategy (tracker/data/strategy.yaml) against the published strategy.

The file is the seed of every action and success measure in the tracker, so a missing action, a
reworded title or an owner that governance.yaml does not define would show up in every board
paper. These tests read the file exactly as the installed package ships it.
"""

import datetime as dt
import importlib.resources
from typing import Any

import pytest
import yaml

ACTION_COUNTS = {1: 4, 2: 8, 3: 7, 4: 11, 5: 12}
MEASURE_COUNTS = {1: 4, 2: 9, 3: 6, 4: 8, 5: 8}
EXPECTED_ACTION_REFS = [
    f"P{p}.{n}" for p, count in ACTION_COUNTS.items() for n in range(1, count + 1)
]
EXPECTED_MEASURE_REFS = [
    f"M{p}.{n}" for p, count in MEASURE_COUNTS.items() for n in range(1, count + 1)
]

WORKSTREAMS = {
    "data_dashboard",
    "ehcp_improvement",
    "nd_pathway",
    "communication_engagement",
    "preparation_for_adulthood",
    "workforce_development",
}
# Stakeholder bodies (the forums) are consulted, they do not oversee actions.
OVERSEEING_BODIES = {
    "send_operations_board",
    "send_transformation_board",
    "joint_commissioning_network",
    "send_improvement_board",
    "cyp_partnership_board",
}
OWNER_ORGANISATIONS = {
    "head.of.send@example.org": "LCC",
    "principal.ep@example.org": "LCC",
    "participation@example.org": "LCC",
    "commissioning.lead@example.org": "LCC",
    "dsco@example.org": "LCC",
    "inclusion.lead@example.org": "LCC",
    "family.hubs@example.org": "LCC",
    "pfa.lead@example.org": "LCC",
    "send.data@example.org": "LCC",
    "workforce.lead@example.org": "LCC",
    "nd.pathway@example.nhs.uk": "LSC ICB",
    "dco@example.nhs.uk": "LSC ICB",
    "public.health@example.org": "LCC",
    "cochair@example-lpcf.org.uk": "LPCF",
}
UNITS = {"percentage", "count", "rate", "survey_score", "days", "weeks", "narrative"}
DIRECTIONS = {"higher", "lower"}
FREQUENCIES = {"monthly", "quarterly", "termly", "annual"}


@pytest.fixture(scope="module")
def strategy() -> dict[str, Any]:
    resource = importlib.resources.files("tracker") / "data" / "strategy.yaml"
    return yaml.safe_load(resource.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def actions(strategy: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {a["ref"]: a for p in strategy["priorities"] for a in p["actions"]}


@pytest.fixture(scope="module")
def measures(strategy: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {m["ref"]: m for p in strategy["priorities"] for m in p["measures"]}


def test_strategy_header_names_the_strategy_and_its_period(strategy: dict[str, Any]) -> None:
    header = strategy["strategy"]
    assert header["title"] == "Special Educational Needs and Disabilities Strategy 2025-2028"
    assert header["period_start"] == dt.date(2025, 9, 1)
    assert header["period_end"] == dt.date(2028, 8, 31)
    assert header["vision"].startswith("Our vision is that all children and young people")
    assert header["vision"].endswith("with the support they need, when they need it.")


def test_five_priorities_numbered_one_to_five(strategy: dict[str, Any]) -> None:
    priorities = strategy["priorities"]
    assert [p["number"] for p in priorities] == [1, 2, 3, 4, 5]
    assert [p["short_title"] for p in priorities] == [
        "Identifying needs",
        "Meeting needs",
        "Preparation for adulthood",
        "Working together, communication, collaboration, co-production",
        "Improving outcomes and experiences",
    ]
    assert all(p["title"] and p["ambition"] for p in priorities)


def test_all_42_actions_in_strategy_order(strategy: dict[str, Any]) -> None:
    refs = [a["ref"] for p in strategy["priorities"] for a in p["actions"]]
    assert refs == EXPECTED_ACTION_REFS
    assert len(set(refs)) == 42


def test_all_35_measures_in_strategy_order(strategy: dict[str, Any]) -> None:
    refs = [m["ref"] for p in strategy["priorities"] for m in p["measures"]]
    assert refs == EXPECTED_MEASURE_REFS
    assert len(set(refs)) == 35


def test_each_priority_holds_its_own_actions_and_measures(strategy: dict[str, Any]) -> None:
    for priority in strategy["priorities"]:
        number = priority["number"]
        assert len(priority["actions"]) == ACTION_COUNTS[number]
        assert len(priority["measures"]) == MEASURE_COUNTS[number]
        assert all(a["ref"].startswith(f"P{number}.") for a in priority["actions"])
        assert all(m["ref"].startswith(f"M{number}.") for m in priority["measures"])


@pytest.mark.parametrize(
    ("ref", "wording"),
    [
        ("P1.2", "Strengthen SEND Service training through the SEND Academy."),
        (
            "P2.3",
            "Build capacity in the SEND and Educational Psychology service to improve "
            "timeliness of ECHPs and Annual Reviews.",
        ),
        (
            "P2.4",
            "Implement multi-agency audit utilising Invision 360 software tool to improve "
            "quality of plans.",
        ),
        (
            "P3.7",
            "Improve transition between children's and adult's health and social care services.",
        ),
        ("P4.2", "Launch the Four Cornerstones model of co-production across Lancashire."),
        (
            "P4.9",
            "Develop a termly programme of 'Let's talk' sessions in conjunction with Lancashire "
            "Parent Carer Forum (LPCF), that aligns with parents' requirements across the "
            "partnership",
        ),
        ("P5.6", "Implement the Neurodivergent Pathway (ND pathway) across Lancashire."),
        (
            "P5.12",
            "Co-produce an outcomes framework with children and young people with SEND and their "
            "families, which will be included in the new co-produced CYP SEND survey.",
        ),
        (
            "M1.3",
            "Increased number of children at SEN Support having their needs met without a "
            "requirement for an EHCP.",
        ),
        (
            "M2.3",
            "Improved timeliness of education, health, and care plans (EHCP) finalised by "
            "20 weeks.",
        ),
        ("M2.4", "Improved timeliness of Annual Reviews finalised in 12 weeks."),
        (
            "M2.8",
            "Less children and young people waiting longer than 18 weeks for an assessment for "
            "the health services they need.",
        ),
        ("M4.8", "Reduction in the number of cases proceeding to appeal and tribunal."),
        (
            "M5.8",
            "More children and young people report that they feel safe, healthy, happy, included "
            "in their community, able to learn, make decisions and feel supported in the SEND "
            "Survey.",
        ),
    ],
)
def test_wording_is_verbatim_from_the_strategy(
    ref: str,
    wording: str,
    actions: dict[str, dict[str, Any]],
    measures: dict[str, dict[str, Any]],
) -> None:
    item = actions[ref]["title"] if ref.startswith("P") else measures[ref]["wording"]
    assert item == wording


def test_priority_four_title_is_the_full_heading(strategy: dict[str, Any]) -> None:
    assert strategy["priorities"][3]["title"] == (
        "Working Together - Children, young people and their families will feel valued and "
        "heard through communication, collaboration and co-production"
    )


def test_actions_use_only_governance_keys_and_known_owners(
    actions: dict[str, dict[str, Any]],
) -> None:
    for ref, action in actions.items():
        assert action["workstream"] in WORKSTREAMS, ref
        assert action["body"] in OVERSEEING_BODIES, ref
        assert action["owner"] in OWNER_ORGANISATIONS, ref
        assert action["lead_organisation"] == OWNER_ORGANISATIONS[action["owner"]], ref


def test_action_dates_fall_inside_the_strategy_period(
    strategy: dict[str, Any], actions: dict[str, dict[str, Any]]
) -> None:
    period = strategy["strategy"]
    for ref, action in actions.items():
        assert isinstance(action["start"], dt.date), ref
        assert isinstance(action["due"], dt.date), ref
        assert period["period_start"] <= action["start"] <= action["due"], ref
        assert action["due"] <= period["period_end"], ref


def test_measures_are_fully_described(measures: dict[str, dict[str, Any]]) -> None:
    for ref, measure in measures.items():
        assert measure["wording"], ref
        assert measure["unit"] in UNITS, ref
        assert measure["direction"] in DIRECTIONS, ref
        assert measure["frequency"] in FREQUENCIES, ref
        assert measure["data_source"], ref
        assert measure["owner"] in OWNER_ORGANISATIONS, ref


def test_measures_link_to_actions_of_their_own_priority(strategy: dict[str, Any]) -> None:
    for priority in strategy["priorities"]:
        own_refs = {a["ref"] for a in priority["actions"]}
        for measure in priority["measures"]:
            linked = measure["contributing_actions"]
            assert linked, measure["ref"]
            assert set(linked) <= own_refs, measure["ref"]


def test_baselines_come_only_from_figures_the_strategy_states(
    strategy: dict[str, Any], measures: dict[str, dict[str, Any]]
) -> None:
    stated = {figure["value"] for figure in strategy["context"]}
    baselines = {ref: m["baseline"] for ref, m in measures.items() if "baseline" in m}
    assert {ref: b["value"] for ref, b in baselines.items()} == {"M1.3": 24473, "M2.6": 6488}
    for ref, baseline in baselines.items():
        assert baseline["value"] in stated, ref
        assert isinstance(baseline["date"], dt.date), ref
        assert baseline["note"], ref


@pytest.mark.parametrize("figure", [13402, 24473, 13.2, 6488, 56, 20])
def test_context_carries_the_strategy_figures(strategy: dict[str, Any], figure: float) -> None:
    matching = [c for c in strategy["context"] if c["value"] == figure]
    assert matching, figure
    assert all(str(figure) in c["text"] for c in matching)


def test_context_entries_have_label_unit_date_and_text(strategy: dict[str, Any]) -> None:
    for entry in strategy["context"]:
        assert set(entry) == {"label", "value", "unit", "date", "text"}
        assert entry["unit"] in UNITS
        assert entry["date"] is None or isinstance(entry["date"], dt.date)
    ehcp_count = next(c for c in strategy["context"] if c["value"] == 13402)
    assert ehcp_count["date"] == dt.date(2025, 6, 30)
