"""Showing what went wrong: the one place the screens translate the tracker's error tree.

A page wraps each write in ``with showing_errors() as outcome:``; a
:class:`~tracker.errors.TrackerError` raised inside is shown (each field's message next to its
field, or under the field's name, when the error names fields; "Not saved." before a conflict)
and ``outcome.failed`` tells the page to stop, so no page writes its own ``except`` tuple.
Errors outside the tree are bugs and are left to Streamlit's error page.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from tracker.errors import Conflict, TrackerError
from tracker.ui.components import escape_markdown


@dataclass
class Outcome:
    """How the write inside :func:`showing_errors` went: ``error`` is set if it failed."""

    error: TrackerError | None = None

    @property
    def failed(self) -> bool:
        return self.error is not None


def field_label(name: str) -> str:
    return name.replace("_", " ").capitalize()


def show_error(
    error: TrackerError,
    *,
    where: DeltaGenerator | None = None,
    field_slots: Mapping[str, DeltaGenerator] | None = None,
) -> None:
    """Show ``error`` as a person should read it, in ``where`` (default: the page)."""
    target = where if where is not None else st
    if error.fields:
        for name, message in error.fields.items():
            slot = (field_slots or {}).get(name)
            if slot is not None:
                slot.error(escape_markdown(message), icon=":material/error:")
            else:
                target.error(f"{field_label(name)}: {escape_markdown(message)}")
        return
    prefix = "Not saved. " if isinstance(error, Conflict) else ""
    target.error(prefix + escape_markdown(str(error)))


@contextmanager
def showing_errors(
    *,
    where: DeltaGenerator | None = None,
    field_slots: Mapping[str, DeltaGenerator] | None = None,
    show: bool = True,
) -> Iterator[Outcome]:
    """Run the write in the ``with`` block; a ``TrackerError`` it raises is shown, not raised.

    ``with showing_errors() as outcome:`` around the session that writes, then
    ``if outcome.failed: return``. ``show=False`` leaves showing it to the caller.
    """
    outcome = Outcome()
    try:
        yield outcome
    except TrackerError as error:
        outcome.error = error
        if show:
            show_error(error, where=where, field_slots=field_slots)
