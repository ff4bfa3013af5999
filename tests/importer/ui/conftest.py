"""The web app's fixtures (tests/ui/conftest.py) for the import and export page's tests."""

from tests.ui.conftest import _release_engines, app_env, db, open_app  # noqa: F401
