"""Every word a report writes: the phrase catalogues, the number style, the sentences.

``lang`` (the catalogues ``phrases/nb.po`` and ``nn.po``), ``formatting`` (Norwegian
numbers), ``facts`` (every number a report shows, with its provenance), ``text`` (the
rules that choose a sentence), ``check`` (the text check every report passes).

Imports the model and the figures; no sources, reports, render, batch or mail.
"""
