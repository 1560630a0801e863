"""SSB's symbols for a cell without a number, with one meaning each, for every stage.

=======  ============================================================  ==================
symbol   SSB's meaning                                                 in the tidy table
=======  ============================================================  ==================
``..``   figures missing (not available, not reported yet)             value empty
``:``    confidential (withheld)                                       value empty
``.``    cannot occur (logically impossible)                           value empty
``…``    figures missing (as some exports write «..»)                  value empty
``-``    nil: nothing to report, the figure is 0                       value 0
=======  ============================================================  ==================

A missing figure keeps its symbol as the row's status; nil is a real 0 and becomes the
value, so it counts like any other figure (and is never read as missing).
"""

from __future__ import annotations

MISSING = ("..", ":", ".", "…")  # no figure: the symbol is kept as the row's status
NIL = "-"  # a figure of 0
