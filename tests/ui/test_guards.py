"""Guards on how the app is put together, checked from the source and configuration files.

- The entry script has no ``pages/`` folder beside it: Streamlit would then serve every file in
  it as a page by URL, sign-in or not.
- No code in ``tracker/`` passes text through ``unsafe_allow_html=True`` or ``st.html``.
- (That services import no Streamlit is checked with the other layering rules, in
  ``tests/test_architecture.py``.)
- The shipped Streamlit configuration is production-safe.
"""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

from tests.conftest import ROOT

TRACKER = ROOT / "tracker"
ENTRY = TRACKER / "ui" / "app.py"
STREAMLIT_CONFIG = TRACKER / "ui" / ".streamlit" / "config.toml"


def _python_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.py") if "migrations" not in p.parts)


def test_no_pages_folder_beside_the_entry_script() -> None:
    assert ENTRY.is_file()
    assert not (ENTRY.parent / "pages").exists()


def test_pages_are_listed_by_absolute_path_outside_the_entry_folder() -> None:
    from tracker.ui.navigation import PAGES, PAGES_DIR

    assert PAGES_DIR.resolve() != ENTRY.parent.resolve()
    assert all(spec.path.is_absolute() for spec in PAGES)


def _unsafe_calls(path: Path, root: Path = ROOT) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    where = path.relative_to(root)
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        for keyword in node.keywords:
            if keyword.arg == "unsafe_allow_html" and not (
                isinstance(keyword.value, ast.Constant) and keyword.value.value is False
            ):
                found.append(f"{where}:{node.lineno} unsafe_allow_html")
        function = node.func
        if isinstance(function, ast.Attribute) and function.attr == "html":
            found.append(f"{where}:{node.lineno} .html(...)")
        if isinstance(function, ast.Name) and function.id == "html":
            found.append(f"{where}:{node.lineno} html(...)")
    return found


# The Publish page previews the public site: the page the site's renderer wrote (Jinja2 with
# autoescaping, so typed text is text) shown in the sandboxed frame of components.html, never
# in the app's own page. tests/services/publishing proves that renderer escapes what is typed.
ALLOWED_HTML = {"tracker/pages/admin/publish.py"}


def test_no_user_text_through_unsafe_html() -> None:
    # The mail renderer builds e-mail HTML with escaping of its own; that is not Streamlit.
    offenders = [
        finding
        for path in _python_files(TRACKER)
        if "mail" not in path.relative_to(TRACKER).parts
        for finding in _unsafe_calls(path)
        if not (str(path.relative_to(ROOT)) in ALLOWED_HTML and finding.endswith(" .html(...)"))
    ]
    assert offenders == []


def test_the_publish_preview_is_the_one_html_frame() -> None:
    (path,) = (ROOT / name for name in ALLOWED_HTML)
    calls = _unsafe_calls(path)
    assert len(calls) == 1 and calls[0].endswith(" .html(...)")


def test_the_guard_catches_what_it_should(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text(
        "import streamlit as st\n"
        "st.markdown(x, unsafe_allow_html=True)\n"
        "st.html(x)\n"
        "st.write(x, unsafe_allow_html=flag)\n",
        encoding="utf-8",
    )
    assert len(_unsafe_calls(bad, root=tmp_path)) == 3


def test_streamlit_configuration_is_production_safe() -> None:
    config = tomllib.loads(STREAMLIT_CONFIG.read_text(encoding="utf-8"))
    assert config["server"]["headless"] is True
    assert config["server"]["enableXsrfProtection"] is True
    assert config["server"]["enableCORS"] is True
    assert 1 <= config["server"]["maxUploadSize"] <= 25
    assert config["browser"]["gatherUsageStats"] is False
    assert config["client"]["showErrorDetails"] == "none"
    assert config["client"]["toolbarMode"] == "minimal"


def test_secrets_example_documents_entra_without_secrets() -> None:
    example = ROOT / ".streamlit" / "secrets.toml.example"
    secrets = tomllib.loads(example.read_text(encoding="utf-8"))
    provider = secrets["auth"]["microsoft"]
    assert provider["server_metadata_url"].startswith("https://login.microsoftonline.com/")
    assert secrets["auth"]["redirect_uri"].endswith("/oauth2callback")
    assert provider["client_id"] == ""
    assert provider["client_secret"] == ""
    assert secrets["auth"]["cookie_secret"] == ""
    assert "secrets.token_urlsafe(48)" in example.read_text(encoding="utf-8")
    assert ".streamlit/secrets.toml" in (ROOT / ".gitignore").read_text(encoding="utf-8")
