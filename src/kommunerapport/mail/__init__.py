"""``kommunerapport send``: each member its report by e-mail, exactly once.

``options`` (the command's options), ``recipients`` (the recipients file and the
reports to send), ``message`` (one e-mail), ``session`` (SMTP), ``delivery`` (a sending
run), ``sendlog`` (what went to whom), ``run`` (the command).

Sends files the other stages wrote; builds none.
"""
