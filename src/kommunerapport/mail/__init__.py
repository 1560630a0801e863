"""``kommunerapport send``: each member its report by e-mail, exactly once.

``options`` (the command's options), ``inputs`` (the files it reads, as regular files
of bounded size), ``recipients`` (the recipients file and the reports to send),
``selection`` (``--only``, ``--exclude``, ``--to-me``), ``message`` (one e-mail),
``smtp`` (the client with deadlines and reply caps), ``session`` (SMTP, TLS, retries),
``sendlog`` (what went to whom), ``delivery`` (a sending run), ``preview`` (``--dry-run``
and ``--preview``), ``status`` (``kommunerapport sendlog``), ``run`` (the command).

Sends files the other stages wrote; builds none.
"""
