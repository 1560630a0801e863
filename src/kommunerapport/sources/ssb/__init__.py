"""SSB's APIs: PxWebApi v2 for the KOSTRA tables, Klass for the region register.

``http`` (one bounded call), ``client`` (spaced, retried, cached calls), ``catalogue``
(the tables and what they give), ``queries`` (what to ask them), ``fetch`` (the
``kommunerapport fetch`` command), ``store`` (the cache and the fetched tidy table),
``klass`` (codes and KOSTRA groups).
"""
