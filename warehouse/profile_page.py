"""A self-contained HTML preview of a profile page.

Everything from the sources (names, titles, abstracts, venues) is escaped by Jinja2's autoescape:
titles and abstracts come from outside and may carry markup. Links are only emitted as http(s)
URLs, and a Content-Security-Policy forbids scripts, so nothing in the data can run.
"""

from __future__ import annotations

from dataclasses import replace

from jinja2 import Environment, PackageLoader, select_autoescape

from warehouse.read import Profile

__all__ = ["render_profile_html"]

_ENV = Environment(loader=PackageLoader("warehouse", "templates"), autoescape=select_autoescape(["html"]))


def render_profile_html(profile: Profile) -> str:
    """The profile as one HTML document (no external resources)."""
    works = tuple(
        replace(w, links=tuple(u for u in w.links if u.startswith(("https://", "http://"))))
        for w in profile.works
    )
    return _ENV.get_template("profile.html").render(p=replace(profile, works=works))
