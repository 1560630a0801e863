"""Where figures come from: the user's files, SSB's API, the built-in data.

``readers/`` (one module per format SSB delivers, behind one detection step),
``ssb/`` (the HTTP call, the client, the table catalogue, ``fetch`` and the fetched
store, Klass), ``loading`` (the file, the fetched figures or the built-in ones),
``tidycsv`` (the tool's own CSV), ``configfile`` (the user's TOML; ``tomlmessages``
says its syntax errors in Norwegian), ``limits`` (what a file may hold), and the shared
pieces ``jsonstat``, ``rows``, ``csvdialect`` and ``throttle``.

Imports only the model.
"""
