"""From a report's context to its files: the template contract (``context``), the HTML
(``html``), the PDF (``pdf``) with its fonts (``fonts``), the press kit (``kit``), and
the writer that writes them only when they would change (``writer``, by the report's
``fingerprint``).

Knows no report kind and no source: it renders whatever context it is given.
"""
