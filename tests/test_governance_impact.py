"""governance.yaml's impact scale: the shipped ratings and voices, a default when the section is
absent, and mistakes refused with the key and line named."""

from __future__ import annotations

import re

import pytest

from tests.conftest import GOVERNANCE_FILE
from tracker.governance import GovernanceError, ImpactConfig, load_governance, parse_governance

SHIPPED = GOVERNANCE_FILE.read_text(encoding="utf-8")
SECTION = re.compile(r"^impact:\n(?:[ #].*\n|\n)*?(?=^# ---)", re.MULTILINE)


def _with_impact(block: str) -> str:
    assert SECTION.search(SHIPPED), "the shipped file has an impact: section"
    return SECTION.sub(block, SHIPPED, count=1)


def test_shipped_file_has_the_four_ratings_and_four_voices() -> None:
    impact = load_governance(GOVERNANCE_FILE).impact
    assert [r.label for r in impact.ratings] == [
        "Impact evident",
        "Early signs",
        "Not yet evident",
        "Too early to say",
    ]
    assert impact.evident_keys() == ("evident",)
    assert [v.label for v in impact.voices] == [
        "Families",
        "Children and young people",
        "Practitioners",
        "Data",
    ]


def test_a_file_without_the_section_gets_the_same_default_scale() -> None:
    config = parse_governance(_with_impact(""))
    assert config.impact == ImpactConfig()
    assert config.impact == load_governance(GOVERNANCE_FILE).impact


def test_words_and_keys_are_both_understood() -> None:
    impact = ImpactConfig()
    assert impact.find_rating("early signs").key == "early_signs"  # type: ignore[union-attr]
    assert impact.find_rating("EVIDENT").key == "evident"  # type: ignore[union-attr]
    assert impact.find_voice("Children and young people").key == "children_young_people"  # type: ignore[union-attr]
    assert impact.find_rating("Brilliant") is None
    assert impact.rating_label(None) == "Not reported"
    assert impact.rating_label("retired_key") == "retired_key"


BAD = {
    "a duplicate key": (
        "impact:\n  ratings:\n"
        "    - {key: evident, label: Impact evident, definition: Seen., evident: true}\n"
        "    - {key: evident, label: Early signs, definition: First signs.}\n\n",
        r"impact\.ratings\[1\]\.key: duplicate impact rating key 'evident' .*\(line \d+\)",
    ),
    "a duplicate voice label": (
        "impact:\n  voices:\n    - {key: families, label: Families}\n"
        "    - {key: parents, label: families}\n\n",
        r"impact\.voices\[1\]\.label: duplicate impact voice label 'families'.*\(line \d+\)",
    ),
    "an unknown key": (
        "impact:\n  ratings:\n"
        "    - {key: evident, label: Impact evident, definition: Seen., evident: true, "
        "colour: '#00FF00'}\n\n",
        r"impact\.ratings\[0\]\.colour: .*(line \d+)",
    ),
    "no evident rating": (
        "impact:\n  ratings:\n"
        "    - {key: early_signs, label: Early signs, definition: First signs.}\n\n",
        r"impact: at least one impact rating must have evident: true",
    ),
    "a key with spaces": (
        "impact:\n  ratings:\n"
        "    - {key: Impact evident, label: Impact evident, definition: Seen., evident: true}\n\n",
        r"impact\.ratings\[0\]\.key: .*\(line \d+\)",
    ),
}


@pytest.mark.parametrize("case", list(BAD))
def test_a_bad_impact_section_is_refused_naming_key_and_line(case: str) -> None:
    block, expected = BAD[case]
    with pytest.raises(GovernanceError) as caught:
        parse_governance(_with_impact(block))
    assert any(re.search(expected, problem) for problem in caught.value.problems), (
        caught.value.problems
    )
