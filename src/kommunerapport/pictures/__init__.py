"""The charts and maps of a report, as drawings: ``charts`` (trend, spread, bars),
``maps`` (choropleths) with their ``classes`` and ``geometry``, and ``drawing`` (how a
drawing becomes the PDF's PNG and the press kit's PNG and SVG).

Imports the model and the number style; no sources, reports, render, batch or mail.
"""
