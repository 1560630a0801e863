"""The press kit's ``tekst.md``: the press release in the PDF's own words, as Markdown a
web editor pastes into a CMS.

Everything a web page needs is there, in the PDF's order: the headline, the dateline, the
draft and sample marks, the lede, the key figures, the quotes, every section with its
pictures and tables, «Om tallene», the contacts, «Om KS» and the keywords.

Every word from the report (and so from the user's config: quotes, names, «Om KS») is
escaped: it is always text, never Markdown, HTML or a link. A quote holding
``<img onerror=…>`` or ``[x](javascript:…)`` shows those characters and does nothing.
"""

from __future__ import annotations

import re

from kommunerapport.render.context import DataTable, ReportContext

# Characters Markdown (CommonMark, GitHub's) acts on anywhere in a line; each is escaped
# with a backslash, which CommonMark allows before any ASCII punctuation.
_ANYWHERE = re.compile(r"([\\`*_\[\]{}<>|~&#!])")


def escaped(text: object, line: bool = False) -> str:
    """``text`` as Markdown that shows exactly these characters, on one line; ``line``:
    it starts the line, where a «-», «+» or «1.» would make a list."""
    out = " ".join(str(text).replace("\u00a0", " ").split())
    out = _ANYWHERE.sub(r"\\\1", out)
    if not line:
        return out
    out = re.sub(r"^([+\-=])", r"\\\1", out)  # a list item or a heading underline
    return re.sub(r"^(\d+)([.)])", r"\1\\\2", out)  # an ordered list item


def table(data: DataTable) -> list[str]:
    """A Markdown table with its caption above it and its note below."""
    right = [data.numeric[i] if i < len(data.numeric) else False
             for i in range(len(data.headers))]
    lines = [f"*{escaped(data.caption)}*", "",
             "| " + " | ".join(escaped(h) or " " for h in data.headers) + " |",
             "|" + "|".join("---:" if r else "---" for r in right) + "|"]
    lines += ["| " + " | ".join(escaped(cell) or " " for cell in row) + " |"
              for row in data.rows]
    if data.note:
        lines += ["", escaped(data.note, line=True)]
    return lines + [""]


def markdown(context: ReportContext, pictures: dict[str, str]) -> str:
    """The report's words as Markdown; ``pictures``: chart title → the kit's file name
    (without suffix)."""
    labels = context.labels
    out = [f"# {escaped(context.title)}", "",
           f"*{escaped(context.dateline)} \\| {escaped(context.organisation)} \\| "
           f"{escaped(labels['press_release'])}*", ""]
    if context.draft:
        out += [f"**{escaped(labels['draft_mark'])}: {escaped(labels['draft_note'])}**", ""]
    if context.sample:
        out += [f"**{escaped(context.sample_notice)}.** {escaped(context.sample_note)}", ""]
    out += [f"**{escaped(' '.join(context.lede))}**", ""]
    if context.key_figures:
        out += [f"## {escaped(labels['kit_key_figures'])}", ""]
        for kf in context.key_figures:
            note = f" ({escaped(kf.note)})" if kf.note else ""
            out.append(f"- {escaped(kf.label)}: {escaped(kf.value)}{note}")
        out.append("")
    if context.quotes:
        out += [f"## {escaped(labels['kit_quotes'])}", ""]
        for quote in context.quotes:
            out += [f"> – {escaped(quote.text)}, {escaped(labels['says'])} "
                    f"{escaped(quote.role)}, {escaped(quote.name)}.", ""]
    for section in context.sections:
        out += [f"## {escaped(section.heading)}", ""]
        for paragraph in section.paragraphs:
            out += [escaped(paragraph, line=True), ""]
        for chart in section.charts:
            if chart.title in pictures:
                out += [f"![{escaped(chart.alt)}]({pictures[chart.title]}.png)", "",
                        f"*{escaped(chart.title)}*", ""]
        if section.table is not None:
            out += table(section.table)
    out += [f"## {escaped(labels['h_about_figures'])}", ""]
    out += table(context.provenance)
    notes = " ".join((labels["ssb_credit"] + ".", f"{labels['method']}: {context.method}",
                      labels["scope_note"], *context.notes))
    out += [escaped(notes, line=True), ""]
    if context.contacts:
        out += [f"## {escaped(labels['h_contacts'])}", ""]
        for c in context.contacts:
            parts = [p for p in (c.role, c.phone, c.email) if p]
            out.append(f"- **{escaped(c.name)}**" + "".join(f", {escaped(p)}" for p in parts))
        out.append("")
    if context.about:
        heading = labels["h_about"].format(organisation=context.organisation)
        out += [f"## {escaped(heading)}", "", escaped(context.about, line=True), ""]
    if context.keywords:
        out += [f"**{escaped(labels['keywords'])}:** "
                f"{escaped(', '.join(context.keywords))}", ""]
    return "\n".join(out).rstrip() + "\n"
