"""The template contract: templates use exactly the documented context keys."""

from __future__ import annotations

from pathlib import Path

import jinja2
from jinja2 import meta

from kommunerapport.files import asset_dir
from kommunerapport.render.context import documented_keys
from kommunerapport.render.html import environment

REPORT_TEMPLATES = ["report.html", "_header.html", "_keyfigures.html", "_quotes.html",
                    "_chart.html", "_table.html", "_footer.html"]
# Set by the including template with {% with %}, not by the context.
LOCAL = {"chart", "table", "outer", "bar"}


def used_keys(env: jinja2.Environment, names: list[str]) -> set[str]:
    used: set[str] = set()
    for name in names:
        source = Path(asset_dir("templates"), name).read_text("utf-8")
        used |= meta.find_undeclared_variables(env.parse(source))
    return used - LOCAL


def test_templates_use_only_documented_keys() -> None:
    assert used_keys(environment(), REPORT_TEMPLATES) - documented_keys() == set()


def test_every_documented_key_is_used() -> None:
    assert documented_keys() - used_keys(environment(), REPORT_TEMPLATES) == set()


def test_every_report_template_is_listed() -> None:
    html = {p.name for p in asset_dir("templates").glob("*.html")
            if not p.name.startswith("email_")}  # the e-mail's own (mail.message)
    assert html == set(REPORT_TEMPLATES)
