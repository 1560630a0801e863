"""From a report's context to its files: the template contract (``context``), the HTML
(``html``), the PDF (``pdf``) with its fonts (``fonts``), and the press kit (``kit``).

Knows no report kind and no source: it renders whatever context it is given.
"""
