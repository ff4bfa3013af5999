"""Form fields that never drop what a person typed or chose.

Streamlit's widgets can lose input silently: a ``text_area`` with ``max_chars`` discards a paste
longer than the limit whole, and a ``date_input`` ignores a typed date outside its
``min_value``/``max_value`` (ten years either side of today by default) while still showing it.
A ``selectbox`` whose options change between runs (an organisation deactivated while the form
is open, an action's workstream no longer active) silently falls back to its first option.
These helpers draw the same widgets without those traps: text has no widget limit (the service
checks the length and the message under the field says how much to cut, with all the text kept
in the box), dates accept anything from 1900 to 2199 so the service, not the widget, decides
and explains, and ``kept_select`` keeps every option it offered (and the stored value) so the
choice shown is the choice saved, or refused by name. Pages call these instead of
``st.text_area``/``st.date_input``/``st.selectbox`` for typed or chosen values.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from datetime import date
from typing import Any, TypeVar

import streamlit as st

from tracker.rules import too_long_message

# The widest range the date picker accepts; the services refuse what is implausible, by name.
DATE_FLOOR = date(1900, 1, 1)
DATE_CEILING = date(2199, 12, 31)


def long_text(label: str, *, key: str, limit: int, **kwargs: Any) -> str:
    """A text area with no widget limit; over ``limit`` it says, under the field, what to cut."""
    value: str = st.text_area(label, key=key, **kwargs)
    show_length_warning(value, limit)
    return value


def short_text(label: str, *, key: str, limit: int, **kwargs: Any) -> str:
    """A one-line text input with no widget limit, warning under the field when over ``limit``."""
    value: str = st.text_input(label, key=key, **kwargs)
    show_length_warning(value, limit)
    return value


def show_length_warning(value: str | None, limit: int) -> None:
    if value and len(value) > limit:
        st.warning(f"This text {too_long_message(len(value), limit)}.", icon=":material/warning:")


def date_field(label: str, **kwargs: Any) -> Any:
    """``st.date_input`` in UK form accepting 1900-2199, so a typed date is never ignored."""
    kwargs.setdefault("min_value", DATE_FLOOR)
    kwargs.setdefault("max_value", DATE_CEILING)
    kwargs.setdefault("format", "DD/MM/YYYY")
    return st.date_input(label, **kwargs)


T = TypeVar("T", bound=Hashable)
NONE_LABEL = "— none —"
GONE = "(no longer available)"


def kept_select(
    label: str,
    choices: Mapping[T, str],
    *,
    key: str,
    current: T | None = None,
    current_label: str | None = None,
    optional: bool = True,
    **kwargs: Any,
) -> T | None:
    """A select box whose choice never changes behind the person's back.

    ``choices`` maps values to labels as offered now. Options offered earlier in this session
    (and ``current``, the stored value) stay in the list, marked "(no longer available)", so a
    choice that disappears between runs stays chosen; the caller refuses it (``is_gone``) with
    a message under the field, or keeps the stored value, instead of saving "none".
    """
    offered_key = f"{key}.offered"
    earlier: dict[T, str] = dict(st.session_state.get(offered_key, {}))
    options: dict[T, str] = dict(choices)
    for value, text in earlier.items():
        options.setdefault(value, f"{text} {GONE}")
    if current is not None and current not in options:
        options[current] = f"{current_label or 'The stored choice'} {GONE}"
    st.session_state[offered_key] = {**earlier, **choices}
    values: list[T | None] = [None, *options] if optional else list(options)
    if key not in st.session_state:
        kwargs.setdefault("index", values.index(current) if current in values else 0)
    chosen: T | None = st.selectbox(
        label,
        values,
        key=key,
        format_func=lambda v: NONE_LABEL if v is None else options[v],
        **kwargs,
    )
    return chosen


def is_gone(value: object, choices: Mapping[Any, str]) -> bool:
    """Whether ``value`` (from ``kept_select``) is no longer among the ``choices`` offered."""
    return value is not None and value not in choices


def forget_offered(key: str) -> None:
    """After a save: the next form offers only what is available then."""
    st.session_state.pop(f"{key}.offered", None)
