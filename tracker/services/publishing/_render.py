"""Render the public site: ``PublicSite`` -> HTML pages and one stylesheet, as text.

Jinja2 with autoescaping on every template, so whatever anyone typed (a summary, a "you said"
entry) is text on the page, never markup. The pages use no script, no web fonts and no images;
charts are inline SVG drawn from the numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

from jinja2 import Environment, FunctionLoader, StrictUndefined

from tracker.services.publishing._gather import month_year
from tracker.services.publishing._model import PublicSite
from tracker.services.publishing._svg import render_trend_svg

STYLESHEET = "site.css"
FEEDBACK_PAGE = "you-said-we-did.html"
_TEMPLATES = resources.files("tracker") / "data" / "site"


@dataclass(frozen=True)
class RenderedSite:
    """File name -> text, for every file of the site (the pages and the stylesheet)."""

    files: dict[str, str]

    @property
    def pages(self) -> list[str]:
        return sorted(name for name in self.files if name.endswith(".html"))


def _load(name: str) -> str:
    return (_TEMPLATES / name).read_text(encoding="utf-8")


def _environment() -> Environment:
    env = Environment(
        loader=FunctionLoader(_load),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals["chart"] = render_trend_svg
    env.globals["month_year"] = month_year
    return env


def render_site(site: PublicSite) -> RenderedSite:
    """Every page of the site, and its stylesheet."""
    env = _environment()
    files = {
        "index.html": env.get_template("index.html").render(site=site, page="index"),
        FEEDBACK_PAGE: env.get_template("feedback.html").render(site=site, page="feedback"),
        "meetings.html": env.get_template("meetings.html").render(site=site, page="meetings"),
        "accessibility.html": env.get_template("accessibility.html").render(
            site=site, page="accessibility"
        ),
        STYLESHEET: _load(STYLESHEET),
    }
    priority = env.get_template("priority.html")
    for p in site.priorities:
        files[f"{p.slug}.html"] = priority.render(site=site, page=p.slug, p=p)
    return RenderedSite(files)


def inline_stylesheet(page: str, stylesheet: str) -> str:
    """A page with its stylesheet written in, for a preview that has no folder beside it."""
    link = '<link rel="stylesheet" href="site.css">'
    return page.replace(link, f"<style>{stylesheet}</style>", 1)
