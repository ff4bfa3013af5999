"""The governance structure as Graphviz DOT text, for ``st.graphviz_chart``.

Bodies are boxes shaded by tier (organisational lead, executive, oversight, stakeholder) with
the tier named in the box, so the shading is never the only cue; a solid arrow is a body's
primary reporting line, a dashed one an additional line (``also_reports_to``). Workstreams, when
asked for, are rounded boxes with a dotted line to the body they report to. Every name is
quoted with backslashes and quotes escaped, so a name from governance.yaml cannot break out of
its label.
"""

from __future__ import annotations

import textwrap

from tracker.governance import BodyConfig, GovernanceConfig
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


def build_governance_dot(config: GovernanceConfig, *, include_workstreams: bool = False) -> str:
    """The DOT source of the governance diagram: bodies, reporting lines, optional workstreams."""
    lines = [
        "digraph governance {",
        "  rankdir=BT;",
        '  graph [fontname="Helvetica", nodesep=0.3, ranksep=0.5];',
        '  node [shape=box, style="filled", fontname="Helvetica", fontsize=12, '
        'margin="0.12,0.06"];',
        '  edge [color="#404040", arrowsize=0.7];',
    ]
    lines += [_body_node(body) for body in config.bodies]
    for body in config.bodies:
        if body.reports_to:
            parent = config.find_body(body.reports_to)
            if parent is not None:
                lines.append(f"  {_node_id('body', body.key)} -> {_node_id('body', parent.key)};")
        for other in body.also_reports_to:
            extra = config.find_body(other)
            if extra is not None:
                lines.append(
                    f"  {_node_id('body', body.key)} -> {_node_id('body', extra.key)} "
                    "[style=dashed];"
                )
    if include_workstreams:
        for workstream in config.workstreams:
            label = f"Workstream:\n{_wrap(workstream.name)}"
            if workstream.lead_role:
                label += f"\nLead: {workstream.lead_role}"
            lines.append(
                f"  {_node_id('workstream', workstream.key)} [label={dot_quote(label)}, "
                'shape=box, style="rounded,filled", fillcolor="#FFF2CC"];'
            )
            target = config.find_body(workstream.reports_to) if workstream.reports_to else None
            if target is not None:
                lines.append(
                    f"  {_node_id('workstream', workstream.key)} -> "
                    f"{_node_id('body', target.key)} [style=dotted];"
                )
    lines.append("}")
    return "\n".join(lines)
