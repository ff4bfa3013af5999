"""The one error tree: every exception the tracker raises on purpose derives from ``TrackerError``.

Beneath the base sit the kinds a person needs to tell apart: what they gave is wrong
(``InvalidInput``, with ``fields`` naming the form fields at fault), they may not do it
(``NotAllowed``), someone else changed it first (``Conflict``), it does not exist (``NotFound``),
the configuration is wrong (``ConfigurationError``) and the outside world failed
(``OperationFailed``: a backup tool, a mail server). Each kind also derives from the built-in
exception it replaced (``ValueError``, ``PermissionError``, ...), so older ``except`` clauses keep
working. The screens translate the tree in one place (``tracker.ui.errors``), and so does the
command line (``tracker.commands.errors``); the message of every error is written for a person.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

_NO_FIELDS: Mapping[str, str] = MappingProxyType({})


class TrackerError(Exception):
    """Base of every error the tracker raises on purpose; ``str()`` is the message to show."""

    #: The form fields at fault and what is wrong with each (empty when no field is to blame).
    fields: Mapping[str, str] = _NO_FIELDS


class InvalidInput(TrackerError, ValueError):
    """What a person typed, chose or uploaded cannot be used; nothing was written."""


class NotAllowed(TrackerError, PermissionError):
    """The person may not do this (their role, or the thing is not theirs)."""


class Conflict(TrackerError, RuntimeError):
    """Someone or something else changed the data first (or holds it); nothing was written."""


class NotFound(TrackerError, LookupError):
    """The thing asked for does not exist (or no longer does)."""


class ConfigurationError(TrackerError, ValueError):
    """The configuration (governance.yaml, a template, a schedule) cannot be used as it is."""


class OperationFailed(TrackerError, RuntimeError):
    """Something outside the tracker failed: a backup tool, a mail server, the file system."""


__all__ = [
    "ConfigurationError",
    "Conflict",
    "InvalidInput",
    "NotAllowed",
    "NotFound",
    "OperationFailed",
    "TrackerError",
]
