"""The demonstration database: a living tracker for ``./dev run`` and ``tracker init --demo``.

Code, not a committed binary: ``build_demo`` replays a seeded year of the partnership's work
through the services, relative to the day it runs. Everything others may use is named here.
"""

from tracker.demo.build import DEFAULT_SEED, DemoRefused, DemoReport, build_demo

__all__ = ["DEFAULT_SEED", "DemoRefused", "DemoReport", "build_demo"]
