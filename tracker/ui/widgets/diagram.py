"""The governance structure as Graphviz DOT text, for ``st.graphviz_chart``.

Bodies are boxes shaded by tier (organisational lead, executive, oversight, stakeholder) with
the tier named in the box, so the shading is never the only cue; a solid arrow is a body's
primary reporting line, a dashed one an additional line (``also_reports_to``). Workstreams, when
asked for, are rounded boxes with a dotted line to the body they report to. Every name is
quoted with backslashes and quotes escaped, so a name from governance.yaml cannot break out of
its label. ``diagram_legend`` words the key for exactly what a given drawing holds: a kind of
line or a tier shading that is not drawn is not explained.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

from tracker.governance import BodyConfig, GovernanceConfig, WorkstreamConfig
from tracker.models import Tier

TIER_LABELS = {
    Tier.ORGANISATIONAL_LEAD.value: "Organisational lead",
    Tier.EXECUTIVE.value: "Executive",
    Tier.OVERSIGHT.value: "Oversight",
    Tier.STAKEHOLDER.value: "Stakeholder",
}
TIER_FILLS = {
    Tier.ORGANISATIONAL_LEAD.value: "#1F4E79",
    Tier.EXECUTIVE.value: "#2E75B6",
    Tier.OVERSIGHT.value: "#DEEBF7",
    Tier.STAKEHOLDER.value: "#E2F0D9",
}
WRAP_AT = 22
_DARK_FILLS = {Tier.ORGANISATIONAL_LEAD.value, Tier.EXECUTIVE.value}


def _wrap(name: str) -> str:
    """A long name over several short lines, which keeps the diagram narrow enough to read."""
    return "\n".join(textwrap.wrap(name, width=WRAP_AT)) or name


def dot_quote(text: str) -> str:
    """``text`` as a DOT double-quoted string: backslashes and quotes escaped, no raw newlines."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    escaped = escaped.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")
    return f'"{escaped}"'


def _node_id(kind: str, key: str) -> str:
    return dot_quote(f"{kind}:{key}")


def _body_node(body: BodyConfig) -> str:
    tier = str(body.tier)
    fill = TIER_FILLS.get(tier, "#FFFFFF")
    font = "#FFFFFF" if tier in _DARK_FILLS else "#000000"
    label = f"{_wrap(body.name)}\n({TIER_LABELS.get(tier, tier)})"
    return (
        f"  {_node_id('body', body.key)} [label={dot_quote(label)}, fillcolor={dot_quote(fill)}, "
        f"fontcolor={dot_quote(font)}];"
    )


def _neighbourhood(config: GovernanceConfig, focus: str) -> set[str]:
    """The keys of ``focus``, the bodies it reports to and the bodies reporting straight to it:
    three columns at most, so the view stays legible on a phone."""
    keys = {focus}
    centre = config.find_body(focus)
    if centre is not None:
        keys |= set(centre.also_reports_to)
        if centre.reports_to:
            keys.add(centre.reports_to)
    keys |= {b.key for b in config.bodies if b.reports_to == focus or focus in b.also_reports_to}
    return {found.key for key in keys if (found := config.find_body(key)) is not None}


@dataclass(frozen=True)
class _Drawn:
    bodies: list[BodyConfig]
    workstreams: list[WorkstreamConfig]


def _drawn(config: GovernanceConfig, include_workstreams: bool, focus: str | None) -> _Drawn:
    keys = _neighbourhood(config, focus) if focus else {b.key for b in config.bodies}
    bodies = [b for b in config.bodies if b.key in keys]

    def reports_to_focus(workstream: WorkstreamConfig) -> bool:
        target = config.find_body(workstream.reports_to) if workstream.reports_to else None
        return target is not None and target.key == focus

    offered = config.workstreams if include_workstreams else []
    workstreams = [w for w in offered if focus is None or reports_to_focus(w)]
    return _Drawn(bodies=bodies, workstreams=workstreams)


