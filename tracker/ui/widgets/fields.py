"""Form fields that never drop what a person typed or chose.

Streamlit's widgets can lose input silently: a ``text_area`` with ``max_chars`` discards a paste
longer than the limit whole, and a ``date_input`` ignores a typed date outside its
``min_value``/``max_value`` (ten years either side of today by default) while still showing it.
These helpers draw the same widgets without those traps: text has no widget limit (the service
checks the length and the message under the field says how much to cut, with all the text kept
in the box), and dates accept anything from 1900 to 2199 so the service, not the widget, decides
and explains. Pages call these instead of ``st.text_area``/``st.date_input`` for typed values.
"""

from __future__ import annotations

from datetime import date
from typing import Any

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
