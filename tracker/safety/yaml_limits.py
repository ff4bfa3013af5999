"""Limits on a YAML document before it is loaded: size, aliases, and the size they expand to.

``yaml.safe_load`` refuses dangerous tags but not a "billion laughs" document, where a few
lines of nested anchors and aliases (``&a [*b, *b, ...]``) stand for billions of nodes: every
walk over the loaded data (line numbers, validation) then runs out of memory or time. A
configuration file needs no more than a handful of aliases, so ``find_yaml_limit_problem``
counts them while parsing (a stream of events, linear in the text) and then measures the
expanded size of the composed graph without expanding it. It returns one sentence for the
first limit broken, or ``None``.
"""

from __future__ import annotations

import yaml

__all__ = [
    "MAX_ALIASES",
    "MAX_EXPANDED_NODES",
    "MAX_YAML_BYTES",
    "find_duplicate_keys",
    "find_yaml_limit_problem",
]

# libyaml's parser where PyYAML was built with it (the wheels are): the same events, faster.
_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
MAX_YAML_BYTES = 1024 * 1024
MAX_ALIASES = 20
MAX_EXPANDED_NODES = 100_000


def _count_aliases(text: str) -> int | None:
    """Aliases in ``text``, stopping once past the limit; ``None`` if it is not valid YAML
    (the loader then reports the syntax error with its line)."""
    aliases = 0
    try:
        for event in yaml.parse(text, Loader=_Loader):
            if isinstance(event, yaml.AliasEvent):
                aliases += 1
                if aliases > MAX_ALIASES:
                    break
    except yaml.YAMLError:
        return None
    return aliases


def _expanded_size(root: yaml.Node) -> int:
    """How many nodes the document has once every alias is expanded, counted once per shared
    node (memoised by identity), so the count costs as much as the graph, not its expansion."""
    sizes: dict[int, int] = {}

    def size(node: yaml.Node, depth: int) -> int:
        known = sizes.get(id(node))
        if known is not None:
            return known
        if depth > 200:  # a recursive alias (&a [*a]) or absurd nesting
            return MAX_EXPANDED_NODES + 1
        total = 1
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                total += size(key, depth + 1) + size(value, depth + 1)
                if total > MAX_EXPANDED_NODES:
                    break
        elif isinstance(node, yaml.SequenceNode):
            for item in node.value:
                total += size(item, depth + 1)
                if total > MAX_EXPANDED_NODES:
                    break
        sizes[id(node)] = total
        return total

    return size(root, 0)


def find_yaml_limit_problem(text: str) -> str | None:
    """The first limit ``text`` breaks, as a sentence for the person who wrote the file."""
    size = len(text.encode("utf-8"))
    if size > MAX_YAML_BYTES:
        return f"the file is {size:,} bytes; the limit is {MAX_YAML_BYTES:,} (1 MB)"
    aliases = _count_aliases(text)
    if aliases is None or aliases == 0:
        return None
    if aliases > MAX_ALIASES:
        return (
            f"the file uses more than {MAX_ALIASES} YAML aliases (*name); write the values out "
            "instead of repeating anchors"
        )
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError:
        return None
    if root is not None and _expanded_size(root) > MAX_EXPANDED_NODES:
        return (
            f"the file's YAML aliases expand to more than {MAX_EXPANDED_NODES:,} values; write "
            "the values out instead of nesting anchors"
        )
    return None


def find_duplicate_keys(text: str) -> list[str]:
    """Each key written twice in one mapping, with both lines. YAML keeps the last silently, so
    a section pasted twice (or a person listed twice under one key) would otherwise lose the
    first without a word. Text that is not valid YAML gives no findings (the parser says why)."""
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError:
        return []
    found: list[str] = []
    stack = [root] if root is not None else []
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.MappingNode):
            first: dict[str, int] = {}
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode):
                    line = key.start_mark.line + 1
                    if key.value in first:
                        found.append(
                            f"{key.value!r} is written twice in the same section (lines "
                            f"{first[key.value]} and {line}); YAML would keep only the second"
                        )
                    else:
                        first[key.value] = line
                stack.append(value)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return sorted(found)