def build_governance_dot(
    config: GovernanceConfig, *, include_workstreams: bool = False, focus: str | None = None
) -> str:
    """The DOT source of the governance diagram: bodies, reporting lines, optional workstreams.

    Drawn left to right (a body, then the one it reports to), so the diagram is as wide as the
    structure is deep (four tiers) rather than as its widest tier, and its labels stay legible
    when fitted to a page. ``focus`` (a body's key) draws only that body, the bodies it reports
    to and those reporting straight to it (and its workstreams): small enough for a phone."""
    drawn = _drawn(config, include_workstreams, focus)
    shown = {b.key for b in drawn.bodies}
    lines = [
        "digraph governance {",
        "  rankdir=LR;",
        '  graph [fontname="Helvetica", nodesep=0.18, ranksep=0.45];',
        '  node [shape=box, style="filled", fontname="Helvetica", fontsize=13, '
        'margin="0.12,0.06"];',
        '  edge [color="#404040", arrowsize=0.7];',
    ]
    lines += [_body_node(body) for body in drawn.bodies]
    for body in drawn.bodies:
        if body.reports_to:
            parent = config.find_body(body.reports_to)
            if parent is not None and parent.key in shown:
                lines.append(f"  {_node_id('body', body.key)} -> {_node_id('body', parent.key)};")
        for other in body.also_reports_to:
            extra = config.find_body(other)
            if extra is not None and extra.key in shown:
                lines.append(
                    f"  {_node_id('body', body.key)} -> {_node_id('body', extra.key)} "
                    "[style=dashed];"
                )
    for workstream in drawn.workstreams:
        label = f"Workstream:\n{_wrap(workstream.name)}"
        if workstream.lead_role:
            label += f"\n{_wrap(f'Lead: {workstream.lead_role}')}"
        lines.append(
            f"  {_node_id('workstream', workstream.key)} [label={dot_quote(label)}, "
            'shape=box, style="rounded,filled", fillcolor="#FFF2CC"];'
        )
        target = config.find_body(workstream.reports_to) if workstream.reports_to else None
        if target is not None and target.key in shown:
            lines.append(
                f"  {_node_id('workstream', workstream.key)} -> "
                f"{_node_id('body', target.key)} [style=dotted];"
            )
    lines.append("}")
    return "\n".join(lines)


TIER_COLOUR_WORDS = {
    Tier.ORGANISATIONAL_LEAD.value: "dark blue",
    Tier.EXECUTIVE.value: "mid blue",
    Tier.OVERSIGHT.value: "pale blue",
    Tier.STAKEHOLDER.value: "pale green",
}


def diagram_legend(
    config: GovernanceConfig, *, include_workstreams: bool = False, focus: str | None = None
) -> list[str]:
    """The key to the diagram ``build_governance_dot`` draws with the same arguments: one
    sentence per kind of line or box it holds, and nothing about what it does not."""
    drawn = _drawn(config, include_workstreams, focus)
    shown = {b.key for b in drawn.bodies}

    def drawn_to(key: str | None) -> bool:
        found = config.find_body(key) if key else None
        return found is not None and found.key in shown

    lines = []
    if any(drawn_to(b.reports_to) for b in drawn.bodies):
        lines.append("Solid arrow: reports to.")
    if any(drawn_to(o) for b in drawn.bodies for o in b.also_reports_to):
        lines.append("Dashed arrow: also reports to.")
    tiers = [t for t in TIER_LABELS if any(str(b.tier) == t for b in drawn.bodies)]
    if tiers:
        shades = ", ".join(f"{TIER_COLOUR_WORDS[t]} {TIER_LABELS[t].lower()}" for t in tiers)
        lines.append(f"Each body's box names its tier, also shown by its shading: {shades}.")
    if drawn.workstreams:
        lines.append("Rounded yellow box: a workstream, with its lead.")
        if any(drawn_to(w.reports_to) for w in drawn.workstreams):
            lines.append("Dotted arrow: a workstream reporting to its board.")
    return lines
