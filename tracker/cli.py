"""Entry point of the ``tracker`` command: gathers every command module onto one app."""

from __future__ import annotations

from tracker.commands import app, core  # noqa: F401  (importing registers the commands)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
