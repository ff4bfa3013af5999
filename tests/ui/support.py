"""Small readers of an AppTest page: texts shown, buttons by label, elements in screen order."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from streamlit.testing.v1 import AppTest


def plain(markdown: str) -> str:
    """Markdown as a reader sees it: escapes and bold markers gone (``**P2\\.3**`` is ``P2.3``)."""
    return re.sub(r"\\(.)", r"\1", markdown.replace("**", ""))


def nodes(at: AppTest) -> Iterator[Any]:
    """Every element of the main area and the sidebar, in the order they are drawn."""
    yield from at.main
    yield from at.sidebar


def texts(at: AppTest) -> list[str]:
    """Everything written as text: titles, markdown, captions, alerts, metric labels."""
    found: list[str] = []
    for node in nodes(at):
        kind = getattr(node, "type", "")
        if kind in {"markdown", "caption", "title", "subheader", "header", "text"} or kind in {
            "error",
            "warning",
            "info",
            "success",
        }:
            found.append(plain(str(node.value)))
        elif kind == "metric":
            found.append(f"{node.label}: {node.value}")
    return found


def shown(at: AppTest, fragment: str) -> bool:
    return any(fragment in text for text in texts(at))


def titles(at: AppTest) -> list[str]:
    return [t.value for t in at.title]


def button(at: AppTest, label: str) -> Any:
    """The one button (or form submit button) with this label."""
    matches = [b for b in at.button if b.label == label]
    assert len(matches) == 1, (
        f"{len(matches)} buttons labelled {label!r}: {[b.label for b in at.button]}"
    )
    return matches[0]


def errors(at: AppTest) -> list[str]:
    return [plain(e.value) for e in at.error]


def warnings(at: AppTest) -> list[str]:
    return [plain(w.value) for w in at.warning]


def no_exception(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def element_after(at: AppTest, label: str | None = None, *, key: str | None = None) -> Any:
    """The element drawn straight after a widget (by label or key): where its error goes."""
    sequence = [n for n in at.main if not hasattr(n, "children")]
    for index, node in enumerate(sequence):
        if (key is not None and getattr(node, "key", None) == key) or (
            key is None and getattr(node, "label", None) == label
        ):
            return sequence[index + 1] if index + 1 < len(sequence) else None
    raise AssertionError(f"no widget labelled {label!r} / keyed {key!r}")
