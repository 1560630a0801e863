"""The data model: what the figures are about, below every other stage.

``schema`` (the tidy table, its columns, plausible values, the dataset), ``regions``
(the register of counties and municipalities), ``measures`` (SSB's codes and labels ↔
the model's measures), ``norms`` (TBU's norms), ``kinds`` (the kinds of report, and
what a unit number is), ``config`` (the user's own words for a report).

Imports no other stage.
"""
